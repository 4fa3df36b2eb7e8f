"""Group 2, "the instance cannot call S3" (both stacks): the role before the network.

The instance (lab) or the launch template (production) carries the instance profile; the profile holds
the stack's role; the role trusts EC2 and allows ``s3:GetObject`` on ``appBucket``; IMDSv2 hands the
credentials out.
"""

from __future__ import annotations

from typing import Any

from ops.checks.context import CheckFn, Context, Missing, check
from ops.checks.policy_eval import Decision, Source, Verdict, evaluate, load_document, trusts_service
from ops.report import Check
from ops.session import AwsError, error_code, is_denied

EC2_SERVICE = "ec2.amazonaws.com"
ACTION = "s3:GetObject"
# Any object under the prefix: a concrete key, since the simulator evaluates the ARN it is given.
EXAMPLE_KEY = "doctor-example-object"


def _carrier(ctx: Context) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """``(what, launch settings, profile spec)``: the lab instance, else the group's template version."""
    if ctx.stack.text("instanceId"):
        instance = ctx.instance()
        return f"instance {instance['InstanceId']}", instance, instance.get("IamInstanceProfile")
    version = ctx.template_version()
    data = version.get("LaunchTemplateData", {})
    what = f"launch template {version['LaunchTemplateId']} v{version['VersionNumber']}"
    return what, data, data.get("IamInstanceProfile")


def profile_name(spec: dict[str, Any]) -> str | None:
    if spec.get("Name"):
        return str(spec["Name"])
    arn = str(spec.get("Arn") or "")
    return arn.rsplit("/", 1)[-1] if "/" in arn else None


def _profile(ctx: Context, name: str) -> dict[str, Any]:
    def load() -> dict[str, Any]:
        try:
            return dict(ctx.aws.iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"])
        except AwsError as error:
            if is_denied(error):
                raise
            raise Missing(f"instance profile {name}: {error_code(error)}") from error

    return dict(ctx.cached(f"profile:{name}", load))


def _role(ctx: Context) -> dict[str, Any]:
    name = ctx.stack.text("roleName")

    def load() -> dict[str, Any]:
        if not name:
            raise Missing("the stack exports no roleName")
        try:
            return dict(ctx.aws.iam.get_role(RoleName=name)["Role"])
        except AwsError as error:
            if is_denied(error):
                raise
            raise Missing(f"role {name}: {error_code(error)}") from error

    return dict(ctx.cached("role", load))


@check("s3.instance-profile", "the instance profile is attached and holds the stack's role")
def instance_profile(ctx: Context, cid: str, title: str) -> Check:
    fix = "`pulumi up` restores the profile and its role"
    try:
        what, _settings, spec = _carrier(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance or launch template: {why}")
    name = profile_name(spec or {})
    if not name:
        return Check.failed(cid, title, f"{what} carries no instance profile, so it has no credentials", fix)
    try:
        profile = _profile(ctx, name)
    except Missing as why:
        return Check.failed(cid, title, f"{what} names {name}, which does not exist: {why}", fix)
    roles = [r["RoleName"] for r in profile.get("Roles", [])]
    expected = ctx.stack.text("roleName")
    if not roles:
        return Check.failed(cid, title, f"{what} -> profile {name} holds no role", fix)
    if expected and expected not in roles:
        return Check.failed(cid, title, f"{what} -> profile {name} holds {', '.join(roles)}, not {expected}", fix)
    return Check.passed(cid, title, f"{what} -> profile {name} -> role {roles[0]}")


@check("s3.role-trust", "the role trusts ec2.amazonaws.com")
def role_trust(ctx: Context, cid: str, title: str) -> Check:
    try:
        role = _role(ctx)
    except Missing as why:
        return Check.failed(cid, title, str(why), "`pulumi up` restores the role")
    document = load_document(role.get("AssumeRolePolicyDocument"))
    if trusts_service(document, EC2_SERVICE):
        return Check.passed(cid, title, f"role {role['RoleName']} allows sts:AssumeRole to {EC2_SERVICE}")
    return Check.failed(
        cid,
        title,
        f"role {role['RoleName']} trust policy does not allow {EC2_SERVICE} to assume it",
        "`pulumi up` restores the program's trust policy (ec2.amazonaws.com, sts:AssumeRole)",
    )


def _object_arn(ctx: Context) -> str | None:
    bucket = ctx.stack.config.app_bucket
    if bucket is None:
        return None
    key = f"{bucket.prefix}/{EXAMPLE_KEY}" if bucket.prefix else EXAMPLE_KEY
    return f"arn:aws:s3:::{bucket.bucket}/{key}"


def _simulate(ctx: Context, role_arn: str, resource: str) -> tuple[Verdict | None, str]:
    try:
        result = ctx.aws.iam.simulate_principal_policy(
            PolicySourceArn=role_arn, ActionNames=[ACTION], ResourceArns=[resource]
        )
    except AwsError as error:
        return None, f"IAM policy simulator unavailable ({error_code(error)})"
    evaluation = (result.get("EvaluationResults") or [{}])[0]
    decision = str(evaluation.get("EvalDecision", "implicitDeny"))
    matched = ", ".join(
        f"{m.get('SourcePolicyId')} ({m.get('SourcePolicyType')})" for m in evaluation.get("MatchedStatements", [])
    )
    details = f"matched {matched}" if matched else "no statement matched"
    missing = evaluation.get("MissingContextValues") or []
    if missing:
        details += f"; context not supplied: {', '.join(missing)}"
    known = {d.value: d for d in Decision}
    return Verdict(known.get(decision, Decision.IMPLICIT_DENY), f"{decision}: {details}"), "IAM policy simulator"


def _documents(ctx: Context, role_name: str) -> tuple[list[Source], list[Source]]:
    iam = ctx.aws.iam
    sources: list[Source] = []
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for name in page.get("PolicyNames", []):
            document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
            sources.append(Source(f"inline policy '{name}'", document))
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for attached in page.get("AttachedPolicies", []):
            sources.append(Source(f"attached {attached['PolicyArn']}", _managed_document(ctx, attached["PolicyArn"])))
    boundary: list[Source] = []
    role = _role(ctx)
    boundary_arn = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary_arn:
        boundary.append(Source(f"boundary {boundary_arn}", _managed_document(ctx, boundary_arn)))
    return sources, boundary


def _managed_document(ctx: Context, arn: str) -> Any:
    iam = ctx.aws.iam
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def _evaluate_locally(ctx: Context, role_name: str, resource: str, why: str) -> tuple[Verdict, str]:
    sources, boundary = _documents(ctx, role_name)
    verdict = evaluate(sources, ACTION, resource)
    if boundary and verdict.decision is Decision.ALLOWED:
        limit = evaluate(boundary, ACTION, resource)
        if limit.decision is not Decision.ALLOWED:
            verdict = Verdict(limit.decision, f"permissions boundary: {limit.reason}")
    method = (
        f"local evaluation of {len(sources)} document(s) with the project's IAM parser, {why}; "
        "SCPs and the bucket policy not seen"
    )
    return verdict, method


@check("s3.permissions", "the role's permissions allow s3:GetObject on appBucket")
def role_permissions(ctx: Context, cid: str, title: str) -> Check:
    resource = _object_arn(ctx)
    if resource is None:
        return Check.skipped(cid, title, "no appBucket configured: the role is granted no S3 read")
    try:
        role = _role(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the role: {why}")
    verdict, method = _simulate(ctx, role["Arn"], resource)
    if verdict is None:
        verdict, method = _evaluate_locally(ctx, role["RoleName"], resource, method)
    evidence = f"{ACTION} on {resource}: {verdict.reason} [method: {method}]"
    bucket = ctx.stack.config.app_bucket
    fix = (
        f"the program grants it from appBucket: `pulumi config set appBucket {bucket.bucket}"
        f"{'/' + bucket.prefix if bucket and bucket.prefix else ''}` and `pulumi up`; then check the bucket policy"
        if bucket
        else ""
    )
    if verdict.decision is Decision.ALLOWED:
        return Check.passed(cid, title, evidence)
    if verdict.decision is Decision.CONDITIONAL:
        return Check.warned(cid, title, evidence, "confirm the Condition holds for the instance's requests")
    return Check.failed(cid, title, evidence, fix)


@check("s3.imds", "IMDSv2 is required with hop limit 1")
def imds(ctx: Context, cid: str, title: str) -> Check:
    try:
        what, settings, _spec = _carrier(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance or launch template: {why}")
    options = settings.get("MetadataOptions") or {}
    endpoint = options.get("HttpEndpoint", "enabled")
    tokens = options.get("HttpTokens", "optional")
    hops = int(options.get("HttpPutResponseHopLimit") or 1)
    evidence = f"{what}: endpoint {endpoint}, tokens {tokens}, hop limit {hops}"
    fix = "`pulumi up` restores the program's metadata options (tokens required, hop limit 1)"
    if endpoint != "enabled":
        return Check.failed(cid, title, f"{evidence}: the instance cannot fetch role credentials", fix)
    if tokens != "required":
        return Check.failed(cid, title, f"{evidence}: IMDSv1 is open (credential theft by SSRF)", fix)
    if hops > 1:
        return Check.warned(cid, title, f"{evidence}: containers on the host can reach the role's credentials", fix)
    return Check.passed(
        cid, title, f"{evidence}; note: containers on the host (bridge network) get no credentials at hop limit 1"
    )


# The lab's order within the group.
CHECKS: list[CheckFn] = [instance_profile, role_trust, role_permissions, imds]

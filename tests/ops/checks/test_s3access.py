"""s3.permissions through IAM's policy simulator (botocore Stubber: moto 5.2.5 has no SimulatePrincipalPolicy),
and its fallback to the project's IAM parser when the simulator is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops.checks import s3access
from ops.report import Status
from tests.ops.stubbed import NOW, ROLE_ARN, context, group_template, role, stub

OUTPUTS = {"roleName": "prod-role", "asgName": "blue-asg"}
OBJECT = "arn:aws:s3:::app-bucket/app/doctor-example-object"


def simulate(decision: str, matched: list[dict[str, object]] | None = None) -> dict[str, object]:
    result: dict[str, object] = {"EvalActionName": "s3:GetObject", "EvalResourceName": OBJECT, "EvalDecision": decision}
    if matched is not None:
        result["MatchedStatements"] = matched
    return {"EvaluationResults": [result]}


def expected_simulation() -> dict[str, object]:
    return {"PolicySourceArn": ROLE_ARN, "ActionNames": ["s3:GetObject"], "ResourceArns": [OBJECT]}


def _simulator_denied_and_one_inline_policy(iam: Any, document: dict[str, Any]) -> None:
    """The simulator refuses the doctor (AccessDenied), so the check reads the role's one inline policy itself."""
    iam.add_client_error("simulate_principal_policy", "AccessDenied", "not authorized", 403)
    iam.add_response(
        "list_role_policies", {"PolicyNames": ["app-read"], "IsTruncated": False}, {"RoleName": "prod-role"}
    )
    iam.add_response(
        "get_role_policy",
        {"RoleName": "prod-role", "PolicyName": "app-read", "PolicyDocument": json.dumps(document)},
        {"RoleName": "prod-role", "PolicyName": "app-read"},
    )
    iam.add_response(
        "list_attached_role_policies", {"AttachedPolicies": [], "IsTruncated": False}, {"RoleName": "prod-role"}
    )


def test_simulator_allowed_passes_and_names_the_method() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    matched = [{"SourcePolicyId": "app-read", "SourcePolicyType": "IAM Policy"}]
    iam.add_response("simulate_principal_policy", simulate("allowed", matched), expected_simulation())
    check = s3access.role_permissions(ctx)
    iam.assert_no_pending_responses()
    assert check.status is Status.PASS
    assert "method: IAM policy simulator" in check.evidence and "app-read (IAM Policy)" in check.evidence


def test_simulator_explicit_deny_fails_with_the_matched_policy() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    matched = [{"SourcePolicyId": "deny-s3", "SourcePolicyType": "IAM Policy"}]
    iam.add_response("simulate_principal_policy", simulate("explicitDeny", matched), expected_simulation())
    check = s3access.role_permissions(ctx)
    assert check.status is Status.FAIL
    assert "explicitDeny: matched deny-s3" in check.evidence and "appBucket" in check.fix


def test_simulator_implicit_deny_fails() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    iam.add_response("simulate_principal_policy", simulate("implicitDeny", []), expected_simulation())
    check = s3access.role_permissions(ctx)
    assert check.status is Status.FAIL and "implicitDeny: no statement matched" in check.evidence


def test_simulator_refused_falls_back_to_the_projects_parser() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-bucket/app/*"}],
    }
    _simulator_denied_and_one_inline_policy(iam, document)
    check = s3access.role_permissions(ctx)
    iam.assert_no_pending_responses()
    assert check.status is Status.PASS
    assert "simulator unavailable (AccessDenied)" in check.evidence and "method: local evaluation" in check.evidence


def test_no_app_bucket_skips_without_calling_aws() -> None:
    ctx = context(OUTPUTS)
    iam = stub(ctx, "iam")
    check = s3access.role_permissions(ctx)
    iam.assert_no_pending_responses()
    assert check.status is Status.SKIP


# --- s3.instance-profile: the carrier of the credentials, on both stacks -------------------------------

INSTANCE_ID = "i-0123456789abcdef0"
PROFILE_ARN = "arn:aws:iam::123456789012:instance-profile/app/prod-profile"


def _lab_instance(profile: dict[str, str] | None) -> tuple[s3access.Context, Any]:
    ctx = context({"instanceId": INSTANCE_ID, "roleName": "prod-role"})
    ec2 = stub(ctx, "ec2")
    instance: dict[str, Any] = {"InstanceId": INSTANCE_ID}
    if profile is not None:
        instance["IamInstanceProfile"] = profile
    ec2.add_response(
        "describe_instances", {"Reservations": [{"Instances": [instance]}]}, {"InstanceIds": [INSTANCE_ID]}
    )
    return ctx, ec2


def _profile_reply(*roles: str) -> dict[str, Any]:
    return {
        "InstanceProfile": {
            "Path": "/app/",
            "InstanceProfileName": "prod-profile",
            "InstanceProfileId": "AIPAEXAMPLEEXAMPLE01",
            "Arn": PROFILE_ARN,
            "CreateDate": NOW,
            "Roles": [role(name)["Role"] for name in roles],
        }
    }


def test_the_lab_instance_profile_named_by_its_arn_holds_the_stacks_role() -> None:
    ctx, _ = _lab_instance({"Arn": PROFILE_ARN, "Id": "AIPAEXAMPLEEXAMPLE01"})
    iam = stub(ctx, "iam")
    iam.add_response("get_instance_profile", _profile_reply("prod-role"), {"InstanceProfileName": "prod-profile"})

    check = s3access.instance_profile(ctx)

    iam.assert_no_pending_responses()
    assert (check.status, check.evidence) == (
        Status.PASS,
        f"instance {INSTANCE_ID} -> profile prod-profile -> role prod-role",
    )


def test_a_profile_holding_another_role_or_none_fails_naming_what_it_holds() -> None:
    ctx, _ = _lab_instance({"Arn": PROFILE_ARN})
    stub(ctx, "iam").add_response(
        "get_instance_profile", _profile_reply("other-role"), {"InstanceProfileName": "prod-profile"}
    )
    empty, _ = _lab_instance({"Arn": PROFILE_ARN})
    stub(empty, "iam").add_response("get_instance_profile", _profile_reply(), {"InstanceProfileName": "prod-profile"})

    other, none = s3access.instance_profile(ctx), s3access.instance_profile(empty)

    assert (other.status, other.evidence) == (
        Status.FAIL,
        f"instance {INSTANCE_ID} -> profile prod-profile holds other-role, not prod-role",
    )
    assert (none.id, none.status, none.evidence) == (
        "s3.instance-profile",
        Status.FAIL,
        f"instance {INSTANCE_ID} -> profile prod-profile holds no role",
    )
    assert other.fix == "`pulumi up` restores the profile and its role"


def test_an_instance_without_a_profile_has_no_credentials() -> None:
    ctx, _ = _lab_instance(None)

    check = s3access.instance_profile(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"instance {INSTANCE_ID} carries no instance profile, so it has no credentials",
    )


def test_a_profile_that_does_not_exist_is_named_with_aws_code() -> None:
    ctx, _ = _lab_instance({"Arn": PROFILE_ARN})
    stub(ctx, "iam").add_client_error("get_instance_profile", service_error_code="NoSuchEntity", http_status_code=404)

    check = s3access.instance_profile(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"instance {INSTANCE_ID} names prod-profile, which does not exist: instance profile prod-profile: NoSuchEntity",
    )


def test_the_production_profile_is_read_from_the_groups_template_version_by_name() -> None:
    ctx = context({"asgName": "blue-asg", "roleName": "prod-role"})
    group_template(ctx, {"IamInstanceProfile": {"Name": "prod-profile"}})
    iam = stub(ctx, "iam")
    iam.add_response("get_instance_profile", _profile_reply("prod-role"), {"InstanceProfileName": "prod-profile"})

    check = s3access.instance_profile(ctx)

    assert (check.status, check.evidence) == (
        Status.PASS,
        "launch template lt-0123456789abcdef0 v3 -> profile prod-profile -> role prod-role",
    )


def test_without_an_instance_or_group_the_profile_check_skips() -> None:
    check = s3access.instance_profile(context({"roleName": "prod-role"}))

    assert (check.status, check.evidence) == (
        Status.SKIP,
        "needs the instance or launch template: the stack exports no asgName",
    )


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ({"Name": "by-name", "Arn": PROFILE_ARN}, "by-name"),
        ({"Arn": PROFILE_ARN}, "prod-profile"),
        ({"Arn": "no-slash"}, None),
        ({"Name": ""}, None),
        ({}, None),
    ],
)
def test_a_profile_is_named_by_its_name_else_the_last_part_of_its_arn(spec: dict[str, str], name: str | None) -> None:
    assert s3access.profile_name(spec) == name


def test_an_attached_policy_is_read_at_its_default_version() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    arn = "arn:aws:iam::123456789012:policy/app-read"
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    iam.add_client_error("simulate_principal_policy", "AccessDenied", "not authorized", 403)
    iam.add_response("list_role_policies", {"PolicyNames": [], "IsTruncated": False}, {"RoleName": "prod-role"})
    iam.add_response(
        "list_attached_role_policies",
        {"AttachedPolicies": [{"PolicyName": "app-read", "PolicyArn": arn}], "IsTruncated": False},
        {"RoleName": "prod-role"},
    )
    iam.add_response("get_policy", {"Policy": {"Arn": arn, "DefaultVersionId": "v3"}}, {"PolicyArn": arn})
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-bucket/*"}],
    }
    iam.add_response(
        "get_policy_version",
        {"PolicyVersion": {"Document": json.dumps(document), "VersionId": "v3", "IsDefaultVersion": True}},
        {"PolicyArn": arn, "VersionId": "v3"},
    )

    check = s3access.role_permissions(ctx)

    iam.assert_no_pending_responses()
    assert check.status is Status.PASS and f"attached {arn} Statement[0] allows s3:GetObject" in check.evidence


def _fallback(iam: Any, boundary: dict[str, Any] | None) -> None:
    """The simulator refused; one inline policy allows the read; the role may carry a permissions boundary."""
    reply = role()
    if boundary is not None:
        reply["Role"]["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/limit",
        }
    iam.add_response("get_role", reply, {"RoleName": "prod-role"})
    iam.add_client_error("simulate_principal_policy", "AccessDenied", "not authorized", 403)
    iam.add_response(
        "list_role_policies", {"PolicyNames": ["app-read"], "IsTruncated": False}, {"RoleName": "prod-role"}
    )
    allow = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-bucket/*"}
    iam.add_response(
        "get_role_policy",
        {"RoleName": "prod-role", "PolicyName": "app-read", "PolicyDocument": json.dumps({"Statement": [allow]})},
        {"RoleName": "prod-role", "PolicyName": "app-read"},
    )
    iam.add_response(
        "list_attached_role_policies", {"AttachedPolicies": [], "IsTruncated": False}, {"RoleName": "prod-role"}
    )
    if boundary is not None:
        arn = "arn:aws:iam::123456789012:policy/limit"
        iam.add_response("get_policy", {"Policy": {"Arn": arn, "DefaultVersionId": "v1"}}, {"PolicyArn": arn})
        iam.add_response(
            "get_policy_version",
            {"PolicyVersion": {"Document": json.dumps(boundary), "VersionId": "v1"}},
            {"PolicyArn": arn, "VersionId": "v1"},
        )


def test_a_permissions_boundary_that_does_not_allow_the_read_fails_it_by_name() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    _fallback(iam, {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]})

    check = s3access.role_permissions(ctx)

    iam.assert_no_pending_responses()
    assert check.status is Status.FAIL
    assert f"s3:GetObject on {OBJECT}: permissions boundary: no statement allows s3:GetObject on {OBJECT}" in (
        check.evidence
    )
    assert "local evaluation of 1 document(s) with the project's IAM parser" in check.evidence
    assert check.evidence.endswith("SCPs and the bucket policy not seen]")


def test_a_permissions_boundary_that_allows_the_read_leaves_the_roles_allow() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    _fallback(iam, {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})

    check = s3access.role_permissions(ctx)

    assert check.status is Status.PASS and "inline policy 'app-read' Statement[0] allows s3:GetObject" in check.evidence


def test_the_simulators_answer_lists_every_matched_statement_and_missing_context() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    result = simulate(
        "allowed",
        [
            {"SourcePolicyId": "app-read", "SourcePolicyType": "IAM Policy"},
            {"SourcePolicyId": "extra", "SourcePolicyType": "IAM Policy"},
        ],
    )
    result["EvaluationResults"][0]["MissingContextValues"] = ["aws:SourceIp", "aws:SecureTransport"]  # type: ignore[index]
    iam.add_response("simulate_principal_policy", result, expected_simulation())

    check = s3access.role_permissions(ctx)

    assert check.evidence == (
        f"s3:GetObject on {OBJECT}: allowed: matched app-read (IAM Policy), extra (IAM Policy); "
        "context not supplied: aws:SourceIp, aws:SecureTransport [method: IAM policy simulator]"
    )


def test_a_simulator_answer_without_a_decision_is_an_implicit_deny() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    iam.add_response(
        "simulate_principal_policy",
        {"EvaluationResults": []},
        {
            "PolicySourceArn": ROLE_ARN,
            "ActionNames": ["s3:GetObject"],
            "ResourceArns": ["arn:aws:s3:::app-bucket/doctor-example-object"],
        },
    )

    check = s3access.role_permissions(ctx)

    assert check.status is Status.FAIL
    assert "implicitDeny: no statement matched [method: IAM policy simulator]" in check.evidence
    assert check.fix.startswith("the program grants it from appBucket: `pulumi config set appBucket app-bucket` ")


def test_a_role_that_is_not_exported_or_does_not_exist_is_named() -> None:
    unnamed = s3access.role_trust(context({}))
    ctx = context(OUTPUTS)
    stub(ctx, "iam").add_client_error("get_role", service_error_code="NoSuchEntity", http_status_code=404)
    missing = s3access.role_trust(ctx)

    assert (unnamed.status, unnamed.evidence) == (Status.FAIL, "the stack exports no roleName")
    assert (missing.status, missing.evidence) == (Status.FAIL, "role prod-role: NoSuchEntity")


# --- s3.role-trust, s3.permissions' other answers, s3.imds ------------------------------------------------------

EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _role_with_trust(document: dict[str, Any]) -> s3access.Context:
    ctx = context(OUTPUTS)
    reply = role()
    reply["Role"]["AssumeRolePolicyDocument"] = json.dumps(document)
    stub(ctx, "iam").add_response("get_role", reply, {"RoleName": "prod-role"})
    return ctx


def test_a_role_trusting_ec2_passes_naming_the_service() -> None:
    check = s3access.role_trust(_role_with_trust(EC2_TRUST))

    assert (check.id, check.title, check.status, check.evidence) == (
        "s3.role-trust",
        "the role trusts ec2.amazonaws.com",
        Status.PASS,
        "role prod-role allows sts:AssumeRole to ec2.amazonaws.com",
    )


def test_a_role_trusting_another_service_fails_and_says_pulumi_up_restores_the_trust_policy() -> None:
    lambda_trust = json.loads(json.dumps(EC2_TRUST).replace("ec2.amazonaws.com", "lambda.amazonaws.com"))

    check = s3access.role_trust(_role_with_trust(lambda_trust))

    assert (check.id, check.status) == ("s3.role-trust", Status.FAIL)
    assert check.evidence == "role prod-role trust policy does not allow ec2.amazonaws.com to assume it"
    assert check.fix == "`pulumi up` restores the program's trust policy (ec2.amazonaws.com, sts:AssumeRole)"


def test_a_role_the_doctor_may_not_read_blames_the_doctors_policy_not_the_stack() -> None:
    # AccessDenied on GetRole is the doctor's own policy falling short: the role may well exist.
    ctx = context(OUTPUTS)
    stub(ctx, "iam").add_client_error("get_role", "AccessDenied", "no", 403)

    check = s3access.role_trust(ctx)

    assert check.evidence.startswith("an AWS call failed: AccessDenied") and "read-only policy" in check.fix
    assert "role prod-role" not in check.evidence


def test_a_missing_role_fails_the_trust_check_and_says_pulumi_up_restores_it() -> None:
    check = s3access.role_trust(context({}))

    assert (check.id, check.fix) == ("s3.role-trust", "`pulumi up` restores the role")


def test_the_permissions_check_is_skipped_when_the_role_is_missing() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    stub(ctx, "iam").add_client_error("get_role", "NoSuchEntity", "gone", 404)

    check = s3access.role_permissions(ctx)

    assert (check.id, check.status, check.evidence) == (
        "s3.permissions",
        Status.SKIP,
        "needs the role: role prod-role: NoSuchEntity",
    )
    assert check.title == "the role's permissions allow s3:GetObject on appBucket"


def test_no_app_bucket_is_said_to_grant_no_s3_read() -> None:
    check = s3access.role_permissions(context(OUTPUTS))

    assert (check.id, check.evidence) == ("s3.permissions", "no appBucket configured: the role is granted no S3 read")


def test_an_allowed_read_names_the_object_the_decision_and_the_method() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    matched = [{"SourcePolicyId": "app-read", "SourcePolicyType": "IAM Policy"}]
    iam.add_response("simulate_principal_policy", simulate("allowed", matched), expected_simulation())

    check = s3access.role_permissions(ctx)

    assert (check.status, check.fix) == (Status.PASS, "")
    assert check.evidence == (
        f"s3:GetObject on {OBJECT}: allowed: matched app-read (IAM Policy) [method: IAM policy simulator]"
    )


def test_a_denied_read_says_to_set_app_bucket_with_its_prefix_and_check_the_bucket_policy() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    iam.add_response("simulate_principal_policy", simulate("implicitDeny"), expected_simulation())

    check = s3access.role_permissions(ctx)

    assert (check.id, check.status) == ("s3.permissions", Status.FAIL)
    assert check.evidence == (
        f"s3:GetObject on {OBJECT}: implicitDeny: no statement matched [method: IAM policy simulator]"
    )
    assert check.fix == (
        "the program grants it from appBucket: `pulumi config set appBucket app-bucket/app` and `pulumi up`; "
        "then check the bucket policy"
    )


def test_a_simulator_decision_the_doctor_does_not_know_is_an_implicit_deny_quoted_as_aws_gave_it() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    iam.add_response("simulate_principal_policy", simulate("someNewDecision"), expected_simulation())

    check = s3access.role_permissions(ctx)

    assert check.status is Status.FAIL
    assert check.evidence.startswith(f"s3:GetObject on {OBJECT}: someNewDecision: no statement matched")


def test_an_allow_under_a_condition_the_parser_cannot_resolve_warns_to_confirm_the_condition() -> None:
    ctx = context(OUTPUTS, appBucket="app-bucket/app")
    iam = stub(ctx, "iam")
    iam.add_response("get_role", role(), {"RoleName": "prod-role"})
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::app-bucket/app/*",
                "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            }
        ],
    }
    _simulator_denied_and_one_inline_policy(iam, document)

    check = s3access.role_permissions(ctx)

    assert (check.id, check.title, check.status, check.fix) == (
        "s3.permissions",
        "the role's permissions allow s3:GetObject on appBucket",
        Status.WARN,
        "confirm the Condition holds for the instance's requests",
    )
    assert check.evidence.endswith(
        "[method: local evaluation of 1 document(s) with the project's IAM parser, IAM policy simulator unavailable "
        "(AccessDenied); SCPs and the bucket policy not seen]"
    )


def _imds(options: dict[str, Any] | None) -> s3access.Context:
    ctx = context({"instanceId": INSTANCE_ID, "roleName": "prod-role"})
    instance: dict[str, Any] = {"InstanceId": INSTANCE_ID}
    if options is not None:
        instance["MetadataOptions"] = options
    stub(ctx, "ec2").add_response(
        "describe_instances", {"Reservations": [{"Instances": [instance]}]}, {"InstanceIds": [INSTANCE_ID]}
    )
    return ctx


IMDS_FIX = "`pulumi up` restores the program's metadata options (tokens required, hop limit 1)"
REQUIRED = {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1}


def test_the_imds_check_is_skipped_without_an_instance_or_group() -> None:
    check = s3access.imds(context({"roleName": "prod-role"}))

    assert (check.id, check.title, check.status, check.evidence) == (
        "s3.imds",
        "IMDSv2 is required with hop limit 1",
        Status.SKIP,
        "needs the instance or launch template: the stack exports no asgName",
    )


def test_a_disabled_metadata_endpoint_fails_as_the_instance_gets_no_credentials() -> None:
    check = s3access.imds(_imds({**REQUIRED, "HttpEndpoint": "disabled"}))

    assert (check.id, check.status, check.fix) == ("s3.imds", Status.FAIL, IMDS_FIX)
    assert check.title == "IMDSv2 is required with hop limit 1"
    assert check.evidence == (
        f"instance {INSTANCE_ID}: endpoint disabled, tokens required, hop limit 1: "
        "the instance cannot fetch role credentials"
    )


def test_optional_tokens_fail_as_imdsv1_is_open() -> None:
    check = s3access.imds(_imds({**REQUIRED, "HttpTokens": "optional"}))

    assert (check.status, check.fix) == (Status.FAIL, IMDS_FIX)
    assert check.evidence == (
        f"instance {INSTANCE_ID}: endpoint enabled, tokens optional, hop limit 1: "
        "IMDSv1 is open (credential theft by SSRF)"
    )


def test_no_metadata_options_read_as_aws_defaults_and_fail_as_imdsv1_is_open() -> None:
    check = s3access.imds(_imds(None))

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"instance {INSTANCE_ID}: endpoint enabled, tokens optional, hop limit 1: "
        "IMDSv1 is open (credential theft by SSRF)",
    )


def test_a_hop_limit_of_two_warns_that_containers_reach_the_credentials() -> None:
    check = s3access.imds(_imds({**REQUIRED, "HttpPutResponseHopLimit": 2}))

    assert (check.status, check.fix) == (Status.WARN, IMDS_FIX)
    assert check.evidence == (
        f"instance {INSTANCE_ID}: endpoint enabled, tokens required, hop limit 2: "
        "containers on the host can reach the role's credentials"
    )


def test_required_tokens_at_hop_limit_one_pass_noting_containers_get_no_credentials() -> None:
    check = s3access.imds(_imds(REQUIRED))

    assert (check.id, check.status, check.fix) == ("s3.imds", Status.PASS, "")
    assert check.evidence == (
        f"instance {INSTANCE_ID}: endpoint enabled, tokens required, hop limit 1; "
        "note: containers on the host (bridge network) get no credentials at hop limit 1"
    )


def test_the_production_metadata_options_are_read_from_the_groups_template_version() -> None:
    ctx = context(OUTPUTS)
    group_template(ctx, {"MetadataOptions": REQUIRED})

    check = s3access.imds(ctx)

    assert check.status is Status.PASS
    assert check.evidence.startswith("launch template lt-0123456789abcdef0 v3: endpoint enabled, tokens required")


def test_a_template_version_without_launch_data_reads_as_aws_defaults() -> None:
    # LaunchTemplateData is optional in DescribeLaunchTemplateVersions' reply: none means no metadata options set,
    # so AWS's defaults (IMDSv1 open) apply, and the check says so instead of raising.
    ctx = context(OUTPUTS)
    group_template(ctx, None)

    check = s3access.imds(ctx)

    assert (check.status, check.fix) == (Status.FAIL, IMDS_FIX)
    assert check.evidence.startswith("launch template lt-0123456789abcdef0 v3: endpoint enabled, tokens optional")

"""s3.permissions through IAM's policy simulator (botocore Stubber: moto 5.2.5 has no SimulatePrincipalPolicy),
and its fallback to the project's IAM parser when the simulator is refused."""

from __future__ import annotations

import json

from ops.checks import s3access
from ops.report import Status
from tests.ops.stubbed import ROLE_ARN, context, role, stub

OUTPUTS = {"roleName": "prod-role", "asgName": "blue-asg"}
OBJECT = "arn:aws:s3:::app-bucket/app/doctor-example-object"


def simulate(decision: str, matched: list[dict[str, object]] | None = None) -> dict[str, object]:
    result: dict[str, object] = {"EvalActionName": "s3:GetObject", "EvalResourceName": OBJECT, "EvalDecision": decision}
    if matched is not None:
        result["MatchedStatements"] = matched
    return {"EvaluationResults": [result]}


def expected_simulation() -> dict[str, object]:
    return {"PolicySourceArn": ROLE_ARN, "ActionNames": ["s3:GetObject"], "ResourceArns": [OBJECT]}


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
    iam.add_client_error("simulate_principal_policy", "AccessDenied", "not authorized", 403)
    iam.add_response(
        "list_role_policies", {"PolicyNames": ["app-read"], "IsTruncated": False}, {"RoleName": "prod-role"}
    )
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-bucket/app/*"}],
    }
    iam.add_response(
        "get_role_policy",
        {"RoleName": "prod-role", "PolicyName": "app-read", "PolicyDocument": json.dumps(document)},
        {"RoleName": "prod-role", "PolicyName": "app-read"},
    )
    iam.add_response(
        "list_attached_role_policies", {"AttachedPolicies": [], "IsTruncated": False}, {"RoleName": "prod-role"}
    )
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

"""s3.permissions through IAM's policy simulator (botocore Stubber: moto 5.2.5 has no SimulatePrincipalPolicy),
and its fallback to the project's IAM parser when the simulator is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops.checks import s3access
from ops.report import Status
from tests.ops.stubbed import NOW, ROLE_ARN, context, group, role, stub

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
    assert (none.status, none.evidence) == (
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
    asg, ec2, iam = stub(ctx, "autoscaling"), stub(ctx, "ec2"), stub(ctx, "iam")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_response(
        "describe_launch_template_versions",
        {
            "LaunchTemplateVersions": [
                {
                    "LaunchTemplateId": "lt-0123456789abcdef0",
                    "VersionNumber": 3,
                    "LaunchTemplateData": {"IamInstanceProfile": {"Name": "prod-profile"}},
                }
            ]
        },
        {"LaunchTemplateId": "lt-0123456789abcdef0", "Versions": ["3"]},
    )
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

"""Red team: trust, permission and attachment inputs nobody tried, run as the SDK wraps them.

Each test states what a demanding security reviewer expects (issue 4). The gaps these tests found
(an unknown-service wildcard on a scoped resource, an empty policyArn) are fixed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from guardrails.identity.attachments import instance_role_attachments
from guardrails.identity.managed import managed_policy_allowlist
from guardrails.identity.permissions import least_privilege
from guardrails.identity.trust import instance_profile_role_trust, instance_role_trust, no_wildcard_trust
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, StackResource, resource_violations, secret, stack_violations
from tests.policies.identity_docs import EC2_TRUST, allow, doc, role

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SCOPED = "arn:aws:s3:::app-bucket/*"


def trust_doc(principal: Any, action: Any = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action, **extra}],
    }


def any_trust_violation(document: Any) -> list[str]:
    props = role(document)
    return resource_violations(no_wildcard_trust, ROLE, props) + resource_violations(instance_role_trust, ROLE, props)


def perms(document: Any, type_: str = POLICY) -> list[str]:
    return resource_violations(least_privilege, type_, {"policy": document})


# --- trust ---------------------------------------------------------------------------------------------

WILDCARD_PRINCIPALS = [
    "*",
    " * ",
    {"AWS": "*"},
    {"AWS": ["arn:aws:iam::123456789012:root", "*"]},
    {"aws": "*"},
    {"AWS ": "*"},
    {"Aws": ["*"]},
    {"AWS": "arn:aws:iam::*:root"},
    {"AWS": "arn:aws:iam::12345678901?:root"},
    {"Service": "*.amazonaws.com"},
    {"Service": "*"},
    {"Federated": "*"},
    {"CanonicalUser": "*"},
    {"Service": "ec2.amazonaws.com", "AWS": "*"},
]


@pytest.mark.parametrize("principal", WILDCARD_PRINCIPALS, ids=repr)
@pytest.mark.parametrize("encoding", ["json", "object", "secret-json"])
def test_wildcard_principal_in_any_form_violates(principal: Any, encoding: str) -> None:
    document: Any = trust_doc(principal)
    if encoding == "json":
        document = json.dumps(document)
    elif encoding == "secret-json":
        document = secret(json.dumps(document))
    assert resource_violations(no_wildcard_trust, ROLE, role(document))


def test_not_principal_with_allow_violates() -> None:
    document = {
        "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"}]
    }
    assert resource_violations(no_wildcard_trust, ROLE, role(json.dumps(document)))


@pytest.mark.parametrize(
    ("principal", "action"),
    [
        ({"Service": "ec2.amazonaws.com"}, ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]),
        ({"Service": "ec2.amazonaws.com"}, "sts:*"),
        ({"Service": "ec2.amazonaws.com"}, "*"),
        ({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole*"),
        ({"Service": "ec2.amazonaws.com"}, "sts:Assume?ole*"),
        ({"Service": "ec2.amazonaws.com"}, ["sts:AssumeRole", "sts:TagSession"]),
        ({"Service": "ec2.amazonaws.com"}, "sts:SetSourceIdentity"),
        ({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}, "sts:AssumeRole"),
        ({"Service": "ec2.amazonaws.com", "AWS": "arn:aws:iam::123456789012:root"}, "sts:AssumeRole"),
        ({"Service": "ec2.amazonaws.com", "Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRole"),
        ({"SERVICE": "EC2.AMAZONAWS.COM", "aws": "123456789012"}, "sts:AssumeRole"),
    ],
    ids=repr,
)
def test_instance_role_trusts_only_ec2_with_assume_role(principal: Any, action: Any) -> None:
    assert resource_violations(instance_role_trust, ROLE, role(json.dumps(trust_doc(principal, action))))


@pytest.mark.parametrize("action", ["sts:AssumeRole", "STS:ASSUMEROLE", ["sts:assumerole"], " sts:AssumeRole "])
def test_instance_role_assume_role_in_any_case_passes(action: Any) -> None:
    document = json.dumps(trust_doc({"Service": "ec2.amazonaws.com"}, action))
    assert any_trust_violation(document) == []


def test_second_statement_trusting_another_account_is_caught() -> None:
    document = dict(EC2_TRUST)
    document["Statement"] = [
        *EC2_TRUST["Statement"],
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"},
    ]
    assert resource_violations(instance_role_trust, ROLE, role(json.dumps(document)))


@pytest.mark.parametrize(
    "document",
    [
        "",
        "   ",
        "null",
        "[]",
        "\ufeff" + json.dumps(EC2_TRUST) + "x",
        json.dumps(json.dumps(trust_doc("*"))),  # double-encoded: a JSON string holding JSON
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}], "Statement": []}',
        '{"Version": "2012-10-17"}',
        '{"Statement": "*"}',
        '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"',
        [trust_doc("*")],
        42,
    ],
    ids=repr,
)
def test_unreadable_trust_policy_fails_closed_without_raising(document: Any) -> None:
    assert resource_violations(no_wildcard_trust, ROLE, role(document))


def test_trust_json_with_leading_whitespace_is_read() -> None:
    assert resource_violations(no_wildcard_trust, ROLE, role("\n  " + json.dumps(trust_doc("*"))))


def test_trust_statement_as_object_is_read() -> None:
    document = {"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}}
    assert resource_violations(no_wildcard_trust, ROLE, role(json.dumps(document)))


def test_unknown_trust_policy_goes_to_the_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(no_wildcard_trust, ROLE, role(UNKNOWN))


def test_unknown_description_on_role_does_not_stop_trust_check() -> None:
    props = role(json.dumps(trust_doc("*")), description=UNKNOWN, tags={"x": UNKNOWN})
    assert resource_violations(no_wildcard_trust, ROLE, props)


def test_instance_profile_role_not_trusting_ec2_but_trusting_lambda_is_caught() -> None:
    lambda_trust = json.dumps(trust_doc({"Service": "lambda.amazonaws.com"}))
    role_res = StackResource(
        ROLE, "app", {"name": "app-role", "arn": "arn:aws:iam::1:role/app-role", "assumeRolePolicy": lambda_trust}
    )
    profile = StackResource(
        "aws:iam/instanceProfile:InstanceProfile",
        "prof",
        {"role": UNKNOWN},
        property_dependencies={"role": [role_res.urn]},
    )
    found = stack_violations(instance_profile_role_trust, [role_res, profile])
    assert found and found[0][1] == role_res.urn


# --- permissions ---------------------------------------------------------------------------------------

BAD = [
    allow("*", SCOPED),
    allow("*:*", SCOPED),
    allow("iam:*", SCOPED),
    allow("IAM:PASSROLE"),
    allow("iam:Pass*"),
    allow("iam:P*", "arn:aws:iam::123456789012:role/app"),
    allow("s3:*Object", SCOPED),
    allow("s3:Put*", SCOPED),
    allow("s3:*", "arn:aws:s3:::app-bucket"),
    allow(["ec2:RunInstances", "iam:PassRole"]),
    allow("iam:PassRole", "arn:aws:iam::*:role/*"),
    allow("iam:PassRole", "arn:aws:iam::123456789012:role/*"),
    allow("iam:PassRole", "arn:aws:iam::123456789012:*"),
    allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
    allow("sts:AssumeRole", "arn:aws:iam::*:role/*"),
    allow("s3:GetObject", "arn:aws:s3:::*"),
    allow("s3:GetObject", "arn:aws:s3:::*/*"),
    allow("s3:GetObject", "arn:*:s3:::*"),
    allow("s3:GetObject", "arn:aws:s3:::*/*/*"),
    allow("s3:GetObject", "*:*"),
    allow("s3:GetObject", ["arn:aws:s3:::app-bucket/*", " * "]),
    allow("iam:CreatePolicyVersion", "arn:aws:iam::123456789012:policy/*"),
    allow("iam:AttachRolePolicy", "arn:aws:iam::*:role/*"),
    allow("*:Put*", SCOPED),
    allow("ec2:*Instance*", SCOPED),
    {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": SCOPED},
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:GetObject"},
    {"Effect": "allow", "Action": "*", "Resource": "*"},
    {"Effect": "ALLOW", "Action": "*", "Resource": "*"},
]


@pytest.mark.parametrize("statement", BAD, ids=repr)
@pytest.mark.parametrize("encoding", ["json", "object", "statement-object", "secret"])
def test_broad_or_escalating_statements_violate_in_any_encoding(statement: dict[str, Any], encoding: str) -> None:
    document: Any = {"Version": "2012-10-17", "Statement": [statement]}
    if encoding == "json":
        document = json.dumps(document)
    elif encoding == "statement-object":
        document = json.dumps({"Statement": statement})
    elif encoding == "secret":
        document = secret(json.dumps(document))
    assert perms(document), statement


@pytest.mark.parametrize("statement", BAD[:12], ids=repr)
def test_bad_statement_hidden_after_a_good_one_in_a_role_inline_policy(statement: dict[str, Any]) -> None:
    document = doc(allow("s3:GetObject", SCOPED), statement)
    props = role(
        inlinePolicies=[
            {"name": "ok", "policy": doc(allow("s3:GetObject", SCOPED))},
            {"name": "bad", "policy": document},
        ]
    )
    messages = resource_violations(least_privilege, ROLE, props)
    assert messages and all("'bad'" in m for m in messages)


def test_inline_policy_as_object_on_role_is_read() -> None:
    props = role(inlinePolicies=[{"name": "x", "policy": {"Statement": [allow("*")]}}])
    assert resource_violations(least_privilege, ROLE, props)


def test_inline_policies_as_single_object_is_read() -> None:
    props = role(inlinePolicies={"name": "x", "policy": doc(allow("*"))})
    assert resource_violations(least_privilege, ROLE, props)


@pytest.mark.parametrize(
    "document",
    [
        "",
        "null",
        "[]",
        '"{}"',
        json.dumps(json.dumps(doc(allow("*")))),
        "\ufeff" + doc(allow("s3:GetObject", SCOPED)),
        '{"Statement": []',
        '{"statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
        '{"Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}',
        '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Action": "*", "Resource": "*"}]}',
        '{"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}',
        '{"Statement": [{"Effect": "Allow", "Action": [null], "Resource": "*"}]}',
        '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": 5}]}',
        None,
        7,
        [doc(allow("*"))],
    ],
    ids=repr,
)
def test_unreadable_permissions_document_fails_closed_without_raising(document: Any) -> None:
    assert perms(document)


def test_empty_statement_list_grants_nothing() -> None:
    assert perms(json.dumps({"Version": "2012-10-17", "Statement": []})) == []


@pytest.mark.parametrize(
    "statement",
    [
        allow("s3:GetObject", SCOPED),
        allow("S3:GETOBJECT", SCOPED),
        allow("s3:Get*", SCOPED),
        allow("s3:ListAllMyBuckets"),
        allow("ec2:DescribeInstances"),
        allow("cloudwatch:PutMetricData"),
        allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-role"),
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "s3:GetObject", "NotResource": SCOPED},
    ],
    ids=repr,
)
def test_narrow_statements_pass(statement: dict[str, Any]) -> None:
    assert perms(doc(statement)) == []


def test_unknown_policy_document_goes_to_the_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        perms(UNKNOWN)


def test_unknown_inside_one_statement_goes_to_the_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        perms({"Statement": [allow("s3:GetObject", UNKNOWN)]})


def test_unknown_description_on_policy_does_not_stop_the_check() -> None:
    messages = resource_violations(least_privilege, POLICY, {"policy": doc(allow("*")), "description": UNKNOWN})
    assert messages


def test_wildcard_pattern_unknown_to_the_database_fails_closed_on_scoped_resource() -> None:
    assert perms(doc(allow("brandnewservice:Delete*", "arn:aws:brandnewservice:us-east-1:123456789012:thing/x")))


# --- AWS-managed policies -------------------------------------------------------------------------------

BAD_MANAGED = [
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
    "arn:aws-cn:iam::aws:policy/AdministratorAccess",
    "arn:aws-iso:iam::aws:policy/AdministratorAccess",
    "arn:aws-iso-b:iam::aws:policy/AdministratorAccess",
    "ARN:AWS:IAM::AWS:POLICY/ADMINISTRATORACCESS",
    " arn:aws:iam::aws:policy/AdministratorAccess ",
    "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM",
    "arn:aws:iam::aws:policy/AmazonSSMFullAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    "arn:aws:iam::aws:policy//AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/service-role/AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore/../AdministratorAccess",
]


@pytest.mark.parametrize("arn", BAD_MANAGED, ids=repr)
def test_managed_policies_outside_the_allowlist_violate_everywhere(arn: str) -> None:
    cases = [
        (ROLE, {**role(), "managedPolicyArns": [arn]}),
        (ROLE, {**role(), "managedPolicyArns": [secret(arn)]}),
        (ROLE, {**role(), "managedPolicyArns": secret([arn])}),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "r", "policyArn": arn}),
        ("aws:iam/policyAttachment:PolicyAttachment", {"roles": ["r"], "policyArn": arn, "name": "a"}),
        (
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            {"roleName": "r", "policyArns": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", arn]},
        ),
    ]
    for type_, props in cases:
        assert resource_violations(managed_policy_allowlist, type_, props), (type_, arn)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws-us-gov:iam::aws:policy/CloudWatchAgentServerPolicy",
    ],
)
def test_allowlisted_managed_policies_pass_in_every_partition(arn: str) -> None:
    assert resource_violations(managed_policy_allowlist, ROLE, {**role(), "managedPolicyArns": [arn]}) == []


@pytest.mark.parametrize("value", [None, 5, [None], [5], [{"arn": "x"}]], ids=repr)
def test_unreadable_attachment_arn_fails_closed_without_raising(value: Any) -> None:
    props = {"role": "r"} if value is None else {"role": "r", "policyArn": value}
    assert resource_violations(managed_policy_allowlist, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props)


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_attachment_arn_fails_closed(value: str) -> None:
    props = {"role": "r", "policyArn": value}
    assert resource_violations(managed_policy_allowlist, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props)


def test_unknown_managed_arn_goes_to_the_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(managed_policy_allowlist, ROLE, {**role(), "managedPolicyArns": [UNKNOWN]})


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam:us-east-1:aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess\u200b",
    ],
    ids=repr,
)
def test_malformed_aws_managed_arn_on_an_instance_role_is_not_silently_accepted(arn: str) -> None:
    """An ARN that is not quite AWS-managed is then a customer ARN outside the stack: the stack rule fails it."""
    role_res = StackResource(ROLE, "app", {**role(), "name": "app", "managedPolicyArns": [arn]})
    found = stack_violations(instance_role_attachments, [role_res])
    found_resource = resource_violations(managed_policy_allowlist, ROLE, role_res.props)
    assert found or found_resource


def test_in_stack_customer_policy_attached_to_instance_role_is_checked() -> None:
    pol = StackResource(
        POLICY, "broad", {"arn": "arn:aws:iam::123456789012:policy/broad", "policy": doc(allow("s3:*"))}
    )
    role_res = StackResource(ROLE, "app", {**role(), "name": "app"})
    attach = StackResource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "attach",
        {"role": UNKNOWN, "policyArn": UNKNOWN},
        property_dependencies={"role": [role_res.urn], "policyArn": [pol.urn]},
    )
    found = stack_violations(instance_role_attachments, [pol, role_res, attach])
    assert found and found[0][1] == attach.urn


def test_external_customer_policy_on_instance_role_fails_closed() -> None:
    role_res = StackResource(ROLE, "app", {**role(), "name": "app"})
    attach = StackResource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "attach",
        {"role": "app", "policyArn": "arn:aws:iam::123456789012:policy/elsewhere"},
        property_dependencies={"role": [role_res.urn]},
    )
    assert stack_violations(instance_role_attachments, [role_res, attach])

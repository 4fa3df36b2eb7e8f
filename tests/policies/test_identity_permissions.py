"""iam-least-privilege-permissions on every resource type that carries a permissions document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from guardrails.identity.permissions import least_privilege
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, resource_violations, secret
from tests.policies.identity_docs import allow, doc, role

SCOPED = "arn:aws:s3:::app-bucket/*"

BAD_STATEMENTS = [
    pytest.param(allow("*"), "every action", id="star-action"),
    pytest.param(allow("s3:*", SCOPED), "every action of the service", id="service-star"),
    pytest.param(allow("S3:*", SCOPED), "every action", id="service-star-upper"),
    pytest.param(allow(["s3:GetObject", "*"], SCOPED), "'*'", id="star-hidden-in-list"),
    pytest.param(allow(["s3:GetObject", "iam:*"], SCOPED), "'iam:*'", id="iam-star-hidden-in-list"),
    pytest.param(allow("iam:Put*", SCOPED), "write or permissions-management", id="put-wildcard"),
    pytest.param(allow("ec2:*Instance*", SCOPED), "write or permissions-management", id="infix-wildcard"),
    pytest.param(allow("iam:*Policy*", "arn:aws:iam::1:policy/x"), "write or permissions", id="policy-wildcard"),
    pytest.param(allow("s3:Get*"), "resource-level", id="read-wildcard-on-star"),
    pytest.param(allow("s3:GetObject", "arn:aws:s3:::*"), "resource-level", id="bucket-star"),
    pytest.param(allow("s3:GetObject", "arn:aws:s3:::*/*"), "resource-level", id="object-star"),
    pytest.param(allow("s3:GetObject", ["arn:aws:s3:::app/*", "*"]), "resource-level", id="star-beside-scoped"),
    pytest.param(allow("iam:PassRole"), "privilege escalation", id="passrole"),
    pytest.param(allow("IAM:PassRole"), "privilege escalation", id="passrole-upper"),
    pytest.param(allow("iam:Pas?Role"), "expands to write or permissions", id="passrole-question-mark"),
    pytest.param(allow("iam:PassRole", "arn:aws:iam::*:role/*"), "privilege escalation", id="passrole-any-role"),
    pytest.param(
        allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
        "Condition does not make this safe",
        id="passrole-with-condition",
    ),
    pytest.param(allow("iam:CreateRole"), "privilege escalation", id="create-role"),
    pytest.param(allow("iam:AttachRolePolicy"), "privilege escalation", id="attach-role-policy"),
    pytest.param(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/*"), "privilege escalation", id="access-key"),
    pytest.param(allow("sts:AssumeRole"), "privilege escalation", id="assume-any-role"),
    pytest.param(allow("ec2:RunInstances"), "privilege escalation", id="run-instances"),
    pytest.param(allow("s3:PutAccountPublicAccessBlock"), "privilege escalation", id="wildcard-only-perm-mgmt"),
    pytest.param({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "NotAction", id="not-action"),
    pytest.param({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": SCOPED}, "NotResource", id="not-res"),
    pytest.param({"Effect": "Allow", "Action": "s3:GetObject"}, "no Resource", id="no-resource"),
    pytest.param(allow("madeup:DoThing"), "not in the IAM action database", id="unknown-action-on-star"),
]


@pytest.mark.parametrize(("statement", "fragment"), BAD_STATEMENTS)
def test_policy_resource_with_a_bad_statement_is_a_violation(statement: dict[str, Any], fragment: str) -> None:
    messages = resource_violations(least_privilege, "aws:iam/policy:Policy", {"policy": doc(statement)})
    assert any(fragment in m for m in messages), messages
    assert all(m.startswith("Policy 'subject' policy: Statement[0]") for m in messages)


GOOD_STATEMENTS = [
    pytest.param(allow(["s3:GetObject", "s3:PutObject"], SCOPED), id="scoped-object-rw"),
    pytest.param(allow("s3:Get*", SCOPED), id="read-wildcard-scoped"),
    pytest.param(allow(["cloudwatch:PutMetricData", "ec2:DescribeTags", "s3:ListAllMyBuckets"]), id="wildcard-only"),
    pytest.param(allow("ec2:DescribeInstances"), id="describe-on-star"),
    pytest.param(allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-instance"), id="passrole-named-role"),
    pytest.param(allow("ssm:GetParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/app/*"), id="ssm-path"),
    pytest.param({"Effect": "Deny", "Action": "*", "Resource": "*"}, id="deny-star"),
    pytest.param({"Effect": "Deny", "NotAction": "s3:GetObject", "NotResource": SCOPED}, id="deny-not"),
]


@pytest.mark.parametrize("statement", GOOD_STATEMENTS)
def test_least_privilege_statement_passes(statement: dict[str, Any]) -> None:
    assert resource_violations(least_privilege, "aws:iam/policy:Policy", {"policy": doc(statement)}) == []


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        pytest.param("aws:iam/policy:Policy", {"policy": doc(allow("*"))}, id="policy"),
        pytest.param("aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": doc(allow("*"))}, id="role-policy"),
        pytest.param("aws:iam/userPolicy:UserPolicy", {"policy": doc(allow("*"))}, id="user-policy"),
        pytest.param("aws:iam/groupPolicy:GroupPolicy", {"policy": doc(allow("*"))}, id="group-policy"),
        pytest.param(
            "aws:iam/role:Role",
            role(
                inlinePolicies=[
                    {"name": "ok", "policy": doc(allow("s3:GetObject", SCOPED))},
                    {"name": "admin", "policy": doc(allow("*"))},
                ]
            ),
            id="role-inline",
        ),
    ],
)
def test_every_document_carrier_is_checked(resource_type: str, props: dict[str, Any]) -> None:
    (message,) = resource_violations(least_privilege, resource_type, props)
    assert "allows '*'" in message


@pytest.mark.parametrize(
    "resource_type",
    ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy"],
)
def test_clean_document_passes_on_every_carrier(resource_type: str) -> None:
    assert resource_violations(least_privilege, resource_type, {"policy": doc(allow("s3:GetObject", SCOPED))}) == []


def test_role_inline_message_names_the_inline_policy_and_sid() -> None:
    props = role(inlinePolicies=[{"name": "admin", "policy": doc(allow("s3:*", SCOPED, Sid="Admin"))}])
    (message,) = resource_violations(least_privilege, "aws:iam/role:Role", props)
    assert message.startswith("Role 'subject' inline policy 'admin': Statement[0] (Sid 'Admin') allows 's3:*'")


def test_role_without_inline_policies_or_with_empty_entry_passes() -> None:
    assert resource_violations(least_privilege, "aws:iam/role:Role", role()) == []
    assert resource_violations(least_privilege, "aws:iam/role:Role", role(inlinePolicies=[{}])) == []


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, id="object-single-statement"),
        pytest.param(secret(doc(allow("*"))), id="secret-envelope-text"),
        pytest.param(secret({"Statement": [allow("*")]}), id="secret-envelope-object"),
        pytest.param(json.dumps({"Statement": allow("*")}), id="json-single-statement"),
    ],
)
def test_document_shapes_the_engine_sends(policy: object) -> None:
    (message,) = resource_violations(least_privilege, "aws:iam/policy:Policy", {"policy": policy})
    assert "allows '*'" in message


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(doc(allow("s3:GetObject", SCOPED)) + "garbage", id="trailing-garbage"),
        pytest.param({"Statement": [{"Action": "*", "Resource": "*"}]}, id="no-effect"),
        pytest.param({"Version": "2012-10-17"}, id="no-statement"),
        pytest.param(17.0, id="number"),
        pytest.param(None, id="missing"),
    ],
)
def test_unparseable_document_fails_closed(policy: object) -> None:
    props = {} if policy is None else {"policy": policy}
    (message,) = resource_violations(least_privilege, "aws:iam/rolePolicy:RolePolicy", props)
    assert "cannot be parsed" in message


def test_secret_values_are_not_echoed_beyond_the_offending_action() -> None:
    policy = secret(doc(allow("*", Condition={"StringEquals": {"aws:SourceIp": "s3cr3t-value"}})))
    (message,) = resource_violations(least_privilege, "aws:iam/policy:Policy", {"policy": policy})
    assert "s3cr3t" not in message


def test_unknown_document_reaches_the_sdk_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(least_privilege, "aws:iam/policy:Policy", {"policy": UNKNOWN})


def test_unknown_inside_an_object_document_reaches_the_sdk_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(
            least_privilege,
            "aws:iam/policy:Policy",
            {"policy": {"Statement": [allow("s3:GetObject", UNKNOWN)]}},
        )


def test_config_tunes_wildcard_access_levels_and_tolerates_bad_values() -> None:
    props = {"policy": doc(allow("s3:PutObject*", SCOPED))}
    assert resource_violations(least_privilege, "aws:iam/policy:Policy", props)
    assert resource_violations(least_privilege, "aws:iam/policy:Policy", props, {"forbiddenWildcardAccessLevels": 3})
    relaxed: dict[str, Any] = {"forbiddenWildcardAccessLevels": []}
    assert resource_violations(least_privilege, "aws:iam/policy:Policy", props, relaxed) == []


def test_non_iam_resources_are_ignored() -> None:
    assert resource_violations(least_privilege, "aws:s3/bucketPolicy:BucketPolicy", {"policy": doc(allow("*"))}) == []


def test_allow_star_inline_policy_after_one_without_a_document_is_reported() -> None:
    props = role(
        inlinePolicies=[{"name": "placeholder"}, {"name": "admin", "policy": doc(allow("*"))}],
    )
    (message,) = resource_violations(least_privilege, "aws:iam/role:Role", props)
    assert message == "Role 'subject' inline policy 'admin': Statement[0] allows '*': every action of every service."


# --- every finding, word for word ------------------------------------------------------------------

WRITES = "a wildcard that expands to write or permissions-management actions"
RESOURCE_LEVEL = "but it supports resource-level permissions"


@pytest.mark.parametrize(
    ("statement", "messages"),
    [
        pytest.param(allow("*"), ["allows '*': every action of every service"], id="star"),
        pytest.param(allow("s3:*", SCOPED), ["allows 's3:*': every action of the service"], id="service-star"),
        pytest.param(
            allow("iam:Put*Policy", SCOPED),
            [f"allows 'iam:Put*Policy', {WRITES} (iam:PutGroupPolicy, iam:PutRolePolicy, iam:PutUserPolicy)"],
            id="three-examples",
        ),
        pytest.param(
            allow("iam:Delete*Policy", SCOPED),
            [
                f"allows 'iam:Delete*Policy', {WRITES} "
                "(iam:DeleteAccountPasswordPolicy, iam:DeleteGroupPolicy, iam:DeletePolicy and 2 more)"
            ],
            id="more-than-three-examples",
        ),
        pytest.param(
            allow("madeup:Do*", SCOPED),
            [
                "allows 'madeup:Do*', a wildcard matching no action in the IAM action database: "
                "its reach cannot be proven"
            ],
            id="wildcard-matching-nothing",
        ),
        pytest.param(
            allow("iam:PassRole"),
            ["allows 'iam:PassRole' on wildcard resource '*': privilege escalation (iam:PassRole)"],
            id="escalation",
        ),
        pytest.param(
            allow("IAM:passrole"),
            ["allows 'IAM:passrole' on wildcard resource '*': privilege escalation (iam:PassRole)"],
            id="escalation-shows-the-database-name",
        ),
        pytest.param(
            allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
            [
                "allows 'iam:PassRole' on wildcard resource '*': privilege escalation (iam:PassRole)"
                " (a Condition does not make this safe)"
            ],
            id="escalation-with-condition",
        ),
        pytest.param(
            allow("madeup:DoThing"),
            [
                "allows 'madeup:DoThing' on wildcard resource '*', but it is not in the IAM action database, "
                "so its scope cannot be proven"
            ],
            id="unknown-action",
        ),
        pytest.param(
            allow("s3:GetObject", "arn:aws:s3:::*"),
            [
                f"allows 's3:GetObject' on wildcard resource 'arn:aws:s3:::*', {RESOURCE_LEVEL} (s3:GetObject): "
                "scope Resource to ARNs"
            ],
            id="resource-level",
        ),
        pytest.param(
            {"Effect": "Allow", "NotAction": "iam:*"},
            [
                "uses NotAction with Allow, which allows every action not listed",
                "has no Resource; an identity policy statement must name its resources",
            ],
            id="not-action-no-resource",
        ),
        pytest.param(
            {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": SCOPED},
            [
                "uses NotResource with Allow, which allows every resource not listed",
                "allows 'iam:PassRole' on wildcard resource '*': privilege escalation (iam:PassRole)",
            ],
            id="not-resource-is-every-resource",
        ),
        pytest.param(
            {"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": [SCOPED, "*"]},
            [
                f"allows 's3:GetObject' on wildcard resource '*', {RESOURCE_LEVEL} (s3:GetObject): "
                "scope Resource to ARNs",
                "allows 'iam:PassRole' on wildcard resource '*': privilege escalation (iam:PassRole)",
            ],
            id="second-action-and-second-resource",
        ),
    ],
)
def test_findings_word_for_word(statement: dict[str, Any], messages: list[str]) -> None:
    found = resource_violations(least_privilege, "aws:iam/policy:Policy", {"policy": doc(statement)}, name="p")
    assert found == [f"Policy 'p' policy: Statement[0] {m}." for m in messages]


def test_escalation_actions_setting_flags_an_action_the_database_does_not_know() -> None:
    props = {"policy": doc(allow("madeup:Do"))}
    found = resource_violations(least_privilege, "aws:iam/policy:Policy", props, {"escalationActions": ["madeup:Do"]})
    assert found == [
        "Policy 'subject' policy: Statement[0] allows 'madeup:Do' on wildcard resource '*': privilege escalation "
        "(madeup:Do)."
    ]


def test_escalation_access_levels_setting_decides_what_escalates() -> None:
    props = {"policy": doc(allow("iam:ListRoles"))}
    assert resource_violations(least_privilege, "aws:iam/policy:Policy", props) == []
    found = resource_violations(least_privilege, "aws:iam/policy:Policy", props, {"escalationAccessLevels": ["List"]})
    assert found == [
        "Policy 'subject' policy: Statement[0] allows 'iam:ListRoles' on wildcard resource '*': privilege escalation "
        "(iam:ListRoles)."
    ]


def test_unreadable_inline_entry_and_a_later_star_are_both_reported() -> None:
    props = {"inlinePolicies": ["x", {"policy": doc(allow("*"))}]}
    assert resource_violations(least_privilege, "aws:iam/role:Role", props, name="r") == [
        "Role 'r' inlinePolicies[0]: cannot be parsed (not valid JSON); "
        "an unreadable permissions document fails closed.",
        "Role 'r' inlinePolicies[1]: Statement[0] allows '*': every action of every service.",
    ]


@pytest.mark.parametrize("name", ["", 7.0, None])
def test_an_inline_policy_without_a_usable_name_is_named_by_its_position(name: object) -> None:
    props = {
        "inlinePolicies": [
            {"name": "ok", "policy": doc(allow("s3:GetObject", SCOPED))},
            {"name": name, "policy": doc(allow("*"))},
        ]
    }
    assert resource_violations(least_privilege, "aws:iam/role:Role", props, name="r") == [
        "Role 'r' inlinePolicies[1]: Statement[0] allows '*': every action of every service."
    ]

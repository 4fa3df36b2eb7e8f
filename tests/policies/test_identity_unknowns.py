"""The identity pack's fail-open gap: an unknown never hides a known violation.

IAM documents reach a pack as JSON text from a Python program (wholly known or wholly unknown) and as
objects from other languages, where any statement, list element or principal can be unknown at preview.
GIVEN such a document WHEN a rule reads it THEN the known parts decide first (a known '*' beside an
unknown statement is a violation); only when nothing known violates does the rule "can't run".
"""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.identity.managed import managed_policy_allowlist
from guardrails.identity.permissions import least_privilege
from guardrails.identity.trust import instance_profile_role_trust, instance_role_trust, no_wildcard_trust
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, StackResource, resource_violations, stack_violations
from tests.policies.identity_docs import allow

POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
EC2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
SCOPED = allow("s3:GetObject", "arn:aws:s3:::bucket/*")


def obj(*statements: Any) -> dict[str, Any]:
    """A document as an object, the way other languages (and unwrapped secrets) send it."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def permissions(document: Any) -> list[str]:
    return resource_violations(least_privilege, POLICY, {"policy": document})


# --- permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(obj(UNKNOWN, allow("*")), id="unknown-statement-then-star"),
        pytest.param(obj(allow("*"), UNKNOWN), id="star-then-unknown-statement"),
        pytest.param(obj(SCOPED, UNKNOWN, UNKNOWN, allow("s3:*", "arn:aws:s3:::b/*")), id="service-star-last"),
        pytest.param(obj(allow([UNKNOWN, "*"])), id="star-beside-unknown-action"),
        pytest.param(obj(allow(["s3:GetObject", UNKNOWN, "iam:Put*"], "arn:aws:s3:::b/*")), id="write-wildcard"),
        pytest.param(obj(allow("iam:PassRole", [UNKNOWN, "*"])), id="escalation-on-star-beside-unknown"),
        pytest.param(obj(allow("s3:GetObject", [UNKNOWN, "arn:aws:s3:::*"])), id="effective-star-beside-unknown"),
        pytest.param(obj({"Effect": "Allow", "NotAction": UNKNOWN, "Resource": "*"}), id="not-action-unknown"),
        pytest.param(obj({"Effect": "Allow", "Action": "*", "Resource": UNKNOWN}), id="star-action-unknown-resource"),
        pytest.param(obj(allow("*", Sid=UNKNOWN, Condition=UNKNOWN)), id="unknown-sid-and-condition"),
        pytest.param({"Version": UNKNOWN, "Statement": [allow("*")]}, id="unknown-version"),
        pytest.param(
            obj({"Effect": UNKNOWN, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, allow("*")),
            id="unknown-effect-then-star",
        ),
    ],
)
def test_a_known_violation_beside_an_unknown_is_reported(document: Any) -> None:
    assert permissions(document)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(UNKNOWN, id="whole-document"),
        pytest.param({"Statement": UNKNOWN}, id="statement-list"),
        pytest.param(obj(UNKNOWN, SCOPED), id="unknown-statement-beside-clean"),
        pytest.param(obj(allow([UNKNOWN, "s3:GetObject"], "arn:aws:s3:::b/*")), id="unknown-action"),
        pytest.param(obj(allow("iam:PassRole", [UNKNOWN])), id="escalation-on-unknown-resource"),
        pytest.param(obj(allow("s3:GetObject", UNKNOWN)), id="scopable-on-unknown-resource"),
        pytest.param(obj({"Effect": UNKNOWN, "Action": "*", "Resource": "*"}), id="unknown-effect-could-be-deny"),
    ],
)
def test_when_nothing_known_decides_the_rule_cannot_run(document: Any) -> None:
    with pytest.raises(UnknownValueError):
        permissions(document)


def test_the_preview_note_names_the_policy_field_when_nothing_known_decides() -> None:
    with pytest.raises(UnknownValueError) as error:
        permissions(obj(allow([UNKNOWN, "s3:GetObject"], "arn:aws:s3:::b/*")))
    assert error.value.props == ["policy"]


def test_an_inline_policy_with_an_unknown_name_is_still_judged() -> None:
    props = {
        "inlinePolicies": [
            {"name": "scoped", "policy": obj(SCOPED)},
            {"name": UNKNOWN, "policy": obj(allow("*"))},
        ]
    }
    (message,) = resource_violations(least_privilege, ROLE, props)
    assert "inlinePolicies[1]" in message


def test_a_known_deny_beside_an_unknown_statement_decides_nothing() -> None:
    with pytest.raises(UnknownValueError):
        permissions(obj({"Effect": "Deny", "Action": "*", "Resource": "*"}, UNKNOWN))


def test_role_inline_policies_unknown_entry_never_hides_a_known_star() -> None:
    props = {
        "assumeRolePolicy": UNKNOWN,
        "inlinePolicies": [{"name": "a", "policy": UNKNOWN}, UNKNOWN, {"name": "b", "policy": obj(allow("*"))}],
    }
    (message,) = resource_violations(least_privilege, ROLE, props)
    assert "'b'" in message and "every action" in message


def test_role_inline_policies_all_unknown_cannot_run() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(least_privilege, ROLE, {"inlinePolicies": [{"name": "a", "policy": UNKNOWN}]})


# --- trust -------------------------------------------------------------------------------------------


def trust_violations(policy: Any, document: Any) -> list[str]:
    return resource_violations(policy, ROLE, {"assumeRolePolicy": document})


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(
            obj(UNKNOWN, {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
            id="unknown-statement-then-star",
        ),
        pytest.param(obj({"Effect": "Allow", "Principal": "*", "Action": UNKNOWN}), id="star-with-unknown-action"),
        pytest.param(
            obj({"Effect": "Allow", "Principal": {"AWS": [UNKNOWN, "*"]}, "Action": "sts:AssumeRole"}),
            id="star-beside-unknown-principal",
        ),
        pytest.param(
            obj({"Effect": "Allow", "Principal": {"Service": UNKNOWN, "Federated": "*"}, "Action": "sts:AssumeRole"}),
            id="star-beside-unknown-principal-kind",
        ),
        pytest.param(
            obj(EC2, {"Effect": "Allow", "NotPrincipal": UNKNOWN, "Action": "sts:AssumeRole"}),
            id="not-principal-unknown-value",
        ),
    ],
)
def test_wildcard_trust_beside_an_unknown_is_reported(document: Any) -> None:
    assert trust_violations(no_wildcard_trust, document)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(obj(UNKNOWN, EC2), id="unknown-statement-beside-ec2"),
        pytest.param(
            obj({"Effect": "Allow", "Principal": {"AWS": UNKNOWN}, "Action": "sts:AssumeRole"}), id="unknown-principal"
        ),
        pytest.param(
            obj({"Effect": "Allow", "Principal": UNKNOWN, "Action": "sts:AssumeRole"}), id="unknown-principal-block"
        ),
    ],
)
def test_wildcard_trust_cannot_run_when_nothing_known_decides(document: Any) -> None:
    with pytest.raises(UnknownValueError):
        trust_violations(no_wildcard_trust, document)


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        pytest.param(obj(UNKNOWN, EC2 | {"Action": "sts:*"}), "'sts:*'", id="unknown-then-ec2-sts-star"),
        pytest.param(
            obj(EC2, {"Effect": "Allow", "Principal": {"AWS": UNKNOWN}, "Action": "sts:*"}),
            "'sts:*'",
            id="unknown-principal-with-known-bad-action",
        ),
        pytest.param(
            obj(
                EC2,
                {
                    "Effect": "Allow",
                    "Principal": {"Service": [UNKNOWN, "lambda.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                },
            ),
            "lambda.amazonaws.com",
            id="other-service-beside-unknown",
        ),
        pytest.param(obj(EC2 | {"Action": [UNKNOWN, "sts:TagSession"]}), "sts:TagSession", id="tag-session-last"),
    ],
)
def test_instance_trust_known_problem_beside_an_unknown_is_reported(document: Any, fragment: str) -> None:
    (message,) = trust_violations(instance_role_trust, document)
    assert fragment in message and "does not allow ec2" not in message


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(obj(UNKNOWN, EC2), id="unknown-beside-clean-ec2"),
        pytest.param(obj(EC2 | {"Action": [UNKNOWN]}), id="unknown-action"),
        pytest.param(
            obj(
                UNKNOWN,
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"},
            ),
            id="does-it-trust-ec2-unknown",
        ),
    ],
)
def test_instance_trust_cannot_run_when_nothing_known_decides(document: Any) -> None:
    with pytest.raises(UnknownValueError):
        trust_violations(instance_role_trust, document)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(obj(EC2, UNKNOWN), id="partly-unknown-ec2-trust"),
        pytest.param(
            obj(
                UNKNOWN,
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"},
            ),
            id="does-it-trust-ec2-unknown",
        ),
    ],
)
def test_instance_trust_preview_note_names_the_trust_policy(document: Any) -> None:
    with pytest.raises(UnknownValueError) as error:
        trust_violations(instance_role_trust, document)
    assert error.value.props == ["assumeRolePolicy"]


def test_profile_role_whose_ec2_trust_is_unknown_cannot_run() -> None:
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    resources = [
        StackResource(ROLE, "app", {"name": "app", "assumeRolePolicy": obj(UNKNOWN, deny)}),
        StackResource(PROFILE, "app-profile", {"role": "app"}),
    ]
    with pytest.raises(UnknownValueError) as error:
        stack_violations(instance_profile_role_trust, resources)
    assert error.value.props == ["assumeRolePolicy"]


def test_profile_role_with_unknown_statement_and_a_known_other_account_is_reported() -> None:
    document = obj(
        UNKNOWN, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}
    )
    resources = [
        StackResource(ROLE, "app", {"name": "app", "assumeRolePolicy": document}),
        StackResource(PROFILE, "app-profile", {"role": "app"}),
    ]
    found = stack_violations(instance_profile_role_trust, resources)
    assert [("111122223333" in m, "does not allow ec2" in m) for m, _ in found] == [(True, False)]


# --- managed-policy allowlist --------------------------------------------------------------------------


def test_managed_policy_list_with_an_unknown_arn_beside_admin_is_reported() -> None:
    props = {"managedPolicyArns": [UNKNOWN, "arn:aws:iam::aws:policy/AdministratorAccess"]}
    (message,) = resource_violations(managed_policy_allowlist, ROLE, props)
    assert "AdministratorAccess" in message and "managedPolicyArns[1]" in message


def test_managed_policy_list_with_only_an_unknown_beside_an_allowed_one_cannot_run() -> None:
    props = {"managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", UNKNOWN]}
    with pytest.raises(UnknownValueError):
        resource_violations(managed_policy_allowlist, ROLE, props)

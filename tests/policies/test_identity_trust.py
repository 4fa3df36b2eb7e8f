"""Trust rules: no wildcard principal anywhere; instance roles trust only EC2 with sts:AssumeRole."""

from __future__ import annotations

import json

import pytest
from guardrails.actions import expand
from guardrails.identity.trust import instance_profile_role_trust, instance_role_trust, no_wildcard_trust
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, StackResource, resource_violations, secret, stack_violations
from tests.policies.identity_docs import EC2_TRUST, doc, role, trust

ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"


# --- iam-role-trust-no-wildcard-principal ---------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(trust("*"), id="bare-star"),
        pytest.param(trust({"AWS": "*"}), id="aws-star"),
        pytest.param(trust({"AWS": ["123456789012", "*"]}), id="star-hidden-in-list"),
        pytest.param(trust({"AWS": "arn:aws:iam::*:root"}), id="any-account-root"),
        pytest.param(trust({"Federated": "*"}, "sts:AssumeRoleWithWebIdentity"), id="federated-star"),
        pytest.param(trust({"CanonicalUser": "*"}), id="canonical-user-star"),
        pytest.param(trust({"Service": "*"}), id="service-star"),
        pytest.param(trust({"aws": "*"}), id="lower-case-key"),
        pytest.param(
            trust({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-123"}}),
            id="star-with-condition",
        ),
        pytest.param(
            doc(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
                    "Action": "sts:AssumeRole",
                }
            ),
            id="not-principal-allow",
        ),
        pytest.param(
            {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}, id="object-form"
        ),
        pytest.param(secret(trust({"AWS": "*"})), id="secret-envelope"),
        pytest.param('{"Statement": []}}', id="unparseable-fails-closed"),
        pytest.param(doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), id="no-principal"),
    ],
)
def test_wildcard_trust_is_a_violation(document: object) -> None:
    messages = resource_violations(no_wildcard_trust, ROLE, role(document))
    assert messages
    assert all("Role 'subject'" in m for m in messages)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(json.dumps(EC2_TRUST), id="ec2"),
        pytest.param(trust({"AWS": "arn:aws:iam::123456789012:root"}), id="one-account"),
        pytest.param(doc({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}), id="deny-star"),
    ],
)
def test_named_principals_pass_the_wildcard_rule(document: object) -> None:
    assert resource_violations(no_wildcard_trust, ROLE, role(document)) == []


def test_wildcard_message_names_the_statement_by_index_and_sid() -> None:
    document = doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
    )
    (message,) = resource_violations(no_wildcard_trust, ROLE, role(document))
    assert "Statement[1] (Sid 'Everyone')" in message


def test_unknown_trust_policy_goes_to_the_sdk_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(no_wildcard_trust, ROLE, role(UNKNOWN))


def test_other_resource_types_are_ignored() -> None:
    assert resource_violations(no_wildcard_trust, "aws:s3/bucket:Bucket", {"assumeRolePolicy": trust("*")}) == []


# --- iam-instance-role-trust-ec2-only -------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        pytest.param(trust({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}), "lambda", id="service-list"),
        pytest.param(trust({"Service": "ec2.amazonaws.com", "AWS": "123456789012"}), "123456789012", id="plus-account"),
        pytest.param(trust({"Service": "ec2.amazonaws.com"}, "sts:*"), "sts:*", id="sts-star"),
        pytest.param(trust({"Service": "ec2.amazonaws.com"}, "*"), "'*'", id="action-star"),
        pytest.param(trust({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole*"), "AssumeRole*", id="assume-role-star"),
        pytest.param(
            trust({"Service": "ec2.amazonaws.com"}, ["sts:AssumeRole", "sts:TagSession"]),
            "TagSession",
            id="tag-session",
        ),
        pytest.param(
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                },
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                },
            ),
            "NotPrincipal",
            id="not-principal",
        ),
        pytest.param(
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "NotAction": "sts:TagSession",
                }
            ),
            "NotAction",
            id="not-action",
        ),
        pytest.param(trust({"Service": "EC2.amazonaws.com", "Federated": "cognito"}), "Federated", id="case-service"),
    ],
)
def test_instance_role_trusting_more_than_ec2_is_a_violation(document: str, fragment: str) -> None:
    messages = resource_violations(instance_role_trust, ROLE, role(document))
    assert any(fragment in m for m in messages), messages


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(json.dumps(EC2_TRUST), id="ec2-json-text"),
        pytest.param(EC2_TRUST, id="ec2-object"),
        pytest.param(trust({"Service": ["ec2.amazonaws.com"]}, ["STS:AssumeRole"]), id="list-forms-any-case"),
        pytest.param(trust({"Service": "ec2.amazonaws.com.cn"}), id="china-partition"),
        pytest.param(trust({"Service": "lambda.amazonaws.com"}), id="not-an-instance-role"),
    ],
)
def test_ec2_only_trust_passes(document: object) -> None:
    assert resource_violations(instance_role_trust, ROLE, role(document)) == []


def test_china_principal_can_be_configured_away() -> None:
    messages = resource_violations(
        instance_role_trust,
        ROLE,
        role(trust({"Service": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]})),
        {"ec2ServicePrincipals": ["ec2.amazonaws.com"]},
    )
    assert any("ec2.amazonaws.com.cn" in m for m in messages)


def test_missing_or_mistyped_config_falls_back_to_defaults() -> None:
    bad = role(trust({"Service": "ec2.amazonaws.com"}, "sts:*"))
    assert resource_violations(instance_role_trust, ROLE, bad, {"allowedTrustActions": "sts:*"})
    assert resource_violations(instance_role_trust, ROLE, bad, {"ec2ServicePrincipals": None})


# --- iam-instance-profile-role-trust-ec2-only (stack) ---------------------------------------------


def _profile_stack(trust_policy: str, *, by: str) -> list[StackResource]:
    app_role = StackResource(ROLE, "app", {"name": "app-role-1234", **role(trust_policy)})
    if by == "dependency":
        profile = StackResource(PROFILE, "profile", {"role": UNKNOWN}, property_dependencies={"role": [app_role.urn]})
    else:
        profile = StackResource(PROFILE, "profile", {"role": "app-role-1234"})
    return [app_role, profile]


@pytest.mark.parametrize("by", ["dependency", "name"])
def test_profile_role_trusting_a_non_ec2_principal_is_reported_on_the_role(by: str) -> None:
    resources = _profile_stack(trust({"Service": "lambda.amazonaws.com"}), by=by)
    found = stack_violations(instance_profile_role_trust, resources)
    assert found
    assert {urn for _, urn in found} == {resources[0].urn}
    assert any("lambda.amazonaws.com" in m and "instance profile 'profile'" in m for m, _ in found)


@pytest.mark.parametrize("by", ["dependency", "name"])
def test_profile_role_trusting_an_account_is_reported(by: str) -> None:
    resources = _profile_stack(trust({"AWS": "arn:aws:iam::123456789012:root"}), by=by)
    assert stack_violations(instance_profile_role_trust, resources)


def test_profile_role_trusting_ec2_is_left_to_the_resource_rule() -> None:
    resources = _profile_stack(json.dumps(EC2_TRUST), by="dependency")
    assert stack_violations(instance_profile_role_trust, resources) == []


def test_roles_without_an_instance_profile_are_not_instance_roles() -> None:
    lambda_role = StackResource(ROLE, "fn", role(trust({"Service": "lambda.amazonaws.com"})))
    assert stack_violations(instance_profile_role_trust, [lambda_role]) == []


def test_unknown_profile_role_without_dependency_reaches_the_sdk() -> None:
    resources = [StackResource(PROFILE, "profile", {"role": UNKNOWN})]
    with pytest.raises(UnknownValueError):
        stack_violations(instance_profile_role_trust, resources)


# --- order: the violating statement comes after a harmless one ------------------------------------

DENY_EVERYONE = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"Bool": {"x": "y"}}}
ACTION = "sts:AssumeRole"
ALLOW_EC2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ACTION}


def test_wildcard_principal_after_a_deny_statement_is_reported() -> None:
    document = doc(DENY_EVERYONE, {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})
    (message,) = resource_violations(no_wildcard_trust, ROLE, role(document))
    assert message == "Role 'subject': Statement[1] trusts * '*', i.e. any principal."


def test_wildcard_principal_after_a_named_one_is_reported() -> None:
    document = doc(ALLOW_EC2, {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    (message,) = resource_violations(no_wildcard_trust, ROLE, role(document))
    assert message == "Role 'subject': Statement[1] trusts AWS '*', i.e. any principal."


def test_foreign_account_after_a_deny_statement_is_reported_on_an_instance_role() -> None:
    foreign = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
    document = doc(DENY_EVERYONE, ALLOW_EC2, foreign)
    (message,) = resource_violations(instance_role_trust, ROLE, role(document))
    assert message == (
        "Instance role 'subject': Statement[2] also trusts AWS 'arn:aws:iam::999988887777:root'; "
        "an instance role must trust only EC2."
    )


def test_foreign_account_after_a_deny_statement_is_reported_through_the_instance_profile() -> None:
    foreign = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
    resources = _profile_stack(doc(DENY_EVERYONE, foreign), by="dependency")
    found = stack_violations(instance_profile_role_trust, resources)
    assert [m.split(", but ")[1] for m, _ in found] == [
        "its trust policy does not allow ec2.amazonaws.com to assume it.",
        "Statement[1] also trusts AWS 'arn:aws:iam::999988887777:root'; an instance role must trust only EC2.",
    ]


def test_second_bad_action_and_second_foreign_principal_are_each_reported() -> None:
    document = trust(
        {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"], "AWS": ["111122223333", "444455556666"]},
        ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    )
    messages = resource_violations(instance_role_trust, ROLE, role(document))
    assert [m.split(": ", 1)[1] for m in messages] == [
        "Statement[0] also trusts Service 'lambda.amazonaws.com'; an instance role must trust only EC2.",
        "Statement[0] also trusts AWS '111122223333'; an instance role must trust only EC2.",
        "Statement[0] also trusts AWS '444455556666'; an instance role must trust only EC2.",
        "Statement[0] allows 'sts:TagSession'; an instance role's trust may allow only sts:AssumeRole.",
        "Statement[0] allows 'sts:SetSourceIdentity'; an instance role's trust may allow only sts:AssumeRole.",
    ]


# --- an empty or missing principal fails closed ----------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        pytest.param({}, id="empty-object"),
        pytest.param({"AWS": []}, id="empty-list"),
        pytest.param({"AWS": ""}, id="empty-string"),
        pytest.param({"Service": "  "}, id="blank-service"),
        pytest.param([], id="empty-array"),
        pytest.param("", id="empty-text"),
    ],
)
def test_empty_principal_fails_closed(principal: object) -> None:
    (message,) = resource_violations(no_wildcard_trust, ROLE, role(trust(principal)))
    assert message.startswith("Role 'subject': assumeRolePolicy cannot be parsed (Statement[0].Principal")
    assert message.endswith("; an unreadable trust policy fails closed.")


def test_empty_principal_on_an_instance_profile_role_fails_closed() -> None:
    resources = _profile_stack(trust({}), by="dependency")
    ((message, where),) = stack_violations(instance_profile_role_trust, resources)
    assert "assumeRolePolicy cannot be parsed" in message and where == resources[0].urn


# --- settings exercised through the instance-role rule ---------------------------------------------


def test_allowed_trust_actions_setting_admits_what_it_lists_and_nothing_else() -> None:
    document = role(trust({"Service": "ec2.amazonaws.com"}, ["sts:AssumeRole", "sts:TagSession"]))
    widened = {"allowedTrustActions": ["sts:AssumeRole", " STS:TagSession "]}
    assert resource_violations(instance_role_trust, ROLE, document, widened) == []
    narrowed = {"allowedTrustActions": ["sts:TagSession"]}
    (message,) = resource_violations(instance_role_trust, ROLE, document, narrowed)
    assert message.endswith("allows 'sts:AssumeRole'; an instance role's trust may allow only sts:TagSession.")


def test_allowed_trust_actions_never_admit_a_wildcard_that_expands_beyond_them() -> None:
    document = role(trust({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole*"))
    config = {"allowedTrustActions": ["sts:AssumeRole", "sts:AssumeRoleWithSAML"]}
    (message,) = resource_violations(instance_role_trust, ROLE, document, config)
    assert "'sts:AssumeRole*'" in message
    everything = {"allowedTrustActions": ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]}
    assert resource_violations(instance_role_trust, ROLE, document, everything) == []
    star = role(trust({"Service": "ec2.amazonaws.com"}, "*"))
    assert resource_violations(instance_role_trust, ROLE, star, {"allowedTrustActions": ["*"]})


def test_ec2_service_principals_setting_decides_which_roles_are_instance_roles() -> None:
    custom = role(trust({"Service": ["ec2.example.internal", "lambda.amazonaws.com"]}))
    assert resource_violations(instance_role_trust, ROLE, custom) == []  # not EC2 by default: out of scope
    config = {"ec2ServicePrincipals": [" EC2.Example.Internal "]}
    (message,) = resource_violations(instance_role_trust, ROLE, custom, config)
    assert "also trusts Service 'lambda.amazonaws.com'" in message


def test_ec2_service_principals_setting_reaches_the_instance_profile_rule() -> None:
    resources = _profile_stack(trust({"Service": "ec2.amazonaws.com"}), by="dependency")
    found = stack_violations(instance_profile_role_trust, resources, {"ec2ServicePrincipals": ["ec2.amazonaws.com.cn"]})
    assert [m.split(", but ")[1] for m, _ in found] == [
        "its trust policy does not allow ec2.amazonaws.com to assume it.",
        "Statement[0] also trusts Service 'ec2.amazonaws.com'; an instance role must trust only EC2.",
    ]


def test_allowed_trust_actions_setting_reaches_the_instance_profile_rule() -> None:
    resources = _profile_stack(trust({"Service": "lambda.amazonaws.com"}, "sts:TagSession"), by="dependency")
    found = stack_violations(instance_profile_role_trust, resources, {"allowedTrustActions": ["sts:TagSession"]})
    assert not any("allows 'sts:TagSession'" in m for m, _ in found)
    found = stack_violations(instance_profile_role_trust, resources)
    assert any("allows 'sts:TagSession'" in m for m, _ in found)


# --- unknown ids at preview: the role is found through the dependency ------------------------------


def test_profile_role_is_matched_through_its_dependency_when_every_id_is_unknown() -> None:
    app_role = StackResource(
        ROLE, "app", {"name": UNKNOWN, "arn": UNKNOWN, "id": UNKNOWN, **role(trust({"AWS": "111122223333"}))}
    )
    other = StackResource(ROLE, "other", {"name": UNKNOWN, "arn": UNKNOWN, "id": UNKNOWN, **role(trust("*"))})
    profile = StackResource(PROFILE, "profile", {"role": UNKNOWN}, property_dependencies={"role": [app_role.urn]})
    found = stack_violations(instance_profile_role_trust, [other, app_role, profile])
    assert {urn for _, urn in found} == {app_role.urn}
    assert any("'111122223333'" in m for m, _ in found)


@pytest.mark.parametrize("key", ["name", "arn", "id"])
def test_profile_role_is_matched_by_each_identifier_after_a_role_that_does_not_match(key: str) -> None:
    decoy = StackResource(ROLE, "decoy", {"name": "decoy", "arn": "arn:decoy", "id": "decoy", **role()})
    ids = {"name": "app-role", "arn": "arn:aws:iam::123456789012:role/app-role", "id": "AROAEXAMPLE"}
    app_role = StackResource(ROLE, "app", {**ids, **role(trust({"AWS": "111122223333"}))})
    profile = StackResource(PROFILE, "profile", {"role": ids[key]})
    found = stack_violations(instance_profile_role_trust, [decoy, app_role, profile])
    assert {urn for _, urn in found} == {app_role.urn}


# --- every finding, word for word ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            doc({"Effect": "Allow", "Action": "sts:AssumeRole"}),
            "Statement[0] has no Principal; a trust statement must name who may assume the role.",
            id="no-principal",
        ),
        pytest.param(
            doc({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"}),
            "Statement[0] uses NotPrincipal with Allow, which trusts every principal not listed.",
            id="not-principal",
        ),
        pytest.param(
            '{"Statement": []}}',
            "assumeRolePolicy cannot be parsed (not valid JSON); an unreadable trust policy fails closed.",
            id="unparseable",
        ),
        pytest.param(trust({"Federated": "*"}), "Statement[0] trusts Federated '*', i.e. any principal.", id="fed"),
        pytest.param(
            trust({"AWS": "arn:aws:iam::12345678901?:root"}),
            "Statement[0] trusts AWS 'arn:aws:iam::12345678901?:root', i.e. any principal.",
            id="question-mark",
        ),
        pytest.param(
            doc({"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
            "Statement[0] (Sid 'Everyone') trusts * '*', i.e. any principal.",
            id="sid",
        ),
    ],
)
def test_wildcard_rule_findings_word_for_word(document: str, message: str) -> None:
    assert resource_violations(no_wildcard_trust, ROLE, role(document)) == [f"Role 'subject': {message}"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            doc(ALLOW_EC2, {"Effect": "Allow", "NotPrincipal": {"Service": "ec2.amazonaws.com"}, "Action": ACTION}),
            "Statement[1] uses NotPrincipal with Allow, which trusts every principal not listed.",
            id="not-principal",
        ),
        pytest.param(
            doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "NotAction": "sts:TagSession"}),
            "Statement[0] uses NotAction with Allow, which allows every action not listed.",
            id="not-action",
        ),
        pytest.param(
            trust({"Service": "ec2.amazonaws.com"}, "*"),
            "Statement[0] allows '*'; an instance role's trust may allow only sts:AssumeRole.",
            id="star",
        ),
        pytest.param(
            trust({"Service": "ec2.amazonaws.com"}, "sts:Nothing*"),
            "Statement[0] allows 'sts:Nothing*'; an instance role's trust may allow only sts:AssumeRole.",
            id="wildcard-matching-nothing",
        ),
    ],
)
def test_instance_role_findings_word_for_word(document: str, message: str) -> None:
    assert resource_violations(instance_role_trust, ROLE, role(document)) == [f"Instance role 'subject': {message}"]


def test_instance_role_rule_leaves_an_unreadable_trust_policy_to_the_wildcard_rule() -> None:
    assert resource_violations(instance_role_trust, ROLE, role("x")) == []
    assert resource_violations(no_wildcard_trust, ROLE, role("x"))


def test_allowed_trust_actions_are_listed_in_the_message_in_their_configured_order() -> None:
    document = role(trust({"Service": "ec2.amazonaws.com"}, "sts:TagSession"))
    config = {"allowedTrustActions": ["sts:AssumeRole", "sts:SetSourceIdentity"]}
    (message,) = resource_violations(instance_role_trust, ROLE, document, config)
    assert message.endswith("may allow only sts:AssumeRole, sts:SetSourceIdentity.")


def test_a_full_wildcard_is_refused_even_when_every_action_it_expands_to_is_allowed() -> None:
    every_sts_action = sorted(info.name for info in expand("sts:*"))
    document = role(trust({"Service": "ec2.amazonaws.com"}, "sts:*"))
    (message,) = resource_violations(instance_role_trust, ROLE, document, {"allowedTrustActions": every_sts_action})
    assert "allows 'sts:*'" in message
    named = role(trust({"Service": "ec2.amazonaws.com"}, every_sts_action))
    assert resource_violations(instance_role_trust, ROLE, named, {"allowedTrustActions": every_sts_action}) == []


def test_an_allowed_action_newer_than_the_action_database_is_matched_by_name() -> None:
    document = role(trust({"Service": "ec2.amazonaws.com"}, ["sts:AssumeRole", "sts:FutureAction"]))
    config = {"allowedTrustActions": ["sts:AssumeRole", "sts:FutureAction"]}
    assert resource_violations(instance_role_trust, ROLE, document, config) == []


DENY_EC2 = {"Effect": "Deny", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ACTION}
ALLOW_LAMBDA = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": ACTION}


def test_a_deny_naming_ec2_does_not_make_a_role_an_instance_role() -> None:
    assert resource_violations(instance_role_trust, ROLE, role(doc(DENY_EC2, ALLOW_LAMBDA))) == []


def test_a_profile_role_whose_only_ec2_statement_is_a_deny_is_reported() -> None:
    resources = _profile_stack(doc(DENY_EC2, ALLOW_LAMBDA), by="dependency")
    found = stack_violations(instance_profile_role_trust, resources)
    assert any("does not allow ec2.amazonaws.com" in m for m, _ in found)


def test_every_role_a_profile_name_matches_is_checked_after_one_that_trusts_ec2() -> None:
    ec2_role = StackResource(ROLE, "app-east", {"name": "app-role", **role()}, urn="urn:pulumi:test::proj::role::east")
    lambda_role = StackResource(
        ROLE, "app-west", {"name": "app-role", **role(doc(ALLOW_LAMBDA))}, urn="urn:pulumi:test::proj::role::west"
    )
    profile = StackResource(PROFILE, "profile", {"role": "app-role"})
    found = stack_violations(instance_profile_role_trust, [ec2_role, lambda_role, profile])
    assert found and {urn for _, urn in found} == {lambda_role.urn}

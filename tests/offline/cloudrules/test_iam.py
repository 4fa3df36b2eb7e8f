"""IAM rules beyond the twin cases: a role's inline policies summed across every resource that adds one, the
role an input names (by name, by ARN, or a role made elsewhere), and what each refusal says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.cloudrules import CloudError, CloudResource, World, check_resource
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import ATTACHMENT, BASE, POLICY, PROFILE, ROLE, ROLE_POLICY, _doc_of_size
from tests.offline.cloudrules.world import STACK, errors, world

TEAM_ROLE_ARN = "arn:aws:iam::123456789012:role/team-role"


def _resource(typ: str, name: str, inputs: dict[str, Any], **outputs: str) -> CloudResource:
    return CloudResource(
        urn=f"{STACK}{typ}::{name}", type=typ, name=name, id=name, inputs=inputs, outputs=outputs, dependencies=()
    )


def _role_policy(name: str, role: str, policy: Any) -> CloudResource:
    return _resource(ROLE_POLICY, name, {"name": name, "role": role, "policy": policy})


def _team_role(*inline: Any) -> CloudResource:
    """A role created here whose id is its name and whose ARN is known, with inline policies of its own."""
    inputs = {
        **BASE[ROLE],
        "name": "team-role",
        "inlinePolicies": [{"name": f"p{i}", "policy": p} for i, p in enumerate(inline)],
    }
    return _resource(ROLE, "team-role", inputs, arn=TEAM_ROLE_ARN)


def _account(*resources: CloudResource) -> World:
    account = world()
    for resource in resources:
        account.add(resource)
    return account


def _quota_errors(account: World, role: str, size: int) -> list[CloudError]:
    found = check_resource(_role_policy("subject", role, _doc_of_size(size)), account)
    return [e for e in found if e.rule == "role-policy"]


# --- inline policies of a role: 10,240 characters in total --------------------------------------------


def test_a_role_s_own_inline_policies_count_with_its_separate_role_policies() -> None:
    # 3,000 + 3,000 inline on the role, 2,000 in a separate policy: 2,240 more fits exactly, 2,241 does not.
    account = _account(
        _team_role(_doc_of_size(3000), _doc_of_size(3000)), _role_policy("first", "team-role", _doc_of_size(2000))
    )
    refused = _quota_errors(account, "team-role", 2241)
    assert [(e.property, e.code) for e in refused] == [("policy", "LimitExceeded")]
    assert "the role's inline policies total 10241 characters; the quota is 10,240" in refused[0].message
    assert _quota_errors(account, "team-role", 2240) == []


def test_inline_policies_of_another_role_do_not_count() -> None:
    account = _account(
        _team_role(),
        _role_policy("elsewhere", "app-role", _doc_of_size(6000)),
        _resource(
            ROLE, "big-role", {**BASE[ROLE], "name": "big-role", "inlinePolicies": [{"policy": _doc_of_size(6000)}]}
        ),
    )
    assert _quota_errors(account, "team-role", 10240) == []
    assert [e.property for e in _quota_errors(account, "team-role", 10241)] == ["policy"]


def test_a_policy_whose_document_is_not_known_yet_counts_nothing() -> None:
    account = _account(_team_role(UNKNOWN), _role_policy("computed", "team-role", UNKNOWN))
    assert _quota_errors(account, "team-role", 10240) == []
    assert [e.property for e in _quota_errors(account, "team-role", 10241)] == ["policy"]


def test_a_policy_checked_again_once_in_the_account_counts_once() -> None:
    subject = _role_policy("subject", "team-role", _doc_of_size(6000))
    account = _account(_team_role(), subject, _role_policy("second", "team-role", _doc_of_size(4240)))
    assert [e for e in check_resource(subject, account) if e.rule == "role-policy"] == []
    account.add(_role_policy("third", "team-role", _doc_of_size(1)))
    assert [e.property for e in check_resource(subject, account) if e.rule == "role-policy"] == ["policy"]


def test_a_role_named_by_its_arn_is_the_same_role_as_by_its_name() -> None:
    account = _account(_team_role(), _role_policy("by-name", "team-role", _doc_of_size(6000)))
    assert [e.property for e in _quota_errors(account, TEAM_ROLE_ARN, 4241)] == ["policy"]
    assert _quota_errors(account, TEAM_ROLE_ARN, 4240) == []


def test_a_role_made_outside_the_stack_is_named_by_its_name() -> None:
    account = _account(_role_policy("first", "external-role", _doc_of_size(6000)))
    assert [e.property for e in _quota_errors(account, "external-role", 4241)] == ["policy"]
    assert _quota_errors(account, "external-role", 4240) == []


def test_a_resource_that_is_not_a_role_is_not_taken_for_one() -> None:
    # "vpc-1" is a VPC's id: the policy's role is then that text, not the VPC's (absent) name.
    account = _account(_role_policy("first", "vpc-1", _doc_of_size(6000)))
    assert [e.property for e in _quota_errors(account, "vpc-1", 4241)] == ["policy"]


# --- names, paths and documents -------------------------------------------------------------------------


# A role's and an instance profile's name, and every path, are judged by the AWS API model (apimap); a name
# prefix is the rules' own: the provider appends 26 characters to it.


@pytest.mark.parametrize(("typ", "longest"), [(ROLE, 38), (PROFILE, 102)])
def test_a_name_prefix_leaves_room_for_the_26_character_suffix(typ: str, longest: int) -> None:
    rule = "role-name-and-path" if typ == ROLE else "instance-profile"
    base = {**BASE[typ], "name": None}
    for accepted in ("n", "n" * longest):
        assert [e for e in errors(typ, {**base, "namePrefix": accepted}) if e.rule == rule] == []
    found = [e for e in errors(typ, {**base, "namePrefix": "n" * (longest + 1)}) if e.rule == rule]
    assert [(e.property, e.code, e.message) for e in found] == [
        ("namePrefix", "ValidationError", f"{longest + 1} characters; at most {longest}")
    ]


def test_a_name_prefix_names_the_characters_it_may_not_hold() -> None:
    found = errors(ROLE, {**BASE[ROLE], "name": None, "namePrefix": "app role#1-a_b+c=d,e.f@g"})
    assert [(e.rule, e.property, e.message) for e in found] == [
        (
            "role-name-and-path",
            "namePrefix",
            "character(s) [' ', '#'] not allowed (allowed: a-zA-Z0-9 and _+=,.@-)",
        )
    ]


@pytest.mark.parametrize(
    ("resource_type", "prop"),
    [
        (ROLE, "name"),
        (ROLE, "namePrefix"),
        (PROFILE, "name"),
        (PROFILE, "namePrefix"),
        (ROLE_POLICY, "name"),
        (POLICY, "name"),
    ],
)
def test_an_empty_name_or_prefix_is_left_to_the_provider_which_generates_one(resource_type: str, prop: str) -> None:
    """The provider's create.Name takes a non-empty name, else a non-empty prefix, else generates one: AWS never
    receives "" (terraform-provider-aws internal/create/naming.go)."""
    inputs = {**BASE[resource_type], "name": None, "namePrefix": None, prop: ""}
    assert [e for e in errors(resource_type, inputs) if e.property in ("name", "namePrefix")] == []
    # One character past the limit still is refused: the empty string is the only exception.
    inputs[prop] = "a" * 129
    assert [e.property for e in errors(resource_type, inputs) if e.property == prop]


def test_a_policy_with_characters_iam_does_not_read_is_refused_once() -> None:
    text = json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::\u0100"}]}, ensure_ascii=False
    )
    found = [e for e in errors(ROLE_POLICY, {**BASE[ROLE_POLICY], "policy": text}) if e.rule == "role-policy"]
    assert [(e.property, e.code) for e in found] == [("policy", "MalformedPolicyDocument")]
    assert "holds characters outside tab, newline and U+0020-U+00FF" in found[0].message


def test_a_policy_that_is_not_json_says_why_once() -> None:
    found = [e for e in errors(POLICY, {**BASE[POLICY], "policy": "{not json"}) if e.rule == "managed-policy"]
    assert [(e.property, e.code) for e in found] == [("policy", "MalformedPolicyDocument")]
    assert found[0].message.startswith("is not JSON (Expecting property name")


def test_a_policy_json_cannot_read_says_what_failed() -> None:
    # Python refuses an integer of more than 4,300 digits with a ValueError that has no "msg".
    text = '{"Statement": [], "Id": ' + "1" * 5000 + "}"
    found = [e for e in errors(POLICY, {**BASE[POLICY], "policy": text}) if e.rule == "managed-policy"]
    assert [(e.property, e.code, e.message) for e in found] == [
        ("policy", "MalformedPolicyDocument", "is not JSON (ValueError)")
    ]


@pytest.mark.parametrize("text", ['["Statement"]', '{"Version": "2012-10-17"}'])
def test_json_that_is_not_a_policy_document_is_refused(text: str) -> None:
    found = [e for e in errors(POLICY, {**BASE[POLICY], "policy": text}) if e.rule == "managed-policy"]
    assert [(e.property, e.code, e.message) for e in found] == [
        ("policy", "MalformedPolicyDocument", "is not a policy document (no Statement)")
    ]


def test_a_trust_policy_over_its_quota_says_its_size() -> None:
    found = errors(ROLE, {**BASE[ROLE], "assumeRolePolicy": _doc_of_size(2049, trust=True)})
    assert [(e.rule, e.code) for e in found] == [("role-trust-policy", "LimitExceeded")]
    assert "2049 characters; the trust policy quota is 2048" in found[0].message


def test_a_managed_policy_given_as_an_object_is_measured_as_json() -> None:
    document = json.loads(_doc_of_size(6144))
    assert errors(POLICY, {**BASE[POLICY], "policy": document}) == []
    document["Statement"][0]["Resource"] += "a"
    found = errors(POLICY, {**BASE[POLICY], "policy": document})
    assert [(e.rule, e.property, e.code) for e in found] == [("managed-policy", "policy", "LimitExceeded")]
    assert "6145 characters; a managed policy is at most 6144" in found[0].message


def test_a_managed_policy_description_is_at_most_1000_characters() -> None:
    assert errors(POLICY, {**BASE[POLICY], "description": "d" * 1000}) == []
    found = errors(POLICY, {**BASE[POLICY], "description": "d" * 1001})
    assert [(e.rule, e.property, e.code) for e in found] == [("managed-policy", "description", "ValidationError")]
    assert "1001 characters; at most 1000" in found[0].message


# --- managed policies attached to a role ----------------------------------------------------------------


def _attachment(name: str, role: str, arn: str) -> CloudResource:
    return _resource(ATTACHMENT, name, {"role": role, "policyArn": arn})


def _attached(role: str, count: int) -> World:
    return _account(*(_attachment(f"a{i}", role, f"arn:aws:iam::123456789012:policy/p{i}") for i in range(count)))


def _attachment_errors(account: World, role: str, arn: str = "arn:aws:iam::aws:policy/ReadOnlyAccess") -> list[str]:
    found = check_resource(_attachment("subject", role, arn), account)
    return [e.message for e in found if e.rule == "role-policy-attachment"]


def test_an_eleventh_managed_policy_on_a_role_is_refused() -> None:
    assert _attachment_errors(_attached("app-role", 9), "app-role") == []
    found = check_resource(
        _attachment("subject", "app-role", "arn:aws:iam::aws:policy/ReadOnlyAccess"), _attached("app-role", 10)
    )
    assert [(e.rule, e.property, e.code, e.message) for e in found] == [
        (
            "role-policy-attachment",
            "policyArn",
            "LimitExceeded",
            "11 managed policies on role app-role; the quota is 10 [quota managed-policies-per-role]",
        )
    ]


def test_a_raised_managed_policy_quota_is_used() -> None:
    account = _attached("app-role", 10)
    account.quotas = {"managed-policies-per-role": 11}
    assert _attachment_errors(account, "app-role") == []


def test_the_same_policy_attached_twice_counts_once_and_other_roles_do_not_count() -> None:
    account = _attached("app-role", 9)
    account.add(_attachment("again", "app-role", "arn:aws:iam::123456789012:policy/p0"))
    account.add(_attachment("elsewhere", "other-role", "arn:aws:iam::123456789012:policy/other"))
    assert _attachment_errors(account, "app-role") == []


def test_an_attachment_checked_again_once_in_the_account_counts_once() -> None:
    account = _attached("app-role", 9)
    subject = _attachment("subject", "app-role", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    account.add(subject)
    assert [e for e in check_resource(subject, account) if e.rule == "role-policy-attachment"] == []


def test_an_attachment_to_a_role_not_known_yet_is_not_counted() -> None:
    assert _attachment_errors(_attached(UNKNOWN, 10), UNKNOWN) == []


def test_a_policy_arn_that_is_not_iam_is_refused_as_invalid_input() -> None:
    found = [e for e in errors(ATTACHMENT, {**BASE[ATTACHMENT], "policyArn": "arn:aws:s3:::bucket-of-logs"})]
    mine = [e for e in found if e.rule == "role-policy-attachment"]
    assert [(e.property, e.code, e.message) for e in mine] == [
        ("policyArn", "InvalidInput", '"arn:aws:s3:::bucket-of-logs" is not an IAM policy ARN')
    ]


# --- the role of an instance profile --------------------------------------------------------------------


def test_an_instance_profile_given_the_role_arn_is_told_to_give_its_name() -> None:
    arn = "arn:aws:iam::123456789012:role/app-role"
    found = [e for e in errors(PROFILE, {**BASE[PROFILE], "role": arn}) if e.rule == "instance-profile-role-name"]
    assert [(e.property, e.code) for e in found] == [("role", "ValidationError")]
    assert found[0].message == f'"{arn}" is an ARN; give the role\'s name (the part after role/)'


def test_an_instance_profile_role_name_is_at_most_64_characters() -> None:
    found = [e for e in errors(PROFILE, {**BASE[PROFILE], "role": "r" * 65}) if e.rule == "instance-profile-role-name"]
    assert [(e.property, e.message) for e in found] == [("role", "65 characters; at most 64")]


def test_an_instance_profile_role_name_names_the_characters_it_may_not_hold() -> None:
    found = [
        e for e in errors(PROFILE, {**BASE[PROFILE], "role": "app role#1"}) if e.rule == "instance-profile-role-name"
    ]
    assert [(e.property, e.code, e.message) for e in found] == [
        ("role", "ValidationError", "character(s) [' ', '#'] not allowed (allowed: a-zA-Z0-9 and _+=,.@-)")
    ]


@pytest.mark.parametrize("role", ["r" * 64, "app_role+=,.@-1", UNKNOWN])
def test_an_instance_profile_role_name_aws_takes_or_not_known_yet_is_accepted(role: str) -> None:
    assert [e for e in errors(PROFILE, {**BASE[PROFILE], "role": role}) if e.rule == "instance-profile-role-name"] == []


def test_a_policy_arn_that_is_not_iam_is_quoted_up_to_80_characters() -> None:
    arn = "arn:aws:s3:::" + "b" * 100
    found = [
        e for e in errors(ATTACHMENT, {**BASE[ATTACHMENT], "policyArn": arn}) if e.rule == "role-policy-attachment"
    ]
    assert [e.message for e in found] == [f'"{arn[:80]}" is not an IAM policy ARN']


def test_a_trust_policy_of_exactly_its_quota_is_accepted_as_text_or_object() -> None:
    text = _doc_of_size(2048, trust=True)
    assert [e for e in errors(ROLE, {**BASE[ROLE], "assumeRolePolicy": text}) if e.rule == "role-trust-policy"] == []
    document = json.loads(text)
    assert [
        e for e in errors(ROLE, {**BASE[ROLE], "assumeRolePolicy": document}) if e.rule == "role-trust-policy"
    ] == []
    document["Statement"][0]["Principal"]["AWS"] += "a"
    found = [e for e in errors(ROLE, {**BASE[ROLE], "assumeRolePolicy": document}) if e.rule == "role-trust-policy"]
    assert [(e.property, e.code, e.message) for e in found] == [
        ("assumeRolePolicy", "LimitExceeded", "2049 characters; the trust policy quota is 2048")
    ]


def test_an_inline_policy_for_a_role_not_known_yet_is_not_summed() -> None:
    account = _account(_team_role(_doc_of_size(9000)))
    assert _quota_errors(account, UNKNOWN, 9000) == []

"""iam-instance-role-attached-policies: attachments followed from instance roles to policy documents."""

from __future__ import annotations

import json

import pytest
from guardrails.identity.attachments import instance_role_attachments
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, StackResource, stack_violations
from tests.policies.identity_docs import allow, doc, role, trust

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
RPA = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PA = "aws:iam/policyAttachment:PolicyAttachment"
EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"

GOOD_DOC = doc(allow("s3:GetObject", "arn:aws:s3:::app/*"))
BAD_DOC = doc(allow("s3:*", "arn:aws:s3:::app/*", Sid="Broad"))
POLICY_ARN = "arn:aws:iam::123456789012:policy/app"


def _stack(
    document: str, attach: str, *, by: str = "dependency", trust_policy: str | None = None
) -> list[StackResource]:
    app_role = StackResource(
        ROLE,
        "app",
        {"name": "app-role", "arn": "arn:aws:iam::123456789012:role/app-role", **role(trust_policy)},
    )
    policy = StackResource(POLICY, "perms", {"name": "app", "arn": POLICY_ARN, "policy": document})
    profile = StackResource(PROFILE, "profile", {"role": "app-role"})
    deps = by == "dependency"
    role_ref = UNKNOWN if deps else "app-role"
    arn_ref = UNKNOWN if deps else POLICY_ARN
    if attach == "rpa":
        link = StackResource(
            RPA,
            "attach",
            {"role": role_ref, "policyArn": arn_ref},
            property_dependencies={"role": [app_role.urn], "policyArn": [policy.urn]} if deps else {},
        )
    elif attach == "pa":
        link = StackResource(
            PA,
            "attach",
            {"roles": [role_ref], "policyArn": arn_ref},
            property_dependencies={"roles": [app_role.urn], "policyArn": [policy.urn]} if deps else {},
        )
    elif attach == "exclusive":
        link = StackResource(
            EXCLUSIVE,
            "attach",
            {"roleName": role_ref, "policyArns": [arn_ref]},
            property_dependencies={"roleName": [app_role.urn], "policyArns": [policy.urn]} if deps else {},
        )
    else:
        app_role.props = {**app_role.props, "managedPolicyArns": [arn_ref]}
        app_role.property_dependencies = {"managedPolicyArns": [policy.urn]} if deps else {}
        return [app_role, policy, profile]
    return [app_role, policy, profile, link]


ATTACHMENTS = ["rpa", "pa", "exclusive", "role"]


@pytest.mark.parametrize("by", ["dependency", "value"])
@pytest.mark.parametrize("attach", ATTACHMENTS)
def test_broad_customer_policy_attached_to_instance_role_is_reported(attach: str, by: str) -> None:
    resources = _stack(BAD_DOC, attach, by=by)
    (found,) = stack_violations(instance_role_attachments, resources)
    message, urn = found
    assert "Statement[0] (Sid 'Broad') allows 's3:*'" in message
    assert "instance role 'app'" in message
    assert urn == resources[-1].urn if attach != "role" else resources[0].urn


@pytest.mark.parametrize("by", ["dependency", "value"])
@pytest.mark.parametrize("attach", ATTACHMENTS)
def test_least_privilege_customer_policy_passes(attach: str, by: str) -> None:
    assert stack_violations(instance_role_attachments, _stack(GOOD_DOC, attach, by=by)) == []


def test_role_trusting_ec2_counts_as_instance_role_without_a_profile() -> None:
    resources = [r for r in _stack(BAD_DOC, "rpa") if r.type != PROFILE]
    assert stack_violations(instance_role_attachments, resources)


def test_non_instance_role_is_out_of_scope() -> None:
    resources = [
        r for r in _stack(BAD_DOC, "rpa", trust_policy=trust({"Service": "lambda.amazonaws.com"})) if r.type != PROFILE
    ]
    assert stack_violations(instance_role_attachments, resources) == []


def test_external_customer_policy_on_instance_role_fails_closed_unless_allowed() -> None:
    app_role = StackResource(ROLE, "app", role(managedPolicyArns=["arn:aws:iam::999999999999:policy/Elsewhere"]))
    found = stack_violations(instance_role_attachments, [app_role])
    assert [urn for _, urn in found] == [app_role.urn]
    assert "'Elsewhere'" in found[0][0] and "not defined in this stack" in found[0][0]
    assert stack_violations(instance_role_attachments, [app_role], {"allowExternalCustomerPolicies": True}) == []


def test_aws_managed_policies_are_left_to_the_allowlist_rule() -> None:
    app_role = StackResource(ROLE, "app", role(managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"]))
    assert stack_violations(instance_role_attachments, [app_role]) == []


def test_literal_external_arn_beside_an_in_stack_reference_is_still_read() -> None:
    resources = _stack(GOOD_DOC, "role")
    app_role = resources[0]
    app_role.props = {
        **app_role.props,
        "managedPolicyArns": [POLICY_ARN, "arn:aws:iam::999999999999:policy/Sneaky"],
    }
    found = stack_violations(instance_role_attachments, resources)
    assert any("'Sneaky'" in m for m, _ in found)


def test_unparseable_attached_policy_fails_closed() -> None:
    (found,) = stack_violations(instance_role_attachments, _stack(json.dumps({"Statement": 1}), "rpa"))
    assert "cannot be parsed" in found[0]


def test_attachment_for_another_role_with_unknown_name_does_not_block_the_rule() -> None:
    resources = _stack(BAD_DOC, "rpa")
    fn_role = StackResource(ROLE, "fn", role(trust({"Service": "lambda.amazonaws.com"})))
    other = StackResource(
        RPA,
        "fn-attach",
        {"role": UNKNOWN, "policyArn": UNKNOWN},
        property_dependencies={"role": [fn_role.urn], "policyArn": [resources[1].urn]},
    )
    assert len(stack_violations(instance_role_attachments, [*resources, fn_role, other])) == 1


def test_unknown_reference_without_dependencies_reaches_the_sdk() -> None:
    resources = [
        *_stack(GOOD_DOC, "rpa")[:3],
        StackResource(RPA, "attach", {"role": UNKNOWN, "policyArn": UNKNOWN}),
    ]
    with pytest.raises(UnknownValueError):
        stack_violations(instance_role_attachments, resources)


def test_one_problem_ends_the_message_and_more_are_counted() -> None:
    ((one, _),) = stack_violations(instance_role_attachments, _stack(BAD_DOC, "role", by="value"))
    assert one.endswith("allows 's3:*': every action of the service.")
    two = doc(allow("s3:*", "arn:aws:s3:::app/*", Sid="Broad"), allow("iam:PassRole", "*", Sid="Pass"))
    ((both, _),) = stack_violations(instance_role_attachments, _stack(two, "role", by="value"))
    assert both.endswith("allows 's3:*': every action of the service (+1 more).")


def test_attached_policies_are_judged_with_the_configured_access_levels() -> None:
    reads = doc(allow("s3:Get*", "arn:aws:s3:::app/*"))
    assert stack_violations(instance_role_attachments, _stack(reads, "rpa")) == []
    found = stack_violations(
        instance_role_attachments, _stack(reads, "rpa"), {"forbiddenWildcardAccessLevels": ["Read"]}
    )
    assert len(found) == 1 and "allows 's3:Get*'" in found[0][0]


def test_the_configured_ec2_principals_decide_which_roles_without_a_profile_are_instance_roles() -> None:
    resources = [r for r in _stack(BAD_DOC, "rpa") if r.type != PROFILE]
    assert len(stack_violations(instance_role_attachments, resources)) == 1
    elsewhere = {"ec2ServicePrincipals": ["ec2.example.internal"]}
    assert stack_violations(instance_role_attachments, resources, elsewhere) == []
    custom = [
        r for r in _stack(BAD_DOC, "rpa", trust_policy=trust({"Service": "EC2.example.internal"})) if r.type != PROFILE
    ]
    assert stack_violations(instance_role_attachments, custom) == []
    assert len(stack_violations(instance_role_attachments, custom, elsewhere)) == 1


def test_a_reference_that_is_not_text_does_not_hide_the_references_after_it() -> None:
    app_role = StackResource(ROLE, "app", role(managedPolicyArns=[7, "arn:aws:iam::999999999999:policy/Sneaky"]))
    ((message, urn),) = stack_violations(instance_role_attachments, [app_role])
    assert "'Sneaky'" in message and "not defined in this stack" in message and urn == app_role.urn


def test_a_policy_referenced_twice_is_judged_once() -> None:
    resources = _stack(BAD_DOC, "role", by="value")
    resources[0].props = {**resources[0].props, "managedPolicyArns": [POLICY_ARN, "app", POLICY_ARN]}
    assert len(stack_violations(instance_role_attachments, resources)) == 1


@pytest.mark.parametrize("key", ["name", "arn", "id"])
def test_a_policy_whose_identifier_is_not_text_is_checked_as_the_one_named(key: str) -> None:
    # Its name, ARN or id cannot be compared, so it may be the policy the ARN names: its document is checked
    # (fail closed) rather than the reference being called a policy outside the stack.
    resources = _stack(BAD_DOC, "role", by="value")
    resources[1].props = {"policy": BAD_DOC, key: {"Fn::GetAtt": ["Perms", "Arn"]}}
    ((message, _),) = stack_violations(instance_role_attachments, resources)
    assert "attaches Policy 'perms'" in message and "allows 's3:*'" in message

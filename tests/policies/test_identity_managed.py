"""iam-aws-managed-policy-allowlist on every property that attaches a policy ARN."""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.identity.managed import managed_policy_allowlist
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, resource_violations
from tests.policies.identity_docs import role

SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def carriers(arn: Any) -> list[Any]:
    """The same ARN on each resource type that can attach it, as the engine sends their inputs."""
    return [
        pytest.param("aws:iam/role:Role", role(managedPolicyArns=[arn]), id="role"),
        pytest.param("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "r", "policyArn": arn}, id="rpa"),
        pytest.param("aws:iam/policyAttachment:PolicyAttachment", {"roles": ["r"], "policyArn": arn}, id="pa"),
        pytest.param(
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            {"roleName": "r", "policyArns": [SSM, arn]},
            id="exclusive",
        ),
    ]


@pytest.mark.parametrize(("resource_type", "props"), carriers(ADMIN))
def test_administrator_access_is_rejected_on_every_carrier(resource_type: str, props: dict[str, Any]) -> None:
    (message,) = resource_violations(managed_policy_allowlist, resource_type, props)
    assert "'AdministratorAccess'" in message


@pytest.mark.parametrize(("resource_type", "props"), carriers(SSM))
def test_allowlisted_policy_passes_on_every_carrier(resource_type: str, props: dict[str, Any]) -> None:
    assert resource_violations(managed_policy_allowlist, resource_type, props) == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
        "arn:aws-cn:iam::aws:policy/PowerUserAccess",
        "arn:aws-iso:iam::aws:policy/IAMFullAccess",
        "arn:aws-iso-b:iam::aws:policy/AmazonS3FullAccess",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM",
        "arn:aws:iam::aws:policy/job-function/AmazonSSMManagedInstanceCore",
        "ARN:AWS:IAM::AWS:POLICY/AdministratorAccess",
    ],
)
def test_unlisted_aws_managed_policies_are_rejected_in_every_partition_and_path(arn: str) -> None:
    assert resource_violations(managed_policy_allowlist, "aws:iam/role:Role", role(managedPolicyArns=[arn]))


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws-cn:iam::aws:policy/CloudWatchAgentServerPolicy",
        "arn:aws:iam::123456789012:policy/app-instance",
    ],
)
def test_allowlisted_and_customer_policies_pass(arn: str) -> None:
    assert resource_violations(managed_policy_allowlist, "aws:iam/role:Role", role(managedPolicyArns=[arn])) == []


def test_allowlist_entries_with_a_path_are_configurable() -> None:
    props = role(managedPolicyArns=["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"])
    config = {"allowedManagedPolicies": ["job-function/ViewOnlyAccess"]}
    assert resource_violations(managed_policy_allowlist, "aws:iam/role:Role", props, config) == []


@pytest.mark.parametrize(
    ("allowed", "shown"),
    [
        (
            ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"],
            "(AmazonSSMManagedInstanceCore, CloudWatchAgentServerPolicy)",
        ),
        ([], "(empty)"),
    ],
)
def test_the_message_lists_the_configured_allowlist(allowed: list[str], shown: str) -> None:
    config = {"allowedManagedPolicies": allowed}
    (message,) = resource_violations(
        managed_policy_allowlist, "aws:iam/role:Role", role(managedPolicyArns=[ADMIN]), config
    )
    assert message.endswith(f"'AdministratorAccess', which is not in allowedManagedPolicies {shown}.")


def test_admin_hidden_after_an_allowed_entry_is_still_found() -> None:
    props = role(managedPolicyArns=[SSM, "arn:aws:iam::aws:policy/AdministratorAccess"])
    (message,) = resource_violations(managed_policy_allowlist, "aws:iam/role:Role", props)
    assert "managedPolicyArns[1]" in message


@pytest.mark.parametrize("props", [{"role": "r"}, {"role": "r", "policyArn": 12.0}], ids=["missing", "number"])
def test_unreadable_attachment_fails_closed(props: dict[str, Any]) -> None:
    assert resource_violations(managed_policy_allowlist, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props)


def test_unknown_policy_arn_reaches_the_sdk_preview_path() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(
            managed_policy_allowlist,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            {"role": "r", "policyArn": UNKNOWN},
        )

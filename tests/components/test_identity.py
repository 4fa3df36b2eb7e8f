"""The identity component under the mock engine: trust, permissions and profile, as registered."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import AppBucket, parse_app_bucket
from components.identity import TYPE_TOKEN, Identity, IdentityArgs, app_bucket_policy
from offline.harness import ProgramRun
from offline.mockcloud import MockCloud
from tests.conftest import RunComponent

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
PROVIDER = "pulumi:providers:aws"


def build(args: IdentityArgs) -> Any:
    def program(opts: pulumi.ResourceOptions) -> None:
        identity = Identity("identity", args, opts=opts)
        pulumi.export("roleName", identity.role_name)
        pulumi.export("roleArn", identity.role_arn)
        pulumi.export("profileName", identity.instance_profile_name)
        pulumi.export("profileArn", identity.instance_profile_arn)

    return program


def document(text: Any) -> dict[str, Any]:
    # A Python program sends IAM documents as JSON text; an object here would mean a different shape.
    assert isinstance(text, str), type(text)
    parsed = json.loads(text)
    assert isinstance(parsed, dict)
    return parsed


def statements(text: Any) -> list[dict[str, Any]]:
    found = document(text)["Statement"]
    assert isinstance(found, list)
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def all_documents(run: ProgramRun) -> list[dict[str, Any]]:
    docs = [document(r.inputs["assumeRolePolicy"]) for r in run.of_type(ROLE)]
    return docs + [document(r.inputs["policy"]) for r in run.of_type(ROLE_POLICY)]


# --- trust ----------------------------------------------------------------------------------------


def test_trust_policy_admits_only_ec2_through_assume_role(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs())).check()
    trust = statements(run.one(ROLE).inputs["assumeRolePolicy"])
    assert len(trust) == 1
    (statement,) = trust
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert as_list(statement["Action"]) == ["sts:AssumeRole"]
    assert "NotPrincipal" not in statement and "NotAction" not in statement


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1"])
def test_trust_principal_is_the_same_in_other_partitions(run_component: RunComponent, region: str) -> None:
    run = run_component(build(IdentityArgs()), MockCloud(region=region)).check()
    (statement,) = statements(run.one(ROLE).inputs["assumeRolePolicy"])
    assert statement["Principal"] == {"Service": "ec2.amazonaws.com"}


# --- permissions ----------------------------------------------------------------------------------


def test_session_manager_attaches_only_the_core_ssm_policy(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs())).check()
    role = run.one(ROLE)
    attachment = run.one(ATTACHMENT)
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert attachment.inputs["role"] == role.outputs["name"]
    assert role.urn in attachment.property_dependencies["role"]
    assert run.of_type(ROLE_POLICY) == []


@pytest.mark.parametrize(("region", "partition"), [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")])
def test_managed_policy_arn_carries_the_partition(run_component: RunComponent, region: str, partition: str) -> None:
    run = run_component(build(IdentityArgs()), MockCloud(region=region)).check()
    assert run.one(ATTACHMENT).inputs["policyArn"] == f"arn:{partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"


def test_without_session_manager_or_bucket_the_role_has_no_permissions(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs(session_manager=False))).check()
    run.one(ROLE)
    assert run.of_type(ATTACHMENT) == [] and run.of_type(ROLE_POLICY) == []
    assert "inlinePolicies" not in run.one(ROLE).inputs and "managedPolicyArns" not in run.one(ROLE).inputs


def test_app_bucket_with_prefix_grants_read_of_that_prefix_only(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs(app_bucket=AppBucket("app-artifacts", "releases/web")))).check()
    policy = run.one(ROLE_POLICY)
    assert policy.inputs["role"] == run.one(ROLE).outputs["name"]
    by_action = {s["Action"]: s for s in statements(policy.inputs["policy"])}
    assert set(by_action) == {"s3:GetObject", "s3:ListBucket"}
    get_object, list_bucket = by_action["s3:GetObject"], by_action["s3:ListBucket"]
    assert get_object["Resource"] == "arn:aws:s3:::app-artifacts/releases/web/*"
    assert "Condition" not in get_object
    assert list_bucket["Resource"] == "arn:aws:s3:::app-artifacts"
    assert list_bucket["Condition"] == {"StringLike": {"s3:prefix": ["releases/web/", "releases/web/*"]}}
    assert all(s["Effect"] == "Allow" for s in by_action.values())


def test_app_bucket_without_prefix_grants_the_bucket_and_no_more(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs(app_bucket=AppBucket("app-artifacts")))).check()
    by_action = {s["Action"]: s for s in statements(run.one(ROLE_POLICY).inputs["policy"])}
    assert by_action["s3:GetObject"]["Resource"] == "arn:aws:s3:::app-artifacts/*"
    assert by_action["s3:ListBucket"]["Resource"] == "arn:aws:s3:::app-artifacts"
    assert "Condition" not in by_action["s3:ListBucket"]


def test_app_bucket_arns_carry_the_partition(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs(app_bucket=AppBucket("b-1", "p"))), MockCloud(region="cn-north-1")).check()
    resources = {s["Resource"] for s in statements(run.one(ROLE_POLICY).inputs["policy"])}
    assert resources == {"arn:aws-cn:s3:::b-1", "arn:aws-cn:s3:::b-1/p/*"}


def test_no_document_grants_a_wildcard_action_or_resource(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs(app_bucket=AppBucket("b-1", "p")))).check()
    docs = all_documents(run)
    assert len(docs) == 2
    for doc in docs:
        assert doc["Version"] == "2012-10-17"
        for statement in doc["Statement"]:
            assert all("*" not in action for action in as_list(statement["Action"]))
            assert all(r != "*" and not r.endswith(":*") for r in as_list(statement.get("Resource", [])))


_BUCKETS = st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True)
_PREFIXES = st.lists(st.from_regex(r"[A-Za-z0-9_.=-]{1,8}", fullmatch=True), max_size=3).map("/".join)


@given(_BUCKETS, _PREFIXES, st.sampled_from(["aws", "aws-cn", "aws-us-gov"]))
def test_bucket_policy_never_reaches_beyond_the_configured_location(bucket: str, prefix: str, partition: str) -> None:
    location = parse_app_bucket(f"{bucket}/{prefix}" if prefix else bucket)
    doc = json.loads(app_bucket_policy(location, partition))
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    objects = f"{bucket_arn}/{prefix}/*" if prefix else f"{bucket_arn}/*"
    grants = {(s["Action"], s["Resource"]) for s in doc["Statement"]}
    assert grants == {("s3:GetObject", objects), ("s3:ListBucket", bucket_arn)}
    (listing,) = (s for s in doc["Statement"] if s["Action"] == "s3:ListBucket")
    if prefix:
        assert listing["Condition"]["StringLike"]["s3:prefix"] == [f"{prefix}/", f"{prefix}/*"]
    else:
        assert "Condition" not in listing


# --- profile, wiring, outputs ---------------------------------------------------------------------


def test_instance_profile_carries_the_role_and_outputs_resolve(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs())).check()
    role, profile = run.one(ROLE), run.one(PROFILE)
    assert profile.inputs["role"] == role.outputs["name"]
    assert run.outputs["roleName"] == role.outputs["name"]
    assert run.outputs["roleArn"] == role.outputs["arn"]
    assert run.outputs["profileName"] == profile.outputs["name"]
    assert run.outputs["profileArn"].startswith("arn:aws:iam::123456789012:instance-profile/")


def test_children_are_parented_to_the_component_and_use_its_provider(run_component: RunComponent) -> None:
    run = run_component(build(IdentityArgs(app_bucket=AppBucket("b-1")))).check()
    component = run.one(TYPE_TOKEN)
    provider = run.one(PROVIDER)
    children = [r for r in run.resources if r.custom and r.type != PROVIDER]
    assert sorted(r.type for r in children) == sorted([ROLE, ROLE_POLICY, ATTACHMENT, PROFILE])
    assert all(r.parent == component.urn for r in children)
    assert all(r.provider.startswith(provider.urn + "::") for r in children)
    assert all(r.name.startswith("identity-") for r in children)

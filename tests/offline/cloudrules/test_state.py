"""`make audit` over a recorded stack (``state.check_stack``): what a stack file records of each resource reaches
the rules as the live check would see it: its id (or the id its outputs give), its property dependencies while
ids are unknown, and only custom resources are checked."""

from __future__ import annotations

from typing import Any

from offline.cloudrules.state import check_stack
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import BASE, FULL_ALB_ARN, WAF_ASSOCIATION, WEB_ACL
from tests.offline.cloudrules.world import Recorded

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INSTANCE = "aws:ec2/instance:Instance"
IGW = "aws:ec2/internetGateway:InternetGateway"
PROVIDER = "pulumi:providers:aws"


def _network(vpc_id: str, vpc_outputs: dict[str, Any]) -> list[Recorded]:
    return [
        Recorded(PROVIDER, "default", {"region": "us-east-1"}),
        Recorded(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, id=vpc_id, outputs=vpc_outputs),
        Recorded(SUBNET, "a", {"vpcId": "vpc-9", "cidrBlock": "10.0.0.0/24"}, id="subnet-9"),
    ]


def _names_instance() -> Recorded:
    return Recorded(
        INSTANCE,
        "vm",
        {"ami": "ami-12345678", "instanceType": "t3.micro", "subnetId": "subnet-9", "securityGroups": ["web"]},
        id="i-9",
    )


def test_a_vpc_recorded_without_an_id_is_known_by_the_id_its_outputs_give() -> None:
    """A stack export may leave a resource's id to its outputs: the VPC is still the stack's own, nondefault one,
    so an instance in its subnet may not name security groups."""
    refused = check_stack([*_network("", {"id": "vpc-9"}), _names_instance()])
    assert [(e.name, e.property, e.code) for e in refused] == [("vm", "securityGroups", "InvalidParameterCombination")]
    assert "group names cannot be used with a subnet of a nondefault VPC" in refused[0].message


def test_the_recorded_id_wins_over_the_outputs_id() -> None:
    # The record's own id is the VPC's; an outputs id naming something else does not replace it.
    refused = check_stack([*_network("vpc-9", {"id": "vpc-other"}), _names_instance()])
    assert [(e.name, e.property) for e in refused] == [("vm", "securityGroups")]
    # A VPC with no id anywhere is not the subnet's VPC: the names are left to the default-VPC check.
    assert check_stack([*_network("", {}), _names_instance()]) == []


def _association(name: str, subnet_urn: str | None) -> Recorded:
    return Recorded(
        RTA,
        name,
        {"subnetId": UNKNOWN, "routeTableId": "rtb-1"},
        id=UNKNOWN,
        property_dependencies={"subnetId": [subnet_urn]} if subnet_urn else {},
    )


def test_references_with_unknown_ids_follow_the_recorded_property_dependencies() -> None:
    """In a first preview the subnet's id is unknown: its URN, from the recorded property dependencies, tells that
    two associations name the same subnet."""
    subnet = Recorded(SUBNET, "a", {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24"}, id=UNKNOWN)
    refused = check_stack([subnet, _association("first", subnet.urn), _association("second", subnet.urn)])
    assert [(e.name, e.property, e.code) for e in refused] == [("second", "subnetId", "Resource.AlreadyAssociated")]
    assert "already associated with a route table by first" in refused[0].message
    # Without the dependencies nothing says which subnet they name, so nothing is refused.
    assert check_stack([subnet, _association("first", None), _association("second", None)]) == []


def test_component_resources_are_not_checked_but_custom_ones_are() -> None:
    bad = {"cidrBlock": "10.0.0.0/29"}
    assert check_stack([Recorded(VPC, "component", bad, custom=False)]) == []
    assert [e.rule for e in check_stack([Recorded(VPC, "custom", bad)])] == ["vpc-cidr-size"]


EDGE_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1a2b"


def test_a_resource_is_found_by_the_arn_its_outputs_record() -> None:
    """A web ACL's id is not its ARN: the association that names the ARN finds the ACL through its outputs."""
    acl = Recorded(WEB_ACL, "edge", {**BASE[WEB_ACL], "scope": "CLOUDFRONT"}, id="1a2b", outputs={"arn": EDGE_ACL_ARN})
    association = Recorded(WAF_ASSOCIATION, "alb-waf", {"resourceArn": FULL_ALB_ARN, "webAclArn": EDGE_ACL_ARN})
    refused = [e for e in check_stack([acl, association]) if e.name == "alb-waf"]
    assert [(e.property, e.rule) for e in refused] == [("webAclArn", "web-acl-association")]
    assert "web ACL edge has scope CLOUDFRONT; a regional resource needs REGIONAL" in refused[0].message


def _vpcs(count: int) -> list[Recorded]:
    return [Recorded(VPC, f"v{i}", {"cidrBlock": f"10.{i}.0.0/16"}, id=f"vpc-{i}") for i in range(count)]


def test_the_quotas_the_account_raised_replace_the_defaults() -> None:
    refused = check_stack(_vpcs(6))
    assert [(e.name, e.code) for e in refused] == [("v5", "VpcLimitExceeded")]
    assert "6 VPCs per Region in the stack; the quota is 5 (AWS's default" in refused[0].message
    assert check_stack(_vpcs(6), quotas={"vpcs-per-region": 6}) == []
    assert [e.name for e in check_stack(_vpcs(7), quotas={"vpcs-per-region": 6})] == ["v6"]


def test_the_providers_default_tags_count_toward_a_resources_tags() -> None:
    provider = Recorded(PROVIDER, "default", {"region": "us-east-1", "defaultTags": {"tags": {"a": "1", "b": "2"}}})
    provider_ref = f"{provider.urn}::0000-provider"
    tagged = {"cidrBlock": "10.0.0.0/16", "tags": {f"k{i}": "v" for i in range(49)}}
    refused = check_stack([provider, Recorded(VPC, "v", tagged, id="vpc-1", provider=provider_ref)])
    assert [(e.name, e.rule) for e in refused] == [("v", "tag-count")]
    assert "provider defaultTags included" in refused[0].message
    # The same VPC under another provider (none recorded) has 49 tags, within the limit.
    assert check_stack([provider, Recorded(VPC, "v", tagged, id="vpc-1")]) == []


def test_the_recorded_dependencies_order_a_public_instance_after_the_gateway() -> None:
    network = [
        Recorded(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, id="vpc-1"),
        Recorded(IGW, "igw", {"vpcId": "vpc-1"}, id="igw-1"),
        Recorded(SUBNET, "a", {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24"}, id="subnet-1"),
    ]
    public = {
        "ami": "ami-12345678",
        "instanceType": "t3.micro",
        "subnetId": "subnet-1",
        "associatePublicIpAddress": True,
    }
    after = Recorded(INSTANCE, "vm", public, id="i-1", dependencies=[network[1].urn])
    assert check_stack([*network, after]) == []
    refused = check_stack([*network, Recorded(INSTANCE, "vm", public, id="i-1")])
    assert [(e.name, e.property, e.code) for e in refused] == [("vm", "dependsOn", "Gateway.NotAttached")]

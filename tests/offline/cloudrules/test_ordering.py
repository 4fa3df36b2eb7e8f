"""Create order (``ordering.py``): which gateway attaches a VPC the stack created, and which references name such
a VPC at all."""

from __future__ import annotations

from typing import Any

from offline.cloudrules import CloudResource, World, check_resource
from offline.wire import UNKNOWN

STACK = "urn:pulumi:dev::p::"
VPC = "aws:ec2/vpc:Vpc"
IGW = "aws:ec2/internetGateway:InternetGateway"
SUBNET = "aws:ec2/subnet:Subnet"
LB = "aws:lb/loadBalancer:LoadBalancer"
RULE = "internet-facing-load-balancer-after-gateway"


def _r(typ: str, name: str, inputs: dict[str, Any], rid: str = "", **more: Any) -> CloudResource:
    return CloudResource(urn=f"{STACK}{typ}::{name}", type=typ, name=name, inputs=inputs, id=rid, **more)


def _balancer_refusals(account: World, subnet: str, gateway: str) -> list[tuple[str, str]]:
    balancer = _r(LB, "alb", {"subnets": [subnet]}, dependencies=(f"{STACK}{IGW}::{gateway}",))
    return [(e.property, e.message) for e in check_resource(balancer, account) if e.rule == RULE]


def test_a_vpc_is_attached_by_a_gateway_naming_the_id_its_outputs_give() -> None:
    account = World(region="us-east-1")
    account.add(_r(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, outputs={"id": "vpc-9"}))
    account.add(_r(SUBNET, "a", {"vpcId": "vpc-9", "cidrBlock": "10.0.0.0/24"}, "subnet-9"))
    account.add(_r(IGW, "igw", {"vpcId": "vpc-9"}, "igw-9"))
    assert _balancer_refusals(account, "subnet-9", "igw") == []


def test_a_gateway_with_an_empty_vpc_id_attaches_no_vpc() -> None:
    """A VPC whose id is not recorded is not attached by a detached gateway (vpcId "") the balancer depends on."""
    account = World(region="us-east-1")
    vpc = _r(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"})
    account.add(vpc)
    account.add(
        _r(
            SUBNET,
            "a",
            {"vpcId": UNKNOWN, "cidrBlock": "10.0.0.0/24"},
            "subnet-9",
            property_dependencies={"vpcId": (vpc.urn,)},
        )
    )
    account.add(_r(IGW, "detached", {"vpcId": ""}, "igw-9"))
    assert _balancer_refusals(account, "subnet-9", "detached") == [
        (
            "dependsOn",
            "VPC vpc has no internet gateway yet: the internet-facing load balancer is not ordered after the VPC's "
            "Internet Gateway (add it to dependsOn)",
        )
    ]


def test_a_subnet_whose_vpc_id_names_no_vpc_leaves_the_order_undecided() -> None:
    """A subnet of a secondary block takes its vpcId from the CIDR association: that is not a VPC to judge."""
    account = World(region="us-east-1")
    association = _r("aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation", "second", {}, UNKNOWN)
    account.add(association)
    account.add(
        _r(
            SUBNET,
            "b",
            {"vpcId": UNKNOWN, "cidrBlock": "10.1.0.0/24"},
            "subnet-b",
            property_dependencies={"vpcId": (association.urn,)},
        )
    )
    account.add(_r(IGW, "igw", {"vpcId": "vpc-1"}, "igw-1"))
    assert _balancer_refusals(account, "subnet-b", "igw") == []


def _told(resource: CloudResource, account: World, rule: str) -> list[tuple[str, str, str]]:
    return [(e.property, e.code, e.message) for e in check_resource(resource, account) if e.rule == rule]


def _network() -> World:
    account = World(region="us-east-1")
    account.add(_r(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, "vpc-9"))
    account.add(_r(SUBNET, "a", {"vpcId": "vpc-9", "cidrBlock": "10.0.0.0/24"}, "subnet-9"))
    account.add(_r(IGW, "igw", {"vpcId": "vpc-9"}, "igw-9"))
    return account


def test_a_public_instance_not_ordered_after_the_gateway_is_told_to_add_it_to_depends_on() -> None:
    instance = _r(
        "aws:ec2/instance:Instance", "vm", {"subnetId": "subnet-9", "associatePublicIpAddress": True}, dependencies=()
    )
    [(prop, code, message)] = _told(instance, _network(), "public-instance-after-gateway")
    assert (prop, code) == ("dependsOn", "Gateway.NotAttached")
    assert "not ordered after network vpc's Internet Gateway attachment (add it to dependsOn)" in message


def test_a_public_nat_gateway_or_an_associated_eip_before_the_gateway_names_the_network() -> None:
    nat = _r(
        "aws:ec2/natGateway:NatGateway", "nat", {"subnetId": "subnet-9", "allocationId": "eipalloc-1"}, dependencies=()
    )
    [(prop, code, message)] = _told(nat, _network(), "public-nat-gateway-after-gateway")
    assert (prop, code) == ("dependsOn", "Gateway.NotAttached")
    assert "network vpc has no Internet gateway attached when the NAT gateway is created" in message
    account = _network()
    account.add(_r("aws:ec2/instance:Instance", "vm", {"subnetId": "subnet-9"}, "i-9"))
    eip = _r("aws:ec2/eip:Eip", "eip", {"instance": "i-9"}, dependencies=())
    [(prop, code, message)] = _told(eip, account, "associated-eip-after-gateway")
    assert (prop, code) == ("dependsOn", "Gateway.NotAttached")
    assert "network vpc is not attached to any internet gateway" in message


def test_a_private_nat_gateway_needs_no_internet_gateway_and_an_unknown_type_is_taken_for_public() -> None:
    def nat(**inputs: Any) -> CloudResource:
        return _r("aws:ec2/natGateway:NatGateway", "nat", {"subnetId": "subnet-9", **inputs}, dependencies=())

    assert _told(nat(connectivityType="private"), _network(), "public-nat-gateway-after-gateway") == []
    assert len(_told(nat(connectivityType="public"), _network(), "public-nat-gateway-after-gateway")) == 1
    assert len(_told(nat(connectivityType=UNKNOWN), _network(), "public-nat-gateway-after-gateway")) == 1


def test_a_balancer_placed_by_subnet_mappings_is_ordered_after_its_vpcs_gateway() -> None:
    mapped = {"subnetMappings": [{"subnetId": "subnet-9"}]}
    [(prop, code, message)] = _told(_r(LB, "nlb", mapped, dependencies=()), _network(), RULE)
    assert (prop, code) == ("dependsOn", "InvalidSubnet")
    assert "VPC vpc has no internet gateway yet" in message
    after = _r(LB, "nlb", mapped, dependencies=(f"{STACK}{IGW}::igw",))
    assert _told(after, _network(), RULE) == []


def test_a_balancer_mapped_to_a_subnet_the_stack_does_not_hold_is_not_judged_but_its_known_subnets_are() -> None:
    elsewhere = {"subnetMappings": [{"subnetId": "subnet-404"}]}
    assert _told(_r(LB, "nlb", elsewhere, dependencies=()), _network(), RULE) == []
    both = {"subnetMappings": [{"subnetId": "subnet-9"}, {"subnetId": "subnet-404"}]}
    [(prop, code, message)] = _told(_r(LB, "nlb", both, dependencies=()), _network(), RULE)
    assert (prop, code) == ("dependsOn", "InvalidSubnet") and "VPC vpc has no internet gateway yet" in message


def test_an_eip_for_an_instance_the_stack_does_not_hold_is_not_judged() -> None:
    eip = _r("aws:ec2/eip:Eip", "eip", {"instance": "i-404"}, dependencies=())
    assert _told(eip, _network(), "associated-eip-after-gateway") == []

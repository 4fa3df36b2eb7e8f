"""The network component under the mock engine: what it registers, with which inputs, in which AZs."""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any

import pulumi
import pytest

from components.config import ConfigError
from components.network import TYPE_TOKEN, Network, NetworkArgs
from offline.harness import ProgramRun, RegisteredResource
from offline.mockcloud import MockCloud
from tests.conftest import RunComponent

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
PROVIDER = "pulumi:providers:aws"


def build(args: NetworkArgs) -> Any:
    def program(opts: pulumi.ResourceOptions) -> None:
        network = Network("network", args, opts=opts)
        pulumi.export("vpcId", network.vpc_id)
        pulumi.export("zones", network.availability_zones)
        pulumi.export("public", network.public_subnet_ids)
        pulumi.export("private", network.private_subnet_ids)
        pulumi.export("nats", network.nat_gateway_ids)

    return program


def by_id(run: ProgramRun) -> dict[str, RegisteredResource]:
    return {r.id: r for r in run.resources if r.custom}


def subnets(run: ProgramRun, tier: str) -> list[RegisteredResource]:
    return sorted((s for s in run.of_type(SUBNET) if s.inputs["tags"]["tier"] == tier), key=lambda s: s.name)


def table_of(run: ProgramRun, subnet: RegisteredResource) -> RegisteredResource:
    tables = [a.inputs["routeTableId"] for a in run.of_type(ASSOCIATION) if a.inputs["subnetId"] == subnet.id]
    assert len(tables) == 1, f"{subnet.name} has {len(tables)} route table associations"
    return by_id(run)[tables[0]]


def default_route(run: ProgramRun, table: RegisteredResource) -> RegisteredResource:
    routes = [
        r
        for r in run.of_type(ROUTE)
        if r.inputs["routeTableId"] == table.id and r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    ]
    assert len(routes) == 1, f"{table.name} has {len(routes)} default routes"
    return routes[0]


def egress_target(run: ProgramRun, subnet: RegisteredResource) -> RegisteredResource:
    route = default_route(run, table_of(run, subnet))
    targets = [route.inputs[key] for key in ("natGatewayId", "gatewayId") if key in route.inputs]
    assert len(targets) == 1, f"{route.name} routes to {targets}"
    return by_id(run)[targets[0]]


# --- the lab network ------------------------------------------------------------------------------


def test_lab_builds_a_dedicated_vpc_with_dns(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs())).check()
    vpc = run.one(VPC)
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True and vpc.inputs["enableDnsSupport"] is True
    assert run.outputs["vpcId"] == vpc.id


def test_lab_has_one_public_subnet_per_zone_in_zone_order(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(az_count=3))).check()
    public = subnets(run, "public")
    assert [s.inputs["availabilityZone"] for s in public] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    # Public by route (0.0.0.0/0 to the IGW), not by default address: CKV_AWS_130. The lab asks for its own IP.
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in public)
    assert all(s.inputs["vpcId"] == run.one(VPC).id for s in public)
    assert run.outputs["public"] == [s.id for s in public]
    assert run.outputs["zones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    blocks = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in public]
    assert all(b.subnet_of(ipaddress.IPv4Network("10.0.0.0/16")) for b in blocks)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(blocks, 2))


def test_lab_public_subnets_route_to_the_internet_gateway(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs())).check()
    gateway = run.one(IGW)
    assert gateway.inputs["vpcId"] == run.one(VPC).id
    targets = [egress_target(run, s) for s in subnets(run, "public")]
    assert len(targets) == 2
    assert all(t is gateway for t in targets)


def test_lab_has_no_private_tier_and_no_nat(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs())).check()
    assert subnets(run, "private") == []
    assert run.of_type(NAT) == [] and run.of_type(EIP) == []
    assert run.outputs["private"] == [] and run.outputs["nats"] == []


def test_default_security_group_is_emptied(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs())).check()
    group = run.one(DEFAULT_SG)
    assert group.inputs["vpcId"] == run.one(VPC).id
    assert group.inputs.get("ingress") == [] and group.inputs.get("egress") == []


def test_every_child_is_parented_to_the_component_and_uses_its_provider(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(private_subnets=True))).check()
    component = run.one(TYPE_TOKEN)
    provider = run.one(PROVIDER)
    children = [r for r in run.resources if r.custom and r.type != PROVIDER]
    assert len(children) > 10
    assert all(r.parent == component.urn for r in children)
    assert all(r.provider.startswith(provider.urn + "::") for r in children)
    assert all(r.name.startswith("network-") for r in children)


def test_zone_lookup_excludes_local_zones_and_inherits_the_provider(run_component: RunComponent) -> None:
    cloud = MockCloud()
    run_component(build(NetworkArgs()), cloud).check()
    lookups = [args for token, args in cloud.invokes if token.endswith("getAvailabilityZones")]
    assert lookups == [{"filters": [{"name": "zone-type", "values": ["availability-zone"]}]}]


def test_custom_vpc_cidr_is_carved_into_minimum_subnets(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(vpc_cidr="192.168.6.0/23", private_subnets=True))).check()
    assert run.one(VPC).inputs["cidrBlock"] == "192.168.6.0/23"
    assert {ipaddress.IPv4Network(s.inputs["cidrBlock"]).prefixlen for s in run.of_type(SUBNET)} == {28}


# --- production: private subnets and NAT -----------------------------------------------------------


def test_production_adds_a_private_subnet_per_zone_without_public_ips(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(private_subnets=True, az_count=3))).check()
    private = subnets(run, "private")
    assert [s.inputs["availabilityZone"] for s in private] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in private)
    assert run.outputs["private"] == [s.id for s in private]
    blocks = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in run.of_type(SUBNET)]
    assert len(blocks) == 6
    assert not any(a.overlaps(b) for a, b in itertools.combinations(blocks, 2))


def test_per_az_nat_routes_each_private_subnet_through_its_own_zone(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(private_subnets=True, az_count=3, nat_gateways="perAz"))).check()
    public_by_id = {s.id: s for s in subnets(run, "public")}
    assert len(run.of_type(NAT)) == 3 and len(run.of_type(EIP)) == 3
    eips = {e.id: e for e in run.of_type(EIP)}
    for subnet in subnets(run, "private"):
        nat = egress_target(run, subnet)
        assert nat.type == NAT
        nat_subnet = public_by_id[nat.inputs["subnetId"]]
        assert nat_subnet.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]
        assert eips[nat.inputs["allocationId"]].inputs["domain"] == "vpc"
    assert len({table_of(run, s).urn for s in subnets(run, "private")}) == 3


def test_nat_gateways_wait_for_the_internet_gateway(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(private_subnets=True))).check()
    gateway = run.one(IGW)
    nats = run.of_type(NAT)
    assert len(nats) == 2
    assert all(gateway.urn in nat.dependencies for nat in nats)


def test_single_nat_serves_every_private_subnet(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(private_subnets=True, az_count=3, nat_gateways="single"))).check()
    nat = run.one(NAT)
    run.one(EIP)
    assert by_id(run)[nat.inputs["subnetId"]].inputs["availabilityZone"] == "us-east-1a"
    assert all(egress_target(run, s) is nat for s in subnets(run, "private"))
    # Still one route table per AZ, so switching to perAz later only changes routes.
    assert len(run.of_type(ROUTE_TABLE)) == 1 + 3


def test_az_outage_leaves_subnets_and_egress_in_every_other_zone(run_component: RunComponent) -> None:
    # GIVEN perAz NAT over three zones WHEN any one zone is lost THEN the others keep a public subnet,
    # a private subnet, and a default route through a NAT gateway that lives in a surviving zone.
    run = run_component(build(NetworkArgs(private_subnets=True, az_count=3))).check()
    resources = by_id(run)
    zones = run.outputs["zones"]
    checked = 0
    for lost in zones:
        for subnet in subnets(run, "private"):
            zone = subnet.inputs["availabilityZone"]
            if zone == lost:
                continue
            nat = egress_target(run, subnet)
            assert resources[nat.inputs["subnetId"]].inputs["availabilityZone"] != lost
            checked += 1
        survivors = {s.inputs["availabilityZone"] for s in subnets(run, "public")} - {lost}
        assert len(survivors) == len(zones) - 1
    assert checked == len(zones) * (len(zones) - 1)


# --- stability ------------------------------------------------------------------------------------


def _subnet_identity(run: ProgramRun) -> dict[str, tuple[str, str]]:
    return {s.name: (s.inputs["availabilityZone"], s.inputs["cidrBlock"]) for s in run.of_type(SUBNET)}


def test_raising_az_count_or_going_to_production_keeps_existing_subnets(run_component: RunComponent) -> None:
    lab = _subnet_identity(run_component(build(NetworkArgs(az_count=2))).check())
    wider = _subnet_identity(run_component(build(NetworkArgs(az_count=3))).check())
    prod = _subnet_identity(run_component(build(NetworkArgs(az_count=3, private_subnets=True))).check())
    assert len(lab) == 2 and len(wider) == 3 and len(prod) == 6
    assert lab.items() <= wider.items() <= prod.items()


# --- the account's default VPC --------------------------------------------------------------------


def test_default_vpc_is_looked_up_and_nothing_is_created(run_component: RunComponent) -> None:
    cloud = MockCloud()
    run = run_component(build(NetworkArgs(use_default_vpc=True)), cloud).check()
    assert [r.type for r in run.resources if r.custom] == [PROVIDER]
    assert run.outputs["vpcId"] == cloud.default_vpc_id()
    expected = [s["id"] for s in cloud.default_subnets()[:2]]
    assert run.outputs["public"] == expected
    assert run.outputs["private"] == []
    subnet_lookups = [args for token, args in cloud.invokes if token == "aws:ec2/getSubnets:getSubnets"]
    assert len(subnet_lookups) == 2
    for lookup, zone in zip(subnet_lookups, ["us-east-1a", "us-east-1b"], strict=True):
        filters = {f["name"]: f["values"] for f in lookup["filters"]}
        assert filters == {
            "vpc-id": [cloud.default_vpc_id()],
            "default-for-az": ["true"],
            "availability-zone": [zone],
        }


def _config_error(run: ProgramRun, key: str) -> ConfigError:
    assert isinstance(run.error, ConfigError), run.error
    assert run.error.key == key
    assert "\n" not in str(run.error)
    assert [r.type for r in run.resources if r.custom] == [PROVIDER]
    return run.error


def test_missing_default_vpc_is_a_config_error(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(use_default_vpc=True)), MockCloud(has_default_vpc=False))
    assert "no default VPC" in str(_config_error(run, "useDefaultVpc"))


class _CloudWithoutSubnetInB(MockCloud):
    def default_subnets(self) -> list[dict[str, Any]]:
        return [s for s in super().default_subnets() if s["availabilityZone"] != "us-east-1b"]


def test_default_vpc_without_a_default_subnet_in_a_zone_is_a_config_error(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(use_default_vpc=True)), _CloudWithoutSubnetInB())
    assert "us-east-1b" in str(_config_error(run, "useDefaultVpc"))


def test_default_vpc_cannot_give_private_subnets(run_component: RunComponent) -> None:
    run = run_component(build(NetworkArgs(use_default_vpc=True, private_subnets=True)))
    _config_error(run, "useDefaultVpc")


@pytest.mark.parametrize("use_default_vpc", [False, True])
def test_more_zones_than_the_region_has_registers_nothing(run_component: RunComponent, use_default_vpc: bool) -> None:
    # eu-west-1 offers three zones in the mock, as in AWS.
    run = run_component(build(NetworkArgs(az_count=4, use_default_vpc=use_default_vpc)), MockCloud(region="eu-west-1"))
    assert "offers 3" in str(_config_error(run, "azCount"))

"""internet-exposure-allowlist over engine-shaped stacks: each way to make an instance public, and its twin.

The seed stack: a VPC, an Internet Gateway attached to it, a route table sending 0.0.0.0/0 to the
gateway, associated with a subnet; an instance in that subnet whose group admits tcp/8080 from the
world. Each test changes one link; a public twin must be reported on the instance's URN with the path,
a private twin must pass. A "first preview" variant drops every id and turns every reference into the
engine's unknown sentinel, so only ``propertyDependencies`` tie the stack together.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from guardrails.network.internet_exposure import POLICY
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, stack_violations
from tests.policies.network_fixtures import Spec, to_stack, urn

VPC = "aws:ec2/vpc:Vpc"
IGW = "aws:ec2/internetGateway:InternetGateway"
IGW_ATTACHMENT = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"
RT = "aws:ec2/routeTable:RouteTable"
DEFAULT_RT = "aws:ec2/defaultRouteTable:DefaultRouteTable"
MAIN_RTA = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
ROUTE = "aws:ec2/route:Route"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
VPC_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
INSTANCE = "aws:ec2/instance:Instance"
EIP = "aws:ec2/eip:Eip"
EIP_ASSOC = "aws:ec2/eipAssociation:EipAssociation"
NACL = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NAT = "aws:ec2/natGateway:NatGateway"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"

WORLD_8080 = {"protocol": "tcp", "fromPort": 8080.0, "toPort": 8080.0, "cidrBlocks": ["0.0.0.0/0"]}


def seed(**instance: Any) -> dict[str, Spec]:
    """The seed's path, every link in place; the instance's public IP comes from ``instance`` props."""
    return {
        "vpc": Spec(VPC, {"id": "vpc-0a", "cidrBlock": "10.0.0.0/16"}),
        "igw": Spec(IGW, {"id": "igw-0a", "vpcId": "vpc-0a"}, {"vpcId": ["vpc"]}),
        "public-rt": Spec(RT, {"id": "rtb-0a", "vpcId": "vpc-0a"}, {"vpcId": ["vpc"]}),
        "default-route": Spec(
            ROUTE,
            {"id": "r-0a", "routeTableId": "rtb-0a", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"},
            {"routeTableId": ["public-rt"], "gatewayId": ["igw"]},
        ),
        "public": Spec(
            SUBNET,
            {"id": "subnet-0a", "vpcId": "vpc-0a", "cidrBlock": "10.0.1.0/24", "mapPublicIpOnLaunch": False},
            {"vpcId": ["vpc"]},
        ),
        "public-rta": Spec(
            RTA,
            {"id": "rtbassoc-0a", "subnetId": "subnet-0a", "routeTableId": "rtb-0a"},
            {"subnetId": ["public"], "routeTableId": ["public-rt"]},
        ),
        "web-sg": Spec(SG, {"id": "sg-0a", "vpcId": "vpc-0a", "ingress": [WORLD_8080]}, {"vpcId": ["vpc"]}),
        "web": Spec(
            INSTANCE,
            {"id": "i-0a", "subnetId": "subnet-0a", "vpcSecurityGroupIds": ["sg-0a"], **instance},
            {"subnetId": ["public"], "vpcSecurityGroupIds": ["web-sg"]},
        ),
    }


def first_preview(specs: dict[str, Spec]) -> dict[str, Spec]:
    """The stack as a first ``pulumi preview`` sends it: no ids, and every reference to one unknown."""
    specs = copy.deepcopy(specs)
    ids = {v for spec in specs.values() for k, v in spec.props.items() if k in ("id", "arn")}

    def blank(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return UNKNOWN if isinstance(value, str) and value in ids else value

    for spec in specs.values():
        spec.props = {k: blank(v) for k, v in spec.props.items() if k not in ("id", "arn")}
    return specs


def run(specs: dict[str, Spec], config: dict[str, Any] | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(POLICY, to_stack(specs), config)


def reported(specs: dict[str, Spec], config: dict[str, Any] | None = None) -> list[tuple[str, str | None]]:
    """Violations of the stack as given and at its first preview; both must agree."""
    found = run(specs, config)
    assert [u for _, u in run(first_preview(specs), config)] == [u for _, u in found]
    return found


WEB = urn(INSTANCE, "web")


def assert_public(found: list[tuple[str, str | None]], port: str = "tcp/8080") -> str:
    assert [u for _, u in found] == [WEB], found
    message = found[0][0]
    assert f"on {port} from 0.0.0.0/0" in message
    return message


# --- the address link: each way the instance gets a public address, and its twin -----------------


def test_instance_asks_for_a_public_ip() -> None:
    message = assert_public(reported(seed(associatePublicIpAddress=True)))
    assert message.endswith(
        "internet → igw-0a → rtb-0a (0.0.0.0/0) → subnet-0a → public IP → sg-0a tcp/8080 from 0.0.0.0/0 → instance web"
    )
    assert reported(seed(associatePublicIpAddress=False)) == []


def test_subnet_maps_public_ips_unless_the_instance_opts_out() -> None:
    specs = seed()
    specs["public"].props["mapPublicIpOnLaunch"] = True
    assert_public(reported(specs))
    specs = seed(associatePublicIpAddress=False)
    specs["public"].props["mapPublicIpOnLaunch"] = True
    assert reported(specs) == []


def test_subnet_default_is_no_public_ip() -> None:
    specs = seed()
    del specs["public"].props["mapPublicIpOnLaunch"]
    assert reported(specs) == []


def test_an_elastic_ip_association_makes_it_public() -> None:
    specs = seed()
    specs["eip-assoc"] = Spec(
        EIP_ASSOC, {"id": "eipassoc-0a", "instanceId": "i-0a", "allocationId": "eipalloc-0a"}, {"instanceId": ["web"]}
    )
    assert "→ eipassoc-0a →" in assert_public(reported(specs))
    specs = seed()
    specs["eip"] = Spec(EIP, {"id": "eipalloc-0b", "instance": "i-0a", "domain": "vpc"}, {"instance": ["web"]})
    assert_public(reported(specs))
    assert reported(seed()) == []


def test_an_elastic_ip_on_the_primary_interface_makes_it_public() -> None:
    specs = seed()
    specs["web"].props["primaryNetworkInterfaceId"] = "eni-0a"
    specs["eip"] = Spec(EIP, {"id": "eipalloc-0c", "networkInterface": "eni-0a", "domain": "vpc"})
    assert "→ eipalloc-0c →" in assert_public(run(specs))
    specs["eip"].props["networkInterface"] = "eni-0other"
    assert run(specs) == []
    # At a first preview the interface id is unknown; the dependency on the instance names it.
    specs = seed()
    specs["eip"] = Spec(EIP, {"id": "eipalloc-0c", "networkInterface": UNKNOWN}, {"networkInterface": ["web"]})
    assert_public(run(specs))


def test_an_instance_takes_its_template_s_public_ip_unless_it_says_otherwise() -> None:
    specs = seed()
    specs["lt"] = Spec(
        LT, {"id": "lt-0i", "networkInterfaces": [{"deviceIndex": 0.0, "associatePublicIpAddress": "true"}]}
    )
    specs["web"].props["launchTemplate"] = {"id": "lt-0i", "version": "$Latest"}
    specs["web"].deps["launchTemplate"] = ["lt"]
    assert_public(reported(specs))
    specs["web"].props["associatePublicIpAddress"] = False
    assert reported(specs) == []


def test_groups_by_name_and_by_id_both_count() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["quiet-sg"] = Spec(SG, {"id": "sg-0q", "name": "quiet", "vpcId": "vpc-0a", "ingress": []})
    specs["web"].props["vpcSecurityGroupIds"] = ["sg-0q"]
    specs["web"].props["securityGroups"] = ["sg-0a"]
    specs["web"].deps = {"subnetId": ["public"], "vpcSecurityGroupIds": ["quiet-sg"], "securityGroups": ["web-sg"]}
    assert_public(reported(specs))
    del specs["web"].props["securityGroups"]
    assert reported(specs) == []


# --- the route link ------------------------------------------------------------------------------


def test_nat_route_instead_of_the_gateway_is_private() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["nat"] = Spec(NAT, {"id": "nat-0a", "subnetId": "subnet-0x"})
    route = specs["default-route"]
    route.props = {**route.props, "natGatewayId": "nat-0a"}
    del route.props["gatewayId"]
    route.deps = {"routeTableId": ["public-rt"], "natGatewayId": ["nat"]}
    assert reported(specs) == []


def test_inline_routes_count_as_standalone_ones() -> None:
    specs = seed(associatePublicIpAddress=True)
    del specs["default-route"]
    specs["public-rt"].props["routes"] = [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}]
    specs["public-rt"].deps["routes"] = ["igw"]
    assert_public(reported(specs))
    specs["public-rt"].props["routes"] = [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0a"}]
    assert run(specs) == []


def test_main_route_table_applies_without_an_explicit_association() -> None:
    specs = seed(associatePublicIpAddress=True)
    del specs["public-rta"]
    # The VPC's main table as AWS creates it has only the local route.
    assert reported(specs) == []
    specs["main"] = Spec(
        DEFAULT_RT,
        {
            "id": "rtb-0main",
            "defaultRouteTableId": "rtb-0main",
            "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}],
        },
        {"defaultRouteTableId": ["vpc"], "routes": ["igw"]},
    )
    assert "rtb-0main (0.0.0.0/0)" in assert_public(reported(specs))


def test_main_table_found_through_the_vpc_default_route_table_id() -> None:
    specs = seed(associatePublicIpAddress=True)
    del specs["public-rta"]
    specs["vpc"].props["defaultRouteTableId"] = "rtb-0main"
    specs["main"] = Spec(
        DEFAULT_RT,
        {
            "id": "rtb-0main",
            "defaultRouteTableId": "rtb-0main",
            "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}],
        },
        {"routes": ["igw"]},
    )
    assert "rtb-0main (0.0.0.0/0)" in assert_public(run(specs))
    specs["vpc"].props["defaultRouteTableId"] = "rtb-0else"
    assert run(specs) == []


def test_main_route_table_association_replaces_the_main_table() -> None:
    specs = seed(associatePublicIpAddress=True)
    del specs["public-rta"]
    specs["main-rta"] = Spec(
        MAIN_RTA,
        {"id": "rtbassoc-0m", "vpcId": "vpc-0a", "routeTableId": "rtb-0a"},
        {"vpcId": ["vpc"], "routeTableId": ["public-rt"]},
    )
    assert_public(reported(specs))


def test_gateway_attached_through_an_attachment() -> None:
    specs = seed(associatePublicIpAddress=True)
    del specs["igw"].props["vpcId"]
    specs["igw"].deps = {}
    assert reported(specs) == []  # a detached gateway carries nothing
    specs["igw-attach"] = Spec(
        IGW_ATTACHMENT,
        {"id": "igw-0a:vpc-0a", "internetGatewayId": "igw-0a", "vpcId": "vpc-0a"},
        {"internetGatewayId": ["igw"], "vpcId": ["vpc"]},
    )
    assert_public(reported(specs))


def test_gateway_of_another_vpc_carries_nothing() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["other-vpc"] = Spec(VPC, {"id": "vpc-0b", "cidrBlock": "10.1.0.0/16"})
    specs["igw"].props["vpcId"] = "vpc-0b"
    specs["igw"].deps = {"vpcId": ["other-vpc"]}
    assert reported(specs) == []


def test_ipv6_route_source_and_address() -> None:
    specs = seed(ipv6AddressCount=1.0)
    specs["web-sg"].props["ingress"] = [{**WORLD_8080, "cidrBlocks": [], "ipv6CidrBlocks": ["::/0"]}]
    # No ::/0 route yet: the IPv4 default route does not carry IPv6.
    assert reported(specs) == []
    specs["v6-route"] = Spec(
        ROUTE,
        {"id": "r-0b", "routeTableId": "rtb-0a", "destinationIpv6CidrBlock": "::/0", "gatewayId": "igw-0a"},
        {"routeTableId": ["public-rt"], "gatewayId": ["igw"]},
    )
    [(message, where)] = reported(specs)
    assert where == WEB and "from ::/0" in message and "public IPv6 address" in message
    specs["web"].props["ipv6AddressCount"] = 0.0
    assert reported(specs) == []


# --- network ACL ---------------------------------------------------------------------------------


def test_a_nacl_deny_closes_the_path() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["acl"] = Spec(
        NACL,
        {
            "id": "acl-0a",
            "vpcId": "vpc-0a",
            "subnetIds": ["subnet-0a"],
            "ingress": [
                {
                    "ruleNo": 100.0,
                    "action": "deny",
                    "protocol": "tcp",
                    "fromPort": 8080.0,
                    "toPort": 8080.0,
                    "cidrBlock": "0.0.0.0/0",
                },
                {
                    "ruleNo": 200.0,
                    "action": "allow",
                    "protocol": "-1",
                    "fromPort": 0.0,
                    "toPort": 0.0,
                    "cidrBlock": "0.0.0.0/0",
                },
            ],
        },
        {"vpcId": ["vpc"], "subnetIds": ["public"]},
    )
    assert reported(specs) == []
    specs["acl"].props["ingress"][0]["ruleNo"] = 300.0  # the allow now comes first
    assert "acl-0a" in assert_public(reported(specs))


def test_a_standalone_nacl_rule_is_read() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["acl"] = Spec(
        NACL, {"id": "acl-0a", "vpcId": "vpc-0a", "subnetIds": ["subnet-0a"]}, {"subnetIds": ["public"]}
    )
    assert reported(specs) == []  # a custom ACL with no rule denies everything
    specs["allow"] = Spec(
        NACL_RULE,
        {
            "id": "nacl-r",
            "networkAclId": "acl-0a",
            "ruleNumber": 100.0,
            "egress": False,
            "protocol": "6",
            "ruleAction": "allow",
            "cidrBlock": "0.0.0.0/0",
            "fromPort": 8000.0,
            "toPort": 8100.0,
        },
        {"networkAclId": ["acl"]},
    )
    assert_public(reported(specs))


# --- security group ------------------------------------------------------------------------------


def test_private_sources_do_not_expose() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["web-sg"].props["ingress"] = [{**WORLD_8080, "cidrBlocks": ["10.0.0.0/8", "100.64.0.0/10", "192.168.0.0/16"]}]
    assert reported(specs) == []


def test_the_internet_split_in_halves_in_a_standalone_rule_last() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["web-sg"].props["ingress"] = [{**WORLD_8080, "cidrBlocks": ["10.0.0.0/8"]}]
    for i, half in enumerate(("0.0.0.0/1", "128.0.0.0/1")):
        specs[f"half-{i}"] = Spec(
            VPC_RULE,
            {
                "id": f"sgr-{i}",
                "securityGroupId": "sg-0a",
                "ipProtocol": "tcp",
                "fromPort": 8080.0,
                "toPort": 8080.0,
                "cidrIpv4": half,
            },
            {"securityGroupId": ["web-sg"]},
        )
    found = reported(specs)
    assert [u for _, u in found] == [WEB] and "0.0.0.0/1, 128.0.0.0/1" in found[0][0]


def test_the_lab_exposure_is_allowed_and_a_wider_one_is_not() -> None:
    specs = seed(associatePublicIpAddress=True)
    specs["web-sg"].props["ingress"] = [
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["203.0.113.10/32"]}
    ]
    assert reported(specs) == []
    specs["web-sg"].props["ingress"][0]["cidrBlocks"] = ["203.0.113.0/31"]
    assert "tcp/22 from 203.0.113.0/31" in reported(specs)[0][0]


def test_allowed_config_is_honoured() -> None:
    specs = seed(associatePublicIpAddress=True)
    allow = {"allowed": [{"resource": "instance", "protocol": "tcp", "ports": [8080], "sources": ["anywhere"]}]}
    assert run(specs, allow) == []
    named = {"allowed": [{**allow["allowed"][0], "names": ["other"]}]}
    assert [u for _, u in run(specs, named)] == [WEB]
    narrow = {"allowed": [{**allow["allowed"][0], "sources": ["198.51.100.0/24"]}]}
    assert [u for _, u in run(specs, narrow)] == [WEB]
    wrong_kind = {"allowed": [{**allow["allowed"][0], "resource": "loadBalancer"}]}
    assert [u for _, u in run(specs, wrong_kind)] == [WEB]


# --- subnets outside the stack (the lab's useDefaultVpc mode) -------------------------------------


def test_an_outside_subnet_is_a_default_vpc_subnet() -> None:
    specs = seed()
    specs["web"].props["subnetId"] = "subnet-0default"
    specs["web"].deps = {"vpcSecurityGroupIds": ["web-sg"]}
    message = assert_public(run(specs))
    assert "subnet-0default (outside this stack" in message
    specs["web"].props["associatePublicIpAddress"] = False
    assert run(specs) == []


# --- load balancers ------------------------------------------------------------------------------


def with_load_balancer(internal: bool, listener_port: float, group_ports: tuple[float, float]) -> dict[str, Spec]:
    specs = seed()
    del specs["web"]
    specs["lb-sg"] = Spec(
        SG,
        {
            "id": "sg-0lb",
            "vpcId": "vpc-0a",
            "ingress": [{**WORLD_8080, "fromPort": group_ports[0], "toPort": group_ports[1]}],
        },
    )
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/1"
    specs["lb"] = Spec(
        LB,
        {"id": arn, "arn": arn, "internal": internal, "subnets": ["subnet-0a"], "securityGroups": ["sg-0lb"]},
        {"subnets": ["public"], "securityGroups": ["lb-sg"]},
    )
    specs["listener"] = Spec(
        LISTENER,
        {"id": "arn:listener/1", "loadBalancerArn": arn, "port": listener_port, "protocol": "HTTP"},
        {"loadBalancerArn": ["lb"]},
    )
    return specs


def test_load_balancer_exposes_only_listener_ports() -> None:
    found = reported(with_load_balancer(False, 8080.0, (0.0, 65535.0)))
    assert [u for _, u in found] == [urn(LB, "lb")] and "on tcp/8080 from 0.0.0.0/0" in found[0][0]
    assert "listener listener" in found[0][0]
    assert reported(with_load_balancer(False, 80.0, (0.0, 65535.0))) == []  # allowed by default
    assert reported(with_load_balancer(False, 8080.0, (443.0, 443.0))) == []  # the group closes 8080


def test_internal_load_balancer_exposes_nothing() -> None:
    assert reported(with_load_balancer(True, 8080.0, (0.0, 65535.0))) == []


# --- Auto Scaling groups -------------------------------------------------------------------------


def with_asg(associate: str | None) -> dict[str, Spec]:
    specs = seed()
    del specs["web"]
    interface: dict[str, Any] = {"deviceIndex": 0.0, "securityGroups": ["sg-0a"]}
    if associate is not None:
        interface["associatePublicIpAddress"] = associate
    specs["lt"] = Spec(LT, {"id": "lt-0a", "networkInterfaces": [interface]}, {"networkInterfaces": ["web-sg"]})
    specs["asg"] = Spec(
        ASG,
        {"id": "asg", "vpcZoneIdentifiers": ["subnet-0a"], "launchTemplate": {"id": "lt-0a", "version": "$Latest"}},
        {"vpcZoneIdentifiers": ["public"], "launchTemplate": ["lt"]},
    )
    return specs


def test_asg_instances_through_their_template() -> None:
    found = reported(with_asg("true"))
    assert [u for _, u in found] == [urn(ASG, "asg")] and "instances of autoscaling group asg" in found[0][0]
    assert reported(with_asg("false")) == []
    assert reported(with_asg(None)) == []  # the subnet does not map public IPs
    specs = with_asg(None)
    specs["public"].props["mapPublicIpOnLaunch"] = True
    assert [u for _, u in reported(specs)] == [urn(ASG, "asg")]


# --- what cannot be traced -----------------------------------------------------------------------


def test_network_interfaces_fail_closed() -> None:
    specs = seed()
    specs["web"].props["networkInterfaces"] = [{"deviceIndex": 0.0, "networkInterfaceId": "eni-0a"}]
    [(message, where)] = run(specs)
    assert where == WEB and "cannot trace" in message


def test_unknown_subnet_among_disagreeing_candidates_cannot_run() -> None:
    specs = first_preview(seed(associatePublicIpAddress=True))
    specs["private"] = Spec(SUBNET, {"vpcId": UNKNOWN, "mapPublicIpOnLaunch": False}, {"vpcId": ["vpc"]})
    specs["web"].deps["subnetId"] = ["public", "private"]
    with pytest.raises(UnknownValueError):
        run(specs)


def test_unknown_subnet_among_agreeing_candidates_decides() -> None:
    specs = first_preview(seed(associatePublicIpAddress=True))
    specs["public-2"] = copy.deepcopy(specs["public"])
    specs["public-2-rta"] = Spec(
        RTA, {"subnetId": UNKNOWN, "routeTableId": UNKNOWN}, {"subnetId": ["public-2"], "routeTableId": ["public-rt"]}
    )
    specs["web"].deps["subnetId"] = ["public", "public-2"]
    [(message, where)] = run(specs)
    assert where == WEB and "(one of 2 subnets subnetId is built from)" in message


def test_network_load_balancer_without_groups_exposes_its_listeners() -> None:
    specs = with_load_balancer(False, 53.0, (0.0, 0.0))
    del specs["lb"].props["securityGroups"]
    specs["lb"].props["loadBalancerType"] = "network"
    specs["lb"].deps = {"subnets": ["public"]}
    specs["listener"].props["protocol"] = "UDP"
    found = reported(specs)
    assert [u for _, u in found] == [urn(LB, "lb")] and "on udp/53 from anywhere" in found[0][0]
    specs["lb"].props["internal"] = True
    assert reported(specs) == []


def test_classic_load_balancer_listeners() -> None:
    specs = seed()
    del specs["web"]
    elb = "aws:elb/loadBalancer:LoadBalancer"
    specs["elb-sg"] = Spec(
        SG, {"id": "sg-0e", "vpcId": "vpc-0a", "ingress": [{**WORLD_8080, "fromPort": 0.0, "toPort": 65535.0}]}
    )
    specs["elb"] = Spec(
        elb,
        {
            "id": "elb",
            "subnets": ["subnet-0a"],
            "securityGroups": ["sg-0e"],
            "listeners": [{"lbPort": 25.0, "lbProtocol": "tcp", "instancePort": 25.0, "instanceProtocol": "tcp"}],
        },
        {"subnets": ["public"], "securityGroups": ["elb-sg"]},
    )
    found = reported(specs)
    assert [u for _, u in found] == [urn(elb, "elb")] and "on tcp/25 from 0.0.0.0/0" in found[0][0]
    specs["elb"].props["internal"] = True
    assert reported(specs) == []

"""Reading a stack into reachability links (:mod:`guardrails.network.reach`): each form AWS offers, and its twin.

Every test starts from the seed of ``test_network_internet_exposure`` (VPC, attached Internet Gateway,
route table sending 0.0.0.0/0 to it, subnet, group, instance) and changes one way a link is declared:
network ACL rules inline and standalone, unreadable rules failing closed, load balancer address types
and listeners, default security groups, prefix lists and launch-template groups. The oracle is the
exposure list ``stack_reach`` returns: protocol, ports, networks and the path a message prints.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from guardrails import reachability as r
from guardrails.network.reach import stack_reach
from guardrails.stackgraph import StackGraph
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, _options, _wrap
from tests.policies.network_fixtures import Spec, to_stack, urn
from tests.policies.test_network_internet_exposure import (
    ASG,
    INSTANCE,
    LB,
    LISTENER,
    LT,
    NACL,
    NACL_RULE,
    ROUTE,
    SG,
    WORLD_8080,
    first_preview,
    seed,
)

ELB = "aws:elb/loadBalancer:LoadBalancer"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NACL_ASSOC = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
LC = "aws:ec2/launchConfiguration:LaunchConfiguration"
EVERY_TCP = {"protocol": "tcp", "fromPort": 0.0, "toPort": 65535.0, "cidrBlocks": ["0.0.0.0/0"]}
EVERY_V6_TCP = {"protocol": "tcp", "fromPort": 0.0, "toPort": 65535.0, "ipv6CidrBlocks": ["::/0"]}
EVERY_UDP = {"protocol": "udp", "fromPort": 0.0, "toPort": 65535.0, "cidrBlocks": ["0.0.0.0/0"]}
PUBLIC_V4 = tuple(str(n) for n in r.public_part(r.ANY_IPV4))


def graph(specs: dict[str, Spec]) -> StackGraph:
    resources = to_stack(specs)
    built = {
        res.urn: PolicyResource(res.type, _wrap(res.props), res.urn, res.name, _options(), None, None, [], {})
        for res in resources
    }
    for res in resources:
        built[res.urn].property_dependencies = {
            key: [built[u] for u in urns if u in built] for key, urns in res.property_dependencies.items()
        }
        built[res.urn].dependencies = [built[u] for u in res.dependencies if u in built]
    return StackGraph(list(built.values()))


def summary(exposures: list[r.Exposure]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(e.target.name, e.protocol, e.ports, tuple(str(n) for n in e.networks)) for e in exposures]


def reach(specs: dict[str, Spec], preview: bool = True) -> list[r.Exposure]:
    """The stack's exposures; unless ``preview`` is off, the same at its first preview (ids unknown)."""
    found = stack_reach(graph(specs))
    assert found.undecided == [], found.undecided
    if preview:
        at_preview = stack_reach(graph(first_preview(specs)))
        assert summary(at_preview.exposures) == summary(found.exposures)
        assert [u.urn for u in at_preview.undecided] == []
    return found.exposures


def exposed(specs: dict[str, Spec], preview: bool = True) -> list[tuple[str, str, str]]:
    """(resource name, protocol, ports) of every exposure, in stack order."""
    return [(e.target.name, e.protocol, e.ports) for e in reach(specs, preview)]


def sources(specs: dict[str, Spec], preview: bool = True) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(e.protocol, e.ports, tuple(str(n) for n in e.networks)) for e in reach(specs, preview)]


def open_instance(ingress: list[dict[str, Any]] | None = None) -> dict[str, Spec]:
    """The seed with a public IP and a group admitting ``ingress`` (every tcp port from the world)."""
    specs = seed(associatePublicIpAddress=True)
    specs["web-sg"].props["ingress"] = ingress if ingress is not None else [EVERY_TCP]
    return specs


# --- network ACL rules: inline, standalone, and the ones that cannot be read ------------------------


def with_acl(*ingress: dict[str, Any], **props: Any) -> dict[str, Spec]:
    specs = open_instance([{**WORLD_8080, "fromPort": 20.0, "toPort": 30.0}])
    specs["acl"] = Spec(
        NACL,
        {"id": "acl-0a", "vpcId": "vpc-0a", "subnetIds": ["subnet-0a"], "ingress": list(ingress), **props},
        {"vpcId": ["vpc"], "subnetIds": ["public"]},
    )
    return specs


def rule(number: float | None, action: str | None, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"protocol": "tcp", "fromPort": 0.0, "toPort": 65535.0, "cidrBlock": "0.0.0.0/0", **fields}
    if number is not None:
        entry["ruleNo"] = number
    if action is not None:
        entry["action"] = action
    return entry


ALLOW_REST = rule(32000.0, "allow", protocol="-1", fromPort=0.0, toPort=0.0)


def acl_ports(*ingress: dict[str, Any]) -> list[str]:
    return [ports for _, _, ports in exposed(with_acl(*ingress, ALLOW_REST))]


def test_a_deny_of_one_port_inside_the_range_cuts_it() -> None:
    assert acl_ports(rule(100.0, "deny", fromPort=25.0, toPort=25.0)) == ["20-24", "26-30"]


@pytest.mark.parametrize("action", ["deny", "DENY", " Deny "])
def test_the_deny_action_is_read_whatever_its_case_and_spaces(action: str) -> None:
    assert acl_ports(rule(100.0, action)) == []


def test_a_deny_of_every_tcp_port_from_0_to_65535_is_read() -> None:
    assert acl_ports(rule(100.0, "deny", fromPort=0.0, toPort=65535.0)) == []


def test_a_deny_of_exactly_one_port_is_read() -> None:
    assert acl_ports(rule(100.0, "deny", fromPort=20.0, toPort=20.0)) == ["21-30"]


def test_a_deny_with_an_empty_ipv4_block_and_an_ipv6_block_is_read_as_ipv6() -> None:
    # The engine reports an unset block as "": the rule names ::/0 only, so IPv4 is not denied.
    assert acl_ports(rule(100.0, "deny", cidrBlock="", ipv6CidrBlock="::/0")) == ["20-30"]


def test_an_ipv6_deny_closes_the_ipv6_path_only() -> None:
    specs = with_acl(
        rule(100.0, "deny", cidrBlock="", ipv6CidrBlock="::/0"),
        ALLOW_REST,
        rule(32001.0, "allow", cidrBlock="", ipv6CidrBlock="::/0"),
    )
    specs["web-sg"].props["ingress"] = [{**WORLD_8080, "ipv6CidrBlocks": ["::/0"]}]
    specs["web"].props["ipv6AddressCount"] = 1.0
    specs["v6-route"] = Spec(
        ROUTE,
        {"id": "r-0b", "routeTableId": "rtb-0a", "destinationIpv6CidrBlock": "::/0", "gatewayId": "igw-0a"},
        {"routeTableId": ["public-rt"], "gatewayId": ["igw"]},
    )
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == [4]


def test_an_icmp_deny_does_not_close_tcp() -> None:
    assert acl_ports(rule(100.0, "deny", protocol="icmp", fromPort=-1.0, toPort=-1.0, icmpType=-1.0)) == ["20-30"]


def test_an_all_protocols_deny_closes_tcp_whatever_its_ports_say() -> None:
    assert acl_ports(rule(100.0, "deny", protocol="-1", fromPort=0.0, toPort=0.0)) == []


@pytest.mark.parametrize(
    "unreadable",
    [
        {"fromPort": 30.0, "toPort": 20.0},  # reversed
        {"fromPort": -1.0, "toPort": 30.0},
        {"fromPort": 20.0, "toPort": 65536.0},
        {"fromPort": None},
        {"toPort": "many"},
        {"cidrBlock": "not a cidr"},
        {"cidrBlock": "0.0.0.0/0", "ipv6CidrBlock": "::/0"},  # one rule, one block
        {"cidrBlock": None},
        {"protocol": "carrier-pigeon"},
    ],
)
def test_an_unreadable_deny_is_dropped_and_an_unreadable_allow_admits_everything(unreadable: dict[str, Any]) -> None:
    # GIVEN a deny that cannot be read before the final allow: it is dropped (the allow decides)
    assert acl_ports(rule(100.0, "deny", **unreadable)) == ["20-30"]
    # GIVEN an allow that cannot be read, then a readable deny of everything: the allow admits all
    assert acl_ports(rule(100.0, "allow", **unreadable), rule(200.0, "deny")) == ["20-30"]


def test_an_allow_without_a_rule_number_comes_before_every_numbered_rule() -> None:
    # GIVEN deny everything at rule 1, declared first, then an allow without a number
    assert acl_ports(rule(1.0, "deny"), rule(None, "allow")) == ["20-30"]


def test_an_allow_with_an_unreadable_action_keeps_its_rule_number() -> None:
    # GIVEN deny of port 25 at rule 100, then "maybe" (read as allow everything) at 300
    assert acl_ports(rule(100.0, "deny", fromPort=25.0, toPort=25.0), rule(300.0, "maybe")) == ["20-24", "26-30"]
    # and without any action at all, as allow everything at its number
    assert acl_ports(rule(100.0, "deny", fromPort=25.0, toPort=25.0), rule(300.0, None)) == ["20-24", "26-30"]


def test_an_unreadable_allow_admits_ipv6_as_well() -> None:
    specs = with_acl(rule(100.0, "allow", cidrBlock="garbage"))
    specs["web-sg"].props["ingress"] = [{**WORLD_8080, "cidrBlocks": [], "ipv6CidrBlocks": ["::/0"]}]
    specs["web"].props["ipv6AddressCount"] = 1.0
    specs["v6-route"] = Spec(
        ROUTE,
        {"id": "r-0b", "routeTableId": "rtb-0a", "destinationIpv6CidrBlock": "::/0", "gatewayId": "igw-0a"},
        {"routeTableId": ["public-rt"], "gatewayId": ["igw"]},
    )
    assert [(protocol, ports) for protocol, ports, _ in sources(specs)] == [("tcp", "8080")]


def standalone(name: str, number: float, action: str, egress: bool = False, **fields: Any) -> Spec:
    props = {
        "id": f"nacl-rule-{name}",
        "networkAclId": "acl-0a",
        "ruleNumber": number,
        "ruleAction": action,
        "egress": egress,
        "protocol": "6",
        "fromPort": 0.0,
        "toPort": 65535.0,
        "cidrBlock": "0.0.0.0/0",
        **fields,
    }
    return Spec(NACL_RULE, props, {"networkAclId": ["acl"]})


def test_standalone_rules_are_read_by_their_own_number_and_action() -> None:
    specs = with_acl()
    specs["allow"] = standalone("allow", 200.0, "allow")
    assert [ports for _, _, ports in exposed(specs)] == ["20-30"]
    specs["deny"] = standalone("deny", 100.0, "deny", fromPort=22.0, toPort=22.0)
    assert [ports for _, _, ports in exposed(specs)] == ["20-21", "23-30"]


def test_an_egress_rule_does_not_filter_what_comes_in() -> None:
    specs = with_acl()
    specs["allow"] = standalone("allow", 200.0, "allow")
    specs["deny-out"] = standalone("deny-out", 100.0, "deny", egress=True)
    assert [ports for _, _, ports in exposed(specs)] == ["20-30"]
    specs["deny-out"].props["egress"] = "false"  # the text form still reads as ingress
    assert exposed(specs) == []


def test_a_rule_of_another_acl_is_not_read() -> None:
    specs = with_acl()
    specs["other-acl"] = Spec(NACL, {"id": "acl-0b", "vpcId": "vpc-0a"}, {"vpcId": ["vpc"]})
    specs["allow"] = standalone("allow", 200.0, "allow")
    specs["allow"].props["networkAclId"] = "acl-0b"
    specs["allow"].deps = {"networkAclId": ["other-acl"]}
    assert exposed(specs) == []


def test_the_acl_appears_in_the_path_by_its_id() -> None:
    [exposure] = reach(with_acl(ALLOW_REST))
    assert "→ subnet-0a → acl-0a → public IP →" in exposure.narrative()
    assert urn(NACL, "acl") in exposure.path_urns()


def test_an_acl_association_and_the_vpc_default_acl() -> None:
    specs = with_acl(rule(100.0, "deny"))
    del specs["acl"].props["subnetIds"]
    specs["acl"].deps = {"vpcId": ["vpc"]}
    assert exposed(specs) != []  # no ACL on the subnet: AWS's default ACL admits all
    specs["default-acl"] = Spec(
        DEFAULT_NACL,
        {"id": "acl-0def", "defaultNetworkAclId": "acl-0def", "ingress": [rule(100.0, "deny")]},
        {"defaultNetworkAclId": ["vpc"]},
    )
    assert exposed(specs) == []  # the VPC's default ACL, as the stack declares it, denies
    specs["default-acl"].props["ingress"] = [ALLOW_REST]
    assert exposed(specs) != []
    specs["assoc"] = Spec(
        NACL_ASSOC,
        {"id": "aclassoc-0a", "networkAclId": "acl-0a", "subnetId": "subnet-0a"},
        {"networkAclId": ["acl"], "subnetId": ["public"]},
    )
    assert exposed(specs) == []  # the association puts the denying ACL on the subnet


def test_the_default_acl_found_through_the_vpc_s_default_acl_id() -> None:
    specs = open_instance()
    specs["vpc"].props["defaultNetworkAclId"] = "acl-0def"
    specs["default-acl"] = Spec(DEFAULT_NACL, {"id": "acl-0def", "defaultNetworkAclId": "acl-0def", "ingress": []})
    assert exposed(specs, preview=False) == []
    specs["vpc"].props["defaultNetworkAclId"] = "acl-0other"
    assert exposed(specs, preview=False) != []


# --- load balancers: type, address type, subnets, listeners ------------------------------------------


ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/1"


def balancer(
    listeners: list[dict[str, Any]] | None = None, ingress: list[dict[str, Any]] | None = None, **props: Any
) -> dict[str, Spec]:
    specs = open_instance()
    del specs["web"]
    specs["lb-sg"] = Spec(
        SG,
        {
            "id": "sg-0lb",
            "vpcId": "vpc-0a",
            "ingress": ingress if ingress is not None else [EVERY_TCP, EVERY_UDP, EVERY_V6_TCP],
        },
        {"vpcId": ["vpc"]},
    )
    lb_props = {"id": ARN, "arn": ARN, "subnets": ["subnet-0a"], "securityGroups": ["sg-0lb"], **props}
    deps = {"subnets": ["public"], "securityGroups": ["lb-sg"]}
    specs["lb"] = Spec(LB, {k: v for k, v in lb_props.items() if v is not None}, deps)
    for i, listener in enumerate(listeners if listeners is not None else [{"port": 8443.0, "protocol": "HTTPS"}]):
        specs[f"listener-{i}"] = Spec(
            LISTENER, {"id": f"arn:listener/{i}", "loadBalancerArn": ARN, **listener}, {"loadBalancerArn": ["lb"]}
        )
    return specs


def add_ipv6_route(specs: dict[str, Spec]) -> dict[str, Spec]:
    specs["v6-route"] = Spec(
        ROUTE,
        {"id": "r-0b", "routeTableId": "rtb-0a", "destinationIpv6CidrBlock": "::/0", "gatewayId": "igw-0a"},
        {"routeTableId": ["public-rt"], "gatewayId": ["igw"]},
    )
    return specs


def test_an_internet_facing_load_balancer_path_reads_link_by_link() -> None:
    [exposure] = reach(balancer())
    assert (exposure.target.kind, exposure.target.type, exposure.target.name) == ("loadBalancer", LB, "lb")
    assert exposure.narrative() == (
        "internet → igw-0a → rtb-0a (0.0.0.0/0) → subnet-0a → public IP (internet-facing) → "
        "sg-0lb tcp/8443 from 0.0.0.0/0 → listener listener-0 → load balancer lb"
    )
    assert exposure.path_urns() == [
        urn("aws:ec2/internetGateway:InternetGateway", "igw"),
        urn("aws:ec2/routeTable:RouteTable", "public-rt"),
        urn("aws:ec2/subnet:Subnet", "public"),
        urn(SG, "lb-sg"),
        urn(LISTENER, "listener-0"),
        urn(LB, "lb"),
    ]


@pytest.mark.parametrize(
    ("listener", "expected"),
    [
        ({"port": 8443.0}, [("tcp", "8443")]),  # an ALB listener without a protocol is HTTP
        ({"port": 53.0, "protocol": "udp"}, [("udp", "53")]),
        ({"port": 53.0, "protocol": "TCP_UDP"}, [("tcp", "53"), ("udp", "53")]),
        ({"port": 53.0, "protocol": "quic"}, [("tcp", "53"), ("udp", "53")]),  # unreadable: both
        ({"port": 6081.0, "protocol": "GENEVE"}, []),
        ({"port": 65535.0, "protocol": "TLS"}, [("tcp", "65535")]),
        ({"port": 0.0, "protocol": "TCP"}, [("tcp", "0")]),
        ({"port": 65536.0, "protocol": "TCP"}, [("tcp", "0-65535")]),  # unreadable port: every port
        ({"port": -1.0, "protocol": "TCP"}, [("tcp", "0-65535")]),
    ],
)
def test_listener_protocols_and_ports(listener: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    found = [(protocol, ports) for _, protocol, ports in exposed(balancer([listener]))]
    assert found == expected


def test_a_network_load_balancer_listener_without_a_protocol_is_tcp() -> None:
    specs = balancer([{"port": 8443.0}], loadBalancerType="network")
    assert [(protocol, ports) for _, protocol, ports in exposed(specs)] == [("tcp", "8443")]


def test_a_load_balancer_without_listeners_answers_nothing() -> None:
    assert exposed(balancer([])) == []


def test_a_listener_of_another_load_balancer_does_not_count() -> None:
    specs = balancer([])
    other = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/2"
    specs["other"] = Spec(LB, {"id": other, "arn": other, "internal": True})
    specs["other-listener"] = Spec(
        LISTENER, {"id": "arn:listener/o", "loadBalancerArn": other, "port": 8443.0}, {"loadBalancerArn": ["other"]}
    )
    assert exposed(specs) == []


@pytest.mark.parametrize(
    ("address_type", "families"),
    [
        (None, [4]),
        ("ipv4", [4]),
        ("dualstack", [4, 6]),
        (" DualStack ", [4, 6]),
        ("dualstack-without-public-ipv4", [6]),
    ],
)
def test_the_address_type_decides_which_families_reach_a_load_balancer(
    address_type: str | None, families: list[int]
) -> None:
    specs = add_ipv6_route(balancer(ipAddressType=address_type))
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == families


@pytest.mark.parametrize("kind", ["gateway", "Gateway"])
def test_a_gateway_load_balancer_answers_no_one(kind: str) -> None:
    assert exposed(balancer([{"port": 80.0, "protocol": "TCP"}], loadBalancerType=kind)) == []


@pytest.mark.parametrize("internal", [True, "true"])
def test_an_internal_load_balancer_answers_no_one(internal: Any) -> None:
    assert exposed(balancer(internal=internal)) == []
    assert exposed(balancer(internal=False)) != []


def test_an_application_load_balancer_without_groups_gets_the_vpc_default_group() -> None:
    specs = balancer(securityGroups=None)
    specs["lb"].deps = {"subnets": ["public"]}
    assert exposed(specs) == []  # AWS's default group admits only its members
    specs["default-sg"] = Spec(
        DEFAULT_SG, {"id": "sg-0def", "vpcId": "vpc-0a", "ingress": [EVERY_TCP]}, {"vpcId": ["vpc"]}
    )
    [exposure] = reach(specs)
    assert "sg-0def tcp/8443 from 0.0.0.0/0" in exposure.narrative()


def test_a_network_load_balancer_without_groups_filters_nothing() -> None:
    specs = balancer([{"port": 8443.0, "protocol": "TCP"}], securityGroups=None, loadBalancerType=" Network ")
    specs["lb"].deps = {"subnets": ["public"]}
    [exposure] = reach(specs)
    assert "no security group tcp/8443 from anywhere" in exposure.narrative()


def test_subnet_mappings_place_a_load_balancer_like_subnets() -> None:
    specs = balancer(subnets=None, subnetMappings=[{"subnetId": "subnet-0a"}])
    specs["lb"].deps = {"subnetMappings": ["public"], "securityGroups": ["lb-sg"]}
    [exposure] = reach(specs)
    assert "→ subnet-0a →" in exposure.narrative()
    # A mapping to a private subnet (no route to the gateway) is not exposed.
    del specs["public-rta"]
    assert exposed(specs) == []


def test_a_load_balancer_without_subnets_is_in_a_default_vpc_subnet() -> None:
    specs = balancer(subnets=None)
    specs["lb"].deps = {"securityGroups": ["lb-sg"]}
    [exposure] = reach(specs)
    assert "a default subnet (outside this stack: a default-VPC subnet assumed)" in exposure.narrative()


def classic(listeners: list[dict[str, Any]], **props: Any) -> dict[str, Spec]:
    specs = open_instance()
    del specs["web"]
    specs["elb-sg"] = Spec(
        SG, {"id": "sg-0e", "vpcId": "vpc-0a", "ingress": [EVERY_TCP, EVERY_UDP]}, {"vpcId": ["vpc"]}
    )
    specs["elb"] = Spec(
        ELB,
        {"id": "elb", "subnets": ["subnet-0a"], "securityGroups": ["sg-0e"], "listeners": listeners, **props},
        {"subnets": ["public"], "securityGroups": ["elb-sg"]},
    )
    return specs


def test_a_classic_load_balancer_path_reads_link_by_link() -> None:
    [exposure] = reach(classic([{"lbPort": 25.0, "lbProtocol": "tcp", "instancePort": 25.0}]))
    assert (exposure.target.kind, exposure.target.type, exposure.target.name) == ("loadBalancer", ELB, "elb")
    assert exposure.narrative() == (
        "internet → igw-0a → rtb-0a (0.0.0.0/0) → subnet-0a → public IP (internet-facing) → "
        "sg-0e tcp/25 from 0.0.0.0/0 → listeners[0] → classic load balancer elb"
    )
    assert exposure.path_urns()[-2:] == [urn(SG, "elb-sg"), urn(ELB, "elb")]


@pytest.mark.parametrize(
    ("listener", "expected"),
    [
        ({"lbPort": 443.0, "lbProtocol": "HTTPS"}, [("tcp", "443")]),
        ({"lbPort": 443.0}, [("tcp", "443")]),  # no protocol: TCP
        ({"lbPort": 443.0, "lbProtocol": "tcpp"}, [("tcp", "443"), ("udp", "443")]),  # unreadable: both
    ],
)
def test_classic_listener_protocols(listener: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert [(protocol, ports) for _, protocol, ports in exposed(classic([listener]))] == expected


def test_a_classic_load_balancer_without_subnets_or_groups() -> None:
    specs = classic([{"lbPort": 443.0, "lbProtocol": "HTTPS"}])
    del specs["elb"].props["subnets"]
    specs["elb"].deps = {"securityGroups": ["elb-sg"]}
    [exposure] = reach(specs)
    assert "outside this stack: a default-VPC subnet assumed" in exposure.narrative()
    specs = classic([{"lbPort": 443.0, "lbProtocol": "HTTPS"}])
    del specs["elb"].props["securityGroups"]
    specs["elb"].deps = {"subnets": ["public"]}
    assert exposed(specs) == []  # the VPC's default group, as AWS creates it
    specs["default-sg"] = Spec(
        DEFAULT_SG, {"id": "sg-0def", "vpcId": "vpc-0a", "ingress": [EVERY_TCP]}, {"vpcId": ["vpc"]}
    )
    assert [(protocol, ports) for _, protocol, ports in exposed(specs)] == [("tcp", "443")]


def test_an_internal_classic_load_balancer_answers_no_one() -> None:
    assert exposed(classic([{"lbPort": 443.0}], internal=True)) == []


# --- security groups: the VPC default group, prefix lists, groups outside the stack ---------------------


def test_an_instance_without_groups_gets_its_vpc_default_group() -> None:
    specs = open_instance()
    del specs["web"].props["vpcSecurityGroupIds"]
    specs["web"].deps = {"subnetId": ["public"]}
    assert exposed(specs) == []
    specs["default-sg"] = Spec(
        DEFAULT_SG, {"id": "sg-0def", "vpcId": "vpc-0a", "ingress": [EVERY_TCP]}, {"vpcId": ["vpc"]}
    )
    [exposure] = reach(specs)
    assert "sg-0def tcp/0-65535 from 0.0.0.0/0" in exposure.narrative()
    assert urn(DEFAULT_SG, "default-sg") in exposure.path_urns()
    # The default group of another VPC does not apply.
    specs["other-vpc"] = Spec("aws:ec2/vpc:Vpc", {"id": "vpc-0b", "cidrBlock": "10.1.0.0/16"})
    specs["default-sg"].props["vpcId"] = "vpc-0b"
    specs["default-sg"].deps = {"vpcId": ["other-vpc"]}
    assert exposed(specs) == []


def prefix_list_stack(entries: list[dict[str, Any]] | None) -> dict[str, Spec]:
    specs = open_instance([{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "prefixListIds": ["pl-0a"]}])
    specs["web-sg"].deps["ingress"] = ["office"]
    if entries is not None:
        specs["office"] = Spec(
            PREFIX_LIST, {"id": "pl-0a", "addressFamily": "IPv4", "entries": entries, "maxEntries": 5.0}
        )
    return specs


def test_a_prefix_list_source_stands_for_its_entries() -> None:
    found = sources(
        prefix_list_stack([{"cidr": "198.51.100.0/24"}, {"cidr": "10.0.0.0/8"}, {"cidr": "203.0.113.9/32"}])
    )
    assert found == [("tcp", "22", ("198.51.100.0/24", "203.0.113.9/32"))]
    [exposure] = reach(prefix_list_stack([{"cidr": "198.51.100.0/24"}]))
    assert "tcp/22 from prefix list 'pl-0a' →" in exposure.narrative()


def test_a_prefix_list_of_private_entries_exposes_nothing() -> None:
    assert exposed(prefix_list_stack([{"cidr": "10.0.0.0/8"}])) == []


def test_a_prefix_list_entry_that_cannot_be_read_counts_as_everyone() -> None:
    assert sources(prefix_list_stack([{"cidr": "not a cidr"}])) == [("tcp", "22", PUBLIC_V4)]


def test_a_prefix_list_outside_the_stack_counts_as_everyone() -> None:
    [exposure] = reach(prefix_list_stack(None))
    assert [str(n) for n in exposure.networks] == list(PUBLIC_V4)
    assert "prefix list 'pl-0a' (outside this stack: entries unknown)" in exposure.narrative()


def test_a_prefix_list_named_by_a_standalone_rule() -> None:
    specs = open_instance([])
    specs["office"] = Spec(PREFIX_LIST, {"id": "pl-0a", "entries": [{"cidr": "198.51.100.0/24"}]})
    specs["ssh"] = Spec(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {
            "id": "sgr-0a",
            "securityGroupId": "sg-0a",
            "ipProtocol": "tcp",
            "fromPort": 22.0,
            "toPort": 22.0,
            "prefixListId": "pl-0a",
        },
        {"securityGroupId": ["web-sg"], "prefixListId": ["office"]},
    )
    [exposure] = reach(specs)
    assert [str(n) for n in exposure.networks] == ["198.51.100.0/24"]
    assert urn("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ssh") in exposure.path_urns()


def test_a_group_outside_the_stack_counts_as_open_to_everyone() -> None:
    specs = open_instance()
    specs["web"].props["vpcSecurityGroupIds"] = ["sg-0elsewhere"]
    specs["web"].deps = {"subnetId": ["public"]}
    assert sources(specs) == [("tcp", "0-65535", PUBLIC_V4), ("udp", "0-65535", PUBLIC_V4)]
    assert (
        "security group 'sg-0elsewhere' (outside this stack: rules unknown) tcp/0-65535 from anywhere (rules unknown)"
        in reach(specs)[0].narrative()
    )


# --- launch templates: an instance's groups from its template ------------------------------------------


def template_instance(template_props: dict[str, Any], deps: dict[str, list[str]]) -> dict[str, Spec]:
    specs = open_instance()
    specs["lt"] = Spec(LT, {"id": "lt-0a", **template_props}, deps)
    del specs["web"].props["vpcSecurityGroupIds"]
    specs["web"].props["launchTemplate"] = {"id": "lt-0a", "version": "$Latest"}
    specs["web"].deps = {"subnetId": ["public"], "launchTemplate": ["lt"]}
    return specs


def test_an_instance_without_groups_takes_its_template_s_groups() -> None:
    specs = template_instance({"vpcSecurityGroupIds": ["sg-0a"]}, {"vpcSecurityGroupIds": ["web-sg"]})
    [exposure] = reach(specs)
    assert "sg-0a tcp/0-65535 from 0.0.0.0/0" in exposure.narrative()
    specs["web-sg"].props["ingress"] = []
    assert exposed(specs) == []


def test_an_instance_whose_template_is_outside_the_stack_counts_as_open() -> None:
    specs = template_instance({}, {})
    del specs["lt"]
    specs["web"].props["launchTemplate"] = {"name": "shared-template"}
    specs["web"].deps = {"subnetId": ["public"]}
    assert [(protocol, ports) for _, protocol, ports in exposed(specs)] == [("tcp", "0-65535"), ("udp", "0-65535")]
    assert "security group 'shared-template' (outside this stack: rules unknown)" in reach(specs)[0].narrative()


# --- Auto Scaling groups: their launch template or configuration decides address and groups ---------------


def asg(interface: dict[str, Any] | None = None, **template: Any) -> dict[str, Spec]:
    specs = open_instance()
    del specs["web"]
    props: dict[str, Any] = {"id": "lt-0a", **template}
    deps: dict[str, list[str]] = {}
    if interface is not None:
        props["networkInterfaces"] = [{"deviceIndex": 0.0, **interface}]
        deps["networkInterfaces"] = ["web-sg"] if "securityGroups" in interface else []
    specs["lt"] = Spec(LT, props, deps)
    specs["asg"] = Spec(
        ASG,
        {"id": "asg", "vpcZoneIdentifiers": ["subnet-0a"], "launchTemplate": {"id": "lt-0a", "version": "$Latest"}},
        {"vpcZoneIdentifiers": ["public"], "launchTemplate": ["lt"]},
    )
    return specs


def test_an_auto_scaling_group_path_names_its_template_and_itself() -> None:
    [exposure] = reach(asg({"associatePublicIpAddress": "true", "securityGroups": ["sg-0a"]}))
    assert (exposure.target.kind, exposure.target.type, exposure.target.name) == ("instance", ASG, "asg")
    assert exposure.narrative() == (
        "internet → igw-0a → rtb-0a (0.0.0.0/0) → subnet-0a → public IP (from lt-0a) → "
        "sg-0a tcp/0-65535 from 0.0.0.0/0 → instances of autoscaling group asg"
    )
    assert exposure.path_urns()[-3:] == [urn(LT, "lt"), urn(SG, "web-sg"), urn(ASG, "asg")]


def test_an_auto_scaling_group_whose_template_names_no_group_gets_the_vpc_default_group() -> None:
    specs = asg({"associatePublicIpAddress": "true"})
    assert exposed(specs) == []
    specs["default-sg"] = Spec(
        DEFAULT_SG, {"id": "sg-0def", "vpcId": "vpc-0a", "ingress": [EVERY_TCP]}, {"vpcId": ["vpc"]}
    )
    [exposure] = reach(specs)
    assert "sg-0def tcp/0-65535" in exposure.narrative()


@pytest.mark.parametrize(
    ("template_ipv6", "subnet_ipv6", "families"),
    [(False, False, [4]), (True, False, [4, 6]), (False, True, [4, 6]), (True, True, [4, 6])],
)
def test_an_auto_scaling_group_gets_ipv6_from_its_template_or_its_subnet(
    template_ipv6: bool, subnet_ipv6: bool, families: list[int]
) -> None:
    interface: dict[str, Any] = {"associatePublicIpAddress": "true", "securityGroups": ["sg-0a"]}
    if template_ipv6:
        interface["ipv6AddressCount"] = 1.0
    specs = add_ipv6_route(asg(interface))
    specs["public"].props["assignIpv6AddressOnCreation"] = subnet_ipv6
    specs["web-sg"].props["ingress"] = [EVERY_TCP, EVERY_V6_TCP]
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == families


def test_an_auto_scaling_group_launching_from_outside_the_stack_cannot_be_traced() -> None:
    specs = asg({"associatePublicIpAddress": "true", "securityGroups": ["sg-0a"]})
    del specs["lt"]
    specs["asg"].props["launchTemplate"] = {"id": "lt-0shared"}
    specs["asg"].deps = {"vpcZoneIdentifiers": ["public"]}
    found = stack_reach(graph(specs))
    assert found.exposures == []
    assert [(u.urn, u.message) for u in found.undecided] == [
        (
            urn(ASG, "asg"),
            f"{ASG} 'asg' launches from what this analysis cannot read "
            "(launch template 'lt-0shared' is outside this stack)",
        )
    ]


def test_an_auto_scaling_group_launching_from_nothing_cannot_be_traced() -> None:
    specs = asg({"associatePublicIpAddress": "true"})
    del specs["asg"].props["launchTemplate"]
    specs["asg"].deps = {"vpcZoneIdentifiers": ["public"]}
    [undecided] = stack_reach(graph(specs)).undecided
    assert undecided.urn == urn(ASG, "asg")
    assert undecided.message.endswith("launches from what this analysis cannot read (none)")


def test_an_auto_scaling_group_with_a_launch_configuration() -> None:
    specs = asg()
    del specs["lt"]
    specs["lc"] = Spec(
        LC,
        {"id": "lc-0a", "associatePublicIpAddress": True, "securityGroups": ["sg-0a"]},
        {"securityGroups": ["web-sg"]},
    )
    specs["asg"].props = {"id": "asg", "vpcZoneIdentifiers": ["subnet-0a"], "launchConfiguration": "lc-0a"}
    specs["asg"].deps = {"vpcZoneIdentifiers": ["public"], "launchConfiguration": ["lc"]}
    [exposure] = reach(specs)
    assert "public IP (from lc-0a)" in exposure.narrative()
    specs["lc"].props["associatePublicIpAddress"] = False
    assert exposed(specs) == []
    specs["lc"].props["associatePublicIpAddress"] = "maybe"  # unreadable: fails closed as public
    assert exposed(specs) != []


# --- the graph's memo: each table, ACL and subnet read for itself -------------------------------------------


def test_two_instances_in_subnets_with_different_tables_and_acls_are_judged_apart() -> None:
    specs = open_instance()
    specs["private"] = Spec(
        "aws:ec2/subnet:Subnet", {"id": "subnet-0b", "vpcId": "vpc-0a", "cidrBlock": "10.0.2.0/24"}, {"vpcId": ["vpc"]}
    )
    specs["private-rt"] = Spec("aws:ec2/routeTable:RouteTable", {"id": "rtb-0b", "vpcId": "vpc-0a"}, {"vpcId": ["vpc"]})
    specs["private-rta"] = Spec(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        {"id": "rtbassoc-0b", "subnetId": "subnet-0b", "routeTableId": "rtb-0b"},
        {"subnetId": ["private"], "routeTableId": ["private-rt"]},
    )
    specs["private-acl"] = Spec(
        NACL, {"id": "acl-0b", "vpcId": "vpc-0a", "subnetIds": ["subnet-0b"], "ingress": []}, {"subnetIds": ["private"]}
    )
    specs["public-acl"] = Spec(
        NACL,
        {"id": "acl-0a", "vpcId": "vpc-0a", "subnetIds": ["subnet-0a"], "ingress": [ALLOW_REST]},
        {"subnetIds": ["public"]},
    )
    specs["db"] = Spec(
        INSTANCE,
        {"id": "i-0b", "subnetId": "subnet-0b", "vpcSecurityGroupIds": ["sg-0a"], "associatePublicIpAddress": True},
        {"subnetId": ["private"], "vpcSecurityGroupIds": ["web-sg"]},
    )
    assert [name for name, _, _ in exposed(specs)] == ["web"]
    specs["private-acl"].props["ingress"] = [ALLOW_REST]
    assert [name for name, _, _ in exposed(specs)] == ["web"]  # its table has no route to the gateway
    specs["private-acl"].props["ingress"] = []
    # With the private subnet routed to the gateway too, its empty ACL still closes it.
    specs["private-rta"].props["routeTableId"] = "rtb-0a"
    specs["private-rta"].deps["routeTableId"] = ["public-rt"]
    assert [name for name, _, _ in exposed(specs)] == ["web"]
    specs["private-acl"].props["ingress"] = [ALLOW_REST]
    assert [name for name, _, _ in exposed(specs)] == ["web", "db"]


# --- route tables: every form a route to the gateway takes ---------------------------------------------------


def inline_routes(*routes: dict[str, Any]) -> dict[str, Spec]:
    specs = open_instance()
    del specs["default-route"]
    specs["public-rt"].props["routes"] = list(routes)
    specs["public-rt"].deps["routes"] = ["igw"]
    return specs


def route_labels(specs: dict[str, Spec]) -> list[str]:
    return [e.narrative().split(" → ")[2] for e in reach(specs)]


def test_an_inline_ipv6_route_carries_ipv6_sources() -> None:
    specs = inline_routes({"ipv6CidrBlock": "::/0", "gatewayId": "igw-0a"})
    specs["web-sg"].props["ingress"] = [EVERY_TCP, EVERY_V6_TCP]
    specs["web"].props["ipv6Addresses"] = ["2001:db8::5"]
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == [6]
    assert route_labels(specs) == ["rtb-0a (::/0)"]


def test_an_inline_route_with_an_empty_ipv4_block_reads_its_ipv6_block() -> None:
    specs = inline_routes({"cidrBlock": "", "ipv6CidrBlock": "::/0", "gatewayId": "igw-0a"})
    assert exposed(specs) == []  # the instance has no IPv6 address and the route carries no IPv4


def test_an_inline_prefix_list_route_to_the_gateway_carries_everyone() -> None:
    specs = inline_routes({"destinationPrefixListId": "pl-0routes", "gatewayId": "igw-0a"})
    assert sources(specs) == [("tcp", "0-65535", PUBLIC_V4)]
    assert route_labels(specs) == ["rtb-0a (prefix list 'pl-0routes')"]


@pytest.mark.parametrize(
    ("entry", "label"),
    [
        ({"gatewayId": "igw-0a"}, "unreadable destination"),
        ({"cidrBlock": "garbage", "gatewayId": "igw-0a"}, "unreadable"),
    ],
)
def test_a_route_to_the_gateway_whose_destination_cannot_be_read_carries_everyone(
    entry: dict[str, Any], label: str
) -> None:
    specs = inline_routes(entry)
    assert sources(specs) == [("tcp", "0-65535", PUBLIC_V4)]
    assert route_labels(specs) == [f"rtb-0a ({label})"]


def test_a_standalone_ipv6_route_carries_ipv6_sources() -> None:
    specs = open_instance([EVERY_V6_TCP])
    specs["web"].props["ipv6AddressCount"] = 2.0
    assert exposed(specs) == []
    add_ipv6_route(specs)
    assert route_labels(specs) == ["rtb-0a (::/0)"]


def test_a_gateway_outside_the_stack_counts_only_if_its_id_reads_igw() -> None:
    specs = inline_routes({"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0elsewhere"})
    specs["public-rt"].deps["routes"] = []
    [exposure] = reach(specs)
    assert exposure.narrative().startswith("internet → igw-0elsewhere (outside this stack, assumed attached) → rtb-0a")
    specs["public-rt"].props["routes"][0]["gatewayId"] = "vgw-0elsewhere"
    assert exposed(specs) == []


def test_a_virtual_private_gateway_in_the_stack_is_not_the_internet() -> None:
    specs = inline_routes({"cidrBlock": "0.0.0.0/0", "gatewayId": "vgw-0a"})
    specs["vgw"] = Spec("aws:ec2/vpnGateway:VpnGateway", {"id": "vgw-0a", "vpcId": "vpc-0a"}, {"vpcId": ["vpc"]})
    specs["public-rt"].deps["routes"] = ["vgw"]
    assert exposed(specs) == []


def test_the_vpc_s_own_cidrs_stay_local() -> None:
    # GIVEN a VPC whose CIDR is public (BYOIP) and a group admitting a /23 around it
    specs = open_instance([{**EVERY_TCP, "cidrBlocks": ["198.51.100.0/23"]}])
    specs["vpc"].props["cidrBlock"] = "198.51.100.0/24"
    assert sources(specs) == [("tcp", "0-65535", ("198.51.101.0/24",))]
    specs["vpc"].props["cidrBlock"] = "garbage"  # unreadable: no local route
    assert sources(specs) == [("tcp", "0-65535", ("198.51.100.0/23",))]
    specs["vpc"].props["cidrBlock"] = "10.0.0.0/16"
    specs["vpc"].props["ipv6CidrBlock"] = "2001:db8::/56"
    specs["web-sg"].props["ingress"] = [{**EVERY_V6_TCP, "ipv6CidrBlocks": ["2001:db8::/55"]}]
    specs["web"].props["ipv6AddressCount"] = 1.0
    add_ipv6_route(specs)
    assert sources(specs) == [("tcp", "0-65535", ("2001:db8:0:100::/56",))]


def main_table(routes: list[dict[str, Any]], **props: Any) -> Spec:
    return Spec(
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        {"id": "rtb-0main", "defaultRouteTableId": "rtb-0main", "routes": routes, **props},
        {"defaultRouteTableId": ["vpc"], "routes": ["igw"]},
    )


def test_a_main_route_table_association_overrides_the_default_route_table() -> None:
    specs = open_instance()
    del specs["public-rta"]
    specs["main"] = main_table([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}])
    assert route_labels(specs) == ["rtb-0main (0.0.0.0/0)"]
    specs["private-rt"] = Spec("aws:ec2/routeTable:RouteTable", {"id": "rtb-0p", "vpcId": "vpc-0a"}, {"vpcId": ["vpc"]})
    specs["main-rta"] = Spec(
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        {"id": "rtbassoc-0m", "vpcId": "vpc-0a", "routeTableId": "rtb-0p"},
        {"vpcId": ["vpc"], "routeTableId": ["private-rt"]},
    )
    assert exposed(specs) == []


def test_a_default_route_table_is_tied_to_its_vpc_by_vpc_id_too() -> None:
    specs = open_instance()
    del specs["public-rta"]
    specs["main"] = main_table([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}], vpcId="vpc-0a")
    specs["main"].props["defaultRouteTableId"] = "rtb-0unmatched"
    specs["main"].deps = {"vpcId": ["vpc"], "routes": ["igw"]}
    assert route_labels(specs) == ["rtb-0main (0.0.0.0/0)"]
    del specs["main"].props["vpcId"]
    specs["main"].deps = {"routes": ["igw"]}
    assert exposed(specs, preview=False) == []  # a main table of no known VPC: AWS's own main table


def test_a_default_vpc_keeps_its_default_routes() -> None:
    specs = open_instance()
    del specs["public-rta"]
    specs["vpc"].type = "aws:ec2/defaultVpc:DefaultVpc"
    [exposure] = reach(specs)
    assert "→ the default VPC's main route table (assumed) (0.0.0.0/0) →" in exposure.narrative()
    assert exposure.narrative().startswith("internet → the default VPC's Internet Gateway (assumed) →")


def test_a_vpc_in_the_stack_keeps_a_main_table_with_the_local_route_only() -> None:
    specs = open_instance()
    del specs["public-rta"]
    assert exposed(specs) == []


# --- subnets and instances: which addresses they get --------------------------------------------------------


@pytest.mark.parametrize(
    ("subnet_type", "mapping", "public"),
    [
        ("aws:ec2/subnet:Subnet", None, False),
        ("aws:ec2/subnet:Subnet", True, True),
        ("aws:ec2/subnet:Subnet", "true", True),
        ("aws:ec2/subnet:Subnet", "maybe", True),  # unreadable: fails closed
        ("aws:ec2/defaultSubnet:DefaultSubnet", None, True),  # AWS's default subnets map public IPs
        ("aws:ec2/defaultSubnet:DefaultSubnet", False, False),
    ],
)
def test_the_subnet_decides_the_public_ip_when_the_instance_does_not(
    subnet_type: str, mapping: Any, public: bool
) -> None:
    specs = open_instance()
    del specs["web"].props["associatePublicIpAddress"]
    specs["public"].type = subnet_type
    specs["public"].props.pop("mapPublicIpOnLaunch")
    if mapping is not None:
        specs["public"].props["mapPublicIpOnLaunch"] = mapping
    assert bool(exposed(specs)) is public


@pytest.mark.parametrize(("value", "public"), [(True, True), (False, False), ("maybe", True), ("false", False)])
def test_the_instance_s_own_public_ip_setting_wins(value: Any, public: bool) -> None:
    specs = open_instance()
    specs["public"].props["mapPublicIpOnLaunch"] = not public
    specs["web"].props["associatePublicIpAddress"] = value
    assert bool(exposed(specs)) is public


@pytest.mark.parametrize(
    ("instance", "subnet", "families"),
    [
        ({}, {}, [4]),
        ({"ipv6AddressCount": 1.0}, {}, [4, 6]),
        ({"ipv6AddressCount": 0.0}, {}, [4]),
        ({"ipv6Addresses": ["2001:db8::5"]}, {}, [4, 6]),
        ({}, {"assignIpv6AddressOnCreation": "true"}, [4, 6]),
        ({}, {"assignIpv6AddressOnCreation": False}, [4]),
    ],
)
def test_an_instance_gets_ipv6_from_itself_or_its_subnet(
    instance: dict[str, Any], subnet: dict[str, Any], families: list[int]
) -> None:
    specs = add_ipv6_route(open_instance([EVERY_TCP, EVERY_V6_TCP]))
    specs["web"].props.update(instance)
    specs["public"].props.update(subnet)
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == families


def template(specs: dict[str, Spec], interfaces: list[dict[str, Any]], by: str = "id") -> dict[str, Spec]:
    specs["lt"] = Spec(LT, {"id": "lt-0i", "name": "web-lt", "networkInterfaces": interfaces})
    specs["web"].props["launchTemplate"] = {by: "lt-0i" if by == "id" else "web-lt"}
    specs["web"].deps["launchTemplate"] = ["lt"]
    return specs


@pytest.mark.parametrize(
    ("interfaces", "public"),
    [
        ([{"deviceIndex": 0.0, "associatePublicIpAddress": "true"}], True),
        ([{"associatePublicIpAddress": "true"}], True),  # no index: the primary interface
        ([{"deviceIndex": 1.0, "associatePublicIpAddress": "true"}], False),  # a secondary interface
        ([{"deviceIndex": 0.0, "associatePublicIpAddress": "maybe"}], True),  # unreadable: fails closed
        ([{"deviceIndex": 0.0, "associatePublicIpAddress": "false"}], False),
        ([{"deviceIndex": 0.0}], False),  # unset: the subnet decides, and it does not map
    ],
)
def test_an_instance_takes_its_template_s_primary_interface_setting(
    interfaces: list[dict[str, Any]], public: bool
) -> None:
    specs = template(seed(), interfaces)
    assert bool(exposed(specs)) is public


def test_a_template_named_by_name_counts_and_gives_ipv6() -> None:
    specs = add_ipv6_route(template(seed(), [{"deviceIndex": 0.0, "ipv6AddressCount": 1.0}], by="name"))
    specs["web-sg"].props["ingress"] = [EVERY_V6_TCP]
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == [6]
    specs["lt"].props["networkInterfaces"] = [{"deviceIndex": 0.0, "ipv6Addresses": ["2001:db8::7"]}]
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == [6]
    specs["lt"].props["networkInterfaces"] = [{"deviceIndex": 0.0, "ipv6AddressCount": 0.0}]
    assert exposed(specs) == []


def test_an_instance_path_names_the_instance_and_its_group() -> None:
    [exposure] = reach(open_instance())
    assert (exposure.target.kind, exposure.target.type, exposure.target.name) == ("instance", INSTANCE, "web")
    assert exposure.path_urns() == [
        urn("aws:ec2/internetGateway:InternetGateway", "igw"),
        urn("aws:ec2/routeTable:RouteTable", "public-rt"),
        urn("aws:ec2/subnet:Subnet", "public"),
        urn(SG, "web-sg"),
        urn(INSTANCE, "web"),
    ]


def test_at_the_first_preview_the_path_names_resources_by_kind_and_name() -> None:
    specs = with_acl(ALLOW_REST)
    specs["eip"] = Spec("aws:ec2/eip:Eip", {"id": "eipalloc-0a", "instance": "i-0a"}, {"instance": ["web"]})
    [exposure] = reach(first_preview(specs), preview=False)
    assert exposure.narrative() == (
        "internet → igw 'igw' → rtb 'public-rt' (0.0.0.0/0) → subnet 'public' → acl 'acl' → eip 'eip' → "
        "sg 'web-sg' tcp/20-30 from 0.0.0.0/0 → instance web"
    )


def test_an_id_too_long_or_unprintable_is_not_printed() -> None:
    specs = open_instance()
    long_igw, bad_subnet, table = "igw-" + "0" * 77, "subnet-0a\n", "r" * 80  # 81, unprintable, exactly 80
    specs["igw"].props["id"] = specs["default-route"].props["gatewayId"] = long_igw
    specs["public"].props["id"] = specs["web"].props["subnetId"] = specs["public-rta"].props["subnetId"] = bad_subnet
    specs["public-rt"].props["id"] = table
    specs["default-route"].props["routeTableId"] = specs["public-rta"].props["routeTableId"] = table
    [exposure] = reach(specs, preview=False)
    assert exposure.narrative().startswith(f"internet → igw 'igw' → {table} (0.0.0.0/0) → subnet 'public' →")


def test_an_elastic_ip_associated_to_the_primary_interface_makes_it_public() -> None:
    specs = seed()
    specs["web"].props["primaryNetworkInterfaceId"] = "eni-0a"
    specs["eip-assoc"] = Spec(
        "aws:ec2/eipAssociation:EipAssociation", {"id": "eipassoc-0a", "networkInterfaceId": "eni-0a"}
    )
    [exposure] = reach(specs, preview=False)
    assert "→ eipassoc-0a → sg-0a" in exposure.narrative()
    assert urn("aws:ec2/eipAssociation:EipAssociation", "eip-assoc") in exposure.path_urns()


def test_network_interfaces_are_reported_as_untraceable_with_the_fix() -> None:
    specs = open_instance()
    specs["web"].props["networkInterfaces"] = [{"deviceIndex": 0.0, "networkInterfaceId": "eni-0a"}]
    [undecided] = stack_reach(graph(specs)).undecided
    assert undecided.urn == urn(INSTANCE, "web")
    assert undecided.message == (
        f"{INSTANCE} 'web' attaches network interfaces, whose subnets, groups and addresses this analysis does "
        "not follow; give the instance subnetId and vpcSecurityGroupIds instead"
    )


# --- security group rules: protocols, ports and sources in the wrong family -----------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"protocol": "-1", "fromPort": 0.0, "toPort": 0.0}, [("tcp", "0-65535"), ("udp", "0-65535")]),
        ({"protocol": "icmp", "fromPort": -1.0, "toPort": -1.0}, []),
        ({"protocol": "tcp", "fromPort": 30.0, "toPort": 20.0}, [("tcp", "0-65535")]),  # unreadable ports
        ({"protocol": "udp", "fromPort": 53.0, "toPort": 53.0}, [("udp", "53")]),
    ],
)
def test_group_rule_protocols_and_ports(rule: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    specs = open_instance([{**rule, "cidrBlocks": ["0.0.0.0/0"]}])
    assert [(protocol, ports) for _, protocol, ports in exposed(specs)] == expected


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        ({"cidrBlocks": ["::/0"]}, "::/0 in the wrong address family (cidrBlocks[0])"),
        ({"ipv6CidrBlocks": ["198.51.100.0/24"]}, "198.51.100.0/24 in the wrong address family (ipv6CidrBlocks[0])"),
    ],
)
def test_a_source_in_the_wrong_address_family_counts_as_everyone(rule: dict[str, Any], label: str) -> None:
    specs = open_instance([{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, **rule}])
    [exposure] = reach(specs)
    assert [str(n) for n in exposure.networks] == list(PUBLIC_V4)
    assert f"tcp/22 from {label} → instance web" in exposure.narrative()


def standalone_group_rule(**fields: Any) -> dict[str, Spec]:
    specs = open_instance([])
    specs["rule"] = Spec(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"id": "sgr-0a", "securityGroupId": "sg-0a", "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, **fields},
        {"securityGroupId": ["web-sg"]},
    )
    return specs


def test_a_standalone_rule_s_ipv6_source_and_its_wrong_family() -> None:
    specs = add_ipv6_route(standalone_group_rule(cidrIpv6="2001:db8::/32"))
    specs["web"].props["ipv6AddressCount"] = 1.0
    assert sources(specs) == [("tcp", "22", ("2001:db8::/32",))]
    specs["rule"].props["cidrIpv6"] = "198.51.100.0/24"
    [exposure] = reach(specs)
    assert "from 198.51.100.0/24 in the wrong address family (cidrIpv6)" in exposure.narrative()
    assert exposure.path_urns()[-3:] == [
        urn(SG, "web-sg"),
        urn("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "rule"),
        urn(INSTANCE, "web"),
    ]


def test_a_source_naming_another_group_is_not_the_internet() -> None:
    specs = open_instance([{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "securityGroups": ["sg-0other"]}])
    assert exposed(specs) == []


# --- references that do not lead where they seem to ----------------------------------------------------------


def test_a_route_whose_gateway_id_is_not_text_carries_nothing() -> None:
    specs = inline_routes({"cidrBlock": "0.0.0.0/0", "gatewayId": 5.0})
    specs["public-rt"].deps["routes"] = []
    assert exposed(specs) == []


def test_a_detached_gateway_carries_nothing_even_from_a_table_of_no_known_vpc() -> None:
    specs = open_instance()
    del specs["igw"].props["vpcId"]
    specs["igw"].deps = {}
    del specs["public-rt"].props["vpcId"]
    specs["public-rt"].deps = {}
    assert exposed(specs) == []


def test_an_attachment_naming_a_vpn_gateway_does_not_make_an_internet_gateway() -> None:
    beside_the_gateway = open_instance()
    beside_the_gateway["vgw"] = Spec("aws:ec2/vpnGateway:VpnGateway", {"id": "vgw-0a"})
    beside_the_gateway["vgw-attach"] = Spec(
        "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
        {"id": "vgw-0a:vpc-0a", "internetGatewayId": "vgw-0a", "vpcId": "vpc-0a"},
        {"internetGatewayId": ["vgw"], "vpcId": ["vpc"]},
    )
    assert route_labels(beside_the_gateway) == ["rtb-0a (0.0.0.0/0)"]
    specs = inline_routes({"cidrBlock": "0.0.0.0/0", "gatewayId": "vgw-0a"})
    specs["vgw"] = Spec("aws:ec2/vpnGateway:VpnGateway", {"id": "vgw-0a"})
    specs["vgw-attach"] = Spec(
        "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
        {"id": "vgw-0a:vpc-0a", "internetGatewayId": "vgw-0a", "vpcId": "vpc-0a"},
        {"internetGatewayId": ["vgw"], "vpcId": ["vpc"]},
    )
    specs["public-rt"].deps["routes"] = ["vgw"]
    assert exposed(specs) == []


def test_a_main_route_table_association_to_a_table_outside_the_stack_is_not_followed() -> None:
    specs = open_instance()
    del specs["public-rta"]
    specs["main"] = main_table([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}])
    specs["main-rta"] = Spec(
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        {"id": "rtbassoc-0m", "vpcId": "vpc-0a", "routeTableId": "rtb-0elsewhere"},
        {"vpcId": ["vpc"]},
    )
    assert route_labels(specs) == ["rtb-0main (0.0.0.0/0)"]


def test_a_gateway_edge_association_before_the_subnet_s_association_is_passed_over() -> None:
    specs = open_instance()
    public_rta = specs.pop("public-rta")
    specs["edge-rta"] = Spec(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        {"id": "rtbassoc-0e", "gatewayId": "igw-0a", "routeTableId": "rtb-0a"},
        {"gatewayId": ["igw"], "routeTableId": ["public-rt"]},
    )
    specs["public-rta"] = public_rta
    assert route_labels(specs) == ["rtb-0a (0.0.0.0/0)"]


def test_an_empty_id_is_not_printed() -> None:
    specs = open_instance()
    specs["igw"].props["id"] = ""
    specs["default-route"].props["gatewayId"] = ""
    [exposure] = reach(specs, preview=False)
    assert exposure.narrative().startswith("internet → igw 'igw' → rtb-0a")


def test_an_elastic_ip_tied_to_the_instance_by_dependency_counts_without_its_interface_id() -> None:
    specs = seed()
    specs["eip"] = Spec(
        "aws:ec2/eip:Eip", {"id": "eipalloc-0c", "networkInterface": "eni-0a"}, {"networkInterface": ["web"]}
    )
    [exposure] = reach(specs, preview=False)
    assert "→ eipalloc-0c →" in exposure.narrative()


def test_every_exposed_resource_of_the_stack_is_reported() -> None:
    specs = open_instance()
    specs["db"] = Spec(
        INSTANCE,
        {"id": "i-0b", "subnetId": "subnet-0a", "vpcSecurityGroupIds": ["sg-0a"], "associatePublicIpAddress": True},
        {"subnetId": ["public"], "vpcSecurityGroupIds": ["web-sg"]},
    )
    assert [name for name, _, _ in exposed(specs)] == ["web", "db"]


def test_a_subnet_that_cannot_be_decided_names_the_property_at_preview() -> None:
    specs = first_preview(open_instance())
    specs["private"] = Spec(
        "aws:ec2/subnet:Subnet", {"vpcId": UNKNOWN, "mapPublicIpOnLaunch": False}, {"vpcId": ["vpc"]}
    )
    specs["web"].deps["subnetId"] = ["public", "private"]
    with pytest.raises(UnknownValueError) as raised:
        stack_reach(graph(specs))
    assert raised.value.message.endswith("value at .subnetId can't be known during preview")


def test_a_group_source_unknown_at_preview_names_its_field() -> None:
    specs = open_instance([{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": [UNKNOWN]}])
    with pytest.raises(UnknownValueError) as raised:
        stack_reach(graph(specs))
    assert raised.value.message.endswith("value at .cidrBlocks[0] can't be known during preview")


def test_a_launch_configuration_gives_no_ipv6_address() -> None:
    specs = asg()
    del specs["lt"]
    specs["lc"] = Spec(
        LC,
        {"id": "lc-0a", "associatePublicIpAddress": True, "securityGroups": ["sg-0a"]},
        {"securityGroups": ["web-sg"]},
    )
    specs["asg"].props = {"id": "asg", "vpcZoneIdentifiers": ["subnet-0a"], "launchConfiguration": "lc-0a"}
    specs["asg"].deps = {"vpcZoneIdentifiers": ["public"], "launchConfiguration": ["lc"]}
    add_ipv6_route(specs)
    specs["web-sg"].props["ingress"] = [EVERY_TCP, EVERY_V6_TCP]
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == [4]


def test_an_instance_s_own_ipv6_address_stands_beside_a_template_without_one() -> None:
    specs = add_ipv6_route(template(open_instance([EVERY_V6_TCP]), [{"deviceIndex": 0.0}]))
    specs["web"].props["ipv6AddressCount"] = 1.0
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == [6]


def test_at_the_first_preview_an_auto_scaling_group_path_names_its_template_by_kind_and_name() -> None:
    specs = first_preview(asg({"associatePublicIpAddress": "true", "securityGroups": ["sg-0a"]}))
    [exposure] = reach(specs, preview=False)
    assert "→ public IP (from launch template 'lt') → sg 'web-sg' tcp/0-65535" in exposure.narrative()


def test_a_default_route_table_whose_id_is_not_text_is_read_without_error() -> None:
    specs = open_instance()
    del specs["public-rta"]
    specs["main"] = main_table([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}])
    specs["main"].props["defaultRouteTableId"] = ["rtb-0main"]
    specs["main"].deps = {"routes": ["igw"]}
    assert exposed(specs, preview=False) == []  # its VPC cannot be told: the VPC keeps AWS's own main table


def test_a_readable_allow_of_part_of_the_range_opens_only_that_part() -> None:
    assert acl_ports(rule(100.0, "allow", fromPort=25.0, toPort=26.0), rule(200.0, "deny")) == ["25-26"]
    assert acl_ports(rule(100.0, " ALLOW ", fromPort=25.0, toPort=26.0), rule(200.0, "deny")) == ["25-26"]


def test_a_template_without_interfaces_gives_no_ipv6_address() -> None:
    specs = add_ipv6_route(asg(vpcSecurityGroupIds=["sg-0a"]))
    specs["lt"].deps = {"vpcSecurityGroupIds": ["web-sg"]}
    specs["public"].props["mapPublicIpOnLaunch"] = True
    specs["web-sg"].props["ingress"] = [EVERY_TCP, EVERY_V6_TCP]
    assert sorted({n.version for e in reach(specs) for n in e.networks}) == [4]


def test_an_egress_rule_listed_first_does_not_hide_the_ingress_rules_after_it() -> None:
    specs = with_acl()
    specs["deny-out"] = standalone("deny-out", 100.0, "deny", egress=True)
    specs["allow"] = standalone("allow", 200.0, "allow")
    assert [ports for _, _, ports in exposed(specs)] == ["20-30"]


def test_an_instance_without_a_subnet_is_in_a_default_vpc_subnet() -> None:
    specs = open_instance()
    del specs["web"].props["subnetId"]
    specs["web"].deps = {"vpcSecurityGroupIds": ["web-sg"]}
    [exposure] = reach(specs)
    assert "→ a default subnet (outside this stack: a default-VPC subnet assumed) →" in exposure.narrative()


def test_the_vpc_s_default_route_table_and_default_acl_are_both_found_by_their_ids() -> None:
    specs = open_instance()
    del specs["public-rta"]
    specs["vpc"].props.update(defaultRouteTableId="rtb-0main", defaultNetworkAclId="acl-0def")
    specs["main"] = main_table([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}])
    specs["main"].deps = {"routes": ["igw"]}
    specs["default-acl"] = Spec(
        DEFAULT_NACL, {"id": "acl-0def", "defaultNetworkAclId": "acl-0def", "ingress": [ALLOW_REST]}
    )
    [exposure] = reach(specs, preview=False)
    assert "→ rtb-0main (0.0.0.0/0) → subnet-0a → acl-0def → public IP →" in exposure.narrative()


def test_an_attachment_to_no_known_vpc_attaches_the_gateway_to_nothing() -> None:
    specs = open_instance()
    del specs["igw"].props["vpcId"]
    specs["igw"].deps = {}
    del specs["public-rt"].props["vpcId"]
    specs["public-rt"].deps = {}
    specs["igw-attach"] = Spec(
        "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
        {"id": "igw-0a:x", "internetGatewayId": "igw-0a"},
        {"internetGatewayId": ["igw"]},
    )
    assert exposed(specs) == []


def test_resources_of_a_vpc_outside_the_stack_share_its_gateway() -> None:
    specs = open_instance()
    del specs["vpc"]
    for name in ("igw", "public-rt", "public"):
        specs[name].props["vpcId"] = "vpc-0outside"
        specs[name].deps = {}
    assert route_labels(specs) == ["rtb-0a (0.0.0.0/0)"]
    specs["igw"].props["vpcId"] = "vpc-0other"
    assert exposed(specs) == []


def test_a_source_that_cannot_be_read_counts_as_everyone() -> None:
    specs = open_instance([{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["garbage"]}])
    assert sources(specs) == [("tcp", "22", PUBLIC_V4)]
    assert "tcp/22 from an unparseable source (cidrBlocks[0]) → instance web" in reach(specs)[0].narrative()


def test_every_group_of_an_instance_counts() -> None:
    specs = open_instance()
    specs["quiet-sg"] = Spec(SG, {"id": "sg-0q", "vpcId": "vpc-0a", "ingress": []}, {"vpcId": ["vpc"]})
    specs["web"].props["vpcSecurityGroupIds"] = ["sg-0a", "sg-0q"]
    specs["web"].deps["vpcSecurityGroupIds"] = ["web-sg", "quiet-sg"]
    assert [(protocol, ports) for _, protocol, ports in exposed(specs)] == [("tcp", "0-65535")]


def test_every_inline_route_of_a_table_counts() -> None:
    specs = inline_routes(
        {"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a"}, {"cidrBlock": "192.168.0.0/16", "natGatewayId": "nat-0a"}
    )
    assert route_labels(specs) == ["rtb-0a (0.0.0.0/0)"]


@pytest.mark.parametrize("subnet_id", ["  ", 5.0])
def test_a_blank_or_non_text_subnet_id_is_a_default_vpc_subnet(subnet_id: Any) -> None:
    specs = open_instance()
    specs["web"].props["subnetId"] = subnet_id
    specs["web"].deps = {"vpcSecurityGroupIds": ["web-sg"]}
    [exposure] = reach(specs)
    assert "→ a default subnet (outside this stack: a default-VPC subnet assumed) →" in exposure.narrative()


def test_two_unknown_subnets_cannot_be_decided_at_preview() -> None:
    specs = first_preview(balancer())
    del specs["public-rta"]  # every candidate private: only which two subnets is unknown
    specs["public-2"] = Spec(
        "aws:ec2/subnet:Subnet", {"vpcId": UNKNOWN, "mapPublicIpOnLaunch": False}, {"vpcId": ["vpc"]}
    )
    specs["public-3"] = copy.deepcopy(specs["public-2"])
    specs["lb"].props["subnets"] = [UNKNOWN, UNKNOWN]  # two of three: which two cannot be told
    specs["lb"].deps["subnets"] = ["public", "public-2", "public-3"]
    with pytest.raises(UnknownValueError):
        stack_reach(graph(specs))


def test_an_id_of_one_character_is_printed() -> None:
    specs = open_instance()
    specs["igw"].props["id"] = specs["default-route"].props["gatewayId"] = "x"
    [exposure] = reach(specs, preview=False)
    assert exposure.narrative().startswith("internet → x → rtb-0a")

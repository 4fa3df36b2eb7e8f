"""Quota rules beyond the twin cases: how each kind of security group rule counts per address family, resources
checked again once in the account, references by id, ARN or property dependency, and what a refusal says."""

from __future__ import annotations

from typing import Any

from offline.cloudrules import CloudError, CloudResource, World, check_resource
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import BASE, EGRESS, INGRESS, LEGACY, LISTENER, SG, SUBNET, VPC
from tests.offline.cloudrules.world import STACK, world

ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1"
ALB_URN = STACK + "aws:lb/loadBalancer:LoadBalancer::alb"
RULES = "rules-per-security-group"


def _resource(typ: str, name: str, inputs: dict[str, Any], **deps: tuple[str, ...]) -> CloudResource:
    return CloudResource(
        urn=f"{STACK}{typ}::{name}",
        type=typ,
        name=name,
        id=f"{name}-id",
        inputs=inputs,
        dependencies=(),
        property_dependencies=deps,
    )


def _account(*resources: CloudResource) -> World:
    account = world()
    for resource in resources:
        account.add(resource)
    return account


def _quota(resource: CloudResource, account: World, rule: str) -> list[CloudError]:
    return [e for e in check_resource(resource, account) if e.rule == rule]


def _ingress(name: str, **address: Any) -> CloudResource:
    inputs = {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, **address}
    return _resource(INGRESS, name, inputs)


def _v4(i: int) -> str:
    return f"10.{i // 250}.{i % 250}.0/24"


def _v6(i: int) -> str:
    return f"2001:db8:{i:x}::/48"


def _group(**rules: Any) -> CloudResource:
    return _resource(SG, "wide", {**BASE[SG], "name": "wide-sg", **rules})


def _group_refusals(**rules: Any) -> list[tuple[str, str]]:
    found = _quota(_group(**rules), world(), RULES)
    return [(e.property, e.message.split(";")[0]) for e in found]


def _block(**addresses: Any) -> dict[str, Any]:
    return {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, **addresses}


WHAT = "inbound or outbound rules per security group, counted per direction and per address family"


# --- inline rules of a security group -------------------------------------------------------------------


def test_a_rule_to_the_group_itself_counts_in_both_families() -> None:
    ingress = [_block(cidrBlocks=[_v4(i) for i in range(60)]), _block(self=True)]
    assert _group_refusals(ingress=ingress) == [("ingress", f"61 {WHAT} (ingress, IPv4)")]
    ipv6 = [_block(ipv6CidrBlocks=[_v6(i) for i in range(60)]), _block(self=True)]
    assert _group_refusals(ingress=ipv6) == [("ingress", f"61 {WHAT} (ingress, IPv6)")]
    assert _group_refusals(ingress=[_block(cidrBlocks=[_v4(i) for i in range(59)]), _block(self=True)]) == []


def test_a_block_naming_groups_and_itself_adds_one_rule_for_each() -> None:
    # 58 CIDRs, then two referenced groups and the group itself: 61 in IPv4, 3 in IPv6.
    ingress = [_block(cidrBlocks=[_v4(i) for i in range(58)]), _block(securityGroups=["sg-a", "sg-b"], self=True)]
    assert _group_refusals(ingress=ingress) == [("ingress", f"61 {WHAT} (ingress, IPv4)")]


def test_referenced_groups_and_prefix_lists_count_in_both_families() -> None:
    egress = [_block(securityGroups=[f"sg-{i}" for i in range(31)], prefixListIds=[f"pl-{i}" for i in range(30)])]
    assert _group_refusals(egress=egress) == [
        ("egress", f"61 {WHAT} (egress, IPv4)"),
        ("egress", f"61 {WHAT} (egress, IPv6)"),
    ]


def test_a_refusal_says_whether_the_quota_was_raised() -> None:
    group = _group(ingress=[_block(cidrBlocks=[_v4(i) for i in range(61)])])
    [default] = _quota(group, world(), RULES)
    assert default.message.endswith(
        "; the quota is 60 (AWS's default; raise it with a quotas file) [quota rules-per-security-group]"
    )
    account = world()
    account.quotas = {RULES: 60}
    [raised] = _quota(group, account, RULES)
    assert raised.message.endswith("; the quota is 60 (as raised) [quota rules-per-security-group]")


# --- separate rules -------------------------------------------------------------------------------------


def test_separate_ipv6_rules_count_apart_from_ipv4() -> None:
    ipv6 = [_ingress(f"r{i}", cidrIpv6=_v6(i)) for i in range(59)]
    assert _quota(_ingress("subject", cidrIpv6=_v6(99)), _account(*ipv6), RULES) == []
    ipv6.append(_ingress("r59", cidrIpv6=_v6(59)))
    [found] = _quota(_ingress("subject", cidrIpv6=_v6(99)), _account(*ipv6), RULES)
    assert (found.property, found.message.split(";")[0]) == ("securityGroupId", f"61 {WHAT} (ingress, IPv6)")
    assert _quota(_ingress("subject", cidrIpv4="192.0.2.0/24"), _account(*ipv6), RULES) == []


def test_a_separate_rule_to_a_referenced_group_counts_once_in_each_family() -> None:
    ipv6 = [_ingress(f"r{i}", cidrIpv6=_v6(i)) for i in range(59)]
    referenced = _ingress("subject", referencedSecurityGroupId="sg-2")
    assert _quota(referenced, _account(*ipv6), RULES) == []
    ipv6.append(_ingress("r59", cidrIpv6=_v6(59)))
    assert [e.message.split(";")[0] for e in _quota(referenced, _account(*ipv6), RULES)] == [
        f"61 {WHAT} (ingress, IPv6)"
    ]


def test_a_legacy_rule_from_a_group_counts_in_both_families() -> None:
    ipv6 = [_ingress(f"r{i}", cidrIpv6=_v6(i)) for i in range(60)]
    legacy = _resource(LEGACY, "subject", {**BASE[LEGACY], "cidrBlocks": None, "sourceSecurityGroupId": "sg-2"})
    found = _quota(legacy, _account(*ipv6), RULES)
    assert [(e.property, e.message.split(";")[0]) for e in found] == [("securityGroupId", f"61 {WHAT} (ingress, IPv6)")]


def test_a_legacy_rule_whose_direction_is_unknown_is_not_counted() -> None:
    # `type` unknown during preview: neither direction's count is asked, even for a rule that alone would be over.
    wide = {**BASE[LEGACY], "type": UNKNOWN, "cidrBlocks": [_v4(i) for i in range(61)]}
    assert _quota(_resource(LEGACY, "subject", wide), _account(), RULES) == []
    assert len(_quota(_resource(LEGACY, "subject", {**wide, "type": "ingress"}), _account(), RULES)) == 1


def test_egress_rules_count_apart_from_ingress_rules() -> None:
    egress = {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0}
    subject = _resource(EGRESS, "subject", {**egress, "cidrIpv4": "192.0.2.0/24"})
    ingress = [_ingress(f"r{i}", cidrIpv4=_v4(i)) for i in range(60)]
    assert _quota(subject, _account(*ingress), RULES) == []
    outbound = [_resource(EGRESS, f"e{i}", {**egress, "cidrIpv4": _v4(i)}) for i in range(60)]
    assert [e.message.split(";")[0] for e in _quota(subject, _account(*outbound), RULES)] == [
        f"61 {WHAT} (egress, IPv4)"
    ]
    legacy = [_resource(LEGACY, f"l{i}", {**BASE[LEGACY], "type": "egress", "cidrBlocks": [_v4(i)]}) for i in range(60)]
    assert [e.message.split(";")[0] for e in _quota(subject, _account(*legacy), RULES)] == [f"61 {WHAT} (egress, IPv4)"]


def test_a_separate_rule_counts_with_the_inline_rules_of_its_group() -> None:
    group = _resource(SG, "wide", {**BASE[SG], "egress": [_block(cidrBlocks=[_v4(i) for i in range(60)])]})
    egress = {"securityGroupId": "wide-id", "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0}
    subject = _resource(EGRESS, "subject", {**egress, "cidrIpv4": "192.0.2.0/24"})
    assert [e.message.split(";")[0] for e in _quota(subject, _account(group), RULES)] == [f"61 {WHAT} (egress, IPv4)"]


def test_a_rule_checked_again_once_in_the_account_counts_once() -> None:
    subject = _ingress("subject", cidrIpv4="192.0.2.0/24")
    rules = [_ingress(f"r{i}", cidrIpv4=_v4(i)) for i in range(59)]
    assert _quota(subject, _account(*rules, subject), RULES) == []
    assert len(_quota(subject, _account(*rules, _ingress("r59", cidrIpv4=_v4(59)), subject), RULES)) == 1


def test_a_group_checked_again_once_in_the_account_counts_its_inline_rules() -> None:
    group = _group(ingress=[_block(cidrBlocks=[_v4(i) for i in range(61)])])
    assert [e.property for e in _quota(group, _account(group), RULES)] == ["ingress"]


# --- counts across the stack and references -------------------------------------------------------------


def _vpcs(count: int) -> list[CloudResource]:
    return [_resource(VPC, f"v{i}", {"cidrBlock": f"10.{50 + i}.0.0/16"}) for i in range(count)]


def test_a_vpc_checked_again_once_in_the_account_counts_once() -> None:
    # The account already has 2 VPCs; with 3 more and the subject it has 6.
    subject = _resource(VPC, "subject", {"cidrBlock": "10.99.0.0/16"})
    assert _quota(subject, _account(*_vpcs(2), subject), "vpcs-per-region") == []
    [found] = _quota(subject, _account(*_vpcs(3), subject), "vpcs-per-region")
    assert found.message.startswith("6 VPCs per Region in the stack; the quota is 5")


def _subnets(vpc: str, count: int) -> list[CloudResource]:
    return [_resource(SUBNET, f"s{i}", {"vpcId": vpc, "cidrBlock": f"10.9.{i}.0/24"}) for i in range(count)]


def test_subnets_of_a_vpc_made_elsewhere_are_counted_by_its_id() -> None:
    subject = _resource(SUBNET, "subject", {"vpcId": "vpc-elsewhere", "cidrBlock": "10.9.255.0/24"})
    assert _quota(subject, _account(*_subnets("vpc-elsewhere", 199)), "subnets-per-vpc") == []
    [found] = _quota(subject, _account(*_subnets("vpc-elsewhere", 200)), "subnets-per-vpc")
    assert found.message.startswith("201 subnets per VPC in the VPC; the quota is 200")


def _listeners(count: int) -> list[CloudResource]:
    return [
        _resource(LISTENER, f"l{i}", {"loadBalancerArn": ALB_ARN, "port": float(1000 + i), "protocol": "HTTP"})
        for i in range(count)
    ]


def test_a_listener_whose_balancer_arn_is_not_known_yet_counts_through_its_dependency() -> None:
    subject = _resource(
        LISTENER, "subject", {"loadBalancerArn": UNKNOWN, "port": 80.0, "protocol": "HTTP"}, loadBalancerArn=(ALB_URN,)
    )
    assert _quota(subject, _account(*_listeners(49)), "listeners-per-load-balancer") == []
    [found] = _quota(subject, _account(*_listeners(50)), "listeners-per-load-balancer")
    assert found.message.startswith("51 listeners per load balancer on the load balancer; the quota is 50")


def test_a_reference_not_known_and_without_one_dependency_is_not_counted() -> None:
    unknown = {"loadBalancerArn": UNKNOWN, "port": 80.0, "protocol": "HTTP"}
    account = _account(*_listeners(50))
    assert _quota(_resource(LISTENER, "subject", unknown), account, "listeners-per-load-balancer") == []
    two = _resource(LISTENER, "subject", unknown, loadBalancerArn=(ALB_URN, STACK + "x"))
    assert _quota(two, account, "listeners-per-load-balancer") == []


def test_each_quota_counts_its_own_resources_in_one_account() -> None:
    account = _account(*_listeners(50), *_subnets("vpc-1", 3))
    subnet = _resource(SUBNET, "subject", {"vpcId": "vpc-1", "cidrBlock": "10.0.200.0/24"})
    assert _quota(subnet, account, "subnets-per-vpc") == []
    listener = _resource(LISTENER, "subject", {"loadBalancerArn": ALB_ARN, "port": 80.0, "protocol": "HTTP"})
    assert len(_quota(listener, account, "listeners-per-load-balancer")) == 1


# --- what each quota's refusal says: the count, what is counted, where, the quota and its code ---------------

DEFAULT = "(AWS's default; raise it with a quotas file)"
IGW = "aws:ec2/internetGateway:InternetGateway"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
INSTANCE = "aws:ec2/instance:Instance"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LB = "aws:lb/loadBalancer:LoadBalancer"


def _many(typ: str, count: int, inputs: Any) -> list[CloudResource]:
    return [_resource(typ, f"n{i}", inputs(i)) for i in range(count)]


def _refusals(resource: CloudResource, account: World, rule: str) -> list[tuple[str, str, str]]:
    return [(e.property, e.code, e.message) for e in _quota(resource, account, rule)]


def test_a_sixth_vpc_is_refused_with_the_count_and_the_quota() -> None:
    # The account already holds two VPCs.
    subject = _resource(VPC, "subject", {"cidrBlock": "10.50.0.0/16"})
    extra = _many(VPC, 3, lambda i: {"cidrBlock": f"10.{60 + i}.0.0/16"})
    assert _refusals(subject, _account(*extra[:2]), "vpcs-per-region") == []
    assert _refusals(subject, _account(*extra), "vpcs-per-region") == [
        (
            "cidrBlock",
            "VpcLimitExceeded",
            f"6 VPCs per Region in the stack; the quota is 5 {DEFAULT} [quota vpcs-per-region]",
        )
    ]


def test_a_sixth_internet_gateway_is_refused_with_the_count_and_the_quota() -> None:
    # The account already holds two gateways.
    subject = _resource(IGW, "subject", {"vpcId": "vpc-9"})
    extra = _many(IGW, 3, lambda i: {"vpcId": f"vpc-x{i}"})
    assert _refusals(subject, _account(*extra[:2]), "internet-gateways-per-region") == []
    assert _refusals(subject, _account(*extra), "internet-gateways-per-region") == [
        (
            "vpcId",
            "InternetGatewayLimitExceeded",
            f"6 Internet gateways per Region in the stack; the quota is 5 {DEFAULT} "
            "[quota internet-gateways-per-region]",
        )
    ]


def test_a_sixth_elastic_ip_is_refused_with_the_count_and_the_quota() -> None:
    # The account already holds one address.
    subject = _resource(EIP, "subject", {"domain": "vpc"})
    extra = _many(EIP, 4, lambda i: {"domain": "vpc"})
    assert _refusals(subject, _account(*extra[:3]), "elastic-ips-per-region") == []
    assert _refusals(subject, _account(*extra), "elastic-ips-per-region") == [
        (
            "domain",
            "AddressLimitExceeded",
            f"6 Elastic IP addresses per Region in the stack; the quota is 5 {DEFAULT} [quota elastic-ips-per-region]",
        )
    ]


def test_a_sixth_nat_gateway_in_one_zone_is_refused_and_names_the_zone() -> None:
    # Two NAT gateways are in us-east-1a already (subnets a and x); subnet-b is in us-east-1b.
    extra = _many(NAT, 3, lambda i: {"subnetId": "subnet-a2", "allocationId": f"eipalloc-x{i}"})
    subject = _resource(NAT, "subject", {"subnetId": "subnet-a", "allocationId": "eipalloc-9"})
    assert _refusals(subject, _account(*extra), "nat-gateways-per-zone") == [
        (
            "subnetId",
            "NatGatewayLimitExceeded",
            f"6 NAT gateways per Availability Zone in us-east-1a; the quota is 5 {DEFAULT} "
            "[quota nat-gateways-per-availability-zone]",
        )
    ]
    assert _refusals(subject, _account(*extra[:2]), "nat-gateways-per-zone") == []
    # Checked again once in the account (a later preview), the gateway counts once: five in the zone pass.
    assert _refusals(subject, _account(*extra[:2], subject), "nat-gateways-per-zone") == []
    elsewhere = _resource(NAT, "subject", {"subnetId": "subnet-b", "allocationId": "eipalloc-9"})
    assert _refusals(elsewhere, _account(*extra), "nat-gateways-per-zone") == []
    unknown = _resource(NAT, "subject", {"subnetId": UNKNOWN, "allocationId": "eipalloc-9"})
    assert _refusals(unknown, _account(*extra), "nat-gateways-per-zone") == []


def test_a_201st_subnet_in_a_vpc_is_refused_with_the_count_and_the_quota() -> None:
    # vpc-1 holds three subnets already.
    extra = _many(SUBNET, 197, lambda i: {"vpcId": "vpc-1", "cidrBlock": f"10.0.{10 + i}.0/24"})
    subject = _resource(SUBNET, "subject", {"vpcId": "vpc-1", "cidrBlock": "10.0.250.0/24"})
    assert _refusals(subject, _account(*extra[:196]), "subnets-per-vpc") == []
    assert _refusals(subject, _account(*extra), "subnets-per-vpc") == [
        (
            "vpcId",
            "SubnetLimitExceeded",
            f"201 subnets per VPC in the VPC; the quota is 200 {DEFAULT} [quota subnets-per-vpc]",
        )
    ]


def _route(i: int, table: str = "rtb-1") -> dict[str, Any]:
    return {"routeTableId": table, "destinationCidrBlock": f"10.200.{i}.0/24", "gatewayId": "igw-1"}


def test_a_51st_route_in_a_table_is_refused_with_the_count_and_the_quota() -> None:
    subject = _resource(ROUTE, "subject", _route(99))
    account = _account(*_many(ROUTE, 50, _route))
    assert _refusals(subject, account, "routes-per-route-table") == [
        (
            "routeTableId",
            "RouteLimitExceeded",
            f"51 routes per route table (not propagated) in the table; the quota is 50 {DEFAULT} "
            "[quota routes-per-route-table]",
        )
    ]
    assert _refusals(subject, _account(*_many(ROUTE, 49, _route)), "routes-per-route-table") == []
    # Checked again once in the account (a later preview), the route counts once: fifty in the table pass.
    assert _refusals(subject, _account(*_many(ROUTE, 49, _route), subject), "routes-per-route-table") == []
    # Routes of another table do not count.
    assert _refusals(subject, _account(*_many(ROUTE, 50, lambda i: _route(i, "rtb-2"))), "routes-per-route-table") == []


def test_a_table_s_inline_routes_count_with_its_separate_routes() -> None:
    inline = [{"cidrBlock": f"10.201.{i}.0/24", "gatewayId": "igw-1"} for i in range(30)]
    table = _resource(ROUTE_TABLE, "table", {"vpcId": "vpc-1", "routes": inline})
    subject = _resource(ROUTE, "subject", {**_route(99), "routeTableId": "table-id"})
    assert (
        _refusals(
            subject,
            _account(table, *_many(ROUTE, 19, lambda i: {**_route(i), "routeTableId": "table-id"})),
            "routes-per-route-table",
        )
        == []
    )
    [(prop, _, message)] = _refusals(
        subject,
        _account(table, *_many(ROUTE, 20, lambda i: {**_route(i), "routeTableId": "table-id"})),
        "routes-per-route-table",
    )
    assert (prop, message.split(";")[0]) == ("routeTableId", "51 routes per route table (not propagated) in the table")


def test_a_route_table_with_51_inline_routes_is_refused_on_its_routes() -> None:
    inline = [{"cidrBlock": f"10.201.{i}.0/24", "gatewayId": "igw-1"} for i in range(51)]
    table = _resource(ROUTE_TABLE, "table", {"vpcId": "vpc-1", "routes": inline})
    assert _refusals(table, world(), "routes-per-route-table") == [
        (
            "routes",
            "RouteLimitExceeded",
            f"51 routes per route table (not propagated) in the table; the quota is 50 {DEFAULT} "
            "[quota routes-per-route-table]",
        )
    ]
    table.inputs["routes"] = inline[:50]
    assert _refusals(table, world(), "routes-per-route-table") == []


def test_security_groups_of_an_instance_count_both_lists_on_one_interface() -> None:
    groups = {"vpcSecurityGroupIds": ["sg-1", "sg-2", "sg-3"], "securityGroups": ["web", "ops", "db"]}
    subject = _resource(INSTANCE, "subject", groups)
    assert _refusals(subject, world(), "security-groups-per-interface") == [
        (
            "vpcSecurityGroupIds",
            "SecurityGroupsPerInterfaceLimitExceeded",
            f"6 security groups per network interface on one network interface; the quota is 5 {DEFAULT} "
            "[quota security-groups-per-network-interface]",
        )
    ]
    groups["securityGroups"] = ["web", "ops"]
    assert _refusals(subject, world(), "security-groups-per-interface") == []


def test_security_groups_of_a_launch_template_count_ids_and_names_and_each_interface() -> None:
    inputs: dict[str, Any] = {"vpcSecurityGroupIds": ["sg-1", "sg-2", "sg-3"], "securityGroupNames": ["a", "b", "c"]}
    subject = _resource(TEMPLATE, "subject", inputs)
    assert [(p, m.split(";")[0]) for p, _, m in _refusals(subject, world(), "security-groups-per-interface")] == [
        ("vpcSecurityGroupIds", "6 security groups per network interface on one network interface")
    ]
    inputs["securityGroupNames"] = ["a", "b"]
    inputs["networkInterfaces"] = [
        {"deviceIndex": 0.0, "securityGroups": ["sg-1"]},
        {"deviceIndex": 1.0, "securityGroups": [f"sg-9{i}" for i in range(6)]},
    ]
    assert [p for p, _, _ in _refusals(subject, world(), "security-groups-per-interface")] == [
        "networkInterfaces[1].securityGroups"
    ]


def test_a_sixth_security_group_on_a_load_balancer_is_refused() -> None:
    subject = _resource(
        LB, "subject", {"loadBalancerType": "application", "securityGroups": [f"sg-{i}" for i in range(6)]}
    )
    assert _refusals(subject, world(), "security-groups-per-load-balancer") == [
        (
            "securityGroups",
            "ValidationError",
            f"6 security groups per load balancer on the load balancer; the quota is 5 {DEFAULT} "
            "[quota security-groups-per-load-balancer]",
        )
    ]


def test_a_51st_listener_is_refused_with_the_count_and_the_quota() -> None:
    subject = _resource(LISTENER, "subject", {"loadBalancerArn": ALB_ARN, "port": 80.0, "protocol": "HTTP"})
    [(prop, code, message)] = _refusals(subject, _account(*_listeners(50)), "listeners-per-load-balancer")
    assert (prop, code) == ("loadBalancerArn", "TooManyListeners")
    assert message == (
        f"51 listeners per load balancer on the load balancer; the quota is 50 {DEFAULT} "
        "[quota listeners-per-load-balancer]"
    )


def test_a_separate_rule_refusal_names_its_direction_and_family() -> None:
    account = _account(*(_ingress(f"r{i}", cidrIpv6=_v6(i)) for i in range(60)))
    [(prop, code, message)] = _refusals(_ingress("subject", cidrIpv6=_v6(99)), account, RULES)
    assert (prop, code) == ("securityGroupId", "RulesPerSecurityGroupLimitExceeded")
    assert message.startswith(f"61 {WHAT} (ingress, IPv6); the quota is 60 ")

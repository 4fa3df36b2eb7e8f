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

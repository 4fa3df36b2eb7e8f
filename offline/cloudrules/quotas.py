"""Service quotas: AWS's default values, how an account that raised one says so, and the rules that count
resources against them.

A quota is per account and Region; the audit sees one stack, so it counts what this stack creates against the
whole quota (an account already using some of it hits the limit sooner: the audit cannot see that). Each quota
has AWS's default; an account that raised one passes its value in a JSON file of ``{"<quota name>": <value>}``
(``make audit FILE=... QUOTAS=quotas.json``, ``python -m offline audit --quotas quotas.json``). Names are those of
``QUOTAS`` below; ``docs/adding-cloud-rules.md`` shows the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline.cloudrules.model import CloudResource, Finding, Grouping, World
from offline.cloudrules.registry import canonical, rule
from offline.cloudrules.values import items, known_str, mapping, plain

VPC_QUOTAS = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
EIP_QUOTAS = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit"
)
ALB_QUOTAS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"


@dataclass(frozen=True)
class Quota:
    name: str
    default: int
    what: str
    source: str
    # The most AWS grants on request (None: not stated); a raised value above it is refused when loaded.
    ceiling: int | None = None


QUOTAS: dict[str, Quota] = {
    q.name: q
    for q in (
        Quota("vpcs-per-region", 5, "VPCs per Region", VPC_QUOTAS),
        Quota("subnets-per-vpc", 200, "subnets per VPC", VPC_QUOTAS),
        Quota("internet-gateways-per-region", 5, "Internet gateways per Region", VPC_QUOTAS),
        Quota("nat-gateways-per-availability-zone", 5, "NAT gateways per Availability Zone", VPC_QUOTAS),
        Quota("elastic-ips-per-region", 5, "Elastic IP addresses per Region", EIP_QUOTAS),
        Quota("routes-per-route-table", 50, "routes per route table (not propagated)", VPC_QUOTAS, 1000),
        Quota(
            "rules-per-security-group",
            60,
            "inbound or outbound rules per security group, counted per direction and per address family",
            VPC_QUOTAS,
            1000,
        ),
        Quota("security-groups-per-network-interface", 5, "security groups per network interface", VPC_QUOTAS, 16),
        Quota("security-groups-per-load-balancer", 5, "security groups per load balancer", ALB_QUOTAS, 5),
        Quota("listeners-per-load-balancer", 50, "listeners per load balancer", ALB_QUOTAS),
        Quota("managed-policies-per-role", 10, "managed policies attached to a role", IAM_QUOTAS, 20),
    )
}
# AWS: rules per security group x security groups per network interface may not exceed 1,000.
RULES_TIMES_GROUPS_MAX = 1000


class QuotaFileError(Exception):
    """The quotas file cannot be used; the message says why and what is allowed."""


def limit(world: World, name: str) -> int:
    """The quota in force: the account's raised value, else AWS's default."""
    return world.quotas.get(name, QUOTAS[name].default)


def parse_quotas(document: Any) -> dict[str, int]:
    """Raised quotas from a decoded JSON object; ``QuotaFileError`` names the first problem."""
    if not isinstance(document, Mapping):
        raise QuotaFileError('a quotas file is a JSON object: {"rules-per-security-group": 120}')
    found: dict[str, int] = {}
    for name, value in document.items():
        quota = QUOTAS.get(str(name))
        if quota is None:
            raise QuotaFileError(f"unknown quota {str(name)[:60]!r}; known: {', '.join(sorted(QUOTAS))}")
        if isinstance(value, bool) or not isinstance(value, int) or value < quota.default:
            raise QuotaFileError(f"{name}: {value!r} is not a whole number at or above AWS's default {quota.default}")
        if quota.ceiling is not None and value > quota.ceiling:
            raise QuotaFileError(f"{name}: {value} is above {quota.ceiling}, the most AWS grants ({quota.source})")
        found[quota.name] = value
    rules = found.get("rules-per-security-group", QUOTAS["rules-per-security-group"].default)
    groups = found.get("security-groups-per-network-interface", QUOTAS["security-groups-per-network-interface"].default)
    if rules * groups > RULES_TIMES_GROUPS_MAX:
        raise QuotaFileError(
            f"rules-per-security-group ({rules}) x security-groups-per-network-interface ({groups}) is above "
            f"{RULES_TIMES_GROUPS_MAX}, which AWS does not grant ({VPC_QUOTAS})"
        )
    return found


def load_quotas(path: Path | str) -> dict[str, int]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuotaFileError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise QuotaFileError(f"{path} is not JSON: {exc}") from None
    return parse_quotas(document)


def _count_with(world: World, resource: CloudResource, *types: str) -> int:
    """Resources of ``types`` in the account once ``resource`` is created (it counts once, re-added or not)."""
    return world.count(*types) - (1 if resource.urn in world.by_urn else 0) + 1


def one(key: Any) -> tuple[Any, ...]:
    """A single group key as ``World.groups`` takes keys: none when it is not known."""
    return () if key is None else (key,)


def by_reference(world: World, name: str, types: tuple[str, ...], prop: str) -> Grouping:
    """``types`` grouped by what their ``prop`` refers to (``reference_key``)."""
    return world.groups(name, types, lambda r: one(reference_key(world, r, prop)))


def reference_key(world: World, resource: CloudResource, prop: str) -> str | None:
    """What ``resource.prop`` refers to, as one comparable key: the URN of a resource created here (by id, ARN or
    property dependency), else the id itself; None when not known."""
    value = plain(resource.get(prop))
    found = world.find(value)
    if found is not None:
        return found.urn
    urns = resource.property_dependencies.get(prop, ())
    text = known_str(value)
    if text:
        return text
    return urns[0] if len(urns) == 1 else None


def _over(world: World, name: str, count: int, prop: str, where: str) -> Iterator[Finding]:
    allowed = limit(world, name)
    if count > allowed:
        raised = " (as raised)" if name in world.quotas else " (AWS's default; raise it with a quotas file)"
        yield Finding(prop, f"{count} {QUOTAS[name].what} {where}; the quota is {allowed}{raised} [quota {name}]")


@rule(
    types=[VPC],
    properties=("cidrBlock",),
    code="VpcLimitExceeded",
    source=f"{VPC_QUOTAS} (VPCs per Region: 5)",
)
def vpcs_per_region(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 5 VPCs per Region (quota vpcs-per-region)."""
    yield from _over(world, "vpcs-per-region", _count_with(world, resource, VPC), "cidrBlock", "in the stack")


@rule(
    types=[SUBNET],
    properties=("vpcId",),
    code="SubnetLimitExceeded",
    source=f"{VPC_QUOTAS} (subnets per VPC: 200)",
)
def subnets_per_vpc(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 200 subnets per VPC (quota subnets-per-vpc)."""
    vpc = reference_key(world, resource, "vpcId")
    if vpc is None:
        return
    count = 1 + by_reference(world, "subnets-by-vpc", (SUBNET,), "vpcId").count(vpc, excluding=resource.urn)
    yield from _over(world, "subnets-per-vpc", count, "vpcId", "in the VPC")


@rule(
    types=[IGW],
    properties=("vpcId",),
    code="InternetGatewayLimitExceeded",
    source=f"{VPC_QUOTAS} (internet gateways per Region: 5)",
)
def internet_gateways_per_region(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 5 Internet gateways per Region (quota internet-gateways-per-region)."""
    count = _count_with(world, resource, IGW)
    yield from _over(world, "internet-gateways-per-region", count, "vpcId", "in the stack")


@rule(
    types=[EIP],
    properties=("domain",),
    code="AddressLimitExceeded",
    source=f"{EIP_QUOTAS} (5 Elastic IP addresses per Region)",
)
def elastic_ips_per_region(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 5 Elastic IP addresses per Region (quota elastic-ips-per-region)."""
    count = _count_with(world, resource, EIP)
    yield from _over(world, "elastic-ips-per-region", count, "domain", "in the stack")


def _zone(world: World, resource: CloudResource) -> str | None:
    subnet = world.refs(resource, "subnetId")
    return known_str(subnet[0].get("availabilityZone")) if len(subnet) == 1 else None


@rule(
    types=[NAT],
    properties=("subnetId",),
    code="NatGatewayLimitExceeded",
    source=f"{VPC_QUOTAS} (NAT gateways per Availability Zone: 5)",
)
def nat_gateways_per_zone(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 5 NAT gateways per Availability Zone (quota nat-gateways-per-availability-zone)."""
    zone = _zone(world, resource)
    if zone is None:
        return
    by_zone = world.groups("nat-gateways-by-zone", (NAT,), lambda r: one(_zone(world, r)))
    count = 1 + by_zone.count(zone, excluding=resource.urn)
    yield from _over(world, "nat-gateways-per-availability-zone", count, "subnetId", f"in {zone}")


def _inline_route_count(table: CloudResource) -> int:
    """How many routes ``table`` holds inline."""
    return len(items(table.get("routes")))


@rule(
    types=[ROUTE, ROUTE_TABLE],
    properties=("routeTableId", "routes"),
    code="RouteLimitExceeded",
    source=f"{VPC_QUOTAS} (routes per route table: 50 non-propagated)",
)
def routes_per_route_table(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 50 routes per route table, inline and separate (quota routes-per-route-table)."""
    if canonical(resource.type) == ROUTE_TABLE:
        yield from _over(world, "routes-per-route-table", _inline_route_count(resource), "routes", "in the table")
        return
    table = reference_key(world, resource, "routeTableId")
    if table is None:
        return
    count = 1 + by_reference(world, "routes-by-table", (ROUTE,), "routeTableId").count(table, excluding=resource.urn)
    owner = world.by_urn.get(table)
    count += _inline_route_count(owner) if owner is not None else 0
    yield from _over(world, "routes-per-route-table", count, "routeTableId", "in the table")


# --- security group rules ------------------------------------------------------------------------

_V4, _V6 = "IPv4", "IPv6"


def _families_of_block(entry: Mapping[str, Any]) -> dict[str, int]:
    """Rules one inline block (or legacy rule) adds, per address family: a CIDR counts in its family, a group
    or prefix-list reference in both."""
    v4 = len(items(entry.get("cidrBlocks")))
    v6 = len(items(entry.get("ipv6CidrBlocks")))
    refs = len(items(entry.get("securityGroups"))) + len(items(entry.get("prefixListIds")))
    refs += 1 if plain(entry.get("self")) is True or known_str(entry.get("sourceSecurityGroupId")) else 0
    return {_V4: v4 + refs, _V6: v6 + refs}


def _families_of_rule(resource: CloudResource) -> dict[str, int]:
    if resource.type == LEGACY_RULE:
        return _families_of_block(resource.inputs)
    if known_str(resource.get("cidrIpv4")):
        return {_V4: 1, _V6: 0}
    if known_str(resource.get("cidrIpv6")):
        return {_V4: 0, _V6: 1}
    return {_V4: 1, _V6: 1}


def _direction(resource: CloudResource) -> str | None:
    if resource.type == INGRESS:
        return "ingress"
    if resource.type == EGRESS:
        return "egress"
    kind = known_str(resource.get("type"))
    return kind if kind in ("ingress", "egress") else None


def _rule_counts(world: World, group_key: str, direction: str, subject: CloudResource) -> dict[str, int]:
    counts = {_V4: 0, _V6: 0}
    group = world.by_urn.get(group_key)
    owner = group if group is not None else (subject if subject.urn == group_key else None)
    if owner is not None and owner.type == SG:
        for entry in items(owner.get(direction)):
            for family, n in _families_of_block(mapping(entry)).items():
                counts[family] += n
    separate = world.groups("rules-by-group", (INGRESS, EGRESS, LEGACY_RULE), lambda r: _rule_keys(world, r))
    for family in counts:
        counts[family] += separate.count((group_key, direction, family), excluding=subject.urn)
    return counts


def _rule_keys(world: World, rule_resource: CloudResource) -> Iterator[tuple[str, str, str]]:
    """(group, direction, family) once per rule a separate rule resource adds to its group."""
    group, direction = reference_key(world, rule_resource, "securityGroupId"), _direction(rule_resource)
    if group is None or direction is None:
        return
    for family, n in _families_of_rule(rule_resource).items():
        for _ in range(n):
            yield group, direction, family


@rule(
    types=[SG, INGRESS, EGRESS, LEGACY_RULE],
    properties=("ingress", "egress", "securityGroupId", "type", "cidrIpv4", "cidrIpv6", "cidrBlocks", "ipv6CidrBlocks"),
    code="RulesPerSecurityGroupLimitExceeded",
    source=f"{VPC_QUOTAS} (inbound or outbound rules per security group: 60, enforced separately for IPv4 and IPv6; "
    "a rule that references a group or prefix list counts in both)",
)
def rules_per_security_group(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 60 inbound and 60 outbound rules per group and address family, inline and separate rules together."""
    if resource.type == SG:
        for inline in ("ingress", "egress"):
            counts = _rule_counts(world, resource.urn, inline, resource)
            for family, count in counts.items():
                yield from _over(world, "rules-per-security-group", count, inline, f"({inline}, {family})")
        return
    direction = _direction(resource)
    group_key = reference_key(world, resource, "securityGroupId")
    if direction is None or group_key is None:
        return
    counts = _rule_counts(world, group_key, direction, resource)
    for family, n in _families_of_rule(resource).items():
        if n:
            count = counts[family] + n
            yield from _over(world, "rules-per-security-group", count, "securityGroupId", f"({direction}, {family})")


def _interface_groups(resource: CloudResource) -> Iterator[tuple[str, int]]:
    if resource.type == INSTANCE:
        yield (
            "vpcSecurityGroupIds",
            len(items(resource.get("vpcSecurityGroupIds"))) + len(items(resource.get("securityGroups"))),
        )
        return
    yield (
        "vpcSecurityGroupIds",
        len(items(resource.get("vpcSecurityGroupIds"))) + len(items(resource.get("securityGroupNames"))),
    )
    for i, interface in enumerate(items(resource.get("networkInterfaces"))):
        yield f"networkInterfaces[{i}].securityGroups", len(items(mapping(interface).get("securityGroups")))


@rule(
    types=[INSTANCE, LAUNCH_TEMPLATE],
    properties=(
        "vpcSecurityGroupIds",
        "securityGroups",
        "securityGroupNames",
        "networkInterfaces[].securityGroups",
    ),
    code="SecurityGroupsPerInterfaceLimitExceeded",
    source=f"{VPC_QUOTAS} (security groups per network interface: 5, up to 16 on request)",
)
def security_groups_per_interface(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 5 security groups on a network interface (quota security-groups-per-network-interface)."""
    for prop, count in _interface_groups(resource):
        yield from _over(world, "security-groups-per-network-interface", count, prop, "on one network interface")


@rule(
    types=[LB],
    properties=("securityGroups",),
    code="ValidationError",
    source=f"{ALB_QUOTAS} (security groups per load balancer: 5)",
)
def security_groups_per_load_balancer(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 5 security groups on a load balancer (quota security-groups-per-load-balancer)."""
    count = len(items(resource.get("securityGroups")))
    yield from _over(world, "security-groups-per-load-balancer", count, "securityGroups", "on the load balancer")


@rule(
    types=[LISTENER],
    properties=("loadBalancerArn",),
    code="TooManyListeners",
    source=f"{ALB_QUOTAS} (listeners per load balancer: 50)",
)
def listeners_per_load_balancer(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 50 listeners per load balancer (quota listeners-per-load-balancer)."""
    balancer = reference_key(world, resource, "loadBalancerArn")
    if balancer is None:
        return
    by_balancer = by_reference(world, "listeners-by-balancer", (LISTENER,), "loadBalancerArn")
    count = 1 + by_balancer.count(balancer, excluding=resource.urn)
    yield from _over(world, "listeners-per-load-balancer", count, "loadBalancerArn", "on the load balancer")

"""Security group rules in every spelling the provider accepts: the ``ingress``/``egress`` blocks inline in
``aws:ec2/securityGroup`` (and ``defaultSecurityGroup``), the legacy ``aws:ec2/securityGroupRule`` and the
``aws:vpc/securityGroup{Ingress,Egress}Rule`` resources, all held to what EC2 refuses in an ``IpPermission``.

The separate-resource rules in ``ec2.py`` check one rule resource; these check the inline blocks the same way,
and the description charset that depends on the rule's peer: a rule that references a security group or a
prefix list carries a ``UserIdGroupPair``/``PrefixListId`` description, whose charset has no ``&``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from offline.cloudrules.ec2 import DEFAULT_SG, EGRESS, INGRESS, LEGACY_RULE, SG, SG_CHARS, SG_CHARS_TEXT
from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import bad_chars, is_unknown, items, known_int, known_str, mapping, plain, shown

EC2_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference"
TF_SG_DOC = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group"
TF_EC2 = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ec2"

# UserIdGroupPair.Description and PrefixListId.Description: IpRange's set without "&".
PAIR_CHARS = SG_CHARS.replace("&", "")
PAIR_CHARS_TEXT = SG_CHARS_TEXT.replace("&", "")
PROTOCOL_KINDS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp"}
PROTOCOL_KINDS |= {"icmpv6": "icmpv6", "58": "icmpv6", "-1": "all"}


def inline_blocks(resource: CloudResource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for direction in ("ingress", "egress"):
        for i, entry in enumerate(items(resource.get(direction))):
            yield f"{direction}[{i}]", mapping(entry)


def _block_peers(block: Mapping[str, Any]) -> list[str]:
    """Which group or prefix-list peers an inline block (or legacy rule) names."""
    peers = [k for k in ("securityGroups", "prefixListIds") if items(block.get(k))]
    peers += [k for k in ("self",) if plain(block.get(k)) is True]
    peers += [k for k in ("sourceSecurityGroupId",) if known_str(block.get(k))]
    return peers


def _pair_description(prop: str, text: str | None, peer: str) -> Iterator[Finding]:
    if text is None:
        return
    wrong = bad_chars(text, PAIR_CHARS)
    if wrong:
        yield Finding(
            prop,
            f"character {shown(wrong)} is not allowed in the description of a rule that references {peer} "
            f"(allowed: {PAIR_CHARS_TEXT})",
        )


@rule(
    types=[SG, DEFAULT_SG, INGRESS, EGRESS, LEGACY_RULE],
    properties=(
        "ingress[].description",
        "egress[].description",
        "description",
        "referencedSecurityGroupId",
        "prefixListId",
        "sourceSecurityGroupId",
        "self",
        "prefixListIds",
    ),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_UserIdGroupPair.html and {EC2_API}/API_PrefixListId.html (Description: a-z, A-Z, 0-9, "
    f"spaces and ._-:/()#,@[]+=;{{}}!$*, no &); {EC2_API}/API_IpRange.html (which allows &)",
)
def security_group_pair_description(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A rule that references a security group or prefix list has no "&" in its description (IP ranges may)."""
    if resource.type in (SG, DEFAULT_SG):
        for prop, block in inline_blocks(resource):
            peers = _block_peers(block)
            if peers:
                yield from _pair_description(
                    f"{prop}.description", known_str(block.get("description")), "a security group or prefix list"
                )
        return
    if resource.type == LEGACY_RULE:
        peers = _block_peers(resource.inputs)
    else:
        peers = [k for k in ("referencedSecurityGroupId", "prefixListId") if known_str(resource.get(k))]
    if peers:
        yield from _pair_description("description", known_str(resource.get("description")), "a group or prefix list")


@rule(
    types=[SG, DEFAULT_SG],
    properties=(
        "ingress[].protocol",
        "ingress[].fromPort",
        "ingress[].toPort",
        "egress[].protocol",
        "egress[].fromPort",
        "egress[].toPort",
    ),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_IpPermission.html (FromPort/ToPort: ports 0-65535 for tcp/udp, ICMP type and code "
    f"-1..255); {TF_SG_DOC} (inline protocol -1 needs from_port and to_port 0)",
)
def security_group_inline_ports(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Inline rules: a tcp/udp range 0-65535 with from <= to, ICMP -1..255, and protocol -1 with ports 0."""
    for prop, block in inline_blocks(resource):
        protocol = known_str(block.get("protocol"))
        low, high = known_int(block.get("fromPort")), known_int(block.get("toPort"))
        if protocol is None:
            continue
        kind = PROTOCOL_KINDS.get(protocol.lower())
        if protocol.lower() == "all":
            yield Finding(f"{prop}.protocol", 'write "-1" for all protocols: "all" is not valid inline')
        elif kind in ("tcp", "udp") and low is not None and high is not None:
            if not (0 <= low <= 65535 and 0 <= high <= 65535) or low > high:
                yield Finding(f"{prop}.fromPort", f"{low}-{high} is not a port range (0-65535, fromPort <= toPort)")
        elif kind in ("icmp", "icmpv6"):
            for leaf, value in (("fromPort", low), ("toPort", high)):
                if value is not None and not -1 <= value <= 255:
                    yield Finding(f"{prop}.{leaf}", f"ICMP type or code {value} is outside -1..255")
        elif kind == "all":
            for leaf, value in (("fromPort", low), ("toPort", high)):
                if value is not None and value != 0:
                    yield Finding(f"{prop}.{leaf}", f"{value}: with protocol -1 both ports are 0")


def _cidr_findings(prop: str, values: Any, version: int) -> Iterator[Finding]:
    for i, raw in enumerate(items(values)):
        text = known_str(raw)
        if text is None:
            continue
        try:
            # Strict (the default): a block with host bits set raises.
            network = ipaddress.ip_network(text)
        except ValueError:
            yield Finding(f"{prop}[{i}]", f'"{text[:50]}" is not an IPv{version} CIDR block without host bits')
            continue
        if network.version != version:
            yield Finding(f"{prop}[{i}]", f'"{text[:50]}" is not an IPv{version} CIDR block')


@rule(
    types=[SG, DEFAULT_SG, LEGACY_RULE],
    properties=(
        "ingress[].cidrBlocks",
        "ingress[].ipv6CidrBlocks",
        "egress[].cidrBlocks",
        "egress[].ipv6CidrBlocks",
        "cidrBlocks",
        "ipv6CidrBlocks",
    ),
    code="InvalidParameterValue",
    source=f"{TF_EC2}/vpc_security_group.go and vpc_security_group_rule.go (cidr_blocks, ipv6_cidr_blocks: "
    f"ValidCIDRNetworkAddress, a network address without host bits); {EC2_API}/API_IpRange.html (CidrIp: IPv4); "
    f"{EC2_API}/API_Ipv6Range.html (CidrIpv6: IPv6)",
)
def security_group_block_cidrs(resource: CloudResource, world: World) -> Iterator[Finding]:
    """cidrBlocks are IPv4 and ipv6CidrBlocks IPv6 network addresses without host bits, inline or legacy."""
    if resource.type == LEGACY_RULE:
        yield from _cidr_findings("cidrBlocks", resource.get("cidrBlocks"), 4)
        yield from _cidr_findings("ipv6CidrBlocks", resource.get("ipv6CidrBlocks"), 6)
        return
    for prop, block in inline_blocks(resource):
        yield from _cidr_findings(f"{prop}.cidrBlocks", block.get("cidrBlocks"), 4)
        yield from _cidr_findings(f"{prop}.ipv6CidrBlocks", block.get("ipv6CidrBlocks"), 6)


# The peers an inline rule names by list, and with ``self`` every way it may name one.
PEER_LISTS = ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups")
INLINE_SOURCES = (*PEER_LISTS, "self")


@rule(
    types=[SG, DEFAULT_SG],
    properties=tuple(f"{d}[].{k}" for d in ("ingress", "egress") for k in INLINE_SOURCES),
    code="MissingParameter",
    source=f"{EC2_API}/API_IpPermission.html (a permission names IpRanges, Ipv6Ranges, PrefixListIds or "
    f"UserIdGroupPairs); {TF_SG_DOC}",
)
def security_group_inline_source(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An inline rule names at least one peer: cidrBlocks, ipv6CidrBlocks, prefixListIds, securityGroups or self."""
    for prop, block in inline_blocks(resource):
        if any(is_unknown(block.get(k)) for k in INLINE_SOURCES):
            continue
        if not any(items(block.get(k)) for k in PEER_LISTS) and plain(block.get("self")) is not True:
            yield Finding(
                prop, "a rule needs a peer: cidrBlocks, ipv6CidrBlocks, prefixListIds, securityGroups or self"
            )

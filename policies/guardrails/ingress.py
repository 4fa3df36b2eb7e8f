"""One normalised view of security-group ingress, whatever resource type carries it.

AWS lets four resource types open a security group: the inline ``ingress`` list of a ``SecurityGroup``
or ``DefaultSecurityGroup``, a standalone ``SecurityGroupRule`` of type ``ingress``, and a
``vpc.SecurityGroupIngressRule``. Each spells protocol, ports and sources differently; rules that read
them one by one drift apart and leave gaps (checkov, for one, stops at a ``self`` rule). So every
rule in the network pack reads :class:`IngressPermission` only, built here once.

The normaliser fails closed: a protocol it cannot recognise counts as "all protocols", a TCP port
range it cannot read counts as "every port", and a source it cannot parse is kept as an ``INVALID``
source so a rule reports it instead of skipping it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from . import props as p

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

INLINE_INGRESS_TYPES = frozenset({SECURITY_GROUP, DEFAULT_SECURITY_GROUP})
STANDALONE_INGRESS_TYPES = frozenset({SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE})
INGRESS_TYPES = INLINE_INGRESS_TYPES | STANDALONE_INGRESS_TYPES

MAX_PORT = 65535


class ProtocolKind(Enum):
    TCP = "tcp"
    ALL = "all"
    OTHER = "other"
    UNRECOGNISED = "unrecognised"


# Protocols AWS accepts by name that are not TCP. Anything outside these, TCP, numbers 0-255 and
# "-1"/"all" is unrecognised and treated as "all protocols".
_NON_TCP_NAMES = frozenset({"udp", "icmp", "icmpv6", "gre", "esp", "ah", "sctp", "igmp"})


@dataclass(frozen=True)
class Protocol:
    kind: ProtocolKind
    label: str

    @classmethod
    def parse(cls, raw: Any) -> Protocol:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            number = p.as_int(raw)
            raw = str(number) if number is not None else None
        if not isinstance(raw, str) or not raw.strip():
            return cls(ProtocolKind.UNRECOGNISED, "unset or unreadable protocol (treated as all)")
        text = raw.strip().lower()
        if text in ("-1", "all"):
            return cls(ProtocolKind.ALL, "all protocols")
        if text in ("tcp", "6"):
            return cls(ProtocolKind.TCP, "tcp")
        if text in _NON_TCP_NAMES:
            return cls(ProtocolKind.OTHER, text)
        if text.isdigit() and int(text) <= 255:
            return cls(ProtocolKind.OTHER, f"protocol {int(text)}")
        return cls(ProtocolKind.UNRECOGNISED, "unrecognised protocol (treated as all)")


class SourceKind(Enum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    PREFIX_LIST = "prefix-list"
    SECURITY_GROUP = "security-group"
    SELF = "self"
    INVALID = "invalid"


@dataclass(frozen=True)
class Source:
    """Where traffic may come from. ``field`` names the property it was read from (``cidrBlocks[1]``)."""

    kind: SourceKind
    field: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    reference: str | None = None

    @property
    def is_single_ipv4_host(self) -> bool:
        return (
            self.kind is SourceKind.IPV4
            and isinstance(self.network, ipaddress.IPv4Network)
            and self.network.prefixlen == 32
        )

    def describe(self) -> str:
        if self.kind in (SourceKind.IPV4, SourceKind.IPV6):
            return f"{self.network} ({self.field})"
        if self.kind is SourceKind.SELF:
            return "the group itself (self)"
        if self.kind is SourceKind.PREFIX_LIST:
            return f"prefix list {_display(self.reference)} ({self.field})"
        if self.kind is SourceKind.SECURITY_GROUP:
            return f"security group {_display(self.reference)} ({self.field})"
        # Raw text is not echoed: it may be anything, including a secret the policy cannot tell apart.
        return f"an unparseable source ({self.field})"


@dataclass(frozen=True)
class IngressPermission:
    """One ingress permission: a protocol, a port range and the sources it admits.

    ``location`` names it inside its resource (``ingress[1]``, or ``rule`` for a standalone rule);
    ``target_group`` is the group a standalone rule opens (``securityGroupId``), ``None`` for inline.
    """

    resource_type: str
    location: str
    protocol: Protocol
    from_port: int | None
    to_port: int | None
    sources: tuple[Source, ...]
    target_group: Any = None

    @property
    def ports_readable(self) -> bool:
        return (
            self.from_port is not None and self.to_port is not None and 0 <= self.from_port <= self.to_port <= MAX_PORT
        )

    def reaches_tcp_port(self, port: int) -> bool:
        """Whether TCP traffic to ``port`` can pass; unreadable TCP port ranges count as every port."""
        kind = self.protocol.kind
        if kind is ProtocolKind.OTHER:
            return False
        if kind in (ProtocolKind.ALL, ProtocolKind.UNRECOGNISED):
            return True
        if not self.ports_readable:
            return True
        assert self.from_port is not None and self.to_port is not None
        return self.from_port <= port <= self.to_port

    def describe(self) -> str:
        """``ingress[1] tcp 0-65535``: the words a violation message uses to name this permission."""
        kind = self.protocol.kind
        if kind is not ProtocolKind.TCP:
            return f"{self.location} {self.protocol.label}"
        if not self.ports_readable:
            return f"{self.location} tcp with an unreadable port range (treated as 0-{MAX_PORT})"
        return f"{self.location} tcp {self.from_port}-{self.to_port}"


def _display(value: Any) -> str:
    if isinstance(value, str) and value and len(value) <= 80 and value.isprintable():
        return value
    return "<unreadable reference>"


def parse_cidr(text: Any, field: str) -> Source:
    """A CIDR source, ``INVALID`` unless ``text`` is a canonical network (no host bits, no padding).

    ``"010.0.0.1/32"``, ``" 0.0.0.0/0"`` and a bare ``"10.0.0.1"`` are all refused: AWS or a reader
    could take them for something other than what a string comparison sees.
    """
    if not isinstance(text, str):
        return Source(SourceKind.INVALID, field)
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        return Source(SourceKind.INVALID, field)
    if str(network) != text or "/" not in text:
        return Source(SourceKind.INVALID, field)
    kind = SourceKind.IPV4 if isinstance(network, ipaddress.IPv4Network) else SourceKind.IPV6
    return Source(kind, field, network=network)


def _cidr_sources(rule: Mapping[str, Any], key: str) -> list[Source]:
    value = p.get(rule, key)
    if value is None:
        return []
    if not p.is_sequence(value):
        return [parse_cidr(value, key)]
    return [parse_cidr(item, f"{key}[{i}]") for i, item in enumerate(value)]


def _reference_sources(rule: Mapping[str, Any], key: str, kind: SourceKind) -> list[Source]:
    value = p.get(rule, key)
    if value is None:
        return []
    items = list(value) if p.is_sequence(value) else [value]
    labelled = [(f"{key}[{i}]" if p.is_sequence(value) else key, item) for i, item in enumerate(items)]
    return [
        Source(kind, field, reference=item)
        if isinstance(item, str) and item.strip()
        else Source(SourceKind.INVALID, field)
        for field, item in labelled
    ]


def _self_source(rule: Mapping[str, Any]) -> list[Source]:
    value = p.get(rule, "self")
    # Only an explicit false (bool or its text) means "not self"; anything else fails closed.
    if value is None or p.as_bool(value) is False:
        return []
    return [Source(SourceKind.SELF, "self")]


def _ec2_rule(
    resource_type: str,
    location: str,
    rule: Mapping[str, Any],
    source_group_key: str,
    target_group: Any = None,
) -> IngressPermission:
    """Inline ingress and ``SecurityGroupRule`` share the EC2 classic field names."""
    sources = (
        _cidr_sources(rule, "cidrBlocks")
        + _cidr_sources(rule, "ipv6CidrBlocks")
        + _reference_sources(rule, "prefixListIds", SourceKind.PREFIX_LIST)
        + _reference_sources(rule, source_group_key, SourceKind.SECURITY_GROUP)
        + _self_source(rule)
    )
    return IngressPermission(
        resource_type=resource_type,
        location=location,
        protocol=Protocol.parse(p.get(rule, "protocol")),
        from_port=p.as_int(p.get(rule, "fromPort")),
        to_port=p.as_int(p.get(rule, "toPort")),
        sources=tuple(sources),
        target_group=target_group,
    )


def _vpc_ingress_rule(props: Mapping[str, Any]) -> IngressPermission:
    sources: list[Source] = []
    for key in ("cidrIpv4", "cidrIpv6"):
        value = p.get(props, key)
        if value is not None:
            sources.append(parse_cidr(value, key))
    sources += _reference_sources(props, "prefixListId", SourceKind.PREFIX_LIST)
    sources += _reference_sources(props, "referencedSecurityGroupId", SourceKind.SECURITY_GROUP)
    return IngressPermission(
        resource_type=SECURITY_GROUP_INGRESS_RULE,
        location="rule",
        protocol=Protocol.parse(p.get(props, "ipProtocol")),
        from_port=p.as_int(p.get(props, "fromPort")),
        to_port=p.as_int(p.get(props, "toPort")),
        sources=tuple(sources),
        target_group=p.get(props, "securityGroupId"),
    )


def is_egress_rule(props: Mapping[str, Any]) -> bool:
    """A ``SecurityGroupRule`` is egress only when it says so; any other ``type`` fails closed to ingress."""
    kind = p.as_str(p.get(props, "type"))
    return kind is not None and kind.strip().lower() == "egress"


def ingress_permissions(resource_type: str, props: Mapping[str, Any]) -> list[IngressPermission]:
    """Every ingress permission ``props`` of ``resource_type`` grants; ``[]`` for other types."""
    if resource_type in INLINE_INGRESS_TYPES:
        return [
            _ec2_rule(resource_type, f"ingress[{i}]", rule, "securityGroups")
            if p.is_mapping(rule)
            else IngressPermission(
                resource_type,
                f"ingress[{i}]",
                Protocol.parse(None),
                None,
                None,
                (Source(SourceKind.INVALID, f"ingress[{i}]"),),
            )
            for i, rule in enumerate(p.as_list(p.get(props, "ingress")))
        ]
    if resource_type == SECURITY_GROUP_RULE:
        if is_egress_rule(props):
            return []
        return [
            _ec2_rule(
                resource_type,
                "rule",
                props,
                "sourceSecurityGroupId",
                target_group=p.get(props, "securityGroupId"),
            )
        ]
    if resource_type == SECURITY_GROUP_INGRESS_RULE:
        return [_vpc_ingress_rule(props)]
    return []

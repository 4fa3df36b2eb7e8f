"""One normalised view of security-group ingress, whatever resource type carries it.

AWS lets four resource types open a security group: the inline ``ingress`` list of a ``SecurityGroup``
or ``DefaultSecurityGroup``, a standalone ``SecurityGroupRule`` of type ``ingress``, and a
``vpc.SecurityGroupIngressRule``. Each spells protocol, ports and sources differently; rules that read
them one by one drift apart and leave gaps (checkov, for one, stops at a ``self`` rule). So every
rule in the network pack reads :class:`IngressPermission` only, built here once.

The normaliser fails closed: a protocol it cannot recognise counts as "all protocols", a TCP port
range it cannot read counts as "every port", a source it cannot parse (an IPv4 block in an IPv6 field
too) is kept as an ``INVALID`` source so a rule reports it instead of skipping it, and a permission that
names no source at all gets a ``MISSING`` one. A source unknown during preview is kept as ``UNKNOWN``
beside the known ones, so a known world-open source next to it is still reported.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any

from pulumi_policy.proxy import UnknownValueError

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
_NON_TCP_NAMES = {"udp": 17, "icmp": 1, "icmpv6": 58, "gre": 47, "esp": 50, "ah": 51, "sctp": 132, "igmp": 2}


@dataclass(frozen=True)
class Protocol:
    kind: ProtocolKind
    label: str
    # The IANA protocol number (6 for tcp, 17 for udp); None for all protocols or an unrecognised one.
    number: int | None = None

    @classmethod
    def parse(cls, raw: Any) -> Protocol:
        # Numbers compare as numbers ("006" and 6.0 are TCP to AWS), read by the one integer reader.
        number = p.as_int(raw)
        if number is not None:
            if number == -1:
                return cls(ProtocolKind.ALL, "all protocols")
            if number == 6:
                return cls(ProtocolKind.TCP, "tcp", 6)
            if 0 <= number <= 255:
                return cls(ProtocolKind.OTHER, f"protocol {number}", number)
            return cls(ProtocolKind.UNRECOGNISED, "unrecognised protocol (treated as all)")
        if not isinstance(raw, str) or not raw.strip():
            return cls(ProtocolKind.UNRECOGNISED, "unset or unreadable protocol (treated as all)")
        text = raw.strip().lower()
        if text == "all":
            return cls(ProtocolKind.ALL, "all protocols")
        if text == "tcp":
            return cls(ProtocolKind.TCP, "tcp", 6)
        if text in _NON_TCP_NAMES:
            return cls(ProtocolKind.OTHER, text, _NON_TCP_NAMES[text])
        return cls(ProtocolKind.UNRECOGNISED, "unrecognised protocol (treated as all)")


class SourceKind(Enum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    PREFIX_LIST = "prefix-list"
    SECURITY_GROUP = "security-group"
    SELF = "self"
    INVALID = "invalid"
    # No source at all: AWS would refuse it, and a rule cannot show who it admits, so it fails closed.
    MISSING = "missing"
    # Unknown during preview: a rule decides on the known sources first and defers only on this one.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Source:
    """Where traffic may come from. ``field`` names the property it was read from (``cidrBlocks[1]``)."""

    kind: SourceKind
    field: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    reference: Any = None

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
        if self.kind is SourceKind.MISSING:
            return f"no source at all ({self.field}; an unreadable rule fails closed)"
        if self.kind is SourceKind.UNKNOWN:
            return f"a source unknown during preview ({self.field})"
        # Raw text is not echoed: it may be anything, including a secret the policy cannot tell apart.
        return f"an unparseable source ({self.field})"


class IngressPermission:
    """One ingress permission: a protocol, a port range and the sources it admits.

    ``location`` names it inside its resource (``ingress[1]``, or ``rule`` for a standalone rule);
    ``target_group`` is the group a standalone rule opens (``securityGroupId``), ``None`` for inline.

    Each field is read from the resource on first use, not up front: during a first ``pulumi preview``
    some properties are unknown (a standalone rule's ``securityGroupId`` always is), and reading one
    raises. A rule asks only what its decision needs (protocol, then ports only for TCP, then sources
    only for a permission that reaches a guarded port), so an unknown it does not need never stops it.
    """

    def __init__(self, resource_type: str, location: str, rule: Any, shape: _Shape) -> None:
        self.resource_type = resource_type
        self.location = location
        self._rule = rule if p.is_mapping(rule) else None
        self._shape = shape

    def _read(self, key: str | None) -> Any:
        return p.get(self._rule, key) if self._rule is not None and key is not None else None

    @cached_property
    def protocol(self) -> Protocol:
        return Protocol.parse(self._read(self._shape.protocol_key))

    @cached_property
    def from_port(self) -> int | None:
        return p.as_int(self._read("fromPort"))

    @cached_property
    def to_port(self) -> int | None:
        return p.as_int(self._read("toPort"))

    @cached_property
    def sources(self) -> tuple[Source, ...]:
        if self._rule is None:
            return (Source(SourceKind.INVALID, self.location),)
        found = tuple(self._shape.sources(self._rule))
        return found or (Source(SourceKind.MISSING, self.location),)

    @cached_property
    def target_group(self) -> Any:
        """The group a standalone rule opens; :data:`props.UNKNOWN` while its id is not created yet."""
        if self._rule is None or self._shape.target_key is None:
            return None
        return p.reference(self._rule, self._shape.target_key)

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
        """``ingress[1] tcp 0-65535``: the words a violation message uses to name this permission.

        A rule whose decision did not need the protocol or ports (a source check) may find them unknown
        during preview; the violation still stands, so the message says so instead of raising.
        """
        try:
            kind = self.protocol.kind
            if kind is not ProtocolKind.TCP:
                return f"{self.location} {self.protocol.label}"
            if not self.ports_readable:
                return f"{self.location} tcp with an unreadable port range (treated as 0-{MAX_PORT})"
        except UnknownValueError:
            return f"{self.location} (protocol or ports unknown during preview)"
        return f"{self.location} tcp {self.from_port}-{self.to_port}"


def _display(value: Any) -> str:
    if value is p.UNKNOWN:
        return "<unknown during preview>"
    if isinstance(value, str) and value and len(value) <= 80 and value.isprintable():
        return value
    return "<unreadable reference>"


def parse_cidr(text: Any, field: str, version: int | None = None) -> Source:
    """A CIDR source, ``INVALID`` unless ``text`` is a canonical network (no host bits, no padding).

    ``"010.0.0.1/32"``, ``" 0.0.0.0/0"`` and a bare ``"10.0.0.1"`` are all refused: AWS or a reader
    could take them for something other than what a string comparison sees. With ``version``, a
    network of the other IP version is refused too: ``203.0.113.7/32`` in an IPv6 field is no host.
    """
    if not isinstance(text, str):
        return Source(SourceKind.INVALID, field)
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        return Source(SourceKind.INVALID, field)
    if str(network) != text or "/" not in text:
        return Source(SourceKind.INVALID, field)
    if version is not None and network.version != version:
        # Kept for readers that name it ("in the wrong address family"); never a host of either family.
        return Source(SourceKind.INVALID, field, network=network)
    kind = SourceKind.IPV4 if isinstance(network, ipaddress.IPv4Network) else SourceKind.IPV6
    return Source(kind, field, network=network)


def _cidr_sources(rule: Mapping[str, Any], key: str, version: int) -> list[Source]:
    """The sources of one CIDR field; an unknown field or element stays an ``UNKNOWN`` source beside the rest."""
    if p.is_unknown_at(rule, key):
        return [Source(SourceKind.UNKNOWN, key)]
    value = p.get(rule, key)
    if value is None:
        return []
    if not p.is_sequence(value):
        return [parse_cidr(value, key, version)]
    return [
        Source(SourceKind.UNKNOWN, f"{key}[{i}]")
        if p.is_unknown_at(value, i)
        else parse_cidr(value[i], f"{key}[{i}]", version)
        for i in range(len(value))
    ]


def _reference_sources(rule: Mapping[str, Any], key: str, kind: SourceKind) -> list[Source]:
    """Sources named by reference; an id unknown during preview stays a source of ``kind`` (see props)."""
    value = p.reference(rule, key)
    if value is None:
        return []
    items = p.reference_items(value)
    labelled = [(f"{key}[{i}]" if p.is_sequence(value) else key, item) for i, item in enumerate(items)]
    return [
        Source(kind, field, reference=item)
        if (isinstance(item, str) and item.strip()) or item is p.UNKNOWN
        else Source(SourceKind.INVALID, field)
        for field, item in labelled
    ]


def _self_source(rule: Mapping[str, Any]) -> list[Source]:
    if p.is_unknown_at(rule, "self"):
        return [Source(SourceKind.UNKNOWN, "self")]
    value = p.get(rule, "self")
    # Only an explicit false (bool or its text) means "not self"; anything else fails closed.
    if value is None or p.as_bool(value) is False:
        return []
    return [Source(SourceKind.SELF, "self")]


def _ec2_sources(source_group_key: str) -> Callable[[Mapping[str, Any]], list[Source]]:
    """Inline ingress and ``SecurityGroupRule`` share the EC2 classic field names."""

    def sources(rule: Mapping[str, Any]) -> list[Source]:
        return (
            _cidr_sources(rule, "cidrBlocks", 4)
            + _cidr_sources(rule, "ipv6CidrBlocks", 6)
            + _reference_sources(rule, "prefixListIds", SourceKind.PREFIX_LIST)
            + _reference_sources(rule, source_group_key, SourceKind.SECURITY_GROUP)
            + _self_source(rule)
        )

    return sources


def _vpc_sources(props: Mapping[str, Any]) -> list[Source]:
    sources = _cidr_sources(props, "cidrIpv4", 4) + _cidr_sources(props, "cidrIpv6", 6)
    sources += _reference_sources(props, "prefixListId", SourceKind.PREFIX_LIST)
    sources += _reference_sources(props, "referencedSecurityGroupId", SourceKind.SECURITY_GROUP)
    return sources


@dataclass(frozen=True)
class _Shape:
    """Where one resource type keeps a permission's protocol, sources and target group."""

    protocol_key: str
    sources: Callable[[Mapping[str, Any]], list[Source]]
    target_key: str | None = None


def _inline_sources(rule: Mapping[str, Any]) -> list[Source]:
    return _ec2_sources("securityGroups")(rule)


def _ec2_rule_sources(rule: Mapping[str, Any]) -> list[Source]:
    return _ec2_sources("sourceSecurityGroupId")(rule)


# Sources are read through functions called per rule, not closures built once at import, so the code
# that runs is the code in the module now (mutation testing swaps functions in place).
_INLINE = _Shape("protocol", _inline_sources)
_EC2_RULE = _Shape("protocol", _ec2_rule_sources, "securityGroupId")
_VPC_RULE = _Shape("ipProtocol", _vpc_sources, "securityGroupId")


def is_egress_rule(props: Mapping[str, Any]) -> bool:
    """A ``SecurityGroupRule`` is egress only when it says so; any other ``type`` fails closed to ingress."""
    kind = p.as_str(p.get(props, "type"))
    return kind is not None and kind.strip().lower() == "egress"


def ingress_permissions(resource_type: str, props: Mapping[str, Any]) -> list[IngressPermission]:
    """Every ingress permission ``props`` of ``resource_type`` grants; ``[]`` for other types."""
    if resource_type in INLINE_INGRESS_TYPES:
        return [
            IngressPermission(resource_type, f"ingress[{i}]", rule, _INLINE)
            for i, rule in enumerate(p.as_list(p.get(props, "ingress")))
        ]
    if resource_type == SECURITY_GROUP_RULE:
        return [] if is_egress_rule(props) else [IngressPermission(resource_type, "rule", props, _EC2_RULE)]
    if resource_type == SECURITY_GROUP_INGRESS_RULE:
        return [IngressPermission(resource_type, "rule", props, _VPC_RULE)]
    return []

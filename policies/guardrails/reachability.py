"""What can be reached from the internet, traced the way a packet travels: plain data in, exposures out.

The seed's SSH packet takes one path: the workstation sends to the instance's public address; the
subnet's route table sends the reply (and so admits the flow) through an Internet Gateway attached to
the VPC; the gateway maps the public address to the private one; the subnet's network ACL lets the
packet in; a security group admits its source and port; for a load balancer, a listener takes the port.
A resource is exposed on a protocol and port when every link holds for some public source.

This module knows no Pulumi type: :mod:`guardrails.network.reach` reads a stack into these dataclasses.
Every link narrows a set of source networks, split as routing and ACLs split them:

- route: the longest prefix that matches a source decides where the reply goes (``0.0.0.0/0`` to the
  gateway but ``203.0.113.0/24`` to a NAT gateway leaves that /24 unreachable); a VPC's own CIDR is local;
- network ACL: rules in number order, first match wins, the last rule denies; an untouched default ACL
  admits everything;
- security group: only sources with a public address count (RFC 1918, CGNAT, loopback, link-local, ULA,
  multicast and the other IANA non-global blocks do not). The documentation prefixes (RFC 5737,
  RFC 3849) do count: a config holds them only as a stand-in for a real, public operator address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TypeVar

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
T = TypeVar("T")

TCP = 6
UDP = 17
PROTOCOL_NAMES = {TCP: "tcp", UDP: "udp"}
MAX_PORT = 65535

ANY_IPV4 = ipaddress.IPv4Network("0.0.0.0/0")
ANY_IPV6 = ipaddress.IPv6Network("::/0")
EVERYWHERE: tuple[Net, ...] = (ANY_IPV4, ANY_IPV6)

# IANA special-purpose blocks that are not globally reachable (what ``ipaddress`` calls not is_global),
# less the documentation prefixes, which stand in for public addresses (see the module docstring).
NON_PUBLIC: tuple[Net, ...] = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "::ffff:0:0/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)
DOCUMENTATION: tuple[Net, ...] = tuple(
    ipaddress.ip_network(block) for block in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)


def _minus(networks: Iterable[Net], removed: Net) -> list[Net]:
    """``networks`` without the addresses of ``removed`` (CIDRs either nest or are disjoint)."""
    kept: list[Net] = []
    for network in networks:
        if network.version != removed.version or not network.overlaps(removed):
            kept.append(network)
        elif network.subnet_of(removed):  # type: ignore[arg-type]
            continue
        else:
            kept.extend(network.address_exclude(removed))  # type: ignore[arg-type]
    return kept


def _intersection(a: Net, b: Net) -> Net | None:
    if a.version != b.version or not a.overlaps(b):
        return None
    return a if a.prefixlen >= b.prefixlen else b


def collapse(networks: Iterable[Net]) -> tuple[Net, ...]:
    """The fewest CIDRs covering ``networks``, IPv4 first then IPv6, each in address order."""
    return _collapse(tuple(networks))


@lru_cache(maxsize=4096)
def _collapse(items: tuple[Net, ...]) -> tuple[Net, ...]:
    v4 = [n for n in items if n.version == 4]
    v6 = [n for n in items if n.version == 6]
    return tuple(ipaddress.collapse_addresses(v4)) + tuple(ipaddress.collapse_addresses(v6))


@cache
def public_part(network: Net) -> tuple[Net, ...]:
    """The publicly routable addresses of ``network``: ``()`` for ``10.0.0.0/8``, most of ``0.0.0.0/0``."""
    parts: list[Net] = [network]
    for block in NON_PUBLIC:
        parts = _minus(parts, block)
    return collapse(parts)


# --------------------------------------------------------------------------------------------------
# The links, as plain data
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """One step of a path: the words a message uses for it (``igw-0abc``, ``rtb-0def (0.0.0.0/0)``,
    ``public IP``) and the resources it passes through (none for the internet itself)."""

    text: str
    urns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """A route: destination (``None`` for a prefix list, whose entries are not known) and whether its
    target is an Internet Gateway attached to the subnet's VPC (``gateway`` is that gateway's hop)."""

    destination: Net | None
    label: str
    gateway: Hop | None = None


@dataclass(frozen=True)
class RouteTable:
    hop: Hop
    routes: tuple[Route, ...] = ()
    # The VPC's own CIDRs: the implicit local route, more specific than a default route.
    local: tuple[Net, ...] = ()


@dataclass(frozen=True)
class AclRule:
    """One ingress rule of a network ACL; ``protocol`` None means every protocol (``-1``)."""

    number: int
    allow: bool
    network: Net
    protocol: int | None = None
    from_port: int = 0
    to_port: int = MAX_PORT

    def applies(self, protocol: int, low: int, high: int) -> bool:
        """Whether the rule covers protocol and the whole port segment (segments never straddle a rule)."""
        if self.protocol is None:
            return True
        return self.protocol == protocol and self.from_port <= low and high <= self.to_port


@dataclass(frozen=True)
class NetworkAcl:
    hop: Hop
    rules: tuple[AclRule, ...] = ()


@dataclass(frozen=True)
class Subnet:
    hop: Hop
    route_table: RouteTable
    # None: the VPC's default ACL as AWS creates it, which admits everything.
    acl: NetworkAcl | None = None


@dataclass(frozen=True)
class Source:
    """What a permission admits: the networks it stands for and how a message names it."""

    networks: tuple[Net, ...]
    label: str


@dataclass(frozen=True)
class Permission:
    """One security-group ingress permission; ``protocol`` None means every protocol."""

    hop: Hop
    sources: tuple[Source, ...]
    protocol: int | None = None
    from_port: int = 0
    to_port: int = MAX_PORT


@dataclass(frozen=True)
class Listener:
    hop: Hop
    protocol: int
    # None: a port that cannot be read, which fails closed as every port.
    port: int | None


@dataclass(frozen=True)
class Placement:
    """Where a resource sits and which public addresses it has there."""

    subnet: Subnet
    # The hop naming the public IPv4 address (``public IP``, ``eip web-eip``), None without one.
    ipv4: Hop | None = None
    ipv6: bool = False


@dataclass(frozen=True)
class Target:
    """A resource that can receive traffic: an instance, the instances of an ASG, a load balancer."""

    urn: str
    type: str
    name: str
    kind: str  # "instance" | "loadBalancer"
    hop: Hop
    placements: tuple[Placement, ...]
    # None: no security group filters it (a network load balancer without groups).
    permissions: tuple[Permission, ...] | None = ()
    # None: not a load balancer; otherwise only these ports answer.
    listeners: tuple[Listener, ...] | None = None


@dataclass
class Exposure:
    """``target`` answers ``protocol``/``from_port``-``to_port`` from ``networks`` (public, routed,
    admitted); ``sources`` names them as the permissions do; ``paths`` are the hops that lead there."""

    target: Target
    protocol: str
    from_port: int
    to_port: int
    networks: tuple[Net, ...]
    sources: list[str] = field(default_factory=list)
    paths: list[tuple[Hop, ...]] = field(default_factory=list)
    # Membership of ``sources`` and ``paths``, kept beside the ordered lists: a stack whose resources
    # repeat finds the same path many times, and a list searched per find made that quadratic.
    _known_sources: set[str] = field(default_factory=set, repr=False, compare=False)
    _known_paths: set[tuple[Hop, ...]] = field(default_factory=set, repr=False, compare=False)

    def add_source(self, label: str) -> None:
        if len(self._known_sources) != len(self.sources):
            self._known_sources = set(self.sources)
        if label not in self._known_sources:
            self._known_sources.add(label)
            self.sources.append(label)

    def add_path(self, hops: tuple[Hop, ...]) -> None:
        if len(self._known_paths) != len(self.paths):
            self._known_paths = set(self.paths)
        if hops not in self._known_paths:
            self._known_paths.add(hops)
            self.paths.append(hops)

    @property
    def ports(self) -> str:
        return str(self.from_port) if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}"

    @property
    def path(self) -> tuple[Hop, ...]:
        return self.paths[0]

    def path_urns(self) -> list[str]:
        """The URNs the first path goes through, in order."""
        found: list[str] = []
        for hop in self.path:
            found += [u for u in hop.urns if u not in found]
        return found

    def narrative(self) -> str:
        """``internet → igw-… → rtb-… (0.0.0.0/0) → subnet-… → public IP → sg-… tcp/22 from … → instance web``."""
        return " → ".join(hop.text for hop in self.path)


# --------------------------------------------------------------------------------------------------
# The links, as functions
# --------------------------------------------------------------------------------------------------


def routed_to_internet(networks: Sequence[Net], table: RouteTable) -> list[tuple[Route, Net]]:
    """The parts of ``networks`` whose replies the table sends to an attached Internet Gateway.

    A prefix-list route to a gateway counts as matching everything first (its entries are not known,
    so the analysis assumes the widest); other routes match by longest prefix, the local route included.
    """
    shape = tuple((route.destination, route.gateway is not None) for route in table.routes)
    return [(table.routes[i], n) for i, n in _routed(tuple(networks), shape, table.local)]


# Copies of one layout (every subnet of a tier, every stack built from one program) route alike:
# the splitting is done once per layout, not once per resource.
@lru_cache(maxsize=4096)
def _routed(
    networks: tuple[Net, ...], routes: tuple[tuple[Net | None, bool], ...], local: tuple[Net, ...]
) -> tuple[tuple[int, Net], ...]:
    remaining = list(networks)
    for i, (destination, to_gateway) in enumerate(routes):
        if destination is None and to_gateway:
            return tuple((i, n) for n in remaining)
    ordered: list[tuple[Net, int | None]] = [(n, None) for n in local]
    ordered += [(d, i) for i, (d, _) in enumerate(routes) if d is not None]
    ordered.sort(key=lambda item: -item[0].prefixlen)
    found: list[tuple[int, Net]] = []
    for destination, index in ordered:
        if not remaining:
            break
        matched = [m for m in (_intersection(n, destination) for n in remaining) if m is not None]
        if not matched:
            continue
        remaining = _minus(remaining, destination)
        if index is not None and routes[index][1]:
            found += [(index, m) for m in matched]
    return tuple(found)


def _segments(acl: NetworkAcl | None, protocol: int, low: int, high: int) -> list[tuple[int, int]]:
    """``low``-``high`` cut where an ACL rule's port range starts or ends, so no segment straddles one."""
    cuts = {low, high + 1}
    for rule in acl.rules if acl is not None else ():
        if rule.protocol == protocol:
            cuts |= {p for p in (rule.from_port, rule.to_port + 1) if low < p <= high}
    points = sorted(cuts)
    return list(zip(points, [p - 1 for p in points[1:]], strict=False))


def admitted_by_acl(networks: Sequence[Net], acl: NetworkAcl | None, protocol: int, low: int, high: int) -> list[Net]:
    """The parts of ``networks`` the ACL lets in on every port of ``low``-``high`` (first match wins)."""
    if acl is None:
        return list(networks)
    return list(_admitted(tuple(networks), acl.rules, protocol, low, high))


@lru_cache(maxsize=4096)
def _admitted(
    networks: tuple[Net, ...], rules: tuple[AclRule, ...], protocol: int, low: int, high: int
) -> tuple[Net, ...]:
    remaining = list(networks)
    allowed: list[Net] = []
    for rule in sorted(rules, key=lambda r: r.number):
        if not remaining:
            break
        if not rule.applies(protocol, low, high):
            continue
        matched = [m for m in (_intersection(n, rule.network) for n in remaining) if m is not None]
        if matched:
            remaining = _minus(remaining, rule.network)
            if rule.allow:
                allowed += matched
    return tuple(allowed)


def _protocols(protocol: int | None) -> list[int]:
    return [TCP, UDP] if protocol is None else [protocol] if protocol in PROTOCOL_NAMES else []


def _port_ranges(target: Target, permission: Permission, protocol: int) -> list[tuple[int, int, Hop | None]]:
    low, high = (0, MAX_PORT) if permission.protocol is None else (permission.from_port, permission.to_port)
    if target.listeners is None:
        return [(low, high, None)]
    ranges: list[tuple[int, int, Hop | None]] = []
    for listener in target.listeners:
        if listener.protocol != protocol:
            continue
        if listener.port is None:
            ranges.append((low, high, listener.hop))
        elif low <= listener.port <= high:
            ranges.append((listener.port, listener.port, listener.hop))
    return ranges


_OPEN = Permission(Hop("no security group"), (Source(EVERYWHERE, "anywhere"),))


def _source_label(source: Source, public: tuple[Net, ...], reached: tuple[Net, ...]) -> str:
    """The permission's own words when all of its public part gets through, else what does."""
    if reached == public:
        return source.label
    if len(reached) <= 4:
        return ", ".join(str(n) for n in reached)
    return f"{len(reached)} ranges of {source.label}"


def _hop_text(hop: Hop | None) -> str | None:
    return None if hop is None else hop.text


def _placement_key(placement: Placement) -> tuple[object, ...]:
    """Everything a trace reads from a placement, without the URNs its hops carry."""
    subnet, table = placement.subnet, placement.subnet.route_table
    routes = tuple((r.destination, r.label, _hop_text(r.gateway)) for r in table.routes)
    acl = None if subnet.acl is None else (subnet.acl.hop.text, subnet.acl.rules)
    return (subnet.hop.text, table.hop.text, routes, table.local, acl, _hop_text(placement.ipv4), placement.ipv6)


def _permission_key(permission: Permission) -> tuple[object, ...]:
    return (permission.hop.text, permission.sources, permission.protocol, permission.from_port, permission.to_port)


def _distinct(items: Iterable[T], key: Callable[[T], object]) -> list[T]:
    """``items`` less those that read the same as an earlier one (copies of a resource sharing its ids
    resolve to every copy: each adds only a path through other URNs, never a network, port or source)."""
    seen: set[object] = set()
    kept: list[T] = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            kept.append(item)
    return kept


def target_exposures(target: Target) -> list[Exposure]:
    """Every (protocol, port range) on which ``target`` answers the internet, with sources and paths."""
    by_key: dict[tuple[str, int, int], Exposure] = {}
    permissions = _distinct(target.permissions if target.permissions is not None else (_OPEN,), _permission_key)
    for placement in _distinct(target.placements, _placement_key):
        addresses: list[tuple[int, Hop]] = []
        if placement.ipv4 is not None:
            addresses.append((4, placement.ipv4))
        if placement.ipv6:
            addresses.append((6, Hop("public IPv6 address")))
        for version, address in addresses:
            for permission in permissions:
                for source in permission.sources:
                    if _public(source.networks, version):
                        _trace(by_key, target, placement.subnet, address, permission, source, version)
    return sorted(by_key.values(), key=lambda e: (e.protocol, e.from_port, e.to_port))


# The set arithmetic below depends only on a source's networks and a subnet's routing and ACL rules,
# which repeat across subnets, resources and copies of a layout: each is worked out once, keyed by
# those small values rather than by the dozens of CIDRs a split 0.0.0.0/0 becomes.
@lru_cache(maxsize=8192)
def _public(networks: tuple[Net, ...], version: int) -> tuple[Net, ...]:
    return collapse(p for n in networks if n.version == version for p in public_part(n))


_RouteShape = tuple[tuple[Net | None, bool], ...]


@lru_cache(maxsize=8192)
def _routed_groups(
    networks: tuple[Net, ...], version: int, shape: _RouteShape, local: tuple[Net, ...]
) -> tuple[tuple[int, tuple[Net, ...]], ...]:
    grouped: dict[int, list[Net]] = {}
    for index, network in _routed(_public(networks, version), shape, local):
        grouped.setdefault(index, []).append(network)
    return tuple((index, tuple(nets)) for index, nets in grouped.items())


@lru_cache(maxsize=8192)
def _reached(
    networks: tuple[Net, ...],
    version: int,
    shape: _RouteShape,
    local: tuple[Net, ...],
    index: int,
    rules: tuple[AclRule, ...] | None,
    protocol: int,
    low: int,
    high: int,
) -> tuple[Net, ...]:
    routed = dict(_routed_groups(networks, version, shape, local))[index]
    return collapse(routed if rules is None else _admitted(routed, rules, protocol, low, high))


def _trace(
    by_key: dict[tuple[str, int, int], Exposure],
    target: Target,
    subnet: Subnet,
    address: Hop,
    permission: Permission,
    source: Source,
    version: int,
) -> None:
    """Follow one public source of one permission through route, ACL and listener to ``target``."""
    table = subnet.route_table
    shape = tuple((route.destination, route.gateway is not None) for route in table.routes)
    public = _public(source.networks, version)
    rules = subnet.acl.rules if subnet.acl is not None else None
    for index, _ in _routed_groups(source.networks, version, shape, table.local):
        route = table.routes[index]
        assert route.gateway is not None
        for protocol in _protocols(permission.protocol):
            name = PROTOCOL_NAMES[protocol]
            for low, high, listener in _port_ranges(target, permission, protocol):
                for seg_low, seg_high in _segments(subnet.acl, protocol, low, high):
                    reached = _reached(
                        source.networks, version, shape, table.local, index, rules, protocol, seg_low, seg_high
                    )
                    if not reached:
                        continue
                    ports = str(seg_low) if seg_low == seg_high else f"{seg_low}-{seg_high}"
                    label = _source_label(source, public, reached)
                    hops = (
                        Hop("internet"),
                        route.gateway,
                        Hop(f"{table.hop.text} ({route.label})", table.hop.urns),
                        subnet.hop,
                        *([subnet.acl.hop] if subnet.acl is not None else []),
                        address,
                        Hop(f"{permission.hop.text} {name}/{ports} from {label}", permission.hop.urns),
                        *([listener] if listener is not None else []),
                        target.hop,
                    )
                    exposure = by_key.get((name, seg_low, seg_high))
                    if exposure is None:
                        exposure = by_key[(name, seg_low, seg_high)] = Exposure(target, name, seg_low, seg_high, ())
                    if exposure.networks != reached:
                        exposure.networks = collapse(exposure.networks + reached)
                    exposure.add_source(label)
                    exposure.add_path(hops)


def exposures(targets: Iterable[Target]) -> list[Exposure]:
    """Every target's exposures; targets sharing a URN (an ASG's launch templates) merge per port range."""
    merged: dict[tuple[str, str, int, int], Exposure] = {}
    for target in targets:
        for exposure in target_exposures(target):
            key = (target.urn, exposure.protocol, exposure.from_port, exposure.to_port)
            known = merged.get(key)
            if known is None:
                merged[key] = exposure
                continue
            known.networks = collapse(known.networks + exposure.networks)
            for label in exposure.sources:
                known.add_source(label)
            for hops in exposure.paths:
                known.add_path(hops)
    return list(merged.values())

"""Each link of :mod:`guardrails.reachability` on its own, at both edges, and against brute-force models.

Route tables, network ACL rules, listeners and paths are checked directly (``routed_to_internet``,
``admitted_by_acl``, ``AclRule.applies``, ``target_exposures``, ``Exposure``), then the whole chain
against an independent model that walks every address and port one by one: ``ipaddress`` membership for
the CIDR arithmetic, first-match rule evaluation for the ACL, longest-prefix match for the routes.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import replace

import pytest
from guardrails import reachability as r
from hypothesis import given, settings
from hypothesis import strategies as st

IGW = r.Hop("igw-1", ("urn:igw",))
SG = r.Hop("sg-1", ("urn:sg",))


def net(text: str) -> r.Net:
    return ipaddress.ip_network(text)


def route(destination: str | None, to_gateway: bool = True, label: str | None = None) -> r.Route:
    return r.Route(net(destination) if destination else None, label or str(destination), IGW if to_gateway else None)


def table(*routes: r.Route, local: Iterable[str] = ("10.0.0.0/16",)) -> r.RouteTable:
    return r.RouteTable(r.Hop("rtb-1", ("urn:rtb",)), routes, tuple(net(n) for n in local))


PUBLIC_TABLE = table(route("0.0.0.0/0"), route("::/0"))


def acl(*rules: r.AclRule) -> r.NetworkAcl:
    return r.NetworkAcl(r.Hop("acl-1", ("urn:acl",)), rules)


def subnet(route_table: r.RouteTable = PUBLIC_TABLE, network_acl: r.NetworkAcl | None = None) -> r.Subnet:
    return r.Subnet(r.Hop("subnet-1", ("urn:subnet",)), route_table, network_acl)


def permission(*sources: str, protocol: int | None = r.TCP, ports: tuple[int, int] = (22, 22)) -> r.Permission:
    return r.Permission(SG, tuple(r.Source((net(s),), s) for s in sources), protocol, *ports)


def target(
    *permissions: r.Permission,
    where: r.Subnet | None = None,
    ipv4: bool = True,
    ipv6: bool = False,
    listeners: tuple[r.Listener, ...] | None = None,
    open_to_all: bool = False,
    urn: str = "urn:web",
) -> r.Target:
    placement = r.Placement(where or subnet(), r.Hop("public IP", ("urn:eip",)) if ipv4 else None, ipv6)
    kind = "instance" if listeners is None else "loadBalancer"
    return r.Target(
        urn,
        "aws:ec2/instance:Instance",
        "web",
        kind,
        r.Hop("instance web", (urn,)),
        (placement,),
        None if open_to_all else permissions,
        listeners,
    )


def exposed(*targets: r.Target) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(e.protocol, e.ports, tuple(str(n) for n in e.networks)) for e in r.exposures(targets)]


def routed(networks: Iterable[str], route_table: r.RouteTable) -> list[tuple[str, str]]:
    return [(found.label, str(n)) for found, n in r.routed_to_internet([net(n) for n in networks], route_table)]


# --- routes: which replies reach the gateway ------------------------------------------------------


def test_a_default_route_to_the_gateway_carries_every_source() -> None:
    assert routed(["198.51.100.0/24"], table(route("0.0.0.0/0"))) == [("0.0.0.0/0", "198.51.100.0/24")]


def test_a_default_route_elsewhere_carries_nothing() -> None:
    assert routed(["198.51.100.0/24"], table(route("0.0.0.0/0", to_gateway=False))) == []


def test_no_source_is_routed_nowhere() -> None:
    assert routed([], table(route("0.0.0.0/0"))) == []


def test_a_route_of_exactly_the_source_prefix_decides_it() -> None:
    # GIVEN a NAT route for exactly the source's /24 under a default route to the gateway
    split = table(route("0.0.0.0/0"), route("198.51.100.0/24", to_gateway=False, label="nat"))
    # THEN that /24 is not routed, while the neighbouring /24 still is
    assert routed(["198.51.100.0/24"], split) == []
    assert routed(["198.51.100.0/23"], split) == [("0.0.0.0/0", "198.51.101.0/24")]


def test_the_more_specific_gateway_route_wins_over_a_wider_one_elsewhere() -> None:
    narrow = table(route("0.0.0.0/0", to_gateway=False, label="nat"), route("198.51.100.128/25", label="narrow"))
    assert routed(["198.51.100.0/24"], narrow) == [("narrow", "198.51.100.128/25")]
    # A source inside the narrow route is carried whole; one outside it not at all.
    assert routed(["198.51.100.200/32"], narrow) == [("narrow", "198.51.100.200/32")]
    assert routed(["198.51.100.1/32"], narrow) == []


def test_the_local_route_wins_a_tie_with_a_gateway_route_of_the_same_prefix() -> None:
    # AWS forbids a route more specific than the local one; one as specific stays local.
    same = table(route("198.51.100.0/24"), local=("198.51.100.0/24",))
    assert routed(["198.51.100.0/24"], same) == []
    wider = table(route("198.51.100.0/25"), local=("198.51.100.0/24",))
    assert routed(["198.51.100.0/24"], wider) == [("198.51.100.0/25", "198.51.100.0/25")]


def test_the_first_of_two_routes_to_the_same_prefix_is_the_one_named() -> None:
    twice = table(route("0.0.0.0/0", label="first"), route("0.0.0.0/0", label="second"))
    assert routed(["198.51.100.0/24"], twice) == [("first", "198.51.100.0/24")]


def test_a_prefix_list_route_to_the_gateway_carries_everything_before_longer_prefixes() -> None:
    listed = table(route("198.51.100.0/24", to_gateway=False, label="nat"), route(None, label="prefix list pl-1"))
    assert routed(["198.51.100.0/24", "2001:db8::/32"], listed) == [
        ("prefix list pl-1", "198.51.100.0/24"),
        ("prefix list pl-1", "2001:db8::/32"),
    ]


def test_a_prefix_list_route_elsewhere_carries_nothing_and_leaves_other_routes_alone() -> None:
    elsewhere = table(route(None, to_gateway=False, label="pl-nat"))
    assert routed(["198.51.100.0/24"], elsewhere) == []
    both = table(route(None, to_gateway=False, label="pl-nat"), route("0.0.0.0/0"))
    assert routed(["198.51.100.0/24"], both) == [("0.0.0.0/0", "198.51.100.0/24")]


def test_an_ipv4_route_never_carries_an_ipv6_source() -> None:
    assert routed(["2001:db8::/32"], table(route("0.0.0.0/0"))) == []
    assert routed(["2001:db8::/32"], table(route("::/0"))) == [("::/0", "2001:db8::/32")]


# Every network of the model lies in (or is) one small block, so its addresses can be walked one by one.
UNIVERSE = ipaddress.IPv4Network("198.51.100.0/27")
BLOCKS = [b for length in range(27, 33) for b in UNIVERSE.subnets(new_prefix=length)]
blocks = st.sampled_from(BLOCKS)
destinations = st.one_of(st.sampled_from([r.ANY_IPV4, None]), blocks)


def addresses(networks: Iterable[r.Net]) -> set[int]:
    return {int(a) for n in networks for a in n}


def model_route(address: int, routes: list[tuple[r.Net | None, bool]], local: list[r.Net]) -> int | None:
    """The index of the gateway route that carries ``address`` by longest prefix, local first on a tie."""
    for index, (destination, to_gateway) in enumerate(routes):
        if destination is None and to_gateway:
            return index
    ip = ipaddress.IPv4Address(address)
    best: tuple[int, int, int | None] | None = None  # (prefix length, -order, route index)
    candidates: list[tuple[r.Net, int | None]] = [(n, None) for n in local]
    candidates += [(d, i) for i, (d, _) in enumerate(routes) if d is not None]
    for order, (destination, via) in enumerate(candidates):
        if ip in destination and (best is None or destination.prefixlen > best[0]):
            best = (destination.prefixlen, -order, via)
    if best is None or best[2] is None or not routes[best[2]][1]:
        return None
    return best[2]


@settings(max_examples=150, deadline=None)
@given(
    sources=st.lists(blocks, min_size=1, max_size=2),
    routes=st.lists(st.tuples(destinations, st.booleans()), max_size=4),
    local=st.lists(blocks, max_size=1),
)
def test_routing_agrees_with_a_longest_prefix_walk_of_every_address(
    sources: list[r.Net], routes: list[tuple[r.Net | None, bool]], local: list[r.Net]
) -> None:
    links = tuple(r.Route(d, f"r{i}", IGW if g else None) for i, (d, g) in enumerate(routes))
    found = r.routed_to_internet(sources, r.RouteTable(r.Hop("rtb"), links, tuple(local)))
    actual = {(links.index(via), a) for via, n in found for a in addresses([n])}
    expected = {(i, a) for a in addresses(sources) if (i := model_route(a, routes, local)) is not None}
    assert actual == expected


# --- network ACL rules: in number order, first match wins, both ends of every range --------------


@pytest.mark.parametrize(
    ("low", "high", "applies"),
    [
        ((20, 30), (20, 30), True),  # exactly the rule's range
        ((21, 29), (21, 29), True),
        ((19, 30), (19, 30), False),  # one port below its start
        ((20, 31), (20, 31), False),  # one port past its end
    ],
)
def test_a_port_rule_applies_only_to_segments_inside_its_range(
    low: tuple[int, int], high: tuple[int, int], applies: bool
) -> None:
    rule = r.AclRule(100, True, r.ANY_IPV4, r.TCP, 20, 30)
    assert rule.applies(r.TCP, low[0], high[1]) is applies
    assert rule.applies(r.UDP, low[0], high[1]) is False


def test_an_all_protocols_rule_applies_to_every_protocol_and_port() -> None:
    rule = r.AclRule(100, False, r.ANY_IPV4, None, 20, 20)  # ports mean nothing for -1
    assert rule.applies(r.TCP, 0, r.MAX_PORT) and rule.applies(r.UDP, 5, 5)


def admitted(networks: Iterable[str], network_acl: r.NetworkAcl | None, low: int = 22, high: int = 22) -> list[str]:
    return [str(n) for n in r.admitted_by_acl([net(n) for n in networks], network_acl, r.TCP, low, high)]


def test_a_subnet_without_an_acl_keeps_the_default_acl_that_admits_all() -> None:
    assert admitted(["0.0.0.0/0", "::/0"], None) == ["0.0.0.0/0", "::/0"]


def test_an_acl_without_rules_admits_nothing() -> None:
    assert admitted(["198.51.100.0/24"], acl()) == []


def test_acl_rules_are_read_in_rule_number_order_not_declaration_order() -> None:
    deny_first = acl(r.AclRule(200, True, r.ANY_IPV4), r.AclRule(100, False, r.ANY_IPV4, r.TCP, 22, 22))
    assert admitted(["198.51.100.0/24"], deny_first) == []
    allow_first = acl(r.AclRule(200, False, r.ANY_IPV4, r.TCP, 22, 22), r.AclRule(100, True, r.ANY_IPV4))
    assert admitted(["198.51.100.0/24"], allow_first) == ["198.51.100.0/24"]


def test_a_deny_of_part_of_the_source_leaves_the_rest_to_the_next_rule() -> None:
    rules = acl(r.AclRule(100, False, net("198.51.100.0/25")), r.AclRule(200, True, r.ANY_IPV4))
    assert admitted(["198.51.100.0/24"], rules) == ["198.51.100.128/25"]


def test_an_allow_of_part_of_the_source_admits_only_that_part() -> None:
    rules = acl(r.AclRule(100, True, net("198.51.100.128/25")), r.AclRule(200, False, r.ANY_IPV4))
    assert admitted(["198.51.100.0/24"], rules) == ["198.51.100.128/25"]


def test_a_rule_for_another_address_family_or_port_is_passed_over() -> None:
    rules = acl(
        r.AclRule(100, False, r.ANY_IPV6),
        r.AclRule(110, False, r.ANY_IPV4, r.TCP, 23, 65535),
        r.AclRule(120, False, r.ANY_IPV4, r.UDP, 22, 22),
        r.AclRule(200, True, r.ANY_IPV4),
    )
    assert admitted(["198.51.100.0/24"], rules) == ["198.51.100.0/24"]


ALLOW_ALL = r.AclRule(32766, True, r.ANY_IPV4)


def ports_exposed(permission_ports: tuple[int, int], *rules: r.AclRule) -> list[str]:
    where = subnet(network_acl=acl(*rules, ALLOW_ALL))
    return [
        ports for _, ports, _ in exposed(target(permission("198.51.100.7/32", ports=permission_ports), where=where))
    ]


def test_a_deny_that_starts_on_the_last_port_of_the_range_closes_that_port() -> None:
    assert ports_exposed((20, 30), r.AclRule(100, False, r.ANY_IPV4, r.TCP, 30, 40)) == ["20-29"]


def test_a_deny_that_ends_on_the_first_port_of_the_range_closes_that_port() -> None:
    assert ports_exposed((20, 30), r.AclRule(100, False, r.ANY_IPV4, r.TCP, 10, 20)) == ["21-30"]


def test_a_deny_inside_the_range_splits_it_in_three() -> None:
    assert ports_exposed((20, 30), r.AclRule(100, False, r.ANY_IPV4, r.TCP, 25, 26)) == ["20-24", "27-30"]


def test_a_deny_just_outside_the_range_leaves_it_whole() -> None:
    below = r.AclRule(100, False, r.ANY_IPV4, r.TCP, 10, 19)
    above = r.AclRule(110, False, r.ANY_IPV4, r.TCP, 31, 40)
    assert ports_exposed((20, 30), below, above) == ["20-30"]


def test_a_udp_rule_does_not_cut_a_tcp_range() -> None:
    assert ports_exposed((20, 30), r.AclRule(100, False, r.ANY_IPV4, r.UDP, 25, 25)) == ["20-30"]


def test_an_allow_covering_part_of_the_range_before_a_deny_all_opens_just_that_part() -> None:
    # GIVEN allow tcp/25-26 then deny everything (rule 200) before the catch-all allow
    found = ports_exposed((20, 30), r.AclRule(100, True, r.ANY_IPV4, r.TCP, 25, 26), r.AclRule(200, False, r.ANY_IPV4))
    assert found == ["25-26"]


def test_the_whole_port_range_and_its_last_port() -> None:
    assert ports_exposed((0, r.MAX_PORT), r.AclRule(100, False, r.ANY_IPV4, r.TCP, r.MAX_PORT, r.MAX_PORT)) == [
        "0-65534"
    ]
    assert ports_exposed((0, r.MAX_PORT), r.AclRule(100, False, r.ANY_IPV4, r.TCP, 0, 0)) == ["1-65535"]


port_numbers = st.one_of(st.sampled_from([0, 1, 21, 22, 23, r.MAX_PORT - 1, r.MAX_PORT]), st.integers(0, r.MAX_PORT))


@st.composite
def port_rules(draw: st.DrawFn) -> r.AclRule:
    low, high = sorted((draw(port_numbers), draw(port_numbers)))
    protocol = draw(st.sampled_from([r.TCP, r.UDP, None]))
    return r.AclRule(draw(st.integers(1, 5)) * 100, draw(st.booleans()), r.ANY_IPV4, protocol, low, high)


def first_match_allows(rules: list[r.AclRule], protocol: int, port: int) -> bool:
    for rule in sorted(rules, key=lambda rule: rule.number):
        if rule.protocol is None or (rule.protocol == protocol and rule.from_port <= port <= rule.to_port):
            return rule.allow
    return False


@settings(max_examples=25, deadline=None)
@given(rules=st.lists(port_rules(), max_size=4), ends=st.tuples(port_numbers, port_numbers))
def test_exposed_ports_agree_with_a_walk_over_every_port(rules: list[r.AclRule], ends: tuple[int, int]) -> None:
    """A brute-force walk over 0..65535: each port the permission opens is exposed iff the ACL allows it."""
    low, high = sorted(ends)
    where = subnet(network_acl=acl(*rules))
    found = r.exposures([target(permission("198.51.100.7/32", ports=(low, high)), where=where)])
    walked = {port for port in range(r.MAX_PORT + 1) if low <= port <= high and first_match_allows(rules, r.TCP, port)}
    segments = [range(e.from_port, e.to_port + 1) for e in found]
    assert sum(len(s) for s in segments) == len({p for s in segments for p in s})  # no port reported twice
    assert {p for s in segments for p in s} == walked
    assert all(e.protocol == "tcp" and [str(n) for n in e.networks] == ["198.51.100.7/32"] for e in found)


@st.composite
def small_rules(draw: st.DrawFn) -> r.AclRule:
    low, high = sorted((draw(st.integers(0, 12)), draw(st.integers(0, 12))))
    network = draw(st.one_of(st.just(r.ANY_IPV4), blocks))
    protocol = draw(st.sampled_from([r.TCP, r.UDP, None]))
    return r.AclRule(draw(st.integers(1, 4)) * 100, draw(st.booleans()), network, protocol, low, high)


@settings(max_examples=120, deadline=None)
@given(
    source=blocks,
    routes=st.lists(st.tuples(destinations, st.booleans()), min_size=1, max_size=3),
    rules=st.lists(small_rules(), max_size=4),
    ends=st.tuples(st.integers(0, 12), st.integers(0, 12)),
)
def test_every_address_and_port_exposed_agrees_with_a_walk_of_the_chain(
    source: r.Net, routes: list[tuple[r.Net | None, bool]], rules: list[r.AclRule], ends: tuple[int, int]
) -> None:
    """Route, ACL and group walked one address and one port at a time give what the set arithmetic gives."""
    low, high = sorted(ends)
    links = tuple(r.Route(d, f"r{i}", IGW if g else None) for i, (d, g) in enumerate(routes))
    where = subnet(r.RouteTable(r.Hop("rtb"), links), acl(*rules))
    found = r.exposures([target(permission(str(source), ports=(low, high)), where=where)])
    actual = [(port, a) for e in found for port in range(e.from_port, e.to_port + 1) for a in addresses(e.networks)]
    expected = {
        (port, a)
        for a in addresses([source])
        if model_route(a, routes, []) is not None
        for port in range(low, high + 1)
        if first_match_allows([rule for rule in rules if ipaddress.IPv4Address(a) in rule.network], r.TCP, port)
    }
    assert sorted(actual) == sorted(expected)  # and no (port, address) twice


# --- public sources: ipaddress membership against the CIDR arithmetic ----------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 32), st.integers(0, 2**32 - 1))
def test_the_public_part_of_a_network_holds_exactly_its_addresses_outside_the_non_public_blocks(
    base: int, length: int, probe: int
) -> None:
    network = ipaddress.ip_network((base, length), strict=False)
    address = network[probe % network.num_addresses]
    inside = any(address in part for part in r.public_part(network))
    assert inside is not any(address in block for block in r.NON_PUBLIC)
    assert all(part.subnet_of(network) for part in r.public_part(network))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        ("11.0.0.0/8", ["11.0.0.0/8"]),
        ("10.0.0.0/7", ["11.0.0.0/8"]),
        ("9.255.255.255/32", ["9.255.255.255/32"]),  # the address just below 10.0.0.0/8
        ("10.0.0.0/8", []),
        ("172.32.0.0/32", ["172.32.0.0/32"]),  # just past 172.16.0.0/12
        ("2001:db8::/32", ["2001:db8::/32"]),
        ("fe80::1/128", []),
    ],
)
def test_the_public_part_at_the_edges_of_private_blocks(cidr: str, expected: list[str]) -> None:
    assert [str(n) for n in r.public_part(net(cidr))] == expected


def test_collapse_puts_ipv4_first_and_merges_neighbours() -> None:
    merged = r.collapse(
        [net("2001:db8::/33"), net("198.51.100.128/25"), net("2001:db8:8000::/33"), net("198.51.100.0/25")]
    )
    assert [str(n) for n in merged] == ["198.51.100.0/24", "2001:db8::/32"]


# --- listeners: a load balancer answers only on its listeners' ports -----------------------------


def listener(port: int | None, protocol: int = r.TCP, name: str = "listener http") -> r.Listener:
    return r.Listener(r.Hop(name, (f"urn:{name}",)), protocol, port)


@pytest.mark.parametrize(("port", "reached"), [(19, False), (20, True), (25, True), (30, True), (31, False)])
def test_a_listener_answers_only_inside_the_group_s_port_range(port: int, reached: bool) -> None:
    found = exposed(target(permission("198.51.100.7/32", ports=(20, 30)), listeners=(listener(port),)))
    assert found == ([("tcp", str(port), ("198.51.100.7/32",))] if reached else [])


def test_a_listener_of_another_protocol_answers_nothing() -> None:
    assert exposed(target(permission("198.51.100.7/32", ports=(20, 30)), listeners=(listener(25, r.UDP),))) == []


def test_a_listener_port_that_cannot_be_read_opens_the_group_s_whole_range() -> None:
    [exposure] = r.exposures([target(permission("198.51.100.7/32", ports=(20, 30)), listeners=(listener(None),))])
    assert exposure.ports == "20-30"
    assert "urn:listener http" in exposure.path_urns()


def test_an_all_traffic_group_behind_listeners_opens_each_listener_port_on_its_protocol() -> None:
    every = permission("198.51.100.7/32", protocol=None, ports=(22, 22))  # ports mean nothing for -1
    found = exposed(target(every, listeners=(listener(53, r.UDP, "dns"), listener(443, name="https"))))
    assert [(protocol, ports) for protocol, ports, _ in found] == [("tcp", "443"), ("udp", "53")]


def test_an_all_traffic_group_reaches_a_listener_on_port_0_and_on_port_65535() -> None:
    every = permission("198.51.100.7/32", protocol=None, ports=(22, 22))
    found = exposed(target(every, listeners=(listener(0, name="low"), listener(r.MAX_PORT, name="high"))))
    assert [(protocol, ports) for protocol, ports, _ in found] == [("tcp", "0"), ("tcp", "65535")]


def test_a_load_balancer_without_groups_is_open_on_its_listeners() -> None:
    found = exposed(target(listeners=(listener(443),), open_to_all=True))
    assert [(protocol, ports) for protocol, ports, _ in found] == [("tcp", "443")]
    assert found[0][2] == tuple(str(n) for n in r.public_part(r.ANY_IPV4))


# --- security groups: protocols, addresses and how sources are named ------------------------------


def test_an_all_traffic_permission_opens_every_port_whatever_its_port_fields_say() -> None:
    found = exposed(target(permission("198.51.100.7/32", protocol=None, ports=(22, 22))))
    assert [(protocol, ports) for protocol, ports, _ in found] == [("tcp", "0-65535"), ("udp", "0-65535")]


def test_a_udp_permission_is_reported_as_udp() -> None:
    assert exposed(target(permission("198.51.100.7/32", protocol=r.UDP, ports=(53, 53)))) == [
        ("udp", "53", ("198.51.100.7/32",))
    ]


def test_a_port_less_protocol_exposes_nothing() -> None:
    assert exposed(target(permission("0.0.0.0/0", protocol=1, ports=(0, 0)))) == []


def test_an_instance_with_only_an_ipv6_address_is_reached_only_from_ipv6_sources() -> None:
    found = exposed(target(permission("0.0.0.0/0", "2001:db8::/32"), ipv4=False, ipv6=True))
    assert found == [("tcp", "22", ("2001:db8::/32",))]
    [exposure] = r.exposures([target(permission("2001:db8::/32"), ipv4=False, ipv6=True)])
    assert "→ public IPv6 address →" in exposure.narrative()


def test_a_target_without_any_public_address_exposes_nothing() -> None:
    assert exposed(target(permission("0.0.0.0/0", "::/0"), ipv4=False, ipv6=False)) == []


def test_a_source_reached_whole_keeps_its_own_name() -> None:
    named = r.Permission(SG, (r.Source((net("198.51.100.0/24"),), "office"),), r.TCP, 22, 22)
    [exposure] = r.exposures([target(named)])
    assert exposure.sources == ["office"]


def test_a_source_cut_into_four_ranges_is_named_by_them() -> None:
    # GIVEN a NACL that denies 3 of 8 /27s of the source's /24: 4 ranges get through
    rules = [r.AclRule(100 + i, False, net(f"198.51.100.{i * 64}/27")) for i in range(3)]
    named = r.Permission(SG, (r.Source((net("198.51.100.0/24"),), "office"),), r.TCP, 22, 22)
    [exposure] = r.exposures([target(named, where=subnet(network_acl=acl(*rules, ALLOW_ALL)))])
    assert exposure.sources == ["198.51.100.32/27, 198.51.100.96/27, 198.51.100.160/27, 198.51.100.192/26"]


def test_a_source_cut_into_five_ranges_is_counted() -> None:
    # GIVEN denies of 4 of 8 /27s and of a /29 inside the last open one: 5 ranges get through
    rules = [r.AclRule(100 + i, False, net(f"198.51.100.{i * 64}/27")) for i in range(4)]
    rules.append(r.AclRule(99, False, net("198.51.100.232/29")))
    named = r.Permission(SG, (r.Source((net("198.51.100.0/24"),), "office"),), r.TCP, 22, 22)
    [exposure] = r.exposures([target(named, where=subnet(network_acl=acl(*rules, ALLOW_ALL)))])
    assert exposure.sources == ["5 ranges of office"]
    assert len(exposure.networks) == 5


# --- exposures, paths and their URNs ---------------------------------------------------------------


def test_the_path_names_every_link_and_its_resources_in_order() -> None:
    where = subnet(network_acl=acl(ALLOW_ALL))
    [exposure] = r.exposures([target(permission("198.51.100.7/32", ports=(20, 30)), where=where)])
    assert (exposure.protocol, exposure.from_port, exposure.to_port, exposure.ports) == ("tcp", 20, 30, "20-30")
    assert exposure.narrative() == (
        "internet → igw-1 → rtb-1 (0.0.0.0/0) → subnet-1 → acl-1 → public IP → sg-1 tcp/20-30 from "
        "198.51.100.7/32 → instance web"
    )
    assert exposure.path_urns() == ["urn:igw", "urn:rtb", "urn:subnet", "urn:acl", "urn:eip", "urn:sg", "urn:web"]
    assert len(exposure.paths) == 1


def test_a_urn_met_twice_on_the_path_is_listed_once() -> None:
    # The listener hop of a classic load balancer names the balancer itself, as the target hop does.
    balancer = target(permission("198.51.100.7/32", ports=(443, 443)), listeners=(listener(443),), urn="urn:elb")
    balancer = r.Target(
        balancer.urn,
        balancer.type,
        balancer.name,
        balancer.kind,
        balancer.hop,
        balancer.placements,
        balancer.permissions,
        (r.Listener(r.Hop("listeners[0]", ("urn:elb",)), r.TCP, 443),),
    )
    [exposure] = r.exposures([balancer])
    assert exposure.ports == "443"
    assert exposure.path_urns() == ["urn:igw", "urn:rtb", "urn:subnet", "urn:eip", "urn:sg", "urn:elb"]
    assert exposure.narrative().endswith("→ listeners[0] → instance web")


def test_two_sources_of_one_port_make_one_exposure_with_both_and_both_paths() -> None:
    [exposure] = r.exposures([target(permission("198.51.100.1/32", "198.51.100.2/32"))])
    assert exposure.sources == ["198.51.100.1/32", "198.51.100.2/32"]
    assert [str(n) for n in exposure.networks] == ["198.51.100.1/32", "198.51.100.2/32"]
    assert len(exposure.paths) == 2
    assert exposure.narrative().endswith("from 198.51.100.1/32 → instance web")


def test_one_source_named_twice_is_listed_once() -> None:
    [exposure] = r.exposures([target(permission("198.51.100.1/32"), permission("198.51.100.1/32"))])
    assert exposure.sources == ["198.51.100.1/32"] and len(exposure.paths) == 1


def test_targets_sharing_a_urn_merge_per_port_range_and_keep_every_source_once() -> None:
    one = target(permission("198.51.100.1/32"))
    two = target(permission("198.51.100.0/31", "198.51.100.1/32"))
    [merged] = r.exposures([one, two])
    assert merged.sources == ["198.51.100.1/32", "198.51.100.0/31"]
    assert [str(n) for n in merged.networks] == ["198.51.100.0/31"]
    assert len(merged.paths) == len(set(merged.paths)) == 2  # the /31's path added, the shared one once


def test_targets_sharing_a_urn_on_different_ports_stay_apart() -> None:
    found = exposed(target(permission("198.51.100.1/32")), target(permission("198.51.100.1/32", ports=(23, 23))))
    assert [ports for _, ports, _ in found] == ["22", "23"]


def test_targets_with_different_urns_never_merge() -> None:
    found = r.exposures([target(permission("198.51.100.1/32")), target(permission("198.51.100.2/32"), urn="urn:b")])
    assert [(e.target.urn, e.sources) for e in found] == [
        ("urn:web", ["198.51.100.1/32"]),
        ("urn:b", ["198.51.100.2/32"]),
    ]


def test_exposures_are_sorted_by_protocol_then_ports() -> None:
    found = exposed(
        target(
            permission("198.51.100.1/32", protocol=r.UDP, ports=(53, 53)),
            permission("198.51.100.1/32", ports=(443, 443)),
            permission("198.51.100.1/32", ports=(80, 80)),
            permission("198.51.100.1/32", ports=(80, 81)),
        )
    )
    assert [(protocol, ports) for protocol, ports, _ in found] == [
        ("tcp", "80"),
        ("tcp", "80-81"),
        ("tcp", "443"),
        ("udp", "53"),
    ]


def test_placements_that_differ_only_in_where_the_default_route_leads_are_each_traced() -> None:
    # Two copies of one subnet: in the first the default route leads elsewhere (no gateway), in the second
    # to the internet gateway. The first adds nothing; the second must not be taken for a repeat of it.
    elsewhere = subnet(table(route("0.0.0.0/0", to_gateway=False)))
    to_gateway = subnet(table(route("0.0.0.0/0")))
    web = target(permission("198.51.100.7/32"))
    placements = tuple(r.Placement(where, r.Hop("public IP", ("urn:eip",))) for where in (elsewhere, to_gateway))
    [exposure] = r.target_exposures(replace(web, placements=placements))
    assert exposure.ports == "22" and exposure.sources == ["198.51.100.7/32"]
    assert exposure.narrative().startswith("internet → igw-1 → rtb-1 (0.0.0.0/0) → subnet-1")


def test_an_exposure_given_its_sources_adds_only_new_ones() -> None:
    exposure = r.Exposure(target(), "tcp", 22, 22, (), sources=["198.51.100.1/32"])
    exposure.add_source("198.51.100.1/32")
    exposure.add_source("198.51.100.2/32")
    exposure.add_source("198.51.100.2/32")
    assert exposure.sources == ["198.51.100.1/32", "198.51.100.2/32"]


# --- placements that read alike: traced once, and only when they truly read alike -------------------------


def test_placements_that_differ_only_in_their_acl_are_each_traced() -> None:
    # The same subnet twice: behind an ACL that denies everything, then with no custom ACL. The first adds
    # nothing; the second is open and must not be taken for a repeat of the first.
    closed = subnet(network_acl=acl(r.AclRule(100, False, r.ANY_IPV4)))
    web = target(permission("198.51.100.7/32"))
    eip = r.Hop("public IP", ("urn:eip",))

    assert r.target_exposures(replace(web, placements=(r.Placement(closed, eip),))) == []
    [exposure] = r.target_exposures(replace(web, placements=(r.Placement(closed, eip), r.Placement(subnet(), eip))))

    assert (exposure.ports, exposure.sources) == ("22", ["198.51.100.7/32"])


def test_placements_that_differ_only_in_their_public_address_are_each_traced() -> None:
    # No public IPv4 in the first copy, one in the second: only the second is reachable, and it is traced.
    web = target(permission("198.51.100.7/32"))
    eip = r.Hop("eip web-eip", ("urn:eip",))

    [exposure] = r.target_exposures(replace(web, placements=(r.Placement(subnet()), r.Placement(subnet(), eip))))

    [path] = exposure.paths
    assert path[-3] == eip and path[-1] == web.hop


def test_copies_of_a_placement_that_read_alike_add_one_path_not_one_per_copy() -> None:
    # Copies sharing ids resolve to every copy: they differ only in the URNs their hops carry, so the
    # first copy's path stands for all of them (`_placement_key` leaves the URNs out).
    web = target(permission("198.51.100.7/32"))
    copies = [
        r.Placement(r.Subnet(r.Hop("subnet-1", (f"urn:subnet-{n}",)), PUBLIC_TABLE), r.Hop("public IP", ("urn:eip",)))
        for n in (1, 2, 3)
    ]

    [exposure] = r.target_exposures(replace(web, placements=tuple(copies)))

    [path] = exposure.paths
    assert r.Hop("subnet-1", ("urn:subnet-1",)) in path


def test_targets_sharing_a_urn_merge_their_paths_without_repeats() -> None:
    other_sg = r.Hop("sg-2", ("urn:sg-2",))
    first = target(permission("198.51.100.1/32"))
    second = target(r.Permission(other_sg, (r.Source((net("198.51.100.2/32"),), "198.51.100.2/32"),), r.TCP, 22, 22))

    [merged] = r.exposures([first, second, first])

    [own] = r.target_exposures(first)[0].paths
    assert len(merged.paths) == 2 and merged.paths[0] == own
    assert [[urn for hop in path for urn in hop.urns if "sg" in urn] for path in merged.paths] == [
        ["urn:sg"],
        ["urn:sg-2"],
    ]


def test_an_exposure_given_its_paths_adds_only_new_ones() -> None:
    known, new = (IGW, SG), (IGW, r.Hop("sg-2", ("urn:sg-2",)))
    exposure = r.Exposure(target(), "tcp", 22, 22, (), paths=[known])
    exposure.add_path(known)
    exposure.add_path(new)
    exposure.add_path(new)
    assert exposure.paths == [known, new]

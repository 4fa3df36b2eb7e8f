"""The pure reachability core: each link of the seed's path, with a reachable and an unreachable twin.

No Pulumi type appears here: the links are plain dataclasses, as :mod:`guardrails.network.reach` builds
them from a stack.
"""

from __future__ import annotations

import ipaddress

import pytest
from guardrails import reachability as r
from hypothesis import given
from hypothesis import strategies as st

IGW = r.Hop("igw-1", ("urn:igw",))
SG = r.Hop("sg-1", ("urn:sg",))


def net(text: str) -> r.Net:
    return ipaddress.ip_network(text)


def table(*routes: tuple[str, bool], local: tuple[str, ...] = ("10.0.0.0/16",)) -> r.RouteTable:
    return r.RouteTable(
        r.Hop("rtb-1", ("urn:rtb",)),
        tuple(r.Route(net(d), d, IGW if to_gateway else None) for d, to_gateway in routes),
        tuple(net(n) for n in local),
    )


PUBLIC_TABLE = table(("0.0.0.0/0", True), ("::/0", True))


def subnet(route_table: r.RouteTable = PUBLIC_TABLE, acl: r.NetworkAcl | None = None) -> r.Subnet:
    return r.Subnet(r.Hop("subnet-1", ("urn:subnet",)), route_table, acl)


def permission(*sources: str, protocol: int | None = r.TCP, ports: tuple[int, int] = (22, 22)) -> r.Permission:
    return r.Permission(SG, tuple(r.Source((net(s),), s) for s in sources), protocol, *ports)


def instance(
    *permissions: r.Permission,
    where: r.Subnet | None = None,
    ipv4: bool = True,
    ipv6: bool = False,
    listeners: tuple[r.Listener, ...] | None = None,
    kind: str = "instance",
) -> r.Target:
    placement = r.Placement(where or subnet(), r.Hop("public IP") if ipv4 else None, ipv6)
    return r.Target(
        "urn:web", "aws:ec2/instance:Instance", "web", kind, r.Hop("instance web"), (placement,), permissions, listeners
    )


def exposed(target: r.Target) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(e.protocol, e.ports, tuple(str(n) for n in e.networks)) for e in r.exposures([target])]


# --- public sources ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "public"),
    [
        ("0.0.0.0/0", True),
        ("::/0", True),
        ("10.0.0.0/8", False),
        ("172.16.0.0/12", False),
        ("192.168.1.0/24", False),
        ("100.64.0.0/10", False),  # carrier-grade NAT
        ("169.254.0.0/16", False),
        ("127.0.0.1/32", False),
        ("fc00::/7", False),
        ("fe80::/10", False),
        ("::ffff:0:0/96", False),  # IPv4-mapped: never a source on the wire
        ("224.0.0.0/4", False),  # multicast is never a source
        ("203.0.113.10/32", True),  # documentation: a stand-in for the operator's real address
        ("2001:db8::/32", True),
        ("8.8.8.8/32", True),
        ("10.0.0.0/7", True),  # 11.0.0.0/8 is public
    ],
)
def test_public_part(cidr: str, public: bool) -> None:
    assert bool(r.public_part(net(cidr))) is public


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_nothing_ipaddress_calls_non_global_counts_as_public_but_documentation(value: int) -> None:
    address = ipaddress.IPv4Address(value)
    if r.public_part(ipaddress.ip_network(address)):
        assert address.is_global or any(address in block for block in r.DOCUMENTATION)


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_ipv6_agrees_with_ipaddress(value: int) -> None:
    address = ipaddress.IPv6Address(value)
    if r.public_part(ipaddress.ip_network(address)):
        assert address.is_global or any(address in block for block in r.DOCUMENTATION)


def test_private_sources_do_not_count() -> None:
    assert exposed(instance(permission("10.0.0.0/8", "192.168.0.0/16", "100.64.0.0/10"))) == []
    assert exposed(instance(permission("10.0.0.0/8", "192.168.0.0/16", "198.51.100.7/32"))) == [
        ("tcp", "22", ("198.51.100.7/32",))
    ]


# --- route ---------------------------------------------------------------------------------------


def test_explicit_table_to_the_gateway_versus_a_nat_route() -> None:
    assert exposed(instance(permission("0.0.0.0/0"))) != []
    nat = table(("0.0.0.0/0", False))
    assert exposed(instance(permission("0.0.0.0/0"), where=subnet(nat))) == []


def test_untouched_main_table_has_only_the_local_route() -> None:
    main = r.RouteTable(r.Hop("main"), (), (net("10.0.0.0/16"),))
    assert exposed(instance(permission("0.0.0.0/0"), where=subnet(main))) == []


def test_longest_prefix_wins_over_the_default_route() -> None:
    split = table(("0.0.0.0/0", True), ("198.51.100.0/24", False))
    [(_, _, sources)] = exposed(instance(permission("198.51.100.0/23"), where=subnet(split)))
    assert sources == ("198.51.101.0/24",)
    assert exposed(instance(permission("198.51.100.0/24"), where=subnet(split))) == []


def test_a_specific_route_to_the_gateway_reaches_only_its_prefix() -> None:
    narrow = table(("0.0.0.0/0", False), ("198.51.100.0/24", True))
    [(_, _, sources)] = exposed(instance(permission("0.0.0.0/0"), where=subnet(narrow)))
    assert sources == ("198.51.100.0/24",)


def test_the_vpc_cidr_stays_local_even_if_public() -> None:
    public_vpc = table(("0.0.0.0/0", True), local=("198.51.100.0/24",))
    assert exposed(instance(permission("198.51.100.0/24"), where=subnet(public_vpc))) == []


def test_prefix_list_route_to_the_gateway_counts_as_everything() -> None:
    listed = r.RouteTable(r.Hop("rtb"), (r.Route(None, "prefix list pl-1", IGW),))
    assert exposed(instance(permission("0.0.0.0/0"), where=subnet(listed))) != []


def test_ipv6_route_and_source_need_an_ipv6_address() -> None:
    only_v6 = table(("::/0", True))
    assert exposed(instance(permission("::/0"), where=subnet(only_v6), ipv6=False)) == []
    [(protocol, ports, sources)] = exposed(instance(permission("::/0"), where=subnet(only_v6), ipv6=True))
    assert (protocol, ports) == ("tcp", "22") and all(":" in s for s in sources)
    # An IPv4 source needs an IPv4 route: ::/0 to the gateway does not carry it.
    assert exposed(instance(permission("0.0.0.0/0"), where=subnet(only_v6), ipv6=True)) == []


# --- address -------------------------------------------------------------------------------------


def test_no_public_address_no_exposure() -> None:
    assert exposed(instance(permission("0.0.0.0/0"), ipv4=False)) == []
    assert exposed(instance(permission("0.0.0.0/0"), ipv4=True)) != []


# --- security group ------------------------------------------------------------------------------


def test_port_ranges_and_all_protocols() -> None:
    assert exposed(instance(permission("0.0.0.0/0", ports=(5432, 5432))))[0][:2] == ("tcp", "5432")
    all_traffic = exposed(instance(permission("0.0.0.0/0", protocol=None)))
    assert [(p, ports) for p, ports, _ in all_traffic] == [("tcp", "0-65535"), ("udp", "0-65535")]
    assert exposed(instance(permission("0.0.0.0/0", protocol=1))) == []  # icmp has no port


def test_no_permission_no_exposure() -> None:
    assert exposed(instance()) == []


# --- listener ------------------------------------------------------------------------------------


def test_a_load_balancer_exposes_only_its_listener_ports() -> None:
    listeners = (r.Listener(r.Hop("listener http"), r.TCP, 80),)
    wide = permission("0.0.0.0/0", ports=(0, 65535))
    assert exposed(instance(wide, listeners=listeners, kind="loadBalancer")) == [
        ("tcp", "80", tuple(str(n) for n in r.public_part(net("0.0.0.0/0"))))
    ]
    # The group admits 443 only: the listener on 80 is unreachable.
    assert exposed(instance(permission("0.0.0.0/0", ports=(443, 443)), listeners=listeners)) == []
    assert exposed(instance(wide, listeners=())) == []


def test_a_listener_port_that_cannot_be_read_counts_as_every_port() -> None:
    listeners = (r.Listener(r.Hop("listener"), r.TCP, None),)
    assert [ports for _, ports, _ in exposed(instance(permission("0.0.0.0/0"), listeners=listeners))] == ["22"]


def test_no_security_group_admits_everything_on_the_listener() -> None:
    target = instance(listeners=(r.Listener(r.Hop("listener"), r.UDP, 53),))
    target = r.Target(
        target.urn, target.type, target.name, "loadBalancer", target.hop, target.placements, None, target.listeners
    )
    assert [(p, ports) for p, ports, _ in exposed(target)] == [("udp", "53")]


# --- network ACL ---------------------------------------------------------------------------------


def acl(*rules: r.AclRule) -> r.NetworkAcl:
    return r.NetworkAcl(r.Hop("acl-1", ("urn:acl",)), rules)


ALLOW_ALL = (r.AclRule(32766, True, r.ANY_IPV4),)


def test_a_nacl_deny_before_the_allow_blocks() -> None:
    deny = acl(r.AclRule(100, False, r.ANY_IPV4, r.TCP, 22, 22), *ALLOW_ALL)
    assert exposed(instance(permission("0.0.0.0/0"), where=subnet(acl=deny))) == []
    later = acl(r.AclRule(100, True, r.ANY_IPV4), r.AclRule(200, False, r.ANY_IPV4, r.TCP, 22, 22))
    assert exposed(instance(permission("0.0.0.0/0"), where=subnet(acl=later))) != []


def test_an_empty_custom_nacl_denies_everything() -> None:
    assert exposed(instance(permission("0.0.0.0/0"), where=subnet(acl=acl()))) == []


def test_a_nacl_splits_port_ranges_and_sources() -> None:
    rules = acl(
        r.AclRule(100, False, r.ANY_IPV4, r.TCP, 1000, 1999),
        r.AclRule(110, False, net("198.51.100.0/24"), None),
        r.AclRule(200, True, r.ANY_IPV4, r.TCP, 0, 65535),
    )
    found = exposed(instance(permission("198.51.100.0/23", ports=(0, 3000)), where=subnet(acl=rules)))
    assert found == [("tcp", "0-999", ("198.51.101.0/24",)), ("tcp", "2000-3000", ("198.51.101.0/24",))]


# --- paths ---------------------------------------------------------------------------------------


def test_the_path_reads_as_the_seed_tells_it() -> None:
    [exposure] = r.exposures([instance(permission("0.0.0.0/0", ports=(8080, 8080)))])
    assert exposure.narrative() == (
        "internet → igw-1 → rtb-1 (0.0.0.0/0) → subnet-1 → public IP → sg-1 tcp/8080 from 0.0.0.0/0 → instance web"
    )
    assert exposure.path_urns() == ["urn:igw", "urn:rtb", "urn:subnet", "urn:sg"]


def test_targets_sharing_a_urn_merge_per_port() -> None:
    target = instance(permission("198.51.100.1/32"))
    other = instance(permission("198.51.100.2/32"))
    [merged] = r.exposures([target, other])
    assert merged.sources == ["198.51.100.1/32", "198.51.100.2/32"]
    assert [str(n) for n in merged.networks] == ["198.51.100.1/32", "198.51.100.2/32"]

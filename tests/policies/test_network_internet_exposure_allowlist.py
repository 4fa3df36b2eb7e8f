"""The allowlist of internet-exposure-allowlist, clause by clause: what an ``allowed`` entry covers and what not.

The policy is mandatory in the network pack, so every clause of ``Allowance.covers`` and of reading the
config is checked on both sides: an exposure one port, one address family, one prefix length or one
name outside an entry must still be reported. Exposures are built directly from
:mod:`guardrails.reachability`'s dataclasses; the last tests run the policy over a stack.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from guardrails import reachability as r
from guardrails.network import internet_exposure as ie
from pulumi_policy import EnforcementLevel

from tests.policies.harness import stack_violations
from tests.policies.network_fixtures import Spec, to_stack, urn


def exposure(
    kind: str = "instance",
    protocol: str = "tcp",
    ports: tuple[int, int] = (22, 22),
    networks: tuple[str, ...] = ("198.51.100.7/32",),
    name: str = "web",
    paths: int = 1,
) -> r.Exposure:
    target = r.Target(f"urn:{name}", "aws:ec2/instance:Instance", name, kind, r.Hop(f"instance {name}"), ())
    path = (r.Hop("internet"), r.Hop("igw-1"), r.Hop(f"instance {name}"))
    return r.Exposure(
        target,
        protocol,
        *ports,
        tuple(ipaddress.ip_network(n) for n in networks),
        [", ".join(networks)],
        [path, *[(r.Hop("internet"), r.Hop(f"igw-{i + 2}")) for i in range(paths - 1)]],
    )


def allowance(**entry: Any) -> ie.Allowance:
    found = ie.allowances({"allowed": [{"resource": "instance", "protocol": "tcp", "ports": [22], **entry}]})
    assert len(found) == 1, found
    return found[0]


def allowed(found: r.Exposure, **entry: Any) -> bool:
    return ie.is_allowed(found, [allowance(**entry)])


# --- kind, protocol and names ----------------------------------------------------------------------


def test_an_entry_covers_only_its_resource_kind() -> None:
    assert allowed(exposure(kind="instance"), sources=["anywhere"])
    assert not allowed(exposure(kind="loadBalancer"), sources=["anywhere"])


def test_an_entry_covers_only_its_protocol() -> None:
    assert allowed(exposure(protocol="tcp"), sources=["anywhere"])
    assert not allowed(exposure(protocol="udp"), sources=["anywhere"])


def test_names_limit_an_entry_to_resources_of_those_names() -> None:
    assert allowed(exposure(name="web"), sources=["anywhere"], names=["web", "db"])
    assert not allowed(exposure(name="web2"), sources=["anywhere"], names=["web", "db"])
    assert allowed(exposure(name="web2"), sources=["anywhere"])  # no names: every resource of the kind
    assert not allowed(exposure(name="web"), sources=["anywhere"], names=[])  # an empty list names none


def test_names_that_are_not_text_are_ignored() -> None:
    entry = allowance(sources=["anywhere"], names=["web", 7])
    assert entry.names == frozenset({"web"})
    # A names value that is not a list is no limit at all (the CLI's schema refuses it first).
    assert allowance(sources=["anywhere"], names="db").names is None


# --- ports: every port of the exposure, both ends ---------------------------------------------------


@pytest.mark.parametrize(
    ("ports", "listed", "covered"),
    [
        ((80, 80), [80, 443], True),
        ((80, 81), [80, 81], True),  # as many ports as listed
        ((80, 82), [80, 81, 82, 443], True),
        ((79, 80), [80, 81], False),  # the first port is not listed
        ((81, 82), [80, 81], False),  # the last port is not listed
        ((80, 82), [80, 82, 443], False),  # a port in the middle is not listed
        ((80, 81), [80], False),
        ((0, r.MAX_PORT), [22], False),
    ],
)
def test_every_port_of_the_exposure_must_be_listed(ports: tuple[int, int], listed: list[int], covered: bool) -> None:
    assert allowed(exposure(ports=ports), ports=listed, sources=["anywhere"]) is covered


def test_ports_outside_0_to_65535_or_unreadable_are_dropped() -> None:
    entry = allowance(ports=[-1, 0, 22.0, "443", 65535, 65536, "x", 1.5, True], sources=["anywhere"])
    assert entry.ports == frozenset({0, 22, 443, 65535})


def test_the_whole_port_range_is_covered_only_by_every_port() -> None:
    assert allowed(exposure(ports=(0, r.MAX_PORT)), ports=list(range(r.MAX_PORT + 1)), sources=["anywhere"])


# --- sources: anywhere, single IPv4 hosts, CIDRs -----------------------------------------------------


def test_anywhere_covers_every_network_of_either_family() -> None:
    assert allowed(exposure(networks=("0.0.0.0/1", "2001:db8::/32")), sources=["anywhere"])


@pytest.mark.parametrize(
    ("network", "covered"),
    [
        ("198.51.100.7/32", True),
        ("198.51.100.6/31", False),  # two hosts
        ("2001:db8::1/128", False),  # one host, but IPv6
        ("2001:db8::/32", False),  # a /32 of IPv6 is a network, not a host
    ],
)
def test_single_ipv4_host_covers_only_ipv4_slash_32(network: str, covered: bool) -> None:
    assert allowed(exposure(networks=(network,)), sources=["singleIpv4Host"]) is covered


@pytest.mark.parametrize(
    ("network", "covered"),
    [
        ("198.51.100.0/24", True),  # exactly the listed CIDR
        ("198.51.100.128/25", True),
        ("198.51.100.0/23", False),  # wider than it
        ("198.51.101.0/24", False),  # beside it
        ("2001:db8::/32", False),  # the other family
    ],
)
def test_a_cidr_source_covers_networks_inside_it(network: str, covered: bool) -> None:
    assert allowed(exposure(networks=(network,)), sources=["198.51.100.0/24"]) is covered


def test_an_ipv6_cidr_source_covers_ipv6_networks_only() -> None:
    assert allowed(exposure(networks=("2001:db8:1::/48",)), sources=["2001:db8::/32"])
    assert not allowed(exposure(networks=("198.51.100.7/32",)), sources=["2001:db8::/32"])


def test_cidr_sources_are_read_strictly_and_after_trimming() -> None:
    assert allowance(sources=[" 198.51.100.0/24 "]).networks == (ipaddress.ip_network("198.51.100.0/24"),)
    # Host bits set, garbage, and values that are not text allow nothing.
    entry = allowance(sources=["198.51.100.1/24", "nonsense", 7, None])
    assert (entry.networks, entry.anywhere, entry.single_hosts) == ((), False, False)
    assert not ie.is_allowed(exposure(), [entry])
    # A source that cannot be read does not hide the ones after it.
    assert allowance(sources=["garbage", "198.51.100.0/24"]).networks == (ipaddress.ip_network("198.51.100.0/24"),)


def test_the_keywords_are_recognised_exactly() -> None:
    assert allowance(sources=["anywhere"]).anywhere and not allowance(sources=["Anywhere"]).anywhere
    assert allowance(sources=["singleIpv4Host"]).single_hosts
    assert not allowance(sources=["anywhere"]).single_hosts and not allowance(sources=["singleIpv4Host"]).anywhere


def test_every_network_of_an_exposure_must_be_covered_by_some_entry() -> None:
    two = exposure(networks=("198.51.100.7/32", "203.0.113.0/24"))
    host = allowance(sources=["singleIpv4Host"])
    block = allowance(sources=["203.0.113.0/24"])
    assert ie.is_allowed(two, [host, block])
    assert not ie.is_allowed(two, [host])
    assert not ie.is_allowed(two, [block])
    assert not ie.is_allowed(exposure(), [])


# --- reading the config --------------------------------------------------------------------------------


def test_without_config_the_defaults_allow_lab_ssh_and_web_load_balancers() -> None:
    for config in (None, {}, {"allowed": None}, {"allowed": "everything"}, ["not", "a", "mapping"]):
        found = ie.allowances(config)  # type: ignore[arg-type]
        assert [(a.kind, a.protocol, sorted(a.ports), a.anywhere, a.single_hosts) for a in found] == [
            ("loadBalancer", "tcp", [80, 443], True, False),
            ("instance", "tcp", [22], False, True),
        ]
    assert ie.is_allowed(exposure(kind="loadBalancer", ports=(443, 443), networks=("0.0.0.0/1",)), ie.allowances(None))
    assert not ie.is_allowed(exposure(ports=(22, 22), networks=("0.0.0.0/1",)), ie.allowances(None))


def test_an_empty_allowed_list_allows_nothing() -> None:
    assert ie.allowances({"allowed": []}) == []


@pytest.mark.parametrize(
    "entry",
    [
        {"resource": "database", "protocol": "tcp", "ports": [22], "sources": ["anywhere"]},
        {"resource": 1, "protocol": "tcp", "ports": [22], "sources": ["anywhere"]},
        {"resource": "instance", "protocol": "icmp", "ports": [22], "sources": ["anywhere"]},
        {"resource": "instance", "protocol": 6, "ports": [22], "sources": ["anywhere"]},
        {"resource": "instance", "ports": [22], "sources": ["anywhere"]},
        {"resource": "instance", "protocol": "tcp", "ports": 22, "sources": ["anywhere"]},
        {"resource": "instance", "protocol": "tcp", "ports": [22], "sources": "anywhere"},
        {"resource": "instance", "protocol": "tcp", "sources": ["anywhere"]},
        "instance tcp 22",
    ],
)
def test_an_entry_that_cannot_be_read_allows_nothing(entry: Any) -> None:
    good = {"resource": "instance", "protocol": "udp", "ports": [53], "sources": ["anywhere"]}
    assert [(a.kind, a.protocol) for a in ie.allowances({"allowed": [entry, good]})] == [("instance", "udp")]


def test_both_protocols_and_kinds_are_readable() -> None:
    entries = [
        {"resource": kind, "protocol": protocol, "ports": [1], "sources": ["anywhere"]}
        for kind in ("instance", "loadBalancer")
        for protocol in ("tcp", "udp")
    ]
    found = ie.allowances({"allowed": entries})
    assert [(a.kind, a.protocol, a.names) for a in found] == [
        ("instance", "tcp", None),
        ("instance", "udp", None),
        ("loadBalancer", "tcp", None),
        ("loadBalancer", "udp", None),
    ]


# --- the message -----------------------------------------------------------------------------------


def test_the_message_names_the_resource_port_sources_and_path() -> None:
    text = ie.describe(exposure(ports=(20, 30), networks=("198.51.100.7/32", "203.0.113.9/32")))
    assert text == (
        "aws:ec2/instance:Instance 'web' is reachable from the internet on tcp/20-30 from 198.51.100.7/32, "
        "203.0.113.9/32, which no 'allowed' entry covers: internet → igw-1 → instance web"
    )


@pytest.mark.parametrize(("paths", "tail"), [(1, ""), (2, " (and 1 more path)"), (3, " (and 2 more paths)")])
def test_the_message_counts_the_other_paths(paths: int, tail: str) -> None:
    assert ie.describe(exposure(paths=paths)).endswith(f"igw-1 → instance web{tail}")


# --- the policy over a stack -------------------------------------------------------------------------


def test_the_policy_is_mandatory_and_defaults_to_the_lab_allowlist() -> None:
    assert ie.POLICY.name == "internet-exposure-allowlist"
    assert ie.POLICY.enforcement_level == EnforcementLevel.MANDATORY
    assert ie.CONFIG.properties["allowed"]["default"] == ie.DEFAULT_ALLOWED


INSTANCE = "aws:ec2/instance:Instance"


def outside_default_vpc_instance(**props: Any) -> dict[str, Spec]:
    """An instance in a default-VPC subnet outside the stack (public IP, route to the gateway, open ACL)."""
    group = {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}
    return {
        "sg": Spec("aws:ec2/securityGroup:SecurityGroup", {"id": "sg-0a", "ingress": [group]}),
        "web": Spec(
            INSTANCE,
            {"id": "i-0a", "subnetId": "subnet-0default", "vpcSecurityGroupIds": ["sg-0a"], **props},
            {"vpcSecurityGroupIds": ["sg"]},
        ),
    }


def test_an_exposed_instance_is_reported_on_its_urn_with_the_path() -> None:
    [(message, where)] = stack_violations(ie.POLICY, to_stack(outside_default_vpc_instance()))
    assert where == urn(INSTANCE, "web")
    assert message.startswith(f"{INSTANCE} 'web' is reachable from the internet on tcp/22 from 0.0.0.0/0")


def test_an_exposure_the_config_allows_passes_and_one_it_does_not_fails() -> None:
    stack = to_stack(outside_default_vpc_instance())
    ssh = {"resource": "instance", "protocol": "tcp", "ports": [22], "sources": ["anywhere"]}
    assert stack_violations(ie.POLICY, stack, {"allowed": [ssh]}) == []
    assert len(stack_violations(ie.POLICY, stack, {"allowed": [{**ssh, "ports": [23]}]})) == 1


def test_a_resource_that_cannot_be_traced_is_reported_on_its_urn() -> None:
    specs = outside_default_vpc_instance(networkInterfaces=[{"deviceIndex": 0.0, "networkInterfaceId": "eni-0a"}])
    [(message, where)] = stack_violations(ie.POLICY, to_stack(specs))
    assert where == urn(INSTANCE, "web")
    assert message.startswith("cannot trace internet exposure: ")
    assert "attaches network interfaces" in message

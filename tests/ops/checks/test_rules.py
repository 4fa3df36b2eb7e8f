"""Security-group and network-ACL evaluation, exact at both ends of every range."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops.checks import rules

IP = "203.0.113.7"


def entry(
    number: int, egress: bool, low: int, high: int, action: str = "allow", cidr: str = "0.0.0.0/0", protocol: str = "6"
) -> dict[str, Any]:
    return {
        "RuleNumber": number,
        "Egress": egress,
        "Protocol": protocol,
        "RuleAction": action,
        "CidrBlock": cidr,
        "PortRange": {"From": low, "To": high},
    }


DEFAULT_DENY = [entry(32767, False, 0, 0, "deny", protocol="-1"), entry(32767, True, 0, 0, "deny", protocol="-1")]


@pytest.mark.parametrize(
    ("rule", "covered"),
    [
        ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}, True),
        ({"IpProtocol": "6", "FromPort": 20, "ToPort": 22}, True),
        ({"IpProtocol": "tcp", "FromPort": 23, "ToPort": 80}, False),
        ({"IpProtocol": "-1"}, True),
        ({"IpProtocol": "udp", "FromPort": 22, "ToPort": 22}, False),
    ],
)
def test_sg_rule_covers(rule: dict[str, Any], covered: bool) -> None:
    assert rules.sg_rule_covers(rule, 22) is covered


def test_the_lowest_matching_acl_rule_decides() -> None:
    entries = [entry(200, False, 22, 22), entry(100, False, 22, 22, "deny", f"{IP}/32"), *DEFAULT_DENY]
    decision = rules.acl_decision(entries, egress=False, address=IP, port=22)
    assert decision is not None and decision["RuleNumber"] == 100
    other = rules.acl_decision(entries, egress=False, address="198.51.100.1", port=22)
    assert other is not None and other["RuleAction"] == "allow"


def test_ephemeral_ports_denied_at_the_top_end_are_found() -> None:
    entries = [entry(100, True, 1024, 65534), *DEFAULT_DENY]
    denied = rules.acl_denied_ports(entries, egress=True, address=IP, ports=rules.EPHEMERAL)
    assert [(low, high) for low, high, _ in denied] == [(65535, 65535)]


def test_ephemeral_ports_denied_at_the_bottom_end_are_found() -> None:
    entries = [entry(100, True, 1025, 65535), *DEFAULT_DENY]
    denied = rules.acl_denied_ports(entries, egress=True, address=IP, ports=rules.EPHEMERAL)
    assert [(low, high) for low, high, _ in denied] == [(1024, 1024)]


def test_a_deny_hole_inside_an_allow_is_found() -> None:
    entries = [entry(90, True, 3000, 3001, "deny"), entry(100, True, 0, 65535), *DEFAULT_DENY]
    denied = rules.acl_denied_ports(entries, egress=True, address=IP, ports=rules.EPHEMERAL)
    assert [(low, high) for low, high, _ in denied] == [(3000, 3001)]
    assert rules.describe_entry(denied[0][2]) == "rule 90 deny tcp 3000-3001 0.0.0.0/0"


def test_all_traffic_allows_every_port() -> None:
    entries = [entry(100, True, 0, 0, protocol="-1"), *DEFAULT_DENY]
    assert rules.acl_denied_ports(entries, egress=True, address=IP, ports=rules.EPHEMERAL) == []


def test_a_rule_for_another_address_does_not_apply() -> None:
    entries = [entry(100, True, 1024, 65535, cidr="198.51.100.0/24"), *DEFAULT_DENY]
    denied = rules.acl_denied_ports(entries, egress=True, address=IP, ports=rules.EPHEMERAL)
    assert denied and rules.describe_entry(denied[0][2]) == "rule * deny all all 0.0.0.0/0"


# --- an independent model: walk every port, the lowest-numbered matching entry decides ----------------

PORTS = (1020, 1040)
ADDRESSES = ("203.0.113.7", "198.51.100.1")
CIDRS = ("0.0.0.0/0", "203.0.113.0/24", "203.0.113.7/32", "198.51.100.0/24")


def _walk(entries: list[dict[str, Any]], egress: bool, address: str, port: int) -> dict[str, Any] | None:
    """What AWS documents for a network ACL: rules in ascending number, the first match decides."""
    for candidate in sorted(entries, key=lambda e: e["RuleNumber"]):
        if candidate["Egress"] != egress:
            continue
        if ipaddress.ip_address(address) not in ipaddress.ip_network(candidate["CidrBlock"]):
            continue
        if candidate["Protocol"] == "-1":
            return candidate
        if candidate["Protocol"] == "6" and candidate["PortRange"]["From"] <= port <= candidate["PortRange"]["To"]:
            return candidate
    return None


acl_entries = st.lists(
    st.builds(
        lambda number, egress, low, width, action, cidr, protocol: entry(
            number, egress, low, low + width, action, cidr, protocol
        ),
        st.integers(1, 200),
        st.booleans(),
        st.integers(PORTS[0] - 3, PORTS[1] + 3),
        st.integers(0, 8),
        st.sampled_from(["allow", "deny"]),
        st.sampled_from(CIDRS),
        st.sampled_from(["6", "-1", "17"]),
    ),
    max_size=6,
    unique_by=lambda e: (e["RuleNumber"], e["Egress"]),
)


@settings(max_examples=150, deadline=None)
@given(entries=acl_entries, egress=st.booleans(), address=st.sampled_from(ADDRESSES))
def test_denied_port_ranges_agree_with_a_port_by_port_walk(
    entries: list[dict[str, Any]], egress: bool, address: str
) -> None:
    denied = rules.acl_denied_ports(entries, egress=egress, address=address, ports=PORTS)

    by_port = {port: decision for low, high, decision in denied for port in range(low, high + 1)}
    walked = {port: _walk(entries, egress, address, port) for port in range(PORTS[0], PORTS[1] + 1)}
    assert by_port == {port: d for port, d in walked.items() if d is None or d["RuleAction"] != "allow"}
    assert all(low <= high for low, high, _ in denied)
    assert sorted(denied, key=lambda d: d[0]) == denied, "ranges in port order"


@pytest.mark.parametrize(
    ("rule", "port", "covered"),
    [
        ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 80}, 22, True),
        ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 80}, 80, True),
        ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 80}, 21, False),
        ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 80}, 81, False),
        ({"IpProtocol": "TCP", "FromPort": 22, "ToPort": 22}, 22, True),
        ({"IpProtocol": "all"}, 22, True),
        ({"IpProtocol": "ALL"}, 22, True),
        ({"IpProtocol": "tcp", "ToPort": 22}, 22, False),
        ({"IpProtocol": "tcp", "FromPort": 22}, 22, False),
        ({}, 22, False),
        ({"IpProtocol": "17", "FromPort": 0, "ToPort": 65535}, 22, False),
        ({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}, 22, False),
    ],
    ids=[
        "from-port",
        "to-port",
        "below",
        "above",
        "upper-case-tcp",
        "all-by-name",
        "ALL",
        "no-from",
        "no-to",
        "no-protocol",
        "udp-by-number",
        "icmp",
    ],
)
def test_a_security_group_rule_covers_a_port_at_both_ends_of_its_range_only(
    rule: dict[str, Any], port: int, covered: bool
) -> None:
    assert rules.sg_rule_covers(rule, port) is covered


def test_security_group_sources_and_groups_come_only_from_rules_that_cover_the_port() -> None:
    permissions = [
        {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "IpRanges": [{"CidrIp": "203.0.113.7/32"}, {"CidrIp": "198.51.100.0/24"}],
            "UserIdGroupPairs": [{"GroupId": "sg-0aaaaaaaaaaaaaaaa"}],
        },
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "UserIdGroupPairs": [{"GroupId": "sg-0bbbbbbbbbbbbbbbb"}],
        },
        {"IpProtocol": "-1"},
    ]

    assert rules.sg_sources(permissions, 22) == ["203.0.113.7/32", "198.51.100.0/24"]
    assert rules.sg_groups(permissions, 22) == ["sg-0aaaaaaaaaaaaaaaa"]
    assert rules.sg_sources(permissions, 443) == ["0.0.0.0/0"]


@pytest.mark.parametrize(
    ("cidr", "address", "inside"),
    [
        ("203.0.113.0/24", "203.0.113.0", True),
        ("203.0.113.0/24", "203.0.113.255", True),
        ("203.0.113.0/24", "203.0.114.0", False),
        ("203.0.113.7/24", "203.0.113.9", True),
        ("not-a-cidr", "203.0.113.7", False),
        ("203.0.113.0/24", "not-an-address", False),
    ],
)
def test_an_address_is_inside_a_cidr_from_its_first_to_its_last_address(cidr: str, address: str, inside: bool) -> None:
    assert rules.contains(cidr, address) is inside


@pytest.mark.parametrize(
    ("acl_entry", "described"),
    [
        (None, "no entry matches (implicit deny)"),
        (entry(100, True, 1024, 65535), "rule 100 allow tcp 1024-65535 0.0.0.0/0"),
        (entry(32766, True, 0, 0, "deny", protocol="-1"), "rule 32766 deny all all 0.0.0.0/0"),
        (entry(32767, True, 0, 0, "deny", protocol="-1"), "rule * deny all all 0.0.0.0/0"),
        (entry(120, False, 53, 53, "allow", "10.0.0.0/16", "udp"), "rule 120 allow udp 53-53 10.0.0.0/16"),
        (entry(130, False, 0, 0, "allow", "10.0.0.0/16", "1"), "rule 130 allow 1 0-0 10.0.0.0/16"),
    ],
)
def test_an_acl_entry_is_described_as_the_console_lists_it(acl_entry: dict[str, Any] | None, described: str) -> None:
    assert rules.describe_entry(acl_entry) == described


def test_an_acl_entry_without_a_port_range_or_cidr_never_matches_tcp() -> None:
    no_ports = {"RuleNumber": 100, "Egress": False, "Protocol": "6", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}
    no_cidr = {**entry(90, False, 0, 65535), "CidrBlock": None}

    assert rules.acl_decision([no_ports, no_cidr], egress=False, address=IP, port=22) is None

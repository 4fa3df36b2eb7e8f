"""Security-group and network-ACL evaluation, exact at both ends of every range."""

from __future__ import annotations

from typing import Any

import pytest

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

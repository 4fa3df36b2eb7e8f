"""Pure evaluation of the network rules AWS applies: security-group ingress and network ACL entries.

No AWS calls here: each function takes the shapes ``Describe*`` returns and decides, so they are
tested directly as well as through the doctor.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

TCP = "6"
EPHEMERAL = (1024, 65535)


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return {"tcp": TCP, "udp": "17", "icmp": "1", "all": "-1"}.get(text, text)


def sg_rule_covers(rule: Mapping[str, Any], port: int) -> bool:
    """A security-group rule (``IpPermissions`` entry) admits tcp on ``port``."""
    protocol = _protocol(rule.get("IpProtocol", ""))
    if protocol == "-1":
        return True
    if protocol != TCP:
        return False
    low, high = rule.get("FromPort"), rule.get("ToPort")
    return low is not None and high is not None and int(low) <= port <= int(high)


def sg_sources(rules: Iterable[Mapping[str, Any]], port: int) -> list[str]:
    """Every IPv4 CIDR the rules admit tcp ``port`` from."""
    return [r["CidrIp"] for rule in rules if sg_rule_covers(rule, port) for r in rule.get("IpRanges", [])]


def sg_groups(rules: Iterable[Mapping[str, Any]], port: int) -> list[str]:
    """Every security group the rules admit tcp ``port`` from."""
    return [p["GroupId"] for rule in rules if sg_rule_covers(rule, port) for p in rule.get("UserIdGroupPairs", [])]


def contains(cidr: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _entry_matches(entry: Mapping[str, Any], address: str, port: int) -> bool:
    cidr = entry.get("CidrBlock")
    if not cidr or not contains(cidr, address):
        return False
    protocol = _protocol(entry.get("Protocol", ""))
    if protocol == "-1":
        return True
    if protocol != TCP:
        return False
    ports = entry.get("PortRange") or {}
    return int(ports.get("From", -1)) <= port <= int(ports.get("To", -1))


def acl_decision(
    entries: Iterable[Mapping[str, Any]], *, egress: bool, address: str, port: int
) -> Mapping[str, Any] | None:
    """The entry that decides tcp ``port`` to/from ``address``: the lowest rule number that matches."""
    ordered = sorted((e for e in entries if bool(e.get("Egress")) == egress), key=lambda e: int(e["RuleNumber"]))
    return next((e for e in ordered if _entry_matches(e, address, port)), None)


def acl_denied_ports(
    entries: Iterable[Mapping[str, Any]], *, egress: bool, address: str, ports: tuple[int, int]
) -> list[tuple[int, int, Mapping[str, Any] | None]]:
    """The sub-ranges of ``ports`` the ACL does not allow, with the entry that decides each.

    The decision is constant between the edges of the entries' port ranges, so evaluating one port
    per interval is exact.
    """
    entries = list(entries)
    low, high = ports
    edges = {low, high + 1}
    for entry in entries:
        span = entry.get("PortRange") or {}
        for edge in (span.get("From"), None if span.get("To") is None else int(span["To"]) + 1):
            if edge is not None and low <= int(edge) <= high:
                edges.add(int(edge))
    cuts = sorted(edges)
    denied: list[tuple[int, int, Mapping[str, Any] | None]] = []
    for start, end in itertools.pairwise(cuts):
        decision = acl_decision(entries, egress=egress, address=address, port=start)
        if decision is None or decision.get("RuleAction") != "allow":
            denied.append((start, end - 1, decision))
    return denied


def describe_entry(entry: Mapping[str, Any] | None) -> str:
    if entry is None:
        return "no entry matches (implicit deny)"
    number = int(entry["RuleNumber"])
    label = "*" if number == 32767 else str(number)
    protocol = _protocol(entry.get("Protocol", ""))
    span = entry.get("PortRange") or {}
    ports = "all" if protocol == "-1" else f"{span.get('From')}-{span.get('To')}"
    name = {"-1": "all", TCP: "tcp", "17": "udp"}.get(protocol, protocol)
    return f"rule {label} {entry.get('RuleAction')} {name} {ports} {entry.get('CidrBlock')}"

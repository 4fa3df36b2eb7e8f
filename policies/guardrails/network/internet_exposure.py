"""internet-exposure-allowlist: what the internet can reach in this stack is only what is allowed.

The stack is read into the seed's chain of links (:mod:`.reach`, :mod:`..reachability`): an Internet
Gateway attached to the VPC, the subnet's route table sending the source's replies to it, the subnet's
network ACL, a public address, a security group admitting a public source on the port, and for a load
balancer a listener on that port. Every exposure that no ``allowed`` entry covers is a violation on the
exposed resource, its message the path the packet takes.

An entry allows an exposure when the resource kind (``instance``: EC2 instances and the instances of
Auto Scaling groups; ``loadBalancer``: ALB, NLB and classic ELB) and protocol match, every port of the
exposure is in ``ports``, the resource's name is in ``names`` (when given), and every source network
is admitted by one of ``sources``: ``anywhere``, ``singleIpv4Host`` (an IPv4 /32) or a CIDR it lies in.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import props as p
from .. import reachability as r
from ..stackgraph import StackGraph
from .reach import stack_reach

NAME = "internet-exposure-allowlist"

KINDS = ("instance", "loadBalancer")
ANYWHERE = "anywhere"
SINGLE_IPV4_HOST = "singleIpv4Host"

DEFAULT_ALLOWED: list[dict[str, Any]] = [
    {"resource": "loadBalancer", "protocol": "tcp", "ports": [80, 443], "sources": [ANYWHERE]},
    {"resource": "instance", "protocol": "tcp", "ports": [22], "sources": [SINGLE_IPV4_HOST]},
]

CONFIG = PolicyConfigSchema(
    properties={
        "allowed": {
            "type": "array",
            "description": (
                "Exposures that may stay: resource kind (instance | loadBalancer), protocol (tcp | udp), "
                "ports, and sources ('anywhere', 'singleIpv4Host' or CIDRs); optional names limits an entry "
                "to resources of those names."
            ),
            "items": {
                "type": "object",
                "properties": {
                    "resource": {"type": "string", "enum": list(KINDS)},
                    "protocol": {"type": "string", "enum": list(r.PROTOCOL_NAMES.values())},
                    "ports": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": r.MAX_PORT}},
                    "sources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "names": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["resource", "protocol", "ports", "sources"],
                "additionalProperties": False,
            },
            "default": DEFAULT_ALLOWED,
        },
    }
)


@dataclass(frozen=True)
class Allowance:
    kind: str
    protocol: str
    ports: frozenset[int]
    anywhere: bool = False
    single_hosts: bool = False
    networks: tuple[r.Net, ...] = ()
    names: frozenset[str] | None = None

    def covers(self, exposure: r.Exposure, network: r.Net) -> bool:
        target = exposure.target
        if target.kind != self.kind or exposure.protocol != self.protocol:
            return False
        if self.names is not None and target.name not in self.names:
            return False
        if exposure.to_port - exposure.from_port >= len(self.ports):
            return False
        if any(port not in self.ports for port in range(exposure.from_port, exposure.to_port + 1)):
            return False
        if self.anywhere:
            return True
        if self.single_hosts and network.version == 4 and network.prefixlen == 32:
            return True
        return any(network.version == n.version and network.subnet_of(n) for n in self.networks)  # type: ignore[arg-type]


def _allowance(entry: Any) -> Allowance | None:
    """One ``allowed`` entry; one that cannot be read allows nothing (the CLI validates it first)."""
    kind = p.as_str(p.get(entry, "resource"))
    protocol = p.as_str(p.get(entry, "protocol"))
    raw_ports = p.get(entry, "ports")
    raw_sources = p.get(entry, "sources")
    if kind not in KINDS or protocol is None or protocol not in r.PROTOCOL_NAMES.values():
        return None
    if not p.is_sequence(raw_ports) or not p.is_sequence(raw_sources):
        return None
    ports = frozenset(n for n in (p.as_int(v) for v in raw_ports) if n is not None and 0 <= n <= r.MAX_PORT)
    anywhere = single = False
    networks: list[r.Net] = []
    for source in raw_sources:
        if source == ANYWHERE:
            anywhere = True
        elif source == SINGLE_IPV4_HOST:
            single = True
        elif isinstance(source, str):
            try:
                networks.append(ipaddress.ip_network(source.strip(), strict=True))
            except ValueError:
                continue
    raw_names = p.get(entry, "names")
    names = frozenset(n for n in raw_names if isinstance(n, str)) if p.is_sequence(raw_names) else None
    return Allowance(kind, protocol, ports, anywhere, single, tuple(networks), names)


def allowances(config: Mapping[str, Any] | None) -> list[Allowance]:
    raw = config.get("allowed") if config is not None and p.is_mapping(config) else None
    entries: Sequence[Any] = raw if raw is not None and p.is_sequence(raw) else DEFAULT_ALLOWED
    return [a for a in (_allowance(e) for e in entries) if a is not None]


def is_allowed(exposure: r.Exposure, allowed: Sequence[Allowance]) -> bool:
    return all(any(a.covers(exposure, network) for a in allowed) for network in exposure.networks)


def describe(exposure: r.Exposure) -> str:
    """The violation text: what is reachable, on what, from where, and the path the packet takes."""
    target = exposure.target
    more = len(exposure.paths) - 1
    tail = f" (and {more} more path{'s' if more > 1 else ''})" if more else ""
    return (
        f"{target.type} '{target.name}' is reachable from the internet on {exposure.protocol}/{exposure.ports} "
        f"from {', '.join(exposure.sources)}, which no 'allowed' entry covers: {exposure.narrative()}{tail}"
    )


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    allowed = allowances(args.get_config())
    found = stack_reach(graph)
    for undecided in found.undecided:
        report_violation(f"cannot trace internet exposure: {undecided.message}", undecided.urn)
    for exposure in found.exposures:
        if not is_allowed(exposure, allowed):
            report_violation(describe(exposure), exposure.target.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Only allowed exposures are reachable from the internet: route to an attached Internet Gateway, a "
        "public address, network ACL, security group and listener, traced link by link."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=CONFIG,
    remediation_steps=(
        "Break one link of the path in the message: put the resource in a private subnet (no route to the "
        "Internet Gateway), give it no public address (associatePublicIpAddress false, no Elastic IP, an "
        "internal load balancer), or narrow the security group to the sources and ports that must reach it. "
        "If the exposure is intended, add it to the policy's 'allowed' config."
    ),
    validate=_validate,
)

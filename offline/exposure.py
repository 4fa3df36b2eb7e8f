"""The stack's internet exposures, for the preview and audit "Exposure" section, the JSON report and the diagram.

The same analysis the network pack's ``internet-exposure-allowlist`` runs (``policies/guardrails``), fed
what ``AnalyzeStack`` would get: every resource's outputs through the SDK's own deserializer and
unknown-checking proxy, with its property dependencies. An exposure that cannot be decided yet (a first
preview where an unknown id could name resources that disagree) is said so, never left out in silence.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offline.analyzer import to_wire

if TYPE_CHECKING:
    from offline.harness import RegisteredResource

POLICIES_DIR = Path(__file__).resolve().parents[1] / "policies"


@dataclass
class Exposure:
    """One row of the report's ``exposures``: ``port`` is a number, or ``"from-to"`` for a range."""

    urn: str
    type: str
    name: str
    protocol: str
    port: int | str
    sources: list[str]
    path: list[str]
    narrative: str

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "protocol": self.protocol,
            "port": self.port,
            "sources": list(self.sources),
            "path": list(self.path),
        }

    def line(self) -> str:
        """``tcp/22 from 203.0.113.10/32: internet → igw-… → … → instance web``."""
        return f"{self.protocol}/{self.port} from {', '.join(self.sources)}: {self.narrative}"


@dataclass
class ExposureReport:
    exposures: list[Exposure] = field(default_factory=list)
    # Resources whose exposure cannot be traced (the policy reports them), and why.
    undecided: list[str] = field(default_factory=list)
    # Set when the analysis cannot run at all yet (an unknown value during a first preview).
    not_decided: str | None = None

    def lines(self) -> list[str]:
        """The "Exposure:" section, one line per exposure, as the preview prints it."""
        lines = ["Exposure:"]
        if self.not_decided is not None:
            lines.append(f"    cannot be decided yet: {self.not_decided}")
        elif not self.exposures and not self.undecided:
            lines.append("    nothing in this stack is reachable from the internet")
        lines += [f"    {e.line()}" for e in self.exposures]
        lines += [f"    cannot trace: {u}" for u in self.undecided]
        return lines


def _on_path() -> None:
    """The packs' rule logic imports as ``guardrails``, as each pack puts ``policies/`` on its path."""
    if str(POLICIES_DIR) not in sys.path:
        sys.path.insert(0, str(POLICIES_DIR))


def includes_public(cidr: str) -> bool:
    """Whether ``cidr`` holds a public address (as the analysis counts them); text that is no CIDR does."""
    import ipaddress

    _on_path()
    from guardrails.reachability import public_part

    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return True
    return bool(public_part(network))


def policy_resources(resources: Sequence[RegisteredResource]) -> list[Any]:
    """The ``PolicyResource`` objects the SDK builds for ``AnalyzeStack``, made in process."""
    from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    options = PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0.0, 0.0, 0.0),
        additional_secret_outputs=[],
    )
    by_urn: dict[str, Any] = {}
    built = []
    for resource in resources:
        props = unknown_checking_proxy(deserialize_properties(to_wire(resource.outputs)))
        policy_resource = PolicyResource(resource.type, props, resource.urn, resource.name, options, None, None, [], {})
        by_urn[resource.urn] = policy_resource
        built.append((resource, policy_resource))
    for resource, policy_resource in built:
        policy_resource.parent = by_urn.get(resource.parent)
        policy_resource.dependencies = [by_urn[d] for d in resource.dependencies if d in by_urn]
        policy_resource.property_dependencies = {
            key: [by_urn[d] for d in urns if d in by_urn] for key, urns in resource.property_dependencies.items()
        }
    return [policy_resource for _, policy_resource in built]


def stack_exposures(resources: Sequence[RegisteredResource]) -> ExposureReport:
    """Every exposure of the stack, as the network pack traces it."""
    from pulumi_policy.proxy import UnknownValueError

    _on_path()
    from guardrails.network.reach import stack_reach
    from guardrails.stackgraph import StackGraph

    try:
        found = stack_reach(StackGraph(policy_resources(resources)))
    except UnknownValueError as exc:
        return ExposureReport(not_decided=exc.message)
    report = ExposureReport(undecided=[u.message for u in found.undecided])
    for item in found.exposures:
        target = item.target
        port: int | str = item.from_port if item.from_port == item.to_port else item.ports
        report.exposures.append(
            Exposure(
                target.urn,
                target.type,
                target.name,
                item.protocol,
                port,
                list(item.sources),
                item.path_urns(),
                item.narrative(),
            )
        )
    return report

"""The rules over a recorded stack (``make audit``): a ``pulumi preview --json`` or ``pulumi stack export``.

Resources are checked in the file's order, which is the engine's creation order, each against the ones
before it, as the mock cloud checks each create against the account it has built so far. Values the file
does not disclose arrive as unknowns, so no rule decides on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from offline.cloudrules.model import CloudError, CloudResource, World
from offline.cloudrules.registry import check_resource
from offline.cloudrules.values import known_str

AWS_PROVIDER = "pulumi:providers:aws"


class Recorded(Protocol):
    """What a stack file records of a resource (``offline.harness.RegisteredResource`` fits)."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str
    provider: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]


def _region(resources: Sequence[Recorded]) -> str:
    """The Region of the stack's AWS provider, "" when the file does not say (Region-bound rules then skip)."""
    for resource in resources:
        if resource.type == AWS_PROVIDER:
            region = known_str(resource.inputs.get("region")) or known_str(resource.outputs.get("region"))
            if region:
                return region
    return ""


def check_stack(
    resources: Sequence[Recorded], region: str | None = None, quotas: Mapping[str, int] | None = None
) -> list[CloudError]:
    """Every refusal AWS would give the stack's resources, in creation order; ``quotas`` are the ones the account
    raised (name -> value), AWS's defaults otherwise."""
    world = World(region=_region(resources) if region is None else region, quotas=quotas)
    found: list[CloudError] = []
    for recorded in resources:
        outputs: Mapping[str, Any] = recorded.outputs or {}
        resource = CloudResource(
            urn=recorded.urn,
            type=recorded.type,
            name=recorded.name,
            inputs=dict(recorded.inputs or {}),
            id=recorded.id or (known_str(outputs.get("id")) or ""),
            outputs=dict(outputs),
            dependencies=tuple(recorded.dependencies or ()),
            provider=recorded.provider,
            property_dependencies={k: tuple(v) for k, v in (recorded.property_dependencies or {}).items()},
        )
        if recorded.custom:
            found.extend(check_resource(resource, world))
        world.add(resource)
    return found

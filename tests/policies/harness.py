"""Run a single policy the way the pulumi-policy SDK runs it inside a pack, without the gRPC hop.

Properties pass through the SDK's own ``deserialize_properties`` (which unwraps the engine's secret
envelope) and ``unknown_checking_proxy`` (read-only ``Mapping``/``Sequence`` views that raise
``UnknownValueError`` on unknowns). Config is filled from the policy's schema defaults, as the CLI
does before ``Configure``. The pack-level tests in ``test_packs_grpc.py`` cover the real process.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def secret(value: Any) -> dict[str, Any]:
    """``value`` in the engine's secret envelope, as a pack receives it over gRPC."""
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0.0, 0.0, 0.0),
        additional_secret_outputs=[],
    )


def _wrap(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return unknown_checking_proxy(deserialize_properties(copy.deepcopy(dict(props))))


def default_config(policy: Any, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {}
    schema = getattr(policy, "config_schema", None)
    if schema is not None:
        for key, spec in schema.properties.items():
            if "default" in spec:
                config[key] = copy.deepcopy(spec["default"])
    config.update(overrides or {})
    return config


def resource_violations(
    policy: ResourceValidationPolicy,
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
    *,
    name: str = "subject",
    urn: str | None = None,
) -> list[str]:
    """Messages the policy reports for one resource (empty when it passes).

    ``UnknownValueError`` propagates, as it does to the SDK's "can't run during preview" path.
    """
    urn = urn or f"urn:pulumi:test::proj::{resource_type}::{name}"
    messages: list[str] = []

    def report(message: str, _urn: str | None = None) -> None:
        assert isinstance(message, str) and message, "a violation must carry a message"
        messages.append(message)

    args = ResourceValidationArgs(
        resource_type, _wrap(props), urn, name, _options(), None, default_config(policy, config)
    )
    policy.validate(args, report)
    return messages


@dataclass
class StackResource:
    """One resource as AnalyzeStack carries it: properties plus its links to the others."""

    type: str
    name: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    urn: str = ""

    def __post_init__(self) -> None:
        if not self.urn:
            self.urn = f"urn:pulumi:test::proj::{self.type}::{self.name}"


def stack_violations(
    policy: StackValidationPolicy,
    resources: Sequence[StackResource],
    config: Mapping[str, Any] | None = None,
) -> list[tuple[str, str | None]]:
    """``(message, urn)`` pairs the stack policy reports; links resolved as the SDK resolves them."""
    by_urn: dict[str, PolicyResource] = {}
    built: list[tuple[StackResource, PolicyResource]] = []
    for r in resources:
        pr = PolicyResource(r.type, _wrap(r.props), r.urn, r.name, _options(), None, None, [], {})
        by_urn[r.urn] = pr
        built.append((r, pr))
    for r, pr in built:
        if r.parent and r.parent in by_urn:
            pr.parent = by_urn[r.parent]
        pr.dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
        pr.property_dependencies = {
            k: [by_urn[d] for d in v if d in by_urn] for k, v in r.property_dependencies.items()
        }
    found: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        assert isinstance(message, str) and message, "a violation must carry a message"
        found.append((message, urn))

    policy.validate(StackValidationArgs([pr for _, pr in built], default_config(policy, config)), report)
    return found

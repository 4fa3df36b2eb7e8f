"""Write a mock run of the program in the two file formats ``make audit`` reads.

``pulumi stack export --show-secrets`` (deployment version 3) and ``pulumi preview --json`` are what a
reviewer has of a real stack. Producing them from a real run of this project's program (under the mock
cloud) keeps the audit fixtures in the shape the engine writes, and lets them be regenerated whenever
the components change (``tests/fixtures/regenerate.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from offline.analyzer import SECRET_SIG, SIG_KEY, UNKNOWN
from offline.harness import STACK_TYPE, ProgramRun, RegisteredResource

PULUMI_VERSION = "v3.272.0"
# A fixed timestamp keeps regenerated fixtures byte-identical when nothing else changed.
TIMESTAMP = "2025-01-01T00:00:00.000000Z"


def state_value(value: Any, *, secrets: str = "plaintext") -> Any:
    """A value as the checkpoint stores it: integral numbers as integers, secrets per ``secrets``.

    ``secrets`` is ``"plaintext"`` (``--show-secrets``), ``"ciphertext"`` (a plain export) or ``"blind"``
    (preview JSON, which prints ``[secret]``).
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            inner = state_value(value.get("value"), secrets="plaintext")
            if secrets == "blind":
                return "[secret]"
            if secrets == "ciphertext":
                digest = hashlib.sha256(json.dumps(inner, sort_keys=True).encode()).digest()
                return {SIG_KEY: SECRET_SIG, "ciphertext": "v1:" + digest[:12].hex() + ":" + digest[12:].hex()}
            return {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(inner, separators=(",", ":"))}
        return {str(k): state_value(v, secrets=secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [state_value(v, secrets=secrets) for v in value]
    return UNKNOWN if type(value).__name__ == "Unknown" else str(value)


def _state(resource: RegisteredResource, *, secrets: str, outputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"urn": resource.urn, "custom": resource.custom}
    if resource.custom:
        state["id"] = resource.id
    state["type"] = resource.type
    if resource.type != STACK_TYPE:
        state["inputs"] = state_value(resource.inputs, secrets=secrets)
    state["outputs"] = state_value(resource.outputs if outputs is None else outputs, secrets=secrets)
    if resource.parent:
        state["parent"] = resource.parent
    if resource.provider:
        state["provider"] = resource.provider
    if resource.dependencies:
        state["dependencies"] = list(resource.dependencies)
    if resource.property_dependencies:
        state["propertyDependencies"] = {k: list(v) for k, v in resource.property_dependencies.items()}
    state["created"] = TIMESTAMP
    state["modified"] = TIMESTAMP
    if resource.source_position and "/venv/" not in resource.source_position:
        state["sourcePosition"] = resource.source_position
    return state


def stack_export(
    resources: Iterable[RegisteredResource],
    *,
    secrets: str = "plaintext",
    stack_outputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``pulumi stack export [--show-secrets]``: ``{"version": 3, "deployment": {manifest, resources}}``."""
    states = []
    for resource in resources:
        outputs = stack_outputs if resource.type == STACK_TYPE and stack_outputs is not None else None
        states.append(_state(resource, secrets=secrets, outputs=outputs))
    deployment: dict[str, Any] = {
        "manifest": {"time": TIMESTAMP, "magic": hashlib.sha256(b"offline").hexdigest(), "version": PULUMI_VERSION},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:offline-fixture:salt"}},
        "resources": states,
    }
    return {"version": 3, "deployment": deployment}


def export_run(run: ProgramRun, *, secrets: str = "plaintext") -> dict[str, Any]:
    return stack_export(run.resources, secrets=secrets, stack_outputs=run.outputs)


def _looks_computed(value: Any) -> bool:
    """Ids, ARNs and addresses a provider assigns; short words like "available" are left alone."""
    return isinstance(value, str) and len(value) >= 8 and any(c in value for c in "-:.")


def _blank(value: Any, unknown: set[str]) -> Any:
    """Inputs built from another resource's computed outputs are unknown until that resource exists."""
    if isinstance(value, str):
        return UNKNOWN if any(u in value for u in unknown) else value
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return {SIG_KEY: SECRET_SIG, "value": _blank(value.get("value"), unknown)}
        return {k: _blank(v, unknown) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_blank(v, unknown) for v in value]
    return value


def preview_json(run: ProgramRun, config: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``pulumi preview --json`` for a new stack: one ``create`` step per resource, secrets blinded.

    Outputs a provider computes (ids, ARNs, addresses) are unknown before ``pulumi up``, and so is every
    input built from one (a subnet's ``vpcId``); a preview's new state carries them as unknowns, as here.
    """
    computed_by_urn = {
        r.urn: {v for k, v in r.outputs.items() if k not in r.inputs and _looks_computed(v)}
        for r in run.resources
        if r.custom
    }
    steps = []
    for resource in run.resources:
        computed = {k: UNKNOWN for k in resource.outputs if k not in resource.inputs}
        upstream = set().union(*(computed_by_urn.get(u, set()) for u in resource.dependencies))
        inputs = _blank(resource.inputs, upstream)
        outputs = {**inputs, **computed} if resource.custom else dict(resource.outputs)
        state = _state(replace(resource, inputs=inputs), secrets="blind", outputs=outputs)
        for key in ("created", "modified"):
            state.pop(key, None)
        if resource.custom:
            state["id"] = ""
        step: dict[str, Any] = {"op": "create", "urn": resource.urn}
        if resource.provider:
            step["provider"] = resource.provider
        step["newState"] = state
        steps.append(step)
    return {
        "config": dict(config or {}),
        "steps": steps,
        "duration": 1_500_000_000,
        "changeSummary": {"create": len(steps)},
    }

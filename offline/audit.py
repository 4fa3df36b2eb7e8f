"""Audit a real stack with the policy packs: from ``pulumi stack export`` or ``pulumi preview --json``.

A reviewer auditing a deployed stack has its state, not its program. Both files carry what the engine
would hand the packs: each resource's inputs (``Analyze``) and outputs (``AnalyzeStack``), its parent,
dependencies and property dependencies. Values the file does not disclose (a secret exported without
``--show-secrets``, or ``[secret]`` in preview JSON) are never guessed: they become unknown values, so a
policy that reads one reports "can't run" through the SDK's own path, and the audit lists every such
property as NOT EVALUABLE instead of letting it pass in silence.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offline.analyzer import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    PackError,
    PolicyConfigError,
    discover_packs,
    has_mandatory,
    run_packs,
)
from offline.cloudrules.quotas import QuotaFileError, load_quotas, parse_quotas
from offline.cloudrules.state import check_stack
from offline.exposure import ExposureReport, stack_exposures
from offline.harness import RegisteredResource
from offline.render import display_path
from offline.report import load_policy_config, render_cloud_errors, render_text, write_json, write_sarif

REPO_ROOT = Path(__file__).resolve().parents[1]
PREVIEW_SECRET = "[secret]"
# Deeper values are no resource input the provider takes; reading them would exhaust Python's recursion limit.
MAX_DEPTH = 64
DYNAMIC_PROVIDER_KEY = "__provider"
# Steps whose resource will not exist after the update: the engine analyzes none of them.
_GONE_OPS = {"delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"}


class StateFileError(Exception):
    """The file is not a stack export or preview JSON this audit can read; the message says why."""


@dataclass
class AuditInput:
    """The resources of one stack, as the engine would hand them to the packs."""

    stack: str
    project: str
    resources: list[RegisteredResource]
    not_evaluable: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------


def _resolve(value: Any, where: str, hidden: list[str]) -> Any:
    """Decode secrets the file discloses into the engine's envelope; record and blank the ones it hides."""
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            if "plaintext" in value:
                text = value["plaintext"]
                try:
                    plain = json.loads(text) if isinstance(text, str) else text
                except json.JSONDecodeError:
                    plain = text
                return {SIG_KEY: SECRET_SIG, "value": _resolve(plain, where, hidden)}
            if "value" in value:
                return {SIG_KEY: SECRET_SIG, "value": _resolve(value["value"], where, hidden)}
            hidden.append(where)
            return UNKNOWN
        return {str(k): _resolve(v, f"{where}.{k}", hidden) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, f"{where}[{i}]", hidden) for i, v in enumerate(value)]
    if value == PREVIEW_SECRET:
        hidden.append(where)
        return UNKNOWN
    return value


def _properties(raw: Any, urn: str, kind: str, hidden: list[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise StateFileError(f"{urn}: {kind} is {type(raw).__name__}, not an object")
    found: list[str] = []
    resolved = {str(k): _resolve(v, str(k), found) for k, v in raw.items()}
    # A dynamic provider's serialized code (``__provider``) is always a secret and never policy input.
    hidden.extend(f"{urn} {kind}.{path}" for path in found if path != DYNAMIC_PROVIDER_KEY)
    return resolved


def _name_of(urn: str) -> str:
    parts = urn.split("::")
    if len(parts) < 4 or not urn.startswith("urn:pulumi:"):
        raise StateFileError(f"not a Pulumi URN: {urn!r}")
    return "::".join(parts[3:])


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StateFileError(f"{what} must be a list of URNs")
    return list(value)


def _resource(state: Mapping[str, Any], hidden: list[str], *, fallback_outputs: bool) -> RegisteredResource:
    urn = state.get("urn")
    rtype = state.get("type")
    if not isinstance(urn, str) or not isinstance(rtype, str):
        raise StateFileError("a resource has no string 'urn' and 'type'")
    inputs = _properties(state.get("inputs"), urn, "inputs", hidden)
    outputs = _properties(state.get("outputs"), urn, "outputs", hidden)
    if fallback_outputs and not outputs:
        # Preview JSON omits outputs a step has not computed yet; the inputs are what the stack will hold.
        outputs = dict(inputs)
    deps = state.get("propertyDependencies") or {}
    if not isinstance(deps, Mapping):
        raise StateFileError(f"{urn}: propertyDependencies must be an object")
    return RegisteredResource(
        urn=urn,
        type=rtype,
        name=_name_of(urn),
        custom=bool(state.get("custom", False)),
        inputs=inputs,
        outputs=outputs,
        id=str(state.get("id") or ""),
        parent=str(state.get("parent") or ""),
        provider=str(state.get("provider") or ""),
        dependencies=_strings(state.get("dependencies"), f"{urn}: dependencies"),
        property_dependencies={str(k): _strings(v, f"{urn}: propertyDependencies.{k}") for k, v in deps.items()},
        source_position=str(state.get("sourcePosition") or ""),
    )


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def _from_export(document: Mapping[str, Any]) -> tuple[list[RegisteredResource], list[str]]:
    version = document.get("version")
    if version != 3:
        raise StateFileError(f"unsupported stack export version {version!r} (expected 3, from `pulumi stack export`)")
    deployment = document.get("deployment")
    if not isinstance(deployment, Mapping):
        raise StateFileError("stack export has no 'deployment' object")
    states = deployment.get("resources")
    states = [] if states is None else states
    if not isinstance(states, list):
        raise StateFileError("deployment.resources must be a list")
    hidden: list[str] = []
    resources = []
    for i, state in enumerate(states):
        if isinstance(state, Mapping) and state.get("delete"):
            continue  # pending deletion: the engine leaves it out of AnalyzeStack
        found = _readable(state, f"deployment.resources[{i}]", hidden, fallback_outputs=False)
        if found is not None:
            resources.append(found)
    return resources, hidden


def _readable(state: Any, where: str, hidden: list[str], *, fallback_outputs: bool) -> RegisteredResource | None:
    """The resource ``state`` records, or None with a note in ``hidden`` saying why it cannot be audited: one
    malformed entry is reported (and fails the audit, as a value it could not see would), never a traceback."""
    if not isinstance(state, Mapping):
        hidden.append(f"{where}: skipped, not an object ({type(state).__name__})")
        return None
    if _deeper_than(state, MAX_DEPTH):
        hidden.append(f"{where}: skipped, its values nest deeper than {MAX_DEPTH} levels")
        return None
    try:
        return _resource(state, hidden, fallback_outputs=fallback_outputs)
    except StateFileError as exc:
        hidden.append(f"{where}: skipped, {exc}")
        return None


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether objects and lists nest more than ``limit`` deep (counted without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(current, Mapping):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
    return False


def _from_preview(document: Mapping[str, Any]) -> tuple[list[RegisteredResource], list[str]]:
    steps = document.get("steps")
    steps = [] if steps is None else steps
    if not isinstance(steps, list):
        raise StateFileError("'steps' must be a list")
    hidden: list[str] = []
    by_urn: dict[str, RegisteredResource] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, Mapping):
            hidden.append(f"steps[{i}]: skipped, not an object ({type(step).__name__})")
            continue
        if step.get("op") in _GONE_OPS:
            continue
        state = step.get("newState")
        if not isinstance(state, Mapping):
            continue
        resource = _readable(state, f"steps[{i}].newState", hidden, fallback_outputs=True)
        if resource is None:
            continue
        # A replacement appears as several steps for one URN; the last new state is the one that lands.
        by_urn[resource.urn] = resource
    return list(by_urn.values()), hidden


def load_state(path: Path) -> AuditInput:
    """Read a stack export (version 3) or preview JSON; ``StateFileError`` says what is wrong with it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StateFileError(f"cannot read {path}: {reason}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateFileError(f"{path} is not JSON: {exc}") from None
    except RecursionError:
        raise StateFileError(f"{path} nests too deeply to be a stack export") from None
    if not isinstance(document, Mapping):
        raise StateFileError(f"{path} is not a stack export or preview JSON (top level is not an object)")
    if "deployment" in document:
        resources, hidden = _from_export(document)
    elif "steps" in document or "changeSummary" in document:
        resources, hidden = _from_preview(document)
    else:
        raise StateFileError(
            f"{path} is neither a `pulumi stack export` (no 'deployment') nor `pulumi preview --json` (no 'steps')"
        )
    if not resources and not hidden:
        raise StateFileError(f"{path} holds no resources to audit")
    first = resources[0].urn.split("::") if resources else ["urn:pulumi:unknown", "unknown"]
    stack, project = first[0].removeprefix("urn:pulumi:"), first[1]
    return AuditInput(stack=stack, project=project, resources=resources, not_evaluable=hidden)


# --------------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------------


def _quotas(quotas: Path | str | Mapping[str, int] | None) -> dict[str, int]:
    if quotas is None:
        return {}
    return parse_quotas(quotas) if isinstance(quotas, Mapping) else load_quotas(quotas)


def _exposures(audit: AuditInput) -> ExposureReport:
    """The exposure section; a stack whose shape the network analysis cannot read is said so, not a traceback."""
    try:
        return stack_exposures(audit.resources)
    except Exception as exc:  # noqa: BLE001 - any file, however malformed, ends in a report
        note = f"exposure analysis could not read this stack ({type(exc).__name__}): exposures are not shown"
        audit.not_evaluable.append(note)
        return ExposureReport(not_decided=note)


def _config(policy_config: Path | str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if policy_config is None or isinstance(policy_config, Mapping):
        return dict(policy_config) if policy_config is not None else None
    return load_policy_config(Path(policy_config))


def run_audit(
    path: Path | str,
    policy_config: Path | str | Mapping[str, Any] | None = None,
    out: Path | str | None = None,
    sarif: Path | str | None = None,
    *,
    packs: Sequence[Path] | None = None,
    allow_not_evaluable: bool = False,
    quotas: Path | str | Mapping[str, int] | None = None,
) -> int:
    """Audit ``path`` with every pack and the cloud rules; 0 clean, 1 a mandatory violation or a cloud error,
    2 the file, config or a pack failed.

    ``quotas``: service quotas the account raised, a JSON file of ``{"<quota>": value}`` (or the mapping itself);
    every other quota is AWS's default (offline/cloudrules/quotas.py).

    Encrypted values the packs cannot read make the audit fail (1) too: a security gate that cannot see
    an SSH source or a policy document has not shown it compliant. ``allow_not_evaluable`` accepts them.
    """
    try:
        audit = load_state(Path(path))
        config = _config(policy_config)
        raised = _quotas(quotas)
        pack_dirs = list(packs) if packs is not None else discover_packs(REPO_ROOT / "policies")
        if not pack_dirs:
            raise PackError(f"no policy packs under {REPO_ROOT / 'policies'}")
        results = run_packs(pack_dirs, audit.resources, project=audit.project, stack=audit.stack, policy_config=config)
    except (StateFileError, PolicyConfigError, PackError, QuotaFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Auditing {path}: stack {audit.stack} of project {audit.project}, {len(audit.resources)} resources")
    if audit.not_evaluable:
        print(
            f"NOT EVALUABLE: {len(audit.not_evaluable)} encrypted or hidden value(s) or unreadable resource(s); "
            'policies that read them report "can\'t run" below. Re-export with `pulumi stack export '
            "--show-secrets` to evaluate them:"
        )
        for item in audit.not_evaluable:
            print(f"    {item}")
    print()
    exposure = _exposures(audit)
    for line in exposure.lines():
        print(line)
    print()
    for result in results:
        result.path = display_path(Path(result.path))
    print(render_text(results, audit.resources))
    # What AWS itself would refuse at create time: a preview JSON checked before `pulumi up`.
    cloud_errors = check_stack(audit.resources, quotas=raised)
    print()
    print(render_cloud_errors(cloud_errors))
    try:
        if out:
            write_json(
                Path(out),
                audit.stack,
                audit.resources,
                results,
                not_evaluable=audit.not_evaluable,
                cloud_errors=cloud_errors,
                exposures=exposure.exposures,
            )
            print(f"JSON report: {out}")
        if sarif:
            write_sarif(
                Path(sarif), audit.resources, results, not_evaluable=audit.not_evaluable, cloud_errors=cloud_errors
            )
            print(f"SARIF report: {sarif}")
    except OSError as exc:
        print(f"error: cannot write report: {exc}", file=sys.stderr)
        return 2
    if audit.not_evaluable and not allow_not_evaluable:
        print(
            f"FAILED: {len(audit.not_evaluable)} value(s) could not be evaluated; compliance is not shown. "
            "Audit a `--show-secrets` export, or pass --allow-not-evaluable to accept the gap."
        )
        return 1
    return 1 if has_mandatory(results) or cloud_errors else 0

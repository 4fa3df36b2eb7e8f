"""Run a Pulumi program in-process against a mock resource monitor and record what it registers.

This is the first of the engine's two protocols the project proves itself through (the other is the
Analyzer protocol, in ``analyzer.py``): every ``RegisterResource`` and invoke of the real program
reaches a ``pulumi.runtime.Mocks``. The SDK's own ``MockMonitor`` keeps only URNs and states, so
``RecordingMonitor`` also keeps what the engine would persist and hand a policy pack: inputs,
parent, provider, dependencies and property dependencies. It also builds URNs the way the engine
does (the SDK's mock prefixes the root stack's type and keeps only the last parent type).
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from offline.wire import STACK_TYPE


def stack_urn_of(project: str, stack: str) -> str:
    """The URN the engine gives a stack's root resource."""
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


@dataclass
class RegisteredResource:
    """One resource as the engine would record it after a successful step."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    parent: str = ""
    provider: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    # Where the program constructed it, as state records it: "project:///<path>#<line>" (SARIF points here).
    source_position: str = ""
    # Input names `pulumi up` leaves as they are in the cloud (the `ignore_changes` resource option).
    ignore_changes: list[str] = field(default_factory=list)
    # The `custom_timeouts` resource option as the engine receives it: operation -> duration ("35m").
    custom_timeouts: dict[str, str] = field(default_factory=dict)


@dataclass
class ProgramRun:
    """What one run of a program registered, in registration order, and how it ended."""

    project: str
    stack: str
    resources: list[RegisteredResource]
    outputs: dict[str, Any]
    error: BaseException | None = None

    @property
    def stack_urn(self) -> str:
        return stack_urn_of(self.project, self.stack)

    def check(self) -> ProgramRun:
        """Re-raise the program's error, if any; otherwise return self."""
        if self.error is not None:
            raise self.error
        return self

    def managed(self) -> list[RegisteredResource]:
        """Cloud resources (custom, not providers): what ``pulumi up`` would create in AWS."""
        return [r for r in self.resources if r.custom and not r.type.startswith("pulumi:providers:")]

    def of_type(self, resource_type: str) -> list[RegisteredResource]:
        return [r for r in self.resources if r.type == resource_type]

    def one(self, resource_type: str) -> RegisteredResource:
        found = self.of_type(resource_type)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {resource_type}, found {len(found)}")
        return found[0]

    def by_urn(self) -> dict[str, RegisteredResource]:
        return {r.urn: r for r in self.resources}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that records every registration the way the engine's state would hold it."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.records: dict[str, RegisteredResource] = {}
        self.stack_outputs: dict[str, Any] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent:
            qualified = parent.split("::")[2]
            if qualified != STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        registering = getattr(self.mocks, "registering", None)
        if registering is not None:
            from offline.mockcloud import Registration

            registration = Registration(
                urn,
                tuple(request.dependencies),
                request.parent,
                {k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
            )
            with registering(registration):
                response = super().RegisterResource(request)
        else:
            response = super().RegisterResource(request)
        state = self.resources[urn].state if urn in self.resources else {}
        self.records[urn] = RegisteredResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            inputs=rpc.deserialize_properties(request.object) if request.type != STACK_TYPE else {},
            outputs=dict(state or {}),
            id=response.id if request.custom else "",
            parent=request.parent,
            provider=request.provider,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            source_position=source_position(request),
            ignore_changes=list(request.ignoreChanges),
            custom_timeouts={
                operation: getattr(request.customTimeouts, operation)
                for operation in ("create", "update", "delete")
                if getattr(request.customTimeouts, operation)
            },
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        outputs = rpc.deserialize_properties(request.outputs)
        record = self.records.get(request.urn)
        if record is not None and not record.custom:
            record.outputs = dict(outputs)
        if request.urn.split("::")[2] == STACK_TYPE:
            self.stack_outputs = dict(outputs)
        return super().RegisterResourceOutputs(request)


def source_position(request: Any) -> str:
    """The SDK's source position of a registration, relative to the project root as the engine stores it."""
    if not request.HasField("sourcePosition") or not request.sourcePosition.uri:
        return ""
    uri, line = request.sourcePosition.uri, request.sourcePosition.line
    root = Path.cwd().as_uri() + "/"
    if uri.startswith(root):
        uri = "project:///" + uri[len(root) :]
    return f"{uri}#{line}" if line else uri


# Stands in for a root stack while set_mocks runs (which only tests that one is set), so it makes none.
_NO_ROOT_YET: Any = object()


def run_program(
    program: Callable[[], Any],
    mocks: pulumi_mocks.Mocks,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    preview: bool = False,
) -> ProgramRun:
    """Run ``program`` as the language host would, under ``mocks``, and return what it registered.

    ``config`` maps fully qualified keys (``project:key``, ``aws:region``) to their text values.
    ``preview=False`` (the default) resolves every output the mocks return, as after ``pulumi up``.
    The program's exception, if any, is kept in ``ProgramRun.error`` with what was registered before it.
    """
    settings.reset_options()
    settings.ROOT.set(None)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_all_config(dict(config))
    # set_mocks registers a root stack of its own unless one is active; the language host registers only the one
    # run_in_stack makes below. A second root with the same URN raced it to the engine: its empty outputs,
    # registered last under load, replaced the program's. A placeholder root keeps set_mocks from making one.
    settings.ROOT.set(_NO_ROOT_YET)
    pulumi_mocks.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    settings.ROOT.set(None)
    error: BaseException | None = None
    try:
        _sync_await(run_in_stack(program))
    except Exception as exc:  # noqa: BLE001 - the program's failure is the result, kept for the caller
        error = exc
    finally:
        settings.ROOT.set(None)
    return ProgramRun(
        project=project,
        stack=stack,
        resources=list(monitor.records.values()),
        outputs=monitor.stack_outputs,
        error=error,
    )


def program_from_file(path: Path, sys_path: Sequence[Path] = ()) -> Callable[[], None]:
    """A program that executes ``path`` as ``__main__``, as the Python language host does."""

    def program() -> None:
        for entry in reversed([path.parent, *sys_path]):
            if str(entry) not in sys.path:
                sys.path.insert(0, str(entry))
        runpy.run_path(str(path), run_name="__main__")

    return program

"""The offline engine runs a program as the Python language host does, under Pulumi's mocks.

GIVEN a program and mocks,
WHEN ``run_program`` runs it,
THEN the engine sees what ``pulumi up`` would send it: one root stack, registered once, and its outputs once.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from offline.harness import RecordingMonitor, run_program
from offline.wire import STACK_TYPE


class _Echo(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


def test_a_run_registers_one_root_stack_and_its_outputs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # pulumi's set_mocks registers a root stack of its own, whose empty outputs reached the engine in a race with
    # the program's: under load they came last, and the run's outputs were {}. The language host registers one.
    stacks: list[str] = []
    stack_outputs: list[str] = []
    register, register_outputs = RecordingMonitor.RegisterResource, RecordingMonitor.RegisterResourceOutputs

    def recording_register(self: RecordingMonitor, request: Any) -> Any:
        if request.type == STACK_TYPE:
            stacks.append(request.name)
        return register(self, request)

    def recording_outputs(self: RecordingMonitor, request: Any) -> Any:
        if request.urn.split("::")[2] == STACK_TYPE:
            stack_outputs.append(request.urn)
        return register_outputs(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", recording_register)
    monkeypatch.setattr(RecordingMonitor, "RegisterResourceOutputs", recording_outputs)

    def program() -> None:
        bucket = pulumi.CustomResource("test:index:Bucket", "logs", {"acl": "private"})
        pulumi.export("bucket", bucket.id)
        pulumi.export("answer", 42)

    run = run_program(program, _Echo(), project="p", stack="s", config={})

    assert run.error is None
    assert run.outputs == {"bucket": "logs-id", "answer": 42}
    assert stacks == ["p-s"]
    assert stack_outputs == ["urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"]
    assert [r.type for r in run.resources] == [STACK_TYPE, "test:index:Bucket"]

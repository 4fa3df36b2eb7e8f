"""The project's own dev and prod stacks, run under the mock cloud, pass every pack with no mandatory
violation, each pack driven over gRPC exactly as `pulumi preview --policy-pack` would drive it."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.analyzer import PackResult, discover_packs, run_packs
from offline.harness import ProgramRun
from offline.preview import run_stack_program
from offline.project import load_stack

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess

REPO = Path(__file__).resolve().parents[2]
PACKS = discover_packs(REPO / "policies")


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> tuple[ProgramRun, list[PackResult]]:
    run = run_stack_program(load_stack(REPO, request.param)).check()
    return run, run_packs(PACKS, run.resources, project=run.project, stack=run.stack)


def test_both_boundary_packs_are_found() -> None:
    assert [p.name for p in PACKS] == ["identity-boundary", "network-boundary"]


def test_no_mandatory_violation(stack: tuple[ProgramRun, list[PackResult]]) -> None:
    _, results = stack
    mandatory = [f"{v.policy}: {v.urn}" for r in results for v in r.violations if v.enforcement_level == "mandatory"]
    assert mandatory == []
    assert [r.diagnostics for r in results] == [[], []]


def test_the_packs_had_the_boundaries_to_check(stack: tuple[ProgramRun, list[PackResult]]) -> None:
    run, results = stack
    types = {r.type for r in run.resources}
    # A vacuous pass (no security group, no role) would prove nothing.
    assert {
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:iam/role:Role",
        "aws:iam/instanceProfile:InstanceProfile",
    } <= types
    assert sum(len(r.policies) for r in results) >= 10
    if run.stack == "prod":
        assert {"aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group"} <= types


def test_nothing_was_left_unevaluated(stack: tuple[ProgramRun, list[PackResult]]) -> None:
    _, results = stack
    cant_run = [f"{v.policy}: {v.urn}" for r in results for v in r.violations if "can't run policy" in v.message]
    assert cant_run == []

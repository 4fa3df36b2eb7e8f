"""Shared fixtures: run the real program, or a small program around one component, under the mock cloud."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from offline.harness import ProgramRun, program_from_file, run_program
from offline.mockcloud import MockCloud

REPO = Path(__file__).resolve().parents[1]
PROJECT = "aws-compute-foundations"
# The dev stack's config as Pulumi.dev.yaml sets it.
DEV_CONFIG = {"aws:region": "us-east-1", f"{PROJECT}:sshCidr": "203.0.113.10/32"}

RunMain = Callable[..., ProgramRun]
RunComponent = Callable[..., ProgramRun]


def qualified(keys: Mapping[str, str]) -> dict[str, str]:
    """Bare project keys (``azCount``) become ``aws-compute-foundations:azCount``; ``ns:key`` stays."""
    return {key if ":" in key else f"{PROJECT}:{key}": value for key, value in keys.items()}


@pytest.fixture
def run_main() -> RunMain:
    """``run_main(mocks=None, stack="dev", base=DEV_CONFIG, **keys)`` runs ``__main__.py`` as the CLI would."""

    def run(
        mocks: MockCloud | None = None, stack: str = "dev", base: Mapping[str, str] = DEV_CONFIG, **keys: str
    ) -> ProgramRun:
        config = {**base, **qualified(keys)}
        return run_program(
            program_from_file(REPO / "__main__.py"),
            mocks or MockCloud(region=config.get("aws:region", "us-east-1")),
            project=PROJECT,
            stack=stack,
            config=config,
        )

    return run


@pytest.fixture
def run_component() -> RunComponent:
    """``run_component(build, mocks=None)`` runs ``build(opts)`` under an explicit AWS provider, as stack.py does."""

    def run(build: Callable[[pulumi.ResourceOptions], Any], mocks: MockCloud | None = None) -> ProgramRun:
        cloud = mocks or MockCloud()

        def program() -> None:
            provider = aws.Provider("aws", region=cloud.region)
            build(pulumi.ResourceOptions(providers={"aws": provider}))

        return run_program(program, cloud, project=PROJECT, stack="test", config={"aws:region": cloud.region})

    return run


# --- compute: the real program under a stack's own Pulumi.<stack>.yaml -------------------------------


def stack_file_config(stack: str) -> dict[str, str]:
    """The config of ``Pulumi.<stack>.yaml`` as the engine hands it to a program: every value as text."""
    import json

    import yaml

    document = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text()) or {}
    values: dict[str, str] = {}
    for key, value in (document.get("config") or {}).items():
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            values[key] = json.dumps(value)
        else:
            values[key] = str(value)
    return values


RunStack = Callable[..., ProgramRun]


@pytest.fixture
def run_stack() -> RunStack:
    """``run_stack("prod", mocks=None, **keys)``: ``__main__.py`` with ``Pulumi.<stack>.yaml`` plus ``keys``.

    A key set to ``None`` is removed from the stack file's config, as ``pulumi config rm`` would.
    """

    def run(stack: str, mocks: MockCloud | None = None, **keys: str | None) -> ProgramRun:
        config = stack_file_config(stack)
        for key, value in keys.items():
            full = key if ":" in key else f"{PROJECT}:{key}"
            if value is None:
                config.pop(full, None)
            else:
                config[full] = value
        return run_program(
            program_from_file(REPO / "__main__.py"),
            mocks or MockCloud(region=config.get("aws:region", "us-east-1")),
            project=PROJECT,
            stack=stack,
            config=config,
        )

    return run

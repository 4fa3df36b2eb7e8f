"""The GitHub workflows: GitHub's schema (make lint-workflows) and what the schema cannot see in ci.yml."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
CHECK_JSONSCHEMA = REPO / "venv" / "bin" / "check-jsonschema"
# The first major of each action whose action.yml declares `runs.using: node24` and is its newest major
# (read at each tag: actions/checkout v7, actions/setup-python v7, actions/upload-artifact v7,
# github/codeql-action v4, aws-actions/configure-aws-credentials v6, pulumi/actions v7).
NODE24_MAJORS = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/upload-artifact": "v7",
    "github/codeql-action/upload-sarif": "v4",
    "aws-actions/configure-aws-credentials": "v6",
    "pulumi/actions": "v7",
}
# Contexts GitHub allows in a job-level `if:` (docs: "Contexts", context availability: jobs.<job_id>.if).
JOB_IF_CONTEXTS = {"github", "needs", "vars", "inputs"}


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def ci() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    return loaded


def steps(job: str) -> list[dict[str, Any]]:
    return list(ci()["jobs"][job]["steps"])


@pytest.mark.subprocess
def test_every_workflow_passes_githubs_schema() -> None:
    done = lint(*sorted(WORKFLOWS.glob("*.yml")))

    assert done.returncode == 0, done.stdout + done.stderr


GOOD_JOB = "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "broken",
    [
        "on: push\njobs:\n  test:\n    steps:\n      - run: make test\n",  # a job without runs-on
        "on: push\n" + GOOD_JOB.replace("steps:", "step:"),  # a misspelled key
        "on: pushed\n" + GOOD_JOB,  # no such event
        "on: push\n" + GOOD_JOB.replace("- run: make test", "- uses: actions/checkout@v7\n        run: make"),
    ],
    ids=["no-runs-on", "misspelled-steps", "unknown-event", "uses-and-run"],
)
def test_a_broken_workflow_fails_the_lint(tmp_path: Path, broken: str) -> None:
    workflow = tmp_path / "broken.yml"
    workflow.write_text("name: broken\n" + broken)

    done = lint(workflow)

    assert done.returncode == 1, done.stdout
    assert "broken.yml" in done.stdout + done.stderr


def test_every_action_is_on_its_node24_major() -> None:
    used = [step["uses"] for job in ci()["jobs"].values() for step in job["steps"] if "uses" in step]

    assert {use.split("@")[0] for use in used} == set(NODE24_MAJORS)
    assert [use for use in used if use.split("@")[1] != NODE24_MAJORS[use.split("@")[0]]] == []


def test_each_sarif_file_is_its_own_upload_with_its_own_category() -> None:
    uploads = [s["with"] for s in steps("offline-preview") if s.get("uses", "").startswith("github/codeql-action/")]
    written = re.findall(r"SARIF=(\S+)", " ".join(s.get("run", "") for s in steps("offline-preview")))

    assert sorted(upload["sarif_file"] for upload in uploads) == sorted(written)
    assert len({upload["category"] for upload in uploads}) == len(uploads) == 3


def test_apt_get_install_follows_an_update() -> None:
    runs = [s.get("run", "") for job in ci()["jobs"] for s in steps(job)]
    installs = [run for run in runs if "apt-get install" in run]

    assert installs
    assert all(0 <= run.find("apt-get update") < run.find("apt-get install") for run in installs)


def test_the_pulumi_job_builds_the_pack_virtualenvs_before_the_cli_and_runs_only_where_configured() -> None:
    job = ci()["jobs"]["pulumi"]
    order = [s.get("run") or s["uses"].split("@")[0] for s in job["steps"]]

    assert order.index("make packs") < order.index("pulumi/actions")
    contexts = set(re.findall(r"(?<![\w.'])([a-z_]+)\.[A-Za-z_]", job["if"]))
    assert contexts == {"vars", "github"} and contexts <= JOB_IF_CONTEXTS
    assert "vars.PULUMI_STACK != ''" in job["if"] and "head.repo.full_name == github.repository" in job["if"]

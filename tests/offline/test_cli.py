"""``python -m offline``: the commands `make preview` and `make audit` run, as a user's shell runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.offline.standin import write_pack, write_project

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )


def test_help_lists_the_commands() -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "preview" in result.stdout and "audit" in result.stdout and "bench" in result.stdout


def test_an_unknown_command_is_a_usage_error() -> None:
    result = cli("deploy")
    assert result.returncode == 2 and "invalid choice" in result.stderr and "Traceback" not in result.stderr


# --- the repository's own stacks, end to end with the real packs -------------------------------------------


@pytest.mark.parametrize(
    ("stack", "tree_line", "flow"),
    [
        ("dev", "aws:ec2:Instance", "tcp/22 via network-igw from 203.0.113.10/32"),
        ("prod", "aws:autoscaling:Group", "tcp/80 via network-igw from 0.0.0.0/0"),
    ],
)
def test_real_stacks_preview_clean(tmp_path: Path, stack: str, tree_line: str, flow: str) -> None:
    result = cli("preview", "--stack", stack, "--build-dir", tmp_path, "--out", tmp_path / "r.json")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert tree_line in out and "Resources:\n    + " in out and "Outputs:" in out
    assert "Policies:" in out and "❌" not in out
    assert out.count("✅") == 2  # both packs ran and passed
    assert f"{tmp_path}/{stack}.mmd" in out
    assert f'|"{flow}"|' in (tmp_path / f"{stack}.mmd").read_text()
    exposures = json.loads((tmp_path / "r.json").read_text())["exposures"]
    section = out.split("Exposure:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    # Dev: the lab instance on SSH from the operator's host; prod: the load balancer's listener only.
    if stack == "dev":
        assert [(e["name"], e["protocol"], e["port"], e["sources"]) for e in exposures] == [
            ("compute-instance", "tcp", 22, ["203.0.113.10/32"])
        ]
    else:
        assert [(e["name"], e["protocol"], e["port"], e["sources"]) for e in exposures] == [
            ("compute-alb", "tcp", 80, ["0.0.0.0/0"])
        ]
    assert len(section) == len(exposures) == 1 and section[0].startswith("    tcp/")


@pytest.mark.parametrize(
    ("stack", "flow"),
    [("dev", "tcp/22 via network-igw from 203.0.113.10/32"), ("prod", "tcp/80 from sg compute-alb-sg")],
)
def test_first_preview_leaves_outputs_unknown_and_the_packs_still_decide(tmp_path: Path, stack: str, flow: str) -> None:
    result = cli("preview", "--stack", stack, "--first-preview", "--build-dir", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "vpcId" in out and "output<unknown>" in out, "a first preview knows no computed output"
    assert out.count("✅") == 2 and "can't run" not in out, "every policy decided despite the unknowns"
    assert "Exposure:\n    tcp/" in out and "cannot be decided" not in out, "exposures are traced before ids exist"
    # The diagram follows references through property dependencies while ids are unknown.
    assert f'|"{flow}"|' in (tmp_path / f"{stack}.mmd").read_text()


def test_real_program_config_error_is_one_line_exit_2(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "components"):
        (tmp_path / name).symlink_to(REPO / name)
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  aws-compute-foundations:sshCidr: 0.0.0.0/0\n")
    result = cli("preview", "--stack", "bad", "--project-dir", tmp_path, "--no-policies", "--no-diagram")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: config 'sshCidr': ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


# --- the stand-in project ----------------------------------------------------------------------------------


def test_bad_config_in_a_stack_file_exits_2_with_the_message_only(tmp_path: Path) -> None:
    root = write_project(tmp_path, stack="x", stack_yaml="config:\n  standin:appPort: eighty\n")
    result = cli("preview", "--stack", "x", "--project-dir", root)
    assert result.returncode == 2
    assert result.stderr == "error: Stack 'x' with configuration key 'appPort' must be of type 'integer'\n"


def test_a_run_error_in_the_program_exits_2_without_traceback(tmp_path: Path) -> None:
    root = write_project(tmp_path, stack_yaml="config:\n  standin:fail: runerror\n")
    result = cli("preview", "--stack", "test", "--project-dir", root)
    assert result.returncode == 2
    assert result.stderr == "error: config 'fail': the stand-in refuses to run. Fix: pulumi config rm fail\n"


def test_a_program_bug_exits_2_with_a_short_traceback(tmp_path: Path) -> None:
    root = write_project(tmp_path, stack_yaml="config:\n  standin:fail: bug\n")
    result = cli("preview", "--stack", "test", "--project-dir", root, "--no-diagram")
    assert result.returncode == 2
    assert "KeyError" in result.stderr and len(result.stderr.splitlines()) <= 10


@pytest.mark.parametrize("stack", ["missing", "../../etc/passwd"])
def test_an_unknown_or_unsafe_stack_exits_2(tmp_path: Path, stack: str) -> None:
    result = cli("preview", "--stack", stack, "--project-dir", write_project(tmp_path))
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_a_mandatory_violation_exits_1(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj")
    pack = write_pack(tmp_path / "pack")
    result = cli("preview", "--stack", "test", "--project-dir", root, "--policy-pack", pack, "--no-diagram")
    assert result.returncode == 1, result.stderr
    assert "- [mandatory]  no-ssh  (aws:ec2/securityGroup:SecurityGroup: lab-sg)" in result.stdout


def test_audit_of_a_missing_file_exits_2_without_traceback(tmp_path: Path) -> None:
    result = cli("audit", tmp_path / "nope.json")
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr

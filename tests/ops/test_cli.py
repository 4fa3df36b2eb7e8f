"""The doctor's contract at the command line: read-only calls only, exit 2 with one line when it cannot run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from ops.cli import main
from ops.session import READ_ONLY
from tests.ops.shapes import MY_IP, build_dev, build_prod

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(content))
    return path


def test_every_call_the_doctor_makes_is_read_only(aws_env: str, tmp_path: Path) -> None:
    calls: list[str] = []

    def record(model: Any = None, **_: Any) -> None:
        calls.append(f"{model.service_model.service_name}:{model.name}")

    built_dev, built_prod = build_dev("sg-other-ip"), build_prod(green="healthy")
    for stack, built in (("dev", built_dev), ("prod", built_prod)):
        session = boto3.Session()
        session.events.register("before-call", record)
        argv = [
            "doctor",
            "--stack",
            stack,
            "--my-ip",
            MY_IP,
            "--probe",
            "--outputs",
            str(write(tmp_path, f"{stack}-outputs.json", built.outputs)),
            "--config",
            str(write(tmp_path, f"{stack}-config.json", built.config)),
        ]
        if stack == "dev":
            # --probe would connect to moto's made-up public IP; only the dev run without it stays offline.
            argv.remove("--probe")
        main(argv, session=session)
    services = {c.split(":")[0] for c in calls}
    assert {"sts", "ec2", "iam", "autoscaling", "elbv2"} <= services, calls
    assert "iam:SimulatePrincipalPolicy" in calls and "autoscaling:DescribeInstanceRefreshes" in calls
    writes = [c for c in calls if not READ_ONLY.match(c.split(":")[1])]
    assert writes == []


def test_the_session_layer_refuses_a_write_before_it_is_sent(aws_env: str) -> None:
    from ops.session import Aws, NotReadOnly

    aws = Aws(boto3.Session(), "us-east-1")
    with pytest.raises(NotReadOnly, match="RunInstances"):
        aws.ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)


def no_credentials_env(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_CONFIG_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_REGION="us-east-1",
        PATH="/usr/bin:/bin",  # no pulumi CLI
    )
    return env


def test_without_credentials_make_doctor_exits_2_with_one_line(tmp_path: Path) -> None:
    outputs = write(tmp_path, "outputs.json", {"roleName": "r", "instanceId": "i-0123456789abcdef0"})
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "-o",
            "venv/.installed",
            "doctor",
            f"OUTPUTS={outputs}",
            f"MY_IP={MY_IP}",
        ],
        cwd=REPO,
        env=no_credentials_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    errors = [line for line in done.stderr.splitlines() if not line.startswith("make")]
    assert errors == [
        "doctor: cannot run: no AWS credentials found: set AWS_PROFILE, run `aws configure` or `aws sso login`, "
        "or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    ], done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Error 2" in done.stderr  # make reports the doctor's exit status 2


def test_without_credentials_the_module_exits_2(tmp_path: Path) -> None:
    outputs = write(tmp_path, "outputs.json", {"roleName": "r"})
    done = subprocess.run(
        [sys.executable, "-m", "ops", "doctor", "--outputs", str(outputs)],
        cwd=REPO,
        env=no_credentials_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("doctor: cannot run: no AWS credentials")


def test_a_missing_profile_cannot_run(aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = write(tmp_path, "outputs.json", {"roleName": "r"})
    assert main(["doctor", "--outputs", str(outputs), "--profile", "nope"]) == 2
    assert "The config profile (nope) could not be found" in capsys.readouterr().err


def test_no_outputs_and_no_cli_cannot_run(
    aws_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["doctor"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "doctor: cannot run: no stack outputs: the Pulumi CLI is not installed, so pass --outputs FILE (OUTPUTS=...)\n"
    )


@pytest.mark.parametrize(("content", "message"), [("{not json", "is not JSON"), ("[1, 2]", "must be a JSON object")])
def test_a_bad_outputs_file_cannot_run(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(content)
    assert main(["doctor", "--outputs", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_an_unknown_stack_without_the_cli_cannot_run(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    outputs = write(tmp_path, "outputs.json", {"roleName": "r"})
    assert main(["doctor", "--stack", "staging", "--outputs", str(outputs)]) == 2
    assert "no stack named 'staging' found" in capsys.readouterr().err


def test_without_config_file_the_stack_yaml_is_read(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No CLI: config comes from Pulumi.dev.yaml as the CLI merges it (no appBucket there: skipped)."""
    monkeypatch.setenv("PATH", "/nonexistent")
    built = build_dev()
    outputs = write(tmp_path, "outputs.json", built.outputs)
    report = tmp_path / "report.json"
    main(["doctor", "--outputs", str(outputs), "--my-ip", MY_IP, "--json", str(report)])
    checks = {c["id"]: c for c in json.loads(report.read_text())["checks"]}
    assert checks["s3.permissions"]["status"] == "skip"
    # Pulumi.dev.yaml configures no sshPublicKey, but the instance has a key pair.
    assert checks["reach.key-pair"]["status"] == "warn"


def test_a_stack_config_error_cannot_run(aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = write(tmp_path, "outputs.json", {"roleName": "r"})
    config = write(tmp_path, "config.json", {"aws-compute-foundations:appPort": {"value": "99999"}})
    assert main(["doctor", "--outputs", str(outputs), "--config", str(config)]) == 2
    assert "config 'appPort'" in capsys.readouterr().err


def test_an_unwritable_json_report_cannot_run(aws_env: str, tmp_path: Path) -> None:
    built = build_dev()
    outputs = write(tmp_path, "outputs.json", built.outputs)
    config = write(tmp_path, "config.json", built.config)
    argv = ["doctor", "--outputs", str(outputs), "--config", str(config), "--my-ip", MY_IP]
    assert main([*argv, "--json", str(tmp_path / "missing-dir" / "r.json")]) == 2


def test_invalid_my_ip_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["doctor", "--my-ip", "not-an-ip"])
    assert exit_info.value.code == 2
    assert "not an IPv4 address" in capsys.readouterr().err

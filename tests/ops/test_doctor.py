"""The doctor against moto-built stacks: the healthy shapes pass, each broken one is found first.

GIVEN a dev or prod stack built in moto's server with boto3 (one thing broken per variant),
WHEN ``python -m ops doctor`` runs with the stack's outputs and config,
THEN the first failing check, the "look here first" line, is the one that variant broke.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops.cli import main
from tests.ops.shapes import MY_IP, Built, build_dev, build_prod


def run_doctor(
    tmp_path: Path, built: Built, *extra: str, stack: str = "dev", session: Any = None
) -> tuple[int, dict[str, Any]]:
    outputs, config, report = tmp_path / "outputs.json", tmp_path / "config.json", tmp_path / "report.json"
    outputs.write_text(json.dumps(built.outputs))
    config.write_text(json.dumps(built.config))
    argv = [
        "doctor",
        "--stack",
        stack,
        "--outputs",
        str(outputs),
        "--config",
        str(config),
        "--json",
        str(report),
        *extra,
    ]
    code = main(argv, session=session)
    return code, json.loads(report.read_text())


def first_failure(report: dict[str, Any]) -> str | None:
    return next((c["id"] for c in report["checks"] if c["status"] == "fail"), None)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}


DEV_ORDER = [
    "reach.instance",
    "reach.security-group",
    "reach.route-table",
    "reach.internet-gateway",
    "reach.network-acl",
    "reach.public-ip",
    "reach.key-pair",
    "s3.instance-profile",
    "s3.role-trust",
    "s3.permissions",
    "s3.imds",
]
PROD_ORDER = [
    "s3.instance-profile",
    "s3.role-trust",
    "s3.permissions",
    "s3.imds",
    "launch.template",
    "launch.ami",
    "launch.instance-type",
    "launch.instance-profile",
    "launch.security-groups",
    "launch.activities",
    "launch.target-health",
    "launch.alb-chain",
]


def test_healthy_dev_passes_every_check_in_the_labs_order(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = run_doctor(tmp_path, build_dev(), "--my-ip", MY_IP)
    assert [c["id"] for c in report["checks"]] == DEV_ORDER
    assert set(statuses(report).values()) == {"pass"}, report
    assert code == 0
    assert report["stack"] == "dev"
    assert set(report["checks"][0]) == {"id", "title", "status", "evidence", "fix"}
    out = capsys.readouterr().out
    assert "look here first" not in out and "✅" in out


def test_healthy_prod_passes_every_check(aws_env: str, tmp_path: Path) -> None:
    code, report = run_doctor(tmp_path, build_prod(), stack="prod")
    assert [c["id"] for c in report["checks"]] == PROD_ORDER
    assert set(statuses(report).values()) == {"pass"}, report
    assert code == 0


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("stopped", "reach.instance"),
        ("sg-other-ip", "reach.security-group"),
        ("no-default-route", "reach.route-table"),
        ("igw-detached", "reach.internet-gateway"),
        ("acl-deny-ssh", "reach.network-acl"),
        ("acl-no-ephemeral", "reach.network-acl"),
        ("no-public-ip", "reach.public-ip"),
        ("wrong-key", "reach.key-pair"),
        ("no-instance-profile", "s3.instance-profile"),
        ("profile-other-role", "s3.instance-profile"),
        ("trust-lambda", "s3.role-trust"),
        ("no-s3-permission", "s3.permissions"),
        ("wrong-prefix", "s3.permissions"),
        ("explicit-deny", "s3.permissions"),
        ("imds-optional", "s3.imds"),
    ],
)
def test_each_broken_dev_variant_is_found_first(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], variant: str, expected: str
) -> None:
    code, report = run_doctor(tmp_path, build_dev(variant), "--my-ip", MY_IP)
    assert code == 1
    assert first_failure(report) == expected, report
    out = capsys.readouterr().out
    marked = [line for line in out.splitlines() if "look here first" in line.lower()]
    assert (
        len(marked) == 2
        and f"[{expected}]" in marked[0]
        and marked[1].endswith(next(c["title"] for c in report["checks"] if c["id"] == expected))
    )
    failing = next(c for c in report["checks"] if c["id"] == expected)
    assert failing["evidence"] and failing["fix"]


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("no-instance-profile", "s3.instance-profile"),
        ("profile-deleted", "s3.instance-profile"),
        ("no-s3-permission", "s3.permissions"),
        ("ami-deregistered", "launch.ami"),
        ("ami-arm64", "launch.ami"),
        ("type-not-offered", "launch.instance-type"),
        ("sg-other-vpc", "launch.security-groups"),
        ("unhealthy-targets", "launch.target-health"),
        ("alb-chain-broken", "launch.alb-chain"),
    ],
)
def test_each_broken_prod_variant_is_found_first(aws_env: str, tmp_path: Path, variant: str, expected: str) -> None:
    code, report = run_doctor(tmp_path, build_prod(variant), stack="prod")
    assert code == 1
    assert first_failure(report) == expected, report


def test_evidence_quotes_what_aws_holds(aws_env: str, tmp_path: Path) -> None:
    built = build_dev("sg-other-ip")
    _, report = run_doctor(tmp_path, built, "--my-ip", MY_IP)
    check = next(c for c in report["checks"] if c["id"] == "reach.security-group")
    assert "198.51.100.9/32" in check["evidence"] and built.ids["sg"] in check["evidence"]
    assert f"{MY_IP}/32" in check["fix"]


def test_type_not_offered_names_the_zone(aws_env: str, tmp_path: Path) -> None:
    _, report = run_doctor(tmp_path, build_prod("type-not-offered"), stack="prod")
    check = next(c for c in report["checks"] if c["id"] == "launch.instance-type")
    assert "t3.micro is not offered in us-east-1e" in check["evidence"]


def test_permissions_fall_back_to_the_projects_parser_and_say_so(aws_env: str, tmp_path: Path) -> None:
    _, report = run_doctor(tmp_path, build_dev("explicit-deny"), "--my-ip", MY_IP)
    check = next(c for c in report["checks"] if c["id"] == "s3.permissions")
    assert "method: local evaluation" in check["evidence"] and "IAM policy simulator unavailable" in check["evidence"]
    assert "Statement[0] denies s3:GetObject" in check["evidence"]


@pytest.mark.parametrize(
    ("green", "status", "answer"),
    [("healthy", "pass", "raise weight"), ("short", "warn", "hold"), ("unhealthy", "fail", "roll back")],
)
def test_green_gate_answers(aws_env: str, tmp_path: Path, green: str, status: str, answer: str) -> None:
    code, report = run_doctor(tmp_path, build_prod(green=green), stack="prod")
    gate = report["checks"][-1]
    assert gate["id"] == "green.gate" and gate["status"] == status, gate
    assert gate["evidence"].startswith(f"answer: {answer}")
    assert code == (1 if status == "fail" else 0)


def test_a_template_version_the_group_does_not_run_yet_warns(aws_env: str, tmp_path: Path) -> None:
    code, report = run_doctor(tmp_path, build_prod("template-ahead"), stack="prod")
    check = next(c for c in report["checks"] if c["id"] == "launch.template")
    assert check["status"] == "warn" and "launches" in check["evidence"] and "latest is v2" in check["evidence"]
    assert "describe-instance-refreshes" in check["fix"]
    assert code == 0


def test_a_wider_source_than_a_slash_32_warns(aws_env: str, tmp_path: Path) -> None:
    code, report = run_doctor(tmp_path, build_dev("sg-wide"), "--my-ip", MY_IP)
    check = next(c for c in report["checks"] if c["id"] == "reach.security-group")
    assert check["status"] == "warn" and "203.0.113.0/24, wider than" in check["evidence"]
    assert code == 0


def test_without_my_ip_the_stacks_ssh_cidr_is_the_source_and_the_sg_check_warns(aws_env: str, tmp_path: Path) -> None:
    _, report = run_doctor(tmp_path, build_dev(), "--no-lookup")
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["reach.security-group"]["status"] == "warn"
    assert "the stack's sshCidr host 203.0.113.7" in checks["reach.security-group"]["evidence"]
    assert checks["reach.network-acl"]["status"] == "pass"


def test_the_stacks_region_wins_over_aws_region(aws_env: str, tmp_path: Path) -> None:
    built = build_dev()
    built.config["aws:region"] = {"value": "eu-west-1", "secret": False}
    code, report = run_doctor(tmp_path, built, "--my-ip", MY_IP)
    assert first_failure(report) == "reach.instance" and "NotFound in eu-west-1" in report["checks"][0]["evidence"]
    assert code == 1


def test_aws_profile_is_honoured(aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[doctor]\naws_access_key_id = fromprofile\naws_secret_access_key = fromprofile\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_PROFILE", "doctor")
    built = build_dev()  # built with the profile's credentials: moto keys state by access key's account
    code, report = run_doctor(tmp_path, built, "--my-ip", MY_IP)
    assert code == 0, report

"""``make audit`` of an export of any shape ends in a report (exit 0 or 1), never a traceback or exit 2: wrong
types at every property, unknown types, junk ARNs, missing keys, non-object resources, deep nesting and secrets
without their value are each a finding or a note. Written as an attacker of the audit would feed it."""

from __future__ import annotations

import copy
import json
from itertools import cycle
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from offline.audit import load_state, run_audit
from offline.cloudrules.registry import UNREADABLE
from offline.cloudrules.state import check_stack
from offline.report import REPORT_SCHEMA

pytestmark = pytest.mark.subprocess

REPO = Path(__file__).resolve().parents[2]
CLEAN = REPO / "tests" / "fixtures" / "stack-export-clean.json"
NOOP_PACK = REPO / "offline" / "noop_pack"
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}

JUNK: list[Any] = [
    None,
    True,
    -1,
    1.5e308,
    "",
    "²",
    "9" * 5000,
    "arn:",
    "arn:aws-cn:iam:us-east-1:x:y",
    "not-an-arn",
    [],
    [None, {"x": [1]}],
    {},
    {"nested": {"deeper": ["x", 2]}},
    {**SECRET_SIG},
    {**SECRET_SIG, "plaintext": "{not json"},
]


def _resources() -> list[dict[str, Any]]:
    return list(json.loads(CLEAN.read_text())["deployment"]["resources"])


def malformed_export() -> dict[str, Any]:
    """The clean dev export, plus every malformed resource an attacker could write into one."""
    clean = _resources()
    extra: list[Any] = [7, "x", None, [], {"type": "t"}, {"urn": "nope", "type": "t"}, {"urn": 5, "type": []}]
    base = "urn:pulumi:dev::aws-compute-foundations::"
    extra += [
        {"urn": base + "t::inputs-list", "type": "t", "inputs": [1]},
        {"urn": base + "t::outputs-text", "type": "t", "outputs": "x"},
        {"urn": base + "t::deps", "type": "t", "dependencies": [1], "custom": True},
        {"urn": base + "t::prop-deps", "type": "t", "propertyDependencies": ["x"]},
        {"urn": base + "t::prop-deps-2", "type": "t", "propertyDependencies": {"a": "x"}},
        {"urn": base + "aws:foo/bar:Baz::unknown", "type": "aws:foo/bar:Baz", "custom": True, "inputs": {"x": "y"}},
        {"urn": base + "aws:ec2/vpc:Vpc::deep", "type": "aws:ec2/vpc:Vpc", "custom": True, "inputs": _deep(200)},
        {
            "urn": base + "aws:lb/listener:Listener::junk-arns",
            "type": "aws:lb/listener:Listener",
            "custom": True,
            "inputs": {"loadBalancerArn": "arn:::", "certificateArn": "x", "defaultActions": [{"targetGroupArn": 1}]},
        },
    ]
    # Every custom resource again, each input in turn replaced by a value of another type.
    junk = cycle(JUNK)
    for resource in clean:
        if not resource.get("custom") or resource["type"].startswith("pulumi:"):
            continue
        for key in resource.get("inputs") or {}:
            for _ in range(3):
                copied = copy.deepcopy(resource)
                value = next(junk)
                copied["urn"] = f"{resource['urn']}-{key}-{len(extra)}"
                copied["inputs"][key] = value
                copied["outputs"] = {**(copied.get("outputs") or {}), key: value}
                extra.append(copied)
    document = json.loads(CLEAN.read_text())
    document["deployment"]["resources"] = clean + extra
    return document


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"cidrBlock": "10.0.0.0/16"}
    for _ in range(levels):
        value = {"tags": value}
    return value


@pytest.fixture(scope="module")
def malformed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attack") / "export.json"
    path.write_text(json.dumps(malformed_export()))
    return path


def test_the_attack_reaches_many_properties() -> None:
    assert len(malformed_export()["deployment"]["resources"]) > 200


def test_every_malformed_resource_is_read_or_named(malformed: Path) -> None:
    audit = load_state(malformed)
    skipped = [n for n in audit.not_evaluable if "skipped" in n]
    # 7 non-resources, 5 with bad fields, and the one nested 200 deep.
    assert len(skipped) == 13, skipped
    assert any("nest deeper than 64" in n for n in skipped)
    assert any("deployment.resources[" in n and "not an object (int)" in n for n in skipped)


def test_the_cloud_rules_read_every_wrong_type_without_giving_up(malformed: Path) -> None:
    errors = check_stack(load_state(malformed).resources)
    assert errors, "the junk values must be refused somewhere"
    assert [str(e) for e in errors if e.code == UNREADABLE] == []
    assert any(e.rule == "arn-partition-and-region" and e.property == "loadBalancerArn" for e in errors)


def test_the_audit_of_a_malformed_export_ends_in_a_report(
    malformed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, sarif = tmp_path / "report.json", tmp_path / "report.sarif"
    status = run_audit(malformed, out=out, sarif=sarif, packs=[NOOP_PACK])
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert status == 1, printed.err
    assert "unreadable resource(s)" in printed.out and "skipped" in printed.out
    report = json.loads(out.read_text())
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).validate(report)
    assert report["cloudErrors"]
    assert json.loads(sarif.read_text())["runs"]


def test_the_real_packs_audit_a_malformed_export_without_a_traceback(
    malformed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_audit(malformed)
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert status in (0, 1), printed.err[-2000:]


@pytest.mark.parametrize(
    "quotas",
    [
        {"rules-per-security-group": 10},
        {"no-such-quota": 9},
        {"rules-per-security-group": 120, "security-groups-per-network-interface": 16},
    ],
)
def test_a_bad_quotas_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], quotas: dict[str, int]
) -> None:
    path = tmp_path / "quotas.json"
    path.write_text(json.dumps(quotas))
    assert run_audit(CLEAN, packs=[NOOP_PACK], quotas=path) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err

"""Reports: the JSON report against its own schema, SARIF against the official 2.1.0 schema, the policy
config file in the CLI's format, and the text the CLI prints. Built from hand-made results: no processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from offline.analyzer import PackResult, PolicyConfigError, PolicyInfo, Violation
from offline.harness import RegisteredResource
from offline.report import (
    REPORT_SCHEMA,
    load_policy_config,
    render_text,
    report_dict,
    sarif_dict,
    write_json,
    write_sarif,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SARIF_SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
OWN_SCHEMA = json.loads(REPORT_SCHEMA.read_text())

SG = RegisteredResource(
    urn="urn:pulumi:dev::proj::proj:compute:Compute$aws:ec2/securityGroup:SecurityGroup::lab-sg",
    type="aws:ec2/securityGroup:SecurityGroup",
    name="lab-sg",
    custom=True,
    inputs={},
    source_position="project:///components/compute.py#136",
)
ROLE = RegisteredResource(
    urn="urn:pulumi:dev::proj::aws:iam/role:Role::lab-role",
    type="aws:iam/role:Role",
    name="lab-role",
    custom=True,
    inputs={},
    source_position="project:///venv/lib/python3.11/site-packages/pulumi/x.py#9",
)
RESOURCES = [SG, ROLE]


def results() -> list[PackResult]:
    network = PackResult(
        name="network",
        version="0.1.0",
        policies=["ssh", "imds"],
        violations=[
            Violation(SG.urn, "network", "ssh", "mandatory", "SSH is open.\n0.0.0.0/0 reaches tcp/22", "SSH is open."),
            Violation(SG.urn, "network", "imds", "advisory", "IMDSv2.\nhttpTokens optional"),
        ],
        diagnostics=["a note"],
        policy_info={
            "ssh": PolicyInfo("ssh", "SSH only from one host.", "mandatory", "critical", "Use a /32.", "resource"),
            "imds": PolicyInfo("imds", "IMDSv2 required.", "advisory", "", "", "resource"),
        },
        path="policies/network",
    )
    identity = PackResult(
        name="identity",
        version="0.2.0",
        policies=["trust", "off"],
        violations=[Violation(ROLE.urn, "identity", "unlisted", "mandatory", "From a policy GetAnalyzerInfo missed.")],
        diagnostics=[],
        policy_info={"off": PolicyInfo("off", "Disabled here.", "disabled")},
    )
    return [network, identity]


def sarif_validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


# -- JSON -------------------------------------------------------------------------------------------


def test_json_report_matches_its_schema_and_content(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "report.json"
    write_json(path, "dev", RESOURCES, results())
    document = json.loads(path.read_text())
    jsonschema.Draft202012Validator(OWN_SCHEMA).validate(document)
    assert document["stack"] == "dev"
    assert document["resources"][0] == {"urn": SG.urn, "type": SG.type, "name": "lab-sg"}
    assert document["violations"][0] == {
        "urn": SG.urn,
        "policyPack": "network",
        "policy": "ssh",
        "enforcementLevel": "mandatory",
        "message": "SSH is open.\n0.0.0.0/0 reaches tcp/22",
    }
    assert len(document["violations"]) == 3 and "notEvaluable" not in document


def test_json_report_lists_what_could_not_be_evaluated(tmp_path: Path) -> None:
    write_json(tmp_path / "r.json", "dev", RESOURCES, [], not_evaluable=[f"{SG.urn} inputs.ingress[0].cidrBlocks"])
    document = json.loads((tmp_path / "r.json").read_text())
    jsonschema.Draft202012Validator(OWN_SCHEMA).validate(document)
    assert document["notEvaluable"] == [f"{SG.urn} inputs.ingress[0].cidrBlocks"]


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["violations"][0].update(enforcementLevel="remediate"),
        lambda d: d["violations"][0].pop("policyPack"),
        lambda d: d["resources"][0].update(urn="lab-sg"),
        lambda d: d.update(extra=1),
    ],
)
def test_report_schema_is_not_vacuous(breakage: Any) -> None:
    document = report_dict("dev", RESOURCES, results())
    breakage(document)
    assert list(jsonschema.Draft202012Validator(OWN_SCHEMA).iter_errors(document))


# -- SARIF ------------------------------------------------------------------------------------------


def test_sarif_is_valid_2_1_0(tmp_path: Path) -> None:
    path = tmp_path / "out.sarif"
    write_sarif(path, RESOURCES, results(), program_file="__main__.py", not_evaluable=["x inputs.y"])
    document = json.loads(path.read_text())
    errors = [e.message for e in sarif_validator().iter_errors(document)]
    assert errors == []
    assert document["version"] == "2.1.0"


def test_sarif_validation_catches_a_broken_log() -> None:
    document = sarif_dict(RESOURCES, results())
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_validator().iter_errors(document))) == 2


def test_sarif_rules_and_results() -> None:
    run = sarif_dict(RESOURCES, results())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    # One rule per policy the packs declared, plus one for the policy only a diagnostic named.
    assert [r["id"] for r in rules] == [
        "network/ssh",
        "network/imds",
        "identity/trust",
        "identity/off",
        "identity/unlisted",
    ]
    ssh = rules[0]
    assert ssh["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert ssh["help"] == {"text": "Use a /32."}
    assert ssh["properties"]["security-severity"] == "9.5"
    assert rules[1]["defaultConfiguration"]["level"] == "warning"
    assert rules[3]["defaultConfiguration"] == {"level": "none", "enabled": False}

    first, second, third = run["results"]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "error"]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "network/ssh"
    assert rules[third["ruleIndex"]]["id"] == "identity/unlisted"
    location = first["locations"][0]
    # The resource's own declaration, from the source position the engine records.
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "components/compute.py"
    assert location["physicalLocation"]["region"]["startLine"] == 136
    assert location["logicalLocations"][0] == {"fullyQualifiedName": SG.urn, "kind": "resource", "name": "lab-sg"}
    assert SG.urn in first["message"]["text"]
    # A position inside the venv (SDK frames) says nothing to the author: the program file stands in.
    assert third["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "__main__.py"
    assert first["partialFingerprints"] != second["partialFingerprints"]


# -- policy config file -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config", [{"all": "mandatory"}, {"ssh": {"enforcementLevel": "disabled", "ports": [22, 2222]}}, {}]
)
def test_load_policy_config_accepts_the_cli_format(tmp_path: Path, config: dict[str, Any]) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    assert load_policy_config(path) == config


def test_empty_policy_config_file_is_empty(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text("  \n")
    assert load_policy_config(tmp_path / "c.json") == {}


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("{", "is not valid JSON"),
        ('{"ssh": "sometimes"}', "'sometimes' is not a valid enforcement level"),
        ("[1]", "must be a JSON object"),
    ],
)
def test_load_policy_config_rejects_bad_files(tmp_path: Path, text: str, pattern: str) -> None:
    (tmp_path / "c.json").write_text(text)
    with pytest.raises(PolicyConfigError, match=pattern):
        load_policy_config(tmp_path / "c.json")


def test_load_policy_config_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyConfigError, match="cannot read policy config"):
        load_policy_config(tmp_path / "absent.json")


# -- text -------------------------------------------------------------------------------------------


def test_render_text_groups_by_pack_mandatory_first() -> None:
    text = render_text(results(), RESOURCES)
    lines = text.splitlines()
    assert lines[0] == "Policies:"
    assert lines[1] == "    ❌ network@v0.1.0 (local: policies/network)"
    assert lines[2] == "        - [mandatory]  ssh  (aws:ec2/securityGroup:SecurityGroup: lab-sg)"
    assert lines.index("        - [advisory]  imds  (aws:ec2/securityGroup:SecurityGroup: lab-sg)") > 2
    assert "        a note" in lines
    assert lines[-1] == "    2 mandatory, 1 advisory violation(s) from 2 pack(s)"


def test_render_text_clean() -> None:
    clean = PackResult("network", "0.1.0", ["ssh"], [], [])
    assert render_text([clean]).splitlines()[1] == "    ✅ network@v0.1.0"

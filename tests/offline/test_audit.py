"""``make audit``: stack exports and preview JSON read as the engine wrote them, secrets decoded or reported
as not evaluable (never passed in silence), the real packs run over them, and bad files exit 2 cleanly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from offline.analyzer import SECRET_SIG, SIG_KEY, UNKNOWN
from offline.audit import StateFileError, load_state, run_audit
from offline.report import REPORT_SCHEMA

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLEAN = FIXTURES / "stack-export-clean.json"
ENCRYPTED = FIXTURES / "stack-export-encrypted.json"
VIOLATIONS = FIXTURES / "stack-export-violations.json"
PREVIEW = FIXTURES / "preview-prod.json"
SSH_RULE = "compute-ssh"


def by_name(path: Path) -> dict[str, Any]:
    return {r.name: r for r in load_state(path).resources}


# -- reading files ----------------------------------------------------------------------------------


def test_clean_export_is_read_as_the_engine_would_hand_it_over() -> None:
    audit = load_state(CLEAN)
    assert (audit.stack, audit.project, audit.not_evaluable) == ("dev", "aws-compute-foundations", [])
    resources = {r.name: r for r in audit.resources}
    rule = resources[SSH_RULE]
    # --show-secrets plaintext is decoded back into the engine's secret envelope.
    assert rule.inputs["cidrIpv4"] == {SIG_KEY: SECRET_SIG, "value": "203.0.113.10/32"}
    assert rule.outputs["cidrIpv4"] == {SIG_KEY: SECRET_SIG, "value": "203.0.113.10/32"}
    assert rule.inputs["fromPort"] == 22
    assert rule.parent.endswith("::compute") and rule.provider.startswith("urn:pulumi:dev::")
    assert rule.property_dependencies["securityGroupId"] == [resources["compute-instance-sg"].urn]
    compute_py = (FIXTURES.parents[1] / "components" / "compute.py").read_text().splitlines()
    ssh_line = next(i for i, line in enumerate(compute_py, 1) if 'f"{name}-ssh"' in line) - 1
    assert rule.source_position == f"project:///components/compute.py#{ssh_line}"
    assert resources["aws-compute-foundations-dev"].type == "pulumi:pulumi:Stack"


def test_encrypted_secrets_are_unknown_and_listed() -> None:
    audit = load_state(ENCRYPTED)
    rule = next(r for r in audit.resources if r.name == SSH_RULE)
    assert rule.inputs["cidrIpv4"] == UNKNOWN and rule.outputs["cidrIpv4"] == UNKNOWN
    assert audit.not_evaluable == [f"{rule.urn} inputs.cidrIpv4", f"{rule.urn} outputs.cidrIpv4"]


def test_preview_json_is_read() -> None:
    audit = load_state(PREVIEW)
    creates = [s for s in json.loads(PREVIEW.read_text())["steps"] if s["op"] == "create"]
    assert (audit.stack, len(audit.resources)) == ("prod", len(creates)) and len(creates) >= 42
    # The rollout's dynamic provider code (__provider) is a secret in every preview, and never policy input.
    assert any(r.type.startswith("pulumi-python:dynamic") for r in audit.resources)
    assert audit.not_evaluable == []
    asg = next(r for r in audit.resources if r.type == "aws:autoscaling/group:Group")
    assert asg.outputs["arn"] == UNKNOWN  # computed by the provider at create time


def _preview(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"steps": steps, "changeSummary": {}}


def _state(name: str, **inputs: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::p::aws:s3/bucket:Bucket::{name}",
        "type": "aws:s3/bucket:Bucket",
        "custom": True,
        "inputs": inputs,
    }


def test_preview_steps_deleted_replaced_and_blinded(tmp_path: Path) -> None:
    doc = _preview(
        [
            {"op": "delete", "urn": "x", "oldState": _state("gone")},
            {"op": "create-replacement", "urn": "u", "newState": _state("b", acl="old")},
            {"op": "replace", "urn": "u", "newState": _state("b", acl="new", key="[secret]")},
            {"op": "delete-replaced", "urn": "u", "oldState": _state("b")},
            {"op": "same", "urn": "s", "newState": _state("c", tags={"k": [1, "[secret]"]})},
        ]
    )
    (tmp_path / "p.json").write_text(json.dumps(doc))
    audit = load_state(tmp_path / "p.json")
    names = {r.name: r for r in audit.resources}
    assert sorted(names) == ["b", "c"]
    assert names["b"].inputs == {"acl": "new", "key": UNKNOWN}
    assert names["b"].outputs == names["b"].inputs  # nothing computed yet: the inputs stand in
    assert names["c"].inputs["tags"] == {"k": [1, UNKNOWN]}
    assert audit.not_evaluable == [f"{names['b'].urn} inputs.key", f"{names['c'].urn} inputs.tags.k[1]"]


def test_pending_deletes_are_left_out(tmp_path: Path) -> None:
    doc = json.loads(CLEAN.read_text())
    doc["deployment"]["resources"][-1]["delete"] = True
    (tmp_path / "e.json").write_text(json.dumps(doc))
    assert len(load_state(tmp_path / "e.json").resources) == len(load_state(CLEAN).resources) - 1


BAD_DOCUMENTS: list[tuple[str, str]] = [
    ("{", "is not JSON"),
    ("[]", "top level is not an object"),
    ("{}", "neither a `pulumi stack export`"),
    ('{"version": 2, "deployment": {}}', "unsupported stack export version 2"),
    ('{"version": 3, "deployment": []}', "no 'deployment' object"),
    ('{"version": 3, "deployment": {"resources": {}}}', "must be a list"),
    ('{"version": 3, "deployment": {"resources": []}}', "holds no resources"),
    ('{"steps": {"a": 1}}', "'steps' must be a list"),
    ("[" * 100_000, "nests too deeply"),
]

# One malformed resource is skipped with a note that fails the audit (exit 1), never the whole file (exit 2).
BAD_RESOURCES: list[tuple[str, str]] = [
    ('{"version": 3, "deployment": {"resources": [{"type": "t"}]}}', "no string 'urn' and 'type'"),
    ('{"version": 3, "deployment": {"resources": [{"urn": "nope", "type": "t"}]}}', "not a Pulumi URN"),
    (
        '{"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:s::p::t::n", "type": "t", "inputs": []}]}}',
        "inputs is list",
    ),
    (
        '{"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:s::p::t::n", "type": "t", '
        '"dependencies": [1]}]}}',
        "dependencies must be a list of URNs",
    ),
    ('{"steps": [3]}', "steps[0]: skipped, not an object"),
    ('{"version": 3, "deployment": {"resources": [7]}}', "deployment.resources[0]: skipped, not an object (int)"),
]


@pytest.mark.parametrize(("text", "pattern"), BAD_RESOURCES)
def test_a_malformed_resource_is_skipped_with_a_note(tmp_path: Path, text: str, pattern: str) -> None:
    (tmp_path / "bad.json").write_text(text)
    audit = load_state(tmp_path / "bad.json")
    assert audit.resources == []
    assert any(pattern in note and "skipped" in note for note in audit.not_evaluable), audit.not_evaluable


@pytest.mark.parametrize(("text", "pattern"), BAD_DOCUMENTS)
def test_bad_files_are_rejected_with_a_reason(tmp_path: Path, text: str, pattern: str) -> None:
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(StateFileError, match=pattern):
        load_state(tmp_path / "bad.json")


@pytest.mark.parametrize(("text", "pattern"), [*BAD_DOCUMENTS[:3], ("\udcff", "cannot read")])
def test_run_audit_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, pattern: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert run_audit(path) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and pattern in err and "Traceback" not in err


def test_run_audit_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_audit(tmp_path / "absent.json") == 2
    assert "cannot read" in capsys.readouterr().err


def test_run_audit_bad_policy_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "c.json").write_text('{"ssh-ingress-single-host": "off"}')
    assert run_audit(CLEAN, policy_config=tmp_path / "c.json") == 2
    assert "'off' is not a valid enforcement level" in capsys.readouterr().err


# -- the real packs over the fixtures ----------------------------------------------------------------


def test_clean_export_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_audit(CLEAN) == 0
    out = capsys.readouterr().out
    assert "stack dev of project aws-compute-foundations, 21 resources" in out and "0 mandatory" in out


def test_violations_export_fails_and_names_every_offender(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json, out_sarif = tmp_path / "a.json", tmp_path / "a.sarif"
    assert run_audit(VIOLATIONS, out=out_json, sarif=out_sarif) == 1
    printed = capsys.readouterr().out
    report = json.loads(out_json.read_text())
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).validate(report)
    mandatory = {
        (v["urn"].rsplit("::", 1)[1], v["policy"]) for v in report["violations"] if v["enforcementLevel"] == "mandatory"
    }
    assert mandatory == {
        (SSH_RULE, "ssh-ingress-single-host"),
        ("identity-admin", "iam-least-privilege-permissions"),
        ("identity-ci-deployer", "iam-role-trust-no-wildcard-principal"),
        ("compute-public-lt", "launch-template-no-public-ip"),
        # The world-open SSH rule sits on an instance with a public IP in a subnet routed to the gateway.
        ("compute-instance", "internet-exposure-allowlist"),
    }
    for name, policy in mandatory:
        assert f"[mandatory]  {policy}" in printed and name in printed
    [exposure] = report["exposures"]
    assert (exposure["name"], exposure["protocol"], exposure["port"], exposure["sources"]) == (
        "compute-instance",
        "tcp",
        22,
        ["0.0.0.0/0"],
    )
    assert "Exposure:\n    tcp/22 from 0.0.0.0/0: internet → igw-" in printed
    sarif = json.loads(out_sarif.read_text())
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    assert list(jsonschema.Draft4Validator(schema).iter_errors(sarif)) == []
    assert sum(r["level"] == "error" for r in sarif["runs"][0]["results"]) == 5


def test_encrypted_export_is_not_silently_passed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "a.json"
    assert run_audit(ENCRYPTED, out=out_json) == 1
    printed = capsys.readouterr().out
    assert "NOT EVALUABLE: 2 encrypted" in printed and "inputs.cidrIpv4" in printed
    assert "FAILED: 2 value(s) could not be evaluated" in printed
    report = json.loads(out_json.read_text())
    assert len(report["notEvaluable"]) == 2
    [cant] = [v for v in report["violations"] if v["policy"] == "ssh-ingress-single-host"]
    assert cant["enforcementLevel"] == "advisory" and "can't run policy" in cant["message"]
    assert cant["urn"].endswith(f"::{SSH_RULE}")


def test_encrypted_export_passes_only_when_the_gap_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_audit(ENCRYPTED, allow_not_evaluable=True) == 0
    assert "NOT EVALUABLE: 2 encrypted" in capsys.readouterr().out


def test_policy_config_disables_a_policy_in_an_audit(tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"ssh-ingress-single-host": "disabled"}))
    out_json = tmp_path / "a.json"
    assert run_audit(VIOLATIONS, policy_config=config, out=out_json) == 1
    policies = {v["policy"] for v in json.loads(out_json.read_text())["violations"]}
    assert "ssh-ingress-single-host" not in policies and "launch-template-no-public-ip" in policies


def test_preview_json_of_prod_passes() -> None:
    assert run_audit(PREVIEW) == 0


# -- cloud rules: what AWS would refuse, found in a preview JSON before `pulumi up` -------------------


def _broken_preview(tmp_path: Path, change: Any) -> Path:
    """The prod preview JSON with ``change(step)`` applied to every create step."""
    document = json.loads(PREVIEW.read_text())
    for step in document["steps"]:
        change(step)
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(document))
    return path


def _apostrophe(step: dict[str, Any]) -> None:
    if step["urn"].endswith("::compute-alb-sg"):
        step["newState"]["inputs"]["description"] = "Load balancer: the instances' app port"


def _alb_first(step: dict[str, Any]) -> None:
    if step["urn"].endswith("::compute-alb"):
        state = step["newState"]
        state["dependencies"] = [d for d in state["dependencies"] if "internetGateway" not in d]


def test_clean_files_have_no_cloud_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (CLEAN, PREVIEW):
        out_json = tmp_path / "a.json"
        assert run_audit(path, out=out_json) == 0
        assert json.loads(out_json.read_text())["cloudErrors"] == []
    assert "no resource breaks a rule the AWS API enforces" in capsys.readouterr().out


def test_a_preview_json_that_breaks_a_rule_fails_with_cloud_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json, out_sarif = tmp_path / "a.json", tmp_path / "a.sarif"
    assert run_audit(_broken_preview(tmp_path, _apostrophe), out=out_json, sarif=out_sarif) == 1
    printed = capsys.readouterr().out
    assert 'InvalidParameterValue: compute-alb-sg description: character "\'" is not allowed' in printed
    report = json.loads(out_json.read_text())
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).validate(report)
    [error] = report["cloudErrors"]
    assert error["urn"].endswith("::compute-alb-sg")
    assert (error["type"], error["property"], error["code"], error["rule"]) == (
        "aws:ec2/securityGroup:SecurityGroup",
        "description",
        "InvalidParameterValue",
        "security-group-description",
    )
    assert error["message"].startswith("compute-alb-sg description: character")
    assert error["source"].startswith("https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup")
    assert report["violations"] == [v for v in report["violations"] if v["enforcementLevel"] != "mandatory"]
    sarif = json.loads(out_sarif.read_text())
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    assert list(jsonschema.Draft4Validator(schema).iter_errors(sarif)) == []
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("cloud-rules/")]
    assert result["ruleId"] == "cloud-rules/security-group-description" and result["level"] == "error"
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == result["ruleId"] and rule["helpUri"].startswith("https://docs.aws.amazon.com/")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "components/loadbalancer.py"


def test_a_preview_json_whose_alb_is_not_ordered_after_the_gateway_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ids are unknown in a first preview: the rule follows property dependencies to the subnets' VPC."""
    out_json = tmp_path / "a.json"
    assert run_audit(_broken_preview(tmp_path, _alb_first), out=out_json) == 1
    [error] = json.loads(out_json.read_text())["cloudErrors"]
    assert (error["code"], error["property"], error["rule"]) == (
        "InvalidSubnet",
        "dependsOn",
        "internet-facing-load-balancer-after-gateway",
    )
    assert "VPC network-vpc has no internet gateway yet" in capsys.readouterr().out


def test_a_stack_export_that_breaks_a_rule_fails(tmp_path: Path) -> None:
    document = json.loads(CLEAN.read_text())
    for resource in document["deployment"]["resources"]:
        if resource["urn"].endswith(f"::{SSH_RULE}"):
            resource["inputs"]["description"] = "SSH from the operator's one host"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    out_json = tmp_path / "a.json"
    assert run_audit(path, out=out_json) == 1
    [error] = json.loads(out_json.read_text())["cloudErrors"]
    assert error["urn"].endswith(f"::{SSH_RULE}") and error["rule"] == "security-group-rule-description"


def test_a_stack_export_whose_public_instance_is_not_after_the_gateway_fails(tmp_path: Path) -> None:
    """CloudFormation's DependsOn guidance: an instance with a public IP is created after the gateway attachment."""
    document = json.loads(CLEAN.read_text())
    [instance] = [r for r in document["deployment"]["resources"] if r["type"] == "aws:ec2/instance:Instance"]
    assert instance["inputs"]["associatePublicIpAddress"] is True
    instance["dependencies"] = [d for d in instance["dependencies"] if "internetGateway" not in d]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    out_json = tmp_path / "a.json"
    assert run_audit(path, out=out_json) == 1
    [error] = json.loads(out_json.read_text())["cloudErrors"]
    assert (error["code"], error["property"], error["rule"]) == (
        "Gateway.NotAttached",
        "dependsOn",
        "public-instance-after-gateway",
    )
    assert "aws-attribute-dependson.html#gatewayattachment" in error["source"]

"""Policy results as the CLI prints them, as a JSON report, and as SARIF 2.1.0 for code scanning.

The JSON report is this project's own contract (its schema is ``report.schema.json`` beside this module);
SARIF follows the OASIS 2.1.0 schema so GitHub code scanning (or any SARIF viewer) can show each
violation as an alert on the line of the program that declared the resource.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from offline.analyzer import PackResult, PolicyConfigError, Violation, parse_policy_config
from offline.cloudrules import ALL_RULES, CloudError
from offline.exposure import Exposure
from offline.harness import RegisteredResource

REPORT_SCHEMA = Path(__file__).with_name("report.schema.json")
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "pulumi-policy-offline"
TOOL_URI = "https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/"

_SARIF_LEVEL = {"mandatory": "error", "advisory": "warning", "remediate": "error", "disabled": "none"}
# GitHub code scanning ranks security alerts by this property (a CVSS-like score as a string).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def load_policy_config(path: Path) -> dict[str, Any]:
    """Read a ``--policy-pack-config`` JSON file; ``PolicyConfigError`` (a ``ValueError``) when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyConfigError(f"cannot read policy config {path}: {exc.strerror or exc}") from None
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyConfigError(f"policy config {path} is not valid JSON: {exc}") from None
    try:
        parse_policy_config(raw)
    except PolicyConfigError as exc:
        raise PolicyConfigError(f"policy config {path}: {exc}") from None
    return dict(raw)


# --------------------------------------------------------------------------------------------------
# Text, as `pulumi preview --policy-pack` prints it
# --------------------------------------------------------------------------------------------------


def _resource_label(urn: str, by_urn: dict[str, RegisteredResource]) -> str:
    resource = by_urn.get(urn)
    if resource is not None:
        return f"{resource.type}: {resource.name}"
    parts = urn.split("::")
    return f"{parts[2].rsplit('$', 1)[-1]}: {parts[3]}" if len(parts) >= 4 else urn


def render_text(results: Sequence[PackResult], resources: Sequence[RegisteredResource] = ()) -> str:
    """The CLI's "Policies:" section: each pack, then its violations, mandatory before advisory."""
    by_urn = {r.urn: r for r in resources}
    lines = ["Policies:"]
    for result in results:
        mandatory = [v for v in result.violations if v.enforcement_level == "mandatory"]
        advisory = [v for v in result.violations if v.enforcement_level != "mandatory"]
        mark = "❌" if mandatory else ("⚠️ " if advisory else "✅")
        where = f" (local: {result.path})" if result.path else ""
        lines.append(f"    {mark} {result.name}@v{result.version}{where}")
        for violation in [*mandatory, *advisory]:
            lines.append(
                f"        - [{violation.enforcement_level}]  {violation.policy}  "
                f"({_resource_label(violation.urn, by_urn)})"
            )
            lines.extend(f"          {line}" for line in violation.message.splitlines())
        lines.extend(f"        {d}" for d in result.diagnostics)
    total_m = sum(v.enforcement_level == "mandatory" for r in results for v in r.violations)
    total_a = sum(v.enforcement_level != "mandatory" for r in results for v in r.violations)
    lines.append(f"    {total_m} mandatory, {total_a} advisory violation(s) from {len(results)} pack(s)")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------------


def render_cloud_errors(errors: Sequence[CloudError]) -> str:
    """What AWS would refuse at create time, one line each, as ``pulumi up`` would print the provider error."""
    if not errors:
        return "Cloud rules:\n    ✅ no resource breaks a rule the AWS API enforces at create time"
    lines = [f"Cloud rules:\n    ❌ {len(errors)} resource propert(ies) AWS would refuse at create time"]
    lines.extend(f"        - {error}" for error in errors)
    return "\n".join(lines)


def report_dict(
    stack: str,
    resources: Sequence[RegisteredResource],
    results: Sequence[PackResult],
    not_evaluable: Sequence[str] = (),
    exposures: Sequence[Exposure] | None = None,
    *,
    cloud_errors: Sequence[CloudError] = (),
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "stack": stack,
        "resources": [{"urn": r.urn, "type": r.type, "name": r.name} for r in resources],
        "violations": [
            {
                "urn": v.urn,
                "policyPack": v.policy_pack,
                "policy": v.policy,
                "enforcementLevel": v.enforcement_level,
                "message": v.message,
            }
            for result in results
            for v in result.violations
        ],
        "cloudErrors": [error.to_json() for error in cloud_errors],
    }
    if not_evaluable:
        document["notEvaluable"] = list(not_evaluable)
    if exposures is not None:
        document["exposures"] = [e.to_json() for e in exposures]
    return document


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_json(
    path: Path,
    stack: str,
    resources: Sequence[RegisteredResource],
    results: Sequence[PackResult],
    *,
    not_evaluable: Sequence[str] = (),
    exposures: Sequence[Exposure] | None = None,
    cloud_errors: Sequence[CloudError] = (),
) -> None:
    """``{"stack", "resources", "violations", "exposures", "cloudErrors"}`` (schema: ``report.schema.json``).

    ``cloudErrors`` lists what the AWS API would refuse (``offline/cloudrules``): ``{urn, type, property, code,
    message, rule, source}``. An audit adds ``notEvaluable``: the properties it could not read (encrypted
    secrets), never silently passed. ``exposures`` lists what the internet can reach (``{urn, type, name,
    protocol, port, sources, path}``).
    """
    _write(Path(path), report_dict(stack, resources, results, not_evaluable, exposures, cloud_errors=cloud_errors))


# --------------------------------------------------------------------------------------------------
# SARIF 2.1.0
# --------------------------------------------------------------------------------------------------


def rule_id(pack: str, policy: str) -> str:
    return f"{pack}/{policy}"


def _rules(results: Sequence[PackResult]) -> list[dict[str, Any]]:
    rules = []
    for result in results:
        for name in result.policies:
            info = result.policy_info.get(name)
            description = (info.description if info else "") or name
            level = info.enforcement_level if info else "advisory"
            rule: dict[str, Any] = {
                "id": rule_id(result.name, name),
                "name": name,
                "shortDescription": {"text": description.splitlines()[0]},
                "fullDescription": {"text": description},
                "defaultConfiguration": {"level": _SARIF_LEVEL.get(level, "warning"), "enabled": level != "disabled"},
                "properties": {"tags": ["security", "pulumi-policy", result.name], "enforcementLevel": level},
            }
            if info and info.remediation_steps:
                rule["help"] = {"text": info.remediation_steps}
            if info and info.severity:
                rule["properties"]["security-severity"] = _SECURITY_SEVERITY[info.severity]
                rule["properties"]["severity"] = info.severity
            rules.append(rule)
    return rules


def _source_location(resource: RegisteredResource | None, program_file: str) -> tuple[str, int]:
    """The file and line that declared the resource, when the engine recorded it; else the program file."""
    position = resource.source_position if resource is not None else ""
    if position.startswith("project:///"):
        path, _, line = position[len("project:///") :].partition("#")
        number = line.split(",")[0]
        if path and ".." not in Path(path).parts and not path.startswith(("venv/", ".venv/")):
            return path, int(number) if number.isdigit() and int(number) > 0 else 1
    return program_file, 1


def _result(
    violation: Violation, rule_index: int, by_urn: dict[str, RegisteredResource], program_file: str
) -> dict[str, Any]:
    resource = by_urn.get(violation.urn)
    uri, line = _source_location(resource, program_file)
    rid = rule_id(violation.policy_pack, violation.policy)
    fingerprint = hashlib.sha256(f"{rid}\n{violation.urn}".encode()).hexdigest()
    logical: dict[str, Any] = {"fullyQualifiedName": violation.urn, "kind": "resource"}
    if resource is not None:
        logical["name"] = resource.name
    return {
        "ruleId": rid,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL.get(violation.enforcement_level, "warning"),
        "message": {"text": f"{violation.message}\nResource: {violation.urn}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line},
                },
                "logicalLocations": [logical],
            }
        ],
        "partialFingerprints": {"pulumiResourcePolicy/v1": fingerprint},
        "properties": {"policyPack": violation.policy_pack, "enforcementLevel": violation.enforcement_level},
    }


CLOUD_RULES = "cloud-rules"


def _cloud_rule(rule: str) -> dict[str, Any]:
    found = next((r for r in ALL_RULES if r.id == rule), None)
    summary = found.summary if found is not None and found.summary else rule
    entry: dict[str, Any] = {
        "id": f"{CLOUD_RULES}/{rule}",
        "name": rule,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary} Source: {found.source}" if found is not None else summary},
        "defaultConfiguration": {"level": "error", "enabled": True},
        "properties": {"tags": ["aws-api", CLOUD_RULES]},
    }
    if found is not None and found.source.startswith("https://"):
        entry["helpUri"] = found.source.split()[0].rstrip(";")
    return entry


def _cloud_result(
    error: CloudError, rule_index: int, by_urn: dict[str, RegisteredResource], program_file: str
) -> dict[str, Any]:
    uri, line = _source_location(by_urn.get(error.urn), program_file)
    rid = f"{CLOUD_RULES}/{error.rule}"
    fingerprint = hashlib.sha256(f"{rid}\n{error.urn}\n{error.property}".encode()).hexdigest()
    return {
        "ruleId": rid,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"{error}\nResource: {error.urn}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line},
                },
                "logicalLocations": [{"fullyQualifiedName": error.urn, "kind": "resource", "name": error.name}],
            }
        ],
        "partialFingerprints": {"pulumiCloudRule/v1": fingerprint},
        "properties": {"awsErrorCode": error.code, "property": error.property, "source": error.source},
    }


def sarif_dict(
    resources: Sequence[RegisteredResource],
    results: Sequence[PackResult],
    program_file: str = "__main__.py",
    not_evaluable: Sequence[str] = (),
    cloud_errors: Sequence[CloudError] = (),
) -> dict[str, Any]:
    rules = _rules(results)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    by_urn = {r.urn: r for r in resources}
    sarif_results = []
    for result in results:
        for violation in result.violations:
            rid = rule_id(violation.policy_pack, violation.policy)
            if rid not in index:
                # A diagnostic from a policy GetAnalyzerInfo did not list still gets a rule to point at.
                index[rid] = len(rules)
                rules.append({"id": rid, "name": violation.policy, "shortDescription": {"text": violation.policy}})
            sarif_results.append(_result(violation, index[rid], by_urn, program_file))
    for error in cloud_errors:
        rid = f"{CLOUD_RULES}/{error.rule}"
        if rid not in index:
            index[rid] = len(rules)
            rules.append(_cloud_rule(error.rule))
        sarif_results.append(_cloud_result(error, index[rid], by_urn, program_file))
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "informationUri": TOOL_URI,
                        "rules": rules,
                        "properties": {"policyPacks": [f"{r.name}@v{r.version}" for r in results]},
                    }
                },
                "results": sarif_results,
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "warning", "message": {"text": f"not evaluable (encrypted): {item}"}}
                            for item in not_evaluable
                        ],
                    }
                ],
            }
        ],
    }


def write_sarif(
    path: Path,
    resources: Sequence[RegisteredResource],
    results: Sequence[PackResult],
    program_file: str = "__main__.py",
    *,
    not_evaluable: Sequence[str] = (),
    cloud_errors: Sequence[CloudError] = (),
) -> None:
    """One rule per policy (and per cloud rule that fired); one result per violation or cloud error, located at
    the resource's declaration and URN."""
    _write(Path(path), sarif_dict(resources, results, program_file, not_evaluable, cloud_errors))

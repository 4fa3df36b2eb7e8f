"""The network-boundary pack assembles, and every policy carries the metadata the issue asks for."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from guardrails.network import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, Policy, ResourceValidationPolicy, Severity, StackValidationPolicy

from tests.policies.harness import default_config, resource_violations, stack_violations
from tests.policies.network_fixtures import Spec, production_spec, to_stack

PACK_DIR = Path(__file__).resolve().parents[2] / "policies" / "network-boundary"

EXPECTED = {
    "ssh-ingress-single-host": EnforcementLevel.MANDATORY,
    "launch-template-no-public-ip": EnforcementLevel.MANDATORY,
    "asg-multi-az-behind-load-balancer": EnforcementLevel.MANDATORY,
    "asg-multi-az": EnforcementLevel.ADVISORY,
    "instance-sg-admits-only-load-balancer": EnforcementLevel.MANDATORY,
    "internet-exposure-allowlist": EnforcementLevel.MANDATORY,
    "ebs-encryption": EnforcementLevel.ADVISORY,
    "alb-drop-invalid-headers": EnforcementLevel.ADVISORY,
    "http-redirects-to-https": EnforcementLevel.ADVISORY,
    "asg-elb-health-check": EnforcementLevel.ADVISORY,
    "alb-access-logs": EnforcementLevel.ADVISORY,
    "lb-log-bucket-not-public": EnforcementLevel.ADVISORY,
    "launch-template-detailed-monitoring": EnforcementLevel.ADVISORY,
}


def test_policy_set_and_levels() -> None:
    assert {p.name: p.enforcement_level for p in POLICIES} == EXPECTED


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_policy_metadata(policy: Policy) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name)
    assert policy.description and policy.remediation_steps
    assert isinstance(policy.severity, Severity)
    schema = policy.config_schema
    assert schema is not None and schema.properties
    assert all("default" in spec and "description" in spec for spec in schema.properties.values())


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_policies_tolerate_no_config_at_all(policy: Policy) -> None:
    """Configure may never be called: an empty config must behave like the schema defaults."""
    stack = to_stack(production_spec())
    if isinstance(policy, StackValidationPolicy):
        with_defaults = stack_violations(policy, stack)
        empty = stack_violations(policy, stack, {k: None for k in default_config(policy)})
        assert with_defaults == empty
    else:
        assert isinstance(policy, ResourceValidationPolicy)
        for r in stack:
            assert resource_violations(policy, r.type, r.props) == resource_violations(
                policy, r.type, r.props, {k: None for k in default_config(policy)}
            )


def test_pack_main_only_assembles_the_exported_policies() -> None:
    tree = ast.parse((PACK_DIR / "__main__.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "PolicyPack"]
    assert len(calls) == 1
    keywords = {k.arg: ast.unparse(k.value) for k in calls[0].keywords}
    assert keywords == {"name": "PACK_NAME", "policies": "POLICIES", "enforcement_level": "EnforcementLevel.MANDATORY"}
    assert PACK_NAME == "aws-compute-network-boundary"
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert defs == []


def test_pack_manifest() -> None:
    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
    assert manifest["description"] and manifest["version"]
    requirements = (PACK_DIR / "requirements.txt").read_text().split()
    assert "pulumi-policy==1.21.0" in requirements


def hardened_production_spec() -> dict[str, Spec]:
    """The production path with the hardening this project ships: access logs to a blocked bucket, monitoring."""
    specs = production_spec()
    specs["alb-logs"] = Spec("aws:s3/bucket:Bucket", {"id": "alb-logs-1a2b", "bucket": "alb-logs-1a2b"})
    specs["alb-logs-pab"] = Spec(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        {"id": "alb-logs-1a2b", "bucket": "alb-logs-1a2b"}
        | dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True),
        {"bucket": ["alb-logs"]},
    )
    specs["alb"].props["accessLogs"] = {"bucket": "alb-logs-1a2b", "prefix": "alb", "enabled": True}
    specs["alb"].deps["accessLogs"] = ["alb-logs"]
    specs["app-lt"].props["monitoring"] = {"enabled": True}
    return specs


def test_production_path_has_no_violation_from_any_network_policy() -> None:
    stack = to_stack(hardened_production_spec())
    for policy in POLICIES:
        if isinstance(policy, StackValidationPolicy):
            assert stack_violations(policy, stack) == [], policy.name
        else:
            assert isinstance(policy, ResourceValidationPolicy)
            for r in stack:
                assert resource_violations(policy, r.type, r.props) == [], (policy.name, r.name)

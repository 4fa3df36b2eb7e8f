"""The doctor's own IAM policy (ops/doctor-policy.json, linked from docs/doctor.md): it passes the project's
identity pack, grants only reads, and covers every call the doctor makes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from guardrails.actions import expand
from guardrails.identity import POLICIES
from pulumi_policy import ResourceValidationPolicy

from tests.policies.harness import resource_violations

REPO = Path(__file__).resolve().parents[2]
POLICY_FILE = REPO / "ops" / "doctor-policy.json"
DOCUMENT = json.loads(POLICY_FILE.read_text())
ACTIONS = [a for s in DOCUMENT["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
# Each operation the doctor calls, as botocore names it, and the IAM action that authorises it.
CALLS = {
    "ec2": [
        "DescribeInstances", "DescribeInstanceStatus", "DescribeSecurityGroups", "DescribeRouteTables",
        "DescribeInternetGateways", "DescribeNetworkAcls", "DescribeSubnets", "DescribeKeyPairs",
        "DescribeLaunchTemplateVersions", "DescribeImages", "DescribeInstanceTypes", "DescribeInstanceTypeOfferings",
    ],
    "autoscaling": ["DescribeAutoScalingGroups", "DescribeScalingActivities", "DescribeInstanceRefreshes"],
    "elasticloadbalancing": ["DescribeTargetGroups", "DescribeTargetHealth", "DescribeLoadBalancers"],
    "iam": [
        "GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies", "SimulatePrincipalPolicy",
        "GetInstanceProfile", "GetPolicy", "GetPolicyVersion",
    ],
}  # fmt: skip


def test_the_doctor_policy_passes_every_identity_pack_rule() -> None:
    props = {"policy": json.dumps(DOCUMENT), "name": "aws-compute-doctor"}
    results = {
        policy.name: resource_violations(policy, "aws:iam/policy:Policy", props)
        for policy in POLICIES
        if isinstance(policy, ResourceValidationPolicy)
    }
    assert "iam-least-privilege-permissions" in results
    assert all(not messages for messages in results.values()), results


def test_the_least_privilege_rule_would_catch_a_wider_doctor_policy() -> None:
    """The rule is live on this document: the lazy version (iam:Get* on *) is refused."""
    wide = {
        **DOCUMENT,
        "Statement": [*DOCUMENT["Statement"], {"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}],
    }
    (least,) = [p for p in POLICIES if p.name == "iam-least-privilege-permissions"]
    assert isinstance(least, ResourceValidationPolicy)
    assert resource_violations(least, "aws:iam/policy:Policy", {"policy": json.dumps(wide)})


def test_the_doctor_policy_grants_only_read_and_list_actions() -> None:
    for action in ACTIONS:
        (info,) = expand(action)
        assert info.access_level in ("Read", "List"), (action, info.access_level)


def test_the_doctor_policy_covers_every_call_the_doctor_makes() -> None:
    granted = {a.lower() for a in ACTIONS}
    needed = {f"{service}:{name}".lower() for service, names in CALLS.items() for name in names}
    assert needed == granted


def test_the_calls_listed_here_are_the_ones_the_code_makes() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "ops").rglob("*.py"))
    own = set(re.findall(r"def (\w+)\(", source)) | {"get_paginator"}
    methods = set(re.findall(r"\.(describe_\w+|get_\w+|list_\w+|simulate_\w+)\(", source)) - own
    methods |= set(re.findall(r'get_paginator\("(\w+)"\)', source))
    called = {"".join(word.title() for word in m.split("_")) for m in methods}
    called -= {"GetCallerIdentity", "GetCredentials"}  # STS needs no permission; the session's own credentials
    listed = {name for names in CALLS.values() for name in names}
    assert called == listed


def test_the_docs_link_this_policy_instead_of_copying_it() -> None:
    # A copy in the docs would drift from the file; docs/doctor.md links the file itself.
    doctor_doc = (REPO / "docs" / "doctor.md").read_text()
    assert "(../ops/doctor-policy.json)" in doctor_doc
    assert '"Statement"' not in doctor_doc

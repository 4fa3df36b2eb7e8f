"""The new hardening rules and the closed fail-open gaps, through the real pack processes over the Analyzer
protocol: failing and fixed twins, with the enforcement level the engine would show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from offline.analyzer import UNKNOWN, PackProcess, started_packs
from tests.policies.test_packs_grpc import IDENTITY, NETWORK, analyze, analyze_stack, configure, levels

LB = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SG = "aws:ec2/securityGroup:SecurityGroup"
VPC_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
LOGS = {"bucket": "alb-logs", "prefix": "app", "enabled": True}
FULL_BLOCK = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


@pytest.fixture(scope="module")
def packs() -> Iterator[dict[str, PackProcess]]:
    with started_packs([NETWORK, IDENTITY], project="proj", stack="test") as processes:
        yield {"network": processes[0], "identity": processes[1]}


def findings(process: PackProcess, rtype: str, props: dict[str, Any], policy: str) -> list[tuple[str, str]]:
    return [(level, message) for name, level, message in analyze(process, rtype, props) if name == policy]


def test_alb_access_logs_twins_on_both_tokens(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    for token in (LB, ALB):
        assert levels(analyze(network, token, {"dropInvalidHeaderFields": True}), "alb-access-logs") == ["advisory"]
        assert levels(analyze(network, token, {"accessLogs": LOGS}), "alb-access-logs") == []
    configure(network, {"alb-access-logs": "mandatory"})
    assert levels(analyze(network, ALB, {}), "alb-access-logs") == ["mandatory"]


def test_launch_template_monitoring_twins_and_instances_by_config(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    rule = "launch-template-detailed-monitoring"
    assert levels(analyze(network, LT, {"monitoring": {"enabled": False}}), rule) == ["advisory"]
    assert levels(analyze(network, LT, {"monitoring": {"enabled": True}}), rule) == []
    assert levels(analyze(network, "aws:ec2/instance:Instance", {"monitoring": False}), rule) == []
    configure(network, {rule: {"enforcementLevel": "mandatory", "includeInstances": True}})
    assert levels(analyze(network, "aws:ec2/instance:Instance", {"monitoring": False}), rule) == ["mandatory"]


def test_log_bucket_not_public_twins(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    rule = "lb-log-bucket-not-public"
    bucket = (BUCKET, "alb-logs", {"id": "alb-logs", "bucket": "alb-logs"})
    for token in (LB, ALB):
        lb = (token, "alb", {"accessLogs": LOGS, "dropInvalidHeaderFields": True})
        weak = analyze_stack(
            network, [bucket, lb, (PAB, "pab", {"bucket": "alb-logs", **FULL_BLOCK, "blockPublicPolicy": False})]
        )
        assert [(level, urn.rsplit("::", 1)[1]) for name, level, urn in weak if name == rule] == [
            ("advisory", "alb-logs")
        ]
        fixed = analyze_stack(network, [bucket, lb, (PAB, "pab", {"bucket": "alb-logs", **FULL_BLOCK})])
        assert [f for f in fixed if f[0] == rule] == []


# --- the fail-open gaps, as the engine sees them ----------------------------------------------------------


def test_known_world_open_ssh_beside_an_unknown_cidr_is_mandatory(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    weak = {"ingress": [{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": [UNKNOWN, "0.0.0.0/0"]}]}
    found = findings(network, SG, weak, "ssh-ingress-single-host")
    assert [level for level, _ in found] == ["mandatory"] and "0.0.0.0/0" in found[0][1]
    fixed = {
        "ingress": [{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": [UNKNOWN, "203.0.113.7/32"]}]
    }
    assert [(level, "can't run" in m) for level, m in findings(network, SG, fixed, "ssh-ingress-single-host")] == [
        ("advisory", True)
    ]


def test_ipv4_in_cidr_ipv6_and_no_source_fail_closed(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    base = {"ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "securityGroupId": "sg-0123"}
    assert levels(analyze(network, VPC_RULE, base | {"cidrIpv6": "203.0.113.7/32"}), "ssh-ingress-single-host") == [
        "mandatory"
    ]
    assert levels(analyze(network, VPC_RULE, base), "ssh-ingress-single-host") == ["mandatory"]
    assert levels(analyze(network, VPC_RULE, base | {"cidrIpv4": "203.0.113.7/32"}), "ssh-ingress-single-host") == []


def test_unknown_statement_beside_a_known_star_is_mandatory(packs: dict[str, PackProcess]) -> None:
    identity = packs["identity"]
    configure(identity)
    star = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    scoped = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    found = findings(identity, POLICY, {"policy": {"Statement": [UNKNOWN, star]}}, "iam-least-privilege-permissions")
    assert [level for level, _ in found] == ["mandatory"]
    fixed = findings(identity, POLICY, {"policy": {"Statement": [UNKNOWN, scoped]}}, "iam-least-privilege-permissions")
    assert [(level, "can't run" in m) for level, m in fixed] == [("advisory", True)]


def test_trust_with_an_unknown_statement_beside_a_wildcard_is_mandatory(packs: dict[str, PackProcess]) -> None:
    identity = packs["identity"]
    configure(identity)
    wildcard = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    ec2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    rule = "iam-role-trust-no-wildcard-principal"
    assert [
        lvl for lvl, _ in findings(identity, ROLE, {"assumeRolePolicy": {"Statement": [UNKNOWN, wildcard]}}, rule)
    ] == ["mandatory"]
    fixed = findings(identity, ROLE, {"assumeRolePolicy": {"Statement": [UNKNOWN, ec2]}}, rule)
    assert [(level, "can't run" in m) for level, m in fixed] == [("advisory", True)]
    assert findings(identity, ROLE, {"assumeRolePolicy": json.dumps({"Statement": [ec2]})}, rule) == []

"""Each real pack, started as the CLI starts it and driven over the Analyzer gRPC protocol.

Properties are built the way the engine sends them: camelCase keys, numbers as doubles, IAM documents as
JSON text (a Python program) or objects (other languages), secrets in the signature envelope, unknowns
as the sentinel. Each pack starts once per module; every test configures it afresh, as the CLI does
once per run, so a level changed by one test never leaks into the next.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

from offline.analyzer import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    PackProcess,
    _initial_config,
    _policy_infos,
    _struct,
    parse_policy_config,
    reconcile_config,
    started_packs,
)

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess

POLICIES = Path(__file__).resolve().parents[2] / "policies"
NETWORK = POLICIES / "network-boundary"
IDENTITY = POLICIES / "identity-boundary"
LEVEL = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory", analyzer_pb2.REMEDIATE: "remediate"}
PROTO_LEVEL = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
}

Finding = tuple[str, str, str]  # (policy, level, message)


@pytest.fixture(scope="module")
def packs() -> Iterator[dict[str, PackProcess]]:
    with started_packs([NETWORK, IDENTITY], project="proj", stack="test") as processes:
        yield {"network": processes[0], "identity": processes[1]}


def configure(process: PackProcess, overrides: Mapping[str, Any] | None = None) -> None:
    """What the CLI sends before a run: schema defaults, the pack's initial config, the user's config."""
    info = process.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    config, errors = reconcile_config(_policy_infos(info), _initial_config(info), parse_policy_config(overrides))
    assert errors == []
    request = analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            name: analyzer_pb2.PolicyConfig(
                enforcementLevel=PROTO_LEVEL[entry.enforcement_level or "advisory"],
                properties=_struct(entry.properties),
            )
            for name, entry in config.items()
        }
    )
    process.stub.Configure(request, timeout=30)


def urn(rtype: str, name: str) -> str:
    return f"urn:pulumi:test::proj::{rtype}::{name}"


def analyze(process: PackProcess, rtype: str, props: Mapping[str, Any], name: str = "subject") -> list[Finding]:
    request = analyzer_pb2.AnalyzeRequest(type=rtype, properties=_struct(props), urn=urn(rtype, name), name=name)
    response = process.stub.Analyze(request, timeout=30)
    return [(d.policyName, LEVEL[d.enforcementLevel], d.message) for d in response.diagnostics]


def analyze_stack(
    process: PackProcess, resources: Sequence[tuple[str, str, Mapping[str, Any]]]
) -> list[tuple[str, str, str]]:
    """``(policy, level, urn)`` for each stack diagnostic."""
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(type=t, name=n, urn=urn(t, n), properties=_struct(p)) for t, n, p in resources
        ]
    )
    response = process.stub.AnalyzeStack(request, timeout=30)
    return [(d.policyName, LEVEL[d.enforcementLevel], d.urn) for d in response.diagnostics]


def secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def levels(findings: list[Finding], policy: str) -> list[str]:
    return [level for name, level, _ in findings if name == policy]


RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
SSH = "ssh-ingress-single-host"


def ssh_rule(cidr: Any) -> dict[str, Any]:
    return {"ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrIpv4": cidr, "securityGroupId": "sg-0123"}


def doc(statement: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statement})


EC2_TRUST = doc([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])


# -- what GetAnalyzerInfo carries ------------------------------------------------------------------


@pytest.mark.parametrize("pack", ["network", "identity"])
def test_every_policy_is_described_and_configurable(packs: dict[str, PackProcess], pack: str) -> None:
    info = packs[pack].stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name.startswith("aws-compute-") and info.supportsConfig
    assert len(info.policies) >= 5
    for policy in info.policies:
        assert policy.description and policy.remediation_steps, policy.name
        assert policy.severity != analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED, policy.name
        assert policy.enforcementLevel in (analyzer_pb2.ADVISORY, analyzer_pb2.MANDATORY), policy.name
        assert policy.policy_type in (analyzer_pb2.POLICY_TYPE_RESOURCE, analyzer_pb2.POLICY_TYPE_STACK)


@pytest.mark.parametrize("pack", ["network", "identity"])
def test_every_config_property_has_a_default(packs: dict[str, PackProcess], pack: str) -> None:
    info = packs[pack].stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    for policy in _policy_infos(info):
        for key, spec in policy.config_schema.get("properties", {}).items():
            assert "default" in spec, f"{policy.name}.{key}"


# -- network boundary -------------------------------------------------------------------------------


def test_ssh_from_the_internet_is_mandatory_and_a_single_host_is_clean(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    assert levels(analyze(network, RULE, ssh_rule("0.0.0.0/0")), SSH) == ["mandatory"]
    assert levels(analyze(network, RULE, ssh_rule("203.0.113.10/32")), SSH) == []


def test_inline_ingress_with_all_protocols_and_a_wide_range(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    wide = {"ingress": [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["10.0.0.0/8"]}]}
    findings = analyze(network, SG, wide)
    assert levels(findings, SSH) == ["mandatory"]
    assert "10.0.0.0/8" in next(m for p, _, m in findings if p == SSH)
    ok = {"ingress": [{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"]}]}
    assert levels(analyze(network, SG, ok), SSH) == []


def test_a_secret_cidr_is_still_checked(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    assert levels(analyze(network, RULE, ssh_rule(secret("0.0.0.0/0"))), SSH) == ["mandatory"]
    assert levels(analyze(network, RULE, ssh_rule(secret("203.0.113.10/32"))), SSH) == []


def test_an_unknown_cidr_cannot_run_and_is_not_a_pass(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    findings = [f for f in analyze(network, RULE, ssh_rule(UNKNOWN)) if f[0] == SSH]
    assert [(level, "can't run policy" in message) for _, level, message in findings] == [("advisory", True)]


def test_first_preview_port_80_rule_with_unknown_group_gets_no_advisory(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    props = ssh_rule("0.0.0.0/0") | {"fromPort": 80.0, "toPort": 80.0, "securityGroupId": UNKNOWN}
    assert [f for f in analyze(network, RULE, props) if f[0] == SSH] == []


@pytest.mark.parametrize(
    "props",
    [
        {"ingress": "not-a-list"},
        {"ingress": [{"protocol": "tcp", "fromPort": "abc", "toPort": None, "cidrBlocks": [7]}]},
        {"ipProtocol": 6.0, "fromPort": 22.0, "toPort": 22.0, "cidrIpv4": "not-a-cidr"},
        {},
    ],
)
def test_malformed_properties_never_crash_the_pack(packs: dict[str, PackProcess], props: dict[str, Any]) -> None:
    network = packs["network"]
    configure(network)
    rtype = SG if "ingress" in props or not props else RULE
    analyze(network, rtype, props)  # an exception in a policy would fail the call with an RpcError


def test_ssh_policy_disabled_by_config(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network, {SSH: "disabled"})
    assert levels(analyze(network, RULE, ssh_rule("0.0.0.0/0")), SSH) == []


def test_launch_template_public_ip_at_stack_level(packs: dict[str, PackProcess]) -> None:
    network = packs["network"]
    configure(network)
    public = {"networkInterfaces": [{"associatePublicIpAddress": "true", "deviceIndex": 0.0}]}
    private = {"networkInterfaces": [{"associatePublicIpAddress": "false", "deviceIndex": 0.0}]}
    findings = analyze_stack(network, [(LT, "public", public), (LT, "private", private)])
    flagged = [(level, u) for p, level, u in findings if p == "launch-template-no-public-ip"]
    assert flagged == [("mandatory", urn(LT, "public"))]


# -- identity boundary ------------------------------------------------------------------------------


def test_role_trusting_anyone_is_mandatory_and_ec2_trust_is_clean(packs: dict[str, PackProcess]) -> None:
    identity = packs["identity"]
    configure(identity)
    anyone = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    assert levels(analyze(identity, ROLE, {"assumeRolePolicy": anyone}), "iam-role-trust-no-wildcard-principal") == [
        "mandatory"
    ]
    assert analyze(identity, ROLE, {"assumeRolePolicy": EC2_TRUST}) == []


@pytest.mark.parametrize("as_text", [True, False], ids=["json-text", "object"])
def test_star_action_is_mandatory_in_either_document_shape(packs: dict[str, PackProcess], as_text: bool) -> None:
    identity = packs["identity"]
    configure(identity)
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    policy: Any = doc(statement) if as_text else {"Version": "2012-10-17", "Statement": statement}
    findings = analyze(identity, ROLE_POLICY, {"role": "r", "policy": policy})
    assert levels(findings, "iam-least-privilege-permissions") == ["mandatory"]


def test_scoped_read_is_clean(packs: dict[str, PackProcess]) -> None:
    identity = packs["identity"]
    configure(identity)
    read = doc([{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/prefix/*"}])
    assert analyze(identity, ROLE_POLICY, {"role": "r", "policy": read}) == []


def test_unknown_policy_document_cannot_run(packs: dict[str, PackProcess]) -> None:
    identity = packs["identity"]
    configure(identity)
    findings = analyze(identity, ROLE_POLICY, {"role": "r", "policy": UNKNOWN})
    assert findings and all(level == "advisory" and "can't run" in message for _, level, message in findings)


def test_imdsv2_is_advisory_until_config_makes_it_mandatory(packs: dict[str, PackProcess]) -> None:
    identity = packs["identity"]
    v1 = {"instanceType": "t3.micro", "metadataOptions": {"httpTokens": "optional"}}
    configure(identity)
    assert levels(analyze(identity, INSTANCE, v1), "ec2-imdsv2-required") == ["advisory"]
    configure(identity, {"ec2-imdsv2-required": {"enforcementLevel": "mandatory"}})
    assert levels(analyze(identity, INSTANCE, v1), "ec2-imdsv2-required") == ["mandatory"]
    v2 = {"instanceType": "t3.micro", "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0}}
    assert analyze(identity, INSTANCE, v2) == []

"""The network pack's stack rules decide during a first ``pulumi preview``, when ids and ARNs are unknown.

The real program runs under :class:`FirstPreviewCloud` (no computed outputs, ``preview=True``) and both
real packs judge it over gRPC. The stacks pass with no mandatory violation and no "can't run"; twins
made bad by editing the registered resources fail with the right URN, so the pass is not vacuous.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi.output import Unknown

from offline.analyzer import PackResult, Violation, discover_packs, run_packs
from offline.harness import ProgramRun, RegisteredResource, program_from_file, run_program
from offline.mockcloud import FirstPreviewCloud
from offline.project import load_stack

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess

REPO = Path(__file__).resolve().parents[2]
PACKS = discover_packs(REPO / "policies")
CERT_AND_GREEN = {
    "aws-compute-foundations:certificateArn": (
        "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    ),
    "aws-compute-foundations:green": '{"amiId":"ami-0123456789abcdef0","weight":10}',
}
STACK_RULES = {
    "asg-multi-az-behind-load-balancer",
    "asg-multi-az",
    "instance-sg-admits-only-load-balancer",
    "internet-exposure-allowlist",
    "asg-elb-health-check",
    "launch-template-no-public-ip",
    "http-redirects-to-https",
}
SG_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def first_preview(stack: str, extra: dict[str, str] | None = None) -> ProgramRun:
    settings = load_stack(REPO, stack)
    previous = Path.cwd()
    os.chdir(settings.project_dir)
    try:
        run = run_program(
            program_from_file(settings.program.resolve(), [settings.project_dir.resolve()]),
            FirstPreviewCloud(region=settings.region),
            project=settings.project,
            stack=settings.stack,
            config={**settings.config, **(extra or {})},
            preview=True,
        )
    finally:
        os.chdir(previous)
    return run.check()


def judge(run: ProgramRun) -> list[Violation]:
    results: list[PackResult] = run_packs(PACKS, run.resources, project=run.project, stack=run.stack)
    assert [r.diagnostics for r in results] == [[], []]
    network = next(r for r in results if r.name.endswith("network-boundary"))
    assert set(network.policies) >= STACK_RULES
    return [v for r in results for v in r.violations]


def only(run: ProgramRun, type_suffix: str, name_suffix: str = "") -> RegisteredResource:
    found = [r for r in run.resources if r.type.endswith(type_suffix) and r.name.endswith(name_suffix)]
    assert len(found) == 1, [r.name for r in found]
    return found[0]


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return first_preview("prod")


@pytest.mark.parametrize(
    ("stack", "extra"), [("dev", None), ("prod", None), ("prod", CERT_AND_GREEN)], ids=["dev", "prod", "prod-tls"]
)
def test_own_stacks_pass_and_every_stack_rule_decides(stack: str, extra: dict[str, str] | None) -> None:
    run = first_preview(stack, extra)
    violations = judge(run)
    assert [f"{v.policy}: {v.urn}" for v in violations if v.enforcement_level == "mandatory"] == []
    assert [v.policy for v in violations if "can't run policy" in v.message] == []


def test_prod_is_a_real_first_preview(prod: ProgramRun) -> None:
    """Without unknown ids the test above would prove nothing about a first preview."""
    asg = only(prod, "autoscaling/group:Group")
    assert all(isinstance(v, Unknown) for v in asg.outputs["targetGroupArns"] + asg.outputs["vpcZoneIdentifiers"])
    assert "id" not in only(prod, "ec2/securityGroup:SecurityGroup", "instance-sg").outputs
    assert isinstance(only(prod, SG_RULE, "app-from-alb").outputs["securityGroupId"], Unknown)


def edited(run: ProgramRun, edit: Callable[[ProgramRun], object]) -> ProgramRun:
    twin = copy.copy(run)
    twin.resources = [copy.deepcopy(r) for r in run.resources]
    edit(twin)
    return twin


def _one_zone(run: ProgramRun) -> None:
    asg = only(run, "autoscaling/group:Group")
    for state in (asg.inputs, asg.outputs):
        state["vpcZoneIdentifiers"] = state["vpcZoneIdentifiers"][:1]
    asg.property_dependencies["vpcZoneIdentifiers"] = asg.property_dependencies["vpcZoneIdentifiers"][:1]


def _open_app_port(run: ProgramRun, *, with_dependency: bool) -> RegisteredResource:
    template = only(run, SG_RULE, "app-from-alb")
    instance_sg = only(run, "ec2/securityGroup:SecurityGroup", "instance-sg")
    state = {
        "fromPort": 80.0,
        "toPort": 80.0,
        "ipProtocol": "tcp",
        "cidrIpv4": "0.0.0.0/0",
        "securityGroupId": template.inputs["securityGroupId"],
    }
    rule = RegisteredResource(
        urn=template.urn.replace("compute-app-from-alb", "compute-app-from-anywhere"),
        type=SG_RULE,
        name="compute-app-from-anywhere",
        custom=True,
        inputs=dict(state),
        outputs=dict(state),
        parent=template.parent,
        dependencies=[instance_sg.urn] if with_dependency else [],
        property_dependencies={"securityGroupId": [instance_sg.urn] if with_dependency else []},
    )
    run.resources.append(rule)
    return rule


def test_asg_in_one_zone_fails_during_first_preview(prod: ProgramRun) -> None:
    twin = edited(prod, _one_zone)
    asg = only(twin, "autoscaling/group:Group")
    hits = [v for v in judge(twin) if v.policy == "asg-multi-az-behind-load-balancer"]
    assert [(v.enforcement_level, v.urn) for v in hits] == [("mandatory", asg.urn)]
    assert "span 1 Availability Zone" in hits[0].message


def test_app_port_open_to_the_internet_fails_during_first_preview(prod: ProgramRun) -> None:
    urns: list[str] = []
    twin = edited(prod, lambda run: urns.append(_open_app_port(run, with_dependency=True).urn))
    hits = [v for v in judge(twin) if v.policy == "instance-sg-admits-only-load-balancer"]
    assert [(v.enforcement_level, v.urn) for v in hits] == [("mandatory", urns[0])]
    assert "0.0.0.0/0" in hits[0].message


def test_a_rule_on_an_unknown_group_with_no_dependency_is_not_passed(prod: ProgramRun) -> None:
    """No URN says which group the rule opens: the rule cannot decide, and must say so."""
    twin = edited(prod, lambda run: _open_app_port(run, with_dependency=False))
    hits = [v for v in judge(twin) if v.policy == "instance-sg-admits-only-load-balancer"]
    assert len(hits) == 1 and "can't run policy" in hits[0].message


def test_ec2_health_check_is_reported_during_first_preview(prod: ProgramRun) -> None:
    def ec2(run: ProgramRun) -> None:
        asg = only(run, "autoscaling/group:Group")
        asg.inputs["healthCheckType"] = asg.outputs["healthCheckType"] = "EC2"

    twin = edited(prod, ec2)
    hits = [v for v in judge(twin) if v.policy == "asg-elb-health-check"]
    assert [v.urn for v in hits] == [only(twin, "autoscaling/group:Group").urn]
    assert "can't run" not in hits[0].message and "EC2" in hits[0].message


def test_public_ip_template_is_reported_during_first_preview(prod: ProgramRun) -> None:
    def public(run: ProgramRun) -> None:
        template = only(run, "ec2/launchTemplate:LaunchTemplate")
        for state in (template.inputs, template.outputs):
            state["networkInterfaces"][0]["associatePublicIpAddress"] = "true"

    twin = edited(prod, public)
    hits = [v for v in judge(twin) if v.policy == "launch-template-no-public-ip"]
    assert [(v.enforcement_level, v.urn) for v in hits] == [
        ("mandatory", only(twin, "ec2/launchTemplate:LaunchTemplate").urn)
    ]

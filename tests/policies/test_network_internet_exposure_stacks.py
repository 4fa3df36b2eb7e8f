"""internet-exposure-allowlist on the project's own stacks, through the Analyzer protocol, at a first preview.

The real program runs under the first-preview cloud (every id, ARN and computed output unknown), both
real packs judge it over gRPC, and twins edit one link of the registered resources. The policy must
name the exposed resource, and stay silent where a careless analysis would call a private resource public.
"""

from __future__ import annotations

import pytest

from offline.analyzer import PackError, Violation, run_packs
from offline.harness import ProgramRun
from tests.policies.test_first_preview import PACKS, edited, first_preview, judge, only

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess

POLICY = "internet-exposure-allowlist"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return first_preview("dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return first_preview("prod")


def exposure_hits(run: ProgramRun) -> list[Violation]:
    return [v for v in judge(run) if v.policy == POLICY]


def test_own_stacks_decide_and_pass(dev: ProgramRun, prod: ProgramRun) -> None:
    assert exposure_hits(dev) == [] and exposure_hits(prod) == []


def test_ssh_from_the_world_on_the_lab_instance(dev: ProgramRun) -> None:
    def world(run: ProgramRun) -> None:
        rule = only(run, INGRESS, "ssh")
        rule.inputs["cidrIpv4"] = rule.outputs["cidrIpv4"] = "0.0.0.0/0"

    hits = exposure_hits(edited(dev, world))
    instance = only(dev, "ec2/instance:Instance")
    assert [(v.enforcement_level, v.urn) for v in hits] == [("mandatory", instance.urn)]
    assert "tcp/22 from 0.0.0.0/0" in hits[0].message and "can't run" not in hits[0].message
    assert "igw 'network-igw' → rtb 'network-public-rt' (0.0.0.0/0)" in hits[0].message


def test_lab_instance_without_a_public_ip_is_not_exposed(dev: ProgramRun) -> None:
    def world_but_private(run: ProgramRun) -> None:
        rule = only(run, INGRESS, "ssh")
        rule.inputs["cidrIpv4"] = rule.outputs["cidrIpv4"] = "0.0.0.0/0"
        instance = only(run, "ec2/instance:Instance")
        instance.inputs["associatePublicIpAddress"] = instance.outputs["associatePublicIpAddress"] = False

    assert exposure_hits(edited(dev, world_but_private)) == []


def test_public_template_in_private_subnets_is_not_exposed(prod: ProgramRun) -> None:
    """The launch template asks for public IPs, but the subnets route 0.0.0.0/0 to NAT gateways."""

    def public(run: ProgramRun) -> None:
        template = only(run, "ec2/launchTemplate:LaunchTemplate")
        for state in (template.inputs, template.outputs):
            state["networkInterfaces"][0]["associatePublicIpAddress"] = "true"
        rule = only(run, INGRESS, "app-from-alb")
        for state in (rule.inputs, rule.outputs):
            state.pop("referencedSecurityGroupId", None)
            state["cidrIpv4"] = "0.0.0.0/0"

    twin = edited(prod, public)
    violations = judge(twin)
    assert [v.policy for v in violations if v.policy == POLICY] == []
    assert "launch-template-no-public-ip" in {v.policy for v in violations}


def test_fleet_moved_to_public_subnets_with_public_ips_is_exposed(prod: ProgramRun) -> None:
    def public(run: ProgramRun) -> None:
        template = only(run, "ec2/launchTemplate:LaunchTemplate")
        for state in (template.inputs, template.outputs):
            state["networkInterfaces"][0]["associatePublicIpAddress"] = "true"
        rule = only(run, INGRESS, "app-from-alb")
        for state in (rule.inputs, rule.outputs):
            state.pop("referencedSecurityGroupId", None)
            state["cidrIpv4"] = "0.0.0.0/0"
        rule.property_dependencies.pop("referencedSecurityGroupId", None)
        asg = only(run, "autoscaling/group:Group")
        public_subnets = [r.urn for r in run.resources if r.name.startswith("network-public-") and "Subnet" in r.type]
        asg.property_dependencies["vpcZoneIdentifiers"] = public_subnets

    hits = exposure_hits(edited(prod, public))
    asg = only(prod, "autoscaling/group:Group")
    assert [(v.enforcement_level, v.urn) for v in hits] == [("mandatory", asg.urn)]
    assert "tcp/80 from 0.0.0.0/0" in hits[0].message and "instances of autoscaling group" in hits[0].message


def test_listener_on_a_port_the_group_closes_is_not_exposed(prod: ProgramRun) -> None:
    def moved(run: ProgramRun) -> None:
        listener = only(run, "lb/listener:Listener", "http")
        listener.inputs["port"] = listener.outputs["port"] = 8443.0

    assert exposure_hits(edited(prod, moved)) == []


def test_listener_and_group_on_an_unallowed_port_is_exposed(prod: ProgramRun) -> None:
    def opened(run: ProgramRun) -> None:
        listener = only(run, "lb/listener:Listener", "http")
        listener.inputs["port"] = listener.outputs["port"] = 8443.0
        for rule in (only(run, INGRESS, "alb-80-ipv4"), only(run, INGRESS, "alb-80-ipv6")):
            for state in (rule.inputs, rule.outputs):
                state["fromPort"], state["toPort"] = 0.0, 65535.0

    hits = exposure_hits(edited(prod, opened))
    alb = only(prod, "lb/loadBalancer:LoadBalancer")
    assert [v.urn for v in hits] == [alb.urn] and "tcp/8443 from 0.0.0.0/0" in hits[0].message


def test_internal_load_balancer_exposes_nothing(prod: ProgramRun) -> None:
    def internal(run: ProgramRun) -> None:
        alb = only(run, "lb/loadBalancer:LoadBalancer")
        alb.inputs["internal"] = alb.outputs["internal"] = True
        listener = only(run, "lb/listener:Listener", "http")
        listener.inputs["port"] = listener.outputs["port"] = 8443.0
        for rule in (only(run, INGRESS, "alb-80-ipv4"), only(run, INGRESS, "alb-80-ipv6")):
            for state in (rule.inputs, rule.outputs):
                state["fromPort"], state["toPort"] = 0.0, 65535.0

    assert exposure_hits(edited(prod, internal)) == []


def _ssh_from_world(run: ProgramRun) -> None:
    rule = only(run, INGRESS, "ssh")
    rule.inputs["cidrIpv4"] = rule.outputs["cidrIpv4"] = "0.0.0.0/0"


def test_allowed_travels_through_configure(dev: ProgramRun) -> None:
    twin = edited(dev, _ssh_from_world)
    allowed = [{"resource": "instance", "protocol": "tcp", "ports": [22], "sources": ["anywhere"]}]
    results = run_packs(
        PACKS, twin.resources, project=twin.project, stack=twin.stack, policy_config={POLICY: {"allowed": allowed}}
    )
    assert [v for r in results for v in r.violations if v.policy == POLICY] == []
    # The same stack under the default allowlist is a violation (see above), so the config did the work.
    assert exposure_hits(twin)


def test_a_malformed_allowed_entry_is_refused_before_the_run(dev: ProgramRun) -> None:
    bad = {POLICY: {"allowed": [{"resource": "database", "protocol": "tcp", "ports": [22], "sources": ["anywhere"]}]}}
    with pytest.raises(PackError, match=r"allowed\.0\.resource: 'database' is not one of"):
        run_packs(PACKS, dev.resources, project=dev.project, stack=dev.stack, policy_config=bad)

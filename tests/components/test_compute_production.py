"""The production path: Launch Template, multi-AZ Auto Scaling Group and ALB, instead of the lab instance.
GIVEN Pulumi.prod.yaml (plus the keys a test sets), WHEN the real program runs, THEN the registered
inputs are those below."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from components.compute import Compute, ComputeArgs, FleetArgs
from components.config import GreenFleet
from components.userdata import read_settings
from offline.harness import ProgramRun
from offline.mockcloud import MockCloud
from tests.components.resources import (
    ALB,
    ASG,
    COMPUTE,
    GET_AMI,
    INSTANCE,
    INSTANCE_PROFILE,
    KEY_PAIR,
    LAUNCH_TEMPLATE,
    LISTENER,
    SCALING_POLICY,
    SSM_PARAMETER,
    SUBNET,
    TARGET_GROUP,
    Rule,
    egress_of,
    ingress_of,
    invoked,
    named,
    out,
    user_data_of_template,
)
from tests.conftest import RunComponent, RunStack

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture
def prod(run_stack: RunStack) -> ProgramRun:
    return run_stack("prod").check()


def instance_group_id(run: ProgramRun) -> str:
    (interface,) = run.one(LAUNCH_TEMPLATE).inputs["networkInterfaces"]
    (group_id,) = interface["securityGroups"]
    return str(group_id)


def alb_group_id(run: ProgramRun) -> str:
    (group_id,) = run.one(ALB).inputs["securityGroups"]
    return str(group_id)


# --- what exists ------------------------------------------------------------------------------------


def test_production_registers_one_template_group_and_alb_and_no_standalone_instance(prod: ProgramRun) -> None:
    assert prod.of_type(INSTANCE) == []
    for kind in (LAUNCH_TEMPLATE, ASG, ALB, TARGET_GROUP, SCALING_POLICY):
        assert len(prod.of_type(kind)) == 1, kind


def test_production_private_subnets_span_at_least_two_distinct_azs(prod: ProgramRun) -> None:
    zones = {r.id: r.inputs["availabilityZone"] for r in prod.of_type(SUBNET)}
    asg_subnets = prod.one(ASG).inputs["vpcZoneIdentifiers"]

    assert sorted(asg_subnets) == sorted(prod.outputs["privateSubnetIds"])
    assert len({zones[s] for s in asg_subnets}) >= 2
    assert all(r.inputs.get("mapPublicIpOnLaunch") is not True for r in prod.of_type(SUBNET) if r.id in asg_subnets)


def test_production_children_hang_under_the_compute_component(prod: ProgramRun) -> None:
    component = prod.one(COMPUTE)
    for kind in (LAUNCH_TEMPLATE, ASG, ALB, TARGET_GROUP, LISTENER, SCALING_POLICY):
        for resource in prod.of_type(kind):
            assert resource.parent == component.urn, resource.name
            assert resource.name.startswith("compute-")


# --- Launch Template ----------------------------------------------------------------------------------


def test_template_launches_without_public_ip_in_the_instance_group(prod: ProgramRun) -> None:
    template = prod.one(LAUNCH_TEMPLATE).inputs

    (interface,) = template["networkInterfaces"]
    assert interface["associatePublicIpAddress"] == "false"
    assert interface["deviceIndex"] == 0.0
    assert "vpcSecurityGroupIds" not in template, "EC2 rejects groups beside networkInterfaces"
    assert ingress_of(prod, instance_group_id(prod)), "the template's group is the one the ALB reaches"


def test_template_uses_the_identity_profile_imdsv2_and_an_encrypted_gp3_root(prod: ProgramRun) -> None:
    template = prod.one(LAUNCH_TEMPLATE).inputs

    assert template["iamInstanceProfile"] == {"arn": out(prod.one(INSTANCE_PROFILE), "arn")}
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1.0,
    }
    (root,) = template["blockDeviceMappings"]
    assert root["deviceName"] == "/dev/xvda"
    assert root["ebs"] == {"volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true"}


def test_template_maps_the_root_device_the_image_reports(run_stack: RunStack) -> None:
    class UbuntuLikeCloud(MockCloud):
        def _ami(self, args: dict[str, Any]) -> dict[str, Any]:
            return {**super()._ami(args), "rootDeviceName": "/dev/sda1"}

    cloud = UbuntuLikeCloud()
    run = run_stack("prod", mocks=cloud, amiId="ami-0123456789abcdef0").check()

    (root,) = run.one(LAUNCH_TEMPLATE).inputs["blockDeviceMappings"]
    assert root["deviceName"] == "/dev/sda1"
    (lookup,) = invoked(cloud, GET_AMI)
    assert lookup["filters"] == [{"name": "image-id", "values": ["ami-0123456789abcdef0"]}]
    assert lookup["includeDeprecated"] is True
    assert run.one(LAUNCH_TEMPLATE).inputs["imageId"] == "ami-0123456789abcdef0"


def test_template_tags_instances_and_volumes_and_defaults_each_new_version(prod: ProgramRun) -> None:
    template = prod.one(LAUNCH_TEMPLATE).inputs

    specs = {spec["resourceType"]: spec["tags"] for spec in template["tagSpecifications"]}
    assert set(specs) == {"instance", "volume"}
    for tags in specs.values():
        assert tags["fleet"] == "blue"
        assert tags["project"] == "aws-compute-foundations" and tags["stack"] == "prod"
    assert template["updateDefaultVersion"] is True


def test_template_user_data_serves_the_health_check_the_target_group_sends(run_stack: RunStack) -> None:
    run = run_stack("prod", appPort="8080", healthCheckPath="/ready").check()

    settings = read_settings(user_data_of_template(run.one(LAUNCH_TEMPLATE)))
    health = run.one(TARGET_GROUP).inputs["healthCheck"]
    assert (settings.port, settings.health_path, settings.fleet) == (8080, "/ready", "blue")
    assert health["path"] == "/ready" and health["port"] == "traffic-port"
    assert run.one(TARGET_GROUP).inputs["port"] == 8080.0


def test_template_key_pair_is_optional(run_stack: RunStack, prod: ProgramRun) -> None:
    assert "keyName" not in prod.one(LAUNCH_TEMPLATE).inputs
    public_key = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )

    run = run_stack("prod", sshPublicKey=public_key).check()

    assert run.one(LAUNCH_TEMPLATE).inputs["keyName"] == out(run.one(KEY_PAIR), "keyName")
    assert ingress_of(run, instance_group_id(run)) == ingress_of(prod, instance_group_id(prod)), "a key opens no port"


def test_template_image_follows_the_instance_architecture(run_stack: RunStack) -> None:
    cloud = MockCloud()
    run = run_stack("prod", mocks=cloud, instanceType="m7g.large").check()

    parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    assert [args["name"] for args in invoked(cloud, SSM_PARAMETER)] == [parameter]
    assert run.one(LAUNCH_TEMPLATE).inputs["imageId"] == cloud.ami_for(parameter)
    assert run.one(LAUNCH_TEMPLATE).inputs["instanceType"] == "m7g.large"


# --- Auto Scaling Group -------------------------------------------------------------------------------


def test_group_capacity_comes_from_config_and_desired_is_left_to_the_scaler(run_stack: RunStack) -> None:
    run = run_stack("prod", minSize="2", desiredCapacity="3", maxSize="6").check()
    group = run.one(ASG)

    assert (group.inputs["minSize"], group.inputs["desiredCapacity"], group.inputs["maxSize"]) == (2.0, 3.0, 6.0)
    assert group.ignore_changes == ["desiredCapacity", "launchTemplate.version"]


def test_group_is_pinned_to_the_template_version_number(prod: ProgramRun) -> None:
    template = prod.one(LAUNCH_TEMPLATE)

    assert prod.one(ASG).inputs["launchTemplate"] == {
        "id": template.id,
        "version": str(int(out(template, "latestVersion"))),
    }


def test_group_uses_elb_health_warmup_and_the_target_group(prod: ProgramRun) -> None:
    group = prod.one(ASG).inputs

    assert group["healthCheckType"] == "ELB"
    assert group["healthCheckGracePeriod"] > 0
    assert group["defaultInstanceWarmup"] > 0
    assert group["targetGroupArns"] == [prod.one(TARGET_GROUP).id]


def test_group_tags_propagate_at_launch(prod: ProgramRun) -> None:
    tags = {t["key"]: (t["value"], t["propagateAtLaunch"]) for t in prod.one(ASG).inputs["tags"]}

    assert tags["Name"] == ("compute-blue", True)
    assert tags["project"] == ("aws-compute-foundations", True)
    assert all(propagate is True for _, propagate in tags.values())


def test_scaling_policy_tracks_the_configured_cpu(run_stack: RunStack) -> None:
    run = run_stack("prod", targetCpuPercent="65").check()
    policy = run.one(SCALING_POLICY).inputs

    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["autoscalingGroupName"] == out(run.one(ASG), "name")
    assert policy["targetTrackingConfiguration"] == {
        "predefinedMetricSpecification": {"predefinedMetricType": "ASGAverageCPUUtilization"},
        "targetValue": 65.0,
    }


# --- ALB, listeners, target group ----------------------------------------------------------------------


def test_alb_is_internet_facing_in_every_public_subnet(prod: ProgramRun) -> None:
    alb = prod.one(ALB).inputs

    assert alb["loadBalancerType"] == "application"
    assert alb["internal"] is False
    assert sorted(alb["subnets"]) == sorted(prod.outputs["publicSubnetIds"])
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["enableDeletionProtection"] is True


def test_alb_deletion_protection_follows_config(run_stack: RunStack) -> None:
    run = run_stack("prod", deletionProtection="false").check()

    assert run.one(ALB).inputs["enableDeletionProtection"] is False


def test_alb_group_admits_web_clients_on_80_only_without_a_certificate(prod: ProgramRun) -> None:
    ingress = ingress_of(prod, alb_group_id(prod))

    assert sorted((r.protocol, r.from_port, r.to_port, r.cidr_ipv4 or r.cidr_ipv6) for r in ingress) == [
        ("tcp", 80, 80, "0.0.0.0/0"),
        ("tcp", 80, 80, "::/0"),
    ]
    assert all(r.group is None and r.prefix_list is None for r in ingress)


def test_alb_group_admits_443_with_a_certificate(run_stack: RunStack) -> None:
    run = run_stack("prod", certificateArn=CERTIFICATE).check()

    ports = sorted((r.from_port, r.cidr_ipv4 or r.cidr_ipv6) for r in ingress_of(run, alb_group_id(run)))
    assert ports == [(80, "0.0.0.0/0"), (80, "::/0"), (443, "0.0.0.0/0"), (443, "::/0")]


@pytest.mark.parametrize("app_port", ["80", "8080"])
def test_alb_group_sends_only_to_the_instance_group_on_the_app_port(run_stack: RunStack, app_port: str) -> None:
    run = run_stack("prod", appPort=app_port).check()
    port = int(app_port)

    assert egress_of(run, alb_group_id(run)) == [
        Rule("egress", "tcp", port, port, group=instance_group_id(run), declared_by="compute-alb-to-app")
    ]


@pytest.mark.parametrize("app_port", ["80", "8080"])
def test_instance_group_admits_only_the_alb_group_on_the_app_port(run_stack: RunStack, app_port: str) -> None:
    run = run_stack("prod", appPort=app_port).check()
    port = int(app_port)

    assert ingress_of(run, instance_group_id(run)) == [
        Rule("ingress", "tcp", port, port, group=alb_group_id(run), declared_by="compute-app-from-alb")
    ]


def test_http_listener_forwards_to_the_target_group_without_a_certificate(prod: ProgramRun) -> None:
    listener = prod.one(LISTENER).inputs

    assert (listener["port"], listener["protocol"]) == (80.0, "HTTP")
    assert listener["loadBalancerArn"] == prod.one(ALB).id
    assert listener["defaultActions"] == [{"type": "forward", "targetGroupArn": prod.one(TARGET_GROUP).id}]


def test_certificate_adds_tls13_https_and_http_redirects_301(run_stack: RunStack) -> None:
    run = run_stack("prod", certificateArn=CERTIFICATE).check()
    listeners = {r.inputs["port"]: r.inputs for r in run.of_type(LISTENER)}

    assert set(listeners) == {80.0, 443.0}
    https = listeners[443.0]
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["certificateArn"] == CERTIFICATE
    assert https["defaultActions"] == [{"type": "forward", "targetGroupArn": run.one(TARGET_GROUP).id}]
    assert listeners[80.0]["defaultActions"] == [
        {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}
    ]
    assert run.outputs["albUrl"].startswith("https://")


def test_target_group_checks_health_explicitly_and_drains_quickly(prod: ProgramRun) -> None:
    group = prod.one(TARGET_GROUP).inputs

    assert (group["targetType"], group["protocol"], group["port"]) == ("instance", "HTTP", 80.0)
    assert group["vpcId"] == prod.outputs["vpcId"]
    assert group["deregistrationDelay"] == 30.0
    assert group["healthCheck"] == {
        "enabled": True,
        "protocol": "HTTP",
        "port": "traffic-port",
        "path": "/health",
        "matcher": "200",
        "healthyThreshold": 2.0,
        "unhealthyThreshold": 3.0,
        "interval": 15.0,
        "timeout": 5.0,
    }


# --- exports ------------------------------------------------------------------------------------------


def test_production_exports_the_entry_points(prod: ProgramRun) -> None:
    alb, template = prod.one(ALB), prod.one(LAUNCH_TEMPLATE)

    assert prod.outputs["albDnsName"] == out(alb, "dnsName")
    assert prod.outputs["albUrl"] == f"http://{out(alb, 'dnsName')}"
    assert prod.outputs["asgName"] == out(prod.one(ASG), "name")
    assert prod.outputs["launchTemplateId"] == template.id
    assert prod.outputs["launchTemplateLatestVersion"] == out(template, "latestVersion")
    assert prod.outputs["targetGroupArn"] == prod.one(TARGET_GROUP).id
    assert prod.outputs["credentialsCheck"].endswith(f"/iam/security-credentials/{prod.outputs['roleName']}")
    for lab_only in ("instanceId", "publicIp", "publicDns", "sshCommand"):
        assert lab_only not in prod.outputs
    assert not any(key.startswith("green") for key in prod.outputs)


def test_named_children_are_stable(prod: ProgramRun) -> None:
    for name in ("compute-lt", "compute-asg", "compute-cpu", "compute-alb", "compute-tg", "compute-http"):
        assert named(prod, name)


# --- the component on its own ----------------------------------------------------------------------------


def literal_args(fleet: FleetArgs) -> ComputeArgs:
    return ComputeArgs(
        vpc_id="vpc-0123456789abcdef0",
        subnet_ids=["subnet-0000000000000000a", "subnet-0000000000000000b"],
        instance_profile_name="app-profile",
        instance_profile_arn="arn:aws:iam::123456789012:instance-profile/app-profile",
        fleet=fleet,
    )


@pytest.mark.parametrize(
    ("fleet", "message"),
    [
        (FleetArgs(public_subnet_ids=["subnet-1"], min_size=3, desired_capacity=2, max_size=4), "capacities"),
        (FleetArgs(public_subnet_ids=["subnet-1"], min_size=0, desired_capacity=0, max_size=1), "capacities"),
        (FleetArgs(public_subnet_ids=["subnet-1"], green=GreenFleet(ami_id="ami-12345678", weight=101)), "weight"),
    ],
)
def test_component_rejects_impossible_settings_before_any_child(
    run_component: RunComponent, fleet: FleetArgs, message: str
) -> None:
    run = run_component(lambda opts: Compute("compute", literal_args(fleet), opts=opts))

    assert isinstance(run.error, ValueError) and message in str(run.error)
    assert [r for r in run.resources if r.name.startswith("compute")] == []


def test_component_builds_production_from_literal_wiring(run_component: RunComponent) -> None:
    fleet = FleetArgs(public_subnet_ids=["subnet-0000000000000000c", "subnet-0000000000000000d"])
    run = run_component(lambda opts: Compute("web", literal_args(fleet), opts=opts)).check()

    assert run.one(ASG).inputs["vpcZoneIdentifiers"] == ["subnet-0000000000000000a", "subnet-0000000000000000b"]
    assert run.one(ALB).inputs["subnets"] == ["subnet-0000000000000000c", "subnet-0000000000000000d"]
    assert {r.name for r in run.of_type(LAUNCH_TEMPLATE)} == {"web-lt"}
    # Without role_name the check lists the role instead of naming it.
    assert run.one(COMPUTE).outputs["credentialsCheck"].endswith("/iam/security-credentials/")

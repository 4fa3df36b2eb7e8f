"""The lab stack's compute: one public instance you can SSH into from one host, booted from the shared
launch settings. GIVEN the dev stack's config, WHEN the real program runs, THEN the registered inputs
are those below."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from components.launch import al2023_parameter, architecture
from components.userdata import read_settings
from offline.harness import ProgramRun
from offline.mockcloud import MockCloud
from tests.components.resources import (
    ALB,
    ASG,
    COMPUTE,
    INSTANCE,
    INSTANCE_PROFILE,
    KEY_PAIR,
    LAUNCH_TEMPLATE,
    SECURITY_GROUP,
    SSM_PARAMETER,
    Rule,
    egress_of,
    ingress_of,
    invoked,
    out,
)
from tests.conftest import RunStack


def ed25519_public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


@pytest.fixture
def dev(run_stack: RunStack) -> ProgramRun:
    return run_stack("dev").check()


def instance_group_id(run: ProgramRun) -> str:
    (group_id,) = run.one(INSTANCE).inputs["vpcSecurityGroupIds"]
    return str(group_id)


def test_lab_registers_one_instance_and_no_production_resources(dev: ProgramRun) -> None:
    assert len(dev.of_type(INSTANCE)) == 1
    for production_type in (LAUNCH_TEMPLATE, ASG, ALB):
        assert dev.of_type(production_type) == []


def test_lab_instance_is_public_in_the_first_public_subnet(dev: ProgramRun) -> None:
    instance = dev.one(INSTANCE).inputs

    assert instance["subnetId"] == dev.outputs["publicSubnetIds"][0]
    assert instance["associatePublicIpAddress"] is True


def test_lab_instance_is_created_after_the_internet_gateway_is_attached(dev: ProgramRun) -> None:
    """It has a public IP: CloudFormation's DependsOn guidance orders it after the VPC's gateway attachment (the
    gateway, which pulumi-aws attaches on create), and the cloud rule public-instance-after-gateway checks it."""
    (gateway,) = dev.of_type("aws:ec2/internetGateway:InternetGateway")
    assert gateway.urn in dev.one(INSTANCE).dependencies


def test_lab_instance_on_the_default_vpc_waits_for_nothing(run_stack: RunStack) -> None:
    run = run_stack("dev", useDefaultVpc="true").check()
    assert run.of_type("aws:ec2/internetGateway:InternetGateway") == []
    assert run.one(INSTANCE).inputs["associatePublicIpAddress"] is True


def test_lab_instance_runs_with_the_identity_instance_profile(dev: ProgramRun) -> None:
    profile = dev.one(INSTANCE_PROFILE)

    assert dev.one(INSTANCE).inputs["iamInstanceProfile"] == out(profile, "name")


def test_lab_instance_requires_imdsv2_with_hop_limit_one(dev: ProgramRun) -> None:
    assert dev.one(INSTANCE).inputs["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1.0,
    }


def test_lab_root_volume_is_encrypted_gp3(dev: ProgramRun) -> None:
    root = dev.one(INSTANCE).inputs["rootBlockDevice"]

    assert root["volumeType"] == "gp3"
    assert root["encrypted"] is True
    assert root["deleteOnTermination"] is True
    assert root["tags"]["project"] == "aws-compute-foundations"


def test_lab_instance_sg_admits_only_ssh_from_the_operator_host(dev: ProgramRun) -> None:
    assert ingress_of(dev, instance_group_id(dev)) == [
        Rule("ingress", "tcp", 22, 22, cidr_ipv4="203.0.113.10/32", declared_by="compute-ssh")
    ]


def test_lab_instance_sg_egress_is_open(dev: ProgramRun) -> None:
    assert [(r.protocol, r.cidr_ipv4) for r in egress_of(dev, instance_group_id(dev))] == [("-1", "0.0.0.0/0")]


def test_lab_without_ssh_has_no_ingress_at_all(run_stack: RunStack) -> None:
    run = run_stack("dev", sshEnabled="false", sshCidr=None).check()

    assert ingress_of(run, instance_group_id(run)) == []
    assert run.outputs["sshCommand"].startswith("no key pair configured; use Session Manager")


def test_lab_key_pair_from_the_public_key_and_a_ready_ssh_command(run_stack: RunStack) -> None:
    public_key = ed25519_public_key()
    run = run_stack("dev", sshPublicKey=public_key).check()

    key_pair = run.one(KEY_PAIR)
    assert key_pair.inputs["publicKey"] == public_key
    assert run.one(INSTANCE).inputs["keyName"] == out(key_pair, "keyName")
    assert run.outputs["sshCommand"] == f"ssh -i ~/.ssh/id_ed25519 ec2-user@{run.outputs['publicDns']}"


def test_lab_without_a_key_points_to_session_manager(dev: ProgramRun) -> None:
    assert dev.of_type(KEY_PAIR) == []
    assert "keyName" not in dev.one(INSTANCE).inputs
    assert dev.outputs["sshCommand"].endswith(f"aws ssm start-session --target {dev.outputs['instanceId']}")


def test_lab_with_a_key_but_ssh_disabled_does_not_offer_ssh(run_stack: RunStack) -> None:
    run = run_stack("dev", sshPublicKey=ed25519_public_key(), sshEnabled="false", sshCidr=None).check()

    assert not run.outputs["sshCommand"].startswith("ssh ")
    assert "aws ssm start-session --target" in run.outputs["sshCommand"]


def test_lab_exports_the_instance_and_the_imdsv2_credentials_flow(dev: ProgramRun) -> None:
    instance = dev.one(INSTANCE)
    role = dev.outputs["roleName"]

    assert dev.outputs["instanceId"] == instance.id
    assert dev.outputs["publicIp"] == out(instance, "publicIp")
    assert dev.outputs["publicDns"] == out(instance, "publicDns")
    check = dev.outputs["credentialsCheck"]
    token, _, read = check.partition(" && ")
    assert token == (
        'TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")'
    )
    assert read == (
        'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" '
        f"http://169.254.169.254/latest/meta-data/iam/security-credentials/{role}"
    )


@pytest.mark.parametrize(("instance_type", "arch"), [("t3.micro", "x86_64"), ("t4g.micro", "arm64")])
def test_lab_ami_is_the_latest_al2023_for_the_instance_architecture(
    run_stack: RunStack, instance_type: str, arch: str
) -> None:
    cloud = MockCloud()
    run = run_stack("dev", mocks=cloud, instanceType=instance_type).check()

    parameter = f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
    assert [args["name"] for args in invoked(cloud, SSM_PARAMETER)] == [parameter]
    assert run.one(INSTANCE).inputs["ami"] == cloud.ami_for(parameter)
    assert run.one(INSTANCE).inputs["instanceType"] == instance_type


def test_lab_ami_override_skips_the_ssm_lookup(run_stack: RunStack) -> None:
    cloud = MockCloud()
    run = run_stack("dev", mocks=cloud, amiId="ami-0123456789abcdef0").check()

    assert invoked(cloud, SSM_PARAMETER) == []
    assert run.one(INSTANCE).inputs["ami"] == "ami-0123456789abcdef0"


def test_lab_user_data_serves_the_app_port_and_is_replaced_on_change(run_stack: RunStack) -> None:
    run = run_stack("dev", appPort="8080").check()
    instance = run.one(INSTANCE).inputs

    settings = read_settings(instance["userData"])
    assert (settings.port, settings.health_path, settings.fleet) == (8080, "/health", "lab")
    assert instance["userDataReplaceOnChange"] is True


def test_lab_compute_children_hang_under_the_component_and_carry_its_name(dev: ProgramRun) -> None:
    component = dev.one(COMPUTE)
    children = [r for r in dev.resources if r.parent == component.urn]

    assert {r.type for r in children} >= {INSTANCE, SECURITY_GROUP}
    assert all(r.name.startswith("compute-") for r in children)
    assert all(r.provider for r in children), "children must inherit the stack's explicit AWS provider"


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [
        ("t3.micro", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("g5.xlarge", "x86_64"),
        ("inf2.xlarge", "x86_64"),
        ("u-6tb1.metal", "x86_64"),
        ("t4g.nano", "arm64"),
        ("m7gd.large", "arm64"),
        ("c6gn.medium", "arm64"),
        ("im4gn.large", "arm64"),
        ("is4gen.medium", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("a1.medium", "arm64"),
        ("T4G.Micro", "arm64"),
    ],
)
def test_architecture_follows_the_instance_family(instance_type: str, arch: str) -> None:
    assert architecture(instance_type) == arch
    assert al2023_parameter(instance_type).endswith(f"-{arch}")

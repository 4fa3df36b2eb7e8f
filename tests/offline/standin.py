"""A tiny stand-in project: the lab's shape (VPC, subnet, IGW, SSH security group, role, profile, instance).

Tests of the preview front end and the diagram run it instead of the real program, so they check the
offline engine on its own; the real dev and prod stacks have their own end-to-end tests.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

PROJECT_YAML = """\
name: standin
runtime: python
config:
  sshCidr:
    type: string
    default: 203.0.113.10/32
  appPort:
    type: integer
    default: 8080
  fail:
    type: string
    default: ""
"""

STACK_YAML = """\
config:
  aws:region: eu-west-1
"""

PROGRAM = """\
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
fail = config.get("fail") or ""
if fail == "runerror":
    raise pulumi.RunError("config 'fail': the stand-in refuses to run. Fix: pulumi config rm fail")
if fail == "bug":
    {}["missing"]


class Lab(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("standin:lab:Lab", name, None)
        child = pulumi.ResourceOptions(parent=self)
        vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.0.0.0/16", opts=child)
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, opts=child)
        subnet = aws.ec2.Subnet(
            f"{name}-public-0", vpc_id=vpc.id, cidr_block="10.0.0.0/24", availability_zone="eu-west-1a",
            map_public_ip_on_launch=True, opts=child,
        )
        table = aws.ec2.RouteTable(f"{name}-rt", vpc_id=vpc.id, opts=child)
        aws.ec2.Route(f"{name}-default", route_table_id=table.id, destination_cidr_block="0.0.0.0/0",
                      gateway_id=igw.id, opts=child)
        aws.ec2.RouteTableAssociation(f"{name}-rta", subnet_id=subnet.id, route_table_id=table.id, opts=child)
        sg = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=vpc.id,
            ingress=[aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=22, to_port=22, cidr_blocks=[config.require("sshCidr")])],
            opts=child,
        )
        role = aws.iam.Role(f"{name}-role", assume_role_policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                           "Action": "sts:AssumeRole"}],
        }), opts=child)
        aws.iam.RolePolicy(f"{name}-read", role=role.id, policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                           "Resource": "arn:aws:s3:::lab-bucket/app/*"}],
        }), opts=child)
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=role.name, opts=child)
        self.instance = aws.ec2.Instance(
            f"{name}-vm", ami="ami-0123456789abcdef0", instance_type="t3.micro", subnet_id=subnet.id,
            vpc_security_group_ids=[sg.id], iam_instance_profile=profile.name,
            associate_public_ip_address=True,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required"),
            # A public IP: created after the gateway is attached (cloud rule public-instance-after-gateway).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
        )
        self.register_outputs({})


lab = Lab("lab")
pulumi.export("instanceId", lab.instance.id)
pulumi.export("appPort", config.get_int("appPort"))
pulumi.export("token", pulumi.Output.secret("s3cr3t-value"))
pulumi.export("zones", ["eu-west-1a"])
"""

# A pack with one mandatory rule: any security group that admits tcp/22 at all. The stand-in's SSH
# rule trips it, so the preview must exit 1.
# It needs only pulumi-policy, so it runs from the no-op pack's virtualenv (`make packs`), named absolutely.
NOOP_VENV = Path(__file__).resolve().parents[2] / "offline" / "noop_pack" / "venv"
PACK_YAML = (
    f"runtime:\n  name: python\n  options:\n    virtualenv: {NOOP_VENV}\nversion: 0.0.7\ndescription: stand-in pack\n"
)
PACK_MAIN = """\
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def no_ssh(args, report_violation):
    if args.resource_type != "aws:ec2/securityGroup:SecurityGroup":
        return
    for rule in args.props.get("ingress") or []:
        if rule.get("fromPort", 0) <= 22 <= rule.get("toPort", 0):
            report_violation("SSH is open on this group")


PolicyPack(
    name="standin-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="no-ssh", description="No SSH at all.", validate=no_ssh)],
)
"""


def write_project(root: Path, stack: str = "test", stack_yaml: str = STACK_YAML) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(PROJECT_YAML)
    (root / f"Pulumi.{stack}.yaml").write_text(stack_yaml)
    (root / "__main__.py").write_text(PROGRAM)
    return root


def write_pack(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "PulumiPolicy.yaml").write_text(PACK_YAML)
    (root / "__main__.py").write_text(textwrap.dedent(PACK_MAIN))
    return root

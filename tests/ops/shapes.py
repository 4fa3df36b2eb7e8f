"""The dev and prod stacks' shapes built in moto with boto3, healthy or with one thing broken.

Each builder returns the stack outputs (as ``pulumi stack output --json`` prints them) and the config
(as ``pulumi config --json`` prints it). A variant name breaks exactly one thing the doctor checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT = "aws-compute-foundations"
REGION = "us-east-1"
MY_IP = "203.0.113.7"
BUCKET = "app-bucket"
PREFIX = "app"
APP_PORT = 80
UNKNOWN_VARIANT = "unknown variant"


@cache
def public_key(seed: int = 0) -> str:
    """A fresh 2048-bit RSA OpenSSH public key per seed (EC2 imports RSA and ED25519)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def trust(service: str = "ec2.amazonaws.com") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def read_policy(prefix: str = PREFIX) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadAppObjects",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/{prefix}/*",
                },
                {
                    "Sid": "ListAppPrefix",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": f"arn:aws:s3:::{BUCKET}",
                    "Condition": {"StringLike": {"s3:prefix": [f"{prefix}/*"]}},
                },
            ],
        }
    )


DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


@dataclass
class Clients:
    ec2: Any
    iam: Any
    autoscaling: Any
    elbv2: Any

    @classmethod
    def make(cls) -> Clients:
        session = boto3.Session(region_name=REGION)
        return cls(*(session.client(s) for s in ("ec2", "iam", "autoscaling", "elbv2")))


@dataclass
class Built:
    outputs: dict[str, Any]
    config: dict[str, Any]
    ids: dict[str, str] = field(default_factory=dict)


def cli_config(**keys: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"aws:region": {"value": REGION, "secret": False}}
    for key, value in keys.items():
        if value is not None:
            config[f"{PROJECT}:{key}"] = {"value": value, "secret": False}
    return config


def ami(ec2: Any, architecture: str = "x86_64") -> str:
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "architecture", "Values": [architecture]}])
    return str(images["Images"][0]["ImageId"])


def _identity(c: Clients, name: str, variant: str) -> tuple[str, str]:
    """``(role name, profile ARN)``."""
    role = c.iam.create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=trust("lambda.amazonaws.com" if variant == "trust-lambda" else "ec2.amazonaws.com"),
    )["Role"]
    if variant == "no-s3-permission":
        pass
    elif variant == "wrong-prefix":
        c.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="app-read", PolicyDocument=read_policy("other"))
    else:
        c.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="app-read", PolicyDocument=read_policy())
    if variant == "explicit-deny":
        arn = c.iam.create_policy(PolicyName="deny-s3", PolicyDocument=DENY_S3)["Policy"]["Arn"]
        c.iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
    profile = c.iam.create_instance_profile(InstanceProfileName=f"{name}-profile")["InstanceProfile"]
    holder = role["RoleName"]
    if variant == "profile-other-role":
        holder = c.iam.create_role(RoleName=f"{name}-other", AssumeRolePolicyDocument=trust())["Role"]["RoleName"]
    c.iam.add_role_to_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=holder)
    return role["RoleName"], profile["Arn"]


def _vpc(c: Clients) -> tuple[str, str]:
    vpc = c.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = c.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    c.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    return vpc, igw


def _public_subnet(c: Clients, vpc: str, igw: str, cidr: str, zone: str, *, route: bool = True) -> str:
    subnet = c.ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
    table = c.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if route:
        c.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    c.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return str(subnet)


def _acl(c: Clients, vpc: str, subnet: str, variant: str) -> None:
    """A custom network ACL on the subnet: the lab's rules, or one of two broken ones."""
    acl = c.ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]

    def entry(number: int, egress: bool, low: int, high: int, action: str = "allow", cidr: str = "0.0.0.0/0") -> None:
        c.ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol="6",
            RuleAction=action,
            Egress=egress,
            CidrBlock=cidr,
            PortRange={"From": low, "To": high},
        )

    if variant == "acl-deny-ssh":
        entry(90, False, 22, 22, "deny", f"{MY_IP}/32")
    entry(100, False, 22, 22)
    entry(110, False, 1024, 65535)
    if variant == "acl-no-ephemeral":
        entry(100, True, 443, 443)
        entry(110, True, 1024, 32767)
    else:
        entry(100, True, 443, 443)
        entry(110, True, 1024, 65535)
    associations = c.ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    association = associations["NetworkAcls"][0]["Associations"]
    current = next(a for a in association if a["SubnetId"] == subnet)
    c.ec2.replace_network_acl_association(AssociationId=current["NetworkAclAssociationId"], NetworkAclId=acl)


def build_dev(variant: str = "healthy") -> Built:
    """The lab: VPC, public subnet, IGW route, SSH from MY_IP/32, role + profile, key pair, one instance."""
    c = Clients.make()
    vpc, igw = _vpc(c)
    subnet = _public_subnet(c, vpc, igw, "10.0.0.0/21", "us-east-1a", route=variant != "no-default-route")
    if variant != "no-public-ip":
        c.ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    _acl(c, vpc, subnet, variant)
    sg = c.ec2.create_security_group(GroupName="lab-ssh", Description="SSH from the operator", VpcId=vpc)["GroupId"]
    source = {"sg-other-ip": "198.51.100.9/32", "sg-wide": "203.0.113.0/24"}.get(variant, f"{MY_IP}/32")
    c.ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": source}]}],
    )
    role, profile_arn = _identity(c, "lab", variant)
    c.ec2.import_key_pair(KeyName="lab-key", PublicKeyMaterial=public_key(1 if variant == "wrong-key" else 0))
    launch: dict[str, Any] = {
        "ImageId": ami(c.ec2),
        "MinCount": 1,
        "MaxCount": 1,
        "InstanceType": "t3.micro",
        "SubnetId": subnet,
        "SecurityGroupIds": [sg],
        "KeyName": "lab-key",
        "MetadataOptions": {
            "HttpTokens": "optional" if variant == "imds-optional" else "required",
            "HttpPutResponseHopLimit": 1,
            "HttpEndpoint": "enabled",
        },
    }
    if variant != "no-instance-profile":
        launch["IamInstanceProfile"] = {"Arn": profile_arn}
    instance = c.ec2.run_instances(**launch)["Instances"][0]["InstanceId"]
    if variant == "stopped":
        c.ec2.stop_instances(InstanceIds=[instance])
    if variant == "igw-detached":
        c.ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    described = c.ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]
    outputs = {
        "vpcId": vpc,
        "publicSubnetIds": [subnet],
        "privateSubnetIds": [],
        "roleName": role,
        "instanceId": instance,
        "publicIp": described.get("PublicIpAddress", ""),
        "publicDns": described.get("PublicDnsName", ""),
        "credentialsCheck": "curl ...",
    }
    config = cli_config(sshCidr=f"{MY_IP}/32", sshPublicKey=public_key(0), appBucket=f"{BUCKET}/{PREFIX}")
    return Built(outputs, config, {"sg": sg, "igw": igw, "subnet": subnet})


def _fleet(
    c: Clients, name: str, vpc: str, subnets: list[str], alb_sg: str, instance_sg: str, profile_arn: str, variant: str
) -> tuple[str, str, str, int]:
    """``(group name, template id, target group ARN, latest version)`` of one fleet behind the ALB."""
    data: dict[str, Any] = {
        "ImageId": ami(c.ec2, "arm64" if variant == "ami-arm64" else "x86_64"),
        "InstanceType": "t3.micro",
        "SecurityGroupIds": [instance_sg],
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
    }
    if variant == "no-instance-profile":
        pass
    elif variant == "profile-deleted":
        data["IamInstanceProfile"] = {"Arn": profile_arn.rsplit("/", 1)[0] + "/deleted-profile"}
    else:
        data["IamInstanceProfile"] = {"Arn": profile_arn}
    template = c.ec2.create_launch_template(LaunchTemplateName=f"{name}-lt", LaunchTemplateData=data)
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    version = int(template["LaunchTemplate"]["LatestVersionNumber"])
    target_group = c.elbv2.create_target_group(
        Name=f"{name}-tg",
        Protocol="HTTP",
        Port=APP_PORT,
        VpcId=vpc,
        TargetType="instance",
        HealthCheckPath="/health",
    )["TargetGroups"][0]["TargetGroupArn"]
    c.autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=f"{name}-asg",
        LaunchTemplate={"LaunchTemplateId": template_id, "Version": str(version)},
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        VPCZoneIdentifier=",".join(subnets),
        TargetGroupARNs=[target_group],
        HealthCheckType="ELB",
    )
    if variant == "ami-deregistered":
        c.ec2.deregister_image(ImageId=data["ImageId"])
    if variant == "template-ahead":
        # A new version the rollout has not (yet) brought onto the group.
        c.ec2.create_launch_template_version(
            LaunchTemplateId=template_id, SourceVersion=str(version), LaunchTemplateData={"InstanceType": "t3.small"}
        )
    return f"{name}-asg", template_id, target_group, version


def register_fleet(c: Clients, group: str, target_group: str) -> list[str]:
    """The group's instances as targets (moto leaves registration to the caller)."""
    found = c.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]
    ids = [i["InstanceId"] for i in found["Instances"]]
    registered = {
        t["Target"]["Id"]
        for t in c.elbv2.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
    }
    missing = [i for i in ids if i not in registered]
    if missing:
        c.elbv2.register_targets(TargetGroupArn=target_group, Targets=[{"Id": i, "Port": APP_PORT} for i in missing])
    return ids


def build_prod(variant: str = "healthy", *, green: str | None = None) -> Built:
    """Production: public + private subnets in two AZs, ALB, Launch Template, ASG; ``green`` adds a fleet."""
    c = Clients.make()
    vpc, igw = _vpc(c)
    zones = ["us-east-1a", "us-east-1e" if variant == "type-not-offered" else "us-east-1b"]
    public = [_public_subnet(c, vpc, igw, f"10.0.{8 * i}.0/21", z) for i, z in enumerate(zones)]
    private = [
        c.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{64 + 8 * i}.0/21", AvailabilityZone=z)["Subnet"]["SubnetId"]
        for i, z in enumerate(zones)
    ]
    alb_sg = c.ec2.create_security_group(GroupName="alb", Description="ALB", VpcId=vpc)["GroupId"]
    c.ec2.authorize_security_group_ingress(
        GroupId=alb_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    instance_vpc = vpc
    if variant == "sg-other-vpc":
        instance_vpc = c.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    instance_sg = c.ec2.create_security_group(GroupName="instances", Description="app", VpcId=instance_vpc)["GroupId"]
    if variant == "alb-chain-broken":
        source: dict[str, Any] = {"IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
    else:
        source = {"UserIdGroupPairs": [{"GroupId": alb_sg}]}
    c.ec2.authorize_security_group_ingress(
        GroupId=instance_sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": APP_PORT, "ToPort": APP_PORT, **source}]
    )
    role, profile_arn = _identity(c, "prod", variant)
    alb = c.elbv2.create_load_balancer(
        Name="prod-alb", Subnets=public, SecurityGroups=[alb_sg], Scheme="internet-facing"
    )
    alb_arn = alb["LoadBalancers"][0]["LoadBalancerArn"]
    group, template_id, target_group, version = _fleet(
        c, "blue", vpc, private, alb_sg, instance_sg, profile_arn, variant
    )
    actions = [{"Type": "forward", "TargetGroupArn": target_group}]
    outputs: dict[str, Any] = {
        "vpcId": vpc,
        "publicSubnetIds": public,
        "privateSubnetIds": private,
        "roleName": role,
        "albUrl": f"http://{alb['LoadBalancers'][0]['DNSName']}",
        "albDnsName": alb["LoadBalancers"][0]["DNSName"],
        "targetGroupArn": target_group,
        "asgName": group,
        "launchTemplateId": template_id,
        "launchTemplateLatestVersion": float(version),
        "credentialsCheck": "curl ...",
    }
    ids = {"alb_sg": alb_sg, "instance_sg": instance_sg}
    blue = register_fleet(c, group, target_group)
    if variant == "unhealthy-targets":
        c.ec2.stop_instances(InstanceIds=blue[:1])
    if green is not None:
        green_group, green_template, green_tg, green_version = _fleet(
            c, "green", vpc, private, alb_sg, instance_sg, profile_arn, "healthy"
        )
        actions = [
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": target_group, "Weight": 90},
                        {"TargetGroupArn": green_tg, "Weight": 10},
                    ]
                },
            }
        ]
        fleet = register_fleet(c, green_group, green_tg)
        if green == "unhealthy":
            c.ec2.stop_instances(InstanceIds=fleet[:1])
        elif green == "short":
            c.elbv2.deregister_targets(TargetGroupArn=green_tg, Targets=[{"Id": fleet[0], "Port": APP_PORT}])
        outputs.update(
            greenTargetGroupArn=green_tg,
            greenAsgName=green_group,
            greenLaunchTemplateId=green_template,
            greenLaunchTemplateLatestVersion=float(green_version),
            trafficWeights={"blue": 90.0, "green": 10.0},
        )
    c.elbv2.create_listener(LoadBalancerArn=alb_arn, Protocol="HTTP", Port=80, DefaultActions=actions)
    config = cli_config(production=True, appBucket=f"{BUCKET}/{PREFIX}")
    return Built(outputs, config, ids)

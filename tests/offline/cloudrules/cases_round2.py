"""Twin cases for the round-2 cloud rules (issue 18): every spelling of a property, cross-resource duplicates and
quotas, ARNs by partition and Region, IAM policy grammar, and the examples of the issue's "Why" section.

Merged into ``cases.CASES``/``cases.BASE`` at the end of cases.py (import that module, not this one). In a list,
the bad item comes last; each bound is tried on both sides.
"""

from __future__ import annotations

import json
from typing import Any

from offline.cloudrules import CloudResource
from tests.offline.cloudrules.cases import (
    ALARM,
    ALB_ARN,
    ASG,
    ATTACHMENT,
    DEFAULT_SG,
    ED25519_KEY,
    EGRESS,
    EIP,
    INGRESS,
    INSTANCE,
    KEY,
    LEGACY,
    LISTENER,
    LT,
    NAT,
    NLB_ARN,
    POLICY,
    PROFILE,
    ROLE,
    ROLE_POLICY,
    ROUTE,
    RSA_2048_KEY,
    RTA,
    SG,
    SUBNET,
    TG2_ARN,
    TG_ARN,
    TOPIC,
    VPC,
    Case,
)
from tests.offline.cloudrules.world import IGW_URN, PROVIDER_REF, STACK

IGW = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
ALB_LISTENER = "aws:alb/listener:Listener"
ALB_LISTENER_RULE = "aws:alb/listenerRule:ListenerRule"
ALB_LB = "aws:alb/loadBalancer:LoadBalancer"
HTTPS_LISTENER_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/1/l1"
# An RSA key one bit short of EC2's 2048.
RSA_2047_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAFdPLACKmmNsTdVMoVsqSHz1SMKmt9P/cD9OtwxqdF3rEa5YTD9+Mv86N6/HFuDYo0u7IKmYS7"
    "sZpZHkQ52bI8M2xAo51xVaLu6wRWstGKbfBRdN7g3fr+M5/zHHNkVL91/1sLtwxNGRVZwjJm95u8ODQJOn4ct/lXvj9mEAfdehGjyUfKOV0VBE"
    "o46Na2+wCltkUUOaE7gCK/Yba43NSDBjvr4hArXcZeahFarsE5gjCcrhkinUXAAblCar2e2evr3I5oYreHr8itydg29bI7+qNRHD59RHS2eE4X"
    "y7zgGwwhksDKAklVY62ugphOBBNQ8Zulqxb9pcOLJCJ8n8qus= op@host"
)


def _extra(typ: str, name: str, rid: str, inputs: dict[str, Any]) -> CloudResource:
    return CloudResource(
        urn=f"{STACK}{typ}::{name}", type=typ, name=name, inputs=inputs, id=rid, dependencies=(), provider=PROVIDER_REF
    )


def _many(typ: str, count: int, inputs: Any) -> tuple[CloudResource, ...]:
    return tuple(_extra(typ, f"extra-{i}", f"{typ.rsplit(':', 1)[-1].lower()}-x{i}", inputs(i)) for i in range(count))


def _doc(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


TRUST_OK = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
ALLOW_OK = {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}
BLOCK = {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"], "description": "HTTPS"}
IMDS_TAGS = {"httpTokens": "required", "httpEndpoint": "enabled", "instanceMetadataTags": "enabled"}
ASG_LT = {"id": "lt-1", "version": "1"}
HTTPS_LISTENER = _extra(
    LISTENER, "https", HTTPS_LISTENER_ARN, {"loadBalancerArn": ALB_ARN, "port": 443.0, "protocol": "HTTPS"}
)


def _redirect(protocol: str, port: str = "443") -> dict[str, Any]:
    return {"type": "redirect", "redirect": {"protocol": protocol, "port": port, "statusCode": "HTTP_301"}}


ROUND2_BASE: dict[str, dict[str, Any]] = {
    IGW: {"vpcId": "vpc-1", "tags": {"Name": "igw"}},
    ROUTE_TABLE: {"vpcId": "vpc-1", "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]},
    LISTENER_RULE: {
        "listenerArn": HTTPS_LISTENER_ARN,
        "priority": 10.0,
        "actions": [{"type": "forward", "targetGroupArn": TG_ARN}],
        "conditions": [{"pathPattern": {"values": ["/api/*"]}}],
    },
}

ROUND2_CASES: list[Case] = [
    # --- ARNs: partition, Region, service, format ---
    Case(
        "arn-partition-and-region",
        ATTACHMENT,
        {"policyArn": "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"},
        "policyArn",
        {"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        label="partition",
    ),
    Case(
        "arn-partition-and-region",
        LISTENER,
        {"loadBalancerArn": ALB_ARN.replace("us-east-1", "us-west-2")},
        "loadBalancerArn",
        {"loadBalancerArn": ALB_ARN},
        label="region",
    ),
    Case(
        "arn-partition-and-region",
        ASG,
        {"targetGroupArns": [TG_ARN, "compute-tg"]},
        "targetGroupArns[1]",
        {"targetGroupArns": [TG_ARN, TG2_ARN]},
        label="malformed",
    ),
    Case(
        "arn-partition-and-region",
        ALARM,
        {"alarmActions": [TOPIC, "arn:aws-us-gov:sns:us-gov-west-1:123456789012:ops"]},
        "alarmActions[1]",
        {"alarmActions": [TOPIC], "okActions": [TOPIC]},
        label="alarm-actions",
    ),
    Case(
        "arn-partition-and-region",
        LT,
        {"iamInstanceProfile": {"arn": "arn:aws:iam:us-east-1:123456789012:instance-profile/p"}},
        "iamInstanceProfile.arn",
        {"iamInstanceProfile": {"arn": "arn:aws:iam::123456789012:instance-profile/p"}},
        label="iam-region",
    ),
    Case(
        "arn-partition-and-region",
        ROLE,
        {"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:s3:::bucket"]},
        "managedPolicyArns[1]",
        {"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/p"]},
        label="service",
    ),
    # --- Auto Scaling: names, template versions, maintenance policy ---
    Case(
        "group-name-characters",
        ASG,
        {"name": "compute:asg"},
        "name",
        {"name": "!~" + "a" * 253},
    ),
    Case(
        "group-name-characters",
        ASG,
        {"name": None, "namePrefix": "web asg-"},
        "namePrefix",
        {"name": None, "namePrefix": "web-asg-"},
        label="prefix",
    ),
    Case(
        "group-launch-template-version",
        ASG,
        {"launchTemplate": {**ASG_LT, "version": "latest"}},
        "launchTemplate.version",
        {"launchTemplate": {**ASG_LT, "version": "$Default"}, "instanceRefresh": None},
    ),
    Case(
        "group-launch-template-version",
        ASG,
        {
            "launchTemplate": None,
            "instanceRefresh": None,
            "mixedInstancesPolicy": {
                "launchTemplate": {
                    "launchTemplateSpecification": {"launchTemplateId": "lt-1", "version": "$Latest"},
                    "overrides": [
                        {"instanceType": "t3.micro"},
                        {"instanceType": "t3.small", "launchTemplateSpecification": {"version": "v2"}},
                    ],
                }
            },
        },
        "mixedInstancesPolicy.launchTemplate.overrides[1].launchTemplateSpecification.version",
        {
            "launchTemplate": None,
            "instanceRefresh": None,
            "mixedInstancesPolicy": {
                "launchTemplate": {
                    "launchTemplateSpecification": {"launchTemplateId": "lt-1", "version": "$Latest"},
                    "overrides": [{"instanceType": "t3.small", "launchTemplateSpecification": {"version": "12"}}],
                }
            },
        },
        label="mixed",
    ),
    Case(
        "group-maintenance-policy-both",
        ASG,
        {"instanceMaintenancePolicy": {"maxHealthyPercentage": 150.0}},
        "instanceMaintenancePolicy.minHealthyPercentage",
        {"instanceMaintenancePolicy": {"minHealthyPercentage": 0.0, "maxHealthyPercentage": 100.0}},
    ),
    Case(
        "group-maintenance-policy-both",
        ASG,
        {"instanceMaintenancePolicy": {"minHealthyPercentage": 90.0}},
        "instanceMaintenancePolicy.maxHealthyPercentage",
        {"instanceMaintenancePolicy": {"minHealthyPercentage": -1.0, "maxHealthyPercentage": -1.0}},
        label="min-only",
    ),
    # --- quotas: AWS's default refuses, the raised value accepts ---
    Case(
        "vpcs-per-region",
        VPC,
        {},
        "cidrBlock",
        {},
        extra=_many(VPC, 3, lambda i: {"cidrBlock": f"10.{20 + i}.0.0/16"}),
        accepted_quotas={"vpcs-per-region": 6},
    ),
    Case(
        "subnets-per-vpc",
        SUBNET,
        {},
        "vpcId",
        {},
        extra=_many(SUBNET, 197, lambda i: {"vpcId": "vpc-1", "cidrBlock": f"10.0.{10 + i}.0/24"}),
        accepted_quotas={"subnets-per-vpc": 201},
    ),
    Case(
        "internet-gateways-per-region",
        IGW,
        {},
        "vpcId",
        {},
        extra=_many(IGW, 3, lambda i: {"vpcId": f"vpc-x{i}"}),
        accepted_quotas={"internet-gateways-per-region": 6},
    ),
    Case(
        "elastic-ips-per-region",
        EIP,
        {},
        "domain",
        {},
        extra=_many(EIP, 4, lambda i: {"domain": "vpc"}),
        accepted_quotas={"elastic-ips-per-region": 6},
    ),
    Case(
        "nat-gateways-per-zone",
        NAT,
        {},
        "subnetId",
        # The sixth NAT gateway in us-east-1a is refused; in us-east-1b it is the first.
        {"subnetId": "subnet-b"},
        extra=_many(NAT, 3, lambda i: {"subnetId": "subnet-a2", "allocationId": f"eipalloc-x{i}"}),
    ),
    Case(
        "routes-per-route-table",
        ROUTE,
        {},
        "routeTableId",
        {},
        extra=_many(ROUTE, 50, lambda i: {"routeTableId": "rtb-1", "destinationCidrBlock": f"10.200.{i}.0/24"}),
        accepted_quotas={"routes-per-route-table": 51},
    ),
    Case(
        "routes-per-route-table",
        ROUTE_TABLE,
        {"routes": [{"cidrBlock": f"10.200.{i}.0/24", "gatewayId": "igw-1"} for i in range(51)]},
        "routes",
        {"routes": [{"cidrBlock": f"10.200.{i}.0/24", "gatewayId": "igw-1"} for i in range(50)]},
        label="inline",
    ),
    Case(
        "rules-per-security-group",
        SG,
        {"ingress": [{**BLOCK, "cidrBlocks": [f"10.{i}.0.0/16"]} for i in range(61)]},
        "ingress",
        # 60 IPv4 rules and one IPv6 rule: the quota counts each address family on its own.
        {
            "ingress": [{**BLOCK, "cidrBlocks": [f"10.{i}.0.0/16"]} for i in range(60)]
            + [{**BLOCK, "cidrBlocks": [], "ipv6CidrBlocks": ["::/0"]}]
        },
        label="inline",
    ),
    Case(
        "rules-per-security-group",
        INGRESS,
        {},
        "securityGroupId",
        {"cidrIpv4": None, "cidrIpv6": "2001:db8::/32"},
        extra=_many(
            INGRESS,
            60,
            lambda i: {
                "securityGroupId": "sg-1",
                "ipProtocol": "tcp",
                "fromPort": 1.0,
                "toPort": 1.0,
                "cidrIpv4": f"10.{i}.0.0/16",
            },
        ),
        label="separate",
    ),
    Case(
        "rules-per-security-group",
        INGRESS,
        {},
        "securityGroupId",
        {},
        extra=_many(
            INGRESS,
            60,
            lambda i: {
                "securityGroupId": "sg-1",
                "ipProtocol": "tcp",
                "fromPort": 1.0,
                "toPort": 1.0,
                "cidrIpv4": f"10.{i}.0.0/16",
            },
        ),
        accepted_quotas={"rules-per-security-group": 61},
        label="raised",
    ),
    Case(
        "security-groups-per-interface",
        INSTANCE,
        {"vpcSecurityGroupIds": [f"sg-9{i}" for i in range(6)]},
        "vpcSecurityGroupIds",
        {"vpcSecurityGroupIds": [f"sg-9{i}" for i in range(5)]},
    ),
    Case(
        "security-groups-per-interface",
        LT,
        {"networkInterfaces": [{"deviceIndex": 0.0, "securityGroups": [f"sg-9{i}" for i in range(6)]}]},
        "networkInterfaces[0].securityGroups",
        {"networkInterfaces": [{"deviceIndex": 0.0, "securityGroups": [f"sg-9{i}" for i in range(6)]}]},
        accepted_quotas={"security-groups-per-network-interface": 6},
        label="template",
    ),
    Case(
        "security-groups-per-load-balancer",
        ALB_LB,
        {"securityGroups": [f"sg-9{i}" for i in range(6)]},
        "securityGroups",
        {"securityGroups": [f"sg-9{i}" for i in range(5)]},
    ),
    Case(
        "listeners-per-load-balancer",
        LISTENER,
        {},
        "loadBalancerArn",
        {},
        extra=_many(LISTENER, 50, lambda i: {"loadBalancerArn": ALB_ARN, "port": float(1000 + i), "protocol": "HTTP"}),
        accepted_quotas={"listeners-per-load-balancer": 51},
    ),
    # --- duplicates across the stack ---
    Case(
        "route-destination-once-per-table",
        ROUTE,
        {},
        "destinationCidrBlock",
        {"destinationCidrBlock": "0.0.0.0/1"},
        extra=(_extra(ROUTE, "default-route", "r-1", {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0"}),),
    ),
    Case(
        "route-destination-once-per-table",
        ROUTE,
        {"routeTableId": "rtb-9"},
        "destinationCidrBlock",
        {"routeTableId": "rtb-9", "destinationCidrBlock": "10.9.0.0/16"},
        extra=(
            _extra(
                ROUTE_TABLE,
                "inline-rt",
                "rtb-9",
                {"vpcId": "vpc-1", "routes": [{"cidrBlock": "10.1.0.0/16"}, {"cidrBlock": "0.0.0.0/0"}]},
            ),
        ),
        label="against-inline",
    ),
    Case(
        "route-destination-once-per-table",
        ROUTE_TABLE,
        {
            "routes": [
                {"cidrBlock": "10.1.0.0/16", "gatewayId": "igw-1"},
                {"cidrBlock": "10.1.0.0/16", "gatewayId": "igw-1"},
            ]
        },
        "routes[1]",
        {
            "routes": [
                {"cidrBlock": "10.1.0.0/16", "gatewayId": "igw-1"},
                {"cidrBlock": "10.1.0.0/17", "gatewayId": "igw-1"},
            ]
        },
        label="inline",
    ),
    Case(
        "route-destination-once-per-table",
        ROUTE_TABLE,
        {
            "routes": [
                {"ipv6CidrBlock": "::/0", "egressOnlyGatewayId": "eigw-1"},
                {"ipv6CidrBlock": "0::0/0", "egressOnlyGatewayId": "eigw-1"},
            ]
        },
        "routes[1]",
        {
            "routes": [
                {"ipv6CidrBlock": "::/0", "egressOnlyGatewayId": "eigw-1"},
                {"ipv6CidrBlock": "2001:db8::/32", "egressOnlyGatewayId": "eigw-1"},
            ]
        },
        label="inline-ipv6",
        says="a second route to ::/0 in the same table",
    ),
    Case(
        "route-table-association-once",
        RTA,
        {},
        "subnetId",
        {"subnetId": "subnet-b"},
        extra=(_extra(RTA, "public-a-rt", "rtbassoc-1", {"subnetId": "subnet-a", "routeTableId": "rtb-1"}),),
    ),
    Case(
        "listener-port-once-per-load-balancer",
        ALB_LISTENER,
        {},
        "port",
        {"port": 8443.0},
        extra=(_extra(ALB_LISTENER, "first-443", "l-1", {"loadBalancerArn": ALB_ARN, "port": 443.0}),),
    ),
    Case(
        "target-group-behind-one-load-balancer",
        LISTENER,
        {},
        "defaultActions[0].targetGroupArn",
        {"defaultActions": [{"type": "forward", "targetGroupArn": TG2_ARN}]},
        extra=(
            _extra(
                LISTENER,
                "nlb-80",
                "l-2",
                {
                    "loadBalancerArn": NLB_ARN,
                    "port": 80.0,
                    "defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN}],
                },
            ),
        ),
    ),
    Case(
        "target-group-behind-one-load-balancer",
        ALB_LISTENER_RULE,
        {"actions": [{"type": "forward", "forward": {"targetGroups": [{"arn": TG_ARN}, {"arn": TG2_ARN}]}}]},
        "actions[0].forward.targetGroups[1].arn",
        {"actions": [{"type": "forward", "forward": {"targetGroups": [{"arn": TG_ARN}]}}]},
        extra=(
            HTTPS_LISTENER,
            _extra(
                ALB_LISTENER,
                "nlb-80",
                "l-2",
                {
                    "loadBalancerArn": NLB_ARN,
                    "port": 80.0,
                    "defaultActions": [{"type": "forward", "targetGroupArn": TG2_ARN}],
                },
            ),
        ),
        label="rule",
    ),
    # --- EC2: AMI ids, key material, IOPS per GiB, metadata tags, group names, template versions ---
    Case("ami-id-format", INSTANCE, {"ami": "ami-0ABC1234DEF567890"}, "ami", {"ami": "ami-0123456789abcdef0"}),
    Case("ami-id-format", LT, {"imageId": "ami-1234567"}, "imageId", {"imageId": "ami-12345678"}, label="short"),
    Case("ami-id-format", LT, {"imageId": "ami-123456789"}, "imageId", {"imageId": "ami-abcdef01"}, label="nine"),
    Case(
        "key-pair-public-key-material",
        KEY,
        {"publicKey": ED25519_KEY.split(" ")[0] + " " + ED25519_KEY.split(" ")[1][:-8]},
        "publicKey",
        {"publicKey": ED25519_KEY.split(" op@")[0]},
        label="truncated",
    ),
    Case(
        "key-pair-public-key-material",
        KEY,
        {"publicKey": RSA_2047_KEY},
        "publicKey",
        {"publicKey": RSA_2048_KEY},
        label="rsa-2047",
    ),
    Case(
        "key-pair-public-key-material",
        KEY,
        {"publicKey": RSA_2048_KEY[:200]},
        "publicKey",
        {"publicKey": RSA_2048_KEY},
        label="rsa-truncated",
    ),
    Case(
        "ebs-iops-per-size",
        INSTANCE,
        {"rootBlockDevice": {"volumeType": "gp3", "volumeSize": 10.0, "iops": 5001.0}},
        "rootBlockDevice.iops",
        {"rootBlockDevice": {"volumeType": "gp3", "volumeSize": 10.0, "iops": 5000.0}},
    ),
    Case(
        "ebs-iops-per-size",
        INSTANCE,
        {"rootBlockDevice": {"volumeType": "gp3", "volumeSize": 1.0, "iops": 3001.0}},
        "rootBlockDevice.iops",
        # The 3,000 IOPS baseline comes with any gp3 size.
        {"rootBlockDevice": {"volumeType": "gp3", "volumeSize": 1.0, "iops": 3000.0}},
        label="baseline",
    ),
    Case(
        "ebs-iops-per-size",
        LT,
        {
            "blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"volumeType": "gp3"}},
                {"deviceName": "/dev/xvdb", "ebs": {"volumeType": "io1", "volumeSize": 10.0, "iops": 501.0}},
            ]
        },
        "blockDeviceMappings[1].ebs.iops",
        {"blockDeviceMappings": [{"ebs": {"volumeType": "io1", "volumeSize": 10.0, "iops": 500.0}}]},
        label="io1",
    ),
    Case(
        "ebs-iops-per-size",
        INSTANCE,
        {
            "ebsBlockDevices": [
                {"deviceName": "/dev/xvdb", "volumeType": "gp3"},
                {"deviceName": "/dev/xvdc", "volumeType": "io2", "volumeSize": 10.0, "iops": 10001.0},
            ]
        },
        "ebsBlockDevices[1].iops",
        {"ebsBlockDevices": [{"deviceName": "/dev/xvdc", "volumeType": "io2", "volumeSize": 10.0, "iops": 10000.0}]},
        label="io2",
    ),
    Case(
        "metadata-tag-keys",
        INSTANCE,
        {"metadataOptions": IMDS_TAGS, "tags": {"Name": "lab", "team name": "x"}},
        "tags",
        {"metadataOptions": IMDS_TAGS, "tags": {"Name": "lab", "a+-=.,_:@Z9": "x"}},
    ),
    Case(
        "metadata-tag-keys",
        INSTANCE,
        {"metadataOptions": IMDS_TAGS, "tags": {"Name": "lab", "app/tier": "x"}},
        "tags",
        {"metadataOptions": {**IMDS_TAGS, "instanceMetadataTags": "disabled"}, "tags": {"app/tier": "x"}},
        label="slash",
    ),
    Case(
        "metadata-tag-keys",
        LT,
        {
            "metadataOptions": IMDS_TAGS,
            "tagSpecifications": [{"resourceType": "instance", "tags": {"fleet": "blue", "..": "x"}}],
        },
        "tagSpecifications[0].tags",
        {
            "metadataOptions": IMDS_TAGS,
            # Volume tags are not instance tags: the metadata rule does not reach them.
            "tagSpecifications": [
                {"resourceType": "volume", "tags": {"..": "x"}},
                {"resourceType": "instance", "tags": {"...": "x"}},
            ],
        },
        label="template",
    ),
    Case(
        "instance-group-names",
        INSTANCE,
        {"securityGroups": ["web-sg"]},
        "securityGroups",
        {"subnetId": "default-subnet", "securityGroups": ["web-sg"]},
    ),
    Case(
        "instance-launch-template-version",
        INSTANCE,
        {"launchTemplate": {"id": "lt-1", "version": "latest"}},
        "launchTemplate.version",
        {"launchTemplate": {"id": "lt-1", "version": "$Latest"}},
        says='"latest" is not a version number, $Latest or $Default',
    ),
    Case(
        "instance-launch-template-version",
        INSTANCE,
        {"launchTemplate": {"id": "lt-1", "version": "1.0"}},
        "launchTemplate.version",
        {"launchTemplate": {"id": "lt-1", "version": "10"}},
        label="dotted",
    ),
    Case(
        "public-instance-after-gateway",
        INSTANCE,
        {"associatePublicIpAddress": True},
        "dependsOn",
        {"associatePublicIpAddress": True},
        refused_deps=(),
        accepted_deps=(IGW_URN,),
    ),
    Case(
        "public-instance-after-gateway",
        INSTANCE,
        {"associatePublicIpAddress": True},
        "dependsOn",
        {"associatePublicIpAddress": False},
        refused_deps=(),
        accepted_deps=(),
        label="private",
    ),
    Case(
        "public-instance-after-gateway",
        INSTANCE,
        {"subnetId": "subnet-mapped"},
        "dependsOn",
        {"subnetId": "subnet-mapped"},
        refused_deps=(),
        accepted_deps=(IGW_URN,),
        # No associatePublicIpAddress: the subnet gives every instance a public address.
        extra=(
            _extra(
                SUBNET,
                "mapped",
                "subnet-mapped",
                {"vpcId": "vpc-1", "cidrBlock": "10.0.9.0/24", "mapPublicIpOnLaunch": True},
            ),
        ),
        label="subnet-maps-public",
        says="the instance has a public IP address but is not ordered after network vpc's Internet Gateway",
    ),
    # --- load balancers ---
    Case(
        "redirect-keeps-https",
        LISTENER,
        {"defaultActions": [_redirect("HTTP", "80")]},
        "defaultActions[0].redirect.protocol",
        {"defaultActions": [_redirect("HTTPS", "8443")]},
    ),
    Case(
        "redirect-keeps-https",
        LISTENER_RULE,
        {"actions": [_redirect("HTTP", "80")]},
        "actions[0].redirect.protocol",
        {"actions": [_redirect("#{protocol}", "8443")]},
        extra=(HTTPS_LISTENER,),
        label="rule",
    ),
    # --- IAM ---
    Case(
        "instance-profile-role-name",
        PROFILE,
        {"role": "arn:aws:iam::123456789012:role/app-role"},
        "role",
        {"role": "r" * 64},
    ),
    Case(
        "instance-profile-role-name", PROFILE, {"role": "r" * 65}, "role", {"role": "a_b+c=d,e.f@g-h"}, label="length"
    ),
    Case(
        "policy-document-grammar",
        ROLE,
        {"assumeRolePolicy": _doc({**TRUST_OK, "Resource": "*"})},
        "assumeRolePolicy.Statement[0]",
        {"assumeRolePolicy": _doc(TRUST_OK, {**TRUST_OK, "Principal": "*", "Condition": {"Bool": {"aws:x": "true"}}})},
        label="trust-resource",
    ),
    Case(
        "policy-document-grammar",
        ROLE,
        {"assumeRolePolicy": _doc(TRUST_OK, {**TRUST_OK, "Sid": "Allow EC2"})},
        "assumeRolePolicy.Statement[1]",
        {"assumeRolePolicy": _doc(TRUST_OK, {**TRUST_OK, "Sid": "AllowEC2x0"})},
        label="trust-sid",
    ),
    Case(
        "policy-document-grammar",
        ROLE,
        {"assumeRolePolicy": _doc({"Effect": "Allow", "Action": "sts:AssumeRole"})},
        "assumeRolePolicy.Statement[0]",
        label="trust-no-principal",
    ),
    Case(
        "policy-document-grammar",
        ROLE,
        {"assumeRolePolicy": _doc({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*"})},
        "assumeRolePolicy.Statement[0]",
        label="trust-notprincipal",
    ),
    Case(
        "policy-document-grammar",
        ROLE,
        {"assumeRolePolicy": _doc({**TRUST_OK, "Principal": {"User": "me"}})},
        "assumeRolePolicy.Statement[0]",
        {"assumeRolePolicy": _doc({**TRUST_OK, "Principal": {"AWS": ["arn:aws:iam::1:root"], "Federated": "x"}})},
        label="principal-type",
    ),
    Case(
        "policy-document-grammar",
        ROLE,
        {
            "inlinePolicies": [
                {"name": "ok", "policy": _doc(ALLOW_OK)},
                {"name": "bad", "policy": _doc({**ALLOW_OK, "Principal": "*"})},
            ]
        },
        "inlinePolicies[1].policy.Statement[0]",
        {"inlinePolicies": [{"name": "ok", "policy": _doc(ALLOW_OK)}]},
        label="inline-principal",
    ),
    Case(
        "policy-document-grammar",
        ROLE_POLICY,
        {"policy": _doc({"Effect": "Allow", "Action": "s3:GetObject"})},
        "policy.Statement[0]",
        {"policy": _doc({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})},
        label="no-resource",
    ),
    Case(
        "policy-document-grammar",
        ROLE_POLICY,
        # An object, as other languages send it.
        {"policy": {"Version": "2012-10-17", "Statement": {**ALLOW_OK, "NotPrincipal": {"AWS": "*"}}}},
        "policy.Statement[0]",
        {"policy": {"Version": "2012-10-17", "Statement": ALLOW_OK}},
        label="object",
    ),
    Case(
        "policy-document-grammar",
        POLICY,
        {"policy": _doc(ALLOW_OK, version="2012-10-18")},
        "policy",
        {"policy": _doc(ALLOW_OK, version="2008-10-17")},
        label="version",
    ),
    Case(
        "policy-document-grammar",
        POLICY,
        {"policy": _doc(ALLOW_OK, {**ALLOW_OK, "Sid": "Other", "Effect": "allow"})},
        "policy.Statement[1]",
        {"policy": _doc(ALLOW_OK, {**ALLOW_OK, "Sid": "Other", "Effect": "Deny"})},
        label="effect",
    ),
    Case(
        "policy-document-grammar",
        POLICY,
        {"policy": _doc(ALLOW_OK, {**ALLOW_OK, "Sid": "Other", "NotAction": "s3:PutObject"})},
        "policy.Statement[1]",
        {"policy": _doc(ALLOW_OK, {"Sid": "Other", "Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})},
        label="action-and-notaction",
    ),
    Case(
        "policy-document-grammar",
        POLICY,
        {"policy": _doc(ALLOW_OK, ALLOW_OK)},
        "policy.Statement[1]",
        {"policy": _doc(ALLOW_OK, {**ALLOW_OK, "Sid": ""})},
        label="sid-twice",
    ),
    Case(
        "policy-document-grammar",
        POLICY,
        {"policy": _doc({**ALLOW_OK, "Action": ["s3:GetObject", "s3GetObject"]})},
        "policy.Statement[0]",
        {"policy": _doc({**ALLOW_OK, "Action": ["s3:Get*", "*", "execute-api:Invoke"]})},
        label="action-name",
    ),
    Case(
        "policy-document-grammar",
        POLICY,
        {"policy": json.dumps({"Version": "2012-10-17", "Statement": [ALLOW_OK], "Comment": "x"})},
        "policy",
        {"policy": json.dumps({"Version": "2012-10-17", "Id": "doc-1", "Statement": [ALLOW_OK]})},
        label="top-level",
    ),
    # --- security group rules in every spelling ---
    Case(
        "security-group-pair-description",
        INGRESS,
        {"cidrIpv4": None, "referencedSecurityGroupId": "sg-2", "description": "web & app"},
        "description",
        # An IP range's description may hold "&".
        {"description": "web & app"},
    ),
    Case(
        "security-group-pair-description",
        SG,
        {"ingress": [BLOCK, {**BLOCK, "cidrBlocks": [], "securityGroups": ["sg-2"], "description": "a & b"}]},
        "ingress[1].description",
        {"ingress": [BLOCK, {**BLOCK, "cidrBlocks": [], "securityGroups": ["sg-2"], "description": "a and b ;{}!$*"}]},
        label="inline",
    ),
    Case(
        "security-group-pair-description",
        LEGACY,
        {"cidrBlocks": None, "sourceSecurityGroupId": "sg-2", "description": "x&y"},
        "description",
        {"cidrBlocks": None, "sourceSecurityGroupId": "sg-2", "description": "x y"},
        label="legacy",
    ),
    Case(
        "security-group-pair-description",
        EGRESS,
        {"cidrIpv4": None, "prefixListId": "pl-1", "description": "S3 & DynamoDB"},
        "description",
        {"cidrIpv4": None, "prefixListId": "pl-1", "description": "S3 and DynamoDB"},
        label="prefix-list",
    ),
    Case(
        "security-group-inline-ports",
        SG,
        {"ingress": [BLOCK, {**BLOCK, "fromPort": 443.0, "toPort": 80.0}]},
        "ingress[1].fromPort",
        {"ingress": [BLOCK, {**BLOCK, "fromPort": 0.0, "toPort": 65535.0}]},
    ),
    Case(
        "security-group-inline-ports",
        SG,
        {"egress": [{**BLOCK, "protocol": "-1", "fromPort": 1.0, "toPort": 0.0}]},
        "egress[0].fromPort",
        {"egress": [{**BLOCK, "protocol": "-1", "fromPort": 0.0, "toPort": 0.0}]},
        label="all",
    ),
    Case(
        "security-group-inline-ports",
        DEFAULT_SG,
        {"ingress": [{**BLOCK, "protocol": "all", "fromPort": 0.0, "toPort": 0.0}]},
        "ingress[0].protocol",
        {"ingress": [{**BLOCK, "protocol": "icmp", "fromPort": -1.0, "toPort": 255.0}]},
        label="all-word",
    ),
    Case(
        "security-group-inline-ports",
        SG,
        {"ingress": [{**BLOCK, "protocol": "icmp", "fromPort": 8.0, "toPort": 256.0}]},
        "ingress[0].toPort",
        label="icmp",
    ),
    Case(
        "security-group-block-cidrs",
        SG,
        {"ingress": [BLOCK, {**BLOCK, "cidrBlocks": ["10.0.0.0/8", "10.0.0.1/8"]}]},
        "ingress[1].cidrBlocks[1]",
        {"ingress": [BLOCK, {**BLOCK, "cidrBlocks": ["10.0.0.0/8", "10.0.0.1/32"]}]},
    ),
    Case(
        "security-group-block-cidrs",
        SG,
        {"egress": [{**BLOCK, "cidrBlocks": [], "ipv6CidrBlocks": ["::/0", "10.0.0.0/8"]}]},
        "egress[0].ipv6CidrBlocks[1]",
        {"egress": [{**BLOCK, "cidrBlocks": [], "ipv6CidrBlocks": ["::/0", "2001:db8::/32"]}]},
        label="v6",
    ),
    Case(
        "security-group-block-cidrs",
        LEGACY,
        {"cidrBlocks": ["10.0.0.0/16", "::/0"]},
        "cidrBlocks[1]",
        {"cidrBlocks": ["10.0.0.0/16"], "ipv6CidrBlocks": ["::/0"]},
        label="legacy",
    ),
    Case(
        "security-group-inline-source",
        SG,
        {"egress": [BLOCK, {**BLOCK, "cidrBlocks": []}]},
        "egress[1]",
        {"egress": [BLOCK, {**BLOCK, "cidrBlocks": [], "self": True}]},
    ),
]

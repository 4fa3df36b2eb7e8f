"""Twin cases for every cloud rule: a refused input and an accepted one, each a change to a valid base.

``BASE`` holds, per type, inputs that every rule accepts; a case names the rule it is about, the change
that breaks it (with the property the refusal must name) and a change at the edge that it accepts.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from tests.offline.cloudrules.world import ELB_LOG_POLICY, IGW_URN, LOGS_POLICY_URN, TRUST

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY = "aws:ec2/securityGroupRule:SecurityGroupRule"
KEY = "aws:ec2/keyPair:KeyPair"
INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
LB = "aws:lb/loadBalancer:LoadBalancer"
ALB_ALIAS = "aws:alb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/policy:Policy"
ASG = "aws:autoscaling/group:Group"
SCALING = "aws:autoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ROLLOUT = "pulumi-python:dynamic/autoscaling:Rollout"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_ALIAS = "aws:s3/bucketV2:BucketV2"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
FULL_ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/compute-alb/50dc6c495c0c9188"
REGIONAL_ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/compute-waf/a1b2"
LOGS = {"bucket": "logs-bucket", "enabled": True, "prefix": "alb"}
ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1"
NLB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/n/1"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1"
TG2_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/2"
# Whole OpenSSH public keys: EC2 parses the key body (key-pair-public-key-material).
ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4 op@host"
RSA_2048_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDQ6dvVQmqbDBswhdB8P41UhGR3mSdDhk5VdYxoHHXlt/o9rZQAUMam+kqxzpxgsceyAbu9sAeTt"
    "3qEJkFR+tioTtQRwZoW6NMJIQG5VohvjNC0oWq1ePYOqXvlcWfDi0YK0tiB7+rvXHB+eX8zWbudhAFMxS0dR9QllopY112aPW4hqd3YNs/oITHK67"
    "9M0f4Xo0Y4uO99s9orEsLhhf3BmA8yL5v+HIXbacGjFQE2zYSvqMt1TpCFRTW/lgpDZ8htPQJH7AA6py0M9xhBYwso0VzuiOQwTxr+He6yBZZF0DcR"
    "sqYpI+4duZZiYVk6DxWrHG3Cb/eZ0G0r9bPSjy0j op@host"
)
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
DOC = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)


def _doc_of_size(size: int, *, trust: bool = False) -> str:
    """A policy document (identity, or a role's trust policy) of exactly ``size`` non-whitespace characters,
    padded with whitespace too."""
    statement: dict[str, Any] = (
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/"}, "Action": "sts:AssumeRole"}
        if trust
        else {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::"}
    )
    head = {"Version": "2012-10-17", "Statement": [statement]}
    base_size = len(json.dumps(head, separators=(",", ":")))
    if trust:
        statement["Principal"]["AWS"] += "a" * (size - base_size)
    else:
        statement["Resource"] += "a" * (size - base_size)
    return json.dumps(head, indent=4)


BASE: dict[str, dict[str, Any]] = {
    BUCKET: {"bucket": "compute-alb-logs-123456789012", "forceDestroy": False, "tags": {"Name": "logs"}},
    BUCKET_POLICY: {"bucket": "logs-bucket", "policy": ELB_LOG_POLICY},
    PAB: {
        "bucket": "logs-bucket",
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    },
    OWNERSHIP: {"bucket": "logs-bucket", "rule": {"objectOwnership": "BucketOwnerEnforced"}},
    LIFECYCLE: {
        "bucket": "logs-bucket",
        "rules": [
            {
                "id": "expire-logs",
                "status": "Enabled",
                "filter": {"prefix": "alb/"},
                "expiration": {"days": 90.0},
                "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0},
                "transitions": [{"days": 30.0, "storageClass": "STANDARD_IA"}],
            }
        ],
    },
    SSE: {
        "bucket": "logs-bucket",
        "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "bucketKeyEnabled": True}],
    },
    WEB_ACL: {
        "name": "compute-waf",
        "scope": "REGIONAL",
        "description": "Managed rules and a rate limit for the ALB",
        "defaultAction": {"allow": {}},
        "visibilityConfig": {
            "cloudwatchMetricsEnabled": True,
            "metricName": "compute-waf",
            "sampledRequestsEnabled": True,
        },
        "rules": [
            {
                "name": "aws-common",
                "priority": 0.0,
                "overrideAction": {"none": {}},
                "statement": {
                    "managedRuleGroupStatement": {"name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"}
                },
                "visibilityConfig": {
                    "cloudwatchMetricsEnabled": True,
                    "metricName": "aws-common",
                    "sampledRequestsEnabled": True,
                },
            },
            {
                "name": "rate-limit",
                "priority": 1.0,
                "action": {"block": {}},
                "statement": {
                    "rateBasedStatement": {"limit": 2000.0, "aggregateKeyType": "IP", "evaluationWindowSec": 300.0}
                },
                "visibilityConfig": {
                    "cloudwatchMetricsEnabled": True,
                    "metricName": "rate-limit",
                    "sampledRequestsEnabled": True,
                },
            },
        ],
    },
    WAF_ASSOCIATION: {"resourceArn": FULL_ALB_ARN, "webAclArn": REGIONAL_ACL},
    VPC: {"cidrBlock": "10.9.0.0/16", "enableDnsHostnames": True, "enableDnsSupport": True, "tags": {"Name": "v"}},
    SUBNET: {"vpcId": "vpc-1", "cidrBlock": "10.0.3.0/24", "availabilityZone": "us-east-1a", "tags": {"Name": "s"}},
    ROUTE: {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"},
    RTA: {"subnetId": "subnet-a", "routeTableId": "rtb-1"},
    EIP: {"domain": "vpc", "tags": {"Name": "e"}},
    NAT: {"allocationId": "eipalloc-1", "subnetId": "subnet-a", "tags": {"Name": "n"}},
    SG: {"vpcId": "vpc-1", "name": "web-sg", "description": "Web: 80 and 443 from the internet (ipv4)", "tags": {}},
    DEFAULT_SG: {"vpcId": "vpc-1", "ingress": [], "egress": []},
    INGRESS: {
        "securityGroupId": "sg-1",
        "description": "SSH from one host",
        "ipProtocol": "tcp",
        "fromPort": 22.0,
        "toPort": 22.0,
        "cidrIpv4": "203.0.113.10/32",
    },
    EGRESS: {"securityGroupId": "sg-1", "description": "All outbound", "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"},
    LEGACY: {
        "type": "ingress",
        "securityGroupId": "sg-1",
        "protocol": "tcp",
        "fromPort": 443.0,
        "toPort": 443.0,
        "cidrBlocks": ["10.0.0.0/16"],
        "description": "TLS",
    },
    KEY: {"keyName": "operator-key", "publicKey": ED25519_KEY},
    INSTANCE: {
        "ami": "ami-0abc1234def567890",
        "instanceType": "t3.micro",
        "subnetId": "subnet-a",
        "vpcSecurityGroupIds": ["sg-1"],
        "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled", "httpPutResponseHopLimit": 1.0},
        "rootBlockDevice": {"volumeType": "gp3", "encrypted": True, "tags": {"Name": "root"}},
        "userData": "#!/bin/sh\necho hi\n",
        "tags": {"Name": "lab"},
    },
    LT: {
        "name": "compute-lt-1a2b3c4",
        "description": "Versioned launch settings (components/launch.py)",
        "imageId": "ami-12345678",
        "instanceType": "t3.micro",
        "networkInterfaces": [{"deviceIndex": 0.0, "associatePublicIpAddress": "false", "securityGroups": ["sg-1"]}],
        "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled", "httpPutResponseHopLimit": 1.0},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeType": "gp3", "encrypted": "true"}}],
        "tagSpecifications": [
            {"resourceType": "instance", "tags": {"fleet": "blue"}},
            {"resourceType": "volume", "tags": {"fleet": "blue"}},
        ],
        "userData": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
    },
    LB: {
        "name": "compute-alb-1a2b3c4",
        "loadBalancerType": "application",
        "internal": False,
        "subnets": ["subnet-a", "subnet-b"],
        "securityGroups": ["sg-1"],
        "dropInvalidHeaderFields": True,
        "tags": {"Name": "alb"},
    },
    TG: {
        "name": "compute-tg-1a2b3c4",
        "targetType": "instance",
        "port": 80.0,
        "protocol": "HTTP",
        "vpcId": "vpc-1",
        "deregistrationDelay": 30.0,
        "healthCheck": {
            "enabled": True,
            "protocol": "HTTP",
            "port": "traffic-port",
            "path": "/health",
            "matcher": "200",
            "healthyThreshold": 2.0,
            "unhealthyThreshold": 3.0,
            "interval": 15.0,
            "timeout": 5.0,
        },
    },
    LISTENER: {
        "loadBalancerArn": ALB_ARN,
        "port": 443.0,
        "protocol": "HTTPS",
        "certificateArn": CERT,
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN}],
    },
    ROLE: {
        "name": "identity-role-1a2b3c4",
        "path": "/",
        "assumeRolePolicy": TRUST,
        "description": "Instance role: trusted by EC2 only",
        "maxSessionDuration": 3600.0,
    },
    ROLE_POLICY: {"name": "read-1a2b3c4", "role": "app-role", "policy": DOC},
    ATTACHMENT: {"role": "app-role", "policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"},
    PROFILE: {"name": "identity-profile-1a2b3c4", "role": "app-role", "path": "/"},
    POLICY: {"name": "app-read", "path": "/", "policy": DOC, "description": "read"},
    ASG: {
        "name": "compute-asg-1a2b3c4",
        "minSize": 1.0,
        "desiredCapacity": 2.0,
        "maxSize": 4.0,
        "vpcZoneIdentifiers": ["subnet-a", "subnet-b"],
        "launchTemplate": {"id": "lt-1", "version": "1"},
        "targetGroupArns": [TG_ARN],
        "healthCheckType": "ELB",
        "healthCheckGracePeriod": 120.0,
        "defaultInstanceWarmup": 120.0,
        "instanceMaintenancePolicy": {"minHealthyPercentage": 100.0, "maxHealthyPercentage": 150.0},
        "instanceRefresh": {
            "strategy": "Rolling",
            "preferences": {
                "minHealthyPercentage": 100.0,
                "maxHealthyPercentage": 150.0,
                "autoRollback": True,
                "skipMatching": False,
                "scaleInProtectedInstances": "Refresh",
                "standbyInstances": "Terminate",
            },
        },
        "tags": [{"key": "Name", "value": "blue", "propagateAtLaunch": True}],
    },
    ALARM: {
        "name": "compute-unhealthy-1a2b3c4",
        "alarmDescription": "Targets failing the load balancer's health check",
        "namespace": "AWS/ApplicationELB",
        "metricName": "UnHealthyHostCount",
        "dimensions": {"TargetGroup": "targetgroup/t/1", "LoadBalancer": "app/a/1"},
        "statistic": "Maximum",
        "period": 60.0,
        "evaluationPeriods": 2.0,
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": 0.0,
        "treatMissingData": "notBreaching",
    },
    ROLLOUT: {
        "autoScalingGroupName": "compute-asg-1a2b3c4",
        "launchTemplateId": "lt-1",
        "launchTemplateVersion": "2",
        "imageId": "ami-0123456789abcdef0",
        "minHealthyPercentage": 100.0,
        "maxHealthyPercentage": 150.0,
        "instanceWarmupSeconds": 120.0,
        "alarmNames": ["compute-unhealthy-1a2b3c4", "compute-5xx-1a2b3c4"],
        "timeoutSeconds": 1800.0,
        "region": "us-east-1",
    },
    SCALING: {
        "name": "compute-cpu-1a2b3c4",
        "autoscalingGroupName": "compute-asg",
        "policyType": "TargetTrackingScaling",
        "targetTrackingConfiguration": {
            "predefinedMetricSpecification": {"predefinedMetricType": "ASGAverageCPUUtilization"},
            "targetValue": 50.0,
        },
    },
}


BASE_RULES = BASE[WEB_ACL]["rules"]


@dataclass(frozen=True)
class Case:
    rule: str
    type: str
    # Changes that make AWS refuse the resource, and the property the refusal names.
    refused: dict[str, Any]
    property: str
    # Changes, at the edge of what AWS allows, that it accepts. @default {} (the base)
    accepted: dict[str, Any] = field(default_factory=dict)
    # Dependencies of the refused / accepted resource (ordering rules).
    refused_deps: tuple[str, ...] = (IGW_URN,)
    accepted_deps: tuple[str, ...] = (IGW_URN,)
    label: str = ""
    # Resources created before the subject (cross-resource rules), and the quotas the account raised.
    extra: tuple[Any, ...] = ()
    refused_quotas: dict[str, int] = field(default_factory=dict)
    accepted_quotas: dict[str, int] = field(default_factory=dict)
    # What the refusal at ``property`` must say (a fragment of the message a user reads), and its code if not
    # the rule's own.
    says: str = ""
    code: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.label or self.property}"


def tags(n: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(n)}


HC = BASE[TG]["healthCheck"]
PREFS = BASE[ASG]["instanceRefresh"]["preferences"]

CASES: list[Case] = [
    # --- tags (default tags: 3 from the provider) ---
    Case("tag-reserved-prefix", VPC, {"tags": {"Name": "v", "AWS:owner": "x"}}, "tags", {"tags": {"owner-aws:": "x"}}),
    Case(
        "tag-reserved-prefix",
        INSTANCE,
        {"rootBlockDevice": {"volumeType": "gp3", "tags": {"a": "1", "aws:x": "1"}}},
        "rootBlockDevice.tags",
        label="nested",
    ),
    Case("tag-lengths", SUBNET, {"tags": {"k" * 128: "v"}}, "tags", {"tags": {"k" * 127: "v" * 256}}),
    Case("tag-lengths", ROLE, {"tags": {"k": "v" * 257}}, "tags", {"tags": {"k" * 128: "v" * 256}}, label="value"),
    Case(
        "tag-lengths",
        LT,
        {
            "tagSpecifications": [
                {"resourceType": "instance", "tags": {"a": "b"}},
                {"resourceType": "volume", "tags": {"v": "x" * 257}},
            ]
        },
        "tagSpecifications[1].tags",
        label="specification",
    ),
    Case(
        "tag-lengths",
        ASG,
        {"tags": [{"key": "a", "value": "b"}, {"key": "k" * 129, "value": "v"}]},
        "tags",
        {"tags": [{"key": "k" * 128, "value": "v" * 256}]},
        label="asg",
    ),
    Case("tag-count", EIP, {"tags": tags(48)}, "tags", {"tags": tags(47)}),
    Case(
        "tag-count",
        ASG,
        {"tags": [{"key": f"k{i}", "value": "v"} for i in range(51)]},
        "tags",
        {"tags": [{"key": f"k{i}", "value": "v"} for i in range(50)]},
        label="asg",
    ),
    Case(
        "tag-charset",
        LB,
        {"tags": {"Name": "alb", "team": "ops&dev"}},
        "tags",
        {"tags": {"équipe": "a_b.c:d/e=f+g-h@i j"}},
    ),
    # --- VPC and subnets ---
    Case(
        "vpc-cidr-size",
        VPC,
        {"cidrBlock": "10.0.0.0/15"},
        "cidrBlock",
        {"cidrBlock": "10.0.0.0/28"},
        says="10.0.0.0/15: the block size must be between /16 and /28",
    ),
    Case("vpc-cidr-size", VPC, {"cidrBlock": "10.0.0.0/29"}, "cidrBlock", {"cidrBlock": "10.0.0.0/16"}, label="small"),
    Case(
        "vpc-cidr-size",
        VPC,
        {"cidrBlock": "fd00::/56"},
        "cidrBlock",
        {"cidrBlock": "10.0.0.0/20"},
        label="ipv6",
        says='"fd00::/56" is not an IPv4 CIDR block',
        code="InvalidParameterValue",
    ),
    Case(
        "vpc-dns-hostnames-need-support",
        VPC,
        {"enableDnsSupport": False},
        "enableDnsHostnames",
        {"enableDnsHostnames": False, "enableDnsSupport": False},
    ),
    Case(
        "subnet-cidr-size",
        SUBNET,
        {"cidrBlock": "10.0.3.0/29"},
        "cidrBlock",
        {"cidrBlock": "10.0.3.0/28"},
        says="10.0.3.0/29: the subnet size must be between /16 and /28",
    ),
    Case("subnet-cidr-in-vpc", SUBNET, {"cidrBlock": "10.2.0.0/24"}, "cidrBlock", {"cidrBlock": "10.0.255.0/24"}),
    Case("subnet-cidr-no-overlap", SUBNET, {"cidrBlock": "10.0.2.128/25"}, "cidrBlock", {"cidrBlock": "10.0.3.0/24"}),
    Case(
        "subnet-zone-in-region",
        SUBNET,
        {"availabilityZone": "us-west-2a"},
        "availabilityZone",
        {"availabilityZone": "us-east-1f"},
    ),
    # --- gateways and routes ---
    Case("route-one-target-one-destination", ROUTE, {"natGatewayId": "nat-1"}, "target"),
    Case(
        "route-one-target-one-destination",
        ROUTE,
        {"gatewayId": None},
        "target",
        # An empty target is no target: the provider sends "" for an unset one.
        {"gatewayId": "", "natGatewayId": "nat-1"},
        label="none",
        says="exactly one target is required, got 0 (none)",
    ),
    Case(
        "route-one-target-one-destination",
        ROUTE,
        {"destinationCidrBlock": None},
        "destination",
        {"destinationCidrBlock": None, "destinationPrefixListId": "pl-1"},
        label="destination",
    ),
    Case("route-target-in-vpc", ROUTE, {"gatewayId": "igw-2"}, "gatewayId"),
    Case(
        "route-target-in-vpc",
        ROUTE,
        {"gatewayId": None, "natGatewayId": "nat-2"},
        "natGatewayId",
        {"gatewayId": None, "natGatewayId": "nat-1"},
        label="nat",
    ),
    Case(
        "route-table-association-one-target",
        RTA,
        {"gatewayId": "igw-1"},
        "subnetId",
        {"subnetId": None, "gatewayId": "igw-1"},
    ),
    Case(
        "route-table-association-same-vpc",
        RTA,
        {"routeTableId": "rtb-2"},
        "routeTableId",
        {"subnetId": "subnet-x", "routeTableId": "rtb-2"},
    ),
    Case("eip-domain", EIP, {"domain": "classic"}, "domain", {"domain": "standard"}),
    Case(
        "nat-gateway-public-needs-allocation",
        NAT,
        {"allocationId": None},
        "allocationId",
        {"allocationId": None, "connectivityType": "private"},
    ),
    # --- security groups ---
    Case(
        "security-group-description",
        SG,
        {"description": "Load balancer: the instances' port"},
        "description",
        {"description": "a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*" + "x" * 224},
    ),
    Case("security-group-description", SG, {"description": "x" * 256}, "description", label="length"),
    Case(
        "security-group-description",
        DEFAULT_SG,
        {"ingress": [{"description": "ok"}, {"description": "café"}]},
        "ingress[1].description",
        label="inline",
    ),
    Case("security-group-name", SG, {"name": "sg-web"}, "name", {"name": "web-sg-" + "x" * 248}),
    Case("security-group-name", SG, {"name": "web|sg"}, "name", label="charset"),
    Case(
        "security-group-rule-description",
        INGRESS,
        {"description": "SSH from the operator's one host"},
        "description",
        {"description": "SSH from the operator host (one /32)"},
    ),
    Case("security-group-rule-description", EGRESS, {"description": "to <app>"}, "description", label="egress"),
    Case(
        "security-group-rule-description",
        LEGACY,
        {"description": "x" * 256},
        "description",
        {"description": "x" * 255},
        label="legacy",
    ),
    Case(
        "security-group-rule-one-source",
        INGRESS,
        {"referencedSecurityGroupId": "sg-2"},
        "cidrIpv4",
        {"cidrIpv4": None, "referencedSecurityGroupId": "sg-2"},
    ),
    Case("security-group-rule-one-source", EGRESS, {"cidrIpv4": None}, "cidrIpv4", label="none"),
    Case(
        "security-group-rule-one-source",
        LEGACY,
        {"cidrBlocks": [], "self": False},
        "cidrBlocks",
        {"cidrBlocks": [], "self": True},
        label="legacy",
    ),
    Case(
        "security-group-rule-ports",
        INGRESS,
        {"fromPort": 23.0, "toPort": 22.0},
        "fromPort",
        {"fromPort": 0.0, "toPort": 65535.0},
    ),
    Case("security-group-rule-ports", INGRESS, {"toPort": 65536.0}, "fromPort", label="high"),
    Case("security-group-rule-ports", INGRESS, {"fromPort": None}, "fromPort", label="missing"),
    Case(
        "security-group-rule-ports",
        EGRESS,
        {"fromPort": 0.0, "toPort": 0.0},
        "fromPort",
        {"fromPort": -1.0, "toPort": -1.0},
        label="all",
    ),
    Case(
        "security-group-rule-ports",
        INGRESS,
        {"ipProtocol": "icmp", "fromPort": 256.0, "toPort": 0.0},
        "fromPort",
        {"ipProtocol": "icmp", "fromPort": 8.0, "toPort": 0.0},
        label="icmp",
    ),
    Case(
        "security-group-rule-cidr", INGRESS, {"cidrIpv4": "203.0.113.10/24"}, "cidrIpv4", {"cidrIpv4": "203.0.113.0/24"}
    ),
    Case(
        "security-group-rule-cidr",
        INGRESS,
        {"cidrIpv4": None, "cidrIpv6": "10.0.0.0/8"},
        "cidrIpv6",
        {"cidrIpv4": None, "cidrIpv6": "::/0"},
        label="v6",
    ),
    # --- key pairs ---
    Case("key-pair-name", KEY, {"keyName": "clé"}, "keyName", {"keyName": "k" * 255}),
    Case("key-pair-name", KEY, {"keyName": "k" * 256}, "keyName", label="length"),
    Case(
        "key-pair-public-key-type",
        KEY,
        {"publicKey": "ecdsa-sha2-nistp256 AAAA op@host"},
        "publicKey",
        {"publicKey": RSA_2048_KEY},
    ),
    # --- instances, templates, volumes ---
    Case(
        "ebs-volume-settings",
        INSTANCE,
        {"rootBlockDevice": {"volumeType": "gp3", "iops": 2999.0}},
        "rootBlockDevice.iops",
        {"rootBlockDevice": {"volumeType": "gp3", "iops": 80000.0, "throughput": 2000.0}},
        says="2999 IOPS is outside 3000-80000 for gp3",
    ),
    Case(
        "ebs-volume-settings",
        INSTANCE,
        {"rootBlockDevice": {"volumeType": "gp3", "throughput": 124.0}},
        "rootBlockDevice.throughput",
        {"rootBlockDevice": {"volumeType": "gp3", "iops": 3000.0, "throughput": 125.0}},
        label="throughput",
        says="124 MiB/s is outside 125-2000",
    ),
    Case(
        "ebs-volume-settings",
        INSTANCE,
        {"rootBlockDevice": {"volumeType": "gp2", "throughput": 200.0}},
        "rootBlockDevice.throughput",
        label="gp2",
        says="throughput is supported for gp3 only, not gp2",
        code="InvalidParameterCombination",
    ),
    Case(
        "ebs-volume-settings",
        LT,
        {
            "blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"volumeType": "gp3"}},
                {"deviceName": "/dev/xvdb", "ebs": {"volumeType": "gp3", "iops": 80001.0}},
            ]
        },
        "blockDeviceMappings[1].ebs.iops",
        label="template",
    ),
    Case(
        "ebs-volume-settings",
        LT,
        {"blockDeviceMappings": [{"ebs": {"volumeType": "gp4"}}]},
        "blockDeviceMappings[0].ebs.volumeType",
        label="type",
    ),
    Case(
        "metadata-options",
        INSTANCE,
        {"metadataOptions": {"httpPutResponseHopLimit": 65.0}},
        "metadataOptions.httpPutResponseHopLimit",
        {"metadataOptions": {"httpPutResponseHopLimit": 64.0}},
    ),
    Case(
        "metadata-options",
        LT,
        {"metadataOptions": {"httpTokens": "require"}},
        "metadataOptions.httpTokens",
        label="tokens",
    ),
    Case(
        "metadata-options",
        INSTANCE,
        {"metadataOptions": {"httpPutResponseHopLimit": 0.0}},
        "metadataOptions.httpPutResponseHopLimit",
        label="zero",
    ),
    Case("user-data", INSTANCE, {"userData": "x" * 16385}, "userData", {"userData": "x" * 16384}),
    Case(
        "user-data",
        LT,
        {"userData": base64.b64encode(b"x" * 16385).decode()},
        "userData",
        {"userData": base64.b64encode(b"x" * 16384).decode()},
        label="template",
    ),
    Case(
        "user-data",
        LT,
        {"userData": "#!/bin/sh not base64"},
        "userData",
        label="base64",
        says="is not valid base64",
        code="InvalidUserData.Malformed",
    ),
    Case(
        "user-data",
        INSTANCE,
        {"userData": None, "userDataBase64": "#!/bin/sh not base64"},
        "userDataBase64",
        {"userData": None, "userDataBase64": base64.b64encode(b"x" * 16384).decode()},
        label="instance-base64",
        says="is not valid base64",
        code="InvalidUserData.Malformed",
    ),
    Case("launch-template-name", LT, {"name": "compute lt"}, "name", {"name": "a(b).c-d/e_f" + "x" * 116}),
    Case("launch-template-name", LT, {"name": "lt"}, "name", {"name": "ltx"}, label="short"),
    Case("launch-template-name", LT, {"name": "l" * 129}, "name", label="long"),
    Case("launch-template-description", LT, {"description": "d" * 256}, "description", {"description": "d" * 255}),
    Case(
        "launch-template-tag-resource-type",
        LT,
        {
            "tagSpecifications": [
                {"resourceType": "instance", "tags": {}},
                {"resourceType": "launch-template", "tags": {}},
            ]
        },
        "tagSpecifications[1].resourceType",
        {"tagSpecifications": [{"resourceType": "network-interface"}, {"resourceType": "spot-instances-request"}]},
    ),
    Case(
        "launch-template-groups-on-interface",
        LT,
        {"vpcSecurityGroupIds": ["sg-1"]},
        "vpcSecurityGroupIds",
        {"networkInterfaces": None, "vpcSecurityGroupIds": ["sg-1"]},
    ),
    Case(
        "instance-groups-in-subnet-vpc",
        INSTANCE,
        {"vpcSecurityGroupIds": ["sg-1", "sg-2"]},
        "vpcSecurityGroupIds[1]",
        {"subnetId": "subnet-x", "vpcSecurityGroupIds": ["sg-2"]},
    ),
    # --- load balancers ---
    Case("load-balancer-name", LB, {"name": "a" * 33}, "name", {"name": "a" * 32}),
    Case("load-balancer-name", LB, {"name": "internal-web"}, "name", {"name": "web-internal"}, label="internal"),
    Case("load-balancer-name", LB, {"name": "web-"}, "name", label="hyphen"),
    Case("load-balancer-name", LB, {"name": "web_alb"}, "name", label="charset"),
    Case(
        "load-balancer-name",
        ALB_ALIAS,
        {"name": None, "namePrefix": "webalb"[:6] + "x"},
        "namePrefix",
        {"name": None, "namePrefix": "web-ab"},
        label="alias-prefix",
    ),
    Case(
        "load-balancer-subnets",
        LB,
        {"subnets": ["subnet-a", "subnet-a2"]},
        "subnets",
        {"subnets": ["subnet-a2", "subnet-b"]},
    ),
    Case("load-balancer-subnets", LB, {"subnets": ["subnet-a"]}, "subnets", label="one"),
    Case("load-balancer-subnets", LB, {"loadBalancerType": "classic"}, "loadBalancerType", label="type"),
    Case(
        "load-balancer-attributes-fit-type",
        LB,
        {"loadBalancerType": "network"},
        "dropInvalidHeaderFields",
        {"loadBalancerType": "network", "dropInvalidHeaderFields": False},
    ),
    Case("target-group-name", TG, {"name": "t" * 33}, "name", {"name": "t" * 32}),
    Case(
        "target-group-name",
        TG,
        {"name": None, "namePrefix": "tg-web-"},
        "namePrefix",
        {"name": None, "namePrefix": "tg-web"},
        label="prefix",
    ),
    Case(
        "target-group-health-timing",
        TG,
        {"healthCheck": {**HC, "timeout": 15.0}},
        "healthCheck.timeout",
        {"healthCheck": {**HC, "interval": 300.0, "timeout": 120.0}},
    ),
    Case(
        "target-group-health-timing",
        TG,
        {"healthCheck": {**HC, "interval": 4.0, "timeout": 2.0}},
        "healthCheck.interval",
        {"healthCheck": {**HC, "interval": 5.0, "timeout": 2.0}},
        label="interval",
    ),
    Case(
        "target-group-health-timing",
        TG,
        {"healthCheck": {**HC, "unhealthyThreshold": 11.0}},
        "healthCheck.unhealthyThreshold",
        {"healthCheck": {**HC, "healthyThreshold": 10.0, "unhealthyThreshold": 2.0}},
        label="threshold",
    ),
    Case(
        "target-group-health-timing",
        TG,
        {"healthCheck": {**HC, "healthyThreshold": 1.0}},
        "healthCheck.healthyThreshold",
        label="threshold-low",
    ),
    Case(
        "target-group-health-request",
        TG,
        {"healthCheck": {**HC, "path": "health"}},
        "healthCheck.path",
        {"healthCheck": {**HC, "path": "/" + "p" * 1023}},
    ),
    Case(
        "target-group-health-request",
        TG,
        {"healthCheck": {**HC, "matcher": "200,600"}},
        "healthCheck.matcher",
        {"healthCheck": {**HC, "matcher": "200-299,302,499"}},
        label="matcher",
    ),
    Case(
        "target-group-health-request",
        TG,
        {"healthCheck": {**HC, "protocol": "TCP"}},
        "healthCheck.protocol",
        label="tcp",
    ),
    Case(
        "target-group-settings",
        TG,
        {"deregistrationDelay": 3601.0},
        "deregistrationDelay",
        {"deregistrationDelay": 3600.0},
    ),
    Case(
        "target-group-settings",
        TG,
        {"port": None},
        "port",
        {"targetType": "lambda", "port": None, "protocol": None, "vpcId": None},
        label="port",
    ),
    Case(
        "listener-port-protocol",
        LISTENER,
        {"protocol": "TCP", "certificateArn": None, "sslPolicy": None},
        "protocol",
        {"loadBalancerArn": NLB_ARN, "protocol": "TLS"},
    ),
    Case("listener-port-protocol", LISTENER, {"port": 0.0}, "port", {"port": 65535.0}, label="port"),
    Case(
        "listener-tls-settings",
        LISTENER,
        {"certificateArn": None},
        "certificateArn",
        {"protocol": "HTTP", "port": 80.0, "certificateArn": None, "sslPolicy": None},
    ),
    Case(
        "listener-tls-settings",
        LISTENER,
        {"protocol": "HTTP", "certificateArn": None},
        "sslPolicy",
        label="http-policy",
    ),
    Case(
        "listener-certificate-region",
        LISTENER,
        {"certificateArn": CERT.replace("us-east-1", "us-west-2")},
        "certificateArn",
    ),
    Case(
        "listener-default-actions",
        LISTENER,
        {
            "defaultActions": [
                {
                    "type": "forward",
                    "forward": {"targetGroups": [{"arn": TG_ARN, "weight": 100.0}, {"arn": TG2_ARN, "weight": 1000.0}]},
                }
            ]
        },
        "defaultActions[0].forward.targetGroups[1].weight",
        {
            "defaultActions": [
                {
                    "type": "forward",
                    "forward": {
                        "targetGroups": [{"arn": TG_ARN, "weight": 0.0}, {"arn": TG2_ARN, "weight": 999.0}],
                        "stickiness": {"enabled": False, "duration": 1.0},
                    },
                }
            ]
        },
    ),
    Case(
        "listener-default-actions",
        LISTENER,
        {
            "defaultActions": [
                {
                    "type": "forward",
                    "forward": {"targetGroups": [{"arn": "a"}], "stickiness": {"enabled": False, "duration": 0.0}},
                }
            ]
        },
        "defaultActions[0].forward.stickiness.duration",
        label="stickiness",
    ),
    Case(
        "listener-default-actions",
        LISTENER,
        {"defaultActions": [{"type": "redirect", "redirect": {"statusCode": "HTTP_301"}}]},
        "defaultActions[0].redirect",
        {
            "protocol": "HTTP",
            "port": 80.0,
            "certificateArn": None,
            "sslPolicy": None,
            "defaultActions": [
                {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}
            ],
        },
        label="loop",
        says="the redirect would loop: it changes none of protocol, port, host, path, query",
        code="InvalidLoadBalancerAction",
    ),
    Case(
        "listener-default-actions",
        LISTENER,
        {"defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTP", "statusCode": "HTTP_308"}}]},
        "defaultActions[0].redirect.statusCode",
        label="code",
    ),
    # --- IAM ---
    Case("role-name-and-path", ROLE, {"name": "r" * 65}, "name", {"name": "r" * 64}),
    Case("role-name-and-path", ROLE, {"name": "app role"}, "name", {"name": "a_b+c=d,e.f@g-h"}, label="charset"),
    Case("role-name-and-path", ROLE, {"path": "/app"}, "path", {"path": "/app/team/"}, label="path"),
    Case(
        "role-name-and-path",
        ROLE,
        {"name": None, "namePrefix": "p" * 39},
        "namePrefix",
        {"name": None, "namePrefix": "p" * 38},
        label="prefix",
    ),
    Case(
        "role-description",
        ROLE,
        {"description": "Instance role \u2014 EC2"},
        "description",
        {"description": ("Instance role: caf\u00e9 \u00a1" + "x" * 1000)[:1000]},
    ),
    Case("role-description", ROLE, {"description": "x" * 1001}, "description", label="length"),
    Case(
        "role-trust-policy",
        ROLE,
        {"assumeRolePolicy": _doc_of_size(2049, trust=True)},
        "assumeRolePolicy",
        {"assumeRolePolicy": _doc_of_size(2048, trust=True)},
    ),
    Case("role-trust-policy", ROLE, {"assumeRolePolicy": "{not json"}, "assumeRolePolicy", label="json"),
    Case(
        "role-max-session-duration",
        ROLE,
        {"maxSessionDuration": 43201.0},
        "maxSessionDuration",
        {"maxSessionDuration": 43200.0},
    ),
    Case("role-policy", ROLE_POLICY, {"policy": _doc_of_size(10241 - 0)}, "policy", {"policy": _doc_of_size(10240)}),
    Case("role-policy", ROLE_POLICY, {"name": "read bucket"}, "name", label="name"),
    Case(
        "role-policy-attachment",
        ATTACHMENT,
        {"policyArn": "arn:aws:s3:::bucket"},
        "policyArn",
        {"policyArn": "arn:aws:iam::123456789012:policy/team/app-read"},
    ),
    Case("instance-profile", PROFILE, {"name": "p" * 129}, "name", {"name": "p" * 128}),
    Case("instance-profile", PROFILE, {"path": "app/"}, "path", label="path"),
    Case("managed-policy", POLICY, {"policy": _doc_of_size(6145)}, "policy", {"policy": _doc_of_size(6144)}),
    # --- Auto Scaling ---
    Case("group-capacity", ASG, {"desiredCapacity": 5.0}, "desiredCapacity", {"minSize": 0.0, "desiredCapacity": 0.0}),
    Case(
        "group-capacity",
        ASG,
        {"minSize": 5.0, "desiredCapacity": 5.0},
        "minSize",
        {"minSize": 4.0, "desiredCapacity": 4.0},
        label="min",
    ),
    Case("group-capacity", ASG, {"name": "g" * 256}, "name", {"name": "g" * 255}, label="name"),
    Case("group-health-checks", ASG, {"healthCheckType": "HTTP"}, "healthCheckType", {"healthCheckType": "EC2"}),
    Case(
        "group-health-checks",
        ASG,
        {"healthCheckGracePeriod": -1.0},
        "healthCheckGracePeriod",
        {"healthCheckGracePeriod": 0.0},
        label="grace",
    ),
    Case(
        "group-maintenance-policy",
        ASG,
        {"instanceMaintenancePolicy": {"minHealthyPercentage": 90.0, "maxHealthyPercentage": 201.0}},
        "instanceMaintenancePolicy.maxHealthyPercentage",
        {"instanceMaintenancePolicy": {"minHealthyPercentage": -1.0, "maxHealthyPercentage": -1.0}},
    ),
    Case(
        "group-maintenance-policy",
        ASG,
        {"instanceMaintenancePolicy": {"minHealthyPercentage": 50.0, "maxHealthyPercentage": 160.0}},
        "instanceMaintenancePolicy.maxHealthyPercentage",
        {"instanceMaintenancePolicy": {"minHealthyPercentage": 0.0, "maxHealthyPercentage": 100.0}},
        label="range",
    ),
    Case(
        "group-instance-refresh",
        ASG,
        {"instanceRefresh": {"strategy": "Rolling", "preferences": {**PREFS, "minHealthyPercentage": 101.0}}},
        "instanceRefresh.preferences.minHealthyPercentage",
        {
            "instanceRefresh": {
                "strategy": "Rolling",
                "preferences": {**PREFS, "minHealthyPercentage": 100.0, "maxHealthyPercentage": 200.0},
            }
        },
    ),
    Case(
        "group-instance-refresh",
        ASG,
        {"launchTemplate": {"id": "lt-1", "version": "$Latest"}},
        "instanceRefresh.preferences.autoRollback",
        {
            "launchTemplate": {"id": "lt-1", "version": "$Latest"},
            "instanceRefresh": {"strategy": "Rolling", "preferences": {**PREFS, "autoRollback": False}},
        },
        label="rollback",
    ),
    Case(
        "group-instance-refresh",
        ASG,
        {"instanceRefresh": {"strategy": "Rolling", "preferences": {**PREFS, "standbyInstances": "Replace"}}},
        "instanceRefresh.preferences.standbyInstances",
        label="standby",
    ),
    Case(
        "scaling-policy",
        SCALING,
        {
            "targetTrackingConfiguration": {
                "predefinedMetricSpecification": {"predefinedMetricType": "ALBRequestCountPerTarget"},
                "targetValue": 100.0,
            }
        },
        "targetTrackingConfiguration.predefinedMetricSpecification.resourceLabel",
        {
            "targetTrackingConfiguration": {
                "predefinedMetricSpecification": {
                    "predefinedMetricType": "ALBRequestCountPerTarget",
                    "resourceLabel": "app/a/1/targetgroup/t/1",
                },
                "targetValue": 100.0,
            }
        },
    ),
    Case("scaling-policy", SCALING, {"policyType": "TargetTracking"}, "policyType", label="type"),
    # --- cloudwatch ---
    Case("metric-alarm-names", ALARM, {"name": "a" * 256}, "name", {"name": "a" * 255}),
    Case(
        "metric-alarm-names",
        ALARM,
        {"alarmDescription": "d" * 1025},
        "alarmDescription",
        {"alarmDescription": "d" * 1024},
        label="description",
    ),
    Case("metric-alarm-names", ALARM, {"namespace": ":ELB"}, "namespace", {"namespace": "E:LB"}, label="namespace"),
    Case("metric-alarm-names", ALARM, {"metricName": ""}, "metricName", {"metricName": "m" * 255}, label="metric"),
    Case("metric-alarm-values", ALARM, {"statistic": "p99"}, "statistic", {"statistic": "SampleCount"}),
    Case(
        "metric-alarm-values",
        ALARM,
        {"comparisonOperator": "GreaterThan"},
        "comparisonOperator",
        # Anomaly-band operators compare against a band, so they come with its id (metric-alarm-threshold).
        {"comparisonOperator": "GreaterThanUpperThreshold", "thresholdMetricId": "ad1", "threshold": None},
        label="comparison",
    ),
    Case(
        "metric-alarm-values",
        ALARM,
        {"treatMissingData": "notbreaching"},
        "treatMissingData",
        {"treatMissingData": "missing"},
        label="missing-data",
    ),
    Case(
        "metric-alarm-values",
        ALARM,
        {"dimensions": {f"d{i}": "v" for i in range(31)}},
        "dimensions",
        {"dimensions": {f"d{i}": "v" * 1024 for i in range(30)}},
        label="dimensions",
    ),
    Case(
        "metric-alarm-values",
        ALARM,
        {"dimensions": {"TargetGroup": "v" * 1025}},
        "dimensions",
        label="dimension-value",
    ),
    Case("metric-alarm-evaluation", ALARM, {"period": 90.0}, "period", {"period": 10.0, "evaluationPeriods": 8640.0}),
    Case(
        "metric-alarm-evaluation",
        ALARM,
        {"period": 60.0, "evaluationPeriods": 1441.0},
        "evaluationPeriods",
        {"period": 60.0, "evaluationPeriods": 1440.0},
        label="a-day",
    ),
    Case(
        "metric-alarm-evaluation",
        ALARM,
        {"period": 3600.0, "evaluationPeriods": 169.0},
        "evaluationPeriods",
        {"period": 3600.0, "evaluationPeriods": 168.0},
        label="a-week",
    ),
    Case(
        "metric-alarm-evaluation",
        ALARM,
        {"evaluationPeriods": 0.0},
        "evaluationPeriods",
        {"evaluationPeriods": 1.0, "datapointsToAlarm": 1.0},
        label="periods",
    ),
    Case("metric-alarm-evaluation", ALARM, {"datapointsToAlarm": 0.0}, "datapointsToAlarm", label="datapoints"),
    Case(
        "metric-alarm-metric-source",
        ALARM,
        {"statistic": None},
        "statistic",
        {"statistic": None, "extendedStatistic": "p99"},
    ),
    Case(
        "metric-alarm-metric-source",
        ALARM,
        {"metricName": None},
        "metricName",
        {
            "metricName": None,
            "namespace": None,
            "statistic": None,
            "dimensions": None,
            "period": None,
            "metricQueries": [{"id": "e1", "expression": "m1 * 2", "returnData": True}],
        },
        label="none",
    ),
    Case(
        "metric-alarm-metric-source",
        ALARM,
        {"metricQueries": [{"id": "e1", "expression": "m1 * 2", "returnData": True}]},
        "metricQueries",
        label="both",
    ),
    Case(
        "metric-alarm-threshold",
        ALARM,
        {"threshold": None},
        "threshold",
        {"threshold": None, "comparisonOperator": "GreaterThanUpperThreshold", "thresholdMetricId": "ad1"},
    ),
    Case(
        "metric-alarm-threshold",
        ALARM,
        {"comparisonOperator": "LessThanLowerThreshold"},
        "thresholdMetricId",
        label="band",
    ),
    Case(
        "metric-alarm-threshold",
        ALARM,
        {"datapointsToAlarm": 3.0},
        "datapointsToAlarm",
        {"datapointsToAlarm": 2.0},
        label="datapoints",
    ),
    Case(
        "metric-alarm-dimension-text",
        ALARM,
        {"dimensions": {"LoadBalancer": "app/a/1", ":x": "v"}},
        "dimensions",
        {"dimensions": {"Load Balancer:1": "app/a/1 x"}},
    ),
    Case(
        "metric-alarm-dimension-text",
        ALARM,
        {"dimensions": {"LoadBalancer": "app/a/1", "Env": "pr\u00e9"}},
        "dimensions",
        label="ascii",
    ),
    Case(
        "metric-alarm-dimension-text",
        ALARM,
        {"dimensions": {"LoadBalancer": "app/a/1", "Env": "  "}},
        "dimensions",
        label="blank",
    ),
    Case("metric-alarm-actions", ALARM, {"alarmActions": [TOPIC] * 6}, "alarmActions", {"alarmActions": [TOPIC] * 5}),
    Case(
        "metric-alarm-actions",
        ALARM,
        {"okActions": [TOPIC, "ops-topic"]},
        "okActions[1]",
        {
            "okActions": [
                "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:a:autoScalingGroupName/g:policyName/p",
                "arn:aws:automate:us-east-1:ec2:recover",
            ]
        },
        label="arn",
    ),
    # --- S3 ---
    Case("bucket-name", BUCKET, {"bucket": "Compute-Logs"}, "bucket", {"bucket": "a.b-c" + "d" * 58}),
    Case("bucket-name", BUCKET, {"bucket": "ab"}, "bucket", {"bucket": "abc"}, label="short"),
    Case("bucket-name", BUCKET, {"bucket": "192.168.5.4"}, "bucket", {"bucket": "192.168.5.4a"}, label="ip"),
    Case("bucket-name", BUCKET, {"bucket": "logs..bucket"}, "bucket", label="periods"),
    Case("bucket-name", BUCKET, {"bucket": "logs-s3alias"}, "bucket", {"bucket": "logs-s3aliases"}, label="suffix"),
    Case(
        "bucket-name",
        BUCKET_ALIAS,
        {"bucket": None, "bucketPrefix": "p" * 38},
        "bucketPrefix",
        {"bucket": None, "bucketPrefix": "p" * 37},
        label="alias-prefix",
    ),
    Case("bucket-configuration-names-a-bucket", PAB, {"bucket": "arn:aws:s3:::logs-bucket"}, "bucket"),
    Case("bucket-policy-document", BUCKET_POLICY, {"policy": "{"}, "policy"),
    Case(
        "bucket-policy-document",
        BUCKET_POLICY,
        {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Resource": "r" * 20480}]})},
        "policy",
        {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Resource": "r" * (20480 - 52)}]})},
        label="size",
    ),
    Case(
        "public-access-block-settings",
        PAB,
        {"blockPublicPolicy": "yes"},
        "blockPublicPolicy",
        {"blockPublicPolicy": "true"},
    ),
    Case(
        "ownership-controls",
        OWNERSHIP,
        {"rule": {"objectOwnership": "BucketOwner"}},
        "rule.objectOwnership",
        {"rule": {"objectOwnership": "ObjectWriter"}},
    ),
    Case(
        "default-encryption",
        SSE,
        {
            "rules": [
                {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}},
                {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "SSE-S3"}},
            ]
        },
        "rules[1].applyServerSideEncryptionByDefault.sseAlgorithm",
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms:dsse", "kmsMasterKeyId": "k"}}]},
    ),
    Case(
        "default-encryption",
        SSE,
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256", "kmsMasterKeyId": "k"}}]},
        "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId",
        label="kms-key",
    ),
    Case(
        "lifecycle-rules",
        LIFECYCLE,
        {"rules": [{"id": "a", "status": "Enabled", "expiration": {"days": 0.0}}]},
        "rules[0].expiration.days",
        {"rules": [{"id": "a", "status": "Disabled", "expiration": {"days": 1.0}}]},
    ),
    Case(
        "lifecycle-rules",
        LIFECYCLE,
        {"rules": [{"id": "a", "status": "Enabled"}, {"id": "a", "status": "Enabled"}]},
        "rules[1].id",
        {"rules": [{"id": "a" * 255, "status": "Enabled"}, {"id": "b", "status": "Enabled"}]},
        label="duplicate",
    ),
    Case(
        "lifecycle-rules",
        LIFECYCLE,
        {
            "rules": [
                {
                    "id": "a",
                    "status": "Enabled",
                    "transitions": [
                        {"days": 0.0, "storageClass": "GLACIER"},
                        {"days": 29.0, "storageClass": "ONEZONE_IA"},
                    ],
                }
            ]
        },
        "rules[0].transitions[1].days",
        {
            "rules": [
                {
                    "id": "a",
                    "status": "Enabled",
                    "transitions": [
                        {"days": 0.0, "storageClass": "GLACIER_IR"},
                        {"days": 30.0, "storageClass": "ONEZONE_IA"},
                    ],
                }
            ]
        },
        label="ia",
    ),
    Case(
        "lifecycle-rules", LIFECYCLE, {"rules": [{"id": "a", "status": "enabled"}]}, "rules[0].status", label="status"
    ),
    Case(
        "load-balancer-access-log-bucket",
        LB,
        {"accessLogs": {**LOGS, "bucket": "nopolicy-logs"}},
        "accessLogs.bucket",
        {"accessLogs": LOGS},
        accepted_deps=(IGW_URN, LOGS_POLICY_URN),
    ),
    Case(
        "load-balancer-access-log-bucket",
        LB,
        {"accessLogs": LOGS},
        "dependsOn",
        {"accessLogs": {**LOGS, "enabled": False}},
        label="order",
    ),
    Case(
        "load-balancer-access-log-bucket",
        LB,
        {"accessLogs": {**LOGS, "bucket": "kms-logs"}},
        "accessLogs.bucket",
        {"accessLogs": {**LOGS, "bucket": "someone-elses-bucket"}},
        label="kms",
    ),
    Case(
        "load-balancer-access-log-bucket",
        LB,
        {"accessLogs": {**LOGS, "prefix": "AWSLogs"}},
        "accessLogs.prefix",
        label="prefix",
        refused_deps=(IGW_URN, LOGS_POLICY_URN),
    ),
    # --- WAF ---
    Case("web-acl-settings", WEB_ACL, {"name": "compute waf"}, "name", {"name": "w" * 128}),
    Case("web-acl-settings", WEB_ACL, {"scope": "GLOBAL"}, "scope", {"scope": "CLOUDFRONT"}, label="scope"),
    Case(
        "web-acl-settings",
        WEB_ACL,
        {"description": "ALB's rules"},
        "description",
        {"description": "a b"},
        label="description",
    ),
    Case(
        "web-acl-settings",
        WEB_ACL,
        {"visibilityConfig": {"metricName": "compute waf"}},
        "visibilityConfig.metricName",
        label="metric",
    ),
    Case(
        "web-acl-rules",
        WEB_ACL,
        {"defaultAction": {"allow": {}, "block": {}}},
        "defaultAction",
        {"defaultAction": {"block": {}}},
    ),
    Case(
        "web-acl-rules",
        WEB_ACL,
        {"rules": [*BASE_RULES, {**BASE_RULES[1], "name": "rate-2"}]},
        "rules[2].priority",
        {"rules": [*BASE_RULES, {**BASE_RULES[1], "name": "rate-2", "priority": 2.0}]},
        label="priority",
    ),
    Case(
        "web-acl-rules",
        WEB_ACL,
        {"rules": [{**BASE_RULES[0], "overrideAction": None, "action": {"block": {}}}]},
        "rules[0].action",
        label="group-action",
    ),
    Case(
        "web-acl-rules",
        WEB_ACL,
        {
            "rules": [
                BASE_RULES[0],
                {**BASE_RULES[1], "statement": {"rateBasedStatement": {"limit": 9.0, "aggregateKeyType": "IP"}}},
            ]
        },
        "rules[1].statement.rateBasedStatement.limit",
        {
            "rules": [
                BASE_RULES[0],
                {
                    **BASE_RULES[1],
                    "statement": {
                        "rateBasedStatement": {
                            "limit": 10.0,
                            "aggregateKeyType": "CONSTANT",
                            "evaluationWindowSec": 600.0,
                        }
                    },
                },
            ]
        },
        label="rate",
    ),
    Case("web-acl-association", WAF_ASSOCIATION, {"resourceArn": NLB_ARN}, "resourceArn"),
    Case(
        "web-acl-association",
        WAF_ASSOCIATION,
        {"webAclArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"},
        "webAclArn",
        label="scope",
    ),
    # --- the rollout's StartInstanceRefresh ---
    Case(
        "rollout-refresh",
        ROLLOUT,
        {"minHealthyPercentage": 101.0},
        "minHealthyPercentage",
        {"minHealthyPercentage": 0.0, "maxHealthyPercentage": 100.0},
    ),
    Case(
        "rollout-refresh",
        ROLLOUT,
        {"minHealthyPercentage": 90.0, "maxHealthyPercentage": 200.0},
        "maxHealthyPercentage",
        {"minHealthyPercentage": 100.0, "maxHealthyPercentage": 200.0},
        label="range",
    ),
    Case(
        "rollout-refresh",
        ROLLOUT,
        {"instanceWarmupSeconds": -1.0},
        "instanceWarmupSeconds",
        {"instanceWarmupSeconds": 0.0},
        label="warmup",
    ),
    Case(
        "rollout-refresh",
        ROLLOUT,
        {"alarmNames": [f"a{i}" for i in range(11)]},
        "alarmNames",
        {"alarmNames": [f"a{i}" * 1 for i in range(9)] + ["n" * 255]},
        label="alarms",
    ),
    Case("rollout-refresh", ROLLOUT, {"alarmNames": ["a", ""]}, "alarmNames", {"alarmNames": []}, label="alarm-name"),
    Case(
        "rollout-refresh",
        ROLLOUT,
        {"launchTemplateVersion": "$Latest"},
        "launchTemplateVersion",
        {"launchTemplateVersion": "1"},
        label="version",
    ),
    # --- create order ---
    Case(
        "internet-facing-load-balancer-after-gateway",
        LB,
        {},
        "dependsOn",
        {"internal": True},
        refused_deps=(),
        accepted_deps=(),
    ),
    Case(
        "internet-facing-load-balancer-after-gateway",
        LB,
        {},
        "dependsOn",
        {},
        refused_deps=(),
        accepted_deps=(IGW_URN,),
        label="direct",
    ),
    Case(
        "internet-facing-load-balancer-after-gateway",
        LB,
        {},
        "dependsOn",
        {},
        # The other VPC's gateway does not attach this one.
        refused_deps=(IGW_URN.replace("::igw", "::other-igw"),),
        accepted_deps=(IGW_URN,),
        label="other-gateway",
        says="VPC vpc has no internet gateway yet",
    ),
    Case(
        "public-nat-gateway-after-gateway",
        NAT,
        {},
        "dependsOn",
        {},
        refused_deps=(),
        accepted_deps=("urn:pulumi:test::proj::aws:ec2/natGateway:NatGateway::nat-after-igw",),
        label="transitive",
    ),
    Case(
        "public-nat-gateway-after-gateway",
        NAT,
        {},
        "dependsOn",
        {"subnetId": "default-subnet"},
        refused_deps=(),
        accepted_deps=(),
        label="default-vpc",
    ),
    Case("associated-eip-after-gateway", EIP, {"instance": "i-1"}, "dependsOn", {"instance": "i-1"}, refused_deps=()),
]

# Round 2 (issue 18): every spelling, cross-resource duplicates and quotas, ARNs, IAM grammar (cases_round2.py).
from tests.offline.cloudrules.cases_round2 import ROUND2_BASE, ROUND2_CASES  # noqa: E402

BASE.update(ROUND2_BASE)
CASES += ROUND2_CASES

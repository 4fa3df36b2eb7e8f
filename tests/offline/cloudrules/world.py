"""A small account for rule tests: one VPC with its gateway, subnets in two AZs, a second VPC, groups, a
role and an ALB; every input wire-shaped (camelCase, numbers as floats, IAM documents as JSON text)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from offline.cloudrules import CloudError, CloudResource, World, check_resource

STACK = "urn:pulumi:test::proj::"
PROVIDER_URN = STACK + "pulumi:providers:aws::aws"
PROVIDER_REF = PROVIDER_URN + "::0000-provider"
IGW_URN = STACK + "aws:ec2/internetGateway:InternetGateway::igw"
ATTACHED_NAT_URN = STACK + "aws:ec2/natGateway:NatGateway::nat-after-igw"
VPC_URN = STACK + "aws:ec2/vpc:Vpc::vpc"
LOGS_POLICY_URN = STACK + "aws:s3/bucketPolicy:BucketPolicy::logs-policy"
ELB_LOG_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::logs-bucket/AWSLogs/123456789012/*",
            }
        ],
    }
)
DEFAULT_TAGS = {"project": "p", "stack": "test", "managed-by": "pulumi"}
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def _r(typ: str, name: str, rid: str, inputs: Mapping[str, Any], deps: tuple[str, ...] = ()) -> CloudResource:
    return CloudResource(
        urn=f"{STACK}{typ}::{name}",
        type=typ,
        name=name,
        inputs=dict(inputs),
        id=rid,
        dependencies=deps,
        provider=PROVIDER_REF,
    )


def world() -> World:
    account = World(region="us-east-1")
    account.add(
        CloudResource(
            urn=PROVIDER_URN,
            type="pulumi:providers:aws",
            name="aws",
            id="0000-provider",
            inputs={"region": "us-east-1", "defaultTags": json.dumps({"tags": DEFAULT_TAGS})},
        )
    )
    account.add(_r("aws:ec2/vpc:Vpc", "vpc", "vpc-1", {"cidrBlock": "10.0.0.0/16"}))
    account.add(_r("aws:ec2/vpc:Vpc", "other-vpc", "vpc-2", {"cidrBlock": "10.1.0.0/16"}))
    account.add(_r("aws:ec2/internetGateway:InternetGateway", "igw", "igw-1", {"vpcId": "vpc-1"}, (VPC_URN,)))
    account.add(_r("aws:ec2/internetGateway:InternetGateway", "other-igw", "igw-2", {"vpcId": "vpc-2"}))
    for name, rid, cidr, zone, vpc in (
        ("public-a", "subnet-a", "10.0.0.0/24", "us-east-1a", "vpc-1"),
        ("public-b", "subnet-b", "10.0.1.0/24", "us-east-1b", "vpc-1"),
        ("public-a2", "subnet-a2", "10.0.2.0/24", "us-east-1a", "vpc-1"),
        ("other", "subnet-x", "10.1.0.0/24", "us-east-1a", "vpc-2"),
    ):
        account.add(_r("aws:ec2/subnet:Subnet", name, rid, {"cidrBlock": cidr, "availabilityZone": zone, "vpcId": vpc}))
    account.add(_r("aws:ec2/routeTable:RouteTable", "rt", "rtb-1", {"vpcId": "vpc-1"}))
    account.add(_r("aws:ec2/routeTable:RouteTable", "other-rt", "rtb-2", {"vpcId": "vpc-2"}))
    account.add(_r("aws:ec2/securityGroup:SecurityGroup", "sg", "sg-1", {"vpcId": "vpc-1"}))
    account.add(_r("aws:ec2/securityGroup:SecurityGroup", "other-sg", "sg-2", {"vpcId": "vpc-2"}))
    account.add(_r("aws:ec2/eip:Eip", "eip", "eipalloc-1", {"domain": "vpc"}))
    account.add(
        _r(
            "aws:ec2/natGateway:NatGateway",
            "nat-after-igw",
            "nat-1",
            {"subnetId": "subnet-a", "allocationId": "eipalloc-1"},
            (IGW_URN,),
        )
    )
    account.add(
        _r("aws:ec2/natGateway:NatGateway", "other-nat", "nat-2", {"subnetId": "subnet-x", "allocationId": "e"})
    )
    account.add(_r("aws:ec2/instance:Instance", "vm", "i-1", {"subnetId": "subnet-a"}))
    account.add(_r("aws:iam/role:Role", "role", "app-role", {"name": "app-role", "assumeRolePolicy": TRUST}))
    account.add(
        _r(
            "aws:lb/loadBalancer:LoadBalancer",
            "alb",
            "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1",
            {"loadBalancerType": "application", "subnets": ["subnet-a", "subnet-b"]},
            (IGW_URN,),
        )
    )
    account.add(
        _r(
            "aws:lb/loadBalancer:LoadBalancer",
            "nlb",
            "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/n/1",
            {"loadBalancerType": "network", "subnets": ["subnet-a"]},
            (IGW_URN,),
        )
    )
    for bucket in ("logs-bucket", "nopolicy-logs", "kms-logs"):
        account.add(_r("aws:s3/bucket:Bucket", bucket, bucket, {"bucket": bucket}))
    account.add(
        _r(
            "aws:s3/bucketPolicy:BucketPolicy",
            "logs-policy",
            "logs-bucket",
            {"bucket": "logs-bucket", "policy": ELB_LOG_POLICY},
        )
    )
    account.add(
        _r(
            "aws:s3/bucketPolicy:BucketPolicy",
            "kms-policy",
            "kms-logs",
            {"bucket": "kms-logs", "policy": ELB_LOG_POLICY.replace("logs-bucket", "kms-logs")},
        )
    )
    account.add(
        _r(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "kms-sse",
            "kms-logs",
            {"bucket": "kms-logs", "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
        )
    )
    account.add(
        _r(
            "aws:wafv2/webAcl:WebAcl",
            "edge-acl",
            "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1",
            {"name": "edge", "scope": "CLOUDFRONT"},
        )
    )
    return account


def errors(
    typ: str,
    inputs: Mapping[str, Any],
    *,
    deps: tuple[str, ...] | None = (),
    account: World | None = None,
    name: str = "subject",
) -> list[CloudError]:
    subject = CloudResource(
        urn=f"{STACK}{typ}::{name}",
        type=typ,
        name=name,
        inputs=dict(inputs),
        id=f"{name}-id",
        dependencies=deps,
        provider=PROVIDER_REF,
    )
    return check_resource(subject, account or world())


@dataclass
class Recorded:
    """One resource as a stack export records it (the fields ``state.check_stack`` reads)."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool = True
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    provider: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return f"urn:pulumi:dev::p::{self.type}::{self.name}"

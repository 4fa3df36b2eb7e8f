"""A small account for rule tests: one VPC with its gateway, subnets in two AZs, a second VPC, groups, a
role and an ALB; every input wire-shaped (camelCase, numbers as floats, IAM documents as JSON text)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from offline.cloudrules import CloudError, CloudResource, World, check_resource

STACK = "urn:pulumi:test::proj::"
PROVIDER_URN = STACK + "pulumi:providers:aws::aws"
PROVIDER_REF = PROVIDER_URN + "::0000-provider"
IGW_URN = STACK + "aws:ec2/internetGateway:InternetGateway::igw"
ATTACHED_NAT_URN = STACK + "aws:ec2/natGateway:NatGateway::nat-after-igw"
VPC_URN = STACK + "aws:ec2/vpc:Vpc::vpc"
DEFAULT_TAGS = {"project": "p", "stack": "test", "managed-by": "pulumi"}
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


ELB_LOG_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::127311923021:root"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::alb-logs/app/AWSLogs/123456789012/*",
            }
        ],
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
    for bucket in ("alb-logs", "bare-logs"):
        account.add(
            CloudResource(
                urn=f"{STACK}aws:s3/bucket:Bucket::{bucket}",
                type="aws:s3/bucket:Bucket",
                name=bucket,
                inputs={"bucket": bucket},
                id=bucket,
                outputs={"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}", "region": "us-east-1"},
                provider=PROVIDER_REF,
            )
        )
    # Only alb-logs lets us-east-1's ELB account (AWS documents 127311923021) write under app/AWSLogs/.
    account.add(
        _r(
            "aws:s3/bucketPolicy:BucketPolicy",
            "alb-logs-policy",
            "alb-logs",
            {"bucket": "alb-logs", "policy": ELB_LOG_POLICY},
        )
    )
    account.add(
        _r(
            "aws:wafv2/webAcl:WebAcl",
            "cloudfront-acl",
            "cf-1",
            {"name": "cf", "scope": "CLOUDFRONT"},
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

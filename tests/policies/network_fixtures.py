"""Engine-shaped stacks for the network-boundary stack rules.

``production_spec()`` describes, as AnalyzeStack carries it (outputs with ``id``/``arn``, float numbers,
string launch-template booleans, ``propertyDependencies`` by URN), the compliant production path: two
private subnets in two zones, an ALB with its own security group, an HTTPS listener plus an HTTP
listener that redirects, a target group, a launch template whose instances admit only the ALB group,
and an ASG using both. Tests copy it, change one thing, and build it with ``to_stack``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from tests.policies.harness import StackResource

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass
class Spec:
    type: str
    props: dict[str, Any]
    deps: dict[str, list[str]] = field(default_factory=dict)  # property -> names of other specs


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::foundations::{type_}::{name}"


def to_stack(specs: dict[str, Spec]) -> list[StackResource]:
    resources = []
    for name, spec in specs.items():
        # A dependency on a spec a test removed is dropped, as the SDK drops URNs outside the stack.
        prop_deps = {key: [urn(specs[d].type, d) for d in names if d in specs] for key, names in spec.deps.items()}
        resources.append(
            StackResource(
                type=spec.type,
                name=name,
                props=copy.deepcopy(spec.props),
                dependencies=sorted({u for us in prop_deps.values() for u in us}),
                property_dependencies=prop_deps,
                urn=urn(spec.type, name),
            )
        )
    return resources


def lb_arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{name}/50dc6c495c0c9188"


def tg_arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/73e2d6bc24d8a067"


def listener_arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/alb/50dc6c495c0c9188/{name}"


def subnet(name: str, zone: str, zone_id: str | None = None, **extra: Any) -> Spec:
    props: dict[str, Any] = {
        "id": f"subnet-0{name}",
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0{name}",
        "vpcId": "vpc-0abc",
        "cidrBlock": "10.0.1.0/24",
        "availabilityZone": zone,
        "mapPublicIpOnLaunch": False,
    }
    if zone_id is not None:
        props["availabilityZoneId"] = zone_id
    props.update(extra)
    return Spec("aws:ec2/subnet:Subnet", props, {"vpcId": []})


def security_group(name: str, ingress: list[dict[str, Any]], deps: list[str] | None = None) -> Spec:
    return Spec(
        "aws:ec2/securityGroup:SecurityGroup",
        {
            "id": f"sg-0{name}",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0{name}",
            "name": f"{name}-7c1e2f",
            "vpcId": "vpc-0abc",
            "ingress": ingress,
            "egress": [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}],
        },
        {"ingress": deps or []},
    )


def from_group(group: str, port: float = 8080.0) -> dict[str, Any]:
    return {
        "protocol": "tcp",
        "fromPort": port,
        "toPort": port,
        "cidrBlocks": [],
        "ipv6CidrBlocks": [],
        "prefixListIds": [],
        "securityGroups": [f"sg-0{group}"],
        "self": False,
    }


def production_spec() -> dict[str, Spec]:
    return {
        "private-a": subnet("private-a", "us-east-1a", "use1-az1"),
        "private-b": subnet("private-b", "us-east-1b", "use1-az2"),
        "public-a": subnet("public-a", "us-east-1a", "use1-az1", mapPublicIpOnLaunch=True),
        "public-b": subnet("public-b", "us-east-1b", "use1-az2", mapPublicIpOnLaunch=True),
        "alb-sg": security_group(
            "alb-sg",
            [
                {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"], "self": False},
                {"protocol": "tcp", "fromPort": 80.0, "toPort": 80.0, "cidrBlocks": ["0.0.0.0/0"], "self": False},
            ],
        ),
        "app-sg": security_group("app-sg", [from_group("alb-sg")], deps=["alb-sg"]),
        "alb": Spec(
            "aws:lb/loadBalancer:LoadBalancer",
            {
                "id": lb_arn("alb"),
                "arn": lb_arn("alb"),
                "name": "alb-4f1a2b",
                "loadBalancerType": "application",
                "internal": False,
                "securityGroups": ["sg-0alb-sg"],
                "subnets": ["subnet-0public-a", "subnet-0public-b"],
                "dropInvalidHeaderFields": True,
            },
            {"securityGroups": ["alb-sg"], "subnets": ["public-a", "public-b"]},
        ),
        "app-tg": Spec(
            "aws:lb/targetGroup:TargetGroup",
            {"id": tg_arn("app-tg"), "arn": tg_arn("app-tg"), "name": "app-tg", "port": 8080.0, "protocol": "HTTP"},
        ),
        "cert": Spec(
            "aws:acm/certificate:Certificate",
            {
                "id": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/1",
                "arn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/1",
            },
        ),
        "https": Spec(
            "aws:lb/listener:Listener",
            {
                "id": listener_arn("https"),
                "arn": listener_arn("https"),
                "loadBalancerArn": lb_arn("alb"),
                "port": 443.0,
                "protocol": "HTTPS",
                "certificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/1",
                "defaultActions": [{"type": "forward", "targetGroupArn": tg_arn("app-tg")}],
            },
            {"loadBalancerArn": ["alb"], "defaultActions": ["app-tg"], "certificateArn": ["cert"]},
        ),
        "http": Spec(
            "aws:lb/listener:Listener",
            {
                "id": listener_arn("http"),
                "arn": listener_arn("http"),
                "loadBalancerArn": lb_arn("alb"),
                "port": 80.0,
                "protocol": "HTTP",
                "defaultActions": [
                    {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
                ],
            },
            {"loadBalancerArn": ["alb"]},
        ),
        "app-lt": Spec(
            "aws:ec2/launchTemplate:LaunchTemplate",
            {
                "id": "lt-0app",
                "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:launch-template/lt-0app",
                "name": "app-lt-3e9f",
                "imageId": "ami-0abc",
                "instanceType": "t3.micro",
                "networkInterfaces": [
                    {"deviceIndex": 0.0, "associatePublicIpAddress": "false", "securityGroups": ["sg-0app-sg"]}
                ],
                "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 8.0}}],
                "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0},
            },
            {"networkInterfaces": ["app-sg"]},
        ),
        "app-asg": Spec(
            "aws:autoscaling/group:Group",
            {
                "id": "app-asg-9d2c",
                "arn": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/app-asg-9d2c",
                "name": "app-asg-9d2c",
                "minSize": 2.0,
                "maxSize": 4.0,
                "vpcZoneIdentifiers": ["subnet-0private-a", "subnet-0private-b"],
                "availabilityZones": ["us-east-1a", "us-east-1b"],
                "targetGroupArns": [tg_arn("app-tg")],
                "healthCheckType": "ELB",
                "launchTemplate": {"id": "lt-0app", "version": "$Latest"},
            },
            {
                "vpcZoneIdentifiers": ["private-a", "private-b"],
                "targetGroupArns": ["app-tg"],
                "launchTemplate": ["app-lt"],
            },
        ),
    }

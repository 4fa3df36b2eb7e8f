"""Read a recorded run the way the engine's state holds it: resources by name, and security-group rules
from every resource type that can carry them, normalised to one shape."""

from __future__ import annotations

import base64
import copy
import datetime
from dataclasses import dataclass
from typing import Any

from offline.harness import ProgramRun, RegisteredResource

INSTANCE = "aws:ec2/instance:Instance"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
KEY_PAIR = "aws:ec2/keyPair:KeyPair"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
SCALING_POLICY = "aws:autoscaling/policy:Policy"
ALB = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
COMPUTE = "aws-compute-foundations:compute:Compute"
SSM_PARAMETER = "aws:ssm/getParameter:getParameter"
GET_AMI = "aws:ec2/getAmi:getAmi"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ROLLOUT = "pulumi-python:dynamic/autoscaling:Rollout"
# How a secret input is recorded (the engine's secret signature).
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_MARK = "1b47061264138c4ac30d75fd1eb44270"


def named(run: ProgramRun, name: str) -> RegisteredResource:
    found = [r for r in run.resources if r.name == name]
    assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
    return found[0]


def out(resource: RegisteredResource, key: str) -> Any:
    """A computed output (what the mock cloud answered), e.g. ``arn``, ``dnsName``, ``latestVersion``."""
    assert key in resource.outputs, f"{resource.name} has no output {key}"
    return resource.outputs[key]


@dataclass(frozen=True)
class Rule:
    """One security-group permission, whichever resource declared it."""

    direction: str
    protocol: str
    from_port: int | None
    to_port: int | None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    group: str | None = None
    prefix_list: str | None = None
    declared_by: str = ""


def _port(value: Any) -> int | None:
    return None if value is None else int(value)


def rules_of(run: ProgramRun, group_id: str) -> list[Rule]:
    """Every ingress and egress permission on ``group_id``: inline, legacy rule and per-rule resources."""
    rules: list[Rule] = []
    for resource in run.resources:
        i = resource.inputs
        if resource.type in (INGRESS_RULE, EGRESS_RULE) and i.get("securityGroupId") == group_id:
            rules.append(
                Rule(
                    direction="ingress" if resource.type == INGRESS_RULE else "egress",
                    protocol=str(i.get("ipProtocol")),
                    from_port=_port(i.get("fromPort")),
                    to_port=_port(i.get("toPort")),
                    cidr_ipv4=i.get("cidrIpv4"),
                    cidr_ipv6=i.get("cidrIpv6"),
                    group=i.get("referencedSecurityGroupId"),
                    prefix_list=i.get("prefixListId"),
                    declared_by=resource.name,
                )
            )
        elif resource.type == LEGACY_RULE and i.get("securityGroupId") == group_id:
            for cidr in [*(i.get("cidrBlocks") or []), *(i.get("ipv6CidrBlocks") or [])] or [None]:
                rules.append(
                    Rule(
                        direction=str(i.get("type")),
                        protocol=str(i.get("protocol")),
                        from_port=_port(i.get("fromPort")),
                        to_port=_port(i.get("toPort")),
                        cidr_ipv4=cidr if cidr and ":" not in cidr else None,
                        cidr_ipv6=cidr if cidr and ":" in cidr else None,
                        group=i.get("sourceSecurityGroupId"),
                        declared_by=resource.name,
                    )
                )
        elif resource.type == SECURITY_GROUP and resource.id == group_id:
            for direction in ("ingress", "egress"):
                for block in i.get(direction) or []:
                    for cidr in [*(block.get("cidrBlocks") or []), *(block.get("ipv6CidrBlocks") or [])] or [None]:
                        rules.append(
                            Rule(
                                direction=direction,
                                protocol=str(block.get("protocol")),
                                from_port=_port(block.get("fromPort")),
                                to_port=_port(block.get("toPort")),
                                cidr_ipv4=cidr if cidr and ":" not in cidr else None,
                                cidr_ipv6=cidr if cidr and ":" in cidr else None,
                                declared_by=resource.name,
                            )
                        )
                    for group in block.get("securityGroups") or []:
                        rules.append(
                            Rule(
                                direction=direction,
                                protocol=str(block.get("protocol")),
                                from_port=_port(block.get("fromPort")),
                                to_port=_port(block.get("toPort")),
                                group=group,
                                declared_by=resource.name,
                            )
                        )
    return rules


def ingress_of(run: ProgramRun, group_id: str) -> list[Rule]:
    return [r for r in rules_of(run, group_id) if r.direction == "ingress"]


def egress_of(run: ProgramRun, group_id: str) -> list[Rule]:
    return [r for r in rules_of(run, group_id) if r.direction == "egress"]


def user_data_of_template(template: RegisteredResource) -> str:
    return base64.b64decode(template.inputs["userData"]).decode()


def invoked(cloud: Any, token: str) -> list[dict[str, Any]]:
    return [args for seen, args in cloud.invokes if seen == token]


def with_ignored_changes(old: dict[str, Any], new: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """``new`` with every ``ignore_changes`` path (``a`` or ``a.b``) put back to its ``old`` value, as the
    engine does before it asks the provider for a diff."""
    merged = copy.deepcopy(new)
    for path in paths:
        *parents, leaf = path.split(".")
        source: Any = old
        target: Any = merged
        for part in parents:
            source, target = source.get(part, {}), target.setdefault(part, {})
        if leaf in source:
            target[leaf] = copy.deepcopy(source[leaf])
        else:
            target.pop(leaf, None)
    return merged


def stub_group(name: str, template_id: str, version: str) -> dict[str, Any]:
    """A DescribeAutoScalingGroups item with every member AWS's model requires."""
    return {
        "AutoScalingGroupName": name,
        "LaunchTemplate": {"LaunchTemplateId": template_id, "Version": version},
        "MinSize": 1,
        "MaxSize": 4,
        "DesiredCapacity": 2,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["us-east-1a", "us-east-1b"],
        "HealthCheckType": "ELB",
        "CreatedTime": datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC),
    }

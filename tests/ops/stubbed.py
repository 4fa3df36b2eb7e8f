"""Checks against botocore's ``Stubber`` where moto lacks the API (5.2.5: no IAM policy simulation, no
instance refreshes, and scaling activities always empty). The Stubber validates every request against
AWS's published service model and answers with the responses queued here."""

from __future__ import annotations

import datetime
from typing import Any

import boto3
from botocore.stub import Stubber

from components.config import parse_config
from ops.checks.context import Context
from ops.session import Aws
from ops.stackinfo import StackInfo

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/prod-role"
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)


def context(outputs: dict[str, Any], **config: str) -> Context:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    return Context(
        Aws(session, "us-east-1"),
        StackInfo("prod", outputs, parse_config({"production": "true", **config}), "us-east-1"),
    )


def stub(ctx: Context, service: str) -> Stubber:
    stubber = Stubber(ctx.aws.client(service))
    stubber.activate()
    return stubber


def role(name: str = "prod-role") -> dict[str, Any]:
    return {
        "Role": {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROAEXAMPLEEXAMPLE01",
            "Arn": ROLE_ARN,
            "CreateDate": NOW,
            "AssumeRolePolicyDocument": "%7B%7D",
        }
    }


def group(name: str, desired: int = 2) -> dict[str, Any]:
    return {
        "AutoScalingGroups": [
            {
                "AutoScalingGroupName": name,
                "MinSize": 1,
                "MaxSize": 4,
                "DesiredCapacity": desired,
                "DefaultCooldown": 300,
                "AvailabilityZones": ["us-east-1a", "us-east-1b"],
                "HealthCheckType": "ELB",
                "CreatedTime": NOW,
                "LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0", "Version": "3"},
                "VPCZoneIdentifier": "subnet-0a,subnet-0b",
            }
        ]
    }


def group_template(ctx: Context, data: dict[str, Any] | None) -> tuple[Stubber, Stubber]:
    """The prod stack's group ``blue-asg`` and its launch template version 3, as the checks read them; ``data=None``:
    the version is returned without LaunchTemplateData (optional in DescribeLaunchTemplateVersions' reply). Returns
    the Auto Scaling and EC2 stubbers, for the calls a test queues after these."""
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    version: dict[str, Any] = {"LaunchTemplateId": "lt-0123456789abcdef0", "VersionNumber": 3}
    if data is not None:
        version["LaunchTemplateData"] = data
    ec2.add_response(
        "describe_launch_template_versions",
        {"LaunchTemplateVersions": [version]},
        {"LaunchTemplateId": "lt-0123456789abcdef0", "Versions": ["3"]},
    )
    return asg, ec2


def activity(status: str, message: str = "", minutes_ago: int = 0) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ActivityId": f"a-{status}-{minutes_ago}",
        "AutoScalingGroupName": "blue-asg",
        "Cause": "At 2026-11-27T12:00:00Z a user request created an AutoScalingGroup",
        "StartTime": NOW - datetime.timedelta(minutes=minutes_ago),
        "StatusCode": status,
        "Description": "Launching a new EC2 instance",
    }
    if message:
        entry["StatusMessage"] = message
    return entry


def target(instance_id: str, state: str, reason: str = "", description: str = "") -> dict[str, Any]:
    health: dict[str, Any] = {"State": state}
    if reason:
        health["Reason"] = reason
    if description:
        health["Description"] = description
    return {"Target": {"Id": instance_id, "Port": 80}, "TargetHealth": health}

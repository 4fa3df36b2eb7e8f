"""The rollout's boto3 client acts as the stack's provider does, against moto's AWS emulator.

Region, profile and role chain come from ``AwsAccess`` (the stack's ``aws:`` config), not from what the
shell happens to hold beyond them; the create path runs against a real (emulated) group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from components import refresh
from components.awsaccess import AssumeRole, AwsAccess
from components.refresh import RolloutRequest
from tests.ops.conftest import aws_env, moto_url  # noqa: F401 - the shared moto server fixtures

ROLE = "arn:aws:iam::123456789012:role/deployer"


def access_key_of(client: Any) -> str:
    return str(client._request_signer._credentials.get_frozen_credentials().access_key)


def test_profile_from_stack_config_wins_over_the_shells_credentials(
    aws_env: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile ops]\nregion = eu-west-1\naws_access_key_id = AKIAOPSPROFILEKEY001\n"
        "aws_secret_access_key = ops-secret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))

    client = refresh.autoscaling_client(AwsAccess(region="us-west-2", profile="ops"))

    assert access_key_of(client) == "AKIAOPSPROFILEKEY001", "not the shell's AWS_ACCESS_KEY_ID"
    assert client.meta.region_name == "us-west-2", "aws:region wins over the profile's region"


def test_role_chain_is_assumed_before_auto_scaling_is_called(aws_env: str) -> None:  # noqa: F811
    access = AwsAccess(region="us-east-1", assume_roles=(AssumeRole(role_arn=ROLE, external_id="ext-1"),))

    client = refresh.autoscaling_client(access)

    assert access_key_of(client) != "testing", "the chain's temporary credentials, not the shell's"
    credentials = client._request_signer._credentials.get_frozen_credentials()
    assert credentials.secret_key not in (None, "testing"), "the role's secret key signs, not the shell's"
    assert credentials.token, "temporary credentials are sent with their session token"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 6}, "5 retries after the first try"
    assert client.describe_auto_scaling_groups()["AutoScalingGroups"] == []


def test_a_just_created_group_is_left_alone(aws_env: str) -> None:  # noqa: F811
    ec2 = boto3.client("ec2", region_name="us-east-1")
    template = ec2.create_launch_template(
        LaunchTemplateName="compute-lt", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}
    )["LaunchTemplate"]
    boto3.client("autoscaling", region_name="us-east-1").create_auto_scaling_group(
        AutoScalingGroupName="compute-asg",
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "1"},
        MinSize=0,
        MaxSize=1,
        AvailabilityZones=["us-east-1a"],
    )
    request = RolloutRequest(group_name="compute-asg", launch_template_id=template["LaunchTemplateId"], version="1")
    logs: list[str] = []

    verdict = refresh.roll_out(
        refresh.autoscaling_client(AwsAccess(region="us-east-1")), request, AwsAccess(), logs.append
    )

    assert verdict == refresh.Verdict(status="Unchanged")

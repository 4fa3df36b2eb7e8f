"""Scaling activities and target health with AWS's own messages (botocore Stubber: moto's
DescribeScalingActivities is always empty and its targets are never unhealthy with a reason)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from ops.checks import launch
from ops.checks.context import Context
from ops.report import Status
from tests.ops.stubbed import activity, context, group, stub, target

OUTPUTS = {
    "roleName": "prod-role",
    "asgName": "blue-asg",
    "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue-tg/0123456789abcdef",
}
NO_AMI = "The image id '[ami-0abc]' does not exist. Launching EC2 instance failed."


def activities(*entries: dict[str, object]) -> dict[str, object]:
    return {"Activities": list(entries)}


def test_a_failure_since_the_last_success_fails_and_quotes_status_message() -> None:
    ctx = context(OUTPUTS)
    asg = stub(ctx, "autoscaling")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    asg.add_response(
        "describe_scaling_activities",
        activities(activity("Failed", NO_AMI, 1), activity("Failed", "older", 5), activity("Successful", "", 60)),
        {"AutoScalingGroupName": "blue-asg", "MaxRecords": launch.RECENT_ACTIVITIES},
    )
    check = launch.scaling_activities(ctx)
    asg.assert_no_pending_responses()
    assert check.status is Status.FAIL
    assert "2 failed since the last success" in check.evidence and repr(NO_AMI) in check.evidence


def test_a_failure_followed_by_a_success_only_warns() -> None:
    ctx = context(OUTPUTS)
    asg = stub(ctx, "autoscaling")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    asg.add_response(
        "describe_scaling_activities",
        activities(activity("Successful", "", 1), activity("Failed", NO_AMI, 5)),
        {"AutoScalingGroupName": "blue-asg", "MaxRecords": launch.RECENT_ACTIVITIES},
    )
    assert launch.scaling_activities(ctx).status is Status.WARN


def test_unhealthy_targets_fail_with_their_reason_codes() -> None:
    ctx = context(OUTPUTS)
    elb = stub(ctx, "elbv2")
    elb.add_response(
        "describe_target_health",
        {
            "TargetHealthDescriptions": [
                target("i-0aaaaaaaaaaaaaaa1", "healthy"),
                target("i-0aaaaaaaaaaaaaaa2", "unhealthy", "Target.Timeout", "Request timed out"),
            ]
        },
        {"TargetGroupArn": OUTPUTS["targetGroupArn"]},
    )
    check = launch.target_health(ctx)
    assert check.status is Status.FAIL
    assert "i-0aaaaaaaaaaaaaaa2 unhealthy (Target.Timeout)" in check.evidence and "Request timed out" in check.evidence


def test_initial_targets_warn() -> None:
    ctx = context(OUTPUTS)
    elb = stub(ctx, "elbv2")
    elb.add_response(
        "describe_target_health",
        {"TargetHealthDescriptions": [target("i-0aaaaaaaaaaaaaaa1", "initial", "Elb.RegistrationInProgress")]},
        {"TargetGroupArn": OUTPUTS["targetGroupArn"]},
    )
    assert launch.target_health(ctx).status is Status.WARN


def test_an_access_denied_is_the_checks_own_failure() -> None:
    ctx = context(OUTPUTS)
    elb = stub(ctx, "elbv2")
    elb.add_client_error("describe_target_health", "AccessDenied", "not authorized", 403)
    check = launch.target_health(ctx)
    assert check.status is Status.FAIL and check.id == "launch.target-health"
    assert "AccessDenied" in check.evidence and "read-only policy" in check.fix


def _template_with(data: dict[str, object]) -> tuple[Context, Stubber]:
    ctx = context(OUTPUTS)
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_response(
        "describe_launch_template_versions",
        {
            "LaunchTemplateVersions": [
                {"LaunchTemplateId": "lt-0123456789abcdef0", "VersionNumber": 3, "LaunchTemplateData": data}
            ]
        },
        {"LaunchTemplateId": "lt-0123456789abcdef0", "Versions": ["3"]},
    )
    return ctx, ec2


def _image(architecture: str) -> dict[str, object]:
    return {"Images": [{"ImageId": "ami-0abc", "State": "available", "Architecture": architecture}]}


def _instance_type(name: str, *architectures: str) -> dict[str, object]:
    return {"InstanceTypes": [{"InstanceType": name, "ProcessorInfo": {"SupportedArchitectures": list(architectures)}}]}


def test_an_ami_of_another_architecture_than_the_instance_type_fails_naming_both() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t4g.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response("describe_instance_types", _instance_type("t4g.micro", "arm64"), {"InstanceTypes": ["t4g.micro"]})

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        "lt-0123456789abcdef0 v3: ami-0abc is x86_64, t4g.micro runs arm64",
    )


def test_an_available_ami_that_fits_the_instance_type_passes() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response(
        "describe_instance_types", _instance_type("t3.micro", "i386", "x86_64"), {"InstanceTypes": ["t3.micro"]}
    )

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (
        Status.PASS,
        "lt-0123456789abcdef0 v3: ami-0abc available, x86_64, fits t3.micro",
    )


def test_an_instance_type_aws_does_not_describe_does_not_fail_the_ami() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response("describe_instance_types", {"InstanceTypes": []}, {"InstanceTypes": ["t3.micro"]})

    assert launch.ami(ctx).status is Status.PASS


@pytest.mark.parametrize(
    ("health", "is_failing"),
    [
        ({"State": "unhealthy", "Reason": "Target.Timeout"}, True),
        ({"State": "unused", "Reason": "Target.InvalidState"}, True),
        ({"State": "unused", "Reason": "Target.NotInUse"}, True),
        ({"State": "unused", "Reason": "Target.IpUnusable"}, True),
        ({"State": "unused", "Reason": "Target.NotRegistered"}, False),
        ({"State": "initial", "Reason": "Elb.RegistrationInProgress"}, False),
        ({"State": "healthy"}, False),
        ({"State": "draining", "Reason": "Target.InvalidState"}, False),
    ],
)
def test_a_target_fails_when_unhealthy_or_unused_for_a_reason_it_cannot_serve(
    health: dict[str, str], is_failing: bool
) -> None:
    assert launch.failing({"Target": {"Id": "i-0a", "Port": 80}, "TargetHealth": health}) is is_failing
    assert launch.failing({"Target": {"Id": "i-0a", "Port": 80}}) is False


def test_target_health_is_described_with_each_reason_aws_gave() -> None:
    targets = [target("i-0a", "healthy"), target("i-0b", "unhealthy", "Target.ResponseCodeMismatch")]

    assert launch.describe_health(targets) == "i-0a healthy, i-0b unhealthy (Target.ResponseCodeMismatch)"
    assert launch.describe_health([]) == "no targets registered"
    assert launch.describe_health([{"Target": {"Id": "i-0c"}}]) == "i-0c None"

"""Scaling activities and target health with AWS's own messages (botocore Stubber: moto's
DescribeScalingActivities is always empty and its targets are never unhealthy with a reason)."""

from __future__ import annotations

from ops.checks import launch
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

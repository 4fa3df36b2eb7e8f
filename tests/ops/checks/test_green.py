"""The green gate's three answers, with the instance refresh states moto 5.2.5 cannot serve (Stubber)."""

from __future__ import annotations

from typing import Any

import pytest

from ops.checks import green
from ops.report import Status
from tests.ops.stubbed import NOW, activity, context, group, stub, target

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green-tg/0123456789abcdef"
OUTPUTS = {
    "roleName": "prod-role",
    "asgName": "blue-asg",
    "greenAsgName": "green-asg",
    "greenTargetGroupArn": TG,
    "trafficWeights": {"blue": 90.0, "green": 10.0},
}


def _stubbed(
    outputs: dict[str, object],
    refresh: str | None,
    targets: list[dict[str, object]],
    acts: list[dict[str, object]],
    desired: int = 2,
) -> tuple[Any, Any, Any]:
    """A context whose AWS answers the gate's four calls: the group, its targets, its last refresh, its activities."""
    ctx = context(outputs)
    asg, elb = stub(ctx, "autoscaling"), stub(ctx, "elbv2")
    asg.add_response(
        "describe_auto_scaling_groups", group("green-asg", desired), {"AutoScalingGroupNames": ["green-asg"]}
    )
    elb.add_response("describe_target_health", {"TargetHealthDescriptions": targets}, {"TargetGroupArn": TG})
    refreshes = (
        [{"InstanceRefreshId": "r-1", "AutoScalingGroupName": "green-asg", "Status": refresh, "StartTime": NOW}]
        if refresh
        else []
    )
    asg.add_response(
        "describe_instance_refreshes",
        {"InstanceRefreshes": refreshes},
        {"AutoScalingGroupName": "green-asg", "MaxRecords": 1},
    )
    asg.add_response(
        "describe_scaling_activities",
        {"Activities": acts},
        {"AutoScalingGroupName": "green-asg", "MaxRecords": 10},
    )
    return ctx, asg, elb


def run(refresh: str | None, targets: list[dict[str, object]], acts: list[dict[str, object]]) -> green.Check:
    ctx, asg, elb = _stubbed(OUTPUTS, refresh, targets, acts)
    check = green.gate(ctx)
    asg.assert_no_pending_responses()
    elb.assert_no_pending_responses()
    return check


HEALTHY = [target("i-0aaaaaaaaaaaaaaa1", "healthy"), target("i-0aaaaaaaaaaaaaaa2", "healthy")]


def test_all_healthy_and_a_successful_refresh_raises_weight_to_the_next_step() -> None:
    check = run("Successful", HEALTHY, [activity("Successful")])
    assert check.status is Status.PASS
    assert check.evidence.startswith("answer: raise weight (next: pulumi config set --path green.weight 50")


@pytest.mark.parametrize("refresh", ["RollbackSuccessful", "Failed", "Cancelled", "RollbackInProgress"])
def test_a_refresh_that_failed_or_rolled_back_means_roll_back(refresh: str) -> None:
    check = run(refresh, HEALTHY, [activity("Successful")])
    assert check.status is Status.FAIL and check.evidence.startswith("answer: roll back")
    assert f"latest refresh {refresh}" in check.evidence and "green.weight 0" in check.fix


def test_a_refresh_in_progress_holds() -> None:
    check = run("InProgress", HEALTHY, [activity("Successful")])
    assert check.status is Status.WARN and check.evidence.startswith("answer: hold")


def test_a_failed_latest_launch_means_roll_back() -> None:
    check = run(None, HEALTHY, [activity("Failed", "Instance failed to launch")])
    assert check.status is Status.FAIL and "Instance failed to launch" in check.evidence


def test_one_unhealthy_target_means_roll_back_even_if_others_are_healthy() -> None:
    targets = [*HEALTHY, target("i-0aaaaaaaaaaaaaaa3", "unhealthy", "Target.ResponseCodeMismatch")]
    check = run("Successful", targets, [])
    assert check.status is Status.FAIL and "Target.ResponseCodeMismatch" in check.evidence


def test_fewer_healthy_than_desired_holds() -> None:
    check = run(None, HEALTHY[:1], [])
    assert check.status is Status.WARN and "1/2 desired targets healthy" in check.evidence


@pytest.mark.parametrize(("current", "step"), [(0, 10), (10, 50), (49, 50), (50, 100), (100, None), ("x", None)])
def test_weight_steps_follow_the_readme(current: object, step: int | None) -> None:
    assert green.next_weight(current) == step


def test_a_refresh_that_failed_says_why_in_aws_words() -> None:
    ctx = context(OUTPUTS)
    asg = stub(ctx, "autoscaling")
    asg.add_response(
        "describe_instance_refreshes",
        {
            "InstanceRefreshes": [
                {
                    "InstanceRefreshId": "r-1",
                    "AutoScalingGroupName": "green-asg",
                    "Status": "Failed",
                    "StatusReason": "an alarm went into ALARM",
                    "StartTime": NOW,
                }
            ]
        },
        {"AutoScalingGroupName": "green-asg", "MaxRecords": 1},
    )

    latest, text = green._latest_refresh(ctx, "green-asg")

    assert latest is not None and latest["InstanceRefreshId"] == "r-1"
    assert text == "latest refresh Failed ('an alarm went into ALARM')"


def test_unreadable_refreshes_are_said_so_with_aws_code() -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "autoscaling").add_client_error("describe_instance_refreshes", service_error_code="AccessDenied")

    assert green._latest_refresh(ctx, "green-asg") == (None, "instance refreshes not readable (AccessDenied)")


def test_no_refresh_yet_is_said_so() -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "autoscaling").add_response(
        "describe_instance_refreshes", {"InstanceRefreshes": []}, {"AutoScalingGroupName": "green-asg", "MaxRecords": 1}
    )

    assert green._latest_refresh(ctx, "green-asg") == (None, "no instance refresh")


@pytest.mark.parametrize(
    ("acts", "failure"),
    [
        ([activity("Successful"), activity("Failed", "older failure", 5)], None),
        ([activity("InProgress"), activity("Failed", "Instance failed to launch", 5)], "Instance failed to launch"),
        ([activity("Cancelled")], "Launching a new EC2 instance"),
        ([], None),
    ],
    ids=["a-success-after-a-failure", "a-failure-before-one-in-progress", "no-message-reads-the-description", "none"],
)
def test_the_latest_launch_failure_counts_only_until_the_latest_success(
    acts: list[dict[str, object]], failure: str | None
) -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "autoscaling").add_response(
        "describe_scaling_activities", {"Activities": acts}, {"AutoScalingGroupName": "green-asg", "MaxRecords": 10}
    )

    assert green._latest_launch_failure(ctx, "green-asg") == failure


def test_a_refresh_without_a_reason_is_named_by_its_status_alone() -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "autoscaling").add_response(
        "describe_instance_refreshes",
        {
            "InstanceRefreshes": [
                {"InstanceRefreshId": "r-1", "AutoScalingGroupName": "green-asg", "Status": "Successful"}
            ]
        },
        {"AutoScalingGroupName": "green-asg", "MaxRecords": 1},
    )

    assert green._latest_refresh(ctx, "green-asg")[1] == "latest refresh Successful"


def test_a_reply_that_omits_the_refresh_list_means_no_refresh() -> None:
    # InstanceRefreshes is not a required member of DescribeInstanceRefreshesAnswer in the botocore model.
    ctx = context(OUTPUTS)
    stub(ctx, "autoscaling").add_response(
        "describe_instance_refreshes", {}, {"AutoScalingGroupName": "green-asg", "MaxRecords": 1}
    )

    assert green._latest_refresh(ctx, "green-asg") == (None, "no instance refresh")


def test_a_failed_activity_without_message_or_description_still_reads_failed() -> None:
    ctx = context(OUTPUTS)
    bare = {key: value for key, value in activity("Failed").items() if key != "Description"}
    stub(ctx, "autoscaling").add_response(
        "describe_scaling_activities", {"Activities": [bare]}, {"AutoScalingGroupName": "green-asg", "MaxRecords": 10}
    )

    assert green._latest_launch_failure(ctx, "green-asg") == "failed"


# --- the gate's whole answer: what it says, and the command it gives ------------------------------------------


def gate(
    *,
    refresh: str | None = "Successful",
    targets: list[dict[str, object]] = HEALTHY,
    acts: list[dict[str, object]] | None = None,
    desired: int = 2,
    weights: object = OUTPUTS["trafficWeights"],
) -> green.Check:
    outputs = {**OUTPUTS, "trafficWeights": weights}
    if weights is None:
        outputs.pop("trafficWeights")
    ctx, _, _ = _stubbed(outputs, refresh, targets, acts if acts is not None else [activity("Successful")], desired)
    return green.gate(ctx)


BOTH_HEALTHY = "2/2 desired targets healthy [i-0aaaaaaaaaaaaaaa1 healthy, i-0aaaaaaaaaaaaaaa2 healthy]"
ROLL_BACK = "pulumi config set --path green.weight 0 && pulumi up (instant), then `pulumi config rm green`"


def test_a_healthy_green_at_ten_percent_is_told_the_next_step_is_fifty() -> None:
    check = gate()

    assert (check.id, check.title, check.status, check.fix) == (
        "green.gate",
        "is green safe to take more traffic?",
        Status.PASS,
        "",
    )
    assert check.evidence == (
        "answer: raise weight (next: pulumi config set --path green.weight 50 && pulumi up). "
        f"green weight 10.0; {BOTH_HEALTHY}; latest refresh Successful"
    )


def test_a_healthy_green_taking_everything_is_given_no_next_step() -> None:
    check = gate(weights={"blue": 0, "green": 100})

    assert (check.status, check.evidence) == (
        Status.PASS,
        f"answer: raise weight. green weight 100; {BOTH_HEALTHY}; latest refresh Successful",
    )


def test_a_stack_without_traffic_weights_reads_green_weight_unknown_and_gives_no_step() -> None:
    check = gate(weights=None)

    assert (check.status, check.evidence) == (
        Status.PASS,
        f"answer: raise weight. green weight unknown; {BOTH_HEALTHY}; latest refresh Successful",
    )


def test_a_roll_back_gives_the_instant_weight_zero_command_and_quotes_the_launch_failure() -> None:
    check = gate(refresh=None, acts=[activity("Failed", "Instance failed to launch")])

    assert (check.id, check.status, check.fix) == ("green.gate", Status.FAIL, ROLL_BACK)
    assert check.evidence == (
        f"answer: roll back. green weight 10.0; {BOTH_HEALTHY}; no instance refresh; "
        "latest launch failed: 'Instance failed to launch'"
    )


def test_a_refresh_whose_rollback_failed_means_roll_back() -> None:
    check = gate(refresh="RollbackFailed")

    assert (check.status, check.fix) == (Status.FAIL, ROLL_BACK)
    assert check.evidence.startswith("answer: roll back.")


@pytest.mark.parametrize("refresh", ["Pending", "InProgress", "Cancelling", "Baking"])
def test_a_refresh_still_running_holds_and_says_to_wait_for_every_desired_target(refresh: str) -> None:
    check = gate(refresh=refresh)

    assert (check.status, check.evidence) == (
        Status.WARN,
        f"answer: hold. green weight 10.0; {BOTH_HEALTHY}; latest refresh {refresh}",
    )
    assert check.fix == "wait until every desired target is healthy, then check again"


def test_a_group_desiring_no_instances_holds_even_with_no_unhealthy_target() -> None:
    check = gate(targets=[], desired=0)

    assert (check.status, check.evidence) == (
        Status.WARN,
        "answer: hold. green weight 10.0; 0/0 desired targets healthy [no targets registered]; "
        "latest refresh Successful",
    )


def test_more_healthy_targets_than_desired_still_raise() -> None:
    check = gate(desired=1)

    assert check.status is Status.PASS and "2/1 desired targets healthy" in check.evidence


def test_a_missing_green_group_means_roll_back_and_names_it() -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "autoscaling").add_response(
        "describe_auto_scaling_groups", {"AutoScalingGroups": []}, {"AutoScalingGroupNames": ["green-asg"]}
    )

    check = green.gate(ctx)

    assert (check.id, check.status, check.fix) == ("green.gate", Status.FAIL, ROLL_BACK)
    assert check.evidence == "answer: roll back. Auto Scaling group green-asg does not exist in us-east-1"


def test_a_stack_without_a_green_target_group_skips_the_gate() -> None:
    outputs = {key: value for key, value in OUTPUTS.items() if key != "greenTargetGroupArn"}
    ctx = context(outputs)
    stub(ctx, "autoscaling").add_response(
        "describe_auto_scaling_groups", group("green-asg"), {"AutoScalingGroupNames": ["green-asg"]}
    )

    check = green.gate(ctx)

    assert (check.id, check.status, check.evidence) == (
        "green.gate",
        Status.SKIP,
        "the stack exports no greenTargetGroupArn",
    )


def test_a_green_target_group_that_no_longer_exists_means_roll_back_and_names_it() -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "autoscaling").add_response(
        "describe_auto_scaling_groups", group("green-asg"), {"AutoScalingGroupNames": ["green-asg"]}
    )
    stub(ctx, "elbv2").add_client_error(
        "describe_target_health", "TargetGroupNotFound", "One or more target groups not found", 400
    )

    check = green.gate(ctx)

    assert (check.id, check.status, check.fix) == ("green.gate", Status.FAIL, ROLL_BACK)
    assert check.evidence == f"answer: roll back. target group {TG} does not exist in us-east-1 (TargetGroupNotFound)"


def test_a_target_aws_returned_without_its_health_is_not_counted_healthy() -> None:
    # TargetHealth is optional in DescribeTargetHealth's reply.
    check = gate(targets=[target("i-0aaaaaaaaaaaaaaa1", "healthy"), {"Target": {"Id": "i-0aaaaaaaaaaaaaaa2"}}])

    assert check.status is Status.WARN
    assert check.evidence.startswith("answer: hold. green weight 10.0; 1/2 desired targets healthy [")

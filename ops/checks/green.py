"""Group 4, the green fleet gate (production with ``green``): raise weight, hold, or roll back?

Green may take more traffic only when every desired target is healthy, none is unhealthy, and neither
its latest instance refresh nor its latest launches failed.
"""

from __future__ import annotations

from typing import Any

from ops.checks.context import CheckFn, Context, Missing, check
from ops.checks.launch import FAILED, describe_health, failing, health
from ops.report import Check
from ops.session import AwsError, error_code

ROLLBACK_REFRESH = ("Failed", "Cancelled", "RollbackInProgress", "RollbackFailed", "RollbackSuccessful")
HOLD_REFRESH = ("Pending", "InProgress", "Cancelling", "Baking")
WEIGHT_STEPS = (10, 50, 100)
ROLL_BACK = "pulumi config set --path green.weight 0 && pulumi up (instant), then `pulumi config rm green`"


def _latest_refresh(ctx: Context, name: str) -> tuple[dict[str, Any] | None, str]:
    try:
        found = ctx.aws.autoscaling.describe_instance_refreshes(AutoScalingGroupName=name, MaxRecords=1)
    except AwsError as error:
        return None, f"instance refreshes not readable ({error_code(error)})"
    refreshes = found.get("InstanceRefreshes", [])
    if not refreshes:
        return None, "no instance refresh"
    latest = refreshes[0]
    reason = latest.get("StatusReason")
    return latest, f"latest refresh {latest.get('Status')}" + (f" ({reason!r})" if reason else "")


def _latest_launch_failure(ctx: Context, name: str) -> str | None:
    activities = ctx.aws.autoscaling.describe_scaling_activities(AutoScalingGroupName=name, MaxRecords=10)
    for activity in activities.get("Activities", []):
        if activity.get("StatusCode") == "Successful":
            return None
        if activity.get("StatusCode") in FAILED:
            return str(activity.get("StatusMessage") or activity.get("Description") or "failed")
    return None


@check("green.gate", "is green safe to take more traffic?")
def gate(ctx: Context, cid: str, title: str) -> Check:
    arn = ctx.stack.text("greenTargetGroupArn")
    try:
        group = ctx.group("greenAsgName")
    except Missing as why:
        return Check.failed(cid, title, f"answer: roll back. {why}", ROLL_BACK)
    if not arn:
        return Check.skipped(cid, title, "the stack exports no greenTargetGroupArn")
    name = group["AutoScalingGroupName"]
    desired = int(group.get("DesiredCapacity", 0))
    weights = ctx.stack.output("trafficWeights")
    weight = f"green weight {weights.get('green')}" if isinstance(weights, dict) else "green weight unknown"
    try:
        targets = health(ctx, arn)
    except Missing as why:
        return Check.failed(cid, title, f"answer: roll back. {why}", ROLL_BACK)
    states = [t.get("TargetHealth", {}).get("State") for t in targets]
    healthy = states.count("healthy")
    unhealthy = [t for t in targets if failing(t)]
    refresh, refresh_text = _latest_refresh(ctx, name)
    launch_failure = _latest_launch_failure(ctx, name)
    evidence = f"{weight}; {healthy}/{desired} desired targets healthy [{describe_health(targets)}]; {refresh_text}" + (
        f"; latest launch failed: {launch_failure!r}" if launch_failure else ""
    )
    refresh_status = (refresh or {}).get("Status")
    if unhealthy or refresh_status in ROLLBACK_REFRESH or launch_failure:
        return Check.failed(cid, title, f"answer: roll back. {evidence}", ROLL_BACK)
    if desired == 0 or healthy < desired or refresh_status in HOLD_REFRESH:
        return Check.warned(
            cid, title, f"answer: hold. {evidence}", "wait until every desired target is healthy, then check again"
        )
    current = weights.get("green") if isinstance(weights, dict) else None
    step = next_weight(current)
    then = f" (next: pulumi config set --path green.weight {step} && pulumi up)" if step is not None else ""
    return Check.passed(cid, title, f"answer: raise weight{then}. {evidence}")


def next_weight(current: Any) -> int | None:
    """The README's steps, 0 -> 10 -> 50 -> 100; None once green takes everything."""
    try:
        value = int(current)
    except (TypeError, ValueError):
        return None
    return next((step for step in WEIGHT_STEPS if step > value), None)


# The lab's order within the group.
CHECKS: list[CheckFn] = [gate]

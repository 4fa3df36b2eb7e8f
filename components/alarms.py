"""The CloudWatch alarms a rollout watches: a fleet's target group with unhealthy hosts, or answering 5xx.

An instance refresh with ``AlarmSpecification`` fails, and with ``AutoRollback`` rolls back, as soon as one
of its alarms is in ALARM. Health checks alone only catch an app that does not answer its health path;
the 5xx alarm also catches one that answers the check and fails real requests.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

NAMESPACE = "AWS/ApplicationELB"
# One-minute periods, two in a row: a single failed check or a lone error does not roll a fleet back.
PERIOD_SECONDS = 60
EVALUATION_PERIODS = 2
# Any unhealthy target for two minutes is a failing rollout (targets warming up are "initial", not unhealthy).
UNHEALTHY_HOSTS_ABOVE = 0
# More 5xx answers from the targets than this per minute, for two minutes.
TARGET_5XX_ABOVE = 10


@dataclass(frozen=True)
class FleetAlarms:
    unhealthy_hosts: aws.cloudwatch.MetricAlarm
    target_5xx: aws.cloudwatch.MetricAlarm

    @property
    def names(self) -> list[pulumi.Output[str]]:
        return [self.unhealthy_hosts.name, self.target_5xx.name]


def build_fleet_alarms(
    name: str,
    suffix: str,
    *,
    load_balancer_arn_suffix: pulumi.Input[str],
    target_group_arn_suffix: pulumi.Input[str],
    parent: pulumi.Resource,
) -> FleetAlarms:
    """Two alarms on one target group behind one load balancer: ``{name}-unhealthy{suffix}``, ``{name}-5xx{suffix}``."""
    # Both dimensions: a target group's ALB metrics are published per (TargetGroup, LoadBalancer) pair.
    dimensions = {"TargetGroup": target_group_arn_suffix, "LoadBalancer": load_balancer_arn_suffix}
    opts = pulumi.ResourceOptions(parent=parent)
    unhealthy = aws.cloudwatch.MetricAlarm(
        f"{name}-unhealthy{suffix}",
        alarm_description="Targets failing the load balancer's health check: fails and rolls back an instance refresh",
        namespace=NAMESPACE,
        metric_name="UnHealthyHostCount",
        dimensions=dimensions,
        statistic="Maximum",
        period=PERIOD_SECONDS,
        evaluation_periods=EVALUATION_PERIODS,
        comparison_operator="GreaterThanThreshold",
        threshold=UNHEALTHY_HOSTS_ABOVE,
        # No data means no targets registered yet, not a failure.
        treat_missing_data="notBreaching",
        opts=opts,
    )
    errors = aws.cloudwatch.MetricAlarm(
        f"{name}-5xx{suffix}",
        alarm_description="Targets answering 5xx: fails and rolls back an instance refresh",
        namespace=NAMESPACE,
        metric_name="HTTPCode_Target_5XX_Count",
        dimensions=dimensions,
        statistic="Sum",
        period=PERIOD_SECONDS,
        evaluation_periods=EVALUATION_PERIODS,
        comparison_operator="GreaterThanThreshold",
        threshold=TARGET_5XX_ABOVE,
        # The metric is only published when a target answers 5xx: silence is health.
        treat_missing_data="notBreaching",
        opts=opts,
    )
    return FleetAlarms(unhealthy_hosts=unhealthy, target_5xx=errors)

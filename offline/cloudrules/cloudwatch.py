"""CloudWatch: metric alarms (names, the metric they watch, how they evaluate it)."""

from __future__ import annotations

from collections.abc import Iterator

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import is_unknown, known_int, known_str, mapping

PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
COMPARISONS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
MAX_DIMENSIONS = 30
# Period x EvaluationPeriods: at most a day for periods under an hour, at most seven days otherwise.
DAY, WEEK = 86_400, 604_800


@rule(
    types=[METRIC_ALARM],
    properties=("name", "alarmDescription", "namespace", "metricName"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (AlarmName 1-255, AlarmDescription 0-1024, MetricName 1-255, "
    "Namespace 1-255 not starting with ':')",
)
def metric_alarm_names(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Alarm and metric names are 1-255 characters, the description at most 1024, the namespace 1-255 not ':...'."""
    for prop, low, high in (("name", 1, 255), ("alarmDescription", 0, 1024), ("metricName", 1, 255)):
        value = known_str(resource.get(prop))
        if value is not None and not low <= len(value) <= high:
            yield Finding(prop, f"{len(value)} characters; {low}-{high}")
    namespace = known_str(resource.get("namespace"))
    if namespace is not None and (not 1 <= len(namespace) <= 255 or namespace.startswith(":")):
        yield Finding("namespace", f'"{namespace[:40]}" must be 1-255 characters and not start with ":"')


@rule(
    types=[METRIC_ALARM],
    properties=("statistic", "comparisonOperator", "treatMissingData", "dimensions"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (Statistic, ComparisonOperator and TreatMissingData valid values; Dimensions at "
    "most 30, names 1-255, values 1-1024)",
)
def metric_alarm_values(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Statistic, comparison and missing-data treatment are AWS's values; at most 30 dimensions, each named."""
    for prop, allowed in (
        ("statistic", STATISTICS),
        ("comparisonOperator", COMPARISONS),
        ("treatMissingData", MISSING_DATA),
    ):
        value = known_str(resource.get(prop))
        if value is not None and value not in allowed:
            yield Finding(prop, f'"{value}" is not {" | ".join(allowed)}')
    raw = resource.get("dimensions")
    if is_unknown(raw):
        return
    dimensions = mapping(raw)
    if len(dimensions) > MAX_DIMENSIONS:
        yield Finding("dimensions", f"{len(dimensions)} dimensions; at most {MAX_DIMENSIONS}")
    for name, value in dimensions.items():
        text = known_str(value)
        if not 1 <= len(name) <= 255:
            yield Finding("dimensions", f"dimension name of {len(name)} characters; 1-255")
        elif text is not None and not 1 <= len(text) <= 1024:
            yield Finding("dimensions", f"dimension {name} has a value of {len(text)} characters; 1-1024")


@rule(
    types=[METRIC_ALARM],
    properties=("period", "evaluationPeriods", "datapointsToAlarm"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (Period 10, 20, 30 or a multiple of 60; EvaluationPeriods and DatapointsToAlarm "
    ">= 1; Period x EvaluationPeriods <= 86,400 below an hour's period, <= 604,800 otherwise)",
)
def metric_alarm_evaluation(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Period is 10, 20, 30 or a multiple of 60; at least one period; the whole window fits a day (or a week)."""
    period = known_int(resource.get("period"))
    periods = known_int(resource.get("evaluationPeriods"))
    if period is not None and not (period in (10, 20, 30) or (period > 0 and period % 60 == 0)):
        yield Finding("period", f"{period} s is not 10, 20, 30 or a multiple of 60")
    for prop, value in (
        ("evaluationPeriods", periods),
        ("datapointsToAlarm", known_int(resource.get("datapointsToAlarm"))),
    ):
        if value is not None and value < 1:
            yield Finding(prop, f"{value} is below 1")
    if period is not None and periods is not None and period > 0 and periods >= 1:
        limit = DAY if period < 3600 else WEEK
        if period * periods > limit:
            yield Finding("evaluationPeriods", f"{periods} x {period} s is more than {limit} s")

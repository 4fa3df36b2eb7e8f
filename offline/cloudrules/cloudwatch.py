"""CloudWatch: metric alarms (names, the metric they watch, how they evaluate it)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import is_unknown, items, known_int, known_str, mapping, plain

PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"

# Which operators compare against a static threshold and which against an anomaly band (the values themselves
# are the model's: cloudwatch ComparisonOperator).
COMPARISONS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
# The model gives TreatMissingData no enumeration (a string of 1-255); the API reference lists the four.
MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
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
    # Every one of these is the model's (apimap: PutMetricAlarm AlarmName, AlarmDescription, MetricName, Namespace).
    yield from ()


@rule(
    types=[METRIC_ALARM],
    properties=("statistic", "comparisonOperator", "treatMissingData", "dimensions"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (Statistic, ComparisonOperator and TreatMissingData valid values; Dimensions at "
    "most 30, names 1-255, values 1-1024)",
)
def metric_alarm_values(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Statistic, comparison and missing-data treatment are AWS's values; at most 30 dimensions, each named."""
    # Statistic, comparison and the dimensions' count and lengths are the model's (apimap); missing data is not.
    value = known_str(resource.get("treatMissingData"))
    if value is not None and value not in MISSING_DATA:
        yield Finding("treatMissingData", f'"{value}" is not {" | ".join(MISSING_DATA)}')


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
    # At least one period and one data point: the model's (apimap); which periods, and the window, are not.
    if period is not None and not (period in (10, 20, 30) or (period > 0 and period % 60 == 0)):
        yield Finding("period", f"{period} s is not 10, 20, 30 or a multiple of 60")
    if period is not None and periods is not None and period > 0 and periods >= 1:
        limit = DAY if period < 3600 else WEEK
        if period * periods > limit:
            yield Finding("evaluationPeriods", f"{periods} x {period} s is more than {limit} s")


CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ANOMALY_COMPARISONS = COMPARISONS[4:]
ACTION_ARN = re.compile(r"arn:[\w-]+:(sns|autoscaling|automate|ssm|ssm-incidents|swf|lambda|ec2):\S*")
DIMENSION_DOC = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html"


@rule(
    types=[METRIC_ALARM],
    properties=("metricName", "metricQueries", "namespace", "statistic", "extendedStatistic"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (MetricName or Metrics, not both; with MetricName a Namespace and exactly one of "
    "Statistic and ExtendedStatistic)",
)
def metric_alarm_metric_source(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An alarm watches one metric (namespace and exactly one statistic) or metric queries, never both or neither."""
    metric, queries = plain(resource.get("metricName")), items(resource.get("metricQueries"))
    if metric is None and not queries:
        yield Finding("metricName", "an alarm needs metricName or metricQueries", code="MissingParameter")
        return
    if metric is not None and queries:
        yield Finding(
            "metricQueries", "metricName and metricQueries cannot be combined", code="InvalidParameterCombination"
        )
    if metric is None:
        return
    if plain(resource.get("namespace")) is None:
        yield Finding("namespace", "a metric alarm needs a namespace", code="MissingParameter")
    if (plain(resource.get("statistic")) is None) == (plain(resource.get("extendedStatistic")) is None):
        yield Finding(
            "statistic", "give exactly one of statistic and extendedStatistic", code="InvalidParameterCombination"
        )


@rule(
    types=[METRIC_ALARM],
    properties=("comparisonOperator", "threshold", "thresholdMetricId", "evaluationPeriods", "datapointsToAlarm"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (Threshold for static thresholds; the anomaly-band operators need ThresholdMetricId; "
    "DatapointsToAlarm is the M of an M-out-of-N alarm, N = EvaluationPeriods)",
)
def metric_alarm_threshold(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A static operator has a threshold, an anomaly-band operator a thresholdMetricId; datapoints <= periods."""
    operator = known_str(resource.get("comparisonOperator"))
    band = plain(resource.get("thresholdMetricId")) is not None
    if operator in ANOMALY_COMPARISONS and not band:
        yield Finding("thresholdMetricId", f"{operator} compares against an anomaly band: it needs thresholdMetricId")
    if operator in COMPARISONS[:4] and not band and resource.get("threshold") is None:
        yield Finding("threshold", "a static-threshold alarm needs a threshold", code="MissingParameter")
    datapoints, periods = known_int(resource.get("datapointsToAlarm")), known_int(resource.get("evaluationPeriods"))
    if datapoints is not None and periods is not None and datapoints > periods:
        yield Finding("datapointsToAlarm", f"{datapoints} data points out of {periods} evaluation periods")


@rule(
    types=[METRIC_ALARM],
    properties=("dimensions",),
    code="ValidationError",
    source=f"{DIMENSION_DOC} (names and values: ASCII only, at least one non-whitespace character, no control "
    "characters; a name does not begin with ':')",
)
def metric_alarm_dimension_text(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Dimension names and values are printable ASCII with a non-blank character; no name begins with ":"."""
    raw = resource.get("dimensions")
    if is_unknown(raw):
        return
    for name, value in mapping(raw).items():
        if not name.isascii() or not name.strip() or name.startswith(":") or CONTROL.search(name):
            yield Finding("dimensions", f'dimension name "{name[:40]}": printable ASCII, not blank, not ":..."')
        text = known_str(value)
        if text is not None and (not text.isascii() or not text.strip() or CONTROL.search(text)):
            yield Finding("dimensions", f'dimension "{name[:40]}" value: printable ASCII, not blank')


@rule(
    types=[METRIC_ALARM],
    properties=("alarmActions", "okActions", "insufficientDataActions"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (AlarmActions, OKActions, InsufficientDataActions: at most 5 ARNs each)",
)
def metric_alarm_actions(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Each action list holds at most 5 ARNs of SNS, Auto Scaling, EC2, Systems Manager or Lambda actions."""
    for prop in ("alarmActions", "okActions", "insufficientDataActions"):
        # At most 5, each 1-1024: the model's (apimap); which services' ARNs is the API reference's.
        actions = items(resource.get(prop))
        for i, action in enumerate(actions):
            arn = known_str(action)
            if arn is not None and not ACTION_ARN.fullmatch(arn):
                yield Finding(f"{prop}[{i}]", f'"{arn[:80]}" is not an alarm action ARN')

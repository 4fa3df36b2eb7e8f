"""CloudWatch: metric alarms (PutMetricAlarm). Limits from the AWS API model (botocore ``cloudwatch``
shapes) and the PutMetricAlarm reference."""

from __future__ import annotations

import re
from collections.abc import Iterator

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import items, known_int, known_str, mapping, plain

PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
DIMENSION_DOC = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html"

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
OPERATORS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
ANOMALY_OPERATORS = OPERATORS[4:]
MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ACTION_ARN = re.compile(r"arn:[\w-]+:(sns|autoscaling|automate|ssm|ssm-incidents|swf|lambda|ec2):[^\s]*")
MAX_DIMENSIONS = 30
MAX_ACTIONS = 5


@rule(
    types=[ALARM],
    properties=("name", "namePrefix", "alarmDescription"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (AlarmName 1-255 without ASCII control characters; AlarmDescription 0-1024)",
)
def metric_alarm_name_and_description(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An alarm's name is 1-255 characters without control characters; its description at most 1024."""
    name = known_str(resource.get("name"))
    if name is not None and (not 1 <= len(name) <= 255 or CONTROL.search(name)):
        yield Finding("name", f"{len(name)} characters or control characters; 1-255 printable characters")
    description = known_str(resource.get("alarmDescription"))
    if description is not None and len(description) > 1024:
        yield Finding("alarmDescription", f"{len(description)} characters; at most 1024")


@rule(
    types=[ALARM],
    properties=("metricName", "namespace", "statistic", "extendedStatistic", "metricQueries"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (MetricName or Metrics; Namespace 1-255 not beginning with ':'; Statistic "
    "or ExtendedStatistic, not both)",
)
def metric_alarm_metric(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An alarm watches a metric (namespace, name and one statistic) or metric queries, not both."""
    metric = plain(resource.get("metricName"))
    queries = items(resource.get("metricQueries"))
    if metric is None and not queries:
        yield Finding("metricName", "an alarm needs metricName or metricQueries", code="MissingParameter")
        return
    if metric is not None and queries:
        yield Finding(
            "metricQueries", "metricName and metricQueries cannot be combined", code="InvalidParameterCombination"
        )
    if metric is None:
        return
    name = known_str(metric)
    if name is not None and not 1 <= len(name) <= 255:
        yield Finding("metricName", f"{len(name)} characters; 1-255")
    namespace = known_str(resource.get("namespace"))
    if plain(resource.get("namespace")) is None:
        yield Finding("namespace", "a metric alarm needs a namespace", code="MissingParameter")
    elif namespace is not None and (not 1 <= len(namespace) <= 255 or namespace.startswith(":")):
        yield Finding("namespace", f'"{namespace[:40]}": 1-255 characters, not beginning with ":"')
    statistic, extended = plain(resource.get("statistic")), plain(resource.get("extendedStatistic"))
    if (statistic is None) == (extended is None):
        yield Finding(
            "statistic", "give exactly one of statistic and extendedStatistic", code="InvalidParameterCombination"
        )
    known = known_str(statistic)
    if known is not None and known not in STATISTICS:
        yield Finding("statistic", f'"{known}" is not {" | ".join(STATISTICS)}')


@rule(
    types=[ALARM],
    properties=("period", "evaluationPeriods", "datapointsToAlarm"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (Period: 10, 20, 30 or a multiple of 60; EvaluationPeriods >= 1; DatapointsToAlarm "
    "1..EvaluationPeriods; Period x EvaluationPeriods at most 1 day below 1-hour periods, 7 days otherwise)",
)
def metric_alarm_periods(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Period is 10, 20, 30 or a multiple of 60 s; at least one evaluation period; the window at most 1 or 7 days."""
    period, evaluations = known_int(resource.get("period")), known_int(resource.get("evaluationPeriods"))
    if period is not None and not (period in (10, 20, 30) or (period > 0 and period % 60 == 0)):
        yield Finding("period", f"{period} s is not 10, 20, 30 or a multiple of 60")
    if evaluations is not None and evaluations < 1:
        yield Finding("evaluationPeriods", f"{evaluations} is below 1")
    datapoints = known_int(resource.get("datapointsToAlarm"))
    if datapoints is not None and (datapoints < 1 or (evaluations is not None and datapoints > evaluations)):
        yield Finding("datapointsToAlarm", f"{datapoints} is outside 1..evaluationPeriods ({evaluations})")
    if period is not None and evaluations is not None and period > 0 and evaluations > 0:
        limit = 86400 if period < 3600 else 604800
        if period * evaluations > limit:
            yield Finding(
                "evaluationPeriods", f"{period} s x {evaluations} = {period * evaluations} s; at most {limit} s"
            )


@rule(
    types=[ALARM],
    properties=("comparisonOperator", "threshold", "thresholdMetricId", "treatMissingData"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (ComparisonOperator enum, anomaly-band operators only with ThresholdMetricId; "
    "Threshold for static thresholds; TreatMissingData breaching | notBreaching | ignore | missing)",
)
def metric_alarm_comparison(resource: CloudResource, world: World) -> Iterator[Finding]:
    """The operator is a known one; a static threshold for static operators; treatMissingData a known value."""
    operator = known_str(resource.get("comparisonOperator"))
    if operator is not None and operator not in OPERATORS:
        yield Finding("comparisonOperator", f'"{operator}" is not a comparison operator')
    band = plain(resource.get("thresholdMetricId")) is not None
    if operator in ANOMALY_OPERATORS and not band:
        yield Finding("thresholdMetricId", f"{operator} compares against an anomaly band: it needs thresholdMetricId")
    if operator is not None and operator not in ANOMALY_OPERATORS and not band and resource.get("threshold") is None:
        yield Finding("threshold", "a static-threshold alarm needs a threshold", code="MissingParameter")
    missing = known_str(resource.get("treatMissingData"))
    if missing is not None and missing not in MISSING_DATA:
        yield Finding("treatMissingData", f'"{missing}" is not {" | ".join(MISSING_DATA)}')


@rule(
    types=[ALARM],
    properties=("dimensions",),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (Dimensions: at most 30); {DIMENSION_DOC} (Name 1-255, Value 1-1024, ASCII, "
    "not blank, a name not beginning with ':')",
)
def metric_alarm_dimensions(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 30 dimensions; names 1-255 and values 1-1024 printable ASCII, not blank; no name begins with ":"."""
    dimensions = mapping(resource.get("dimensions"))
    if len(dimensions) > MAX_DIMENSIONS:
        yield Finding("dimensions", f"{len(dimensions)} dimensions; at most {MAX_DIMENSIONS}")
    for key, raw in dimensions.items():
        value = known_str(raw)
        if not (1 <= len(key) <= 255 and key.isascii() and key.strip() and not key.startswith(":")) or CONTROL.search(
            key
        ):
            yield Finding("dimensions", f'dimension name "{key[:40]}": 1-255 printable ASCII, not beginning with ":"')
        if value is not None and (not 1 <= len(value) <= 1024 or not value.isascii() or not value.strip()):
            yield Finding("dimensions", f'dimension "{key[:40]}" value: 1-1024 printable ASCII, not blank')


@rule(
    types=[ALARM],
    properties=("alarmActions", "okActions", "insufficientDataActions"),
    code="ValidationError",
    source=f"{PUT_METRIC_ALARM} (AlarmActions, OKActions, InsufficientDataActions: at most 5 ARNs each)",
)
def metric_alarm_actions(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Each action list holds at most 5 ARNs of SNS, Auto Scaling, EC2, Systems Manager or Lambda actions."""
    for prop in ("alarmActions", "okActions", "insufficientDataActions"):
        actions = items(resource.get(prop))
        if len(actions) > MAX_ACTIONS:
            yield Finding(prop, f"{len(actions)} actions; at most {MAX_ACTIONS}")
        for i, action in enumerate(actions):
            arn = known_str(action)
            if arn is not None and not ACTION_ARN.fullmatch(arn):
                yield Finding(f"{prop}[{i}]", f'"{arn[:80]}" is not an alarm action ARN')

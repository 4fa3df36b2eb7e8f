"""CloudWatch metric alarm rules beyond the twin cases: every period and window edge, each operator's threshold,
each dimension text fault, each action list, and what each refusal says (the value, the limit, the property)."""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules import CloudError
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import ALARM, BASE, TOPIC
from tests.offline.cloudrules.world import errors

STATIC = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold")
BAND = ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold")


def _alarm(rule: str, **changes: Any) -> list[CloudError]:
    """The findings of one rule on the base alarm with ``changes`` (None removes an input)."""
    inputs = {k: v for k, v in {**BASE[ALARM], **changes}.items() if v is not None}
    return [e for e in errors(ALARM, inputs) if e.rule == rule]


def _seen(found: list[CloudError]) -> list[tuple[str, str, str]]:
    return [(e.property, e.code, e.message) for e in found]


# --- treatMissingData ----------------------------------------------------------------------------


def test_a_missing_data_treatment_outside_the_four_is_refused_and_the_four_are_listed() -> None:
    found = _alarm("metric-alarm-values", treatMissingData="notbreaching")
    assert _seen(found) == [
        (
            "treatMissingData",
            "ValidationError",
            '"notbreaching" is not breaching | notBreaching | ignore | missing',
        )
    ]


@pytest.mark.parametrize("treatment", ["breaching", "notBreaching", "ignore", "missing", UNKNOWN])
def test_each_missing_data_treatment_aws_takes_is_accepted(treatment: str) -> None:
    assert _alarm("metric-alarm-values", treatMissingData=treatment) == []


# --- period and the evaluation window ------------------------------------------------------------


@pytest.mark.parametrize("period", [10.0, 20.0, 30.0, 60.0, 120.0, 3600.0])
def test_a_high_resolution_period_or_a_multiple_of_a_minute_is_accepted(period: float) -> None:
    assert _alarm("metric-alarm-evaluation", period=period, evaluationPeriods=1.0) == []


@pytest.mark.parametrize("period", [1, 9, 11, 40, 59, 61, 90])
def test_any_other_period_is_refused_and_says_what_aws_takes(period: int) -> None:
    found = _alarm("metric-alarm-evaluation", period=float(period), evaluationPeriods=1.0)
    assert [(e.property, e.message) for e in found] == [("period", f"{period} s is not 10, 20, 30 or a multiple of 60")]


@pytest.mark.parametrize(
    ("period", "periods", "limit"),
    [
        (60, 1441, 86_400),  # under an hour's period: at most a day
        (3540, 25, 86_400),  # 59 minutes is still under an hour
        (10, 8641, 86_400),
        (3600, 169, 604_800),  # an hour or more: at most a week
        (604_860, 1, 604_800),  # one period longer than a week
    ],
)
def test_an_evaluation_window_longer_than_its_limit_is_refused(period: int, periods: int, limit: int) -> None:
    found = _alarm("metric-alarm-evaluation", period=float(period), evaluationPeriods=float(periods))
    assert _seen(found) == [("evaluationPeriods", "ValidationError", f"{periods} x {period} s is more than {limit} s")]


@pytest.mark.parametrize(
    ("period", "periods"), [(60, 1440), (3540, 24), (10, 8640), (3600, 168), (3600, 25), (604_800, 1)]
)
def test_an_evaluation_window_at_its_limit_is_accepted(period: int, periods: int) -> None:
    assert _alarm("metric-alarm-evaluation", period=float(period), evaluationPeriods=float(periods)) == []


# --- the metric an alarm watches -----------------------------------------------------------------


def test_an_alarm_without_a_metric_or_queries_is_missing_a_parameter_and_says_only_that() -> None:
    found = _alarm("metric-alarm-metric-source", metricName=None, namespace=None, statistic=None)
    assert _seen(found) == [("metricName", "MissingParameter", "an alarm needs metricName or metricQueries")]


def test_a_metric_and_metric_queries_together_are_an_invalid_combination() -> None:
    found = _alarm("metric-alarm-metric-source", metricQueries=[{"id": "e1", "expression": "m1", "returnData": True}])
    assert _seen(found) == [
        ("metricQueries", "InvalidParameterCombination", "metricName and metricQueries cannot be combined")
    ]


def test_metric_queries_alone_need_no_namespace_or_statistic() -> None:
    queries = [{"id": "e1", "expression": "m1", "returnData": True}]
    assert (
        _alarm("metric-alarm-metric-source", metricName=None, namespace=None, statistic=None, metricQueries=queries)
        == []
    )


def test_a_metric_without_a_namespace_is_missing_a_parameter() -> None:
    found = _alarm("metric-alarm-metric-source", namespace=None)
    assert _seen(found) == [("namespace", "MissingParameter", "a metric alarm needs a namespace")]


@pytest.mark.parametrize(("statistic", "extended"), [(None, None), ("Maximum", "p99")], ids=["neither", "both"])
def test_a_metric_takes_exactly_one_of_statistic_and_extended_statistic(statistic: Any, extended: Any) -> None:
    found = _alarm("metric-alarm-metric-source", statistic=statistic, extendedStatistic=extended)
    assert _seen(found) == [
        ("statistic", "InvalidParameterCombination", "give exactly one of statistic and extendedStatistic")
    ]


# --- thresholds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("operator", BAND)
def test_an_anomaly_band_operator_without_a_band_is_refused_for_that_alone(operator: str) -> None:
    found = _alarm("metric-alarm-threshold", comparisonOperator=operator, threshold=None)
    assert _seen(found) == [
        (
            "thresholdMetricId",
            "ValidationError",
            f"{operator} compares against an anomaly band: it needs thresholdMetricId",
        )
    ]


@pytest.mark.parametrize("operator", BAND)
def test_an_anomaly_band_operator_with_its_band_is_accepted(operator: str) -> None:
    assert _alarm("metric-alarm-threshold", comparisonOperator=operator, threshold=None, thresholdMetricId="ad1") == []


@pytest.mark.parametrize("operator", STATIC)
def test_a_static_operator_without_a_threshold_is_missing_a_parameter(operator: str) -> None:
    found = _alarm("metric-alarm-threshold", comparisonOperator=operator, threshold=None)
    assert _seen(found) == [("threshold", "MissingParameter", "a static-threshold alarm needs a threshold")]


@pytest.mark.parametrize("operator", STATIC)
def test_a_static_operator_with_a_threshold_or_a_threshold_metric_is_accepted(operator: str) -> None:
    assert _alarm("metric-alarm-threshold", comparisonOperator=operator, threshold=0.0) == []
    assert _alarm("metric-alarm-threshold", comparisonOperator=operator, threshold=None, thresholdMetricId="t1") == []


def test_more_data_points_than_evaluation_periods_are_refused_and_both_counts_are_named() -> None:
    found = _alarm("metric-alarm-threshold", datapointsToAlarm=4.0, evaluationPeriods=3.0)
    assert _seen(found) == [("datapointsToAlarm", "ValidationError", "4 data points out of 3 evaluation periods")]
    assert _alarm("metric-alarm-threshold", datapointsToAlarm=3.0, evaluationPeriods=3.0) == []


# --- dimension text ------------------------------------------------------------------------------

NAME_FAULT = 'printable ASCII, not blank, not ":..."'


@pytest.mark.parametrize(
    "name", ["Zon\u00e9", "  ", ":Zone", "Zo\tne", "Zone\x7f"], ids=["ascii", "blank", "colon", "tab", "del"]
)
def test_a_dimension_name_that_is_not_printable_ascii_or_begins_with_a_colon_is_refused(name: str) -> None:
    found = _alarm("metric-alarm-dimension-text", dimensions={name: "v"})
    assert _seen(found) == [("dimensions", "ValidationError", f'dimension name "{name}": {NAME_FAULT}')]


@pytest.mark.parametrize(
    "value", ["pr\u00e9", " \t", "a\nb", "a\x1fb", "ab\x7f"], ids=["ascii", "blank", "lf", "us", "del"]
)
def test_a_dimension_value_that_is_not_printable_ascii_is_refused(value: str) -> None:
    found = _alarm("metric-alarm-dimension-text", dimensions={"Zone": value})
    assert _seen(found) == [("dimensions", "ValidationError", 'dimension "Zone" value: printable ASCII, not blank')]


def test_a_dimension_name_and_value_both_wrong_are_both_refused_and_a_long_name_is_cut_at_40() -> None:
    name = ":" + "n" * 49
    found = _alarm("metric-alarm-dimension-text", dimensions={name: "  "})
    assert [e.message for e in found] == [
        f'dimension name "{name[:40]}": {NAME_FAULT}',
        f'dimension "{name[:40]}" value: printable ASCII, not blank',
    ]


@pytest.mark.parametrize(
    "dimensions",
    [{"Load Balancer:1": "app/a/1 x", "A:": " v "}, {"Zone": UNKNOWN}, UNKNOWN],
    ids=["spaces-and-inner-colons", "unknown-value", "unknown"],
)
def test_dimension_text_that_aws_takes_or_cannot_yet_know_is_accepted(dimensions: Any) -> None:
    assert _alarm("metric-alarm-dimension-text", dimensions=dimensions) == []


# --- actions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("prop", ["alarmActions", "okActions", "insufficientDataActions"])
def test_each_action_list_refuses_what_is_not_an_action_arn_at_its_index(prop: str) -> None:
    found = _alarm("metric-alarm-actions", **{prop: [TOPIC, TOPIC, "ops-topic"]})
    assert _seen(found) == [(f"{prop}[2]", "ValidationError", '"ops-topic" is not an alarm action ARN')]


def test_an_action_that_is_not_an_arn_is_quoted_up_to_80_characters() -> None:
    wrong = "x" * 100
    found = _alarm("metric-alarm-actions", alarmActions=[wrong])
    assert [(e.property, e.message) for e in found] == [("alarmActions[0]", f'"{"x" * 80}" is not an alarm action ARN')]


@pytest.mark.parametrize(
    "arn",
    [
        TOPIC,
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        "arn:aws:ssm:us-east-1:123456789012:opsitem:3",
        "arn:aws:swf:us-east-1:123456789012:action/actions/AWS_EC2.InstanceId.Reboot/1.0",
        UNKNOWN,
    ],
)
def test_action_arns_of_the_services_alarms_call_are_accepted(arn: str) -> None:
    assert _alarm("metric-alarm-actions", alarmActions=[arn], okActions=[arn], insufficientDataActions=[arn]) == []


def test_a_period_aws_refuses_still_has_its_window_judged() -> None:
    found = _alarm("metric-alarm-evaluation", period=1.0, evaluationPeriods=86_401.0)
    assert [(e.property, e.message) for e in found] == [
        ("period", "1 s is not 10, 20, 30 or a multiple of 60"),
        ("evaluationPeriods", "86401 x 1 s is more than 86400 s"),
    ]

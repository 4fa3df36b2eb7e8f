"""Auto Scaling rules beyond the twin cases: the healthy-percentage ranges at both ends, and the launch template
version a group names through a mixed instances policy."""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules import CloudError
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import ASG, BASE, ROLLOUT, SCALING
from tests.offline.cloudrules.world import errors

MAINTENANCE = "instanceMaintenancePolicy"


def _group(**changes: Any) -> list[CloudError]:
    return errors(ASG, {k: v for k, v in {**BASE[ASG], **changes}.items() if v is not None})


def _maintenance(low: float, high: float) -> list[tuple[str, str, str]]:
    found = _group(**{MAINTENANCE: {"minHealthyPercentage": low, "maxHealthyPercentage": high}})
    return [(e.rule, e.property, e.message) for e in found]


@pytest.mark.parametrize(("low", "high"), [(100.0, 200.0), (0.0, 100.0), (100.0, 100.0), (-1.0, -1.0)])
def test_a_maintenance_policy_at_the_ends_of_its_ranges_is_accepted(low: float, high: float) -> None:
    assert _maintenance(low, high) == []


@pytest.mark.parametrize("high", [-1.0, 99.0, 201.0])
def test_a_rollout_maximum_has_no_unset_value_and_is_100_to_200(high: float) -> None:
    # Only a maintenance policy takes -1 for "unset"; a refresh's maximum is 100-200 (StartInstanceRefresh).
    found = errors(ROLLOUT, {**BASE[ROLLOUT], "minHealthyPercentage": 100.0, "maxHealthyPercentage": high})
    assert [(e.property, e.message.split(" (")[0]) for e in found] == [
        ("maxHealthyPercentage", f"{high:.0f} is outside 100-200")
    ]


def test_a_rollout_minimum_of_minus_1_is_no_unset_value_and_widens_the_range_past_100() -> None:
    found = errors(ROLLOUT, {**BASE[ROLLOUT], "minHealthyPercentage": -1.0, "maxHealthyPercentage": 100.0})
    assert [(e.property, e.message.split(" (")[0]) for e in found] == [
        ("minHealthyPercentage", "-1 is outside 0-100"),
        ("maxHealthyPercentage", "100 - -1: the range between them is at most 100"),
    ]


def test_a_maintenance_policy_maximum_below_100_is_refused() -> None:
    # The API model lets the maximum be -1 to 200; AWS wants 100-200 unless both are -1.
    assert _maintenance(50.0, 99.0) == [
        ("group-maintenance-policy", f"{MAINTENANCE}.maxHealthyPercentage", "99 is outside 100-200")
    ]


def test_a_maintenance_policy_range_over_100_is_refused() -> None:
    assert _maintenance(99.0, 200.0) == [
        (
            "group-maintenance-policy",
            f"{MAINTENANCE}.maxHealthyPercentage",
            "200 - 99: the range between them is at most 100",
        )
    ]


@pytest.mark.parametrize(("low", "high"), [(-1.0, 120.0), (90.0, -1.0)])
def test_a_maintenance_policy_with_one_percentage_unset_is_refused(low: float, high: float) -> None:
    assert _maintenance(low, high) == [
        ("group-maintenance-policy", f"{MAINTENANCE}.minHealthyPercentage", "set both percentages, or both to -1")
    ]


def test_a_rollout_range_names_its_own_property() -> None:
    found = errors(ROLLOUT, {**BASE[ROLLOUT], "minHealthyPercentage": 99.0, "maxHealthyPercentage": 200.0})
    assert [(e.rule, e.property, e.message) for e in found] == [
        ("rollout-refresh", "maxHealthyPercentage", "200 - 99: the range between them is at most 100")
    ]


def _mixed(version: str) -> dict[str, Any]:
    return {"launchTemplate": {"launchTemplateSpecification": {"launchTemplateId": "lt-1", "version": version}}}


@pytest.mark.parametrize("version", ["$Latest", "$Default"])
def test_auto_rollback_reads_the_mixed_instances_policy_template_version(version: str) -> None:
    found = _group(launchTemplate=None, mixedInstancesPolicy=_mixed(version))
    assert [(e.rule, e.property) for e in found] == [
        ("group-instance-refresh", "instanceRefresh.preferences.autoRollback")
    ]
    assert f"not supported with launch template version {version}; pin a version number" in found[0].message
    assert _group(launchTemplate=None, mixedInstancesPolicy=_mixed("3")) == []


def test_a_group_launch_template_comes_before_its_mixed_instances_policy() -> None:
    assert _group(launchTemplate={"id": "lt-1", "version": "3"}, mixedInstancesPolicy=_mixed("$Latest")) == []


def test_a_mixed_instances_policy_template_version_is_checked_where_it_is() -> None:
    found = _group(launchTemplate=None, instanceRefresh=None, mixedInstancesPolicy=_mixed("latest"))
    assert [(e.rule, e.property) for e in found] == [
        ("group-launch-template-version", "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version")
    ]
    assert '"latest"' in found[0].message


def _rule(found: list[CloudError], rule: str) -> list[tuple[str, str, str]]:
    return [(e.property, e.code, e.message) for e in found if e.rule == rule]


# --- capacity --------------------------------------------------------------------------------------


def test_a_negative_minimum_size_is_refused() -> None:
    assert _rule(_group(minSize=-1.0, desiredCapacity=0.0), "group-capacity") == [
        ("minSize", "ValidationError", "-1 is negative")
    ]


@pytest.mark.parametrize(("low", "desired", "high"), [(0, 0, 0), (2, 2, 2), (1, 1, 4), (1, 4, 4), (0, 3, 5)])
def test_capacities_in_order_are_accepted_including_equal_ones(low: int, desired: int, high: int) -> None:
    found = _group(minSize=float(low), desiredCapacity=float(desired), maxSize=float(high))
    assert _rule(found, "group-capacity") == []


def test_a_minimum_above_the_maximum_is_refused_with_both_sizes() -> None:
    found = _group(minSize=3.0, desiredCapacity=None, maxSize=2.0)
    assert _rule(found, "group-capacity") == [("minSize", "ValidationError", "minSize 3 is above maxSize 2")]


def test_a_desired_capacity_below_the_minimum_is_refused_with_the_minimum() -> None:
    found = _group(minSize=2.0, desiredCapacity=1.0, maxSize=4.0)
    assert _rule(found, "group-capacity") == [("desiredCapacity", "ValidationError", "1 is below minSize 2")]


def test_a_desired_capacity_above_the_maximum_is_refused_with_the_maximum() -> None:
    found = _group(minSize=1.0, desiredCapacity=5.0, maxSize=4.0)
    assert _rule(found, "group-capacity") == [("desiredCapacity", "ValidationError", "5 is above maxSize 4")]


# --- health checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["EC2", "ELB", "VPC_LATTICE", "EBS", "EC2,ELB", "ELB,EBS"])
def test_each_health_check_type_and_a_list_of_them_is_accepted(kind: str) -> None:
    assert _rule(_group(healthCheckType=kind), "group-health-checks") == []


@pytest.mark.parametrize("kind", ["ALB", "elb", "EC2,ALB", "EC2 ELB"])
def test_a_health_check_type_aws_does_not_know_is_refused_and_the_types_are_listed(kind: str) -> None:
    assert _rule(_group(healthCheckType=kind), "group-health-checks") == [
        ("healthCheckType", "ValidationError", f'"{kind}" is not EC2 | ELB | VPC_LATTICE | EBS')
    ]


@pytest.mark.parametrize("prop", ["healthCheckGracePeriod", "defaultInstanceWarmup"])
def test_a_negative_grace_period_or_warmup_is_refused_and_zero_is_accepted(prop: str) -> None:
    assert _rule(_group(**{prop: -1.0}), "group-health-checks") == [(prop, "ValidationError", "-1 is negative")]
    assert _rule(_group(**{prop: 0.0}), "group-health-checks") == []


# --- instance refresh --------------------------------------------------------------------------------


def _refresh(**preferences: Any) -> dict[str, Any]:
    return {"strategy": "Rolling", "preferences": preferences}


def test_instance_refresh_range_over_100_is_refused_where_it_is() -> None:
    found = _group(instanceRefresh=_refresh(minHealthyPercentage=90.0, maxHealthyPercentage=200.0))
    assert _rule(found, "group-instance-refresh") == [
        (
            "instanceRefresh.preferences.maxHealthyPercentage",
            "ValidationError",
            "200 - 90: the range between them is at most 100",
        )
    ]


@pytest.mark.parametrize("version", ["$Latest", "$Default"])
def test_auto_rollback_with_a_moving_group_template_version_is_refused(version: str) -> None:
    found = _group(launchTemplate={"id": "lt-1", "version": version})
    assert [(p, m) for p, _, m in _rule(found, "group-instance-refresh")] == [
        (
            "instanceRefresh.preferences.autoRollback",
            f"auto-rollback is not supported with launch template version {version}; pin a version number",
        )
    ]


def test_a_moving_template_version_is_accepted_without_auto_rollback_or_without_a_refresh() -> None:
    latest = {"id": "lt-1", "version": "$Latest"}
    no_rollback = _refresh(minHealthyPercentage=100.0, maxHealthyPercentage=150.0, autoRollback=False)
    assert _rule(_group(launchTemplate=latest, instanceRefresh=no_rollback), "group-instance-refresh") == []
    assert _rule(_group(launchTemplate=latest, instanceRefresh=None), "group-instance-refresh") == []


# --- the rollout ---------------------------------------------------------------------------------------


def _rollout(**changes: Any) -> list[tuple[str, str, str]]:
    inputs = {k: v for k, v in {**BASE[ROLLOUT], **changes}.items() if v is not None}
    return _rule(errors(ROLLOUT, inputs), "rollout-refresh")


def test_a_rollout_watches_at_most_10_alarms() -> None:
    names = [f"alarm-{i}" for i in range(11)]
    assert _rollout(alarmNames=names) == [
        ("alarmNames", "ValidationError", "11 alarms; an instance refresh watches at most 10")
    ]
    assert _rollout(alarmNames=names[:10]) == []
    assert _rollout(alarmNames=UNKNOWN) == []


def test_a_rollout_alarm_name_is_1_to_255_characters() -> None:
    found = _rollout(alarmNames=["a" * 256, "", "b" * 255, "c"])
    assert [m for p, _, m in found if p == "alarmNames"] == [
        "an alarm name of 256 characters; 1-255",
        "an alarm name of 0 characters; 1-255",
    ]


@pytest.mark.parametrize("version", ["$Latest", "$Default", "v2", "\u00b2", "2a"])
def test_a_rollout_needs_a_launch_template_version_number(version: str) -> None:
    assert _rollout(launchTemplateVersion=version) == [
        (
            "launchTemplateVersion",
            "ValidationError",
            f'"{version}": auto-rollback needs a launch template version number',
        )
    ]


@pytest.mark.parametrize("version", ["1", "12", UNKNOWN])
def test_a_rollout_with_a_version_number_or_one_not_known_yet_is_accepted(version: str) -> None:
    assert _rollout(launchTemplateVersion=version) == []


# --- scaling policies ------------------------------------------------------------------------------------


def _policy(**changes: Any) -> list[tuple[str, str, str]]:
    inputs = {k: v for k, v in {**BASE[SCALING], **changes}.items() if v is not None}
    return _rule(errors(SCALING, inputs), "scaling-policy")


def test_a_policy_type_aws_does_not_know_is_refused_and_the_four_are_listed() -> None:
    assert _policy(policyType="Simple", targetTrackingConfiguration=None) == [
        (
            "policyType",
            "ValidationError",
            '"Simple" is not SimpleScaling | StepScaling | TargetTrackingScaling | PredictiveScaling',
        )
    ]


@pytest.mark.parametrize("kind", ["SimpleScaling", "StepScaling", "PredictiveScaling", None])
def test_a_policy_that_is_not_target_tracking_needs_no_tracking_configuration(kind: str | None) -> None:
    assert _policy(policyType=kind, targetTrackingConfiguration=None) == []


def test_a_target_tracking_policy_without_its_configuration_is_missing_a_parameter() -> None:
    assert _policy(targetTrackingConfiguration=None) == [
        ("targetTrackingConfiguration", "MissingParameter", "a target tracking policy needs its configuration")
    ]
    assert _policy(targetTrackingConfiguration=UNKNOWN) == []


def _tracking(metric: str, target: float, **spec: Any) -> dict[str, Any]:
    return {"predefinedMetricSpecification": {"predefinedMetricType": metric, **spec}, "targetValue": target}


def test_request_count_per_target_needs_a_resource_label() -> None:
    # An empty label is the model's refusal (ResourceLabel is 1-1023 characters).
    found = _policy(targetTrackingConfiguration=_tracking("ALBRequestCountPerTarget", 100.0))
    assert found == [
        (
            "targetTrackingConfiguration.predefinedMetricSpecification.resourceLabel",
            "ValidationError",
            "ALBRequestCountPerTarget needs a resource label",
        )
    ]


def test_an_empty_resource_label_is_refused_once_by_the_model() -> None:
    tracking = _tracking("ALBRequestCountPerTarget", 100.0)
    tracking["predefinedMetricSpecification"]["resourceLabel"] = ""
    found = _policy(targetTrackingConfiguration=tracking)
    assert [(prop, code, message.split(" (")[0]) for prop, code, message in found] == [
        (
            "targetTrackingConfiguration.predefinedMetricSpecification.resourceLabel",
            "ValidationError",
            "0 characters; 1-1023",
        )
    ]


def test_request_count_per_target_with_its_label_is_accepted() -> None:
    label = "app/a/1/targetgroup/t/1"
    assert _policy(targetTrackingConfiguration=_tracking("ALBRequestCountPerTarget", 100.0, resourceLabel=label)) == []


@pytest.mark.parametrize("target", [0.0, -5.0])
def test_a_target_value_that_is_not_positive_is_refused(target: float) -> None:
    assert _policy(targetTrackingConfiguration=_tracking("ASGAverageCPUUtilization", target)) == [
        ("targetTrackingConfiguration.targetValue", "ValidationError", f"{target} must be positive")
    ]
    assert _policy(targetTrackingConfiguration=_tracking("ASGAverageCPUUtilization", 0.5)) == []


# --- names -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prop", ["name", "namePrefix"])
def test_a_group_name_outside_printable_ascii_or_with_a_colon_is_refused(prop: str) -> None:
    found = _group(**{prop: "web a:b\x7f"})
    assert _rule(found, "group-name-characters") == [
        (prop, "ValidationError", "character(s) [' ', ':', '\\x7f'] not allowed (ASCII 33-126, no colon)")
    ]


@pytest.mark.parametrize("prop", ["name", "namePrefix"])
def test_a_group_name_from_ascii_33_to_126_is_accepted(prop: str) -> None:
    assert _rule(_group(**{prop: "!web~"}), "group-name-characters") == []


# --- launch template versions and the maintenance policy ---------------------------------------------


def test_each_mixed_instances_override_version_is_checked_at_its_index() -> None:
    mixed = _mixed("3")
    mixed["launchTemplate"]["overrides"] = [
        {"launchTemplateSpecification": {"launchTemplateId": "lt-2", "version": "4"}},
        {"launchTemplateSpecification": {"launchTemplateId": "lt-2", "version": "newest"}},
    ]
    found = _group(launchTemplate=None, mixedInstancesPolicy=mixed)
    props = [p for p, _, _ in _rule(found, "group-launch-template-version")]
    assert props == ["mixedInstancesPolicy.launchTemplate.overrides[1].launchTemplateSpecification.version"]


def test_a_group_launch_template_version_is_checked() -> None:
    found = _group(launchTemplate={"id": "lt-1", "version": "newest"})
    assert [p for p, _, _ in _rule(found, "group-launch-template-version")] == ["launchTemplate.version"]


@pytest.mark.parametrize(
    ("given", "missing"),
    [("minHealthyPercentage", "maxHealthyPercentage"), ("maxHealthyPercentage", "minHealthyPercentage")],
)
def test_a_maintenance_policy_with_one_percentage_names_the_other(given: str, missing: str) -> None:
    found = _group(**{MAINTENANCE: {given: 100.0}})
    assert _rule(found, "group-maintenance-policy-both") == [
        (f"{MAINTENANCE}.{missing}", "ValidationError", f"both percentages must be specified, only {given} is")
    ]


@pytest.mark.parametrize("policy", [UNKNOWN, {}, {"minHealthyPercentage": UNKNOWN, "maxHealthyPercentage": 110.0}])
def test_a_maintenance_policy_not_known_or_empty_is_not_refused_for_a_missing_percentage(policy: Any) -> None:
    assert _rule(_group(**{MAINTENANCE: policy}), "group-maintenance-policy-both") == []


def test_a_group_without_subnets_or_zones_is_refused_and_says_what_it_needs() -> None:
    found = [
        (e.rule, e.property, e.message) for e in _group(vpcZoneIdentifiers=[]) if e.property == "vpcZoneIdentifiers"
    ]
    assert found == [("group-capacity", "vpcZoneIdentifiers", "a group needs subnets (or Availability Zones)")]


def test_a_group_in_availability_zones_needs_no_subnets() -> None:
    # The provider's create sends VPCZoneIdentifier only for a non-empty list (terraform-provider-aws
    # internal/service/autoscaling/group.go: d.GetOk("vpc_zone_identifier") ... Len() > 0).
    found = _group(vpcZoneIdentifiers=[], availabilityZones=["us-east-1a", "us-east-1b"])
    assert [e for e in found if e.property == "vpcZoneIdentifiers"] == []
    assert [
        e for e in _group(vpcZoneIdentifiers=None, availabilityZones=["us-east-1a"]) if e.rule == "group-capacity"
    ] == []

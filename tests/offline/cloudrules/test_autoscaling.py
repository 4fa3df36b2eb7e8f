"""Auto Scaling rules beyond the twin cases: the healthy-percentage ranges at both ends, and the launch template
version a group names through a mixed instances policy."""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules import CloudError
from tests.offline.cloudrules.cases import ASG, BASE, ROLLOUT
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

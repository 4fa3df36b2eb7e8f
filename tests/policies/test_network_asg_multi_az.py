"""asg-multi-az-behind-load-balancer (mandatory) and asg-multi-az (advisory)."""

from __future__ import annotations

import pytest
from guardrails.network.asg_multi_az import (
    BEHIND_LOAD_BALANCER,
    BEHIND_LOAD_BALANCER_POLICY,
    STANDALONE,
    STANDALONE_POLICY,
    _make,
)
from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, stack_violations
from tests.policies.network_fixtures import Spec, production_spec, subnet, tg_arn, to_stack, urn

ASG = "aws:autoscaling/group:Group"


# The pack's two policies are built once, at import; these tests build them again, so that how a policy is made
# (its schema, its closure) is judged too, as `make mutate` can only see code that runs during a test.
def behind(specs: dict[str, Spec], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(_make(BEHIND_LOAD_BALANCER, behind=True), to_stack(specs), config)


def standalone(specs: dict[str, Spec], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(_make(STANDALONE, behind=False), to_stack(specs), config)


def one_zone(specs: dict[str, Spec]) -> dict[str, Spec]:
    specs["private-b"].props["availabilityZone"] = "us-east-1a"
    specs["private-b"].props["availabilityZoneId"] = "use1-az1"
    return specs


def detach(specs: dict[str, Spec]) -> dict[str, Spec]:
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].deps.pop("targetGroupArns")
    return specs


def test_levels() -> None:
    assert BEHIND_LOAD_BALANCER_POLICY.enforcement_level is EnforcementLevel.MANDATORY
    assert STANDALONE_POLICY.enforcement_level is EnforcementLevel.ADVISORY


@pytest.mark.parametrize(
    ("name", "is_behind", "level", "severity", "scope"),
    [
        (BEHIND_LOAD_BALANCER, True, EnforcementLevel.MANDATORY, Severity.HIGH, "behind a load balancer"),
        (STANDALONE, False, EnforcementLevel.ADVISORY, Severity.MEDIUM, "not behind a load balancer"),
    ],
)
def test_each_policy_is_made_with_its_level_severity_and_two_zone_defaults(
    name: str, is_behind: bool, level: EnforcementLevel, severity: Severity, scope: str
) -> None:
    policy = _make(name, behind=is_behind)
    assert (policy.name, policy.enforcement_level, policy.severity) == (name, level, severity)
    assert policy.description == f"Every Auto Scaling group {scope} spans at least two Availability Zones."
    assert policy.remediation_steps == (
        "List subnets from at least two Availability Zones in the group's vpcZoneIdentifiers "
        "(one private subnet per zone), declared in this stack so their zones can be checked."
    )
    assert policy.config_schema is not None
    properties = policy.config_schema.properties
    assert properties["minimumZones"]["default"] == 2 and properties["minimumZones"]["minimum"] == 2
    assert properties["minimumZones"]["type"] == "integer"
    assert properties["minimumZones"]["description"] == "Distinct Availability Zones the group's subnets must span."
    assert properties["failOnUnresolvedSubnets"]["description"] == (
        "Report a subnet id that matches no subnet in the stack (its zone cannot be known). "
        "Turn off only when the group deliberately uses subnets managed elsewhere."
    )
    assert properties["failOnUnresolvedSubnets"] == {
        **properties["failOnUnresolvedSubnets"],
        "type": "boolean",
        "default": True,
    }


def test_an_empty_config_reads_as_the_defaults() -> None:
    """Configure may never be called: each missing setting reads as its schema default."""
    empty = {"minimumZones": None, "failOnUnresolvedSubnets": None}
    specs = production_spec()
    assert behind(specs, empty) == []
    specs["app-asg"].props["vpcZoneIdentifiers"] = ["subnet-0private-a", "subnet-0elsewhere"]
    assert [message for message, _ in behind(specs, empty)] == [
        "aws:autoscaling/group:Group 'app-asg': vpcZoneIdentifiers entry 'subnet-0elsewhere' matches no subnet in "
        "this stack, so its Availability Zone cannot be checked",
        "aws:autoscaling/group:Group 'app-asg': its subnets span 1 Availability Zone(s); "
        "at least 2 distinct zones are required",
    ]


def test_two_zones_behind_load_balancer_pass() -> None:
    assert behind(production_spec()) == []
    assert standalone(production_spec()) == []


def test_one_zone_behind_load_balancer_violates_mandatory_policy_only() -> None:
    specs = one_zone(production_spec())
    ((message, where),) = behind(specs)
    assert message == (
        "aws:autoscaling/group:Group 'app-asg': its subnets span 1 Availability Zone(s); "
        "at least 2 distinct zones are required"
    )
    assert where == urn(ASG, "app-asg")
    assert standalone(specs) == []


def test_one_zone_without_load_balancer_is_advisory_policy_only() -> None:
    specs = detach(one_zone(production_spec()))
    assert behind(specs) == []
    assert len(standalone(specs)) == 1


def test_each_policy_judges_every_group_of_its_kind_past_one_of_the_other_kind() -> None:
    """A stack with a one-zone group of each kind: each policy reports its own, wherever it comes in the stack."""
    import copy

    for lone_first in (True, False):
        specs = one_zone(production_spec())
        lone = copy.deepcopy(specs["app-asg"])
        lone.props.pop("targetGroupArns")
        lone.deps.pop("targetGroupArns")
        lone.props["id"] = lone.props["name"] = "lone-asg"
        others = {k: v for k, v in specs.items() if k != "app-asg"}
        ordered = (
            {"lone-asg": lone, "app-asg": specs["app-asg"]}
            if lone_first
            else {"app-asg": specs["app-asg"], "lone-asg": lone}
        )
        specs = {**others, **ordered}
        assert [where for _, where in behind(specs)] == [urn(ASG, "app-asg")]
        assert [where for _, where in standalone(specs)] == [urn(ASG, "lone-asg")]


def test_two_subnets_same_zone_by_zone_id_only() -> None:
    specs = production_spec()
    for name in ("private-a", "private-b"):
        del specs[name].props["availabilityZone"]
        specs[name].props["availabilityZoneId"] = "use1-az1"
    assert len(behind(specs)) == 1


def test_subnets_named_only_by_distinct_zone_ids_span_as_many_zones() -> None:
    specs = production_spec()
    for name, zone_id in (("private-a", "use1-az1"), ("private-b", "use1-az2")):
        del specs[name].props["availabilityZone"]
        specs[name].props["availabilityZoneId"] = zone_id
    assert behind(specs) == []
    assert behind(specs, {"minimumZones": 3.0}) == [
        (
            "aws:autoscaling/group:Group 'app-asg': its subnets span 2 Availability Zone(s); "
            "at least 3 distinct zones are required",
            urn(ASG, "app-asg"),
        )
    ]


@pytest.mark.parametrize(("zone_b", "zones"), [("us-east-1b", 2), ("us-east-1a", 1)])
def test_at_first_preview_the_subnets_are_found_through_the_group_s_dependencies(zone_b: str, zones: int) -> None:
    """The subnets are being created: their ids are unknown, their zones (from config) are known."""
    specs = production_spec()
    specs["private-b"].props["availabilityZone"] = zone_b
    for name in ("private-a", "private-b"):
        specs[name].props.update(id=UNKNOWN, arn=UNKNOWN)
    specs["app-asg"].props["vpcZoneIdentifiers"] = [UNKNOWN, UNKNOWN]
    expected = f"its subnets span {zones} Availability Zone(s); at least 3 distinct zones are required"
    assert [message for message, _ in behind(specs, {"minimumZones": 3.0})] == [
        f"aws:autoscaling/group:Group 'app-asg': {expected}"
    ]


def test_a_zone_id_another_subnet_names_with_its_zone_is_not_counted_as_another_zone() -> None:
    specs = production_spec()
    # private-a names us-east-1a and use1-az1; private-b only USE1-AZ1 (the same zone), private-c an id no subnet maps.
    del specs["private-b"].props["availabilityZone"]
    specs["private-b"].props["availabilityZoneId"] = "USE1-AZ1"
    specs["private-c"] = subnet("private-c", "", "use1-az9")
    del specs["private-c"].props["availabilityZone"]
    specs["app-asg"].props["vpcZoneIdentifiers"].append("subnet-0private-c")
    specs["app-asg"].deps["vpcZoneIdentifiers"].append("private-c")
    ((message, _),) = behind(specs)
    assert message.endswith("its subnets span 1 Availability Zone(s); at least 2 distinct zones are required")


def test_zone_ids_map_through_subnets_that_name_both() -> None:
    specs = production_spec()
    del specs["private-b"].props["availabilityZone"]
    specs["private-b"].props["availabilityZoneId"] = "use1-az1"
    # private-a names both us-east-1a and use1-az1, so private-b is in the same zone.
    assert len(behind(specs)) == 1


def test_mixed_names_and_unmappable_ids_count_a_lower_bound() -> None:
    specs = production_spec()
    del specs["private-a"].props["availabilityZoneId"]
    del specs["private-b"].props["availabilityZone"]
    specs["private-b"].props["availabilityZoneId"] = "use1-az9"
    assert len(behind(specs)) == 1  # cannot prove us-east-1a != use1-az9


def test_three_subnets_two_zones_with_minimum_three() -> None:
    specs = production_spec()
    assert len(behind(specs, {"minimumZones": 3.0})) == 1
    specs["private-c"] = subnet("private-c", "us-east-1c")
    specs["app-asg"].props["vpcZoneIdentifiers"].append("subnet-0private-c")
    specs["app-asg"].deps["vpcZoneIdentifiers"].append("private-c")
    assert behind(specs, {"minimumZones": 3.0}) == []


def test_minimum_below_two_is_raised_to_two() -> None:
    assert len(behind(one_zone(production_spec()), {"minimumZones": 1})) == 1


def test_duplicate_subnet_does_not_count_twice() -> None:
    specs = production_spec()
    specs["app-asg"].props["vpcZoneIdentifiers"] = ["subnet-0private-a", "subnet-0private-a"]
    specs["app-asg"].deps["vpcZoneIdentifiers"] = ["private-a"]
    assert len(behind(specs)) == 1


def test_unresolved_subnet_fails_closed_and_is_configurable() -> None:
    specs = production_spec()
    specs["app-asg"].props["vpcZoneIdentifiers"] = ["subnet-0private-a", "subnet-0elsewhere"]
    specs["app-asg"].deps["vpcZoneIdentifiers"] = ["private-a"]
    messages = [m for m, _ in behind(specs)]
    assert any("'subnet-0elsewhere' matches no subnet in this stack" in m for m in messages)
    assert any("span 1 Availability Zone" in m for m in messages)
    relaxed = [m for m, _ in behind(specs, {"failOnUnresolvedSubnets": False})]
    assert relaxed and all("subnet-0elsewhere" not in m for m in relaxed)


def test_subnet_without_zone_is_reported() -> None:
    specs = production_spec()
    del specs["private-b"].props["availabilityZone"]
    del specs["private-b"].props["availabilityZoneId"]
    messages = [m for m, _ in behind(specs)]
    assert any("'private-b' names no availabilityZone" in m for m in messages)


def test_availability_zones_input_when_no_subnets() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("vpcZoneIdentifiers")
    assert behind(specs) == []
    specs["app-asg"].props["availabilityZones"] = ["us-east-1a", "US-EAST-1A "]
    ((message, _),) = behind(specs)
    assert "availabilityZones list 1 zone(s)" in message


def test_no_subnets_and_no_zones_violates() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("vpcZoneIdentifiers")
    specs["app-asg"].props.pop("availabilityZones")
    ((message, _),) = behind(specs)
    assert message == (
        "aws:autoscaling/group:Group 'app-asg': it names no vpcZoneIdentifiers or availabilityZones; "
        "at least 2 distinct zones are required"
    )


def test_subnets_win_over_availability_zones_output() -> None:
    specs = one_zone(production_spec())  # availabilityZones still lists two zones
    assert len(behind(specs)) == 1


@pytest.mark.parametrize("how", ["attachment", "traffic_source", "traffic_source_attachment", "classic"])
def test_other_ways_to_sit_behind_a_load_balancer_are_mandatory(how: str) -> None:
    specs = detach(one_zone(production_spec()))
    if how == "attachment":
        specs["attach"] = Spec(
            "aws:autoscaling/attachment:Attachment",
            {"id": "x", "autoscalingGroupName": "app-asg-9d2c", "lbTargetGroupArn": tg_arn("app-tg")},
            {"autoscalingGroupName": ["app-asg"], "lbTargetGroupArn": ["app-tg"]},
        )
    elif how == "traffic_source":
        specs["app-asg"].props["trafficSources"] = [{"identifier": tg_arn("app-tg"), "type": "elbv2"}]
    elif how == "traffic_source_attachment":
        specs["attach"] = Spec(
            "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
            {
                "id": "x",
                "autoscalingGroupName": "app-asg-9d2c",
                "trafficSource": {"identifier": tg_arn("app-tg"), "type": "elbv2"},
            },
            {"autoscalingGroupName": ["app-asg"]},
        )
    else:
        specs["app-asg"].props["loadBalancers"] = ["classic-elb"]
    assert len(behind(specs)) == 1
    assert standalone(specs) == []


def test_attachment_to_another_group_does_not_count() -> None:
    specs = detach(one_zone(production_spec()))
    specs["attach"] = Spec(
        "aws:autoscaling/attachment:Attachment",
        {"id": "x", "autoscalingGroupName": "other-asg", "lbTargetGroupArn": tg_arn("app-tg")},
    )
    assert behind(specs) == []


def test_target_group_outside_stack_still_means_behind_load_balancer() -> None:
    specs = one_zone(production_spec())
    specs["app-asg"].props["targetGroupArns"] = ["arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1"]
    specs["app-asg"].deps["targetGroupArns"] = []
    assert len(behind(specs)) == 1


@pytest.mark.parametrize("value", [7.0, "subnet-0private-a", [None, 3.0], {"a": "b"}])
def test_malformed_subnet_lists_never_raise(value: object) -> None:
    specs = production_spec()
    specs["app-asg"].props["vpcZoneIdentifiers"] = value
    specs["app-asg"].deps["vpcZoneIdentifiers"] = []
    assert behind(specs)  # one zone at most, or nothing readable: always a violation


def test_unknown_subnet_list_raises() -> None:
    specs = production_spec()
    specs["app-asg"].props["vpcZoneIdentifiers"] = UNKNOWN
    with pytest.raises(UnknownValueError):
        behind(specs)

"""Subnet carving and zone choice: disjoint, inside the VPC, and stable as tiers and zones are added."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import ConfigError
from components.planning import (
    MAX_VPC_PREFIX,
    MIN_SUBNET_PREFIX,
    TIER_SLOTS,
    ZONE_SLOTS,
    SubnetPlan,
    choose_zones,
    plan_subnets,
    subnet_prefix,
)

PRIVATE_BLOCKS = [ipaddress.IPv4Network(b) for b in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


@st.composite
def vpc_cidrs(draw: st.DrawFn) -> str:
    block = draw(st.sampled_from(PRIVATE_BLOCKS))
    prefix = draw(st.integers(min_value=max(16, block.prefixlen), max_value=MAX_VPC_PREFIX))
    offset = draw(st.integers(min_value=0, max_value=block.num_addresses - 1))
    address = ipaddress.IPv4Address(int(block.network_address) + offset)
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


ZONE_NAMES = st.lists(
    st.sampled_from([f"us-east-1{c}" for c in "abcdefgh"]), min_size=1, max_size=ZONE_SLOTS, unique=True
)
TIER_NAMES = st.lists(
    st.sampled_from(["public", "private", "isolated", "data"]), min_size=1, max_size=TIER_SLOTS, unique=True
)


def networks(plans: list[SubnetPlan]) -> list[ipaddress.IPv4Network]:
    return [ipaddress.IPv4Network(p.cidr) for p in plans]


def test_layout_of_the_default_vpc_reads_by_tier_block() -> None:
    # GIVEN the default VPC and two zones WHEN both tiers are planned THEN tiers are /18 blocks of /21s
    plans = plan_subnets("10.0.0.0/16", ["us-east-1a", "us-east-1b"], ["public", "private"])
    assert [(p.tier, p.zone, p.cidr) for p in plans] == [
        ("public", "us-east-1a", "10.0.0.0/21"),
        ("public", "us-east-1b", "10.0.8.0/21"),
        ("private", "us-east-1a", "10.0.64.0/21"),
        ("private", "us-east-1b", "10.0.72.0/21"),
    ]


@given(vpc_cidrs(), ZONE_NAMES, TIER_NAMES)
def test_subnets_are_disjoint_inside_the_vpc_and_at_least_a_slash_28(
    vpc_cidr: str, zones: list[str], tiers: list[str]
) -> None:
    vpc = ipaddress.IPv4Network(vpc_cidr)
    plans = plan_subnets(vpc_cidr, zones, tiers)
    assert len(plans) == len(zones) * len(tiers)
    assert {(p.tier, p.zone) for p in plans} == set(itertools.product(tiers, zones))
    subnets = networks(plans)
    assert all(subnet.subnet_of(vpc) for subnet in subnets)
    assert all(subnet.prefixlen == subnet_prefix(vpc_cidr) <= MIN_SUBNET_PREFIX for subnet in subnets)
    for a, b in itertools.combinations(subnets, 2):
        assert not a.overlaps(b), (a, b)


@given(vpc_cidrs(), ZONE_NAMES, TIER_NAMES, st.data())
def test_adding_zones_or_tiers_moves_no_existing_subnet(
    vpc_cidr: str, zones: list[str], tiers: list[str], data: st.DataObject
) -> None:
    # GIVEN a plan for a prefix of the zones and tiers WHEN the full lists are planned THEN it is a subset
    fewer_zones = data.draw(st.integers(min_value=1, max_value=len(zones)))
    fewer_tiers = data.draw(st.integers(min_value=1, max_value=len(tiers)))
    before = plan_subnets(vpc_cidr, zones[:fewer_zones], tiers[:fewer_tiers])
    after = plan_subnets(vpc_cidr, zones, tiers)
    assert set(before) <= set(after)


@given(vpc_cidrs(), ZONE_NAMES, TIER_NAMES)
def test_a_subnet_depends_only_on_its_positions(vpc_cidr: str, zones: list[str], tiers: list[str]) -> None:
    renamed = plan_subnets(vpc_cidr, [f"zone-{i}" for i in range(len(zones))], [f"t{i}" for i in range(len(tiers))])
    original = plan_subnets(vpc_cidr, zones, tiers)
    assert [(p.tier_index, p.zone_index, p.cidr) for p in original] == [
        (p.tier_index, p.zone_index, p.cidr) for p in renamed
    ]


@pytest.mark.parametrize(
    ("vpc_cidr", "zones", "tiers", "why"),
    [
        ("10.0.0.0/24", ["a"], ["public"], "/28"),
        ("10.0.0.1/16", ["a"], ["public"], "host bits"),
        ("fd00::/48", ["a"], ["public"], "IPv4"),
        ("10.0.0.0/16", [f"z{i}" for i in range(ZONE_SLOTS + 1)], ["public"], "zones"),
        ("10.0.0.0/16", ["a", "a"], ["public"], "zones"),
        ("10.0.0.0/16", ["a"], ["t1", "t2", "t3", "t4", "t5"], "tiers"),
        ("10.0.0.0/16", ["a"], ["public", "public"], "tiers"),
    ],
)
def test_plans_the_grid_cannot_hold_are_refused(vpc_cidr: str, zones: list[str], tiers: list[str], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        plan_subnets(vpc_cidr, zones, tiers)


def test_smallest_vpc_still_gives_aws_minimum_subnets() -> None:
    plans = plan_subnets(f"192.168.0.0/{MAX_VPC_PREFIX}", ["a", "b"], ["public", "private"])
    assert {ipaddress.IPv4Network(p.cidr).prefixlen for p in plans} == {MIN_SUBNET_PREFIX}


# --- choose_zones ---------------------------------------------------------------------------------


def test_choose_zones_takes_the_first_zones_in_name_order() -> None:
    assert choose_zones(["us-east-1c", "us-east-1a", "us-east-1b"], 2) == ["us-east-1a", "us-east-1b"]


@given(st.lists(st.sampled_from([f"eu-west-3{c}" for c in "abcdef"]), min_size=1, unique=True), st.data())
def test_raising_the_zone_count_appends_a_zone(available: list[str], data: st.DataObject) -> None:
    count = data.draw(st.integers(min_value=1, max_value=len(available)))
    chosen = choose_zones(available, count)
    assert len(chosen) == count and set(chosen) <= set(available)
    if count < len(available):
        assert choose_zones(available, count + 1)[:count] == chosen


@pytest.mark.parametrize(("available", "count"), [(["a", "b", "c"], 4), ([], 2), (["a", "a"], 2), (["a"], 0)])
def test_too_few_zones_is_a_config_error_naming_az_count(available: list[str], count: int) -> None:
    with pytest.raises(ConfigError) as caught:
        choose_zones(available, count)
    assert caught.value.key == "azCount"
    message = str(caught.value)
    assert message.startswith("config 'azCount': ") and "\n" not in message


def test_too_few_zones_message_says_what_the_region_offers() -> None:
    with pytest.raises(ConfigError, match=r"4 Availability Zones requested but the region offers 3 \(a, b, c\)"):
        choose_zones(["c", "b", "a"], 4)


@pytest.mark.parametrize(
    ("available", "count", "message"),
    [
        (
            ["c", "b", "a", "b"],
            4,
            "config 'azCount': 4 Availability Zones requested but the region offers 3 (a, b, c). "
            "Fix: pulumi config set azCount 3, or choose a region with more zones",
        ),
        (
            [],
            1,
            "config 'azCount': 1 Availability Zones requested but the region offers 0 (none). "
            "Fix: choose a region that has Availability Zones (check aws:region)",
        ),
        (
            ["a"],
            0,
            "config 'azCount': 0 is not a number of Availability Zones. Fix: pulumi config set azCount 2",
        ),
        (
            ["a"],
            -1,
            "config 'azCount': -1 is not a number of Availability Zones. Fix: pulumi config set azCount 2",
        ),
    ],
)
def test_zone_errors_name_the_count_what_the_region_offers_and_the_fix(
    available: list[str], count: int, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        choose_zones(available, count)
    assert str(caught.value) == message


@pytest.mark.parametrize("count", [1, 3])
def test_every_zone_the_region_offers_can_be_chosen(count: int) -> None:
    assert choose_zones(["c", "a", "b"][:count], count) == sorted(["c", "a", "b"][:count])


@pytest.mark.parametrize(
    ("vpc_cidr", "zones", "tiers", "message"),
    [
        ("10.0.0.0/24", ["a"], ["public"], "10.0.0.0/24 is smaller than /23: its subnets would be under /28"),
        ("fd00::/48", ["a"], ["public"], "fd00::/48 is not an IPv4 network"),
        (
            "10.0.0.0/16",
            ["a", "a"],
            ["public"],
            "zones must be at most 8 distinct names, got ['a', 'a']",
        ),
        (
            "10.0.0.0/16",
            ["a"],
            ["t1", "t2", "t3", "t4", "t5"],
            "tiers must be at most 4 distinct names, got ['t1', 't2', 't3', 't4', 't5']",
        ),
    ],
)
def test_refused_plans_say_why(vpc_cidr: str, zones: list[str], tiers: list[str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        plan_subnets(vpc_cidr, zones, tiers)
    assert str(caught.value) == message


def test_the_grid_holds_exactly_eight_zones_and_four_tiers() -> None:
    zones = [f"z{i}" for i in range(ZONE_SLOTS)]
    plans = plan_subnets("10.0.0.0/16", zones, ["t1", "t2", "t3", "t4"])
    assert len(plans) == 32
    assert plans[-1] == SubnetPlan("t4", 3, "z7", 7, "10.0.248.0/21")
    assert subnet_prefix("10.0.0.0/16") == 21 and subnet_prefix("192.168.0.0/23") == 28


def test_subnet_prefix_refuses_a_block_with_host_bits_as_the_planner_does() -> None:
    with pytest.raises(ValueError, match="has host bits set"):
        subnet_prefix("10.0.0.1/16")

"""Pure network planning: which Availability Zones the stack uses and which CIDR each subnet gets.

No Pulumi here, so every rule is property-tested without mocks. The one design constraint is
stability: a subnet whose CIDR or zone changes is replaced, and a subnet cannot be deleted while an
instance, NAT gateway or load balancer still has an interface in it. So a subnet's CIDR depends only
on the VPC CIDR, its tier's position and its zone's position, never on how many tiers or zones there
are: raising ``azCount`` or adding a tier only adds subnets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from components.config import ConfigError

# The VPC is a fixed grid of TIER_SLOTS blocks, each holding ZONE_SLOTS subnets. Eight zone slots
# exceed the largest region (six AZs), four tier slots leave room beside public and private.
TIER_SLOTS = 4
ZONE_SLOTS = 8
GRID_BITS = 2 + 3
# AWS's smallest subnet is a /28, so the largest VPC prefix the grid fits is /23.
MIN_SUBNET_PREFIX = 28
MAX_VPC_PREFIX = MIN_SUBNET_PREFIX - GRID_BITS


@dataclass(frozen=True)
class SubnetPlan:
    """One subnet of the plan: its tier, its zone and the CIDR carved for that pair."""

    tier: str
    tier_index: int
    zone: str
    zone_index: int
    cidr: str


def subnet_prefix(vpc_cidr: str) -> int:
    """The prefix length of every subnet the grid carves from ``vpc_cidr``."""
    return ipaddress.ip_network(vpc_cidr, strict=True).prefixlen + GRID_BITS


def plan_subnets(vpc_cidr: str, zones: Sequence[str], tiers: Sequence[str]) -> list[SubnetPlan]:
    """One subnet per tier per zone, in tier-major order, each at its fixed slot of the grid.

    Slot ``tier_index * ZONE_SLOTS + zone_index`` gives tier blocks that read naturally
    (in 10.0.0.0/16: public 10.0.0.0/21, 10.0.8.0/21, ...; the second tier from 10.0.64.0/21).
    Raises ``ValueError`` for input the grid cannot hold; config validation keeps callers inside it.
    """
    vpc = ipaddress.ip_network(vpc_cidr, strict=True)
    if vpc.version != 4:
        raise ValueError(f"{vpc_cidr} is not an IPv4 network")
    if vpc.prefixlen > MAX_VPC_PREFIX:
        raise ValueError(f"{vpc_cidr} is smaller than /{MAX_VPC_PREFIX}: its subnets would be under /28")
    if len(zones) > ZONE_SLOTS or len(set(zones)) != len(zones):
        raise ValueError(f"zones must be at most {ZONE_SLOTS} distinct names, got {list(zones)}")
    if len(tiers) > TIER_SLOTS or len(set(tiers)) != len(tiers):
        raise ValueError(f"tiers must be at most {TIER_SLOTS} distinct names, got {list(tiers)}")
    size = 1 << (32 - vpc.prefixlen - GRID_BITS)
    base = int(vpc.network_address)
    plans: list[SubnetPlan] = []
    for tier_index, tier in enumerate(tiers):
        for zone_index, zone in enumerate(zones):
            start = base + (tier_index * ZONE_SLOTS + zone_index) * size
            network = ipaddress.IPv4Network((start, vpc.prefixlen + GRID_BITS))
            plans.append(SubnetPlan(tier, tier_index, zone, zone_index, str(network)))
    return plans


def choose_zones(available: Sequence[str], count: int) -> list[str]:
    """The first ``count`` zones in name order, so raising ``azCount`` appends a zone and moves none.

    Raises ``ConfigError`` naming ``azCount`` when the region offers fewer zones than asked.
    """
    zones = sorted(set(available))
    if count < 1:
        raise ConfigError("azCount", f"{count} is not a number of Availability Zones", "pulumi config set azCount 2")
    if count > len(zones):
        offered = ", ".join(zones) if zones else "none"
        raise ConfigError(
            "azCount",
            f"{count} Availability Zones requested but the region offers {len(zones)} ({offered})",
            f"pulumi config set azCount {len(zones)}, or choose a region with more zones"
            if zones
            else "choose a region that has Availability Zones (check aws:region)",
        )
    return zones[:count]

"""Duplicates across a stack (``duplicates.py``): a route's destination is compared as the network it names, in
whichever of the destination inputs it is given."""

from __future__ import annotations

from typing import Any

from offline.cloudrules import CloudResource
from offline.wire import UNKNOWN
from tests.offline.cloudrules.world import PROVIDER_REF, STACK, errors, world

ROUTE = "aws:ec2/route:Route"
RULE = "route-destination-once-per-table"


def _routed(*destinations: dict[str, Any]) -> list[tuple[str, str]]:
    """The refusals of a last route to rtb-1 after routes to ``destinations[:-1]``."""
    account = world()
    for i, destination in enumerate(destinations[:-1]):
        account.add(
            CloudResource(
                urn=f"{STACK}{ROUTE}::r{i}",
                type=ROUTE,
                name=f"r{i}",
                inputs={"routeTableId": "rtb-1", "gatewayId": "igw-1", **destination},
                id=f"r-{i}",
                provider=PROVIDER_REF,
            )
        )
    inputs = {"routeTableId": "rtb-1", "gatewayId": "igw-1", **destinations[-1]}
    return [(e.property, e.message) for e in errors(ROUTE, inputs, account=account) if e.rule == RULE]


def test_a_destination_is_compared_as_the_network_it_names() -> None:
    # 10.1.0.7/16 names the network 10.1.0.0/16, which the first route already sends.
    assert _routed({"destinationCidrBlock": "10.1.0.0/16"}, {"destinationCidrBlock": "10.1.0.7/16"}) == [
        ("destinationCidrBlock", "route r0 already sends 10.1.0.0/16 in this table")
    ]
    assert _routed({"destinationCidrBlock": "10.1.0.0/16"}, {"destinationCidrBlock": "10.1.0.0/17"}) == []


def test_an_ipv6_or_prefix_list_destination_is_found_after_an_empty_or_unknown_ipv4_one() -> None:
    first = {"destinationCidrBlock": "", "destinationIpv6CidrBlock": "::/0"}
    assert _routed(first, {"destinationCidrBlock": UNKNOWN, "destinationIpv6CidrBlock": "0::/0"}) == [
        ("destinationCidrBlock", "route r0 already sends ::/0 in this table")
    ]
    listed = {"destinationPrefixListId": "pl-1"}
    assert _routed(listed, listed) == [("destinationCidrBlock", "route r0 already sends pl-1 in this table")]
    assert _routed(listed, {"destinationPrefixListId": "pl-2"}) == []

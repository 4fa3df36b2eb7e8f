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


def test_a_target_group_named_by_its_id_in_one_listener_and_by_its_arn_in_another_is_one_group() -> None:
    """Behind two load balancers whichever reference each listener uses: the group is the resource it names."""
    listener = "aws:lb/listener:Listener"
    arn = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/7"
    account = world()
    account.add(
        CloudResource(
            urn=f"{STACK}aws:lb/targetGroup:TargetGroup::tg",
            type="aws:lb/targetGroup:TargetGroup",
            name="tg",
            inputs={"port": 80.0, "protocol": "TCP", "vpcId": "vpc-1"},
            id="tg-7",
            outputs={"arn": arn},
            provider=PROVIDER_REF,
        )
    )
    nlb = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/n/1"
    account.add(
        CloudResource(
            urn=f"{STACK}{listener}::nlb-80",
            type=listener,
            name="nlb-80",
            inputs={
                "loadBalancerArn": nlb,
                "port": 80.0,
                "defaultActions": [{"type": "forward", "targetGroupArn": "tg-7"}],
            },
            id="l-7",
            provider=PROVIDER_REF,
        )
    )
    alb = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1"
    inputs = {"loadBalancerArn": alb, "port": 80.0, "defaultActions": [{"type": "forward", "targetGroupArn": arn}]}
    found = [
        (e.property, e.code, e.message)
        for e in errors(listener, inputs, account=account)
        if e.rule == "target-group-behind-one-load-balancer"
    ]
    assert found == [
        (
            "defaultActions[0].targetGroupArn",
            "TargetGroupAssociationLimit",
            "the target group already serves another load balancer (through nlb-80)",
        )
    ]


def _listener(name: str, balancer: str, actions: list[dict[str, Any]], **more: Any) -> CloudResource:
    listener = "aws:lb/listener:Listener"
    inputs = {"loadBalancerArn": balancer, "port": 80.0, "defaultActions": actions}
    return CloudResource(urn=f"{STACK}{listener}::{name}", type=listener, name=name, inputs=inputs, **more)


def test_a_listener_on_a_load_balancer_not_known_yet_does_not_hide_the_one_a_group_serves() -> None:
    """Only listeners with a known load balancer count: an earlier one whose load balancer is unknown is passed over."""
    forward = [{"type": "forward", "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/7"}]
    account = world()
    account.add(_listener("pending", UNKNOWN, forward, provider=PROVIDER_REF))
    nlb = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/n/1"
    account.add(_listener("nlb-80", nlb, forward, id="l-7", provider=PROVIDER_REF))
    alb = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1"
    subject = _listener("subject", alb, forward)

    found = [
        (e.property, e.message)
        for e in errors(subject.type, subject.inputs, account=account)
        if e.rule == "target-group-behind-one-load-balancer"
    ]

    assert found == [
        ("defaultActions[0].targetGroupArn", "the target group already serves another load balancer (through nlb-80)")
    ]

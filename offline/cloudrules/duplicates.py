"""Duplicates AWS refuses across a stack: a second route to one destination in a table, a second route-table
association of one subnet, two listeners on one port of a load balancer, one target group behind two load
balancers.

Each rule compares the resource with the ones created before it (``World``), so the second of a pair is the one
refused, as AWS refuses the second create call. References are compared by what they point at
(``quotas.reference_key``): an id, an ARN, or the URN a still-unknown id was built from.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.quotas import one, reference_key
from offline.cloudrules.registry import canonical, rule
from offline.cloudrules.values import items, known_int, known_str, mapping, plain

EC2_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference"
ELB_API = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference"
ALB_QUOTAS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"

ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"

# A separate route's destination inputs, and an inline route's (RouteTable ``routes[]``).
DESTINATIONS = {
    "destinationCidrBlock": "cidrBlock",
    "destinationIpv6CidrBlock": "ipv6CidrBlock",
    "destinationPrefixListId": "destinationPrefixListId",
}


def _destination(entry: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    """One comparable destination: a normalised CIDR block or a prefix list id; None when unknown or absent."""
    for key in keys:
        text = known_str(entry.get(key))
        if not text:
            continue
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            return text
    return None


def _route_key(world: World, route: CloudResource) -> tuple[str, str] | None:
    table, destination = reference_key(world, route, "routeTableId"), _destination(route.inputs, tuple(DESTINATIONS))
    return None if table is None or destination is None else (table, destination)


@rule(
    types=[ROUTE, ROUTE_TABLE],
    properties=(
        "routeTableId",
        "destinationCidrBlock",
        "destinationIpv6CidrBlock",
        "destinationPrefixListId",
        "routes[].cidrBlock",
        "routes[].ipv6CidrBlock",
        "routes[].destinationPrefixListId",
    ),
    code="RouteAlreadyExists",
    source=f"{EC2_API}/API_CreateRoute.html; {EC2_API}/errors-overview.html (RouteAlreadyExists: a route for "
    "the destination CIDR block already exists in the route table)",
)
def route_destination_once_per_table(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A route table holds one route per destination, inline routes and separate routes together."""
    if canonical(resource.type) == ROUTE_TABLE:
        seen: set[str] = set()
        for i, entry in enumerate(items(resource.get("routes"))):
            destination = _destination(mapping(entry), tuple(DESTINATIONS.values()))
            if destination is not None and destination in seen:
                yield Finding(f"routes[{i}]", f"a second route to {destination} in the same table")
            if destination is not None:
                seen.add(destination)
        return
    key = _route_key(world, resource)
    if key is None:
        return
    table, destination = key
    routes = world.groups("routes-by-table-and-destination", (ROUTE,), lambda r: one(_route_key(world, r)))
    other = routes.other(key, resource.urn)
    if other is not None:
        yield Finding("destinationCidrBlock", f"route {other.name} already sends {destination} in this table")
        return
    owner = world.by_urn.get(table)
    if owner is not None and canonical(owner.type) == ROUTE_TABLE:
        for entry in items(owner.get("routes")):
            if _destination(mapping(entry), tuple(DESTINATIONS.values())) == destination:
                yield Finding(
                    "destinationCidrBlock", f"route table {owner.name} already has an inline route to {destination}"
                )
                return


@rule(
    types=[RTA],
    properties=("subnetId", "gatewayId"),
    code="Resource.AlreadyAssociated",
    source=f"{EC2_API}/API_AssociateRouteTable.html (a subnet or gateway is associated with one route table); "
    f"{EC2_API}/errors-overview.html (Resource.AlreadyAssociated)",
)
def route_table_association_once(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A subnet (or gateway) is associated with one route table only."""
    for prop in ("subnetId", "gatewayId"):
        target = _association_key(world, resource, prop)
        if target is None:
            continue
        associations = world.groups(f"associations-by-{prop}", (RTA,), _association_keys(world, prop))
        other = associations.other(target, resource.urn)
        if other is not None:
            yield Finding(prop, f"already associated with a route table by {other.name}")
            return


def _association_keys(world: World, prop: str) -> Callable[[CloudResource], tuple[str, ...]]:
    return lambda association: one(_association_key(world, association, prop))


def _association_key(world: World, association: CloudResource, prop: str) -> str | None:
    return reference_key(world, association, prop) if plain(association.get(prop)) is not None else None


@rule(
    types=[LISTENER],
    properties=("loadBalancerArn", "port"),
    code="DuplicateListener",
    source=f"{ELB_API}/API_CreateListener.html (DuplicateListener: a listener with the specified port already exists)",
)
def listener_port_once_per_load_balancer(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A load balancer has one listener per port."""
    key = _port_key(world, resource)
    if key is None:
        return
    ports = world.groups("listeners-by-balancer-and-port", (LISTENER,), lambda r: one(_port_key(world, r)))
    other = ports.other(key, resource.urn)
    if other is not None:
        yield Finding("port", f"listener {other.name} already listens on {key[1]} on this load balancer")


def _port_key(world: World, listener: CloudResource) -> tuple[str, int] | None:
    port, balancer = known_int(listener.get("port")), reference_key(world, listener, "loadBalancerArn")
    return None if port is None or balancer is None else (balancer, port)


def _action_groups(actions: Any) -> Iterator[tuple[str, Any]]:
    """(path, target group reference) of every forward in a list of listener actions."""
    for i, raw in enumerate(items(actions)):
        action = mapping(raw)
        if plain(action.get("targetGroupArn")) is not None:
            yield f"[{i}].targetGroupArn", plain(action.get("targetGroupArn"))
        for j, group in enumerate(items(mapping(action.get("forward")).get("targetGroups"))):
            yield f"[{i}].forward.targetGroups[{j}].arn", plain(mapping(group).get("arn"))


def _group_key(world: World, reference: Any) -> str | None:
    found = world.find(reference)
    if found is not None:
        return found.urn
    return known_str(reference) or None


def _balancer_of(world: World, listener: CloudResource) -> str | None:
    if canonical(listener.type) == LISTENER_RULE:
        owner = world.find(plain(listener.get("listenerArn")))
        return _balancer_of(world, owner) if owner is not None and owner.urn != listener.urn else None
    return reference_key(world, listener, "loadBalancerArn")


@rule(
    types=[LISTENER, LISTENER_RULE],
    properties=(
        "loadBalancerArn",
        "listenerArn",
        "defaultActions[].targetGroupArn",
        "defaultActions[].forward.targetGroups[].arn",
        "actions[].targetGroupArn",
        "actions[].forward.targetGroups[].arn",
    ),
    code="TargetGroupAssociationLimit",
    source=f"{ALB_QUOTAS} (load balancers per target group: 1); {ELB_API}/API_CreateListener.html "
    "(TargetGroupAssociationLimit)",
)
def target_group_behind_one_load_balancer(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A target group serves one load balancer: listeners of two load balancers may not forward to it."""
    mine = _balancer_of(world, resource)
    if mine is None:
        return
    # Listeners (with a known load balancer) by the target groups they forward to. The first other one decides:
    # AWS refused any later listener that put the group behind a second load balancer.
    forwarding = world.groups(
        "listeners-by-target-group",
        (LISTENER, LISTENER_RULE),
        lambda r: sorted(_forwarded(world, r)) if _balancer_of(world, r) is not None else [],
    )
    for path, key in _forwarded_paths(world, resource):
        other = forwarding.other(key, resource.urn)
        if other is not None and _balancer_of(world, other) not in (None, mine):
            yield Finding(path, f"the target group already serves another load balancer (through {other.name})")
            return


def _actions_prop(resource: CloudResource) -> str:
    return "actions" if canonical(resource.type) == LISTENER_RULE else "defaultActions"


def _forwarded_paths(world: World, resource: CloudResource) -> list[tuple[str, str]]:
    own = _actions_prop(resource)
    found = [(f"{own}{path}", _group_key(world, ref)) for path, ref in _action_groups(resource.get(own))]
    return [(path, key) for path, key in found if key is not None]


def _forwarded(world: World, resource: CloudResource) -> set[str]:
    return {key for _, key in _forwarded_paths(world, resource)}

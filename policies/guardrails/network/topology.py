"""Who sends traffic to an Auto Scaling group, and what its instances are launched with.

Several resource shapes put an ASG behind a load balancer: its own ``targetGroupArns``,
``loadBalancers`` (classic) and ``trafficSources``, a standalone ``autoscaling.Attachment`` or
``TrafficSourceAttachment``. Several shapes give its instances security groups and subnets: a launch
template by id or name, a mixed-instances policy with overrides, a launch configuration. The stack
rules ask these questions through this module so they all see the same answer.

Every reference is read with :func:`props.reference` / :func:`props.reference_items`, so during a first
``pulumi preview`` an unknown id or ARN is followed through ``propertyDependencies`` instead of being
read: "behind a load balancer" needs only a non-empty list, and the launch template, its security
groups and the load balancer's groups are the dependency resources themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import props as p
from ..ingress import (
    INLINE_INGRESS_TYPES,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    IngressPermission,
    ingress_permissions,
)
from ..stackgraph import Node, OrderedIndex, Resolution, StackGraph
from . import tokens as t

SECURITY_GROUP_TYPES = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
)
SUBNET_TYPES = (t.SUBNET, t.DEFAULT_SUBNET)


def _merge(into: Resolution, other: Resolution) -> None:
    for node in other.nodes:
        into.add(node)
    into.unresolved.extend(other.unresolved)
    into.unknown.extend(other.unknown)


@dataclass
class AsgTraffic:
    """The target groups and classic load balancers that send traffic to one ASG.

    An unknown reference no dependency accounts for is kept (``Resolution.unknown``): it still says the
    group is behind a load balancer; a rule that needs the resources themselves calls ``require_known``.
    """

    target_groups: Resolution = field(default_factory=Resolution)
    classic_load_balancers: Resolution = field(default_factory=Resolution)

    @property
    def behind_load_balancer(self) -> bool:
        return bool(
            self.target_groups.nodes
            or self.target_groups.unresolved
            or self.target_groups.unknown
            or self.classic_load_balancers.nodes
            or self.classic_load_balancers.unresolved
            or self.classic_load_balancers.unknown
        )


def _is_classic_source(kind: str | None, identifier: Any) -> bool:
    if kind is not None:
        return kind.strip().lower() == "elb"
    return isinstance(identifier, str) and not identifier.startswith("arn:")


def _add_traffic_sources(graph: StackGraph, owner: Node, key: str, sources: list[Any], into: AsgTraffic) -> None:
    for source in sources:
        identifier = p.reference(source, "identifier")
        kind = p.as_str(p.get(source, "type"))
        if _is_classic_source(kind, identifier):
            _merge(
                into.classic_load_balancers,
                graph.resolve_one(owner, key, identifier, [t.CLASSIC_LOAD_BALANCER], keep_unknown=True),
            )
        else:
            # elbv2 target groups; a VPC Lattice target group stays unresolved, so rules fail closed on it.
            _merge(into.target_groups, graph.resolve_one(owner, key, identifier, [t.TARGET_GROUP], keep_unknown=True))


def _attachments_by_group(graph: StackGraph) -> dict[Node, list[Node]]:
    """Standalone attachments by the ASG they name, in stack order: one pass instead of one per ASG."""
    found: dict[Node, list[Node]] = {}
    for attachment in graph.of_type(t.AUTOSCALING_ATTACHMENT, t.TRAFFIC_SOURCE_ATTACHMENT):
        group_name = p.reference(attachment.props, "autoscalingGroupName")
        for asg in graph.resolve(attachment, "autoscalingGroupName", [group_name], [t.AUTOSCALING_GROUP]).nodes:
            found.setdefault(asg, []).append(attachment)
    return found


def asg_traffic(graph: StackGraph, asg: Node) -> AsgTraffic:
    """What sends traffic to ``asg``; computed once per graph, since every stack rule asks."""
    return graph.memo(("asg_traffic", asg), lambda: _asg_traffic(graph, asg))


def _asg_traffic(graph: StackGraph, asg: Node) -> AsgTraffic:
    traffic = AsgTraffic()
    _merge(
        traffic.target_groups,
        graph.resolve(
            asg,
            "targetGroupArns",
            p.reference_items(p.get(asg.props, "targetGroupArns")),
            [t.TARGET_GROUP],
            keep_unknown=True,
        ),
    )
    _merge(
        traffic.classic_load_balancers,
        graph.resolve(
            asg,
            "loadBalancers",
            p.reference_items(p.get(asg.props, "loadBalancers")),
            [t.CLASSIC_LOAD_BALANCER],
            keep_unknown=True,
        ),
    )
    _add_traffic_sources(graph, asg, "trafficSources", p.as_list(p.get(asg.props, "trafficSources")), traffic)

    attachments = graph.memo("attachments_by_group", lambda: _attachments_by_group(graph))
    for attachment in attachments.get(asg, []):
        if attachment.type == t.AUTOSCALING_ATTACHMENT:
            tg = p.reference(attachment.props, "lbTargetGroupArn")
            if tg is not None:
                _merge(
                    traffic.target_groups,
                    graph.resolve_one(attachment, "lbTargetGroupArn", tg, [t.TARGET_GROUP], keep_unknown=True),
                )
            elb = p.reference(attachment.props, "elb")
            if elb is not None:
                _merge(
                    traffic.classic_load_balancers,
                    graph.resolve_one(attachment, "elb", elb, [t.CLASSIC_LOAD_BALANCER], keep_unknown=True),
                )
        else:
            _add_traffic_sources(
                graph,
                attachment,
                "trafficSource",
                p.as_list(p.get(attachment.props, "trafficSource")),
                traffic,
            )
    return traffic


def _action_target_groups(actions: Any) -> list[Any]:
    arns: list[Any] = []
    for action in p.as_list(actions):
        arn = p.reference(action, "targetGroupArn")
        if arn is not None:
            arns.append(arn)
        for group in p.as_list(p.get(action, "forward", "targetGroups")):
            arn = p.reference(group, "arn")
            if arn is not None:
                arns.append(arn)
    return arns


@dataclass
class _ForwardingIndex:
    """Listeners and listener rules by the target groups their actions forward to, in stack order."""

    listeners: dict[Node, list[Node]] = field(default_factory=dict)
    rules: dict[Node, list[Node]] = field(default_factory=dict)


def _forwarding_index(graph: StackGraph) -> _ForwardingIndex:
    index = _ForwardingIndex()
    for listener in graph.of_type(t.LISTENER):
        values = _action_target_groups(p.get(listener.props, "defaultActions"))
        for target_group in graph.resolve(listener, "defaultActions", values, [t.TARGET_GROUP]).nodes:
            index.listeners.setdefault(target_group, []).append(listener)
    for rule in graph.of_type(t.LISTENER_RULE):
        values = _action_target_groups(p.get(rule.props, "actions"))
        for target_group in graph.resolve(rule, "actions", values, [t.TARGET_GROUP]).nodes:
            index.rules.setdefault(target_group, []).append(rule)
    return index


def _rule_listeners(graph: StackGraph, rule: Node) -> list[Node]:
    return graph.memo(
        ("rule_listeners", rule),
        lambda: graph.resolve_one(rule, "listenerArn", p.reference(rule.props, "listenerArn"), [t.LISTENER]).nodes,
    )


def load_balancers_of_target_group(graph: StackGraph, target_group: Node) -> Resolution:
    """The load balancers whose listeners (or listener rules) forward to ``target_group``.

    ``loadBalancerArns`` is an output the provider fills after creation; unknown during a preview, it adds
    nothing, which can only shrink the set of load balancers (and so of allowed sources), never grow it.
    """
    arns = p.reference(target_group.props, "loadBalancerArns")
    found = graph.resolve(
        target_group,
        "loadBalancerArns",
        [] if arns is p.UNKNOWN else p.reference_items(arns),
        [t.LOAD_BALANCER],
    )
    index = graph.memo("forwarding_index", lambda: _forwarding_index(graph))
    listeners = list(index.listeners.get(target_group, []))
    for rule in index.rules.get(target_group, []):
        listeners.extend(_rule_listeners(graph, rule))
    for listener in listeners:
        _merge(
            found,
            graph.resolve_one(
                listener, "loadBalancerArn", p.reference(listener.props, "loadBalancerArn"), [t.LOAD_BALANCER]
            ),
        )
    return found


@dataclass
class LaunchSpec:
    """The launch templates / configurations an ASG launches from."""

    templates: Resolution = field(default_factory=Resolution)
    configurations: Resolution = field(default_factory=Resolution)

    @property
    def empty(self) -> bool:
        return not (
            self.templates.nodes
            or self.templates.unresolved
            or self.configurations.nodes
            or self.configurations.unresolved
        )


def launch_spec(graph: StackGraph, asg: Node) -> LaunchSpec:
    """The templates and configurations ``asg`` launches from; computed once per graph."""
    return graph.memo(("launch_spec", asg), lambda: _launch_spec(graph, asg))


def _launch_spec(graph: StackGraph, asg: Node) -> LaunchSpec:
    spec = LaunchSpec()
    direct = p.get(asg.props, "launchTemplate")
    if direct is not None:
        ref = p.first_reference(p.reference(direct, "id"), p.reference(direct, "name"))
        _merge(
            spec.templates,
            graph.resolve_one(asg, "launchTemplate", ref, [t.LAUNCH_TEMPLATE])
            if ref is not None
            else Resolution(unresolved=[direct]),
        )
    mixed = p.get(asg.props, "mixedInstancesPolicy", "launchTemplate")
    if mixed is not None:
        specs = [p.get(mixed, "launchTemplateSpecification")] + [
            p.get(o, "launchTemplateSpecification") for o in p.as_list(p.get(mixed, "overrides"))
        ]
        for item in specs:
            if item is None:
                continue
            ref = p.first_reference(p.reference(item, "launchTemplateId"), p.reference(item, "launchTemplateName"))
            _merge(
                spec.templates,
                graph.resolve_one(asg, "mixedInstancesPolicy", ref, [t.LAUNCH_TEMPLATE])
                if ref is not None
                else Resolution(unresolved=[item]),
            )
    configuration = p.reference(asg.props, "launchConfiguration")
    if configuration is not None:
        _merge(
            spec.configurations,
            graph.resolve_one(asg, "launchConfiguration", configuration, [t.LAUNCH_CONFIGURATION]),
        )
    return spec


def launch_security_groups(graph: StackGraph, launcher: Node) -> tuple[Resolution, bool]:
    """The security groups a launch template/configuration gives instances, and whether it names any."""
    return graph.memo(("launch_security_groups", launcher), lambda: _launch_security_groups(graph, launcher))


def _launch_security_groups(graph: StackGraph, launcher: Node) -> tuple[Resolution, bool]:
    found = Resolution()
    named = False
    if launcher.type == t.LAUNCH_CONFIGURATION:
        groups = p.reference_items(p.get(launcher.props, "securityGroups"))
        named = bool(groups)
        _merge(found, graph.resolve(launcher, "securityGroups", groups, SECURITY_GROUP_TYPES))
        return found, named
    for key in ("vpcSecurityGroupIds", "securityGroupNames"):
        groups = p.reference_items(p.get(launcher.props, key))
        named = named or bool(groups)
        _merge(found, graph.resolve(launcher, key, groups, SECURITY_GROUP_TYPES))
    interface_groups = [
        group
        for interface in p.as_list(p.get(launcher.props, "networkInterfaces"))
        for group in p.reference_items(p.get(interface, "securityGroups"))
    ]
    named = named or bool(interface_groups)
    _merge(found, graph.resolve(launcher, "networkInterfaces", interface_groups, SECURITY_GROUP_TYPES))
    return found, named


@dataclass
class _TemplateUsers:
    groups: dict[Node, list[Node]] = field(default_factory=dict)
    instances: dict[Node, list[Node]] = field(default_factory=dict)


def _template_users(graph: StackGraph) -> _TemplateUsers:
    users = _TemplateUsers()
    for asg in graph.of_type(t.AUTOSCALING_GROUP):
        for template in launch_spec(graph, asg).templates.nodes:
            users.groups.setdefault(template, []).append(asg)
    for instance in graph.of_type(t.INSTANCE):
        ref = p.get(instance.props, "launchTemplate")
        if ref is not None:
            value = p.first_reference(p.reference(ref, "id"), p.reference(ref, "name"))
            for template in graph.resolve(instance, "launchTemplate", [value], [t.LAUNCH_TEMPLATE]).nodes:
                users.instances.setdefault(template, []).append(instance)
    return users


def users_of_launch_template(graph: StackGraph, template: Node) -> list[Node]:
    """ASGs and instances in the stack that launch from ``template``."""
    users = graph.memo("template_users", lambda: _template_users(graph))
    return users.groups.get(template, []) + users.instances.get(template, [])


def _permissions(graph: StackGraph, node: Node) -> list[IngressPermission]:
    return graph.memo(("ingress", node), lambda: ingress_permissions(node.type, node.props))


def _standalone_rules(graph: StackGraph, group_type: str) -> OrderedIndex[IngressPermission]:
    """Standalone ingress rules by the group of ``group_type`` they open (``securityGroupId``)."""

    def targets_of(rule: Node) -> list[tuple[IngressPermission, list[Node]]]:
        return [
            (permission, graph.resolve(rule, "securityGroupId", [permission.target_group], [group_type]).nodes)
            for permission in _permissions(graph, rule)
        ]

    return OrderedIndex(graph.of_type(SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE), targets_of)


def permissions_on(graph: StackGraph, group: Node) -> Iterator[tuple[Node, IngressPermission]]:
    """Inline ingress of ``group`` and every standalone ingress rule that targets it."""
    if group.type in INLINE_INGRESS_TYPES:
        for permission in _permissions(graph, group):
            yield group, permission
    rules = graph.memo(("standalone_rules", group.type), lambda: _standalone_rules(graph, group.type))
    yield from rules.matching(group)

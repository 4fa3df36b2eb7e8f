"""instance-sg-admits-only-load-balancer: instances behind a load balancer admit only its security group.

For every ASG that a load balancer sends traffic to, the rule collects

* the allowed sources: the ``securityGroups`` of each load balancer whose listeners (or listener
  rules) forward to the group's target groups, and of any classic load balancer it is attached to;
* the instances' security groups: from every launch template the group can launch (``launchTemplate``,
  the mixed-instances policy and its overrides, by id or name) through ``vpcSecurityGroupIds``,
  ``securityGroupNames`` and ``networkInterfaces[].securityGroups``, or a launch configuration;
* every ingress permission on those groups: inline ``ingress`` plus standalone ``SecurityGroupRule``
  and ``SecurityGroupIngressRule`` resources whose ``securityGroupId`` targets them.

Any source other than a load-balancer group (CIDR, IPv6, prefix list, another group, ``self``) is a
violation reported on the resource that grants it. What cannot be resolved inside the stack (a target
group no listener uses, a launch template or group defined elsewhere) fails closed by default.

During a first ``pulumi preview`` ids are unknown: every reference above is then followed through the
referring property's ``propertyDependencies`` (see :mod:`..stackgraph`), and groups compare as nodes
(by URN), never by id; an unknown reference that no dependency accounts for is unresolved and fails closed.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import props as p
from ..ingress import INLINE_INGRESS_TYPES, IngressPermission, Source, SourceKind
from ..stackgraph import Node, Resolution, StackGraph, describe_reference
from . import tokens as t
from .settings import Settings
from .topology import (
    SECURITY_GROUP_TYPES,
    asg_traffic,
    launch_security_groups,
    launch_spec,
    load_balancers_of_target_group,
    permissions_on,
)

NAME = "instance-sg-admits-only-load-balancer"

CONFIG = PolicyConfigSchema(
    properties={
        "failOnUnresolved": {
            "type": "boolean",
            "description": (
                "Report references this stack cannot follow (a launch template, security group or load "
                "balancer defined elsewhere), since their rules cannot be checked."
            ),
            "default": True,
        },
    }
)


class _Allowed:
    """The load balancers' security groups, as nodes and as the raw references naming them."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.references: set[str] = set()

    def add(self, resolution: Resolution, raw: list[object]) -> None:
        for node in resolution.nodes:
            if all(node is not n for n in self.nodes):
                self.nodes.append(node)
                self.references |= node.identifiers()
        self.references |= {v.strip() for v in raw if isinstance(v, str) and v.strip()}


def _load_balancer_groups(graph: StackGraph, asg: Node, unresolved: list[str]) -> _Allowed:
    allowed = _Allowed()
    traffic = asg_traffic(graph, asg)
    traffic.target_groups.require_known()
    traffic.classic_load_balancers.require_known()
    balancers = Resolution()
    for ref in traffic.target_groups.unresolved:
        unresolved.append(f"target group {describe_reference(ref)} is not in this stack")
    for target_group in traffic.target_groups.nodes:
        found = load_balancers_of_target_group(graph, target_group)
        if not found.nodes and not found.unresolved:
            unresolved.append(f"no load balancer in this stack forwards to {target_group.label()}")
        for node in found.nodes:
            balancers.add(node)
        unresolved += [f"load balancer {describe_reference(ref)} is not in this stack" for ref in found.unresolved]
    for node in traffic.classic_load_balancers.nodes:
        balancers.add(node)
    unresolved += [
        f"classic load balancer {describe_reference(ref)} is not in this stack"
        for ref in traffic.classic_load_balancers.unresolved
    ]
    for balancer in balancers.nodes:
        groups = p.reference_items(p.get(balancer.props, "securityGroups"))
        if not groups:
            unresolved.append(f"{balancer.label()} has no securityGroups, so no group can be the only source")
        allowed.add(graph.resolve(balancer, "securityGroups", groups, SECURITY_GROUP_TYPES), groups)
    return allowed


def _instance_groups(graph: StackGraph, asg: Node, unresolved: list[str]) -> list[Node]:
    spec = launch_spec(graph, asg)
    if spec.empty:
        unresolved.append("it names no launch template or launch configuration")
    for ref in spec.templates.unresolved + spec.configurations.unresolved:
        unresolved.append(f"launch template/configuration {describe_reference(ref)} is not in this stack")
    groups = Resolution()
    for launcher in spec.templates.nodes + spec.configurations.nodes:
        found, named = launch_security_groups(graph, launcher)
        if not named:
            unresolved.append(f"{launcher.label()} names no security group, so instances get the VPC default group")
        for node in found.nodes:
            groups.add(node)
        unresolved += [
            f"security group {describe_reference(ref)} used by {launcher.label()} is not in this stack"
            for ref in found.unresolved
        ]
    return groups.nodes


def _source_allowed(graph: StackGraph, owner: Node, source: Source, allowed: _Allowed) -> bool:
    if source.kind is not SourceKind.SECURITY_GROUP:
        return False
    if isinstance(source.reference, str) and source.reference.strip() in allowed.references:
        return True
    key = "ingress" if owner.type in INLINE_INGRESS_TYPES else source.field.split("[")[0]
    hits = graph.resolve_one(owner, key, source.reference, SECURITY_GROUP_TYPES).nodes
    return bool(hits) and all(any(hit is a for a in allowed.nodes) for hit in hits)


def _bad_sources(
    graph: StackGraph, owner: Node, permission: IngressPermission, allowed: _Allowed, undecided: p.Undecided
) -> list[Source]:
    """The known sources that are not the load balancer's group; an unknown one is noted, not judged."""
    bad: list[Source] = []
    for source in permission.sources:
        if source.kind is SourceKind.UNKNOWN:
            undecided.note(p.unknown_error(source.field))
            continue
        with undecided.guard():
            if not _source_allowed(graph, owner, source, allowed):
                bad.append(source)
    return bad


def _asg_violations(
    graph: StackGraph, asg: Node, settings: Settings, undecided: p.Undecided
) -> Iterator[tuple[str, str]]:
    unresolved: list[str] = []
    allowed = _load_balancer_groups(graph, asg, unresolved)
    groups = _instance_groups(graph, asg, unresolved)
    if settings.flag("failOnUnresolved"):
        for problem in unresolved:
            yield f"{asg.label()} is behind a load balancer but {problem}", asg.urn
    for group in groups:
        for owner, permission in permissions_on(graph, group):
            bad = _bad_sources(graph, owner, permission, allowed, undecided)
            if bad:
                where = permission.describe() if owner is group else f"{owner.label()} {permission.describe()}"
                yield (
                    f"{group.label()} (instances of {asg.label()}) {where} admits "
                    f"{'; '.join(s.describe() for s in bad)}; only the load balancer's security group may be "
                    "a source",
                    owner.urn,
                )


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources, merge_copies=True)
    settings = Settings(args.get_config(), CONFIG)
    undecided = p.Undecided()
    seen: set[tuple[str, str]] = set()
    for asg in graph.of_type(t.AUTOSCALING_GROUP):
        if not asg_traffic(graph, asg).behind_load_balancer:
            continue
        for violation in _asg_violations(graph, asg, settings, undecided):
            # Each copy merged into the node judged gets the verdict too, named by its own label.
            for copy in graph.each_copy(*violation):
                if copy not in seen:
                    seen.add(copy)
                    report_violation(*copy)
    undecided.raise_if_nothing_decided(bool(seen))


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Instances of an ASG behind a load balancer admit traffic only from the load balancer's security group."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=CONFIG,
    remediation_steps=(
        "Give the instances a dedicated security group whose only ingress references the load balancer's "
        "security group (sourceSecurityGroupId / referencedSecurityGroupId / securityGroups) on the "
        "application port. Remove CIDR, prefix-list, self and other-group sources; reach instances for "
        "administration through SSM Session Manager."
    ),
    validate=_validate,
)

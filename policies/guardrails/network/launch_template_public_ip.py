"""launch-template-no-public-ip: instances launched from a template get no public IP.

``networkInterfaces[].associatePublicIpAddress`` is a *string* in the provider schema, so ``"false"``
is truthy in Python; only a value that reads as false passes. When the template leaves it unset (or
declares no interface), AWS lets the launch subnet's ``mapPublicIpOnLaunch`` decide, so the rule
follows the template to the subnets it launches into: the interface's ``subnetId``, or the
``vpcZoneIdentifiers`` of ASGs and the ``subnetId`` of instances using it. A subnet it cannot see
fails closed; a default subnet maps public IPs unless told otherwise. During a first ``pulumi preview``
an unknown subnet id is followed through the referring property's ``propertyDependencies``.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import props as p
from ..stackgraph import Node, Resolution, StackGraph, describe_reference
from . import tokens as t
from .settings import Settings
from .topology import SUBNET_TYPES, users_of_launch_template

NAME = "launch-template-no-public-ip"

CONFIG = PolicyConfigSchema(
    properties={
        "requireExplicitFalse": {
            "type": "boolean",
            "description": (
                'Require every network interface to set associatePublicIpAddress to "false" itself, instead '
                "of accepting an unset value when every launch subnet has mapPublicIpOnLaunch off."
            ),
            "default": False,
        },
    }
)


def _subnet_maps_public_ip(subnet: Node) -> bool:
    value = p.get(subnet.props, "mapPublicIpOnLaunch")
    if value is None:
        return subnet.type == t.DEFAULT_SUBNET
    return p.as_bool(value) is not False


def _launch_subnets(graph: StackGraph, template: Node, interface_subnet: object) -> Resolution:
    """Subnets the template launches into: the interface's own, else those of whatever launches it."""
    if interface_subnet is not None:
        return graph.resolve_one(template, "networkInterfaces", interface_subnet, SUBNET_TYPES)
    found = Resolution()
    for user in users_of_launch_template(graph, template):
        if user.type == t.AUTOSCALING_GROUP:
            key, values = "vpcZoneIdentifiers", p.reference_items(p.get(user.props, "vpcZoneIdentifiers"))
        else:
            key, values = "subnetId", p.as_list(p.reference(user.props, "subnetId"))
        part = graph.resolve(user, key, values, SUBNET_TYPES)
        for node in part.nodes:
            found.add(node)
        found.unresolved.extend(part.unresolved)
    return found


def _implicit_problems(graph: StackGraph, template: Node, where: str, interface_subnet: object) -> list[str]:
    subnets = _launch_subnets(graph, template, interface_subnet)
    problems: list[str] = []
    if not subnets.nodes and not subnets.unresolved:
        problems.append(
            f"{where}: associatePublicIpAddress is unset and no launch subnet is visible in this stack, so "
            "the subnet's mapPublicIpOnLaunch may give instances a public IP"
        )
    for ref in subnets.unresolved:
        problems.append(
            f"{where}: associatePublicIpAddress is unset and launch subnet {describe_reference(ref)} "
            "is not in this stack, so its mapPublicIpOnLaunch cannot be checked"
        )
    for subnet in subnets.nodes:
        if _subnet_maps_public_ip(subnet):
            problems.append(
                f"{where}: associatePublicIpAddress is unset and {subnet.label()} maps public IPs on launch"
            )
    return problems


def template_problems(graph: StackGraph, template: Node, settings: Settings) -> list[str]:
    explicit_only = settings.flag("requireExplicitFalse")
    interfaces = p.as_list(p.get(template.props, "networkInterfaces"))
    problems: list[str] = []
    if not interfaces:
        where = "no networkInterfaces"
        if explicit_only:
            problems.append(f'{where}: no interface sets associatePublicIpAddress to "false"')
        else:
            problems.extend(_implicit_problems(graph, template, where, None))
    for i, interface in enumerate(interfaces):
        where = f"networkInterfaces[{i}]"
        if not p.is_mapping(interface):
            problems.append(f"{where} is not an object, so its public IP setting cannot be read")
            continue
        raw = p.get(interface, "associatePublicIpAddress")
        value = p.as_bool(raw)
        if value is False:
            continue
        if value is True:
            problems.append(f'{where}.associatePublicIpAddress is "true"')
        elif raw is not None:
            problems.append(f'{where}.associatePublicIpAddress is not a readable boolean (only "false" passes)')
        elif explicit_only:
            problems.append(f'{where}.associatePublicIpAddress is unset; set it to "false"')
        else:
            problems.extend(_implicit_problems(graph, template, where, p.reference(interface, "subnetId")))
    return problems


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    settings = Settings(args.get_config(), CONFIG)
    for template in graph.of_type(t.LAUNCH_TEMPLATE):
        for problem in template_problems(graph, template, settings):
            report_violation(f"{template.label()} {problem}", template.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description="Launch templates give no public IP address on any network interface.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=CONFIG,
    remediation_steps=(
        "Declare the network interface in the launch template with associatePublicIpAddress set to "
        '"false" (a string), and launch into private subnets whose mapPublicIpOnLaunch is false. Reach '
        "instances through the load balancer or SSM Session Manager instead of a public address."
    ),
    validate=_validate,
)

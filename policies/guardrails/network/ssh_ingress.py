"""ssh-ingress-single-host: only single IPv4 hosts (/32) may reach SSH.

The lab is reached over SSH from one operator address. Any ingress permission, from any of the four
resource types that can open a security group, that lets TCP reach a guarded port must list only
canonical IPv4 ``/32`` sources. Wider, non-canonical, IPv6 and prefix-list sources fail; group and
``self`` sources fail unless config allows them. Each bad permission is reported on its own, so a
good rule next to it never hides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .. import props as p
from ..ingress import INGRESS_TYPES, Source, SourceKind, ingress_permissions
from .settings import Settings

NAME = "ssh-ingress-single-host"

CONFIG = PolicyConfigSchema(
    properties={
        "ports": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
            "description": "TCP ports that only single IPv4 hosts may reach.",
            "default": [22],
        },
        "allowSecurityGroupSources": {
            "type": "boolean",
            "description": "Let another security group (by id) be a source for a guarded port.",
            "default": False,
        },
        "allowSelf": {
            "type": "boolean",
            "description": "Let the group itself (`self: true`) be a source for a guarded port.",
            "default": False,
        },
    }
)


def _allowed(source: Source, settings: Settings) -> bool:
    if source.kind is SourceKind.SECURITY_GROUP:
        return settings.flag("allowSecurityGroupSources")
    if source.kind is SourceKind.SELF:
        return settings.flag("allowSelf")
    return source.is_single_ipv4_host


def violations(resource_type: str, props: Mapping[str, Any], settings: Settings) -> list[str]:
    """Messages for every permission in ``props`` that lets a non-/32 source reach a guarded port.

    What is known decides first: a permission whose protocol or ports are unknown, or whose only doubtful
    source is unknown, is set aside, and the rule goes on to the next one. Only when no known source
    violates does an unknown send the rule to the SDK's "can't run during preview" path.
    """
    ports = settings.ports("ports")
    messages: list[str] = []
    undecided = p.Undecided()
    for permission in ingress_permissions(resource_type, props):
        with undecided.guard():
            reached = [port for port in ports if permission.reaches_tcp_port(port)]
            if not reached:
                continue
            sources = permission.sources
            bad = [s for s in sources if s.kind is not SourceKind.UNKNOWN and not _allowed(s, settings)]
            if bad:
                targets = ", ".join(f"tcp/{port}" for port in reached)
                described = "; ".join(s.describe() for s in bad)
                messages.append(
                    f"{permission.describe()} lets {described} reach {targets}; only single IPv4 hosts (/32) may"
                )
            for source in sources:
                if source.kind is SourceKind.UNKNOWN:
                    undecided.note(p.unknown_error(source.field))
    undecided.raise_if_nothing_decided(bool(messages))
    return messages


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    resource_type = p.canonical_type(args.resource_type)
    if resource_type not in INGRESS_TYPES:
        return
    for message in violations(resource_type, args.props, Settings(args.get_config(), CONFIG)):
        report_violation(message, None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="SSH (and any other guarded TCP port) is reachable only from single IPv4 hosts (/32).",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    config_schema=CONFIG,
    remediation_steps=(
        "Replace the source with the one operator address as a canonical IPv4 /32 (e.g. 203.0.113.7/32), "
        "one rule per host. Remove 0.0.0.0/0, ::/0, wider ranges, IPv6 ranges and prefix lists from any "
        "rule that covers the port (check protocol -1/all and wide port ranges such as 0-65535)."
    ),
    validate=_validate,
)

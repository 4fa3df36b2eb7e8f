"""The generic AWS API model rules, one per service (``api-model-ec2``, ``api-model-elbv2``, ...): every mapped
input (``apimap``) that no hand-written rule applies, checked against the enumeration, length, count, range
and pattern botocore's model gives its API member. The service's validation error code; the source is the
model's shape a value breaks.
"""

from __future__ import annotations

from collections.abc import Iterator

from offline.cloudrules.apicheck import mapping_findings
from offline.cloudrules.apimap import MAPPINGS, SERVICE_CODES, ApiMapping
from offline.cloudrules.botomodel import BOTOCORE_DATA
from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import Check, canonical, rule


def generic(service: str) -> tuple[ApiMapping, ...]:
    """The ``service`` mappings no hand-written rule applies."""
    return tuple(m for m in MAPPINGS if m.service == service and not m.rule)


def _check_for(entries: tuple[ApiMapping, ...]) -> Check:
    def check(resource: CloudResource, world: World) -> Iterator[Finding]:
        """A value the AWS API model refuses: outside its member's enumeration, length, count, range or pattern."""
        resource_type = canonical(resource.type)
        for entry in entries:
            if entry.type == resource_type:
                yield from mapping_findings(resource, entry)

    return check


def _register(service: str) -> None:
    entries = generic(service)
    types = sorted({m.type for m in entries})
    per_type = [(t, tuple(dict.fromkeys(m.property for m in entries if m.type == t))) for t in types]
    rule(
        types=types,
        properties=tuple(dict.fromkeys(m.property for m in entries)),
        code=SERVICE_CODES[service],
        source=f"{BOTOCORE_DATA}/{service} (the AWS API model: enum, min, max and pattern of each input shape)",
        id=f"api-model-{service}",
        per_type=per_type,
    )(_check_for(entries))


for _service in sorted({m.service for m in MAPPINGS if not m.rule}):
    _register(_service)

"""The no-op pack: one resource policy that reads nothing and reports nothing.

``make bench`` drives it over the same Analyzer protocol as the real packs, so the ratio between a real
pack's evaluation rate and this one isolates the cost of the rules from the cost of the protocol.
"""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def _nothing(_args: ResourceValidationArgs, _report: ReportViolation) -> None:
    """Deliberately empty: the SDK still deserializes and proxies the properties before calling it."""


PolicyPack(
    name="noop",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[ResourceValidationPolicy(name="noop", description="Does nothing.", validate=_nothing)],
)

"""The registry of cloud rules, keyed by resource type token; aliases resolve to one canonical token.

A rule is a function that yields ``Finding``s for one resource, registered with ``@rule(...)``: the types
it applies to, the input properties it reads (the coverage table lists them), the AWS error code a
refusal carries, and the source that says AWS refuses it (an AWS API reference page, the AWS API model
as botocore ships it, or the Terraform AWS provider's validator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from offline.cloudrules.apicheck import claimed_findings
from offline.cloudrules.apimap import MAPPINGS
from offline.cloudrules.model import CloudError, CloudResource, Finding, World

Check = Callable[[CloudResource, World], Iterable[Finding]]
# The code of a finding that says a rule could not read its inputs (wrong types): the audit's own, not AWS's.
UNREADABLE = "UnreadableInput"

# Tokens pulumi-aws publishes twice: every alias resolves to the canonical token before lookup.
TYPE_ALIASES: dict[str, str] = {
    "aws:alb/loadBalancer:LoadBalancer": "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/targetGroup:TargetGroup": "aws:lb/targetGroup:TargetGroup",
    "aws:alb/listener:Listener": "aws:lb/listener:Listener",
    "aws:alb/listenerRule:ListenerRule": "aws:lb/listenerRule:ListenerRule",
    "aws:alb/listenerCertificate:ListenerCertificate": "aws:lb/listenerCertificate:ListenerCertificate",
    "aws:alb/targetGroupAttachment:TargetGroupAttachment": "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:s3/bucketV2:BucketV2": "aws:s3/bucket:Bucket",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ),
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    ),
}


def canonical(resource_type: str) -> str:
    return TYPE_ALIASES.get(resource_type, resource_type)


def aliases_of(resource_type: str) -> list[str]:
    return sorted(alias for alias, target in TYPE_ALIASES.items() if target == resource_type)


@dataclass(frozen=True)
class Rule:
    id: str
    types: tuple[str, ...]
    properties: tuple[str, ...]
    code: str
    source: str
    summary: str
    check: Check
    # Per type, the input paths it reads, when they differ by type (the generic AWS API model rules).
    per_type: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def reads(self, resource_type: str) -> tuple[str, ...]:
        """The input paths it checks on ``resource_type``: its own, and those of the API model mappings it applies
        (``apimap.MAPPINGS`` entries naming it)."""
        own = dict(self.per_type).get(resource_type, ()) if self.per_type else self.properties
        claimed = tuple(m.property for m in MAPPINGS if m.rule == self.id and m.type == resource_type)
        return own + tuple(p for p in claimed if p not in own)

    def findings(self, resource: CloudResource, world: World) -> Iterator[Finding]:
        """The AWS API model's refusals for the mappings this rule applies, then its own checks; a property the
        model already refused is not reported twice."""
        model = claimed_findings(canonical(resource.type), self.id, resource)
        yield from model
        refused = {finding.property for finding in model}
        for finding in self.check(resource, world):
            if finding.property not in refused:
                yield finding

    def run(self, resource: CloudResource, world: World) -> Iterator[CloudError]:
        try:
            # Collected first, so a rule that fails half-way reports nothing it found before the failure twice.
            findings = list(self.findings(resource, world))
        except Exception as exc:  # noqa: BLE001 - any input, however malformed, ends in a report
            # Fail closed: an input a rule cannot read is a finding (the audit fails), never a traceback.
            findings = [
                Finding(
                    ",".join(self.properties[:3]) or "inputs",
                    f"the rule could not read these inputs ({type(exc).__name__}); a property has a type AWS "
                    "would refuse",
                    code=UNREADABLE,
                )
            ]
        for finding in findings:
            yield CloudError(
                urn=resource.urn,
                type=resource.type,
                name=resource.name,
                property=finding.property,
                code=finding.code or self.code,
                message=finding.message,
                rule=self.id,
                source=finding.source or self.source,
            )


RULES: dict[str, list[Rule]] = {}
ALL_RULES: list[Rule] = []


def rule(
    *,
    types: Iterable[str],
    properties: Iterable[str],
    code: str,
    source: str,
    id: str = "",
    per_type: Iterable[tuple[str, tuple[str, ...]]] = (),
) -> Callable[[Check], Check]:
    """Register ``check`` for ``types`` (canonical tokens). Its docstring's first line is the rule's summary."""

    def register(check: Check) -> Check:
        canonical_types = tuple(canonical(t) for t in types)
        found = Rule(
            id=id or check.__name__.strip("_").replace("_", "-"),
            types=canonical_types,
            properties=tuple(properties),
            code=code,
            source=source,
            summary=next(iter((check.__doc__ or "").strip().splitlines()), ""),
            check=check,
            per_type=tuple((canonical(t), tuple(paths)) for t, paths in per_type),
        )
        if any(r.id == found.id for r in ALL_RULES):
            raise ValueError(f"cloud rule {found.id} is registered twice")
        ALL_RULES.append(found)
        for resource_type in canonical_types:
            RULES.setdefault(resource_type, []).append(found)
        return check

    return register


def rules_for(resource_type: str) -> list[Rule]:
    return RULES.get(canonical(resource_type), [])


def check_resource(resource: CloudResource, world: World) -> list[CloudError]:
    """Every refusal AWS would give ``resource`` in ``world``, in rule registration order."""
    return [error for found in rules_for(resource.type) for error in found.run(resource, world)]

"""lb-log-bucket-not-public: the bucket a load balancer logs to cannot be made public.

Access logs hold client addresses, paths and query strings. The bucket a load balancer's
``accessLogs.bucket`` names (followed through ``propertyDependencies`` first, so a bucket created in the
same stack is found at a first preview) must have a ``BucketPublicAccessBlock`` with all four settings
true: then no ACL or bucket policy can make it public, and none needs reading. Without one, the rule
says so and also names what already makes it public: a public canned ACL (``public-read``,
``public-read-write``, ``authenticated-read``) on the bucket or a ``BucketAcl``, an ACL grant to
everyone, or a bucket-policy ``Allow`` for a wildcard principal without a ``Condition``. A bucket outside
the stack cannot be checked and is reported unless ``allowExternalBuckets`` is set.
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
from ..iam import ParseError, parse_document
from ..stackgraph import Node, StackGraph, describe_reference
from . import tokens as t
from .settings import Settings

NAME = "lb-log-bucket-not-public"

BLOCK_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
# Grantee URIs of the S3 groups "everyone" and "any AWS account".
PUBLIC_GRANTEE_GROUPS = (
    "acs.amazonaws.com/groups/global/AllUsers",
    "acs.amazonaws.com/groups/global/AuthenticatedUsers",
)

CONFIG = PolicyConfigSchema(
    properties={
        "allowExternalBuckets": {
            "type": "boolean",
            "description": "Accept a log bucket defined outside the stack, whose settings cannot be read.",
            "default": False,
        },
    }
)


def _logs_bucket(balancer: Node) -> object | None:
    """The bucket a load balancer with access logs enabled names; ``None`` when it logs nowhere."""
    logs = p.get(balancer.props, "accessLogs")
    if not p.is_mapping(logs) or p.as_bool(p.get(logs, "enabled")) is not True:
        return None
    return p.reference(logs, "bucket")


def _targeting(graph: StackGraph, bucket: Node, types: tuple[str, ...], undecided: p.Undecided) -> list[Node]:
    """Resources of ``types`` whose ``bucket`` names ``bucket``."""
    found: list[Node] = []
    for node in graph.of_type(*types):
        with undecided.guard():
            resolution = graph.resolve_one(node, "bucket", p.reference(node.props, "bucket"), [t.S3_BUCKET])
            if any(hit is bucket for hit in resolution.nodes):
                found.append(node)
    return found


def _block_gaps(graph: StackGraph, bucket: Node, undecided: p.Undecided) -> list[str] | None:
    """The settings no public access block of ``bucket`` turns on; ``None`` when one turns on all four."""
    blocks = _targeting(graph, bucket, (t.S3_PUBLIC_ACCESS_BLOCK,), undecided)
    if not blocks:
        return [f"it has no {t.S3_PUBLIC_ACCESS_BLOCK}"]
    gaps: list[str] = []
    for block in blocks:
        missing = [key for key in BLOCK_SETTINGS if p.as_bool(p.get(block.props, key)) is not True]
        if not missing:
            return None
        gaps.append(f"{block.label()} leaves {', '.join(missing)} off")
    return gaps


def _acl_exposures(owner: Node) -> Iterator[str]:
    acl = p.as_str(p.get(owner.props, "acl"))
    if acl is not None and acl.strip().lower() in PUBLIC_CANNED_ACLS:
        yield f"{owner.label()} has the public canned ACL '{acl.strip()}'"
    policy = p.get(owner.props, "accessControlPolicy")
    for grant in p.as_list(p.get(policy, "grants")):
        uri = p.as_str(p.get(grant, "grantee", "uri")) or ""
        if any(group in uri for group in PUBLIC_GRANTEE_GROUPS):
            permission = p.as_str(p.get(grant, "permission")) or "access"
            yield f"{owner.label()} grants {permission} to {uri.rsplit('/', 1)[-1]}"


def _policy_exposures(policy: Node) -> Iterator[str]:
    document = parse_document(p.get(policy.props, "policy"))
    if isinstance(document, ParseError):
        yield f"{policy.label()} cannot be parsed ({document.reason}); it fails closed"
        return
    for statement in document.statements:
        if statement.allows and not statement.has_condition and any(x.is_wildcard for x in statement.principals):
            yield f"{policy.label()} {statement.label} allows a wildcard principal without a Condition"


def _bucket_problems(graph: StackGraph, bucket: Node, undecided: p.Undecided) -> list[str]:
    gaps = _block_gaps(graph, bucket, undecided)
    if gaps is None:
        return []
    exposures = list(_acl_exposures(bucket))
    for acl in _targeting(graph, bucket, (t.S3_BUCKET_ACL,), undecided):
        exposures += _acl_exposures(acl)
    for policy in _targeting(graph, bucket, (t.S3_BUCKET_POLICY,), undecided):
        with undecided.guard():
            exposures += _policy_exposures(policy)
    return gaps + exposures


def _violations(graph: StackGraph, settings: Settings, undecided: p.Undecided) -> Iterator[tuple[str, str]]:
    for balancer in graph.of_type(t.LOAD_BALANCER, t.CLASSIC_LOAD_BALANCER):
        with undecided.guard():
            reference = _logs_bucket(balancer)
            if reference is None:
                continue
            resolution = graph.resolve_one(balancer, "accessLogs", reference, [t.S3_BUCKET])
            if not settings.flag("allowExternalBuckets"):
                for ref in resolution.unresolved:
                    yield (
                        f"{balancer.label()} logs to bucket {describe_reference(ref)}, which is not in this stack, "
                        "so whether it is public cannot be checked",
                        balancer.urn,
                    )
            for bucket in resolution.nodes:
                problems = _bucket_problems(graph, bucket, undecided)
                if problems:
                    yield (
                        f"{bucket.label()} holds the access logs of {balancer.label()} but can be made public: "
                        + "; ".join(problems),
                        bucket.urn,
                    )


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources, merge_copies=True)
    undecided = p.Undecided()
    seen: set[tuple[str, str]] = set()
    for violation in _violations(graph, Settings(args.get_config(), CONFIG), undecided):
        # Each copy merged into the node judged gets the verdict too, named by its own label.
        for copy in graph.each_copy(*violation):
            if copy not in seen:
                seen.add(copy)
                report_violation(*copy)
    undecided.raise_if_nothing_decided(bool(seen))


POLICY = StackValidationPolicy(
    name=NAME,
    description="The S3 bucket a load balancer writes access logs to blocks all public access.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.HIGH,
    config_schema=CONFIG,
    remediation_steps=(
        "Give the log bucket an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, "
        "ignorePublicAcls and restrictPublicBuckets all true, and remove public ACLs and wildcard-principal "
        "Allow statements from its bucket policy."
    ),
    validate=_validate,
)

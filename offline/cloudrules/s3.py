"""S3: buckets and their policy, public access block, ownership controls, lifecycle and default encryption;
and what an Application Load Balancer needs of the bucket it writes access logs to.

pulumi-aws 7 publishes ``aws:s3/bucket:Bucket`` (the former ``BucketV2``) and keeps the ``...V2`` tokens as
aliases (``registry.TYPE_ALIASES``). The configuration resources name their bucket by ``bucket`` (its name).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any

# Who delivers ALB access logs in each Region (the Region's ELB account before August 2022, the service
# principal since): one table, with its sources, shared with the program that writes the bucket policy.
from components.logdelivery import ELB_ACCOUNTS
from components.logdelivery import SERVICE_PRINCIPAL as ELB_LOG_PRINCIPAL
from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import is_unknown, items, known_bool, known_int, known_str, mapping, plain

S3_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide"
S3_API = "https://docs.aws.amazon.com/AmazonS3/latest/API"
ELB_LOGS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html"

BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LB = "aws:lb/loadBalancer:LoadBalancer"
BUCKET_CONFIGS = (POLICY, PUBLIC_ACCESS_BLOCK, OWNERSHIP, LIFECYCLE, ENCRYPTION)

NAME = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
POLICY_MAX_BYTES = 20 * 1024
# The model's ServerSideEncryption also lists aws:fsx and aws:backup, which are not a general purpose bucket's:
# "When accessing data stored in Amazon FSx file systems using S3 access points, the only valid server side
# encryption option is aws:fsx"; a general purpose bucket encrypts with SSE-S3, SSE-KMS or DSSE-KMS
# (API_PutObject.html, ServerSideEncryption).
ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
# Objects move to STANDARD_IA or ONEZONE_IA only once they are at least 30 days old.
IA_MIN_DAYS = 30
MAX_LIFECYCLE_RULES = 1000


def bucket_name_findings(prop: str, name: str) -> Iterator[Finding]:
    if not 3 <= len(name) <= 63:
        yield Finding(prop, f'"{name[:70]}" is {len(name)} characters; a bucket name is 3-63')
    if not NAME.fullmatch(name):
        yield Finding(
            prop,
            f'"{name[:70]}": lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit',
        )
    if ".." in name:
        yield Finding(prop, f'"{name[:70]}" has two adjacent periods')
    try:
        ipaddress.IPv4Address(name)
        yield Finding(prop, f'"{name}" is formatted as an IP address')
    except ValueError:
        pass
    if name.startswith(RESERVED_PREFIXES) or name.endswith(RESERVED_SUFFIXES):
        yield Finding(prop, f'"{name[:70]}" uses a prefix or suffix S3 reserves')


@rule(
    types=[BUCKET],
    properties=("bucket", "bucketPrefix"),
    code="InvalidBucketName",
    source=f"{S3_GUIDE}/bucketnamingrules.html",
)
def bucket_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A bucket's name is 3-63 of a-z 0-9 . -, begins and ends alphanumeric, is no IP address, no reserved affix."""
    name = known_str(resource.get("bucket"))
    if name is not None:
        yield from bucket_name_findings("bucket", name)
    prefix = known_str(resource.get("bucketPrefix"))
    # The provider appends a 26-character unique suffix to a prefix.
    if prefix is not None and (len(prefix) > 63 - 26 or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", prefix)):
        yield Finding("bucketPrefix", f'"{prefix[:70]}": at most 37 of a-z 0-9 . -, beginning alphanumeric')


@rule(
    types=BUCKET_CONFIGS,
    properties=("bucket",),
    code="InvalidBucketName",
    source=f"{S3_GUIDE}/bucketnamingrules.html",
)
def bucket_configuration_names_a_bucket(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A bucket configuration names a valid bucket (a name, not an ARN)."""
    name = known_str(resource.get("bucket"))
    if name is not None:
        if name.startswith("arn:"):
            yield Finding("bucket", f'"{name[:70]}" is an ARN; the S3 API takes the bucket name')
        else:
            yield from bucket_name_findings("bucket", name)


@rule(
    types=[POLICY],
    properties=("policy",),
    code="MalformedPolicy",
    source=f"{S3_GUIDE}/bucket-policies.html (bucket policies are limited to 20 KB); {S3_API}/API_PutBucketPolicy.html",
)
def bucket_policy_document(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A bucket policy is a JSON policy document of at most 20 KB."""
    raw = plain(resource.get("policy"))
    text = json.dumps(raw) if isinstance(raw, dict) else known_str(raw)
    if text is None:
        return
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, too-long integers, depth
        yield Finding("policy", f"is not JSON ({getattr(exc, 'msg', type(exc).__name__)})")
        return
    if not isinstance(document, dict) or "Statement" not in document:
        yield Finding("policy", "is not a policy document (no Statement)")
    size = len(text.encode())
    if size > POLICY_MAX_BYTES:
        yield Finding("policy", f"{size} bytes; a bucket policy is at most {POLICY_MAX_BYTES}", code="PolicyTooLarge")


@rule(
    types=[PUBLIC_ACCESS_BLOCK],
    properties=("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"),
    code="InvalidRequest",
    source=f"{S3_API}/API_PutPublicAccessBlock.html (PublicAccessBlockConfiguration: four booleans)",
)
def public_access_block_settings(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A public access block's four settings are booleans (absent means false: the block blocks nothing)."""
    for prop in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        value = resource.get(prop)
        if value is not None and not is_unknown(value) and known_bool(value) is None:
            yield Finding(prop, f"{value!r} is not a boolean")


@rule(
    types=[OWNERSHIP],
    properties=("rule.objectOwnership",),
    code="InvalidRequest",
    source=f"{S3_API}/API_OwnershipControlsRule.html (ObjectOwnership: BucketOwnerPreferred | ObjectWriter | "
    "BucketOwnerEnforced)",
)
def ownership_controls(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Object ownership is BucketOwnerPreferred, ObjectWriter or BucketOwnerEnforced."""
    # The values are the model's (apimap: PutBucketOwnershipControls ObjectOwnership).
    yield from ()


@rule(
    types=[ENCRYPTION],
    properties=(
        "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
        "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId",
        "rules[].bucketKeyEnabled",
    ),
    code="InvalidArgument",
    source=f"{S3_API}/API_ServerSideEncryptionByDefault.html (SSEAlgorithm AES256 | aws:kms | aws:kms:dsse; "
    "KMSMasterKeyID only with aws:kms or aws:kms:dsse)",
)
def default_encryption(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Default encryption is AES256, aws:kms or aws:kms:dsse, and a KMS key is given only with a KMS algorithm."""
    for i, raw in enumerate(items(resource.get("rules"))):
        default = mapping(mapping(raw).get("applyServerSideEncryptionByDefault"))
        prop = f"rules[{i}].applyServerSideEncryptionByDefault"
        algorithm = known_str(default.get("sseAlgorithm"))
        if algorithm is not None and algorithm not in ALGORITHMS:
            yield Finding(f"{prop}.sseAlgorithm", f'"{algorithm}" is not {" | ".join(ALGORITHMS)}')
        if algorithm == "AES256" and plain(default.get("kmsMasterKeyId")) not in (None, ""):
            yield Finding(f"{prop}.kmsMasterKeyId", "a KMS key is only for aws:kms or aws:kms:dsse")


def _days(prop: str, value: Any, minimum: int) -> Iterator[Finding]:
    days = known_int(value)
    if days is not None and days < minimum:
        yield Finding(prop, f"{days} days; at least {minimum}")


@rule(
    types=[LIFECYCLE],
    properties=(
        "rules[].id",
        "rules[].status",
        "rules[].expiration.days",
        "rules[].noncurrentVersionExpiration.noncurrentDays",
        "rules[].abortIncompleteMultipartUpload.daysAfterInitiation",
        "rules[].transitions[].days",
        "rules[].transitions[].storageClass",
        "rules[].filter.prefix",
        "rules[].filter",
    ),
    code="InvalidArgument",
    source=f"{S3_API}/API_LifecycleRule.html (ID up to 255, Status Enabled | Disabled, days positive); "
    f"{S3_API}/API_Transition.html; {S3_GUIDE}/lifecycle-transition-general-considerations.html "
    "(STANDARD_IA and ONEZONE_IA after at least 30 days); at most 1,000 rules",
)
def lifecycle_rules(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Lifecycle rules: unique ids up to 255, Enabled or Disabled, positive days, IA after 30 days, at most 1,000."""
    rules = items(resource.get("rules"))
    if len(rules) > MAX_LIFECYCLE_RULES:
        yield Finding("rules", f"{len(rules)} rules; at most {MAX_LIFECYCLE_RULES}")
    seen: set[str] = set()
    for i, raw in enumerate(rules):
        entry = mapping(raw)
        prop = f"rules[{i}]"
        rule_id = known_str(entry.get("id"))
        if rule_id is not None:
            if len(rule_id) > 255:
                yield Finding(f"{prop}.id", f"{len(rule_id)} characters; at most 255")
            if rule_id in seen:
                yield Finding(f"{prop}.id", f'"{rule_id}" is used by another rule')
            seen.add(rule_id)
        yield from _days(f"{prop}.expiration.days", mapping(entry.get("expiration")).get("days"), 1)
        yield from _days(
            f"{prop}.noncurrentVersionExpiration.noncurrentDays",
            mapping(entry.get("noncurrentVersionExpiration")).get("noncurrentDays"),
            1,
        )
        yield from _days(
            f"{prop}.abortIncompleteMultipartUpload.daysAfterInitiation",
            mapping(entry.get("abortIncompleteMultipartUpload")).get("daysAfterInitiation"),
            1,
        )
        for j, transition in enumerate(items(entry.get("transitions"))):
            tprop = f"{prop}.transitions[{j}]"
            # Status and storage classes are the model's (apimap: PutBucketLifecycleConfiguration).
            storage = known_str(mapping(transition).get("storageClass"))
            minimum = IA_MIN_DAYS if storage in ("STANDARD_IA", "ONEZONE_IA") else 0
            yield from _days(f"{tprop}.days", mapping(transition).get("days"), minimum)


def _grants_elb_log_delivery(policy: CloudResource, bucket_name: str, region: str) -> bool:
    text = known_str(policy.get("policy"))
    if text is None:
        return True  # not known yet: undecided, never refused
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError, too-long integers, depth
        return False
    statements = document.get("Statement") if isinstance(document, dict) else None
    statements = statements if isinstance(statements, list) else [statements]
    account = ELB_ACCOUNTS.get(region)
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(str(a).lower() in ("s3:putobject", "s3:*", "*") for a in actions):
            continue
        principal = json.dumps(statement.get("Principal", ""))
        if ELB_LOG_PRINCIPAL in principal or (account and account in principal):
            return True
    return False


@rule(
    types=[LB],
    properties=("accessLogs.enabled", "accessLogs.bucket", "accessLogs.prefix"),
    code="InvalidConfigurationRequest",
    source=f"{ELB_LOGS} (the bucket policy must grant s3:PutObject to ELB log delivery before logging is enabled: "
    "'Access Denied for bucket'; SSE-S3 is the only supported encryption; the prefix cannot include AWSLogs)",
)
def load_balancer_access_log_bucket(resource: CloudResource, world: World) -> Iterator[Finding]:
    """ALB access logs go to a bucket whose policy grants ELB log delivery, created before the ALB; SSE-S3 only."""
    logs = mapping(resource.get("accessLogs"))
    if not logs or known_bool(logs.get("enabled")) is False:
        return
    prefix = known_str(logs.get("prefix"))
    if prefix is not None and ("AWSLogs" in prefix or prefix.startswith("/") or prefix.endswith("/")):
        yield Finding("accessLogs.prefix", f'"{prefix[:60]}" may not contain AWSLogs or begin or end with "/"')
    name = known_str(logs.get("bucket"))
    if name is None:
        return
    policies = [p for p in world.of_type(POLICY) if known_str(p.get("bucket")) == name]
    buckets = [b for b in world.of_type(BUCKET) if known_str(b.get("bucket")) == name]
    if not buckets and not policies:
        return  # a bucket this program does not manage: its policy is not ours to see
    if not any(_grants_elb_log_delivery(p, name, world.region) for p in policies):
        yield Finding(
            "accessLogs.bucket",
            f"Access Denied for bucket: {name}: no bucket policy grants s3:PutObject to {ELB_LOG_PRINCIPAL}",
        )
    elif (
        world.depends_on(resource, lambda found: found.type == POLICY and known_str(found.get("bucket")) == name)
        is False
    ):
        yield Finding(
            "dependsOn",
            f"Access Denied for bucket: {name}: the load balancer is not ordered after the "
            "bucket policy that lets it write (add it to dependsOn)",
        )
    for config in world.of_type(ENCRYPTION):
        if known_str(config.get("bucket")) != name:
            continue
        for raw in items(config.get("rules")):
            algorithm = known_str(mapping(mapping(raw).get("applyServerSideEncryptionByDefault")).get("sseAlgorithm"))
            if algorithm is not None and algorithm != "AES256":
                yield Finding(
                    "accessLogs.bucket", f"bucket {name} encrypts with {algorithm}; access logs need SSE-S3 (AES256)"
                )

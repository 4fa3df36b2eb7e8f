"""Amazon S3: buckets and their configuration resources (``aws:s3/*``; ``aws:s3/bucketV2`` is an alias)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import items, known_int, known_str, mapping

S3_API = "https://docs.aws.amazon.com/AmazonS3/latest/API"
NAMING = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"

BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
# botocore's s3 model: ServerSideEncryption, ObjectOwnership and ExpirationStatus enums.
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
OBJECT_OWNERSHIP = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
RULE_STATUS = ("Enabled", "Disabled")
# Bucket policies are limited to 20 KB (S3 User Guide, "Bucket policies for Amazon S3").
POLICY_MAX_BYTES = 20 * 1024
RULE_ID_MAX = 255


@rule(
    types=[BUCKET],
    properties=("bucket",),
    code="InvalidBucketName",
    source=f"{NAMING} (general purpose bucket naming rules)",
)
def bucket_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A bucket name is 3-63 of a-z 0-9 . -, starting and ending alphanumeric, no "..", no IP form or reserved affix."""
    name = known_str(resource.get("bucket"))
    if name is None:
        return
    if not BUCKET_NAME.fullmatch(name):
        yield Finding("bucket", f'"{name}" is not 3-63 of a-z, 0-9, "." and "-" starting and ending alphanumeric')
    elif ".." in name or IP_ADDRESS.fullmatch(name):
        yield Finding("bucket", f'"{name}" has adjacent periods or is formatted as an IP address')
    elif name.startswith(RESERVED_PREFIXES) or name.endswith(RESERVED_SUFFIXES):
        yield Finding("bucket", f'"{name}" uses a prefix or suffix S3 reserves')


@rule(
    types=[SSE],
    properties=(
        "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
        "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId",
    ),
    code="MalformedXML",
    source=f"{S3_API}/API_ServerSideEncryptionByDefault.html (SSEAlgorithm; KMSMasterKeyID only with aws:kms)",
)
def sse_algorithm(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Default encryption is AES256, aws:kms or aws:kms:dsse, and a KMS key only with a KMS algorithm."""
    rules = items(resource.get("rules"))
    if resource.get("rules") == []:
        yield Finding("rules", "an encryption configuration needs at least one rule")
    for index, entry in enumerate(rules):
        default = mapping(mapping(entry).get("applyServerSideEncryptionByDefault"))
        algorithm = known_str(default.get("sseAlgorithm"))
        where = f"rules[{index}].applyServerSideEncryptionByDefault"
        if algorithm is not None and algorithm not in SSE_ALGORITHMS:
            yield Finding(f"{where}.sseAlgorithm", f'"{algorithm}" is not one of {", ".join(SSE_ALGORITHMS)}')
        key = known_str(default.get("kmsMasterKeyId"))
        if key and algorithm == "AES256":
            yield Finding(f"{where}.kmsMasterKeyId", "a KMS key is only valid with aws:kms or aws:kms:dsse")


@rule(
    types=[OWNERSHIP],
    properties=("rule.objectOwnership",),
    code="MalformedXML",
    source=f"{S3_API}/API_OwnershipControlsRule.html (ObjectOwnership enum)",
)
def object_ownership(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Object ownership is BucketOwnerPreferred, ObjectWriter or BucketOwnerEnforced."""
    value = known_str(mapping(resource.get("rule")).get("objectOwnership"))
    if value is not None and value not in OBJECT_OWNERSHIP:
        yield Finding("rule.objectOwnership", f'"{value}" is not one of {", ".join(OBJECT_OWNERSHIP)}')


@rule(
    types=[LIFECYCLE],
    properties=(
        "rules[].id",
        "rules[].status",
        "rules[].expiration.days",
        "rules[].abortIncompleteMultipartUpload.daysAfterInitiation",
    ),
    code="InvalidArgument",
    source=f"{S3_API}/API_LifecycleRule.html (ID up to 255 characters, Status enum); "
    f"{S3_API}/API_LifecycleExpiration.html (Days: a non-zero positive integer); "
    f"{S3_API}/API_AbortIncompleteMultipartUpload.html",
)
def lifecycle_rules(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Lifecycle rules have unique ids of at most 255 characters, status Enabled/Disabled and positive day counts."""
    seen: set[str] = set()
    for index, entry in enumerate(items(resource.get("rules"))):
        entry = mapping(entry)
        where = f"rules[{index}]"
        rule_id = known_str(entry.get("id"))
        if rule_id is not None:
            if len(rule_id) > RULE_ID_MAX:
                yield Finding(f"{where}.id", f"is {len(rule_id)} characters; at most {RULE_ID_MAX}")
            if rule_id in seen:
                yield Finding(f"{where}.id", f'"{rule_id}" is used by another rule of the bucket')
            seen.add(rule_id)
        status = known_str(entry.get("status"))
        if status is not None and status not in RULE_STATUS:
            yield Finding(f"{where}.status", f'"{status}" is not Enabled or Disabled')
        for path, value in (
            ("expiration.days", mapping(entry.get("expiration")).get("days")),
            (
                "abortIncompleteMultipartUpload.daysAfterInitiation",
                mapping(entry.get("abortIncompleteMultipartUpload")).get("daysAfterInitiation"),
            ),
        ):
            days = known_int(value)
            if value is not None and days is not None and days < 1:
                yield Finding(f"{where}.{path}", f"{days} is not a positive number of days")


@rule(
    types=[POLICY],
    properties=("policy",),
    code="MalformedPolicy",
    source=f"{S3_API}/API_PutBucketPolicy.html (Errors: MalformedPolicy); "
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html (20 KB limit)",
)
def bucket_policy_document(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A bucket policy is a JSON object with a Statement, at most 20 KB."""
    text = known_str(resource.get("policy"))
    if text is None:
        return
    if len(text.encode()) > POLICY_MAX_BYTES:
        yield Finding("policy", f"is {len(text.encode())} bytes; a bucket policy is at most {POLICY_MAX_BYTES}")
    try:
        document = json.loads(text)
    except ValueError:
        yield Finding("policy", "is not valid JSON")
        return
    if not isinstance(document, dict) or "Statement" not in document:
        yield Finding("policy", "is not a policy document with a Statement")

"""S3 rules beyond their twin cases: what each refusal says and names, both ends of each range, and what an
Application Load Balancer's access logs need of the bucket they are written to."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.cloudrules import CloudResource, World, canonical
from tests.offline.cloudrules.cases import BASE, BUCKET, BUCKET_ALIAS, BUCKET_POLICY, LB, LIFECYCLE, LOGS, PAB, SSE
from tests.offline.cloudrules.world import IGW_URN, LOGS_POLICY_URN, PROVIDER_REF, STACK, errors, world

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _found(typ: str, rule: str, account: World | None = None, deps: tuple[str, ...] = (), **changes: Any) -> list:
    inputs = {k: v for k, v in {**BASE[canonical(typ)], **changes}.items() if v is not None}
    return [(e.property, e.message) for e in errors(typ, inputs, account=account, deps=deps) if e.rule == rule]


def _name(name: str) -> list[tuple[str, str]]:
    return _found(BUCKET, "bucket-name", bucket=name)


# --- names -----------------------------------------------------------------------------------------


def test_a_bucket_name_is_3_to_63_characters() -> None:
    assert _name("ab") == [("bucket", '"ab" is 2 characters; a bucket name is 3-63')]
    assert _name("a" * 64) == [("bucket", f'"{"a" * 64}" is 64 characters; a bucket name is 3-63')]
    assert _name("abc") == _name("a" * 63) == []


@pytest.mark.parametrize("name", ["Logs-bucket", "logs_bucket", "-logs", "logs-", ".logs", "logs."])
def test_a_bucket_name_is_lowercase_letters_digits_dots_and_hyphens_between_alphanumerics(name: str) -> None:
    assert _name(name) == [
        (
            "bucket",
            f'"{name}": lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit',
        )
    ]


def test_a_long_name_is_shown_by_its_first_70_characters() -> None:
    name = "L" + "a" * 79
    assert _name(name) == [
        ("bucket", f'"{name[:70]}" is 80 characters; a bucket name is 3-63'),
        (
            "bucket",
            f'"{name[:70]}": lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit',
        ),
    ]
    dotted = "a" * 70 + "..b"
    assert (("bucket", f'"{dotted[:70]}" has two adjacent periods')) in _name(dotted)
    reserved = "xn--" + "a" * 70
    assert ("bucket", f'"{reserved[:70]}" uses a prefix or suffix S3 reserves') in _name(reserved)


def test_a_bucket_name_has_no_adjacent_periods_and_is_no_ip_address() -> None:
    assert _name("logs..bucket") == [("bucket", '"logs..bucket" has two adjacent periods')]
    assert _name("10.0.0.1") == [("bucket", '"10.0.0.1" is formatted as an IP address')]
    assert _name("10.0.0.1.2") == _name("logs.bucket") == []


@pytest.mark.parametrize(
    "name",
    [
        "xn--logs",
        "sthree-logs",
        "amzn-s3-demo-logs",
        "logs-s3alias",
        "logs--ol-s3",
        "logs.mrap",
        "logs--x-s3",
        "logs--table-s3",
    ],
)
def test_a_bucket_name_has_no_prefix_or_suffix_s3_reserves(name: str) -> None:
    assert _name(name) == [("bucket", f'"{name}" uses a prefix or suffix S3 reserves')]


def test_a_bucket_prefix_is_at_most_37_of_the_name_characters() -> None:
    def prefix(value: str) -> list[tuple[str, str]]:
        return _found(BUCKET_ALIAS, "bucket-name", bucket=None, bucketPrefix=value)

    message = "at most 37 of a-z 0-9 . -, beginning alphanumeric"
    assert prefix("p" * 38) == [("bucketPrefix", f'"{"p" * 38}": {message}')]
    assert prefix("-logs") == [("bucketPrefix", f'"-logs": {message}')]
    assert prefix("Logs") == [("bucketPrefix", f'"Logs": {message}')]
    assert prefix("p" * 37) == prefix("0.logs-") == []


def test_a_bucket_configuration_names_its_bucket_by_a_valid_name() -> None:
    rule = "bucket-configuration-names-a-bucket"
    assert _found(PAB, rule, bucket="arn:aws:s3:::logs-bucket") == [
        ("bucket", '"arn:aws:s3:::logs-bucket" is an ARN; the S3 API takes the bucket name')
    ]
    assert _found(SSE, rule, bucket="Logs") == [
        ("bucket", '"Logs": lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit')
    ]
    assert _found(LIFECYCLE, rule, bucket="logs-bucket") == []


# --- the bucket policy -----------------------------------------------------------------------------


def _policy(policy: Any) -> list[tuple[str, str]]:
    return _found(BUCKET_POLICY, "bucket-policy-document", policy=policy)


def test_a_bucket_policy_is_a_json_policy_document() -> None:
    assert _policy("{") == [("policy", "is not JSON (Expecting property name enclosed in double quotes)")]
    assert _policy("[" * 5000) == [("policy", "is not JSON (RecursionError)")]
    assert _policy("[1]") == [("policy", "is not a policy document (no Statement)")]
    assert _policy('{"Version": "2012-10-17"}') == [("policy", "is not a policy document (no Statement)")]
    assert _policy({"Version": "2012-10-17"}) == [("policy", "is not a policy document (no Statement)")]
    assert _policy({"Statement": []}) == _policy(UNKNOWN) == []


def test_a_bucket_policy_is_at_most_20_kb_counted_in_bytes() -> None:
    head = '{"Statement": [], "Sid": "'
    exactly = head + "é" * ((20480 - len(head) - 2) // 2) + '"}'
    assert len(exactly.encode()) == 20480
    assert _policy(exactly) == []
    over = head + "é" * ((20480 - len(head) - 2) // 2) + 'a"}'
    found = errors(BUCKET_POLICY, {**BASE[BUCKET_POLICY], "policy": over})
    assert [(e.property, e.message, e.code) for e in found] == [
        ("policy", "20481 bytes; a bucket policy is at most 20480", "PolicyTooLarge")
    ]


def test_public_access_block_settings_are_booleans() -> None:
    assert _found(PAB, "public-access-block-settings", blockPublicAcls="yes", restrictPublicBuckets=1.0) == [
        ("blockPublicAcls", "'yes' is not a boolean"),
        ("restrictPublicBuckets", "1.0 is not a boolean"),
    ]
    accepted = {"blockPublicAcls": "false", "blockPublicPolicy": UNKNOWN, "ignorePublicAcls": None}
    assert _found(PAB, "public-access-block-settings", **accepted) == []


# --- default encryption ----------------------------------------------------------------------------


def _sse(*defaults: dict[str, Any]) -> list[tuple[str, str]]:
    rules = [{"applyServerSideEncryptionByDefault": d} for d in defaults]
    return _found(SSE, "default-encryption", rules=rules)


def test_default_encryption_is_sse_s3_or_kms_and_says_so() -> None:
    assert _sse({"sseAlgorithm": "AES256"}, {"sseAlgorithm": "aws:fsx"}) == [
        ("rules[1].applyServerSideEncryptionByDefault.sseAlgorithm", '"aws:fsx" is not AES256 | aws:kms | aws:kms:dsse')
    ]
    assert _sse({"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "k"}, {"sseAlgorithm": "aws:kms:dsse"}) == []


def test_a_kms_key_is_only_for_a_kms_algorithm() -> None:
    assert _sse({"sseAlgorithm": "aws:kms"}, {"sseAlgorithm": "AES256", "kmsMasterKeyId": "k"}) == [
        ("rules[1].applyServerSideEncryptionByDefault.kmsMasterKeyId", "a KMS key is only for aws:kms or aws:kms:dsse")
    ]
    assert _sse({"sseAlgorithm": "AES256", "kmsMasterKeyId": ""}) == []


# --- lifecycle -------------------------------------------------------------------------------------


def _lifecycle(*rules: dict[str, Any]) -> list[tuple[str, str]]:
    return _found(LIFECYCLE, "lifecycle-rules", rules=list(rules))


def test_lifecycle_days_are_positive_and_say_so() -> None:
    refused = {
        "id": "a",
        "status": "Enabled",
        "expiration": {"days": 0.0},
        "noncurrentVersionExpiration": {"noncurrentDays": 0.0},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 0.0},
    }
    assert _lifecycle({"id": "first", "status": "Enabled"}, refused) == [
        ("rules[1].expiration.days", "0 days; at least 1"),
        ("rules[1].noncurrentVersionExpiration.noncurrentDays", "0 days; at least 1"),
        ("rules[1].abortIncompleteMultipartUpload.daysAfterInitiation", "0 days; at least 1"),
    ]
    accepted = {
        "id": "a",
        "status": "Enabled",
        "expiration": {"days": 1.0},
        "noncurrentVersionExpiration": {"noncurrentDays": 1.0},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 1.0},
    }
    assert _lifecycle(accepted) == []


def test_infrequent_access_transitions_wait_30_days_others_none() -> None:
    def transitions(*pairs: tuple[float, str]) -> list[tuple[str, str]]:
        steps = [{"days": days, "storageClass": storage} for days, storage in pairs]
        return _lifecycle({"id": "a", "status": "Enabled", "transitions": steps})

    assert transitions((29.0, "STANDARD_IA"), (29.0, "ONEZONE_IA"), (-1.0, "GLACIER")) == [
        ("rules[0].transitions[0].days", "29 days; at least 30"),
        ("rules[0].transitions[1].days", "29 days; at least 30"),
        ("rules[0].transitions[2].days", "-1 days; at least 0"),
    ]
    assert transitions((30.0, "STANDARD_IA"), (30.0, "ONEZONE_IA"), (0.0, "GLACIER"), (0.0, "DEEP_ARCHIVE")) == []


def test_lifecycle_rule_ids_are_unique_and_at_most_255_characters() -> None:
    assert _lifecycle({"id": "i" * 256, "status": "Enabled"}, {"id": "i" * 256, "status": "Enabled"}) == [
        ("rules[0].id", "256 characters; at most 255"),
        ("rules[1].id", "256 characters; at most 255"),
        ("rules[1].id", f'"{"i" * 256}" is used by another rule'),
    ]
    assert _lifecycle({"id": "i" * 255, "status": "Enabled"}, {"id": "j", "status": "Enabled"}) == []


def test_a_lifecycle_configuration_holds_at_most_1000_rules() -> None:
    rules = [{"id": f"r{i}", "status": "Enabled"} for i in range(1001)]
    assert _lifecycle(*rules) == [("rules", "1001 rules; at most 1000")]
    assert _lifecycle(*rules[:1000]) == []


# --- access logs -----------------------------------------------------------------------------------

ACCESS = "load-balancer-access-log-bucket"
AFTER_POLICY = (IGW_URN, LOGS_POLICY_URN)


def _add(account: World, typ: str, name: str, inputs: dict[str, Any]) -> str:
    urn = f"{STACK}{typ}::{name}"
    account.add(CloudResource(urn=urn, type=typ, name=name, id=name, inputs=inputs, provider=PROVIDER_REF))
    return urn


def _statement(**changes: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::new-logs/*",
        **changes,
    }


def _logs_to_new_bucket(policy: Any, **logs: Any) -> list[tuple[str, str]]:
    """Access logs to "new-logs", a bucket of this program whose policy is ``policy``, ordered after it."""
    account = world()
    _add(account, BUCKET, "new-logs", {"bucket": "new-logs"})
    urn = _add(account, BUCKET_POLICY, "new-logs-policy", {"bucket": "new-logs", "policy": policy})
    access_logs = {**LOGS, "bucket": "new-logs", **logs}
    return _found(LB, ACCESS, account=account, deps=(IGW_URN, urn), accessLogs=access_logs)


DENIED = (
    "accessLogs.bucket",
    "Access Denied for bucket: new-logs: no bucket policy grants s3:PutObject to "
    "logdelivery.elasticloadbalancing.amazonaws.com",
)


@pytest.mark.parametrize(
    "statements",
    [
        [_statement()],
        [_statement(Action=["s3:GetObject", "s3:PutObject"])],
        [_statement(Action="s3:*")],
        [_statement(Action="*")],
        [_statement(Action="S3:PUTOBJECT")],
        [_statement(Principal={"AWS": "arn:aws:iam::127311923021:root"})],
        ["not a statement", _statement(Effect="Deny"), _statement()],
        [_statement(Action="s3:GetObject"), _statement()],
        _statement(),
    ],
    ids=str,
)
def test_a_bucket_policy_that_grants_log_delivery_lets_the_load_balancer_write(statements: Any) -> None:
    assert _logs_to_new_bucket(json.dumps({"Version": "2012-10-17", "Statement": statements})) == []


def test_in_a_region_without_an_elb_account_only_the_service_principal_grants() -> None:
    account = world()
    account.region = "ap-south-2"
    _add(account, BUCKET, "new-logs", {"bucket": "new-logs"})
    policy = {"Statement": [_statement(Principal={"AWS": "arn:aws:iam::127311923021:root"})]}
    urn = _add(account, BUCKET_POLICY, "new-logs-policy", {"bucket": "new-logs", "policy": json.dumps(policy)})
    logs = {**LOGS, "bucket": "new-logs"}
    assert _found(LB, ACCESS, account=account, deps=(IGW_URN, urn), accessLogs=logs) == [DENIED]


@pytest.mark.parametrize(
    "statements",
    [
        [_statement(Effect="Deny")],
        [_statement(Action=["s3:GetObject"])],
        [_statement(Action="s3:PutObjectAcl")],
        [_statement(Principal={"AWS": "arn:aws:iam::156460612806:root"})],
        [_statement(Principal={"Service": "elasticloadbalancing.amazonaws.com"})],
        [{k: v for k, v in _statement().items() if k != "Action"}],
        [],
    ],
    ids=str,
)
def test_a_bucket_policy_that_does_not_grant_log_delivery_is_access_denied(statements: Any) -> None:
    assert _logs_to_new_bucket(json.dumps({"Version": "2012-10-17", "Statement": statements})) == [DENIED]


def test_a_bucket_policy_that_is_not_json_grants_nothing_and_one_not_known_yet_is_undecided() -> None:
    assert _logs_to_new_bucket("{not json") == [DENIED]
    assert _logs_to_new_bucket(json.dumps([_statement()])) == [DENIED]
    assert _logs_to_new_bucket(json.dumps({"Version": "2012-10-17"})) == [DENIED]
    assert _logs_to_new_bucket(UNKNOWN) == []


def test_the_load_balancer_is_ordered_after_the_policy_that_lets_it_write() -> None:
    found = _found(LB, ACCESS, deps=(IGW_URN,), accessLogs=LOGS)
    assert found == [
        (
            "dependsOn",
            "Access Denied for bucket: logs-bucket: the load balancer is not ordered after the bucket policy that "
            "lets it write (add it to dependsOn)",
        )
    ]
    assert _found(LB, ACCESS, deps=AFTER_POLICY, accessLogs=LOGS) == []
    # Without a dependency graph the order is undecided.
    assert _found(LB, ACCESS, deps=None, accessLogs=LOGS) == []  # type: ignore[arg-type]


def test_access_logs_to_a_bucket_known_only_by_its_name_or_policy_are_judged() -> None:
    only_policy = world()
    urn = _add(only_policy, BUCKET_POLICY, "p", {"bucket": "policy-only", "policy": json.dumps({"Statement": []})})
    found = _found(LB, ACCESS, account=only_policy, deps=(IGW_URN, urn), accessLogs={**LOGS, "bucket": "policy-only"})
    assert [p for p, _ in found] == ["accessLogs.bucket"]
    only_bucket = world()
    _add(only_bucket, BUCKET_ALIAS, "b", {"bucket": "bucket-only"})
    found = _found(LB, ACCESS, account=only_bucket, deps=AFTER_POLICY, accessLogs={**LOGS, "bucket": "bucket-only"})
    assert [p for p, _ in found] == ["accessLogs.bucket"]
    assert _found(LB, ACCESS, deps=AFTER_POLICY, accessLogs={**LOGS, "bucket": "someone-elses"}) == []


def test_access_logs_need_sse_s3_on_their_bucket() -> None:
    account = world()
    _add(account, SSE, "other-sse", {"bucket": "logs-bucket-2", "rules": [_kms()]})
    _add(account, SSE, "sse", {"bucket": "logs-bucket", "rules": [_aes(), _kms(), {}]})
    assert _found(LB, ACCESS, account=account, deps=AFTER_POLICY, accessLogs=LOGS) == [
        ("accessLogs.bucket", "bucket logs-bucket encrypts with aws:kms; access logs need SSE-S3 (AES256)")
    ]
    clean = world()
    _add(clean, SSE, "sse", {"bucket": "logs-bucket", "rules": [_aes()]})
    assert _found(LB, ACCESS, account=clean, deps=AFTER_POLICY, accessLogs=LOGS) == []


def _aes() -> dict[str, Any]:
    return {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}


def _kms() -> dict[str, Any]:
    return {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}


@pytest.mark.parametrize("prefix", ["AWSLogs", "alb/AWSLogs/x", "/alb", "alb/"])
def test_an_access_log_prefix_has_no_awslogs_and_no_slash_at_either_end(prefix: str) -> None:
    found = _found(LB, ACCESS, deps=AFTER_POLICY, accessLogs={**LOGS, "prefix": prefix})
    assert found == [("accessLogs.prefix", f'"{prefix}" may not contain AWSLogs or begin or end with "/"')]


def test_access_logs_that_are_off_or_name_no_bucket_are_not_judged() -> None:
    assert _found(LB, ACCESS, deps=(IGW_URN,), accessLogs={**LOGS, "bucket": "nopolicy-logs", "enabled": False}) == []
    assert _found(LB, ACCESS, deps=(IGW_URN,), accessLogs={"enabled": True, "bucket": UNKNOWN}) == []
    assert _found(LB, ACCESS, deps=(IGW_URN,), accessLogs={}) == []
    # Logging on by default once a bucket is named: "enabled" left out still checks the bucket.
    assert [p for p, _ in _found(LB, ACCESS, deps=(IGW_URN,), accessLogs={"bucket": "nopolicy-logs"})] == [
        "accessLogs.bucket"
    ]


@pytest.mark.parametrize("prop", ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
def test_each_public_access_block_setting_is_a_boolean(prop: str) -> None:
    assert _found(PAB, "public-access-block-settings", **{prop: "on"}) == [(prop, "'on' is not a boolean")]
    assert _found(PAB, "public-access-block-settings", **{prop: True}) == []
    assert _found(PAB, "public-access-block-settings", **{prop: "true"}) == []

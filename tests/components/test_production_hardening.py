"""The production hardening the scanners expect: ALB access logs into a locked-down bucket, detailed
monitoring, an optional WAF, subnets that hand out no public IPs, and the teardown sequence.
GIVEN Pulumi.<stack>.yaml plus the keys a test sets WHEN the real program runs under the mock cloud THEN
each new resource's inputs are those below."""

from __future__ import annotations

import json

import pytest

from components.logdelivery import log_bucket_policy
from offline.harness import ProgramRun
from offline.mockcloud import MockCloud
from tests.components.resources import ALB, INSTANCE, LAUNCH_TEMPLATE, SUBNET, named, out
from tests.conftest import RunStack

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
BUCKET_TYPES = (BUCKET, BUCKET_POLICY, PUBLIC_ACCESS_BLOCK, OWNERSHIP, SSE, LIFECYCLE)


@pytest.fixture
def prod(run_stack: RunStack) -> ProgramRun:
    return run_stack("prod").check()


# --- access logs ------------------------------------------------------------------------------------


def test_the_alb_logs_into_the_stack_bucket_under_its_own_prefix(prod: ProgramRun) -> None:
    bucket = prod.one(BUCKET)
    alb = prod.one(ALB)
    assert alb.inputs["accessLogs"] == {"bucket": out(bucket, "bucket"), "prefix": "compute-alb", "enabled": True}
    assert prod.outputs["accessLogBucket"] == out(bucket, "bucket")
    # ELB checks its write permission when logging is turned on, so the policy exists first.
    assert prod.one(BUCKET_POLICY).urn in alb.dependencies


def test_the_bucket_keeps_its_logs_through_a_destroy_by_default(prod: ProgramRun) -> None:
    bucket = prod.one(BUCKET)
    assert bucket.inputs["forceDestroy"] is False
    assert out(bucket, "arn") == f"arn:aws:s3:::{out(bucket, 'bucket')}"
    assert out(bucket, "bucketRegionalDomainName") == f"{out(bucket, 'bucket')}.s3.us-east-1.amazonaws.com"


def test_every_bucket_setting_targets_the_log_bucket(prod: ProgramRun) -> None:
    bucket_id = prod.one(BUCKET).id
    for kind in BUCKET_TYPES[1:]:
        assert prod.one(kind).inputs["bucket"] == bucket_id, kind


def test_public_access_is_blocked_four_ways_and_acls_are_off(prod: ProgramRun) -> None:
    block = prod.one(PUBLIC_ACCESS_BLOCK).inputs
    assert [
        block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    ] == [True] * 4
    assert prod.one(OWNERSHIP).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_encryption_is_sse_s3_because_log_delivery_supports_nothing_else(prod: ProgramRun) -> None:
    (rule,) = prod.one(SSE).inputs["rules"]
    assert rule == {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}


def test_logs_expire_after_the_configured_days(run_stack: RunStack) -> None:
    for days, run in ((90.0, run_stack("prod")), (7.0, run_stack("prod", accessLogDays="7"))):
        (rule,) = run.check().one(LIFECYCLE).inputs["rules"]
        assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
        assert rule["expiration"] == {"days": days}
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1.0}


@pytest.mark.parametrize(
    ("region", "principal"),
    [
        ("us-east-1", {"AWS": "arn:aws:iam::127311923021:root"}),
        ("eu-west-1", {"AWS": "arn:aws:iam::156460612806:root"}),
        # An older Region outside the first cloud-rule table: the strict cloud must accept its account too.
        ("ap-southeast-1", {"AWS": "arn:aws:iam::114774131450:root"}),
        ("ap-south-2", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
        ("il-central-1", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
    ],
)
def test_the_bucket_policy_admits_the_regions_log_delivery_principal(
    run_stack: RunStack, region: str, principal: dict[str, str]
) -> None:
    run = run_stack("prod", mocks=MockCloud(region=region), **{"aws:region": region}).check()
    bucket = run.one(BUCKET)
    document = json.loads(run.one(BUCKET_POLICY).inputs["policy"])
    assert document == log_bucket_policy(
        region=region, partition="aws", account_id="123456789012", bucket_arn=out(bucket, "arn"), prefix="compute-alb"
    )
    assert document["Statement"][0]["Principal"] == principal


def test_access_logs_off_registers_no_bucket(run_stack: RunStack) -> None:
    run = run_stack("prod", accessLogs="false").check()
    assert all(run.of_type(kind) == [] for kind in BUCKET_TYPES)
    assert "accessLogs" not in run.one(ALB).inputs and "accessLogBucket" not in run.outputs


# --- detailed monitoring and public IPs --------------------------------------------------------------


def test_launch_template_has_detailed_monitoring_in_production(prod: ProgramRun, run_stack: RunStack) -> None:
    assert prod.one(LAUNCH_TEMPLATE).inputs["monitoring"] == {"enabled": True}
    off = run_stack("prod", detailedMonitoring="false").check()
    assert off.one(LAUNCH_TEMPLATE).inputs["monitoring"] == {"enabled": False}


def test_green_fleet_template_is_monitored_too(run_stack: RunStack) -> None:
    run = run_stack("prod", green=json.dumps({"amiId": "ami-0123456789abcdef0", "weight": 0})).check()
    assert [t.inputs["monitoring"] for t in run.of_type(LAUNCH_TEMPLATE)] == [{"enabled": True}] * 2


def test_lab_instance_monitoring_follows_config(run_stack: RunStack) -> None:
    assert run_stack("dev").check().one(INSTANCE).inputs["monitoring"] is False
    assert run_stack("dev", detailedMonitoring="true").check().one(INSTANCE).inputs["monitoring"] is True


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_subnet_maps_public_ips(run_stack: RunStack, stack: str) -> None:
    run = run_stack(stack).check()
    assert [s.inputs["mapPublicIpOnLaunch"] for s in run.of_type(SUBNET)] == [False] * len(run.of_type(SUBNET))


def test_the_lab_instance_asks_for_its_own_public_ip(run_stack: RunStack) -> None:
    run = run_stack("dev").check()
    instance = run.one(INSTANCE)
    assert instance.inputs["associatePublicIpAddress"] is True
    assert run.outputs["publicIp"] == out(instance, "publicIp")


# --- WAF ----------------------------------------------------------------------------------------------


def test_no_web_acl_unless_asked(prod: ProgramRun) -> None:
    assert prod.of_type(WEB_ACL) == [] and prod.of_type(WEB_ACL_ASSOCIATION) == []


def test_waf_puts_aws_managed_rule_groups_in_front_of_the_alb(run_stack: RunStack) -> None:
    run = run_stack("prod", waf="true").check()
    acl = run.one(WEB_ACL)
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    assert acl.inputs["visibilityConfig"] == {
        "cloudwatchMetricsEnabled": True,
        "metricName": "compute-waf",
        "sampledRequestsEnabled": True,
    }
    rules = acl.inputs["rules"]
    assert [(r["name"], r["priority"]) for r in rules] == [
        ("AWSManagedRulesCommonRuleSet", 10.0),
        ("AWSManagedRulesKnownBadInputsRuleSet", 20.0),
    ]
    for rule in rules:
        assert rule["statement"] == {"managedRuleGroupStatement": {"vendorName": "AWS", "name": rule["name"]}}
        assert rule["overrideAction"] == {"none": {}}
        assert rule["visibilityConfig"]["metricName"] == rule["name"]
    assert out(acl, "capacity") == 900.0
    association = run.one(WEB_ACL_ASSOCIATION)
    assert association.inputs == {"resourceArn": out(run.one(ALB), "arn"), "webAclArn": out(acl, "arn")}
    assert out(acl, "arn").startswith("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/compute-waf")
    assert run.outputs["webAclArn"] == out(acl, "arn")


# --- tearing down (README "Tearing down production"): each step's config under the mocks -------------


def _shape(run: ProgramRun) -> set[tuple[str, str]]:
    return {(r.type, r.name) for r in run.managed()}


def test_teardown_step_one_changes_only_the_two_flags(prod: ProgramRun, run_stack: RunStack) -> None:
    # GIVEN deletionProtection false and logBucketForceDestroy true WHEN `pulumi up` THEN the same resources,
    # with only the load balancer's protection and the bucket's force-destroy changed.
    step = run_stack("prod", deletionProtection="false", logBucketForceDestroy="true").check()
    assert _shape(step) == _shape(prod)
    assert prod.one(ALB).inputs["enableDeletionProtection"] is True
    assert step.one(ALB).inputs["enableDeletionProtection"] is False
    assert step.one(BUCKET).inputs["forceDestroy"] is True
    changed = {
        r.name for r in step.managed() if r.inputs != named(prod, r.name).inputs and r.type not in (BUCKET_POLICY,)
    }
    assert changed == {"compute-alb", "compute-alb-logs"}


def test_teardown_keeping_the_logs_changes_only_the_load_balancer(prod: ProgramRun, run_stack: RunStack) -> None:
    step = run_stack("prod", deletionProtection="false").check()
    assert step.one(BUCKET).inputs["forceDestroy"] is False
    assert {r.name for r in step.managed() if r.inputs != named(prod, r.name).inputs} == {"compute-alb"}

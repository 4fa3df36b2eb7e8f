"""alb-access-logs, lb-log-bucket-not-public, launch-template-detailed-monitoring: each flags the weak
resource and stays silent on its fixed twin, for both the aws:lb and aws:alb tokens, with every config
setting exercised and the violating item last in every list the rule walks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from guardrails.network import alb_access_logs, launch_template_monitoring, lb_log_bucket_not_public
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, StackResource, resource_violations, stack_violations

LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"]
CLASSIC = "aws:elb/loadBalancer:LoadBalancer"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE = "aws:ec2/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACL = "aws:s3/bucketAcl:BucketAcl"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGS = {"bucket": "alb-logs", "prefix": "app", "enabled": True}
FULL_BLOCK = {k: True for k in lb_log_bucket_not_public.BLOCK_SETTINGS}


@pytest.mark.parametrize(
    "policy", [alb_access_logs.POLICY, lb_log_bucket_not_public.POLICY, launch_template_monitoring.POLICY]
)
def test_advisory_by_default(policy: Any) -> None:
    assert policy.enforcement_level is EnforcementLevel.ADVISORY


# --- alb-access-logs ----------------------------------------------------------------------------------


def logs(type_: str, props: dict[str, Any], config: dict | None = None) -> list[str]:
    return resource_violations(alb_access_logs.POLICY, type_, props, config)


@pytest.mark.parametrize("type_", LB_TYPES)
@pytest.mark.parametrize(
    ("props", "problem"),
    [
        ({}, "has no accessLogs (AWS default: off)"),
        ({"accessLogs": {"bucket": "alb-logs"}}, "accessLogs.enabled is unset (provider default false)"),
        ({"accessLogs": {"bucket": "alb-logs", "enabled": False}}, "accessLogs.enabled is not true"),
        ({"accessLogs": {"bucket": "alb-logs", "enabled": "false"}}, "accessLogs.enabled is not true"),
        ({"accessLogs": {"bucket": "alb-logs", "enabled": "yes"}}, "accessLogs.enabled is not true"),
        ({"accessLogs": {"enabled": True}}, "accessLogs names no bucket"),
        ({"accessLogs": {"bucket": " ", "enabled": True}}, "accessLogs names no bucket"),
        ({"accessLogs": "on"}, "accessLogs cannot be read; it fails closed"),
        (
            {"loadBalancerType": "application", "accessLogs": {"bucket": 7, "enabled": True}},
            "accessLogs names no bucket",
        ),
    ],
)
def test_alb_without_logs_fails_and_the_fixed_twin_passes(type_: str, props: dict[str, Any], problem: str) -> None:
    assert logs(type_, props) == [f"application load balancer {problem}"]
    assert logs(type_, {**props, "accessLogs": LOGS}) == []


def test_bucket_unknown_at_first_preview_is_still_a_bucket() -> None:
    assert logs(LB_TYPES[0], {"accessLogs": {"bucket": UNKNOWN, "enabled": True}}) == []


def test_unknown_enabled_cannot_run() -> None:
    with pytest.raises(UnknownValueError):
        logs(LB_TYPES[1], {"accessLogs": {"bucket": "b", "enabled": UNKNOWN}})


def test_load_balancer_types_config() -> None:
    network = {"loadBalancerType": "network"}
    assert logs(LB_TYPES[0], network) == []
    assert len(logs(LB_TYPES[0], network, {"loadBalancerTypes": ["application", "network"]})) == 1
    assert logs(LB_TYPES[0], {}, {"loadBalancerTypes": ["network"]}) == []
    assert logs("aws:ec2/instance:Instance", {}) == []


# --- launch-template-detailed-monitoring ---------------------------------------------------------------


def monitoring(type_: str, props: dict[str, Any], config: dict | None = None) -> list[str]:
    return resource_violations(launch_template_monitoring.POLICY, type_, props, config)


METRICS = "; detailed monitoring gives 1-minute metrics"


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        ({}, "monitoring is unset (basic, 5-minute metrics)"),
        ({"monitoring": {}}, "monitoring.enabled is unset (basic, 5-minute metrics)"),
        ({"monitoring": {"enabled": False}}, "monitoring.enabled is not true"),
        ({"monitoring": {"enabled": "false"}}, "monitoring.enabled is not true"),
        ({"monitoring": [{"enabled": True}]}, "monitoring cannot be read; it fails closed"),
    ],
)
def test_template_without_detailed_monitoring_and_fixed_twin(props: dict[str, Any], problem: str) -> None:
    assert monitoring(LT, props) == [problem + METRICS]
    assert monitoring(LT, {"monitoring": {"enabled": True}}) == []
    assert monitoring(LT, {"monitoring": {"enabled": "true"}}) == []


def test_instances_only_when_configured() -> None:
    assert monitoring(INSTANCE, {"monitoring": False}) == []
    # Configure may never be called: a missing setting reads as its default, which leaves instances out.
    assert monitoring(INSTANCE, {"monitoring": False}, {"includeInstances": None}) == []
    assert monitoring(INSTANCE, {"monitoring": False}, {"includeInstances": True}) == [
        "monitoring is not true" + METRICS
    ]
    assert monitoring(INSTANCE, {}, {"includeInstances": True}) == [
        "monitoring is unset (basic, 5-minute metrics)" + METRICS
    ]
    assert monitoring(INSTANCE, {"monitoring": True}, {"includeInstances": True}) == []


def test_unknown_monitoring_cannot_run() -> None:
    with pytest.raises(UnknownValueError):
        monitoring(LT, {"monitoring": {"enabled": UNKNOWN}})


# --- lb-log-bucket-not-public --------------------------------------------------------------------------


def stack(
    *extra: StackResource, lb_type: str = LB_TYPES[0], block: dict[str, Any] | None = None, bucket_type: str = BUCKET
) -> list[StackResource]:
    resources = [
        StackResource(
            bucket_type, "alb-logs", {"id": "alb-logs", "bucket": "alb-logs", "arn": "arn:aws:s3:::alb-logs"}
        ),
        StackResource(lb_type, "alb", {"accessLogs": LOGS}),
    ]
    if block is not None:
        resources.append(StackResource(PAB, "alb-logs-pab", {"bucket": "alb-logs", **block}))
    return resources + list(extra)


def public(resources: list[StackResource], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(lb_log_bucket_not_public.POLICY, resources, config)


@pytest.mark.parametrize("lb_type", [*LB_TYPES, CLASSIC])
@pytest.mark.parametrize("bucket_type", [BUCKET, BUCKET_V2])
def test_fully_blocked_bucket_passes(lb_type: str, bucket_type: str) -> None:
    assert public(stack(lb_type=lb_type, block=FULL_BLOCK, bucket_type=bucket_type)) == []


@pytest.mark.parametrize("lb_type", [*LB_TYPES, CLASSIC])
def test_bucket_without_a_block_fails_on_the_bucket(lb_type: str) -> None:
    ((message, urn),) = public(stack(lb_type=lb_type))
    assert message == (
        f"aws:s3/bucket:Bucket 'alb-logs' holds the access logs of {lb_type} 'alb' but can be made public: "
        "it has no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    )
    assert urn.endswith("::alb-logs")


def test_every_setting_a_block_leaves_off_is_named() -> None:
    block = {**FULL_BLOCK, "blockPublicAcls": False, "restrictPublicBuckets": None}
    ((message, _),) = public(stack(block=block))
    assert message.endswith(
        "can be made public: aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock 'alb-logs-pab' leaves "
        "blockPublicAcls, restrictPublicBuckets off"
    )


@pytest.mark.parametrize("setting", lb_log_bucket_not_public.BLOCK_SETTINGS)
@pytest.mark.parametrize("value", [False, None, "true", "yes"])
def test_each_block_setting_must_be_true(setting: str, value: Any) -> None:
    block = (
        {**FULL_BLOCK, setting: value} if value is not None else {k: v for k, v in FULL_BLOCK.items() if k != setting}
    )
    if value == "true":
        assert public(stack(block=block)) == []
        return
    ((message, _),) = public(stack(block=block))
    assert f"leaves {setting} off" in message


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (StackResource(ACL, "acl", {"bucket": "alb-logs", "acl": "private"}), None),
        (
            StackResource(ACL, "acl", {"bucket": "alb-logs", "acl": "Public-Read "}),
            "; aws:s3/bucketAcl:BucketAcl 'acl' has the public canned ACL 'Public-Read'",
        ),
        (
            StackResource(
                ACL,
                "acl",
                {
                    "bucket": "alb-logs",
                    "accessControlPolicy": {
                        "grants": [
                            {"grantee": {"type": "CanonicalUser", "id": "abc"}, "permission": "FULL_CONTROL"},
                            {
                                "grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"},
                                "permission": "READ",
                            },
                        ]
                    },
                },
            ),
            "leaves restrictPublicBuckets off; aws:s3/bucketAcl:BucketAcl 'acl' grants READ to AllUsers",
        ),
        (
            StackResource(
                ACL,
                "acl",
                {
                    "bucket": "alb-logs",
                    "accessControlPolicy": {
                        "grants": [{"grantee": {"uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}}]
                    },
                },
            ),
            "off; aws:s3/bucketAcl:BucketAcl 'acl' grants access to AuthenticatedUsers",
        ),
        (
            StackResource(
                POLICY,
                "policy",
                {
                    "bucket": "alb-logs",
                    "policy": json.dumps(
                        {
                            "Statement": [
                                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
                                {
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "*"},
                                    "Action": "s3:GetObject",
                                    "Resource": "*",
                                },
                            ]
                        }
                    ),
                },
            ),
            "; aws:s3/bucketPolicy:BucketPolicy 'policy' Statement[1] allows a wildcard principal without a Condition",
        ),
        (
            StackResource(POLICY, "policy", {"bucket": "alb-logs", "policy": "{not json"}),
            "; aws:s3/bucketPolicy:BucketPolicy 'policy' cannot be parsed (not valid JSON); it fails closed",
        ),
        *(
            (
                StackResource(
                    POLICY, "policy", {"bucket": "alb-logs", "policy": json.dumps({"Statement": [statement]})}
                ),
                None,
            )
            for statement in (
                # What a log bucket's policy holds: an Allow to the ELB log-delivery service, no wildcard.
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::alb-logs/*",
                },
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
                },
            )
        ),
    ],
)
def test_without_a_full_block_public_grants_are_named(extra: StackResource, fragment: str | None) -> None:
    ((message, _),) = public(stack(extra, block={**FULL_BLOCK, "restrictPublicBuckets": False}))
    assert "leaves restrictPublicBuckets off" in message
    if fragment:
        assert message.endswith(fragment)
    else:  # nothing that makes it public is named
        assert message.endswith("'alb-logs-pab' leaves restrictPublicBuckets off")
    # The fixed twin: a full block makes ACLs and policies unable to expose the bucket.
    assert public(stack(extra, block=FULL_BLOCK)) == []


def test_public_canned_acl_on_the_bucket_itself() -> None:
    resources = stack()
    resources[0] = StackResource(
        BUCKET, "alb-logs", {"id": "alb-logs", "bucket": "alb-logs", "acl": "public-read-write"}
    )
    ((message, _),) = public(resources)
    assert "public canned ACL 'public-read-write'" in message


def test_a_block_on_another_bucket_does_not_count() -> None:
    other = StackResource(BUCKET, "other", {"id": "other", "bucket": "other"})
    block = StackResource(PAB, "other-pab", {"bucket": "other", **FULL_BLOCK})
    assert len(public(stack(other, block))) == 1


def test_external_bucket_fails_closed_unless_allowed() -> None:
    resources = [StackResource(LB_TYPES[1], "alb", {"accessLogs": {**LOGS, "bucket": "someone-elses"}})]
    expected = [
        (
            "aws:alb/loadBalancer:LoadBalancer 'alb' logs to bucket 'someone-elses', which is not in this stack, "
            "so whether it is public cannot be checked",
            resources[0].urn,
        )
    ]
    assert public(resources) == expected
    # Configure may never be called: a missing setting reads as its default, which does not allow it.
    assert public(resources, {"allowExternalBuckets": None}) == expected
    assert public(resources, {"allowExternalBuckets": True}) == []


def test_logs_disabled_or_absent_is_not_this_rules_business() -> None:
    assert public([StackResource(LB_TYPES[0], "alb", {"accessLogs": {**LOGS, "enabled": False}})]) == []
    assert public([StackResource(LB_TYPES[0], "alb", {})]) == []


def test_every_load_balancer_is_checked_the_weak_one_last() -> None:
    good = [StackResource(LB_TYPES[0], "alb-without-logs", {}), *stack(block=FULL_BLOCK)]
    weak_bucket = StackResource(BUCKET, "weak", {"id": "weak", "bucket": "weak"})
    weak_lb = StackResource(LB_TYPES[1], "alb-2", {"accessLogs": {**LOGS, "bucket": "weak"}})
    ((message, urn),) = public([*good, weak_bucket, weak_lb])
    assert urn.endswith("::weak") and "alb-2" in message


def test_a_load_balancer_unknown_at_preview_does_not_hide_another_s_public_bucket() -> None:
    undecided = StackResource(LB_TYPES[0], "alb-0", {"accessLogs": {**LOGS, "enabled": UNKNOWN}})
    ((message, urn),) = public([undecided, *stack()])
    assert "has no aws:s3/bucketPublicAccessBlock" in message and urn.endswith("::alb-logs")
    with pytest.raises(UnknownValueError):  # and alone, it cannot be judged
        public([undecided, *stack(block=FULL_BLOCK)])


def test_two_load_balancers_of_one_name_logging_to_one_bucket_report_it_once() -> None:
    """Same type and name, two URNs (say, in two components): the one message about the bucket is said once."""
    resources = stack()
    twin = StackResource(LB_TYPES[0], "alb", {"accessLogs": LOGS, "idleTimeout": 30.0})
    twin.urn = "urn:pulumi:test::proj::my:component$aws:lb/loadBalancer:LoadBalancer::alb"
    ((message, urn),) = public([*resources, twin])
    assert "holds the access logs of aws:lb/loadBalancer:LoadBalancer 'alb'" in message and urn.endswith("::alb-logs")


def test_first_preview_resolves_the_bucket_through_property_dependencies() -> None:
    bucket = StackResource(BUCKET, "alb-logs", {"forceDestroy": False})
    lb = StackResource(
        LB_TYPES[0],
        "alb",
        {"accessLogs": {"bucket": UNKNOWN, "enabled": True}},
        property_dependencies={"accessLogs": [bucket.urn]},
    )
    block = StackResource(PAB, "pab", {"bucket": UNKNOWN, **FULL_BLOCK}, property_dependencies={"bucket": [bucket.urn]})
    assert public([bucket, lb, block]) == []
    assert len(public([bucket, lb])) == 1


def test_first_preview_unresolvable_bucket_cannot_run() -> None:
    lb = StackResource(LB_TYPES[0], "alb", {"accessLogs": {"bucket": UNKNOWN, "enabled": True}})
    with pytest.raises(UnknownValueError):
        public([lb])

"""References by ARN (``arns.py``): what a user is told when an ARN input is malformed, of the wrong service, in the
wrong partition or Region, and which ARNs pass: global services and global resources, and a certificate whose
Region another rule judges."""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules.arns import parse_arn, partition_of, values_at
from tests.offline.cloudrules.cases import ALARM, ASG, ATTACHMENT, BASE, CERT, LISTENER, LT, TG_ARN, WAF_ASSOCIATION
from tests.offline.cloudrules.world import errors, world

RULE = "arn-partition-and-region"


def _found(typ: str, changes: dict[str, Any], region: str = "us-east-1") -> list[tuple[str, str]]:
    account = world()
    account.region = region
    return [(e.property, e.message) for e in errors(typ, {**BASE[typ], **changes}, account=account) if e.rule == RULE]


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-east-1", "aws-us-gov"),
        ("us-isob-east-1", "aws-iso-b"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-iso-west-1", "aws-iso"),
        ("eu-west-1", "aws"),
        ("ap-southeast-5", "aws"),
    ],
)
def test_every_region_prefix_names_its_partition(region: str, partition: str) -> None:
    assert partition_of(region) == partition


def test_a_malformed_arn_is_told_the_arn_format_and_shown_cut_to_80_characters() -> None:
    assert _found(ATTACHMENT, {"policyArn": "ReadOnlyAccess"}) == [
        ("policyArn", '"ReadOnlyAccess" is not an ARN (arn:partition:service:region:account:resource)')
    ]
    long = "policy/" + "p" * 100
    assert _found(ATTACHMENT, {"policyArn": long}) == [
        ("policyArn", f'"{long[:80]}" is not an ARN (arn:partition:service:region:account:resource)')
    ]


@pytest.mark.parametrize("text", ["arn:aws::us-east-1:1:x", "arn:aws:iam::1:", "arn:aws:iam::1"])
def test_an_arn_without_a_service_or_a_resource_does_not_parse(text: str) -> None:
    assert parse_arn(text) is None


def test_an_arn_parses_into_its_six_parts() -> None:
    arn = parse_arn("arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/t/1")
    assert arn is not None
    assert (arn.partition, arn.service, arn.region, arn.account, arn.resource) == (
        "aws-cn",
        "elasticloadbalancing",
        "cn-north-1",
        "123456789012",
        "targetgroup/t/1",
    )


def test_an_arn_of_the_wrong_service_names_the_services_expected() -> None:
    assert _found(LISTENER, {"certificateArn": "arn:aws:s3:::bucket"}) == [
        ("certificateArn", "an ARN of s3, where acm or iam is expected")
    ]
    # Any service where the input takes any (an alarm action may be SNS, Auto Scaling, EC2, SSM ...).
    assert _found(ALARM, {"alarmActions": ["arn:aws:automate:us-east-1:ec2:stop"]}) == []


def test_an_arn_of_another_partition_names_both() -> None:
    assert _found(ATTACHMENT, {"policyArn": "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"}) == [
        ("policyArn", "partition aws-us-gov in us-east-1, whose partition is aws")
    ]
    assert _found(ATTACHMENT, {"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, region="cn-north-1") == [
        ("policyArn", "partition aws in cn-north-1, whose partition is aws-cn")
    ]


def test_a_global_service_arn_names_no_region() -> None:
    assert _found(ATTACHMENT, {"policyArn": "arn:aws:iam:eu-west-1:aws:policy/ReadOnlyAccess"}) == [
        ("policyArn", "iam ARNs name no Region, this one names eu-west-1")
    ]
    # Without a Region the stack's own does not matter for a global service.
    assert _found(ATTACHMENT, {"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, region="eu-west-1") == []


def test_a_regional_arn_of_another_region_names_both_regions() -> None:
    assert _found(ASG, {"targetGroupArns": [TG_ARN.replace("us-east-1", "eu-west-1")]}) == [
        ("targetGroupArns[0]", "refers to eu-west-1; the stack is in us-east-1")
    ]
    assert _found(ASG, {"targetGroupArns": [TG_ARN]}) == []


def test_a_global_resource_and_a_certificate_may_be_of_another_region() -> None:
    # A CloudFront-scope web ACL lives in us-east-1 under "global/": the path, not the Region, decides.
    acl = "arn:aws:wafv2:us-west-2:123456789012:global/webacl/edge/1"
    assert _found(WAF_ASSOCIATION, {"webAclArn": acl}) == []
    assert _found(WAF_ASSOCIATION, {"webAclArn": acl.replace("global/", "regional/")}) == [
        ("webAclArn", "refers to us-west-2; the stack is in us-east-1")
    ]
    # The listener's certificate Region is listener-certificate-region's to report, not this rule's.
    assert _found(LISTENER, {"certificateArn": CERT.replace("us-east-1", "eu-west-1")}) == []


def test_an_unknown_region_checks_only_the_format_and_the_service() -> None:
    assert _found(ATTACHMENT, {"policyArn": "arn:aws-cn:iam:cn-north-1:aws:policy/P"}, region="") == []
    assert _found(ATTACHMENT, {"policyArn": "arn:aws:s3:::b"}, region="") == [
        ("policyArn", "an ARN of s3, where iam is expected")
    ]


def test_input_paths_reach_lists_and_fields_of_lists() -> None:
    inputs = {
        "defaultActions": [
            {"targetGroupArn": "a", "forward": {"targetGroups": [{"arn": "b"}, {"arn": "c"}]}},
            {"forward": {"targetGroups": [{"weight": 1}]}},
        ],
        "targetGroupArns": ["d", "e"],
        "iamInstanceProfile": {"arn": "f"},
    }
    assert list(values_at(inputs, "defaultActions[].forward.targetGroups[].arn")) == [
        ("defaultActions[0].forward.targetGroups[0].arn", "b"),
        ("defaultActions[0].forward.targetGroups[1].arn", "c"),
    ]
    assert list(values_at(inputs, "defaultActions[].targetGroupArn")) == [("defaultActions[0].targetGroupArn", "a")]
    assert list(values_at(inputs, "targetGroupArns[]")) == [("targetGroupArns[0]", "d"), ("targetGroupArns[1]", "e")]
    assert list(values_at(inputs, "iamInstanceProfile.arn")) == [("iamInstanceProfile.arn", "f")]
    assert list(values_at(inputs, "missing")) == []


def test_an_arn_in_a_launch_template_profile_is_checked() -> None:
    assert _found(LT, {"iamInstanceProfile": {"arn": "profile"}}) == [
        ("iamInstanceProfile.arn", '"profile" is not an ARN (arn:partition:service:region:account:resource)')
    ]

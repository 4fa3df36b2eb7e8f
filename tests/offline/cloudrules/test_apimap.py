"""How a Pulumi input becomes the API's value before the AWS API model judges it (``apimap``): the
translations pulumi-aws applies on the wire, and the error code a refusal carries."""

from __future__ import annotations

from offline.cloudrules.apimap import (
    LB,
    SERVICE_CODES,
    ApiMapping,
    comma_joined,
    error_code,
    map_keys,
    map_values,
    upper,
)
from offline.wire import SECRET_SIG, SIG_KEY, UNKNOWN


def test_a_refusal_carries_the_services_code_unless_the_mapping_names_its_own() -> None:
    assert error_code(ApiMapping(LB, "type", "elbv2", "CreateLoadBalancer", "Type")) == "ValidationError"
    assert error_code(ApiMapping(LB, "x", "s3", "PutBucketEncryption", "X")) == "MalformedXML"
    assert error_code(ApiMapping(LB, "x", "ec2", "RunInstances", "X")) == SERVICE_CODES["ec2"]
    named = ApiMapping(LB, "type", "elbv2", "CreateLoadBalancer", "Type", code="InvalidConfigurationRequest")
    assert error_code(named) == "InvalidConfigurationRequest"


def test_elb_protocols_are_sent_upper_cased() -> None:
    assert upper("http") == "HTTP"
    assert upper(80.0) == 80.0


def test_an_auto_scaling_groups_subnets_travel_joined_by_commas_and_are_undecided_while_unknown() -> None:
    assert comma_joined(["subnet-a", "subnet-b"]) == "subnet-a,subnet-b"
    assert comma_joined(("subnet-a",)) == "subnet-a"
    # No subnets: the provider sends no VPCZoneIdentifier (group-capacity judges a group without subnets).
    assert comma_joined([]) is None
    assert comma_joined({SIG_KEY: SECRET_SIG, "value": ["subnet-a", "subnet-b"]}) == "subnet-a,subnet-b"
    assert comma_joined(["subnet-a", UNKNOWN]) is None
    assert comma_joined(UNKNOWN) is None
    assert comma_joined("subnet-a") is None


def test_cloudwatch_dimensions_become_one_entry_per_key_and_an_empty_map_none() -> None:
    dimensions = {"AutoScalingGroupName": "web", "Stage": "prod"}
    assert map_keys(dimensions) == ["AutoScalingGroupName", "Stage"]
    assert map_values(dimensions) == ["web", "prod"]
    assert map_keys('{"AutoScalingGroupName": "web"}') == ["AutoScalingGroupName"]
    assert map_keys({}) == [], "an empty map is sent as no dimensions"


def test_dimensions_that_are_not_a_map_are_undecided() -> None:
    for value in (UNKNOWN, None, "web", ["AutoScalingGroupName"]):
        assert map_keys(value) is None, value
        assert map_values(value) is None, value

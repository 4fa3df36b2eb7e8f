"""How a mapped input is read from the wire-shaped inputs and checked against the AWS API model (``apicheck``):
every value at a path (into objects and each element of a list), translated to the API's value, refused with
the member's kind of constraint, the service's error code and the model's shape as the source."""

from __future__ import annotations

from typing import Any

from offline.cloudrules.apicheck import claimed_findings, mapping_findings, values_at
from offline.cloudrules.apimap import LB, TARGET_GROUP, ApiMapping, comma_joined, map_keys, upper
from offline.cloudrules.botomodel import constraint
from offline.cloudrules.model import CloudResource, Finding
from offline.wire import SECRET_SIG, SIG_KEY, UNKNOWN

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def refused(entry: ApiMapping, inputs: dict[str, Any]) -> list[Finding]:
    return list(mapping_findings(CloudResource(urn="urn:x", type=entry.type, name="x", inputs=inputs), entry))


# --- reading the values at a path ---


def test_values_at_a_plain_path_follow_objects() -> None:
    inputs = {"healthCheck": {"interval": 10.0, "path": "/"}, "port": 80.0}
    assert list(values_at(inputs, "port")) == [("port", 80.0)]
    assert list(values_at(inputs, "healthCheck.interval")) == [("healthCheck.interval", 10.0)]
    assert list(values_at(inputs, "healthCheck.absent")) == []
    assert list(values_at(inputs, "absent.interval")) == []


def test_values_at_a_list_path_name_each_element_by_its_index() -> None:
    inputs = {"rules": [{"status": "Enabled"}, {"other": 1}, {"status": "x"}]}
    assert list(values_at(inputs, "rules[].status")) == [("rules[0].status", "Enabled"), ("rules[2].status", "x")]
    assert list(values_at(inputs, "rules")) == [("rules", inputs["rules"])]


def test_values_at_see_through_secrets_and_stop_at_unknown_values() -> None:
    secret = {"healthCheck": {SIG_KEY: SECRET_SIG, "value": {"path": "/secret"}}}
    assert list(values_at(secret, "healthCheck.path")) == [("healthCheck.path", "/secret")]
    assert list(values_at({"healthCheck": UNKNOWN}, "healthCheck.path")) == []
    assert list(values_at({"rules": UNKNOWN}, "rules[].status")) == []
    assert list(values_at({"port": UNKNOWN}, "port")) == []
    assert list(values_at({"port": None}, "port")) == []


# --- checking a mapped input ---


def test_a_refused_value_names_the_api_member_and_shape_with_the_services_code_and_the_models_source() -> None:
    entry = ApiMapping(TARGET_GROUP, "healthCheck.interval", "elbv2", "CreateTargetGroup", "HealthCheckIntervalSeconds")
    model = constraint("elbv2", "CreateTargetGroup", "HealthCheckIntervalSeconds")
    [finding] = refused(entry, {"healthCheck": {"interval": 1.0}})
    assert finding.property == "healthCheck.interval"
    assert finding.message == (
        f"1 is outside {model.min:g}-{model.max:g} (AWS API model: elbv2 CreateTargetGroup "
        f"HealthCheckIntervalSeconds, shape {model.shape})"
    )
    assert finding.code == "ValidationError"
    assert finding.source == model.source
    assert refused(entry, {"healthCheck": {"interval": float(model.min or 0)}}) == []


def test_a_mapping_with_its_own_code_refuses_with_it() -> None:
    entry = ApiMapping(
        LB, "loadBalancerType", "elbv2", "CreateLoadBalancer", "Type", code="InvalidConfigurationRequest"
    )
    [finding] = refused(entry, {"loadBalancerType": "bogus"})
    assert finding.code == "InvalidConfigurationRequest"
    assert "is not one of" in finding.message


def test_the_value_is_translated_to_the_apis_before_it_is_checked() -> None:
    entry = ApiMapping(TARGET_GROUP, "protocol", "elbv2", "CreateTargetGroup", "Protocol", translate=upper)
    assert refused(entry, {"protocol": "http"}) == []
    [finding] = refused(entry, {"protocol": "http3"})
    assert finding.message.startswith('"HTTP3" is not one of')


def test_a_translation_that_cannot_decide_checks_nothing() -> None:
    entry = ApiMapping(
        "aws:autoscaling/group:Group",
        "vpcZoneIdentifiers",
        "autoscaling",
        "CreateAutoScalingGroup",
        "VPCZoneIdentifier",
        translate=comma_joined,
    )
    model = constraint("autoscaling", "CreateAutoScalingGroup", "VPCZoneIdentifier")
    assert model.max is not None
    too_long = ["s" * int(model.max)] * 2
    assert [f.property for f in refused(entry, {"vpcZoneIdentifiers": too_long})] == ["vpcZoneIdentifiers"]
    assert refused(entry, {"vpcZoneIdentifiers": [*too_long, UNKNOWN]}) == []
    assert refused(entry, {"vpcZoneIdentifiers": UNKNOWN}) == []


def test_each_element_of_a_translated_list_is_checked_when_the_mapping_says_each() -> None:
    each = ApiMapping(
        ALARM, "dimensions", "cloudwatch", "PutMetricAlarm", "Dimensions[].Name", translate=map_keys, each=True
    )
    long_key = "k" * 256
    found = refused(each, {"dimensions": {"ok": "1", long_key: "2"}})
    assert [f.property for f in found] == ["dimensions"]
    assert found[0].message.startswith("256 characters;")
    assert refused(each, {"dimensions": {"ok": "1"}}) == []


def test_a_list_member_checks_its_count_and_each_element_by_index() -> None:
    entry = ApiMapping(ALARM, "alarmActions", "cloudwatch", "PutMetricAlarm", "AlarmActions")
    model = constraint("cloudwatch", "PutMetricAlarm", "AlarmActions")
    assert model.max is not None and model.element is not None and model.element.min == 1
    too_many = ["arn:aws:sns:us-east-1:123456789012:ops"] * (int(model.max) + 1)
    [count] = refused(entry, {"alarmActions": too_many})
    assert (count.property, count.message.split(";")[0]) == ("alarmActions", f"{len(too_many)} items")
    found = refused(entry, {"alarmActions": ["arn:aws:sns:us-east-1:123456789012:ops", "", ""]})
    assert [f.property for f in found] == ["alarmActions[1]", "alarmActions[2]"]
    assert found[0].message.startswith("0 characters;")
    assert f"shape {model.element.shape})" in found[0].message
    assert found[0].source == model.element.source
    secret_element = {SIG_KEY: SECRET_SIG, "value": ""}
    assert [f.property for f in refused(entry, {"alarmActions": ["x", secret_element]})] == ["alarmActions[1]"]


def test_values_in_lists_are_reported_at_their_index() -> None:
    entry = ApiMapping(
        LIFECYCLE, "rules[].status", "s3", "PutBucketLifecycleConfiguration", "LifecycleConfiguration.Rules[].Status"
    )
    found = refused(entry, {"rules": [{"status": "Enabled"}, {"status": "On"}]})
    assert [(f.property, f.code) for f in found] == [("rules[1].status", "MalformedXML")]


def test_unknown_absent_and_secret_unknown_values_decide_nothing() -> None:
    entry = ApiMapping(TARGET_GROUP, "port", "elbv2", "CreateTargetGroup", "Port")
    for inputs in ({}, {"port": None}, {"port": UNKNOWN}, {"port": {SIG_KEY: SECRET_SIG, "value": UNKNOWN}}):
        assert refused(entry, inputs) == []
    assert [f.property for f in refused(entry, {"port": {SIG_KEY: SECRET_SIG, "value": 0.0}})] == ["port"]


def test_a_hand_rule_applies_only_the_mappings_that_name_it_for_that_type() -> None:
    resource = CloudResource(
        urn="urn:x", type=TARGET_GROUP, name="x", inputs={"protocol": "HTTP3", "ipAddressType": "bogus"}
    )
    # protocol is claimed by target-group-settings; ipAddressType by no hand rule (the generic api-model-elbv2).
    assert [f.property for f in claimed_findings(TARGET_GROUP, "target-group-settings", resource)] == ["protocol"]
    assert claimed_findings(TARGET_GROUP, "target-group-health-timing", resource) == []
    assert claimed_findings(LB, "target-group-settings", resource) == []


def test_an_unknown_or_absent_element_is_not_checked_even_once_translated() -> None:
    # Upper-casing an unknown id would make a value no enumeration lists: it must be skipped first.
    entry = ApiMapping(TARGET_GROUP, "protocols[]", "elbv2", "CreateTargetGroup", "Protocol", translate=upper)
    assert refused(entry, {"protocols": ["http", UNKNOWN, None]}) == []
    assert [f.property for f in refused(entry, {"protocols": [UNKNOWN, "http3"]})] == ["protocols[1]"]


def test_an_undecided_translation_skips_only_that_value() -> None:
    entry = ApiMapping(
        "aws:autoscaling/group:Group",
        "zones[].subnets",
        "autoscaling",
        "CreateAutoScalingGroup",
        "VPCZoneIdentifier",
        translate=comma_joined,
    )
    model = constraint("autoscaling", "CreateAutoScalingGroup", "VPCZoneIdentifier")
    assert model.max is not None
    too_long = ["s" * int(model.max)] * 2
    found = refused(entry, {"zones": [{"subnets": ["subnet-a", UNKNOWN]}, {"subnets": too_long}]})
    assert [f.property for f in found] == ["zones[1].subnets"]

"""Hardening rules (advisory by default): each flags the weak resource and stays silent on its fixed twin."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from guardrails.network import alb_drop_invalid_headers, asg_elb_health_check, ebs_encryption, http_redirects_to_https
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, resource_violations, stack_violations
from tests.policies.network_fixtures import Spec, listener_arn, production_spec, tg_arn, to_stack, urn

INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
VOLUME = "aws:ebs/volume:Volume"
LB = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"


@pytest.mark.parametrize(
    "policy",
    [
        ebs_encryption.POLICY,
        alb_drop_invalid_headers.POLICY,
        http_redirects_to_https.POLICY,
        asg_elb_health_check.POLICY,
    ],
)
def test_hardening_is_advisory_by_default(policy: Any) -> None:
    assert policy.enforcement_level is EnforcementLevel.ADVISORY


# --- ebs-encryption -----------------------------------------------------------------------------------


def ebs(type_: str, props: dict[str, Any], config: dict | None = None) -> list[str]:
    return resource_violations(ebs_encryption.POLICY, type_, props, config)


def test_instance_unencrypted_root_and_fixed_twin() -> None:
    weak = {"rootBlockDevice": {"volumeSize": 8.0, "encrypted": False}}
    assert ebs(INSTANCE, weak) == ["rootBlockDevice.encrypted is false"]
    assert ebs(INSTANCE, {"rootBlockDevice": {"volumeSize": 8.0, "encrypted": True}}) == []


def test_instance_without_root_block_device_is_unset() -> None:
    assert ebs(INSTANCE, {"instanceType": "t3.micro"}) == [
        "rootBlockDevice is unset, so the root volume's encryption follows the AMI"
    ]
    assert ebs(INSTANCE, {"instanceType": "t3.micro"}, {"accountDefaultEncryption": True}) == []


def test_instance_data_volume_and_fixed_twin() -> None:
    props: dict[str, Any] = {"rootBlockDevice": {"encrypted": True}, "ebsBlockDevices": [{"deviceName": "/dev/sdf"}]}
    assert ebs(INSTANCE, props) == [
        "ebsBlockDevices[0].encrypted is unset (unencrypted unless the account encrypts by default)"
    ]
    props["ebsBlockDevices"][0]["encrypted"] = True
    assert ebs(INSTANCE, props) == []


def test_explicit_false_fails_even_with_account_default() -> None:
    assert ebs(INSTANCE, {"rootBlockDevice": {"encrypted": False}}, {"accountDefaultEncryption": True})


@pytest.mark.parametrize("value", ["false", "FALSE", False])
def test_launch_template_string_false_is_unencrypted(value: object) -> None:
    props = {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": value}}]}
    assert ebs(LT, props) == ["blockDeviceMappings[0].ebs.encrypted is false"]


@pytest.mark.parametrize("value", ["true", "True", True])
def test_launch_template_fixed_twin(value: object) -> None:
    assert ebs(LT, {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": value}}]}) == []


def test_launch_template_unreadable_and_missing() -> None:
    assert ebs(LT, {"blockDeviceMappings": [{"ebs": {"encrypted": "yes"}}]}) == [
        "blockDeviceMappings[0].ebs.encrypted is not a readable boolean"
    ]
    assert ebs(LT, {}) == ["blockDeviceMappings is unset, so volume encryption follows the AMI"]
    assert ebs(LT, {"blockDeviceMappings": [{"deviceName": "/dev/sdb", "virtualName": "ephemeral0"}]}) == []


def test_standalone_volume_and_fixed_twin() -> None:
    assert ebs(VOLUME, {"size": 10.0}) == [
        "volume.encrypted is unset (unencrypted unless the account encrypts by default)"
    ]
    assert ebs(VOLUME, {"size": 10.0, "encrypted": False}) == ["volume.encrypted is false"]
    assert ebs(VOLUME, {"size": 10.0, "encrypted": True}) == []


UNSET_EVERYWHERE = [
    (INSTANCE, {"rootBlockDevice": {"volumeSize": 8.0}, "ebsBlockDevices": [{"deviceName": "/dev/sdf"}]}),
    (LT, {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 8.0}}]}),
    (VOLUME, {"size": 10.0}),
]


@pytest.mark.parametrize(("type_", "props"), UNSET_EVERYWHERE, ids=["instance", "launch-template", "volume"])
def test_an_account_that_encrypts_by_default_lets_every_unset_volume_pass(type_: str, props: dict[str, Any]) -> None:
    assert ebs(type_, props)  # and without the setting, each is reported
    assert ebs(type_, props, {"accountDefaultEncryption": True}) == []


def test_every_unencrypted_volume_of_an_instance_is_named() -> None:
    props = {
        "rootBlockDevice": {"encrypted": False},
        "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": False}, {"deviceName": "/dev/sdg"}],
    }
    assert ebs(INSTANCE, props) == [
        "rootBlockDevice.encrypted is false",
        "ebsBlockDevices[0].encrypted is false",
        "ebsBlockDevices[1].encrypted is unset (unencrypted unless the account encrypts by default)",
    ]


def test_every_unencrypted_volume_of_a_template_is_named_past_an_instance_store_device() -> None:
    props = {
        "blockDeviceMappings": [
            {"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}},
            {"deviceName": "/dev/sdb", "virtualName": "ephemeral0"},
            {"deviceName": "/dev/sdf", "ebs": {"volumeSize": 100.0}},
        ]
    }
    assert ebs(LT, props) == [
        "blockDeviceMappings[0].ebs.encrypted is false",
        "blockDeviceMappings[2].ebs.encrypted is unset (unencrypted unless the account encrypts by default)",
    ]


def test_ebs_unknown_raises() -> None:
    with pytest.raises(UnknownValueError):
        ebs(LT, {"blockDeviceMappings": [{"ebs": {"encrypted": UNKNOWN}}]})


# --- alb-drop-invalid-headers -------------------------------------------------------------------------


@pytest.mark.parametrize("type_", [LB, ALB])
@pytest.mark.parametrize("kind", [None, "application", "APPLICATION"])
def test_alb_without_header_dropping_and_fixed_twin(type_: str, kind: str | None) -> None:
    props: dict[str, Any] = {"securityGroups": ["sg-0a"]}
    if kind:
        props["loadBalancerType"] = kind
    (message,) = resource_violations(alb_drop_invalid_headers.POLICY, type_, props)
    assert "dropInvalidHeaderFields is unset" in message
    props["dropInvalidHeaderFields"] = True
    assert resource_violations(alb_drop_invalid_headers.POLICY, type_, props) == []


def test_alb_explicit_false_and_text_true() -> None:
    assert resource_violations(alb_drop_invalid_headers.POLICY, LB, {"dropInvalidHeaderFields": False}) == [
        "application load balancer dropInvalidHeaderFields is not true"
    ]
    assert resource_violations(alb_drop_invalid_headers.POLICY, LB, {"dropInvalidHeaderFields": "true"}) == []


def test_network_load_balancer_is_out_of_scope() -> None:
    assert resource_violations(alb_drop_invalid_headers.POLICY, LB, {"loadBalancerType": "network"}) == []


def test_the_load_balancer_types_checked_are_configurable() -> None:
    config = {"loadBalancerTypes": ["network"]}
    assert resource_violations(alb_drop_invalid_headers.POLICY, LB, {"loadBalancerType": "network"}, config) == [
        "network load balancer dropInvalidHeaderFields is unset (AWS default false)"
    ]
    assert resource_violations(alb_drop_invalid_headers.POLICY, LB, {}, config) == []


# --- http-redirects-to-https --------------------------------------------------------------------------


def redirects(specs: dict[str, Spec], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(http_redirects_to_https.POLICY, to_stack(specs), config)


def forward_http(specs: dict[str, Spec]) -> dict[str, Spec]:
    specs["http"].props["defaultActions"] = [{"type": "forward", "targetGroupArn": tg_arn("app-tg")}]
    return specs


def test_http_forward_with_https_in_stack_and_fixed_twin() -> None:
    ((message, where),) = redirects(forward_http(production_spec()))
    assert message == (
        "HTTP aws:lb/listener:Listener 'http' defaultActions[0] is a forward action, not a redirect to HTTPS"
    )
    assert where == urn("aws:lb/listener:Listener", "http")
    assert redirects(production_spec()) == []


@pytest.mark.parametrize(
    ("redirect", "shown"),
    [
        ({"protocol": "HTTP", "statusCode": "HTTP_301"}, "HTTP"),
        ({"protocol": "http", "statusCode": "HTTP_301"}, "http"),
        ({"protocol": " HTTP ", "statusCode": "HTTP_301"}, "HTTP"),
        ({"protocol": "#{protocol}", "statusCode": "HTTP_301"}, "#{protocol}"),
        ({"statusCode": "HTTP_301"}, "#{protocol}"),
        ({"protocol": "HTTPX", "statusCode": "HTTP_301"}, "a protocol other than HTTPS"),
    ],
)
def test_redirect_that_is_not_to_https(redirect: dict[str, Any], shown: str) -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"] = [{"type": "redirect", "redirect": redirect}]
    ((message, _),) = redirects(specs)
    assert message.endswith(f"defaultActions[0] redirects to {shown}, not HTTPS")


def test_lowercase_https_redirect_passes() -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"][0]["redirect"]["protocol"] = "https"
    assert redirects(specs) == []


def test_no_certificate_and_no_https_listener_is_out_of_scope_unless_configured() -> None:
    specs = forward_http(production_spec())
    del specs["cert"]
    del specs["https"]
    assert redirects(specs) == []
    assert len(redirects(specs, {"requireWithoutCertificate": True})) == 1


@pytest.mark.parametrize(
    "certificate",
    [
        "aws:acm/certificate:Certificate",
        "aws:iam/serverCertificate:ServerCertificate",
        "aws:lb/listenerCertificate:ListenerCertificate",
    ],
)
def test_any_certificate_alone_triggers_the_rule(certificate: str) -> None:
    specs = forward_http(production_spec())
    del specs["https"]
    specs["cert"].type = certificate
    assert len(redirects(specs)) == 1
    del specs["cert"]
    assert redirects(specs) == []


def test_an_https_listener_alone_triggers_the_rule() -> None:
    specs = forward_http(production_spec())
    del specs["cert"]
    specs["https"].props["protocol"] = " https "
    assert len(redirects(specs)) == 1


@pytest.mark.parametrize("load_balancer_type", ["application", None])
def test_listener_without_protocol_on_alb_is_http(load_balancer_type: str | None) -> None:
    specs = forward_http(production_spec())
    del specs["http"].props["protocol"]
    if load_balancer_type is None:  # an unset loadBalancerType is an application load balancer
        del specs["alb"].props["loadBalancerType"]
    ((message, _),) = redirects(specs)
    assert message == (
        "HTTP aws:lb/listener:Listener 'http' defaultActions[0] is a forward action, not a redirect to HTTPS"
    )


@pytest.mark.parametrize("first_preview", [False, True])
def test_listener_without_protocol_on_a_network_load_balancer_is_not_http(first_preview: bool) -> None:
    specs = forward_http(production_spec())
    del specs["http"].props["protocol"]
    specs["alb"].props["loadBalancerType"] = "network"
    if first_preview:  # the load balancer's ARN is unknown; the listener names it through its dependency
        specs["alb"].props.update(id=UNKNOWN, arn=UNKNOWN)
        for listener in ("http", "https"):
            specs[listener].props["loadBalancerArn"] = UNKNOWN
    assert redirects(specs) == []


def test_listener_without_protocol_on_a_load_balancer_unknown_at_preview_and_not_a_dependency_cannot_be_judged() -> (
    None
):
    specs = forward_http(production_spec())
    del specs["http"].props["protocol"]
    specs["http"].props["loadBalancerArn"] = UNKNOWN
    specs["http"].deps["loadBalancerArn"] = []
    with pytest.raises(UnknownValueError) as raised:
        redirects(specs)
    assert raised.value.message.endswith("value at .loadBalancerArn can't be known during preview")


def test_a_listener_without_protocol_does_not_make_the_stack_serve_https() -> None:
    specs = forward_http(production_spec())
    del specs["cert"]
    del specs["https"]
    del specs["http"].props["protocol"]
    assert redirects(specs) == []
    assert len(redirects(specs, {"requireWithoutCertificate": True})) == 1


@pytest.mark.parametrize(
    ("action", "shown"),
    [
        ({"type": "fixed-response", "fixedResponse": {"statusCode": "404"}}, "a fixed-response action"),
        ({"type": "FORWARD", "targetGroupArn": tg_arn("app-tg")}, "a forward action"),
        ({"targetGroupArn": tg_arn("app-tg")}, "an unreadable action"),
        ({"type": 7.0}, "an unreadable action"),
        ({"type": "-"}, "an unreadable action"),
    ],
)
def test_an_action_that_is_not_a_redirect_is_named_by_its_type(action: dict[str, Any], shown: str) -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"] = [action]
    assert redirects(specs) == [
        (
            f"HTTP aws:lb/listener:Listener 'http' defaultActions[0] is {shown}, not a redirect to HTTPS",
            urn("aws:lb/listener:Listener", "http"),
        )
    ]


@pytest.mark.parametrize("first_preview", [False, True])
def test_listener_rule_forwarding_over_http_undoes_the_redirect(first_preview: bool) -> None:
    specs = production_spec()
    specs["admin"] = Spec(
        "aws:alb/listenerRule:ListenerRule",
        {
            "id": "r",
            "arn": "r",
            "listenerArn": listener_arn("http"),
            "priority": 1.0,
            "actions": [{"type": "forward", "targetGroupArn": tg_arn("app-tg")}],
        },
        {"listenerArn": ["http"]},
    )
    if first_preview:  # the listener is new: the rule names it through its dependency
        specs["http"].props.update(id=UNKNOWN, arn=UNKNOWN)
        specs["admin"].props["listenerArn"] = UNKNOWN
    ((message, where),) = redirects(specs)
    assert message == (
        "aws:alb/listenerRule:ListenerRule 'admin' on HTTP aws:lb/listener:Listener 'http' actions[0] is a forward "
        "action, not a redirect to HTTPS"
    )
    assert where == urn("aws:alb/listenerRule:ListenerRule", "admin")


def test_every_action_that_is_not_a_redirect_to_https_is_named() -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"] = [
        {"type": "forward", "targetGroupArn": tg_arn("app-tg")},
        {"type": "redirect", "redirect": {"protocol": "HTTP"}},
    ]
    assert [message.split("'http' ")[1] for message, _ in redirects(specs)] == [
        "defaultActions[0] is a forward action, not a redirect to HTTPS",
        "defaultActions[1] redirects to HTTP, not HTTPS",
    ]


def test_empty_default_actions_violate() -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"] = []
    ((message, _),) = redirects(specs)
    assert message.endswith("defaultActions has no redirect to HTTPS")


@pytest.mark.parametrize("kind", ["authenticate-oidc", "authenticate-cognito", " Authenticate-Cognito "])
def test_authenticate_then_redirect_passes(kind: str) -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"].insert(0, {"type": kind, "order": 1.0})
    assert redirects(specs) == []


def test_authenticate_alone_is_no_redirect() -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"] = [{"type": "authenticate-cognito", "order": 1.0}]
    ((message, _),) = redirects(specs)
    assert message == "HTTP aws:lb/listener:Listener 'http' defaultActions has no redirect to HTTPS"


def test_a_listener_rule_on_the_https_listener_is_not_this_rule_s_business() -> None:
    specs = production_spec()
    specs["api"] = Spec(
        "aws:lb/listenerRule:ListenerRule",
        {
            "id": "r",
            "arn": "r",
            "listenerArn": listener_arn("https"),
            "actions": [{"type": "forward", "targetGroupArn": tg_arn("app-tg")}],
        },
        {"listenerArn": ["https"]},
    )
    assert redirects(specs) == []


def test_a_listener_without_protocol_on_a_load_balancer_outside_the_stack_is_http() -> None:
    specs = forward_http(production_spec())
    del specs["http"].props["protocol"]
    specs["http"].props["loadBalancerArn"] = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/x/1"
    specs["http"].deps["loadBalancerArn"] = []
    assert len(redirects(specs)) == 1


def test_redirect_unknown_raises() -> None:
    specs = production_spec()
    specs["http"].props["defaultActions"][0]["redirect"]["protocol"] = UNKNOWN
    with pytest.raises(UnknownValueError):
        redirects(specs)


# --- asg-elb-health-check -----------------------------------------------------------------------------


def health(specs: dict[str, Spec], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(asg_elb_health_check.POLICY, to_stack(specs), config)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "unset (AWS default EC2)"), ("EC2", "EC2"), ("ec2", "EC2"), (" Ec2 ", "EC2"), ("elbx", "not ELB")],
)
def test_asg_with_target_groups_needs_elb_health_check(value: str | None, shown: str) -> None:
    specs = production_spec()
    if value is None:
        del specs["app-asg"].props["healthCheckType"]
    else:
        specs["app-asg"].props["healthCheckType"] = value
    ((message, where),) = health(specs)
    assert message == (
        f"aws:autoscaling/group:Group 'app-asg' is behind a load balancer but healthCheckType is {shown}"
    )
    assert where == urn("aws:autoscaling/group:Group", "app-asg")


@pytest.mark.parametrize("value", ["ELB", "elb"])
def test_asg_health_check_fixed_twin(value: str) -> None:
    specs = production_spec()
    specs["app-asg"].props["healthCheckType"] = value
    assert health(specs) == []


def test_asg_without_load_balancer_is_out_of_scope() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].props["healthCheckType"] = "EC2"
    assert health(specs) == []


def test_classic_only_is_configurable() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].props["loadBalancers"] = ["classic"]
    specs["app-asg"].props["healthCheckType"] = "EC2"
    assert len(health(specs)) == 1
    assert health(specs, {"includeClassicLoadBalancers": False}) == []
    # Configure may never be called: a missing setting reads as its default, so the group is checked.
    ((message, _),) = health(specs, {"includeClassicLoadBalancers": None})
    assert message.endswith("'app-asg' is behind a load balancer but healthCheckType is EC2")


@pytest.mark.parametrize(
    "target_groups",
    [
        pytest.param(None, id="a target group of the stack"),
        pytest.param(["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other/1"], id="outside"),
        pytest.param([UNKNOWN], id="unknown-during-preview"),
    ],
)
def test_a_group_with_target_groups_is_checked_even_when_classic_ones_are_not(target_groups: list | None) -> None:
    specs = production_spec()
    specs["app-asg"].props["healthCheckType"] = "EC2"
    if target_groups is not None:
        specs["app-asg"].props["targetGroupArns"] = target_groups
        specs["app-asg"].deps.pop("targetGroupArns")
    ((message, where),) = health(specs, {"includeClassicLoadBalancers": False})
    assert message.endswith("'app-asg' is behind a load balancer but healthCheckType is EC2")
    assert where == urn("aws:autoscaling/group:Group", "app-asg")


def test_a_group_out_of_scope_does_not_end_the_check_of_the_groups_after_it() -> None:
    specs = production_spec()
    lone = copy.deepcopy(specs["app-asg"])
    lone.props.pop("targetGroupArns")
    lone.deps.pop("targetGroupArns")
    lone.props["healthCheckType"] = "EC2"
    specs = {"lone-asg": lone} | specs
    specs["app-asg"].props["healthCheckType"] = "EC2"
    assert health(specs) == [
        (
            "aws:autoscaling/group:Group 'app-asg' is behind a load balancer but healthCheckType is EC2",
            urn("aws:autoscaling/group:Group", "app-asg"),
        )
    ]

"""instance-sg-admits-only-load-balancer: only the ALB's group may reach instances behind it."""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.network.instance_sg import POLICY
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, stack_violations
from tests.policies.network_fixtures import (
    Spec,
    from_group,
    lb_arn,
    listener_arn,
    production_spec,
    security_group,
    tg_arn,
    to_stack,
    urn,
)

SG = "aws:ec2/securityGroup:SecurityGroup"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ASG = "aws:autoscaling/group:Group"


def run(specs: dict[str, Spec], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(POLICY, to_stack(specs), config)


def messages(specs: dict[str, Spec], config: dict | None = None) -> list[str]:
    return [m for m, _ in run(specs, config)]


def test_production_path_passes() -> None:
    assert run(production_spec()) == []


def test_not_behind_load_balancer_is_out_of_scope() -> None:
    specs = production_spec()
    specs["app-sg"].props["ingress"].append(
        {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}
    )
    specs["app-asg"].props.pop("targetGroupArns")
    assert run(specs) == []


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({"cidrBlocks": ["10.0.0.0/16"]}, "10.0.0.0/16 (cidrBlocks[0])"),
        ({"cidrBlocks": ["203.0.113.7/32"]}, "203.0.113.7/32 (cidrBlocks[0])"),
        ({"ipv6CidrBlocks": ["::/0"]}, "::/0 (ipv6CidrBlocks[0])"),
        ({"prefixListIds": ["pl-0abc"]}, "prefix list pl-0abc (prefixListIds[0])"),
        ({"securityGroups": ["sg-0other"]}, "security group sg-0other (securityGroups[0])"),
        ({"self": True}, "the group itself (self)"),
    ],
)
def test_inline_sources_other_than_the_alb_group_violate(extra: dict[str, Any], shown: str) -> None:
    specs = production_spec()
    rule = {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "self": False, **extra}
    specs["app-sg"].props["ingress"].append(rule)
    ((message, where),) = run(specs)
    assert message == (
        f"aws:ec2/securityGroup:SecurityGroup 'app-sg' (instances of aws:autoscaling/group:Group 'app-asg') "
        f"ingress[1] tcp 22-22 admits {shown}; only the load balancer's security group may be a source"
    )
    assert where == urn(SG, "app-sg")


def test_alb_group_next_to_a_cidr_in_one_rule_still_violates() -> None:
    specs = production_spec()
    specs["app-sg"].props["ingress"][0]["cidrBlocks"] = ["10.0.0.0/8"]
    ((message, _),) = run(specs)
    assert "10.0.0.0/8" in message and "sg-0alb-sg" not in message


def test_other_group_in_stack_violates_even_when_dependency_recorded() -> None:
    specs = production_spec()
    specs["bastion-sg"] = security_group("bastion-sg", [])
    specs["app-sg"].props["ingress"].append(from_group("bastion-sg", 22.0))
    specs["app-sg"].deps["ingress"] = ["alb-sg", "bastion-sg"]
    ((message, _),) = run(specs)
    assert "security group sg-0bastion-sg" in message


def test_external_group_is_not_paired_with_the_alb_dependency() -> None:
    """A recorded dependency whose id is known never stands in for a different id."""
    specs = production_spec()
    specs["app-sg"].props["ingress"].append(from_group("external"))
    ((message, _),) = run(specs)
    assert "security group sg-0external" in message


def test_alb_group_by_name_is_accepted() -> None:
    specs = production_spec()
    specs["app-sg"].props["ingress"][0]["securityGroups"] = ["alb-sg-7c1e2f"]
    assert run(specs) == []


def test_standalone_security_group_rule_targeting_instance_group() -> None:
    specs = production_spec()
    specs["ssh"] = Spec(
        RULE,
        {
            "id": "sgrule-1",
            "type": "ingress",
            "securityGroupId": "sg-0app-sg",
            "protocol": "tcp",
            "fromPort": 22.0,
            "toPort": 22.0,
            "cidrBlocks": ["203.0.113.7/32"],
        },
        {"securityGroupId": ["app-sg"]},
    )
    ((message, where),) = run(specs)
    assert "aws:ec2/securityGroupRule:SecurityGroupRule 'ssh' rule tcp 22-22 admits 203.0.113.7/32" in message
    assert where == urn(RULE, "ssh")


def test_standalone_rule_from_alb_group_passes() -> None:
    specs = production_spec()
    specs["app-sg"].props["ingress"] = []
    specs["from-alb"] = Spec(
        VPC_RULE,
        {
            "id": "sgr-1",
            "securityGroupId": "sg-0app-sg",
            "ipProtocol": "tcp",
            "fromPort": 8080.0,
            "toPort": 8080.0,
            "referencedSecurityGroupId": "sg-0alb-sg",
        },
        {"securityGroupId": ["app-sg"], "referencedSecurityGroupId": ["alb-sg"]},
    )
    assert run(specs) == []


def test_vpc_rule_from_cidr_targeting_instance_group_violates() -> None:
    specs = production_spec()
    specs["wide"] = Spec(
        VPC_RULE,
        {"id": "sgr-2", "securityGroupId": "sg-0app-sg", "ipProtocol": "-1", "cidrIpv4": "10.0.0.0/8"},
        {"securityGroupId": ["app-sg"]},
    )
    ((message, where),) = run(specs)
    assert "rule all protocols admits 10.0.0.0/8 (cidrIpv4)" in message
    assert where == urn(VPC_RULE, "wide")


def test_rule_targeting_another_group_is_ignored() -> None:
    specs = production_spec()
    specs["wide"] = Spec(
        VPC_RULE,
        {
            "id": "sgr-2",
            "securityGroupId": "sg-0alb-sg",
            "ipProtocol": "tcp",
            "fromPort": 443.0,
            "toPort": 443.0,
            "cidrIpv4": "0.0.0.0/0",
        },
        {"securityGroupId": ["alb-sg"]},
    )
    assert run(specs) == []


def test_vpc_security_group_ids_and_second_group_are_checked() -> None:
    specs = production_spec()
    specs["extra-sg"] = security_group(
        "extra-sg", [{"protocol": "tcp", "fromPort": 80.0, "toPort": 80.0, "cidrBlocks": ["0.0.0.0/0"]}]
    )
    specs["app-lt"].props["vpcSecurityGroupIds"] = ["sg-0extra-sg"]
    specs["app-lt"].deps["vpcSecurityGroupIds"] = ["extra-sg"]
    ((message, _),) = run(specs)
    assert "'extra-sg'" in message and "0.0.0.0/0" in message


def test_launch_template_by_name_and_mixed_instances_override() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("launchTemplate")
    specs["app-asg"].deps.pop("launchTemplate")
    specs["other-lt"] = Spec(
        "aws:ec2/launchTemplate:LaunchTemplate",
        {"id": "lt-0other", "name": "other-lt", "vpcSecurityGroupIds": ["sg-0open"]},
    )
    specs["open"] = security_group(
        "open", [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}]
    )
    specs["app-asg"].props["mixedInstancesPolicy"] = {
        "launchTemplate": {
            "launchTemplateSpecification": {"launchTemplateName": "app-lt-3e9f"},
            "overrides": [
                {"instanceType": "t3.small", "launchTemplateSpecification": {"launchTemplateId": "lt-0other"}}
            ],
        }
    }
    ((message, _),) = run(specs)
    assert "'open'" in message and "all protocols admits 0.0.0.0/0" in message


def test_launch_template_outside_stack_fails_closed() -> None:
    specs = production_spec()
    specs["app-asg"].props["launchTemplate"] = {"id": "lt-0elsewhere"}
    specs["app-asg"].deps["launchTemplate"] = []
    ((message, where),) = run(specs)
    assert "launch template/configuration 'lt-0elsewhere' is not in this stack" in message
    assert where == urn(ASG, "app-asg")
    assert run(specs, {"failOnUnresolved": False}) == []


def test_template_without_groups_gets_the_default_group() -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0].pop("securityGroups")
    ((message, _),) = run(specs)
    assert "names no security group" in message


def test_group_outside_stack_fails_closed() -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0]["securityGroups"].append("sg-0elsewhere")
    ((message, _),) = run(specs)
    assert "security group 'sg-0elsewhere' used by" in message


def test_no_listener_for_target_group_fails_closed() -> None:
    specs = production_spec()
    del specs["https"]
    messages_ = messages(specs)
    assert any("no load balancer in this stack forwards to" in m for m in messages_)


def test_load_balancer_without_security_groups_fails_closed() -> None:
    specs = production_spec()
    specs["alb"].props["securityGroups"] = []
    messages_ = messages(specs)
    assert any("has no securityGroups" in m for m in messages_)
    assert any("security group sg-0alb-sg" in m for m in messages_)  # no longer the LB's group


def test_listener_rule_forwarding_identifies_the_load_balancer() -> None:
    specs = production_spec()
    specs["https"].props["defaultActions"] = [
        {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "statusCode": "404"}}
    ]
    specs["https"].deps["defaultActions"] = []
    specs["route"] = Spec(
        "aws:lb/listenerRule:ListenerRule",
        {
            "id": "r",
            "arn": "r",
            "listenerArn": listener_arn("https"),
            "actions": [{"type": "forward", "forward": {"targetGroups": [{"arn": tg_arn("app-tg"), "weight": 1.0}]}}],
        },
        {"listenerArn": ["https"], "actions": ["app-tg"]},
    )
    assert run(specs) == []


def test_alb_alias_tokens_are_read() -> None:
    specs = production_spec()
    specs["alb"].type = "aws:alb/loadBalancer:LoadBalancer"
    specs["https"].type = "aws:alb/listener:Listener"
    specs["app-tg"].type = "aws:alb/targetGroup:TargetGroup"
    assert run(specs) == []
    specs["app-sg"].props["ingress"].append({"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "self": True})
    assert len(run(specs)) == 1


def test_classic_load_balancer_groups_are_the_allowed_source() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].props["loadBalancers"] = ["classic"]
    specs["elb-sg"] = security_group("elb-sg", [])
    specs["classic"] = Spec(
        "aws:elb/loadBalancer:LoadBalancer",
        {"id": "classic", "arn": "arn:classic", "name": "classic", "securityGroups": ["sg-0elb-sg"]},
        {"securityGroups": ["elb-sg"]},
    )
    specs["app-sg"].props["ingress"] = [from_group("elb-sg")]
    assert run(specs) == []
    specs["app-sg"].props["ingress"] = [from_group("alb-sg")]
    assert len(run(specs)) == 1


def test_shared_group_is_reported_for_each_asg_using_it() -> None:
    specs = production_spec()
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}
    )
    twin = Spec(
        specs["app-asg"].type, dict(specs["app-asg"].props, name="twin", id="twin"), dict(specs["app-asg"].deps)
    )
    specs["twin"] = twin
    assert len(run(specs)) == 2  # one per ASG: the message names the group it is about


def test_lb_id_matching_is_by_arn() -> None:
    specs = production_spec()
    specs["https"].props["loadBalancerArn"] = lb_arn("someone-else")
    specs["https"].deps["loadBalancerArn"] = []
    assert any("is not in this stack" in m for m in messages(specs))


def test_unknown_group_ids_raise() -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0]["securityGroups"] = [UNKNOWN]
    with pytest.raises(UnknownValueError):
        run(specs)


@pytest.mark.parametrize("value", [None, 5.0, "sg-0app-sg", {"x": 1}, [None]])
def test_malformed_template_groups_never_raise(value: object) -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0]["securityGroups"] = value
    run(specs)  # any verdict, never a traceback


def test_unknown_protocol_on_a_bad_rule_still_reports_the_source() -> None:
    specs = production_spec()
    specs["wide"] = Spec(
        VPC_RULE,
        {"id": "sgr-2", "securityGroupId": "sg-0app-sg", "ipProtocol": UNKNOWN, "cidrIpv4": "10.0.0.0/8"},
        {"securityGroupId": ["app-sg"]},
    )
    ((message, _),) = run(specs)
    assert "rule (protocol or ports unknown during preview) admits 10.0.0.0/8 (cidrIpv4)" in message


def test_unknown_source_on_a_rule_for_another_group_does_not_block_the_check() -> None:
    specs = production_spec()
    specs["alb-wide"] = Spec(
        VPC_RULE,
        {"id": "sgr-3", "securityGroupId": "sg-0alb-sg", "ipProtocol": "tcp", "cidrIpv4": UNKNOWN},
        {"securityGroupId": ["alb-sg"]},
    )
    specs["wide"] = Spec(
        VPC_RULE,
        {"id": "sgr-2", "securityGroupId": "sg-0app-sg", "ipProtocol": "-1", "cidrIpv4": "10.0.0.0/8"},
        {"securityGroupId": ["app-sg"]},
    )
    assert ["10.0.0.0/8" in message for message in messages(specs)] == [True]


def test_unknown_source_on_a_rule_for_the_instance_group_raises() -> None:
    specs = production_spec()
    specs["wide"] = Spec(
        VPC_RULE,
        {"id": "sgr-2", "securityGroupId": "sg-0app-sg", "ipProtocol": "tcp", "cidrIpv4": UNKNOWN},
        {"securityGroupId": ["app-sg"]},
    )
    with pytest.raises(UnknownValueError):
        run(specs)


def test_instance_group_open_to_the_world_after_an_asg_without_a_load_balancer_is_reported() -> None:
    specs = production_spec()
    lonely = Spec(ASG, dict(specs["app-asg"].props, name="lonely", id="lonely"), {})
    lonely.props.pop("targetGroupArns")
    specs = {"lonely": lonely, **specs}
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 8080.0, "toPort": 8080.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    ((message, where),) = run(specs)
    assert message.startswith(
        "aws:ec2/securityGroup:SecurityGroup 'app-sg' (instances of aws:autoscaling/group:Group 'app-asg') "
        "ingress[1] tcp 8080-8080 admits 0.0.0.0/0 (cidrBlocks[0])"
    )
    assert where == urn(SG, "app-sg")


ASG_IS = "aws:autoscaling/group:Group 'app-asg' is behind a load balancer but "


def _target_group_elsewhere(specs: dict[str, Spec]) -> None:
    specs["app-asg"].props["targetGroupArns"] = [tg_arn("app-tg"), "arn:tg:elsewhere"]


def _no_listener(specs: dict[str, Spec]) -> None:
    del specs["https"]


def _load_balancer_elsewhere(specs: dict[str, Spec]) -> None:
    specs["https"].props["loadBalancerArn"] = "arn:lb:elsewhere"
    specs["https"].deps["loadBalancerArn"] = []


def _classic_elsewhere(specs: dict[str, Spec]) -> None:
    specs["app-asg"].props["loadBalancers"] = ["classic-x"]


def _no_lb_groups(specs: dict[str, Spec]) -> None:
    specs["alb"].props["securityGroups"] = []


def _no_launch_template(specs: dict[str, Spec]) -> None:
    specs["app-asg"].props.pop("launchTemplate")


def _template_without_groups(specs: dict[str, Spec]) -> None:
    specs["app-lt"].props["networkInterfaces"][0].pop("securityGroups")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_target_group_elsewhere, "target group 'arn:tg:elsewhere' is not in this stack"),
        (_no_listener, "no load balancer in this stack forwards to aws:lb/targetGroup:TargetGroup 'app-tg'"),
        (_load_balancer_elsewhere, "load balancer 'arn:lb:elsewhere' is not in this stack"),
        (_classic_elsewhere, "classic load balancer 'classic-x' is not in this stack"),
        (
            _no_lb_groups,
            "aws:lb/loadBalancer:LoadBalancer 'alb' has no securityGroups, so no group can be the only source",
        ),
        (_no_launch_template, "it names no launch template or launch configuration"),
        (
            _template_without_groups,
            "aws:ec2/launchTemplate:LaunchTemplate 'app-lt' names no security group, "
            "so instances get the VPC default group",
        ),
    ],
)
def test_what_cannot_be_followed_is_reported_on_the_asg_word_for_word(change: Any, problem: str) -> None:
    specs = production_spec()
    change(specs)
    found = run(specs)
    assert (ASG_IS + problem, urn(ASG, "app-asg")) in found
    assert all(where == urn(ASG, "app-asg") for message, where in found if message.startswith(ASG_IS))
    assert not [m for m, _ in run(specs, {"failOnUnresolved": False}) if m.startswith(ASG_IS)]


def test_every_bad_source_of_one_permission_is_named_in_order() -> None:
    specs = production_spec()
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0", "10.0.0.0/8"], "self": False}
    )
    ((message, _),) = run(specs)
    assert message == (
        "aws:ec2/securityGroup:SecurityGroup 'app-sg' (instances of aws:autoscaling/group:Group 'app-asg') "
        "ingress[1] tcp 22-22 admits 0.0.0.0/0 (cidrBlocks[0]); 10.0.0.0/8 (cidrBlocks[1]); "
        "only the load balancer's security group may be a source"
    )


def _first_preview_ids(specs: dict[str, Spec]) -> None:
    """The load balancer's and the instances' group ids unknown, as a first preview sends them."""
    specs["alb"].props["securityGroups"] = [UNKNOWN]
    specs["alb-sg"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
    specs["app-sg"].props["ingress"][0]["securityGroups"] = [UNKNOWN]


def test_at_first_preview_the_load_balancer_group_is_matched_through_dependencies() -> None:
    specs = production_spec()
    _first_preview_ids(specs)
    assert run(specs) == []


def test_at_first_preview_another_group_is_not_taken_for_the_load_balancer_group() -> None:
    specs = production_spec()
    _first_preview_ids(specs)
    specs["other-sg"] = security_group("other-sg", [])
    specs["other-sg"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
    specs["app-sg"].deps["ingress"] = ["other-sg"]
    ((message, where),) = run(specs)
    assert "admits security group <unknown during preview> (securityGroups[0])" in message
    assert where == urn(SG, "app-sg")


@pytest.mark.parametrize(
    ("rule_type", "key"), [(RULE, "sourceSecurityGroupId"), (VPC_RULE, "referencedSecurityGroupId")]
)
def test_at_first_preview_a_standalone_rule_from_the_load_balancer_group_is_matched_by_its_field(
    rule_type: str, key: str
) -> None:
    specs = production_spec()
    _first_preview_ids(specs)
    protocol = {"protocol": "tcp"} if rule_type == RULE else {"ipProtocol": "tcp"}
    extra = {"type": "ingress"} if rule_type == RULE else {}
    specs["from-alb"] = Spec(
        rule_type,
        {
            "id": "sgr-9",
            "securityGroupId": "sg-0app-sg",
            **protocol,
            **extra,
            "fromPort": 8080.0,
            "toPort": 8080.0,
            key: UNKNOWN,
        },
        {"securityGroupId": ["app-sg"], key: ["alb-sg"]},
    )
    assert run(specs) == []
    specs["from-alb"].deps[key] = []
    with pytest.raises(UnknownValueError):
        run(specs)


def _second_alb_group(specs: dict[str, Spec]) -> None:
    specs["alb-two"] = security_group("alb-two", [])
    specs["alb"].props["securityGroups"] = ["sg-0alb-sg", "sg-0alb-two"]
    specs["alb"].deps["securityGroups"] = ["alb-sg", "alb-two"]


def test_every_load_balancer_group_is_an_allowed_source_by_id_or_by_name() -> None:
    specs = production_spec()
    _second_alb_group(specs)
    by_name = [dict(from_group("alb-sg"), securityGroups=["alb-sg-7c1e2f"])]
    by_name.append(dict(from_group("alb-two"), securityGroups=["alb-two-7c1e2f"]))
    specs["app-sg"].props["ingress"] = [*by_name, from_group("alb-two")]
    specs["app-sg"].deps["ingress"] = []
    assert run(specs) == []


def test_a_load_balancer_group_outside_the_stack_is_allowed_only_as_the_load_balancer_names_it() -> None:
    specs = production_spec()
    specs["alb"].props["securityGroups"] = ["sg-0external"]
    specs["alb"].deps["securityGroups"] = []
    specs["app-sg"].props["ingress"] = [from_group("external")]
    specs["app-sg"].deps["ingress"] = []
    assert run(specs) == []
    specs["app-sg"].props["ingress"] = [from_group("elsewhere")]
    ((message, _),) = run(specs)
    assert "admits security group sg-0elsewhere (securityGroups[0])" in message


def test_two_groups_of_the_same_name_report_one_violation_once() -> None:
    specs = production_spec()
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    twin = Spec(specs["app-asg"].type, dict(specs["app-asg"].props), dict(specs["app-asg"].deps))
    resources = to_stack({**specs})
    twin_resource = to_stack({"app-asg": twin})[0]
    twin_resource.urn = "urn:pulumi:prod::foundations::aws:autoscaling/group:Group::app-asg-in-another-region"
    found = stack_violations(POLICY, [*resources, twin_resource])
    assert len(found) == 1  # the same message about the same group: reported once

"""Who sends traffic to an Auto Scaling group, and which groups its instances get, as the stack rules read it.

`topology` is shared by the stack rules; these tests drive it through them: the ways a load balancer is
linked to a group (each also at a first preview, where ids are unknown and only `propertyDependencies` tell
which resource a reference names), and the ways a launch template names its security groups.
"""

from __future__ import annotations

import pytest
from guardrails.network import asg_elb_health_check, instance_sg
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, stack_violations
from tests.policies.network_fixtures import Spec, from_group, production_spec, security_group, to_stack, urn

ASG = "aws:autoscaling/group:Group"
SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
VPC_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
CLASSIC = "aws:elb/loadBalancer:LoadBalancer"
ONLY_LB = "only the load balancer's security group may be a source"


def instance_groups(specs: dict[str, Spec]) -> list[tuple[str, str | None]]:
    return stack_violations(instance_sg.POLICY, to_stack(specs))


def health(specs: dict[str, Spec], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(asg_elb_health_check.POLICY, to_stack(specs), config)


# --- classic load balancers: every way of naming one -------------------------------------------------------


def _classic(specs: dict[str, Spec], how: str) -> None:
    """The group sits behind only a classic load balancer, linked as ``how`` says; its group is elb-sg."""
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].deps.pop("targetGroupArns")
    specs["elb-sg"] = security_group("elb-sg", [])
    specs["classic"] = Spec(
        CLASSIC,
        {"id": "classic", "arn": "arn:classic", "name": "classic", "securityGroups": ["sg-0elb-sg"]},
        {"securityGroups": ["elb-sg"]},
    )
    if how == "loadBalancers":
        specs["app-asg"].props["loadBalancers"] = ["classic"]
    elif how == "attachment":
        specs["attach"] = Spec(
            "aws:autoscaling/attachment:Attachment",
            {"id": "a", "autoscalingGroupName": "app-asg-9d2c", "elb": "classic"},
            {"autoscalingGroupName": ["app-asg"], "elb": ["classic"]},
        )
    elif how == "traffic source of type elb":
        specs["app-asg"].props["trafficSources"] = [{"identifier": "classic", "type": "elb"}]
    elif how == "traffic source without a type":  # AWS: the type may be left out when the name is a classic one
        specs["app-asg"].props["trafficSources"] = [{"identifier": "classic"}]
    else:
        assert how == "traffic source attachment of type elb"
        specs["attach"] = Spec(
            "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
            {
                "id": "a",
                "autoscalingGroupName": "app-asg-9d2c",
                "trafficSource": {"identifier": "classic", "type": "elb"},
            },
            {"autoscalingGroupName": ["app-asg"], "trafficSource": ["classic"]},
        )


CLASSIC_LINKS = [
    "loadBalancers",
    "attachment",
    "traffic source of type elb",
    "traffic source without a type",
    "traffic source attachment of type elb",
]


@pytest.mark.parametrize("how", CLASSIC_LINKS)
def test_a_classic_load_balancer_s_group_is_the_one_allowed_source_however_it_is_linked(how: str) -> None:
    specs = production_spec()
    _classic(specs, how)
    specs["app-sg"].props["ingress"] = [from_group("elb-sg")]
    specs["app-sg"].deps["ingress"] = ["elb-sg"]
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"] = [from_group("alb-sg")]
    specs["app-sg"].deps["ingress"] = ["alb-sg"]
    assert instance_groups(specs) == [
        (
            f"{SG} 'app-sg' (instances of {ASG} 'app-asg') ingress[0] tcp 8080-8080 admits "
            f"security group sg-0alb-sg (securityGroups[0]); {ONLY_LB}",
            urn(SG, "app-sg"),
        )
    ]


@pytest.mark.parametrize("how", CLASSIC_LINKS)
def test_a_group_behind_only_a_classic_load_balancer_is_left_out_when_classic_ones_are_not_checked(how: str) -> None:
    specs = production_spec()
    _classic(specs, how)
    specs["app-asg"].props["healthCheckType"] = "EC2"
    ((message, where),) = health(specs)
    assert message == f"{ASG} 'app-asg' is behind a load balancer but healthCheckType is EC2"
    assert where == urn(ASG, "app-asg")
    assert health(specs, {"includeClassicLoadBalancers": False}) == []


@pytest.mark.parametrize(
    "how", ["loadBalancers", "attachment", "traffic source of type elb", "traffic source attachment of type elb"]
)
def test_at_first_preview_a_classic_load_balancer_is_followed_through_the_dependency_of_each_link(how: str) -> None:
    specs = production_spec()
    _classic(specs, how)
    specs["classic"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
    if how == "loadBalancers":
        specs["app-asg"].props["loadBalancers"] = [UNKNOWN]
        specs["app-asg"].deps["loadBalancers"] = ["classic"]
    elif how == "attachment":
        specs["attach"].props["elb"] = UNKNOWN
    elif how == "traffic source of type elb":
        specs["app-asg"].props["trafficSources"][0]["identifier"] = UNKNOWN
        specs["app-asg"].deps["trafficSources"] = ["classic"]
    else:
        specs["attach"].props["trafficSource"]["identifier"] = UNKNOWN
    specs["app-sg"].props["ingress"] = [from_group("elb-sg")]
    specs["app-sg"].deps["ingress"] = ["elb-sg"]
    assert instance_groups(specs) == []
    specs["app-asg"].props["healthCheckType"] = "EC2"
    assert health(specs, {"includeClassicLoadBalancers": False}) == []


def test_a_traffic_source_without_a_type_naming_an_arn_is_a_target_group() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].deps.pop("targetGroupArns")
    specs["app-asg"].props["trafficSources"] = [{"identifier": specs["app-tg"].props["arn"]}]
    assert instance_groups(specs) == []
    specs["app-asg"].props["healthCheckType"] = "EC2"
    ((message, _),) = health(specs, {"includeClassicLoadBalancers": False})
    assert message == f"{ASG} 'app-asg' is behind a load balancer but healthCheckType is EC2"


UNKNOWN_LINKS = {
    "targetGroupArns": {"targetGroupArns": [UNKNOWN]},
    "loadBalancers": {"loadBalancers": [UNKNOWN]},
    "traffic source of type elb": {"trafficSources": [{"identifier": UNKNOWN, "type": "elb"}]},
    "traffic source of type elbv2": {"trafficSources": [{"identifier": UNKNOWN, "type": "elbv2"}]},
    "attachment to a target group": {"lbTargetGroupArn": UNKNOWN},
    "attachment to a classic load balancer": {"elb": UNKNOWN},
    "traffic source attachment": {"trafficSource": {"identifier": UNKNOWN, "type": "elb"}},
}


@pytest.mark.parametrize("how", list(UNKNOWN_LINKS))
def test_a_load_balancer_unknown_at_preview_that_no_dependency_names_still_puts_the_group_behind_one(how: str) -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].deps.pop("targetGroupArns")
    specs["app-asg"].props["healthCheckType"] = "EC2"
    link = UNKNOWN_LINKS[how]
    if how.startswith("attachment"):
        specs["attach"] = Spec(
            "aws:autoscaling/attachment:Attachment",
            {"id": "a", "autoscalingGroupName": "app-asg-9d2c", **link},
            {"autoscalingGroupName": ["app-asg"]},
        )
    elif how == "traffic source attachment":
        specs["attach"] = Spec(
            "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
            {"id": "a", "autoscalingGroupName": "app-asg-9d2c", **link},
            {"autoscalingGroupName": ["app-asg"]},
        )
    else:
        specs["app-asg"].props.update(link)
    ((message, where),) = health(specs)
    assert message == f"{ASG} 'app-asg' is behind a load balancer but healthCheckType is EC2"
    assert where == urn(ASG, "app-asg")
    with pytest.raises(UnknownValueError):  # which load balancer it is cannot be known: the group rule cannot run
        instance_groups(specs)


# --- first preview: target groups whose ARNs are not known yet ----------------------------------------------


def _unknown_target_group(specs: dict[str, Spec]) -> None:
    """The target group is being created: its ARN is unknown, and so is every value that names it."""
    specs["app-tg"].props.update(id=UNKNOWN, arn=UNKNOWN)
    specs["app-asg"].props["targetGroupArns"] = [UNKNOWN]
    specs["https"].props["defaultActions"] = [{"type": "forward", "targetGroupArn": UNKNOWN}]


def _link(specs: dict[str, Spec], how: str) -> None:
    """Put the group behind the (unknown) target group as ``how`` says, its ARN followed by dependency."""
    if how == "targetGroupArns":
        return
    specs["app-asg"].props.pop("targetGroupArns")
    specs["app-asg"].deps.pop("targetGroupArns")
    if how in ("attachment", "traffic source attachment"):
        # The group is new too: its name is unknown, and the attachment names it through its dependency.
        specs["app-asg"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
    if how == "attachment":
        specs["attach"] = Spec(
            "aws:autoscaling/attachment:Attachment",
            {"id": "a", "autoscalingGroupName": UNKNOWN, "lbTargetGroupArn": UNKNOWN},
            {"autoscalingGroupName": ["app-asg"], "lbTargetGroupArn": ["app-tg"]},
        )
    elif how == "traffic source attachment":
        specs["attach"] = Spec(
            "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
            {
                "id": "a",
                "autoscalingGroupName": UNKNOWN,
                "trafficSource": {"identifier": UNKNOWN, "type": "elbv2"},
            },
            {"autoscalingGroupName": ["app-asg"], "trafficSource": ["app-tg"]},
        )
    else:
        assert how == "trafficSources"
        specs["app-asg"].props["trafficSources"] = [{"identifier": UNKNOWN, "type": "elbv2"}]
        specs["app-asg"].deps["trafficSources"] = ["app-tg"]


@pytest.mark.parametrize("how", ["targetGroupArns", "attachment", "traffic source attachment", "trafficSources"])
def test_at_first_preview_the_target_group_is_followed_through_the_dependency_of_each_link(how: str) -> None:
    specs = production_spec()
    _unknown_target_group(specs)
    _link(specs, how)
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    ((message, where),) = instance_groups(specs)
    assert message.endswith(f"ingress[1] tcp 22-22 admits 0.0.0.0/0 (cidrBlocks[0]); {ONLY_LB}")
    assert where == urn(SG, "app-sg")


def test_at_first_preview_a_listener_rule_s_forward_is_followed_through_its_dependency() -> None:
    specs = production_spec()
    _unknown_target_group(specs)
    specs["https"].props["defaultActions"] = [
        {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "statusCode": "404"}}
    ]
    specs["https"].deps["defaultActions"] = []
    specs["https"].props.update(id=UNKNOWN, arn=UNKNOWN)  # the listener is new too
    specs["route"] = Spec(
        "aws:lb/listenerRule:ListenerRule",
        {"id": "r", "arn": "r", "listenerArn": UNKNOWN, "actions": [{"type": "forward", "targetGroupArn": UNKNOWN}]},
        {"listenerArn": ["https"], "actions": ["app-tg"]},
    )
    assert instance_groups(specs) == []


def test_every_load_balancer_whose_listener_rules_forward_to_the_target_group_is_an_allowed_source() -> None:
    """Two load balancers, each with a listener rule forwarding to the group's target group."""
    specs = production_spec()
    specs["https"].props["defaultActions"] = [{"type": "fixed-response"}]
    specs["https"].deps["defaultActions"] = []
    specs["alb2-sg"] = security_group("alb2-sg", [])
    specs["alb2"] = Spec(
        "aws:lb/loadBalancer:LoadBalancer",
        {"id": "alb2-arn", "arn": "alb2-arn", "loadBalancerType": "application", "securityGroups": ["sg-0alb2-sg"]},
        {"securityGroups": ["alb2-sg"]},
    )
    specs["https2"] = Spec(
        "aws:lb/listener:Listener",
        {"id": "l2", "arn": "l2", "loadBalancerArn": "alb2-arn", "port": 443.0, "protocol": "HTTPS"}
        | {"defaultActions": [{"type": "fixed-response"}]},
        {"loadBalancerArn": ["alb2"]},
    )
    for name, listener in (("route", "https"), ("route2", "https2")):
        specs[name] = Spec(
            "aws:lb/listenerRule:ListenerRule",
            {"id": name, "arn": name, "listenerArn": specs[listener].props["arn"]}
            | {"actions": [{"type": "forward", "targetGroupArn": specs["app-tg"].props["arn"]}]},
            {"listenerArn": [listener], "actions": ["app-tg"]},
        )
    specs["app-sg"].props["ingress"] = [from_group("alb-sg"), from_group("alb2-sg")]
    specs["app-sg"].deps["ingress"] = ["alb-sg", "alb2-sg"]
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(from_group("other"))
    ((message, _),) = instance_groups(specs)
    assert message.endswith(f"ingress[2] tcp 8080-8080 admits security group sg-0other (securityGroups[0]); {ONLY_LB}")


def test_every_mixed_instances_override_s_template_is_checked_past_one_without_a_template() -> None:
    specs = production_spec()
    specs["app-asg"].props.pop("launchTemplate")
    specs["app-asg"].deps.pop("launchTemplate")
    specs["open-sg"] = security_group(
        "open-sg", [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}]
    )
    specs["other-lt"] = Spec(
        "aws:ec2/launchTemplate:LaunchTemplate", {"id": "lt-0other", "vpcSecurityGroupIds": ["sg-0open-sg"]}
    )
    specs["app-asg"].props["mixedInstancesPolicy"] = {
        "launchTemplate": {
            "launchTemplateSpecification": {"launchTemplateId": "lt-0app"},
            "overrides": [
                {"instanceType": "t3.small"},
                {"instanceType": "t3.large", "launchTemplateSpecification": {"launchTemplateId": "lt-0other"}},
            ],
        }
    }
    ((message, where),) = instance_groups(specs)
    assert message.startswith(
        f"{SG} 'open-sg' (instances of {ASG} 'app-asg') ingress[0] all protocols admits 0.0.0.0/0"
    )
    assert where == urn(SG, "open-sg")


def test_at_first_preview_a_listener_s_load_balancer_is_followed_through_its_dependency() -> None:
    specs = production_spec()
    specs["alb"].props.update(id=UNKNOWN, arn=UNKNOWN)
    for listener in ("https", "http"):
        specs[listener].props["loadBalancerArn"] = UNKNOWN
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(from_group("other"))
    ((message, _),) = instance_groups(specs)
    assert message.endswith(f"ingress[1] tcp 8080-8080 admits security group sg-0other (securityGroups[0]); {ONLY_LB}")


def test_a_target_group_s_load_balancer_list_unknown_at_preview_leaves_the_listeners_to_decide() -> None:
    """``loadBalancerArns`` is an output, unknown as a whole before the target group exists."""
    specs = production_spec()
    specs["app-tg"].props["loadBalancerArns"] = UNKNOWN
    assert instance_groups(specs) == []


def test_each_group_s_own_launch_template_is_checked() -> None:
    specs = production_spec()
    specs["open-sg"] = security_group(
        "open-sg", [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}]
    )
    specs["other-lt"] = Spec(
        "aws:ec2/launchTemplate:LaunchTemplate", {"id": "lt-0other", "vpcSecurityGroupIds": ["sg-0open-sg"]}
    )
    other = Spec(ASG, dict(specs["app-asg"].props, id="other-asg", name="other-asg"), dict(specs["app-asg"].deps))
    other.props["launchTemplate"] = {"id": "lt-0other"}
    other.deps["launchTemplate"] = ["other-lt"]
    specs["other-asg"] = other
    ((message, where),) = instance_groups(specs)
    assert message.startswith(f"{SG} 'open-sg' (instances of {ASG} 'other-asg') ingress[0] all protocols admits")
    assert where == urn(SG, "open-sg")


def test_an_unknown_load_balancer_in_a_target_group_s_load_balancer_list_is_named_when_the_rule_cannot_run() -> None:
    specs = production_spec()
    specs["app-tg"].props["loadBalancerArns"] = [UNKNOWN]
    with pytest.raises(UnknownValueError) as raised:
        instance_groups(specs)
    assert raised.value.message.endswith("value at .loadBalancerArns can't be known during preview")


# --- the instances' security groups ----------------------------------------------------------------------


def test_a_launch_template_s_security_group_names_are_the_instances_groups() -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"] = [{"deviceIndex": 0.0, "associatePublicIpAddress": "false"}]
    specs["app-lt"].props["securityGroupNames"] = ["app-sg-7c1e2f"]
    specs["app-lt"].deps = {"securityGroupNames": ["app-sg"]}
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    assert instance_groups(specs) == [
        (
            f"{SG} 'app-sg' (instances of {ASG} 'app-asg') ingress[1] tcp 22-22 admits 0.0.0.0/0 (cidrBlocks[0]); "
            f"{ONLY_LB}",
            urn(SG, "app-sg"),
        )
    ]


@pytest.mark.parametrize(
    "how",
    [
        "launchTemplate by name",
        "launchTemplate, unknown id",
        "mixed instances by id",
        "mixed instances by name",
        "mixed, unknown id",
    ],
)
def test_the_group_s_launch_template_is_found_however_it_is_named(how: str) -> None:
    specs = production_spec()
    if how == "launchTemplate by name":
        specs["app-asg"].props["launchTemplate"] = {"name": "app-lt-3e9f", "version": "$Latest"}
    elif how == "launchTemplate, unknown id":  # first preview: the template is new, the group names it by dependency
        specs["app-lt"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
        specs["app-asg"].props["launchTemplate"] = {"id": UNKNOWN, "version": "$Latest"}
    else:
        specs["app-asg"].props.pop("launchTemplate")
        spec = {"launchTemplateName": "app-lt-3e9f"} if how.endswith("by name") else {"launchTemplateId": "lt-0app"}
        if how == "mixed, unknown id":  # first preview: the template is new, the group names it by dependency
            specs["app-lt"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
            spec = {"launchTemplateId": UNKNOWN}
        specs["app-asg"].props["mixedInstancesPolicy"] = {"launchTemplate": {"launchTemplateSpecification": spec}}
        specs["app-asg"].deps["mixedInstancesPolicy"] = specs["app-asg"].deps.pop("launchTemplate")
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    ((message, where),) = instance_groups(specs)
    assert message.endswith(f"ingress[1] tcp 22-22 admits 0.0.0.0/0 (cidrBlocks[0]); {ONLY_LB}")
    assert where == urn(SG, "app-sg")


@pytest.mark.parametrize("mixed", [False, True])
def test_a_launch_template_named_by_neither_id_nor_name_is_reported(mixed: bool) -> None:
    specs = production_spec()
    specs["app-asg"].deps.pop("launchTemplate")
    if mixed:
        specs["app-asg"].props.pop("launchTemplate")
        specs["app-asg"].props["mixedInstancesPolicy"] = {
            "launchTemplate": {"launchTemplateSpecification": {"version": "$Latest"}}
        }
    else:
        specs["app-asg"].props["launchTemplate"] = {"version": "$Latest"}
    ((message, where),) = instance_groups(specs)
    assert message.startswith(f"{ASG} 'app-asg' is behind a load balancer but launch template/configuration ")
    assert message.endswith(" is not in this stack")
    assert where == urn(ASG, "app-asg")


def _groups_unknown(specs: dict[str, Spec]) -> None:
    """The instances' group is being created: its id is unknown, and so is every value that names it."""
    specs["app-sg"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)


def test_at_first_preview_a_standalone_rule_on_the_new_instance_group_is_found_through_its_dependency() -> None:
    specs = production_spec()
    _groups_unknown(specs)
    specs["app-lt"].props["networkInterfaces"][0]["securityGroups"] = [UNKNOWN]
    specs["ssh"] = Spec(
        VPC_RULE,
        {"id": "sgr-1", "securityGroupId": UNKNOWN, "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0}
        | {"cidrIpv4": "0.0.0.0/0"},
        {"securityGroupId": ["app-sg"]},
    )
    assert instance_groups(specs) == [
        (
            f"{SG} 'app-sg' (instances of {ASG} 'app-asg') {VPC_RULE} 'ssh' rule tcp 22-22 admits 0.0.0.0/0 "
            f"(cidrIpv4); {ONLY_LB}",
            urn(VPC_RULE, "ssh"),
        )
    ]


def test_at_first_preview_a_launch_template_interface_s_groups_are_followed_through_its_dependency() -> None:
    specs = production_spec()
    _groups_unknown(specs)
    specs["app-lt"].props["networkInterfaces"][0]["securityGroups"] = [UNKNOWN]
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    ((message, where),) = instance_groups(specs)
    assert message.endswith(f"ingress[1] tcp 22-22 admits 0.0.0.0/0 (cidrBlocks[0]); {ONLY_LB}")
    assert where == urn(SG, "app-sg")


@pytest.mark.parametrize("first_preview", [False, True])
def test_a_launch_template_s_vpc_security_group_ids_are_the_instances_groups(first_preview: bool) -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"] = [{"deviceIndex": 0.0, "associatePublicIpAddress": "false"}]
    specs["app-lt"].props["vpcSecurityGroupIds"] = ["sg-0app-sg"]
    specs["app-lt"].deps = {"vpcSecurityGroupIds": ["app-sg"]}
    if first_preview:
        _groups_unknown(specs)
        specs["app-lt"].props["vpcSecurityGroupIds"] = [UNKNOWN]
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    ((message, where),) = instance_groups(specs)
    assert message.endswith(f"ingress[1] tcp 22-22 admits 0.0.0.0/0 (cidrBlocks[0]); {ONLY_LB}")
    assert where == urn(SG, "app-sg")


@pytest.mark.parametrize("first_preview", [False, True])
def test_a_launch_configuration_s_security_groups_are_the_instances_groups(first_preview: bool) -> None:
    specs = production_spec()
    del specs["app-lt"]
    specs["app-lc"] = Spec(
        "aws:ec2/launchConfiguration:LaunchConfiguration",
        {"id": "app-lc-1", "arn": "arn:aws:autoscaling:lc/app-lc-1", "name": "app-lc-1", "imageId": "ami-0abc"}
        | {"instanceType": "t3.micro", "securityGroups": ["sg-0app-sg"]},
        {"securityGroups": ["app-sg"]},
    )
    specs["app-asg"].props.pop("launchTemplate")
    specs["app-asg"].deps.pop("launchTemplate")
    specs["app-asg"].props["launchConfiguration"] = "app-lc-1"
    specs["app-asg"].deps["launchConfiguration"] = ["app-lc"]
    if first_preview:
        _groups_unknown(specs)
        specs["app-lc"].props["securityGroups"] = [UNKNOWN]
        specs["app-lc"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
        specs["app-asg"].props["launchConfiguration"] = UNKNOWN
    assert instance_groups(specs) == []
    specs["app-sg"].props["ingress"].append(
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}
    )
    ((message, where),) = instance_groups(specs)
    assert message.endswith(f"ingress[1] tcp 22-22 admits 0.0.0.0/0 (cidrBlocks[0]); {ONLY_LB}")
    assert where == urn(SG, "app-sg")


def test_a_standalone_rule_on_the_vpc_default_group_is_checked_after_one_on_another_kind_of_group() -> None:
    """Instances in a security group and in the VPC's default group: rules are indexed per kind of group."""
    specs = production_spec()
    specs["default-sg"] = Spec(DEFAULT_SG, {"id": "sg-0default", "vpcId": "vpc-0abc", "ingress": []})
    specs["app-lt"].props["networkInterfaces"][0]["securityGroups"] = ["sg-0app-sg", "sg-0default"]
    specs["app-lt"].deps["networkInterfaces"] = ["app-sg", "default-sg"]
    specs["open-default"] = Spec(
        VPC_RULE,
        {"id": "sgr-1", "securityGroupId": "sg-0default", "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0}
        | {"cidrIpv4": "0.0.0.0/0"},
        {"securityGroupId": ["default-sg"]},
    )
    assert instance_groups(specs) == [
        (
            f"{DEFAULT_SG} 'default-sg' (instances of {ASG} 'app-asg') {VPC_RULE} 'open-default' rule tcp 22-22 "
            f"admits 0.0.0.0/0 (cidrIpv4); {ONLY_LB}",
            urn(VPC_RULE, "open-default"),
        )
    ]

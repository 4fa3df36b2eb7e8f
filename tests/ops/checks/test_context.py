"""What every check reads, against botocore's Stubber: each lookup made once, a failed one named with where."""

from __future__ import annotations

from typing import Any

import pytest

from ops.checks import context as checks_context
from ops.checks.context import Missing, group_subnet_ids, template_security_groups
from ops.report import Status
from tests.ops.stubbed import NOW, context, group, stub

INSTANCE_ID = "i-0123456789abcdef0"
TEMPLATE_ID = "lt-0123456789abcdef0"


def _instance_reply() -> dict[str, Any]:
    return {"Reservations": [{"Instances": [{"InstanceId": INSTANCE_ID, "PublicIpAddress": "198.51.100.20"}]}]}


def test_the_instance_is_described_once_however_many_checks_read_it() -> None:
    ctx = context({"instanceId": INSTANCE_ID})
    ec2 = stub(ctx, "ec2")
    ec2.add_response("describe_instances", _instance_reply(), {"InstanceIds": [INSTANCE_ID]})

    first, second = ctx.instance(), ctx.instance()

    assert first == second == {"InstanceId": INSTANCE_ID, "PublicIpAddress": "198.51.100.20"}
    ec2.assert_no_pending_responses()


def test_a_stack_without_an_instance_id_is_missing_it() -> None:
    with pytest.raises(Missing, match=r"^the stack exports no instanceId$"):
        context({}).instance()


def test_an_instance_aws_does_not_list_is_missing_in_the_region_and_stays_missing() -> None:
    ctx = context({"instanceId": INSTANCE_ID})
    ec2 = stub(ctx, "ec2")
    ec2.add_response("describe_instances", {"Reservations": [{"Instances": []}]}, {"InstanceIds": [INSTANCE_ID]})

    for _ in range(2):  # the second read answers from the cache: no second call is queued
        with pytest.raises(Missing, match=f"^instance {INSTANCE_ID} does not exist in us-east-1$"):
            ctx.instance()


def test_an_instance_lookup_error_names_aws_code_but_a_denial_is_the_doctors_own_problem() -> None:
    ctx = context({"instanceId": INSTANCE_ID})
    ec2 = stub(ctx, "ec2")
    ec2.add_client_error("describe_instances", service_error_code="InvalidInstanceID.NotFound")

    with pytest.raises(Missing, match=f"^instance {INSTANCE_ID}: InvalidInstanceID.NotFound in us-east-1$"):
        ctx.instance()

    denied = context({"instanceId": INSTANCE_ID})
    stub(denied, "ec2").add_client_error("describe_instances", service_error_code="UnauthorizedOperation")
    with pytest.raises(Exception, match="UnauthorizedOperation") as caught:
        denied.instance()
    assert not isinstance(caught.value, Missing)


def test_the_group_is_described_once_and_a_missing_one_is_named() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg = stub(ctx, "autoscaling")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})

    assert ctx.group()["AutoScalingGroupName"] == ctx.group()["AutoScalingGroupName"] == "blue-asg"
    asg.assert_no_pending_responses()

    empty = context({"greenAsgName": "green-asg"})
    stub(empty, "autoscaling").add_response(
        "describe_auto_scaling_groups", {"AutoScalingGroups": []}, {"AutoScalingGroupNames": ["green-asg"]}
    )
    with pytest.raises(Missing, match=r"^Auto Scaling group green-asg does not exist in us-east-1$"):
        empty.group("greenAsgName")
    with pytest.raises(Missing, match=r"^the stack exports no asgName$"):
        context({}).group()


def _version_reply(number: int = 3) -> dict[str, Any]:
    return {
        "LaunchTemplateVersions": [
            {
                "LaunchTemplateId": TEMPLATE_ID,
                "VersionNumber": number,
                "CreateTime": NOW,
                "LaunchTemplateData": {"ImageId": "ami-0123456789abcdef0"},
            }
        ]
    }


def _group_with(spec_key: str, spec: dict[str, Any]) -> dict[str, Any]:
    reply = group("blue-asg")
    described = reply["AutoScalingGroups"][0]
    del described["LaunchTemplate"]
    if spec_key == "MixedInstancesPolicy":
        described["MixedInstancesPolicy"] = {"LaunchTemplate": {"LaunchTemplateSpecification": spec}}
    elif spec_key:
        described[spec_key] = spec
    return reply


def test_the_template_version_is_the_groups_pinned_one_read_once() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_response(
        "describe_launch_template_versions", _version_reply(), {"LaunchTemplateId": TEMPLATE_ID, "Versions": ["3"]}
    )

    assert ctx.template_version()["VersionNumber"] == ctx.template_version()["VersionNumber"] == 3
    ec2.assert_no_pending_responses()


def test_a_mixed_instances_group_named_by_template_name_reads_its_default_version() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    reply = _group_with("MixedInstancesPolicy", {"LaunchTemplateName": "app-lt"})
    asg.add_response("describe_auto_scaling_groups", reply, {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_response(
        "describe_launch_template_versions",
        _version_reply(7),
        {"LaunchTemplateName": "app-lt", "Versions": ["$Default"]},
    )

    assert ctx.template_version()["VersionNumber"] == 7


def test_a_group_without_a_launch_template_is_missing_one() -> None:
    ctx = context({"asgName": "blue-asg"})
    stub(ctx, "autoscaling").add_response(
        "describe_auto_scaling_groups", _group_with("", {}), {"AutoScalingGroupNames": ["blue-asg"]}
    )

    with pytest.raises(Missing, match=r"^group blue-asg launches from no launch template$"):
        ctx.template_version()


def test_a_template_version_aws_does_not_have_is_named() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_response(
        "describe_launch_template_versions",
        {"LaunchTemplateVersions": []},
        {"LaunchTemplateId": TEMPLATE_ID, "Versions": ["3"]},
    )

    with pytest.raises(Missing, match=f"^launch template {TEMPLATE_ID} has no version 3$"):
        ctx.template_version()


def test_a_template_version_lookup_error_is_missing_with_aws_code() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_client_error("describe_launch_template_versions", service_error_code="InvalidLaunchTemplateId.NotFound")

    with pytest.raises(Missing, match=f"^launch template {TEMPLATE_ID} version 3: InvalidLaunchTemplateId.NotFound: "):
        ctx.template_version()


def test_subnets_are_described_once_per_set_in_any_order() -> None:
    ctx = context({})
    ec2 = stub(ctx, "ec2")
    subnet = {"SubnetId": "subnet-0a", "VpcId": "vpc-0a", "AvailabilityZone": "us-east-1a"}
    ec2.add_response("describe_subnets", {"Subnets": [subnet]}, {"SubnetIds": ["subnet-0b", "subnet-0a"]})

    assert ctx.subnets(["subnet-0b", "subnet-0a"]) == ctx.subnets(["subnet-0a", "subnet-0b"]) == [subnet]


@pytest.mark.parametrize(
    ("zone_identifier", "ids"),
    [
        ("subnet-0a,subnet-0b", ["subnet-0a", "subnet-0b"]),
        (" subnet-0a , ,subnet-0b ", ["subnet-0a", "subnet-0b"]),
        ("", []),
        (None, []),
    ],
)
def test_a_groups_subnets_are_read_from_its_comma_separated_zone_identifier(
    zone_identifier: Any, ids: list[str]
) -> None:
    assert group_subnet_ids({"VPCZoneIdentifier": zone_identifier}) == ids


def test_a_templates_security_groups_include_those_of_its_network_interfaces() -> None:
    data = {
        "SecurityGroupIds": ["sg-0a"],
        "NetworkInterfaces": [{"Groups": ["sg-0b", "sg-0c"]}, {"DeviceIndex": 1}],
    }

    assert template_security_groups(data) == ["sg-0a", "sg-0b", "sg-0c"]
    assert template_security_groups({}) == []


def test_an_aws_error_inside_a_check_fails_that_check_with_the_fix_its_code_calls_for() -> None:
    @checks_context.check("test.check", "a check that calls AWS")
    def calls_aws(ctx: checks_context.Context, cid: str, title: str) -> Any:
        ctx.instance()
        raise AssertionError("unreachable: the instance lookup fails")

    denied = context({"instanceId": INSTANCE_ID})
    stub(denied, "ec2").add_client_error("describe_instances", service_error_code="UnauthorizedOperation")
    throttled = context({"asgName": "blue-asg"})
    stub(throttled, "autoscaling").add_client_error("describe_auto_scaling_groups", service_error_code="Throttling")

    @checks_context.check("test.group", "a check that reads the group")
    def reads_group(ctx: checks_context.Context, cid: str, title: str) -> Any:
        ctx.group()
        raise AssertionError("unreachable: the group lookup fails")

    first, second = calls_aws(denied), reads_group(throttled)

    assert (first.id, first.title, first.status) == ("test.check", "a check that calls AWS", Status.FAIL)
    assert first.evidence.startswith("an AWS call failed: UnauthorizedOperation: ")
    assert first.fix == "grant the doctor's read-only policy (ops/doctor-policy.json; see docs/doctor.md)"
    assert second.evidence.startswith("an AWS call failed: Throttling: ")
    assert second.fix == "retry; if it persists, run this check's manual command from docs/doctor.md"
    assert calls_aws.check_id == "test.check"  # type: ignore[attr-defined]


def test_each_subnet_set_is_described_on_its_own() -> None:
    ctx = context({})
    ec2 = stub(ctx, "ec2")
    first = {"SubnetId": "subnet-0a", "VpcId": "vpc-0a", "AvailabilityZone": "us-east-1a"}
    second = {"SubnetId": "subnet-0c", "VpcId": "vpc-0a", "AvailabilityZone": "us-east-1c"}
    ec2.add_response("describe_subnets", {"Subnets": [first]}, {"SubnetIds": ["subnet-0a"]})
    ec2.add_response("describe_subnets", {"Subnets": [second]}, {"SubnetIds": ["subnet-0c"]})

    assert ctx.subnets(["subnet-0a"]) == [first]
    assert ctx.subnets(["subnet-0c"]) == [second]
    ec2.assert_no_pending_responses()


def test_blue_and_green_groups_and_their_templates_are_each_read_on_their_own() -> None:
    ctx = context({"asgName": "blue-asg", "greenAsgName": "green-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    green_reply = group("green-asg")
    green_reply["AutoScalingGroups"][0]["LaunchTemplate"]["Version"] = "4"
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_response(
        "describe_launch_template_versions", _version_reply(3), {"LaunchTemplateId": TEMPLATE_ID, "Versions": ["3"]}
    )
    asg.add_response("describe_auto_scaling_groups", green_reply, {"AutoScalingGroupNames": ["green-asg"]})
    ec2.add_response(
        "describe_launch_template_versions", _version_reply(4), {"LaunchTemplateId": TEMPLATE_ID, "Versions": ["4"]}
    )

    assert ctx.template_version()["VersionNumber"] == 3
    assert ctx.template_version("greenAsgName")["VersionNumber"] == 4
    assert (ctx.group()["AutoScalingGroupName"], ctx.group("greenAsgName")["AutoScalingGroupName"]) == (
        "blue-asg",
        "green-asg",
    )
    asg.assert_no_pending_responses()
    ec2.assert_no_pending_responses()


def test_a_template_named_by_name_that_cannot_be_read_is_named_in_the_evidence() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    reply = _group_with("LaunchTemplate", {"LaunchTemplateName": "app-lt", "Version": "$Latest"})
    asg.add_response("describe_auto_scaling_groups", reply, {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_client_error(
        "describe_launch_template_versions",
        service_error_code="InvalidLaunchTemplateName.NotFoundException",
        expected_params={"LaunchTemplateName": "app-lt", "Versions": ["$Latest"]},
    )

    with pytest.raises(
        Missing, match=r"^launch template app-lt version \$Latest: InvalidLaunchTemplateName.NotFoundException: "
    ):
        ctx.template_version()


def test_a_template_named_by_name_without_the_version_is_named_by_its_name() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    reply = _group_with("LaunchTemplate", {"LaunchTemplateName": "app-lt", "Version": "9"})
    asg.add_response("describe_auto_scaling_groups", reply, {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_response(
        "describe_launch_template_versions",
        {"LaunchTemplateVersions": []},
        {"LaunchTemplateName": "app-lt", "Versions": ["9"]},
    )

    with pytest.raises(Missing, match=r"^launch template app-lt has no version 9$"):
        ctx.template_version()


def test_a_denied_template_lookup_is_the_doctors_own_problem_not_a_missing_template() -> None:
    ctx = context({"asgName": "blue-asg"})
    asg, ec2 = stub(ctx, "autoscaling"), stub(ctx, "ec2")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    ec2.add_client_error("describe_launch_template_versions", service_error_code="UnauthorizedOperation")

    with pytest.raises(Exception, match="UnauthorizedOperation") as caught:
        ctx.template_version()
    assert not isinstance(caught.value, Missing)

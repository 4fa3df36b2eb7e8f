"""Scaling activities and target health with AWS's own messages (botocore Stubber: moto's
DescribeScalingActivities is always empty and its targets are never unhealthy with a reason)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from ops.checks import launch
from ops.checks.context import Context
from ops.report import Status
from tests.ops.stubbed import NOW, activity, context, group, group_template, stub, target

OUTPUTS = {
    "roleName": "prod-role",
    "asgName": "blue-asg",
    "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue-tg/0123456789abcdef",
}
NO_AMI = "The image id '[ami-0abc]' does not exist. Launching EC2 instance failed."


def activities(*entries: dict[str, object]) -> dict[str, object]:
    return {"Activities": list(entries)}


def test_a_failure_since_the_last_success_fails_and_quotes_status_message() -> None:
    ctx = context(OUTPUTS)
    asg = stub(ctx, "autoscaling")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    asg.add_response(
        "describe_scaling_activities",
        activities(activity("Failed", NO_AMI, 1), activity("Failed", "older", 5), activity("Successful", "", 60)),
        {"AutoScalingGroupName": "blue-asg", "MaxRecords": launch.RECENT_ACTIVITIES},
    )
    check = launch.scaling_activities(ctx)
    asg.assert_no_pending_responses()
    assert check.status is Status.FAIL
    assert "2 failed since the last success" in check.evidence and repr(NO_AMI) in check.evidence


def test_a_failure_followed_by_a_success_only_warns() -> None:
    ctx = context(OUTPUTS)
    asg = stub(ctx, "autoscaling")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    asg.add_response(
        "describe_scaling_activities",
        activities(activity("Successful", "", 1), activity("Failed", NO_AMI, 5)),
        {"AutoScalingGroupName": "blue-asg", "MaxRecords": launch.RECENT_ACTIVITIES},
    )
    assert launch.scaling_activities(ctx).status is Status.WARN


def test_unhealthy_targets_fail_with_their_reason_codes() -> None:
    ctx = context(OUTPUTS)
    elb = stub(ctx, "elbv2")
    elb.add_response(
        "describe_target_health",
        {
            "TargetHealthDescriptions": [
                target("i-0aaaaaaaaaaaaaaa1", "healthy"),
                target("i-0aaaaaaaaaaaaaaa2", "unhealthy", "Target.Timeout", "Request timed out"),
            ]
        },
        {"TargetGroupArn": OUTPUTS["targetGroupArn"]},
    )
    check = launch.target_health(ctx)
    assert check.status is Status.FAIL
    assert "i-0aaaaaaaaaaaaaaa2 unhealthy (Target.Timeout)" in check.evidence and "Request timed out" in check.evidence


def test_initial_targets_warn() -> None:
    ctx = context(OUTPUTS)
    elb = stub(ctx, "elbv2")
    elb.add_response(
        "describe_target_health",
        {"TargetHealthDescriptions": [target("i-0aaaaaaaaaaaaaaa1", "initial", "Elb.RegistrationInProgress")]},
        {"TargetGroupArn": OUTPUTS["targetGroupArn"]},
    )
    assert launch.target_health(ctx).status is Status.WARN


def test_an_access_denied_is_the_checks_own_failure() -> None:
    ctx = context(OUTPUTS)
    elb = stub(ctx, "elbv2")
    elb.add_client_error("describe_target_health", "AccessDenied", "not authorized", 403)
    check = launch.target_health(ctx)
    assert check.status is Status.FAIL and check.id == "launch.target-health"
    assert "AccessDenied" in check.evidence and "read-only policy" in check.fix


def _template_with(data: dict[str, object]) -> tuple[Context, Stubber]:
    ctx = context(OUTPUTS)
    _, ec2 = group_template(ctx, data)
    return ctx, ec2


def _image(architecture: str) -> dict[str, object]:
    return {"Images": [{"ImageId": "ami-0abc", "State": "available", "Architecture": architecture}]}


def _instance_type(name: str, *architectures: str) -> dict[str, object]:
    return {"InstanceTypes": [{"InstanceType": name, "ProcessorInfo": {"SupportedArchitectures": list(architectures)}}]}


def test_an_ami_of_another_architecture_than_the_instance_type_fails_naming_both() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t4g.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response("describe_instance_types", _instance_type("t4g.micro", "arm64"), {"InstanceTypes": ["t4g.micro"]})

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        "lt-0123456789abcdef0 v3: ami-0abc is x86_64, t4g.micro runs arm64",
    )


def test_an_available_ami_that_fits_the_instance_type_passes() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response(
        "describe_instance_types", _instance_type("t3.micro", "i386", "x86_64"), {"InstanceTypes": ["t3.micro"]}
    )

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (
        Status.PASS,
        "lt-0123456789abcdef0 v3: ami-0abc available, x86_64, fits t3.micro",
    )


def test_an_instance_type_aws_does_not_describe_does_not_fail_the_ami() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response("describe_instance_types", {"InstanceTypes": []}, {"InstanceTypes": ["t3.micro"]})

    assert launch.ami(ctx).status is Status.PASS


@pytest.mark.parametrize(
    ("health", "is_failing"),
    [
        ({"State": "unhealthy", "Reason": "Target.Timeout"}, True),
        ({"State": "unused", "Reason": "Target.InvalidState"}, True),
        ({"State": "unused", "Reason": "Target.NotInUse"}, True),
        ({"State": "unused", "Reason": "Target.IpUnusable"}, True),
        ({"State": "unused", "Reason": "Target.NotRegistered"}, False),
        ({"State": "initial", "Reason": "Elb.RegistrationInProgress"}, False),
        ({"State": "healthy"}, False),
        ({"State": "draining", "Reason": "Target.InvalidState"}, False),
    ],
)
def test_a_target_fails_when_unhealthy_or_unused_for_a_reason_it_cannot_serve(
    health: dict[str, str], is_failing: bool
) -> None:
    assert launch.failing({"Target": {"Id": "i-0a", "Port": 80}, "TargetHealth": health}) is is_failing
    assert launch.failing({"Target": {"Id": "i-0a", "Port": 80}}) is False


def test_target_health_is_described_with_each_reason_aws_gave() -> None:
    targets = [target("i-0a", "healthy"), target("i-0b", "unhealthy", "Target.ResponseCodeMismatch")]

    assert launch.describe_health(targets) == "i-0a healthy, i-0b unhealthy (Target.ResponseCodeMismatch)"
    assert launch.describe_health([]) == "no targets registered"
    assert launch.describe_health([{"Target": {"Id": "i-0c"}}]) == "i-0c None"


# --- every check of the group, each outcome it can give the operator ------------------------------

TEMPLATE = "lt-0123456789abcdef0 v3"
PROFILE_ARN = "arn:aws:iam::123456789012:instance-profile/prod-profile"
SUBNETS = {
    "Subnets": [
        {"SubnetId": "subnet-0a", "VpcId": "vpc-0app", "AvailabilityZone": "us-east-1a"},
        {"SubnetId": "subnet-0b", "VpcId": "vpc-0app", "AvailabilityZone": "us-east-1b"},
    ]
}


def _no_group(outputs: dict[str, object] = OUTPUTS) -> Context:
    ctx = context(outputs)
    stub(ctx, "autoscaling").add_response(
        "describe_auto_scaling_groups", {"AutoScalingGroups": []}, {"AutoScalingGroupNames": ["blue-asg"]}
    )
    return ctx


def _with_subnets(data: dict[str, object], subnets: dict[str, object] = SUBNETS) -> tuple[Context, Stubber]:
    ctx, ec2 = _template_with(data)
    ec2.add_response("describe_subnets", subnets, {"SubnetIds": ["subnet-0a", "subnet-0b"]})
    return ctx, ec2


def _latest(ctx: Context, ec2: Stubber, versions: list[dict[str, object]]) -> None:
    ec2.add_response(
        "describe_launch_template_versions",
        {"LaunchTemplateVersions": versions},
        {"LaunchTemplateId": "lt-0123456789abcdef0", "Versions": ["$Latest"]},
    )


def test_a_group_that_does_not_exist_fails_the_template_check_and_says_pulumi_up_restores_it() -> None:
    check = launch.template(_no_group())

    assert (check.id, check.status) == ("launch.template", Status.FAIL)
    assert check.evidence == "Auto Scaling group blue-asg does not exist in us-east-1"
    assert check.fix.startswith("`pulumi up`") and check.fix.endswith("restores the template and the group")


def test_a_group_launching_an_older_version_than_the_latest_warns_of_a_refresh_and_names_both_versions() -> None:
    ctx, ec2 = _template_with({})
    _latest(ctx, ec2, [{"LaunchTemplateId": "lt-0123456789abcdef0", "VersionNumber": 4}])

    check = launch.template(ctx)

    assert (check.id, check.status) == ("launch.template", Status.WARN)
    assert check.evidence == (
        f"group blue-asg launches {TEMPLATE}; latest is v4: a refresh to v4 is running, failed or was rolled back"
    )
    assert check.fix.startswith("aws autoscaling describe-instance-refreshes --auto-scaling-group-name blue-asg; ")
    assert check.fix.endswith("then `pulumi up` starts a new refresh")


def test_a_group_launching_the_latest_version_passes() -> None:
    ctx, ec2 = _template_with({})
    _latest(ctx, ec2, [{"LaunchTemplateId": "lt-0123456789abcdef0", "VersionNumber": 3}])

    check = launch.template(ctx)

    assert (check.status, check.evidence, check.fix) == (
        Status.PASS,
        f"group blue-asg launches {TEMPLATE}; latest is v3",
        "",
    )


def test_a_template_aws_lists_no_latest_version_of_is_not_blamed_for_a_refresh() -> None:
    ctx, ec2 = _template_with({})
    _latest(ctx, ec2, [])

    check = launch.template(ctx)

    assert (check.status, check.evidence) == (Status.PASS, f"group blue-asg launches {TEMPLATE}; latest is vNone")


def test_the_ami_check_is_skipped_without_a_readable_template_and_says_which_group_is_missing() -> None:
    check = launch.ami(_no_group())

    assert (check.id, check.status) == ("launch.ami", Status.SKIP)
    assert check.title == "the template's AMI exists, is available here and fits the instance type"
    assert check.evidence == "needs the template: Auto Scaling group blue-asg does not exist in us-east-1"


def test_a_template_naming_no_ami_fails_and_says_to_set_ami_id() -> None:
    ctx, _ = _template_with({"InstanceType": "t3.micro"})

    check = launch.ami(ctx)

    assert (check.id, check.status, check.evidence) == ("launch.ami", Status.FAIL, f"{TEMPLATE} names no AMI")
    assert check.title == "the template's AMI exists, is available here and fits the instance type"
    assert check.fix.startswith("`pulumi config set amiId <an available AMI in this region>`")
    assert check.fix.endswith("and `pulumi up`")


def test_a_template_version_aws_returns_without_launch_data_fails_as_naming_no_ami() -> None:
    # LaunchTemplateData is optional in DescribeLaunchTemplateVersions' reply: a version without it sets nothing.
    ctx = context(OUTPUTS)
    group_template(ctx, None)

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"{TEMPLATE} names no AMI")


def test_an_ami_aws_refuses_to_describe_fails_with_its_error_code_and_region() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_client_error("describe_images", "InvalidAMIID.Malformed", "Invalid id", 400)

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"{TEMPLATE}: ami-0abc: InvalidAMIID.Malformed in us-east-1",
    )
    assert check.fix.startswith("`pulumi config set amiId")


def test_an_ami_the_doctor_may_not_describe_blames_the_doctors_policy_not_the_ami() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_client_error("describe_images", "UnauthorizedOperation", "not authorized", 403)

    check = launch.ami(ctx)

    assert (check.id, check.status) == ("launch.ami", Status.FAIL)
    assert check.evidence.startswith("an AWS call failed: UnauthorizedOperation")
    assert "read-only policy" in check.fix and "amiId" not in check.fix


def test_an_ami_aws_does_not_list_fails_as_missing_or_not_shared_in_the_region() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response("describe_images", {"Images": []}, {"ImageIds": ["ami-0abc"]})

    check = launch.ami(ctx)

    assert (check.id, check.status, check.evidence) == (
        "launch.ami",
        Status.FAIL,
        f"{TEMPLATE}: ami-0abc does not exist (or is not shared) in us-east-1",
    )
    assert check.fix.startswith("`pulumi config set amiId")


def test_an_ami_that_is_not_available_fails_naming_its_state_and_aws_reason() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    image = {"ImageId": "ami-0abc", "State": "failed", "StateReason": {"Code": "x", "Message": "snapshot lost"}}
    ec2.add_response("describe_images", {"Images": [image]}, {"ImageIds": ["ami-0abc"]})

    check = launch.ami(ctx)

    assert (check.id, check.status, check.evidence) == (
        "launch.ami",
        Status.FAIL,
        f"{TEMPLATE}: ami-0abc is failed: 'snapshot lost'",
    )
    assert check.title == "the template's AMI exists, is available here and fits the instance type"
    assert check.fix.startswith("`pulumi config set amiId")


def test_an_ami_that_is_pending_without_a_reason_fails_naming_its_state_alone() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response(
        "describe_images", {"Images": [{"ImageId": "ami-0abc", "State": "pending"}]}, {"ImageIds": ["ami-0abc"]}
    )

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"{TEMPLATE}: ami-0abc is pending")


def test_an_ami_without_a_state_is_not_taken_for_available() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response("describe_images", {"Images": [{"ImageId": "ami-0abc"}]}, {"ImageIds": ["ami-0abc"]})

    check = launch.ami(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"{TEMPLATE}: ami-0abc is unknown")


def test_an_ami_fitting_the_instance_type_is_described_with_its_architecture() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t4g.micro"})
    ec2.add_response("describe_images", _image("arm64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response("describe_instance_types", _instance_type("t4g.micro", "arm64"), {"InstanceTypes": ["t4g.micro"]})

    check = launch.ami(ctx)

    assert (check.id, check.status, check.fix) == ("launch.ami", Status.PASS, "")
    assert check.evidence == f"{TEMPLATE}: ami-0abc available, arm64, fits t4g.micro"


def test_an_architecture_mismatch_fix_says_to_pick_a_matching_ami_or_type() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t4g.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response(
        "describe_instance_types", _instance_type("t4g.micro", "arm64", "arm64_mac"), {"InstanceTypes": ["t4g.micro"]}
    )

    check = launch.ami(ctx)

    assert check.evidence == f"{TEMPLATE}: ami-0abc is x86_64, t4g.micro runs arm64, arm64_mac"
    assert check.fix.startswith("pick an AMI of the instance type's architecture")
    assert check.fix.endswith("(t4g for arm64)")


def test_an_ami_without_an_architecture_or_an_instance_type_passes_without_asking_for_types() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc"})
    ec2.add_response(
        "describe_images", {"Images": [{"ImageId": "ami-0abc", "State": "available"}]}, {"ImageIds": ["ami-0abc"]}
    )

    check = launch.ami(ctx)

    ec2.assert_no_pending_responses()
    assert (check.status, check.evidence) == (Status.PASS, f"{TEMPLATE}: ami-0abc available, unknown, fits None")


def test_an_instance_type_without_processor_info_does_not_fail_the_ami() -> None:
    ctx, ec2 = _template_with({"ImageId": "ami-0abc", "InstanceType": "t3.micro"})
    ec2.add_response("describe_images", _image("x86_64"), {"ImageIds": ["ami-0abc"]})
    ec2.add_response(
        "describe_instance_types", {"InstanceTypes": [{"InstanceType": "t3.micro"}]}, {"InstanceTypes": ["t3.micro"]}
    )

    assert launch.ami(ctx).status is Status.PASS


def test_the_instance_type_check_is_skipped_without_the_group_and_says_it_needs_its_subnets() -> None:
    check = launch.instance_type_offered(_no_group())

    assert (check.id, check.status) == ("launch.instance-type", Status.SKIP)
    assert check.evidence == (
        "needs the template and the group's subnets: Auto Scaling group blue-asg does not exist in us-east-1"
    )


def test_a_template_without_an_instance_type_warns_that_the_groups_overrides_decide() -> None:
    ctx, _ = _with_subnets({"ImageId": "ami-0abc"})

    check = launch.instance_type_offered(ctx)

    assert (check.id, check.status) == ("launch.instance-type", Status.WARN)
    assert check.evidence == f"{TEMPLATE} sets no instance type (the group's overrides decide)"


def _offerings(ec2: Stubber, *pages: list[str]) -> None:
    filters = [
        {"Name": "instance-type", "Values": ["t3.micro"]},
        {"Name": "location", "Values": ["us-east-1a", "us-east-1b"]},
    ]
    for number, zones in enumerate(pages):
        response: dict[str, object] = {
            "InstanceTypeOfferings": [
                {"InstanceType": "t3.micro", "LocationType": "availability-zone", "Location": z} for z in zones
            ]
        }
        params: dict[str, object] = {"LocationType": "availability-zone", "Filters": filters}
        if number + 1 < len(pages):
            response["NextToken"] = f"page-{number + 1}"
        if number:
            params["NextToken"] = f"page-{number}"
        ec2.add_response("describe_instance_type_offerings", response, params)


def test_an_instance_type_not_offered_in_one_of_the_groups_azs_fails_naming_that_az() -> None:
    ctx, ec2 = _with_subnets({"InstanceType": "t3.micro"})
    _offerings(ec2, ["us-east-1a"])

    check = launch.instance_type_offered(ctx)

    assert (check.id, check.status) == ("launch.instance-type", Status.FAIL)
    assert check.evidence == "t3.micro is not offered in us-east-1b (group AZs us-east-1a, us-east-1b)"
    assert check.fix.startswith("pick an instance type offered in every AZ (`aws ec2 describe-instance-type-offerings")
    assert check.fix.endswith("or drop those AZs' subnets from the group")


def test_an_instance_type_offered_in_every_az_across_pages_passes() -> None:
    ctx, ec2 = _with_subnets({"InstanceType": "t3.micro"})
    _offerings(ec2, ["us-east-1a"], ["us-east-1b"])

    check = launch.instance_type_offered(ctx)

    ec2.assert_no_pending_responses()
    assert (check.status, check.evidence) == (Status.PASS, "t3.micro offered in us-east-1a, us-east-1b")
    assert check.title == "the instance type is offered in every AZ of the group"


def test_the_instance_profile_check_is_skipped_without_a_readable_template() -> None:
    check = launch.instance_profile(_no_group())

    assert (check.id, check.status) == ("launch.instance-profile", Status.SKIP)
    assert check.evidence == "needs the template: Auto Scaling group blue-asg does not exist in us-east-1"


def test_a_template_naming_no_instance_profile_fails_and_says_pulumi_up_recreates_it() -> None:
    ctx, _ = _template_with({"ImageId": "ami-0abc"})

    check = launch.instance_profile(ctx)

    assert (check.id, check.status) == ("launch.instance-profile", Status.FAIL)
    assert check.evidence == f"{TEMPLATE} names no instance profile"
    assert check.title == "the template's instance profile exists"
    assert check.fix.startswith("`pulumi up` recreates the profile") and check.fix.endswith("that names it")


def test_a_deleted_instance_profile_fails_naming_the_arn_the_template_holds_and_aws_code() -> None:
    ctx, _ = _template_with({"IamInstanceProfile": {"Arn": PROFILE_ARN}})
    iam = stub(ctx, "iam")
    iam.add_client_error("get_instance_profile", "NoSuchEntity", "not found", 404)

    check = launch.instance_profile(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"{TEMPLATE} names {PROFILE_ARN}: NoSuchEntity")
    assert check.fix.startswith("`pulumi up` recreates the profile")


def test_a_deleted_instance_profile_named_without_an_arn_is_named_by_its_name() -> None:
    ctx, _ = _template_with({"IamInstanceProfile": {"Name": "prod-profile"}})
    iam = stub(ctx, "iam")
    iam.add_client_error("get_instance_profile", "NoSuchEntity", "not found", 404)

    check = launch.instance_profile(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"{TEMPLATE} names prod-profile: NoSuchEntity")


def test_an_instance_profile_the_doctor_may_not_read_blames_the_doctors_policy() -> None:
    ctx, _ = _template_with({"IamInstanceProfile": {"Name": "prod-profile"}})
    iam = stub(ctx, "iam")
    iam.add_client_error("get_instance_profile", "AccessDenied", "not authorized", 403)

    check = launch.instance_profile(ctx)

    assert (check.id, check.status) == ("launch.instance-profile", Status.FAIL)
    assert check.evidence.startswith("an AWS call failed: AccessDenied") and "read-only policy" in check.fix


def test_an_instance_profile_that_exists_passes_naming_it() -> None:
    ctx, _ = _template_with({"IamInstanceProfile": {"Arn": PROFILE_ARN}})
    iam = stub(ctx, "iam")
    iam.add_response(
        "get_instance_profile",
        {
            "InstanceProfile": {
                "Path": "/",
                "InstanceProfileName": "prod-profile",
                "InstanceProfileId": "AIPAEXAMPLEEXAMPLE01",
                "Arn": PROFILE_ARN,
                "CreateDate": NOW,
                "Roles": [],
            }
        },
        {"InstanceProfileName": "prod-profile"},
    )

    check = launch.instance_profile(ctx)

    iam.assert_no_pending_responses()
    assert (check.status, check.evidence) == (Status.PASS, f"{TEMPLATE} -> prod-profile exists")


def _groups(*entries: tuple[str, str]) -> dict[str, object]:
    return {
        "SecurityGroups": [
            {"GroupId": gid, "GroupName": gid, "Description": "d", "OwnerId": "123456789012", "VpcId": vpc}
            for gid, vpc in entries
        ]
    }


def test_the_security_group_check_is_skipped_without_the_group() -> None:
    check = launch.security_groups_vpc(_no_group())

    assert (check.id, check.status) == ("launch.security-groups", Status.SKIP)
    assert check.evidence.startswith("needs the template and the group's subnets: ")


def test_a_template_naming_no_security_group_fails_as_the_vpc_default_would_apply() -> None:
    ctx, _ = _with_subnets({"ImageId": "ami-0abc"})

    check = launch.security_groups_vpc(ctx)

    assert (check.id, check.status, check.fix) == ("launch.security-groups", Status.FAIL, "`pulumi up`")
    assert check.evidence == f"{TEMPLATE} names no security group (the VPC default would apply)"


def test_a_deleted_security_group_fails_naming_it_and_aws_code() -> None:
    ctx, ec2 = _with_subnets({"SecurityGroupIds": ["sg-0inst"]})
    ec2.add_client_error("describe_security_groups", "InvalidGroup.NotFound", "gone", 400)

    check = launch.security_groups_vpc(ctx)

    assert (check.status, check.evidence, check.fix) == (
        Status.FAIL,
        f"{TEMPLATE}: sg-0inst: InvalidGroup.NotFound",
        "`pulumi up`",
    )
    assert check.title == "the template's security groups are in the subnets' VPC"


def test_security_groups_the_doctor_may_not_describe_blame_the_doctors_policy() -> None:
    ctx, ec2 = _with_subnets({"SecurityGroupIds": ["sg-0inst"]})
    ec2.add_client_error("describe_security_groups", "UnauthorizedOperation", "no", 403)

    check = launch.security_groups_vpc(ctx)

    assert check.evidence.startswith("an AWS call failed: UnauthorizedOperation") and "read-only policy" in check.fix


def test_a_security_group_of_another_vpc_fails_naming_both_vpcs() -> None:
    ctx, ec2 = _with_subnets({"NetworkInterfaces": [{"DeviceIndex": 0, "Groups": ["sg-0inst", "sg-0other"]}]})
    ec2.add_response(
        "describe_security_groups",
        _groups(("sg-0inst", "vpc-0app"), ("sg-0other", "vpc-0stray")),
        {"GroupIds": ["sg-0inst", "sg-0other"]},
    )

    check = launch.security_groups_vpc(ctx)

    assert (check.status, check.fix) == (Status.FAIL, "`pulumi up`")
    assert check.evidence == f"{TEMPLATE}: sg-0other in vpc-0stray, subnets in vpc-0app"


def test_security_groups_in_the_subnets_vpc_pass() -> None:
    ctx, ec2 = _with_subnets({"SecurityGroupIds": ["sg-0inst"]})
    ec2.add_response("describe_security_groups", _groups(("sg-0inst", "vpc-0app")), {"GroupIds": ["sg-0inst"]})

    check = launch.security_groups_vpc(ctx)

    assert (check.status, check.evidence) == (Status.PASS, f"{TEMPLATE}: sg-0inst in vpc-0app")


def test_several_security_groups_in_the_subnets_vpc_pass_naming_each() -> None:
    ctx, ec2 = _with_subnets({"SecurityGroupIds": ["sg-0inst", "sg-0web"]})
    ec2.add_response(
        "describe_security_groups",
        _groups(("sg-0inst", "vpc-0app"), ("sg-0web", "vpc-0app")),
        {"GroupIds": ["sg-0inst", "sg-0web"]},
    )

    check = launch.security_groups_vpc(ctx)

    assert (check.status, check.evidence) == (Status.PASS, f"{TEMPLATE}: sg-0inst, sg-0web in vpc-0app")


def _activities(*entries: dict[str, object]) -> Context:
    ctx = context(OUTPUTS)
    asg = stub(ctx, "autoscaling")
    asg.add_response("describe_auto_scaling_groups", group("blue-asg"), {"AutoScalingGroupNames": ["blue-asg"]})
    asg.add_response(
        "describe_scaling_activities", activities(*entries), {"AutoScalingGroupName": "blue-asg", "MaxRecords": 20}
    )
    return ctx


def test_the_activities_check_is_skipped_when_the_stack_exports_no_group() -> None:
    check = launch.scaling_activities(context({"targetGroupArn": OUTPUTS["targetGroupArn"]}))

    assert (check.id, check.status, check.evidence) == (
        "launch.activities",
        Status.SKIP,
        "needs the group: the stack exports no asgName",
    )
    assert check.title == "the group's latest scaling activities did not fail"


def test_a_live_failure_quotes_the_newest_failures_time_description_and_status_message() -> None:
    check = launch.scaling_activities(
        _activities(activity("Cancelled", NO_AMI, 1), activity("Failed", "older", 5), activity("Successful", "", 60))
    )

    assert (check.id, check.status) == ("launch.activities", Status.FAIL)
    assert check.evidence == (
        "2 failed since the last success; latest 2026-11-27 11:59:00+00:00: 'Launching a new EC2 instance': "
        f"StatusMessage {NO_AMI!r}"
    )
    assert check.fix.startswith("fix what StatusMessage names") and check.fix.endswith("then `pulumi up`")
    assert check.title == "the group's latest scaling activities did not fail"


def test_a_failure_aws_gave_no_description_is_quoted_as_empty_not_invented() -> None:
    failed = activity("Failed", NO_AMI, 1)
    del failed["Description"]  # optional in DescribeScalingActivities' reply

    check = launch.scaling_activities(_activities(failed))

    assert check.status is Status.FAIL
    assert f"1 failed since the last success; latest 2026-11-27 11:59:00+00:00: '': StatusMessage {NO_AMI!r}" == (
        check.evidence
    )


def test_activities_still_in_progress_are_neither_failures_nor_a_success() -> None:
    check = launch.scaling_activities(
        _activities(activity("InProgress", "", 0), activity("Failed", NO_AMI, 1), activity("Successful", "", 9))
    )

    assert check.status is Status.FAIL and check.evidence.startswith("1 failed since the last success")


def test_an_older_failure_since_recovered_warns_quoting_its_status_message() -> None:
    check = launch.scaling_activities(_activities(activity("Successful", "", 1), activity("Cancelled", NO_AMI, 5)))

    assert (check.status, check.evidence) == (Status.WARN, f"an older failure, since recovered: {NO_AMI!r}")


def test_an_older_failure_aws_gave_no_status_message_warns_quoting_it_as_empty_not_invented() -> None:
    check = launch.scaling_activities(_activities(activity("Successful", "", 1), activity("Failed", "", 5)))

    assert (check.status, check.evidence) == (Status.WARN, "an older failure, since recovered: ''")


def test_no_failed_activity_passes_saying_how_many_were_read() -> None:
    check = launch.scaling_activities(_activities(activity("Successful", "", 1), activity("InProgress", "", 5)))

    assert (check.status, check.evidence) == (Status.PASS, "group blue-asg: no failed activity in the last 2")


def _health(*targets: dict[str, object], outputs: dict[str, object] = OUTPUTS) -> Context:
    ctx = context(outputs)
    stub(ctx, "elbv2").add_response(
        "describe_target_health",
        {"TargetHealthDescriptions": list(targets)},
        {"TargetGroupArn": OUTPUTS["targetGroupArn"]},
    )
    return ctx


def test_the_target_health_check_is_skipped_when_the_stack_exports_no_target_group() -> None:
    check = launch.target_health(context({"asgName": "blue-asg"}))

    assert (check.id, check.status, check.evidence) == (
        "launch.target-health",
        Status.SKIP,
        "the stack exports no targetGroupArn",
    )


def test_a_target_group_that_no_longer_exists_fails_and_says_pulumi_up_restores_it() -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "elbv2").add_client_error(
        "describe_target_health", "TargetGroupNotFound", "One or more target groups not found", 400
    )

    check = launch.target_health(ctx)

    assert (check.id, check.status, check.fix) == ("launch.target-health", Status.FAIL, "`pulumi up`")
    arn = OUTPUTS["targetGroupArn"]
    assert check.evidence == f"target group {arn} does not exist in us-east-1 (TargetGroupNotFound)"


def test_a_target_health_error_other_than_a_missing_group_stays_an_aws_failure_to_retry() -> None:
    ctx = context(OUTPUTS)
    stub(ctx, "elbv2").add_client_error("describe_target_health", "Throttling", "Rate exceeded", 400)

    check = launch.target_health(ctx)

    assert check.status is Status.FAIL and check.evidence.startswith("an AWS call failed: Throttling")
    assert check.fix.startswith("retry")


def test_no_registered_targets_fail_and_the_fix_says_the_group_launched_nothing() -> None:
    check = launch.target_health(_health())

    assert (check.id, check.status, check.evidence) == ("launch.target-health", Status.FAIL, "no targets registered")
    assert check.fix.startswith("Target.Timeout: the ALB-to-instance security-group chain")
    assert "Target.ResponseCodeMismatch: the app's health path" in check.fix
    assert check.fix.endswith("no targets: the group launched nothing")


def test_an_unhealthy_target_without_a_description_is_named_with_its_reason_alone() -> None:
    check = launch.target_health(_health(target("i-0a", "healthy"), target("i-0b", "unused", "Target.InvalidState")))

    assert (check.status, check.evidence) == (Status.FAIL, "i-0a healthy, i-0b unused (Target.InvalidState)")


def test_the_first_unhealthy_targets_description_is_quoted() -> None:
    check = launch.target_health(
        _health(
            target("i-0a", "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [404]"),
            target("i-0b", "unhealthy", "Target.Timeout", "Request timed out"),
        )
    )

    assert check.evidence == (
        "i-0a unhealthy (Target.ResponseCodeMismatch), i-0b unhealthy (Target.Timeout): "
        "Health checks failed with these codes: [404]"
    )
    assert (check.status, check.title) == (Status.FAIL, "the target group's targets are healthy")


def test_a_draining_target_warns_and_says_to_wait_for_the_healthy_threshold() -> None:
    check = launch.target_health(_health(target("i-0a", "healthy"), target("i-0b", "draining")))

    assert (check.id, check.status, check.evidence) == (
        "launch.target-health",
        Status.WARN,
        "i-0a healthy, i-0b draining",
    )
    assert check.fix == "wait for the health check's healthy threshold"


def test_all_targets_healthy_pass() -> None:
    check = launch.target_health(_health(target("i-0a", "healthy"), target("i-0b", "healthy")))

    assert (check.status, check.evidence, check.fix) == (Status.PASS, "i-0a healthy, i-0b healthy", "")


# --- the ALB -> instance security-group chain -------------------------------------------------------

LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/blue-alb/0123456789abcdef"


def _rule(port: int, *, groups: tuple[str, ...] = (), cidrs: tuple[str, ...] = ()) -> dict[str, object]:
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "UserIdGroupPairs": [{"GroupId": g} for g in groups],
        "IpRanges": [{"CidrIp": c} for c in cidrs],
    }


def _chain(
    instance_ingress: list[dict[str, object]],
    alb_egress: list[dict[str, object]] | None,
    *,
    alb_groups: tuple[str, ...] = ("sg-0alb",),
    instance_groups: tuple[str, ...] = ("sg-0inst",),
    lbs: tuple[str, ...] | None = (LB_ARN,),
    **config: str,
) -> Context:
    """The calls the chain check makes; ``lbs=None``: the target group reply omits LoadBalancerArns (optional);
    ``alb_egress=None``: the ALB's groups are described without IpPermissionsEgress (optional in EC2's model)."""
    ctx = context(OUTPUTS, **config)
    _, ec2 = group_template(ctx, {"SecurityGroupIds": list(instance_groups)})
    elb = stub(ctx, "elbv2")
    arn = OUTPUTS["targetGroupArn"]
    described_group: dict[str, object] = {"TargetGroupArn": arn}
    if lbs is not None:
        described_group["LoadBalancerArns"] = list(lbs)
    elb.add_response("describe_target_groups", {"TargetGroups": [described_group]}, {"TargetGroupArns": [arn]})
    if not lbs:
        return ctx
    elb.add_response(
        "describe_load_balancers",
        {"LoadBalancers": [{"LoadBalancerArn": LB_ARN, "SecurityGroups": list(alb_groups)}]},
        {"LoadBalancerArns": list(lbs)},
    )
    if not alb_groups or not instance_groups:
        return ctx
    described = [
        {"GroupId": g, "IpPermissions": instance_ingress, "IpPermissionsEgress": []} for g in instance_groups
    ] + [
        {"GroupId": g, "IpPermissions": [], **({} if alb_egress is None else {"IpPermissionsEgress": alb_egress})}
        for g in alb_groups
    ]
    ec2.add_response(
        "describe_security_groups",
        {"SecurityGroups": described},
        {"GroupIds": sorted({*alb_groups, *instance_groups})},
    )
    return ctx


def test_the_alb_chain_is_skipped_without_a_readable_template() -> None:
    check = launch.alb_chain(_no_group())

    assert (check.id, check.status) == ("launch.alb-chain", Status.SKIP)
    assert check.evidence == "needs the template: Auto Scaling group blue-asg does not exist in us-east-1"


def test_the_alb_chain_is_skipped_when_the_stack_exports_no_target_group() -> None:
    ctx = context({"asgName": "blue-asg"})
    group_template(ctx, None)

    check = launch.alb_chain(ctx)

    assert (check.status, check.evidence) == (Status.SKIP, "the stack exports no targetGroupArn")
    assert check.title == "the ALB's security group reaches the instances on appPort"


@pytest.mark.parametrize("lbs", [(), None], ids=["empty", "omitted"])
def test_a_target_group_without_a_load_balancer_fails_naming_the_target_group(lbs: tuple[str, ...] | None) -> None:
    check = launch.alb_chain(_chain([], [], lbs=lbs))

    assert (check.id, check.status, check.fix) == ("launch.alb-chain", Status.FAIL, "`pulumi up`")
    assert check.evidence == f"target group {OUTPUTS['targetGroupArn']} has no load balancer"


def test_an_alb_without_security_groups_fails_showing_both_sides() -> None:
    check = launch.alb_chain(_chain([], [], alb_groups=()))

    assert (check.id, check.status, check.fix) == ("launch.alb-chain", Status.FAIL, "`pulumi up`")
    assert check.title == "the ALB's security group reaches the instances on appPort"
    assert check.evidence == "ALB groups [], instance groups ['sg-0inst']"


def test_instances_admitting_app_port_from_another_group_fail_naming_it_and_the_albs() -> None:
    check = launch.alb_chain(_chain([_rule(80, groups=("sg-0other",))], [_rule(80, groups=("sg-0inst",))]))

    assert (check.id, check.status) == ("launch.alb-chain", Status.FAIL)
    assert check.title == "the ALB's security group reaches the instances on appPort"
    assert check.evidence == "sg-0inst admits tcp/80 from sg-0other, not from the ALB's sg-0alb"
    assert check.fix.startswith("`pulumi up` restores the rule") and check.fix.endswith(
        "from the ALB's security group only"
    )


def test_instances_admitting_the_alb_on_another_port_than_app_port_fail_naming_app_port() -> None:
    check = launch.alb_chain(
        _chain([_rule(80, groups=("sg-0alb",))], [_rule(8080, groups=("sg-0inst",))], appPort="8080")
    )

    assert (check.status, check.evidence) == (
        Status.FAIL,
        "sg-0inst admits tcp/8080 from no group, not from the ALB's sg-0alb",
    )


def test_an_alb_without_egress_to_the_instances_fails_naming_both_groups_and_the_port() -> None:
    check = launch.alb_chain(_chain([_rule(80, groups=("sg-0alb",))], [_rule(443, cidrs=("0.0.0.0/0",))]))

    assert (check.status, check.evidence) == (Status.FAIL, "sg-0alb has no egress on tcp/80 to sg-0inst")
    assert check.fix.startswith("`pulumi up` restores the rule")


def test_an_alb_group_described_without_egress_rules_fails_as_having_no_egress_to_the_instances() -> None:
    check = launch.alb_chain(_chain([_rule(80, groups=("sg-0alb",))], None))

    assert (check.status, check.evidence) == (Status.FAIL, "sg-0alb has no egress on tcp/80 to sg-0inst")
    assert check.fix.startswith("`pulumi up` restores the rule")


def test_an_alb_with_egress_to_the_instances_group_passes_showing_the_chain() -> None:
    check = launch.alb_chain(
        _chain([_rule(8080, groups=("sg-0alb",))], [_rule(8080, groups=("sg-0inst",))], appPort="8080")
    )

    assert (check.id, check.status, check.fix) == ("launch.alb-chain", Status.PASS, "")
    assert check.evidence == f"sg-0alb (ALB) -> tcp/8080 -> sg-0inst ({TEMPLATE})"


def test_an_alb_with_egress_to_any_address_on_app_port_passes() -> None:
    check = launch.alb_chain(_chain([_rule(80, groups=("sg-0alb",))], [_rule(80, cidrs=("0.0.0.0/0",))]))

    assert (check.status, check.evidence) == (Status.PASS, f"sg-0alb (ALB) -> tcp/80 -> sg-0inst ({TEMPLATE})")


def test_the_alb_chain_names_the_instance_group_that_admits_the_alb_among_several() -> None:
    check = launch.alb_chain(
        _chain(
            [_rule(80, groups=("sg-0alb",))],
            [_rule(80, groups=("sg-0inst",))],
            instance_groups=("sg-0inst",),
            alb_groups=("sg-0alb", "sg-0alb2"),
        )
    )

    assert (check.status, check.evidence) == (Status.PASS, f"sg-0alb (ALB) -> tcp/80 -> sg-0inst ({TEMPLATE})")

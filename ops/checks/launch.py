"""Group 3, "the ASG launches nothing" (production): the Launch Template first, then the group's history.

Template version, AMI, instance type per AZ, instance profile, security groups' VPC; then what AWS
said (failed scaling activities, quoted), then what the load balancer sees (target health), then the
security-group chain from the ALB to the instances on ``appPort``.
"""

from __future__ import annotations

from typing import Any

from ops.checks import rules
from ops.checks.context import CheckFn, Context, Missing, check, group_subnet_ids, template_security_groups
from ops.checks.s3access import profile_name
from ops.report import Check
from ops.session import AwsError, error_code, is_denied

FAILED = ("Failed", "Cancelled")
FAILING_STATES = ("unhealthy", "unavailable")
# "unused" for these reasons means the target cannot serve (stopped or terminated, an AZ the load
# balancer does not serve, an address it cannot use), not that it is waiting to be checked.
FAILING_UNUSED = ("Target.InvalidState", "Target.NotInUse", "Target.IpUnusable")
RECENT_ACTIVITIES = 20


def _data(ctx: Context) -> tuple[str, dict[str, Any]]:
    version = ctx.template_version()
    return f"{version['LaunchTemplateId']} v{version['VersionNumber']}", version.get("LaunchTemplateData", {})


@check("launch.template", "the group's launch template version exists and is the latest")
def template(ctx: Context, cid: str, title: str) -> Check:
    fix = "`pulumi up`: it restores the template and the group"
    try:
        group = ctx.group()
        version = ctx.template_version()
    except Missing as why:
        return Check.failed(cid, title, str(why), fix)
    template_id = version["LaunchTemplateId"]
    number = version["VersionNumber"]
    latest = ctx.aws.ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=["$Latest"])
    latest_number = (latest.get("LaunchTemplateVersions") or [{}])[0].get("VersionNumber")
    evidence = f"group {group['AutoScalingGroupName']} launches {template_id} v{number}; latest is v{latest_number}"
    if latest_number is not None and latest_number != number:
        # The rollout writes a version onto the group only when its instance refresh succeeds.
        return Check.warned(
            cid,
            title,
            f"{evidence}: a refresh to v{latest_number} is running, failed or was rolled back",
            f"aws autoscaling describe-instance-refreshes --auto-scaling-group-name {group['AutoScalingGroupName']}; "
            "fix what its StatusReason names, then `pulumi up` starts a new refresh",
        )
    return Check.passed(cid, title, evidence)


def _architectures(ctx: Context, instance_type: str) -> list[str]:
    types = ctx.aws.ec2.describe_instance_types(InstanceTypes=[instance_type])["InstanceTypes"]
    return list(types[0].get("ProcessorInfo", {}).get("SupportedArchitectures", [])) if types else []


@check("launch.ami", "the template's AMI exists, is available here and fits the instance type")
def ami(ctx: Context, cid: str, title: str) -> Check:
    try:
        label, data = _data(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the template: {why}")
    image_id, instance_type = data.get("ImageId"), data.get("InstanceType")
    fix = "`pulumi config set amiId <an available AMI in this region>` (or `pulumi config rm amiId`) and `pulumi up`"
    if not image_id:
        return Check.failed(cid, title, f"{label} names no AMI", fix)
    try:
        images = ctx.aws.ec2.describe_images(ImageIds=[image_id])["Images"]
    except AwsError as error:
        if is_denied(error):
            raise
        return Check.failed(cid, title, f"{label}: {image_id}: {error_code(error)} in {ctx.aws.region}", fix)
    if not images:
        return Check.failed(
            cid, title, f"{label}: {image_id} does not exist (or is not shared) in {ctx.aws.region}", fix
        )
    image = images[0]
    state = image.get("State", "unknown")
    if state != "available":
        reason = (image.get("StateReason") or {}).get("Message", "")
        return Check.failed(cid, title, f"{label}: {image_id} is {state}" + (f": {reason!r}" if reason else ""), fix)
    architecture = image.get("Architecture", "unknown")
    if instance_type:
        supported = _architectures(ctx, instance_type)
        if supported and architecture not in supported:
            return Check.failed(
                cid,
                title,
                f"{label}: {image_id} is {architecture}, {instance_type} runs {', '.join(supported)}",
                "pick an AMI of the instance type's architecture, or a type of the AMI's (t4g for arm64)",
            )
    return Check.passed(cid, title, f"{label}: {image_id} available, {architecture}, fits {instance_type}")


@check("launch.instance-type", "the instance type is offered in every AZ of the group")
def instance_type_offered(ctx: Context, cid: str, title: str) -> Check:
    try:
        label, data = _data(ctx)
        subnets = ctx.subnets(group_subnet_ids(ctx.group()))
    except Missing as why:
        return Check.skipped(cid, title, f"needs the template and the group's subnets: {why}")
    instance_type = data.get("InstanceType")
    if not instance_type:
        return Check.warned(cid, title, f"{label} sets no instance type (the group's overrides decide)")
    zones = sorted({s["AvailabilityZone"] for s in subnets})
    offered: set[str] = set()
    paginator = ctx.aws.ec2.get_paginator("describe_instance_type_offerings")
    filters = [{"Name": "instance-type", "Values": [instance_type]}, {"Name": "location", "Values": zones}]
    for page in paginator.paginate(LocationType="availability-zone", Filters=filters):
        offered.update(o["Location"] for o in page.get("InstanceTypeOfferings", []))
    missing = [z for z in zones if z not in offered]
    if missing:
        return Check.failed(
            cid,
            title,
            f"{instance_type} is not offered in {', '.join(missing)} (group AZs {', '.join(zones)})",
            "pick an instance type offered in every AZ (`aws ec2 describe-instance-type-offerings --location-type "
            "availability-zone`), or drop those AZs' subnets from the group",
        )
    return Check.passed(cid, title, f"{instance_type} offered in {', '.join(zones)}")


@check("launch.instance-profile", "the template's instance profile exists")
def instance_profile(ctx: Context, cid: str, title: str) -> Check:
    try:
        label, data = _data(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the template: {why}")
    spec = data.get("IamInstanceProfile") or {}
    name = profile_name(spec)
    fix = "`pulumi up` recreates the profile and a template version that names it"
    if not name:
        return Check.failed(cid, title, f"{label} names no instance profile", fix)
    try:
        ctx.aws.iam.get_instance_profile(InstanceProfileName=name)
    except AwsError as error:
        if is_denied(error):
            raise
        return Check.failed(cid, title, f"{label} names {spec.get('Arn') or name}: {error_code(error)}", fix)
    return Check.passed(cid, title, f"{label} -> {name} exists")


@check("launch.security-groups", "the template's security groups are in the subnets' VPC")
def security_groups_vpc(ctx: Context, cid: str, title: str) -> Check:
    try:
        label, data = _data(ctx)
        subnets = ctx.subnets(group_subnet_ids(ctx.group()))
    except Missing as why:
        return Check.skipped(cid, title, f"needs the template and the group's subnets: {why}")
    group_ids = template_security_groups(data)
    if not group_ids:
        return Check.failed(cid, title, f"{label} names no security group (the VPC default would apply)", "`pulumi up`")
    vpcs = {s["VpcId"] for s in subnets}
    try:
        groups = ctx.aws.ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
    except AwsError as error:
        if is_denied(error):
            raise
        return Check.failed(cid, title, f"{label}: {', '.join(group_ids)}: {error_code(error)}", "`pulumi up`")
    stray = [f"{g['GroupId']} in {g.get('VpcId')}" for g in groups if g.get("VpcId") not in vpcs]
    if stray:
        return Check.failed(
            cid, title, f"{label}: {', '.join(stray)}, subnets in {', '.join(sorted(vpcs))}", "`pulumi up`"
        )
    return Check.passed(cid, title, f"{label}: {', '.join(group_ids)} in {', '.join(sorted(vpcs))}")


@check("launch.activities", "the group's latest scaling activities did not fail")
def scaling_activities(ctx: Context, cid: str, title: str) -> Check:
    output = "asgName"
    try:
        name = ctx.group(output)["AutoScalingGroupName"]
    except Missing as why:
        return Check.skipped(cid, title, f"needs the group: {why}")
    activities = ctx.aws.autoscaling.describe_scaling_activities(
        AutoScalingGroupName=name, MaxRecords=RECENT_ACTIVITIES
    ).get("Activities", [])
    # AWS returns the newest first: failures after the last success are the live problem.
    live: list[dict[str, Any]] = []
    for activity in activities:
        if activity.get("StatusCode") == "Successful":
            break
        if activity.get("StatusCode") in FAILED:
            live.append(activity)
    older = [a for a in activities if a.get("StatusCode") in FAILED and a not in live]
    if live:
        newest = live[0]
        return Check.failed(
            cid,
            title,
            f"{len(live)} failed since the last success; latest {newest.get('StartTime', '')}: "
            f"{newest.get('Description', '')!r}: StatusMessage {newest.get('StatusMessage', '')!r}",
            "fix what StatusMessage names (the template checks above cover the usual causes), then `pulumi up`",
        )
    if older:
        return Check.warned(cid, title, f"an older failure, since recovered: {older[0].get('StatusMessage', '')!r}")
    return Check.passed(cid, title, f"group {name}: no failed activity in the last {len(activities)}")


def health(ctx: Context, arn: str) -> list[dict[str, Any]]:
    """The target group's targets; ``Missing`` when the group no longer exists (any other AWS error is raised)."""

    def load() -> list[dict[str, Any]]:
        try:
            return list(ctx.aws.elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"])
        except AwsError as error:
            if error_code(error) != "TargetGroupNotFound":
                raise
            raise Missing(f"target group {arn} does not exist in {ctx.aws.region} (TargetGroupNotFound)") from error

    return list(ctx.cached(f"health:{arn}", load))


def failing(target: dict[str, Any]) -> bool:
    state = target.get("TargetHealth", {})
    return state.get("State") in FAILING_STATES or (
        state.get("State") == "unused" and state.get("Reason") in FAILING_UNUSED
    )


def describe_health(targets: list[dict[str, Any]]) -> str:
    parts = []
    for target in targets:
        state = target.get("TargetHealth", {})
        reason = state.get("Reason")
        parts.append(f"{target['Target']['Id']} {state.get('State')}" + (f" ({reason})" if reason else ""))
    return ", ".join(parts) or "no targets registered"


@check("launch.target-health", "the target group's targets are healthy")
def target_health(ctx: Context, cid: str, title: str) -> Check:
    output = "targetGroupArn"
    arn = ctx.stack.text(output)
    if not arn:
        return Check.skipped(cid, title, f"the stack exports no {output}")
    try:
        targets = health(ctx, arn)
    except Missing as why:
        return Check.failed(cid, title, str(why), "`pulumi up`")
    evidence = describe_health(targets)
    unhealthy = [t for t in targets if failing(t)]
    if not targets or unhealthy:
        bad = unhealthy[0].get("TargetHealth", {}) if unhealthy else {}
        detail = f": {bad.get('Description')}" if bad.get("Description") else ""
        return Check.failed(
            cid,
            title,
            evidence + detail,
            "Target.Timeout: the ALB-to-instance security-group chain or the app not listening on appPort; "
            "Target.ResponseCodeMismatch: the app's health path; no targets: the group launched nothing",
        )
    if any(t.get("TargetHealth", {}).get("State") != "healthy" for t in targets):
        return Check.warned(cid, title, evidence, "wait for the health check's healthy threshold")
    return Check.passed(cid, title, evidence)


@check("launch.alb-chain", "the ALB's security group reaches the instances on appPort")
def alb_chain(ctx: Context, cid: str, title: str) -> Check:
    arn = ctx.stack.text("targetGroupArn")
    try:
        label, data = _data(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the template: {why}")
    if not arn:
        return Check.skipped(cid, title, "the stack exports no targetGroupArn")
    port = ctx.stack.config.app_port
    elbv2, ec2 = ctx.aws.elbv2, ctx.aws.ec2
    groups = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"]
    lb_arns = groups[0].get("LoadBalancerArns", []) if groups else []
    if not lb_arns:
        return Check.failed(cid, title, f"target group {arn} has no load balancer", "`pulumi up`")
    balancers = elbv2.describe_load_balancers(LoadBalancerArns=lb_arns)["LoadBalancers"]
    alb_groups = sorted({g for lb in balancers for g in lb.get("SecurityGroups", [])})
    instance_groups = template_security_groups(data)
    if not alb_groups or not instance_groups:
        return Check.failed(cid, title, f"ALB groups {alb_groups}, instance groups {instance_groups}", "`pulumi up`")
    described = {
        g["GroupId"]: g
        for g in ec2.describe_security_groups(GroupIds=sorted({*alb_groups, *instance_groups}))["SecurityGroups"]
    }
    fix = "`pulumi up` restores the rule: instances admit appPort from the ALB's security group only"
    admitted = [
        (i, a)
        for i in instance_groups
        for a in rules.sg_groups(described.get(i, {}).get("IpPermissions", []), port)
        if a in alb_groups
    ]
    if not admitted:
        shown = "; ".join(
            f"{i} admits tcp/{port} from "
            + (", ".join(rules.sg_groups(described.get(i, {}).get("IpPermissions", []), port)) or "no group")
            for i in instance_groups
        )
        return Check.failed(cid, title, f"{shown}, not from the ALB's {', '.join(alb_groups)}", fix)
    instance_sg, alb_sg = admitted[0]
    egress = described.get(alb_sg, {}).get("IpPermissionsEgress", [])
    out_groups = rules.sg_groups(egress, port)
    out_cidrs = rules.sg_sources(egress, port)
    if instance_sg not in out_groups and not out_cidrs:
        return Check.failed(cid, title, f"{alb_sg} has no egress on tcp/{port} to {instance_sg}", fix)
    return Check.passed(cid, title, f"{alb_sg} (ALB) -> tcp/{port} -> {instance_sg} ({label})")


# The lab's order within the group.
CHECKS: list[CheckFn] = [
    template,
    ami,
    instance_type_offered,
    instance_profile,
    security_groups_vpc,
    scaling_activities,
    target_health,
    alb_chain,
]

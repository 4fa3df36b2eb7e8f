"""One fleet of the production path: a versioned Launch Template, the Auto Scaling Group and its scaling policy.

The blue fleet and an optional green one are two calls of ``build_fleet`` with different settings and a
name suffix: blue's resource names never carry one, so adding and removing green never renames
(and so never replaces) the fleet that serves traffic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import launch
from components.alarms import FleetAlarms, build_fleet_alarms
from components.awsaccess import AwsAccess
from components.rollout import Rollout, RolloutArgs

# Seconds an instance may take to boot and start answering before ELB health checks may fail it.
HEALTH_CHECK_GRACE_SECONDS = 120
# Seconds a new instance needs before its metrics count toward scaling and a rollout moves on.
INSTANCE_WARMUP_SECONDS = 120
# Replacements (rollouts, unhealthy hosts) launch the new instance before terminating the old
# one: capacity never drops below desired, and rises at most by half for the duration.
MIN_HEALTHY_PERCENT = 100
MAX_HEALTHY_PERCENT = 150


@dataclass(frozen=True)
class Capacity:
    """Instance counts of one Auto Scaling Group."""

    min_size: int
    desired_capacity: int
    max_size: int


@dataclass(frozen=True)
class RolloutSettings:
    """How a new template version reaches a fleet's group."""

    # Minutes `pulumi up` waits for AWS's verdict on a refresh. @default 30
    timeout_minutes: int = 30
    # Roll back when the target group's unhealthy-host or 5xx alarm fires, not only on failed health checks.
    # @default True
    rollback_on_alarms: bool = True
    # Region and credentials of the stack's AWS provider. @default AwsAccess() (the environment's)
    access: AwsAccess = field(default_factory=AwsAccess)


@dataclass(frozen=True)
class Fleet:
    """The resources of one fleet and the colour it reports."""

    color: str
    launch_template: aws.ec2.LaunchTemplate
    group: aws.autoscaling.Group
    scaling_policy: aws.autoscaling.Policy
    rollout: Rollout
    # None when rollouts do not watch alarms (rollbackOnAlarms false).
    alarms: FleetAlarms | None


def build_launch_template(
    resource_name: str,
    settings: launch.LaunchSettings,
    *,
    instance_profile_arn: pulumi.Input[str],
    root_device_name: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> aws.ec2.LaunchTemplate:
    return aws.ec2.LaunchTemplate(
        resource_name,
        description="Versioned launch settings of the production fleet (components/launch.py)",
        image_id=settings.ami_id,
        instance_type=settings.instance_type,
        key_name=settings.key_name,
        iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=instance_profile_arn),
        # Security groups go on the interface: EC2 rejects them at the top level beside networkInterfaces.
        network_interfaces=[
            aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                device_index=0,
                associate_public_ip_address="false",
                delete_on_termination="true",
                security_groups=[settings.security_group_id],
            )
        ],
        metadata_options=launch.template_metadata_options(),
        monitoring=launch.template_monitoring(settings),
        block_device_mappings=[launch.template_root_volume(root_device_name)],
        tag_specifications=[
            aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=dict(tags))
            for kind in ("instance", "volume")
        ],
        user_data=settings.user_data_base64,
        # Each change becomes the default version too: console launches get the newest settings, which the
        # group runs once its rollout succeeds (after a rollback it runs the previous version).
        update_default_version=True,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def build_group(
    resource_name: str,
    template: aws.ec2.LaunchTemplate,
    *,
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    capacity: Capacity,
    target_group_arn: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> aws.autoscaling.Group:
    return aws.autoscaling.Group(
        resource_name,
        min_size=capacity.min_size,
        desired_capacity=capacity.desired_capacity,
        max_size=capacity.max_size,
        vpc_zone_identifiers=subnet_ids,
        # A numbered version, not "$Latest": auto-rollback needs one to return to. It is only the version
        # the group is created with: later versions reach it through the fleet's Rollout (see below).
        launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
            id=template.id, version=template.latest_version.apply(lambda version: str(int(version)))
        ),
        target_group_arns=[target_group_arn],
        # ELB, not EC2: an instance whose app stops answering is replaced, not only one whose host died.
        health_check_type="ELB",
        health_check_grace_period=HEALTH_CHECK_GRACE_SECONDS,
        default_instance_warmup=INSTANCE_WARMUP_SECONDS,
        instance_maintenance_policy=aws.autoscaling.GroupInstanceMaintenancePolicyArgs(
            min_healthy_percentage=MIN_HEALTHY_PERCENT, max_healthy_percentage=MAX_HEALTHY_PERCENT
        ),
        tags=[
            aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
            for key, value in sorted(tags.items())
        ],
        # The scaling policy owns desired capacity after creation; `pulumi up` must not reset it. The
        # template version is AWS's to set: a successful instance refresh writes it, a failed one leaves the
        # old one. Were the provider to write it (UpdateAutoScalingGroup), a refresh would have nothing to
        # roll back to (terraform-provider-aws issue 34189).
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["desiredCapacity", "launchTemplate.version"]),
    )


def build_scaling_policy(
    resource_name: str, group: aws.autoscaling.Group, *, target_cpu_percent: float, parent: pulumi.Resource
) -> aws.autoscaling.Policy:
    return aws.autoscaling.Policy(
        resource_name,
        autoscaling_group_name=group.name,
        policy_type="TargetTrackingScaling",
        target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
            predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                predefined_metric_type="ASGAverageCPUUtilization"
            ),
            target_value=target_cpu_percent,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def build_rollout(
    resource_name: str,
    template: aws.ec2.LaunchTemplate,
    group: aws.autoscaling.Group,
    *,
    image_id: pulumi.Input[str],
    alarms: FleetAlarms | None,
    settings: RolloutSettings,
    parent: pulumi.Resource,
) -> Rollout:
    return Rollout(
        resource_name,
        RolloutArgs(
            auto_scaling_group_name=group.name,
            launch_template_id=template.id,
            launch_template_version=template.latest_version.apply(lambda version: str(int(version))),
            image_id=image_id,
            min_healthy_percentage=MIN_HEALTHY_PERCENT,
            max_healthy_percentage=MAX_HEALTHY_PERCENT,
            instance_warmup_seconds=INSTANCE_WARMUP_SECONDS,
            alarm_names=alarms.names if alarms is not None else [],
            timeout_minutes=settings.timeout_minutes,
            access=settings.access,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def build_fleet(
    name: str,
    *,
    color: str,
    suffix: str,
    settings: launch.LaunchSettings,
    instance_profile_arn: pulumi.Input[str],
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    capacity: Capacity,
    target_group: aws.lb.TargetGroup,
    load_balancer_arn_suffix: pulumi.Input[str],
    target_cpu_percent: float,
    rollout: RolloutSettings,
    base_tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> Fleet:
    """The Launch Template, ASG, scaling policy, alarms and rollout of one fleet, named ``{name}-<part>{suffix}``."""
    tags = {**base_tags, "Name": f"{name}-{color}", "fleet": color}
    template = build_launch_template(
        f"{name}-lt{suffix}",
        settings,
        instance_profile_arn=instance_profile_arn,
        root_device_name=launch.root_device_name(settings.ami_id, parent),
        tags=tags,
        parent=parent,
    )
    group = build_group(
        f"{name}-asg{suffix}",
        template,
        subnet_ids=subnet_ids,
        capacity=capacity,
        target_group_arn=target_group.arn,
        tags=tags,
        parent=parent,
    )
    policy = build_scaling_policy(f"{name}-cpu{suffix}", group, target_cpu_percent=target_cpu_percent, parent=parent)
    alarms = (
        build_fleet_alarms(
            name,
            suffix,
            load_balancer_arn_suffix=load_balancer_arn_suffix,
            target_group_arn_suffix=target_group.arn_suffix,
            parent=parent,
        )
        if rollout.rollback_on_alarms
        else None
    )
    rollout_resource = build_rollout(
        f"{name}-rollout{suffix}",
        template,
        group,
        image_id=settings.ami_id,
        alarms=alarms,
        settings=rollout,
        parent=parent,
    )
    return Fleet(
        color=color,
        launch_template=template,
        group=group,
        scaling_policy=policy,
        rollout=rollout_resource,
        alarms=alarms,
    )

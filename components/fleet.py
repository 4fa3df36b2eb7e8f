"""One fleet of the production path: a versioned Launch Template, the Auto Scaling Group and its scaling policy.

The blue fleet and an optional green one are two calls of ``build_fleet`` with different settings and a
name suffix: blue's resource names never carry one, so adding and removing green never renames
(and so never replaces) the fleet that serves traffic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import launch

# Seconds an instance may take to boot and start answering before ELB health checks may fail it.
HEALTH_CHECK_GRACE_SECONDS = 120
# Seconds a new instance needs before its metrics count toward scaling and an instance refresh moves on.
INSTANCE_WARMUP_SECONDS = 120
# Replacements (instance refresh, unhealthy hosts) launch the new instance before terminating the old
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
class Fleet:
    """The resources of one fleet and the colour it reports."""

    color: str
    launch_template: aws.ec2.LaunchTemplate
    group: aws.autoscaling.Group
    scaling_policy: aws.autoscaling.Policy


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
        # Each change becomes the default version too, so console launches match what the ASG runs.
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
        # A numbered version, not "$Latest": a new version then changes the group, which starts an
        # instance refresh, and auto-rollback has a version to return to.
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
        instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
            strategy="Rolling",
            preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                min_healthy_percentage=MIN_HEALTHY_PERCENT,
                max_healthy_percentage=MAX_HEALTHY_PERCENT,
                auto_rollback=True,
                # Every change is a new template version, so every instance differs anyway; skip
                # matching would only hide instances whose user data fetched different code.
                skip_matching=False,
                scale_in_protected_instances="Refresh",
                standby_instances="Terminate",
            ),
        ),
        tags=[
            aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
            for key, value in sorted(tags.items())
        ],
        # The scaling policy owns desired capacity after creation; `pulumi up` must not reset it.
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["desiredCapacity"]),
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


def build_fleet(
    name: str,
    *,
    color: str,
    suffix: str,
    settings: launch.LaunchSettings,
    instance_profile_arn: pulumi.Input[str],
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    capacity: Capacity,
    target_group_arn: pulumi.Input[str],
    target_cpu_percent: float,
    base_tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> Fleet:
    """The Launch Template, ASG and scaling policy of one fleet, named ``{name}-<part>{suffix}``."""
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
        target_group_arn=target_group_arn,
        tags=tags,
        parent=parent,
    )
    policy = build_scaling_policy(f"{name}-cpu{suffix}", group, target_cpu_percent=target_cpu_percent, parent=parent)
    return Fleet(color=color, launch_template=template, group=group, scaling_policy=policy)

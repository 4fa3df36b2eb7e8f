"""Wires the three components into the lab stack or the production stack, and exports outputs.

Everything that decides lives in the components; this module only connects their outputs to each
other's inputs, in one place a reader can follow: network -> identity -> compute.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.awsaccess import AwsAccess
from components.compute import Compute, ComputeArgs, FleetArgs
from components.config import StackConfig
from components.fleet import RolloutSettings
from components.identity import Identity, IdentityArgs
from components.network import Network, NetworkArgs
from components.tags import traceability_tags


def aws_provider(access: AwsAccess) -> aws.Provider:
    """The one AWS provider every resource uses, tagging everything it creates for traceability.

    An explicit provider reads no ``aws:`` stack config itself: region, profile and role chain are passed
    here, from the same ``AwsAccess`` the rollouts call AWS with.
    """
    roles = [
        aws.ProviderAssumeRoleArgs(
            role_arn=role.role_arn,
            session_name=role.session_name,
            external_id=pulumi.Output.secret(role.external_id) if role.external_id else None,
            duration=f"{role.duration_seconds}s" if role.duration_seconds else None,
        )
        for role in access.assume_roles
    ]
    return aws.Provider(
        "aws",
        region=access.region,
        profile=access.profile,
        assume_roles=roles or None,
        default_tags=aws.ProviderDefaultTagsArgs(tags=traceability_tags()),
    )


def build_stack(config: StackConfig, *, access: AwsAccess) -> None:
    provider = aws_provider(access)
    opts = pulumi.ResourceOptions(providers={"aws": provider})

    network = Network(
        "network",
        NetworkArgs(
            az_count=config.az_count,
            vpc_cidr=config.vpc_cidr,
            use_default_vpc=config.use_default_vpc,
            private_subnets=config.production,
            nat_gateways=config.nat_gateways,
        ),
        opts=opts,
    )
    identity = Identity(
        "identity",
        IdentityArgs(app_bucket=config.app_bucket, session_manager=config.session_manager),
        opts=opts,
    )
    fleet = None
    if config.production:
        fleet = FleetArgs(
            public_subnet_ids=network.public_subnet_ids,
            internet_ready=network.internet_ready,
            min_size=config.min_size,
            desired_capacity=config.desired_capacity,
            max_size=config.max_size,
            target_cpu_percent=config.target_cpu_percent,
            health_check_path=config.health_check_path,
            certificate_arn=config.certificate_arn,
            deletion_protection=config.deletion_protection,
            green=config.green,
            access_logs=config.access_logs,
            access_log_days=config.access_log_days,
            log_bucket_force_destroy=config.log_bucket_force_destroy,
            waf=config.waf,
            rollout=RolloutSettings(
                timeout_minutes=config.rollout_timeout_minutes,
                rollback_on_alarms=config.rollback_on_alarms,
                access=access,
            ),
        )
    compute = Compute(
        "compute",
        ComputeArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids if config.production else network.public_subnet_ids,
            instance_profile_name=identity.instance_profile_name,
            instance_profile_arn=identity.instance_profile_arn,
            instance_type=config.instance_type,
            ami_id=config.ami_id,
            ssh_cidr=config.ssh_cidr if config.ssh_enabled else None,
            ssh_public_key=config.ssh_public_key,
            app_port=config.app_port,
            fleet=fleet,
            detailed_monitoring=config.detailed_monitoring,
            role_name=identity.role_name,
            tags=traceability_tags(),
            internet_ready=network.internet_ready,
        ),
        opts=opts,
    )

    pulumi.export("vpcId", network.vpc_id)
    pulumi.export("publicSubnetIds", network.public_subnet_ids)
    pulumi.export("privateSubnetIds", network.private_subnet_ids)
    pulumi.export("roleName", identity.role_name)
    for key, value in compute.exports().items():
        pulumi.export(key, value)

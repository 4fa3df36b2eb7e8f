"""Launch settings shared by the lab instance and the Launch Template: production is no copy of the lab.

One place decides the image, the metadata service options, the root volume and the user data; the lab
instance and every Launch Template version read them from here, so a fix to one is a fix to both.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.userdata import render_user_data

AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"

# IMDSv2 only (a token is required, so an SSRF that can only send GET cannot read credentials), and a
# hop limit of 1 so a container or forwarded request one hop further cannot reach the metadata service.
IMDS_ENDPOINT = "enabled"
IMDS_TOKENS = "required"
IMDS_HOP_LIMIT = 1

ROOT_VOLUME_TYPE = "gp3"

# Graviton families carry a "g" right after the generation digit (t4g, m7gd, c6gn, im4gn, is4gen);
# a1 is the first-generation Arm family. GPU families such as g4dn or g5 put the "g" first.
_ARM_FAMILY = re.compile(r"[a-z]+\d+g[a-z-]*|a1")


def architecture(instance_type: str) -> str:
    """``arm64`` for Graviton instance types, ``x86_64`` otherwise (the AL2023 parameter suffix)."""
    family = instance_type.strip().lower().split(".", 1)[0]
    return "arm64" if _ARM_FAMILY.fullmatch(family) else "x86_64"


def al2023_parameter(instance_type: str) -> str:
    """The public SSM parameter naming the latest Amazon Linux 2023 AMI for ``instance_type``'s CPU."""
    return AL2023_PARAMETER.format(arch=architecture(instance_type))


def resolve_ami(ami_id: str | None, instance_type: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """``ami_id`` if given, else today's AL2023 AMI id for the instance type's architecture.

    The id is resolved here rather than passed as ``resolve:ssm:...``: Auto Scaling cannot roll back
    an instance refresh to a template whose image is an SSM alias. The invoke runs with
    ``parent`` so it uses the component's provider (and region), not the default one.
    """
    if ami_id is not None:
        return pulumi.Output.from_input(ami_id)
    parameter = aws.ssm.get_parameter_output(
        name=al2023_parameter(instance_type), opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    # The public parameter is not a SecureString; insecure_value keeps the AMI id readable in diffs.
    return parameter.insecure_value


def root_device_name(ami_id: pulumi.Output[str], parent: pulumi.Resource) -> pulumi.Output[str]:
    """The image's root device (``/dev/xvda`` on AL2023, ``/dev/sda1`` on others).

    A Launch Template's block device mapping only changes the root volume when it names this
    device; any other name would attach a second volume and leave the root as the image has it.
    Looking the image up also makes a mistyped or unshared ``amiId`` fail at preview.
    """
    image = aws.ec2.get_ami_output(
        filters=ami_id.apply(lambda image: [aws.ec2.GetAmiFilterArgs(name="image-id", values=[image])]),
        include_deprecated=True,
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return image.root_device_name


@dataclass(frozen=True)
class LaunchSettings:
    """What an instance boots with, whichever path launches it."""

    ami_id: pulumi.Output[str]
    instance_type: str
    security_group_id: pulumi.Output[str]
    user_data: str
    # EC2 key pair name. @default None (no key: use Session Manager)
    key_name: pulumi.Output[str] | None = None
    # 1-minute CloudWatch metrics instead of 5-minute ones, so target tracking reacts in time. @default False
    detailed_monitoring: bool = False

    @property
    def user_data_base64(self) -> str:
        return base64.b64encode(self.user_data.encode()).decode()


def launch_settings(
    *,
    ami_id: pulumi.Output[str],
    instance_type: str,
    security_group_id: pulumi.Output[str],
    key_name: pulumi.Output[str] | None,
    app_port: int,
    health_check_path: str,
    fleet: str,
    detailed_monitoring: bool = False,
) -> LaunchSettings:
    return LaunchSettings(
        ami_id=ami_id,
        instance_type=instance_type,
        security_group_id=security_group_id,
        key_name=key_name,
        user_data=render_user_data(app_port=app_port, health_check_path=health_check_path, fleet=fleet),
        detailed_monitoring=detailed_monitoring,
    )


def template_monitoring(settings: LaunchSettings) -> aws.ec2.LaunchTemplateMonitoringArgs:
    # Set either way, so a reader (or a policy) never has to infer the AWS default (basic, 5-minute).
    return aws.ec2.LaunchTemplateMonitoringArgs(enabled=settings.detailed_monitoring)


def instance_metadata_options() -> aws.ec2.InstanceMetadataOptionsArgs:
    return aws.ec2.InstanceMetadataOptionsArgs(
        http_endpoint=IMDS_ENDPOINT, http_tokens=IMDS_TOKENS, http_put_response_hop_limit=IMDS_HOP_LIMIT
    )


def template_metadata_options() -> aws.ec2.LaunchTemplateMetadataOptionsArgs:
    return aws.ec2.LaunchTemplateMetadataOptionsArgs(
        http_endpoint=IMDS_ENDPOINT, http_tokens=IMDS_TOKENS, http_put_response_hop_limit=IMDS_HOP_LIMIT
    )


def instance_root_volume(tags: dict[str, str]) -> aws.ec2.InstanceRootBlockDeviceArgs:
    # No size: the volume takes the image's snapshot size, which a fixed size could undercut.
    return aws.ec2.InstanceRootBlockDeviceArgs(
        volume_type=ROOT_VOLUME_TYPE, encrypted=True, delete_on_termination=True, tags=tags
    )


def template_root_volume(device_name: pulumi.Input[str]) -> aws.ec2.LaunchTemplateBlockDeviceMappingArgs:
    # Launch Template booleans are strings in the provider schema.
    return aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
        device_name=device_name,
        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
            volume_type=ROOT_VOLUME_TYPE, encrypted="true", delete_on_termination="true"
        ),
    )

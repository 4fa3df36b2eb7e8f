"""The identity component: the IAM role an instance acts as, and the instance profile that carries it.

This is the identity boundary of the stack. The role trusts only the EC2 service, may read only the
configured S3 location, and gets AWS's Session Manager policy so operators reach instances without SSH.
Every document is built here as JSON text, exactly what a Python program sends to the engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config import AppBucket

TYPE_TOKEN = "aws-compute-foundations:identity:InstanceIdentity"
POLICY_VERSION = "2012-10-17"
# The EC2 service principal is the same in every partition, China included (AWS unified it; the
# older ec2.amazonaws.com.cn form is still accepted there but not needed).
EC2_PRINCIPAL = "ec2.amazonaws.com"
SESSION_MANAGER_POLICY = "AmazonSSMManagedInstanceCore"


@dataclass
class IdentityArgs:
    """What the instance may do besides being an EC2 instance."""

    # S3 location the instance may read (GetObject under the prefix, ListBucket of the prefix). @default None
    app_bucket: AppBucket | None = None
    # Attach AmazonSSMManagedInstanceCore so Session Manager works without SSH. @default True
    session_manager: bool = True


def trust_policy() -> str:
    """Only EC2 may assume the role, and only through sts:AssumeRole."""
    return json.dumps(
        {
            "Version": POLICY_VERSION,
            "Statement": [
                {
                    "Sid": "Ec2AssumesInstanceRole",
                    "Effect": "Allow",
                    "Principal": {"Service": EC2_PRINCIPAL},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def app_bucket_policy(bucket: AppBucket, partition: str) -> str:
    """Read objects under the prefix and list only that prefix: nothing else in the bucket or account."""
    bucket_arn = f"arn:{partition}:s3:::{bucket.bucket}"
    objects = f"{bucket_arn}/{bucket.prefix}/*" if bucket.prefix else f"{bucket_arn}/*"
    list_statement: dict[str, Any] = {
        "Sid": "ListAppPrefix",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": bucket_arn,
    }
    if bucket.prefix:
        # Both forms: "prefix/" lists the folder itself, "prefix/*" anything below it.
        list_statement["Condition"] = {"StringLike": {"s3:prefix": [f"{bucket.prefix}/", f"{bucket.prefix}/*"]}}
    return json.dumps(
        {
            "Version": POLICY_VERSION,
            "Statement": [
                {"Sid": "ReadAppObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": objects},
                list_statement,
            ],
        }
    )


def managed_policy_arn(partition: str, policy_name: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{policy_name}"


class Identity(pulumi.ComponentResource):
    """An EC2 instance role with least-privilege permissions, and its instance profile."""

    role: aws.iam.Role
    role_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    instance_profile_name: pulumi.Output[str]
    instance_profile_arn: pulumi.Output[str]

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # ARNs carry the partition (aws, aws-cn, aws-us-gov): a hard-coded "aws" breaks other partitions.
        partition = aws.get_partition(opts=pulumi.InvokeOptions(parent=self)).partition

        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=trust_policy(),
            description="Instance role: trusted by EC2 only, least-privilege permissions",
            opts=child,
        )
        if args.app_bucket is not None:
            aws.iam.RolePolicy(
                f"{name}-app-bucket-read",
                role=self.role.name,
                policy=app_bucket_policy(args.app_bucket, partition),
                opts=child,
            )
        if args.session_manager:
            aws.iam.RolePolicyAttachment(
                f"{name}-session-manager",
                role=self.role.name,
                policy_arn=managed_policy_arn(partition, SESSION_MANAGER_POLICY),
                opts=child,
            )
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.role.name, opts=child)

        self.role_name = self.role.name
        self.role_arn = self.role.arn
        self.instance_profile_name = profile.name
        self.instance_profile_arn = profile.arn
        self.register_outputs(
            {
                "roleName": self.role_name,
                "roleArn": self.role_arn,
                "instanceProfileName": self.instance_profile_name,
                "instanceProfileArn": self.instance_profile_arn,
            }
        )

"""The ALB's access-log bucket: private, SSE-S3, owner-enforced, expiring, written only by ELB log delivery.

ELB log delivery supports only SSE-S3 (not SSE-KMS), so the bucket encrypts with AES256. Public access
is blocked and object ownership enforced (ACLs off), a lifecycle rule expires logs after
``retention_days``, and the bucket policy (``logdelivery.py``) admits exactly the region's log-delivery
principal, write-only, to this load balancer's prefix. ``force_destroy`` stays off unless the operator
opts in, so `pulumi destroy` never deletes logs by accident.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.logdelivery import log_bucket_policy

SSE_ALGORITHM = "AES256"


@dataclass(frozen=True)
class AccessLogs:
    """The log bucket and what the load balancer needs to write into it."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy
    # Key prefix of this load balancer's logs; ELB appends AWSLogs/<account>/elasticloadbalancing/...
    prefix: str

    def load_balancer_args(self) -> aws.lb.LoadBalancerAccessLogsArgs:
        return aws.lb.LoadBalancerAccessLogsArgs(bucket=self.bucket.bucket, prefix=self.prefix, enabled=True)


def build_access_logs(
    name: str, *, prefix: str, retention_days: int, force_destroy: bool, parent: pulumi.Resource
) -> AccessLogs:
    opts = pulumi.ResourceOptions(parent=parent)
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    bucket = aws.s3.Bucket(f"{name}-alb-logs", force_destroy=force_destroy, opts=opts)
    block = aws.s3.BucketPublicAccessBlock(
        f"{name}-alb-logs-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-alb-logs-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-alb-logs-sse",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm=SSE_ALGORITHM
                )
            )
        ],
        opts=opts,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-alb-logs-expiry",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-access-logs",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=retention_days),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=1
                ),
            )
        ],
        opts=opts,
    )
    region = aws.get_region_output(opts=invoke).region
    partition = aws.get_partition_output(opts=invoke).partition
    account_id = aws.get_caller_identity_output(opts=invoke).account_id
    document = pulumi.Output.all(region, partition, account_id, bucket.arn).apply(
        lambda values: json.dumps(
            log_bucket_policy(
                region=values[0], partition=values[1], account_id=values[2], bucket_arn=values[3], prefix=prefix
            )
        )
    )
    # After the public access block: S3 refuses a policy change while a concurrent block update runs.
    policy = aws.s3.BucketPolicy(
        f"{name}-alb-logs-policy",
        bucket=bucket.id,
        policy=document,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[block]),
    )
    return AccessLogs(bucket=bucket, policy=policy, prefix=prefix)

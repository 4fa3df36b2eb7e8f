"""Who delivers ALB access logs in each region, and the bucket policy that admits exactly that principal.

Elastic Load Balancing writes access logs as a regional AWS account in the Regions available before
August 2022, and as the service principal ``logdelivery.elasticloadbalancing.amazonaws.com`` in the
Regions opened since. Sources, one table for both:
- AWS, Elastic Load Balancing User Guide, "Enable access logs for your Application Load Balancer",
  step 2 "Attach a policy to your S3 bucket" (docs.aws.amazon.com/elasticloadbalancing/latest/
  application/enable-access-logging.html);
- the Terraform AWS provider's ``aws_elb_service_account`` table, which pulumi-aws bridges
  (hashicorp/terraform-provider-aws, internal/service/elb/service_account_data_source.go).

Everything here is pure: the policy is a function of the region, partition, account, bucket and prefix.
"""

from __future__ import annotations

from typing import Any

SERVICE_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"

# The ELB log-delivery account of each Region available before August 2022. A Region not listed opened
# later (Hyderabad, Melbourne, Zurich, Spain, UAE, Tel Aviv, Calgary, ...) and uses SERVICE_PRINCIPAL.
ELB_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-south-1": "718504428378",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-south-1": "635631232127",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
}


def delivery_principal(region: str, partition: str) -> dict[str, str]:
    """The ``Principal`` block AWS documents for ``region``: its ELB account root, or the service."""
    account = ELB_ACCOUNTS.get(region)
    if account is None:
        return {"Service": SERVICE_PRINCIPAL}
    return {"AWS": f"arn:{partition}:iam::{account}:root"}


def log_object_arn(bucket_arn: str, prefix: str, account_id: str) -> str:
    """Where ELB writes this load balancer's logs: ``<bucket>/<prefix>/AWSLogs/<account>/*``."""
    return f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*"


def log_bucket_policy(*, region: str, partition: str, account_id: str, bucket_arn: str, prefix: str) -> dict[str, Any]:
    """Log delivery may only put objects under this load balancer's prefix; nobody may use plain HTTP."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ElbAccessLogDelivery",
                "Effect": "Allow",
                "Principal": delivery_principal(region, partition),
                "Action": "s3:PutObject",
                "Resource": log_object_arn(bucket_arn, prefix, account_id),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }

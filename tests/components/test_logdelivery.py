"""The access-log bucket policy, statement by statement, against AWS's documentation for each kind of Region.

AWS, Elastic Load Balancing User Guide, "Enable access logs for your Application Load Balancer", step 2:
in Regions available before August 2022 the policy names the Region's ELB account
(``arn:aws:iam::<elb-account-id>:root``); in Regions opened since, the service principal
``logdelivery.elasticloadbalancing.amazonaws.com``. Either way: ``s3:PutObject`` on
``arn:aws:s3:::<bucket>/<prefix>/AWSLogs/<your-account-id>/*``.
"""

from __future__ import annotations

import pytest

from components.logdelivery import ELB_ACCOUNTS, SERVICE_PRINCIPAL, delivery_principal, log_bucket_policy

BUCKET = "arn:aws:s3:::compute-alb-logs-0a1b2c3"
ACCOUNT = "123456789012"


def policy_for(region: str, partition: str = "aws") -> dict:
    return log_bucket_policy(
        region=region,
        partition=partition,
        account_id=ACCOUNT,
        bucket_arn=BUCKET.replace("aws", partition, 1),
        prefix="compute-alb",
    )


# (region, the account the AWS documentation lists for it)
DOCUMENTED_ACCOUNTS = [("us-east-1", "127311923021"), ("eu-west-1", "156460612806"), ("us-west-2", "797873946194")]
# Regions opened in or after August 2022 (Hyderabad, Zurich, Spain, UAE, Tel Aviv, Calgary).
SERVICE_PRINCIPAL_REGIONS = ["ap-south-2", "eu-central-2", "eu-south-2", "me-central-1", "il-central-1", "ca-west-1"]


@pytest.mark.parametrize(("region", "account"), DOCUMENTED_ACCOUNTS)
def test_older_region_admits_exactly_its_elb_account(region: str, account: str) -> None:
    delivery, deny = policy_for(region)["Statement"]
    assert delivery == {
        "Sid": "ElbAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/compute-alb/AWSLogs/{ACCOUNT}/*",
    }
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


@pytest.mark.parametrize("region", SERVICE_PRINCIPAL_REGIONS)
def test_newer_region_admits_exactly_the_log_delivery_service(region: str) -> None:
    delivery, deny = policy_for(region)["Statement"]
    assert delivery == {
        "Sid": "ElbAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/compute-alb/AWSLogs/{ACCOUNT}/*",
    }
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert region not in ELB_ACCOUNTS


@pytest.mark.parametrize(
    ("region", "partition", "principal"),
    [
        ("us-gov-west-1", "aws-us-gov", "arn:aws-us-gov:iam::048591011584:root"),
        ("cn-north-1", "aws-cn", "arn:aws-cn:iam::638102146993:root"),
    ],
)
def test_other_partitions_name_the_account_in_their_own_partition(region: str, partition: str, principal: str) -> None:
    assert delivery_principal(region, partition) == {"AWS": principal}
    assert policy_for(region, partition)["Statement"][0]["Resource"].startswith(f"arn:{partition}:s3:::")


def test_only_one_allow_and_it_writes_only() -> None:
    for region in ("us-east-1", "ap-south-2"):
        allows = [s for s in policy_for(region)["Statement"] if s["Effect"] == "Allow"]
        assert [(s["Action"], s["Resource"].endswith(f"/AWSLogs/{ACCOUNT}/*")) for s in allows] == [
            ("s3:PutObject", True)
        ]


def test_the_table_holds_twelve_digit_accounts_only() -> None:
    assert all(len(account) == 12 and account.isdigit() for account in ELB_ACCOUNTS.values())
    assert len(set(ELB_ACCOUNTS.values())) == len(ELB_ACCOUNTS)
    assert SERVICE_PRINCIPAL == "logdelivery.elasticloadbalancing.amazonaws.com"

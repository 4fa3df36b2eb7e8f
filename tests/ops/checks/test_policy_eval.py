"""The fallback evaluation: explicit Deny wins, NotAction/NotResource, wildcards, conditions, case."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from ops.checks.policy_eval import Decision, Source, evaluate, trusts_service

OBJECT = "arn:aws:s3:::app-bucket/app/file"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(
    action: Any = "s3:GetObject", resource: Any = "arn:aws:s3:::app-bucket/app/*", **extra: Any
) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize(
    ("statements", "decision"),
    [
        ([allow()], Decision.ALLOWED),
        ([allow("S3:getobject")], Decision.ALLOWED),
        ([allow("s3:Get*")], Decision.ALLOWED),
        ([allow(["s3:ListBucket", "s3:GetObject"])], Decision.ALLOWED),
        ([allow(resource="arn:aws:s3:::app-bucket/other/*")], Decision.IMPLICIT_DENY),
        ([allow(resource=["arn:aws:s3:::x/*", "arn:aws:s3:::app-bucket/*"])], Decision.ALLOWED),
        ([allow("s3:PutObject")], Decision.IMPLICIT_DENY),
        ([allow(), {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}], Decision.EXPLICIT_DENY),
        ([allow(), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}], Decision.ALLOWED),
        ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], Decision.ALLOWED),
        ([{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": OBJECT}], Decision.IMPLICIT_DENY),
        ([allow(Condition={"Bool": {"aws:SecureTransport": "true"}})], Decision.CONDITIONAL),
        ([{"Effect": "Allow", "Action": "s3:GetObject"}], Decision.IMPLICIT_DENY),
    ],
)
def test_decisions(statements: list[dict[str, Any]], decision: Decision) -> None:
    assert evaluate([Source("inline policy 'p'", doc(*statements))], "s3:GetObject", OBJECT).decision is decision


def test_a_deny_in_a_later_document_wins() -> None:
    sources = [
        Source("a", doc(allow())),
        Source("b", doc({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"})),
    ]
    verdict = evaluate(sources, "s3:GetObject", OBJECT)
    assert verdict.decision is Decision.EXPLICIT_DENY and verdict.reason.startswith("b Statement[0]")


def test_url_encoded_documents_are_read() -> None:
    encoded = urllib.parse.quote(doc(allow()))
    assert evaluate([Source("a", encoded)], "s3:GetObject", OBJECT).decision is Decision.ALLOWED


def test_an_unreadable_document_grants_nothing() -> None:
    assert evaluate([Source("a", "{not json")], "s3:GetObject", OBJECT).decision is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    ("statement", "trusted"),
    [
        ({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}, True),
        (
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
                "Action": ["sts:AssumeRole"],
            },
            True,
        ),
        ({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}, False),
        ({"Effect": "Deny", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}, False),
        ({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:TagSession"}, False),
    ],
)
def test_trust(statement: dict[str, Any], trusted: bool) -> None:
    assert trusts_service(doc(statement), "ec2.amazonaws.com") is trusted

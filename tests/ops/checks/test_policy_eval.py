"""The fallback evaluation: explicit Deny wins, NotAction/NotResource, wildcards, conditions, case."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from ops.checks.policy_eval import Decision, Source, evaluate, load_document, trusts_service

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


def _reason(*statements: dict[str, Any]) -> tuple[Decision, str]:
    verdict = evaluate([Source("inline policy 'p'", doc(*statements))], "s3:GetObject", OBJECT)
    return verdict.decision, verdict.reason


CONDITION = {"Bool": {"aws:SecureTransport": "true"}}


def test_an_allow_names_every_resource_of_its_statement() -> None:
    both = allow(Resource=["arn:aws:s3:::other/*", "arn:aws:s3:::app-bucket/*"])
    assert _reason(both) == (
        Decision.ALLOWED,
        "inline policy 'p' Statement[0] allows s3:GetObject on arn:aws:s3:::other/*, arn:aws:s3:::app-bucket/*",
    )


def test_each_decision_names_the_statement_that_made_it() -> None:
    assert _reason(allow(Sid="Read"), allow(Sid="Again")) == (
        Decision.ALLOWED,
        "inline policy 'p' Statement[0] (Sid 'Read') allows s3:GetObject on arn:aws:s3:::app-bucket/app/*",
    )
    assert _reason({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}) == (
        Decision.EXPLICIT_DENY,
        "inline policy 'p' Statement[0] denies s3:GetObject",
    )
    assert _reason(allow("s3:PutObject")) == (Decision.IMPLICIT_DENY, f"no statement allows s3:GetObject on {OBJECT}")


def test_the_first_allow_is_the_one_named() -> None:
    decision, reason = _reason(allow(), allow(resource="*"))

    assert decision is Decision.ALLOWED
    assert reason.startswith("inline policy 'p' Statement[0]") and reason.endswith("on arn:aws:s3:::app-bucket/app/*")


def test_a_conditional_deny_or_allow_is_neither_allowed_nor_denied() -> None:
    deny_if = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": CONDITION}

    assert _reason(deny_if) == (
        Decision.CONDITIONAL,
        "inline policy 'p' Statement[0] denies s3:GetObject under a Condition",
    )
    assert _reason(allow(Condition=CONDITION), deny_if) == (
        Decision.CONDITIONAL,
        "inline policy 'p' Statement[0] allows s3:GetObject only under a Condition",
    )
    assert _reason(deny_if, allow()) == (
        Decision.ALLOWED,
        "inline policy 'p' Statement[1] allows s3:GetObject on arn:aws:s3:::app-bucket/app/*",
    ), "an unconditioned Allow decides when the only Deny depends on a Condition this evaluation cannot resolve"


def test_an_unconditioned_deny_wins_over_an_earlier_conditional_one() -> None:
    deny_if = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": CONDITION}
    deny = {"Effect": "Deny", "Action": "s3:Get*", "Resource": "*"}

    assert _reason(deny_if, allow(), deny)[0] is Decision.EXPLICIT_DENY


@pytest.mark.parametrize(
    ("statement", "applies"),
    [
        ({"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": OBJECT}, True),
        ({"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": OBJECT}, False),
        ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::other/*"}, True),
        ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::app-bucket/*"}, False),
    ],
)
def test_not_action_and_not_resource_exclude_only_what_they_name(statement: dict[str, Any], applies: bool) -> None:
    expected = Decision.ALLOWED if applies else Decision.IMPLICIT_DENY
    assert _reason(statement)[0] is expected


@pytest.mark.parametrize(
    ("value", "loaded"),
    [
        ({"Version": "2012-10-17"}, {"Version": "2012-10-17"}),
        ('  {"Version": "2012-10-17"}  ', {"Version": "2012-10-17"}),
        ("%7B%22Version%22%3A%20%222012-10-17%22%7D", {"Version": "2012-10-17"}),
        ('{"Resource": "arn:aws:s3:::b/100%25/*"}', {"Resource": "arn:aws:s3:::b/100%25/*"}),
        ("not a document", "not a document"),
        (None, None),
    ],
    ids=["already-parsed", "padded-json", "url-encoded", "json-with-a-percent-kept", "unreadable-text-kept", "none"],
)
def test_documents_are_read_as_iam_returns_them(value: Any, loaded: Any) -> None:
    assert load_document(value) == loaded


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "NotPrincipal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "NotAction": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ],
    ids=["not-principal", "not-action", "an-account-principal-spelled-like-the-service"],
)
def test_trust_needs_an_allow_of_assume_role_to_the_service_itself(statement: dict[str, Any]) -> None:
    assert trusts_service(doc(statement), "ec2.amazonaws.com") is False


def test_an_unreadable_trust_policy_trusts_no_one() -> None:
    assert trusts_service("{not json", "ec2.amazonaws.com") is False
    assert trusts_service(doc({"Effect": "Allow", "Principal": {"Service": "*"}, "NotAction": "iam:*"}), "x") is False

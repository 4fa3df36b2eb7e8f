"""IAM's policy grammar, document by document: each kind of mistake and the finding a user reads, in a role's
trust policy and in identity policies, and which documents of a resource are read as which kind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.cloudrules.iam_documents import IDENTITY, TRUST, document_findings
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import BASE, POLICY, ROLE, ROLE_POLICY
from tests.offline.cloudrules.world import errors

T = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
A = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}
ACTION = 'Action is "*" or "service:action" names (a string or a list of them)'
RESOURCE = 'Resource is "*" or ARNs (a string or a list of them)'
CONDITION = "Condition is an object of operators, each an object of keys and values"
PRINCIPAL = 'Principal is "*" or an object of AWS, Service, Federated or CanonicalUser'
STATEMENT = "Statement is a statement object or a non-empty list of them"


def doc(*statements: Any, **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


def _findings(document: Any, kind: str) -> list[tuple[str, str]]:
    return [(f.property, f.message) for f in document_findings("p", document, kind)]


TRUST_DOCUMENTS: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    ("valid", doc(T), []),
    ("anyone", doc({**T, "Principal": "*"}), []),
    (
        "resource",
        doc({**T, "Resource": "*", "NotResource": "arn:aws:s3:::x"}),
        [("p.Statement[0]", "a role trust policy holds no Resource or NotResource")],
    ),
    (
        "not-principal",
        doc({**T, "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}}),
        [("p.Statement[0]", "NotPrincipal is not allowed in a role trust policy")],
    ),
    (
        "no-principal",
        doc({"Effect": "Allow", "Action": "sts:AssumeRole"}),
        [("p.Statement[0]", "a trust policy statement names a Principal")],
    ),
    ("empty-principal", doc({**T, "Principal": {}}), [("p.Statement[0]", PRINCIPAL)]),
    ("text-principal", doc({**T, "Principal": "ec2.amazonaws.com"}), [("p.Statement[0]", PRINCIPAL)]),
    (
        "principal-types",
        doc({**T, "Principal": {"User": "me", "Service": ""}}),
        [
            ("p.Statement[0]", '"User" is not a principal type (AWS, Service, Federated, CanonicalUser)'),
            ("p.Statement[0]", "Principal.Service is a non-empty string or list of strings"),
        ],
    ),
    (
        "empty-list",
        doc({**T, "Principal": {"AWS": []}}),
        [("p.Statement[0]", "Principal.AWS is a non-empty string or list of strings")],
    ),
    (
        "not-a-string",
        doc({**T, "Principal": {"AWS": ["arn:aws:iam::1:root", 5]}}),
        [("p.Statement[0]", "Principal.AWS is a non-empty string or list of strings")],
    ),
    (
        "federated",
        doc({**T, "Principal": {"Federated": "cognito-identity.amazonaws.com", "CanonicalUser": ["abc"]}}),
        [],
    ),
    (
        "sid-characters",
        doc({**T, "Sid": "Allow EC2"}, {**T, "Sid": 5}),
        [
            ("p.Statement[0]", 'Sid "Allow EC2" is not ASCII letters and digits only'),
            ("p.Statement[1]", "Sid 5 is not ASCII letters and digits only"),
        ],
    ),
    (
        "long-sid",
        doc({**T, "Sid": "A" * 30 + " " + "B" * 40}),
        [("p.Statement[0]", f'Sid "{"A" * 30} {"B" * 28} is not ASCII letters and digits only')],
    ),
    (
        "sid-twice",
        doc({**T, "Sid": "Ec2"}, {**T, "Sid": "Ec2"}, {**T, "Sid": ""}, {**T, "Sid": ""}),
        [("p.Statement[1]", 'Sid "Ec2" is used twice; IAM needs each Sid unique in a policy')],
    ),
]

IDENTITY_DOCUMENTS: list[tuple[str, Any, list[tuple[str, str]]]] = [
    ("valid", doc(A, {**A, "Action": ["s3:Get*", "ec2:Describe?nstances"], "Resource": ["*", "arn:aws:s3:::b"]}), []),
    (
        "effect",
        doc({**A, "Effect": "allow"}, {"Action": "s3:*", "Resource": "*"}, {**A, "Effect": "D" * 50}),
        [
            ("p.Statement[0]", 'Effect is Allow or Deny, not "allow"'),
            ("p.Statement[1]", "Effect is Allow or Deny, not null"),
            ("p.Statement[2]", f'Effect is Allow or Deny, not "{"D" * 39}'),
        ],
    ),
    (
        "one-action",
        doc({**A, "NotAction": "s3:PutObject"}, {"Effect": "Deny", "Resource": "*"}, {**A, "Action": None}),
        [
            ("p.Statement[0]", "a statement has exactly one of Action and NotAction, got ['Action', 'NotAction']"),
            ("p.Statement[1]", "a statement has exactly one of Action and NotAction, got neither"),
            ("p.Statement[2]", ACTION),
        ],
    ),
    (
        "action-names",
        doc(
            {**A, "Action": "s3GetObject"},
            {**A, "Action": ["s3:Get*", 5]},
            {"Effect": "Deny", "NotAction": [], "Resource": "*"},
            {**A, "Action": "*"},
            {**A, "Action": ["iam:Pass*", "*"]},
        ),
        [
            ("p.Statement[0]", ACTION),
            ("p.Statement[1]", ACTION),
            ("p.Statement[2]", ACTION.replace("Action", "NotAction")),
        ],
    ),
    (
        "principal",
        doc({**A, "Principal": "*"}, {**A, "Principal": "*", "NotPrincipal": "*"}),
        [
            ("p.Statement[0]", "an identity policy holds no Principal (Has prohibited field)"),
            ("p.Statement[1]", "an identity policy holds no Principal or NotPrincipal (Has prohibited field)"),
        ],
    ),
    (
        "one-resource",
        doc({"Effect": "Allow", "Action": "s3:*"}, {**A, "NotResource": "*"}),
        [
            ("p.Statement[0]", "a statement has exactly one of Resource and NotResource, got neither"),
            (
                "p.Statement[1]",
                "a statement has exactly one of Resource and NotResource, got ['Resource', 'NotResource']",
            ),
        ],
    ),
    (
        "resource-arns",
        doc(
            {**A, "Resource": "s3:::bucket"},
            {**A, "Resource": ["*", "arn:aws:s3:::b", 3]},
            {**A, "Resource": "*"},
            {**A, "Resource": ["ARN:aws:s3:::b"]},
            {"Effect": "Deny", "Action": "s3:*", "NotResource": []},
        ),
        [
            ("p.Statement[0]", RESOURCE),
            ("p.Statement[1]", RESOURCE),
            ("p.Statement[3]", RESOURCE),
            ("p.Statement[4]", RESOURCE.replace("Resource", "NotResource")),
        ],
    ),
    (
        "condition",
        doc(
            {**A, "Condition": "x"},
            {**A, "Condition": {"Bool": "x"}},
            {**A, "Condition": {}},
            {**A, "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        ),
        [("p.Statement[0]", CONDITION), ("p.Statement[1]", CONDITION)],
    ),
    (
        "statement-elements",
        doc("s3:GetObject", {**A, "Sid": "x", "Extra": 1}),
        [
            ("p.Statement[0]", "a statement is a JSON object"),
            ("p.Statement[1]", 'unknown element "Extra" in a statement'),
        ],
    ),
    ("not-an-object", [A], [("p", "a policy document is a JSON object")]),
    (
        "top-level",
        doc(A, Foo=1, **{"E" * 50: 2}),
        [
            ("p", 'unknown top-level element "Foo" (Version, Id, Statement)'),
            ("p", f'unknown top-level element "{"E" * 40}" (Version, Id, Statement)'),
        ],
    ),
    (
        "version",
        {"Version": "2012-10-18", "Statement": A},
        [("p", 'Version is 2012-10-17 or 2008-10-17, not "2012-10-18"')],
    ),
    (
        "version-number",
        {"Version": 20121017, "Statement": A},
        [("p", "Version is 2012-10-17 or 2008-10-17, not 20121017")],
    ),
    ("old-version-and-id", {"Version": "2008-10-17", "Id": "read", "Statement": A}, []),
    ("no-version", {"Statement": A}, []),
    ("id", {"Statement": A, "Id": 5}, [("p", "Id is a string")]),
    ("no-statements", {"Statement": []}, [("p", STATEMENT)]),
    ("no-statement", {"Version": "2012-10-17"}, [("p", STATEMENT)]),
    ("text-statement", {"Statement": "s3:GetObject"}, [("p", STATEMENT)]),
    (
        "one-statement-object",
        {"Statement": {**A, "Effect": "x"}},
        [("p.Statement[0]", 'Effect is Allow or Deny, not "x"')],
    ),
]


@pytest.mark.parametrize(
    ("document", "expected"), [c[1:] for c in TRUST_DOCUMENTS], ids=[c[0] for c in TRUST_DOCUMENTS]
)
def test_a_trust_policy_is_read_as_iam_reads_it(document: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert _findings(document, TRUST) == expected
    # As JSON text, the way a Python program sends it, the findings are the same.
    assert _findings(json.dumps(document), TRUST) == expected


@pytest.mark.parametrize(
    ("document", "expected"), [c[1:] for c in IDENTITY_DOCUMENTS], ids=[c[0] for c in IDENTITY_DOCUMENTS]
)
def test_an_identity_policy_is_read_as_iam_reads_it(document: Any, expected: list[tuple[str, str]]) -> None:
    assert _findings(document, IDENTITY) == expected
    assert _findings(json.dumps(document), IDENTITY) == expected


def test_a_trust_statement_is_not_an_identity_statement() -> None:
    assert _findings(doc(T), IDENTITY) == [
        ("p.Statement[0]", "an identity policy holds no Principal (Has prohibited field)"),
        ("p.Statement[0]", "a statement has exactly one of Resource and NotResource, got neither"),
    ]
    assert _findings(doc(A), TRUST) == [
        ("p.Statement[0]", "a role trust policy holds no Resource"),
        ("p.Statement[0]", "a trust policy statement names a Principal"),
    ]


@pytest.mark.parametrize("value", [None, UNKNOWN, "{not json", ""])
def test_a_document_not_known_or_not_json_is_left_to_the_size_rules(value: Any) -> None:
    assert _findings(value, IDENTITY) == []
    assert _findings(value, TRUST) == []


# --- which documents a resource holds, and of which kind ----------------------------------------------------


def _grammar(typ: str, **changes: Any) -> list[tuple[str, str]]:
    found = errors(typ, {**BASE[typ], **changes})
    return [(e.property, e.message) for e in found if e.rule == "policy-document-grammar"]


def test_a_role_reads_its_trust_policy_as_trust_and_its_inline_policies_as_identity() -> None:
    inline = [{"name": "ok", "policy": json.dumps(doc(A))}, {"name": "trust", "policy": json.dumps(doc(T))}]
    assert _grammar(ROLE, assumeRolePolicy=json.dumps(doc(A)), inlinePolicies=inline) == [
        ("assumeRolePolicy.Statement[0]", "a role trust policy holds no Resource"),
        ("assumeRolePolicy.Statement[0]", "a trust policy statement names a Principal"),
        ("inlinePolicies[1].policy.Statement[0]", "an identity policy holds no Principal (Has prohibited field)"),
        (
            "inlinePolicies[1].policy.Statement[0]",
            "a statement has exactly one of Resource and NotResource, got neither",
        ),
    ]


@pytest.mark.parametrize("typ", [ROLE_POLICY, POLICY])
def test_a_role_policy_and_a_managed_policy_are_identity_policies(typ: str) -> None:
    assert _grammar(typ, policy=json.dumps(doc(A))) == []
    assert _grammar(typ, policy=json.dumps(doc({**A, "Principal": "*"}))) == [
        ("policy.Statement[0]", "an identity policy holds no Principal (Has prohibited field)")
    ]


@pytest.mark.parametrize("typ", [ROLE_POLICY, POLICY])
def test_a_policy_given_as_an_object_is_read_as_its_json_text_is(typ: str) -> None:
    assert _grammar(typ, policy=doc(A)) == []
    assert _grammar(typ, policy=doc({**A, "Principal": "*"})) == [
        ("policy.Statement[0]", "an identity policy holds no Principal (Has prohibited field)")
    ]


@pytest.mark.parametrize("typ", [ROLE_POLICY, POLICY])
def test_a_policy_given_as_a_list_is_not_a_policy_document(typ: str) -> None:
    assert _grammar(typ, policy=[doc(A)]) == [("policy", "a policy document is a JSON object")]


def test_a_trust_policy_given_as_an_object_or_a_list_is_read_as_a_trust_policy() -> None:
    assert _grammar(ROLE, assumeRolePolicy=doc(T)) == []
    assert _grammar(ROLE, assumeRolePolicy=doc(A)) == [
        ("assumeRolePolicy.Statement[0]", "a role trust policy holds no Resource"),
        ("assumeRolePolicy.Statement[0]", "a trust policy statement names a Principal"),
    ]
    assert _grammar(ROLE, assumeRolePolicy=[doc(T)]) == [("assumeRolePolicy", "a policy document is a JSON object")]


@pytest.mark.parametrize("value", [5.0, True, UNKNOWN])
def test_a_policy_that_is_neither_text_nor_an_object_is_not_read_as_a_document(value: Any) -> None:
    assert _grammar(POLICY, policy=value) == []
    assert _grammar(ROLE, assumeRolePolicy=value) == []

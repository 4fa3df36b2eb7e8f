"""The shared IAM document parser and the action database it feeds (guardrails/iam.py, actions.py)."""

from __future__ import annotations

import json

import pytest
from guardrails.actions import Glob, expand, is_effectively_star, is_full_wildcard
from guardrails.iam import Document, ParseError, parse_document, quote


def test_statement_as_single_object_and_values_as_strings_normalise_to_tuples() -> None:
    parsed = parse_document({"Statement": {"Sid": "One", "Effect": "Allow", "Action": "S3:GetObject", "Resource": "*"}})
    assert isinstance(parsed, Document)
    (statement,) = parsed.statements
    assert statement.actions == ("S3:GetObject",)
    assert statement.resources == ("*",)
    assert statement.label == "Statement[0] (Sid 'One')"


def test_json_text_and_object_forms_parse_to_the_same_document() -> None:
    body = {"Statement": [{"Effect": "Deny", "Action": ["a:b", "c:d"], "NotResource": ["x"]}]}
    assert parse_document(body) == parse_document(json.dumps(body))


def test_principal_kinds_are_canonicalised_case_insensitively() -> None:
    parsed = parse_document({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"aws": "*"}}]})
    assert isinstance(parsed, Document)
    assert [(p.kind, p.is_wildcard) for p in parsed.statements[0].principals] == [("AWS", True)]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('{"Statement": []} trailing garbage', id="trailing-garbage"),
        pytest.param("not json", id="not-json"),
        pytest.param("[1, 2]", id="json-array"),
        pytest.param(42, id="number"),
        pytest.param({"Version": "2012-10-17"}, id="no-statement"),
        pytest.param({"Statement": "Allow"}, id="statement-is-text"),
        pytest.param({"Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}, id="no-effect"),
        pytest.param({"Statement": [{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]}, id="bad-effect"),
        pytest.param({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, id="no-action"),
        pytest.param({"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}, id="empty-action"),
        pytest.param({"Statement": [{"Effect": "Allow", "Action": [7], "Resource": "*"}]}, id="non-text-action"),
        pytest.param({"Statement": [{"Effect": "Allow", "Action": "a:b", "NotAction": "c:d"}]}, id="action-and-not"),
        pytest.param({"Statement": ["Allow"]}, id="statement-item-text"),
        pytest.param({"Statement": [{"Effect": "Allow", "Action": "a:b", "Principal": "me"}]}, id="principal-text"),
        pytest.param({"Statement": [{"Effect": "Allow", "Action": "a:b", "Condition": "x"}]}, id="condition-text"),
        pytest.param(
            '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Action": "*", "Resource": "*"}]}',
            id="duplicate-key-hides-star",
        ),
        pytest.param("[" * 100_000, id="deep-nesting"),
        pytest.param(None, id="missing"),
    ],
)
def test_unreadable_documents_become_parse_errors_not_exceptions(value: object) -> None:
    assert isinstance(parse_document(value), ParseError)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", True),
        ("s3:*", True),
        ("S3:*", True),
        ("*:*", True),
        ("s3:**", True),
        ("s3:Get*", False),
        ("s3:x", False),
        # Everything after the first colon is the action: a second colon is part of it.
        ("s3:*:x", False),
        ("s3:x:*", False),
    ],
)
def test_full_wildcard_detection(pattern: str, expected: bool) -> None:
    assert is_full_wildcard(pattern) is expected


def test_expansion_is_case_insensitive_and_reads_the_database() -> None:
    (info,) = expand("IAM:passrole")
    assert info.name == "iam:PassRole"
    assert info.access_level == "Permissions management"
    assert info.resource_level is True
    levels = {i.access_level for i in expand("s3:Get*")}
    assert levels == {"Read"}
    assert expand("nosuchservice:DoIt") == ()


def test_wildcard_only_actions_are_known_as_such() -> None:
    (info,) = expand("s3:ListAllMyBuckets")
    assert info.resource_level is False


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        "*:*",
        "arn:*",
        "arn:aws:s3:::*",
        "arn:aws:s3:::*/*",
        "arn:aws-cn:s3:::*",
        "arn:aws:iam::*:role/*",
        "arn:*:iam::*:role/*",
        "arn:aws:iam::123456789012:role/*",
        "arn:aws:iam::*:r*",
        "arn:aws:*:*:*:*",
        "arn:aws:s3*",
        "arn:aws:ec2:eu-*:*:instance/*",
        "arn:aws:unknownservice:::*",
        # The pattern is read case-insensitively, as the rest of the document is.
        "ARN:AWS:S3:::*",
        # "?" in an account or Region field stands for one character: twelve of them are every account.
        "arn:aws:iam::????????????:role/*",
        "arn:aws:ec2:us-east-?:*:instance/*",
        # A name of at least one character is every name.
        "arn:aws:s3:::?*",
        "arn:aws:iam::*:role/?*",
    ],
)
def test_effectively_star_resources(resource: str) -> None:
    assert is_effectively_star(resource)


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:s3:::my-bucket",
        "arn:aws:s3:::my-bucket/*",
        "arn:aws:s3:::*-logs",
        "arn:aws:iam::*:role/app-*",
        "arn:aws:ssm:*:*:parameter/app/*",
        "arn:aws:logs:*:*:log-group:/app/*",
        "arn:aws:s3:::bucket/${aws:username}/*",
    ],
)
def test_scoped_resources_are_not_star(resource: str) -> None:
    assert not is_effectively_star(resource)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param('{"Statement": []} trailing garbage', "not valid JSON", id="trailing-garbage"),
        pytest.param("[1, 2]", "not a JSON object", id="json-array"),
        pytest.param({"Version": "2012-10-17"}, "no Statement", id="no-statement"),
        pytest.param({"Statement": "Allow"}, "Statement is neither an object nor a list", id="statement-is-text"),
        pytest.param(
            {"Statement": [{"Effect": "Deny", "Action": "a:b"}, {"Effect": "Permit", "Action": "s3:*"}]},
            "Statement[1] Effect is missing or not Allow/Deny",
            id="second-effect-bad",
        ),
        pytest.param({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "no Action or NotAction", id="no-action"),
        pytest.param({"Statement": [{"Effect": "Allow", "Action": []}]}, "Statement[0].Action is empty", id="empty"),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": ["a:b", 7]}]},
            "Statement[0].Action holds a value that is not a non-empty string",
            id="non-text-action-after-a-good-one",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": ["x", " "]}]},
            "Statement[0].Resource holds a value that is not a non-empty string",
            id="blank-resource-after-a-good-one",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "NotAction": "c:d"}]},
            "both Action and NotAction",
            id="action-and-not-action",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "Principal": "*", "NotPrincipal": "*"}]},
            "both Principal and NotPrincipal",
            id="principal-and-not-principal",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Deny", "Action": "a:b"}, "Allow"]},
            "Statement[1] is not an object",
            id="second-statement-text",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "Principal": "me"}]},
            "Statement[0].Principal string form must be '*'",
            id="principal-text",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "Principal": {"AWS": "1", "Service": [" "]}}]},
            "Statement[0].Principal.Service holds a value that is not a non-empty string",
            id="second-principal-kind-blank",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": "a:b", "Condition": "x"}]},
            "Statement[0] Condition is not an object",
            id="condition-text",
        ),
        pytest.param(
            '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Action": "*", "Resource": "*"}]}',
            "duplicate key 'Action'",
            id="duplicate-key",
        ),
        pytest.param(None, "document is missing", id="missing"),
    ],
)
def test_every_unreadable_document_says_why(value: object, reason: str) -> None:
    assert parse_document(value) == ParseError(reason)


def test_statement_fields_read_as_the_rules_need_them() -> None:
    parsed = parse_document(
        {
            "Statement": [
                {"Effect": " deny ", "Action": "a:b", "Sid": ""},
                {
                    "Sid": "Two",
                    "Effect": "ALLOW",
                    "NotAction": [" a:b ", "c:d"],
                    "NotResource": "arn:x",
                    "NotPrincipal": {"Service": ["s.amazonaws.com"], "Federated": "f"},
                    "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                },
                {"Effect": "Allow", "Action": "a:b", "Condition": {}},
            ]
        }
    )
    assert isinstance(parsed, Document)
    first, second, third = parsed.statements
    assert (first.effect, first.allows, first.sid, first.label) == ("Deny", False, None, "Statement[0]")
    assert (first.has_resource, first.resources, first.has_principal, first.principals) == (False, (), False, ())
    assert (second.effect, second.allows, second.index) == ("Allow", True, 1)
    assert (second.actions, second.not_action) == (("a:b", "c:d"), True)
    assert (second.resources, second.not_resource, second.has_resource) == (("arn:x",), True, True)
    assert second.not_principal and second.has_principal and second.has_condition
    assert [(p.kind, p.value) for p in second.principals] == [("Service", "s.amazonaws.com"), ("Federated", "f")]
    assert not third.has_condition and not third.not_action and not third.not_resource and not third.not_principal


def test_a_principal_block_key_outside_the_known_kinds_keeps_its_spelling() -> None:
    parsed = parse_document({"Statement": [{"Effect": "Allow", "Action": "a:b", "Principal": {" Custom ": "x"}}]})
    assert isinstance(parsed, Document)
    assert [(p.kind, p.value) for p in parsed.statements[0].principals] == [(" Custom ", "x")]


def test_a_principal_block_with_a_key_that_is_not_text_is_unreadable() -> None:
    document = {"Statement": [{"Effect": "Allow", "Action": "a:b", "Principal": {"AWS": "1", 7: "x"}}]}
    assert parse_document(document) == ParseError("Statement[0].Principal has a non-text key")


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("a" * 64, "'" + "a" * 64 + "'"),
        ("a" * 65, "'" + "a" * 61 + "...'"),
        ("it's", "'it\\'s'"),
    ],
)
def test_quote_keeps_messages_short_and_unambiguous(text: str, quoted: str) -> None:
    assert quote(text) == quoted


# --------------------------------------------------------------------------------------------------
# Glob: IAM's "*" and "?" matched without a regex (the fuzz tests bound its work on large inputs)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        # Case-insensitive both ways, as IAM compares action names.
        ("S3:GetObject", "s3:getobject", True),
        ("s3:get*", "S3:GETOBJECT", True),
        # A middle segment with "?" is placed by its longest literal run ("ab"), then checked whole.
        ("*ab?c*", "xabzc", True),
        ("*ab?c*", "xabzzc", False),
        ("*?ab*", "xxab", True),
        # The first "ab" has no "c" two before it; the search goes on from the next start and finds the second.
        ("*c?ab*", "zzabczab", True),
        ("*c?ab*", "zzabzzab", False),
        # A segment of "?" only has no literal to search for: tried at each start.
        ("a*??*b", "axxb", True),
        ("a*???*b", "axxb", False),
        # A character that lowers to two ("İ") makes the text a list of characters: still matched one to one.
        ("?b*b*", "İbxc", False),
        ("?b*b*", "İbxb", True),
        ("*x?c*", "İaxbc", True),
        ("*x?c*", "İaxbd", False),
    ],
)
def test_wildcard_patterns_match_as_iam_reads_them(pattern: str, text: str, expected: bool) -> None:
    assert Glob(pattern).matches(text) is expected


def test_the_work_counted_for_a_literal_segment_is_the_span_its_search_scans() -> None:
    # "steps" is what the fuzz tests bound; it must count every character the search looks at.
    found_at_once = Glob("*b*")
    assert found_at_once.matches("baa") is True
    assert found_at_once.steps == 1  # "b" is the first character: one comparison
    found_last = Glob("*b*")
    assert found_last.matches("aab") is True
    assert found_last.steps == 3  # "a", "a", then "b"
    nowhere = Glob("*b*")
    assert nowhere.matches("aaa") is False
    assert nowhere.steps == 3  # the whole text, in vain


def test_the_work_counted_for_a_segment_with_a_question_mark_is_its_search_and_its_check() -> None:
    one_by_one = Glob("a?c")
    assert one_by_one.matches("abc") is True
    assert one_by_one.steps == 3  # one comparison a character
    anchored = Glob("*?ab*")
    assert anchored.matches("xxab") is True
    # "ab" is searched from where it could first stand (index 1): "x", "a", "b"; then "?ab" checked at 1.
    assert anchored.steps == 3 + 3


def test_a_segment_with_a_question_mark_is_searched_by_its_longest_literal_run() -> None:
    # The run "bbbbbbbbbbbbbbbbbbbb" is nowhere in the text: one scan says so. Searching by the short run "a"
    # would stop at every character and check the segment there.
    glob = Glob("*" + "b" * 20 + "?a*")
    text = "a" * 300
    assert glob.matches(text) is False
    assert glob.steps <= len(text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        # A middle segment is searched only between what the head and the tail take.
        ("ab*b*", "abx", False),
        ("ab*b*", "abxb", True),
        ("*b*ab", "xab", False),
        ("*a?*ab", "xxab", False),
        ("*a?*ab", "xaxab", True),
        # The position found is where the segment starts, not where its search key ("ab") does.
        ("*?ab*b*", "xabb", True),
        # After a failed check the search goes on from the very next start.
        ("*aa?b*", "aaaxb", True),
        # ... up to and including the last place it fits.
        ("*a?b*", "axb", True),
        ("*a?*", "axx", True),
        # Each segment takes its leftmost fit, leaving the most room for the next.
        ("*a?*a?*", "axay", True),
    ],
)
def test_middle_segments_are_placed_between_the_head_and_the_tail(pattern: str, text: str, expected: bool) -> None:
    assert Glob(pattern).matches(text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "steps"),
    [
        # Head and tail: each character compared once.
        ("ab*cd", "abxcd", 2 + 2),
        # Head "ab", then "b" searched from index 2: "x", "b".
        ("ab*b*", "abxb", 2 + 2),
        # Head "x"; "ab" searched from where "?ab" could first stand (index 2): "a", "b"; then "?ab" checked.
        ("x*?ab*", "xxab", 1 + 2 + 3),
        # "ab" found at index 1, before the last place it could stand: "a", "b"; then "?ab" checked at 0.
        ("*?ab*", "xabxx", 2 + 3),
        # "ab" nowhere from index 1 on: "x", "x", "x" scanned in vain.
        ("*?ab*", "xxxx", 3),
        # The longest run "ab" is the search key: searched from 0 ("x", "a", "b"), then "ab?c" checked at 1.
        ("*ab?c*", "xabzc", 3 + 4),
        # Of two runs as long, the first ("a") is the key: "a" found at 4 ("x", "x", "x", "b", "a"), "a?b" checked.
        ("*a?b*", "xxxbaxb", 5 + 3),
        # "a" found at once, at index 0; then "a?" checked.
        ("*a?*", "axx", 1 + 2),
    ],
)
def test_the_work_counted_is_every_character_compared_or_scanned(pattern: str, text: str, steps: int) -> None:
    glob = Glob(pattern)
    glob.matches(text)
    assert glob.steps == steps


@pytest.mark.parametrize(("pattern", "text"), [("a*bcd*e", "abe"), ("a*bcd*e", "abcd"), ("abc", "ab"), ("abc", "abcd")])
def test_a_text_too_short_or_of_the_wrong_length_is_refused_before_any_comparison(pattern: str, text: str) -> None:
    glob = Glob(pattern)
    assert glob.matches(text) is False
    assert glob.steps == 0

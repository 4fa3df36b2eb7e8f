"""Reading wire-shaped inputs (offline/cloudrules/values.py): secrets unwrapped, unknowns undecided, numbers
from floats and digit strings, the provider's string booleans, lists, objects and JSON text."""

from __future__ import annotations

import pytest

from offline.cloudrules.values import (
    bad_chars,
    default_tags_of,
    is_unknown,
    items,
    known_bool,
    known_int,
    known_number,
    known_str,
    mapping,
    plain,
    shown,
    tags_of,
)
from offline.wire import SECRET_SIG, SIG_KEY, UNKNOWN


def secret(value: object) -> dict[str, object]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def test_a_secret_is_read_as_its_value_however_deeply_wrapped() -> None:
    assert plain(secret("s")) == "s"
    assert plain(secret(secret(3))) == 3
    assert plain({SIG_KEY: SECRET_SIG}) is None
    other = {SIG_KEY: "another-signature", "value": "v"}
    assert plain(other) == other
    assert plain({"value": "v"}) == {"value": "v"}


def test_unknown_values_are_recognised_even_as_secrets() -> None:
    assert is_unknown(UNKNOWN) and is_unknown(secret(UNKNOWN))
    assert not is_unknown("known") and not is_unknown(None)


def test_a_known_string_is_a_string_that_is_not_unknown() -> None:
    assert known_str("a") == "a"
    assert known_str(secret("")) == ""
    assert known_str(UNKNOWN) is None
    assert known_str(1.0) is None and known_str(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (22.0, 22),
        (-3.0, -3),
        (7, 7),
        ("22", 22),
        (" 22 ", 22),
        ("-5", -5),
        (secret(8.0), 8),
        ("9" * 20, int("9" * 20)),
        (22.5, None),
        (True, None),
        (False, None),
        (None, None),
        (UNKNOWN, None),
        ("", None),
        ("-", None),
        ("--5", None),
        ("X5", None),
        ("5-", None),
        ("2.5", None),
        ("²", None),
        ("٣", None),
        ("9" * 21, None),
        ([1], None),
    ],
    ids=repr,
)
def test_a_known_int_is_a_whole_number_or_a_short_ascii_digit_string(value: object, expected: int | None) -> None:
    assert known_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.5, 1.5),
        (2, 2.0),
        ("2.5", 2.5),
        (secret("3"), 3.0),
        ("x", None),
        (True, None),
        (None, None),
        (UNKNOWN, None),
        ([1.0], None),
    ],
    ids=repr,
)
def test_a_known_number_is_any_number_or_numeric_string(value: object, expected: float | None) -> None:
    assert known_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        (secret("true"), True),
        ("yes", None),
        (1, None),
        (None, None),
        (UNKNOWN, None),
    ],
    ids=repr,
)
def test_a_known_bool_is_a_boolean_or_the_providers_string_boolean(value: object, expected: bool | None) -> None:
    assert known_bool(value) is expected


def test_items_reads_a_list_and_unwraps_each_element() -> None:
    assert items(["a", secret("b")]) == ["a", "b"]
    assert items(secret(("x",))) == ["x"]
    assert items("abc") == [] and items(b"abc") == [] and items(None) == [] and items(UNKNOWN) == []
    assert items({"a": 1}) == []


def test_mapping_reads_an_object_or_its_json_text() -> None:
    assert mapping({"a": 1}) == {"a": 1}
    assert mapping(secret({"a": 1})) == {"a": 1}
    assert mapping('{"a": 1}') == {"a": 1}
    assert mapping("{not json") == {}
    assert mapping("{" + '"a":' * 2000) == {}
    assert mapping('{"a": ' + "[" * 5000 + "]" * 5000 + "}") == {}
    assert mapping('["a"]') == {} and mapping("[") == {} and mapping(None) == {} and mapping(UNKNOWN) == {}


def test_tags_are_read_with_string_keys_and_unwrapped_values() -> None:
    assert tags_of({"a": secret("b"), 1: "c"}) == {"a": "b", "1": "c"}
    assert tags_of('{"a": "b"}') == {"a": "b"}
    assert tags_of(None) == {}


def test_default_tags_are_read_from_an_object_or_json_text_and_keep_only_strings() -> None:
    assert default_tags_of({"defaultTags": {"tags": {"a": "b", "n": 1}}}) == {"a": "b"}
    assert default_tags_of({"defaultTags": '{"tags": {"a": "b"}}'}) == {"a": "b"}
    assert default_tags_of({"defaultTags": {"tags": '{"c": "d"}'}}) == {"c": "d"}
    assert default_tags_of({}) == {}


def test_bad_chars_lists_each_disallowed_character_once_in_order() -> None:
    assert bad_chars("a_b c_d!", "abcd") == ["_", " ", "!"]
    assert bad_chars("abc", "abc") == []


def test_shown_quotes_each_character() -> None:
    assert shown(["_", '"']) == '"_", "\\""'
    assert shown([]) == ""

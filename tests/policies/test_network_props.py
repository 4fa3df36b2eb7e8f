"""The property readers every rule reads through (guardrails/props.py): absent, oddly-typed and unknown values.

Named test_network_* so `make mutate` judges props.py with it (`[tool.mutate.tests]` in pyproject.toml).
"""

from __future__ import annotations

from typing import Any

import pytest
from guardrails import props as p
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, _wrap


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((0,), "first"),
        ((1,), "last"),
        ((-1,), "last"),
        ((-2,), "first"),
        # One past either end is absent, not an IndexError.
        ((2,), "absent"),
        ((-3,), "absent"),
        (("0",), "absent"),
    ],
)
def test_get_reads_a_list_by_index_from_either_end_and_never_past_it(path: tuple[Any, ...], expected: str) -> None:
    assert p.get(["first", "last"], *path, default="absent") == expected


def test_get_walks_mappings_and_lists_together() -> None:
    rules = {"ingress": [{"fromPort": 22}, {"fromPort": 443}]}
    assert p.get(rules, "ingress", 1, "fromPort") == 443
    assert p.get(rules, "ingress", 2, "fromPort") is None
    assert p.get(_wrap(rules), "ingress", -2, "fromPort") == 22


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9" * 18, 10**18 - 1),
        # A sign makes the longest readable text 19 characters; one digit more is "not a number".
        ("-" + "9" * 18, -(10**18 - 1)),
        ("+" + "9" * 18, 10**18 - 1),
        (" -" + "9" * 18 + " ", -(10**18 - 1)),
        ("9" * 19, None),
        ("-" + "9" * 19, None),
    ],
)
def test_as_int_reads_text_of_up_to_eighteen_digits_and_a_sign(text: str, expected: int | None) -> None:
    assert p.as_int(text) == expected


def test_first_reference_is_none_when_nothing_is_present() -> None:
    assert p.first_reference(None, None) is None
    assert p.first_reference() is None
    assert p.first_reference(None, p.UNKNOWN) is p.UNKNOWN
    assert p.first_reference(p.UNKNOWN, "sg-1") == "sg-1"


def test_has_key_looks_into_the_engines_proxy_without_reading_the_value() -> None:
    proxy = _wrap({"Statement": UNKNOWN})
    assert p.has_key(proxy, "Statement") is True
    assert p.has_key(proxy, "Version") is False
    assert p.has_key({"Statement": []}, "Statement") is True
    assert p.has_key(["Statement"], "Statement") is False


@pytest.mark.parametrize(
    ("container", "key"),
    [
        pytest.param(None, "id", id="no-container"),
        pytest.param("id", "id", id="text-is-no-container"),
        pytest.param([UNKNOWN], "0", id="list-read-by-name"),
        pytest.param([UNKNOWN], 1, id="past-the-end"),
        pytest.param([UNKNOWN], -2, id="before-the-start"),
        pytest.param({"id": UNKNOWN}, 0, id="mapping-read-by-index"),
        pytest.param({"id": "sg-1"}, "id", id="known"),
        pytest.param({"name": UNKNOWN}, "id", id="absent"),
    ],
)
def test_is_unknown_at_is_false_for_anything_but_an_unknown_value_held_there(container: Any, key: Any) -> None:
    assert p.is_unknown_at(container, key) is False


def test_is_unknown_at_finds_the_unknown_in_a_mapping_or_list_proxy() -> None:
    proxy = _wrap({"id": UNKNOWN, "ids": ["sg-1", UNKNOWN]})
    assert p.is_unknown_at(proxy, "id") is True
    assert p.is_unknown_at({"id": UNKNOWN}, "id") is True
    assert p.is_unknown_at([UNKNOWN], -1) is True
    assert p.reference_items(p.get(proxy, "ids")) == ["sg-1", p.UNKNOWN]


@pytest.mark.parametrize(
    ("value", "path", "expected"),
    [
        pytest.param({"a": None}, ("a",), "absent", id="a-null-is-absent"),
        pytest.param({"a": 1}, ("a", "b"), "absent", id="a-name-into-a-number"),
        pytest.param("text", ("t",), "absent", id="a-name-into-text"),
        pytest.param(None, ("a",), "absent", id="a-name-into-nothing"),
        pytest.param(["a"], ("a",), "absent", id="a-name-into-a-list"),
        pytest.param({0: "zero"}, (0,), "absent", id="an-index-into-a-mapping"),
        pytest.param({"a": False}, ("a",), False, id="false-is-a-value"),
        pytest.param({"a": 0}, ("a",), 0, id="zero-is-a-value"),
    ],
)
def test_get_gives_the_default_for_a_path_the_value_does_not_have(
    value: Any, path: tuple[Any, ...], expected: Any
) -> None:
    assert p.get(value, *path, default="absent") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, []), ("sg-1", ["sg-1"]), ({"id": "sg-1"}, [{"id": "sg-1"}]), (("a", "b"), ["a", "b"]), ([], [])],
)
def test_as_list_is_empty_for_nothing_one_item_for_a_scalar_and_the_items_of_a_sequence(
    value: Any, expected: list[Any]
) -> None:
    assert p.as_list(value) == expected
    assert p.reference_items(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        (" False ", False),
        ("TRUE", True),
        ("yes", None),
        ("", None),
        (1, None),
        (0.0, None),
        (None, None),
    ],
)
def test_as_bool_reads_a_bool_or_its_text_and_nothing_else(value: Any, expected: bool | None) -> None:
    assert p.as_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (22, 22),
        (-1, -1),
        (22.0, 22),
        (-0.0, 0),
        (" 22 ", 22),
        (True, None),
        (False, None),
        (22.5, None),
        (float("inf"), None),
        (float("nan"), None),
        ("22.0", None),
        ("²", None),
        ("", None),
        (None, None),
        ([22], None),
        # Eighteen digits at most, at both ends of the range and in every type.
        (10**18 - 1, 10**18 - 1),
        (-(10**18) + 1, -(10**18) + 1),
        (10**18, None),
        (-(10**18), None),
        (1e18, None),
        (-1e18, None),
        (999_999_999_999_999_872.0, 999_999_999_999_999_872),
    ],
)
def test_as_int_reads_whole_numbers_of_at_most_eighteen_digits(value: Any, expected: int | None) -> None:
    assert p.as_int(value) == expected


def test_the_unknown_marker_reads_as_unknown_during_preview() -> None:
    assert repr(p.UNKNOWN) == "<unknown during preview>"
    assert p.Unknown() is p.UNKNOWN


def test_an_unknown_found_without_reading_it_raises_as_the_proxy_would() -> None:
    error = p.unknown_error("role")
    assert error.props == ["role"]
    assert error.message == "string value at .role can't be known during preview"


def test_undecided_raises_the_first_unknown_only_when_nothing_was_decided() -> None:
    first, second = p.unknown_error("a"), p.unknown_error("b")
    undecided = p.Undecided()
    undecided.raise_if_nothing_decided(False)  # nothing unknown met: nothing to raise
    with undecided.guard():
        raise first
    undecided.note(second)
    assert undecided.error is first
    undecided.raise_if_nothing_decided(True)  # a violation was found: the rule has decided
    with pytest.raises(UnknownValueError) as raised:
        undecided.raise_if_nothing_decided(False)
    assert raised.value is first

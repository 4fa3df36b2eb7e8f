"""The property readers every rule reads through (guardrails/props.py): absent, oddly-typed and unknown values.

Named test_network_* so `make mutate` judges props.py with it (`[tool.mutate.tests]` in pyproject.toml).
"""

from __future__ import annotations

from typing import Any

import pytest
from guardrails import props as p

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

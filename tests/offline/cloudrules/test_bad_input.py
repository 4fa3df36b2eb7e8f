"""Cloud rules read any input without raising: every property every rule reads, given a value of every wrong
type, ends in findings or silence, never an exception (which would fail a whole preview or audit) and never
the registry's last-resort "UnreadableInput" finding (which would mean a rule let the exception through)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from offline.cloudrules import ALL_RULES, CloudResource, Rule, World, check_resource
from offline.cloudrules.registry import ALL_RULES as REGISTERED
from offline.cloudrules.registry import RULES, UNREADABLE, rule
from tests.offline.cloudrules.cases import BASE
from tests.offline.cloudrules.world import IGW_URN, PROVIDER_REF, STACK, world

SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
# Values of every JSON type, and strings that break naive parsing: int("²") raises though "²".isdigit(), int()
# refuses 5,000 digits, a secret envelope without its value, JSON text nested deeply, ARN-shaped junk.
JUNK: list[Any] = [
    None,
    True,
    -1.5,
    1e308,
    float("nan"),
    "",
    "x",
    "²",
    "9" * 5000,
    "[" * 5000,
    "{" + '"a":' * 2000,
    "arn:",
    "arn:aws-cn:::::",
    [],
    [None, 1, "x", {}],
    {},
    {"a": [1, {"b": None}]},
    SECRET,
]


def set_path(inputs: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``inputs`` with the input path (``a.b``, ``a[].b``, ``a[]``) set to ``value``."""
    result = copy.deepcopy(inputs)
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        key = head[:-2]
        result[key] = [set_path({}, rest, value)] if rest else [value]
    elif rest:
        inner = result.get(head)
        result[head] = set_path(inner if isinstance(inner, dict) else {}, rest, value)
    else:
        result[head] = value
    return result


def mutations() -> Iterator[tuple[str, str, str]]:
    for found in ALL_RULES:
        for resource_type in found.types:
            if resource_type in BASE:
                for path in found.properties:
                    yield found.id, resource_type, path


MUTATIONS = sorted(set(mutations()))


@pytest.fixture(scope="module")
def account() -> World:
    return world()


def _check(account: World, resource_type: str, inputs: dict[str, Any]) -> list[str]:
    subject = CloudResource(
        urn=f"{STACK}{resource_type}::subject",
        type=resource_type,
        name="subject",
        inputs=inputs,
        id="subject-id",
        dependencies=(IGW_URN,),
        provider=PROVIDER_REF,
    )
    return [f"{e.rule} {e.property}: {e.message}" for e in check_resource(subject, account) if e.code == UNREADABLE]


def test_every_rule_property_is_mutated() -> None:
    # Not vacuous: most rules' properties are reached through a type the cases give a base for.
    reached = {rule_id for rule_id, _, _ in MUTATIONS}
    assert len(MUTATIONS) > 300
    assert len(reached) >= len(ALL_RULES) - 5, sorted({r.id for r in ALL_RULES} - reached)


@pytest.mark.parametrize(("rule_id", "resource_type", "path"), MUTATIONS, ids=["|".join(m) for m in MUTATIONS])
def test_a_wrong_type_is_never_a_crash(account: World, rule_id: str, resource_type: str, path: str) -> None:
    for junk in JUNK:
        unreadable = _check(account, resource_type, set_path(BASE[resource_type], path, junk))
        assert unreadable == [], (junk if not isinstance(junk, str) else junk[:20], unreadable)


@pytest.mark.parametrize("resource_type", sorted(BASE))
def test_inputs_of_the_wrong_shape_are_never_a_crash(account: World, resource_type: str) -> None:
    for key in BASE[resource_type]:
        for junk in JUNK:
            assert _check(account, resource_type, {**BASE[resource_type], key: junk}) == []


def test_a_rule_that_raises_becomes_a_finding_not_a_traceback(account: World) -> None:
    """The registry's last resort: a rule that raises fails closed with a finding naming the rule."""

    @rule(types=["test:index/raises:Raises"], properties=("p",), code="Test", source="https://example.com", id="raises")
    def raises(resource: CloudResource, world: World) -> Iterator[Any]:
        yield from ()
        raise TypeError("boom")

    try:
        found = check_resource(
            CloudResource(urn="urn:x", type="test:index/raises:Raises", name="x", inputs={"p": 1}), account
        )
        assert [(e.rule, e.code, e.property) for e in found] == [("raises", UNREADABLE, "p")]
        assert "TypeError" in found[0].message
    finally:
        REGISTERED[:] = [r for r in REGISTERED if r.id != "raises"]
        RULES.pop("test:index/raises:Raises", None)


def test_rule_type_is_the_registered_one() -> None:
    assert all(isinstance(r, Rule) for r in ALL_RULES)

"""What ``botomodel`` reads from botocore's API model and how it says a value breaks it: the kinds of constraint a
member carries, the message for each (a length, a count, a range, an enumeration, a pattern) with both ends of
every bound, and the lookups that fail loudly when a botocore upgrade renames a member.

The checks use hand-built ``Constraint``s where the numbers matter, so they do not move with botocore's model;
the lookups read the installed model.
"""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules.botomodel import (
    BOTOCORE_DATA,
    Constraint,
    ModelPathError,
    compiled,
    constraint,
    documentation,
    enum,
    service_model,
    violations,
)
from offline.wire import SECRET_SIG, SIG_KEY, UNKNOWN


@pytest.fixture
def fresh_model() -> None:
    """The model read anew: ``constraint`` is cached, and other tests read the mapped members when collected."""
    constraint.cache_clear()


def member(type: str, **given: Any) -> Constraint:
    return Constraint(service="svc", operation="Op", member="M", shape="Shape", type=type, **given)


def found(constraint_: Constraint, value: Any, **kwargs: Any) -> list[tuple[str, str]]:
    return list(violations(constraint_, value, **kwargs))


# --- what a member carries ---


@pytest.mark.parametrize(
    ("given", "kinds"),
    [
        (member("string"), set()),
        (member("string", enum=("a",)), {"enum"}),
        (member("string", min=1), {"length"}),
        (member("string", max=3), {"length"}),
        (member("string", min=0), {"length"}),
        (member("string", pattern="a+"), {"pattern"}),
        (member("string", pattern=""), {"pattern"}),
        (member("integer", max=9), {"range"}),
        (member("long", min=1), {"range"}),
        (member("double", min=0.5), {"range"}),
        (member("float", max=1.5), {"range"}),
        (member("list", max=5), {"count"}),
        (member("list", element=member("string", min=1, pattern="x")), {"length", "pattern"}),
        (member("list", min=1, element=member("string", enum=("a",))), {"count", "enum"}),
    ],
    ids=lambda v: "" if isinstance(v, Constraint) else ",".join(sorted(v)) or "none",
)
def test_a_member_lists_the_kinds_of_constraint_it_carries(given: Constraint, kinds: set[str]) -> None:
    assert given.kinds() == kinds


def test_a_constraint_says_where_it_is_and_links_the_models_shape() -> None:
    given = Constraint(
        service="elbv2", operation="CreateListener", member="Port", shape="Port", type="integer", api_version="v1"
    )
    assert given.where == "elbv2 CreateListener Port (Port)"
    assert given.source == f"{BOTOCORE_DATA}/elbv2/v1/service-2.json#Port"


@pytest.mark.usefixtures("fresh_model")
def test_a_member_read_from_the_model_carries_its_shape_type_bounds_and_version() -> None:
    port = constraint("elbv2", "CreateListener", "Port")
    assert (port.service, port.operation, port.member, port.shape, port.type) == (
        "elbv2",
        "CreateListener",
        "Port",
        "Port",
        "integer",
    )
    assert (port.min, port.max) == (1, 65535)
    assert port.api_version == service_model("elbv2").api_version != ""
    assert port.element is None and port.enum == () and port.pattern is None


@pytest.mark.usefixtures("fresh_model")
def test_a_list_member_carries_what_the_model_says_of_each_element() -> None:
    actions = constraint("cloudwatch", "PutMetricAlarm", "AlarmActions")
    assert actions.type == "list" and actions.max is not None
    element = actions.element
    assert element is not None
    assert (element.member, element.type, element.operation, element.service) == (
        "AlarmActions[]",
        "string",
        "PutMetricAlarm",
        "cloudwatch",
    )
    assert element.api_version == actions.api_version
    assert element.min is not None and element.max is not None


@pytest.mark.usefixtures("fresh_model")
def test_a_member_inside_a_list_and_an_object_is_reached() -> None:
    role = constraint("iam", "CreateRole", "RoleName")
    assert role.pattern is not None and role.min == 1 and role.max is not None
    status = constraint("s3", "PutBucketLifecycleConfiguration", "LifecycleConfiguration.Rules[].Status")
    assert set(status.enum) >= {"Enabled", "Disabled"}
    assert enum("s3", "PutBucketLifecycleConfiguration", "LifecycleConfiguration.Rules[].Status") == status.enum
    assert enum("elbv2", "CreateListener", "Port") == ()


@pytest.mark.usefixtures("fresh_model")
@pytest.mark.parametrize(
    ("service", "operation", "path", "says"),
    [
        ("elbv3", "CreateListener", "Port", "botocore has no service 'elbv3'"),
        ("elbv2", "CreateListeners", "Port", "botocore elbv2 has no operation CreateListeners"),
        ("elbv2", "CreateListener", "Prot", "elbv2 CreateListener has no input member Prot (at Prot)"),
        (
            "elbv2",
            "CreateListener",
            "DefaultActions[].Typo",
            "has no input member DefaultActions[].Typo (at Typo)",
        ),
        ("elbv2", "CreateListener", "Port.Inner", "has no input member Port.Inner (at Inner)"),
        ("elbv2", "CreateListener", "Port[]", "elbv2 CreateListener Port[]: Port is not a list"),
    ],
)
def test_a_member_the_model_does_not_have_fails_loudly_and_says_where(
    service: str, operation: str, path: str, says: str
) -> None:
    with pytest.raises(ModelPathError) as raised:
        constraint(service, operation, path)
    assert says in str(raised.value)


def test_documentation_is_the_members_text_without_its_html() -> None:
    text = documentation("autoscaling", "PutScalingPolicy", "PolicyType")
    assert "StepScaling" in text and "TargetTrackingScaling" in text
    assert text.startswith("One of the following policy types:")
    assert "<" not in text and ">" not in text
    assert "  " not in text and text == text.strip()


def test_documentation_of_an_undocumented_member_is_empty_text() -> None:
    # CloudWatch's ResourceName (an alarm action) has no text in the model.
    assert documentation("cloudwatch", "PutMetricAlarm", "AlarmActions[]") == ""


# --- patterns ---


def test_a_pattern_must_match_the_whole_value() -> None:
    role = member("string", pattern="[a-z]+")
    assert found(role, "abc") == []
    assert found(role, "abc1") == [("pattern", '"abc1" does not match the pattern [a-z]+')]
    assert found(role, "1abc") != []


def test_java_word_classes_are_ascii_and_unicode_classes_are_not() -> None:
    word = compiled(r"\w+")
    letters = compiled(r"\p{L}+")
    assert word is not None and letters is not None
    assert word.fullmatch("abc_1") and not word.fullmatch("é")
    assert letters.fullmatch("é") and not letters.fullmatch("1")


def test_a_pattern_mixing_java_word_classes_with_unicode_ones_is_not_enforced() -> None:
    for pattern in (r"[\p{L}\w]+", r"[\P{L}\d]+", r"\p{L}\s", r"\p{L}\b", r"\p{L}\D", r"\p{L}\W", r"\p{L}\S"):
        assert compiled(pattern) is None, pattern
    assert found(member("string", pattern=r"[\p{L}\w]+"), "!!") == []
    assert compiled(r"\p{L}+") is not None and compiled(r"\w+") is not None


def test_a_java_surrogate_pair_range_is_read_as_the_supplementary_code_points() -> None:
    xml = compiled(r"[a\uD800\uDC00-\uDBFF\uDFFF]*")
    assert xml is not None
    assert xml.fullmatch("a\U0001f600\U00010000\U0010ffff")
    assert not xml.fullmatch("b")


def test_a_pattern_python_cannot_read_is_not_enforced() -> None:
    assert compiled("[unclosed") is None
    assert compiled("a{99999999999999999999}") is None
    assert found(member("string", pattern="[unclosed"), "anything") == []


# --- the messages a user reads ---


def test_a_string_outside_its_enumeration_is_refused_and_the_values_are_listed() -> None:
    protocol = member("string", enum=("HTTP", "HTTPS"))
    assert found(protocol, "HTTP") == []
    assert found(protocol, "http") == [("enum", '"http" is not one of HTTP | HTTPS')]


def test_a_long_enumeration_shows_its_first_twelve_values_and_a_count() -> None:
    twelve = tuple(f"v{i}" for i in range(12))
    thirteen = (*twelve, "v12")
    assert found(member("string", enum=twelve), "x") == [("enum", f'"x" is not one of {" | ".join(twelve)}')]
    assert found(member("string", enum=thirteen), "x") == [
        ("enum", f'"x" is not one of {" | ".join(twelve)} | ... (13 values)')
    ]


def test_a_refused_value_is_quoted_up_to_eighty_characters() -> None:
    value = "b" * 100
    [(kind, message)] = found(member("string", enum=("a",)), value)
    assert kind == "enum"
    assert message.startswith(f'"{"b" * 80}" is not one of')
    [(_, message)] = found(member("string", pattern="a+"), value)
    assert message == f'"{"b" * 80}" does not match the pattern a+'


def test_a_strings_length_is_accepted_at_both_ends_and_refused_past_them() -> None:
    name = member("string", min=2, max=4)
    assert found(name, "ab") == [] and found(name, "abcd") == []
    assert found(name, "a") == [("length", "1 characters; 2-4")]
    assert found(name, "abcde") == [("length", "5 characters; 2-4")]


def test_a_length_with_one_bound_says_which() -> None:
    assert found(member("string", min=3), "ab") == [("length", "2 characters; at least 3")]
    assert found(member("string", min=3), "a" * 10_000) == []
    assert found(member("string", max=3), "abcd") == [("length", "4 characters; at most 3")]
    assert found(member("string", max=3), "") == []


def test_a_number_is_accepted_at_both_ends_of_its_range_and_refused_past_them() -> None:
    port = member("integer", min=1, max=65535)
    assert found(port, 1) == [] and found(port, 65535) == [] and found(port, 1.0) == []
    assert found(port, 0) == [("range", "0 is outside 1-65535")]
    assert found(port, 65536) == [("range", "65536 is outside 1-65535")]
    assert found(port, "65536") == [("range", "65536 is outside 1-65535")]
    assert found(port, 0.5) == [("range", "0.5 is outside 1-65535")]


@pytest.mark.parametrize("kind", ["integer", "long", "float", "double"])
def test_every_number_type_is_range_checked(kind: str) -> None:
    assert found(member(kind, min=60), 59) == [("range", "59 is outside at least 60")]
    assert found(member(kind, max=60), 61) == [("range", "61 is outside at most 60")]
    assert found(member(kind, min=60), 60) == [] and found(member(kind, max=60), 60) == []


def test_a_list_is_counted_at_both_ends() -> None:
    actions = member("list", min=1, max=2)
    assert found(actions, ["a"]) == [] and found(actions, ["a", "b"]) == []
    assert found(actions, []) == [("count", "0 items; 1-2")]
    assert found(actions, ["a", "b", "c"]) == [("count", "3 items; 1-2")]
    assert found(actions, ("a", "b", "c")) == [("count", "3 items; 1-2")]
    assert found(member("list", max=2), ["a"] * 3) == [("count", "3 items; at most 2")]
    assert found(member("list", min=2), ["a"]) == [("count", "1 items; at least 2")]


def test_a_member_without_bounds_takes_any_length() -> None:
    assert found(member("string"), "a" * 10_000) == []
    assert found(member("list"), list(range(1000))) == []
    assert found(member("integer"), -(10**9)) == []


def test_a_string_breaking_several_constraints_reports_each_in_order() -> None:
    name = member("string", enum=("abcdef",), min=2, max=4, pattern="[a-z]+")
    assert [kind for kind, _ in found(name, "A")] == ["enum", "length", "pattern"]


def test_the_kinds_asked_for_are_the_only_ones_reported() -> None:
    name = member("string", enum=("abcdef",), min=2, pattern="[a-z]+")
    assert [kind for kind, _ in found(name, "A", kinds=frozenset({"pattern"}))] == ["pattern"]
    assert [kind for kind, _ in found(name, "A", kinds=frozenset({"enum", "length"}))] == ["enum", "length"]
    assert found(name, "A", kinds=frozenset()) == []
    assert found(member("integer", max=1), 2, kinds=frozenset({"length"})) == []
    assert found(member("integer", max=1), 2, kinds=frozenset({"range"})) == [("range", "2 is outside at most 1")]


def test_past_its_maximum_a_string_is_not_matched_against_the_pattern() -> None:
    name = member("string", max=3, pattern="[a-z]+")
    assert [kind for kind, _ in found(name, "AAAA")] == ["length"]
    assert [kind for kind, _ in found(name, "AAA")] == ["pattern"]


@pytest.mark.parametrize("value", [None, UNKNOWN, {SIG_KEY: SECRET_SIG, "value": UNKNOWN}])
def test_an_absent_or_unknown_value_decides_nothing(value: Any) -> None:
    for given in (member("string", min=100, enum=("a",)), member("integer", min=10**12), member("list", min=5)):
        assert found(given, value) == []


def test_a_secret_is_checked_as_its_value() -> None:
    assert found(member("string", max=1), {SIG_KEY: SECRET_SIG, "value": "ab"}) == [
        ("length", "2 characters; at most 1")
    ]


def test_a_value_of_another_type_than_the_member_decides_nothing() -> None:
    assert found(member("string", min=5, enum=("x",), pattern="x"), 3) == []
    assert found(member("string", min=5), ["a"]) == []
    assert found(member("integer", max=1), "many") == []
    assert found(member("integer", max=1), True) == []
    assert found(member("integer", max=1), [5]) == []
    assert found(member("list", max=1), "abc") == []
    assert found(member("list", max=1), b"abc") == []
    assert found(member("list", max=1), {"a": 1, "b": 2}) == []
    assert found(member("structure", max=1), "abc") == []

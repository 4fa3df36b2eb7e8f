"""Tag rules beyond their twin cases: every tag set a resource sends (its own tags with the provider's
defaultTags, nested sets, an ASG's list), both ends of each limit per service, and what each refusal says."""

from __future__ import annotations

from typing import Any

import pytest

from tests.offline.cloudrules.cases import ASG, BASE, EIP, INSTANCE, LB, LT, ROLE, SUBNET, VPC, WEB_ACL
from tests.offline.cloudrules.world import IGW_URN, errors

DEFAULTS = 3  # the test provider's defaultTags (project, stack, managed-by)


def _found(typ: str, rule: str, **changes: Any) -> list[tuple[str, str]]:
    inputs = {k: v for k, v in {**BASE[typ], **changes}.items() if v is not None}
    return [(e.property, e.message) for e in errors(typ, inputs, deps=(IGW_URN,)) if e.rule == rule]


def test_a_reserved_prefix_is_refused_in_any_case_and_in_every_tag_set() -> None:
    assert _found(VPC, "tag-reserved-prefix", tags={"AWS:owner": "x", "team": "aws:x"}) == [
        ("tags", 'tag key "AWS:owner" begins with the reserved prefix "aws:"')
    ]
    nested = _found(
        INSTANCE,
        "tag-reserved-prefix",
        rootBlockDevice={"volumeType": "gp3", "tags": {"aws:a": "1"}},
        volumeTags={"Aws:b": "1"},
    )
    assert nested == [
        ("rootBlockDevice.tags", 'tag key "aws:a" begins with the reserved prefix "aws:"'),
        ("volumeTags", 'tag key "Aws:b" begins with the reserved prefix "aws:"'),
    ]
    specs = [{"resourceType": "instance", "tags": {"a": "b"}}, {"resourceType": "volume", "tags": {"aws:c": "d"}}]
    assert _found(LT, "tag-reserved-prefix", tagSpecifications=specs) == [
        ("tagSpecifications[1].tags", 'tag key "aws:c" begins with the reserved prefix "aws:"')
    ]
    assert _found(ASG, "tag-reserved-prefix", tags=[{"key": "aws:d", "value": "v"}]) == [
        ("tags", 'tag key "aws:d" begins with the reserved prefix "aws:"')
    ]


@pytest.mark.parametrize(("typ", "key_max"), [(SUBNET, 127), (INSTANCE, 127), (LB, 128), (ROLE, 128), (ASG, 128)])
def test_tag_keys_are_1_to_127_characters_on_ec2_and_128_elsewhere(typ: str, key_max: int) -> None:
    def tagged(*keys: str) -> dict[str, Any]:
        if typ == ASG:
            return {"tags": [{"key": k, "value": "v"} for k in keys]}
        return {"tags": dict.fromkeys(keys, "v")}

    long = "k" * (key_max + 1)
    assert _found(typ, "tag-lengths", **tagged(long, "")) == [
        ("tags", f'tag key "{long[:40]}" is {key_max + 1} characters (1-{key_max} allowed)'),
        ("tags", f'tag key "" is 0 characters (1-{key_max} allowed)'),
    ]
    assert _found(typ, "tag-lengths", **tagged("k" * key_max, "k")) == []


def test_tag_values_are_at_most_256_characters_in_every_tag_set() -> None:
    assert _found(EIP, "tag-lengths", tags={"k": "v" * 257, "n": 1.0}) == [
        ("tags", 'tag "k" value is 257 characters (at most 256)')
    ]
    assert _found(INSTANCE, "tag-lengths", volumeTags={"k": "v" * 257}, tags={"k": "v" * 256}) == [
        ("volumeTags", 'tag "k" value is 257 characters (at most 256)')
    ]
    assert _found(EIP, "tag-lengths", tags={"k": "v" * 256}) == []


def test_at_most_50_tags_with_the_provider_default_tags_counted() -> None:
    many = {f"k{i}": "v" for i in range(50 - DEFAULTS + 1)}
    assert _found(EIP, "tag-count", tags=many) == [("tags", "51 tags (provider defaultTags included); AWS allows 50")]
    # A tag the resource sets itself replaces the default of the same key rather than adding one.
    assert _found(EIP, "tag-count", tags={**dict(list(many.items())[:-1]), "project": "mine"}) == []
    assert _found(EIP, "tag-count", tags=dict(list(many.items())[:-1])) == []


def test_an_asg_tag_list_takes_50_tags_without_the_provider_defaults() -> None:
    listed = [{"key": f"k{i}", "value": "v", "propagateAtLaunch": True} for i in range(51)]
    assert _found(ASG, "tag-count", tags=listed) == [("tags", "51 tags (provider defaultTags included); AWS allows 50")]
    assert _found(ASG, "tag-count", tags=listed[:50]) == []


def test_nested_tag_sets_are_counted_on_their_own() -> None:
    specs = [{"resourceType": "instance", "tags": {f"k{i}": "v" for i in range(51)}}]
    assert _found(LT, "tag-count", tagSpecifications=specs) == [
        ("tagSpecifications[0].tags", "51 tags (provider defaultTags included); AWS allows 50")
    ]
    specs = [{"resourceType": "instance", "tags": {f"k{i}": "v" for i in range(50)}}]
    assert _found(LT, "tag-count", tagSpecifications=specs) == []


@pytest.mark.parametrize("typ", [LB, ROLE, WEB_ACL])
def test_restricted_tags_hold_letters_separators_digits_and_a_few_signs(typ: str) -> None:
    found = _found(typ, "tag-charset", tags={"team&": "ops", "owner": "a*b!", "n": 1.0})
    assert found == [
        ("tags", "tag key \"team&\": character(s) ['&'] not allowed (_.:/=+-@)"),
        ("tags", "tag value \"a*b!\": character(s) ['!', '*'] not allowed (_.:/=+-@)"),
    ]
    assert _found(typ, "tag-charset", tags={"équipe ٣": "a_b.c:d/e=f+g-h@i j\u00a0"}) == []


def test_ec2_tags_take_any_character() -> None:
    assert _found(VPC, "tag-charset", tags={"team&": "a*b!"}) == []
    assert errors(VPC, {**BASE[VPC], "tags": {"team&": "a*b!"}}) == []


def test_long_keys_and_values_are_shown_by_their_first_40_characters() -> None:
    key = "k" * 50
    assert _found(EIP, "tag-lengths", tags={key: "v" * 257}) == [
        ("tags", f'tag "{key[:40]}" value is 257 characters (at most 256)')
    ]
    text = "a" * 50 + "&"
    assert _found(LB, "tag-charset", tags={text: "v"}) == [
        ("tags", f"tag key \"{text[:40]}\": character(s) ['&'] not allowed (_.:/=+-@)")
    ]


def test_an_asg_tag_value_is_read_from_its_list_entry() -> None:
    assert _found(ASG, "tag-lengths", tags=[{"key": "k", "value": "v" * 257, "propagateAtLaunch": True}]) == [
        ("tags", 'tag "k" value is 257 characters (at most 256)')
    ]

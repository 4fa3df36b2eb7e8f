"""AWS WAF rules beyond their twin cases: what each refusal says and names, and unknown values left undecided."""

from __future__ import annotations

from typing import Any

from offline.cloudrules import CloudError
from tests.offline.cloudrules.cases import BASE, BASE_RULES, WEB_ACL
from tests.offline.cloudrules.world import errors

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
GROUP_RULE, RATE_RULE = BASE_RULES


def _acl(rule: str, **changes: Any) -> list[CloudError]:
    inputs = {k: v for k, v in {**BASE[WEB_ACL], **changes}.items() if v is not None}
    return [e for e in errors(WEB_ACL, inputs) if e.rule == rule]


def _rules(*rules: dict[str, Any]) -> list[CloudError]:
    return _acl("web-acl-rules", rules=list(rules))


def test_a_web_acl_without_a_visibility_configuration_is_refused_and_says_so() -> None:
    for missing in (None, {}):
        found = _acl("web-acl-settings", visibilityConfig=missing)
        assert [(e.property, e.code) for e in found] == [("visibilityConfig", "WAFInvalidParameterException")]
        assert found[0].message == "a visibility configuration is required"
    assert _acl("web-acl-settings", visibilityConfig=UNKNOWN) == []


def test_a_rule_without_a_visibility_configuration_is_refused_at_that_rule() -> None:
    found = _rules(GROUP_RULE, {**RATE_RULE, "visibilityConfig": {}})
    assert [(e.property, e.code) for e in found] == [("rules[1].visibilityConfig", "WAFInvalidParameterException")]
    assert found[0].message == "a visibility configuration is required"
    assert _rules(GROUP_RULE, {**RATE_RULE, "visibilityConfig": UNKNOWN}) == []


def test_a_default_action_names_exactly_one_of_allow_and_block() -> None:
    none = _acl("web-acl-rules", defaultAction={})
    assert [e.property for e in none] == ["defaultAction"]
    assert none[0].message == "exactly one of allow | block is required, got none"
    both = _acl("web-acl-rules", defaultAction={"allow": {}, "block": {}})
    assert both[0].message == "exactly one of allow | block is required, got ['allow', 'block']"
    assert _acl("web-acl-rules", defaultAction={"allow": {}}) == []
    assert _acl("web-acl-rules", defaultAction=UNKNOWN) == []


def test_an_unknown_rule_action_is_left_undecided() -> None:
    assert _rules(GROUP_RULE, {**RATE_RULE, "action": UNKNOWN}) == []
    assert _rules({**GROUP_RULE, "overrideAction": UNKNOWN}, RATE_RULE) == []


def test_a_rule_action_names_exactly_one_action() -> None:
    found = _rules(GROUP_RULE, {**RATE_RULE, "action": {"block": {}, "count": {}}})
    assert [e.property for e in found] == ["rules[1].action"]
    assert found[0].message == (
        "exactly one of allow | block | count | captcha | challenge is required, got ['block', 'count']"
    )
    for action in ("allow", "block", "count", "captcha", "challenge"):
        assert _rules(GROUP_RULE, {**RATE_RULE, "action": {action: {}}}) == [], action
    override = _rules({**GROUP_RULE, "overrideAction": {}}, RATE_RULE)
    assert [e.property for e in override] == ["rules[0].overrideAction"]
    assert override[0].message == "exactly one of count | none is required, got none"

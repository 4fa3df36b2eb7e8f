"""AWS WAF rules beyond their twin cases: what each refusal says and names, and unknown values left undecided."""

from __future__ import annotations

from typing import Any

import pytest

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


def test_a_cloudfront_web_acl_belongs_in_us_east_1_and_says_so() -> None:
    from tests.offline.cloudrules.world import world

    account = world()
    account.region = "eu-west-1"
    inputs = {**BASE[WEB_ACL], "scope": "CLOUDFRONT"}
    found = [(e.property, e.message) for e in errors(WEB_ACL, inputs, account=account) if e.rule == "web-acl-settings"]
    assert found == [("scope", "a CLOUDFRONT web ACL is created in us-east-1, not eu-west-1")]
    assert [e for e in errors(WEB_ACL, {**inputs, "scope": "REGIONAL"}, account=account)] == []
    assert _acl("web-acl-settings", scope="CLOUDFRONT") == []


def test_rule_names_and_priorities_are_unique_and_say_so() -> None:
    found = errors(WEB_ACL, {**BASE[WEB_ACL], "rules": [GROUP_RULE, RATE_RULE, {**RATE_RULE, "priority": 0.0}]})
    mine = [(e.property, e.code, e.message) for e in found if e.rule == "web-acl-rules"]
    assert mine == [
        ("rules[2].name", "WAFDuplicateItemException", '"rate-limit" names another rule'),
        ("rules[2].priority", "WAFDuplicateItemException", "priority 0 is used by another rule"),
    ]
    renamed = {**RATE_RULE, "name": "rate-2", "priority": 2.0}
    assert _rules(GROUP_RULE, RATE_RULE, renamed) == []


def test_rule_groups_take_an_override_action_and_statements_an_action() -> None:
    assert [(e.property, e.message) for e in _rules({**GROUP_RULE, "overrideAction": None}, RATE_RULE)] == [
        ("rules[0].overrideAction", "a rule-group statement needs overrideAction (none or count)")
    ]
    both = _rules({**GROUP_RULE, "action": {"block": {}}}, RATE_RULE)
    assert [(e.property, e.message) for e in both] == [
        ("rules[0].action", "a rule-group statement takes overrideAction, not action")
    ]
    assert [(e.property, e.message) for e in _rules(GROUP_RULE, {**RATE_RULE, "action": None})] == [
        ("rules[1].action", "a rule statement needs an action")
    ]
    override = _rules(GROUP_RULE, {**RATE_RULE, "overrideAction": {"none": {}}})
    assert [(e.property, e.message) for e in override] == [
        ("rules[1].overrideAction", "overrideAction is only for rule-group statements")
    ]
    reference = {"ruleGroupReferenceStatement": {"arn": "arn:aws:wafv2:us-east-1:123456789012:regional/rulegroup/g/1"}}
    assert _rules({**GROUP_RULE, "statement": reference}, RATE_RULE) == []
    # Without a statement there is nothing to act on: no action is asked of the rule.
    assert _rules({**RATE_RULE, "statement": None, "action": None}) == []


@pytest.mark.parametrize("window", [60.0, 120.0, 300.0, 600.0])
def test_a_rate_based_rule_evaluates_over_60_120_300_or_600_seconds(window: float) -> None:
    rate = {"limit": 2000.0, "aggregateKeyType": "IP", "evaluationWindowSec": window}
    assert _rules(GROUP_RULE, {**RATE_RULE, "statement": {"rateBasedStatement": rate}}) == []
    wrong = {**rate, "evaluationWindowSec": window + 1}
    found = _rules(GROUP_RULE, {**RATE_RULE, "statement": {"rateBasedStatement": wrong}})
    assert [(e.property, e.message) for e in found] == [
        ("rules[1].statement.rateBasedStatement.evaluationWindowSec", f"{int(window) + 1} s is not 60, 120, 300 or 600")
    ]


def test_a_web_acl_is_associated_with_a_regional_resource_and_says_so() -> None:
    from tests.offline.cloudrules.cases import NLB_ARN, WAF_ASSOCIATION

    def association(**changes: Any) -> list[tuple[str, str]]:
        found = errors(WAF_ASSOCIATION, {**BASE[WAF_ASSOCIATION], **changes})
        return [(e.property, e.message) for e in found if e.rule == "web-acl-association"]

    assert association(resourceArn=NLB_ARN) == [
        (
            "resourceArn",
            f'"{NLB_ARN}" cannot be associated with a web ACL (a Network Load Balancer or another resource type?)',
        )
    ]
    edge = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"
    assert association(webAclArn=edge) == [
        ("webAclArn", "web ACL edge-acl has scope CLOUDFRONT; a regional resource needs REGIONAL")
    ]
    api = "arn:aws:apigateway:us-east-1::/restapis/a1b2/stages/prod"
    assert association(resourceArn=api) == []


def test_a_long_resource_arn_is_shown_by_its_first_80_characters() -> None:
    from tests.offline.cloudrules.cases import WAF_ASSOCIATION

    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/" + "n" * 40 + "/1"
    found = [e for e in errors(WAF_ASSOCIATION, {**BASE[WAF_ASSOCIATION], "resourceArn": arn})]
    assert [(e.rule, e.property) for e in found] == [("web-acl-association", "resourceArn")]
    assert found[0].message.startswith(f'"{arn[:80]}" cannot be associated with a web ACL')


def test_a_web_acl_without_a_default_action_is_left_to_the_model() -> None:
    # The model's refusal of a missing required member names it; this rule judges only a given action.
    assert _acl("web-acl-rules", defaultAction=None) == []

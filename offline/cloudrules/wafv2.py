"""AWS WAF (v2): web ACLs and their association with a load balancer. Patterns, limits and value lists are
read from the AWS API model at run time (``apimap``: botocore ``wafv2`` shapes ``EntityName``,
``EntityDescription``, ``MetricName``, ``RateLimit``, ...); what the model does not say is written here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import is_unknown, items, known_int, known_str, mapping, plain

WAF_API = "https://docs.aws.amazon.com/waf/latest/APIReference"

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"

RULE_ACTIONS = ("allow", "block", "count", "captcha", "challenge")
OVERRIDE_ACTIONS = ("count", "none")
GROUP_STATEMENTS = ("managedRuleGroupStatement", "ruleGroupReferenceStatement")
# The model gives EvaluationWindowSec no enumeration (a long); the API reference lists the four.
EVALUATION_WINDOWS = (60, 120, 300, 600)
ASSOCIABLE_ARN = re.compile(
    r"arn:[\w-]+:(elasticloadbalancing:[\w-]+:\d{12}:loadbalancer/app/|apigateway:[\w-]+::/restapis/|"
    r"appsync:|cognito-idp:|apprunner:|ec2:[\w-]+:\d{12}:verified-access-instance/|amplify:).+"
)


def _metric(prop: str, raw: Any) -> Iterator[Finding]:
    if is_unknown(raw):
        return
    # The metric name's length and characters are the model's (apimap: MetricName).
    if not mapping(raw):
        yield Finding(prop, "a visibility configuration is required")


@rule(
    types=[WEB_ACL],
    properties=("name", "namePrefix", "description", "scope", "visibilityConfig.metricName"),
    code="WAFInvalidParameterException",
    source=f"{WAF_API}/API_CreateWebACL.html (Name 1-128 [\\w-]+, Description 1-256, Scope REGIONAL | CLOUDFRONT "
    f"and CLOUDFRONT only in us-east-1); {WAF_API}/API_VisibilityConfig.html (MetricName 1-255 [\\w#:.-/]+)",
)
def web_acl_settings(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A web ACL's name is 1-128 of [A-Za-z0-9_-], description 1-256, scope REGIONAL (or CLOUDFRONT in us-east-1)."""
    # Name, description, scope values and metric name are the model's (apimap: CreateWebACL); the Region is not.
    scope = known_str(resource.get("scope"))
    if scope == "CLOUDFRONT" and world.region and world.region != "us-east-1":
        yield Finding("scope", f"a CLOUDFRONT web ACL is created in us-east-1, not {world.region}")
    yield from _metric("visibilityConfig", resource.get("visibilityConfig"))


def _one_action(prop: str, raw: Any, allowed: tuple[str, ...]) -> Iterator[Finding]:
    if is_unknown(raw):
        return
    action = mapping(raw)
    present = [k for k in allowed if plain(action.get(k)) is not None]
    if len(present) != 1:
        yield Finding(prop, f"exactly one of {' | '.join(allowed)} is required, got {present or 'none'}")


@rule(
    types=[WEB_ACL],
    properties=(
        "defaultAction.*",
        "rules[].name",
        "rules[].priority",
        "rules[].action.*",
        "rules[].overrideAction.*",
        "rules[].statement.managedRuleGroupStatement.name",
        "rules[].statement.managedRuleGroupStatement.vendorName",
        "rules[].statement.rateBasedStatement.limit",
        "rules[].statement.rateBasedStatement.aggregateKeyType",
        "rules[].statement.rateBasedStatement.evaluationWindowSec",
        "rules[].visibilityConfig.metricName",
    ),
    code="WAFInvalidParameterException",
    source=f"{WAF_API}/API_DefaultAction.html; {WAF_API}/API_Rule.html (unique Name and Priority; Action for "
    f"rule statements, OverrideAction only for rule groups); {WAF_API}/API_RateBasedStatement.html "
    "(Limit 10-2,000,000,000; EvaluationWindowSec 60 | 120 | 300 | 600)",
)
def web_acl_rules(resource: CloudResource, world: World) -> Iterator[Finding]:
    """One default action; rules with unique names and priorities, an override action exactly for rule groups."""
    default = resource.get("defaultAction")
    if default is not None and not is_unknown(default):
        yield from _one_action("defaultAction", default, ("allow", "block"))
    names: set[str] = set()
    priorities: set[int] = set()
    for i, raw in enumerate(items(resource.get("rules"))):
        entry = mapping(raw)
        prop = f"rules[{i}]"
        # Names, priorities, rate limits, key types and managed group names: the model's (apimap: Rules[]).
        name = known_str(entry.get("name"))
        if name is not None:
            if name in names:
                yield Finding(f"{prop}.name", f'"{name}" names another rule', code="WAFDuplicateItemException")
            names.add(name)
        priority = known_int(entry.get("priority"))
        if priority is not None:
            if priority in priorities:
                yield Finding(
                    f"{prop}.priority", f"priority {priority} is used by another rule", code="WAFDuplicateItemException"
                )
            priorities.add(priority)
        statement = mapping(entry.get("statement"))
        group = any(plain(statement.get(k)) is not None for k in GROUP_STATEMENTS)
        action, override = entry.get("action"), entry.get("overrideAction")
        if group:
            if action is not None:
                yield Finding(f"{prop}.action", "a rule-group statement takes overrideAction, not action")
            if override is None:
                yield Finding(f"{prop}.overrideAction", "a rule-group statement needs overrideAction (none or count)")
            else:
                yield from _one_action(f"{prop}.overrideAction", override, OVERRIDE_ACTIONS)
        elif statement:
            if override is not None:
                yield Finding(f"{prop}.overrideAction", "overrideAction is only for rule-group statements")
            if action is None:
                yield Finding(f"{prop}.action", "a rule statement needs an action")
            else:
                yield from _one_action(f"{prop}.action", action, RULE_ACTIONS)
        rate = mapping(statement.get("rateBasedStatement"))
        if rate:
            window = known_int(rate.get("evaluationWindowSec"))
            if window is not None and window not in EVALUATION_WINDOWS:
                yield Finding(
                    f"{prop}.statement.rateBasedStatement.evaluationWindowSec", f"{window} s is not 60, 120, 300 or 600"
                )
        yield from _metric(f"{prop}.visibilityConfig", entry.get("visibilityConfig"))


@rule(
    types=[ASSOCIATION],
    properties=("resourceArn", "webAclArn"),
    code="WAFInvalidParameterException",
    source=f"{WAF_API}/API_AssociateWebACL.html (ResourceArn: an Application Load Balancer, API Gateway stage, "
    "AppSync, Cognito, App Runner, Verified Access or Amplify resource; a REGIONAL web ACL)",
)
def web_acl_association(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A web ACL is associated with an ALB (or another regional resource), and only a REGIONAL web ACL is."""
    arn = known_str(resource.get("resourceArn"))
    if arn is not None and not ASSOCIABLE_ARN.fullmatch(arn):
        yield Finding(
            "resourceArn",
            f'"{arn[:80]}" cannot be associated with a web ACL (a Network Load Balancer or another resource type?)',
        )
    for acl in world.refs(resource, "webAclArn"):
        if acl.type == WEB_ACL and known_str(acl.get("scope")) == "CLOUDFRONT":
            yield Finding("webAclArn", f"web ACL {acl.name} has scope CLOUDFRONT; a regional resource needs REGIONAL")

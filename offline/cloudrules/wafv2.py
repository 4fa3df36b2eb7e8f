"""AWS WAFv2: web ACLs and their associations (``aws:wafv2/*``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import items, known_int, known_str, mapping

WAF_API = "https://docs.aws.amazon.com/waf/latest/APIReference"

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LB = "aws:lb/loadBalancer:LoadBalancer"

# botocore's wafv2 model: EntityName and MetricName shapes.
ENTITY_NAME = re.compile(r"[\w\-]{1,128}")
METRIC_NAME = re.compile(r"[\w#:.\-/]{1,255}")
ENTITY_DESCRIPTION = re.compile(r"[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]")
DESCRIPTION_MAX = 256
SCOPES = ("REGIONAL", "CLOUDFRONT")


def _metric(path: str, config: object) -> Iterator[Finding]:
    name = known_str(mapping(config).get("metricName"))
    if name is not None and not METRIC_NAME.fullmatch(name):
        yield Finding(f"{path}.metricName", f'"{name}" is not 1-255 of a-z A-Z 0-9 _ # : . - /')


@rule(
    types=[WEB_ACL],
    properties=(
        "name",
        "description",
        "scope",
        "visibilityConfig.metricName",
        "rules[].name",
        "rules[].priority",
        "rules[].visibilityConfig.metricName",
    ),
    code="WAFInvalidParameterException",
    source=f"{WAF_API}/API_CreateWebACL.html (Name, Scope); {WAF_API}/API_Rule.html (Name, Priority unique); "
    f"{WAF_API}/API_VisibilityConfig.html (MetricName); botocore wafv2 EntityDescription (Description)",
)
def web_acl_shape(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A web ACL's name and metric names match WAF's patterns; its rules have unique names and priorities."""
    name = known_str(resource.get("name"))
    if name is not None and not ENTITY_NAME.fullmatch(name):
        yield Finding("name", f'"{name}" is not 1-128 of a-z A-Z 0-9 _ -')
    description = known_str(resource.get("description"))
    if description is not None and (
        len(description) > DESCRIPTION_MAX or not ENTITY_DESCRIPTION.fullmatch(description)
    ):
        yield Finding("description", "is not 3-256 of letters, digits, spaces and + = : # @ / - , .")
    scope = known_str(resource.get("scope"))
    if scope is not None and scope not in SCOPES:
        yield Finding("scope", f'"{scope}" is not REGIONAL or CLOUDFRONT')
    if scope == "CLOUDFRONT" and world.region != "us-east-1":
        yield Finding("scope", f"a CLOUDFRONT web ACL is created in us-east-1, not {world.region}")
    yield from _metric("visibilityConfig", resource.get("visibilityConfig"))
    names: set[str] = set()
    priorities: set[int] = set()
    for index, entry in enumerate(items(resource.get("rules"))):
        entry = mapping(entry)
        rule_name = known_str(entry.get("name"))
        if rule_name is not None:
            if not ENTITY_NAME.fullmatch(rule_name):
                yield Finding(f"rules[{index}].name", f'"{rule_name}" is not 1-128 of a-z A-Z 0-9 _ -')
            if rule_name in names:
                yield Finding(f"rules[{index}].name", f'"{rule_name}" names another rule too')
            names.add(rule_name)
        priority = known_int(entry.get("priority"))
        if priority is not None:
            if priority < 0:
                yield Finding(f"rules[{index}].priority", f"{priority} is negative")
            if priority in priorities:
                yield Finding(f"rules[{index}].priority", f"{priority} is another rule's priority too")
            priorities.add(priority)
        yield from _metric(f"rules[{index}].visibilityConfig", entry.get("visibilityConfig"))


@rule(
    types=[ASSOCIATION],
    properties=("resourceArn", "webAclArn"),
    code="WAFInvalidParameterException",
    source=f"{WAF_API}/API_AssociateWebACL.html (ResourceArn: an Application Load Balancer, API Gateway stage, "
    "AppSync API, Cognito user pool, App Runner service or Verified Access instance; a REGIONAL web ACL)",
)
def association_target(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A web ACL associates with an application load balancer (not a network one), and only a REGIONAL ACL."""
    target = known_str(resource.get("resourceArn"))
    if target is not None and ":elasticloadbalancing:" in target and ":loadbalancer/app/" not in target:
        yield Finding("resourceArn", "only an application load balancer can have a web ACL")
    acl = world.find(known_str(resource.get("webAclArn")))
    if acl is not None and known_str(acl.get("scope")) == "CLOUDFRONT":
        yield Finding("webAclArn", "a CLOUDFRONT web ACL cannot be associated with a regional resource")

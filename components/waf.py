"""An optional WAFv2 web ACL in front of the ALB: AWS's managed Common and KnownBadInputs rule groups.

Requests pass unless a managed rule blocks them; each rule group reports its own CloudWatch metrics and
sampled requests, so a false positive can be found and overridden. Off by default: a web ACL costs
about $5 a month plus $1 per rule group and $0.60 per million requests.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# (priority, AWS managed rule group); lower priorities are evaluated first.
MANAGED_RULE_GROUPS = ((10, "AWSManagedRulesCommonRuleSet"), (20, "AWSManagedRulesKnownBadInputsRuleSet"))


@dataclass(frozen=True)
class Waf:
    web_acl: aws.wafv2.WebAcl
    association: aws.wafv2.WebAclAssociation


def _visibility(metric_name: str) -> aws.wafv2.WebAclVisibilityConfigArgs:
    return aws.wafv2.WebAclVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def _managed_rule(priority: int, group: str) -> aws.wafv2.WebAclRuleArgs:
    return aws.wafv2.WebAclRuleArgs(
        name=group,
        priority=priority,
        # "none" keeps each rule's own action (block); "count" would only observe.
        override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                vendor_name="AWS", name=group
            )
        ),
        visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name=group, sampled_requests_enabled=True
        ),
    )


def build_waf(name: str, *, load_balancer_arn: pulumi.Input[str], parent: pulumi.Resource) -> Waf:
    opts = pulumi.ResourceOptions(parent=parent)
    web_acl = aws.wafv2.WebAcl(
        f"{name}-waf",
        scope="REGIONAL",
        description="Managed protections in front of the load balancer",
        default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
        rules=[_managed_rule(priority, group) for priority, group in MANAGED_RULE_GROUPS],
        visibility_config=_visibility(f"{name}-waf"),
        opts=opts,
    )
    association = aws.wafv2.WebAclAssociation(
        f"{name}-waf-alb", resource_arn=load_balancer_arn, web_acl_arn=web_acl.arn, opts=opts
    )
    return Waf(web_acl=web_acl, association=association)

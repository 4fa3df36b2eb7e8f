"""AWS's API-side rules: what the AWS API refuses at create time that ``pulumi preview`` does not check.

One module per AWS service (``ec2``, ``elbv2``, ``iam``, ``autoscaling``, ``cloudwatch``, ...), plus ``tags`` (shared by
every taggable type), ``ordering`` (create order against the dependency graph), ``duplicates`` and ``quotas``
(cross-resource counts over the stack), ``arns`` (references by ARN), ``iam_documents`` (the policy grammar) and
``security_group_rules`` (inline and separate rules alike). Every rule is
registered for the resource type tokens it applies to and cites its source; ``registry.check_resource``
runs them. The mock cloud applies them to every resource it creates, ``audit`` to every resource of a
stack export or preview JSON. See docs/cloud-rules.md for the coverage table and how to add a rule.
"""

from offline.cloudrules import (  # noqa: F401 - importing a module registers its rules
    apirules,
    arns,
    autoscaling,
    cloudwatch,
    duplicates,
    ec2,
    elbv2,
    iam,
    iam_documents,
    ordering,
    quotas,
    s3,
    security_group_rules,
    tags,
    wafv2,
)
from offline.cloudrules.model import CloudError, CloudResource, Finding, World
from offline.cloudrules.registry import ALL_RULES, RULES, Rule, canonical, check_resource, rule, rules_for

__all__ = [
    "ALL_RULES",
    "RULES",
    "CloudError",
    "CloudResource",
    "Finding",
    "Rule",
    "World",
    "canonical",
    "check_resource",
    "rule",
    "rules_for",
]

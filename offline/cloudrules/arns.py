"""References by ARN: well formed, in the Region's partition, and in the Region where the service needs it.

An ARN is ``arn:<partition>:<service>:<region>:<account>:<resource>``. A stack in us-east-1 cannot use a
policy of ``arn:aws-cn`` (China) or a target group of us-west-2: the API refuses the reference as not found or
invalid. Global services (IAM) have no Region in their ARNs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import canonical, rule
from offline.cloudrules.values import items, known_str, mapping

ARN_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"
PARTITIONS_DOC = "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html"

# Region prefix -> partition; everything else is the commercial "aws" partition.
PARTITION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
)
# Services whose ARNs name no Region.
GLOBAL_SERVICES = frozenset({"iam", "s3", "cloudfront", "route53", "organizations"})


def partition_of(region: str) -> str:
    return next((partition for prefix, partition in PARTITION_PREFIXES if region.startswith(prefix)), "aws")


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(text: str) -> Arn | None:
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(*parts[1:])


@dataclass(frozen=True)
class ArnInput:
    """Where a type takes an ARN: the input path (``a[]`` a list, ``a[].b`` a field of each item), the services
    it may name (empty: any), and whether the referenced thing must be in the stack's own Region."""

    path: str
    services: tuple[str, ...] = ()
    same_region: bool = True


ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE = "aws:iam/role:Role"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER_CERTIFICATE = "aws:lb/listenerCertificate:ListenerCertificate"
TG_ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
ASG = "aws:autoscaling/group:Group"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"

ELB = ("elasticloadbalancing",)
IAM = ("iam",)
CERTIFICATES = ("acm", "iam")

ARN_INPUTS: dict[str, tuple[ArnInput, ...]] = {
    ATTACHMENT: (ArnInput("policyArn", IAM),),
    ROLE: (ArnInput("managedPolicyArns[]", IAM), ArnInput("permissionsBoundary", IAM)),
    LAUNCH_TEMPLATE: (ArnInput("iamInstanceProfile.arn", IAM),),
    LISTENER: (
        ArnInput("loadBalancerArn", ELB),
        # The certificate's Region is listener-certificate-region's (elbv2.py) to report.
        ArnInput("certificateArn", CERTIFICATES, same_region=False),
        ArnInput("defaultActions[].targetGroupArn", ELB),
        ArnInput("defaultActions[].forward.targetGroups[].arn", ELB),
    ),
    LISTENER_RULE: (
        ArnInput("listenerArn", ELB),
        ArnInput("actions[].targetGroupArn", ELB),
        ArnInput("actions[].forward.targetGroups[].arn", ELB),
    ),
    LISTENER_CERTIFICATE: (ArnInput("listenerArn", ELB), ArnInput("certificateArn", CERTIFICATES)),
    TG_ATTACHMENT: (ArnInput("targetGroupArn", ELB),),
    ASG: (ArnInput("targetGroupArns[]", ELB), ArnInput("serviceLinkedRoleArn", IAM)),
    ALARM: (ArnInput("alarmActions[]"), ArnInput("okActions[]"), ArnInput("insufficientDataActions[]")),
    WAF_ASSOCIATION: (ArnInput("resourceArn"), ArnInput("webAclArn", ("wafv2",))),
}


def values_at(inputs: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(concrete path, value) for an input path such as ``a[].b[].c``."""
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        key = head[:-2]
        for i, item in enumerate(items(mapping(inputs).get(key))):
            if rest:
                for sub, value in values_at(item, rest):
                    yield f"{key}[{i}].{sub}", value
            else:
                yield f"{key}[{i}]", item
        return
    value = mapping(inputs).get(head)
    if rest:
        for sub, inner in values_at(value, rest):
            yield f"{head}.{sub}", inner
    elif value is not None:
        yield head, value


def _arn_findings(prop: str, text: str, spec: ArnInput, region: str) -> Iterator[Finding]:
    arn = parse_arn(text)
    if arn is None:
        yield Finding(prop, f'"{text[:80]}" is not an ARN (arn:partition:service:region:account:resource)')
        return
    if spec.services and arn.service not in spec.services:
        yield Finding(prop, f"an ARN of {arn.service}, where {' or '.join(spec.services)} is expected")
    if not region:
        return
    partition = partition_of(region)
    if arn.partition != partition:
        yield Finding(prop, f"partition {arn.partition} in {region}, whose partition is {partition}")
    if arn.service in GLOBAL_SERVICES:
        if arn.region:
            yield Finding(prop, f"{arn.service} ARNs name no Region, this one names {arn.region}")
    elif spec.same_region and arn.region and arn.region != region and not arn.resource.startswith("global/"):
        yield Finding(prop, f"refers to {arn.region}; the stack is in {region}")


@rule(
    types=list(ARN_INPUTS),
    properties=tuple(sorted({spec.path for specs in ARN_INPUTS.values() for spec in specs})),
    code="ValidationError",
    source=f"{ARN_DOC} (ARN format; IAM ARNs have no Region); {PARTITIONS_DOC} (a partition's Regions reach only "
    "its own resources)",
)
def arn_partition_and_region(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An ARN input is an ARN of the expected service, in the Region's partition and (for regional services) Region."""
    for spec in ARN_INPUTS[canonical(resource.type)]:  # registered for exactly these types
        for prop, value in values_at(resource.inputs, spec.path):
            text = known_str(value)
            if text:
                yield from _arn_findings(prop, text, spec, world.region)

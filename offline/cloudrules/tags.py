"""Tag rules, shared by every taggable type: the tags AWS receives are the resource's own merged over the
provider's ``defaultTags`` (the provider sends both in one create call), plus nested tag sets
(a root volume's ``tags``, a Launch Template's ``tagSpecifications[].tags``, an ASG's ``tags`` list).

To make a new type's tags checked, add it to ``TAGGED`` with where its tags live and its service's limits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import items, mapping, plain, tags_of

EC2_TAG_DOC = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions"
TAGGING_DOC = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions"
ELBV2_TAG_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Tag.html"
IAM_TAG_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules_creating"
ASG_TAG_DOC = "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Tag.html"
MAX_TAGS = 50
# ELBv2 and IAM tag keys and values: Unicode letters, separators and digits, and _ . : / = + - @
# (botocore's elbv2 TagKey/TagValue and IAM tagKeyType patterns: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$).
RESTRICTED_EXTRA = "_.:/=+-@"


@dataclass(frozen=True)
class TagStyle:
    key_max: int = 128
    value_max: int = 256
    # Only the restricted character set above is accepted (ELBv2, IAM); EC2 accepts any Unicode.
    restricted_charset: bool = False
    # Paths of further tag maps: "rootBlockDevice.tags", "tagSpecifications[].tags".
    nested: tuple[str, ...] = ()


EC2 = TagStyle(key_max=127)
ELBV2 = TagStyle(restricted_charset=True)
IAM = TagStyle(restricted_charset=True)

TAGGED: dict[str, TagStyle] = {
    "aws:ec2/vpc:Vpc": EC2,
    "aws:ec2/subnet:Subnet": EC2,
    "aws:ec2/internetGateway:InternetGateway": EC2,
    "aws:ec2/routeTable:RouteTable": EC2,
    "aws:ec2/eip:Eip": EC2,
    "aws:ec2/natGateway:NatGateway": EC2,
    "aws:ec2/securityGroup:SecurityGroup": EC2,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": EC2,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": EC2,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": EC2,
    "aws:ec2/keyPair:KeyPair": EC2,
    "aws:ec2/instance:Instance": TagStyle(key_max=127, nested=("rootBlockDevice.tags", "volumeTags")),
    "aws:ec2/launchTemplate:LaunchTemplate": TagStyle(key_max=127, nested=("tagSpecifications[].tags",)),
    "aws:lb/loadBalancer:LoadBalancer": ELBV2,
    "aws:lb/targetGroup:TargetGroup": ELBV2,
    "aws:lb/listener:Listener": ELBV2,
    "aws:iam/role:Role": IAM,
    "aws:iam/instanceProfile:InstanceProfile": IAM,
    "aws:iam/policy:Policy": IAM,
    # Its tags are a list the provider does not merge defaultTags into (read apart in _tag_sets).
    "aws:autoscaling/group:Group": TagStyle(),
    "aws:cloudwatch/metricAlarm:MetricAlarm": TagStyle(),
    # S3 and WAF tags: letters, digits, spaces and + - = . _ : / @ (tagging conventions; wafv2 TagKey pattern).
    "aws:s3/bucket:Bucket": TagStyle(restricted_charset=True),
    "aws:wafv2/webAcl:WebAcl": TagStyle(restricted_charset=True),
}
TAGGED_TYPES = tuple(TAGGED)


def _tag_sets(resource: CloudResource, world: World) -> Iterator[tuple[str, dict[str, object]]]:
    """(property, tags) for each tag set AWS receives for ``resource``."""
    style = _style(resource)
    if resource.type == "aws:autoscaling/group:Group":
        listed = {str(mapping(t).get("key")): plain(mapping(t).get("value")) for t in items(resource.get("tags"))}
        yield "tags", listed
        return
    own = tags_of(resource.get("tags"))
    # The provider merges its defaultTags into every map of ``tags`` (an ASG's list is read above).
    yield "tags", {**world.default_tags(resource), **own}
    for path in style.nested:
        if path.endswith("[].tags"):
            for i, spec in enumerate(items(resource.get(path.split("[]")[0]))):
                yield f"{path.split('[]')[0]}[{i}].tags", tags_of(mapping(spec).get("tags"))
        elif path.endswith(".tags"):
            yield path, tags_of(mapping(resource.get(path.removesuffix(".tags"))).get("tags"))
        else:
            yield path, tags_of(resource.get(path))


def _style(resource: CloudResource) -> TagStyle:
    from offline.cloudrules.registry import canonical

    # The tag rules apply to the TAGGED types only (under any alias).
    return TAGGED[canonical(resource.type)]


@rule(
    types=TAGGED_TYPES,
    properties=("tags", "rootBlockDevice.tags", "volumeTags", "tagSpecifications[].tags"),
    code="InvalidParameterValue",
    source=TAGGING_DOC,
)
def tag_reserved_prefix(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Tag keys may not begin with "aws:" (in any case): the prefix is reserved for AWS's own tags."""
    for prop, tags in _tag_sets(resource, world):
        for key in tags:
            if key.lower().startswith("aws:"):
                yield Finding(prop, f'tag key "{key}" begins with the reserved prefix "aws:"')


@rule(
    types=TAGGED_TYPES,
    properties=("tags", "rootBlockDevice.tags", "volumeTags", "tagSpecifications[].tags"),
    code="InvalidParameterValue",
    source=f"{EC2_TAG_DOC} (EC2: keys 127); {TAGGING_DOC} (others: keys 128); values 256",
)
def tag_lengths(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Tag keys are 1 to 127 (EC2) or 128 (other services) characters; values at most 256."""
    style = _style(resource)
    for prop, tags in _tag_sets(resource, world):
        for key, value in tags.items():
            if not 1 <= len(key) <= style.key_max:
                yield Finding(prop, f'tag key "{key[:40]}" is {len(key)} characters (1-{style.key_max} allowed)')
            if isinstance(value, str) and len(value) > style.value_max:
                yield Finding(prop, f'tag "{key[:40]}" value is {len(value)} characters (at most {style.value_max})')


@rule(
    types=TAGGED_TYPES,
    properties=("tags", "rootBlockDevice.tags", "volumeTags", "tagSpecifications[].tags"),
    code="TagLimitExceeded",
    source=TAGGING_DOC,
)
def tag_count(resource: CloudResource, world: World) -> Iterator[Finding]:
    """At most 50 user tags per resource, the provider's defaultTags included."""
    for prop, tags in _tag_sets(resource, world):
        if len(tags) > MAX_TAGS:
            yield Finding(prop, f"{len(tags)} tags (provider defaultTags included); AWS allows {MAX_TAGS}")


def _restricted_ok(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "Z", "N") or char in RESTRICTED_EXTRA


@rule(
    types=[t for t, s in TAGGED.items() if s.restricted_charset],
    properties=("tags", "rootBlockDevice.tags", "volumeTags", "tagSpecifications[].tags"),
    code="ValidationError",
    source=f"{ELBV2_TAG_DOC}; {IAM_TAG_DOC}; {TAGGING_DOC}",
)
def tag_charset(resource: CloudResource, world: World) -> Iterator[Finding]:
    """ELB, IAM, S3 and WAF tags hold only Unicode letters, digits, spaces and _ . : / = + - @."""
    for prop, tags in _tag_sets(resource, world):
        for key, value in tags.items():
            for label, text in (("key", key), ("value", value)):
                if isinstance(text, str):
                    wrong = sorted({c for c in text if not _restricted_ok(c)})
                    if wrong:
                        yield Finding(
                            prop, f'tag {label} "{text[:40]}": character(s) {wrong} not allowed ({RESTRICTED_EXTRA})'
                        )

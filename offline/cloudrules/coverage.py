"""The coverage table: every (resource type, input property) the program sets, under every config the
README documents, with the cloud rules that check it, or the note of why no API-side rule applies.

``python -m offline cloud-coverage > docs/cloud-rules.md`` regenerates it; a test fails when the file is
stale, and when the program sets a property that neither a rule nor a note in ``REVIEWED`` covers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from offline.cloudrules.apimap import MAPPINGS
from offline.cloudrules.autoscaling import ROLLOUT
from offline.cloudrules.botomodel import constraint
from offline.cloudrules.registry import ALL_RULES, Rule, aliases_of, canonical
from offline.wire import SECRET_SIG, SIG_KEY

REPO = Path(__file__).resolve().parents[2]
NOT_REVIEWED = "**NOT REVIEWED**"
# A fixed, valid ED25519 key: the table must not change from run to run.
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

# Every config the README documents: (stack, keys over Pulumi.<stack>.yaml).
README_CONFIGS: dict[str, tuple[str, dict[str, str]]] = {
    "dev": ("dev", {}),
    "dev with sshPublicKey": ("dev", {"sshPublicKey": SSH_KEY}),
    "dev on useDefaultVpc": ("dev", {"useDefaultVpc": "true"}),
    "prod": ("prod", {}),
    "prod with certificateArn and green": (
        "prod",
        {"certificateArn": CERTIFICATE, "green": '{"amiId": "ami-0abc1234def567890", "weight": 10}'},
    ),
    "prod with natGateways single, azCount 3": ("prod", {"natGateways": "single", "azCount": "3"}),
    "prod with waf": ("prod", {"waf": "true"}),
    "dev with detailedMonitoring": ("dev", {"detailedMonitoring": "true"}),
    "prod torn down (deletionProtection false, logBucketForceDestroy true)": (
        "prod",
        {"deletionProtection": "false", "logBucketForceDestroy": "true"},
    ),
}

# Keys whose object value is user data (tag maps), listed as one property rather than one per key.
LEAF_KEYS = frozenset({"tags", "tagsAll", "volumeTags", "defaultTags", "dimensions"})

# Properties the program sets on which AWS enforces nothing beyond their type (or only existence in the
# account, which is state, not a rule): looked at, with the reason. Key: (canonical type, path).
REVIEWED: dict[tuple[str, str], str] = {
    ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket"): "a bucket name: existence only",
    ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "rules[].filter.prefix"): "any key "
    "prefix, empty for the whole bucket",
    ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bucket"): "a bucket name: existence only",
    ("aws:s3/bucketPolicy:BucketPolicy", "bucket"): "a bucket name: existence only",
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "blockPublicAcls"): "boolean",
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "blockPublicPolicy"): "boolean",
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket"): "a bucket name: existence only",
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "ignorePublicAcls"): "boolean",
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "restrictPublicBuckets"): "boolean",
    ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket"): "a bucket "
    "name: existence only",
    ("aws:wafv2/webAcl:WebAcl", "defaultAction.allow"): "an empty object: allow is the whole action",
    ("aws:wafv2/webAcl:WebAcl", "rules[].overrideAction.none"): "an empty object: keep each rule's own action",
    ("aws:wafv2/webAcl:WebAcl", "rules[].statement.managedRuleGroupStatement.name"): "a managed rule group: "
    "existence only (WAFNonexistentItemException)",
    ("aws:wafv2/webAcl:WebAcl", "rules[].statement.managedRuleGroupStatement.vendorName"): "a vendor: existence only",
    ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "egress"): "an empty list: adopting strips every rule",
    ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "ingress"): "an empty list: adopting strips every rule",
    ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "vpcId"): "a VPC id: existence only",
    ("aws:ec2/instance:Instance", "associatePublicIpAddress"): "boolean",
    ("aws:ec2/instance:Instance", "iamInstanceProfile"): "a profile name: existence only",
    ("aws:ec2/instance:Instance", "instanceType"): "offered per AZ: state, not a format (Unsupported)",
    ("aws:ec2/instance:Instance", "keyName"): "a key pair name: existence only",
    ("aws:ec2/instance:Instance", "rootBlockDevice.deleteOnTermination"): "boolean",
    ("aws:ec2/instance:Instance", "rootBlockDevice.encrypted"): "boolean",
    ("aws:ec2/instance:Instance", "userDataReplaceOnChange"): "provider-side only: never sent to AWS",
    ("aws:ec2/internetGateway:InternetGateway", "vpcId"): "a VPC id: existence only (one gateway per VPC)",
    ("aws:ec2/launchTemplate:LaunchTemplate", "blockDeviceMappings[].deviceName"): "a device name the image "
    "defines (looked up from the AMI by components/launch.py)",
    ("aws:ec2/launchTemplate:LaunchTemplate", "blockDeviceMappings[].ebs.deleteOnTermination"): "boolean (as text)",
    ("aws:ec2/launchTemplate:LaunchTemplate", "blockDeviceMappings[].ebs.encrypted"): "boolean (as text)",
    ("aws:ec2/launchTemplate:LaunchTemplate", "iamInstanceProfile.arn"): "a profile ARN: existence only",
    ("aws:ec2/launchTemplate:LaunchTemplate", "instanceType"): "offered per AZ: state, not a format",
    ("aws:ec2/launchTemplate:LaunchTemplate", "networkInterfaces[].associatePublicIpAddress"): "boolean (as text)",
    ("aws:ec2/launchTemplate:LaunchTemplate", "networkInterfaces[].deleteOnTermination"): "boolean (as text)",
    ("aws:ec2/launchTemplate:LaunchTemplate", "networkInterfaces[].deviceIndex"): "0 is the primary interface",
    ("aws:lb/listener:Listener", "defaultActions[].forward.stickiness.enabled"): "boolean",
    ("aws:ec2/launchTemplate:LaunchTemplate", "updateDefaultVersion"): "provider-side: a ModifyLaunchTemplate call",
    ("aws:ec2/routeTable:RouteTable", "vpcId"): "a VPC id: existence only",
    ("aws:ec2/securityGroup:SecurityGroup", "vpcId"): "a VPC id: existence only",
    ("aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch"): "boolean",
    ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "securityGroupId"): "a group id: existence only",
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "securityGroupId"): "a group id: existence only",
    ("aws:lb/loadBalancer:LoadBalancer", "enableDeletionProtection"): "boolean",
    ("aws:autoscaling/group:Group", "launchTemplate.id"): "a template id: existence only",
    ("aws:autoscaling/group:Group", "targetGroupArns"): "target group ARNs: existence only",
    ("aws:autoscaling/group:Group", "instanceRefresh.preferences.skipMatching"): "boolean",
    (ROLLOUT, "__provider"): "the serialized dynamic provider: the engine's, never sent to AWS",
    (ROLLOUT, "assumeRoles"): "the role chain the client assumes (STS AssumeRole; config.py checks each field)",
    (ROLLOUT, "autoScalingGroupName"): "a group name: existence only (the rollout says when it is missing)",
    (ROLLOUT, "imageId"): "shown in the preview beside the version: never sent to AWS",
    (ROLLOUT, "launchTemplateId"): "a template id: existence only",
    (ROLLOUT, "region"): "the endpoint the client calls (config.py checks its form as aws:region)",
    (ROLLOUT, "timeoutSeconds"): "how long pulumi up waits for the verdict: never sent to AWS",
    # Properties the parallel issues are adding (detailed monitoring, access logs, WAF), reviewed ahead.
    ("aws:ec2/instance:Instance", "monitoring"): "boolean",
    ("aws:ec2/launchTemplate:LaunchTemplate", "monitoring.enabled"): "boolean",
    ("aws:s3/bucket:Bucket", "forceDestroy"): "provider-side only: never sent to AWS",
    ("aws:wafv2/webAcl:WebAcl", "visibilityConfig.cloudwatchMetricsEnabled"): "boolean",
    ("aws:wafv2/webAcl:WebAcl", "visibilityConfig.sampledRequestsEnabled"): "boolean",
    ("aws:wafv2/webAcl:WebAcl", "rules[].visibilityConfig.cloudwatchMetricsEnabled"): "boolean",
    ("aws:wafv2/webAcl:WebAcl", "rules[].visibilityConfig.sampledRequestsEnabled"): "boolean",
}


def property_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Input paths as the table names them: ``a.b`` for objects, ``a[].b`` for lists of objects."""
    if isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG:
        yield from property_paths(value.get("value"), prefix)
    elif isinstance(value, Mapping) and value and prefix.split(".")[-1].removesuffix("[]") not in LEAF_KEYS:
        for key, inner in value.items():
            yield from property_paths(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        for item in value:
            yield from property_paths(item, f"{prefix}[]")
    elif prefix:
        yield prefix


def covers(rule_property: str, path: str) -> bool:
    """A rule covers the exact path it reads; ``a.*`` covers each direct key of ``a`` (a choice of variants such
    as ``defaultAction.allow``); a tag property covers the entries of a tag list too."""
    if path == rule_property:
        return True
    if rule_property.endswith(".*"):
        rest = path.removeprefix(rule_property[:-1])
        return rest != path and rest != "" and "." not in rest and "[" not in rest
    return rule_property.split(".")[-1] in LEAF_KEYS and path.startswith(f"{rule_property}[")


def program_properties() -> dict[str, set[str]]:
    """(canonical type) -> paths the program sets as input, over every README config."""
    from offline.harness import program_from_file, run_program
    from offline.mockcloud import MockCloud
    from offline.project import load_stack

    found: dict[str, set[str]] = {}
    previous = Path.cwd()
    os.chdir(REPO)
    try:
        for label, (stack, keys) in README_CONFIGS.items():
            settings = load_stack(REPO, stack)
            project = settings.project
            config = {**settings.config, **{f"{project}:{k}": v for k, v in keys.items()}}
            run = run_program(
                program_from_file(settings.program.resolve(), [REPO]),
                MockCloud(region=settings.region),
                project=project,
                stack=stack,
                config=config,
            )
            if run.error is not None:
                raise RuntimeError(f"the program fails for the README config {label!r}: {run.error}")
            for resource in (r for r in run.managed() if r.type.startswith("aws:") or r.type == ROLLOUT):
                found.setdefault(canonical(resource.type), set()).update(property_paths(resource.inputs))
    finally:
        os.chdir(previous)
    return found


def checking(resource_type: str, path: str) -> list[Rule]:
    return [r for r in ALL_RULES if resource_type in r.types and any(covers(p, path) for p in r.reads(resource_type))]


def unreviewed(properties: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    """Properties the program sets that no rule checks and no note covers."""
    return sorted(
        (t, p) for t, paths in properties.items() for p in paths if not checking(t, p) and (t, p) not in REVIEWED
    )


def model_cell(resource_type: str, path: str) -> str:
    """The AWS API members (botocore's model) the input maps to, with the kinds of constraint read from each."""
    cells = []
    for entry in MAPPINGS:
        if entry.type == resource_type and entry.property == path:
            found = constraint(entry.service, entry.operation, entry.member)
            cells.append(f"`{entry.service}` `{entry.member}` (`{found.shape}`: {', '.join(sorted(found.kinds()))})")
    return "; ".join(cells)


def model_share(properties: Mapping[str, set[str]]) -> tuple[int, int]:
    """(pairs with a model-backed rule, pairs) over the (type, property) pairs the program sets."""
    pairs = [(t, p) for t, paths in properties.items() for p in paths]
    return sum(1 for t, p in pairs if model_cell(t, p)), len(pairs)


def _anchor(rule_id: str) -> str:
    return f"[{rule_id}](#{rule_id})"


def render(properties: Mapping[str, set[str]]) -> str:
    lines = [
        "# Cloud rules: coverage",
        "",
        "<!-- Generated by `python -m offline cloud-coverage > docs/cloud-rules.md` (or `make cloud-coverage`);",
        "     do not edit. tests/offline/cloudrules/test_coverage.py fails when it is stale. -->",
        "",
        "Every input property the program sets, over every config the README documents",
        f"({'; '.join(README_CONFIGS)}), with the cloud rules (`offline/cloudrules/`) that check it. A property",
        "no rule checks carries the reason no API-side constraint applies beyond its type (or existence, which",
        "is account state). How to add a rule: [adding-cloud-rules.md](adding-cloud-rules.md).",
        "",
        "The **AWS API model** column names the API member an input becomes and what botocore's model",
        "(read at run time, `offline/cloudrules/botomodel.py`) says of it: enumeration, length, count, range,",
        "pattern. The rule in the second column applies it (`offline/cloudrules/apimap.py`).",
        "{} of {} (type, property) pairs here have a model-backed rule.".format(*model_share(properties)),
        "",
    ]
    for resource_type in sorted(properties):
        aliases = aliases_of(resource_type)
        alias_text = f" (alias {', '.join(f'`{a}`' for a in aliases)})" if aliases else ""
        lines += [
            f"## `{resource_type}`{alias_text}",
            "",
            "| property | checked by | AWS API model |",
            "|---|---|---|",
        ]
        for path in sorted(properties[resource_type]):
            rules = checking(resource_type, path)
            if rules:
                cell = ", ".join(_anchor(r.id) for r in rules)
            else:
                note = REVIEWED.get((resource_type, path))
                cell = NOT_REVIEWED if note is None else f"no API-side constraint beyond its type: {note}"
            lines.append(f"| `{path}` | {cell} | {model_cell(resource_type, path)} |")
        lines.append("")
    lines += ["## Rules", "", "| rule | types | AWS error | what AWS refuses | source |", "|---|---|---|---|---|"]
    for found in sorted(ALL_RULES, key=lambda r: r.id):
        types = ", ".join(f"`{t.split(':')[1]}`" for t in found.types)
        source = found.source.replace("|", "\\|")
        lines.append(f'| <a id="{found.id}"></a>`{found.id}` | {types} | `{found.code}` | {found.summary} | {source} |')
    return "\n".join(lines) + "\n"


def main() -> int:
    import sys

    properties = program_properties()
    sys.stdout.write(render(properties))
    missing = unreviewed(properties)
    for resource_type, path in missing:
        sys.stderr.write(f"not reviewed: {resource_type} {path}: add a rule, or a note to REVIEWED in {__file__}\n")
    return 1 if missing else 0

"""EC2 Auto Scaling: groups (capacity, health checks, instance refresh, maintenance policy) and scaling policies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import (
    items,
    known_bool,
    known_int,
    known_number,
    known_str,
    mapping,
    plain,
)

ASG_API = "https://docs.aws.amazon.com/autoscaling/ec2/APIReference"

GROUP = "aws:autoscaling/group:Group"
POLICY = "aws:autoscaling/policy:Policy"
# The project's rollout (components/rollout.py): its create and update call StartInstanceRefresh.
ROLLOUT = "pulumi-python:dynamic/autoscaling:Rollout"
MAX_REFRESH_ALARMS = 10

HEALTH_CHECK_TYPES = ("EC2", "ELB", "VPC_LATTICE", "EBS")


@rule(
    types=[GROUP],
    properties=("name", "namePrefix", "minSize", "maxSize", "desiredCapacity", "vpcZoneIdentifiers"),
    code="ValidationError",
    source=f"{ASG_API}/API_CreateAutoScalingGroup.html (AutoScalingGroupName 1-255; MinSize <= DesiredCapacity "
    "<= MaxSize)",
)
def group_capacity(resource: CloudResource, world: World) -> Iterator[Finding]:
    """The group's name is 1-255 characters; 0 <= minSize <= desiredCapacity <= maxSize; it has subnets."""
    # The name's length and characters are the model's (apimap: AutoScalingGroupName).
    low, desired, high = (known_int(resource.get(k)) for k in ("minSize", "desiredCapacity", "maxSize"))
    if low is not None and low < 0:
        yield Finding("minSize", f"{low} is negative")
    if low is not None and high is not None and low > high:
        yield Finding("minSize", f"minSize {low} is above maxSize {high}")
    if desired is not None and low is not None and desired < low:
        yield Finding("desiredCapacity", f"{desired} is below minSize {low}")
    if desired is not None and high is not None and desired > high:
        yield Finding("desiredCapacity", f"{desired} is above maxSize {high}")
    if plain(resource.get("vpcZoneIdentifiers")) == [] and not items(resource.get("availabilityZones")):
        yield Finding("vpcZoneIdentifiers", "a group needs subnets (or Availability Zones)")


@rule(
    types=[GROUP],
    properties=("healthCheckType", "healthCheckGracePeriod", "defaultInstanceWarmup"),
    code="ValidationError",
    source=f"{ASG_API}/API_CreateAutoScalingGroup.html (HealthCheckType EC2 | ELB | VPC_LATTICE | EBS; "
    "HealthCheckGracePeriod and DefaultInstanceWarmup >= 0)",
)
def group_health_checks(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Health check type is EC2, ELB, VPC_LATTICE or EBS; grace period and warmup are not negative."""
    kind = known_str(resource.get("healthCheckType"))
    if kind is not None and any(part not in HEALTH_CHECK_TYPES for part in kind.split(",")):
        yield Finding("healthCheckType", f'"{kind}" is not {" | ".join(HEALTH_CHECK_TYPES)}')
    for prop in ("healthCheckGracePeriod", "defaultInstanceWarmup"):
        value = known_int(resource.get(prop))
        if value is not None and value < 0:
            yield Finding(prop, f"{value} is negative")


def _at(prop: str, leaf: str) -> str:
    return f"{prop}.{leaf}" if prop else leaf


def _percentages(prop: str, low: int | None, high: int | None, *, allow_unset: bool) -> Iterator[Finding]:
    unset = -1 if allow_unset else None
    # The ranges are the model's (apimap: min -1-100 and max -1-200 in a maintenance policy, 0-100 and 100-200 in
    # an instance refresh), but for a maintenance policy's maximum, which AWS takes as -1 or 100-200.
    if allow_unset and high is not None and high != unset and not 100 <= high <= 200:
        yield Finding(_at(prop, "maxHealthyPercentage"), f"{high} is outside 100-200")
    if low is not None and high is not None and low != unset and high != unset and high - low > 100:
        yield Finding(_at(prop, "maxHealthyPercentage"), f"{high} - {low}: the range between them is at most 100")
    if allow_unset and low is not None and high is not None and (low == -1) != (high == -1):
        yield Finding(_at(prop, "minHealthyPercentage"), "set both percentages, or both to -1")


@rule(
    types=[GROUP],
    properties=("instanceMaintenancePolicy.minHealthyPercentage", "instanceMaintenancePolicy.maxHealthyPercentage"),
    code="ValidationError",
    source=f"{ASG_API}/API_InstanceMaintenancePolicy.html (min -1 or 0-100, max -1 or 100-200, range <= 100)",
)
def group_maintenance_policy(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Maintenance policy: min 0-100, max 100-200, max - min <= 100 (or both -1)."""
    policy = mapping(resource.get("instanceMaintenancePolicy"))
    yield from _percentages(
        "instanceMaintenancePolicy",
        known_int(policy.get("minHealthyPercentage")),
        known_int(policy.get("maxHealthyPercentage")),
        allow_unset=True,
    )


def _template_version(resource: CloudResource) -> Any:
    template = mapping(resource.get("launchTemplate"))
    if template:
        return plain(template.get("version"))
    mixed = mapping(mapping(resource.get("mixedInstancesPolicy")).get("launchTemplate"))
    return plain(mapping(mixed.get("launchTemplateSpecification")).get("version"))


@rule(
    types=[GROUP],
    properties=(
        "instanceRefresh.strategy",
        "instanceRefresh.preferences.minHealthyPercentage",
        "instanceRefresh.preferences.maxHealthyPercentage",
        "instanceRefresh.preferences.autoRollback",
        "instanceRefresh.preferences.scaleInProtectedInstances",
        "instanceRefresh.preferences.standbyInstances",
        "launchTemplate.version",
    ),
    code="ValidationError",
    source=f"{ASG_API}/API_RefreshPreferences.html (MinHealthyPercentage 0-100, MaxHealthyPercentage 100-200 and "
    "at most 100 above the minimum; AutoRollback not with a $Latest or $Default template version; "
    "ScaleInProtectedInstances Refresh | Ignore | Wait; StandbyInstances Terminate | Ignore | Wait)",
)
def group_instance_refresh(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Instance refresh preferences are in range, and auto-rollback has a numbered template version to return to."""
    refresh = mapping(resource.get("instanceRefresh"))
    if not refresh:
        return
    # Strategy, the preference values and ranges are the model's (apimap: StartInstanceRefresh).
    prefs: Mapping[str, Any] = mapping(refresh.get("preferences"))
    yield from _percentages(
        "instanceRefresh.preferences",
        known_int(prefs.get("minHealthyPercentage")),
        known_int(prefs.get("maxHealthyPercentage")),
        allow_unset=False,
    )
    version = known_str(_template_version(resource))
    if known_bool(prefs.get("autoRollback")) and version in ("$Latest", "$Default"):
        yield Finding(
            "instanceRefresh.preferences.autoRollback",
            f"auto-rollback is not supported with launch template version {version}; pin a version number",
        )


@rule(
    types=[ROLLOUT],
    properties=(
        "minHealthyPercentage",
        "maxHealthyPercentage",
        "instanceWarmupSeconds",
        "alarmNames",
        "launchTemplateVersion",
    ),
    code="ValidationError",
    source=f"{ASG_API}/API_RefreshPreferences.html (MinHealthyPercentage 0-100, MaxHealthyPercentage 100-200 and "
    "at most 100 above the minimum, InstanceWarmup >= 0; AutoRollback not with a $Latest or $Default version); "
    f"{ASG_API}/API_AlarmSpecification.html (up to 10 alarms, names 1-255)",
)
def rollout_refresh(resource: CloudResource, world: World) -> Iterator[Finding]:
    """The rollout's refresh: preferences in range, at most 10 alarms, a version number to roll back from."""
    yield from _percentages(
        "",
        known_int(resource.get("minHealthyPercentage")),
        known_int(resource.get("maxHealthyPercentage")),
        allow_unset=False,
    )
    # A warmup of at least 0 is the model's (apimap: StartInstanceRefresh Preferences.InstanceWarmup).
    names = items(resource.get("alarmNames"))  # none while unknown
    if len(names) > MAX_REFRESH_ALARMS:
        yield Finding("alarmNames", f"{len(names)} alarms; an instance refresh watches at most {MAX_REFRESH_ALARMS}")
    for name in names:
        text = known_str(name)
        if text is not None and not 1 <= len(text) <= 255:
            yield Finding("alarmNames", f"an alarm name of {len(text)} characters; 1-255")
    # The rollout always asks for AutoRollback, which needs a version number to return from.
    version = known_str(resource.get("launchTemplateVersion"))
    if version is not None and not (version.isascii() and version.isdigit()):
        yield Finding("launchTemplateVersion", f'"{version}": auto-rollback needs a launch template version number')


# The model gives PolicyType no enumeration (a string of 1-64); the API reference lists the four.
POLICY_TYPES = ("SimpleScaling", "StepScaling", "TargetTrackingScaling", "PredictiveScaling")


@rule(
    types=[POLICY],
    properties=(
        "name",
        "policyType",
        "autoscalingGroupName",
        "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType",
        "targetTrackingConfiguration.predefinedMetricSpecification.resourceLabel",
        "targetTrackingConfiguration.targetValue",
    ),
    code="ValidationError",
    source=f"{ASG_API}/API_PutScalingPolicy.html; {ASG_API}/API_PredefinedMetricSpecification.html "
    "(ALBRequestCountPerTarget needs a ResourceLabel)",
)
def scaling_policy(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Policy type and predefined metric are known values; a target-tracking target is positive."""
    # Names, lengths and the predefined metric types are the model's (apimap: PutScalingPolicy).
    kind = known_str(resource.get("policyType")) or "SimpleScaling"
    if kind not in POLICY_TYPES:
        yield Finding("policyType", f'"{kind}" is not {" | ".join(POLICY_TYPES)}')
    tracking = mapping(resource.get("targetTrackingConfiguration"))
    if kind == "TargetTrackingScaling" and not tracking and resource.get("targetTrackingConfiguration") is None:
        yield Finding(
            "targetTrackingConfiguration", "a target tracking policy needs its configuration", code="MissingParameter"
        )
    spec = mapping(tracking.get("predefinedMetricSpecification"))
    metric = known_str(spec.get("predefinedMetricType"))
    prefix = "targetTrackingConfiguration.predefinedMetricSpecification"
    if metric == "ALBRequestCountPerTarget" and plain(spec.get("resourceLabel")) is None:
        yield Finding(f"{prefix}.resourceLabel", "ALBRequestCountPerTarget needs a resource label")
    target = known_number(tracking.get("targetValue"))
    if tracking and target is not None and target <= 0:
        yield Finding("targetTrackingConfiguration.targetValue", f"{target} must be positive")


# --- names, template versions, maintenance policy (round 2) ---------------------------------------


@rule(
    types=[GROUP],
    properties=("name", "namePrefix"),
    code="ValidationError",
    source=f"{ASG_API}/API_CreateAutoScalingGroup.html (AutoScalingGroupName: ASCII characters 33 to 126; "
    "you cannot use a colon (:) in the name)",
)
def group_name_characters(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A group's name (or prefix) is printable ASCII 33-126 without a colon: no spaces, no ":"."""
    for prop in ("name", "namePrefix"):
        name = known_str(resource.get(prop))
        if name is None:
            continue
        wrong = sorted({c for c in name if not 33 <= ord(c) <= 126 or c == ":"})
        if wrong:
            yield Finding(prop, f"character(s) {wrong} not allowed (ASCII 33-126, no colon)")


def _template_versions(resource: CloudResource) -> Iterator[tuple[str, Any]]:
    yield "launchTemplate.version", mapping(resource.get("launchTemplate")).get("version")
    mixed = mapping(mapping(resource.get("mixedInstancesPolicy")).get("launchTemplate"))
    yield (
        "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version",
        mapping(mixed.get("launchTemplateSpecification")).get("version"),
    )
    for i, override in enumerate(items(mixed.get("overrides"))):
        spec = mapping(mapping(override).get("launchTemplateSpecification"))
        yield (
            f"mixedInstancesPolicy.launchTemplate.overrides[{i}].launchTemplateSpecification.version",
            spec.get("version"),
        )


@rule(
    types=[GROUP],
    properties=(
        "launchTemplate.version",
        "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version",
        "mixedInstancesPolicy.launchTemplate.overrides[].launchTemplateSpecification.version",
    ),
    code="ValidationError",
    source=f"{ASG_API}/API_LaunchTemplateSpecification.html (Version: the version number, $Latest or $Default)",
)
def group_launch_template_version(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Every launch template version the group names is a number, $Latest or $Default."""
    from offline.cloudrules.ec2 import launch_template_version_findings

    for prop, version in _template_versions(resource):
        yield from launch_template_version_findings(prop, version)


@rule(
    types=[GROUP],
    properties=("instanceMaintenancePolicy.minHealthyPercentage", "instanceMaintenancePolicy.maxHealthyPercentage"),
    code="ValidationError",
    source=f"{ASG_API}/API_InstanceMaintenancePolicy.html; https://docs.aws.amazon.com/autoscaling/ec2/userguide/"
    "ec2-auto-scaling-instance-maintenance-policy.html (both the minimum and maximum healthy percentage must be "
    "specified)",
)
def group_maintenance_policy_both(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A maintenance policy sets both the minimum and the maximum healthy percentage, not one."""
    policy = mapping(resource.get("instanceMaintenancePolicy"))  # {} while unknown: nothing is given
    given = [k for k in ("minHealthyPercentage", "maxHealthyPercentage") if plain(policy.get(k)) is not None]
    if len(given) == 1:
        missing = "maxHealthyPercentage" if given[0] == "minHealthyPercentage" else "minHealthyPercentage"
        yield Finding(f"instanceMaintenancePolicy.{missing}", f"both percentages must be specified, only {given[0]} is")

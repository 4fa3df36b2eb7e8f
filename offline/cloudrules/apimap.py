"""Which AWS API parameter each Pulumi input becomes: (type token, input path) -> (service, operation, member).

The path is the wire form the engine hands a program and a pack (camelCase, ``a.b`` into objects, ``a[].b``
into lists); the member is botocore's input shape path (``DefaultActions[].RedirectConfig.StatusCode``).
``botomodel`` reads what the model says of that member, ``apirules`` refuses what it refuses.

``rule`` names the hand-written rule that applies the mapping with its own checks (its id stays what it
was; its findings at a property the model already refused are dropped, so one fault is reported once);
mappings without one are applied by that service's generic ``api-model-<service>`` rule.

Pulumi values that differ from the API's are translated first (``translate``): pulumi-aws upper-cases ELB
protocols, joins an Auto Scaling group's subnets with commas, sends CloudWatch dimensions as a map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from offline.cloudrules.values import known_str, mapping, plain

VPC = "aws:ec2/vpc:Vpc"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LB = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/policy:Policy"
GROUP = "aws:autoscaling/group:Group"
SCALING_POLICY = "aws:autoscaling/policy:Policy"
ROLLOUT = "pulumi-python:dynamic/autoscaling:Rollout"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"

# The error code each service's request validation answers with. S3 checks a configuration against its published
# schema: "MalformedXML: The XML you provided was not well-formed or did not validate against our published
# schema" (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
SERVICE_CODES: dict[str, str] = {
    "ec2": "InvalidParameterValue",
    "elbv2": "ValidationError",
    "autoscaling": "ValidationError",
    "iam": "ValidationError",
    "cloudwatch": "ValidationError",
    "s3": "MalformedXML",
    "wafv2": "WAFInvalidParameterException",
}


# Names the provider generates when the given one is empty: the Terraform AWS provider's `create.Name` takes "the
# name if non-empty, a prefix generated name if non-empty, or fully generated name prefixed with terraform-"
# (internal/create/naming.go), so AWS never receives "" for these and the model's minimum length does not apply.
GENERATED_WHEN_EMPTY: frozenset[tuple[str, str]] = frozenset(
    {(ROLE, "name"), (PROFILE, "name"), (ROLE_POLICY, "name"), (POLICY, "name"), (GROUP, "name")}
)


def upper(value: Any) -> Any:
    """pulumi-aws accepts ELB protocols in any case and sends them upper-cased."""
    return value.upper() if isinstance(value, str) else value


def comma_joined(value: Any) -> Any:
    """An Auto Scaling group's subnets travel as one comma-separated VPCZoneIdentifier; undecided while unknown.

    No subnets send no VPCZoneIdentifier at all (the provider's create sets it only for a non-empty list), so an
    empty list is not the model's to judge: group-capacity says a group needs subnets or Availability Zones."""
    value = plain(value)
    if not isinstance(value, list | tuple) or not value:
        return None
    parts = [known_str(v) for v in value]
    return ",".join(p for p in parts if p is not None) if all(p is not None for p in parts) else None


def map_keys(value: Any) -> Any:
    """CloudWatch dimensions: a map in Pulumi, a list of {Name, Value} in the API (one entry per key)."""
    return list(mapping(value)) if mapping(value) or plain(value) == {} else None


def map_values(value: Any) -> Any:
    return list(mapping(value).values()) if mapping(value) else None


@dataclass(frozen=True)
class ApiMapping:
    type: str
    property: str
    service: str
    operation: str
    member: str
    # The hand-written rule that applies it ("" = the generic api-model-<service> rule).
    rule: str = ""
    translate: Callable[[Any], Any] | None = None
    # The translated value is a list whose every element is checked against the member (map keys, values).
    each: bool = False
    # The AWS error code, when it is not the service's usual one.
    code: str = ""


def error_code(entry: ApiMapping) -> str:
    """The code AWS answers a refusal of ``entry``'s member with."""
    return entry.code or SERVICE_CODES[entry.service]


def _table(
    type_: str, service: str, operation: str, rows: list[tuple[Any, ...]], *, rule: str = ""
) -> list[ApiMapping]:
    """Rows of (property, member[, rule[, translate]]) for one type and one API operation."""
    built: list[ApiMapping] = []
    for row in rows:
        prop, member = row[0], row[1]
        row_rule = row[2] if len(row) > 2 else rule
        options: Mapping[str, Any] = row[3] if len(row) > 3 else {}
        built.append(ApiMapping(type_, prop, service, operation, member, row_rule, **options))
    return built


_UP = {"translate": upper}

MAPPINGS: tuple[ApiMapping, ...] = tuple(
    # --- Elastic Load Balancing v2 ---
    _table(
        TARGET_GROUP,
        "elbv2",
        "CreateTargetGroup",
        [
            ("protocol", "Protocol", "target-group-settings", _UP),
            ("port", "Port", "target-group-settings"),
            ("targetType", "TargetType", "target-group-settings"),
            ("ipAddressType", "IpAddressType"),
            ("healthCheck.protocol", "HealthCheckProtocol", "target-group-health-request", _UP),
            ("healthCheck.path", "HealthCheckPath", "target-group-health-request"),
            ("healthCheck.interval", "HealthCheckIntervalSeconds", "target-group-health-timing"),
            ("healthCheck.timeout", "HealthCheckTimeoutSeconds", "target-group-health-timing"),
            ("healthCheck.healthyThreshold", "HealthyThresholdCount", "target-group-health-timing"),
            ("healthCheck.unhealthyThreshold", "UnhealthyThresholdCount", "target-group-health-timing"),
        ],
    )
    + _table(
        LISTENER,
        "elbv2",
        "CreateListener",
        [
            ("port", "Port", "listener-port-protocol"),
            ("protocol", "Protocol", "listener-port-protocol", _UP),
            ("defaultActions[].type", "DefaultActions[].Type", "listener-default-actions"),
            ("defaultActions[].order", "DefaultActions[].Order"),
            (
                "defaultActions[].redirect.statusCode",
                "DefaultActions[].RedirectConfig.StatusCode",
                "listener-default-actions",
            ),
            (
                "defaultActions[].redirect.protocol",
                "DefaultActions[].RedirectConfig.Protocol",
                "listener-default-actions",
            ),
            ("defaultActions[].redirect.host", "DefaultActions[].RedirectConfig.Host", "listener-default-actions"),
            ("defaultActions[].redirect.path", "DefaultActions[].RedirectConfig.Path", "listener-default-actions"),
            ("defaultActions[].redirect.query", "DefaultActions[].RedirectConfig.Query", "listener-default-actions"),
            ("defaultActions[].fixedResponse.statusCode", "DefaultActions[].FixedResponseConfig.StatusCode"),
            ("defaultActions[].fixedResponse.messageBody", "DefaultActions[].FixedResponseConfig.MessageBody"),
            ("defaultActions[].fixedResponse.contentType", "DefaultActions[].FixedResponseConfig.ContentType"),
        ],
    )
    + _table(
        LB,
        "elbv2",
        "CreateLoadBalancer",
        [
            ("loadBalancerType", "Type", "load-balancer-subnets"),
            ("ipAddressType", "IpAddressType"),
            ("customerOwnedIpv4Pool", "CustomerOwnedIpv4Pool"),
            ("enablePrefixForIpv6SourceNat", "EnablePrefixForIpv6SourceNat"),
        ],
    )
    # --- EC2 Auto Scaling ---
    + _table(
        GROUP,
        "autoscaling",
        "CreateAutoScalingGroup",
        [
            ("name", "AutoScalingGroupName", "group-capacity"),
            ("vpcZoneIdentifiers", "VPCZoneIdentifier", "group-capacity", {"translate": comma_joined}),
            ("healthCheckType", "HealthCheckType", "group-health-checks"),
            ("instanceMaintenancePolicy.minHealthyPercentage", "InstanceMaintenancePolicy.MinHealthyPercentage"),
            ("instanceMaintenancePolicy.maxHealthyPercentage", "InstanceMaintenancePolicy.MaxHealthyPercentage"),
            ("launchTemplate.id", "LaunchTemplate.LaunchTemplateId", ""),
            ("launchTemplate.name", "LaunchTemplate.LaunchTemplateName", ""),
            ("launchTemplate.version", "LaunchTemplate.Version", ""),
            ("targetGroupArns", "TargetGroupARNs", ""),
            ("loadBalancers", "LoadBalancerNames", ""),
            ("availabilityZones", "AvailabilityZones", ""),
            ("terminationPolicies", "TerminationPolicies", ""),
            ("placementGroup", "PlacementGroup", ""),
            ("serviceLinkedRoleArn", "ServiceLinkedRoleARN", ""),
            ("desiredCapacityType", "DesiredCapacityType", ""),
            (
                "availabilityZoneDistribution.capacityDistributionStrategy",
                "AvailabilityZoneDistribution.CapacityDistributionStrategy",
                "",
            ),
        ],
        rule="group-maintenance-policy",
    )
    + _table(
        GROUP,
        "autoscaling",
        "StartInstanceRefresh",
        [
            ("instanceRefresh.strategy", "Strategy"),
            ("instanceRefresh.preferences.minHealthyPercentage", "Preferences.MinHealthyPercentage"),
            ("instanceRefresh.preferences.maxHealthyPercentage", "Preferences.MaxHealthyPercentage"),
            ("instanceRefresh.preferences.instanceWarmup", "Preferences.InstanceWarmup"),
            ("instanceRefresh.preferences.scaleInProtectedInstances", "Preferences.ScaleInProtectedInstances"),
            ("instanceRefresh.preferences.standbyInstances", "Preferences.StandbyInstances"),
        ],
        rule="group-instance-refresh",
    )
    + _table(
        SCALING_POLICY,
        "autoscaling",
        "PutScalingPolicy",
        [
            ("name", "PolicyName"),
            ("autoscalingGroupName", "AutoScalingGroupName"),
            ("policyType", "PolicyType"),
            (
                "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType",
                "TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
            ),
            (
                "targetTrackingConfiguration.predefinedMetricSpecification.resourceLabel",
                "TargetTrackingConfiguration.PredefinedMetricSpecification.ResourceLabel",
            ),
            ("adjustmentType", "AdjustmentType", ""),
            ("metricAggregationType", "MetricAggregationType", ""),
            (
                "targetTrackingConfiguration.customizedMetricSpecification.statistic",
                "TargetTrackingConfiguration.CustomizedMetricSpecification.Statistic",
                "",
            ),
            ("predictiveScalingConfiguration.mode", "PredictiveScalingConfiguration.Mode", ""),
            (
                "predictiveScalingConfiguration.maxCapacityBreachBehavior",
                "PredictiveScalingConfiguration.MaxCapacityBreachBehavior",
                "",
            ),
            (
                "predictiveScalingConfiguration.maxCapacityBuffer",
                "PredictiveScalingConfiguration.MaxCapacityBuffer",
                "",
            ),
            (
                "predictiveScalingConfiguration.schedulingBufferTime",
                "PredictiveScalingConfiguration.SchedulingBufferTime",
                "",
            ),
        ],
        rule="scaling-policy",
    )
    + _table(
        ROLLOUT,
        "autoscaling",
        "StartInstanceRefresh",
        [
            ("autoScalingGroupName", "AutoScalingGroupName", ""),
            ("minHealthyPercentage", "Preferences.MinHealthyPercentage"),
            ("maxHealthyPercentage", "Preferences.MaxHealthyPercentage"),
            ("instanceWarmupSeconds", "Preferences.InstanceWarmup"),
            ("alarmNames", "Preferences.AlarmSpecification.Alarms"),
            ("launchTemplateVersion", "DesiredConfiguration.LaunchTemplate.Version"),
            ("launchTemplateId", "DesiredConfiguration.LaunchTemplate.LaunchTemplateId", ""),
        ],
        rule="rollout-refresh",
    )
    # --- CloudWatch ---
    + _table(
        ALARM,
        "cloudwatch",
        "PutMetricAlarm",
        [
            ("name", "AlarmName", "metric-alarm-names"),
            ("alarmDescription", "AlarmDescription", "metric-alarm-names"),
            ("metricName", "MetricName", "metric-alarm-names"),
            ("namespace", "Namespace", "metric-alarm-names"),
            ("statistic", "Statistic", "metric-alarm-values"),
            ("comparisonOperator", "ComparisonOperator", "metric-alarm-values"),
            ("treatMissingData", "TreatMissingData", "metric-alarm-values"),
            ("dimensions", "Dimensions", "metric-alarm-values", {"translate": map_keys}),
            ("dimensions", "Dimensions[].Name", "metric-alarm-values", {"translate": map_keys, "each": True}),
            ("dimensions", "Dimensions[].Value", "metric-alarm-values", {"translate": map_values, "each": True}),
            ("period", "Period", "metric-alarm-evaluation"),
            ("evaluationPeriods", "EvaluationPeriods", "metric-alarm-evaluation"),
            ("datapointsToAlarm", "DatapointsToAlarm", "metric-alarm-evaluation"),
            ("thresholdMetricId", "ThresholdMetricId", "metric-alarm-threshold"),
            ("alarmActions", "AlarmActions", "metric-alarm-actions"),
            ("okActions", "OKActions", "metric-alarm-actions"),
            ("insufficientDataActions", "InsufficientDataActions", "metric-alarm-actions"),
            ("unit", "Unit"),
            ("metricQueries[].id", "Metrics[].Id"),
            ("metricQueries[].expression", "Metrics[].Expression"),
            ("metricQueries[].period", "Metrics[].Period"),
            ("metricQueries[].metric.metricName", "Metrics[].MetricStat.Metric.MetricName"),
            ("metricQueries[].metric.namespace", "Metrics[].MetricStat.Metric.Namespace"),
            ("metricQueries[].metric.period", "Metrics[].MetricStat.Period"),
            ("metricQueries[].metric.unit", "Metrics[].MetricStat.Unit"),
            ("evaluateLowSampleCountPercentiles", "EvaluateLowSampleCountPercentile"),
        ],
    )
    # --- EC2 ---
    + _table(EIP, "ec2", "AllocateAddress", [("domain", "Domain", "eip-domain")])
    + _table(
        NAT,
        "ec2",
        "CreateNatGateway",
        [("connectivityType", "ConnectivityType", "nat-gateway-public-needs-allocation")],
    )
    + _table(VPC, "ec2", "CreateVpc", [("instanceTenancy", "InstanceTenancy")])
    + _table(
        INSTANCE,
        "ec2",
        "RunInstances",
        [
            ("metadataOptions.httpTokens", "MetadataOptions.HttpTokens"),
            ("metadataOptions.httpEndpoint", "MetadataOptions.HttpEndpoint"),
            ("metadataOptions.httpProtocolIpv6", "MetadataOptions.HttpProtocolIpv6"),
            ("metadataOptions.instanceMetadataTags", "MetadataOptions.InstanceMetadataTags"),
            ("rootBlockDevice.volumeType", "BlockDeviceMappings[].Ebs.VolumeType", "ebs-volume-settings"),
            ("ebsBlockDevices[].volumeType", "BlockDeviceMappings[].Ebs.VolumeType", "ebs-volume-settings"),
            ("instanceInitiatedShutdownBehavior", "InstanceInitiatedShutdownBehavior", ""),
            ("tenancy", "Placement.Tenancy", ""),
            ("privateDnsNameOptions.hostnameType", "PrivateDnsNameOptions.HostnameType", ""),
            ("maintenanceOptions.autoRecovery", "MaintenanceOptions.AutoRecovery", ""),
            ("cpuOptions.amdSevSnp", "CpuOptions.AmdSevSnp", ""),
            ("instanceMarketOptions.marketType", "InstanceMarketOptions.MarketType", ""),
            (
                "instanceMarketOptions.spotOptions.spotInstanceType",
                "InstanceMarketOptions.SpotOptions.SpotInstanceType",
                "",
            ),
            (
                "instanceMarketOptions.spotOptions.instanceInterruptionBehavior",
                "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior",
                "",
            ),
            (
                "capacityReservationSpecification.capacityReservationPreference",
                "CapacityReservationSpecification.CapacityReservationPreference",
                "",
            ),
        ],
        rule="metadata-options",
    )
    + _table(
        LAUNCH_TEMPLATE,
        "ec2",
        "CreateLaunchTemplate",
        [
            ("metadataOptions.httpTokens", "LaunchTemplateData.MetadataOptions.HttpTokens"),
            ("metadataOptions.httpEndpoint", "LaunchTemplateData.MetadataOptions.HttpEndpoint"),
            ("metadataOptions.httpProtocolIpv6", "LaunchTemplateData.MetadataOptions.HttpProtocolIpv6"),
            ("metadataOptions.instanceMetadataTags", "LaunchTemplateData.MetadataOptions.InstanceMetadataTags"),
            (
                "blockDeviceMappings[].ebs.volumeType",
                "LaunchTemplateData.BlockDeviceMappings[].Ebs.VolumeType",
                "ebs-volume-settings",
            ),
            ("description", "VersionDescription", "launch-template-description"),
            (
                "tagSpecifications[].resourceType",
                "LaunchTemplateData.TagSpecifications[].ResourceType",
                "launch-template-tag-resource-type",
            ),
            ("instanceInitiatedShutdownBehavior", "LaunchTemplateData.InstanceInitiatedShutdownBehavior", ""),
            ("placement.tenancy", "LaunchTemplateData.Placement.Tenancy", ""),
            ("privateDnsNameOptions.hostnameType", "LaunchTemplateData.PrivateDnsNameOptions.HostnameType", ""),
            ("maintenanceOptions.autoRecovery", "LaunchTemplateData.MaintenanceOptions.AutoRecovery", ""),
            ("cpuOptions.amdSevSnp", "LaunchTemplateData.CpuOptions.AmdSevSnp", ""),
            ("instanceMarketOptions.marketType", "LaunchTemplateData.InstanceMarketOptions.MarketType", ""),
            (
                "capacityReservationSpecification.capacityReservationPreference",
                "LaunchTemplateData.CapacityReservationSpecification.CapacityReservationPreference",
                "",
            ),
        ],
        rule="metadata-options",
    )
    # --- IAM ---
    + _table(
        ROLE,
        "iam",
        "CreateRole",
        [
            ("name", "RoleName", "role-name-and-path"),
            ("path", "Path", "role-name-and-path"),
            ("description", "Description", "role-description"),
            ("maxSessionDuration", "MaxSessionDuration", "role-max-session-duration"),
            ("permissionsBoundary", "PermissionsBoundary", ""),
        ],
    )
    + _table(
        PROFILE,
        "iam",
        "CreateInstanceProfile",
        [("name", "InstanceProfileName", "instance-profile"), ("path", "Path", "instance-profile")],
    )
    + _table(PROFILE, "iam", "AddRoleToInstanceProfile", [("role", "RoleName")])
    + _table(
        ROLE_POLICY,
        "iam",
        "PutRolePolicy",
        [("name", "PolicyName", "role-policy", {"code": "ValidationError"}), ("role", "RoleName")],
    )
    + _table(
        ATTACHMENT,
        "iam",
        "AttachRolePolicy",
        [("role", "RoleName"), ("policyArn", "PolicyArn", "role-policy-attachment", {"code": "ValidationError"})],
    )
    + _table(
        POLICY,
        "iam",
        "CreatePolicy",
        [
            ("name", "PolicyName", "managed-policy", {"code": "ValidationError"}),
            ("path", "Path", "managed-policy", {"code": "ValidationError"}),
            ("description", "Description", "managed-policy", {"code": "ValidationError"}),
        ],
    )
    # --- S3 ---
    + _table(
        OWNERSHIP,
        "s3",
        "PutBucketOwnershipControls",
        [
            (
                "rule.objectOwnership",
                "OwnershipControls.Rules[].ObjectOwnership",
                "ownership-controls",
            )
        ],
    )
    + _table(
        ENCRYPTION,
        "s3",
        "PutBucketEncryption",
        [
            (
                "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
                "ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.SSEAlgorithm",
                "default-encryption",
            )
        ],
    )
    + _table(
        LIFECYCLE,
        "s3",
        "PutBucketLifecycleConfiguration",
        [
            ("rules[].status", "LifecycleConfiguration.Rules[].Status"),
            ("rules[].transitions[].storageClass", "LifecycleConfiguration.Rules[].Transitions[].StorageClass"),
            (
                "rules[].noncurrentVersionTransitions[].storageClass",
                "LifecycleConfiguration.Rules[].NoncurrentVersionTransitions[].StorageClass",
            ),
        ],
        rule="lifecycle-rules",
    )
    # --- WAF ---
    + _table(
        WEB_ACL,
        "wafv2",
        "CreateWebACL",
        [
            ("name", "Name", "web-acl-settings"),
            ("description", "Description", "web-acl-settings"),
            ("scope", "Scope", "web-acl-settings"),
            ("visibilityConfig.metricName", "VisibilityConfig.MetricName", "web-acl-settings"),
            ("rules[].name", "Rules[].Name"),
            ("rules[].priority", "Rules[].Priority"),
            ("rules[].visibilityConfig.metricName", "Rules[].VisibilityConfig.MetricName"),
            ("rules[].statement.rateBasedStatement.limit", "Rules[].Statement.RateBasedStatement.Limit"),
            (
                "rules[].statement.rateBasedStatement.aggregateKeyType",
                "Rules[].Statement.RateBasedStatement.AggregateKeyType",
            ),
            (
                "rules[].statement.managedRuleGroupStatement.name",
                "Rules[].Statement.ManagedRuleGroupStatement.Name",
            ),
            (
                "rules[].statement.managedRuleGroupStatement.vendorName",
                "Rules[].Statement.ManagedRuleGroupStatement.VendorName",
            ),
            (
                "rules[].statement.managedRuleGroupStatement.version",
                "Rules[].Statement.ManagedRuleGroupStatement.Version",
            ),
            (
                "rules[].statement.rateBasedStatement.forwardedIpConfig.fallbackBehavior",
                "Rules[].Statement.RateBasedStatement.ForwardedIPConfig.FallbackBehavior",
            ),
            (
                "rules[].statement.rateBasedStatement.forwardedIpConfig.headerName",
                "Rules[].Statement.RateBasedStatement.ForwardedIPConfig.HeaderName",
            ),
            ("captchaConfig.immunityTimeProperty.immunityTime", "CaptchaConfig.ImmunityTimeProperty.ImmunityTime"),
            ("challengeConfig.immunityTimeProperty.immunityTime", "ChallengeConfig.ImmunityTimeProperty.ImmunityTime"),
            ("tokenDomains", "TokenDomains"),
        ],
        rule="web-acl-rules",
    )
    + _table(
        WAF_ASSOCIATION,
        "wafv2",
        "AssociateWebACL",
        [("resourceArn", "ResourceArn"), ("webAclArn", "WebACLArn")],
        rule="web-acl-association",
    )
)

# Inputs that map to an API member with an enumeration the rules do not enforce, and why.
NOT_ENFORCED: dict[tuple[str, str], str] = {
    (INSTANCE, "instanceType"): "ec2 InstanceType lists 1,400+ types and AWS adds some every month: a botocore "
    "older than the type would refuse what AWS accepts; whether a type is offered is per AZ (Unsupported)",
    (LAUNCH_TEMPLATE, "instanceType"): "as for an instance's instanceType",
}

"""Twin cases for what the cloud rules read from botocore's API model (``offline/cloudrules/apimap.py``): the
generic ``api-model-<service>`` rules and the hand rules whose value lists, lengths and ranges are now the
model's. Literal values, so a model read wrongly fails here whatever the model says: the values the issue
found refused though the model lists them (QUIC, TCP_QUIC, ASGAverageCPUUtilizationHighResolution) are
accepted, the value just outside is refused.
"""

from __future__ import annotations

from tests.offline.cloudrules.cases import (
    ALARM,
    ASG,
    ATTACHMENT,
    BASE,
    EIP,
    INSTANCE,
    LB,
    LIFECYCLE,
    LISTENER,
    LT,
    NAT,
    NLB_ARN,
    POLICY,
    PROFILE,
    ROLE,
    ROLE_POLICY,
    ROLLOUT,
    SCALING,
    SSE,
    TG,
    TG_ARN,
    VPC,
    WAF_ASSOCIATION,
    WEB_ACL,
    Case,
)

HC = BASE[TG]["healthCheck"]
PREFS = BASE[ASG]["instanceRefresh"]["preferences"]
TRACKING = BASE[SCALING]["targetTrackingConfiguration"]
WAF_RULES = BASE[WEB_ACL]["rules"]
SUBNET_ID = "subnet-0123456789abcdef0"
NLB_QUIC = {"loadBalancerArn": NLB_ARN, "port": 443.0, "certificateArn": None, "sslPolicy": None}


def _padded_arn(length: int) -> str:
    """A well-formed target group ARN of exactly ``length`` characters (the model's bound is on length)."""
    head, tail = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/", "/1"
    return head + "t" * (length - len(head) - len(tail)) + tail


def _metric(metric_type: str) -> dict[str, object]:
    return {
        "targetTrackingConfiguration": {
            **TRACKING,
            "predefinedMetricSpecification": {"predefinedMetricType": metric_type},
        }
    }


def _fixed(status: str) -> dict[str, object]:
    return {
        "defaultActions": [
            {"type": "fixed-response", "fixedResponse": {"statusCode": status, "contentType": "text/plain"}}
        ]
    }


MODEL_CASES: list[Case] = [
    # --- the generic api-model-<service> rules ---
    Case("api-model-elbv2", TG, {"ipAddressType": "ipv5"}, "ipAddressType", {"ipAddressType": "ipv6"}),
    Case(
        "api-model-elbv2",
        LB,
        {"ipAddressType": "dual-stack"},
        "ipAddressType",
        {"ipAddressType": "dualstack-without-public-ipv4"},
        label="lb",
    ),
    Case(
        "api-model-elbv2",
        LISTENER,
        _fixed("302"),
        "defaultActions[0].fixedResponse.statusCode",
        _fixed("503"),
        label="fixed",
    ),
    Case(
        "api-model-elbv2",
        LISTENER,
        {"defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN, "order": 0.0}]},
        "defaultActions[0].order",
        {"defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN, "order": 50000.0}]},
        label="order",
    ),
    Case(
        "api-model-autoscaling",
        ASG,
        {"launchTemplate": {"id": "", "version": "1"}},
        "launchTemplate.id",
        {"launchTemplate": {"id": "l" * 255, "version": "1"}},
    ),
    Case(
        "api-model-autoscaling",
        ASG,
        {"targetGroupArns": [_padded_arn(512)]},
        "targetGroupArns[0]",
        {"targetGroupArns": [_padded_arn(511)]},
        label="arn-length",
    ),
    Case(
        "api-model-autoscaling",
        ROLLOUT,
        {"autoScalingGroupName": "g" * 256},
        "autoScalingGroupName",
        {"autoScalingGroupName": "g" * 255},
        label="rollout",
    ),
    Case("api-model-cloudwatch", ALARM, {"unit": "Secs"}, "unit", {"unit": "Seconds"}),
    Case(
        "api-model-cloudwatch",
        ALARM,
        {"evaluateLowSampleCountPercentiles": ""},
        "evaluateLowSampleCountPercentiles",
        {"evaluateLowSampleCountPercentiles": "ignore"},
        label="percentiles",
    ),
    Case("api-model-ec2", VPC, {"instanceTenancy": "shared"}, "instanceTenancy", {"instanceTenancy": "dedicated"}),
    Case("api-model-ec2", INSTANCE, {"tenancy": "Host"}, "tenancy", {"tenancy": "host"}, label="tenancy"),
    Case(
        "api-model-ec2",
        LT,
        {"instanceInitiatedShutdownBehavior": "hibernate"},
        "instanceInitiatedShutdownBehavior",
        {"instanceInitiatedShutdownBehavior": "terminate"},
        label="shutdown",
    ),
    Case(
        "api-model-iam",
        PROFILE,
        {"role": "arn:aws:iam::123456789012:role/app-role"},
        "role",
        {"role": "a_b+c=d,e.f@g-h"},
    ),
    Case("api-model-iam", ATTACHMENT, {"role": "app role"}, "role", {"role": "r" * 64}, label="attachment"),
    Case("api-model-iam", ROLE_POLICY, {"role": "r" * 65}, "role", label="role-policy"),
    Case(
        "api-model-iam",
        ROLE,
        {"permissionsBoundary": "arn:aws:iam::x"},
        "permissionsBoundary",
        {"permissionsBoundary": "arn:aws:iam::123456789012:policy/boundary"},
        label="boundary",
    ),
    # --- hand rules whose value lists are the model's: the values botocore lists that were refused before ---
    Case(
        "target-group-settings",
        TG,
        {"protocol": "HTTP3"},
        "protocol",
        {"protocol": "QUIC"},
        label="model-protocol",
    ),
    Case("target-group-settings", TG, {"protocol": "quic2"}, "protocol", {"protocol": "tcp_quic"}, label="model-case"),
    Case(
        "target-group-settings",
        TG,
        {"targetType": "container"},
        "targetType",
        {"targetType": "alb"},
        label="model-target-type",
    ),
    Case("target-group-settings", TG, {"port": 65536.0}, "port", {"port": 65535.0}, label="model-port"),
    Case(
        "target-group-health-request",
        TG,
        {"healthCheck": {**HC, "protocol": "QUIC"}},
        "healthCheck.protocol",
        {"healthCheck": {**HC, "protocol": "https"}},
        label="model-quic",
    ),
    Case(
        "target-group-health-request",
        TG,
        {"healthCheck": {**HC, "protocol": "HTTP2"}},
        "healthCheck.protocol",
        label="model-enum",
    ),
    Case(
        "target-group-health-request",
        TG,
        {"healthCheck": {**HC, "path": "/" + "p" * 1024}},
        "healthCheck.path",
        label="model-length",
    ),
    Case(
        "target-group-health-timing",
        TG,
        {"healthCheck": {**HC, "interval": 300.0, "timeout": 121.0}},
        "healthCheck.timeout",
        {"healthCheck": {**HC, "interval": 300.0, "timeout": 2.0}},
        label="model-range",
    ),
    Case(
        "listener-port-protocol",
        LISTENER,
        {**NLB_QUIC, "protocol": "HTTP3"},
        "protocol",
        {**NLB_QUIC, "protocol": "QUIC"},
        label="model-quic",
    ),
    Case(
        "listener-port-protocol",
        LISTENER,
        {"protocol": "QUIC", "certificateArn": None, "sslPolicy": None},
        "protocol",
        {**NLB_QUIC, "protocol": "tcp_quic"},
        label="alb-quic",
    ),
    Case(
        "listener-default-actions",
        LISTENER,
        {"defaultActions": [{"type": "forward-all", "targetGroupArn": "t"}]},
        "defaultActions[0].type",
        {"defaultActions": [{"type": "jwt-validation"}]},
        label="model-type",
    ),
    Case(
        "listener-default-actions",
        LISTENER,
        {"defaultActions": [{"type": "redirect", "redirect": {"protocol": "http", "statusCode": "HTTP_301"}}]},
        "defaultActions[0].redirect.protocol",
        {"defaultActions": [{"type": "redirect", "redirect": {"host": "h" * 128, "statusCode": "HTTP_302"}}]},
        label="model-redirect",
    ),
    Case(
        "listener-default-actions",
        LISTENER,
        {"defaultActions": [{"type": "redirect", "redirect": {"host": "h" * 129, "statusCode": "HTTP_301"}}]},
        "defaultActions[0].redirect.host",
        label="model-host",
    ),
    Case(
        "load-balancer-subnets",
        LB,
        {"loadBalancerType": "Application"},
        "loadBalancerType",
        {"loadBalancerType": "gateway", "securityGroups": None, "dropInvalidHeaderFields": None},
        label="model-type",
    ),
    Case(
        "scaling-policy",
        SCALING,
        _metric("ASGAverageCPU"),
        "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType",
        _metric("ASGAverageCPUUtilizationHighResolution"),
        label="model-metric",
    ),
    Case("scaling-policy", SCALING, {"name": "p" * 256}, "name", {"name": "p" * 255}, label="model-name"),
    Case(
        "group-instance-refresh",
        ASG,
        {"instanceRefresh": {"strategy": "Replace", "preferences": PREFS}},
        "instanceRefresh.strategy",
        {
            "instanceRefresh": {
                "strategy": "ReplaceRootVolume",
                "preferences": {**PREFS, "scaleInProtectedInstances": "Wait"},
            }
        },
        label="model-strategy",
    ),
    Case(
        "group-capacity",
        ASG,
        {"vpcZoneIdentifiers": [SUBNET_ID] * 201},
        "vpcZoneIdentifiers",
        {"vpcZoneIdentifiers": [SUBNET_ID] * 200},
        label="model-subnets",
    ),
    Case(
        "group-maintenance-policy",
        ASG,
        {"instanceMaintenancePolicy": {"minHealthyPercentage": -2.0, "maxHealthyPercentage": 100.0}},
        "instanceMaintenancePolicy.minHealthyPercentage",
        label="model-range",
    ),
    Case("group-health-checks", ASG, {"healthCheckType": "E" * 33}, "healthCheckType", label="model-length"),
    Case(
        "rollout-refresh",
        ROLLOUT,
        {"launchTemplateVersion": "9" * 256},
        "launchTemplateVersion",
        {"launchTemplateVersion": "9" * 255},
        label="model-version",
    ),
    Case("metric-alarm-values", ALARM, {"statistic": "average"}, "statistic", {"statistic": "Minimum"}, label="model"),
    Case(
        "metric-alarm-threshold",
        ALARM,
        {"thresholdMetricId": "m" * 256, "threshold": None, "comparisonOperator": "LessThanLowerThreshold"},
        "thresholdMetricId",
        {"thresholdMetricId": "m" * 255, "threshold": None, "comparisonOperator": "LessThanLowerThreshold"},
        label="model-id",
    ),
    Case("eip-domain", EIP, {"domain": "VPC"}, "domain", {"domain": "vpc"}, label="model-case"),
    Case(
        "nat-gateway-public-needs-allocation",
        NAT,
        {"connectivityType": "Public"},
        "connectivityType",
        {"connectivityType": "public"},
        label="model-type",
    ),
    Case(
        "metadata-options",
        INSTANCE,
        {"metadataOptions": {"instanceMetadataTags": "on"}},
        "metadataOptions.instanceMetadataTags",
        {"metadataOptions": {"instanceMetadataTags": "enabled", "httpProtocolIpv6": "disabled"}},
        label="model-tags",
    ),
    Case(
        "launch-template-tag-resource-type",
        LT,
        {"tagSpecifications": [{"resourceType": "vpc"}]},
        "tagSpecifications[0].resourceType",
        label="narrower-than-model",
    ),
    Case(
        "launch-template-tag-resource-type",
        LT,
        {"tagSpecifications": [{"resourceType": "instances"}]},
        "tagSpecifications[0].resourceType",
        label="model-enum",
    ),
    Case("managed-policy", POLICY, {"path": "/team a/"}, "path", {"path": "/team-a/app.b/"}, label="model-path"),
    Case(
        "default-encryption",
        SSE,
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:fsx"}}]},
        "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm",
        label="narrower-than-model",
    ),
    Case(
        "lifecycle-rules",
        LIFECYCLE,
        {"rules": [{"id": "a", "status": "Enabled", "noncurrentVersionTransitions": [{"storageClass": "DEEP"}]}]},
        "rules[0].noncurrentVersionTransitions[0].storageClass",
        {
            "rules": [
                {
                    "id": "a",
                    "status": "Enabled",
                    "noncurrentVersionTransitions": [{"storageClass": "DEEP_ARCHIVE"}],
                    "transitions": [{"days": 0.0, "storageClass": "INTELLIGENT_TIERING"}],
                }
            ]
        },
        label="model-storage",
    ),
    Case(
        "web-acl-rules",
        WEB_ACL,
        {"rules": [WAF_RULES[0], {**WAF_RULES[1], "priority": -1.0}]},
        "rules[1].priority",
        label="model-priority",
    ),
    Case(
        "web-acl-rules",
        WEB_ACL,
        {
            "rules": [
                WAF_RULES[0],
                {**WAF_RULES[1], "statement": {"rateBasedStatement": {"limit": 100.0, "aggregateKeyType": "HEADER"}}},
            ]
        },
        "rules[1].statement.rateBasedStatement.aggregateKeyType",
        label="model-key",
    ),
    Case("web-acl-settings", WEB_ACL, {"scope": "regional"}, "scope", label="model-scope"),
    Case("web-acl-association", WAF_ASSOCIATION, {"webAclArn": "arn:aws:wafv2"}, "webAclArn", label="model-length"),
    Case(
        "role-max-session-duration",
        ROLE,
        {"maxSessionDuration": 3599.0},
        "maxSessionDuration",
        {"maxSessionDuration": 3600.0},
        label="model-low",
    ),
]

"""The Application Load Balancer in front of the fleets: its security group, target groups and listeners.

The ALB's group admits 80 (and 443 with a certificate) from the internet and may send only to the
instance group on the app port; the instance group in turn admits only the ALB's group. The two
groups reference each other, so their rules are standalone resources (inline rules would be a cycle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.accesslogs import AccessLogs

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
INTERNET = {"ipv4": "0.0.0.0/0", "ipv6": "::/0"}

# Target health: 2 good checks 15 s apart bring a target in; 3 failures (45 s) take it out and, with
# the ASG's ELB health check, get the instance replaced.
HEALTH_INTERVAL_SECONDS = 15
HEALTH_TIMEOUT_SECONDS = 5
HEALTHY_THRESHOLD = 2
UNHEALTHY_THRESHOLD = 3
HEALTH_MATCHER = "200"
# In-flight requests get this long to finish when a target leaves (scale-in, refresh, replacement).
DEREGISTRATION_DELAY_SECONDS = 30


@dataclass(frozen=True)
class Weights:
    """Listener traffic split between the blue and green target groups (percent, summing to 100)."""

    blue: int
    green: int

    @classmethod
    def for_green(cls, green_weight: int) -> Weights:
        if not 0 <= green_weight <= 100:
            raise ValueError(f"green weight {green_weight} is outside 0-100")
        return cls(blue=100 - green_weight, green=green_weight)


@dataclass(frozen=True)
class LoadBalancer:
    """The ALB and what the fleets and exports need from it."""

    alb: aws.lb.LoadBalancer
    security_group: aws.ec2.SecurityGroup
    blue_target_group: aws.lb.TargetGroup
    green_target_group: aws.lb.TargetGroup | None
    listeners: list[aws.lb.Listener]
    https: bool

    @property
    def url(self) -> pulumi.Output[str]:
        scheme = "https" if self.https else "http"
        return self.alb.dns_name.apply(lambda dns: f"{scheme}://{dns}")


def _target_group(
    resource_name: str, *, vpc_id: pulumi.Input[str], app_port: int, health_check_path: str, parent: pulumi.Resource
) -> aws.lb.TargetGroup:
    return aws.lb.TargetGroup(
        resource_name,
        target_type="instance",
        port=app_port,
        protocol="HTTP",
        vpc_id=vpc_id,
        deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol="HTTP",
            port="traffic-port",
            path=health_check_path,
            matcher=HEALTH_MATCHER,
            healthy_threshold=HEALTHY_THRESHOLD,
            unhealthy_threshold=UNHEALTHY_THRESHOLD,
            interval=HEALTH_INTERVAL_SECONDS,
            timeout=HEALTH_TIMEOUT_SECONDS,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _forward(
    blue: aws.lb.TargetGroup, green: aws.lb.TargetGroup | None, weights: Weights
) -> aws.lb.ListenerDefaultActionArgs:
    if green is None:
        return aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=blue.arn)
    return aws.lb.ListenerDefaultActionArgs(
        type="forward",
        forward=aws.lb.ListenerDefaultActionForwardArgs(
            target_groups=[
                aws.lb.ListenerDefaultActionForwardTargetGroupArgs(arn=blue.arn, weight=weights.blue),
                aws.lb.ListenerDefaultActionForwardTargetGroupArgs(arn=green.arn, weight=weights.green),
            ],
            # Off: each request is weighted on its own, so the split on the listener is the split served.
            stickiness=aws.lb.ListenerDefaultActionForwardStickinessArgs(enabled=False, duration=1),
        ),
    )


def _redirect_to_https() -> aws.lb.ListenerDefaultActionArgs:
    return aws.lb.ListenerDefaultActionArgs(
        type="redirect",
        redirect=aws.lb.ListenerDefaultActionRedirectArgs(port="443", protocol="HTTPS", status_code="HTTP_301"),
    )


def _internet_ingress(name: str, group: aws.ec2.SecurityGroup, port: int, parent: pulumi.Resource) -> None:
    for family, cidr in INTERNET.items():
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-{port}-{family}",
            security_group_id=group.id,
            description=f"Clients on {port} from the internet ({family})",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=cidr if family == "ipv4" else None,
            cidr_ipv6=cidr if family == "ipv6" else None,
            opts=pulumi.ResourceOptions(parent=parent),
        )


def build_load_balancer(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    internet_ready: Sequence[pulumi.Resource],
    instance_security_group: aws.ec2.SecurityGroup,
    app_port: int,
    health_check_path: str,
    certificate_arn: str | None,
    deletion_protection: bool,
    green_weight: int | None,
    parent: pulumi.Resource,
    access_logs: AccessLogs | None = None,
) -> LoadBalancer:
    """The ALB, its security group, the blue (and green) target group and the listeners.

    ``green_weight`` None means one fleet; a number builds the green target group and splits traffic.
    ``internet_ready`` is what the internet-facing ALB must be created after (the VPC's Internet Gateway).
    """
    opts = pulumi.ResourceOptions(parent=parent)
    group = aws.ec2.SecurityGroup(
        f"{name}-alb-sg",
        vpc_id=vpc_id,
        description="Load balancer: web clients in, only the app port of the instances out",
        tags={"Name": f"{name}-alb"},
        opts=opts,
    )
    https = certificate_arn is not None
    _internet_ingress(name, group, 80, parent)
    if https:
        _internet_ingress(name, group, 443, parent)
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-alb-to-app",
        security_group_id=group.id,
        description="Requests and health checks to the instances only",
        ip_protocol="tcp",
        from_port=app_port,
        to_port=app_port,
        referenced_security_group_id=instance_security_group.id,
        opts=opts,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-app-from-alb",
        security_group_id=instance_security_group.id,
        description="The app port, from the load balancer only",
        ip_protocol="tcp",
        from_port=app_port,
        to_port=app_port,
        referenced_security_group_id=group.id,
        opts=opts,
    )

    alb = aws.lb.LoadBalancer(
        f"{name}-alb",
        load_balancer_type="application",
        internal=False,
        subnets=public_subnet_ids,
        security_groups=[group.id],
        drop_invalid_header_fields=True,
        enable_deletion_protection=deletion_protection,
        access_logs=access_logs.load_balancer_args() if access_logs is not None else None,
        # Subnets alone do not order it after the gateway; created first, AWS refuses it (InvalidSubnet).
        # ELB also checks that it may write to the log bucket when access logs are turned on: policy first.
        opts=pulumi.ResourceOptions(
            parent=parent,
            depends_on=[*internet_ready, *([access_logs.policy] if access_logs is not None else [])],
        ),
    )
    blue = _target_group(
        f"{name}-tg", vpc_id=vpc_id, app_port=app_port, health_check_path=health_check_path, parent=parent
    )
    green = None
    weights = Weights.for_green(0)
    if green_weight is not None:
        weights = Weights.for_green(green_weight)
        green = _target_group(
            f"{name}-tg-green", vpc_id=vpc_id, app_port=app_port, health_check_path=health_check_path, parent=parent
        )

    forward = _forward(blue, green, weights)
    listeners = [
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[_redirect_to_https() if https else forward],
            opts=opts,
        )
    ]
    if https:
        listeners.append(
            aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=alb.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=certificate_arn,
                default_actions=[forward],
                opts=opts,
            )
        )
    return LoadBalancer(
        alb=alb,
        security_group=group,
        blue_target_group=blue,
        green_target_group=green,
        listeners=listeners,
        https=https,
    )

"""Elastic Load Balancing v2: load balancers, target groups and listeners (``aws:lb/*``, alias ``aws:alb/*``)."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from typing import Any

from offline.cloudrules.botomodel import enum
from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import bad_chars, items, known_bool, known_int, known_str, mapping, plain, shown

ELB_API = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference"
TF_ELBV2 = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/elbv2"

LB = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SUBNET = "aws:ec2/subnet:Subnet"

NAME_CHARS = string.ascii_letters + string.digits + "-"
NAME_MAX = 32
NAME_PREFIX_MAX = 6


def _name_findings(resource: CloudResource, *, load_balancer: bool) -> Iterator[Finding]:
    name = known_str(resource.get("name"))
    if name is not None:
        wrong = bad_chars(name, NAME_CHARS)
        if wrong:
            yield Finding("name", f"character {shown(wrong)} is not allowed (only a-z, A-Z, 0-9 and hyphens)")
        if not 1 <= len(name) <= NAME_MAX:
            yield Finding("name", f'"{name}" is {len(name)} characters; at most {NAME_MAX}')
        if name.startswith("-") or name.endswith("-"):
            yield Finding("name", f'"{name}" begins or ends with a hyphen')
        if load_balancer and name.startswith("internal-"):
            yield Finding("name", f'"{name}" begins with "internal-", which AWS reserves')
    prefix = known_str(resource.get("namePrefix"))
    if prefix is not None:
        if bad_chars(prefix, NAME_CHARS) or prefix.startswith("-"):
            yield Finding("namePrefix", f'"{prefix}": only a-z, A-Z, 0-9 and hyphens, not beginning with one')
        if len(prefix) > NAME_PREFIX_MAX:
            yield Finding("namePrefix", f'"{prefix}" is {len(prefix)} characters; a name prefix is at most 6')
        if load_balancer and prefix.startswith("internal-"):
            yield Finding("namePrefix", f'"{prefix}" begins with "internal-"')


@rule(
    types=[LB],
    properties=("name", "namePrefix"),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateLoadBalancer.html (Name); {TF_ELBV2}/validate.go (validName, validNamePrefix)",
)
def load_balancer_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A load balancer's name is 1-32 of a-zA-Z0-9 and hyphens, no hyphen at either end, not "internal-..."."""
    yield from _name_findings(resource, load_balancer=True)


@rule(
    types=[TARGET_GROUP],
    properties=("name", "namePrefix"),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateTargetGroup.html (Name); {TF_ELBV2}/validate.go (validTargetGroupName)",
)
def target_group_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A target group's name is 1-32 of a-zA-Z0-9 and hyphens, no hyphen at either end; a prefix at most 6."""
    yield from _name_findings(resource, load_balancer=False)


def subnet_zones(world: World, subnet_ids: list[Any]) -> list[str | None]:
    """The AZ of each subnet id, None where the subnet is not known here (or not yet known)."""
    zones: list[str | None] = []
    for subnet_id in subnet_ids:
        subnet = world.find(subnet_id)
        zones.append(known_str(subnet.get("availabilityZone")) if subnet is not None else None)
    return zones


def lb_subnet_ids(resource: CloudResource) -> list[Any]:
    ids = items(resource.get("subnets"))
    return ids or [mapping(m).get("subnetId") for m in items(resource.get("subnetMappings"))]


@rule(
    types=[LB],
    properties=("loadBalancerType", "subnets", "subnetMappings"),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateLoadBalancer.html (Subnets: Application Load Balancers need at least two AZs, "
    "one subnet per zone)",
)
def load_balancer_subnets(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An Application Load Balancer has subnets in at least two AZs, and no two subnets in one AZ."""
    kind = known_str(resource.get("loadBalancerType")) or "application"
    # Not one of the model's types (elbv2 LoadBalancerTypeEnum): the model's refusal says so; nothing else to check.
    if kind not in enum("elbv2", "CreateLoadBalancer", "Type"):
        return
    subnet_ids = lb_subnet_ids(resource)
    zones = subnet_zones(world, subnet_ids)
    known = [z for z in zones if z is not None]
    if len(known) != len(set(known)):
        duplicated = sorted({z for z in known if known.count(z) > 1})
        yield Finding("subnets", f"more than one subnet in {', '.join(duplicated)}", code="InvalidConfigurationRequest")
    if kind == "application" and len(zones) == len(known) and len(set(known)) < 2 and subnet_ids:
        yield Finding(
            "subnets", f"an Application Load Balancer needs subnets in at least two AZs, got {sorted(set(known))}"
        )
    if kind == "application" and plain(resource.get("subnets")) == [] and not items(resource.get("subnetMappings")):
        yield Finding("subnets", "an Application Load Balancer needs subnets in at least two AZs, got none")


# The model lists every target-group protocol for HealthCheckProtocol; its text narrows them: "The GENEVE, TLS, UDP,
# TCP_UDP, QUIC, and TCP_QUIC protocols are not supported for health checks."
HEALTH_PROTOCOLS = ("HTTP", "HTTPS", "TCP")
MATCHER = re.compile(r"\d{1,3}(-\d{1,3})?(,\d{1,3}(-\d{1,3})?)*")


def _health(resource: CloudResource) -> Mapping[str, Any]:
    return mapping(resource.get("healthCheck"))


@rule(
    types=[TARGET_GROUP],
    properties=(
        "healthCheck.interval",
        "healthCheck.timeout",
        "healthCheck.healthyThreshold",
        "healthCheck.unhealthyThreshold",
    ),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateTargetGroup.html (HealthCheckIntervalSeconds 5-300, HealthCheckTimeoutSeconds "
    "2-120 and below the interval, thresholds 2-10)",
)
def target_group_health_timing(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Health check interval 5-300 s, timeout 2-120 s and below the interval, thresholds 2-10."""
    # The ranges are the model's (apimap); the timeout below the interval is the API reference's.
    check = _health(resource)
    interval, timeout = known_int(check.get("interval")), known_int(check.get("timeout"))
    if interval is not None and timeout is not None and timeout >= interval:
        yield Finding("healthCheck.timeout", f"{timeout} s must be smaller than the interval ({interval} s)")


@rule(
    types=[TARGET_GROUP],
    properties=(
        "healthCheck.path",
        "healthCheck.matcher",
        "healthCheck.protocol",
        "healthCheck.port",
        "healthCheck.enabled",
    ),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateTargetGroup.html (HealthCheckPath 1-1024 beginning with /, Matcher HttpCode "
    f"200-499 for HTTP(S)); {ELB_API}/API_Matcher.html",
)
def target_group_health_request(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Health check path begins with / (1-1024), matcher is codes 200-499 ("200", "200,202", "200-299"), port valid."""
    check = _health(resource)
    protocol = (known_str(check.get("protocol")) or "HTTP").upper()
    if protocol not in HEALTH_PROTOCOLS:
        yield Finding(
            "healthCheck.protocol",
            f'"{protocol}" is not HTTP | HTTPS | TCP (GENEVE, TLS, UDP, TCP_UDP, QUIC and TCP_QUIC are not supported '
            "for health checks)",
        )
    tg_protocol = (known_str(resource.get("protocol")) or "").upper()
    if tg_protocol in ("HTTP", "HTTPS") and protocol == "TCP":
        yield Finding("healthCheck.protocol", f"a {tg_protocol} target group cannot use TCP health checks")
    path = known_str(check.get("path"))
    # Its length (1-1024) is the model's (apimap), which claims the property first.
    if path is not None and not path.startswith("/"):
        yield Finding("healthCheck.path", f'"{path[:60]}" must begin with "/" and be 1-1024 characters')
    matcher = known_str(check.get("matcher"))
    if matcher is not None and protocol in ("HTTP", "HTTPS"):
        # The codes are read only once the pattern holds: at most three digits each.
        codes = re.findall(r"[0-9]+", matcher)
        if not MATCHER.fullmatch(matcher) or any(not 200 <= int(c) <= 499 for c in codes):
            yield Finding("healthCheck.matcher", f'"{matcher}" is not HTTP codes 200-499 ("200", "200,202", "200-299")')
    port = known_str(check.get("port"))
    if port is not None and port != "traffic-port" and not 1 <= (known_int(port) or 0) <= 65535:
        yield Finding("healthCheck.port", f'"{port}" is not "traffic-port" or a port 1-65535')


@rule(
    types=[TARGET_GROUP],
    properties=("port", "protocol", "targetType", "vpcId", "deregistrationDelay"),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateTargetGroup.html; {ELB_API}/API_TargetGroupAttribute.html "
    "(deregistration_delay.timeout_seconds 0-3600)",
)
def target_group_settings(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Instance and IP target groups need port 1-65535, a protocol and a VPC; deregistration delay 0-3600 s."""
    # Type, port range and protocol values are the model's (apimap); what instance and IP groups need is not.
    target_type = known_str(resource.get("targetType")) or "instance"
    if target_type in ("instance", "ip"):
        if plain(resource.get("port")) is None:
            yield Finding("port", f"a target group of type {target_type} needs a port")
        if plain(resource.get("protocol")) is None:
            yield Finding("protocol", f"a target group of type {target_type} needs a protocol")
        if plain(resource.get("vpcId")) in (None, ""):
            yield Finding("vpcId", f"a target group of type {target_type} needs a VPC")
    delay = known_int(resource.get("deregistrationDelay"))
    if delay is not None and not 0 <= delay <= 3600:
        yield Finding("deregistrationDelay", f"{delay} s is outside 0-3600")


# The model lists every protocol (elbv2 ProtocolEnum); its text says which a load balancer type takes: "For
# Application Load Balancers, the supported protocols are HTTP and HTTPS. For Network Load Balancers, the
# supported protocols are TCP, TLS, UDP, TCP_UDP, QUIC, and TCP_QUIC."
ALB_LISTENER_PROTOCOLS = ("HTTP", "HTTPS")
NLB_LISTENER_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC")


def _listener_lb(resource: CloudResource, world: World) -> CloudResource | None:
    return world.find(plain(resource.get("loadBalancerArn")))


@rule(
    types=[LISTENER],
    properties=("port", "protocol", "loadBalancerArn"),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateListener.html (Port 1-65535; HTTP or HTTPS on an Application Load Balancer)",
)
def listener_port_protocol(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A listener's port is 1-65535 and an Application Load Balancer's listeners speak HTTP or HTTPS."""
    protocol = known_str(resource.get("protocol"))
    lb = _listener_lb(resource, world)
    kind = (known_str(lb.get("loadBalancerType")) or "application") if lb is not None else None
    if protocol is not None and kind == "application" and protocol.upper() not in ALB_LISTENER_PROTOCOLS:
        yield Finding("protocol", f'"{protocol}": an Application Load Balancer listener is HTTP or HTTPS')
    if protocol is not None and kind == "network" and protocol.upper() not in NLB_LISTENER_PROTOCOLS:
        yield Finding(
            "protocol", f'"{protocol}": a Network Load Balancer listener is {", ".join(NLB_LISTENER_PROTOCOLS)}'
        )


@rule(
    types=[LISTENER],
    properties=("protocol", "certificateArn", "sslPolicy"),
    code="ValidationError",
    source=f"{ELB_API}/API_CreateListener.html (Certificates and SslPolicy: HTTPS and TLS listeners only; "
    "a certificate is required)",
)
def listener_tls_settings(resource: CloudResource, world: World) -> Iterator[Finding]:
    """HTTPS and TLS listeners need a certificate; HTTP and TCP listeners take neither a certificate nor a policy."""
    protocol = (known_str(resource.get("protocol")) or "").upper()
    if not protocol:
        return
    secure = protocol in ("HTTPS", "TLS")
    certificate = plain(resource.get("certificateArn"))
    policy = plain(resource.get("sslPolicy"))
    if secure and certificate in (None, ""):
        yield Finding(
            "certificateArn", f"a certificate must be specified for {protocol} listeners", code="CertificateNotFound"
        )
    if not secure and certificate not in (None, ""):
        yield Finding("certificateArn", f"a {protocol} listener takes no certificate")
    if not secure and policy not in (None, ""):
        yield Finding("sslPolicy", f"a {protocol} listener takes no SSL policy")
    policy_name = known_str(policy)
    if secure and policy_name is not None and not policy_name.startswith("ELBSecurityPolicy-"):
        yield Finding("sslPolicy", f'"{policy_name}" is not an ELBSecurityPolicy-* policy', code="SSLPolicyNotFound")


ACM_ARN = re.compile(r"arn:[\w-]+:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/.+")


@rule(
    types=[LISTENER],
    properties=("certificateArn",),
    code="CertificateNotFound",
    source="https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html (an ACM certificate serves a load "
    "balancer of its own Region only)",
)
def listener_certificate_region(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An ACM certificate is in the load balancer's Region."""
    arn = known_str(resource.get("certificateArn"))
    match = ACM_ARN.fullmatch(arn) if arn else None
    if match and world.region and match.group("region") != world.region:
        yield Finding(
            "certificateArn", f"the certificate is in {match.group('region')}, the load balancer in {world.region}"
        )


def _forward(prop: str, action: Mapping[str, Any]) -> Iterator[Finding]:
    forward = mapping(action.get("forward"))
    groups = items(forward.get("targetGroups"))
    single = plain(action.get("targetGroupArn"))
    if single in (None, "") and not groups:
        yield Finding(prop, "a forward action needs a target group")
    if single not in (None, "") and len(groups) > 1:
        yield Finding(prop, "targetGroupArn cannot be combined with several forward.targetGroups")
    if groups and not 1 <= len(groups) <= 5:
        yield Finding(f"{prop}.forward.targetGroups", f"{len(groups)} target groups; a forward action takes 1-5")
    for i, group in enumerate(groups):
        weight = known_int(mapping(group).get("weight"))
        if weight is not None and not 0 <= weight <= 999:
            yield Finding(f"{prop}.forward.targetGroups[{i}].weight", f"{weight} is outside 0-999")
    stickiness = mapping(forward.get("stickiness"))
    duration = known_int(stickiness.get("duration"))
    if duration is not None and not 1 <= duration <= 604800:
        yield Finding(f"{prop}.forward.stickiness.duration", f"{duration} s is outside 1-604800")


# What a redirect's host, path and query are when it keeps the request's (RedirectActionConfig: a path is absolute,
# and #{path} is the request's path without its leading "/", so the unchanged path is "/#{path}").
KEPT_PARTS = {"host": "#{host}", "path": "/#{path}", "query": "#{query}"}


def _redirect(prop: str, action: Mapping[str, Any], listener: CloudResource) -> Iterator[Finding]:
    # Status code, protocol and the lengths are the model's (apimap).
    redirect = mapping(action.get("redirect"))
    port = known_str(redirect.get("port"))
    if port is not None and port != "#{port}" and not 1 <= (known_int(port) or 0) <= 65535:
        yield Finding(f"{prop}.redirect.port", f'"{port}" is not a port 1-65535 or "#{{port}}"')
    protocol = known_str(redirect.get("protocol"))
    same_port = port in (None, "#{port}") or known_int(port) == known_int(listener.get("port"))
    same_protocol = protocol in (None, "#{protocol}") or protocol == known_str(listener.get("protocol"))
    unchanged = all(plain(redirect.get(k)) in (None, kept) for k, kept in KEPT_PARTS.items())
    if same_port and same_protocol and unchanged:
        yield Finding(
            f"{prop}.redirect",
            "the redirect would loop: it changes none of protocol, port, host, path, query",
            code="InvalidLoadBalancerAction",
        )


@rule(
    types=[LISTENER],
    properties=(
        "defaultActions",
        "defaultActions[].type",
        "defaultActions[].targetGroupArn",
        "defaultActions[].forward.targetGroups[].arn",
        "defaultActions[].forward.targetGroups[].weight",
        "defaultActions[].forward.stickiness.duration",
        "defaultActions[].redirect.statusCode",
        "defaultActions[].redirect.port",
        "defaultActions[].redirect.protocol",
        "defaultActions[].redirect.host",
        "defaultActions[].redirect.path",
        "defaultActions[].redirect.query",
    ),
    code="ValidationError",
    source=f"{ELB_API}/API_Action.html; {ELB_API}/API_ForwardActionConfig.html (1-5 target groups); "
    f"{ELB_API}/API_TargetGroupTuple.html (weight 0-999); {ELB_API}/API_RedirectActionConfig.html",
)
def listener_default_actions(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A listener has a default action; forward names 1-5 weighted groups; a redirect is 301/302 and changes a part."""
    actions = items(resource.get("defaultActions"))
    if plain(resource.get("defaultActions")) == []:
        yield Finding("defaultActions", "a listener needs a default action", code="MissingParameter")
    for i, raw in enumerate(actions):
        action = mapping(raw)
        prop = f"defaultActions[{i}]"
        kind = known_str(action.get("type"))
        if kind == "forward":
            yield from _forward(prop, action)
        elif kind == "redirect":
            yield from _redirect(prop, action, resource)


@rule(
    types=[LB],
    properties=("dropInvalidHeaderFields", "securityGroups"),
    code="InvalidConfigurationRequest",
    source=f"{ELB_API}/API_LoadBalancerAttribute.html (routing.http.drop_invalid_header_fields.enabled: "
    "Application Load Balancers only); "
    f"{ELB_API}/API_CreateLoadBalancer.html (SecurityGroups: not for Gateway Load Balancers)",
)
def load_balancer_attributes_fit_type(resource: CloudResource, world: World) -> Iterator[Finding]:
    """HTTP attributes (dropInvalidHeaderFields) are for Application Load Balancers; Gateway ones take no groups."""
    kind = known_str(resource.get("loadBalancerType")) or "application"
    if kind != "application" and known_bool(resource.get("dropInvalidHeaderFields")):
        yield Finding("dropInvalidHeaderFields", f"is an Application Load Balancer attribute, not {kind}")
    if kind == "gateway" and items(resource.get("securityGroups")):
        yield Finding("securityGroups", "a Gateway Load Balancer takes no security groups")


LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"


def _redirect_downgrades(prop: str, actions: Any, listener_protocol: str | None) -> Iterator[Finding]:
    for i, raw in enumerate(items(actions)):
        action = mapping(raw)
        if known_str(action.get("type")) != "redirect":
            continue
        target = known_str(mapping(action.get("redirect")).get("protocol"))
        if listener_protocol == "HTTPS" and target == "HTTP":
            yield Finding(f"{prop}[{i}].redirect.protocol", "You can't redirect HTTPS to HTTP")


@rule(
    types=[LISTENER, LISTENER_RULE],
    properties=("protocol", "defaultActions[].redirect.protocol", "actions[].redirect.protocol", "listenerArn"),
    code="InvalidLoadBalancerAction",
    source=f"{ELB_API}/API_RedirectActionConfig.html (Protocol: HTTP, HTTPS or #{{protocol}}; you can redirect HTTP "
    "to HTTP, HTTP to HTTPS and HTTPS to HTTPS; you can't redirect HTTPS to HTTP)",
)
def redirect_keeps_https(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A redirect on an HTTPS listener (or one of its rules) does not send the client to HTTP."""
    from offline.cloudrules.registry import canonical

    if canonical(resource.type) == LISTENER:
        protocol = known_str(resource.get("protocol"))
        yield from _redirect_downgrades("defaultActions", resource.get("defaultActions"), (protocol or "").upper())
        return
    listener = world.find(plain(resource.get("listenerArn")))
    protocol = known_str(listener.get("protocol")) if listener is not None else None
    yield from _redirect_downgrades("actions", resource.get("actions"), (protocol or "").upper() or None)

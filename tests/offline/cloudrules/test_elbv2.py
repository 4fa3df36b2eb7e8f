"""Elastic Load Balancing v2 rules beyond their twin cases: what each refusal says and names, and the edges
of the forward and redirect actions, the subnets a load balancer is given and the listener settings."""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules import CloudError
from tests.offline.cloudrules.cases import BASE, LB, LISTENER, TG, TG2_ARN, TG_ARN
from tests.offline.cloudrules.world import IGW_URN, errors

HTTP_LISTENER = {**BASE[LISTENER], "protocol": "HTTP", "port": 80.0}
del HTTP_LISTENER["certificateArn"], HTTP_LISTENER["sslPolicy"]


def _actions(*actions: dict[str, Any], listener: dict[str, Any] | None = None) -> list[CloudError]:
    found = errors(LISTENER, {**(listener or BASE[LISTENER]), "defaultActions": list(actions)})
    return [e for e in found if e.rule == "listener-default-actions"]


def _lb(**changes: Any) -> list[CloudError]:
    inputs = {k: v for k, v in {**BASE[LB], **changes}.items() if v is not None}
    return [e for e in errors(LB, inputs, deps=(IGW_URN,)) if e.rule == "load-balancer-subnets"]


def _groups(n: int) -> list[dict[str, Any]]:
    return [{"arn": f"{TG_ARN[:-1]}{i}", "weight": 1.0} for i in range(n)]


# --- forward ---------------------------------------------------------------------------------------


def test_a_forward_action_without_a_target_group_is_refused_and_says_so() -> None:
    for action in ({"type": "forward"}, {"type": "forward", "targetGroupArn": ""}, {"type": "forward", "forward": {}}):
        found = _actions(action)
        assert [(e.property, e.code) for e in found] == [("defaultActions[0]", "ValidationError")], action
        assert found[0].message == "a forward action needs a target group"


def test_a_forward_action_with_one_target_group_either_way_is_accepted() -> None:
    assert _actions({"type": "forward", "targetGroupArn": TG_ARN}) == []
    assert _actions({"type": "forward", "forward": {"targetGroups": [{"arn": TG_ARN}]}}) == []
    # An empty targetGroupArn is no target group: several forward groups go with it.
    assert _actions({"type": "forward", "targetGroupArn": "", "forward": {"targetGroups": _groups(2)}}) == []
    # The single ARN and a one-group forward may name the same group together.
    assert _actions({"type": "forward", "targetGroupArn": TG_ARN, "forward": {"targetGroups": [{"arn": TG_ARN}]}}) == []


def test_target_group_arn_with_several_forward_groups_is_refused_and_says_so() -> None:
    found = _actions(
        {"type": "forward", "targetGroupArn": TG_ARN, "forward": {"targetGroups": [{"arn": TG_ARN}, {"arn": TG2_ARN}]}}
    )
    assert [e.property for e in found] == ["defaultActions[0]"]
    assert found[0].message == "targetGroupArn cannot be combined with several forward.targetGroups"


def test_a_forward_action_takes_one_to_five_target_groups() -> None:
    assert _actions({"type": "forward", "forward": {"targetGroups": _groups(5)}}) == []
    found = _actions({"type": "forward", "forward": {"targetGroups": _groups(6)}})
    assert [e.property for e in found] == ["defaultActions[0].forward.targetGroups"]
    assert found[0].message == "6 target groups; a forward action takes 1-5"


def test_the_second_action_is_named_by_its_own_index() -> None:
    found = _actions({"type": "forward", "targetGroupArn": TG_ARN}, {"type": "forward"})
    assert [e.property for e in found] == ["defaultActions[1]"]


def test_weights_and_stickiness_are_refused_outside_their_ranges_and_say_so() -> None:
    found = _actions(
        {
            "type": "forward",
            "forward": {
                "targetGroups": [{"arn": TG_ARN, "weight": -1.0}, {"arn": TG2_ARN, "weight": 1000.0}],
                "stickiness": {"enabled": True, "duration": 604801.0},
            },
        }
    )
    assert [(e.property, e.message) for e in found] == [
        ("defaultActions[0].forward.targetGroups[0].weight", "-1 is outside 0-999"),
        ("defaultActions[0].forward.targetGroups[1].weight", "1000 is outside 0-999"),
        ("defaultActions[0].forward.stickiness.duration", "604801 s is outside 1-604800"),
    ]
    edge = {"targetGroups": [{"arn": TG_ARN, "weight": 999.0}], "stickiness": {"enabled": True, "duration": 604800.0}}
    assert _actions({"type": "forward", "forward": edge}) == []


# --- redirect --------------------------------------------------------------------------------------


def _redirect(**parts: str) -> dict[str, Any]:
    return {"type": "redirect", "redirect": {"statusCode": "HTTP_301", **parts}}


LOOPS = "the redirect would loop: it changes none of protocol, port, host, path, query"


@pytest.mark.parametrize(
    "parts",
    [
        {},
        {"port": "80"},
        {"port": "#{port}"},
        {"protocol": "HTTP"},
        {"protocol": "#{protocol}"},
        {"host": "#{host}", "path": "/#{path}", "query": "#{query}"},
        {"port": "#{port}", "protocol": "#{protocol}", "host": "#{host}", "query": "#{query}"},
    ],
    ids=str,
)
def test_a_redirect_to_where_the_request_already_is_loops(parts: dict[str, str]) -> None:
    found = _actions(_redirect(**parts), listener=HTTP_LISTENER)
    assert [(e.property, e.code) for e in found] == [("defaultActions[0].redirect", "InvalidLoadBalancerAction")]
    assert found[0].message == LOOPS


@pytest.mark.parametrize(
    "parts",
    [
        {"port": "8080"},
        {"protocol": "HTTPS"},
        {"protocol": "HTTPS", "port": "80"},
        {"port": "443", "protocol": "HTTP"},
        {"host": "example.com"},
        {"path": "/elsewhere"},
        {"query": "from=http"},
        {"port": "#{port}", "protocol": "#{protocol}", "query": "a=1"},
    ],
    ids=str,
)
def test_a_redirect_that_changes_one_part_does_not_loop(parts: dict[str, str]) -> None:
    assert _actions(_redirect(**parts), listener=HTTP_LISTENER) == []


def test_a_redirect_compares_with_its_own_listener() -> None:
    """Port 443 and HTTPS are where an HTTPS:443 listener's request already is, not an HTTP:80 one's."""
    https = _actions(_redirect(port="443", protocol="HTTPS"))
    assert [e.property for e in https] == ["defaultActions[0].redirect"]
    assert _actions(_redirect(port="443", protocol="HTTPS"), listener=HTTP_LISTENER) == []


def test_a_redirect_port_is_a_port_or_the_placeholder() -> None:
    for port in ("0", "65536", "http"):
        found = _actions(_redirect(port=port, host="example.com"), listener=HTTP_LISTENER)
        assert [e.property for e in found] == ["defaultActions[0].redirect.port"], port
        assert found[0].message == f'"{port}" is not a port 1-65535 or "#{{port}}"'
    for port in ("1", "65535", "#{port}"):
        assert _actions(_redirect(port=port, host="example.com"), listener=HTTP_LISTENER) == [], port


def test_a_listener_without_actions_is_refused_and_says_so() -> None:
    found = _actions()
    assert [(e.property, e.code) for e in found] == [("defaultActions", "MissingParameter")]
    assert found[0].message == "a listener needs a default action"


# --- subnets ---------------------------------------------------------------------------------------


def test_subnet_mappings_are_read_like_subnets() -> None:
    one_zone = _lb(subnets=None, subnetMappings=[{"subnetId": "subnet-a"}, {"subnetId": "subnet-a2"}])
    assert [(e.property, e.code) for e in one_zone] == [
        ("subnets", "InvalidConfigurationRequest"),
        ("subnets", "ValidationError"),
    ]
    assert one_zone[0].message == "more than one subnet in us-east-1a"
    assert one_zone[1].message == "an Application Load Balancer needs subnets in at least two AZs, got ['us-east-1a']"
    assert _lb(subnets=None, subnetMappings=[{"subnetId": "subnet-a"}, {"subnetId": "subnet-b"}]) == []


def test_a_load_balancer_with_no_subnets_is_refused_and_says_so() -> None:
    found = _lb(subnets=[])
    assert [(e.property, e.message) for e in found] == [
        ("subnets", "an Application Load Balancer needs subnets in at least two AZs, got none")
    ]
    assert _lb(subnets=[], subnetMappings=[{"subnetId": "subnet-a"}, {"subnetId": "subnet-b"}]) == []


def test_a_network_load_balancer_takes_one_zone_but_not_two_subnets_in_it() -> None:
    assert _lb(loadBalancerType="network", subnets=["subnet-a"], dropInvalidHeaderFields=None) == []
    assert _lb(loadBalancerType="network", subnets=[], dropInvalidHeaderFields=None) == []
    found = _lb(loadBalancerType="network", subnets=["subnet-a", "subnet-a2"], dropInvalidHeaderFields=None)
    assert [(e.property, e.code, e.message) for e in found] == [
        ("subnets", "InvalidConfigurationRequest", "more than one subnet in us-east-1a")
    ]


def test_subnets_not_known_here_leave_the_zone_count_undecided() -> None:
    assert _lb(subnets=["subnet-a", "subnet-elsewhere"]) == []
    assert _lb(subnets=["subnet-elsewhere"]) == []
    # The type defaults to application: one known zone is refused.
    assert [e.property for e in _lb(loadBalancerType=None, subnets=["subnet-a"])] == ["subnets"]


def test_duplicated_zones_are_each_named_once_in_order() -> None:
    from tests.offline.cloudrules.world import world

    account = world()
    from offline.cloudrules import CloudResource

    account.add(
        CloudResource(
            urn="urn:b2",
            type="aws:ec2/subnet:Subnet",
            name="b2",
            id="subnet-b2",
            inputs={"availabilityZone": "us-east-1b"},
        )
    )
    inputs = {**BASE[LB], "subnets": ["subnet-b", "subnet-a", "subnet-b2", "subnet-a2"]}
    found = [e for e in errors(LB, inputs, deps=(IGW_URN,), account=account) if e.rule == "load-balancer-subnets"]
    assert [e.message for e in found] == ["more than one subnet in us-east-1a, us-east-1b"]


# --- names -----------------------------------------------------------------------------------------


def _names(typ: str, **changes: Any) -> list[tuple[str, str]]:
    inputs = {k: v for k, v in {**BASE[typ], **changes}.items() if v is not None}
    rule = "load-balancer-name" if typ == LB else "target-group-name"
    return [(e.property, e.message) for e in errors(typ, inputs, deps=(IGW_URN,)) if e.rule == rule]


@pytest.mark.parametrize("typ", [LB, TG])
def test_a_name_is_1_to_32_letters_digits_and_inner_hyphens(typ: str) -> None:
    assert _names(typ, name="web_alb.1") == [
        ("name", 'character "_", "." is not allowed (only a-z, A-Z, 0-9 and hyphens)')
    ]
    assert _names(typ, name="a" * 33) == [("name", f'"{"a" * 33}" is 33 characters; at most 32')]
    assert _names(typ, name="") == [("name", '"" is 0 characters; at most 32')]
    assert _names(typ, name="-web") == [("name", '"-web" begins or ends with a hyphen')]
    assert _names(typ, name="web-") == [("name", '"web-" begins or ends with a hyphen')]
    assert _names(typ, name="a") == _names(typ, name="A-" + "9" * 30) == []


@pytest.mark.parametrize("typ", [LB, TG])
def test_a_name_prefix_is_at_most_6_name_characters_not_beginning_with_a_hyphen(typ: str) -> None:
    assert _names(typ, name=None, namePrefix="-web") == [
        ("namePrefix", '"-web": only a-z, A-Z, 0-9 and hyphens, not beginning with one')
    ]
    assert _names(typ, name=None, namePrefix="w_b") == [
        ("namePrefix", '"w_b": only a-z, A-Z, 0-9 and hyphens, not beginning with one')
    ]
    assert _names(typ, name=None, namePrefix="web-tg1") == [
        ("namePrefix", '"web-tg1" is 7 characters; a name prefix is at most 6')
    ]
    assert _names(typ, name=None, namePrefix="web-t-") == []


def test_internal_names_are_reserved_for_load_balancers_only() -> None:
    assert _names(LB, name="internal-web") == [("name", '"internal-web" begins with "internal-", which AWS reserves')]
    assert _names(TG, name="internal-web") == []
    long_prefix = "internal-"
    assert ("namePrefix", f'"{long_prefix}" begins with "internal-"') in _names(LB, name=None, namePrefix=long_prefix)
    assert ("namePrefix", f'"{long_prefix}" begins with "internal-"') not in _names(
        TG, name=None, namePrefix=long_prefix
    )


# --- target groups ---------------------------------------------------------------------------------

HC = BASE[TG]["healthCheck"]


def _tg(rule: str, **changes: Any) -> list[tuple[str, str]]:
    inputs = {k: v for k, v in {**BASE[TG], **changes}.items() if v is not None}
    return [(e.property, e.message) for e in errors(TG, inputs) if e.rule == rule]


def test_a_health_check_timeout_is_below_its_interval_and_says_so() -> None:
    timing = "target-group-health-timing"
    assert _tg(timing, healthCheck={**HC, "interval": 10.0, "timeout": 10.0}) == [
        ("healthCheck.timeout", "10 s must be smaller than the interval (10 s)")
    ]
    assert _tg(timing, healthCheck={**HC, "interval": 10.0, "timeout": 9.0}) == []


def test_health_check_protocols_and_what_each_target_group_takes() -> None:
    request = "target-group-health-request"
    assert _tg(request, healthCheck={**HC, "protocol": "udp", "matcher": None}) == [
        (
            "healthCheck.protocol",
            '"UDP" is not HTTP | HTTPS | TCP (GENEVE, TLS, UDP, TCP_UDP, QUIC and TCP_QUIC are not supported '
            "for health checks)",
        )
    ]
    assert _tg(request, protocol="https", healthCheck={**HC, "protocol": "tcp", "matcher": None}) == [
        ("healthCheck.protocol", "a HTTPS target group cannot use TCP health checks")
    ]
    tcp_group = {"protocol": "TCP", "healthCheck": {**HC, "protocol": "TCP", "matcher": None, "path": None}}
    assert _tg(request, **tcp_group) == []
    assert _tg(request, healthCheck={**HC, "protocol": "https"}) == []
    assert _tg(request, healthCheck={**HC, "protocol": None}) == []


def test_a_health_check_path_begins_with_a_slash() -> None:
    request = "target-group-health-request"
    assert _tg(request, healthCheck={**HC, "path": "p" * 100}) == [
        ("healthCheck.path", f'"{"p" * 60}" must begin with "/" and be 1-1024 characters')
    ]
    assert _tg(request, healthCheck={**HC, "path": "/"}) == []


@pytest.mark.parametrize("matcher", ["199", "500", "200-500", "200,", "2000", "abc", "200 "])
def test_a_matcher_outside_http_codes_200_to_499_is_refused(matcher: str) -> None:
    assert _tg("target-group-health-request", healthCheck={**HC, "matcher": matcher}) == [
        ("healthCheck.matcher", f'"{matcher}" is not HTTP codes 200-499 ("200", "200,202", "200-299")')
    ]


@pytest.mark.parametrize("matcher", ["200", "499", "200,202", "200-299", "200-299,302,400-499"])
def test_a_matcher_of_http_codes_200_to_499_is_accepted(matcher: str) -> None:
    assert _tg("target-group-health-request", healthCheck={**HC, "matcher": matcher}) == []


def test_a_tcp_health_check_does_not_read_the_http_matcher() -> None:
    tcp = {"protocol": "TCP", "healthCheck": {**HC, "protocol": "TCP", "matcher": "0-99"}}
    assert _tg("target-group-health-request", **tcp) == []


@pytest.mark.parametrize("port", ["0", "65536", "http", ""])
def test_a_health_check_port_is_traffic_port_or_1_to_65535(port: str) -> None:
    assert _tg("target-group-health-request", healthCheck={**HC, "port": port}) == [
        ("healthCheck.port", f'"{port}" is not "traffic-port" or a port 1-65535')
    ]
    for good in ("traffic-port", "1", "65535"):
        assert _tg("target-group-health-request", healthCheck={**HC, "port": good}) == [], good


@pytest.mark.parametrize("target_type", ["instance", "ip", None])
def test_instance_and_ip_target_groups_need_a_port_protocol_and_vpc(target_type: str | None) -> None:
    kind = target_type or "instance"
    assert _tg("target-group-settings", targetType=target_type, port=None, protocol=None, vpcId="") == [
        ("port", f"a target group of type {kind} needs a port"),
        ("protocol", f"a target group of type {kind} needs a protocol"),
        ("vpcId", f"a target group of type {kind} needs a VPC"),
    ]


def test_lambda_target_groups_need_no_port_and_the_delay_is_0_to_3600() -> None:
    lam = {"targetType": "lambda", "port": None, "protocol": None, "vpcId": None, "healthCheck": None}
    assert _tg("target-group-settings", **lam) == []
    assert _tg("target-group-settings", deregistrationDelay=-1.0) == [("deregistrationDelay", "-1 s is outside 0-3600")]
    assert _tg("target-group-settings", deregistrationDelay=3601.0) == [
        ("deregistrationDelay", "3601 s is outside 0-3600")
    ]
    assert _tg("target-group-settings", deregistrationDelay=0.0) == []


# --- listeners -------------------------------------------------------------------------------------

NLB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/n/1"


def _listener(rule: str, **changes: Any) -> list[tuple[str, str, str]]:
    inputs = {k: v for k, v in {**BASE[LISTENER], **changes}.items() if v is not None}
    return [(e.property, e.code, e.message) for e in errors(LISTENER, inputs) if e.rule == rule]


def test_an_alb_listener_speaks_http_or_https() -> None:
    assert _listener("listener-port-protocol", protocol="tls") == [
        ("protocol", "ValidationError", '"tls": an Application Load Balancer listener is HTTP or HTTPS')
    ]
    assert _listener("listener-port-protocol", protocol="https") == []


def test_an_nlb_listener_speaks_the_network_protocols() -> None:
    assert _listener("listener-port-protocol", loadBalancerArn=NLB_ARN, protocol="HTTPS") == [
        (
            "protocol",
            "ValidationError",
            '"HTTPS": a Network Load Balancer listener is TCP, TLS, UDP, TCP_UDP, QUIC, TCP_QUIC',
        )
    ]
    for protocol in ("tcp", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"):
        assert _listener("listener-port-protocol", loadBalancerArn=NLB_ARN, protocol=protocol) == [], protocol


def test_a_listener_of_a_load_balancer_not_known_here_takes_any_protocol() -> None:
    assert _listener("listener-port-protocol", loadBalancerArn="arn:elsewhere", protocol="UDP") == []


def test_https_and_tls_listeners_need_a_certificate_and_an_elb_policy() -> None:
    tls = "listener-tls-settings"
    assert _listener(tls, certificateArn="") == [
        ("certificateArn", "CertificateNotFound", "a certificate must be specified for HTTPS listeners")
    ]
    assert _listener(tls, protocol="tls", certificateArn=None, loadBalancerArn=NLB_ARN) == [
        ("certificateArn", "CertificateNotFound", "a certificate must be specified for TLS listeners")
    ]
    assert _listener(tls, sslPolicy="TLS13-1-2") == [
        ("sslPolicy", "SSLPolicyNotFound", '"TLS13-1-2" is not an ELBSecurityPolicy-* policy')
    ]
    assert _listener(tls, sslPolicy=None) == []


def test_plain_listeners_take_no_certificate_and_no_policy() -> None:
    tls = "listener-tls-settings"
    assert _listener(tls, protocol="http") == [
        ("certificateArn", "ValidationError", "a HTTP listener takes no certificate"),
        ("sslPolicy", "ValidationError", "a HTTP listener takes no SSL policy"),
    ]
    assert _listener(tls, protocol="HTTP", certificateArn="", sslPolicy="") == []
    assert _listener(tls, protocol=None, certificateArn=None) == []


def test_a_certificate_is_in_the_load_balancers_region() -> None:
    cert = BASE[LISTENER]["certificateArn"]
    assert _listener("listener-certificate-region", certificateArn=cert.replace("us-east-1", "eu-west-1")) == [
        ("certificateArn", "CertificateNotFound", "the certificate is in eu-west-1, the load balancer in us-east-1")
    ]
    iam_cert = "arn:aws:iam::123456789012:server-certificate/web"
    assert _listener("listener-certificate-region", certificateArn=iam_cert) == []


def test_load_balancer_attributes_fit_its_type() -> None:
    def attrs(**changes: Any) -> list[tuple[str, str, str]]:
        inputs = {k: v for k, v in {**BASE[LB], **changes}.items() if v is not None}
        found = errors(LB, inputs, deps=(IGW_URN,))
        return [(e.property, e.code, e.message) for e in found if e.rule == "load-balancer-attributes-fit-type"]

    assert attrs(loadBalancerType="gateway", subnets=["subnet-a"]) == [
        (
            "dropInvalidHeaderFields",
            "InvalidConfigurationRequest",
            "is an Application Load Balancer attribute, not gateway",
        ),
        ("securityGroups", "InvalidConfigurationRequest", "a Gateway Load Balancer takes no security groups"),
    ]
    assert attrs(loadBalancerType="network", dropInvalidHeaderFields="false") == []
    assert attrs(loadBalancerType="gateway", dropInvalidHeaderFields=None, securityGroups=[]) == []
    assert attrs(loadBalancerType=None) == []


def test_an_https_listener_never_redirects_to_http() -> None:
    downgrade = {"type": "redirect", "redirect": {"protocol": "HTTP", "port": "80", "statusCode": "HTTP_301"}}
    keep = {"type": "forward", "targetGroupArn": TG_ARN}
    found = [
        (e.property, e.code, e.message)
        for e in errors(LISTENER, {**BASE[LISTENER], "protocol": "https", "defaultActions": [keep, downgrade]})
        if e.rule == "redirect-keeps-https"
    ]
    assert found == [
        ("defaultActions[1].redirect.protocol", "InvalidLoadBalancerAction", "You can't redirect HTTPS to HTTP")
    ]
    http = {**HTTP_LISTENER, "defaultActions": [{**downgrade, "redirect": {"protocol": "HTTPS", "port": "443"}}]}
    assert [e for e in errors(LISTENER, http) if e.rule == "redirect-keeps-https"] == []


def test_only_the_duplicated_zone_is_named() -> None:
    found = _lb(subnets=["subnet-a", "subnet-b", "subnet-a2"])
    assert [(e.code, e.message) for e in found] == [
        ("InvalidConfigurationRequest", "more than one subnet in us-east-1a")
    ]


def test_a_load_balancer_type_the_model_refuses_is_not_judged_further() -> None:
    found = errors(
        LB, {**BASE[LB], "loadBalancerType": "classic", "subnets": ["subnet-a", "subnet-a2"]}, deps=(IGW_URN,)
    )
    assert [(e.rule, e.property) for e in found if e.rule == "load-balancer-subnets"] == [
        ("load-balancer-subnets", "loadBalancerType")
    ]


def test_a_listener_of_a_load_balancer_without_a_type_is_an_application_listener() -> None:
    from offline.cloudrules import CloudResource
    from tests.offline.cloudrules.world import world

    account = world()
    arn = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/untyped/1"
    account.add(CloudResource(urn="urn:untyped", type=LB, name="untyped", id=arn, inputs={"subnets": ["subnet-a"]}))
    inputs = {**BASE[LISTENER], "loadBalancerArn": arn, "protocol": "TCP"}
    found = [e.property for e in errors(LISTENER, inputs, account=account) if e.rule == "listener-port-protocol"]
    assert found == ["protocol"]


def test_subnets_given_as_a_secret_are_read_as_their_value() -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    assert [e.message for e in _lb(subnets={**secret, "value": []})] == [
        "an Application Load Balancer needs subnets in at least two AZs, got none"
    ]
    assert _lb(subnets={**secret, "value": ["subnet-a", "subnet-b"]}) == []
    assert _lb(subnets="04da6b54-80e4-46f7-96ec-b56ff0331ba9") == []

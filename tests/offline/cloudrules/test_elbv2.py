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

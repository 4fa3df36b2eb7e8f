"""ssh-ingress-single-host: GIVEN an ingress permission WHEN it can reach tcp/22 THEN only /32 sources pass."""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.network.ssh_ingress import POLICY
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, resource_violations, secret

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
OPERATOR = "203.0.113.7/32"


def inline(protocol: Any = "tcp", from_port: Any = 22.0, to_port: Any = 22.0, **sources: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"protocol": protocol, "fromPort": from_port, "toPort": to_port, "self": False}
    rule.update(sources)
    return rule


def sg_violations(*rules: dict[str, Any], config: dict[str, Any] | None = None, type_: str = SG) -> list[str]:
    return resource_violations(POLICY, type_, {"name": "lab", "ingress": list(rules)}, config)


# --- clean ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", [SG, DEFAULT_SG])
def test_single_host_ssh_passes(type_: str) -> None:
    assert sg_violations(inline(cidrBlocks=[OPERATOR]), type_=type_) == []


def test_two_single_hosts_pass() -> None:
    assert sg_violations(inline(cidrBlocks=[OPERATOR, "198.51.100.9/32"])) == []


def test_world_on_other_port_passes() -> None:
    assert sg_violations(inline(from_port=443.0, to_port=443.0, cidrBlocks=["0.0.0.0/0"])) == []


def test_udp_22_from_world_passes() -> None:
    assert sg_violations(inline(protocol="udp", cidrBlocks=["0.0.0.0/0"])) == []


def test_no_ingress_passes() -> None:
    assert resource_violations(POLICY, SG, {"name": "empty"}) == []


def test_standalone_rule_single_host_passes() -> None:
    props = {
        "type": "ingress",
        "securityGroupId": "sg-0a",
        "protocol": "tcp",
        "fromPort": 22.0,
        "toPort": 22.0,
        "cidrBlocks": [OPERATOR],
    }
    assert resource_violations(POLICY, RULE, props) == []


def test_vpc_ingress_rule_single_host_passes() -> None:
    props = {"securityGroupId": "sg-0a", "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrIpv4": OPERATOR}
    assert resource_violations(POLICY, VPC_RULE, props) == []


def test_egress_rule_is_ignored() -> None:
    props = {
        "type": "egress",
        "securityGroupId": "sg-0a",
        "protocol": "-1",
        "fromPort": 0.0,
        "toPort": 0.0,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    assert resource_violations(POLICY, RULE, props) == []


def test_unrelated_resource_is_ignored() -> None:
    assert (
        resource_violations(POLICY, "aws:ec2/instance:Instance", {"ingress": [inline(cidrBlocks=["0.0.0.0/0"])]}) == []
    )


# --- violations: sources -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cidr",
    [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "0.0.0.0/1",
        "128.0.0.0/1",
        "1.2.3.4/31",
        "010.0.0.1/32",
        "0.0.0.0/0 ",
        " 203.0.113.7/32",
        "203.0.113.7",
        "::/0",
        "::ffff:1.2.3.4/128",
        "not-a-cidr",
    ],
)
def test_non_single_host_cidr_violates(cidr: str) -> None:
    messages = sg_violations(inline(cidrBlocks=[cidr]))
    assert len(messages) == 1
    assert messages[0].startswith("ingress[0] tcp 22-22 lets ")
    assert "tcp/22" in messages[0]


def test_internet_split_into_halves_violates_and_names_both() -> None:
    (message,) = sg_violations(inline(cidrBlocks=["0.0.0.0/1", "128.0.0.0/1"]))
    assert "0.0.0.0/1 (cidrBlocks[0])" in message and "128.0.0.0/1 (cidrBlocks[1])" in message


def test_ipv6_range_violates() -> None:
    (message,) = sg_violations(inline(cidrBlocks=[OPERATOR], ipv6CidrBlocks=["2001:db8::/32"]))
    assert "2001:db8::/32 (ipv6CidrBlocks[0])" in message
    assert OPERATOR not in message


def test_ipv6_single_host_still_violates() -> None:
    assert sg_violations(inline(ipv6CidrBlocks=["2001:db8::1/128"]))


def test_prefix_list_violates() -> None:
    (message,) = sg_violations(inline(prefixListIds=["pl-0123"]))
    assert "prefix list pl-0123" in message


def test_security_group_source_violates_by_default() -> None:
    (message,) = sg_violations(inline(securityGroups=["sg-0bastion"]))
    assert "security group sg-0bastion" in message


def test_security_group_source_allowed_by_config() -> None:
    assert sg_violations(inline(securityGroups=["sg-0bastion"]), config={"allowSecurityGroupSources": True}) == []


def test_self_violates_by_default_and_config_allows_it() -> None:
    assert sg_violations(inline(self=True)) == [
        "ingress[0] tcp 22-22 lets the group itself (self) reach tcp/22; only single IPv4 hosts (/32) may"
    ]
    assert sg_violations(inline(self=True), config={"allowSelf": True}) == []


@pytest.mark.parametrize("value", ["true", "TRUE", "yes", 1.0])
def test_self_as_text_or_garbage_fails_closed(value: object) -> None:
    assert sg_violations(inline(self=value))


def test_self_false_text_is_not_self() -> None:
    assert sg_violations(inline(self="false", cidrBlocks=[OPERATOR])) == []


def test_allowing_groups_does_not_allow_cidrs_next_to_them() -> None:
    messages = sg_violations(
        inline(securityGroups=["sg-0b"], cidrBlocks=["10.0.0.0/8"]), config={"allowSecurityGroupSources": True}
    )
    assert len(messages) == 1 and "10.0.0.0/8" in messages[0] and "sg-0b" not in messages[0]


def test_non_text_cidr_entry_violates_without_echo() -> None:
    (message,) = sg_violations(inline(cidrBlocks=[OPERATOR, 42.0]))
    assert "an unparseable source (cidrBlocks[1])" in message


# --- violations: protocol and ports -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("protocol", "from_port", "to_port"),
    [
        ("6", 22.0, 22.0),
        ("TCP", 22.0, 22.0),
        ("ALL", 0.0, 0.0),
        ("-1", 0.0, 0.0),
        ("all", 443.0, 443.0),  # all protocols ignore ports
        ("tcp", 0.0, 65535.0),
        ("tcp", 21.0, 23.0),
        ("tcp", "22", "22"),
        ("tcp", None, None),
        ("tcp", -1.0, -1.0),
        ("weird", 80.0, 80.0),
        (None, 22.0, 22.0),
    ],
)
def test_every_way_to_reach_22_is_checked(protocol: Any, from_port: Any, to_port: Any) -> None:
    rule = inline(protocol=protocol, from_port=from_port, to_port=to_port, cidrBlocks=["0.0.0.0/0"])
    for key, value in (("protocol", protocol), ("fromPort", from_port), ("toPort", to_port)):
        if value is None:
            del rule[key]
    assert len(sg_violations(rule)) == 1


def test_range_21_23_message_names_the_range() -> None:
    (message,) = sg_violations(inline(from_port=21.0, to_port=23.0, cidrBlocks=["10.0.0.0/8"]))
    assert message.startswith("ingress[0] tcp 21-23 lets 10.0.0.0/8 (cidrBlocks[0]) reach tcp/22")


def test_full_range_message() -> None:
    (message,) = sg_violations(inline(from_port=0.0, to_port=65535.0, cidrBlocks=["10.0.0.0/8"]))
    assert message.startswith("ingress[0] tcp 0-65535 lets 10.0.0.0/8")


def test_all_protocols_message() -> None:
    (message,) = sg_violations(inline(protocol="-1", from_port=0.0, to_port=0.0, cidrBlocks=["0.0.0.0/0"]))
    assert message.startswith("ingress[0] all protocols lets 0.0.0.0/0")


# --- every bad rule is reported ----------------------------------------------------------------------


def test_clean_rule_never_excuses_a_bad_one() -> None:
    messages = sg_violations(
        inline(cidrBlocks=[OPERATOR]),
        inline(from_port=0.0, to_port=65535.0, cidrBlocks=["10.0.0.0/8"]),
        inline(protocol="-1", from_port=0.0, to_port=0.0, cidrBlocks=["0.0.0.0/0"]),
    )
    assert [m.split(" lets ")[0] for m in messages] == ["ingress[1] tcp 0-65535", "ingress[2] all protocols"]


def test_bad_cidr_in_same_rule_as_good_one() -> None:
    (message,) = sg_violations(inline(cidrBlocks=[OPERATOR, "0.0.0.0/0"]))
    assert "0.0.0.0/0 (cidrBlocks[1])" in message and OPERATOR not in message


def test_ingress_as_single_object() -> None:
    props = {"ingress": inline(cidrBlocks=["0.0.0.0/0"])}
    assert len(resource_violations(POLICY, SG, props)) == 1


def test_cidr_blocks_as_a_string() -> None:
    assert len(sg_violations(inline(cidrBlocks="0.0.0.0/0"))) == 1


def test_secret_envelope_around_cidr_blocks() -> None:
    assert len(sg_violations(inline(cidrBlocks=secret(["0.0.0.0/0"])))) == 1
    assert sg_violations(inline(cidrBlocks=secret([OPERATOR]))) == []


def test_secret_envelope_around_whole_ingress() -> None:
    props = {"ingress": secret([inline(cidrBlocks=["0.0.0.0/0"])])}
    assert len(resource_violations(POLICY, SG, props)) == 1


def test_unknown_cidr_raises_through_the_sdk_path() -> None:
    with pytest.raises(UnknownValueError):
        sg_violations(inline(cidrBlocks=[UNKNOWN]))


def test_unknown_ingress_list_raises() -> None:
    with pytest.raises(UnknownValueError):
        resource_violations(POLICY, SG, {"ingress": UNKNOWN})


def test_unknown_protocol_on_standalone_rule_raises() -> None:
    props = {
        "type": "ingress",
        "securityGroupId": "sg-0a",
        "protocol": UNKNOWN,
        "fromPort": 22.0,
        "toPort": 22.0,
        "cidrBlocks": [OPERATOR],
    }
    with pytest.raises(UnknownValueError):
        resource_violations(POLICY, RULE, props)


# --- first preview: a standalone rule's securityGroupId is unknown ---------------------------------------


def _alb_http_rule(type_: str) -> dict[str, Any]:
    if type_ == VPC_RULE:
        return {
            "securityGroupId": UNKNOWN,
            "ipProtocol": "tcp",
            "fromPort": 80.0,
            "toPort": 80.0,
            "cidrIpv4": "0.0.0.0/0",
        }
    return {
        "type": "ingress",
        "securityGroupId": UNKNOWN,
        "protocol": "tcp",
        "fromPort": 80.0,
        "toPort": 80.0,
        "cidrBlocks": ["0.0.0.0/0"],
    }


@pytest.mark.parametrize("type_", [RULE, VPC_RULE])
def test_port_80_rule_with_unknown_group_id_runs_at_preview(type_: str) -> None:
    assert resource_violations(POLICY, type_, _alb_http_rule(type_)) == []


@pytest.mark.parametrize("type_", [RULE, VPC_RULE])
def test_world_ssh_rule_with_unknown_group_id_is_still_reported(type_: str) -> None:
    props = _alb_http_rule(type_) | {"fromPort": 22.0, "toPort": 22.0}
    (message,) = resource_violations(POLICY, type_, props)
    assert "0.0.0.0/0" in message and "tcp/22" in message


@pytest.mark.parametrize("type_", [RULE, VPC_RULE])
def test_port_22_rule_with_unknown_cidr_raises_through_the_sdk_path(type_: str) -> None:
    key = "cidrIpv4" if type_ == VPC_RULE else "cidrBlocks"
    props = _alb_http_rule(type_) | {"fromPort": 22.0, "toPort": 22.0, key: UNKNOWN if type_ == VPC_RULE else [UNKNOWN]}
    with pytest.raises(UnknownValueError):
        resource_violations(POLICY, type_, props)


@pytest.mark.parametrize("type_", [RULE, VPC_RULE])
def test_udp_rule_with_unknown_ports_and_sources_runs_at_preview(type_: str) -> None:
    protocol_key = "ipProtocol" if type_ == VPC_RULE else "protocol"
    props = _alb_http_rule(type_) | {protocol_key: "udp", "fromPort": UNKNOWN, "toPort": UNKNOWN}
    props |= {"cidrIpv4": UNKNOWN} if type_ == VPC_RULE else {"cidrBlocks": UNKNOWN}
    assert resource_violations(POLICY, type_, props) == []


def test_unknown_port_on_tcp_rule_raises() -> None:
    with pytest.raises(UnknownValueError):
        sg_violations(inline(from_port=UNKNOWN, cidrBlocks=["0.0.0.0/0"]))


def test_unknown_source_on_port_443_does_not_block_the_ssh_check() -> None:
    found = sg_violations(
        inline(cidrBlocks=["0.0.0.0/0"]), inline(from_port=443.0, to_port=443.0, cidrBlocks=[UNKNOWN])
    )
    assert len(found) == 1 and "ingress[0]" in found[0]


@pytest.mark.parametrize(
    "props",
    [
        {"ingress": None},
        {"ingress": 7.0},
        {"ingress": "tcp"},
        {"ingress": [None, 3.0, []]},
        {"ingress": [{"protocol": {"a": 1}, "fromPort": [], "toPort": {}, "cidrBlocks": {"x": 1}}]},
    ],
)
def test_malformed_props_never_raise(props: dict[str, Any]) -> None:
    resource_violations(POLICY, SG, props)  # reporting is fine; raising is not


def test_malformed_items_fail_closed() -> None:
    assert resource_violations(POLICY, SG, {"ingress": [None]})


# --- standalone rule types -------------------------------------------------------------------------


def test_standalone_rule_from_world_violates() -> None:
    props = {
        "type": "ingress",
        "securityGroupId": "sg-0a",
        "protocol": "tcp",
        "fromPort": 22.0,
        "toPort": 22.0,
        "cidrBlocks": ["0.0.0.0/0"],
        "ipv6CidrBlocks": ["::/0"],
    }
    (message,) = resource_violations(POLICY, RULE, props)
    assert message.startswith("rule tcp 22-22 lets 0.0.0.0/0 (cidrBlocks[0]); ::/0 (ipv6CidrBlocks[0])")


def test_standalone_rule_source_group_and_self() -> None:
    props = {
        "type": "ingress",
        "securityGroupId": "sg-0a",
        "protocol": "-1",
        "fromPort": 0.0,
        "toPort": 0.0,
        "sourceSecurityGroupId": "sg-0b",
    }
    assert len(resource_violations(POLICY, RULE, props)) == 1
    assert resource_violations(POLICY, RULE, props, {"allowSecurityGroupSources": True}) == []
    self_props = {
        "type": "ingress",
        "securityGroupId": "sg-0a",
        "protocol": "tcp",
        "fromPort": 22.0,
        "toPort": 22.0,
        "self": True,
    }
    assert len(resource_violations(POLICY, RULE, self_props)) == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"cidrIpv4": "0.0.0.0/0"},
        {"cidrIpv4": "10.0.0.0/16"},
        {"cidrIpv6": "::/0"},
        {"prefixListId": "pl-0abc"},
        {"referencedSecurityGroupId": "sg-0b"},
    ],
)
def test_vpc_ingress_rule_sources_violate(extra: dict[str, Any]) -> None:
    props = {"securityGroupId": "sg-0a", "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, **extra}
    assert len(resource_violations(POLICY, VPC_RULE, props)) == 1


def test_vpc_ingress_rule_all_protocols_ignores_ports() -> None:
    props = {"securityGroupId": "sg-0a", "ipProtocol": "-1", "cidrIpv4": "10.0.0.0/8"}
    (message,) = resource_violations(POLICY, VPC_RULE, props)
    assert message.startswith("rule all protocols lets 10.0.0.0/8 (cidrIpv4)")


def test_vpc_ingress_rule_tcp_without_ports_fails_closed() -> None:
    props = {"securityGroupId": "sg-0a", "ipProtocol": "tcp", "cidrIpv4": "10.0.0.0/8"}
    (message,) = resource_violations(POLICY, VPC_RULE, props)
    assert "unreadable port range" in message


# --- config ------------------------------------------------------------------------------------------


def test_configured_ports_guard_more_than_ssh() -> None:
    rdp = inline(from_port=3389.0, to_port=3389.0, cidrBlocks=["0.0.0.0/0"])
    assert sg_violations(rdp) == []
    (message,) = sg_violations(rdp, config={"ports": [22.0, 3389.0]})
    assert "tcp/3389" in message


def test_wide_range_names_every_guarded_port_it_covers() -> None:
    (message,) = sg_violations(
        inline(from_port=0.0, to_port=65535.0, cidrBlocks=["0.0.0.0/0"]), config={"ports": [22, 3389]}
    )
    assert "reach tcp/22, tcp/3389" in message


@pytest.mark.parametrize("config", [{}, {"ports": "22"}, {"ports": []}, {"ports": ["x"]}, {"allowSelf": "maybe"}])
def test_missing_or_malformed_config_falls_back_to_defaults(config: dict[str, Any]) -> None:
    """The harness fills schema defaults first, as the CLI does; here the raw config reaches the policy."""
    from tests.policies.harness import ResourceValidationArgs, _options, _wrap

    messages: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        messages.append(message)

    args = ResourceValidationArgs(SG, _wrap({"ingress": [inline(self=True)]}), "urn:x", "x", _options(), None, config)
    POLICY.validate(args, report)
    assert len(messages) == 1


def test_world_open_ssh_after_a_permission_on_another_port_is_reported() -> None:
    (message,) = sg_violations(
        inline(from_port=443.0, to_port=443.0, cidrBlocks=["0.0.0.0/0"]),
        inline(cidrBlocks=["0.0.0.0/0"]),
    )
    assert message == (
        "ingress[1] tcp 22-22 lets 0.0.0.0/0 (cidrBlocks[0]) reach tcp/22; only single IPv4 hosts (/32) may"
    )

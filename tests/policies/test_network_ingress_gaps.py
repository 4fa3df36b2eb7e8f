"""The network pack's fail-open gaps: an unknown never hides a known violation, IPv4 in an IPv6 field
is no source at all, and a permission with no source fails closed.

GIVEN an ingress permission a preview only partly knows (or that names no source, or names an IPv4
block in an IPv6 field) WHEN a rule reads it THEN what is known decides; only when nothing known
decides does the rule go to the SDK's "can't run during preview" path.
"""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.ingress import SECURITY_GROUP_INGRESS_RULE, SourceKind, ingress_permissions
from guardrails.network.instance_sg import POLICY as INSTANCE_SG
from guardrails.network.ssh_ingress import POLICY as SSH
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from tests.policies.harness import UNKNOWN, resource_violations, stack_violations
from tests.policies.network_fixtures import Spec, production_spec, to_stack

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_RULE = SECURITY_GROUP_INGRESS_RULE
OPERATOR = "203.0.113.7/32"


def inline(**fields: Any) -> dict[str, Any]:
    return {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, **fields}


def sg(*rules: dict[str, Any], type_: str = SG) -> list[str]:
    return resource_violations(SSH, type_, {"ingress": list(rules)})


def ec2_rule(**fields: Any) -> dict[str, Any]:
    return {"type": "ingress", "securityGroupId": "sg-0a", "protocol": "tcp", "fromPort": 22.0, "toPort": 22.0} | fields


def vpc_rule(**fields: Any) -> dict[str, Any]:
    return {"securityGroupId": "sg-0a", "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0} | fields


# --- an unknown never hides a known violation --------------------------------------------------------


@pytest.mark.parametrize(
    "cidrs",
    [
        [UNKNOWN, "0.0.0.0/0"],
        ["0.0.0.0/0", UNKNOWN],
        [UNKNOWN, UNKNOWN, "10.0.0.0/8"],
        [OPERATOR, UNKNOWN, "198.51.100.0/24"],
    ],
)
@pytest.mark.parametrize("type_", [SG, DEFAULT_SG])
def test_known_open_cidr_beside_an_unknown_one_is_reported(cidrs: list[str], type_: str) -> None:
    (message,) = sg(inline(cidrBlocks=cidrs), type_=type_)
    assert "tcp/22" in message and "unknown" not in message.split("lets", 1)[1].split("reach")[0]


def test_known_open_cidr_on_a_standalone_rule_beside_an_unknown_one() -> None:
    (message,) = resource_violations(SSH, RULE, ec2_rule(cidrBlocks=[UNKNOWN, "0.0.0.0/0"]))
    assert "0.0.0.0/0 (cidrBlocks[1])" in message


@pytest.mark.parametrize(
    "fields",
    [
        {"cidrBlocks": UNKNOWN, "ipv6CidrBlocks": ["::/0"]},
        {"cidrBlocks": [UNKNOWN], "ipv6CidrBlocks": ["::/0"]},
        {"cidrBlocks": [OPERATOR], "ipv6CidrBlocks": [UNKNOWN], "prefixListIds": ["pl-0123"]},
        {"cidrBlocks": UNKNOWN, "self": True},
    ],
)
def test_known_bad_source_in_another_field_beside_an_unknown_field(fields: dict[str, Any]) -> None:
    assert len(sg(inline(**fields))) == 1


@pytest.mark.parametrize(
    "fields", [{"cidrIpv4": UNKNOWN, "cidrIpv6": "::/0"}, {"cidrIpv4": "0.0.0.0/0", "cidrIpv6": UNKNOWN}]
)
def test_vpc_rule_known_open_source_beside_an_unknown_one(fields: dict[str, Any]) -> None:
    assert len(resource_violations(SSH, VPC_RULE, vpc_rule(**fields))) == 1


def test_one_unknown_permission_never_hides_a_known_open_one_later_in_the_list() -> None:
    rules = [
        inline(cidrBlocks=[UNKNOWN]),
        inline(protocol=UNKNOWN, cidrBlocks=[OPERATOR]),
        inline(cidrBlocks=["0.0.0.0/0"]),
    ]
    (message,) = sg(*rules)
    assert message.startswith("ingress[2]")


def test_unknown_ports_never_hide_a_world_open_all_protocols_rule_later_in_the_list() -> None:
    rules = [inline(fromPort=UNKNOWN, cidrBlocks=["0.0.0.0/0"]), inline(protocol="-1", cidrBlocks=["0.0.0.0/0"])]
    (message,) = sg(*rules)
    assert message.startswith("ingress[1]")


@pytest.mark.parametrize(
    "rule",
    [
        inline(cidrBlocks=[UNKNOWN, OPERATOR]),
        inline(cidrBlocks=[OPERATOR], ipv6CidrBlocks=UNKNOWN),
        inline(protocol=UNKNOWN, cidrBlocks=["0.0.0.0/0"]),
        inline(fromPort=UNKNOWN, cidrBlocks=["0.0.0.0/0"]),
    ],
)
def test_when_nothing_known_decides_the_rule_cannot_run(rule: dict[str, Any]) -> None:
    with pytest.raises(UnknownValueError):
        sg(inline(cidrBlocks=[OPERATOR]), rule)


def test_known_good_permissions_beside_an_unknown_one_on_another_port_pass() -> None:
    assert sg(inline(cidrBlocks=[OPERATOR]), inline(fromPort=443.0, toPort=443.0, cidrBlocks=[UNKNOWN])) == []


def test_instance_group_rule_with_a_known_cidr_beside_an_unknown_group_is_reported() -> None:
    specs = production_spec()
    specs["wide"] = Spec(
        SG,
        {
            "id": "sg-0wide",
            "ingress": [{"protocol": "tcp", "fromPort": 80.0, "toPort": 80.0, "cidrBlocks": [UNKNOWN, "10.0.0.0/8"]}],
        },
    )
    specs["wide-rule"] = Spec(
        VPC_RULE,
        {"id": "sgr-9", "securityGroupId": "sg-0app-sg", "ipProtocol": "tcp", "cidrIpv4": UNKNOWN, "cidrIpv6": "::/0"},
        {"securityGroupId": ["app-sg"]},
    )
    found = [m for m, _ in stack_violations(INSTANCE_SG, to_stack(specs))]
    assert ["::/0" in m for m in found] == [True]


# --- IPv4 in an IPv6 field (and the reverse) is an invalid source ---------------------------------------


@pytest.mark.parametrize("cidr", ["203.0.113.7/32", "0.0.0.0/0", "10.0.0.0/8"])
def test_ipv4_cidr_in_ipv6_cidr_blocks_is_invalid(cidr: str) -> None:
    (message,) = sg(inline(cidrBlocks=[OPERATOR], ipv6CidrBlocks=[cidr]))
    assert "unparseable" in message or "invalid" in message
    assert cidr not in message


def test_ipv4_host_in_cidr_ipv6_is_invalid_not_a_host() -> None:
    props = vpc_rule(cidrIpv6="203.0.113.7/32")
    assert len(resource_violations(SSH, VPC_RULE, props)) == 1
    (permission,) = ingress_permissions(VPC_RULE, unknown_checking_proxy(deserialize_properties(props)))
    assert [s.kind for s in permission.sources] == [SourceKind.INVALID]


@pytest.mark.parametrize(("key", "cidr"), [("cidrIpv4", "::/0"), ("cidrIpv4", "2001:db8::1/128")])
def test_ipv6_cidr_in_an_ipv4_field_is_invalid(key: str, cidr: str) -> None:
    (permission,) = ingress_permissions(VPC_RULE, vpc_rule(**{key: cidr}))
    assert [s.kind for s in permission.sources] == [SourceKind.INVALID]


def test_ipv6_in_cidr_blocks_is_invalid() -> None:
    (permission,) = ingress_permissions(SG, {"ingress": [inline(cidrBlocks=["::/0"])]})
    assert [s.kind for s in permission.sources] == [SourceKind.INVALID]


def test_ipv4_mapped_ipv6_stays_ipv6() -> None:
    (permission,) = ingress_permissions(VPC_RULE, vpc_rule(cidrIpv6="::ffff:cb00:7107/128"))
    assert [s.kind for s in permission.sources] == [SourceKind.IPV6]


# --- a permission with no source at all fails closed ----------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        (SG, {"ingress": [inline()]}),
        (SG, {"ingress": [inline(cidrBlocks=[], ipv6CidrBlocks=[], self=False)]}),
        (DEFAULT_SG, {"ingress": [inline(securityGroups=[], prefixListIds=[])]}),
        (RULE, ec2_rule()),
        (RULE, ec2_rule(self=False, cidrBlocks=[])),
        (VPC_RULE, vpc_rule()),
    ],
)
def test_a_permission_with_no_source_fails_closed(type_: str, props: dict[str, Any]) -> None:
    (message,) = resource_violations(SSH, type_, props)
    assert "no source" in message


def test_no_source_on_an_unguarded_port_is_not_the_ssh_rules_business() -> None:
    assert sg(inline(fromPort=443.0, toPort=443.0)) == []


def test_no_source_on_a_rule_for_the_instance_group_fails_closed() -> None:
    specs = production_spec()
    specs["empty"] = Spec(
        VPC_RULE,
        {"id": "sgr-8", "securityGroupId": "sg-0app-sg", "ipProtocol": "tcp", "fromPort": 80.0, "toPort": 80.0},
        {"securityGroupId": ["app-sg"]},
    )
    found = [m for m, _ in stack_violations(INSTANCE_SG, to_stack(specs))]
    assert ["no source" in m for m in found] == [True]


# --- an unknown `self` ------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", [SG, DEFAULT_SG])
def test_world_open_cidr_beside_an_unknown_self_is_reported(type_: str) -> None:
    (message,) = sg(inline(cidrBlocks=["0.0.0.0/0"], self=UNKNOWN), type_=type_)
    assert "0.0.0.0/0 (cidrBlocks[0])" in message and "(self)" not in message


def test_an_unknown_self_alone_sends_the_rule_to_the_preview_path_naming_self() -> None:
    with pytest.raises(UnknownValueError) as error:
        sg(inline(self=UNKNOWN))
    assert error.value.props == ["self"]

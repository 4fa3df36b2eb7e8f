"""The ingress normaliser: one IngressPermission shape from all four resource types."""

from __future__ import annotations

import ipaddress

import pytest
from guardrails import props as p
from guardrails.ingress import (
    DEFAULT_SECURITY_GROUP,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    Protocol,
    ProtocolKind,
    Source,
    SourceKind,
    ingress_permissions,
    parse_cidr,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from tests.policies.harness import secret


def wrapped(props: dict) -> dict:
    """Props as the SDK hands them to a policy: secrets unwrapped, read-only proxies."""
    return unknown_checking_proxy(deserialize_properties(props))


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("tcp", ProtocolKind.TCP),
        ("TCP", ProtocolKind.TCP),
        (" tcp ", ProtocolKind.TCP),
        ("6", ProtocolKind.TCP),
        (6.0, ProtocolKind.TCP),
        ("-1", ProtocolKind.ALL),
        (-1.0, ProtocolKind.ALL),
        ("all", ProtocolKind.ALL),
        ("ALL", ProtocolKind.ALL),
        ("udp", ProtocolKind.OTHER),
        ("17", ProtocolKind.OTHER),
        ("0", ProtocolKind.OTHER),  # HOPOPT: a number AWS accepts, and not TCP
        (0.0, ProtocolKind.OTHER),
        ("255", ProtocolKind.OTHER),
        (255.0, ProtocolKind.OTHER),
        ("-2", ProtocolKind.UNRECOGNISED),
        (256.0, ProtocolKind.UNRECOGNISED),
        ("icmp", ProtocolKind.OTHER),
        ("tcp6", ProtocolKind.UNRECOGNISED),
        ("256", ProtocolKind.UNRECOGNISED),
        (None, ProtocolKind.UNRECOGNISED),
        (True, ProtocolKind.UNRECOGNISED),
        ({"x": 1}, ProtocolKind.UNRECOGNISED),
    ],
)
def test_protocol_parse(raw: object, kind: ProtocolKind) -> None:
    assert Protocol.parse(raw).kind is kind


@pytest.mark.parametrize(("raw", "label"), [("0", "protocol 0"), (255.0, "protocol 255"), ("-1", "all protocols")])
def test_protocol_numbers_at_both_ends_keep_their_number_in_the_label(raw: object, label: str) -> None:
    assert Protocol.parse(raw).label == label


@pytest.mark.parametrize(
    ("text", "kind", "single_host"),
    [
        ("10.0.0.1/32", SourceKind.IPV4, True),
        ("10.0.0.0/8", SourceKind.IPV4, False),
        ("0.0.0.0/0", SourceKind.IPV4, False),
        ("1.2.3.4/31", SourceKind.IPV4, False),  # two hosts
        ("1.2.3.5/30", SourceKind.INVALID, False),  # host bits set
        ("1.2.3.4/32 ", SourceKind.INVALID, False),  # padding
        ("0.0.0.0/0 ", SourceKind.INVALID, False),
        ("010.0.0.1/32", SourceKind.INVALID, False),  # leading zero: octal on some parsers
        ("10.0.0.1", SourceKind.INVALID, False),  # no prefix length
        ("::/0", SourceKind.IPV6, False),
        ("2001:db8::1/128", SourceKind.IPV6, False),
        ("::ffff:1.2.3.4/128", SourceKind.INVALID, False),  # not canonical; never a v4 host either
        ("garbage", SourceKind.INVALID, False),
        (32, SourceKind.INVALID, False),
        (None, SourceKind.INVALID, False),
    ],
)
def test_parse_cidr(text: object, kind: SourceKind, single_host: bool) -> None:
    source = parse_cidr(text, "cidrBlocks[0]")
    assert source.kind is kind
    assert source.is_single_ipv4_host is single_host


@pytest.mark.parametrize(
    ("text", "field", "version"),
    [("203.0.113.7/32", "ipv6CidrBlocks[0]", 6), ("::/0", "cidrBlocks[1]", 4)],
)
def test_a_network_in_the_wrong_address_family_is_invalid_but_kept_for_the_message(
    text: str, field: str, version: int
) -> None:
    source = parse_cidr(text, field, version)
    assert source.kind is SourceKind.INVALID
    assert (source.field, source.network) == (field, ipaddress.ip_network(text))
    assert not source.is_single_ipv4_host


def test_inline_security_group_rule_normalised() -> None:
    props = wrapped(
        {
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 22.0,
                    "toPort": 22.0,
                    "cidrBlocks": ["203.0.113.7/32"],
                    "ipv6CidrBlocks": ["::/0"],
                    "prefixListIds": ["pl-123"],
                    "securityGroups": ["sg-0abc"],
                    "self": True,
                }
            ]
        }
    )
    (permission,) = ingress_permissions(SECURITY_GROUP, props)
    assert permission.location == "ingress[0]"
    assert (permission.from_port, permission.to_port) == (22, 22)
    assert [s.kind for s in permission.sources] == [
        SourceKind.IPV4,
        SourceKind.IPV6,
        SourceKind.PREFIX_LIST,
        SourceKind.SECURITY_GROUP,
        SourceKind.SELF,
    ]
    assert permission.sources[0].network == ipaddress.ip_network("203.0.113.7/32")
    assert permission.describe() == "ingress[0] tcp 22-22"


def test_default_security_group_reads_like_security_group() -> None:
    props = wrapped({"ingress": [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "self": True}]})
    (permission,) = ingress_permissions(DEFAULT_SECURITY_GROUP, props)
    assert permission.protocol.kind is ProtocolKind.ALL
    assert permission.reaches_tcp_port(22)
    assert [s.kind for s in permission.sources] == [SourceKind.SELF]


def test_security_group_rule_uses_source_security_group_id_and_target() -> None:
    props = wrapped(
        {
            "type": "ingress",
            "securityGroupId": "sg-0target",
            "protocol": "6",
            "fromPort": "20",
            "toPort": "25",
            "sourceSecurityGroupId": "sg-0src",
        }
    )
    (permission,) = ingress_permissions(SECURITY_GROUP_RULE, props)
    assert permission.target_group == "sg-0target"
    assert permission.reaches_tcp_port(22)
    assert not permission.reaches_tcp_port(26)
    assert permission.sources[0].kind is SourceKind.SECURITY_GROUP
    assert permission.sources[0].reference == "sg-0src"


def test_egress_security_group_rule_grants_no_ingress() -> None:
    props = wrapped({"type": "EGRESS", "protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]})
    assert ingress_permissions(SECURITY_GROUP_RULE, props) == []


def test_security_group_rule_with_garbage_type_fails_closed_to_ingress() -> None:
    props = wrapped(
        {"type": "ingres", "protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}
    )
    assert len(ingress_permissions(SECURITY_GROUP_RULE, props)) == 1


def test_vpc_ingress_rule_fields() -> None:
    props = wrapped(
        {
            "securityGroupId": "sg-0target",
            "ipProtocol": "tcp",
            "fromPort": 22.0,
            "toPort": 22.0,
            "cidrIpv4": "0.0.0.0/0",
        }
    )
    (permission,) = ingress_permissions(SECURITY_GROUP_INGRESS_RULE, props)
    assert permission.sources[0].kind is SourceKind.IPV4
    assert permission.sources[0].field == "cidrIpv4"
    assert permission.target_group == "sg-0target"


def test_vpc_ingress_rule_reference_and_prefix_list() -> None:
    props = wrapped({"ipProtocol": "-1", "referencedSecurityGroupId": "sg-0x", "prefixListId": "pl-1"})
    (first,) = ingress_permissions(SECURITY_GROUP_INGRESS_RULE, props)
    assert {s.kind for s in first.sources} == {SourceKind.SECURITY_GROUP, SourceKind.PREFIX_LIST}


def test_single_object_ingress_and_scalar_cidr() -> None:
    props = wrapped({"ingress": {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": "10.0.0.0/8"}})
    (permission,) = ingress_permissions(SECURITY_GROUP, props)
    assert permission.sources[0].network == ipaddress.ip_network("10.0.0.0/8")


def test_secret_cidr_is_unwrapped() -> None:
    props = wrapped(
        {"ingress": [{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": secret(["0.0.0.0/0"])}]}
    )
    (permission,) = ingress_permissions(SECURITY_GROUP, props)
    assert permission.sources[0].network == ipaddress.ip_network("0.0.0.0/0")


def test_non_mapping_ingress_entry_is_kept_as_invalid() -> None:
    props = wrapped({"ingress": ["tcp/22 from anywhere"]})
    (permission,) = ingress_permissions(SECURITY_GROUP, props)
    assert permission.reaches_tcp_port(22)
    assert permission.sources[0].kind is SourceKind.INVALID


@pytest.mark.parametrize(
    ("from_port", "to_port", "reaches"),
    [
        (22.0, 22.0, True),
        (21.0, 23.0, True),
        (0.0, 65535.0, True),
        (23.0, 80.0, False),
        (None, None, True),  # tcp without ports: unreadable, fails closed
        (22.5, 22.5, True),
        (-1.0, -1.0, True),
        (30.0, 20.0, True),  # inverted range: unreadable
        ("x", 22.0, True),
    ],
)
def test_tcp_port_ranges(from_port: object, to_port: object, reaches: bool) -> None:
    rule: dict[str, object] = {"protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]}
    if from_port is not None:
        rule["fromPort"] = from_port
    if to_port is not None:
        rule["toPort"] = to_port
    (permission,) = ingress_permissions(SECURITY_GROUP, wrapped({"ingress": [rule]}))
    assert permission.reaches_tcp_port(22) is reaches


def test_udp_never_reaches_tcp() -> None:
    rule = {"protocol": "udp", "fromPort": 0.0, "toPort": 65535.0, "cidrBlocks": ["0.0.0.0/0"]}
    (permission,) = ingress_permissions(SECURITY_GROUP, wrapped({"ingress": [rule]}))
    assert not permission.reaches_tcp_port(22)


def test_other_resource_types_yield_nothing() -> None:
    assert ingress_permissions("aws:ec2/instance:Instance", wrapped({"ingress": [{"protocol": "-1"}]})) == []


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        ("pl-" + "a" * 77, "pl-" + "a" * 77),
        ("pl-" + "a" * 78, "<unreadable reference>"),
        ("p", "p"),
        ("pl-1\n", "<unreadable reference>"),
        (7.0, "<unreadable reference>"),
    ],
)
def test_a_reference_is_shown_only_when_short_and_printable(reference: object, shown: str) -> None:
    source = Source(SourceKind.PREFIX_LIST, "prefixListIds[0]", reference=reference)
    assert source.describe() == f"prefix list {shown} (prefixListIds[0])"


def test_an_unknown_reference_is_shown_as_unknown() -> None:
    source = Source(SourceKind.SECURITY_GROUP, "securityGroups[1]", reference=p.UNKNOWN)
    assert source.describe() == "security group <unknown during preview> (securityGroups[1])"


@pytest.mark.parametrize(
    ("resource_type", "rule", "described"),
    [
        (
            SECURITY_GROUP,
            {
                "cidrBlocks": ["10.0.0.0/8"],
                "ipv6CidrBlocks": ["::/0"],
                "prefixListIds": ["pl-1"],
                "securityGroups": ["sg-0a"],
                "self": True,
            },
            [
                "10.0.0.0/8 (cidrBlocks[0])",
                "::/0 (ipv6CidrBlocks[0])",
                "prefix list pl-1 (prefixListIds[0])",
                "security group sg-0a (securityGroups[0])",
                "the group itself (self)",
            ],
        ),
        (
            SECURITY_GROUP_RULE,
            {
                "type": "ingress",
                "cidrBlocks": ["10.0.0.0/8"],
                "ipv6CidrBlocks": ["::/0"],
                "prefixListIds": ["pl-1"],
                "sourceSecurityGroupId": "sg-0a",
                "self": True,
            },
            [
                "10.0.0.0/8 (cidrBlocks[0])",
                "::/0 (ipv6CidrBlocks[0])",
                "prefix list pl-1 (prefixListIds[0])",
                "security group sg-0a (sourceSecurityGroupId)",
                "the group itself (self)",
            ],
        ),
    ],
)
def test_every_source_field_of_the_ec2_shapes_is_read_in_order(
    resource_type: str, rule: dict, described: list[str]
) -> None:
    props = {"ingress": [{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, **rule}]}
    if resource_type == SECURITY_GROUP_RULE:
        props = {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, **rule}
    (permission,) = ingress_permissions(resource_type, wrapped(props))
    assert [s.describe() for s in permission.sources] == described


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("tcp", Protocol(ProtocolKind.TCP, "tcp", 6)),
        (6.0, Protocol(ProtocolKind.TCP, "tcp", 6)),
        ("-1", Protocol(ProtocolKind.ALL, "all protocols")),
        ("All", Protocol(ProtocolKind.ALL, "all protocols")),
        (17.0, Protocol(ProtocolKind.OTHER, "protocol 17", 17)),
        (" UDP ", Protocol(ProtocolKind.OTHER, "udp", 17)),
        ("icmpv6", Protocol(ProtocolKind.OTHER, "icmpv6", 58)),
        ("256", Protocol(ProtocolKind.UNRECOGNISED, "unrecognised protocol (treated as all)")),
        ("tcp6", Protocol(ProtocolKind.UNRECOGNISED, "unrecognised protocol (treated as all)")),
        (" ", Protocol(ProtocolKind.UNRECOGNISED, "unset or unreadable protocol (treated as all)")),
        (None, Protocol(ProtocolKind.UNRECOGNISED, "unset or unreadable protocol (treated as all)")),
    ],
)
def test_protocol_kind_label_and_number_word_for_word(raw: object, expected: Protocol) -> None:
    assert Protocol.parse(raw) == expected


@pytest.mark.parametrize(
    ("resource_type", "props", "described"),
    [
        (
            SECURITY_GROUP,
            {"ingress": [{"protocol": "tcp", "cidrBlocks": "10.0.0.1"}]},
            "an unparseable source (cidrBlocks)",
        ),
        (
            SECURITY_GROUP,
            {"ingress": [{"protocol": "tcp", "prefixListIds": [""]}]},
            "an unparseable source (prefixListIds[0])",
        ),
        (
            SECURITY_GROUP,
            {"ingress": [{"protocol": "tcp", "cidrBlocks": ["10.0.0.1/8"]}]},
            "an unparseable source (cidrBlocks[0])",
        ),
        (SECURITY_GROUP_INGRESS_RULE, {"ipProtocol": "tcp", "cidrIpv4": "x"}, "an unparseable source (cidrIpv4)"),
    ],
)
def test_an_unparseable_source_names_the_field_it_came_from(resource_type: str, props: dict, described: str) -> None:
    (permission,) = ingress_permissions(resource_type, wrapped(props))
    assert [s.describe() for s in permission.sources] == [described]
    assert permission.resource_type == resource_type


@pytest.mark.parametrize("resource_type", [SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE, DEFAULT_SECURITY_GROUP])
def test_a_permission_knows_the_resource_type_that_carries_it(resource_type: str) -> None:
    props = {"ingress": [{"protocol": "tcp"}]} if resource_type == DEFAULT_SECURITY_GROUP else {"protocol": "tcp"}
    (permission,) = ingress_permissions(resource_type, wrapped(props))
    assert permission.resource_type == resource_type


def test_every_source_keeps_the_field_it_was_read_from() -> None:
    props = {"ingress": [{"protocol": "tcp", "cidrBlocks": ["10.0.0.0/8"], "prefixListIds": "pl-1", "self": True}]}
    (permission,) = ingress_permissions(SECURITY_GROUP, wrapped(props))
    assert [s.field for s in permission.sources] == ["cidrBlocks[0]", "prefixListIds", "self"]

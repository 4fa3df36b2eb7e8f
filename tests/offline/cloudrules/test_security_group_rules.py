"""Security group rules in every spelling (``security_group_rules.py``): which peers make a rule's description a
``UserIdGroupPair``/``PrefixListId`` one (no "&"), and what a CIDR block in the wrong list is told."""

from __future__ import annotations

from typing import Any

import pytest

from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import BASE, LEGACY, SG
from tests.offline.cloudrules.world import errors

BLOCK = {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "description": "a & b"}


def _found(typ: str, changes: dict[str, Any], rule: str) -> list[tuple[str, str]]:
    return [(e.property, e.message) for e in errors(typ, {**BASE[typ], **changes}) if e.rule == rule]


@pytest.mark.parametrize(
    "peer",
    [{"self": True}, {"prefixListIds": ["pl-1"]}, {"securityGroups": ["sg-2"]}],
    ids=["self", "prefix-list", "group"],
)
def test_an_inline_rule_that_references_a_group_or_prefix_list_has_no_ampersand_in_its_description(
    peer: dict[str, Any],
) -> None:
    found = _found(SG, {"ingress": [{**BLOCK, **peer}]}, "security-group-pair-description")
    assert [prop for prop, _ in found] == ["ingress[0].description"]
    assert 'character "&" is not allowed in the description of a rule that references a security group' in found[0][1]
    # The same description on an IP range is accepted.
    assert _found(SG, {"ingress": [{**BLOCK, "cidrBlocks": ["10.0.0.0/8"]}]}, "security-group-pair-description") == []


@pytest.mark.parametrize("self_", [False, "true", None], ids=["false", "text", "absent"])
def test_only_self_true_makes_an_inline_rule_reference_its_own_group(self_: Any) -> None:
    block = {**BLOCK, "cidrBlocks": ["10.0.0.0/8"], "self": self_}
    assert _found(SG, {"egress": [block]}, "security-group-pair-description") == []


def test_a_legacy_rule_with_self_has_no_ampersand_in_its_description() -> None:
    found = _found(LEGACY, {"cidrBlocks": None, "self": True, "description": "x&y"}, "security-group-pair-description")
    assert [prop for prop, _ in found] == ["description"]
    assert (
        'character "&" is not allowed in the description of a rule that references a group or prefix list'
        in (found[0][1])
    )
    assert _found(LEGACY, {"self": False, "description": "x&y"}, "security-group-pair-description") == []


def test_a_referencing_rule_without_a_description_is_accepted() -> None:
    block = {k: v for k, v in BLOCK.items() if k != "description"}
    assert _found(SG, {"ingress": [{**block, "self": True}]}, "security-group-pair-description") == []
    assert (
        _found(LEGACY, {"cidrBlocks": None, "self": True, "description": None}, "security-group-pair-description") == []
    )


def test_a_block_in_the_wrong_address_family_is_told_which_family_the_list_takes() -> None:
    v6_in_v4 = _found(SG, {"ingress": [{**BLOCK, "cidrBlocks": ["::/0"]}]}, "security-group-block-cidrs")
    assert v6_in_v4 == [("ingress[0].cidrBlocks[0]", '"::/0" is not an IPv4 CIDR block')]
    v4_in_v6 = _found(SG, {"egress": [{**BLOCK, "ipv6CidrBlocks": ["10.0.0.0/8"]}]}, "security-group-block-cidrs")
    assert v4_in_v6 == [("egress[0].ipv6CidrBlocks[0]", '"10.0.0.0/8" is not an IPv6 CIDR block')]


def test_a_block_with_host_bits_is_told_so_and_a_long_one_is_shown_cut_to_50_characters() -> None:
    assert _found(LEGACY, {"ipv6CidrBlocks": ["2001:db8::1/32"]}, "security-group-block-cidrs") == [
        ("ipv6CidrBlocks[0]", '"2001:db8::1/32" is not an IPv6 CIDR block without host bits')
    ]
    long = "10.0.0.0/8" + "x" * 60
    found = _found(LEGACY, {"cidrBlocks": [long]}, "security-group-block-cidrs")
    assert found == [("cidrBlocks[0]", f'"{long[:50]}" is not an IPv4 CIDR block without host bits')]
    # An IPv6 network whose prefix length is written with leading zeros: a valid block, in the wrong list.
    padded = "::/" + "0" * 50 + "128"
    found = _found(LEGACY, {"cidrBlocks": [padded]}, "security-group-block-cidrs")
    assert found == [("cidrBlocks[0]", f'"{padded[:50]}" is not an IPv4 CIDR block')]


def test_an_unknown_block_is_skipped_and_the_blocks_after_it_are_still_checked() -> None:
    found = _found(SG, {"ingress": [{**BLOCK, "cidrBlocks": [UNKNOWN, "10.0.0.1/8"]}]}, "security-group-block-cidrs")
    assert found == [("ingress[0].cidrBlocks[1]", '"10.0.0.1/8" is not an IPv4 CIDR block without host bits')]


def test_every_bad_block_of_a_list_is_reported_not_only_the_first() -> None:
    found = _found(LEGACY, {"cidrBlocks": ["10.0.0.1/8", "::/0", "10.0.0.0/8"]}, "security-group-block-cidrs")
    assert found == [
        ("cidrBlocks[0]", '"10.0.0.1/8" is not an IPv4 CIDR block without host bits'),
        ("cidrBlocks[1]", '"::/0" is not an IPv4 CIDR block'),
    ]


INLINE_PORTS = "security-group-inline-ports"


def test_the_word_all_inline_is_told_to_write_minus_1() -> None:
    [(prop, message)] = _found(SG, {"ingress": [{**BLOCK, "protocol": "ALL"}]}, INLINE_PORTS)
    assert prop == "ingress[0].protocol"
    assert 'write "-1" for all protocols: "all" is not valid inline' in message


@pytest.mark.parametrize("protocol", ["tcp", "6", "udp", "17"])
def test_an_inline_tcp_or_udp_range_runs_from_0_to_65535_at_either_end(protocol: str) -> None:
    for low, high in ((0.0, 0.0), (65535.0, 65535.0), (0.0, 65535.0)):
        ok = {**BLOCK, "protocol": protocol, "fromPort": low, "toPort": high}
        assert _found(SG, {"ingress": [ok]}, INLINE_PORTS) == [], (low, high)
    backwards = {**BLOCK, "protocol": protocol, "fromPort": 444.0, "toPort": 443.0}
    assert _found(SG, {"ingress": [backwards]}, INLINE_PORTS) == [
        ("ingress[0].fromPort", "444-443 is not a port range (0-65535, fromPort <= toPort)")
    ]


@pytest.mark.parametrize("protocol", ["icmp", "icmpv6", "58"])
def test_an_inline_icmp_type_and_code_run_from_minus_1_to_255_and_each_end_is_named(protocol: str) -> None:
    ok = {**BLOCK, "protocol": protocol, "fromPort": -1.0, "toPort": 255.0}
    assert _found(SG, {"egress": [ok]}, INLINE_PORTS) == []
    bad = {**BLOCK, "protocol": protocol, "fromPort": 256.0, "toPort": -2.0}
    assert _found(SG, {"egress": [bad]}, INLINE_PORTS) == [
        ("egress[0].fromPort", "ICMP type or code 256 is outside -1..255"),
        ("egress[0].toPort", "ICMP type or code -2 is outside -1..255"),
    ]


def test_an_inline_rule_for_all_protocols_names_each_port_that_is_not_0() -> None:
    block = {**BLOCK, "protocol": "-1", "fromPort": 0.0, "toPort": 65535.0}
    assert _found(SG, {"egress": [block]}, INLINE_PORTS) == [
        ("egress[0].toPort", "65535: with protocol -1 both ports are 0")
    ]


INLINE_SOURCE = "security-group-inline-source"


def test_an_inline_rule_without_a_peer_names_the_peers_it_may_have() -> None:
    no_peer = {k: v for k, v in BLOCK.items() if k != "description"}
    assert _found(SG, {"ingress": [no_peer]}, INLINE_SOURCE) == [
        ("ingress[0]", "a rule needs a peer: cidrBlocks, ipv6CidrBlocks, prefixListIds, securityGroups or self")
    ]


def test_an_inline_rule_with_an_unknown_peer_is_skipped_and_the_rules_after_it_are_still_checked() -> None:
    unknown_peer = {**BLOCK, "cidrBlocks": [], "securityGroups": UNKNOWN}
    found = _found(SG, {"ingress": [unknown_peer, {**BLOCK, "cidrBlocks": []}]}, INLINE_SOURCE)
    assert [prop for prop, _ in found] == ["ingress[1]"]


@pytest.mark.parametrize(
    "peer",
    [{"ipv6CidrBlocks": ["::/0"]}, {"prefixListIds": ["pl-1"]}, {"securityGroups": ["sg-2"]}, {"self": True}],
    ids=["ipv6", "prefix-list", "group", "self"],
)
def test_any_one_peer_is_enough_for_an_inline_rule(peer: dict[str, Any]) -> None:
    assert _found(SG, {"egress": [{**BLOCK, "cidrBlocks": [], **peer}]}, INLINE_SOURCE) == []

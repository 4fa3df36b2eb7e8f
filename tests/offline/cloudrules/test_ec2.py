"""EC2 volumes (``ec2.py``): the IOPS-per-GiB ratio applies to the types that have one, and says the ceiling."""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules import CloudResource, World
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import (
    BASE,
    DEFAULT_SG,
    ED25519_KEY,
    EGRESS,
    INGRESS,
    INSTANCE,
    KEY,
    LEGACY,
    LT,
    NAT,
    ROUTE,
    RTA,
    SG,
    SUBNET,
    VPC,
)
from tests.offline.cloudrules.cases_round2 import RSA_2047_KEY
from tests.offline.cloudrules.world import errors, world

RATIO = "ebs-iops-per-size"


def _ratio(root: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e.property, e.message)
        for e in errors(INSTANCE, {**BASE[INSTANCE], "rootBlockDevice": root})
        if e.rule == RATIO
    ]


@pytest.mark.parametrize(
    "root",
    [
        {"volumeType": "gp2", "volumeSize": 10.0, "iops": 100000.0},
        {"volumeSize": 10.0, "iops": 100000.0},
        {"volumeType": "io1", "iops": 100000.0},
        {"volumeType": "io1", "volumeSize": 0.0, "iops": 100000.0},
    ],
    ids=["gp2-no-ratio", "no-type", "no-size", "size-zero"],
)
def test_the_ratio_is_judged_only_with_a_ratio_type_and_a_size(root: dict[str, Any]) -> None:
    assert _ratio(root) == []


def test_the_ratio_says_the_types_ceiling_for_the_size() -> None:
    assert _ratio({"volumeType": "io1", "volumeSize": 10.0, "iops": 500.0}) == []
    assert _ratio({"volumeType": "io1", "volumeSize": 10.0, "iops": 501.0}) == [
        ("rootBlockDevice.iops", "501 IOPS on 10 GiB; io1 allows 50 IOPS per GiB (at most 500)")
    ]


# --- what each EC2 rule tells a user: the property, AWS's error code and the message ---------------------

STACK = "urn:pulumi:test::proj::"


def _told(typ: str, changes: dict[str, Any], rule: str, *, account: World | None = None) -> list[tuple[str, str, str]]:
    """(property, code, message) of each refusal ``rule`` gives the base ``typ`` with ``changes``."""
    inputs = {k: v for k, v in {**BASE[typ], **changes}.items() if v is not None}
    return [(e.property, e.code, e.message) for e in errors(typ, inputs, account=account) if e.rule == rule]


def _with(*resources: tuple[str, str, str, dict[str, Any]]) -> World:
    """The test account with more resources: (type, name, id, inputs) each."""
    account = world()
    for typ, name, rid, inputs in resources:
        account.add(CloudResource(urn=f"{STACK}{typ}::{name}", type=typ, name=name, id=rid, inputs=inputs))
    return account


def test_dns_hostnames_without_dns_support_says_dns_support_is_off() -> None:
    [(prop, code, message)] = _told(VPC, {"enableDnsSupport": False}, "vpc-dns-hostnames-need-support")
    assert (prop, code) == ("enableDnsHostnames", "InvalidParameterValue")
    assert "DNS hostnames cannot be enabled while DNS support is disabled" in message


def test_a_subnet_outside_its_vpc_names_both_blocks() -> None:
    [(prop, code, message)] = _told(SUBNET, {"cidrBlock": "10.2.0.0/24"}, "subnet-cidr-in-vpc")
    assert (prop, code) == ("cidrBlock", "InvalidSubnet.Range")
    assert "10.2.0.0/24 is not inside the VPC's 10.0.0.0/16" in message


def test_a_subnet_of_a_vpc_not_in_the_stack_is_not_judged_for_its_block_or_overlaps() -> None:
    # vpc-9 is no VPC the account knows: neither its block nor its other subnets can be compared.
    for rule in ("subnet-cidr-in-vpc", "subnet-cidr-no-overlap"):
        assert _told(SUBNET, {"vpcId": "vpc-9", "cidrBlock": "10.2.0.0/24"}, rule) == []


def test_an_overlap_names_the_other_subnet_and_its_block_and_only_within_one_vpc() -> None:
    [(prop, code, message)] = _told(SUBNET, {"cidrBlock": "10.0.2.128/25"}, "subnet-cidr-no-overlap")
    assert (prop, code) == ("cidrBlock", "InvalidSubnet.Conflict")
    assert "10.0.2.128/25 overlaps 10.0.2.0/24 of subnet public-a2" in message
    # 10.1.0.0/24 is subnet-x's block, but subnet-x is in vpc-2: another network, no conflict.
    assert _told(SUBNET, {"cidrBlock": "10.1.0.0/24"}, "subnet-cidr-no-overlap") == []


def test_a_zone_of_another_region_names_the_zone_and_the_region() -> None:
    [(prop, _, message)] = _told(SUBNET, {"availabilityZone": "us-west-2a"}, "subnet-zone-in-region")
    assert prop == "availabilityZone"
    assert '"us-west-2a" is not an Availability Zone of us-east-1' in message


def test_a_route_without_a_destination_is_missing_a_parameter() -> None:
    [(prop, code, message)] = _told(ROUTE, {"destinationCidrBlock": None}, "route-one-target-one-destination")
    assert (prop, code) == ("destination", "MissingParameter")
    assert "exactly one destination is required, got 0 (none)" in message


def test_a_route_with_two_destinations_or_two_targets_names_them() -> None:
    two = {"destinationPrefixListId": "pl-1", "natGatewayId": "nat-1"}
    found = _told(ROUTE, two, "route-one-target-one-destination")
    assert [(prop, code) for prop, code, _ in found] == [
        ("target", "InvalidParameterCombination"),
        ("destination", "InvalidParameterCombination"),
    ]
    assert "got 2 (gatewayId, natGatewayId)" in found[0][2]
    assert "got 2 (destinationCidrBlock, destinationPrefixListId)" in found[1][2]


def test_a_gateway_or_nat_gateway_of_another_network_is_named() -> None:
    [(prop, _, message)] = _told(ROUTE, {"gatewayId": "igw-2"}, "route-target-in-vpc")
    assert prop == "gatewayId"
    assert "route table and gateway other-igw belong to different networks" in message
    [(prop, _, message)] = _told(ROUTE, {"gatewayId": None, "natGatewayId": "nat-2"}, "route-target-in-vpc")
    assert prop == "natGatewayId"
    assert "route table and NAT gateway other-nat belong to different networks" in message


def test_a_route_table_association_across_networks_says_so() -> None:
    [(prop, _, message)] = _told(RTA, {"routeTableId": "rtb-2"}, "route-table-association-same-vpc")
    assert prop == "routeTableId"
    assert "the route table and the subnet belong to different networks" in message


def test_a_nat_gateway_needs_an_allocation_when_public_and_a_subnet_always() -> None:
    [(prop, code, message)] = _told(NAT, {"allocationId": None}, "nat-gateway-public-needs-allocation")
    assert (prop, code) == ("allocationId", "MissingParameter")
    assert "a public NAT gateway needs an Elastic IP allocation id" in message
    private = {"connectivityType": "private", "allocationId": None, "subnetId": None}
    [(prop, code, message)] = _told(NAT, private, "nat-gateway-public-needs-allocation")
    assert (prop, code) == ("subnetId", "MissingParameter")
    assert "a NAT gateway needs a subnet" in message


def test_security_group_texts_name_what_they_describe() -> None:
    rule = "security-group-description"
    [(prop, _, message)] = _told(DEFAULT_SG, {"egress": [{"description": "caf\u00e9"}]}, rule)
    assert prop == "egress[0].description"
    assert "is not allowed in a rule description" in message
    [(prop, _, message)] = _told(SG, {"description": "a|b"}, rule)
    assert prop == "description"
    assert "is not allowed in a security group description" in message
    [(prop, _, message)] = _told(SG, {"name": "web|sg"}, "security-group-name")
    assert prop == "name"
    assert '"|" is not allowed in a security group name' in message


def test_a_group_name_beginning_with_sg_is_refused_in_any_case() -> None:
    [(prop, _, message)] = _told(SG, {"name": "SG-web"}, "security-group-name")
    assert prop == "name"
    assert '"SG-web" begins with "sg-"' in message


def test_a_rule_without_a_peer_is_missing_a_parameter_and_two_peers_are_named() -> None:
    rule = "security-group-rule-one-source"
    [(prop, code, message)] = _told(EGRESS, {"cidrIpv4": None}, rule)
    assert (prop, code) == ("cidrIpv4", "MissingParameter")
    assert "got 0 (none)" in message
    [(prop, code, message)] = _told(INGRESS, {"referencedSecurityGroupId": "sg-2"}, rule)
    assert (prop, code) == ("cidrIpv4", "InvalidParameterCombination")
    assert "got 2 (cidrIpv4, referencedSecurityGroupId)" in message


def test_a_legacy_rule_combines_address_sources_but_not_a_group_source() -> None:
    rule = "security-group-rule-one-source"
    assert _told(LEGACY, {"ipv6CidrBlocks": ["::/0"], "prefixListIds": ["pl-1"]}, rule) == []
    for group in ({"sourceSecurityGroupId": "sg-2"}, {"self": True}):
        [(prop, code, message)] = _told(LEGACY, group, rule)
        assert (prop, code) == ("sourceSecurityGroupId", "InvalidParameterCombination")
        assert "a group source cannot be combined with" in message and "cidrBlocks" in message
    [(prop, code, _)] = _told(LEGACY, {"cidrBlocks": None}, rule)
    assert (prop, code) == ("cidrBlocks", "MissingParameter")


PORTS = "security-group-rule-ports"


def test_a_tcp_rule_without_ports_is_missing_a_parameter_but_an_unknown_port_is_not_judged() -> None:
    [(prop, code, message)] = _told(INGRESS, {"toPort": None}, PORTS)
    assert (prop, code) == ("fromPort", "MissingParameter")
    assert "a tcp rule needs fromPort and toPort" in message
    assert _told(INGRESS, {"fromPort": UNKNOWN}, PORTS) == []
    assert _told(INGRESS, {"toPort": UNKNOWN}, PORTS) == []


def test_a_tcp_or_udp_range_runs_from_0_to_65535() -> None:
    assert _told(INGRESS, {"fromPort": 0.0, "toPort": 0.0}, PORTS) == []
    assert _told(LEGACY, {"protocol": "udp", "fromPort": 65535.0, "toPort": 65535.0}, PORTS) == []
    [(prop, _, message)] = _told(INGRESS, {"ipProtocol": "17", "fromPort": -1.0, "toPort": 53.0}, PORTS)
    assert prop == "fromPort"
    assert "-1-53 is not a port range (0-65535, fromPort <= toPort)" in message


@pytest.mark.parametrize("protocol", ["icmp", "1", "icmpv6", "58"])
def test_an_icmp_type_and_code_run_from_minus_1_to_255(protocol: str) -> None:
    assert _told(INGRESS, {"ipProtocol": protocol, "fromPort": -1.0, "toPort": 255.0}, PORTS) == []
    assert _told(INGRESS, {"ipProtocol": protocol, "fromPort": 255.0, "toPort": -1.0}, PORTS) == []
    # Absent ICMP type and code: every type and code.
    assert _told(INGRESS, {"ipProtocol": protocol, "fromPort": None, "toPort": None}, PORTS) == []
    found = _told(INGRESS, {"ipProtocol": protocol, "fromPort": 256.0, "toPort": -2.0}, PORTS)
    assert [(prop, message) for prop, _, message in found] == [
        ("fromPort", "ICMP type 256 is outside -1..255"),
        ("toPort", "ICMP code -2 is outside -1..255"),
    ]


@pytest.mark.parametrize("protocol", ["-1", "all"])
def test_a_rule_for_all_protocols_takes_no_port_on_either_end(protocol: str) -> None:
    found = _told(EGRESS, {"ipProtocol": protocol, "toPort": 0.0}, PORTS)
    assert [(prop, message) for prop, _, message in found] == [
        ("toPort", "0: a rule for all protocols (-1) takes no port range")
    ]
    assert _told(EGRESS, {"ipProtocol": protocol, "fromPort": -1.0, "toPort": -1.0}, PORTS) == []


def test_ports_on_another_protocol_or_a_legacy_all_protocol_rule_are_not_refused() -> None:
    # AWS ignores the port range of a protocol other than tcp, udp, icmp and icmpv6 (IpPermission).
    assert _told(INGRESS, {"ipProtocol": "47", "fromPort": 0.0, "toPort": 0.0}, PORTS) == []
    # The legacy resource writes protocol -1 with from_port and to_port 0.
    assert _told(LEGACY, {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0}, PORTS) == []


def test_a_key_pair_name_with_non_ascii_characters_shows_the_name() -> None:
    [(prop, _, message)] = _told(KEY, {"keyName": "cl\u00e9"}, "key-pair-name")
    assert prop == "keyName"
    assert '"cl\u00e9" has non-ASCII characters' in message


def test_a_key_of_another_type_is_told_its_type() -> None:
    [(prop, code, message)] = _told(KEY, {"publicKey": "ecdsa-sha2-nistp256 AAAA op@host"}, "key-pair-public-key-type")
    assert (prop, code) == ("publicKey", "InvalidKey.Format")
    assert 'key type "ecdsa-sha2-nistp256" is not ssh-rsa or ssh-ed25519' in message


def test_a_truncated_or_short_key_is_told_what_is_wrong() -> None:
    rule = "key-pair-public-key-material"
    truncated = ED25519_KEY.split(" ")[0] + " " + ED25519_KEY.split(" ")[1][:-8]
    [(prop, code, message)] = _told(KEY, {"publicKey": truncated}, rule)
    assert (prop, code) == ("publicKey", "InvalidKey.Format")
    assert "the key body is not a whole OpenSSH public key" in message
    [(prop, code, message)] = _told(KEY, {"publicKey": RSA_2047_KEY}, rule)
    assert (prop, code) == ("publicKey", "InvalidKey.Format")
    assert "an RSA key of 2047 bits; EC2 takes 2048 bits or more" in message


def test_a_key_with_a_character_utf_8_cannot_encode_is_a_broken_key() -> None:
    # JSON can carry a lone surrogate ("\ud800"); the key body is then no valid base64, as for any stray character.
    kind, body, _ = ED25519_KEY.split(" ")
    broken = f"{kind} {body[:20]}\ud800{body[21:]}"
    [(prop, code, message)] = _told(KEY, {"publicKey": broken}, "key-pair-public-key-material")
    assert (prop, code) == ("publicKey", "InvalidKey.Format")
    assert "not a whole OpenSSH public key" in message


VOLUME = "ebs-volume-settings"


def test_iops_on_a_type_without_provisioned_iops_is_a_wrong_combination() -> None:
    found = _told(INSTANCE, {"rootBlockDevice": {"volumeType": "gp2", "iops": 3000.0}}, VOLUME)
    assert found == [("rootBlockDevice.iops", "InvalidParameterCombination", "iops is not supported for gp2 volumes")]


def test_zero_iops_or_throughput_is_no_setting() -> None:
    # The provider sends 0 for an unset iops or throughput.
    assert _told(INSTANCE, {"rootBlockDevice": {"volumeType": "gp2", "iops": 0.0, "throughput": 0.0}}, VOLUME) == []


def test_provisioned_iops_of_io1_and_io2_are_held_to_each_types_range() -> None:
    for kind, low, high in (("io1", 100, 64000), ("io2", 100, 256000)):
        for ok in (low, high):
            assert _told(INSTANCE, {"rootBlockDevice": {"volumeType": kind, "iops": float(ok)}}, VOLUME) == []
        for bad in (low - 1, high + 1):
            found = _told(INSTANCE, {"rootBlockDevice": {"volumeType": kind, "iops": float(bad)}}, VOLUME)
            assert found == [
                ("rootBlockDevice.iops", "InvalidParameterValue", f"{bad} IOPS is outside {low}-{high} for {kind}")
            ]


def test_a_type_ec2_does_not_know_is_not_judged_for_iops_or_throughput() -> None:
    weird = {"volumeType": "gp4", "iops": 5.0, "throughput": 5.0}
    assert [prop for prop, _, _ in _told(INSTANCE, {"rootBlockDevice": weird}, VOLUME)] == [
        "rootBlockDevice.volumeType"
    ]


def test_every_instance_volume_is_judged_each_under_its_own_path() -> None:
    devices = [{"volumeType": "gp3"}, {"volumeType": "gp2", "throughput": 200.0}]
    found = _told(INSTANCE, {"ebsBlockDevices": devices}, VOLUME)
    assert [(prop, code) for prop, code, _ in found] == [
        ("ebsBlockDevices[1].throughput", "InvalidParameterCombination")
    ]


def test_a_hop_limit_below_1_names_the_range() -> None:
    [(prop, _, message)] = _told(INSTANCE, {"metadataOptions": {"httpPutResponseHopLimit": 0.0}}, "metadata-options")
    assert prop == "metadataOptions.httpPutResponseHopLimit"
    assert "0 is outside 1-64" in message


def test_a_launch_template_name_says_its_length_and_the_range() -> None:
    [(prop, _, message)] = _told(LT, {"name": "lt"}, "launch-template-name")
    assert prop == "name"
    assert "2 characters; a launch template name is 3-128" in message


def test_a_launch_template_tags_only_the_four_resource_types_and_says_which() -> None:
    specs = [{"resourceType": "launch-template", "tags": {}}]
    [(prop, _, message)] = _told(LT, {"tagSpecifications": specs}, "launch-template-tag-resource-type")
    assert prop == "tagSpecifications[0].resourceType"
    assert '"launch-template" (instance | volume | network-interface | spot-instances-request)' in message


def test_group_names_beside_network_interfaces_are_refused_like_group_ids() -> None:
    found = _told(LT, {"securityGroupNames": ["web"]}, "launch-template-groups-on-interface")
    assert [prop for prop, _, _ in found] == ["securityGroupNames"]
    assert "must be specified on the network interface" in found[0][2]
    both = _told(
        LT, {"securityGroupNames": ["web"], "vpcSecurityGroupIds": ["sg-1"]}, "launch-template-groups-on-interface"
    )
    assert [prop for prop, _, _ in both] == ["vpcSecurityGroupIds", "securityGroupNames"]


def test_a_group_of_another_network_is_named_and_an_unknown_group_or_subnet_is_not_judged() -> None:
    rule = "instance-groups-in-subnet-vpc"
    [(prop, _, message)] = _told(INSTANCE, {"vpcSecurityGroupIds": ["sg-1", "sg-2"]}, rule)
    assert prop == "vpcSecurityGroupIds[1]"
    assert "security group other-sg and the subnet belong to different networks" in message
    assert _told(INSTANCE, {"vpcSecurityGroupIds": ["sg-9", "sg-1"]}, rule) == []
    assert _told(INSTANCE, {"subnetId": "subnet-9", "vpcSecurityGroupIds": ["sg-2"]}, rule) == []


NAMES = "instance-group-names"
SG_TYPE = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SUBNET = ("aws:ec2/subnet:Subnet", "default-a", "subnet-default", {"vpcId": "vpc-default"})


def test_group_names_with_a_subnet_of_a_vpc_the_stack_created_say_to_use_ids() -> None:
    [(prop, code, message)] = _told(INSTANCE, {"securityGroups": ["web-sg"]}, NAMES)
    assert (prop, code) == ("securityGroups", "InvalidParameterCombination")
    assert "use ids" in message


def test_a_named_group_of_another_vpc_than_the_default_subnets_is_named() -> None:
    account = _with(DEFAULT_SUBNET, (SG_TYPE, "web", "sg-7", {"name": "web-sg", "vpcId": "vpc-2"}))
    changes = {"subnetId": "subnet-default", "securityGroups": ["app-sg", "web-sg"]}
    [(prop, code, message)] = _told(INSTANCE, changes, NAMES, account=account)
    assert (prop, code) == ("securityGroups[1]", "InvalidParameter")
    assert "security group web-sg and the subnet belong to different networks" in message


def test_a_named_group_is_judged_only_when_one_group_has_the_name_and_the_subnet_is_known() -> None:
    same_vpc = _with(DEFAULT_SUBNET, (SG_TYPE, "web", "sg-7", {"name": "web-sg", "vpcId": "vpc-default"}))
    assert _told(INSTANCE, {"subnetId": "subnet-default", "securityGroups": ["web-sg"]}, NAMES, account=same_vpc) == []
    twice = _with(
        DEFAULT_SUBNET,
        (SG_TYPE, "web", "sg-7", {"name": "web-sg", "vpcId": "vpc-2"}),
        (SG_TYPE, "web-too", "sg-8", {"name": "web-sg", "vpcId": "vpc-3"}),
    )
    assert _told(INSTANCE, {"subnetId": "subnet-default", "securityGroups": ["web-sg"]}, NAMES, account=twice) == []
    elsewhere = _with((SG_TYPE, "web", "sg-7", {"name": "web-sg", "vpcId": "vpc-2"}))
    assert _told(INSTANCE, {"subnetId": "subnet-9", "securityGroups": ["web-sg"]}, NAMES, account=elsewhere) == []


def test_a_long_launch_template_version_is_shown_cut_to_40_characters() -> None:
    version = "v" * 50
    [(prop, _, message)] = _told(
        INSTANCE, {"launchTemplate": {"id": "lt-1", "version": version}}, "instance-launch-template-version"
    )
    assert prop == "launchTemplate.version"
    assert message.startswith(f'"{"v" * 40}" is not a version number')


def test_a_tag_key_instance_metadata_cannot_serve_says_how_to_fix_it() -> None:
    imds = {"httpTokens": "required", "instanceMetadataTags": "enabled"}
    [(prop, _, message)] = _told(INSTANCE, {"metadataOptions": imds, "tags": {"_index": "x"}}, "metadata-tag-keys")
    assert prop == "tags"
    assert 'tag key "_index" cannot be read from instance metadata' in message
    assert 'not ".", ".." or "_index"' in message
    assert "turn instanceMetadataTags off or rename it" in message

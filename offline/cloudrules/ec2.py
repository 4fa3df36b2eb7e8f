"""EC2 and VPC: VPCs, subnets, gateways, routes, security groups and their rules, key pairs, instances,
Launch Templates and EBS volumes."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import string
from collections.abc import Iterator, Mapping
from typing import Any

from offline.cloudrules.botomodel import enum
from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import (
    bad_chars,
    is_unknown,
    items,
    known_bool,
    known_int,
    known_str,
    mapping,
    plain,
    shown,
)

EC2_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference"
VPC_GUIDE = "https://docs.aws.amazon.com/vpc/latest/userguide"
TF_EC2 = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ec2"

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
IGW_ATTACHMENT = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
KEY_PAIR = "aws:ec2/keyPair:KeyPair"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"

# Security-group names, descriptions and rule descriptions in a VPC (CreateSecurityGroup, IpRange).
SG_CHARS = string.ascii_letters + string.digits + " ._-:/()#,@[]+=&;{}!$*"
SG_CHARS_TEXT = "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"
SG_TEXT_MAX = 255
# Launch template names (botocore ec2 shape LaunchTemplateName: 3-128, [a-zA-Z0-9\(\)\.\-/_]+).
LT_NAME_CHARS = string.ascii_letters + string.digits + "().-/_"
USER_DATA_MAX = 16 * 1024


def _cidr(value: Any, version: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    text = known_str(value)
    if text is None:
        return None
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return network if network.version == version else None


# --- VPC and subnets -----------------------------------------------------------------------------


def _block_size(resource: CloudResource, what: str) -> Iterator[Finding]:
    """``cidrBlock`` is an IPv4 CIDR from /16 to /28, the range EC2 takes for a VPC and for a subnet."""
    text = known_str(resource.get("cidrBlock"))
    if text is None:
        return
    network = _cidr(text, 4)
    if network is None:
        yield Finding("cidrBlock", f'"{text}" is not an IPv4 CIDR block', code="InvalidParameterValue")
    elif not 16 <= network.prefixlen <= 28:
        yield Finding("cidrBlock", f"{text}: the {what} size must be between /16 and /28")


@rule(
    types=[VPC],
    properties=("cidrBlock",),
    code="InvalidVpc.Range",
    source=f"{EC2_API}/API_CreateVpc.html; {VPC_GUIDE}/vpc-cidr-blocks.html",
)
def vpc_cidr_size(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A VPC's IPv4 block is a valid CIDR from /16 to /28."""
    yield from _block_size(resource, "block")


@rule(
    types=[VPC],
    properties=("enableDnsHostnames", "enableDnsSupport"),
    code="InvalidParameterValue",
    source=f"{VPC_GUIDE}/AmazonDNS-concepts.html#vpc-dns-support (DNS hostnames need DNS resolution)",
)
def vpc_dns_hostnames_need_support(resource: CloudResource, world: World) -> Iterator[Finding]:
    """enableDnsHostnames needs enableDnsSupport (AWS's default is true)."""
    if known_bool(resource.get("enableDnsHostnames")) and known_bool(resource.get("enableDnsSupport")) is False:
        yield Finding("enableDnsHostnames", "DNS hostnames cannot be enabled while DNS support is disabled")


@rule(
    types=[SUBNET],
    properties=("cidrBlock",),
    code="InvalidSubnet.Range",
    source=f"{EC2_API}/API_CreateSubnet.html",
)
def subnet_cidr_size(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A subnet's IPv4 block is a valid CIDR from /16 to /28."""
    yield from _block_size(resource, "subnet")


@rule(
    types=[SUBNET],
    properties=("cidrBlock", "vpcId"),
    code="InvalidSubnet.Range",
    source=f"{EC2_API}/API_CreateSubnet.html",
)
def subnet_cidr_in_vpc(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A subnet's block lies inside its VPC's block."""
    network = _cidr(resource.get("cidrBlock"), 4)
    vpc = world.find(plain(resource.get("vpcId")))
    vpc_block = _cidr(vpc.get("cidrBlock"), 4) if vpc is not None else None
    if network is not None and vpc_block is not None and not network.subnet_of(vpc_block):  # type: ignore[arg-type]
        yield Finding("cidrBlock", f"{network} is not inside the VPC's {vpc_block}")


@rule(
    types=[SUBNET],
    properties=("cidrBlock", "vpcId"),
    code="InvalidSubnet.Conflict",
    source=f"{EC2_API}/API_CreateSubnet.html (must not overlap an existing subnet in the VPC)",
)
def subnet_cidr_no_overlap(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A subnet's block overlaps no other subnet of the same VPC."""
    network = _cidr(resource.get("cidrBlock"), 4)
    vpc_id = known_str(resource.get("vpcId"))
    if network is None or vpc_id is None:
        return
    for other in world.of_type(SUBNET):
        if other.urn == resource.urn or known_str(other.get("vpcId")) != vpc_id:
            continue
        other_block = _cidr(other.get("cidrBlock"), 4)
        if other_block is not None and network.overlaps(other_block):
            yield Finding("cidrBlock", f"{network} overlaps {other_block} of subnet {other.name}")


@rule(
    types=[SUBNET],
    properties=("availabilityZone",),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_CreateSubnet.html (AvailabilityZone of the request's Region)",
)
def subnet_zone_in_region(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A subnet's Availability Zone belongs to the provider's Region."""
    zone = known_str(resource.get("availabilityZone"))
    if zone is not None and world.region and not (zone.startswith(world.region) and len(zone) == len(world.region) + 1):
        yield Finding("availabilityZone", f'"{zone}" is not an Availability Zone of {world.region}')


# --- gateways and routes ---------------------------------------------------------------------------

ROUTE_TARGETS = (
    "gatewayId",
    "natGatewayId",
    "networkInterfaceId",
    "transitGatewayId",
    "vpcPeeringConnectionId",
    "egressOnlyGatewayId",
    "carrierGatewayId",
    "localGatewayId",
    "vpcEndpointId",
    "coreNetworkArn",
)
ROUTE_DESTINATIONS = ("destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId")


def _present(resource: CloudResource, keys: tuple[str, ...]) -> list[str]:
    return [k for k in keys if plain(resource.get(k)) not in (None, "")]


@rule(
    types=[ROUTE],
    properties=(*ROUTE_TARGETS, *ROUTE_DESTINATIONS),
    code="InvalidParameterCombination",
    source=f"{EC2_API}/API_CreateRoute.html (exactly one target; a destination CIDR block or prefix list)",
)
def route_one_target_one_destination(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A route has exactly one target and exactly one destination."""
    targets = _present(resource, ROUTE_TARGETS)
    if len(targets) != 1:
        yield Finding("target", f"exactly one target is required, got {len(targets)} ({', '.join(targets) or 'none'})")
    destinations = _present(resource, ROUTE_DESTINATIONS)
    if len(destinations) != 1:
        yield Finding(
            "destination",
            f"exactly one destination is required, got {len(destinations)} ({', '.join(destinations) or 'none'})",
            code="MissingParameter" if not destinations else "",
        )


def _vpc_of(world: World, reference: Any) -> str | None:
    found = world.find(plain(reference))
    if found is None:
        return None
    if found.type == VPC:
        return found.id or None
    return known_str(found.get("vpcId"))


@rule(
    types=[ROUTE],
    properties=("gatewayId", "natGatewayId", "routeTableId"),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_CreateRoute.html (the gateway must be attached to the route table's VPC)",
)
def route_target_in_vpc(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An Internet Gateway target is attached to the route table's VPC; a NAT gateway sits in that VPC."""
    table_vpc = _vpc_of(world, resource.get("routeTableId"))
    if table_vpc is None:
        return
    gateway = world.find(plain(resource.get("gatewayId")))
    if gateway is not None and gateway.type == IGW and known_str(gateway.get("vpcId")) not in (None, table_vpc):
        yield Finding("gatewayId", f"route table and gateway {gateway.name} belong to different networks")
    nat = world.find(plain(resource.get("natGatewayId")))
    if nat is not None:
        nat_vpc = _vpc_of(world, nat.get("subnetId"))
        if nat_vpc not in (None, table_vpc):
            yield Finding("natGatewayId", f"route table and NAT gateway {nat.name} belong to different networks")


@rule(
    types=[RTA],
    properties=("subnetId", "gatewayId"),
    code="InvalidParameterCombination",
    source=f"{TF_EC2}/vpc_route_table_association.go (ExactlyOneOf subnet_id, gateway_id); "
    f"{EC2_API}/API_AssociateRouteTable.html",
)
def route_table_association_one_target(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A route table association names exactly one of a subnet or a gateway."""
    present = _present(resource, ("subnetId", "gatewayId"))
    if len(present) != 1:
        yield Finding("subnetId", f"exactly one of subnetId, gatewayId is required, got {present or 'none'}")


@rule(
    types=[RTA],
    properties=("subnetId", "routeTableId"),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_AssociateRouteTable.html (the subnet and route table must be in the same VPC)",
)
def route_table_association_same_vpc(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A subnet is associated only with a route table of its own VPC."""
    subnet_vpc = _vpc_of(world, resource.get("subnetId"))
    table_vpc = _vpc_of(world, resource.get("routeTableId"))
    if subnet_vpc and table_vpc and subnet_vpc != table_vpc:
        yield Finding("routeTableId", "the route table and the subnet belong to different networks")


@rule(
    types=[EIP],
    properties=("domain",),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_AllocateAddress.html (Domain: vpc | standard)",
)
def eip_domain(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An Elastic IP's domain is "vpc" (or the retired "standard")."""
    # The values are the model's (apimap: AllocateAddress Domain, ec2 DomainType).
    yield from ()


@rule(
    types=[NAT],
    properties=("connectivityType", "allocationId", "subnetId"),
    code="MissingParameter",
    source=f"{EC2_API}/API_CreateNatGateway.html (public NAT gateways need an Elastic IP allocation)",
)
def nat_gateway_public_needs_allocation(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A public NAT gateway (the default) has an Elastic IP allocation and a subnet."""
    # The connectivity types are the model's (apimap: CreateNatGateway ConnectivityType).
    kind = known_str(resource.get("connectivityType")) or "public"
    if kind == "public" and plain(resource.get("allocationId")) in (None, ""):
        yield Finding("allocationId", "a public NAT gateway needs an Elastic IP allocation id")
    if plain(resource.get("subnetId")) in (None, ""):
        yield Finding("subnetId", "a NAT gateway needs a subnet")


# --- security groups -------------------------------------------------------------------------------


def _sg_text(prop: str, text: str | None, *, what: str) -> Iterator[Finding]:
    if text is None:
        return
    wrong = bad_chars(text, SG_CHARS)
    if wrong:
        yield Finding(prop, f"character {shown(wrong)} is not allowed in a {what} (allowed: {SG_CHARS_TEXT})")
    if len(text) > SG_TEXT_MAX:
        yield Finding(prop, f"{len(text)} characters; a {what} is at most {SG_TEXT_MAX}")


def _inline_rules(resource: CloudResource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for direction in ("ingress", "egress"):
        for i, entry in enumerate(items(resource.get(direction))):
            yield f"{direction}[{i}]", mapping(entry)


@rule(
    types=[SG, DEFAULT_SG],
    properties=("description", "ingress[].description", "egress[].description"),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_CreateSecurityGroup.html (GroupDescription); {EC2_API}/API_IpRange.html (Description)",
)
def security_group_description(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Security-group and inline rule descriptions use a-zA-Z0-9, spaces and ._-:/()#,@[]+=&;{}!$*, up to 255."""
    # pulumi-aws sends "Managed by Pulumi" when no description is given.
    yield from _sg_text("description", known_str(resource.get("description")), what="security group description")
    for prop, entry in _inline_rules(resource):
        yield from _sg_text(f"{prop}.description", known_str(entry.get("description")), what="rule description")


@rule(
    types=[SG],
    properties=("name", "namePrefix"),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_CreateSecurityGroup.html (GroupName: 255, no sg- prefix, same characters)",
)
def security_group_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A security group's name uses the description's characters, is at most 255 and does not begin with sg-."""
    name = known_str(resource.get("name"))
    yield from _sg_text("name", name, what="security group name")
    if name is not None and name.lower().startswith("sg-"):
        yield Finding("name", f'"{name}" begins with "sg-", which AWS reserves for group ids')


@rule(
    types=[INGRESS, EGRESS, LEGACY_RULE],
    properties=("description",),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_IpRange.html (Description); {TF_EC2}/validate.go (validSecurityGroupRuleDescription)",
)
def security_group_rule_description(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A rule's description uses a-zA-Z0-9, spaces and ._-:/()#,@[]+=&;{}!$*, up to 255 characters."""
    yield from _sg_text("description", known_str(resource.get("description")), what="rule description")


RULE_SOURCES = ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
LEGACY_SOURCES = ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "sourceSecurityGroupId", "self")


@rule(
    types=[INGRESS, EGRESS, LEGACY_RULE],
    properties=(*RULE_SOURCES, *LEGACY_SOURCES),
    code="InvalidParameterCombination",
    source=f"{EC2_API}/API_AuthorizeSecurityGroupIngress.html; "
    f"{TF_EC2}/vpc_security_group_ingress_rule.go (ExactlyOneOf cidr_ipv4, cidr_ipv6, prefix_list_id, "
    "referenced_security_group_id)",
)
def security_group_rule_one_source(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A rule has exactly one peer: an IPv4 CIDR, an IPv6 CIDR, a prefix list or a security group."""
    if resource.type == LEGACY_RULE:
        if any(is_unknown(resource.get(k)) for k in LEGACY_SOURCES):
            return
        present = [
            k
            for k in LEGACY_SOURCES
            if (items(resource.get(k)) if k.endswith("s") else plain(resource.get(k))) not in (None, "", [], False)
        ]
        if not present:
            yield Finding(
                "cidrBlocks",
                "a rule needs a source: cidrBlocks, ipv6CidrBlocks, prefixListIds, sourceSecurityGroupId or self",
                code="MissingParameter",
            )
        elif any(k in present for k in ("sourceSecurityGroupId", "self")) and len(present) > 1:
            yield Finding("sourceSecurityGroupId", f"a group source cannot be combined with {present}")
        return
    present = _present(resource, RULE_SOURCES)
    if len(present) != 1:
        yield Finding(
            "cidrIpv4",
            f"exactly one of {', '.join(RULE_SOURCES)} is required, got {len(present)}"
            f" ({', '.join(present) or 'none'})",
            code="MissingParameter" if not present else "",
        )


PORT_PROTOCOLS = {
    "tcp": "tcp",
    "6": "tcp",
    "udp": "udp",
    "17": "udp",
    "icmp": "icmp",
    "1": "icmp",
    "icmpv6": "icmpv6",
    "58": "icmpv6",
}


@rule(
    types=[INGRESS, EGRESS, LEGACY_RULE],
    properties=("ipProtocol", "protocol", "fromPort", "toPort"),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_IpPermission.html (FromPort/ToPort: ports for tcp/udp, ICMP type and code, -1 for all)",
)
def security_group_rule_ports(resource: CloudResource, world: World) -> Iterator[Finding]:
    """TCP and UDP rules give a port range 0-65535 with from <= to; all-protocol rules give none."""
    protocol = known_str(resource.get("ipProtocol") if resource.type != LEGACY_RULE else resource.get("protocol"))
    if protocol is None:
        return
    kind = PORT_PROTOCOLS.get(protocol.lower(), "all" if protocol in ("-1", "all") else "other")
    low, high = known_int(resource.get("fromPort")), known_int(resource.get("toPort"))
    if kind in ("tcp", "udp"):
        if low is None or high is None:
            if resource.get("fromPort") is None or resource.get("toPort") is None:
                yield Finding("fromPort", f"a {kind} rule needs fromPort and toPort", code="MissingParameter")
            return
        if not (0 <= low <= 65535 and 0 <= high <= 65535) or low > high:
            yield Finding("fromPort", f"{low}-{high} is not a port range (0-65535, fromPort <= toPort)")
    elif kind in ("icmp", "icmpv6"):
        if low is not None and not -1 <= low <= 255:
            yield Finding("fromPort", f"ICMP type {low} is outside -1..255")
        if high is not None and not -1 <= high <= 255:
            yield Finding("toPort", f"ICMP code {high} is outside -1..255")
    elif kind == "all" and resource.type != LEGACY_RULE:
        for prop, value in (("fromPort", low), ("toPort", high)):
            if value not in (None, -1):
                yield Finding(prop, f"{value}: a rule for all protocols (-1) takes no port range")


@rule(
    types=[INGRESS, EGRESS],
    properties=("cidrIpv4", "cidrIpv6"),
    code="InvalidParameterValue",
    source=f"{TF_EC2}/vpc_security_group_ingress_rule.go (IPv4CIDRNetworkAddress, IPv6CIDRNetworkAddress)",
)
def security_group_rule_cidr(resource: CloudResource, world: World) -> Iterator[Finding]:
    """cidrIpv4 is an IPv4 network address and cidrIpv6 an IPv6 one, without host bits."""
    for prop, version in (("cidrIpv4", 4), ("cidrIpv6", 6)):
        text = known_str(resource.get(prop))
        if text is None:
            continue
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            yield Finding(prop, f'"{text}" is not an IPv{version} CIDR block without host bits')
            continue
        if network.version != version:
            yield Finding(prop, f'"{text}" is not an IPv{version} CIDR block')


# --- key pairs ---------------------------------------------------------------------------------------


@rule(
    types=[KEY_PAIR],
    properties=("keyName", "keyNamePrefix"),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_ImportKeyPair.html (KeyName: up to 255 ASCII characters)",
)
def key_pair_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A key pair's name is 1-255 ASCII characters."""
    name = known_str(resource.get("keyName"))
    if name is None:
        return
    if not name.isascii():
        yield Finding("keyName", f'"{name}" has non-ASCII characters')
    if not 1 <= len(name) <= 255:
        yield Finding("keyName", f"{len(name)} characters; a key pair name is 1-255")


@rule(
    types=[KEY_PAIR],
    properties=("publicKey",),
    code="InvalidKey.Format",
    source=f"{EC2_API}/API_ImportKeyPair.html; https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-key-pairs.html"
    " (RSA and ED25519 OpenSSH keys)",
)
def key_pair_public_key_type(resource: CloudResource, world: World) -> Iterator[Finding]:
    """EC2 imports only RSA and ED25519 keys in OpenSSH format."""
    key = known_str(resource.get("publicKey"))
    if key is not None and key.split(" ", 1)[0] not in ("ssh-rsa", "ssh-ed25519"):
        yield Finding("publicKey", f'key type "{key.split(" ", 1)[0][:30]}" is not ssh-rsa or ssh-ed25519')


# --- instances, Launch Templates, volumes ---------------------------------------------------------

# CreateVolume (botocore 1.44 model): gp3 IOPS 3,000-80,000 and throughput 125-2,000 MiB/s.
GP3_IOPS = (3000, 80000)
GP3_THROUGHPUT = (125, 2000)
IO_IOPS = {"io1": (100, 64000), "io2": (100, 256000)}


def _volume(prop: str, ebs: Mapping[str, Any]) -> Iterator[Finding]:
    kind = known_str(ebs.get("volumeType"))
    # A type the model does not list (ec2 VolumeType) is the model's refusal: no IOPS or throughput to judge.
    if kind is None or kind not in enum("ec2", "CreateVolume", "VolumeType"):
        return
    iops, throughput = known_int(ebs.get("iops")), known_int(ebs.get("throughput"))
    if iops is not None and iops != 0:
        bounds = GP3_IOPS if kind == "gp3" else IO_IOPS.get(kind)
        if bounds is None:
            yield Finding(
                f"{prop}.iops", f"iops is not supported for {kind} volumes", code="InvalidParameterCombination"
            )
        elif not bounds[0] <= iops <= bounds[1]:
            yield Finding(f"{prop}.iops", f"{iops} IOPS is outside {bounds[0]}-{bounds[1]} for {kind}")
    if throughput is not None and throughput != 0:
        if kind != "gp3":
            yield Finding(
                f"{prop}.throughput",
                f"throughput is supported for gp3 only, not {kind}",
                code="InvalidParameterCombination",
            )
        elif not GP3_THROUGHPUT[0] <= throughput <= GP3_THROUGHPUT[1]:
            yield Finding(
                f"{prop}.throughput", f"{throughput} MiB/s is outside {GP3_THROUGHPUT[0]}-{GP3_THROUGHPUT[1]}"
            )


@rule(
    types=[INSTANCE, LAUNCH_TEMPLATE],
    properties=(
        "rootBlockDevice.volumeType",
        "rootBlockDevice.iops",
        "rootBlockDevice.throughput",
        "ebsBlockDevices[].volumeType",
        "blockDeviceMappings[].ebs.volumeType",
        "blockDeviceMappings[].ebs.iops",
        "blockDeviceMappings[].ebs.throughput",
    ),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_CreateVolume.html (VolumeType, Iops, Throughput ranges)",
)
def ebs_volume_settings(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Volume type is a known type; IOPS and throughput only where the type supports them, in range."""
    if resource.type == INSTANCE:
        yield from _volume("rootBlockDevice", mapping(resource.get("rootBlockDevice")))
        for i, device in enumerate(items(resource.get("ebsBlockDevices"))):
            yield from _volume(f"ebsBlockDevices[{i}]", mapping(device))
    else:
        for i, device in enumerate(items(resource.get("blockDeviceMappings"))):
            yield from _volume(f"blockDeviceMappings[{i}].ebs", mapping(mapping(device).get("ebs")))


@rule(
    types=[INSTANCE, LAUNCH_TEMPLATE],
    properties=(
        "metadataOptions.httpTokens",
        "metadataOptions.httpEndpoint",
        "metadataOptions.httpPutResponseHopLimit",
    ),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_InstanceMetadataOptionsRequest.html",
)
def metadata_options(resource: CloudResource, world: World) -> Iterator[Finding]:
    """IMDS options: httpTokens optional|required, httpEndpoint enabled|disabled, hop limit 1-64."""
    # The option values are the model's (apimap); the model gives the hop limit no range, the API reference 1-64.
    options = mapping(resource.get("metadataOptions"))
    hops = known_int(options.get("httpPutResponseHopLimit"))
    if hops is not None and not 1 <= hops <= 64:
        yield Finding("metadataOptions.httpPutResponseHopLimit", f"{hops} is outside 1-64")


def _user_data_bytes(resource: CloudResource) -> tuple[str, bytes] | None:
    if resource.type == INSTANCE:
        raw = known_str(resource.get("userData"))
        if raw is not None:
            return "userData", raw.encode()
        encoded = known_str(resource.get("userDataBase64"))
        prop = "userDataBase64"
    else:
        encoded = known_str(resource.get("userData"))
        prop = "userData"
    if encoded is None:
        return None
    try:
        return prop, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return prop, b""


@rule(
    types=[INSTANCE, LAUNCH_TEMPLATE],
    properties=("userData", "userDataBase64"),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_RequestLaunchTemplateData.html (UserData: base64, limited to 16 KB); "
    f"{EC2_API}/API_RunInstances.html",
)
def user_data(resource: CloudResource, world: World) -> Iterator[Finding]:
    """User data is at most 16 KB before base64; a Launch Template's is valid base64."""
    found = _user_data_bytes(resource)
    if found is None:
        return
    prop, data = found
    if prop != "userData" or resource.type == LAUNCH_TEMPLATE:
        encoded = known_str(resource.get(prop)) or ""
        if encoded and not data:
            yield Finding(prop, "is not valid base64", code="InvalidUserData.Malformed")
            return
    if len(data) > USER_DATA_MAX:
        yield Finding(prop, f"{len(data)} bytes; user data is limited to {USER_DATA_MAX} bytes (16 KB)")


@rule(
    types=[LAUNCH_TEMPLATE],
    properties=("name", "namePrefix"),
    code="InvalidLaunchTemplateName.MalformedException",
    source=f"{EC2_API}/API_CreateLaunchTemplate.html (LaunchTemplateName: 3-128, [a-zA-Z0-9().-/_]+)",
)
def launch_template_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A Launch Template's name is 3-128 characters of a-zA-Z0-9 ( ) . - / _."""
    name = known_str(resource.get("name"))
    if name is None:
        return
    wrong = bad_chars(name, LT_NAME_CHARS)
    if wrong:
        yield Finding("name", f"character {shown(wrong)} is not allowed (allowed: a-zA-Z0-9().-/_)")
    if not 3 <= len(name) <= 128:
        yield Finding("name", f"{len(name)} characters; a launch template name is 3-128")


@rule(
    types=[LAUNCH_TEMPLATE],
    properties=("description",),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_CreateLaunchTemplate.html (VersionDescription: up to 255 characters)",
)
def launch_template_description(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A Launch Template's (version) description is at most 255 characters."""
    # The length is the model's (apimap: CreateLaunchTemplate VersionDescription).
    yield from ()


# The model's ResourceType lists every taggable EC2 type; a Launch Template tags only these (API reference).
LT_TAG_RESOURCE_TYPES = ("instance", "volume", "network-interface", "spot-instances-request")


@rule(
    types=[LAUNCH_TEMPLATE],
    properties=("tagSpecifications[].resourceType",),
    code="InvalidParameterValue",
    source=f"{EC2_API}/API_LaunchTemplateTagSpecificationRequest.html",
)
def launch_template_tag_resource_type(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A Launch Template tags only instance, volume, network-interface or spot-instances-request."""
    for i, spec in enumerate(items(resource.get("tagSpecifications"))):
        kind = known_str(mapping(spec).get("resourceType"))
        if kind is not None and kind not in LT_TAG_RESOURCE_TYPES:
            yield Finding(f"tagSpecifications[{i}].resourceType", f'"{kind}" ({" | ".join(LT_TAG_RESOURCE_TYPES)})')


@rule(
    types=[LAUNCH_TEMPLATE],
    properties=("networkInterfaces[].securityGroups", "vpcSecurityGroupIds", "securityGroupNames"),
    code="InvalidParameterCombination",
    source=f"{EC2_API}/API_RunInstances.html (security groups go on the network interface when one is given)",
)
def launch_template_groups_on_interface(resource: CloudResource, world: World) -> Iterator[Finding]:
    """With networkInterfaces, security groups are set on the interface, not at the top level (fails at launch)."""
    if items(resource.get("networkInterfaces")):
        for prop in ("vpcSecurityGroupIds", "securityGroupNames"):
            if items(resource.get(prop)):
                yield Finding(prop, "security groups must be specified on the network interface, not the template")


@rule(
    types=[INSTANCE],
    properties=("vpcSecurityGroupIds", "subnetId"),
    code="InvalidParameter",
    source=f"{EC2_API}/API_RunInstances.html (security groups of the subnet's VPC)",
)
def instance_groups_in_subnet_vpc(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An instance's security groups belong to its subnet's VPC."""
    subnet_vpc = _vpc_of(world, resource.get("subnetId"))
    if subnet_vpc is None:
        return
    for i, group_id in enumerate(items(resource.get("vpcSecurityGroupIds"))):
        group = world.find(group_id)
        group_vpc = known_str(group.get("vpcId")) if group is not None else None
        if group is not None and group_vpc and group_vpc != subnet_vpc:
            yield Finding(
                f"vpcSecurityGroupIds[{i}]", f"security group {group.name} and the subnet belong to different networks"
            )


# --- identifiers, key material, volume ratios, metadata tags (round 2) ------------------------------

AMI_ID = re.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})")
EC2_ERRORS = f"{EC2_API}/errors-overview.html"


@rule(
    types=[INSTANCE, LAUNCH_TEMPLATE],
    properties=("ami", "imageId"),
    code="InvalidAMIID.Malformed",
    source=f"{EC2_ERRORS} (InvalidAMIID.Malformed: the full AMI ID, ami- and 8 or 17 characters); "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html (8- or 17-character hexadecimal ids)",
)
def ami_id_format(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An AMI id is "ami-" and 8 or 17 lowercase hexadecimal digits."""
    prop = "ami" if resource.type == INSTANCE else "imageId"
    image = known_str(resource.get(prop))
    if image is not None and not AMI_ID.fullmatch(image):
        yield Finding(prop, f'"{image[:40]}" is not an AMI id (ami- and 8 or 17 lowercase hexadecimal digits)')


RSA_MIN_BITS = 2048


@rule(
    types=[KEY_PAIR],
    properties=("publicKey",),
    code="InvalidKey.Format",
    source="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-key-pairs.html (Amazon EC2 supports 2048-bit "
    f"SSH-2 RSA keys and ED25519 keys); {EC2_API}/API_ImportKeyPair.html",
)
def key_pair_public_key_material(resource: CloudResource, world: World) -> Iterator[Finding]:
    """The public key is a whole OpenSSH key (not truncated), and an RSA key has at least 2048 bits."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    key = known_str(resource.get("publicKey"))
    if key is None or key.split(" ", 1)[0] not in ("ssh-rsa", "ssh-ed25519"):
        return  # the key type is key-pair-public-key-type's to report
    try:
        loaded = load_ssh_public_key(key.strip().encode("utf-8", "replace"))
    except (ValueError, UnsupportedAlgorithm):
        yield Finding("publicKey", "the key body is not a whole OpenSSH public key (truncated or corrupted base64)")
        return
    if isinstance(loaded, rsa.RSAPublicKey) and loaded.key_size < RSA_MIN_BITS:
        yield Finding("publicKey", f"an RSA key of {loaded.key_size} bits; EC2 takes {RSA_MIN_BITS} bits or more")


# Provisioned IOPS per GiB of volume size (EBS volume types), and the gp3 baseline any size gets.
IOPS_PER_GIB = {"gp3": 500, "io1": 50, "io2": 1000}
GP3_BASELINE_IOPS = 3000


def _iops_ratio(prop: str, ebs: Mapping[str, Any]) -> Iterator[Finding]:
    kind = known_str(ebs.get("volumeType"))
    iops, size = known_int(ebs.get("iops")), known_int(ebs.get("volumeSize"))
    ratio = IOPS_PER_GIB.get(kind or "")
    if ratio is None or iops is None or size is None or size <= 0:
        return
    if kind == "gp3" and iops <= GP3_BASELINE_IOPS:
        return
    if iops > ratio * size:
        yield Finding(
            f"{prop}.iops", f"{iops} IOPS on {size} GiB; {kind} allows {ratio} IOPS per GiB (at most {ratio * size})"
        )


@rule(
    types=[INSTANCE, LAUNCH_TEMPLATE],
    properties=(
        "rootBlockDevice.iops",
        "rootBlockDevice.volumeSize",
        "ebsBlockDevices[].iops",
        "ebsBlockDevices[].volumeSize",
        "blockDeviceMappings[].ebs.iops",
        "blockDeviceMappings[].ebs.volumeSize",
    ),
    code="InvalidParameterValue",
    source="https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html (gp3: 500 IOPS per GiB); "
    "https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html (io1: 50, io2: 1,000 IOPS per GiB)",
)
def ebs_iops_per_size(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Provisioned IOPS stay within the type's ratio to the size: gp3 500, io1 50, io2 1,000 IOPS per GiB."""
    if resource.type == INSTANCE:
        yield from _iops_ratio("rootBlockDevice", mapping(resource.get("rootBlockDevice")))
        for i, device in enumerate(items(resource.get("ebsBlockDevices"))):
            yield from _iops_ratio(f"ebsBlockDevices[{i}]", mapping(device))
    else:
        for i, device in enumerate(items(resource.get("blockDeviceMappings"))):
            yield from _iops_ratio(f"blockDeviceMappings[{i}].ebs", mapping(mapping(device).get("ebs")))


IMDS_TAG_KEY_CHARS = string.ascii_letters + string.digits + "+-=.,_:@"
IMDS_TAG_KEYS_REFUSED = (".", "..", "_index")


def _imds_tag_keys(prop: str, keys: Iterator[str] | list[str]) -> Iterator[Finding]:
    for key in keys:
        wrong = bad_chars(key, IMDS_TAG_KEY_CHARS)
        if wrong or key in IMDS_TAG_KEYS_REFUSED:
            yield Finding(
                prop,
                f'tag key "{key[:40]}" cannot be read from instance metadata (allowed: a-zA-Z0-9 and +-=.,_:@, '
                'not ".", ".." or "_index"); turn instanceMetadataTags off or rename it',
            )


@rule(
    types=[INSTANCE, LAUNCH_TEMPLATE],
    properties=("metadataOptions.instanceMetadataTags", "tags", "tagSpecifications[].tags"),
    code="InvalidParameterValue",
    source="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html (with tags in instance "
    "metadata on, tag keys use a-z, A-Z, 0-9 and + - = . , _ : @; no spaces or /; not only . or .., nor _index)",
)
def metadata_tag_keys(resource: CloudResource, world: World) -> Iterator[Finding]:
    """With instanceMetadataTags enabled, instance tag keys hold no spaces or "/" (a-zA-Z0-9 and +-=.,_:@)."""
    from offline.cloudrules.values import tags_of

    options = mapping(resource.get("metadataOptions"))
    if known_str(options.get("instanceMetadataTags")) != "enabled":
        return
    if resource.type == INSTANCE:
        yield from _imds_tag_keys("tags", list({**world.default_tags(resource), **tags_of(resource.get("tags"))}))
        return
    for i, spec in enumerate(items(resource.get("tagSpecifications"))):
        if known_str(mapping(spec).get("resourceType")) == "instance":
            yield from _imds_tag_keys(f"tagSpecifications[{i}].tags", list(tags_of(mapping(spec).get("tags"))))


def _created_vpc_ids(world: World) -> set[str]:
    return {v.id for v in world.of_type(VPC) if v.id}


@rule(
    types=[INSTANCE],
    properties=("securityGroups", "subnetId"),
    code="InvalidParameterCombination",
    source=f"{EC2_API}/API_RunInstances.html (SecurityGroups: group names, default VPC only; in a nondefault VPC, "
    "use security group IDs); "
    f"{TF_EC2}/ec2_instance.go (security_groups: use vpc_security_group_ids in a VPC)",
)
def instance_group_names(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Security groups by name (securityGroups) only in the default VPC; in a VPC the stack created, use ids."""
    names = [known_str(n) for n in items(resource.get("securityGroups"))]
    if not names:
        return
    subnet_vpc = _vpc_of(world, resource.get("subnetId"))
    if subnet_vpc is not None and subnet_vpc in _created_vpc_ids(world):
        yield Finding("securityGroups", "group names cannot be used with a subnet of a nondefault VPC; use ids")
        return
    for i, name in enumerate(names):
        groups = [g for g in world.of_type(SG) if name is not None and known_str(g.get("name")) == name]
        group_vpc = known_str(groups[0].get("vpcId")) if len(groups) == 1 else None
        if subnet_vpc and group_vpc and group_vpc != subnet_vpc:
            yield Finding(
                f"securityGroups[{i}]",
                f"security group {name} and the subnet belong to different networks",
                code="InvalidParameter",
            )


LT_VERSION = re.compile(r"[0-9]+|\$Latest|\$Default")


def launch_template_version_findings(prop: str, value: Any) -> Iterator[Finding]:
    """A launch template version given anywhere: a version number, $Latest or $Default."""
    version = known_str(value)
    if version is not None and not LT_VERSION.fullmatch(version):
        yield Finding(prop, f'"{version[:40]}" is not a version number, $Latest or $Default')


@rule(
    types=[INSTANCE],
    properties=("launchTemplate.version",),
    code="InvalidLaunchTemplateId.VersionNotFound",
    source=f"{EC2_API}/API_LaunchTemplateSpecification.html (Version: the version number, $Latest or $Default)",
)
def instance_launch_template_version(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An instance's launch template version is a number, $Latest or $Default."""
    version = mapping(resource.get("launchTemplate")).get("version")
    yield from launch_template_version_findings("launchTemplate.version", version)

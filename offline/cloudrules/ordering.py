"""Create order: what AWS refuses to create before another resource exists.

The engine creates resources in the order of the registered dependency graph (inputs and ``dependsOn``)
and in parallel otherwise, so a resource that needs the VPC's Internet Gateway attached must depend
on it, directly or through other resources. A VPC the program did not create (the default VPC) already
has its gateway; only VPCs created here are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import items, known_str, mapping, plain

VPC = "aws:ec2/vpc:Vpc"
IGW = "aws:ec2/internetGateway:InternetGateway"
IGW_ATTACHMENT = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"
LB = "aws:lb/loadBalancer:LoadBalancer"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
INSTANCE = "aws:ec2/instance:Instance"
NETWORK_INTERFACE = "aws:ec2/networkInterface:NetworkInterface"

TF_LB_TEST = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/elbv2/load_balancer_test.go "
    "(internet-facing test configs: depends_on = [aws_internet_gateway.test])"
)
ELB_API = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
NAT_GUIDE = "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html"
EIP_DOC = (
    "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/eip/ "
    "(an EIP may require the IGW to exist prior to association)"
)


def created_vpc_of(world: World, resource: CloudResource, prop: str) -> CloudResource | None:
    """The VPC this program created that holds the subnet(s) ``resource.prop`` refers to; None when unknown."""
    for subnet in world.refs(resource, prop):
        for vpc in world.refs(subnet, "vpcId"):
            # A VPC that was there before the stack (the default VPC: no URN) has its gateway already.
            if vpc.type == VPC and vpc.urn and vpc.urn in world.by_urn:
                return vpc
    return None


def _attaches(vpc: CloudResource) -> Callable[[CloudResource], bool]:
    vpc_ids = {vpc.id, plain(vpc.outputs.get("id"))} - {None, ""}

    def wanted(found: CloudResource) -> bool:
        if found.type not in (IGW, IGW_ATTACHMENT):
            return False
        return known_str(found.get("vpcId")) in vpc_ids or vpc.urn in found.property_dependencies.get("vpcId", ())

    return wanted


def _gateway_order(resource: CloudResource, world: World, vpc: CloudResource | None) -> bool | None:
    """True when ordered after the gateway; None when nothing can be decided."""
    if vpc is None:
        return None
    return world.depends_on(resource, _attaches(vpc))


@rule(
    types=[LB],
    properties=("internal", "scheme", "subnets", "subnetMappings"),
    code="InvalidSubnet",
    source=f"{ELB_API} (InvalidSubnet: the VPC has no internet gateway); {TF_LB_TEST}",
)
def internet_facing_load_balancer_after_gateway(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An internet-facing load balancer depends on the Internet Gateway attached to its VPC."""
    if plain(resource.get("internal")) is True:
        return
    vpc = created_vpc_of(world, resource, "subnets")  # None without subnets: then the subnet mappings decide
    if vpc is None:
        for mapping_ in items(resource.get("subnetMappings")):
            found = world.find(plain(mapping(mapping_).get("subnetId")))
            vpcs = world.refs(found, "vpcId") if found is not None else []
            vpc = next((v for v in vpcs if v.type == VPC), None) or vpc
    if vpc is not None and _gateway_order(resource, world, vpc) is False:
        yield Finding(
            "dependsOn",
            f"VPC {vpc.name} has no internet gateway yet: the internet-facing load balancer is not ordered "
            "after the VPC's Internet Gateway (add it to dependsOn)",
        )


@rule(
    types=[NAT],
    properties=("connectivityType", "subnetId"),
    code="Gateway.NotAttached",
    source=f"{NAT_GUIDE} (a public NAT gateway fails when the VPC has no internet gateway attached)",
)
def public_nat_gateway_after_gateway(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A public NAT gateway depends on the Internet Gateway attached to its VPC."""
    if (known_str(resource.get("connectivityType")) or "public") != "public":
        return
    vpc = created_vpc_of(world, resource, "subnetId")
    if _gateway_order(resource, world, vpc) is False:
        assert vpc is not None
        yield Finding(
            "dependsOn", f"network {vpc.name} has no Internet gateway attached when the NAT gateway is created"
        )


@rule(
    types=[EIP],
    properties=("instance", "networkInterface", "associateWithPrivateIp"),
    code="Gateway.NotAttached",
    source=f"https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html; {EIP_DOC}",
)
def associated_eip_after_gateway(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An Elastic IP associated on create (with an instance or interface) depends on the VPC's Internet Gateway."""
    for prop in ("instance", "networkInterface"):
        targets = [t for t in world.refs(resource, prop) if t.type in (INSTANCE, NETWORK_INTERFACE)]
        if not targets or resource.get(prop) is None:
            continue
        vpc = created_vpc_of(world, targets[0], "subnetId")
        if _gateway_order(resource, world, vpc) is False:
            assert vpc is not None
            yield Finding("dependsOn", f"network {vpc.name} is not attached to any internet gateway")


DEPENDS_ON_DOC = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html"
    "#gatewayattachment (EC2 instances with a public IP address depend on the VPC-gateway attachment)"
)


def _public_address(resource: CloudResource, world: World) -> bool:
    """Whether the instance gets a public IPv4 address: asked for, or by its subnet's mapPublicIpOnLaunch."""
    from offline.cloudrules.values import known_bool

    asked = known_bool(resource.get("associatePublicIpAddress"))
    if asked is not None:
        return asked
    subnets = world.refs(resource, "subnetId")
    return bool(subnets) and known_bool(subnets[0].get("mapPublicIpOnLaunch")) is True


@rule(
    types=[INSTANCE],
    properties=("associatePublicIpAddress", "subnetId"),
    code="Gateway.NotAttached",
    source=f"{DEPENDS_ON_DOC}; https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html",
)
def public_instance_after_gateway(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An instance with a public IP address depends on the Internet Gateway attached to its VPC."""
    if not _public_address(resource, world):
        return
    vpc = created_vpc_of(world, resource, "subnetId")
    if _gateway_order(resource, world, vpc) is False:
        assert vpc is not None
        yield Finding(
            "dependsOn",
            f"the instance has a public IP address but is not ordered after network {vpc.name}'s Internet Gateway "
            "attachment (add it to dependsOn)",
        )

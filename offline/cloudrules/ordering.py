"""Create order: what AWS refuses to create before another resource exists.

The engine creates resources in the order of the registered dependency graph (inputs and ``dependsOn``)
and in parallel otherwise, so a resource that needs the VPC's Internet Gateway attached must depend
on it, directly or through other resources. A VPC the program did not create (the default VPC) already
has its gateway; only VPCs created here are checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from offline.cloudrules.elbv2 import lb_subnet_ids
from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import rule
from offline.cloudrules.values import known_str, plain

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


def created_vpc_of_subnet(world: World, subnet_id: object) -> CloudResource | None:
    """The VPC this program created that holds ``subnet_id``; None when unknown or not created here."""
    subnet = world.find(plain(subnet_id))
    if subnet is None:
        return None
    vpc = world.find(plain(subnet.get("vpcId")))
    return vpc if vpc is not None and vpc.type == VPC else None


def _attaches(vpc: CloudResource):  # type: ignore[no-untyped-def]
    vpc_ids = {vpc.id, plain(vpc.outputs.get("id"))} - {None, ""}

    def wanted(found: CloudResource) -> bool:
        return found.type in (IGW, IGW_ATTACHMENT) and known_str(found.get("vpcId")) in vpc_ids

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
    for subnet_id in lb_subnet_ids(resource):
        vpc = created_vpc_of_subnet(world, subnet_id)
        if _gateway_order(resource, world, vpc) is False:
            assert vpc is not None
            yield Finding(
                "dependsOn",
                f"VPC {vpc.name} has no internet gateway yet: the internet-facing load balancer is not ordered "
                "after the VPC's Internet Gateway (add it to dependsOn)",
            )
            return


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
    vpc = created_vpc_of_subnet(world, resource.get("subnetId"))
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
        target = world.find(plain(resource.get(prop)))
        if target is None or target.type not in (INSTANCE, NETWORK_INTERFACE):
            continue
        vpc = created_vpc_of_subnet(world, target.get("subnetId"))
        if _gateway_order(resource, world, vpc) is False:
            assert vpc is not None
            yield Finding("dependsOn", f"network {vpc.name} is not attached to any internet gateway")

"""The network component: where instances and load balancers live, and how their traffic leaves.

Lab: a dedicated VPC with one public subnet per AZ behind an Internet Gateway, or the account's default
VPC looked up as the lab did. Production adds a private subnet per AZ whose egress goes through NAT
gateways, one per AZ by default so that losing an AZ does not cut the others' egress.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import ConfigError, NatGateways
from components.planning import SubnetPlan, choose_zones, plan_subnets

TYPE_TOKEN = "aws-compute-foundations:network:Network"
ANYWHERE = "0.0.0.0/0"
# Tier order is part of the CIDR plan: append new tiers, never reorder (that would recarve every subnet).
TIERS = ("public", "private")


@dataclass
class NetworkArgs:
    """How the network is shaped; every field has the lab's default."""

    # Availability Zones the network spans, the first ones in name order. @default 2
    az_count: int = 2
    # CIDR of the dedicated VPC (ignored with use_default_vpc). @default "10.0.0.0/16"
    vpc_cidr: str = "10.0.0.0/16"
    # Look up the account's default VPC and its default subnets instead of creating a VPC. @default False
    use_default_vpc: bool = False
    # Add a private subnet per AZ with NAT egress (the production tier). @default False
    private_subnets: bool = False
    # NAT layout for private subnets: one per AZ, or one shared (cheaper, one AZ's fate). @default "perAz"
    nat_gateways: NatGateways = "perAz"


class Network(pulumi.ComponentResource):
    """A VPC and its subnets per tier and AZ; subnet id lists are in ``availability_zones`` order."""

    vpc_id: pulumi.Output[str]
    availability_zones: list[str]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    nat_gateway_ids: list[pulumi.Output[str]]
    # What must exist before anything that reaches the internet from this VPC is created: the VPC's
    # Internet Gateway (attached on create). Empty for the default VPC, whose gateway already exists.
    internet_ready: list[pulumi.Resource]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._invoke = pulumi.InvokeOptions(parent=self)
        if args.use_default_vpc and args.private_subnets:
            raise ConfigError(
                "useDefaultVpc",
                "cannot give private subnets: default subnets are all public",
                "pulumi config set useDefaultVpc false",
            )
        # Zones are chosen and validated before any child exists, so a bad azCount registers nothing.
        self.availability_zones = choose_zones(self._region_zones(), args.az_count)
        self.private_subnet_ids = []
        self.nat_gateway_ids = []
        self.internet_ready = []
        if args.use_default_vpc:
            self._adopt_default_vpc()
        else:
            self._create_vpc(args)
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "availabilityZones": self.availability_zones,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "natGatewayIds": self.nat_gateway_ids,
            }
        )

    def _region_zones(self) -> list[str]:
        # No state filter: an AZ that is impaired during an outage must not drop out of the list and
        # shift every later subnet into another zone. zone-type keeps opted-in Local Zones out.
        result = aws.get_availability_zones(
            filters=[aws.GetAvailabilityZonesFilterArgs(name="zone-type", values=["availability-zone"])],
            opts=self._invoke,
        )
        return list(result.names)

    # --- the account's default VPC -----------------------------------------------------------------

    def _adopt_default_vpc(self) -> None:
        fix_vpc = "pulumi config set useDefaultVpc false (a dedicated VPC), or run aws ec2 create-default-vpc"
        vpcs = aws.ec2.get_vpcs(
            filters=[aws.ec2.GetVpcsFilterArgs(name="is-default", values=["true"])], opts=self._invoke
        )
        if len(vpcs.ids) != 1:
            raise ConfigError("useDefaultVpc", "this account has no default VPC in the region", fix_vpc)
        vpc_id = vpcs.ids[0]
        subnet_ids: list[str] = []
        for zone in self.availability_zones:
            found = aws.ec2.get_subnets(
                filters=[
                    aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc_id]),
                    aws.ec2.GetSubnetsFilterArgs(name="default-for-az", values=["true"]),
                    aws.ec2.GetSubnetsFilterArgs(name="availability-zone", values=[zone]),
                ],
                opts=self._invoke,
            )
            if len(found.ids) != 1:
                raise ConfigError(
                    "useDefaultVpc",
                    f"the default VPC has no default subnet in {zone}",
                    f"aws ec2 create-default-subnet --availability-zone {zone},"
                    " or pulumi config set useDefaultVpc false",
                )
            subnet_ids.append(found.ids[0])
        self.vpc_id = pulumi.Output.from_input(vpc_id)
        self.public_subnet_ids = [pulumi.Output.from_input(subnet_id) for subnet_id in subnet_ids]

    # --- a dedicated VPC ---------------------------------------------------------------------------

    def _child(self, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, depends_on=depends_on)

    def _tags(self, name: str, **extra: str) -> dict[str, str]:
        return {"Name": name, **extra}

    def _create_vpc(self, args: NetworkArgs) -> None:
        name = self._name
        tiers = TIERS if args.private_subnets else TIERS[:1]
        plan = plan_subnets(args.vpc_cidr, self.availability_zones, tiers)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=self._tags(f"{name}-vpc"),
            opts=self._child(),
        )
        self.vpc_id = vpc.id
        # Adopting the default security group strips its rules: nothing can use it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags=self._tags(f"{name}-default-sg"),
            opts=self._child(),
        )
        gateway = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags=self._tags(f"{name}-igw"), opts=self._child()
        )
        self.internet_ready = [gateway]
        public = [p for p in plan if p.tier == "public"]
        public_subnets = self._public_tier(vpc, gateway, public)
        self.public_subnet_ids = [subnet.id for subnet in public_subnets]
        if args.private_subnets:
            private = [p for p in plan if p.tier == "private"]
            self._private_tier(vpc, gateway, public_subnets, private, args.nat_gateways)

    def _subnet(self, vpc: aws.ec2.Vpc, plan: SubnetPlan, public: bool) -> aws.ec2.Subnet:
        label = f"{self._name}-{plan.tier}-{plan.zone_index}"
        return aws.ec2.Subnet(
            label,
            vpc_id=vpc.id,
            cidr_block=plan.cidr,
            availability_zone=plan.zone,
            # Never: the lab instance asks for its own public IP, the ALB and NAT gateways need none from
            # the subnet, and an instance launched here by hand gets no public address by accident.
            map_public_ip_on_launch=False,
            tags=self._tags(label, tier=plan.tier),
            opts=self._child(),
        )

    def _public_tier(
        self, vpc: aws.ec2.Vpc, gateway: aws.ec2.InternetGateway, plans: list[SubnetPlan]
    ) -> list[aws.ec2.Subnet]:
        name = self._name
        table = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc.id, tags=self._tags(f"{name}-public-rt"), opts=self._child()
        )
        aws.ec2.Route(
            f"{name}-public-default-route",
            route_table_id=table.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=gateway.id,
            opts=self._child(),
        )
        subnets = []
        for plan in plans:
            subnet = self._subnet(vpc, plan, public=True)
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{plan.zone_index}-rta",
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=self._child(),
            )
            subnets.append(subnet)
        return subnets

    def _private_tier(
        self,
        vpc: aws.ec2.Vpc,
        gateway: aws.ec2.InternetGateway,
        public_subnets: list[aws.ec2.Subnet],
        plans: list[SubnetPlan],
        layout: NatGateways,
    ) -> None:
        name = self._name
        nat_zones = range(len(public_subnets)) if layout == "perAz" else range(1)
        nats = []
        for i in nat_zones:
            # A NAT gateway's address only routes once the Internet Gateway is attached.
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{i}", domain="vpc", tags=self._tags(f"{name}-nat-eip-{i}"), opts=self._child()
            )
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{i}",
                allocation_id=eip.allocation_id,
                subnet_id=public_subnets[i].id,
                tags=self._tags(f"{name}-nat-{i}"),
                opts=self._child(depends_on=[gateway]),
            )
            nats.append(nat)
        self.nat_gateway_ids = [nat.id for nat in nats]
        subnet_ids = []
        for plan in plans:
            subnet = self._subnet(vpc, plan, public=False)
            table = aws.ec2.RouteTable(
                f"{name}-private-{plan.zone_index}-rt",
                vpc_id=vpc.id,
                tags=self._tags(f"{name}-private-{plan.zone_index}-rt"),
                opts=self._child(),
            )
            nat = nats[plan.zone_index] if layout == "perAz" else nats[0]
            aws.ec2.Route(
                f"{name}-private-{plan.zone_index}-default-route",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE,
                nat_gateway_id=nat.id,
                opts=self._child(),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{plan.zone_index}-rta",
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=self._child(),
            )
            subnet_ids.append(subnet.id)
        self.private_subnet_ids = subnet_ids

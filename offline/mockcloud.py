"""A consistent, realistic mock of the AWS answers a program gets from the engine.

Invokes answer with the shapes pulumi-aws returns (camelCase keys): the configured region's AZ names
and ids, the partition and account, the public Amazon Linux 2023 SSM parameter, the default VPC and
its default subnets. Resources come back with the computed state a real ``pulumi up`` would record:
ids with the right prefixes, ARNs with the right partition, account and region, auto-generated
names, IPs and DNS names. The same logical name always gives the same answer, so runs are
reproducible. An invoke this cloud does not know fails loudly and names its token.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from offline.cloudrules import CloudError, CloudResource, World, check_resource

DEFAULT_ACCOUNT = "123456789012"
AL2023_PARAMETER_PREFIX = "/aws/service/ami-amazon-linux-latest/al2023-ami-"


class UnknownInvokeError(Exception):
    """The program invoked a function the mock cloud does not implement."""

    def __init__(self, token: str) -> None:
        super().__init__(f"mock cloud: no answer for invoke '{token}'; add it to offline/mockcloud.py")
        self.token = token


class CloudRuleError(pulumi.RunError):
    """AWS refused to create a resource: its error code, the resource, the property and the rule.

    A ``RunError``, so the CLI (and ``make preview``) prints the message alone, as ``pulumi up`` prints
    the provider's error for a failed create.
    """

    def __init__(self, errors: Sequence[CloudError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class Registration:
    """What the resource monitor knows of a registration beyond its inputs: where it sits in the graph."""

    urn: str
    dependencies: tuple[str, ...]
    parent: str = ""
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix_of(partition: str) -> str:
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


# Number of AZs a region offers in the mock; us-east-1 really has six.
_AZ_COUNTS = {"us-east-1": 6, "us-west-2": 4, "eu-west-1": 3, "ap-northeast-1": 3}
_REGION_ID_PREFIX = {
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-1": "usw1",
    "us-west-2": "usw2",
    "eu-west-1": "euw1",
    "eu-central-1": "euc1",
    "ap-northeast-1": "apne1",
}

# Resource types that pulumi-aws auto-names from the logical name when no name is given, and the
# property that carries it (and its maximum length, where AWS's is short).
_AUTONAMED: dict[str, tuple[str, int]] = {
    "aws:iam/role:Role": ("name", 64),
    "aws:iam/instanceProfile:InstanceProfile": ("name", 128),
    "aws:iam/policy:Policy": ("name", 128),
    "aws:iam/rolePolicy:RolePolicy": ("name", 128),
    "aws:ec2/securityGroup:SecurityGroup": ("name", 255),
    "aws:ec2/keyPair:KeyPair": ("keyName", 255),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", 128),
    "aws:autoscaling/group:Group": ("name", 255),
    "aws:autoscaling/policy:Policy": ("name", 255),
    "aws:lb/loadBalancer:LoadBalancer": ("name", 32),
    "aws:alb/loadBalancer:LoadBalancer": ("name", 32),
    "aws:lb/targetGroup:TargetGroup": ("name", 32),
    "aws:alb/targetGroup:TargetGroup": ("name", 32),
    "aws:s3/bucket:Bucket": ("bucket", 63),
    "aws:wafv2/webAcl:WebAcl": ("name", 128),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", 255),
}

# S3 bucket configuration resources: the provider's id is the bucket name they configure.
_BUCKET_CONFIGURATIONS = frozenset(
    {
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    }
)
# Route 53 hosted zone of S3 website/alias endpoints by region (S3 endpoints table of the AWS General Reference).
_S3_HOSTED_ZONES = {"us-east-1": "Z3AQBSTGFYJSTF", "us-west-2": "Z3BJ6K6RIION7M", "eu-west-1": "Z1BKCTXD74EZPE"}

# The project's rollout (components/rollout.py), a dynamic resource the engine serves from the program's
# own Python process (`pulumi-python` provider), not from AWS.
ROLLOUT_TYPE = "pulumi-python:dynamic/autoscaling:Rollout"


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


@dataclass
class MockCloud(Mocks):
    """Answers a program's invokes and resource registrations like one AWS account in one region."""

    region: str = "us-east-1"
    account: str = DEFAULT_ACCOUNT
    # Accounts can delete their default VPC; False answers as such an account does.
    has_default_vpc: bool = True
    # Invokes seen, in order, as (token, args): tests assert on what the program asked.
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Apply AWS's API-side rules (offline/cloudrules) to every resource, refusing what AWS would refuse.
    cloud_rules: bool = True

    def __post_init__(self) -> None:
        self.world = World(region=self.region)
        self._context = threading.local()
        self._lock = threading.Lock()
        if self.has_default_vpc:
            self._add_default_network()

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    # --- the account as the cloud rules see it --------------------------------------------------------

    @contextmanager
    def registering(self, registration: Registration) -> Iterator[None]:
        """Tell ``new_resource`` (called on this thread) the URN and dependencies of what it creates."""
        self._context.registration = registration
        try:
            yield
        finally:
            self._context.registration = None

    def _add_default_network(self) -> None:
        """The default VPC and its subnets exist before the program runs (pre-existing: no URN of their own)."""
        vpc_id = self.default_vpc_id()
        self.world.by_id[vpc_id] = CloudResource(
            urn="", type="aws:ec2/vpc:Vpc", name="default-vpc", id=vpc_id, inputs={"cidrBlock": "172.31.0.0/16"}
        )
        for subnet in self.default_subnets():
            self.world.by_id[subnet["id"]] = CloudResource(
                urn="",
                type="aws:ec2/subnet:Subnet",
                name=f"default-{subnet['availabilityZone']}",
                id=subnet["id"],
                inputs=subnet,
            )

    def admit(self, args: MockResourceArgs, resource_id: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        """Apply the cloud rules to one resource about to be created; raise ``CloudRuleError`` as AWS would refuse."""
        registration: Registration | None = getattr(self._context, "registration", None)
        resource = CloudResource(
            urn=registration.urn if registration else f"urn:pulumi:mock::mock::{args.typ}::{args.name}",
            type=args.typ,
            name=args.name,
            inputs=inputs,
            id=resource_id,
            outputs=outputs,
            dependencies=registration.dependencies if registration else None,
            provider=args.provider or "",
            parent=registration.parent if registration else "",
            property_dependencies=registration.property_dependencies if registration else {},
        )
        with self._lock:
            errors = check_resource(resource, self.world) if self.cloud_rules else []
            if errors:
                raise CloudRuleError(errors)
            self.world.add(resource)

    # --- invokes ---------------------------------------------------------------------------------

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.invokes.append((args.token, dict(args.args)))
        handler = self._invokes().get(args.token)
        if handler is None:
            raise UnknownInvokeError(args.token)
        return handler(dict(args.args)), []

    def _invokes(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._availability_zones,
            "aws:index/getPartition:getPartition": self._partition,
            "aws:index/getCallerIdentity:getCallerIdentity": self._caller_identity,
            "aws:index/getRegion:getRegion": self._region,
            "aws:ssm/getParameter:getParameter": self._ssm_parameter,
            "aws:ec2/getAmi:getAmi": self._ami,
            "aws:ec2/getVpc:getVpc": self._default_vpc,
            "aws:ec2/getVpcs:getVpcs": self._vpcs,
            "aws:ec2/getSubnets:getSubnets": self._default_subnets,
            "aws:ec2/getSubnet:getSubnet": self._subnet,
        }

    def zone_names(self) -> list[str]:
        count = _AZ_COUNTS.get(self.region, 3)
        return [f"{self.region}{letter}" for letter in "abcdef"[:count]]

    def zone_ids(self) -> list[str]:
        prefix = _REGION_ID_PREFIX.get(self.region, self.region.replace("-", "")[:6])
        return [f"{prefix}-az{i + 1}" for i in range(len(self.zone_names()))]

    def _availability_zones(self, _args: dict[str, Any]) -> dict[str, Any]:
        names = self.zone_names()
        return {
            "id": self.region,
            "names": names,
            "zoneIds": self.zone_ids(),
            "groupNames": [self.region] * len(names),
            "state": "available",
        }

    def _partition(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.partition,
            "partition": self.partition,
            "dnsSuffix": dns_suffix_of(self.partition),
            "reverseDnsPrefix": "cn.com.amazonaws" if self.partition == "aws-cn" else "com.amazonaws",
        }

    def _caller_identity(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.account,
            "accountId": self.account,
            "arn": f"arn:{self.partition}:iam::{self.account}:user/operator",
            "userId": "AIDAEXAMPLEOPERATOR01",
        }

    def _region(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.region,
            "name": self.region,
            "region": self.region,
            "description": self.region,
            "endpoint": f"ec2.{self.region}.{dns_suffix_of(self.partition)}",
        }

    def ami_for(self, parameter: str) -> str:
        return "ami-" + _digest(self.region, parameter)

    def _ssm_parameter(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name", ""))
        if not name.startswith(AL2023_PARAMETER_PREFIX):
            raise UnknownInvokeError(f"aws:ssm/getParameter:getParameter({name})")
        return {
            "id": name,
            "name": name,
            "arn": f"arn:{self.partition}:ssm:{self.region}::parameter{name}",
            "type": "String",
            "value": self.ami_for(name),
            "insecureValue": self.ami_for(name),
            "version": 97,
            "withDecryption": True,
        }

    def _ami(self, args: dict[str, Any]) -> dict[str, Any]:
        # A lookup by image id answers with that image, as DescribeImages does.
        by_id = [f.get("values", []) for f in args.get("filters", []) or [] if f.get("name") == "image-id"]
        image_id = by_id[0][0] if by_id and by_id[0] else "ami-" + _digest(self.region, repr(sorted(args.items())))
        return {
            "id": image_id,
            "imageId": image_id,
            "architecture": "x86_64",
            "name": "al2023-ami-2023.9.20251117.1-kernel-6.1-x86_64",
            "ownerId": "137112412989",
            "rootDeviceName": "/dev/xvda",
            "virtualizationType": "hvm",
        }

    def default_vpc_id(self) -> str:
        return "vpc-" + _digest(self.account, self.region, "default-vpc")

    def _default_vpc(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("default"):
            raise UnknownInvokeError("aws:ec2/getVpc:getVpc (only default=True is mocked)")
        if not self.has_default_vpc:
            raise LookupError("no matching EC2 VPC found")
        return {
            "id": self.default_vpc_id(),
            "arn": f"arn:{self.partition}:ec2:{self.region}:{self.account}:vpc/{self.default_vpc_id()}",
            "cidrBlock": "172.31.0.0/16",
            "default": True,
            "ownerId": self.account,
            "state": "available",
        }

    def _vpcs(self, args: dict[str, Any]) -> dict[str, Any]:
        """Only the default VPC exists before the program creates any; filters narrow it as AWS would."""
        filters = {f.get("name"): list(f.get("values", [])) for f in args.get("filters", []) or []}
        known = {"is-default", "vpc-id", "state"}
        if set(filters) - known:
            raise UnknownInvokeError(f"aws:ec2/getVpcs:getVpcs (filters {sorted(set(filters) - known)})")
        matches = self.has_default_vpc
        matches = matches and filters.get("is-default", ["true"]) == ["true"]
        matches = matches and self.default_vpc_id() in filters.get("vpc-id", [self.default_vpc_id()])
        matches = matches and "available" in filters.get("state", ["available"])
        return {"id": self.region, "ids": [self.default_vpc_id()] if matches else []}

    def default_subnets(self) -> list[dict[str, Any]]:
        """The default VPC's subnets: one /20 per AZ from 172.31.0.0/16, each public on launch."""
        blocks = list(ipaddress.ip_network("172.31.0.0/16").subnets(new_prefix=20))
        subnets = []
        for i, (zone, zone_id) in enumerate(zip(self.zone_names(), self.zone_ids(), strict=True)):
            subnet_id = "subnet-" + _digest(self.account, self.region, "default", zone)
            subnets.append(
                {
                    "id": subnet_id,
                    "arn": f"arn:{self.partition}:ec2:{self.region}:{self.account}:subnet/{subnet_id}",
                    "availabilityZone": zone,
                    "availabilityZoneId": zone_id,
                    "cidrBlock": str(blocks[i]),
                    "defaultForAz": True,
                    "mapPublicIpOnLaunch": True,
                    "vpcId": self.default_vpc_id(),
                }
            )
        return subnets

    def _default_subnets(self, args: dict[str, Any]) -> dict[str, Any]:
        filters = {f.get("name"): list(f.get("values", [])) for f in args.get("filters", []) or []}
        vpc_ids = filters.get("vpc-id")
        if not self.has_default_vpc or (vpc_ids is not None and self.default_vpc_id() not in vpc_ids):
            return {"id": self.region, "ids": []}
        if filters.get("default-for-az", ["true"]) != ["true"]:
            return {"id": self.region, "ids": []}
        subnets = self.default_subnets()
        zones = filters.get("availability-zone") or filters.get("availabilityZone")
        if zones is not None:
            subnets = [s for s in subnets if s["availabilityZone"] in zones]
        return {"id": self.region, "ids": [s["id"] for s in subnets]}

    def _subnet(self, args: dict[str, Any]) -> dict[str, Any]:
        for subnet in self.default_subnets():
            if subnet["id"] == args.get("id"):
                return subnet
        raise UnknownInvokeError(f"aws:ec2/getSubnet:getSubnet({args.get('id')})")

    # --- resources -------------------------------------------------------------------------------

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state: dict[str, Any] = dict(args.inputs)
        name_prop = _AUTONAMED.get(args.typ)
        if name_prop is not None:
            prop, limit = name_prop
            if not state.get(prop):
                suffix = "-" + _digest(args.name, length=7)
                state[prop] = args.name[: limit - len(suffix)] + suffix
        resource_id = self._resource_id(args.typ, args.name, state)
        inputs = dict(state)
        state.update(self._computed(args.typ, args.name, resource_id, state))
        state.setdefault("id", resource_id)
        self.admit(args, resource_id, inputs, state)
        return resource_id, state

    def _arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        acct = self.account if account else ""
        return f"arn:{self.partition}:{service}:{region}:{acct}:{resource}"

    _ID_PREFIXES: ClassVar[dict[str, str]] = {
        "aws:ec2/vpc:Vpc": "vpc-",
        "aws:ec2/subnet:Subnet": "subnet-",
        "aws:ec2/internetGateway:InternetGateway": "igw-",
        "aws:ec2/routeTable:RouteTable": "rtb-",
        "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
        "aws:ec2/natGateway:NatGateway": "nat-",
        "aws:ec2/eip:Eip": "eipalloc-",
        "aws:ec2/securityGroup:SecurityGroup": "sg-",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
        "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule-",
        "aws:ec2/instance:Instance": "i-",
        "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
        "aws:ec2/keyPair:KeyPair": "key-",
        "aws:ec2/route:Route": "r-",
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "acl-",
        "aws:ec2/defaultRouteTable:DefaultRouteTable": "rtb-",
        "aws:ec2/flowLog:FlowLog": "fl-",
    }

    def _resource_id(self, typ: str, name: str, state: dict[str, Any]) -> str:
        if typ in self._ID_PREFIXES:
            return self._ID_PREFIXES[typ] + _digest(self.account, typ, name)
        if typ.startswith("aws:iam/") and state.get("name"):
            return str(state["name"])
        if typ in (
            "aws:autoscaling/group:Group",
            "aws:autoscaling/policy:Policy",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
        ) and state.get("name"):
            return str(state["name"])
        if typ == ROLLOUT_TYPE and state.get("autoScalingGroupName"):
            return str(state["autoScalingGroupName"])
        if typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
            return self._arn("elasticloadbalancing", f"loadbalancer/app/{state.get('name')}/{_digest(name, length=16)}")
        if typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
            return self._arn("elasticloadbalancing", f"targetgroup/{state.get('name')}/{_digest(name, length=16)}")
        if typ in ("aws:lb/listener:Listener", "aws:alb/listener:Listener"):
            return self._arn(
                "elasticloadbalancing", f"listener/app/{_digest(name, length=8)}/{_digest(name, length=16)}"
            )
        if typ == "aws:s3/bucket:Bucket" or typ in _BUCKET_CONFIGURATIONS:
            return str(state.get("bucket") or name)
        if typ == "aws:wafv2/webAcl:WebAcl":
            digest = _digest(self.account, typ, name, length=32)
            return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"
        if typ == "aws:wafv2/webAclAssociation:WebAclAssociation":
            return f"{state.get('webAclArn')},{state.get('resourceArn')}"
        if typ.startswith("aws:iam/rolePolicyAttachment"):
            return f"{state.get('role')}-{_digest(name, length=8)}"
        if typ.startswith("pulumi:providers:"):
            return _digest("provider", name, length=8) + "-0000-4000-8000-" + _digest(name, length=12)
        return f"{name}-{_digest(typ, name, length=8)}"

    def _computed(self, typ: str, name: str, rid: str, state: dict[str, Any]) -> dict[str, Any]:
        """The outputs AWS computes for ``typ``: ARNs, owner ids, addresses, DNS names, versions."""
        out: dict[str, Any] = {}
        suffix = dns_suffix_of(self.partition)
        if typ == "aws:ec2/vpc:Vpc":
            out.update(
                arn=self._arn("ec2", f"vpc/{rid}"),
                ownerId=self.account,
                defaultSecurityGroupId="sg-" + _digest(rid, "default-sg"),
                mainRouteTableId="rtb-" + _digest(rid, "main"),
                defaultNetworkAclId="acl-" + _digest(rid, "acl"),
            )
        elif typ == "aws:ec2/subnet:Subnet":
            zone = str(state.get("availabilityZone", f"{self.region}a"))
            zone_ids = dict(zip(self.zone_names(), self.zone_ids(), strict=True))
            out.update(
                arn=self._arn("ec2", f"subnet/{rid}"),
                ownerId=self.account,
                availabilityZoneId=zone_ids.get(zone, ""),
            )
        elif typ in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
            out.update(arn=self._arn("ec2", f"security-group/{rid}"), ownerId=self.account)
        elif typ == "aws:ec2/internetGateway:InternetGateway":
            out.update(arn=self._arn("ec2", f"internet-gateway/{rid}"), ownerId=self.account)
        elif typ == "aws:ec2/routeTable:RouteTable":
            out.update(arn=self._arn("ec2", f"route-table/{rid}"), ownerId=self.account)
        elif typ == "aws:ec2/eip:Eip":
            out.update(
                allocationId=rid,
                publicIp=self._public_ip(name),
                publicDns=self._public_dns(name),
                domain="vpc",
            )
        elif typ == "aws:ec2/natGateway:NatGateway":
            out.update(
                publicIp=self._public_ip(name), privateIp="10.0.0." + str(5 + int(_digest(name, length=2), 16) % 200)
            )
        elif typ == "aws:ec2/instance:Instance":
            out.update(
                arn=self._arn("ec2", f"instance/{rid}"),
                privateIp="10.0.0." + str(10 + int(_digest(name, length=2), 16) % 200),
                privateDns=f"ip-10-0-0-{10 + int(_digest(name, length=2), 16) % 200}.ec2.internal",
                instanceState="running",
                primaryNetworkInterfaceId="eni-" + _digest(rid, "eni"),
            )
            if state.get("associatePublicIpAddress") is not False:
                out.update(publicIp=self._public_ip(name), publicDns=self._public_dns(name))
        elif typ == "aws:ec2/keyPair:KeyPair":
            out.update(
                arn=self._arn("ec2", f"key-pair/{state.get('keyName')}"),
                keyPairId=rid,
                fingerprint=":".join(_digest(name, length=32)[i : i + 2] for i in range(0, 32, 2)),
                keyType=str(state.get("publicKey", "ssh-ed25519")).split(" ")[0].replace("ssh-", ""),
            )
        elif typ == "aws:ec2/launchTemplate:LaunchTemplate":
            out.update(arn=self._arn("ec2", f"launch-template/{rid}"), latestVersion=1, defaultVersion=1)
        elif typ.startswith("aws:iam/") and typ.endswith((":Role", ":Policy", ":InstanceProfile")):
            kind = {"Role": "role", "Policy": "policy", "InstanceProfile": "instance-profile"}[typ.rsplit(":", 1)[1]]
            path = str(state.get("path") or "/")
            out.update(
                arn=self._arn("iam", f"{kind}{path}{state.get('name')}", regional=False),
                uniqueId="AROA" + _digest(name, length=17).upper(),
            )
            if kind == "role":
                out.update(createDate="2026-11-26T00:00:00Z")
            if kind == "policy":
                out.update(policyId="ANPA" + _digest(name, length=17).upper(), attachmentCount=0)
        elif typ == "aws:autoscaling/group:Group":
            out.update(
                arn=self._arn("autoscaling", f"autoScalingGroup:{_digest(name, length=36)}:autoScalingGroupName/{rid}")
            )
        elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
            lb_name = str(state.get("name"))
            internal = state.get("internal") is True
            prefix = "internal-" if internal else ""
            out.update(
                arn=rid,
                arnSuffix=rid.split(":loadbalancer/", 1)[1],
                dnsName=f"{prefix}{lb_name}-{int(_digest(name, length=8), 16) % 10**10}.{self.region}.elb.{suffix}",
                zoneId="Z35SXDOTRQ7X7K",
            )
        elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
            out.update(arn=rid, arnSuffix=rid.split(":", 5)[5])
        elif typ in ("aws:lb/listener:Listener", "aws:alb/listener:Listener"):
            out.update(arn=rid)
        elif typ == "aws:autoscaling/policy:Policy":
            out.update(arn=self._arn("autoscaling", f"scalingPolicy:{_digest(name, length=36)}:policyName/{rid}"))
        elif typ == "aws:s3/bucket:Bucket":
            bucket = str(state.get("bucket", rid))
            out.update(
                arn=f"arn:{self.partition}:s3:::{bucket}",
                bucketDomainName=f"{bucket}.s3.{suffix}",
                bucketRegionalDomainName=f"{bucket}.s3.{self.region}.{suffix}",
                region=self.region,
                hostedZoneId=_S3_HOSTED_ZONES.get(self.region, "Z3AQBSTGFYJSTF"),
                forceDestroy=bool(state.get("forceDestroy", False)),
            )
        elif typ == "aws:wafv2/webAcl:WebAcl":
            scope = "global" if state.get("scope") == "CLOUDFRONT" else "regional"
            region = "us-east-1" if scope == "global" else self.region
            out.update(
                arn=f"arn:{self.partition}:wafv2:{region}:{self.account}:{scope}/webacl/{state.get('name')}/{rid}",
                # WCUs: AWSManagedRulesCommonRuleSet 700, AWSManagedRulesKnownBadInputsRuleSet 200.
                capacity=float(
                    700 * _rule_groups(state, "AWSManagedRulesCommonRuleSet")
                    + 200 * _rule_groups(state, "AWSManagedRulesKnownBadInputsRuleSet")
                ),
                lockToken=_digest(rid, "lock", length=8) + "-0000-4000-8000-" + _digest(rid, length=12),
            )
        elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            out.update(arn=self._arn("cloudwatch", f"alarm:{state.get('name')}"))
        elif typ == ROLLOUT_TYPE:
            # A first creation: the group was just created from this very version, so no refresh ran.
            out.update(status="Unchanged", instanceRefreshId="")
        return out

    def _public_ip(self, name: str) -> str:
        # Documentation range (RFC 5737): never a real host.
        return f"198.51.100.{1 + int(_digest(name, length=2), 16) % 254}"

    def _public_dns(self, name: str) -> str:
        ip = self._public_ip(name).replace(".", "-")
        host = "compute-1" if self.region == "us-east-1" else f"{self.region}.compute"
        return f"ec2-{ip}.{host}.{dns_suffix_of(self.partition)}"


def _rule_groups(state: dict[str, Any], group: str) -> int:
    """How many of a web ACL's rules use the AWS managed rule group ``group``."""
    rules = state.get("rules") or []
    return sum(
        1
        for rule in rules
        if isinstance(rule, dict)
        and ((rule.get("statement") or {}).get("managedRuleGroupStatement") or {}).get("name") == group
    )


class FirstPreviewCloud(MockCloud):
    """The cloud as a first ``pulumi preview`` sees it: nothing exists yet, so nothing is computed.

    Every resource comes back with its inputs only: no id, ARN, auto-generated name or other output the
    provider fills in on create. Run with ``preview=True``, so inputs built from those outputs (a subnet
    id in an ASG, a security group id in an ingress rule) stay unknown and reach the packs as the
    engine's unknown sentinel. Policies that read them say "can't run during preview"; this cloud is
    how tests prove the stack rules still decide, through ``propertyDependencies``, what is knowable
    before anything is created. Invokes answer as :class:`MockCloud` does: data sources do run at preview.
    """

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        # Nothing is created, but what AWS would refuse is refused already: the inputs known at preview.
        self.admit(args, "", dict(args.inputs), {})
        return "", dict(args.inputs)

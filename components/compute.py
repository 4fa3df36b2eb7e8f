"""The compute component: the lab instance, or (with ``fleet``) the production path it grows into.

Both paths boot from the same launch settings (``launch.py``): the lab runs them on one public instance
you can SSH into; production versions them in a Launch Template that Auto Scaling Groups launch in
private subnets behind an Application Load Balancer (``fleet.py``, ``loadbalancer.py``). An optional
green fleet runs a new AMI beside the blue one while the listener splits traffic by weight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components import launch
from components.accesslogs import AccessLogs, build_access_logs
from components.config import GreenFleet
from components.fleet import Capacity, Fleet, RolloutSettings, build_fleet
from components.loadbalancer import LoadBalancer, Weights, build_load_balancer
from components.waf import Waf, build_waf

TYPE = "aws-compute-foundations:compute:Compute"

IMDS = "http://169.254.169.254/latest"
# The private key file ssh-keygen writes for each public key type, for the ready ssh command.
PRIVATE_KEY_FILES = {"ssh-ed25519": "id_ed25519", "ssh-rsa": "id_rsa"}
LOGIN_USER = "ec2-user"
# The lab has no load balancer to configure; its app answers the default health path for `curl` checks.
LAB_HEALTH_PATH = "/health"


@dataclass
class FleetArgs:
    """Production settings: given, the component builds the Launch Template, ASG and ALB path."""

    # Subnets of the load balancer, one public subnet per AZ (at least two AZs).
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    # What the internet-facing ALB must be created after: the VPC's Internet Gateway, attached (AWS
    # refuses an internet-facing load balancer in a VPC without one). @default [] (a VPC that has it)
    internet_ready: Sequence[pulumi.Resource] = ()
    # Instance counts, 1 <= min_size <= desired_capacity <= max_size. @default 1 / 2 / 4
    min_size: int = 1
    desired_capacity: int = 2
    max_size: int = 4
    # Average CPU the target-tracking policy holds. @default 50.0
    target_cpu_percent: float = 50.0
    # Path the load balancer checks and the app answers with 200. @default "/health"
    health_check_path: str = "/health"
    # Certificate for an HTTPS listener on 443 (then 80 redirects to it). @default None (HTTP only)
    certificate_arn: str | None = None
    # ALB deletion protection. @default True
    deletion_protection: bool = True
    # A parallel fleet on a new AMI, sharing listener traffic by weight. @default None (one fleet)
    green: GreenFleet | None = None
    # ALB access logs into a bucket this component creates. @default True
    access_logs: bool = True
    # Days S3 keeps an access log. @default 90
    access_log_days: int = 90
    # Let `pulumi destroy` delete the log bucket with its logs. @default False
    log_bucket_force_destroy: bool = False
    # A WAFv2 web ACL with AWS managed rule groups on the ALB. @default False
    waf: bool = False
    # How new template versions roll out onto each fleet. @default RolloutSettings() (30 min, alarms on)
    rollout: RolloutSettings = field(default_factory=RolloutSettings)


@dataclass
class ComputeArgs:
    """The wiring compute needs from network and identity, and the launch settings from config."""

    vpc_id: pulumi.Input[str]
    # Lab: the instance goes in the first. Production: the private subnets, one per AZ, the ASG spans.
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    instance_profile_name: pulumi.Input[str]
    instance_profile_arn: pulumi.Input[str]
    # EC2 instance type. @default "t3.micro"
    instance_type: str = "t3.micro"
    # AMI override. @default None (latest Amazon Linux 2023 for the instance type's architecture)
    ami_id: str | None = None
    # Lab only: the one IPv4 /32 admitted on tcp/22. @default None (no SSH ingress)
    ssh_cidr: str | None = None
    # OpenSSH public key for an EC2 key pair. @default None (no key pair; use Session Manager)
    ssh_public_key: str | None = None
    # Port the app serves on. @default 80
    app_port: int = 80
    # Production settings. @default None (the lab instance)
    fleet: FleetArgs | None = None
    # 1-minute CloudWatch metrics on the lab instance or the fleets' instances. @default False
    detailed_monitoring: bool = False
    # The instance role's name, for the credentials-check command. @default None (the command lists it)
    role_name: pulumi.Input[str] | None = None
    # Tags for what the provider's default tags cannot reach: ASG-launched instances and volumes.
    # @default {} (only Name and fleet)
    tags: Mapping[str, str] = field(default_factory=dict)
    # Lab only: what the instance, which has a public IP, must be created after: the VPC's Internet Gateway,
    # attached (CloudFormation's DependsOn guidance for public addresses). @default [] (a VPC that has it)
    internet_ready: Sequence[pulumi.Resource] = ()


def _validate(args: ComputeArgs) -> None:
    """Reject impossible wiring before any child exists (config.py already gives users the friendly error)."""
    if not 1 <= args.app_port <= 65535:
        raise ValueError(f"app_port {args.app_port} is outside 1-65535")
    fleet = args.fleet
    if fleet is not None:
        if not 1 <= fleet.min_size <= fleet.desired_capacity <= fleet.max_size:
            raise ValueError(
                "capacities must satisfy 1 <= min_size <= desired_capacity <= max_size"
                f" (got {fleet.min_size}, {fleet.desired_capacity}, {fleet.max_size})"
            )
        if fleet.green is not None:
            Weights.for_green(fleet.green.weight)


def credentials_check(role_name: pulumi.Input[str] | None) -> pulumi.Output[str]:
    """The IMDSv2 flow, run on the instance: a session token first, then the role's temporary credentials."""
    token = (
        f'TOKEN=$(curl -sX PUT {IMDS}/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")'
        f' && curl -s -H "X-aws-ec2-metadata-token: $TOKEN" {IMDS}/meta-data/iam/security-credentials/'
    )
    if role_name is None:
        return pulumi.Output.from_input(token)
    return pulumi.Output.concat(token, role_name)


def ssh_command(
    public_key: str | None, ssh_open: bool, public_dns: pulumi.Input[str], instance_id: pulumi.Input[str]
) -> pulumi.Output[str]:
    """A ready ``ssh`` command, or the Session Manager command when SSH cannot work."""
    if public_key is None or not ssh_open:
        why = "no key pair configured" if public_key is None else "SSH ingress is disabled"
        return pulumi.Output.concat(f"{why}; use Session Manager: aws ssm start-session --target ", instance_id)
    key_file = PRIVATE_KEY_FILES.get(public_key.split()[0], "id_ecdsa")
    return pulumi.Output.concat(f"ssh -i ~/.ssh/{key_file} {LOGIN_USER}@", public_dns)


class Compute(pulumi.ComponentResource):
    """The lab instance, or the production Launch Template + Auto Scaling Group + ALB (blue/green)."""

    instance: aws.ec2.Instance | None
    load_balancer: LoadBalancer | None
    access_logs: AccessLogs | None
    waf: Waf | None
    blue: Fleet | None
    green: Fleet | None

    def __init__(self, name: str, args: ComputeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__(TYPE, name, None, opts)
        self._name = name
        self._args = args
        self.instance = None
        self.load_balancer = None
        self.access_logs = None
        self.waf = None
        self.blue = None
        self.green = None

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-instance-sg",
            vpc_id=args.vpc_id,
            description="Instances: ingress managed by separate rules (SSH from one host, or the load balancer)",
            tags={"Name": f"{name}-instance"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Egress stays open: package repositories, SSM and S3 endpoints are reached through it.
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-instance-egress",
            security_group_id=self.security_group.id,
            description="All outbound traffic",
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.key_pair = (
            aws.ec2.KeyPair(f"{name}-key", public_key=args.ssh_public_key, opts=pulumi.ResourceOptions(parent=self))
            if args.ssh_public_key is not None
            else None
        )
        if args.fleet is None:
            self._create_lab(name, args)
        else:
            self._create_production(name, args, args.fleet)
        self.register_outputs(self.exports())

    def _settings(
        self, *, ami_id: str | None, instance_type: str, health_check_path: str, fleet: str
    ) -> launch.LaunchSettings:
        return launch.launch_settings(
            ami_id=launch.resolve_ami(ami_id, instance_type, self),
            instance_type=instance_type,
            security_group_id=self.security_group.id,
            key_name=self.key_pair.key_name if self.key_pair is not None else None,
            app_port=self._args.app_port,
            health_check_path=health_check_path,
            fleet=fleet,
            detailed_monitoring=self._args.detailed_monitoring,
        )

    # --- lab -------------------------------------------------------------------------------------

    def _create_lab(self, name: str, args: ComputeArgs) -> None:
        if args.ssh_cidr is not None:
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-ssh",
                security_group_id=self.security_group.id,
                description="SSH from the operator host only (one /32)",
                ip_protocol="tcp",
                from_port=22,
                to_port=22,
                cidr_ipv4=args.ssh_cidr,
                opts=pulumi.ResourceOptions(parent=self),
            )
        settings = self._settings(
            ami_id=args.ami_id, instance_type=args.instance_type, health_check_path=LAB_HEALTH_PATH, fleet="lab"
        )
        first_subnet = pulumi.Output.from_input(args.subnet_ids).apply(_first_subnet)
        self.instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=settings.ami_id,
            instance_type=settings.instance_type,
            subnet_id=first_subnet,
            associate_public_ip_address=True,
            vpc_security_group_ids=[settings.security_group_id],
            iam_instance_profile=args.instance_profile_name,
            key_name=settings.key_name,
            monitoring=settings.detailed_monitoring,
            metadata_options=launch.instance_metadata_options(),
            root_block_device=launch.instance_root_volume({**args.tags, "Name": f"{name}-lab"}),
            user_data=settings.user_data,
            # A changed boot script must run: replace the instance instead of editing a stopped one.
            user_data_replace_on_change=True,
            tags={"Name": f"{name}-lab"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.internet_ready)),
        )

    # --- production ------------------------------------------------------------------------------

    def _create_production(self, name: str, args: ComputeArgs, fleet: FleetArgs) -> None:
        green = fleet.green
        if fleet.access_logs:
            self.access_logs = build_access_logs(
                name,
                prefix=f"{name}-alb",
                retention_days=fleet.access_log_days,
                force_destroy=fleet.log_bucket_force_destroy,
                parent=self,
            )
        self.load_balancer = build_load_balancer(
            name,
            vpc_id=args.vpc_id,
            public_subnet_ids=fleet.public_subnet_ids,
            internet_ready=fleet.internet_ready,
            instance_security_group=self.security_group,
            app_port=args.app_port,
            health_check_path=fleet.health_check_path,
            certificate_arn=fleet.certificate_arn,
            deletion_protection=fleet.deletion_protection,
            green_weight=green.weight if green is not None else None,
            parent=self,
            access_logs=self.access_logs,
        )
        if fleet.waf:
            self.waf = build_waf(name, load_balancer_arn=self.load_balancer.alb.arn, parent=self)
        capacity = Capacity(fleet.min_size, fleet.desired_capacity, fleet.max_size)
        common: dict[str, Any] = {
            "instance_profile_arn": args.instance_profile_arn,
            "subnet_ids": args.subnet_ids,
            "capacity": capacity,
            "target_cpu_percent": fleet.target_cpu_percent,
            "load_balancer_arn_suffix": self.load_balancer.alb.arn_suffix,
            "rollout": fleet.rollout,
            "base_tags": args.tags,
            "parent": self,
        }
        self.blue = build_fleet(
            name,
            color="blue",
            suffix="",
            settings=self._settings(
                ami_id=args.ami_id,
                instance_type=args.instance_type,
                health_check_path=fleet.health_check_path,
                fleet="blue",
            ),
            target_group=self.load_balancer.blue_target_group,
            **common,
        )
        green_tg = self.load_balancer.green_target_group
        if green is not None and green_tg is not None:
            self.green = build_fleet(
                name,
                color="green",
                suffix="-green",
                settings=self._settings(
                    ami_id=green.ami_id,
                    instance_type=green.instance_type or args.instance_type,
                    health_check_path=fleet.health_check_path,
                    fleet="green",
                ),
                target_group=green_tg,
                **common,
            )

    # --- outputs ---------------------------------------------------------------------------------

    def exports(self) -> dict[str, pulumi.Input[Any]]:
        """The stack outputs of this component, keyed by export name."""
        args = self._args
        out: dict[str, pulumi.Input[Any]] = {"credentialsCheck": credentials_check(args.role_name)}
        if self.instance is not None:
            instance = self.instance
            out.update(
                instanceId=instance.id,
                publicIp=instance.public_ip,
                publicDns=instance.public_dns,
                sshCommand=ssh_command(
                    args.ssh_public_key, args.ssh_cidr is not None, instance.public_dns, instance.id
                ),
            )
        if self.load_balancer is not None and self.blue is not None:
            lb = self.load_balancer
            out.update(
                albUrl=lb.url,
                albDnsName=lb.alb.dns_name,
                targetGroupArn=lb.blue_target_group.arn,
                **_fleet_exports("", self.blue),
            )
            if self.access_logs is not None:
                out.update(accessLogBucket=self.access_logs.bucket.bucket)
            if self.waf is not None:
                out.update(webAclArn=self.waf.web_acl.arn)
            if self.green is not None and lb.green_target_group is not None and args.fleet and args.fleet.green:
                weights = Weights.for_green(args.fleet.green.weight)
                out.update(
                    greenTargetGroupArn=lb.green_target_group.arn,
                    trafficWeights={"blue": weights.blue, "green": weights.green},
                    **_fleet_exports("green", self.green),
                )
        return out


def _fleet_exports(prefix: str, fleet: Fleet) -> dict[str, pulumi.Input[Any]]:
    def key(name: str) -> str:
        return f"{prefix}{name[0].upper()}{name[1:]}" if prefix else name

    return {
        key("asgName"): fleet.group.name,
        key("launchTemplateId"): fleet.launch_template.id,
        key("launchTemplateLatestVersion"): fleet.launch_template.latest_version,
    }


def _first_subnet(subnet_ids: Sequence[Any]) -> Any:
    if not subnet_ids:
        raise pulumi.RunError("compute: the network has no subnet to place the lab instance in")
    return subnet_ids[0]

"""Group 1, "the instance is unreachable" (lab): instance, security group, route, IGW, ACL, IP, key.

The lab's order: the security group before the instance's network path, the path before the key.
"""

from __future__ import annotations

import socket
from typing import Any

from ops.checks import rules
from ops.checks.context import CheckFn, Context, Missing, check
from ops.checks.fingerprints import ec2_fingerprint, generated_by_ec2, same_fingerprint
from ops.report import Check
from ops.session import AwsError, error_code, is_denied

SSH = 22
SSH_FIX = 'pulumi config set sshCidr "{ip}/32" && pulumi up'
PROBE_TIMEOUT = 5.0


def _source_ip(ctx: Context) -> tuple[str | None, str]:
    """The address SSH comes from: the operator's, else the stack's sshCidr host."""
    if ctx.my_ip:
        return ctx.my_ip, f"your address {ctx.my_ip} ({ctx.my_ip_source})"
    cidr = ctx.stack.config.ssh_cidr
    if cidr:
        host = cidr.split("/")[0]
        return host, f"the stack's sshCidr host {host} (your own address unknown: {ctx.my_ip_source})"
    return None, f"your address is unknown ({ctx.my_ip_source})"


@check("reach.instance", "the instance is running and its status checks pass")
def instance_running(ctx: Context, cid: str, title: str) -> Check:
    try:
        instance = ctx.instance()
    except Missing as why:
        return Check.failed(
            cid, title, str(why), "run `pulumi up`; if the instance was terminated, `pulumi refresh` first"
        )
    instance_id = instance["InstanceId"]
    state = instance.get("State", {}).get("Name", "unknown")
    if state != "running":
        reason = instance.get("StateReason", {}).get("Message") or instance.get("StateTransitionReason") or ""
        return Check.failed(
            cid,
            title,
            f"instance {instance_id} is {state}" + (f": {reason!r}" if reason else ""),
            f"aws ec2 start-instances --instance-ids {instance_id} (or `pulumi up` if it was terminated)",
        )
    statuses = ctx.aws.ec2.describe_instance_status(InstanceIds=[instance_id], IncludeAllInstances=True)
    found = statuses.get("InstanceStatuses", [])
    if not found:
        return Check.warned(cid, title, f"instance {instance_id} is running; EC2 reports no status checks yet")
    status = found[0]
    system = status.get("SystemStatus", {}).get("Status", "unknown")
    own = status.get("InstanceStatus", {}).get("Status", "unknown")
    evidence = f"instance {instance_id} running, system status {system}, instance status {own}"
    if "impaired" in (system, own):
        return Check.failed(
            cid,
            title,
            evidence,
            "system impaired: stop and start the instance (moves the host); instance impaired: read "
            f"`aws ec2 get-console-output --instance-id {instance_id}` (boot, disk or network config)",
        )
    if system != "ok" or own != "ok":
        return Check.warned(cid, title, evidence, "wait for the checks to finish (about 2 minutes after start)")
    return Check.passed(cid, title, evidence)


@check("reach.security-group", "the security group admits tcp/22 from your address as a /32")
def security_group(ctx: Context, cid: str, title: str) -> Check:
    try:
        instance = ctx.instance()
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance: {why}")
    group_ids = [g["GroupId"] for g in instance.get("SecurityGroups", [])]
    if not group_ids:
        return Check.failed(cid, title, f"instance {instance['InstanceId']} has no security group", "`pulumi up`")
    source, who = _source_ip(ctx)
    groups = ctx.aws.ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
    admitted = [(g["GroupId"], c) for g in groups for c in rules.sg_sources(g.get("IpPermissions", []), SSH)]
    fix = SSH_FIX.format(ip=source or "$(curl -s https://checkip.amazonaws.com)")
    shown = ", ".join(f"{g} {c}" for g, c in admitted) or "nothing"
    if source is None or not ctx.my_ip:
        # Matching the stack's own sshCidr proves nothing about where you connect from today.
        return Check.warned(
            cid, title, f"{', '.join(group_ids)} admit tcp/22 from {shown}; {who}", "pass --my-ip (MY_IP=...)"
        )
    exact = [(g, c) for g, c in admitted if c == f"{source}/32"]
    if exact:
        return Check.passed(cid, title, f"{exact[0][0]} admits tcp/22 from {exact[0][1]} = {who}")
    wider = [(g, c) for g, c in admitted if rules.contains(c, source)]
    if wider:
        return Check.warned(
            cid, title, f"{wider[0][0]} admits tcp/22 from {wider[0][1]}, wider than {who} as a /32", fix
        )
    return Check.failed(cid, title, f"{', '.join(group_ids)} admit tcp/22 from {shown}, not from {who}", fix)


def _subnet_route_table(ctx: Context, subnet_id: str, vpc_id: str) -> dict[str, Any] | None:
    ec2 = ctx.aws.ec2
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    found = tables.get("RouteTables", [])
    if found:
        return dict(found[0])
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    ).get("RouteTables", [])
    return dict(main[0]) if main else None


def _default_route(ctx: Context) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """``(instance, route table, 0.0.0.0/0 route or None)``, cached for the route and IGW checks."""

    def load() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
        instance = ctx.instance()
        table = _subnet_route_table(ctx, instance["SubnetId"], instance["VpcId"])
        if table is None:
            raise Missing(f"subnet {instance['SubnetId']} has no route table, and its VPC no main table")
        route = next((r for r in table.get("Routes", []) if r.get("DestinationCidrBlock") == "0.0.0.0/0"), None)
        return instance, table, route

    result: tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None] = ctx.cached("default-route", load)
    return result


def _target(route: dict[str, Any]) -> str:
    for key in ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "NetworkInterfaceId"):
        if route.get(key):
            return str(route[key])
    return str(route.get("InstanceId") or "nothing")


@check("reach.route-table", "the subnet's route table sends 0.0.0.0/0 to an Internet Gateway")
def route_table(ctx: Context, cid: str, title: str) -> Check:
    try:
        instance, table, route = _default_route(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance: {why}")
    table_id = table["RouteTableId"]
    fix = (
        f"aws ec2 create-route --route-table-id {table_id} --destination-cidr-block 0.0.0.0/0 "
        "--gateway-id <the VPC's igw-...>, or `pulumi up` to restore the program's route"
    )
    if route is None:
        routes = ", ".join(f"{r.get('DestinationCidrBlock')} -> {_target(r)}" for r in table.get("Routes", []))
        return Check.failed(
            cid, title, f"{table_id} (subnet {instance['SubnetId']}) has no 0.0.0.0/0 route: {routes}", fix
        )
    target = _target(route)
    if not target.startswith("igw-"):
        return Check.failed(cid, title, f"{table_id}: 0.0.0.0/0 -> {target}, not an Internet Gateway", fix)
    state = route.get("State", "active")
    return Check.passed(cid, title, f"{table_id} (subnet {instance['SubnetId']}): 0.0.0.0/0 -> {target} ({state})")


@check("reach.internet-gateway", "the Internet Gateway is attached to the instance's VPC")
def internet_gateway(ctx: Context, cid: str, title: str) -> Check:
    try:
        instance, _table, route = _default_route(ctx)
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance: {why}")
    if route is None or not _target(route).startswith("igw-"):
        return Check.skipped(cid, title, "no route to an Internet Gateway to follow")
    igw_id, vpc_id = _target(route), instance["VpcId"]
    fix = f"aws ec2 attach-internet-gateway --internet-gateway-id {igw_id} --vpc-id {vpc_id}, or `pulumi up`"
    try:
        gateways = ctx.aws.ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"]
    except AwsError as error:
        if is_denied(error):
            raise
        return Check.failed(cid, title, f"{igw_id}: {error_code(error)} (route state {route.get('State')})", fix)
    attachments = [a for g in gateways for a in g.get("Attachments", [])]
    here = [a for a in attachments if a.get("VpcId") == vpc_id and a.get("State") in ("available", "attached")]
    if not here:
        seen = ", ".join(f"{a.get('VpcId')} {a.get('State')}" for a in attachments) or "no VPC"
        return Check.failed(cid, title, f"{igw_id} is attached to {seen}, not to {vpc_id}", fix)
    return Check.passed(cid, title, f"{igw_id} attached to {vpc_id} ({here[0].get('State')})")


@check("reach.network-acl", "the network ACL allows tcp/22 in and the ephemeral ports out")
def network_acl(ctx: Context, cid: str, title: str) -> Check:
    try:
        instance = ctx.instance()
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance: {why}")
    source, who = _source_ip(ctx)
    if source is None:
        return Check.skipped(cid, title, f"needs a source address: {who}")
    subnet_id = instance["SubnetId"]
    acls = ctx.aws.ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    found = acls.get("NetworkAcls", [])
    if not found:
        return Check.failed(cid, title, f"subnet {subnet_id} has no network ACL association", "`pulumi up`")
    acl = found[0]
    acl_id, entries = acl["NetworkAclId"], acl.get("Entries", [])
    fix = f"add allow entries to {acl_id} (aws ec2 create-network-acl-entry) ahead of the deny that matches"
    inbound = rules.acl_decision(entries, egress=False, address=source, port=SSH)
    if inbound is None or inbound.get("RuleAction") != "allow":
        return Check.failed(cid, title, f"{acl_id} inbound tcp/22 from {source}: {rules.describe_entry(inbound)}", fix)
    denied = rules.acl_denied_ports(entries, egress=True, address=source, ports=rules.EPHEMERAL)
    if denied:
        low, high, entry = denied[0]
        return Check.failed(
            cid, title, f"{acl_id} outbound tcp {low}-{high} to {source}: {rules.describe_entry(entry)}", fix
        )
    return Check.passed(
        cid, title, f"{acl_id}: in 22 by {rules.describe_entry(inbound)}; out 1024-65535 allowed to {source}"
    )


@check("reach.public-ip", "the instance has a public IP")
def public_ip(ctx: Context, cid: str, title: str) -> Check:
    try:
        instance = ctx.instance()
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance: {why}")
    address = instance.get("PublicIpAddress")
    if not address:
        return Check.failed(
            cid,
            title,
            f"instance {instance['InstanceId']} in {instance.get('SubnetId')} has no public IP",
            "the subnet must map public IPs on launch (or associate an Elastic IP); `pulumi up` replaces the "
            "instance with one",
        )
    return Check.passed(cid, title, f"{instance['InstanceId']} public IP {address}")


@check("reach.key-pair", "the key pair's fingerprint matches the configured public key")
def key_pair(ctx: Context, cid: str, title: str) -> Check:
    try:
        instance = ctx.instance()
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance: {why}")
    configured = ctx.stack.config.ssh_public_key
    key_name = instance.get("KeyName")
    if not configured and not key_name:
        return Check.skipped(cid, title, "no sshPublicKey configured and no key pair: use Session Manager")
    if not key_name:
        return Check.failed(
            cid,
            title,
            f"instance {instance['InstanceId']} has no key pair",
            "`pulumi up` (a new key pair replaces the instance)",
        )
    try:
        pairs = ctx.aws.ec2.describe_key_pairs(KeyNames=[key_name])["KeyPairs"]
    except AwsError as error:
        if is_denied(error):
            raise
        return Check.failed(cid, title, f"key pair {key_name}: {error_code(error)}", "`pulumi up` recreates it")
    reported = pairs[0].get("KeyFingerprint", "") if pairs else ""
    if not configured:
        return Check.warned(cid, title, f"instance uses {key_name} ({reported}) but no sshPublicKey is configured")
    expected = ec2_fingerprint(configured)
    if same_fingerprint(reported, expected):
        return Check.passed(cid, title, f"{key_name} fingerprint {reported} = sshPublicKey")
    if generated_by_ec2(reported):
        return Check.warned(
            cid, title, f"{key_name} ({reported}) was generated by EC2, so no public key can be compared to it"
        )
    return Check.failed(
        cid,
        title,
        f"{key_name} fingerprint {reported}, sshPublicKey gives {expected}",
        "ssh with the private key of the configured sshPublicKey, or set sshPublicKey to your key and `pulumi up`",
    )


def tcp_connect(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when a TCP connection opens within ``timeout``, else why it did not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except TimeoutError:
        return f"no answer within {timeout:g}s (dropped: security group, ACL or route)"
    except OSError as error:
        return error.strerror or str(error)


def probe(ctx: Context, port: int = SSH, timeout: float = PROBE_TIMEOUT) -> Check:
    cid, title = "reach.probe", f"a TCP connection to tcp/{port} opens"
    try:
        address = ctx.instance().get("PublicIpAddress")
    except Missing as why:
        return Check.skipped(cid, title, f"needs the instance: {why}")
    if not address:
        return Check.skipped(cid, title, "the instance has no public IP")
    return probe_address(address, port, timeout)


def probe_address(host: str, port: int = SSH, timeout: float = PROBE_TIMEOUT) -> Check:
    cid, title = "reach.probe", f"a TCP connection to tcp/{port} opens"
    why = tcp_connect(host, port, timeout)
    if why is None:
        return Check.passed(cid, title, f"connected to {host}:{port}")
    return Check.failed(
        cid, title, f"{host}:{port}: {why}", "if every check above passes, sshd itself: read the console output"
    )


# The lab's order within the group.
CHECKS: list[CheckFn] = [
    instance_running,
    security_group,
    route_table,
    internet_gateway,
    network_acl,
    public_ip,
    key_pair,
]

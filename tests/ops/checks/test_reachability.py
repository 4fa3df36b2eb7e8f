"""The --probe TCP connect (only ever against a loopback listener) and the route checks (botocore Stubber)."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from typing import Any

import pytest
from botocore.stub import Stubber

from ops.checks import reachability
from ops.checks.context import Context
from ops.checks.fingerprints import ec2_fingerprint
from ops.checks.reachability import probe, probe_address, tcp_connect
from ops.doctor import lookup_my_ip
from ops.report import Status
from tests.ops.shapes import public_key
from tests.ops.stubbed import context, stub


def test_probe_connects_to_a_loopback_listener() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        assert tcp_connect("127.0.0.1", port, timeout=2) is None
        check = probe_address("127.0.0.1", port, timeout=2)
    assert (check.id, check.title) == ("reach.probe", f"a TCP connection to tcp/{port} opens")
    assert check.status is Status.PASS and check.evidence == f"connected to 127.0.0.1:{port}"


def test_the_probe_connects_to_the_host_it_was_given_not_the_default_one() -> None:
    # 127.0.0.2 is loopback too, but not where an unnamed host (None) resolves to.
    with socket.socket() as server:
        server.bind(("127.0.0.2", 0))
        server.listen(1)
        port = server.getsockname()[1]
        check = probe_address("127.0.0.2", port, timeout=2)
    assert check.status is Status.PASS and check.evidence == f"connected to 127.0.0.2:{port}"


def test_probe_fails_on_a_closed_loopback_port() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
    check = probe_address("127.0.0.1", port, timeout=2)
    assert check.status is Status.FAIL and f"127.0.0.1:{port}" in check.evidence and check.fix


def serve_once(body: bytes) -> tuple[str, threading.Thread]:
    """A loopback HTTP server answering one GET with ``body``: checkip.amazonaws.com is never called."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_address[1]}/", thread


def test_the_address_lookup_reads_one_ipv4_address() -> None:
    url, thread = serve_once(b"203.0.113.7\n")
    assert lookup_my_ip(url, timeout=2) == ("203.0.113.7", f"from {url}")
    thread.join(2)


def test_the_address_lookup_fails_gracefully_on_garbage() -> None:
    url, thread = serve_once(b"<html>captive portal</html>")
    address, how = lookup_my_ip(url, timeout=2)
    thread.join(2)
    assert address is None and how.startswith(f"{url} lookup failed")


def test_the_address_lookup_fails_gracefully_when_nothing_answers() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    address, how = lookup_my_ip(f"http://127.0.0.1:{port}/", timeout=2)
    assert address is None and "lookup failed" in how


def _full_backlog() -> tuple[socket.socket, list[socket.socket], int]:
    """A loopback listener whose accept queue is full: the next connection attempt gets no answer at all."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    held = []
    for _ in range(3):
        client = socket.socket()
        client.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            client.connect(("127.0.0.1", port))
        held.append(client)
    return server, held, port


def test_a_probe_nothing_answers_says_the_packets_were_dropped_and_by_what() -> None:
    server, held, port = _full_backlog()
    try:
        why = tcp_connect("127.0.0.1", port, timeout=0.5)
    finally:
        for sock in [*held, server]:
            sock.close()

    assert why == "no answer within 0.5s (dropped: security group, ACL or route)"


def test_a_refused_probe_says_what_the_kernel_said() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]

    check = probe_address("127.0.0.1", port, timeout=2)

    assert check.id == "reach.probe" and check.title == f"a TCP connection to tcp/{port} opens"
    assert check.evidence == f"127.0.0.1:{port}: Connection refused"
    assert check.fix == "if every check above passes, sshd itself: read the console output"


def test_the_probe_skips_an_instance_it_cannot_read_or_that_has_no_public_ip() -> None:
    missing = probe(context({}))
    assert (missing.id, missing.title, missing.status, missing.evidence) == (
        "reach.probe",
        "a TCP connection to tcp/22 opens",
        Status.SKIP,
        "needs the instance: the stack exports no instanceId",
    )

    ctx = context({"instanceId": "i-0123456789abcdef0"})
    stub(ctx, "ec2").add_response(
        "describe_instances",
        {"Reservations": [{"Instances": [{"InstanceId": "i-0123456789abcdef0"}]}]},
        {"InstanceIds": ["i-0123456789abcdef0"]},
    )
    private = probe(ctx, port=2222)
    assert (private.id, private.status, private.title, private.evidence) == (
        "reach.probe",
        Status.SKIP,
        "a TCP connection to tcp/2222 opens",
        "the instance has no public IP",
    )


def test_the_probe_connects_to_the_instances_public_address() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        ctx = context({"instanceId": "i-0123456789abcdef0"})
        stub(ctx, "ec2").add_response(
            "describe_instances",
            {"Reservations": [{"Instances": [{"InstanceId": "i-0123456789abcdef0", "PublicIpAddress": "127.0.0.1"}]}]},
            {"InstanceIds": ["i-0123456789abcdef0"]},
        )

        check = probe(ctx, port=port, timeout=2)

    assert (check.status, check.evidence) == (Status.PASS, f"connected to 127.0.0.1:{port}")


# --- reach.route-table: which table decides the subnet, and where its 0.0.0.0/0 route goes ----------------

INSTANCE_ID = "i-0123456789abcdef0"
SUBNET, VPC = "subnet-0aaaaaaaaaaaaaaaa", "vpc-0aaaaaaaaaaaaaaaa"
BY_SUBNET = {"Filters": [{"Name": "association.subnet-id", "Values": [SUBNET]}]}
MAIN_OF_VPC = {"Filters": [{"Name": "vpc-id", "Values": [VPC]}, {"Name": "association.main", "Values": ["true"]}]}


def _lab(routes: list[dict[str, Any]] | None, *, main: bool = False) -> tuple[Context, Stubber]:
    ctx = context({"instanceId": INSTANCE_ID})
    ec2 = stub(ctx, "ec2")
    ec2.add_response(
        "describe_instances",
        {"Reservations": [{"Instances": [{"InstanceId": INSTANCE_ID, "SubnetId": SUBNET, "VpcId": VPC}]}]},
        {"InstanceIds": [INSTANCE_ID]},
    )
    table = [{"RouteTableId": "rtb-0aaaaaaaaaaaaaaaa", "Routes": routes}] if routes is not None else []
    ec2.add_response("describe_route_tables", {"RouteTables": [] if main else table}, BY_SUBNET)
    if main or routes is None:
        ec2.add_response("describe_route_tables", {"RouteTables": table}, MAIN_OF_VPC)
    return ctx, ec2


LOCAL = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}
ROUTE = ("reach.route-table", "the subnet's route table sends 0.0.0.0/0 to an Internet Gateway")
GATEWAY = ("reach.internet-gateway", "the Internet Gateway is attached to the instance's VPC")
ROUTE_FIX = (
    "aws ec2 create-route --route-table-id rtb-0aaaaaaaaaaaaaaaa --destination-cidr-block 0.0.0.0/0 "
    "--gateway-id <the VPC's igw-...>, or `pulumi up` to restore the program's route"
)


def test_a_route_to_an_internet_gateway_passes_with_its_state() -> None:
    ctx, ec2 = _lab([LOCAL, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a", "State": "blackhole"}])

    check = reachability.route_table(ctx)

    ec2.assert_no_pending_responses()
    assert (check.id, check.title) == ROUTE
    assert (check.status, check.evidence) == (
        Status.PASS,
        f"rtb-0aaaaaaaaaaaaaaaa (subnet {SUBNET}): 0.0.0.0/0 -> igw-0a (blackhole)",
    )


def test_a_subnet_without_its_own_table_is_decided_by_the_vpcs_main_table() -> None:
    ctx, ec2 = _lab([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0b"}], main=True)

    check = reachability.route_table(ctx)

    ec2.assert_no_pending_responses()
    assert check.status is Status.PASS and check.evidence.endswith("0.0.0.0/0 -> igw-0b (active)")


def test_a_subnet_with_no_table_at_all_skips_the_route_checks_and_says_why() -> None:
    ctx, _ = _lab(None)

    check = reachability.route_table(ctx)

    assert (check.status, check.evidence) == (
        Status.SKIP,
        f"needs the instance: subnet {SUBNET} has no route table, and its VPC no main table",
    )


@pytest.mark.parametrize(
    ("route", "target"),
    [
        ({"NatGatewayId": "nat-0a"}, "nat-0a"),
        ({"TransitGatewayId": "tgw-0a"}, "tgw-0a"),
        ({"VpcPeeringConnectionId": "pcx-0a"}, "pcx-0a"),
        ({"NetworkInterfaceId": "eni-0a", "InstanceId": INSTANCE_ID}, "eni-0a"),
        ({"InstanceId": INSTANCE_ID}, INSTANCE_ID),
        ({}, "nothing"),
        ({"GatewayId": "vgw-0a"}, "vgw-0a"),
    ],
)
def test_a_default_route_elsewhere_fails_naming_its_target(route: dict[str, Any], target: str) -> None:
    ctx, _ = _lab([{"DestinationCidrBlock": "0.0.0.0/0", **route}])

    check = reachability.route_table(ctx)

    assert (check.id, check.title, check.status) == (*ROUTE, Status.FAIL)
    assert check.evidence == f"rtb-0aaaaaaaaaaaaaaaa: 0.0.0.0/0 -> {target}, not an Internet Gateway"
    assert check.fix == ROUTE_FIX


def test_a_table_aws_returns_without_routes_fails_listing_none() -> None:
    # Routes is optional in DescribeRouteTables' reply: a table without it has no default route either.
    ctx = context({"instanceId": INSTANCE_ID})
    ec2 = stub(ctx, "ec2")
    ec2.add_response(
        "describe_instances",
        {"Reservations": [{"Instances": [{"InstanceId": INSTANCE_ID, "SubnetId": SUBNET, "VpcId": VPC}]}]},
        {"InstanceIds": [INSTANCE_ID]},
    )
    ec2.add_response("describe_route_tables", {"RouteTables": [{"RouteTableId": "rtb-0aaaaaaaaaaaaaaaa"}]}, BY_SUBNET)

    check = reachability.route_table(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"rtb-0aaaaaaaaaaaaaaaa (subnet {SUBNET}) has no 0.0.0.0/0 route: ",
    )


def test_no_default_route_fails_listing_the_routes_there_are() -> None:
    ctx, _ = _lab([LOCAL, {"DestinationCidrBlock": "192.0.2.0/24", "NatGatewayId": "nat-0a"}])

    check = reachability.route_table(ctx)

    assert (check.id, check.title, check.status, check.fix) == (*ROUTE, Status.FAIL, ROUTE_FIX)
    assert check.evidence == (
        f"rtb-0aaaaaaaaaaaaaaaa (subnet {SUBNET}) has no 0.0.0.0/0 route: 10.0.0.0/16 -> local, 192.0.2.0/24 -> nat-0a"
    )


def test_the_route_is_read_once_for_the_route_and_gateway_checks() -> None:
    ctx, ec2 = _lab([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a"}])
    ec2.add_response(
        "describe_internet_gateways",
        {"InternetGateways": [{"InternetGatewayId": "igw-0a", "Attachments": [{"VpcId": VPC, "State": "available"}]}]},
        {"InternetGatewayIds": ["igw-0a"]},
    )

    route, gateway = reachability.route_table(ctx), reachability.internet_gateway(ctx)

    ec2.assert_no_pending_responses()
    assert (route.status, gateway.status) == (Status.PASS, Status.PASS)
    assert gateway.evidence == f"igw-0a attached to {VPC} (available)"


# --- where SSH comes from: the operator's address, else the stack's sshCidr host -----------------------------


def test_the_source_is_your_own_address_when_known() -> None:
    ctx = context({}, sshCidr="198.51.100.9/32")
    ctx.my_ip, ctx.my_ip_source = "203.0.113.7", "--my-ip"

    assert reachability._source_ip(ctx) == ("203.0.113.7", "your address 203.0.113.7 (--my-ip)")


def test_without_your_address_the_source_is_the_stacks_ssh_cidr_host_and_says_so() -> None:
    ctx = context({}, sshCidr="198.51.100.9/32")
    ctx.my_ip_source = "lookup failed"

    assert reachability._source_ip(ctx) == (
        "198.51.100.9",
        "the stack's sshCidr host 198.51.100.9 (your own address unknown: lookup failed)",
    )


def test_without_your_address_or_an_ssh_cidr_the_source_is_unknown() -> None:
    ctx = context({})
    ctx.my_ip_source = "lookup failed"

    assert reachability._source_ip(ctx) == (None, "your address is unknown (lookup failed)")


def test_the_probe_waits_only_as_long_as_it_was_told() -> None:
    server, held, port = _full_backlog()
    ctx = context({"instanceId": INSTANCE_ID})
    stub(ctx, "ec2").add_response(
        "describe_instances",
        {"Reservations": [{"Instances": [{"InstanceId": INSTANCE_ID, "PublicIpAddress": "127.0.0.1"}]}]},
        {"InstanceIds": [INSTANCE_ID]},
    )
    try:
        through_the_instance = probe(ctx, port=port, timeout=0.5)
        direct = probe_address("127.0.0.1", port, timeout=0.5)
    finally:
        for sock in [*held, server]:
            sock.close()

    dropped = f"127.0.0.1:{port}: no answer within 0.5s (dropped: security group, ACL or route)"
    assert (through_the_instance.status, through_the_instance.evidence) == (Status.FAIL, dropped)
    assert (direct.status, direct.evidence) == (Status.FAIL, dropped)


# --- every other check of the group: what it blames and the fix it gives ---------------------------------

MY_IP = "203.0.113.7"
SG_TITLE = "the security group admits tcp/22 from your address as a /32"
ACL_TITLE = "the network ACL allows tcp/22 in and the ephemeral ports out"
IP_TITLE = "the instance has a public IP"
KEY_TITLE = "the key pair's fingerprint matches the configured public key"


def _instance(
    ctx_config: dict[str, str] | None = None, *, my_ip: str | None = MY_IP, **fields: Any
) -> tuple[Context, Stubber]:
    ctx = context({"instanceId": INSTANCE_ID}, **(ctx_config or {}))
    if my_ip:
        ctx.my_ip, ctx.my_ip_source = my_ip, "--my-ip"
    else:
        ctx.my_ip_source = "lookup failed"
    ec2 = stub(ctx, "ec2")
    instance = {"InstanceId": INSTANCE_ID, "SubnetId": SUBNET, "VpcId": VPC, **fields}
    ec2.add_response(
        "describe_instances", {"Reservations": [{"Instances": [instance]}]}, {"InstanceIds": [INSTANCE_ID]}
    )
    return ctx, ec2


def _gone() -> Context:
    ctx = context({"instanceId": INSTANCE_ID})
    stub(ctx, "ec2").add_response("describe_instances", {"Reservations": []}, {"InstanceIds": [INSTANCE_ID]})
    return ctx


GONE = f"instance {INSTANCE_ID} does not exist in us-east-1"


def test_a_missing_instance_fails_the_first_check_and_says_refresh_before_up() -> None:
    check = reachability.instance_running(_gone())

    assert (check.id, check.status, check.evidence) == ("reach.instance", Status.FAIL, GONE)
    assert check.fix.startswith("run `pulumi up`") and check.fix.endswith("`pulumi refresh` first")


@pytest.mark.parametrize(
    ("name", "title"),
    [("security_group", SG_TITLE), ("network_acl", ACL_TITLE), ("public_ip", IP_TITLE), ("key_pair", KEY_TITLE)],
)
def test_the_checks_after_the_instance_are_skipped_when_it_is_missing_and_say_so(name: str, title: str) -> None:
    check = getattr(reachability, name)(_gone())

    assert (check.title, check.status, check.evidence) == (title, Status.SKIP, f"needs the instance: {GONE}")


def test_a_stopped_instance_fails_quoting_why_aws_stopped_it_and_says_how_to_start_it() -> None:
    ctx, _ = _instance(
        State={"Code": 80, "Name": "stopped"},
        StateReason={"Code": "Client.UserInitiatedShutdown", "Message": "User initiated"},
    )

    check = reachability.instance_running(ctx)

    assert (check.id, check.status) == ("reach.instance", Status.FAIL)
    assert check.evidence == f"instance {INSTANCE_ID} is stopped: 'User initiated'"
    assert check.fix == f"aws ec2 start-instances --instance-ids {INSTANCE_ID} (or `pulumi up` if it was terminated)"


def test_a_stopped_instance_without_a_state_reason_quotes_its_transition_reason() -> None:
    ctx, _ = _instance(State={"Code": 80, "Name": "stopped"}, StateTransitionReason="User initiated (2026-11-27)")

    check = reachability.instance_running(ctx)

    assert check.evidence == f"instance {INSTANCE_ID} is stopped: 'User initiated (2026-11-27)'"


def test_an_instance_without_a_state_or_reason_is_named_unknown_without_a_quote() -> None:
    ctx, _ = _instance()

    check = reachability.instance_running(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"instance {INSTANCE_ID} is unknown")


def _statuses(ec2: Stubber, *statuses: dict[str, Any]) -> None:
    ec2.add_response(
        "describe_instance_status",
        {"InstanceStatuses": list(statuses)},
        {"InstanceIds": [INSTANCE_ID], "IncludeAllInstances": True},
    )


def _status(system: str, own: str) -> dict[str, Any]:
    return {"InstanceId": INSTANCE_ID, "SystemStatus": {"Status": system}, "InstanceStatus": {"Status": own}}


RUNNING = {"Code": 16, "Name": "running"}


def test_a_running_instance_without_status_checks_yet_warns() -> None:
    ctx, ec2 = _instance(State=RUNNING)
    _statuses(ec2)

    check = reachability.instance_running(ctx)

    assert (check.status, check.evidence) == (
        Status.WARN,
        f"instance {INSTANCE_ID} is running; EC2 reports no status checks yet",
    )


@pytest.mark.parametrize(("system", "own"), [("impaired", "ok"), ("ok", "impaired")])
def test_an_impaired_status_check_fails_and_says_to_move_the_host_or_read_the_console(system: str, own: str) -> None:
    ctx, ec2 = _instance(State=RUNNING)
    _statuses(ec2, _status(system, own))

    check = reachability.instance_running(ctx)

    assert (check.id, check.title, check.status, check.evidence) == (
        "reach.instance",
        "the instance is running and its status checks pass",
        Status.FAIL,
        f"instance {INSTANCE_ID} running, system status {system}, instance status {own}",
    )
    assert check.fix.startswith("system impaired: stop and start the instance (moves the host); instance impaired")
    assert check.fix.endswith(
        f"`aws ec2 get-console-output --instance-id {INSTANCE_ID}` (boot, disk or network config)"
    )


@pytest.mark.parametrize(("system", "own"), [("initializing", "ok"), ("ok", "initializing")])
def test_a_status_check_still_initializing_warns_to_wait(system: str, own: str) -> None:
    ctx, ec2 = _instance(State=RUNNING)
    _statuses(ec2, _status(system, own))

    check = reachability.instance_running(ctx)

    assert (check.id, check.status) == ("reach.instance", Status.WARN)
    assert check.fix == "wait for the checks to finish (about 2 minutes after start)"


def test_a_running_instance_with_both_status_checks_ok_passes() -> None:
    ctx, ec2 = _instance(State=RUNNING)
    _statuses(ec2, _status("ok", "ok"))

    check = reachability.instance_running(ctx)

    assert check.title == "the instance is running and its status checks pass"
    assert (check.id, check.status, check.evidence) == (
        "reach.instance",
        Status.PASS,
        f"instance {INSTANCE_ID} running, system status ok, instance status ok",
    )


def test_a_status_without_either_check_is_unknown_and_not_ok() -> None:
    ctx, ec2 = _instance(State=RUNNING)
    _statuses(ec2, {"InstanceId": INSTANCE_ID})

    check = reachability.instance_running(ctx)

    assert (check.status, check.evidence) == (
        Status.WARN,
        f"instance {INSTANCE_ID} running, system status unknown, instance status unknown",
    )


# --- reach.security-group ---------------------------------------------------------------------------------

SG = "sg-0aaaaaaaaaaaaaaaa"


def _ssh(*cidrs: str, port: int = 22) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": c} for c in cidrs]}


def _sg(*permissions: dict[str, Any], config: dict[str, str] | None = None, my_ip: str | None = MY_IP) -> Context:
    ctx, ec2 = _instance(config, my_ip=my_ip, SecurityGroups=[{"GroupId": SG, "GroupName": "lab"}])
    ec2.add_response(
        "describe_security_groups",
        {"SecurityGroups": [{"GroupId": SG, "IpPermissions": list(permissions)}]},
        {"GroupIds": [SG]},
    )
    return ctx


def test_an_instance_without_a_security_group_fails_and_says_pulumi_up() -> None:
    ctx, _ = _instance()

    check = reachability.security_group(ctx)

    assert (check.id, check.status, check.fix) == ("reach.security-group", Status.FAIL, "`pulumi up`")
    assert check.evidence == f"instance {INSTANCE_ID} has no security group"


def test_a_group_admitting_exactly_your_address_passes_naming_the_rule() -> None:
    check = reachability.security_group(_sg(_ssh("10.0.0.0/8", f"{MY_IP}/32")))

    assert (check.id, check.status) == ("reach.security-group", Status.PASS)
    assert check.evidence == f"{SG} admits tcp/22 from {MY_IP}/32 = your address {MY_IP} (--my-ip)"


def test_a_group_admitting_a_wider_range_holding_your_address_warns_with_your_slash_32_as_the_fix() -> None:
    check = reachability.security_group(_sg(_ssh("203.0.113.0/24")))

    assert (check.status, check.evidence) == (
        Status.WARN,
        f"{SG} admits tcp/22 from 203.0.113.0/24, wider than your address {MY_IP} (--my-ip) as a /32",
    )
    assert check.fix == f'pulumi config set sshCidr "{MY_IP}/32" && pulumi up'


def test_a_group_not_admitting_your_address_fails_listing_what_it_admits() -> None:
    check = reachability.security_group(_sg(_ssh("198.51.100.9/32"), _ssh(f"{MY_IP}/32", port=2222)))

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"{SG} admit tcp/22 from {SG} 198.51.100.9/32, not from your address {MY_IP} (--my-ip)",
    )
    assert check.fix == f'pulumi config set sshCidr "{MY_IP}/32" && pulumi up'


def test_a_group_admitting_nothing_on_ssh_fails_saying_nothing() -> None:
    check = reachability.security_group(_sg())

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"{SG} admit tcp/22 from nothing, not from your address {MY_IP} (--my-ip)",
    )


def test_without_your_address_the_group_check_only_warns_and_asks_for_my_ip() -> None:
    check = reachability.security_group(_sg(_ssh("198.51.100.9/32"), config={"sshCidr": "198.51.100.9/32"}, my_ip=None))

    assert (check.status, check.fix) == (Status.WARN, "pass --my-ip (MY_IP=...)")
    assert check.evidence == (
        f"{SG} admit tcp/22 from {SG} 198.51.100.9/32; "
        "the stack's sshCidr host 198.51.100.9 (your own address unknown: lookup failed)"
    )


def test_with_no_source_at_all_the_group_check_warns_and_shows_what_is_admitted() -> None:
    check = reachability.security_group(_sg(my_ip=None))

    assert (check.title, check.status, check.evidence) == (
        SG_TITLE,
        Status.WARN,
        f"{SG} admit tcp/22 from nothing; your address is unknown (lookup failed)",
    )


SG2 = "sg-0bbbbbbbbbbbbbbbb"


def _two_groups(my_ip: str | None) -> Context:
    groups = [{"GroupId": SG, "GroupName": "lab"}, {"GroupId": SG2, "GroupName": "ops"}]
    ctx, ec2 = _instance(my_ip=my_ip, SecurityGroups=groups)
    ec2.add_response(
        "describe_security_groups",
        {"SecurityGroups": [{"GroupId": SG, "IpPermissions": [_ssh("198.51.100.9/32")]}, {"GroupId": SG2}]},
        {"GroupIds": [SG, SG2]},
    )
    return ctx


def test_an_instance_in_two_groups_neither_admitting_your_address_fails_naming_both() -> None:
    check = reachability.security_group(_two_groups(MY_IP))

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"{SG}, {SG2} admit tcp/22 from {SG} 198.51.100.9/32, not from your address {MY_IP} (--my-ip)",
    )


def test_without_your_address_an_instance_in_two_groups_warns_naming_both() -> None:
    check = reachability.security_group(_two_groups(None))

    assert (check.status, check.evidence) == (
        Status.WARN,
        f"{SG}, {SG2} admit tcp/22 from {SG} 198.51.100.9/32; your address is unknown (lookup failed)",
    )


# --- reach.internet-gateway ---------------------------------------------------------------------------------


def test_the_gateway_check_is_skipped_when_no_route_leads_to_an_internet_gateway() -> None:
    ctx, _ = _lab([{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0a"}])

    check = reachability.internet_gateway(ctx)

    assert (check.id, check.status, check.evidence) == (
        "reach.internet-gateway",
        Status.SKIP,
        "no route to an Internet Gateway to follow",
    )


def test_the_gateway_check_is_skipped_without_a_default_route() -> None:
    ctx, _ = _lab([LOCAL])

    assert reachability.internet_gateway(ctx).status is Status.SKIP


def test_the_gateway_check_is_skipped_without_the_instance() -> None:
    check = reachability.internet_gateway(_gone())

    assert (check.id, check.title) == GATEWAY
    assert (check.status, check.evidence) == (Status.SKIP, f"needs the instance: {GONE}")


def test_a_deleted_gateway_fails_with_aws_code_the_routes_state_and_the_attach_command() -> None:
    ctx, ec2 = _lab([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a", "State": "blackhole"}])
    ec2.add_client_error("describe_internet_gateways", "InvalidInternetGatewayID.NotFound", "gone", 400)

    check = reachability.internet_gateway(ctx)

    assert (check.id, check.title) == GATEWAY
    assert (check.status, check.evidence) == (
        Status.FAIL,
        "igw-0a: InvalidInternetGatewayID.NotFound (route state blackhole)",
    )
    assert check.fix == f"aws ec2 attach-internet-gateway --internet-gateway-id igw-0a --vpc-id {VPC}, or `pulumi up`"


def test_a_gateway_the_doctor_may_not_describe_blames_the_doctors_policy() -> None:
    ctx, ec2 = _lab([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a"}])
    ec2.add_client_error("describe_internet_gateways", "UnauthorizedOperation", "no", 403)

    check = reachability.internet_gateway(ctx)

    assert check.evidence.startswith("an AWS call failed: UnauthorizedOperation") and "read-only policy" in check.fix


@pytest.mark.parametrize(
    ("attachments", "seen"),
    [
        ([{"VpcId": "vpc-0other", "State": "available"}], "vpc-0other available"),
        ([{"VpcId": VPC, "State": "detaching"}], f"{VPC} detaching"),
        ([], "no VPC"),
        (None, "no VPC"),
        (
            [{"VpcId": "vpc-0other", "State": "available"}, {"VpcId": VPC, "State": "detached"}],
            f"vpc-0other available, {VPC} detached",
        ),
    ],
)
def test_a_gateway_not_attached_to_the_instances_vpc_fails_naming_where_it_is(
    attachments: list[dict[str, str]] | None, seen: str
) -> None:
    ctx, ec2 = _lab([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a"}])
    gateway: dict[str, Any] = {"InternetGatewayId": "igw-0a"}
    if attachments is not None:
        gateway["Attachments"] = attachments
    ec2.add_response(
        "describe_internet_gateways",
        {"InternetGateways": [gateway]},
        {"InternetGatewayIds": ["igw-0a"]},
    )

    check = reachability.internet_gateway(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"igw-0a is attached to {seen}, not to {VPC}")
    assert check.fix.startswith("aws ec2 attach-internet-gateway --internet-gateway-id igw-0a")


def test_a_gateway_attached_in_the_attached_state_passes() -> None:
    ctx, ec2 = _lab([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a"}])
    ec2.add_response(
        "describe_internet_gateways",
        {"InternetGateways": [{"InternetGatewayId": "igw-0a", "Attachments": [{"VpcId": VPC, "State": "attached"}]}]},
        {"InternetGatewayIds": ["igw-0a"]},
    )

    check = reachability.internet_gateway(ctx)

    assert (check.id, check.title) == GATEWAY
    assert (check.status, check.evidence) == (Status.PASS, f"igw-0a attached to {VPC} (attached)")


# --- reach.network-acl -------------------------------------------------------------------------------------------

ACL = "acl-0aaaaaaaaaaaaaaaa"


def _entry(
    number: int, action: str, *, egress: bool, low: int = 0, high: int = 65535, cidr: str = "0.0.0.0/0"
) -> dict[str, Any]:
    return {
        "RuleNumber": number,
        "Protocol": "6",
        "RuleAction": action,
        "Egress": egress,
        "CidrBlock": cidr,
        "PortRange": {"From": low, "To": high},
    }


DENY_ALL = [
    {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": e, "CidrBlock": "0.0.0.0/0"}
    for e in (False, True)
]


def _acl(*entries: dict[str, Any], found: bool = True, my_ip: str | None = MY_IP) -> Context:
    ctx, ec2 = _instance(my_ip=my_ip)
    acls = [{"NetworkAclId": ACL, "Entries": [*entries, *DENY_ALL]}] if found else []
    ec2.add_response(
        "describe_network_acls",
        {"NetworkAcls": acls},
        {"Filters": [{"Name": "association.subnet-id", "Values": [SUBNET]}]},
    )
    return ctx


def test_the_acl_check_is_skipped_without_a_source_address_and_says_why() -> None:
    ctx, _ = _instance(my_ip=None)

    check = reachability.network_acl(ctx)

    assert (check.id, check.status, check.evidence) == (
        "reach.network-acl",
        Status.SKIP,
        "needs a source address: your address is unknown (lookup failed)",
    )


def test_a_subnet_without_an_acl_association_fails() -> None:
    check = reachability.network_acl(_acl(found=False))

    assert (check.title, check.status, check.evidence, check.fix) == (
        ACL_TITLE,
        Status.FAIL,
        f"subnet {SUBNET} has no network ACL association",
        "`pulumi up`",
    )


def test_an_acl_denying_ssh_in_fails_naming_the_entry_that_decides() -> None:
    check = reachability.network_acl(_acl(_entry(100, "allow", egress=True, low=1024)))

    assert (check.id, check.status) == ("reach.network-acl", Status.FAIL)
    assert check.evidence == f"{ACL} inbound tcp/22 from {MY_IP}: rule * deny all all 0.0.0.0/0"
    assert check.fix == f"add allow entries to {ACL} (aws ec2 create-network-acl-entry) ahead of the deny that matches"


def test_an_acl_denying_part_of_the_ephemeral_ports_out_fails_naming_the_range() -> None:
    check = reachability.network_acl(
        _acl(
            _entry(100, "allow", egress=False, low=22, high=22), _entry(100, "allow", egress=True, low=1024, high=32767)
        )
    )

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"{ACL} outbound tcp 32768-65535 to {MY_IP}: rule * deny all all 0.0.0.0/0",
    )
    assert check.fix.startswith(f"add allow entries to {ACL}")


def test_an_acl_allowing_ssh_in_and_the_ephemeral_ports_out_passes() -> None:
    check = reachability.network_acl(
        _acl(_entry(100, "allow", egress=False, low=22, high=22), _entry(100, "allow", egress=True, low=1024))
    )

    assert (check.status, check.evidence) == (
        Status.PASS,
        f"{ACL}: in 22 by rule 100 allow tcp 22-22 0.0.0.0/0; out 1024-65535 allowed to {MY_IP}",
    )


def test_an_acl_aws_returns_without_entries_fails_inbound_ssh_as_implicitly_denied() -> None:
    ctx, ec2 = _instance()
    ec2.add_response(
        "describe_network_acls",
        {"NetworkAcls": [{"NetworkAclId": ACL}]},
        {"Filters": [{"Name": "association.subnet-id", "Values": [SUBNET]}]},
    )

    check = reachability.network_acl(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"{ACL} inbound tcp/22 from {MY_IP}: no entry matches (implicit deny)",
    )
    assert check.fix.startswith(f"add allow entries to {ACL}")


# --- reach.public-ip and reach.key-pair ---------------------------------------------------------------------------


def test_an_instance_without_a_public_ip_fails_and_says_the_subnet_must_map_one() -> None:
    ctx, _ = _instance()

    check = reachability.public_ip(ctx)

    assert (check.id, check.status) == ("reach.public-ip", Status.FAIL)
    assert check.evidence == f"instance {INSTANCE_ID} in {SUBNET} has no public IP"
    assert check.fix.startswith("the subnet must map public IPs on launch")
    assert check.fix.endswith("`pulumi up` replaces the instance with one")


def test_an_instance_with_a_public_ip_passes_naming_it() -> None:
    ctx, _ = _instance(PublicIpAddress="198.51.100.20")

    check = reachability.public_ip(ctx)

    assert (check.title, check.status, check.evidence) == (
        IP_TITLE,
        Status.PASS,
        f"{INSTANCE_ID} public IP 198.51.100.20",
    )


def _key(ctx: Context, ec2: Stubber, fingerprint: str) -> None:
    ec2.add_response(
        "describe_key_pairs",
        {"KeyPairs": [{"KeyName": "lab-key", "KeyFingerprint": fingerprint}]},
        {"KeyNames": ["lab-key"]},
    )


def test_no_key_and_no_configured_key_skips_pointing_to_session_manager() -> None:
    ctx, _ = _instance()

    check = reachability.key_pair(ctx)

    assert (check.id, check.status, check.evidence) == (
        "reach.key-pair",
        Status.SKIP,
        "no sshPublicKey configured and no key pair: use Session Manager",
    )


def test_a_configured_key_the_instance_does_not_hold_fails_saying_a_new_key_replaces_it() -> None:
    ctx, _ = _instance({"sshPublicKey": public_key()})

    check = reachability.key_pair(ctx)

    assert (check.status, check.evidence) == (Status.FAIL, f"instance {INSTANCE_ID} has no key pair")
    assert check.fix == "`pulumi up` (a new key pair replaces the instance)"


def test_a_deleted_key_pair_fails_with_aws_code() -> None:
    ctx, ec2 = _instance(KeyName="lab-key")
    ec2.add_client_error("describe_key_pairs", "InvalidKeyPair.NotFound", "gone", 400)

    check = reachability.key_pair(ctx)

    assert (check.title, check.status, check.evidence, check.fix) == (
        KEY_TITLE,
        Status.FAIL,
        "key pair lab-key: InvalidKeyPair.NotFound",
        "`pulumi up` recreates it",
    )


def test_a_key_pair_the_doctor_may_not_describe_blames_the_doctors_policy() -> None:
    ctx, ec2 = _instance(KeyName="lab-key")
    ec2.add_client_error("describe_key_pairs", "UnauthorizedOperation", "no", 403)

    check = reachability.key_pair(ctx)

    assert check.evidence.startswith("an AWS call failed: UnauthorizedOperation") and "read-only policy" in check.fix


def test_a_key_pair_without_a_configured_key_warns_naming_its_fingerprint() -> None:
    ctx, ec2 = _instance(KeyName="lab-key")
    _key(ctx, ec2, "1f:51:ae:28")

    check = reachability.key_pair(ctx)

    assert (check.id, check.status, check.evidence) == (
        "reach.key-pair",
        Status.WARN,
        "instance uses lab-key (1f:51:ae:28) but no sshPublicKey is configured",
    )


def test_a_key_pair_matching_the_configured_key_passes() -> None:
    ctx, ec2 = _instance({"sshPublicKey": public_key()}, KeyName="lab-key")
    fingerprint = ec2_fingerprint(public_key())
    _key(ctx, ec2, fingerprint.upper())

    check = reachability.key_pair(ctx)

    assert (check.status, check.evidence) == (Status.PASS, f"lab-key fingerprint {fingerprint.upper()} = sshPublicKey")


def test_a_key_pair_ec2_generated_warns_that_nothing_can_be_compared() -> None:
    ctx, ec2 = _instance({"sshPublicKey": public_key()}, KeyName="lab-key")
    generated = ":".join(["ab"] * 20)
    _key(ctx, ec2, generated)

    check = reachability.key_pair(ctx)

    assert (check.id, check.status, check.evidence) == (
        "reach.key-pair",
        Status.WARN,
        f"lab-key ({generated}) was generated by EC2, so no public key can be compared to it",
    )


def test_a_key_pair_of_another_key_fails_naming_both_fingerprints() -> None:
    ctx, ec2 = _instance({"sshPublicKey": public_key()}, KeyName="lab-key")
    other = ec2_fingerprint(public_key(1))
    _key(ctx, ec2, other)

    check = reachability.key_pair(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"lab-key fingerprint {other}, sshPublicKey gives {ec2_fingerprint(public_key())}",
    )
    assert check.fix.startswith("ssh with the private key of the configured sshPublicKey")
    assert check.fix.endswith("set sshPublicKey to your key and `pulumi up`")


def test_a_key_pair_aws_does_not_list_is_compared_as_an_empty_fingerprint() -> None:
    ctx, ec2 = _instance({"sshPublicKey": public_key()}, KeyName="lab-key")
    ec2.add_response("describe_key_pairs", {"KeyPairs": []}, {"KeyNames": ["lab-key"]})

    check = reachability.key_pair(ctx)

    assert (check.status, check.evidence) == (
        Status.FAIL,
        f"lab-key fingerprint , sshPublicKey gives {ec2_fingerprint(public_key())}",
    )


def test_the_security_group_check_is_skipped_under_its_own_id_without_an_instance() -> None:
    check = reachability.security_group(context({}))

    assert (check.id, check.status) == ("reach.security-group", Status.SKIP)
    assert check.title == "the security group admits tcp/22 from your address as a /32"
    assert check.evidence.startswith("needs the instance: ") and "instanceId" in check.evidence

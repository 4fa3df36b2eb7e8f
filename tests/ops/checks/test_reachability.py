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
from ops.checks.reachability import probe, probe_address, tcp_connect
from ops.doctor import lookup_my_ip
from ops.report import Status
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


def test_a_route_to_an_internet_gateway_passes_with_its_state() -> None:
    ctx, ec2 = _lab([LOCAL, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a", "State": "blackhole"}])

    check = reachability.route_table(ctx)

    ec2.assert_no_pending_responses()
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

    assert check.status is Status.FAIL
    assert check.evidence == f"rtb-0aaaaaaaaaaaaaaaa: 0.0.0.0/0 -> {target}, not an Internet Gateway"
    assert check.fix.startswith("aws ec2 create-route --route-table-id rtb-0aaaaaaaaaaaaaaaa ")


def test_no_default_route_fails_listing_the_routes_there_are() -> None:
    ctx, _ = _lab([LOCAL, {"DestinationCidrBlock": "192.0.2.0/24", "NatGatewayId": "nat-0a"}])

    check = reachability.route_table(ctx)

    assert check.status is Status.FAIL
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

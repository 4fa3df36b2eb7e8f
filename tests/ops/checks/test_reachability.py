"""The --probe TCP connect, only ever against a loopback listener."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading

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
    assert check.status is Status.PASS and check.evidence == f"connected to 127.0.0.1:{port}"


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
    assert (missing.status, missing.evidence) == (Status.SKIP, "needs the instance: the stack exports no instanceId")

    ctx = context({"instanceId": "i-0123456789abcdef0"})
    stub(ctx, "ec2").add_response(
        "describe_instances",
        {"Reservations": [{"Instances": [{"InstanceId": "i-0123456789abcdef0"}]}]},
        {"InstanceIds": ["i-0123456789abcdef0"]},
    )
    private = probe(ctx, port=2222)
    assert (private.status, private.title, private.evidence) == (
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

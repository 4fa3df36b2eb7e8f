"""The --probe TCP connect, only ever against a loopback listener."""

from __future__ import annotations

import http.server
import socket
import threading

from ops.checks.reachability import probe_address, tcp_connect
from ops.doctor import lookup_my_ip
from ops.report import Status


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

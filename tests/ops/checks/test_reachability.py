"""The --probe TCP connect, only ever against a loopback listener."""

from __future__ import annotations

import socket

from ops.checks.reachability import probe_address, tcp_connect
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

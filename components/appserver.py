"""The tiny app every instance runs, so the load balancer's health check tests the app, not only the host.

``userdata.py`` ships this file's source to the instance verbatim and runs it under systemd, so it
must stay standard-library only and run on the system Python of Amazon Linux 2023 (3.9): no
``match``, no runtime ``X | Y`` unions. Settings come from a JSON file written beside it, never from
string templating, so no config value can change the code that runs.

``GET <healthPath>`` answers 200 ``ok``: the ALB target group matches exactly 200, so a process that
stops answering turns the target unhealthy and the ASG (health check type ELB) replaces the instance.
``GET /`` names the host and its fleet (blue or green), which makes a weighted traffic shift visible.
"""

from __future__ import annotations

import http.server
import json
import socket
import sys
from typing import Any


class AppConfig:
    """What the app serves: its port, the health path, and the fleet colour it reports."""

    def __init__(self, port: int, health_path: str, fleet: str) -> None:
        self.port = port
        self.health_path = health_path
        self.fleet = fleet

    @classmethod
    def from_json(cls, text: str) -> AppConfig:
        raw: dict[str, Any] = json.loads(text)
        return cls(port=int(raw["port"]), health_path=str(raw["healthPath"]), fleet=str(raw["fleet"]))

    def to_json(self) -> str:
        return json.dumps({"port": self.port, "healthPath": self.health_path, "fleet": self.fleet}, sort_keys=True)


def make_handler(config: AppConfig) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "lab-app"
        sys_version = ""

        def _answer(self, send_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            if path == config.health_path:
                body = b"ok\n"
            elif path == "/":
                body = f"hello from {socket.gethostname()} ({config.fleet} fleet)\n".encode()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

    return Handler


def make_server(config: AppConfig, host: str = "", port: int | None = None) -> http.server.ThreadingHTTPServer:
    """A server for ``config``; ``port`` overrides the configured one (tests bind port 0)."""
    return http.server.ThreadingHTTPServer((host, config.port if port is None else port), make_handler(config))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: server.py CONFIG.json\n")
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        config = AppConfig.from_json(handle.read())
    make_server(config).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

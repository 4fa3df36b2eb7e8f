"""The user data script both the lab instance and the Launch Template boot with: a pure function of config.

The script installs ``appserver.py`` (its source, verbatim) and a JSON settings file, then runs the app
as a hardened systemd service that restarts on failure. Every file is written through a quoted heredoc,
so the shell expands nothing inside, and settings travel as JSON data, never as code.
"""

from __future__ import annotations

import inspect

from components import appserver

# EC2 rejects user data above 16 KB (before base64).
USER_DATA_LIMIT = 16 * 1024

APP_DIR = "/opt/lab-app"
CONFIG_PATH = "/etc/lab-app/config.json"
SERVICE = "lab-app.service"

UNIT = f"""\
[Unit]
Description=Lab app: answers the load balancer health check
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/bin/python3 {APP_DIR}/server.py {CONFIG_PATH}
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
"""


def server_source() -> str:
    return inspect.getsource(appserver)


def _heredoc(path: str, body: str, delimiter: str) -> str:
    if any(line == delimiter for line in body.splitlines()):
        raise ValueError(f"{path}: content holds the heredoc delimiter {delimiter}")
    if not body.endswith("\n"):
        body += "\n"
    return f"cat > {path} <<'{delimiter}'\n{body}{delimiter}\n"


def render_user_data(*, app_port: int, health_check_path: str, fleet: str) -> str:
    """The boot script that serves ``health_check_path`` on ``app_port``, reporting ``fleet``."""
    if not 1 <= app_port <= 65535:
        raise ValueError(f"app_port {app_port} is outside 1-65535")
    if not health_check_path.startswith("/") or any(c in health_check_path for c in "\r\n\0"):
        raise ValueError(f"health_check_path {health_check_path!r} is not a single-line URL path")
    settings = appserver.AppConfig(port=app_port, health_path=health_check_path, fleet=fleet)
    script = (
        "#!/bin/bash\n"
        "# Installs and starts the lab app (components/appserver.py): the health endpoint the ALB checks.\n"
        "set -euo pipefail\n"
        f"install -d -m 0755 {APP_DIR} /etc/lab-app\n"
        + _heredoc(f"{APP_DIR}/server.py", server_source(), "LAB_APP_SERVER")
        + _heredoc(CONFIG_PATH, settings.to_json(), "LAB_APP_CONFIG")
        + _heredoc(f"/etc/systemd/system/{SERVICE}", UNIT, "LAB_APP_UNIT")
        + "systemctl daemon-reload\n"
        + f"systemctl enable --now {SERVICE}\n"
    )
    if len(script.encode()) > USER_DATA_LIMIT:
        raise ValueError(f"user data is {len(script.encode())} bytes; EC2 accepts at most {USER_DATA_LIMIT}")
    return script


def read_settings(user_data: str) -> appserver.AppConfig:
    """The app settings a rendered script installs (the inverse of ``render_user_data``, for checks)."""
    start = user_data.index("<<'LAB_APP_CONFIG'\n") + len("<<'LAB_APP_CONFIG'\n")
    end = user_data.index("\nLAB_APP_CONFIG\n", start)
    return appserver.AppConfig.from_json(user_data[start:end])

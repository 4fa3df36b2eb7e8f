"""The boot script and the app it installs: valid shell, settings carried as data, an app that answers
the health check the load balancer sends."""

from __future__ import annotations

import ast
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import appserver
from components.userdata import USER_DATA_LIMIT, read_settings, render_user_data, server_source

# The URL paths config.parse_health_check_path admits: quotes, `$`, `%` and `;` included.
HEALTH_PATHS = st.from_regex(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,60}", fullmatch=True)
BASH = shutil.which("bash")


def installed_file(script: str, delimiter: str) -> str:
    start = script.index(f"<<'{delimiter}'\n") + len(f"<<'{delimiter}'\n")
    return script[start : script.index(f"\n{delimiter}\n", start) + 1]


def bash_syntax_ok(script: str) -> bool:
    assert BASH is not None
    return subprocess.run([BASH, "-n"], input=script.encode(), capture_output=True, check=False).returncode == 0


@contextmanager
def serving(config: appserver.AppConfig) -> Iterator[str]:
    server = appserver.make_server(config, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str, method: str = "GET") -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


# --- the script ---------------------------------------------------------------------------------------


def test_script_is_valid_bash_that_stops_on_the_first_error() -> None:
    script = render_user_data(app_port=80, health_check_path="/health", fleet="blue")

    assert script.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in script
    assert bash_syntax_ok(script)


def test_script_installs_the_app_source_verbatim_and_starts_it_under_systemd() -> None:
    script = render_user_data(app_port=8080, health_check_path="/healthz", fleet="green")

    assert installed_file(script, "LAB_APP_SERVER") == server_source()
    unit = installed_file(script, "LAB_APP_UNIT")
    assert "ExecStart=/usr/bin/python3 /opt/lab-app/server.py /etc/lab-app/config.json" in unit
    assert "Restart=always" in unit
    # Binds port 80 without running as root.
    assert "DynamicUser=yes" in unit and "AmbientCapabilities=CAP_NET_BIND_SERVICE" in unit
    assert script.rstrip().endswith("systemctl enable --now lab-app.service")


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(port=st.integers(1, 65535), path=HEALTH_PATHS, fleet=st.sampled_from(["lab", "blue", "green"]))
def test_settings_survive_as_data_for_every_admitted_path(port: int, path: str, fleet: str) -> None:
    script = render_user_data(app_port=port, health_check_path=path, fleet=fleet)

    installed = read_settings(script)
    assert (installed.port, installed.health_path, installed.fleet) == (port, path, fleet)
    assert bash_syntax_ok(script)
    assert len(script.encode()) <= USER_DATA_LIMIT


def test_a_path_naming_the_heredoc_delimiter_cannot_end_the_file_early() -> None:
    script = render_user_data(app_port=80, health_check_path="/LAB_APP_CONFIG", fleet="blue")

    assert read_settings(script).health_path == "/LAB_APP_CONFIG"
    assert bash_syntax_ok(script)


@pytest.mark.parametrize(
    ("port", "path", "message"),
    [
        (0, "/health", "app_port 0"),
        (65536, "/health", "app_port 65536"),
        (80, "health", "not a single-line URL path"),
        (80, "/health\nLAB_APP_CONFIG\nrm -rf /", "not a single-line URL path"),
        (80, "/a\rb", "not a single-line URL path"),
    ],
)
def test_bad_settings_are_rejected_before_a_script_exists(port: int, path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_user_data(app_port=port, health_check_path=path, fleet="blue")


# --- the app ------------------------------------------------------------------------------------------


def test_app_source_runs_on_the_python_of_amazon_linux_2023() -> None:
    # AL2023 ships Python 3.9: the parser rejects newer syntax such as `match`.
    ast.parse(server_source(), feature_version=(3, 9))


def test_app_answers_its_health_path_with_200_and_names_its_fleet_at_root() -> None:
    config = appserver.AppConfig(port=80, health_path="/healthz", fleet="green")

    with serving(config) as base:
        assert fetch(f"{base}/healthz") == (200, b"ok\n")
        assert fetch(f"{base}/healthz?probe=elb") == (200, b"ok\n")
        assert fetch(f"{base}/healthz", method="HEAD") == (200, b"")
        status, body = fetch(f"{base}/")
        assert status == 200 and b"(green fleet)" in body
        assert fetch(f"{base}/health")[0] == 404
        assert fetch(f"{base}/../etc/passwd")[0] == 404


def test_app_reads_the_settings_file_the_script_writes() -> None:
    script = render_user_data(app_port=8080, health_check_path="/ready", fleet="blue")

    config = appserver.AppConfig.from_json(installed_file(script, "LAB_APP_CONFIG"))

    with serving(config) as base:
        assert fetch(f"{base}/ready")[0] == 200


def test_app_main_without_a_settings_file_prints_usage() -> None:
    assert appserver.main(["server.py"]) == 2

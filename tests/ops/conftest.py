"""moto's server, started once per test run on a free loopback port, and the AWS environment pointing at it.

Each test gets a clean emulator (``POST /moto-api/reset``) and the standard AWS environment variables
(dummy credentials, ``AWS_ENDPOINT_URL``), so the doctor reaches moto exactly as it would reach AWS.
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.motoserver import moto_server

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
# Rule logic imports as `guardrails`, as the packs (and ops.checks.policy_eval) import it.
if str(REPO / "policies") not in sys.path:
    sys.path.insert(0, str(REPO / "policies"))


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def aws_env(moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A clean emulator and the standard environment pointing at it; returns the endpoint URL."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    empty = tmp_path / "empty-aws-file"
    empty.write_text("")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    # moto answers the calls it lacks with HTTP 500; one attempt keeps the fallbacks fast.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return moto_url


@pytest.fixture
def session(aws_env: str) -> boto3.Session:
    return boto3.Session()

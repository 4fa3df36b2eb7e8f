"""Bad config through the real program: a one-line RunError naming the key, and nothing registered.

``__main__.py`` runs under the mock engine exactly as the language host runs it, so "nothing
registered" means what a real `pulumi up` would create: not one resource, not even the provider.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
import yaml

from offline.harness import STACK_TYPE, ProgramRun
from offline.mockcloud import MockCloud
from tests.conftest import PROJECT, REPO, RunMain

ACM_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f2b8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
PROD = {"production": "true"}

# (bad-config class, config keys, the key the message must name)
BAD_CONFIG: list[tuple[str, dict[str, str], str]] = [
    # issue 2: the lab contract
    ("ssh cidr missing", {"sshCidr": ""}, "sshCidr"),
    ("ssh cidr is the internet", {"sshCidr": "0.0.0.0/0"}, "sshCidr"),
    ("ssh cidr wider than a host", {"sshCidr": "203.0.113.0/24"}, "sshCidr"),
    ("ssh cidr is ipv6", {"sshCidr": "2001:db8::10/128"}, "sshCidr"),
    ("ssh cidr is garbage", {"sshCidr": "my laptop"}, "sshCidr"),
    ("ssh cidr has host bits", {"sshCidr": "203.0.113.10/24"}, "sshCidr"),
    ("capacities out of order", {**PROD, "minSize": "3", "desiredCapacity": "2"}, "desiredCapacity"),
    ("max below desired", {**PROD, "maxSize": "1"}, "maxSize"),
    ("one zone in production", {**PROD, "azCount": "1"}, "azCount"),
    ("app port zero", {"appPort": "0"}, "appPort"),
    ("app port above 65535", {"appPort": "65536"}, "appPort"),
    ("instance type empty", {"instanceType": ""}, "instanceType"),
    ("instance type malformed", {"instanceType": "large"}, "instanceType"),
    ("ssh public key malformed", {"sshPublicKey": "ssh-ed25519 not-a-key"}, "sshPublicKey"),
    ("ssh public key is a private key", {"sshPublicKey": "-----BEGIN OPENSSH PRIVATE KEY-----"}, "sshPublicKey"),
    ("production not a boolean", {"production": "yes"}, "production"),
    # issue 3: production keys
    ("default vpc in production", {**PROD, "useDefaultVpc": "true"}, "useDefaultVpc"),
    ("green weight above 100", {**PROD, "green": json.dumps({"amiId": "ami-12345678", "weight": 150})}, "green.weight"),
    ("green weight negative", {**PROD, "green": json.dumps({"amiId": "ami-12345678", "weight": -5})}, "green.weight"),
    (
        "certificate arn malformed",
        {**PROD, "certificateArn": "arn:aws:acm:us-east-1:1:certificate/x"},
        "certificateArn",
    ),
    ("nat gateways unknown", {**PROD, "natGateways": "double"}, "natGateways"),
    # the rest of the contract
    ("unknown key", {"sshCIDR": "203.0.113.10/32"}, "sshCIDR"),
    ("ami id malformed", {"amiId": "ami-xyz"}, "amiId"),
    ("app bucket wildcard", {"appBucket": "my-bucket/*"}, "appBucket"),
    ("vpc cidr too small", {"vpcCidr": "10.0.0.0/24"}, "vpcCidr"),
    ("az count above six", {"azCount": "7"}, "azCount"),
    ("production key in the lab", {"certificateArn": ACM_ARN}, "certificateArn"),
    ("target cpu out of range", {**PROD, "targetCpuPercent": "99"}, "targetCpuPercent"),
    ("health check path not a path", {**PROD, "healthCheckPath": "health"}, "healthCheckPath"),
    ("boolean typo", {"useDefaultVpc": "ture"}, "useDefaultVpc"),
    ("region malformed", {"aws:region": "mars-north"}, "aws:region"),
]


def assert_config_error(run: ProgramRun, key: str) -> str:
    assert isinstance(run.error, pulumi.RunError), repr(run.error)
    message = str(run.error)
    assert message.startswith(f"config '{key}': "), message
    assert "\n" not in message and "Fix: " in message
    return message


@pytest.mark.parametrize(
    ("keys", "key"), [(keys, key) for _, keys, key in BAD_CONFIG], ids=[c for c, _, _ in BAD_CONFIG]
)
def test_bad_config_stops_the_program_before_anything_registers(
    run_main: RunMain, keys: dict[str, str], key: str
) -> None:
    run = run_main(**keys)
    assert_config_error(run, key)
    assert [r.type for r in run.resources] == [STACK_TYPE]


def test_good_config_registers_the_stack(run_main: RunMain) -> None:
    # The control for the test above: the same harness does record resources when config is valid.
    run = run_main().check()
    assert len(run.managed()) > 5
    assert run.outputs["vpcId"].startswith("vpc-")


# --- errors that need the region: after the provider, before any cloud resource -------------------


def test_more_zones_than_the_region_offers_registers_no_cloud_resource(run_main: RunMain) -> None:
    run = run_main(
        MockCloud(region="eu-west-1"), base={"aws:region": "eu-west-1"}, sshCidr="203.0.113.10/32", azCount="4"
    )
    assert "offers 3" in assert_config_error(run, "azCount")
    assert run.managed() == []


def test_missing_default_vpc_registers_no_cloud_resource(run_main: RunMain) -> None:
    run = run_main(MockCloud(has_default_vpc=False), useDefaultVpc="true")
    assert "no default VPC" in assert_config_error(run, "useDefaultVpc")
    assert run.managed() == []


# --- the stack files a user starts from ------------------------------------------------------------


def _stack_file_config(stack: str) -> dict[str, str]:
    """Pulumi.<stack>.yaml's values as the CLI hands them to a program: text, booleans lower-case."""
    values: dict[str, Any] = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in values.items()}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stack_files_are_valid_config(run_main: RunMain, stack: str) -> None:
    config = _stack_file_config(stack)
    assert all(key.startswith((f"{PROJECT}:", "aws:")) for key in config)
    run = run_main(stack=stack, base=config).check()
    assert run.managed()

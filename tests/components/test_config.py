"""The config contract, key by key: good values parse to the typed field, bad ones name their key.

Pure: ``parse_config`` sees the bare-key text map ``read_raw_config`` would hand it, no engine involved.
"""

from __future__ import annotations

import base64
import contextvars
import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.awsaccess import AwsAccess
from components.config import (
    KNOWN_KEYS,
    AppBucket,
    ConfigError,
    GreenFleet,
    StackConfig,
    check_certificate_region,
    parse_aws_access,
    parse_config,
    parse_ssh_cidr,
    read_raw_config,
)

SSH_CIDR = "203.0.113.10/32"
LAB = {"sshCidr": SSH_CIDR}
PROD = {"production": "true"}
ACM_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f2b8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"


def openssh(public_key: Any) -> str:
    return public_key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


ED25519_KEY = openssh(ed25519.Ed25519PrivateKey.generate().public_key())
RSA_2048_KEY = openssh(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())
RSA_1024_KEY = openssh(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())
ECDSA_KEY = openssh(ec.generate_private_key(ec.SECP256R1()).public_key())


def rejects(raw: Mapping[str, str], key: str) -> ConfigError:
    """Parse ``raw``, expect a ConfigError naming ``key`` on one line, and return it."""
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    error = caught.value
    message = str(error)
    assert error.key == key, message
    assert message.startswith(f"config '{key}': "), message
    assert "Fix: " in message
    assert "\n" not in message and "\r" not in message
    return error


# --- the whole contract ---------------------------------------------------------------------------


def test_lab_defaults_match_the_documented_contract() -> None:
    # GIVEN only the required key WHEN parsed THEN every other field takes its documented default
    assert parse_config(LAB) == StackConfig(ssh_cidr=SSH_CIDR)
    config = parse_config(LAB)
    assert (config.instance_type, config.az_count, config.app_port) == ("t3.micro", 2, 80)
    assert (config.min_size, config.desired_capacity, config.max_size) == (1, 2, 4)
    assert config.ssh_enabled and not config.production and not config.use_default_vpc
    assert config.session_manager and config.nat_gateways == "perAz"


def test_pulumi_yaml_empty_defaults_read_as_unset() -> None:
    # The project schema gives optional strings a "" default; the CLI hands those to the program.
    raw = {**LAB, "sshPublicKey": "", "amiId": "", "appBucket": "", "certificateArn": "", "green": " "}
    config = parse_config(raw)
    assert config.ssh_public_key is None and config.ami_id is None and config.app_bucket is None
    assert config.certificate_arn is None and config.green is None


def test_unknown_key_is_named_with_a_suggestion() -> None:
    error = rejects({**LAB, "sshCIDR": SSH_CIDR}, "sshCIDR")
    assert "did you mean 'sshCidr'" in str(error)


def test_unknown_key_without_a_close_match() -> None:
    error = rejects({**LAB, "zzz": "1"}, "zzz")
    assert "did you mean" not in str(error)


# --- sshCidr --------------------------------------------------------------------------------------


def test_ssh_cidr_required_while_ssh_enabled() -> None:
    error = rejects({}, "sshCidr")
    assert "checkip.amazonaws.com" in str(error)


def test_ssh_cidr_not_required_when_ssh_disabled() -> None:
    config = parse_config({"sshEnabled": "false"})
    assert not config.ssh_enabled and config.ssh_cidr is None


@pytest.mark.parametrize("value", ["203.0.113.10/32", "198.51.100.255/32", " 192.0.2.1/32 "])
def test_ssh_cidr_accepts_one_ipv4_host(value: str) -> None:
    assert parse_config({"sshCidr": value}).ssh_cidr == value.strip()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("0.0.0.0/0", "not a single host"),
        ("203.0.113.0/24", "not a single host"),
        ("203.0.113.10/31", "not a single host"),
        ("203.0.113.10/24", "not a CIDR"),  # host bits set
        ("203.0.113.10", "no prefix length"),
        ("2001:db8::1/128", "IPv6"),
        ("::/0", "IPv6"),
        ("garbage", "not a CIDR"),
        ("203.0.113.10/33", "not a CIDR"),
        ("203.0.113.010/32", "not a CIDR"),  # leading zeros are ambiguous (octal in some tools)
        ("203.0.113.10/255.255.255.255", "canonical"),
        ("203.0.113.10/32,0.0.0.0/0", "not a CIDR"),
        ("203.0.113.10/32\n0.0.0.0/0", "not a CIDR"),
    ],
)
def test_ssh_cidr_rejects_everything_but_a_canonical_host(value: str, why: str) -> None:
    error = rejects({"sshCidr": value}, "sshCidr")
    assert re.search(why, str(error)), str(error)


@given(st.ip_addresses(v=4))
def test_every_canonical_ipv4_host_is_accepted(address: ipaddress.IPv4Address) -> None:
    assert parse_ssh_cidr(f"{address}/32") == f"{address}/32"


@given(st.ip_addresses(v=4), st.integers(min_value=0, max_value=31))
def test_every_wider_ipv4_prefix_is_rejected(address: ipaddress.IPv4Address, prefix: int) -> None:
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    for value in (str(network), f"{address}/{prefix}"):
        rejects({"sshCidr": value}, "sshCidr")


@given(st.ip_addresses(v=6), st.integers(min_value=0, max_value=128))
def test_every_ipv6_block_is_rejected(address: ipaddress.IPv6Address, prefix: int) -> None:
    rejects({"sshCidr": str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))}, "sshCidr")


# --- sshPublicKey ---------------------------------------------------------------------------------


# Keys are generated per run, so ids name them: a test id must not change between collections.
@pytest.mark.parametrize(
    "key",
    [ED25519_KEY, RSA_2048_KEY, ED25519_KEY + " me@laptop", "  " + RSA_2048_KEY + "\n"],
    ids=["ed25519", "rsa-2048", "ed25519-with-comment", "rsa-2048-padded"],
)
def test_ssh_public_key_accepts_importable_keys(key: str) -> None:
    assert parse_config({**LAB, "sshPublicKey": key}).ssh_public_key == key.strip()


def _swap_type(key: str, new_type: str) -> str:
    return " ".join([new_type, *key.split()[1:]])


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
        ("ssh-ed25519", "must start with"),
        ("AAAAC3NzaC1lZDI1NTE5AAAAIO", "must start with"),
        ("ssh-ed25519 not*base64", "base64"),
        (_swap_type(ED25519_KEY, "ssh-rsa"), "does not encode a ssh-rsa"),
        (_swap_type(RSA_2048_KEY, "ssh-ed25519"), "does not encode a ssh-ed25519"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "malformed"),  # right type, truncated key
        (RSA_1024_KEY, "too weak"),
        (ECDSA_KEY, "cannot import"),
        ("ssh-dss AAAAB3NzaC1kc3M=", "cannot import"),
        (ED25519_KEY + "\n" + ED25519_KEY, "more than one line"),
        ('from="10.0.0.1" ' + ED25519_KEY, "must start with"),
    ],
    ids=[
        "private-key",
        "type-only",
        "body-only",
        "not-base64",
        "ed25519-body-as-rsa",
        "rsa-body-as-ed25519",
        "truncated",
        "rsa-1024",
        "ecdsa",
        "dss",
        "two-lines",
        "options-prefix",
    ],
)
def test_ssh_public_key_rejects_malformed_keys(key: str, why: str) -> None:
    error = rejects({**LAB, "sshPublicKey": key}, "sshPublicKey")
    assert re.search(why, str(error)), str(error)


def test_ssh_public_key_error_never_echoes_the_key_material() -> None:
    body = RSA_1024_KEY.split()[1]
    error = rejects({**LAB, "sshPublicKey": RSA_1024_KEY}, "sshPublicKey")
    assert body[:40] not in str(error)


# --- instanceType and amiId -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["t3.micro", "m7g.large", "c5n.18xlarge", "u-6tb1.metal", "mac2-m2pro.metal"])
def test_instance_type_accepts_family_dot_size(value: str) -> None:
    assert parse_config({**LAB, "instanceType": value}).instance_type == value


@pytest.mark.parametrize(("value", "why"), [("", "is empty"), ("   ", "is empty"), ("t3", "family.size")])
def test_instance_type_rejects_empty_and_malformed(value: str, why: str) -> None:
    assert why in str(rejects({**LAB, "instanceType": value}, "instanceType"))


@pytest.mark.parametrize("value", ["T3.MICRO", "t3..micro", "t3.micro;reboot", "t3.micro t3.large", "x" * 40 + ".l"])
def test_instance_type_rejects_what_ec2_would_refuse(value: str) -> None:
    rejects({**LAB, "instanceType": value}, "instanceType")


@pytest.mark.parametrize("value", ["ami-12345678", "ami-0123456789abcdef0"])
def test_ami_id_accepts_both_id_lengths(value: str) -> None:
    assert parse_config({**LAB, "amiId": value}).ami_id == value


@pytest.mark.parametrize("value", ["ami-123", "ami-0123456789ABCDEF0", "i-0123456789abcdef0", "al2023", "ami-1234567g"])
def test_ami_id_rejects_non_ids(value: str) -> None:
    rejects({**LAB, "amiId": value}, "amiId")


# --- booleans -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["production", "useDefaultVpc", "sessionManager", "sshEnabled", "deletionProtection"])
@pytest.mark.parametrize("value", ["yes", "1", "on", "tru", "false!", "null"])
def test_booleans_reject_anything_but_true_or_false(key: str, value: str) -> None:
    rejects({**LAB, key: value}, key)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("True", True), (" FALSE ", False)])
def test_booleans_accept_true_and_false(value: str, expected: bool) -> None:
    assert parse_config({**LAB, "useDefaultVpc": value}).use_default_vpc is expected
    assert parse_config({**LAB, "sessionManager": value}).session_manager is expected


def test_non_boolean_production_is_rejected_before_anything_else() -> None:
    # Even with other problems present, the flag that decides which rules apply is named first.
    rejects({"production": "maybe", "azCount": "0"}, "production")


# --- network keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["10.0.0.0/16", "172.31.0.0/16", "192.168.4.0/23", "10.128.0.0/20"])
def test_vpc_cidr_accepts_private_blocks_the_planner_fits(value: str) -> None:
    assert parse_config({**LAB, "vpcCidr": value}).vpc_cidr == value


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("10.0.0.0/24", "/16 to /23"),  # subnets would be smaller than AWS's /28 minimum
        ("10.0.0.0/8", "/16 to /23"),
        ("10.0.0.1/16", "host bits"),
        ("8.8.0.0/16", "RFC 1918"),
        ("127.0.0.0/16", "RFC 1918"),
        ("169.254.0.0/16", "RFC 1918"),
        ("fd00::/56", "IPv4"),
        ("ten", "not a CIDR"),
    ],
)
def test_vpc_cidr_rejects_blocks_aws_or_the_planner_cannot_use(value: str, why: str) -> None:
    assert why in str(rejects({**LAB, "vpcCidr": value}, "vpcCidr"))


@pytest.mark.parametrize(
    ("value", "fix"),
    [
        ("10.0.0.1/16", "pulumi config set vpcCidr 10.0.0.0/16"),
        ("10.1.2.3/20", "pulumi config set vpcCidr 10.1.0.0/20"),
        (" 192.168.5.0/23 ", "pulumi config set vpcCidr 192.168.4.0/23"),
        ("172.31.255.255/16", "pulumi config set vpcCidr 172.31.0.0/16"),
    ],
)
def test_vpc_cidr_with_host_bits_is_refused_with_the_block_it_lies_in_as_the_fix(value: str, fix: str) -> None:
    message = str(rejects({**LAB, "vpcCidr": value}, "vpcCidr"))
    block = fix.rsplit(" ", 1)[1]
    assert message == (
        f"config 'vpcCidr': \"{value}\" has host bits set: a /{block.split('/')[1]} block starts at "
        f"{block.split('/')[0]}. Fix: {fix}"
    )


@pytest.mark.parametrize("value", ["10.0.0.1/8", "8.8.8.8/16", "fd00::1/56", "10.0.0.1/24"])
def test_vpc_cidr_with_host_bits_in_an_unusable_block_gets_the_general_fix(value: str) -> None:
    message = str(rejects({**LAB, "vpcCidr": value}, "vpcCidr"))
    assert "has host bits set" in message
    assert message.endswith("Fix: pulumi config set vpcCidr 10.0.0.0/16 (a private IPv4 block from /16 to /23)")


def test_vpc_cidr_in_netmask_form_is_read_as_its_prefix() -> None:
    assert parse_config({**LAB, "vpcCidr": "10.0.0.0/255.255.0.0"}).vpc_cidr == "10.0.0.0/16"


@pytest.mark.parametrize("value", ["1", "2", "6"])
def test_az_count_accepts_one_to_six_in_the_lab(value: str) -> None:
    assert parse_config({**LAB, "azCount": value}).az_count == int(value)


@pytest.mark.parametrize("value", ["0", "7", "-1", "two", "2.0", "1e1", "٣", "9" * 5000])
def test_az_count_rejects_out_of_range_and_non_integers(value: str) -> None:
    rejects({**LAB, "azCount": value}, "azCount")


def test_az_count_below_two_is_rejected_in_production() -> None:
    error = rejects({**PROD, "azCount": "1"}, "azCount")
    assert "one Availability Zone" in str(error)


def test_default_vpc_is_rejected_in_production() -> None:
    error = rejects({**PROD, "useDefaultVpc": "true"}, "useDefaultVpc")
    assert "production" in str(error)


@pytest.mark.parametrize(("value", "expected"), [("perAz", "perAz"), ("single", "single")])
def test_nat_gateways_accepts_both_layouts(value: str, expected: str) -> None:
    assert parse_config({**PROD, "natGateways": value}).nat_gateways == expected


@pytest.mark.parametrize("value", ["PerAz", "per-az", "none", "2", "SINGLE"])
def test_unknown_nat_gateways_value_is_rejected(value: str) -> None:
    rejects({**PROD, "natGateways": value}, "natGateways")


# --- appBucket ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("my-bucket", AppBucket("my-bucket", "")),
        ("my-bucket/app", AppBucket("my-bucket", "app")),
        ("s3://my-bucket/app/config/", AppBucket("my-bucket", "app/config")),
        ("logs.example.com/2024", AppBucket("logs.example.com", "2024")),
    ],
)
def test_app_bucket_accepts_bucket_and_optional_prefix(value: str, expected: AppBucket) -> None:
    assert parse_config({**LAB, "appBucket": value}).app_bucket == expected


@pytest.mark.parametrize(
    "value",
    [
        "My_Bucket",
        "ab",
        "-bucket",
        "bucket-",
        "a..b",
        "a.-b",
        "192.168.1.1",
        "*",
        "bucket/app*",
        "bucket/a?b",
        "b" * 64,
    ],
)
def test_app_bucket_rejects_bad_names_and_wildcard_prefixes(value: str) -> None:
    rejects({**LAB, "appBucket": value}, "appBucket")


def test_app_bucket_rejects_control_characters_in_the_prefix() -> None:
    rejects({**LAB, "appBucket": "bucket/app\x00x"}, "appBucket")
    rejects({**LAB, "appBucket": "bucket/a//b"}, "appBucket")


# --- capacities and port --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "blamed"),
    [
        ({"minSize": "0"}, "minSize"),
        ({"minSize": "3"}, "minSize"),  # above the default desired capacity of 2
        ({"desiredCapacity": "0"}, "desiredCapacity"),
        ({"desiredCapacity": "5"}, "desiredCapacity"),  # above the default max of 4
        ({"maxSize": "1"}, "maxSize"),
        ({"minSize": "3", "desiredCapacity": "2", "maxSize": "4"}, "desiredCapacity"),
    ],
)
def test_capacities_out_of_order_name_the_key(keys: dict[str, str], blamed: str) -> None:
    error = rejects({**PROD, **keys}, blamed)
    assert "1 <= minSize <= desiredCapacity <= maxSize" in str(error)


@pytest.mark.parametrize(("key", "value"), [("minSize", "x"), ("maxSize", "4.5"), ("desiredCapacity", "1001")])
def test_capacities_reject_non_integers_and_absurd_sizes(key: str, value: str) -> None:
    rejects({**PROD, key: value}, key)


@given(*(st.integers(min_value=-2, max_value=12) for _ in range(3)))
def test_capacities_are_accepted_exactly_when_ordered(low: int, desired: int, high: int) -> None:
    raw = {**PROD, "minSize": str(low), "desiredCapacity": str(desired), "maxSize": str(high)}
    if 1 <= low <= desired <= high:
        config = parse_config(raw)
        assert (config.min_size, config.desired_capacity, config.max_size) == (low, desired, high)
    else:
        with pytest.raises(ConfigError) as caught:
            parse_config(raw)
        assert caught.value.key in {"minSize", "desiredCapacity", "maxSize"}


@given(st.integers(min_value=1, max_value=65535))
def test_every_valid_app_port_is_accepted(port: int) -> None:
    assert parse_config({**LAB, "appPort": str(port)}).app_port == port


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=65536)))
def test_every_app_port_outside_the_tcp_range_is_rejected(port: int) -> None:
    rejects({**LAB, "appPort": str(port)}, "appPort")


@pytest.mark.parametrize("value", ["http", "80.0", "0x50", "8 0", "٨٠"])
def test_app_port_rejects_non_integers(value: str) -> None:
    rejects({**LAB, "appPort": value}, "appPort")


# --- production-only keys -------------------------------------------------------------------------


def test_production_never_opens_ssh() -> None:
    config = parse_config({**PROD, "sshEnabled": "true"})
    assert config.production and not config.ssh_enabled


@pytest.mark.parametrize(("value", "expected"), [("10", 10.0), ("90", 90.0), ("55.5", 55.5)])
def test_target_cpu_accepts_ten_to_ninety(value: str, expected: float) -> None:
    assert parse_config({**PROD, "targetCpuPercent": value}).target_cpu_percent == expected


@pytest.mark.parametrize("value", ["5", "95", "9.99", "90.01", "fifty", "nan", "inf", "-inf"])
def test_target_cpu_rejects_out_of_range(value: str) -> None:
    rejects({**PROD, "targetCpuPercent": value}, "targetCpuPercent")


@pytest.mark.parametrize(("value", "shown"), [("90.5", "90.5"), ("9.5", "9.5"), ("1e3", "1000")])
def test_target_cpu_message_names_the_value_the_range_and_the_fix(value: str, shown: str) -> None:
    message = str(rejects({**PROD, "targetCpuPercent": value}, "targetCpuPercent"))
    assert message == (
        f"config 'targetCpuPercent': {shown} is outside 10-90. "
        "Fix: pulumi config set targetCpuPercent 50 (a number from 10 to 90)"
    )


@pytest.mark.parametrize("value", ["/health", "/", "/api/v1/ready"])
def test_health_check_path_accepts_paths(value: str) -> None:
    assert parse_config({**PROD, "healthCheckPath": value}).health_check_path == value


@pytest.mark.parametrize("value", ["health", "http://x/health", "/he alth", "/" + "a" * 1100])
def test_health_check_path_rejects_non_paths(value: str) -> None:
    rejects({**PROD, "healthCheckPath": value}, "healthCheckPath")


def test_certificate_arn_accepts_acm_and_iam_certificates() -> None:
    assert parse_config({**PROD, "certificateArn": ACM_ARN}).certificate_arn == ACM_ARN
    iam = "arn:aws:iam::123456789012:server-certificate/prod/site"
    assert parse_config({**PROD, "certificateArn": iam}).certificate_arn == iam


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:acm:us-east-1:123:certificate/x",
        "arn:aws:s3:::bucket",
        ACM_ARN.replace("acm", "acm-pca"),
        ACM_ARN + "/extra",
        "certificate",
    ],
)
def test_malformed_certificate_arn_is_rejected(value: str) -> None:
    rejects({**PROD, "certificateArn": value}, "certificateArn")


@pytest.mark.parametrize(
    ("key", "value"), [("certificateArn", ACM_ARN), ("green", json.dumps({"amiId": "ami-12345678"}))]
)
def test_production_only_keys_are_rejected_in_the_lab(key: str, value: str) -> None:
    assert "production" in str(rejects({**LAB, key: value}, key))


def test_green_fleet_parses_with_defaults() -> None:
    config = parse_config({**PROD, "green": json.dumps({"amiId": "ami-12345678"})})
    assert config.green == GreenFleet(ami_id="ami-12345678", instance_type=None, weight=0)
    full = {"amiId": "ami-0123456789abcdef0", "instanceType": "t3.small", "weight": 25}
    assert parse_config({**PROD, "green": json.dumps(full)}).green == GreenFleet(
        "ami-0123456789abcdef0", "t3.small", 25
    )


@given(st.integers(min_value=0, max_value=100))
def test_every_green_weight_from_zero_to_hundred_is_accepted(weight: int) -> None:
    green = parse_config({**PROD, "green": json.dumps({"amiId": "ami-12345678", "weight": weight})}).green
    assert green is not None and green.weight == weight


@pytest.mark.parametrize(
    ("green", "key"),
    [
        ({"amiId": "ami-12345678", "weight": 101}, "green.weight"),
        ({"amiId": "ami-12345678", "weight": -1}, "green.weight"),
        ({"amiId": "ami-12345678", "weight": 10.5}, "green.weight"),
        ({"amiId": "ami-12345678", "weight": True}, "green.weight"),
        ({"amiId": "ami-12345678", "weight": "ten"}, "green.weight"),
        ({"amiId": "ami-12345678", "weight": None}, "green.weight"),
        ({"weight": 10}, "green.amiId"),
        ({"amiId": "ami-bad"}, "green.amiId"),
        ({"amiId": "ami-12345678", "instanceType": "big"}, "green.instanceType"),
        ({"amiId": "ami-12345678", "instanceType": 3}, "green.instanceType"),
        ({"amiId": "ami-12345678", "wieght": 10}, "green"),
    ],
)
def test_bad_green_fleet_names_the_field(green: dict[str, Any], key: str) -> None:
    rejects({**PROD, "green": json.dumps(green)}, key)


@pytest.mark.parametrize(
    "raw", ["ami-12345678", "[1]", "{", "[" * 100_000, '{"amiId": "ami-12345678", "weight": ' + "1" * 5000 + "}"]
)
def test_green_that_is_not_a_json_object_is_rejected(raw: str) -> None:
    rejects({**PROD, "green": raw}, "green")


# --- no input produces a traceback ----------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["amiId", "weight", "instanceType", "x"]), inner, max_size=3)
    ),
    max_leaves=6,
)
_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["true", "false", "0", "1", "-1", "65536", "/32", "0.0.0.0/0", "ami-12345678", "{}", "null"]),
    st.builds(json.dumps, _JSON),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([{}, LAB, PROD]), st.dictionaries(st.sampled_from(KNOWN_KEYS), _VALUES, max_size=4))
def test_any_text_either_parses_or_fails_with_a_one_line_config_error(
    base: dict[str, str], keys: dict[str, str]
) -> None:
    try:
        config = parse_config({**base, **keys})
    except ConfigError as error:
        assert error.key in KNOWN_KEYS or error.key.startswith("green.")
        assert str(error).startswith(f"config '{error.key}': ") and "\n" not in str(error)
    else:
        assert isinstance(config, StackConfig)


# --- integer reading: the length bound sits in front of int() --------------------------------------


def test_integer_of_twenty_characters_is_read_by_value() -> None:
    assert parse_config({**LAB, "azCount": "0" * 19 + "2"}).az_count == 2
    assert parse_config({**LAB, "azCount": "+" + "0" * 18 + "3"}).az_count == 3


@pytest.mark.parametrize("value", ["0" * 20 + "2", "9" * 21, "9" * 5000])
def test_integer_longer_than_twenty_characters_is_refused_before_int_reads_it(value: str) -> None:
    message = str(rejects({**LAB, "azCount": value}, "azCount"))
    shown = value if len(value) <= 60 else value[:57] + "..."
    assert message == f"config 'azCount': \"{shown}\" is outside 1-6. Fix: pulumi config set azCount <integer 1-6>"


def test_integer_in_range_by_length_but_not_by_value_names_the_value() -> None:
    message = str(rejects({**LAB, "azCount": "0" * 18 + "07"}, "azCount"))
    assert message == "config 'azCount': 7 is outside 1-6. Fix: pulumi config set azCount <integer 1-6>"


# --- every refusal, word for word: the key, the problem and the fix are all the operator gets ----------

REFUSALS = [
    pytest.param(
        {**LAB, "vpccidr": "10.0.0.0/16"},
        ("config 'vpccidr': is not a key this project reads. Fix: did you mean 'vpcCidr'? pulumi config rm vpccidr"),
        id="unknown-key-close",
    ),
    pytest.param(
        {**LAB, "zzz": "1"},
        "config 'zzz': is not a key this project reads. Fix: pulumi config rm zzz",
        id="unknown-key-far",
    ),
    pytest.param(
        {**LAB, "sessionManager": "yes"},
        ("config 'sessionManager': \"yes\" is not a boolean. Fix: pulumi config set sessionManager true (or false)"),
        id="bool",
    ),
    pytest.param(
        {**LAB, "azCount": "two"},
        "config 'azCount': \"two\" is not a whole number. Fix: pulumi config set azCount <integer 1-6>",
        id="int-text",
    ),
    pytest.param(
        {**LAB, "azCount": "7"},
        "config 'azCount': 7 is outside 1-6. Fix: pulumi config set azCount <integer 1-6>",
        id="int-range",
    ),
    pytest.param(
        {**LAB, "azCount": "0"},
        "config 'azCount': 0 is outside 1-6. Fix: pulumi config set azCount <integer 1-6>",
        id="int-low",
    ),
    pytest.param(
        {},
        (
            "config 'sshCidr': is required while SSH is enabled. Fix: pulumi config set sshCidr \"$(curl -s "
            'https://checkip.amazonaws.com)/32", or pulumi config set sshEnabled false'
        ),
        id="ssh-required",
    ),
    pytest.param(
        {"sshCidr": "nope"},
        (
            'config \'sshCidr\': "nope" is not a CIDR block. Fix: pulumi config set sshCidr "$(curl -s '
            'https://checkip.amazonaws.com)/32"'
        ),
        id="ssh-not-cidr",
    ),
    pytest.param(
        {"sshCidr": "2001:db8::1/128"},
        (
            "config 'sshCidr': \"2001:db8::1/128\" is IPv6; SSH is admitted from one IPv4 host only. Fix: "
            'pulumi config set sshCidr "$(curl -s https://checkip.amazonaws.com)/32"'
        ),
        id="ssh-ipv6",
    ),
    pytest.param(
        {"sshCidr": "203.0.113.10"},
        (
            "config 'sshCidr': \"203.0.113.10\" has no prefix length; write the host as 203.0.113.10/32. Fix: "
            'pulumi config set sshCidr "$(curl -s https://checkip.amazonaws.com)/32"'
        ),
        id="ssh-no-prefix",
    ),
    pytest.param(
        {"sshCidr": "203.0.113.0/24"},
        (
            "config 'sshCidr': \"203.0.113.0/24\" is not a single host /32; it admits 256 addresses. Fix: "
            'pulumi config set sshCidr "$(curl -s https://checkip.amazonaws.com)/32"'
        ),
        id="ssh-wide",
    ),
    pytest.param(
        {**LAB, "sshPublicKey": "-----BEGIN OPENSSH PRIVATE KEY-----"},
        (
            "config 'sshPublicKey': this is a private key; it must never leave your machine. Fix: pulumi "
            'config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)" (the .pub file, never the private key)'
        ),
        id="key-private",
    ),
    pytest.param(
        {**LAB, "sshPublicKey": "ssh-ed25519 AAAA\nssh-ed25519 BBBB"},
        (
            "config 'sshPublicKey': holds more than one line. Fix: pulumi config set sshPublicKey \"$(cat "
            '~/.ssh/id_ed25519.pub)" (the .pub file, never the private key)'
        ),
        id="key-lines",
    ),
    pytest.param(
        {**LAB, "sshPublicKey": "ecdsa-sha2-nistp256 AAAA"},
        (
            "config 'sshPublicKey': EC2 cannot import \"ecdsa-sha2-nistp256\" keys, only ssh-ed25519 or "
            'ssh-rsa. Fix: ssh-keygen -t ed25519, then pulumi config set sshPublicKey "$(cat '
            '~/.ssh/id_ed25519.pub)"'
        ),
        id="key-ecdsa",
    ),
    pytest.param(
        {**LAB, "sshPublicKey": "ssh-foo AAAA"},
        (
            "config 'sshPublicKey': must start with one of ssh-ed25519, ssh-rsa followed by the key. Fix: "
            'pulumi config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)" (the .pub file, never the private '
            "key)"
        ),
        id="key-type",
    ),
    pytest.param(
        {**LAB, "sshPublicKey": "ssh-ed25519"},
        (
            "config 'sshPublicKey': must start with one of ssh-ed25519, ssh-rsa followed by the key. Fix: "
            'pulumi config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)" (the .pub file, never the private '
            "key)"
        ),
        id="key-one-part",
    ),
    pytest.param(
        {**LAB, "sshPublicKey": "ssh-ed25519 !!!"},
        (
            "config 'sshPublicKey': the key body is not valid base64. Fix: pulumi config set sshPublicKey "
            '"$(cat ~/.ssh/id_ed25519.pub)" (the .pub file, never the private key)'
        ),
        id="key-b64",
    ),
    pytest.param(
        {**LAB, "sshPublicKey": "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ=="},
        (
            "config 'sshPublicKey': the key body does not encode a ssh-ed25519 key. Fix: pulumi config set "
            'sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)" (the .pub file, never the private key)'
        ),
        id="key-mismatch",
    ),
    pytest.param(
        {**LAB, "instanceType": " "},
        "config 'instanceType': is empty. Fix: pulumi config set instanceType t3.micro",
        id="itype-empty",
    ),
    pytest.param(
        {**LAB, "instanceType": "T3.micro"},
        (
            "config 'instanceType': \"T3.micro\" is not an EC2 instance type (family.size, e.g. t3.micro). "
            "Fix: pulumi config set instanceType t3.micro"
        ),
        id="itype-bad",
    ),
    pytest.param(
        {**LAB, "amiId": "ami-123"},
        (
            "config 'amiId': \"ami-123\" is not an AMI id (ami- and 8 or 17 hex digits). Fix: pulumi config "
            "set amiId ami-0123456789abcdef0, or unset it for the latest Amazon Linux 2023"
        ),
        id="ami-bad",
    ),
    pytest.param(
        {**LAB, "appBucket": "My_Bucket"},
        (
            "config 'appBucket': \"My_Bucket\" does not start with a valid S3 bucket name. Fix: pulumi config "
            "set appBucket my-bucket/app (a bucket name and an optional prefix, no wildcards)"
        ),
        id="bucket-bad",
    ),
    pytest.param(
        {**LAB, "appBucket": "my-bucket/app/*"},
        (
            "config 'appBucket': the prefix of \"my-bucket/app/*\" holds a wildcard or control character. Fix: "
            "pulumi config set appBucket my-bucket/app (a bucket name and an optional prefix, no wildcards)"
        ),
        id="bucket-prefix",
    ),
    pytest.param(
        {**PROD, "certificateArn": "arn:aws:s3:::bucket"},
        (
            "config 'certificateArn': \"arn:aws:s3:::bucket\" is not an ACM certificate ARN. Fix: pulumi "
            "config set certificateArn arn:aws:acm:<region>:<account>:certificate/<uuid> (or unset it for "
            "HTTP only)"
        ),
        id="cert-bad",
    ),
    pytest.param(
        {**PROD, "healthCheckPath": "health"},
        ("config 'healthCheckPath': \"health\" is not a URL path. Fix: pulumi config set healthCheckPath /health"),
        id="health-bad",
    ),
    pytest.param(
        {**PROD, "natGateways": "none"},
        (
            "config 'natGateways': \"none\" is not perAz or single. Fix: pulumi config set natGateways perAz "
            "(one per AZ, survives an AZ outage) or single (cheaper)"
        ),
        id="nat-bad",
    ),
    pytest.param(
        {**PROD, "targetCpuPercent": "fifty"},
        (
            "config 'targetCpuPercent': \"fifty\" is not a number. Fix: pulumi config set targetCpuPercent 50 "
            "(a number from 10 to 90)"
        ),
        id="cpu-text",
    ),
    pytest.param(
        {**PROD, "minSize": "0"},
        (
            "config 'minSize': capacities must satisfy 1 <= minSize <= desiredCapacity <= maxSize (got 0, 2, "
            "4). Fix: pulumi config set minSize 1; pulumi config set desiredCapacity 2; pulumi config set "
            "maxSize 4"
        ),
        id="capacity-min",
    ),
    pytest.param(
        {**PROD, "minSize": "3", "desiredCapacity": "2"},
        (
            "config 'desiredCapacity': capacities must satisfy 1 <= minSize <= desiredCapacity <= maxSize "
            "(got 3, 2, 4). Fix: pulumi config set minSize 1; pulumi config set desiredCapacity 2; pulumi "
            "config set maxSize 4"
        ),
        id="capacity-order",
    ),
    pytest.param(
        {**PROD, "maxSize": "1"},
        (
            "config 'maxSize': capacities must satisfy 1 <= minSize <= desiredCapacity <= maxSize (got 1, 2, "
            "1). Fix: pulumi config set minSize 1; pulumi config set desiredCapacity 2; pulumi config set "
            "maxSize 4"
        ),
        id="capacity-max",
    ),
    pytest.param(
        {**PROD, "useDefaultVpc": "true"},
        (
            "config 'useDefaultVpc': cannot be true in production: default subnets are public and give no "
            "private tier. Fix: pulumi config set useDefaultVpc false"
        ),
        id="default-vpc-prod",
    ),
    pytest.param(
        {**PROD, "azCount": "1"},
        ("config 'azCount': 1 leaves production in one Availability Zone. Fix: pulumi config set azCount 2 (or more)"),
        id="az-prod",
    ),
    pytest.param(
        {**LAB, "green": '{"amiId": "ami-12345678"}'},
        ("config 'green': only applies to the production stack. Fix: pulumi config rm green, or set production true"),
        id="green-lab",
    ),
    pytest.param(
        {**LAB, "certificateArn": "x"},
        (
            "config 'certificateArn': only applies to the production stack. Fix: pulumi config rm "
            "certificateArn, or set production true"
        ),
        id="cert-lab",
    ),
    pytest.param(
        {**PROD, "green": "{"},
        (
            "config 'green': is not valid JSON (an object with amiId, instanceType, weight). Fix: pulumi "
            "config set --path green.amiId ami-... (and optionally green.instanceType, green.weight 0-100)"
        ),
        id="green-json",
    ),
    pytest.param(
        {**PROD, "green": "[]"},
        (
            "config 'green': is not an object. Fix: pulumi config set --path green.amiId ami-... (and "
            "optionally green.instanceType, green.weight 0-100)"
        ),
        id="green-list",
    ),
    pytest.param(
        {**PROD, "green": '{"amiId": "ami-12345678", "size": 1, "color": 2}'},
        (
            "config 'green': has unknown field(s) color, size. Fix: pulumi config set --path green.amiId "
            "ami-... (and optionally green.instanceType, green.weight 0-100)"
        ),
        id="green-field",
    ),
    pytest.param(
        {**PROD, "green": '{"weight": 5}'},
        (
            "config 'green.amiId': is required: the AMI the green fleet validates. Fix: pulumi config set "
            "--path green.amiId ami-... (and optionally green.instanceType, green.weight 0-100)"
        ),
        id="green-ami",
    ),
    pytest.param(
        {**PROD, "green": '{"amiId": "ami-1"}'},
        (
            "config 'green.amiId': \"ami-1\" is not an AMI id (ami- and 8 or 17 hex digits). Fix: pulumi "
            "config set --path green.amiId ami-0123456789abcdef0, or unset it for the latest Amazon Linux "
            "2023"
        ),
        id="green-ami-bad",
    ),
    pytest.param(
        {**PROD, "green": '{"amiId": "ami-12345678", "instanceType": 5}'},
        (
            "config 'green.instanceType': is not a string. Fix: pulumi config set --path green.amiId ami-... "
            "(and optionally green.instanceType, green.weight 0-100)"
        ),
        id="green-itype",
    ),
    pytest.param(
        {**PROD, "green": '{"amiId": "ami-12345678", "instanceType": "big"}'},
        (
            "config 'green.instanceType': \"big\" is not an EC2 instance type (family.size, e.g. t3.micro). "
            "Fix: pulumi config set --path green.instanceType t3.micro"
        ),
        id="green-itype-bad",
    ),
    pytest.param(
        {**PROD, "green": '{"amiId": "ami-12345678", "weight": true}'},
        "config 'green.weight': is not a whole number. Fix: pulumi config set --path green.weight 10",
        id="green-weight-bool",
    ),
    pytest.param(
        {**PROD, "green": '{"amiId": "ami-12345678", "weight": 10.5}'},
        "config 'green.weight': 10.5 is not a whole number. Fix: pulumi config set --path green.weight 10",
        id="green-weight-frac",
    ),
    pytest.param(
        {**PROD, "green": '{"amiId": "ami-12345678", "weight": 101}'},
        ("config 'green.weight': 101 is outside 0-100. Fix: pulumi config set --path green.weight <integer 0-100>"),
        id="green-weight-range",
    ),
]


@pytest.mark.parametrize(("raw", "message"), REFUSALS)
def test_every_refusal_names_the_key_the_problem_and_the_fix(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert str(caught.value) == message


# --- boundaries and byte-level checks the table above does not reach ------------------------------------


def test_instance_type_of_thirty_two_characters_is_the_longest_accepted() -> None:
    longest = "t" + "3" * 25 + ".micro"
    assert len(longest) == 32
    assert parse_config({**LAB, "instanceType": longest}).instance_type == longest
    rejects({**LAB, "instanceType": "t" + longest}, "instanceType")


KEY_FIX = 'pulumi config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)" (the .pub file, never the private key)'


def test_a_carriage_return_alone_splits_a_key_into_lines() -> None:
    body = ED25519_KEY.split()[1]
    message = str(rejects({**LAB, "sshPublicKey": f"ssh-ed25519 {body}\rssh-ed25519 {body}"}, "sshPublicKey"))
    assert message == f"config 'sshPublicKey': holds more than one line. Fix: {KEY_FIX}"


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(b"\x00\x00\x00\x0bssh-ed2551\xff" + b"\x00" * 36, id="non-ascii-type-name"),
        pytest.param(b"\x00\x00\x00\x00" + b"\x00" * 36, id="zero-length-type-name"),
    ],
)
def test_a_key_body_naming_another_type_is_refused_with_a_config_error(blob: bytes) -> None:
    key = "ssh-ed25519 " + base64.b64encode(blob).decode()
    message = str(rejects({**LAB, "sshPublicKey": key}, "sshPublicKey"))
    assert message == f"config 'sshPublicKey': the key body does not encode a ssh-ed25519 key. Fix: {KEY_FIX}"


def test_raw_config_reads_the_project_namespace_and_writes_objects_as_json() -> None:
    from pulumi.runtime import config as runtime_config

    def read() -> dict[str, str]:
        runtime_config.CONFIG.set(
            {
                "aws-compute-foundations:azCount": "3",
                "aws-compute-foundations:green": {"amiId": "ami-12345678", "weight": 5},
                "aws:region": "us-east-1",
                "aws-compute-foundationsX:other": "x",
            }
        )
        return read_raw_config()

    assert contextvars.copy_context().run(read) == {
        "azCount": "3",
        "green": '{"amiId": "ami-12345678", "weight": 5}',
    }


# --- the aws: settings the provider and the rollouts share, word for word ------------------------------

AWS_REFUSALS = [
    pytest.param(
        {"accessKey": "AKIA"},
        (
            "config 'aws:accessKey': is not read: the stack's AWS provider is explicit and takes region, "
            "profile and assumeRoles only. Fix: pulumi config rm aws:accessKey; use aws:profile, or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment"
        ),
        id="access-key",
    ),
    pytest.param(
        {"token": "t"},
        (
            "config 'aws:token': is not read: the stack's AWS provider is explicit and takes region, profile "
            "and assumeRoles only. Fix: pulumi config rm aws:token; use aws:profile, or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment"
        ),
        id="token",
    ),
    pytest.param(
        {"assumeRole": '{"roleArn": "x"}'},
        (
            "config 'aws:assumeRole': is pulumi-aws 6's key; pulumi-aws 7 reads aws:assumeRoles (a list). "
            'Fix: pulumi config rm aws:assumeRole; pulumi config set --path "aws:assumeRoles[0].roleArn" '
            "arn:aws:iam::<account>:role/<name> (optional: sessionName, externalId, duration such as 1h)"
        ),
        id="assume-role-v6",
    ),
    pytest.param(
        {"profile": " "},
        ("config 'aws:profile': is empty or holds control characters. Fix: pulumi config set aws:profile <name>"),
        id="profile-blank",
    ),
    pytest.param(
        {"profile": "a\u0007b"},
        ("config 'aws:profile': is empty or holds control characters. Fix: pulumi config set aws:profile <name>"),
        id="profile-control",
    ),
    pytest.param(
        {"region": "mars-1"},
        "config 'aws:region': \"mars-1\" is not an AWS region. Fix: pulumi config set aws:region us-east-1",
        id="region-bad",
    ),
    pytest.param(
        {"assumeRoles": "["},
        (
            "config 'aws:assumeRoles': is not valid JSON (a list of objects with roleArn). Fix: pulumi "
            'config set --path "aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name> (optional: '
            "sessionName, externalId, duration such as 1h)"
        ),
        id="roles-json",
    ),
    pytest.param(
        {"assumeRoles": '["x"]'},
        (
            "config 'aws:assumeRoles[0]': is not an object with roleArn. Fix: pulumi config set --path "
            '"aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name> (optional: sessionName, '
            "externalId, duration such as 1h)"
        ),
        id="roles-entry",
    ),
    pytest.param(
        {"assumeRoles": '[{"roleArn": "arn:aws:iam::123456789012:role/r", "policy": "{}"}]'},
        (
            "config 'aws:assumeRoles[0].policy': is not supported: the rollout could not assume the role the "
            'same way. Fix: pulumi config rm --path "aws:assumeRoles[0].policy"'
        ),
        id="roles-field",
    ),
    pytest.param(
        {
            "assumeRoles": '[{"roleArn": "arn:aws:iam::123456789012:role/r"}, '
            '{"roleArn": "arn:aws:iam::123456789012:user/u"}]'
        },
        (
            "config 'aws:assumeRoles[1].roleArn': is not an IAM role ARN. Fix: pulumi config set --path "
            '"aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name> (optional: sessionName, '
            "externalId, duration such as 1h)"
        ),
        id="second-role-arn",
    ),
    pytest.param(
        {"assumeRoles": '[{"roleArn": "arn:aws:iam::123456789012:role/r", "sessionName": "a b"}]'},
        (
            "config 'aws:assumeRoles[0].sessionName': must be 2-64 of letters, digits and +=,.@_-. Fix: "
            'pulumi config set --path "aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name> '
            "(optional: sessionName, externalId, duration such as 1h)"
        ),
        id="roles-session",
    ),
    pytest.param(
        {"assumeRoles": '[{"roleArn": "arn:aws:iam::123456789012:role/r", "externalId": "x"}]'},
        (
            "config 'aws:assumeRoles[0].externalId': must be 2-1224 of letters, digits and +=,.@:/_-. Fix: "
            'pulumi config set --path "aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name> '
            "(optional: sessionName, externalId, duration such as 1h)"
        ),
        id="roles-external",
    ),
    pytest.param(
        {"assumeRoles": '[{"roleArn": "arn:aws:iam::123456789012:role/r", "duration": "5m"}]'},
        (
            "config 'aws:assumeRoles[0].duration': \"5m\" is outside STS's 15m-12h. Fix: pulumi config set "
            '--path "aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name> (optional: sessionName, '
            "externalId, duration such as 1h)"
        ),
        id="roles-duration",
    ),
    pytest.param(
        {"assumeRoles": '[{"roleArn": "arn:aws:iam::123456789012:role/r", "duration": 7}]'},
        (
            "config 'aws:assumeRoles[0].duration': \"7\" is not a duration such as 15m or 1h. Fix: pulumi "
            'config set --path "aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name> (optional: '
            "sessionName, externalId, duration such as 1h)"
        ),
        id="roles-duration-text",
    ),
]


@pytest.mark.parametrize(("raw", "message"), AWS_REFUSALS)
def test_every_aws_settings_refusal_names_the_key_the_problem_and_the_fix(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_aws_access(raw)
    assert str(caught.value) == message


def test_both_capacities_set_out_of_order_blames_the_desired_capacity() -> None:
    error = rejects({**PROD, "desiredCapacity": "5", "maxSize": "4"}, "desiredCapacity")
    assert "(got 1, 5, 4)" in str(error)


def test_a_backslash_in_a_refused_value_is_shown_once_escaped() -> None:
    error = rejects({**LAB, "amiId": "ami-\\x"}, "amiId")
    assert str(error).startswith("config 'amiId': \"ami-\\\\x\" is not an AMI id")


def test_a_weak_rsa_key_is_refused_with_the_key_fix() -> None:
    message = str(rejects({**LAB, "sshPublicKey": RSA_1024_KEY}, "sshPublicKey"))
    assert message == (f"config 'sshPublicKey': an RSA key of 1024 bits is too weak (EC2 needs 2048+). Fix: {KEY_FIX}")


# --- certificateArn against the stack's Region (the listener's CertificateNotFound, caught at config) ---

IAM_CERT_ARN = "arn:aws:iam::123456789012:server-certificate/lab"


def test_a_certificate_from_another_region_stops_at_config_naming_both_regions_and_the_fix() -> None:
    config = parse_config({**PROD, "certificateArn": ACM_ARN.replace("us-east-1", "eu-west-1")})
    with pytest.raises(ConfigError) as raised:
        check_certificate_region(config, AwsAccess(region="us-east-1"))
    assert raised.value.key == "certificateArn"
    assert str(raised.value) == (
        "config 'certificateArn': is an ACM certificate in eu-west-1, but the stack deploys to us-east-1. "
        "Fix: request or import the certificate in us-east-1 and pulumi config set certificateArn <its ARN>"
    )


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        (ACM_ARN, "us-east-1"),  # same Region
        (ACM_ARN, None),  # Region left to the environment: nothing to compare against
        (IAM_CERT_ARN, "eu-west-1"),  # IAM server certificates are global
        (None, "eu-west-1"),  # no certificate: HTTP only
    ],
)
def test_a_certificate_the_listener_can_use_passes_the_region_check(arn: str | None, region: str | None) -> None:
    raw = {**PROD, "certificateArn": arn} if arn else PROD
    check_certificate_region(parse_config(raw), AwsAccess(region=region))


# --- boundaries and readers that mutation testing found unpinned ---------------------------------------


@pytest.mark.parametrize("key", ["minSize", "desiredCapacity", "maxSize"])
def test_capacities_stop_at_1000_at_the_top_end(key: str) -> None:
    roomy = {**PROD, "minSize": "1", "desiredCapacity": "1", "maxSize": "1000", key: "1000"}
    if key != "maxSize":
        roomy = {**roomy, "minSize": "1000" if key == "minSize" else "1", "desiredCapacity": "1000"}
    parse_config(roomy)
    rejects({**roomy, key: "1001"}, key)


def test_an_equal_min_and_desired_above_max_blames_the_max_the_operator_set() -> None:
    assert rejects({**PROD, "minSize": "2", "maxSize": "1"}, "maxSize").key == "maxSize"


def test_a_role_duration_adds_its_seconds() -> None:
    roles = json.dumps([{"roleArn": "arn:aws:iam::123456789012:role/deployer", "duration": "15m30s"}])
    access = parse_aws_access({"region": "us-east-1", "assumeRoles": roles})
    assert access.assume_roles[0].duration_seconds == 930


def test_assume_roles_that_are_not_a_list_are_refused_word_for_word() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_aws_access({"assumeRoles": json.dumps("arn:aws:iam::123456789012:role/deployer")})
    assert str(raised.value).startswith("config 'aws:assumeRoles': is not a list of roles. Fix: pulumi config set")


@pytest.mark.parametrize(
    ("raw", "prefix"), [("bucket/Xray/", "Xray"), ("bucket/logs/X", "logs/X"), ("bucket//app//", "app")]
)
def test_an_app_bucket_prefix_loses_only_its_slashes(raw: str, prefix: str) -> None:
    assert parse_config({**LAB, "appBucket": raw}).app_bucket == AppBucket(bucket="bucket", prefix=prefix)


def test_an_app_bucket_with_a_hyphen_before_a_dot_is_refused() -> None:
    rejects({**LAB, "appBucket": "my-.bucket"}, "appBucket")


def test_a_health_check_path_may_hold_capital_letters() -> None:
    assert parse_config({**PROD, "healthCheckPath": "/Health/Ready"}).health_check_path == "/Health/Ready"


def test_the_stack_aws_settings_are_read_from_the_aws_namespace() -> None:
    from pulumi.runtime import config as runtime_config

    from components.config import read_aws_access

    roles = [{"roleArn": "arn:aws:iam::123456789012:role/deployer"}]

    def read(extra: dict[str, Any]) -> Any:
        runtime_config.CONFIG.set({"aws:region": "eu-west-1", "aws:profile": "lab", **extra})
        return read_aws_access()

    access = contextvars.copy_context().run(read, {"aws:assumeRoles": json.dumps(roles)})
    assert (access.region, access.profile) == ("eu-west-1", "lab")
    assert [role.role_arn for role in access.assume_roles] == [roles[0]["roleArn"]]
    with pytest.raises(ConfigError) as raised:
        contextvars.copy_context().run(read, {"aws:assumeRole": json.dumps({"roleArn": roles[0]["roleArn"]})})
    assert raised.value.key == "aws:assumeRole"


def test_a_key_whose_material_is_truncated_is_refused_as_malformed_word_for_word() -> None:
    name = b"ssh-ed25519"
    blob = len(name).to_bytes(4, "big") + name + (32).to_bytes(4, "big") + b"short"
    key = "ssh-ed25519 " + base64.b64encode(blob).decode()
    message = str(rejects({**LAB, "sshPublicKey": key}, "sshPublicKey"))
    assert message == f"config 'sshPublicKey': the key material is malformed. Fix: {KEY_FIX}"

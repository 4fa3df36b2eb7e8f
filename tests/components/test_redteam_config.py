"""Red team for the config contract: every bad value is a one-line ConfigError naming its key.

Nothing else may escape ``parse_config``: any other exception prints a traceback in the CLI (issue 2).
"""

from __future__ import annotations

import json

import pulumi
import pytest

from components.config import ConfigError, parse_config

LAB = {"sshCidr": "203.0.113.10/32"}
PROD = {"production": "true"}


def assert_rejected(raw: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    error = caught.value
    assert isinstance(error, pulumi.RunError)
    message = str(error)
    assert "\n" not in message and "\r" not in message, message
    assert f"'{key}'" in message, message


BAD_SSH = [
    "1.2.3.4/32/32",
    "1.2.3.4/32,5.6.7.8/32",
    "1.2.3.4/32 5.6.7.8/32",
    "١.٢.٣.٤/32",
    "１.2.3.4/32",
    "0x01020304/32",
    "1.2.3.4/032",
    "01.2.3.4/32",
    "1.2.3.4",
    "1.2.3.4/31",
    "0.0.0.0/0",
    "0.0.0.0/00",
    "::/0",
    "2001:db8::1/128",
    "::ffff:1.2.3.4/128",
    "1.2.3.4/255.255.255.255",
    "1.2.3.4/32\x00",
    "1.2.3.4\n/32",
    "x" * 5000,
    "{}",
]


@pytest.mark.parametrize("value", BAD_SSH, ids=repr)
def test_ssh_cidr_that_is_not_one_canonical_host_is_rejected(value: str) -> None:
    assert_rejected({"sshCidr": value}, "sshCidr")


@pytest.mark.parametrize("value", [" 203.0.113.10/32", "203.0.113.10/32\n", "\t203.0.113.10/32 "])
def test_ssh_cidr_surrounding_whitespace_is_trimmed_to_the_canonical_host(value: str) -> None:
    assert parse_config({"sshCidr": value}).ssh_cidr == "203.0.113.10/32"


@pytest.mark.parametrize("value", ["TRUE", "1", "yes", "on", "t", "true!", "tru e", "\u200btrue"], ids=repr)
def test_production_that_is_not_exactly_a_boolean_word(value: str) -> None:
    if value == "TRUE":
        assert parse_config({"production": value}).production is True  # case-insensitive boolean words
        return
    assert_rejected({**LAB, "production": value}, "production")


@pytest.mark.parametrize("key", ["minSize", "desiredCapacity", "maxSize"])
@pytest.mark.parametrize("value", ["2.0", "-1", "1e3", "0x2", "٣", "２", "1_0", "+", "", "9" * 5000, "NaN", "1 2"])
def test_capacity_that_is_not_a_whole_number_in_range(key: str, value: str) -> None:
    raw = {**PROD, key: value}
    if value == "":
        parse_config(raw)  # "" is unset: the default applies
        return
    assert_rejected(raw, key)


def test_capacity_with_surrounding_spaces_is_read() -> None:
    assert parse_config({**PROD, "desiredCapacity": " 3 "}).desired_capacity == 3


@pytest.mark.parametrize("value", ["80.5", "0", "65536", "-80", "1e2", "http", "８０"])
def test_app_port_outside_the_tcp_range(value: str) -> None:
    assert_rejected({**LAB, "appPort": value}, "appPort")


@pytest.mark.parametrize("value", ["1", "7", "999999999999999999999999", "-2"])
def test_az_count_out_of_range_or_single_zone_production(value: str) -> None:
    assert_rejected({**PROD, "azCount": value}, "azCount")


@pytest.mark.parametrize(
    "value",
    [
        "T3.MICRO",
        "t3..micro",
        "t3.micro; rm -rf /",
        "t3",
        ".micro",
        "t3.",
        "t3.micro\nx",
        "t3 .micro",
        "t3/micro",
        "t3.micro.large",
        "t3.mícro",
        "   ",
    ],
    ids=repr,
)
def test_instance_type_malformed(value: str) -> None:
    assert_rejected({**LAB, "instanceType": value}, "instanceType")


def test_instance_type_trailing_space_is_trimmed() -> None:
    assert parse_config({**LAB, "instanceType": "t3.micro "}).instance_type == "t3.micro"


@pytest.mark.parametrize(
    "value", ["AMI-0123456789abcdef0", "ami-0123456789ABCDEF0", "ami-123", "ami-0123456789abcdef0g", "ami-"], ids=repr
)
def test_ami_id_malformed(value: str) -> None:
    assert_rejected({**LAB, "amiId": value}, "amiId")


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:s3:::bucket",
        "bucket/*",
        "Bucket_Name",
        "b",
        "bucket/pre*fix",
        "bucket/a?b",
        "-bucket",
        "bucket-",
        "bu..cket",
        "192.168.1.1",
        "bucket/a//b",
        "bucket/\x00",
        "bucket/${aws:username}",
        "s3://",
        "/bucket",
    ],
    ids=repr,
)
def test_app_bucket_malformed(value: str) -> None:
    assert_rejected({**LAB, "appBucket": value}, "appBucket")


@pytest.mark.parametrize(
    ("value", "message_key"),
    [
        ("[]", "green"),
        ('"ami-0123456789abcdef0"', "green"),
        ("null", "green"),
        ("42", "green"),
        ("{", "green"),
        ("[" * 100000, "green"),
        ("{}", "green.amiId"),
        ('{"amiId": 5}', "green.amiId"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": 50.5}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": true}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": 101}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": -1}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": 1e400}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": NaN}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": [50]}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "weight": "fifty"}', "green.weight"),
        ('{"amiId": "ami-0123456789abcdef0", "instanceType": 3}', "green.instanceType"),
        ('{"amiId": "ami-0123456789abcdef0", "instanceType": "T3.MICRO"}', "green.instanceType"),
        ('{"amiId": "ami-0123456789abcdef0", "wieght": 10}', "green"),
    ],
    ids=repr,
)
def test_green_malformed(value: str, message_key: str) -> None:
    assert_rejected({**PROD, "green": value}, message_key)


@pytest.mark.parametrize("weight", ["50", 50, 50.0])
def test_green_whole_number_weight_spellings(weight: object) -> None:
    raw = json.dumps({"amiId": "ami-0123456789abcdef0", "weight": weight})
    green = parse_config({**PROD, "green": raw}).green
    assert green is not None and green.weight == 50


@pytest.mark.parametrize("key", ["sshcidr", "SSHCidr", "ssh_cidr", "instancetype", "appport", "prod", "app-bucket"])
def test_unknown_key_typo_is_rejected_by_name(key: str) -> None:
    assert_rejected({**LAB, key: "x"}, key)


def test_unknown_key_with_a_newline_still_gives_a_one_line_message() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({**LAB, "ssh\nCidr": "x"})
    assert "\n" not in str(caught.value) and "ssh\\nCidr" in str(caught.value)


@pytest.mark.parametrize(
    "raw",
    [
        {"production": "true", "useDefaultVpc": "true"},
        {"production": "true", "minSize": "3", "desiredCapacity": "2"},
        {"production": "true", "desiredCapacity": "5", "maxSize": "4"},
        {"production": "true", "minSize": "0"},
        {"sshCidr": "203.0.113.10/32", "green": '{"amiId": "ami-0123456789abcdef0"}'},
        {"sshEnabled": "true"},
        {"sshEnabled": "maybe", "sshCidr": "203.0.113.10/32"},
        {"vpcCidr": "8.8.8.0/24", "sshCidr": "203.0.113.10/32"},
        {"vpcCidr": "10.0.0.1/16", "sshCidr": "203.0.113.10/32"},
        {"targetCpuPercent": "nan", "production": "true"},
        {"targetCpuPercent": "inf", "production": "true"},
        {"healthCheckPath": "health", "production": "true"},
        {"natGateways": "PERAZ", "production": "true"},
        {"sshPublicKey": "ssh-ed25519 AAAA", "sshCidr": "203.0.113.10/32"},
        {"sshPublicKey": "-----BEGIN OPENSSH PRIVATE KEY-----", "sshCidr": "203.0.113.10/32"},
        {"certificateArn": "arn:aws:acm:us-east-1:123:certificate/x", "production": "true"},
    ],
    ids=repr,
)
def test_every_bad_combination_is_a_one_line_config_error(raw: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert isinstance(caught.value, pulumi.RunError)
    assert "\n" not in str(caught.value) and str(caught.value).startswith("config '")


def test_production_never_opens_ssh_even_when_asked() -> None:
    config = parse_config({**PROD, "sshEnabled": "true", "sshCidr": "203.0.113.10/32"})
    assert config.ssh_enabled is False


def test_production_with_a_world_ssh_cidr_is_still_rejected() -> None:
    assert_rejected({**PROD, "sshCidr": "0.0.0.0/0"}, "sshCidr")

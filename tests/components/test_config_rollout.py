"""The rollout's config keys and the ``aws:`` settings the provider and the rollout share."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.awsaccess import AssumeRole, AwsAccess
from components.config import ConfigError, parse_assume_roles, parse_aws_access, parse_config
from tests.components.test_config import PROD, rejects

ROLE = "arn:aws:iam::210987654321:role/deployer"


def test_rollout_defaults() -> None:
    config = parse_config(PROD)

    assert (config.rollout_timeout_minutes, config.rollback_on_alarms) == (30, True)


@pytest.mark.parametrize("value", ["1", "30", "720", " 45 "])
def test_rollout_timeout_accepts_a_minute_to_half_a_day(value: str) -> None:
    assert parse_config({**PROD, "rolloutTimeoutMinutes": value}).rollout_timeout_minutes == int(value)


@pytest.mark.parametrize("value", ["0", "721", "-5", "1.5", "thirty", "1e3", "٣٠"])
def test_rollout_timeout_rejects_the_rest(value: str) -> None:
    error = rejects({**PROD, "rolloutTimeoutMinutes": value}, "rolloutTimeoutMinutes")
    assert "1-720" in str(error)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("FALSE", False)])
def test_rollback_on_alarms_is_a_boolean(value: str, expected: bool) -> None:
    assert parse_config({**PROD, "rollbackOnAlarms": value}).rollback_on_alarms is expected


@pytest.mark.parametrize("value", ["yes", "0", "off"])
def test_rollback_on_alarms_rejects_non_booleans(value: str) -> None:
    rejects({**PROD, "rollbackOnAlarms": value}, "rollbackOnAlarms")


# --- aws: settings ---------------------------------------------------------------------------------


def aws_rejects(raw: dict[str, str], key: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_aws_access(raw)
    assert caught.value.key == key, str(caught.value)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_no_aws_settings_is_the_environments_identity() -> None:
    assert parse_aws_access({}) == AwsAccess()


def test_profile_and_role_chain_parse() -> None:
    roles = [
        {"roleArn": ROLE, "sessionName": "ci-deploy", "externalId": "ext-123", "duration": "1h30m"},
        {"roleArn": "arn:aws-us-gov:iam::123456789012:role/path/to/target"},
    ]

    access = parse_aws_access({"region": "eu-west-1", "profile": " ops ", "assumeRoles": json.dumps(roles)})

    assert (access.region, access.profile) == ("eu-west-1", "ops")
    assert access.assume_roles == (
        AssumeRole(role_arn=ROLE, session_name="ci-deploy", external_id="ext-123", duration_seconds=5400),
        AssumeRole(role_arn="arn:aws-us-gov:iam::123456789012:role/path/to/target"),
    )


def test_a_single_role_object_is_a_chain_of_one() -> None:
    assert parse_assume_roles(json.dumps({"roleArn": ROLE})) == (AssumeRole(role_arn=ROLE),)


@pytest.mark.parametrize(
    ("roles", "key"),
    [
        ("not json", "aws:assumeRoles"),
        ('"arn"', "aws:assumeRoles"),
        ([ROLE], "aws:assumeRoles[0]"),
        ([{"sessionName": "x1"}], "aws:assumeRoles[0].roleArn"),
        ([{"roleArn": ROLE}, {"roleArn": "arn:aws:iam::1234:role/short-account"}], "aws:assumeRoles[1].roleArn"),
        ([{"roleArn": "arn:aws:iam::210987654321:user/deployer"}], "aws:assumeRoles[0].roleArn"),
        ([{"roleArn": ROLE, "sessionName": "has space"}], "aws:assumeRoles[0].sessionName"),
        ([{"roleArn": ROLE, "duration": "10m"}], "aws:assumeRoles[0].duration"),
        ([{"roleArn": ROLE, "duration": "13h"}], "aws:assumeRoles[0].duration"),
        ([{"roleArn": ROLE, "duration": "soon"}], "aws:assumeRoles[0].duration"),
        ([{"roleArn": ROLE, "duration": 3600}], "aws:assumeRoles[0].duration"),
        ([{"roleArn": ROLE}, {"roleArn": ROLE, "policy": "{}"}], "aws:assumeRoles[1].policy"),
    ],
)
def test_bad_role_chains_name_the_field(roles: Any, key: str) -> None:
    aws_rejects({"assumeRoles": roles if isinstance(roles, str) else json.dumps(roles)}, key)


def test_duration_bounds_are_sts_bounds() -> None:
    assert parse_assume_roles(json.dumps([{"roleArn": ROLE, "duration": "15m"}]))[0].duration_seconds == 900
    assert parse_assume_roles(json.dumps([{"roleArn": ROLE, "duration": "12h"}]))[0].duration_seconds == 43200
    aws_rejects({"assumeRoles": json.dumps([{"roleArn": ROLE, "duration": "899s"}])}, "aws:assumeRoles[0].duration")
    aws_rejects({"assumeRoles": json.dumps([{"roleArn": ROLE, "duration": "43201s"}])}, "aws:assumeRoles[0].duration")


def test_a_bad_external_id_is_refused_without_echoing_it() -> None:
    secret = "shared secret with spaces"
    message = aws_rejects(
        {"assumeRoles": json.dumps([{"roleArn": ROLE, "externalId": secret}])}, "aws:assumeRoles[0].externalId"
    )
    assert secret not in message


def test_pulumi_aws_6_assume_role_key_points_to_the_new_one() -> None:
    message = aws_rejects({"assumeRole": json.dumps({"roleArn": ROLE})}, "aws:assumeRole")
    assert "aws:assumeRoles" in message


def test_a_bad_region_is_refused() -> None:
    aws_rejects({"region": "us-east"}, "aws:region")


@pytest.mark.parametrize("profile", ["", "  ", "ops\n"])
def test_bad_profiles_are_refused(profile: str) -> None:
    aws_rejects({"profile": profile}, "aws:profile")


@pytest.mark.parametrize("key", ["accessKey", "secretKey", "token"])
def test_static_credentials_in_stack_config_are_refused_without_echoing_them(key: str) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    message = aws_rejects({key: secret}, f"aws:{key}")
    assert secret not in message and "aws:profile" in message

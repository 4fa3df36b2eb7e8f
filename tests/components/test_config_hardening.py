"""Config keys of the production hardening: accessLogs, accessLogDays, logBucketForceDestroy,
detailedMonitoring, waf. GIVEN raw config text WHEN parsed THEN the typed field, or a one-line error that
names the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.config import KNOWN_KEYS, ConfigError, parse_config

LAB = {"sshCidr": "203.0.113.10/32"}
PROD = {"production": "true"}
HARDENING_KEYS = ("accessLogs", "accessLogDays", "logBucketForceDestroy", "detailedMonitoring", "waf")


def test_production_defaults_turn_on_logs_and_monitoring_but_not_waf() -> None:
    config = parse_config(PROD)
    assert (config.access_logs, config.access_log_days, config.detailed_monitoring) == (True, 90, True)
    assert (config.waf, config.log_bucket_force_destroy, config.deletion_protection) == (False, False, True)


def test_lab_defaults_leave_them_off() -> None:
    config = parse_config(LAB)
    assert (config.access_logs, config.detailed_monitoring, config.waf) == (False, False, False)


def test_pulumi_yaml_defaults_read_as_the_documented_defaults() -> None:
    # What the CLI hands the program when Pulumi.yaml fills every key and the stack sets none.
    filled = {
        "accessLogs": "",
        "accessLogDays": "90",
        "logBucketForceDestroy": "false",
        "detailedMonitoring": "",
        "waf": "false",
    }
    assert parse_config({**PROD, **filled}) == parse_config(PROD)
    assert parse_config({**LAB, **filled}) == parse_config(LAB)


def test_every_key_is_declared_in_pulumi_yaml_and_known() -> None:
    declared = yaml.safe_load((Path(__file__).resolve().parents[2] / "Pulumi.yaml").read_text())["config"]
    for key in HARDENING_KEYS:
        assert key in KNOWN_KEYS and key in declared and "description" in declared[key]


@pytest.mark.parametrize(
    ("raw", "field", "value"),
    [
        ({"accessLogs": "false"}, "access_logs", False),
        ({"detailedMonitoring": "false"}, "detailed_monitoring", False),
        ({"waf": "true"}, "waf", True),
        ({"logBucketForceDestroy": "true"}, "log_bucket_force_destroy", True),
        ({"accessLogDays": "1"}, "access_log_days", 1),
        ({"accessLogDays": "3650"}, "access_log_days", 3650),
    ],
)
def test_production_values(raw: dict[str, str], field: str, value: object) -> None:
    assert getattr(parse_config({**PROD, **raw}), field) == value


def test_the_lab_may_turn_on_detailed_monitoring() -> None:
    assert parse_config({**LAB, "detailedMonitoring": "true"}).detailed_monitoring is True


@pytest.mark.parametrize("value", ["0", "-1", "3651", "90.5", "ninety", "1e3"])
def test_access_log_days_out_of_range_or_not_whole(value: str) -> None:
    with pytest.raises(
        ConfigError, match=r"^config 'accessLogDays': .*Fix: pulumi config set accessLogDays <integer 1-3650>$"
    ):
        parse_config({**PROD, "accessLogDays": value})


@pytest.mark.parametrize("key", ["accessLogs", "logBucketForceDestroy", "detailedMonitoring", "waf"])
@pytest.mark.parametrize("value", ["yes", "1", "on", "TRUE!"])
def test_booleans_reject_anything_else(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^config '{key}': .*Fix: pulumi config set {key} true \(or false\)$"):
        parse_config({**PROD, key: value})


@pytest.mark.parametrize("key", ["accessLogs", "waf"])
def test_load_balancer_features_in_the_lab_are_refused(key: str) -> None:
    with pytest.raises(
        ConfigError, match=rf"^config '{key}': only applies to the production stack.*Fix: pulumi config rm {key}"
    ):
        parse_config({**LAB, key: "true"})


@pytest.mark.parametrize("key", ["accessLogs", "waf"])
def test_load_balancer_features_off_in_the_lab_are_fine(key: str) -> None:
    assert parse_config({**LAB, key: "false"}) == parse_config(LAB)

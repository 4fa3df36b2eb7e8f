"""Policy config read with the schema's defaults as the fallback (guardrails/network/settings.py)."""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.network.settings import Settings, load_balancer_types
from pulumi_policy import PolicyConfigSchema

SCHEMA = PolicyConfigSchema(
    properties={
        "ports": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535}, "default": [22]},
        "strict": {"type": "boolean", "default": True},
        "lenient": {"type": "boolean", "default": False},
        "zones": {"type": "integer", "default": 2},
    }
)


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        # Both ends of the TCP port range are ports.
        ([0, 65535], [0, 65535]),
        ([-1, 65536, 443], [443]),
        (["8080", 22.0, "x", None], [8080, 22]),
        # Nothing usable, or no list at all: the default.
        ([65536], [22]),
        ([], [22]),
        ("22", [22]),
        (None, [22]),
    ],
)
def test_ports_keep_every_valid_tcp_port_and_fall_back_to_the_default(configured: Any, expected: list[int]) -> None:
    assert Settings({"ports": configured}, SCHEMA).ports("ports") == expected


@pytest.mark.parametrize(
    ("configured", "expected"),
    [({"zones": 3.0}, 3), ({"zones": "4"}, 4), ({"zones": 0}, 0), ({"zones": 2.5}, 2), ({"zones": "x"}, 2), ({}, 2)],
)
def test_an_integer_is_read_from_a_whole_number_or_its_text_else_the_default(
    configured: dict[str, Any], expected: int
) -> None:
    assert Settings(configured, SCHEMA).integer("zones") == expected


@pytest.mark.parametrize(
    ("configured", "strict", "lenient"),
    [
        ({}, True, False),
        ({"strict": "garbage", "lenient": 1}, True, False),
        ({"strict": False, "lenient": "TRUE"}, False, True),
        ({"strict": "false", "lenient": True}, False, True),
    ],
)
def test_flags_read_booleans_and_their_text_and_fall_back_to_the_default(
    configured: dict[str, Any], strict: bool, lenient: bool
) -> None:
    settings = Settings(configured, SCHEMA)
    assert settings.flag("strict") is strict
    assert settings.flag("lenient") is lenient


@pytest.mark.parametrize("config", [None, ["strict"], "strict", 7])
def test_a_config_that_is_not_a_mapping_reads_as_every_default(config: Any) -> None:
    settings = Settings(config, SCHEMA)
    assert settings.flag("strict") is True
    assert settings.ports("ports") == [22]


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ({"loadBalancerTypes": [" Network ", "application"]}, {"network", "application"}),
        # Entries that are not names are skipped, not fatal.
        ({"loadBalancerTypes": ["gateway", 7, None, "  "]}, {"gateway"}),
        ({"loadBalancerTypes": []}, set()),
        ({"loadBalancerTypes": "network"}, {"application"}),
        ({}, {"application"}),
    ],
)
def test_load_balancer_types_are_lower_cased_names_and_default_to_application(
    configured: dict[str, Any], expected: set[str]
) -> None:
    assert load_balancer_types(configured) == expected

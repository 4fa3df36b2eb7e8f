"""The identity pack's config readers and its type filter, called directly.

Each policy is built once, at import (``validate=only_types([...], _validate)``), so the pack's own tests only ever
run the filter as it was built then; these call the builders again, so a change to them is judged too.
"""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.identity._config import config_int, config_strings, defaults, only_types

ROLE = "aws:iam/role:Role"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"


class Args:
    def __init__(self, resource_type: str) -> None:
        self.resource_type = resource_type


def _seen(wanted: list[str], resource_type: str) -> list[str]:
    seen: list[str] = []

    def check(args: Any, report: Any) -> None:
        seen.append(args.resource_type)
        report("called")

    reports: list[str] = []
    only_types(wanted, check)(Args(resource_type), reports.append)  # type: ignore[arg-type]
    assert reports == (["called"] if seen else [])
    return seen


def test_only_types_runs_the_check_for_a_wanted_type() -> None:
    assert _seen([ROLE], ROLE) == [ROLE]


def test_only_types_skips_every_other_type() -> None:
    assert _seen([ROLE], BUCKET) == []
    assert _seen([], ROLE) == []


def test_only_types_resolves_an_alias_to_its_canonical_type() -> None:
    assert _seen([BUCKET], BUCKET_V2) == [BUCKET_V2]


def test_defaults_are_the_schema_defaults_and_nothing_else() -> None:
    schema = {
        "maxActions": {"type": "integer", "default": 10},
        "allowed": {"type": "array", "default": []},
        "noDefault": {"type": "string"},
    }
    assert defaults(schema) == {"maxActions": 10, "allowed": []}
    assert defaults({}) == {}


@pytest.mark.parametrize(
    ("config", "expected"),
    [({"k": ["a", "b"]}, ["a", "b"]), ({"k": ["a", 1]}, ["d"]), ({"k": "ab"}, ["d"]), ({}, ["d"]), (None, ["d"])],
)
def test_config_strings_takes_a_list_of_strings_or_the_default(config: Any, expected: list[str]) -> None:
    assert config_strings(config, "k", ["d"]) == expected


@pytest.mark.parametrize(("config", "expected"), [({"k": 3.0}, 3), ({"k": "x"}, 7), ({}, 7), (None, 7)])
def test_config_int_reads_a_whole_number_or_the_default(config: Any, expected: int) -> None:
    assert config_int(config, "k", 7) == expected

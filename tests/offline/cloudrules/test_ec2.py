"""EC2 volumes (``ec2.py``): the IOPS-per-GiB ratio applies to the types that have one, and says the ceiling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.offline.cloudrules.cases import BASE, INSTANCE
from tests.offline.cloudrules.world import errors

RATIO = "ebs-iops-per-size"


def _ratio(root: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e.property, e.message)
        for e in errors(INSTANCE, {**BASE[INSTANCE], "rootBlockDevice": root})
        if e.rule == RATIO
    ]


@pytest.mark.parametrize(
    "root",
    [
        {"volumeType": "gp2", "volumeSize": 10.0, "iops": 100000.0},
        {"volumeSize": 10.0, "iops": 100000.0},
        {"volumeType": "io1", "iops": 100000.0},
        {"volumeType": "io1", "volumeSize": 0.0, "iops": 100000.0},
    ],
    ids=["gp2-no-ratio", "no-type", "no-size", "size-zero"],
)
def test_the_ratio_is_judged_only_with_a_ratio_type_and_a_size(root: dict[str, Any]) -> None:
    assert _ratio(root) == []


def test_the_ratio_says_the_types_ceiling_for_the_size() -> None:
    assert _ratio({"volumeType": "io1", "volumeSize": 10.0, "iops": 500.0}) == []
    assert _ratio({"volumeType": "io1", "volumeSize": 10.0, "iops": 501.0}) == [
        ("rootBlockDevice.iops", "501 IOPS on 10 GiB; io1 allows 50 IOPS per GiB (at most 500)")
    ]

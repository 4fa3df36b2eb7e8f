"""The coverage table is current and complete: the program sets no property that neither a rule checks nor
a reviewed note explains. After adding a property or a rule: ``make cloud-coverage`` (or
``venv/bin/python -m offline cloud-coverage > docs/cloud-rules.md``) and commit the table."""

from __future__ import annotations

import pytest

from offline.cloudrules.coverage import (
    NOT_REVIEWED,
    REPO,
    covers,
    program_properties,
    property_paths,
    render,
    unreviewed,
)

TABLE = REPO / "docs" / "cloud-rules.md"
REGENERATE = "make cloud-coverage (venv/bin/python -m offline cloud-coverage > docs/cloud-rules.md)"


@pytest.fixture(scope="module")
def properties() -> dict[str, set[str]]:
    return program_properties()


def test_every_property_the_program_sets_is_reviewed(properties: dict[str, set[str]]) -> None:
    missing = unreviewed(properties)
    assert missing == [], (
        f"the program sets properties no cloud rule checks and no note in offline/cloudrules/coverage.py REVIEWED "
        f"explains: {missing}. Write a rule (docs/adding-cloud-rules.md) or add the note, then {REGENERATE}"
    )


def test_the_table_in_docs_is_current(properties: dict[str, set[str]]) -> None:
    assert TABLE.read_text(encoding="utf-8") == render(properties), f"docs/cloud-rules.md is stale: {REGENERATE}"


def test_the_table_lists_every_property_the_program_sets(properties: dict[str, set[str]]) -> None:
    text = TABLE.read_text(encoding="utf-8")
    for resource_type, paths in properties.items():
        section = text.split(f"## `{resource_type}`", 1)[1].split("\n## ", 1)[0]
        for path in paths:
            assert f"| `{path}` |" in section, (resource_type, path)


def test_an_unreviewed_property_is_marked_and_fails() -> None:
    fake = {"aws:ec2/vpc:Vpc": {"cidrBlock", "ipv6IpamPoolId"}}
    assert unreviewed(fake) == [("aws:ec2/vpc:Vpc", "ipv6IpamPoolId")]
    assert f"| `ipv6IpamPoolId` | {NOT_REVIEWED} |" in render(fake)


def test_property_paths_follow_objects_and_lists_of_objects_but_not_tag_maps() -> None:
    inputs = {
        "tags": {"Name": "x", "team": "y"},
        "healthCheck": {"interval": 15.0, "path": "/health"},
        "defaultActions": [{"type": "forward", "forward": {"targetGroups": [{"arn": "a", "weight": 1.0}]}}],
        "subnets": ["subnet-a", "subnet-b"],
        "ingress": [],
        "tagSpecifications": [{"resourceType": "instance", "tags": {"a": "b"}}],
    }
    assert sorted(property_paths(inputs)) == [
        "defaultActions[].forward.targetGroups[].arn",
        "defaultActions[].forward.targetGroups[].weight",
        "defaultActions[].type",
        "healthCheck.interval",
        "healthCheck.path",
        "ingress",
        "subnets",
        "tagSpecifications[].resourceType",
        "tagSpecifications[].tags",
        "tags",
    ]


def test_a_rule_covers_its_exact_path_only() -> None:
    assert covers("healthCheck.interval", "healthCheck.interval")
    assert not covers("healthCheck", "healthCheck.interval")
    assert covers("tags", "tags[]")
    assert covers("defaultAction.*", "defaultAction.allow")
    assert not covers("defaultAction.*", "defaultAction.allow.customRequestHandling")
    assert not covers("defaultAction.*", "defaultAction")
    assert not covers("defaultActions", "defaultActions[].redirect.host")

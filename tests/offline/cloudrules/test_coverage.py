"""The coverage table is current and complete: the program sets no property that neither a rule checks nor
a reviewed note explains. After adding a property or a rule: ``make cloud-coverage`` (or
``venv/bin/python -m offline cloud-coverage > docs/cloud-rules.md``) and commit the table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from offline.cloudrules import coverage
from offline.cloudrules.botomodel import constraint
from offline.cloudrules.coverage import (
    NOT_REVIEWED,
    REPO,
    REVIEWED,
    checking,
    covers,
    model_cell,
    model_share,
    program_properties,
    property_paths,
    render,
    unreviewed,
)
from offline.cloudrules.registry import ALL_RULES
from offline.wire import SECRET_SIG, SIG_KEY

TG = "aws:lb/targetGroup:TargetGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
VPC = "aws:ec2/vpc:Vpc"

TABLE = REPO / "docs" / "cloud-rules.md"
REGENERATE = "make cloud-coverage (venv/bin/python -m offline cloud-coverage > docs/cloud-rules.md)"


@pytest.fixture(scope="module")
def read_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, set[str]], Path, Path]:
    """The program's properties read from another working directory: (properties, that directory, the working
    directory afterwards)."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    before = Path.cwd()
    os.chdir(elsewhere)
    try:
        return program_properties(), elsewhere, Path.cwd()
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def properties(read_elsewhere: tuple[dict[str, set[str]], Path, Path]) -> dict[str, set[str]]:
    return read_elsewhere[0]


def test_the_program_is_run_from_the_repository_and_the_callers_directory_is_put_back(
    read_elsewhere: tuple[dict[str, set[str]], Path, Path],
) -> None:
    found, elsewhere, after = read_elsewhere
    assert after == elsewhere
    assert "aws:lb/targetGroup:TargetGroup" in found and "healthCheck.interval" in found[TG]
    assert "pulumi-python:dynamic/autoscaling:Rollout" in found, "the rollout's inputs are listed too"
    assert not [t for t in found if not t.startswith("aws:") and t != "pulumi-python:dynamic/autoscaling:Rollout"]
    assert "aws:alb/targetGroup:TargetGroup" not in found, "types are listed by their canonical token"


def test_a_readme_config_the_program_refuses_fails_the_table_and_names_the_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(coverage, "README_CONFIGS", {"dev with 99 zones": ("dev", {"azCount": "99"})})
    before = Path.cwd()
    with pytest.raises(RuntimeError, match=r"the program fails for the README config 'dev with 99 zones': .*azCount"):
        program_properties()
    assert Path.cwd() == before


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


def test_a_secret_input_is_listed_by_the_paths_of_its_value() -> None:
    secret = {SIG_KEY: SECRET_SIG, "value": {"password": "x", "options": {"a": 1}}}
    assert sorted(property_paths({"login": secret})) == ["login.options.a", "login.password"]
    assert list(property_paths({"userData": {SIG_KEY: SECRET_SIG, "value": "text"}})) == ["userData"]


def test_a_tag_list_of_objects_is_one_property_and_empty_values_are_listed_by_name() -> None:
    inputs = {"tags": [{"key": "a", "value": "b"}], "settings": {}, "ids": [], "options": {"tags": {"a": "b"}}}
    assert sorted(property_paths(inputs)) == ["ids", "options.tags", "settings", "tags[]"]
    assert list(property_paths("x")) == []
    assert list(property_paths({"mixed": [{"a": 1}, "b"]})) == ["mixed"]


def test_a_wildcard_covers_each_direct_key_and_a_tag_property_its_list_entries() -> None:
    assert covers("defaultAction.*", "defaultAction.block")
    assert not covers("defaultAction.*", "otherAction.block")
    assert not covers("defaultAction.*", "defaultAction.")
    assert not covers("defaultAction.*", "defaultAction.rules[]")
    assert covers("tags", "tags[].key")
    assert covers("options.tags", "options.tags[]")
    assert not covers("tags", "tagsAll[]")
    assert not covers("subnets", "subnets[]")


def test_a_property_is_checked_by_the_rules_that_read_it_on_that_type() -> None:
    assert [r.id for r in checking(TG, "healthCheck.interval")] == ["target-group-health-timing"]
    assert checking(TG, "healthCheck") == []
    assert "target-group-health-timing" not in [r.id for r in checking(LB, "healthCheck.interval")]


def test_unreviewed_properties_are_sorted_and_exclude_reviewed_notes_and_checked_ones() -> None:
    fake = {
        VPC: {"zzz", "cidrBlock", "aaa"},
        "aws:ec2/instance:Instance": {"keyName", "bbb"},
    }
    assert unreviewed(fake) == [("aws:ec2/instance:Instance", "bbb"), (VPC, "aaa"), (VPC, "zzz")]


def test_the_model_column_names_each_api_member_with_its_shape_and_kinds() -> None:
    interval = constraint("elbv2", "CreateTargetGroup", "HealthCheckIntervalSeconds")
    assert model_cell(TG, "healthCheck.interval") == (
        f"`elbv2` `HealthCheckIntervalSeconds` (`{interval.shape}`: range)"
    )
    role = constraint("iam", "CreateRole", "RoleName")
    assert model_cell("aws:iam/role:Role", "name") == f"`iam` `RoleName` (`{role.shape}`: length, pattern)"
    cells = model_cell("aws:cloudwatch/metricAlarm:MetricAlarm", "dimensions").split("; ")
    assert [cell.split("`")[3] for cell in cells] == ["Dimensions", "Dimensions[].Name", "Dimensions[].Value"]
    assert model_cell(TG, "healthCheck") == ""
    assert model_cell(LB, "healthCheck.interval") == ""


def test_the_model_share_counts_pairs_with_a_model_backed_rule() -> None:
    assert model_share({TG: {"healthCheck.interval", "port", "tags"}, VPC: {"tags"}}) == (2, 4)
    assert model_share({}) == (0, 0)


def test_the_table_names_a_types_aliases_and_the_note_of_a_reviewed_property() -> None:
    text = render({TG: {"healthCheck.interval"}, VPC: {"cidrBlock"}, "aws:ec2/instance:Instance": {"keyName"}})
    assert "## `aws:lb/targetGroup:TargetGroup` (alias `aws:alb/targetGroup:TargetGroup`)\n" in text
    assert f"## `{VPC}`\n" in text
    assert (
        "| `keyName` | no API-side constraint beyond its type: a key pair name: existence only |  |"
        in text.splitlines()
    )
    assert "| `healthCheck.interval` | [target-group-health-timing](#target-group-health-timing) | `elbv2`" in text
    assert "1 of 3 (type, property) pairs here have a model-backed rule." in text
    assert text.index(f"## `{VPC}`") > text.index("## `aws:ec2/instance:Instance`"), "types in order"


def test_the_rules_table_lists_every_rule_with_its_anchor_types_code_summary_and_escaped_source() -> None:
    lines = render({}).splitlines()
    rows = [line for line in lines if line.startswith('| <a id="')]
    assert len(rows) == len(ALL_RULES)
    assert rows == sorted(rows)
    timing = next(r for r in ALL_RULES if r.id == "target-group-health-timing")
    [row] = [line for line in rows if line.startswith('| <a id="target-group-health-timing">')]
    assert row == (
        f'| <a id="target-group-health-timing"></a>`target-group-health-timing` | `lb/targetGroup` | '
        f"`{timing.code}` | {timing.summary} | {timing.source.replace('|', chr(92) + '|')} |"
    )
    assert render({}).endswith("|\n")


def test_the_command_prints_the_table_and_fails_naming_each_unreviewed_property(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = {VPC: {"cidrBlock", "ipv6IpamPoolId", "aaa"}}
    monkeypatch.setattr(coverage, "program_properties", lambda: fake)
    assert coverage.main() == 1
    out, err = capsys.readouterr()
    assert out == render(fake)
    assert err.splitlines() == [
        f"not reviewed: {VPC} {path}: add a rule, or a note to REVIEWED in {coverage.__file__}"
        for path in ("aaa", "ipv6IpamPoolId")
    ]
    monkeypatch.setattr(coverage, "program_properties", lambda: {VPC: {"cidrBlock"}})
    assert coverage.main() == 0
    assert capsys.readouterr().err == ""


def test_every_reviewed_property_says_why_no_rule_applies() -> None:
    assert all(note.strip() for note in REVIEWED.values())

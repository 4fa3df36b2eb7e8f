"""The docs are tested like code: every command, key, path, link and policy name a reader follows must exist.

Fast and offline: the Makefile, Pulumi.yaml, the packs' policy lists (imported, never started) and botocore's
bundled service models are the references. Each check also gets a broken example, to show it can fail.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import yaml

from components.awsaccess import AwsAccess
from components.config import KNOWN_KEYS, PROJECT
from tests.docs import doccheck

REPO = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "policies/README.md", *sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("docs/*.md"))]


@pytest.fixture(scope="module")
def docs() -> list[doccheck.Doc]:
    return doccheck.load(REPO, DOCS)


def _makefile_targets() -> set[str]:
    return doccheck.makefile_targets((REPO / "Makefile").read_text())


def _schema() -> dict[str, dict[str, Any]]:
    config: dict[str, dict[str, Any]] = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    return config


def _read_not_declared() -> set[str]:
    """Keys the program reads that Pulumi.yaml cannot declare (project config has no object type: `green`)."""
    return set(KNOWN_KEYS) - set(_schema())


def _aws_keys() -> set[str]:
    """The ``aws:`` keys the program reads: the fields of AwsAccess, which read_aws_access fills (camelCase)."""
    return {
        "".join(part if i == 0 else part.title() for i, part in enumerate(f.name.split("_")))
        for f in dataclasses.fields(AwsAccess)
    }


def _packs() -> dict[str, set[str]]:
    sys.path.insert(0, str(REPO / "policies"))
    try:
        from guardrails.identity import POLICIES as IDENTITY
        from guardrails.network import POLICIES as NETWORK
    finally:
        sys.path.remove(str(REPO / "policies"))
    return {
        "identity-boundary": {policy.name for policy in IDENTITY},
        "network-boundary": {policy.name for policy in NETWORK},
    }


def _tracked_names() -> set[str]:
    """Names of the repository's files, committed or new but not ignored (never venv/, build/ or mutants/)."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {Path(line).name for line in files.splitlines()}


def _botocore() -> Any:
    return botocore.session.get_session()


# --- the repository's docs -------------------------------------------------------------------------


def test_every_make_target_exists(docs: list[doccheck.Doc]) -> None:
    assert doccheck.check_make_targets(docs, _makefile_targets()) == []


def test_every_file_path_exists(docs: list[doccheck.Doc]) -> None:
    assert doccheck.check_paths(docs, REPO, _tracked_names()) == []


def test_every_relative_link_and_anchor_exists(docs: list[doccheck.Doc]) -> None:
    assert doccheck.check_links(docs, REPO) == []


def test_every_config_key_is_declared_or_read(docs: list[doccheck.Doc]) -> None:
    assert doccheck.check_config_keys(docs, PROJECT, _schema(), _read_not_declared(), _aws_keys()) == []


def test_the_config_table_matches_pulumi_yaml(docs: list[doccheck.Doc]) -> None:
    assert list(doccheck.config_tables(docs)), "no config table (| key | type | default | ...) found"
    assert doccheck.check_config_table(docs, _schema(), _read_not_declared()) == []


def test_the_policy_tables_list_exactly_the_packs_policies(docs: list[doccheck.Doc]) -> None:
    assert doccheck.check_policy_tables(docs, _packs()) == []


def test_every_aws_cli_command_is_in_botocores_model(docs: list[doccheck.Doc]) -> None:
    assert doccheck.check_aws_commands(docs, _botocore()) == []


def test_no_figure_that_goes_stale(docs: list[doccheck.Doc]) -> None:
    assert doccheck.check_stale_figures(docs) == []


def test_the_readme_stays_a_front_page() -> None:
    # Depth goes to docs/, one file per topic, linked from the README (issue 17).
    assert len((REPO / "README.md").read_text().splitlines()) <= 350


def test_the_checks_see_the_docs(docs: list[doccheck.Doc]) -> None:
    """A parser that found nothing would pass every check above: count what each check had to judge."""
    snippets = [s.text for doc in docs for s in doc.snippets]
    assert sum("make " in s for s in snippets) >= 10
    assert sum("pulumi config set" in s for s in snippets) >= 5
    assert sum(s.startswith("aws ") or " aws " in s for s in snippets) >= 5
    assert sum(len(doc.links) for doc in docs) >= 10


# --- each check fails on a broken example ----------------------------------------------------------


def _doc(text: str, path: str = "README.md") -> list[doccheck.Doc]:
    return [doccheck.parse(Path(path), text)]


def test_a_missing_make_target_fails() -> None:
    broken = _doc("Run `make preveiw STACK=prod`, then:\n\n```bash\nmake test\nmake OUT=x.json audit\n```\n")
    problems = doccheck.check_make_targets(broken, {"preview", "test"})
    assert problems == [
        "README.md:1: `make preveiw`: no such target in the Makefile",
        "README.md:5: `make audit`: no such target in the Makefile",
    ]


def test_makefile_targets_are_read_from_rules_not_variables() -> None:
    text = "PY := venv/bin/python\n$(STAMP): x\n\t@echo\ntest: lint unit\n.PHONY: help test\nA ?= b\n"
    assert doccheck.makefile_targets(text) == {"test", "help"}


def test_a_missing_path_fails() -> None:
    broken = _doc("See `components/confg.py`, `ops/doctor-policy.json`, `10.0.0.0/16` and `aws:lb/*`.\n")
    problems = doccheck.check_paths(broken, REPO, _tracked_names())
    assert problems == ["README.md:1: `components/confg.py`: no such file or folder"]


def test_a_missing_link_or_anchor_fails() -> None:
    broken = _doc("[rules](policies/README.md#no-such-heading), [gone](docs/nothing.md), [ok](policies/README.md)\n")
    problems = doccheck.check_links(broken, REPO)
    assert problems == [
        "README.md:1: link `policies/README.md#no-such-heading`: policies/README.md has no heading #no-such-heading",
        "README.md:1: link `docs/nothing.md`: docs/nothing.md does not exist",
    ]


def test_an_undeclared_config_key_fails() -> None:
    broken = _doc(
        "```bash\npulumi config set sshCdir 203.0.113.7/32\npulumi config set aws:accessKey AKIA\n"
        "pulumi config set --path green.weight 10\npulumi config set aws:region us-east-1\n```\n"
    )
    problems = doccheck.check_config_keys(broken, PROJECT, _schema(), _read_not_declared(), _aws_keys())
    assert problems == [
        "README.md:2: `pulumi config ... sshCdir`: not declared in Pulumi.yaml",
        "README.md:3: `pulumi config ... aws:accessKey`: not an aws: key the program reads "
        "(assumeRoles, profile, region)",
    ]


def test_a_config_table_that_disagrees_with_pulumi_yaml_fails() -> None:
    broken = _doc(
        "| key | type | default | meaning |\n|---|---|---|---|\n"
        "| `targetCpuPercent` | number | `50` | CPU |\n| `waf` | boolean | `true` | a web ACL |\n"
    )
    schema = {key: value for key, value in _schema().items() if key in ("targetCpuPercent", "waf", "appPort")}
    problems = doccheck.check_config_table(broken, schema, set())
    assert problems == [
        "README.md:3: `targetCpuPercent` type 'number', Pulumi.yaml says 'integer'",
        "README.md:4: `waf` default 'true', Pulumi.yaml says 'false'",
        "README.md: config key `appPort` (Pulumi.yaml) is missing from the config table",
    ]


def test_a_policy_name_not_in_its_pack_fails() -> None:
    broken = _doc(
        "## network-boundary\n\n| Rule | Level |\n|---|---|\n| `ssh-ingress-single-host` | mandatory |\n"
        "| `ssh-ingress-any-host` | mandatory |\n"
    )
    packs = {"network-boundary": {"ssh-ingress-single-host", "ebs-encryption"}}
    assert doccheck.check_policy_tables(broken, packs) == [
        "README.md:6: policy `ssh-ingress-any-host` is not in the network-boundary pack",
        "policy `ebs-encryption` of the network-boundary pack is missing from every network-boundary policy table",
    ]


def test_an_aws_command_outside_botocores_model_fails() -> None:
    broken = _doc(
        "```bash\naws ec2 describe-instances --instance-id i-1\naws ec2 describe-instance --instance-ids i-1\n"
        "aws elb2 describe-target-health\naws autoscaling describe-scaling-activities \\\n"
        "  --auto-scaling-group-name $(pulumi stack output asgName) --region us-east-1 --query 'x'\n"
        "aws s3 sync s3://bucket ./logs\n```\n"
    )
    problems = doccheck.check_aws_commands(broken, _botocore())
    assert [p.split(" (members")[0] for p in problems] == [
        "README.md:2: `aws ec2 describe-instances`: no flag --instance-id",
        "README.md:3: `aws ec2 describe-instance`: no operation 'describe-instance' in ec2",
        "README.md:4: `aws elb2 describe-target-health`: no service 'elb2' in botocore",
    ]


def test_a_stale_figure_fails() -> None:
    broken = _doc("The suite runs 3,040 tests; the pack has 13 policies and runs at 2.30x the floor.\n")
    assert len(doccheck.check_stale_figures(broken)) == 3

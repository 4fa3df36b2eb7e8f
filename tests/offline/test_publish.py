"""A pack archived as ``pulumi policy publish`` archives it, unpacked alone with only its own requirements, works.

The archiver's rules are checked on a made-up folder first (no subprocess); then each real pack is archived,
unpacked into an empty folder outside the repository, given a fresh virtualenv from its requirements.txt
(PyPI, through pip's cache) exactly as the CLI installs a published pack, started as the CLI starts a pack,
and must list every policy the in-repo pack lists and flag the violation its boundary exists for.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import empty_pb2

from offline.analyzer import PackProcess, run_packs, started_packs
from offline.harness import RegisteredResource
from offline.packs import install
from offline.publish import archived_files, build_archive, main, unpack

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"
STACK_URN = "urn:pulumi:test::proj::pulumi:pulumi:Stack::proj-test"


def names(folder: Path) -> set[str]:
    return {name for name, _ in archived_files(folder)}


# -- the archiver's rules (archive.go), on a made-up tree -------------------------------------------


def test_archive_follows_symlinks_and_honours_every_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("venv/\n*.pyc\n/top-only.txt\n")
    shared = tmp_path / "shared"
    (shared / "sub").mkdir(parents=True)
    (shared / "rule.py").write_text("x = 1\n")
    (shared / "rule.pyc").write_bytes(b"\0")
    (shared / "sub" / "deep.py").write_text("")
    pack = tmp_path / "repo" / "pack"
    (pack / "venv" / "bin").mkdir(parents=True)
    (pack / "venv" / "bin" / "python").symlink_to("/usr/bin/env")
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "shared").symlink_to("../../shared")
    (pack / "linked.txt").symlink_to(shared / "rule.py")
    (pack / "top-only.txt").write_text("kept: the anchor is the top .gitignore's folder, not the pack")
    (pack / ".gitignore").write_text("secret.txt\n!kept.log\n")
    (pack / "secret.txt").write_text("")
    (tmp_path / "repo" / ".gitignore").write_text("*.log\n")
    (pack / "kept.log").write_text("a parent's ignore wins over a child's negation")
    (pack / ".git").mkdir()
    (pack / ".git" / "HEAD").write_text("")
    (pack / "empty").mkdir()

    assert names(pack) == {
        "package/.gitignore",
        "package/PulumiPolicy.yaml",
        "package/linked.txt",
        "package/shared/rule.py",
        "package/shared/sub/deep.py",
        "package/top-only.txt",
    }
    with tarfile.open(fileobj=io.BytesIO(build_archive(pack)), mode="r:gz") as archive:
        members = archive.getmembers()
        assert all(m.isfile() for m in members)
        linked = archive.extractfile("package/linked.txt")
        assert linked is not None and linked.read() == b"x = 1\n"


def test_publish_cli_lists_the_real_pack_without_venv_or_caches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(POLICIES / "network-boundary")]) == 0
    listed = set(capsys.readouterr().out.split())
    tracked = subprocess.run(
        ["git", "ls-files", "policies/guardrails"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()
    expected = {f"package/{p.removeprefix('policies/')}" for p in tracked} | {
        "package/__main__.py",
        "package/PulumiPolicy.yaml",
        "package/requirements.txt",
        "package/requirements.in",  # the lock's source travels with it, harmlessly: only requirements.txt is installed
    }
    assert listed == expected


def test_publish_cli_refuses_a_folder_that_is_not_a_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path} is not a policy pack (no PulumiPolicy.yaml)\n"


# -- each real pack, published and installed alone -------------------------------------------------


def resource(rtype: str, name: str, inputs: Mapping[str, Any]) -> RegisteredResource:
    urn = f"urn:pulumi:test::proj::{rtype}::{name}"
    return RegisteredResource(
        urn=urn, type=rtype, name=name, custom=True, inputs=dict(inputs), outputs=dict(inputs), parent=STACK_URN
    )


ROOT = RegisteredResource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="proj-test", custom=False, inputs={})
OPEN_SSH = resource(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "open-ssh",
    {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0", "securityGroupId": "sg-0123"},
)
ANYONE_ROLE = resource(
    "aws:iam/role:Role",
    "anyone",
    {
        "assumeRolePolicy": json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}
        )
    },
)
CASES = {
    "network-boundary": (OPEN_SSH, "ssh-ingress-single-host", "guardrails.network"),
    "identity-boundary": (ANYONE_ROLE, "iam-role-trust-no-wildcard-principal", "guardrails.identity"),
}


def policies_of(process: PackProcess) -> list[tuple[str, int]]:
    info = process.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    return [(p.name, p.enforcementLevel) for p in info.policies]


@pytest.mark.subprocess
@pytest.mark.parametrize("pack", sorted(CASES))
def test_published_pack_runs_alone_from_its_own_requirements(tmp_path: Path, pack: str) -> None:
    violating, policy, rules = CASES[pack]
    assert not tmp_path.resolve().is_relative_to(REPO), "the unpacked pack must not see the repository"
    # Where the CLI puts a published pack: ~/.pulumi/policies/<org>/pulumi-analyzer-<name>-v<version>/.
    installed = unpack(build_archive(POLICIES / pack), tmp_path / "policies" / "org" / f"pulumi-analyzer-{pack}-v0")
    assert not (installed / "venv").exists()
    assert not (installed / "guardrails").is_symlink() and (installed / "guardrails" / "__init__.py").is_file()
    assert install(installed) is True  # python3 -m venv; pip install -U pip setuptools wheel; -r requirements.txt

    # Every rule module of the pack imports with the pack's own requirements alone.
    imported = subprocess.run(
        [
            str(installed / "venv" / "bin" / "python"),
            "-c",
            f"import importlib, pkgutil, {rules} as m\n"
            "for s in pkgutil.walk_packages(m.__path__, m.__name__ + '.'): importlib.import_module(s.name)\n"
            "print(m.__file__)",
        ],
        cwd=installed,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert Path(imported.stdout.strip()).is_relative_to(installed)

    with started_packs([POLICIES / pack, installed], project="proj", stack="test") as [in_repo, published]:
        assert policies_of(published) == policies_of(in_repo)
        assert len(policies_of(published)) >= 5
    [result] = run_packs([installed], [ROOT, violating], project="proj", stack="test")
    found = [(v.urn, v.policy, v.enforcement_level) for v in result.violations]
    assert (violating.urn, policy, "mandatory") in found

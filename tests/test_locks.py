"""The requirements files are lock files: what `pip install -r` resolves is exactly what the tests ran with.

`pulumi up` creates venv/ with `pip install -r requirements.txt` and a pack's virtualenv gets its
requirements.txt the same way, with no constraints file: anything not pinned there floats. `make lock`
compiles each *.in file into its lock (the dev lock first, every other one constrained by it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

LOCKS = [
    "requirements-dev.txt",
    "requirements.txt",
    "policies/network-boundary/requirements.txt",
    "policies/identity-boundary/requirements.txt",
    "offline/noop_pack/requirements.txt",
]


class LockError(Exception):
    """A line of a lock file that is not one exact pin."""


def pins_of(path: Path) -> dict[str, tuple[Version, Requirement]]:
    """Every ``name==version [; marker]`` line of a lock, by normalized name; anything else is an error."""
    pins: dict[str, tuple[Version, Requirement]] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise LockError(f"{path.name}:{number}: not a requirement: {line!r} ({error})") from None
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            raise LockError(f"{path.name}:{number}: {line!r} is not pinned with == to one version")
        pins[canonicalize_name(requirement.name)] = (Version(specifiers[0].version), requirement)
    return pins


def applies_here(requirement: Requirement) -> bool:
    return requirement.marker is None or requirement.marker.evaluate()


def unpinned_in_resolution(path: Path, report: Path) -> list[str]:
    """Distributions pip resolved for ``-r path`` that the file does not pin to that exact version."""
    pins = pins_of(path)
    resolved = json.loads(report.read_text())["install"]
    problems = []
    for item in resolved:
        name, version = canonicalize_name(item["metadata"]["name"]), Version(item["metadata"]["version"])
        pinned = pins.get(name)
        if pinned is None:
            problems.append(f"{name}=={version} is resolved but not pinned")
        elif pinned[0] != version:
            problems.append(f"{name}=={version} is resolved but pinned =={pinned[0]}")
    return problems


def start_pip_resolution(requirements: Path, report: Path) -> subprocess.Popen[str]:
    """What `pip install -r requirements` would install into an empty virtualenv (the CLI's step), from PyPI."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--dry-run"]
    return subprocess.Popen(
        [*command, "--ignore-installed", "--report", str(report), "-r", str(requirements)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=requirements.parent,
    )


def finish(process: subprocess.Popen[str]) -> None:
    output, _ = process.communicate(timeout=900)
    assert process.returncode == 0, output


def mismatches_with_installed(path: Path) -> list[str]:
    """Pins (for this platform) whose installed version differs, or that are not installed at all."""
    problems = []
    for name, (version, requirement) in pins_of(path).items():
        if not applies_here(requirement):
            continue
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            problems.append(f"{name}=={version} is pinned but not installed")
            continue
        if installed != version:
            problems.append(f"{name}=={version} is pinned but {installed} is installed")
    return problems


# --- offline: the locks, the *.in files and the test environment agree --------------------------


@pytest.mark.parametrize("lock", LOCKS)
def test_every_line_of_each_lock_is_one_exact_pin(lock: str) -> None:
    assert len(pins_of(REPO / lock)) > 5


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_is_the_version_the_tests_run_with(lock: str) -> None:
    assert mismatches_with_installed(REPO / lock) == []


@pytest.mark.parametrize("lock", LOCKS[1:])
def test_every_lock_agrees_with_the_dev_lock(lock: str) -> None:
    dev = {name: version for name, (version, _) in pins_of(REPO / "requirements-dev.txt").items()}
    pins = {name: version for name, (version, _) in pins_of(REPO / lock).items()}
    assert {name: (version, dev.get(name)) for name, version in pins.items() if dev.get(name) != version} == {}


@pytest.mark.parametrize("lock", LOCKS)
def test_each_direct_dependency_keeps_its_in_file_pin(lock: str) -> None:
    """A lock compiled from an older *.in (someone edited the .in and skipped `make lock`) fails here."""
    source = (REPO / lock).with_suffix(".in")
    pins = pins_of(REPO / lock)
    stale = []
    for raw in source.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-r")):
            continue
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned[0], prereleases=True):
            stale.append(line)
    assert stale == [], f"run make lock: {source.name} asks for {stale}"


def test_a_version_other_than_the_installed_one_is_reported(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text(f"pytest=={metadata.version('pytest')}\nboto3==0.0.1\nnot-installed-anywhere==1.0\n")

    assert mismatches_with_installed(lock) == [
        f"boto3==0.0.1 is pinned but {metadata.version('boto3')} is installed",
        "not-installed-anywhere==1.0 is pinned but not installed",
    ]


@pytest.mark.parametrize("line", ["boto3>=1.44", "boto3", "boto3==1.44.*", "-e ."])
def test_a_line_that_is_not_one_exact_pin_is_refused(tmp_path: Path, line: str) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text(f"# header\npytest==9.2.0  # via -r requirements.in\n{line}\n")

    with pytest.raises(LockError, match=r"requirements\.txt:3"):
        pins_of(lock)


# --- online (PyPI): what pip resolves from each file alone ------------------------------------------


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """pip's report for each lock; the five resolutions run at once (each waits mostly on the index)."""
    folder = tmp_path_factory.mktemp("pip-reports")
    reports = {lock: folder / f"{index}.json" for index, lock in enumerate(LOCKS)}
    running = [start_pip_resolution(REPO / lock, report) for lock, report in reports.items()]
    for process in running:
        finish(process)
    return reports


@pytest.mark.subprocess
@pytest.mark.parametrize("lock", LOCKS)
def test_pip_install_of_each_lock_resolves_only_what_it_pins(lock: str, resolutions: dict[str, Path]) -> None:
    report = resolutions[lock]

    assert len(json.loads(report.read_text())["install"]) > 5
    assert unpinned_in_resolution(REPO / lock, report) == []


@pytest.mark.subprocess
def test_a_floating_transitive_dependency_is_caught(tmp_path: Path) -> None:
    """boto3 pinned alone: pip picks botocore, s3transfer, jmespath, ... at whatever PyPI serves today."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("boto3==1.44.5\n")
    report = tmp_path / "report.json"

    finish(start_pip_resolution(requirements, report))

    floating = unpinned_in_resolution(requirements, report)
    assert any(problem.startswith("botocore==") and problem.endswith("not pinned") for problem in floating)
    assert not any(problem.startswith("boto3==") for problem in floating)

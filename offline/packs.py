"""``make packs``: give every policy pack the virtualenv its ``PulumiPolicy.yaml`` names, as ``pulumi install`` does.

For ``pulumi preview --policy-pack DIR`` the CLI runs ``DIR/<virtualenv>/bin/python`` but never creates that
virtualenv nor installs the pack's requirements (only ``pulumi install`` run inside the pack folder does, or
the CLI itself for a *published* pack). This command does what ``pulumi install`` does there, step for step
(pulumi/pulumi ``sdk/python/toolchain/pip.go`` ``InstallDependencies``):

1. ``python3 -m venv <absolute virtualenv path>`` (the ``python3`` on ``PATH``, as the CLI looks it up);
2. ``<venv>/bin/python -m pip install --upgrade pip setuptools wheel``;
3. ``<venv>/bin/python -m pip install -r requirements.txt``, in the pack folder.

A stamp file in the virtualenv records the hash of the ``requirements.txt`` it was built from, so a run
with nothing changed starts no pip. When the requirements change, the virtualenv is rebuilt from nothing
(``pulumi install`` would install over it, keeping packages the pack no longer lists; a fresh clone would
not have them, so neither do we).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
POLICY_FILE = "PulumiPolicy.yaml"
# The no-op pack `make bench` drives beside the real ones needs its virtualenv too.
DEFAULT_PACKS = (REPO / "policies", REPO / "offline" / "noop_pack")
STAMP = ".pulumi-install"
REQUIREMENTS = "requirements.txt"


class PackSetupError(Exception):
    """A pack's virtualenv cannot be located or built; the message names the pack."""


def discover_packs(root: Path = Path("policies")) -> list[Path]:
    """Directories holding ``PulumiPolicy.yaml``: ``root`` itself if it is a pack, else its children."""
    if (root / POLICY_FILE).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / POLICY_FILE).is_file())


def virtualenv_option(pack_file: Any) -> str:
    """``runtime.options.virtualenv`` of a parsed ``PulumiPolicy.yaml``, or "" when it names none."""
    runtime = pack_file.get("runtime") if isinstance(pack_file, dict) else None
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    return venv if isinstance(venv, str) else ""


def pack_virtualenv(pack_dir: Path, pack_file: Any) -> Path:
    """The virtualenv the CLI runs the pack from: the option, relative to the pack folder unless absolute.

    The path is joined, never resolved: ``<venv>/bin/python`` is a symlink to the base interpreter, and
    only when started by its path inside the virtualenv does Python use the virtualenv's site-packages.
    (pulumi/pulumi ``sdk/python/toolchain/pip.go``: ``resolveVirtualEnvironmentPath``.)
    """
    option = virtualenv_option(pack_file)
    if not option:
        # The CLI would run such a pack with the ``python3`` on PATH, whatever it has installed; the
        # project's packs all name a virtualenv so that what they run with is what they pin.
        raise PackSetupError(
            f"policy pack {pack_dir_label(pack_dir)}: {POLICY_FILE} names no runtime.options.virtualenv"
        )
    # Joined and cleaned lexically, as Go's filepath.Join does: `..` is dropped, no symlink is followed.
    return Path(os.path.normpath(pack_dir.absolute() / option))


def wanted_stamp(pack_dir: Path, venv: Path) -> str:
    """The stamp of a virtualenv built from the pack's current requirements.txt and left as pip built it.

    It holds the requirements' hash and the distributions installed (their ``.dist-info`` folders), so a
    changed requirements.txt and a package removed from the virtualenv by hand both make it stale.
    """
    requirements = pack_dir / REQUIREMENTS
    digest = hashlib.sha256(requirements.read_bytes() if requirements.is_file() else b"").hexdigest()
    installed = sorted(p.name for p in venv.glob("lib/python*/site-packages/*.dist-info"))
    return "\n".join([f"{REQUIREMENTS} sha256 {digest}", *installed]) + "\n"


def is_current(pack_dir: Path, venv: Path) -> bool:
    stamp = venv / STAMP
    return (venv / "bin" / "python").is_file() and stamp.is_file() and stamp.read_text() == wanted_stamp(pack_dir, venv)


def _run(command: Sequence[str], cwd: Path, what: str) -> None:
    print(f"    {' '.join(command)}", flush=True)
    result = subprocess.run(list(command), cwd=cwd, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = result.stdout.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
        raise PackSetupError(f"policy pack {pack_dir_label(cwd)}: {what} failed (exit {result.returncode}): {tail[0]}")


def pack_dir_label(pack_dir: Path) -> str:
    try:
        return str(pack_dir.resolve().relative_to(REPO))
    except ValueError:
        return str(pack_dir)


def read_pack_yaml(pack_dir: Path) -> Any:
    try:
        return yaml.safe_load((pack_dir / POLICY_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())  # a YAML error spans lines; the message is one
        raise PackSetupError(f"policy pack {pack_dir_label(pack_dir)}: cannot read {POLICY_FILE}: {reason}") from None


def install(pack_dir: Path, python: str = "python3") -> bool:
    """Build ``pack_dir``'s virtualenv if it is missing or stale; True when it did any work."""
    pack_dir = pack_dir.absolute()
    venv = pack_virtualenv(pack_dir, read_pack_yaml(pack_dir))
    if is_current(pack_dir, venv):
        return False
    print(f"{pack_dir_label(pack_dir)}: creating {venv.name}/ from {REQUIREMENTS}", flush=True)
    # Rebuilt from nothing, so a requirement the pack dropped cannot linger and hide a missing import.
    shutil.rmtree(venv, ignore_errors=True)
    base = shutil.which(python)
    if base is None:
        raise PackSetupError(f"policy pack {pack_dir_label(pack_dir)}: no {python} on PATH to create its virtualenv")
    venv_python = str(venv / "bin" / "python")
    _run([base, "-m", "venv", str(venv)], pack_dir, "creating the virtualenv")
    pip = [venv_python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    _run([*pip, "--upgrade", "pip", "setuptools", "wheel"], pack_dir, "updating pip, setuptools and wheel")
    if (pack_dir / REQUIREMENTS).is_file():
        _run([*pip, "-r", REQUIREMENTS], pack_dir, f"installing {REQUIREMENTS}")
    (venv / STAMP).write_text(wanted_stamp(pack_dir, venv))
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.packs", description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path, help="pack folders or folders of packs (default: the repo's)")
    args = parser.parse_args(argv)
    roots = args.roots or list(DEFAULT_PACKS)
    packs = [pack for root in roots for pack in discover_packs(root)]
    try:
        if not packs:
            raise PackSetupError(f"no policy packs under {', '.join(str(r) for r in roots)}")
        # pip spends most of its time waiting on the package index, so the packs install side by side.
        with ThreadPoolExecutor(max_workers=len(packs)) as pool:
            built = [pack for pack, did in zip(packs, pool.map(install, packs), strict=True) if did]
    except PackSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not built:
        print(f"policy pack virtualenvs up to date ({len(packs)} packs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

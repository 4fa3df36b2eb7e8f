"""Archive a policy pack folder exactly as ``pulumi policy publish`` does, to check what a published pack holds.

``pulumi policy publish [org]`` (pulumi/pulumi ``pkg/cmd/pulumi/policy/policy_publish.go``) runs in the pack
folder and uploads ``archive.TGZ(<pack folder>, "package", true)`` (``pkg/backend/httpstate/policypack.go``).
That archiver (``sdk/go/common/util/archive/archive.go``) is mirrored here rule for rule:

- only regular files are stored, under ``package/<path relative to the pack folder>``; no directory entries;
- symlinks are followed, to files and to folders alike (so ``guardrails -> ../guardrails`` is stored as a
  copy of the shared rules);
- ``.gitignore`` files are honoured: the pack folder's, those of every folder above it up to the filesystem
  root, and those of the sub-folders it walks, each matched against the path relative to its own folder.
  A path is left out when ANY of them ignores it (a ``!`` in one file cannot re-include what another
  ignores). Folders themselves are never tested, only each file (or symlink) inside them;
- a ``.git`` entry in any walked folder is left out.

The CLI matches patterns with ``github.com/sabhiram/go-gitignore``; this uses ``pathspec``'s git semantics,
which agree with it on the patterns this repository's ``.gitignore`` files use (``venv/``, ``__pycache__/``,
``*.pyc``, anchored ``/report*.json``). Consumers unpack the archive alone into
``~/.pulumi/policies/<org>/pulumi-analyzer-<name>-v<version>/`` and install its ``requirements.txt`` into a
fresh virtualenv (``installRequiredPolicy``), which ``tests/offline/test_publish.py`` does too.
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import sys
import tarfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

PREFIX = "package"
GITIGNORE = ".gitignore"


class PublishError(Exception):
    """The pack folder cannot be archived; the message names the path."""


@dataclass(frozen=True)
class _Ignorer:
    """One ``.gitignore``: its folder and its patterns, git semantics."""

    root: str
    spec: pathspec.GitIgnoreSpec

    @classmethod
    def read(cls, path: str) -> _Ignorer:
        try:
            with open(path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError as exc:
            raise PublishError(f"could not read ignore file {path}: {exc}") from None
        return cls(os.path.dirname(path), pathspec.GitIgnoreSpec.from_lines(lines))

    def ignores(self, path: str) -> bool:
        return self.spec.match_file(os.path.relpath(path, self.root))


@dataclass(frozen=True)
class _GitDir:
    """``useDefaultExcludes``: a folder's ``.git`` (a folder, or a file in a worktree)."""

    path: str
    is_dir: bool

    def ignores(self, path: str) -> bool:
        return path.startswith(self.path + os.sep) if self.is_dir else path == self.path


def archived_files(pack_dir: Path) -> Iterator[tuple[str, str]]:
    """``(name in the archive, file to read)`` for every file ``pulumi policy publish`` would store."""
    root = os.path.abspath(pack_dir)
    if not os.path.isdir(root):
        raise PublishError(f"{pack_dir} is not a folder")
    ignorers: list[_Ignorer | _GitDir] = []
    parent = os.path.dirname(root)
    while parent != os.path.dirname(parent):
        if os.path.isfile(os.path.join(parent, GITIGNORE)):
            ignorers.append(_Ignorer.read(os.path.join(parent, GITIGNORE)))
        parent = os.path.dirname(parent)
    yield from _walk(root, root, ignorers)


def _walk(root: str, folder: str, ignorers: Sequence[_Ignorer | _GitDir]) -> Iterator[tuple[str, str]]:
    ignorers = list(ignorers)
    if os.path.isfile(os.path.join(folder, GITIGNORE)):
        ignorers.append(_Ignorer.read(os.path.join(folder, GITIGNORE)))
    git = os.path.join(folder, ".git")
    if os.path.lexists(git):
        ignorers.append(_GitDir(git, os.path.isdir(git)))
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise PublishError(f"cannot list {folder}: {exc}") from None
    for name in names:
        path = os.path.join(folder, name)
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) and any(i.ignores(path) for i in ignorers):
            continue
        if stat.S_ISLNK(info.st_mode):
            try:
                info = os.stat(path)
            except OSError as exc:
                raise PublishError(f"broken symlink {path}: {exc}") from None
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(root, path, ignorers)
        elif stat.S_ISREG(info.st_mode):
            yield f"{PREFIX}/{os.path.relpath(path, root).replace(os.sep, '/')}", path


def build_archive(pack_dir: Path) -> bytes:
    """The ``.tar.gz`` that ``pulumi policy publish`` would upload for ``pack_dir``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, path in archived_files(pack_dir):
            info = os.stat(path)
            member = tarfile.TarInfo(name)
            member.size = info.st_size
            member.mode = stat.S_IMODE(info.st_mode)
            member.mtime = int(info.st_mtime)
            with open(path, "rb") as handle:
                archive.addfile(member, handle)
    return buffer.getvalue()


def unpack(archive: bytes, final_dir: Path) -> Path:
    """Unpack as the CLI installs a published pack: the archive's ``package/`` becomes ``final_dir``."""
    staging = final_dir.parent / f"{final_dir.name}.tmp"
    staging.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(staging, filter="data")
    (staging / PREFIX).rename(final_dir)
    staging.rmdir()
    return final_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.publish", description=__doc__.splitlines()[0])
    parser.add_argument("pack", type=Path, help="the pack folder (holding PulumiPolicy.yaml)")
    parser.add_argument("--out", type=Path, help="write the .tar.gz here (default: list its files)")
    args = parser.parse_args(argv)
    try:
        if not (args.pack / "PulumiPolicy.yaml").is_file():
            raise PublishError(f"{args.pack} is not a policy pack (no PulumiPolicy.yaml)")
        if args.out is None:
            for name, _ in archived_files(args.pack):
                print(name)
            return 0
        data = build_archive(args.pack)
        args.out.write_bytes(data)
    except (PublishError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

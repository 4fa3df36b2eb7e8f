"""What the doctor knows about the stack before it asks AWS: its outputs and its config.

Outputs come from ``pulumi stack output --json`` when the CLI is installed, or from a file with the
same content (``--outputs FILE``). Config comes from ``pulumi config --json`` (or a file of it), else
from ``Pulumi.<stack>.yaml`` merged as the CLI merges it; either way it is validated by the program's
own config contract, so the doctor reads ``appBucket`` or ``sshPublicKey`` exactly as the program did.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config import PROJECT, ConfigError, StackConfig, parse_config
from ops.session import CannotRun

CLI_TIMEOUT = 60


@dataclass(frozen=True)
class StackInfo:
    name: str
    outputs: Mapping[str, Any]
    config: StackConfig
    region: str | None

    def output(self, key: str) -> Any:
        return self.outputs.get(key)

    def text(self, key: str) -> str | None:
        value = self.outputs.get(key)
        return value if isinstance(value, str) and value else None

    def texts(self, key: str) -> list[str]:
        value = self.outputs.get(key)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _pulumi(args: list[str], stack: str) -> Any:
    try:
        done = subprocess.run(
            ["pulumi", *args, "--json", "--stack", stack],
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CannotRun(f"`pulumi {' '.join(args)}` failed: {error}") from error
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise CannotRun(f"`pulumi {' '.join(args)} --stack {stack}`: {lines[-1] if lines else 'failed'}")
    try:
        return json.loads(done.stdout or "{}")
    except ValueError as error:
        raise CannotRun(f"`pulumi {' '.join(args)}` did not print JSON") from error


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as error:
        raise CannotRun(f"cannot read {what} {path}: {error.strerror}") from error
    except ValueError as error:
        raise CannotRun(f"{what} {path} is not JSON: {error}") from error


def read_outputs(stack: str, path: Path | None) -> dict[str, Any]:
    if path is not None:
        outputs = _read_json(path, "outputs file")
    elif shutil.which("pulumi"):
        outputs = _pulumi(["stack", "output"], stack)
    else:
        raise CannotRun("no stack outputs: the Pulumi CLI is not installed, so pass --outputs FILE (OUTPUTS=...)")
    if not isinstance(outputs, dict):
        raise CannotRun("stack outputs must be a JSON object, as `pulumi stack output --json` prints")
    return outputs


def _flatten_cli_config(raw: Mapping[str, Any]) -> dict[str, str]:
    """``pulumi config --json`` maps each key to ``{"value": ..., "secret": ..., "objectValue": ...}``."""
    flat: dict[str, str] = {}
    for key, entry in raw.items():
        value = entry.get("objectValue", entry.get("value")) if isinstance(entry, Mapping) else entry
        if value is None:
            continue
        if isinstance(value, bool):
            flat[key] = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            flat[key] = json.dumps(value)
        else:
            flat[key] = str(value)
    return flat


def read_config(stack: str, path: Path | None, project_dir: Path) -> dict[str, str]:
    if path is not None:
        raw = _read_json(path, "config file")
        if not isinstance(raw, dict):
            raise CannotRun("config file must be a JSON object, as `pulumi config --json` prints")
        return _flatten_cli_config(raw)
    if shutil.which("pulumi"):
        return _flatten_cli_config(_pulumi(["config", "--show-secrets"], stack))
    from offline.project import ProjectError, load_stack

    try:
        return load_stack(project_dir, stack).config
    except ProjectError as error:
        raise CannotRun(str(error)) from error


def load(stack: str, outputs_path: Path | None, config_path: Path | None, project_dir: Path) -> StackInfo:
    outputs = read_outputs(stack, outputs_path)
    config = read_config(stack, config_path, project_dir)
    prefix = f"{PROJECT}:"
    project_keys = {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}
    try:
        parsed = parse_config(project_keys)
    except ConfigError as error:
        raise CannotRun(str(error)) from error
    return StackInfo(stack, outputs, parsed, config.get("aws:region"))

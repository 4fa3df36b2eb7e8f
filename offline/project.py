"""Read a Pulumi project and one stack's config into the text map the engine hands a program.

The CLI merges ``Pulumi.<stack>.yaml`` over the project's ``config:`` block (a key's ``default`` or
``value``, or the plain-value shorthand), checks explicitly typed keys and passes the program every
value as text under a fully qualified key (``aws-compute-foundations:sshCidr``, ``aws:region``).
This module does the same, so the offline preview gives the program exactly what ``pulumi preview``
would, and rejects what the CLI rejects, with the CLI's messages.

Stack values keep their YAML text (``azCount: 2`` is ``"2"``, ``production: False`` stays ``"False"``
and fails a ``boolean`` key, as in the Go YAML decoder the CLI uses); objects and lists become JSON.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_SCHEMA_KEYS = {"type", "default", "value", "description", "secret", "items"}
_TYPES = {"string", "integer", "boolean", "array"}
_INTEGER = re.compile(r"[+-]?\d+")


class ProjectError(Exception):
    """The project or stack files cannot give the program its config; the message is for the user."""


@dataclass(frozen=True)
class ConfigType:
    """One entry of the project's ``config:`` block."""

    type: str | None = None
    items: dict[str, Any] | None = None
    default: Any = None
    value: Any = None
    has_default: bool = False
    has_value: bool = False


@dataclass(frozen=True)
class StackSettings:
    """Everything needed to run one stack's program as the language host would."""

    project: str
    stack: str
    project_dir: Path
    program: Path
    config: dict[str, str]

    @property
    def region(self) -> str:
        """The region the AWS provider would use: ``aws:region``, else the environment's, else us-east-1."""
        return (
            self.config.get("aws:region")
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or "us-east-1"
        ).strip()


def load_stack(project_dir: Path, stack: str) -> StackSettings:
    """Read ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` under ``project_dir``; raises ``ProjectError``."""
    if not _STACK_NAME.fullmatch(stack):
        raise ProjectError(
            f"invalid stack name {stack!r}: stack names may only contain alphanumerics, hyphens, underscores,"
            " or periods"
        )
    project_file = next((project_dir / n for n in PROJECT_FILES if (project_dir / n).is_file()), None)
    if project_file is None:
        raise ProjectError(f"no Pulumi.yaml project file found in {project_dir}")
    project_doc = _read_mapping(project_file)
    name = project_doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProjectError(f"{project_file.name}: project is missing a 'name' attribute")
    name = name.strip()

    schema = _project_config(project_file, project_doc, name)
    config_dir = project_doc.get("stackConfigDir")
    stack_dir = project_dir / config_dir if isinstance(config_dir, str) and config_dir else project_dir
    stack_file = stack_dir / f"Pulumi.{stack}{project_file.suffix}"
    if not stack_file.is_file():
        raise ProjectError(f"no stack named '{stack}' found (expected {stack_file})")
    stack_values = _stack_config(stack_file, name)
    config = merge_config(stack, name, schema, stack_values)
    return StackSettings(
        project=name,
        stack=stack,
        project_dir=project_dir,
        program=_program_path(project_dir, project_doc),
        config=config,
    )


def merge_config(
    stack: str, project: str, schema: dict[str, ConfigType], stack_values: dict[str, Any]
) -> dict[str, str]:
    """Apply project defaults under the stack's values and check typed keys, as the CLI's ``mergeConfig``.

    ``stack_values`` maps fully qualified keys to their text, or to a decoded object for YAML
    mappings and sequences (kept decoded so a typed ``array`` key can be checked).
    """
    merged: dict[str, Any] = dict(stack_values)
    missing: list[str] = []
    for key in sorted(schema):
        entry = schema[key]
        full = qualify(project, key)
        if full in merged:
            continue
        if entry.has_default or entry.has_value:
            merged[full] = entry.default if entry.has_default else entry.value
            merged[full] = _text(merged[full])
        elif full.split(":", 1)[0] == project:
            missing.append(key)
    if missing:
        plural = "values" if len(missing) > 1 else "value"
        quoted = [f"'{k}'" for k in sorted(missing)]
        listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
        raise ProjectError(f"Stack '{stack}' is missing configuration {plural} {listed}")
    for key in sorted(schema):
        entry = schema[key]
        full = qualify(project, key)
        if entry.type is not None and full in stack_values and not _valid(entry.type, entry.items, stack_values[full]):
            kind = _type_name(entry.type, entry.items)
            raise ProjectError(f"Stack '{stack}' with configuration key '{key}' must be of type '{kind}'")
    return {key: _text(value) for key, value in merged.items()}


def qualify(project: str, key: str) -> str:
    """``key`` with the project as its namespace unless it names one (``aws:region``)."""
    return key if ":" in key else f"{project}:{key}"


# --- files ----------------------------------------------------------------------------------------


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"cannot read {path}: {exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path.name} is not valid YAML: {_one_line(exc)}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ProjectError(f"{path.name} must be a YAML mapping")
    return doc


def _raw_scalars(path: Path) -> dict[str, Any]:
    """The ``config:`` mapping with every scalar as its YAML source text (YAML 1.1 booleans untouched)."""
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    config = doc.get("config") if isinstance(doc, dict) else None
    return config if isinstance(config, dict) else {}


def _stack_config(path: Path, project: str) -> dict[str, Any]:
    doc = _read_mapping(path)
    if doc.get("environment"):
        raise ProjectError(f"{path.name} imports ESC environments, which the offline preview cannot open")
    typed = doc.get("config") or {}
    if not isinstance(typed, dict):
        raise ProjectError(f"{path.name}: 'config' must be a mapping of keys to values")
    raw = _raw_scalars(path)
    values: dict[str, Any] = {}
    for key, value in typed.items():
        if not isinstance(key, str) or ":" not in key or key.startswith(":") or key.endswith(":"):
            raise ProjectError(
                f"{path.name}: could not parse {key} as a configuration key"
                " (configuration keys should be of the form `<namespace>:<name>`)"
            )
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise ProjectError(
                f"{path.name}: '{key}' is an encrypted secret, which the offline preview cannot decrypt;"
                " set a plaintext stand-in in a copy of the stack file to preview it"
            )
        if value is None:
            values[key] = ""
        elif isinstance(value, dict | list):
            values[key] = value
        else:
            values[key] = str(raw.get(key, value))
    return values


def _project_config(path: Path, doc: dict[str, Any], project: str) -> dict[str, ConfigType]:
    block = doc.get("config") or {}
    if not isinstance(block, dict):
        raise ProjectError(f"{path.name}: 'config' must be a mapping of keys to their types or values")
    schema: dict[str, ConfigType] = {}
    for key, entry in block.items():
        if not isinstance(key, str) or not key or key.startswith(":") or key.endswith(":"):
            raise ProjectError(f"{path.name}: could not parse {key!r} as a configuration key")
        if isinstance(entry, dict) and entry and set(entry) <= _SCHEMA_KEYS:
            kind = entry.get("type")
            if kind is not None and kind not in _TYPES:
                raise ProjectError(
                    f"{path.name}: configuration key '{key}' has type {kind!r}; use string, integer, boolean or array"
                )
            items = entry.get("items") if isinstance(entry.get("items"), dict) else None
            if kind is not None and "default" in entry and not _valid(kind, items, entry["default"]):
                raise ProjectError(
                    f"{path.name}: the default value of configuration key '{key}'"
                    f" is not of the expected type '{_type_name(kind, items)}'"
                )
            schema[key] = ConfigType(
                type=kind,
                items=items,
                default=entry.get("default"),
                value=entry.get("value"),
                has_default=entry.get("default") is not None,
                has_value=entry.get("value") is not None,
            )
        else:
            schema[key] = ConfigType(value=entry, has_value=entry is not None)
    return schema


def _program_path(project_dir: Path, doc: dict[str, Any]) -> Path:
    """The file the Python language host runs: ``__main__.py`` in ``main`` (a directory) or ``main`` itself."""
    main = doc.get("main")
    base = project_dir / main if isinstance(main, str) and main.strip() else project_dir
    program = base if base.suffix == ".py" else base / "__main__.py"
    if not program.is_file():
        raise ProjectError(f"no Python program found: {program} does not exist")
    return program


# --- values ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A config value as the engine passes it: text, with objects and lists as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def _valid(kind: str, items: dict[str, Any] | None, value: Any) -> bool:
    """The CLI's ``ValidateConfigValue``: text counts as an integer or boolean when it spells one."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and bool(_INTEGER.fullmatch(value))
    if kind == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if not isinstance(value, list) or items is None:
        return False
    item_kind = items.get("type")
    nested = items.get("items") if isinstance(items.get("items"), dict) else None
    return isinstance(item_kind, str) and all(_valid(item_kind, nested, v) for v in value)


def _type_name(kind: str, items: dict[str, Any] | None) -> str:
    if items is not None:
        nested = items.get("items") if isinstance(items.get("items"), dict) else None
        return f"array<{_type_name(str(items.get('type')), nested)}>"
    return kind


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())

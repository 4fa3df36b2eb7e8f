"""Config readers that fall back to the schema default for a missing or mistyped key.

The CLI fills defaults before ``Configure``, but a hand-written pack config, an older CLI or a direct
caller may leave a key out or give it the wrong type; a policy must neither raise nor run unconfigured.
Numbers arrive as floats over gRPC, so integers are read through ``as_int``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs

from guardrails.props import as_int, canonical_type, is_sequence


def config_strings(config: Mapping[str, Any], key: str, default: list[str]) -> list[str]:
    value = config.get(key) if isinstance(config, Mapping) else None
    if value is not None and is_sequence(value) and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    return list(default)


def config_int(config: Mapping[str, Any], key: str, default: int) -> int:
    value = as_int(config.get(key)) if isinstance(config, Mapping) else None
    return default if value is None else value


def defaults(schema_properties: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The ``default`` of every schema property: what a policy runs with when config is missing."""
    return {key: spec["default"] for key, spec in schema_properties.items() if "default" in spec}


ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]


def only_types(resource_types: Iterable[str], check: ResourceCheck) -> ResourceCheck:
    """``check`` run only for ``resource_types`` (aliases resolved): the Python SDK has no type filter."""
    wanted = frozenset(resource_types)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if canonical_type(args.resource_type) in wanted:
            check(args, report)

    return validate

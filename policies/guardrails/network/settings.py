"""Read a policy's config with its schema defaults as the fallback.

The CLI fills schema defaults before ``Configure``, but a pack may run without ``Configure`` (older
engines, tests, other tools), and config travels through protobuf ``Struct`` so integers arrive as
floats (``22.0``). Each policy keeps its defaults in one place, its ``PolicyConfigSchema``; these
readers fall back to them when a key is missing or of the wrong type, never raising.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema

from .. import props as p


class Settings:
    def __init__(self, config: Mapping[str, Any] | None, schema: PolicyConfigSchema) -> None:
        self._config: Mapping[str, Any] = config if config is not None and p.is_mapping(config) else {}
        self._schema = schema

    def _default(self, key: str) -> Any:
        return self._schema.properties[key]["default"]

    def flag(self, key: str) -> bool:
        value = p.as_bool(self._config.get(key))
        return bool(self._default(key)) if value is None else value

    def integer(self, key: str) -> int:
        value = p.as_int(self._config.get(key))
        return int(self._default(key)) if value is None else value

    def ports(self, key: str) -> list[int]:
        """A list of TCP ports; the default replaces a missing list, bad entries are dropped."""
        raw = self._config.get(key)
        if raw is None or not p.is_sequence(raw):
            return list(self._default(key))
        ports = [n for n in (p.as_int(v) for v in raw) if n is not None and 0 <= n <= 65535]
        return ports or list(self._default(key))


# The config both load-balancer hardening rules share: which kinds of load balancer they check.
LOAD_BALANCER_TYPES = {
    "loadBalancerTypes": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Load balancer types checked (an unset loadBalancerType is application).",
        "default": ["application"],
    },
}


def load_balancer_types(config: object) -> set[str]:
    """The ``loadBalancerTypes`` setting, lower-cased; the default when it is not a list."""
    raw = p.get(config, "loadBalancerTypes")
    chosen = [v.strip().lower() for v in p.as_list(raw) if isinstance(v, str) and v.strip()]
    return set(chosen) if p.is_sequence(raw) else {"application"}

"""The traceability tags every resource carries: the provider's default tags, and the explicit tags of
what default tags cannot reach (Auto Scaling Groups and the instances and volumes they launch)."""

from __future__ import annotations

import pulumi

from components.config import PROJECT


def traceability_tags() -> dict[str, str]:
    return {"project": PROJECT, "stack": pulumi.get_stack(), "managed-by": "pulumi"}

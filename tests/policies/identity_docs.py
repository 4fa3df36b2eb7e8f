"""Builders for the IAM documents the identity tests feed through the harness."""

from __future__ import annotations

import json
from typing import Any

EC2_TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def doc(*statements: dict[str, Any]) -> str:
    """A policy document as JSON text, the way a Python program sends it."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: Any, action: Any = "sts:AssumeRole", **extra: Any) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": action, **extra})


def role(trust_policy: Any = None, **props: Any) -> dict[str, Any]:
    """Role inputs as the engine sends them (camelCase keys), trusting EC2 unless told otherwise."""
    return {"assumeRolePolicy": json.dumps(EC2_TRUST) if trust_policy is None else trust_policy, **props}

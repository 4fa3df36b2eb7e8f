"""ebs-encryption: every EBS volume an instance or launch template creates is encrypted.

``Instance.rootBlockDevice.encrypted`` and ``ebsBlockDevices[].encrypted`` are booleans; a launch
template's ``blockDeviceMappings[].ebs.encrypted`` is a *string* (``"false"`` is truthy in Python).
Unset means the AMI's snapshot or the account's EBS-encryption-by-default decides, and a policy
cannot see either, so unset fails unless config says the account encrypts by default. An instance or
template that declares no root volume is unset in the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .. import props as p
from . import tokens as t
from .settings import Settings

NAME = "ebs-encryption"

CONFIG = PolicyConfigSchema(
    properties={
        "accountDefaultEncryption": {
            "type": "boolean",
            "description": (
                "The account enables EBS encryption by default, so an unset `encrypted` passes "
                "(an explicit false still fails)."
            ),
            "default": False,
        },
    }
)


def _check(where: str, raw: Any, unset_passes: bool) -> list[str]:
    value = p.as_bool(raw)
    if value is True:
        return []
    if value is False:
        return [f"{where}.encrypted is false"]
    if raw is not None:
        return [f"{where}.encrypted is not a readable boolean"]
    if unset_passes:
        return []
    return [f"{where}.encrypted is unset (unencrypted unless the account encrypts by default)"]


def violations(resource_type: str, props: Mapping[str, Any], settings: Settings) -> list[str]:
    unset_passes = settings.flag("accountDefaultEncryption")
    problems: list[str] = []
    if resource_type == t.INSTANCE:
        root = p.get(props, "rootBlockDevice")
        if root is None and not unset_passes:
            problems.append("rootBlockDevice is unset, so the root volume's encryption follows the AMI")
        elif root is not None:
            problems += _check("rootBlockDevice", p.get(root, "encrypted"), unset_passes)
        for i, device in enumerate(p.as_list(p.get(props, "ebsBlockDevices"))):
            problems += _check(f"ebsBlockDevices[{i}]", p.get(device, "encrypted"), unset_passes)
    elif resource_type == t.LAUNCH_TEMPLATE:
        mappings = p.as_list(p.get(props, "blockDeviceMappings"))
        if not mappings and not unset_passes:
            problems.append("blockDeviceMappings is unset, so volume encryption follows the AMI")
        for i, mapping in enumerate(mappings):
            ebs = p.get(mapping, "ebs")
            if ebs is None:
                continue  # instance-store or suppressed device: no EBS volume is created
            problems += _check(f"blockDeviceMappings[{i}].ebs", p.get(ebs, "encrypted"), unset_passes)
    elif resource_type == t.EBS_VOLUME:
        problems += _check("volume", p.get(props, "encrypted"), unset_passes)
    return problems


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    resource_type = p.canonical_type(args.resource_type)
    for problem in violations(resource_type, args.props, Settings(args.get_config(), CONFIG)):
        report_violation(problem, None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="EBS volumes of instances, launch templates and standalone volumes are encrypted.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    config_schema=CONFIG,
    remediation_steps=(
        "Set rootBlockDevice.encrypted / ebsBlockDevices[].encrypted to true on instances, "
        'blockDeviceMappings[].ebs.encrypted to "true" on launch templates (declare the root device), '
        "and encrypted=true on volumes; or enable EBS encryption by default for the account and set "
        "accountDefaultEncryption."
    ),
    validate=_validate,
)

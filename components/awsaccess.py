"""Where and as whom the project calls AWS itself: the settings of the stack's AWS provider, as plain data.

The stack's explicit ``aws.Provider`` takes these as arguments (an explicit provider reads no ``aws:``
stack config of its own), and the rollout's dynamic provider makes its boto3 clients from the same
values, so both act in one region with one identity.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class AssumeRole:
    """One role of the provider's ``aws:assumeRoles`` chain, assumed in order."""

    role_arn: str
    # @default "aws-compute-foundations-rollout"
    session_name: str | None = None
    # Sensitive: passed to STS, never printed. @default None
    external_id: str | None = None
    # Seconds, 900-43200. @default None (STS's default, one hour)
    duration_seconds: int | None = None


@dataclass(frozen=True)
class AwsAccess:
    """Where and as whom AWS is called: the same settings the stack's AWS provider gets."""

    # @default None (the AWS_REGION / AWS_DEFAULT_REGION environment, as the provider falls back to)
    region: str | None = None
    # A profile of the shared config files. @default None (the default credential chain)
    profile: str | None = None
    assume_roles: tuple[AssumeRole, ...] = ()

    def cli_flags(self) -> str:
        """``--region`` and ``--profile`` for a command the operator can paste (no secret in either)."""
        flags = []
        if self.region:
            flags.append(f"--region {shlex.quote(self.region)}")
        if self.profile:
            flags.append(f"--profile {shlex.quote(self.profile)}")
        return " ".join(flags)

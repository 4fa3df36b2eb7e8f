"""The doctor's only door to AWS: a boto3 session from the standard chain, refusing anything but reads.

The standard environment applies unchanged: ``AWS_PROFILE``, the credential chain, and
``AWS_ENDPOINT_URL`` (botocore reads it for every client, so the doctor runs against an emulator as-is).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers

READ_ONLY = re.compile(r"^(Describe|Get|List|Simulate)[A-Z]")
# Retries follow the standard mode; AWS_MAX_ATTEMPTS (or the profile's max_attempts) sets how many.
_CONFIG = botocore.config.Config(
    connect_timeout=5, read_timeout=20, retries={"mode": "standard"}, user_agent_extra="ops-doctor"
)


class CannotRun(Exception):
    """The doctor could not run at all (no credentials, no stack, no region): exit 2 with this one line."""


class NotReadOnly(Exception):
    """Raised before an API call that is not a read; the doctor must never change the account."""


def refuse_writes(model: Any = None, **_: Any) -> None:
    name = getattr(model, "name", "")
    if not READ_ONLY.match(name):
        raise NotReadOnly(f"the doctor refused to call {name}: it only reads (Describe*, Get*, List*, Simulate*)")


def resolve_region(explicit: str | None, stack_region: str | None, session: boto3.Session) -> str:
    """``--region``, else the stack's ``aws:region`` (as the provider uses it), else the environment's."""
    region = explicit or stack_region or os.environ.get("AWS_REGION") or session.region_name
    if not region:
        raise CannotRun("no AWS region: set aws:region in the stack, AWS_REGION, or pass --region")
    return region.strip()


@dataclass
class Aws:
    """Clients for one region, created once each, every call checked to be a read."""

    session: boto3.Session
    region: str
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = self.session.client(service, region_name=self.region, config=_CONFIG)
            client.meta.events.register("before-call", refuse_writes)
            self._clients[service] = client
        return self._clients[service]

    @property
    def ec2(self) -> Any:
        return self.client("ec2")

    @property
    def iam(self) -> Any:
        return self.client("iam")

    @property
    def autoscaling(self) -> Any:
        return self.client("autoscaling")

    @property
    def elbv2(self) -> Any:
        return self.client("elbv2")


def open_session(profile: str | None = None) -> boto3.Session:
    """A session from the standard chain; a missing profile or missing credentials cannot run."""
    try:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
        credentials = session.get_credentials()
    except botocore.exceptions.BotoCoreError as error:
        raise CannotRun(f"AWS credentials: {error}") from error
    if credentials is None:
        raise CannotRun(
            "no AWS credentials found: set AWS_PROFILE, run `aws configure` or `aws sso login`, "
            "or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    return session


def whoami(aws: Aws) -> str:
    """``account 123456789012 as arn:...``; proves the credentials work before any check runs."""
    try:
        identity = aws.client("sts").get_caller_identity()
    except AwsError as error:
        raise CannotRun(f"AWS credentials do not work: {error}") from error
    return f"account {identity['Account']} as {identity['Arn']} in {aws.region}"


def is_denied(error: BaseException) -> bool:
    """The caller lacks a permission: a problem of the doctor's policy, never of the stack."""
    code = error_code(error)
    return "AccessDenied" in code or "UnauthorizedOperation" in code or "NotAuthorized" in code


def error_code(error: BaseException) -> str:
    if isinstance(error, botocore.exceptions.ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return type(error).__name__


# An emulator answering a call it lacks with an HTML error page raises ResponseParserError.
AwsError = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, botocore.parsers.ResponseParserError)

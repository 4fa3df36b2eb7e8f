"""The AWS side of a rollout: start an instance refresh toward one launch template version, wait for its verdict.

Auto Scaling's own protocol for a safe rollout is ``StartInstanceRefresh`` with a ``DesiredConfiguration``
and ``AutoRollback``: the group keeps its current version until the refresh succeeds, and returns to it if
the refresh fails or an alarm fires. The bridged provider's ``instance_refresh`` block cannot use it (it
writes the new version onto the group first; terraform-provider-aws issue 34189), so the rollout calls it
here with boto3, and ``rollout.py`` wraps this in a Pulumi dynamic provider.

Everything here is plain data plus functions that take a boto3 client: no client, session or lock is
created at import, so the dynamic provider that calls these stays serializable, and tests drive them with
botocore's ``Stubber`` on real clients.
"""

from __future__ import annotations

import random
import shlex
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from components.awsaccess import AssumeRole, AwsAccess

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from botocore.retries.standard import RetryContext

# botocore is imported where it is used: the program process only builds resources and need not load it.

# Terminal statuses of DescribeInstanceRefreshes; every other one (Pending, InProgress, Cancelling,
# RollbackInProgress, Baking) means "keep waiting".
SUCCEEDED = "Successful"
REFUSED = ("Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed")
# Seconds between two DescribeInstanceRefreshes: well under the API's rate limits, fine enough for progress.
POLL_SECONDS = 15.0
# Throttled calls are retried this many times, with botocore's own exponential backoff and jitter.
THROTTLE_ATTEMPTS = 8

Log = Callable[[str], None]


class RolloutError(Exception):
    """The rollout did not reach its version; the message says what AWS said and what to do."""


@dataclass(frozen=True)
class RolloutRequest:
    """One launch template version to roll out onto one Auto Scaling Group."""

    group_name: str
    launch_template_id: str
    version: str
    # Share of the group kept in service while instances are replaced. @default 100
    min_healthy_percentage: int = 100
    # Ceiling while replacements launch before old instances stop. @default 150
    max_healthy_percentage: int = 150
    # Seconds a new instance warms up before the refresh moves on. @default 120
    instance_warmup_seconds: int = 120
    # CloudWatch alarms whose ALARM state fails (and so rolls back) the refresh. @default () (none)
    alarm_names: tuple[str, ...] = ()
    # How long ``pulumi up`` waits for the verdict. @default 1800 (30 minutes)
    timeout_seconds: int = 1800

    def preferences(self) -> dict[str, Any]:
        prefs: dict[str, Any] = {
            "MinHealthyPercentage": self.min_healthy_percentage,
            "MaxHealthyPercentage": self.max_healthy_percentage,
            "InstanceWarmup": self.instance_warmup_seconds,
            # Every change is a new template version, so every instance differs anyway.
            "SkipMatching": False,
            "AutoRollback": True,
            "ScaleInProtectedInstances": "Refresh",
            "StandbyInstances": "Terminate",
        }
        if self.alarm_names:
            prefs["AlarmSpecification"] = {"Alarms": list(self.alarm_names)}
        return prefs

    def desired_configuration(self) -> dict[str, Any]:
        return {"LaunchTemplate": {"LaunchTemplateId": self.launch_template_id, "Version": self.version}}


@dataclass(frozen=True)
class Verdict:
    """How a rollout ended: ``Successful``, or ``Unchanged`` when the group already ran the version."""

    status: str
    refresh_id: str | None = None


@dataclass
class Clock:
    """Time as the rollout sees it; tests pass a manual one instead of waiting."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random


class _ThrottleDetector:
    """Tells botocore's backoff a throttling error apart, so it uses its 1 s base instead of 50 ms."""

    def __init__(self) -> None:
        from botocore.retries import standard

        self.checker = standard.ThrottledRetryableChecker()

    def is_throttling_error_from_context(self, context: RetryContext) -> bool:
        return bool(self.checker.is_retryable(context))


def call(client: Any, operation: str, clock: Clock, log: Log, **params: Any) -> dict[str, Any]:
    """``client.<operation>(**params)``, retrying throttling errors with exponential backoff and jitter.

    botocore's standard retry mode already retries at the HTTP layer; a rollout that polls for half an
    hour must also outlast a longer burst of ``Throttling`` than its few attempts cover.
    """
    from botocore.exceptions import ClientError
    from botocore.retries import standard

    detector = _ThrottleDetector()
    backoff = standard.ExponentialBackoff(random=clock.random, throttling_detector=detector)
    attempt = 1
    while True:
        try:
            response: dict[str, Any] = getattr(client, operation)(**params)
            return response
        except ClientError as error:
            context = standard.RetryContext(attempt_number=attempt, parsed_response=error.response)
            if attempt >= THROTTLE_ATTEMPTS or not detector.is_throttling_error_from_context(context):
                raise
            delay = backoff.delay_amount(context)
            log(f"{operation} throttled by AWS ({_code(error)}); retry {attempt} in {delay:.1f} s")
            clock.sleep(delay)
            attempt += 1


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def follow_command(group_name: str, refresh_id: str | None, access: AwsAccess) -> str:
    """The AWS CLI command that shows this refresh's progress and verdict."""
    parts = ["aws autoscaling describe-instance-refreshes", f"--auto-scaling-group-name {shlex.quote(group_name)}"]
    if refresh_id:
        parts.append(f"--instance-refresh-ids {shlex.quote(refresh_id)}")
    flags = access.cli_flags()
    if flags:
        parts.append(flags)
    return " ".join(parts)


def current_version(client: Any, group_name: str, clock: Clock, log: Log) -> tuple[str | None, str | None]:
    """The (launch template id, version) the group launches from now."""
    groups = call(client, "describe_auto_scaling_groups", clock, log, AutoScalingGroupNames=[group_name])
    found = groups.get("AutoScalingGroups") or []
    if not found:
        raise RolloutError(f"Auto Scaling group {group_name} does not exist (or is not visible to these credentials)")
    template = found[0].get("LaunchTemplate") or {}
    return template.get("LaunchTemplateId"), template.get("Version")


def _refresh_in_progress(client: Any, request: RolloutRequest, clock: Clock, log: Log) -> str:
    listed = call(client, "describe_instance_refreshes", clock, log, AutoScalingGroupName=request.group_name)
    for refresh in listed.get("InstanceRefreshes") or []:
        if refresh.get("Status") not in (SUCCEEDED, *REFUSED):
            return f"{refresh.get('InstanceRefreshId')} ({refresh.get('Status')})"
    return "unknown id"


def start(client: Any, request: RolloutRequest, access: AwsAccess, clock: Clock, log: Log) -> str:
    """Start the refresh toward ``request.version``; the group's own configuration is not touched."""
    from botocore.exceptions import ClientError

    try:
        started = call(
            client,
            "start_instance_refresh",
            clock,
            log,
            AutoScalingGroupName=request.group_name,
            Strategy="Rolling",
            DesiredConfiguration=request.desired_configuration(),
            Preferences=request.preferences(),
        )
    except ClientError as error:
        if _code(error) != "InstanceRefreshInProgress":
            raise
        running = _refresh_in_progress(client, request, clock, log)
        raise RolloutError(
            f"cannot roll out launch template {request.launch_template_id} version {request.version}: "
            f"instance refresh {running} is already in progress on group {request.group_name}. Wait for its "
            f"verdict ({follow_command(request.group_name, None, access)}) or cancel it (aws autoscaling "
            f"cancel-instance-refresh --auto-scaling-group-name {shlex.quote(request.group_name)}"
            f"{' ' + access.cli_flags() if access.cli_flags() else ''}), then run pulumi up again"
        ) from None
    return str(started["InstanceRefreshId"])


def wait(client: Any, request: RolloutRequest, refresh_id: str, access: AwsAccess, clock: Clock, log: Log) -> Verdict:
    """Poll the refresh until AWS gives a verdict or the timeout passes; raise unless it succeeded."""
    deadline = clock.now() + request.timeout_seconds
    last: tuple[Any, ...] = ()
    refresh: Mapping[str, Any] = {}
    while True:
        listed = call(
            client,
            "describe_instance_refreshes",
            clock,
            log,
            AutoScalingGroupName=request.group_name,
            InstanceRefreshIds=[refresh_id],
        )
        found = listed.get("InstanceRefreshes") or []
        if found:
            refresh = found[0]
            status = str(refresh.get("Status"))
            progress = (status, refresh.get("PercentageComplete"), refresh.get("InstancesToUpdate"))
            if progress != last:
                log(
                    f"instance refresh {refresh_id} on {request.group_name}: {status}, "
                    f"{refresh.get('PercentageComplete', 0)}% complete, "
                    f"{refresh.get('InstancesToUpdate', '?')} instance(s) to update"
                )
                last = progress
            if status == SUCCEEDED:
                return Verdict(status=status, refresh_id=refresh_id)
            if status in REFUSED:
                reason = refresh.get("StatusReason") or "AWS gave no reason"
                raise RolloutError(
                    f"launch template {request.launch_template_id} version {request.version} was refused: "
                    f"instance refresh {refresh_id} on group {request.group_name} ended {status}: {reason}"
                )
        if clock.now() >= deadline:
            status = str(refresh.get("Status", "unknown"))
            raise RolloutError(
                f"no verdict on launch template {request.launch_template_id} version {request.version} within "
                f"{request.timeout_seconds // 60} minute(s): instance refresh {refresh_id} on group "
                f"{request.group_name} is {status}, {refresh.get('PercentageComplete', 0)}% complete, and goes "
                f"on in AWS. Follow it with: {follow_command(request.group_name, refresh_id, access)}"
            )
        clock.sleep(min(POLL_SECONDS, max(0.0, deadline - clock.now())))


def roll_out(client: Any, request: RolloutRequest, access: AwsAccess, log: Log, clock: Clock | None = None) -> Verdict:
    """Bring the group onto ``request.version`` through an instance refresh, and wait for AWS's verdict.

    A group that already launches from that version (just created with it, or brought there by an
    earlier refresh that outlived ``pulumi up``'s timeout) is left alone.
    """
    clock = clock or Clock()
    template_id, version = current_version(client, request.group_name, clock, log)
    if template_id == request.launch_template_id and version == request.version:
        log(f"group {request.group_name} already launches from version {request.version}; no refresh")
        return Verdict(status="Unchanged")
    log(
        f"rolling out launch template {request.launch_template_id} version {request.version} onto "
        f"{request.group_name} (from version {version}), rollback on failure"
        + (f" or alarm ({', '.join(request.alarm_names)})" if request.alarm_names else "")
    )
    refresh_id = start(client, request, access, clock, log)
    return wait(client, request, refresh_id, access, clock, log)


def assume_role_params(role: AssumeRole) -> dict[str, Any]:
    params: dict[str, Any] = {
        "RoleArn": role.role_arn,
        "RoleSessionName": role.session_name or "aws-compute-foundations-rollout",
    }
    if role.external_id:
        params["ExternalId"] = role.external_id
    if role.duration_seconds:
        params["DurationSeconds"] = role.duration_seconds
    return params


def client_config() -> Config:
    """botocore's standard retry mode: throttling and transient errors are also retried at the HTTP layer."""
    from botocore.config import Config

    return Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="aws-compute-foundations-rollout")


def autoscaling_client(access: AwsAccess) -> Any:
    """An Auto Scaling client acting as the stack's provider does: its region, profile and role chain."""
    import boto3

    session = boto3.Session(profile_name=access.profile, region_name=access.region)
    for role in access.assume_roles:
        sts = session.client("sts", config=client_config())
        credentials = sts.assume_role(**assume_role_params(role))["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=access.region,
        )
    return session.client("autoscaling", config=client_config())

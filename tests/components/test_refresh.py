"""The AWS side of a rollout, against real boto3 clients under botocore's Stubber.

The Stubber checks every request against Auto Scaling's published service model (names, types, required
members) and fails on any call that was not queued, so "nothing else was called" is part of each test.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from components import refresh
from components.awsaccess import AssumeRole, AwsAccess
from components.refresh import Clock, RolloutError, RolloutRequest

GROUP = "compute-asg-ce37319"
TEMPLATE = "lt-0123456789abcdef0"
REFRESH_ID = "08b91cf7-8fa6-48af-b6a6-d227f40f1b9b"
ACCESS = AwsAccess(region="us-east-1", profile="ops")
REQUEST = RolloutRequest(
    group_name=GROUP,
    launch_template_id=TEMPLATE,
    version="2",
    alarm_names=("compute-unhealthy-1a2b3c4", "compute-5xx-5d6e7f8"),
    timeout_seconds=60,
)
STARTED = datetime.datetime(2026, 11, 27, 17, 0, tzinfo=datetime.UTC)


@dataclass
class ManualClock(Clock):
    """Time that moves only when the rollout sleeps; records every sleep."""

    t: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.now = lambda: self.t
        self.sleep = self._sleep
        self.random = lambda: 0.5

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


@pytest.fixture
def autoscaling() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "autoscaling", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def group_at(stub: Stubber, version: str, template: str = TEMPLATE) -> None:
    stub.add_response(
        "describe_auto_scaling_groups",
        {
            "AutoScalingGroups": [
                {
                    "AutoScalingGroupName": GROUP,
                    "LaunchTemplate": {"LaunchTemplateId": template, "Version": version},
                    "MinSize": 1,
                    "MaxSize": 4,
                    "DesiredCapacity": 2,
                    "DefaultCooldown": 300,
                    "AvailabilityZones": ["us-east-1a", "us-east-1b"],
                    "HealthCheckType": "ELB",
                    "CreatedTime": STARTED,
                }
            ]
        },
        {"AutoScalingGroupNames": [GROUP]},
    )


def expect_start(stub: Stubber, request: RolloutRequest = REQUEST) -> None:
    stub.add_response(
        "start_instance_refresh",
        {"InstanceRefreshId": REFRESH_ID},
        {
            "AutoScalingGroupName": GROUP,
            "Strategy": "Rolling",
            "DesiredConfiguration": {"LaunchTemplate": {"LaunchTemplateId": TEMPLATE, "Version": request.version}},
            "Preferences": {
                "MinHealthyPercentage": 100,
                "MaxHealthyPercentage": 150,
                "InstanceWarmup": 120,
                "SkipMatching": False,
                "AutoRollback": True,
                "ScaleInProtectedInstances": "Refresh",
                "StandbyInstances": "Terminate",
                **({"AlarmSpecification": {"Alarms": list(request.alarm_names)}} if request.alarm_names else {}),
            },
        },
    )


def refresh_is(stub: Stubber, status: str, percent: int = 0, to_update: int = 2, reason: str | None = None) -> None:
    item: dict[str, Any] = {
        "InstanceRefreshId": REFRESH_ID,
        "AutoScalingGroupName": GROUP,
        "Status": status,
        "StartTime": STARTED,
        "PercentageComplete": percent,
        "InstancesToUpdate": to_update,
    }
    if reason is not None:
        item["StatusReason"] = reason
    stub.add_response(
        "describe_instance_refreshes",
        {"InstanceRefreshes": [item]},
        {"AutoScalingGroupName": GROUP, "InstanceRefreshIds": [REFRESH_ID]},
    )


def test_first_creation_starts_no_refresh(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "2")
    logs: list[str] = []

    verdict = refresh.roll_out(client, REQUEST, ACCESS, logs.append, ManualClock())

    assert verdict == refresh.Verdict(status="Unchanged")
    assert any("already launches from version 2" in line for line in logs)


def test_version_bump_starts_one_refresh_with_desired_configuration_and_auto_rollback(
    autoscaling: tuple[Any, Stubber],
) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "Pending", 0, 2)
    refresh_is(stub, "InProgress", 50, 1)
    refresh_is(stub, "Successful", 100, 0)
    logs: list[str] = []
    clock = ManualClock()

    verdict = refresh.roll_out(client, REQUEST, ACCESS, logs.append, clock)

    assert verdict == refresh.Verdict(status="Successful", refresh_id=REFRESH_ID)
    assert any("InProgress, 50% complete, 1 instance(s) to update" in line for line in logs)
    assert clock.sleeps == [refresh.POLL_SECONDS, refresh.POLL_SECONDS]


def test_version_bump_without_alarms_sends_no_alarm_specification(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    request = RolloutRequest(group_name=GROUP, launch_template_id=TEMPLATE, version="7")
    group_at(stub, "6")
    expect_start(stub, request)
    refresh_is(stub, "Successful", 100, 0)

    assert refresh.roll_out(client, request, ACCESS, lambda _: None, ManualClock()).status == "Successful"


def test_group_on_another_template_is_refreshed(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "2", template="lt-0fedcba9876543210")
    expect_start(stub)
    refresh_is(stub, "Successful", 100, 0)

    assert refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, ManualClock()).status == "Successful"


REASON = (
    "The instance refresh failed because an alarm went into the ALARM state: compute-unhealthy-1a2b3c4. "
    "Rollback completed successfully."
)


@pytest.mark.parametrize("status", ["RollbackSuccessful", "Failed", "Cancelled", "RollbackFailed"])
def test_refused_refresh_fails_with_aws_reason_and_the_refused_version(
    autoscaling: tuple[Any, Stubber], status: str
) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "InProgress", 50, 1)
    if status.startswith("Rollback"):
        refresh_is(stub, "RollbackInProgress", 0, 1, reason=REASON)
    refresh_is(stub, status, 0, 1, reason=REASON)

    with pytest.raises(RolloutError) as caught:
        refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, ManualClock())

    message = str(caught.value)
    assert f"ended {status}: {REASON}" in message
    assert f"launch template {TEMPLATE} version 2 was refused" in message


def test_refused_refresh_without_a_reason_says_so(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "Failed", 0, 2)

    with pytest.raises(RolloutError, match="ended Failed: AWS gave no reason"):
        refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, ManualClock())


def test_timeout_fails_with_the_command_to_follow_the_refresh(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    # Polls at 0, 15, 30, 45 and 60 s; the 60 s poll is the last before the 1-minute timeout.
    for percent in (0, 10, 20, 30, 40):
        refresh_is(stub, "InProgress", percent, 2)
    clock = ManualClock()

    with pytest.raises(RolloutError) as caught:
        refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, clock)

    message = str(caught.value)
    assert "no verdict on launch template" in message and "version 2 within 1 minute(s)" in message
    assert "InProgress, 40% complete" in message
    assert message.endswith(
        f"aws autoscaling describe-instance-refreshes --auto-scaling-group-name {GROUP}"
        f" --instance-refresh-ids {REFRESH_ID} --region us-east-1 --profile ops"
    )
    assert clock.t == 60


def test_refresh_in_progress_is_a_clear_error_naming_it(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    stub.add_client_error(
        "start_instance_refresh",
        service_error_code="InstanceRefreshInProgress",
        service_message="An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.",
        http_status_code=400,
    )
    stub.add_response(
        "describe_instance_refreshes",
        {
            "InstanceRefreshes": [
                {"InstanceRefreshId": "older", "AutoScalingGroupName": GROUP, "Status": "Successful"},
                {"InstanceRefreshId": "running-1", "AutoScalingGroupName": GROUP, "Status": "InProgress"},
            ]
        },
        {"AutoScalingGroupName": GROUP},
    )

    with pytest.raises(RolloutError) as caught:
        refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, ManualClock())

    message = str(caught.value)
    assert "instance refresh running-1 (InProgress) is already in progress" in message
    assert f"aws autoscaling cancel-instance-refresh --auto-scaling-group-name {GROUP} --region us-east-1" in message


def test_throttling_is_retried_with_exponential_backoff(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    for _ in range(3):
        stub.add_client_error(
            "describe_auto_scaling_groups", service_error_code="Throttling", service_message="Rate exceeded"
        )
    group_at(stub, "1")
    expect_start(stub)
    stub.add_client_error(
        "describe_instance_refreshes", service_error_code="Throttling", service_message="Rate exceeded"
    )
    refresh_is(stub, "Successful", 100, 0)
    logs: list[str] = []
    clock = ManualClock()

    verdict = refresh.roll_out(client, REQUEST, ACCESS, logs.append, clock)

    assert verdict.status == "Successful"
    # botocore's backoff: rand * min(1 s * 2^(attempt-1), 20 s), rand fixed at 0.5 here.
    assert clock.sleeps == [0.5, 1.0, 2.0, 0.5]
    assert sum("throttled by AWS (Throttling)" in line for line in logs) == 4


def test_throttling_that_never_ends_gives_up(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    for _ in range(refresh.THROTTLE_ATTEMPTS):
        stub.add_client_error(
            "describe_auto_scaling_groups", service_error_code="Throttling", service_message="Rate exceeded"
        )
    clock = ManualClock()

    with pytest.raises(ClientError, match="Throttling"):
        refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, clock)
    assert len(clock.sleeps) == refresh.THROTTLE_ATTEMPTS - 1
    assert max(clock.sleeps) <= 20 * 0.5


def test_other_errors_are_not_retried(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    stub.add_client_error("start_instance_refresh", service_error_code="ValidationError", service_message="bad")
    clock = ManualClock()

    with pytest.raises(ClientError, match="ValidationError"):
        refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, clock)
    assert clock.sleeps == []


def test_missing_group_is_a_clear_error(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    stub.add_response("describe_auto_scaling_groups", {"AutoScalingGroups": []}, {"AutoScalingGroupNames": [GROUP]})

    with pytest.raises(RolloutError, match=f"group {GROUP} does not exist"):
        refresh.roll_out(client, REQUEST, ACCESS, lambda _: None, ManualClock())


def test_assume_role_request_matches_sts() -> None:
    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    role = AssumeRole(
        role_arn="arn:aws:iam::210987654321:role/deployer", external_id="s3cr3t-shared-id", duration_seconds=1800
    )
    expires = datetime.datetime(2026, 11, 27, 18, 0, tzinfo=datetime.UTC)
    with Stubber(sts) as stub:
        stub.add_response(
            "assume_role",
            {
                "Credentials": {
                    "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
                    "SecretAccessKey": "secret",
                    "SessionToken": "token",
                    "Expiration": expires,
                }
            },
            {
                "RoleArn": role.role_arn,
                "RoleSessionName": "aws-compute-foundations-rollout",
                "ExternalId": "s3cr3t-shared-id",
                "DurationSeconds": 1800,
            },
        )
        sts.assume_role(**refresh.assume_role_params(role))
        stub.assert_no_pending_responses()


def test_follow_command_quotes_what_it_pastes() -> None:
    command = refresh.follow_command("a group; rm -rf /", None, AwsAccess(region="eu-west-1", profile="my profile"))

    assert command == (
        "aws autoscaling describe-instance-refreshes --auto-scaling-group-name 'a group; rm -rf /'"
        " --region eu-west-1 --profile 'my profile'"
    )


def test_rolling_out_logs_the_version_the_group_leaves_and_the_alarms_that_roll_back(
    autoscaling: tuple[Any, Stubber],
) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "Successful", 100, 0)
    logs: list[str] = []

    refresh.roll_out(client, REQUEST, ACCESS, logs.append, ManualClock())

    assert logs[0] == (
        f"rolling out launch template {TEMPLATE} version 2 onto {GROUP} (from version 1), rollback on failure"
        " or alarm (compute-unhealthy-1a2b3c4, compute-5xx-5d6e7f8)"
    )


def test_rolling_out_without_alarms_logs_health_checks_only(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    request = RolloutRequest(group_name=GROUP, launch_template_id=TEMPLATE, version="7")
    group_at(stub, "6")
    expect_start(stub, request)
    refresh_is(stub, "Successful", 100, 0)
    logs: list[str] = []

    refresh.roll_out(client, request, ACCESS, logs.append, ManualClock())

    assert logs[0].endswith("(from version 6), rollback on failure")


def test_progress_is_logged_once_per_change_and_says_what_aws_left_out(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "InProgress", 50, 1)
    refresh_is(stub, "InProgress", 50, 1)  # unchanged: not logged again
    refresh_is(stub, "InProgress", 50, 0)  # only the instances to update changed
    refresh_is(stub, "InProgress", 60, 0)  # only the percentage changed
    stub.add_response(
        "describe_instance_refreshes",
        {"InstanceRefreshes": [{"InstanceRefreshId": REFRESH_ID, "AutoScalingGroupName": GROUP, "Status": "Baking"}]},
        {"AutoScalingGroupName": GROUP, "InstanceRefreshIds": [REFRESH_ID]},
    )
    refresh_is(stub, "Successful", 100, 0)
    logs: list[str] = []

    refresh.roll_out(client, dataclasses.replace(REQUEST, timeout_seconds=600), ACCESS, logs.append, ManualClock())

    prefix = f"instance refresh {REFRESH_ID} on {GROUP}: "
    assert [line.removeprefix(prefix) for line in logs[1:]] == [
        "InProgress, 50% complete, 1 instance(s) to update",
        "InProgress, 50% complete, 0 instance(s) to update",
        "InProgress, 60% complete, 0 instance(s) to update",
        "Baking, 0% complete, ? instance(s) to update",
        "Successful, 100% complete, 0 instance(s) to update",
    ]


def test_the_last_poll_waits_only_until_the_deadline(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    for _ in range(4):
        refresh_is(stub, "InProgress", 10, 2)
    clock = ManualClock()

    with pytest.raises(RolloutError, match="within 0 minute"):
        refresh.roll_out(client, dataclasses.replace(REQUEST, timeout_seconds=40), ACCESS, lambda _: None, clock)

    assert clock.sleeps == [15.0, 15.0, 10.0]


def test_a_poll_that_takes_time_leaves_a_fraction_of_a_second_to_wait(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    clock = ManualClock()

    def slow_call(**_: Any) -> None:
        clock.t += 0.25

    client.meta.events.register("before-parameter-build.auto-scaling.DescribeInstanceRefreshes", slow_call)
    group_at(stub, "1")
    expect_start(stub)
    for _ in range(3):
        refresh_is(stub, "InProgress", 10, 2)

    with pytest.raises(RolloutError):
        refresh.roll_out(client, dataclasses.replace(REQUEST, timeout_seconds=16), ACCESS, lambda _: None, clock)

    assert clock.sleeps == [15.0, 0.5]


def test_a_refresh_aws_never_lists_times_out_as_unknown(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    for _ in range(2):
        stub.add_response(
            "describe_instance_refreshes",
            {"InstanceRefreshes": []},
            {"AutoScalingGroupName": GROUP, "InstanceRefreshIds": [REFRESH_ID]},
        )

    with pytest.raises(RolloutError) as caught:
        refresh.roll_out(
            client, dataclasses.replace(REQUEST, timeout_seconds=15), ACCESS, lambda _: None, ManualClock()
        )

    assert f"instance refresh {REFRESH_ID} on group {GROUP} is unknown, 0% complete, and goes on in AWS" in str(
        caught.value
    )


def test_a_timeout_without_a_percentage_from_aws_reads_zero_percent(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    expect_start(stub)
    for _ in range(2):
        stub.add_response(
            "describe_instance_refreshes",
            {
                "InstanceRefreshes": [
                    {"InstanceRefreshId": REFRESH_ID, "AutoScalingGroupName": GROUP, "Status": "Pending"}
                ]
            },
            {"AutoScalingGroupName": GROUP, "InstanceRefreshIds": [REFRESH_ID]},
        )

    with pytest.raises(RolloutError, match=f"on group {GROUP} is Pending, 0% complete, and goes on"):
        refresh.roll_out(
            client, dataclasses.replace(REQUEST, timeout_seconds=15), ACCESS, lambda _: None, ManualClock()
        )


def _in_progress_error(stub: Stubber) -> None:
    stub.add_client_error(
        "start_instance_refresh", service_error_code="InstanceRefreshInProgress", http_status_code=400
    )


def test_a_refresh_in_progress_that_aws_no_longer_lists_is_named_unknown(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    _in_progress_error(stub)
    stub.add_response(
        "describe_instance_refreshes",
        {"InstanceRefreshes": [{"InstanceRefreshId": "older", "AutoScalingGroupName": GROUP, "Status": "Failed"}]},
        {"AutoScalingGroupName": GROUP},
    )

    with pytest.raises(RolloutError) as caught:
        refresh.roll_out(client, REQUEST, AwsAccess(), lambda _: None, ManualClock())

    assert str(caught.value) == (
        f"cannot roll out launch template {TEMPLATE} version 2: instance refresh unknown id is already in progress on"
        f" group {GROUP}. Wait for its verdict (aws autoscaling describe-instance-refreshes --auto-scaling-group-name"
        f" {GROUP}) or cancel it (aws autoscaling cancel-instance-refresh --auto-scaling-group-name {GROUP}), then run"
        " pulumi up again"
    )


def test_throttled_start_and_in_progress_lookup_are_retried_and_logged(autoscaling: tuple[Any, Stubber]) -> None:
    client, stub = autoscaling
    group_at(stub, "1")
    stub.add_client_error("start_instance_refresh", service_error_code="Throttling", service_message="Rate exceeded")
    _in_progress_error(stub)
    stub.add_client_error(
        "describe_instance_refreshes", service_error_code="Throttling", service_message="Rate exceeded"
    )
    stub.add_response("describe_instance_refreshes", {"InstanceRefreshes": []}, {"AutoScalingGroupName": GROUP})
    logs: list[str] = []

    with pytest.raises(RolloutError, match="unknown id is already in progress"):
        refresh.roll_out(client, REQUEST, ACCESS, logs.append, ManualClock())

    assert [line.split(";")[0] for line in logs[1:]] == [
        "start_instance_refresh throttled by AWS (Throttling)",
        "describe_instance_refreshes throttled by AWS (Throttling)",
    ]


def test_the_client_retries_in_standard_mode_and_names_the_rollout_in_its_user_agent() -> None:
    config = refresh.client_config()

    assert config.retries == {"mode": "standard", "max_attempts": 5}
    assert config.user_agent_extra == "aws-compute-foundations-rollout"

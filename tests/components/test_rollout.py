"""The rollout's dynamic provider: its diff, check and CRUD as the engine calls them, and its serialization."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import dill
import pulumi.runtime.settings
import pytest
from botocore.stub import Stubber
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown

from components import refresh, rollout
from components.awsaccess import AwsAccess
from components.rollout import UNKNOWN, RolloutProvider
from tests.components.test_refresh import GROUP, REASON, REFRESH_ID, TEMPLATE, expect_start, group_at, refresh_is
from tests.conftest import REPO

SECRET_EXTERNAL_ID = "do-not-print-this-external-id"
# Properties as the engine hands them to the provider: wire names, numbers as floats.
PROPS: dict[str, Any] = {
    "autoScalingGroupName": GROUP,
    "launchTemplateId": TEMPLATE,
    "launchTemplateVersion": "1",
    "imageId": "ami-0123456789abcdef0",
    "minHealthyPercentage": 100.0,
    "maxHealthyPercentage": 150.0,
    "instanceWarmupSeconds": 120.0,
    "alarmNames": ["compute-unhealthy-1a2b3c4", "compute-5xx-5d6e7f8"],
    "timeoutSeconds": 60.0,
    "region": "us-east-1",
    "profile": "ops",
    "assumeRoles": [{"roleArn": "arn:aws:iam::210987654321:role/deployer", "externalId": SECRET_EXTERNAL_ID}],
}
OLD_STATE = {**PROPS, "status": "Unchanged", "instanceRefreshId": "", "__provider": "serialized"}


def bumped(**changes: Any) -> dict[str, Any]:
    return {**PROPS, "launchTemplateVersion": "2", "imageId": "ami-0fedcba9876543210", **changes}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stubber, list[AwsAccess]]]:
    """The provider's boto3 client, stubbed; also records the AWS settings the client was made for."""
    client = boto3.client(
        "autoscaling", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    made_for: list[AwsAccess] = []

    def client_for(access: AwsAccess) -> Any:
        made_for.append(access)
        return client

    monkeypatch.setattr(refresh, "autoscaling_client", client_for)
    monkeypatch.setattr(refresh, "POLL_SECONDS", 0.0)
    with Stubber(client) as stub:
        yield stub, made_for
        stub.assert_no_pending_responses()


# --- diff: what preview shows --------------------------------------------------------------------


def test_diff_of_a_new_version_is_an_in_place_update() -> None:
    result = RolloutProvider().diff(GROUP, OLD_STATE, bumped())

    assert result.changes is True
    assert result.replaces == []


@pytest.mark.parametrize("unknown", [UNKNOWN, Unknown()], ids=["wire-marker", "deserialized"])
def test_diff_while_the_new_version_is_unknown_still_plans_the_rollout(unknown: Any) -> None:
    """In preview the template's next version does not exist yet: the engine sends the unknown marker,
    which the provider process deserializes to ``pulumi.output.Unknown``."""
    result = RolloutProvider().diff(GROUP, OLD_STATE, bumped(launchTemplateVersion=unknown, imageId=unknown))

    assert result.changes is True
    assert result.replaces == []


def test_diff_of_the_same_inputs_is_no_change() -> None:
    result = RolloutProvider().diff(GROUP, OLD_STATE, dict(PROPS))

    assert result.changes is False


def test_diff_of_another_group_replaces_the_rollout() -> None:
    result = RolloutProvider().diff(GROUP, OLD_STATE, {**PROPS, "autoScalingGroupName": "other-asg"})

    assert result.changes is True
    assert result.replaces == ["autoScalingGroupName"]


def test_check_refuses_preferences_aws_would_refuse() -> None:
    news = {**PROPS, "minHealthyPercentage": 40.0, "maxHealthyPercentage": 150.0, "alarmNames": ["a"] * 11}

    failures = RolloutProvider().check({}, news).failures

    assert {(f.property, f.reason) for f in failures} == {
        ("maxHealthyPercentage", "may exceed the minimum by 100 at most"),
        ("alarmNames", "AlarmSpecification takes at most 10 alarms"),
    }
    assert RolloutProvider().check({}, {**PROPS, "maxHealthyPercentage": UNKNOWN}).failures == []
    assert (
        RolloutProvider().check({}, {**PROPS, "minHealthyPercentage": Unknown(), "alarmNames": Unknown()}).failures
        == []
    )


# --- create and update: what `pulumi up` does ------------------------------------------------------


def test_create_runs_no_refresh_on_a_group_created_from_the_version(
    stubbed: tuple[Stubber, list[AwsAccess]],
) -> None:
    stub, made_for = stubbed
    group_at(stub, "1")

    result = RolloutProvider().create(dict(PROPS))

    assert result.id == GROUP
    assert result.outs is not None and result.outs["status"] == "Unchanged"
    (access,) = made_for
    assert (access.region, access.profile) == ("us-east-1", "ops")
    assert access.assume_roles[0].role_arn == "arn:aws:iam::210987654321:role/deployer"


def test_update_to_a_new_version_reaches_aws_as_one_start_instance_refresh(
    stubbed: tuple[Stubber, list[AwsAccess]],
) -> None:
    stub, _ = stubbed
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "Successful", 100, 0)

    result = RolloutProvider().update(GROUP, OLD_STATE, bumped())

    assert result.outs is not None
    assert (result.outs["status"], result.outs["instanceRefreshId"]) == ("Successful", REFRESH_ID)


def test_update_of_a_rolled_back_refresh_fails_with_the_reason_and_never_prints_a_secret(
    stubbed: tuple[Stubber, list[AwsAccess]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in the provider process: no engine connection, so pulumi.log writes to stderr, which the CLI shows.
    monkeypatch.setattr(pulumi.runtime.settings, "get_engine", lambda: None)
    stub, _ = stubbed
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "InProgress", 50, 1)
    refresh_is(stub, "RollbackSuccessful", 0, 1, reason=REASON)

    with pytest.raises(refresh.RolloutError) as caught:
        RolloutProvider().update(GROUP, OLD_STATE, bumped())

    assert REASON in str(caught.value) and "version 2 was refused" in str(caught.value)
    logged = capsys.readouterr()
    assert "rollout: instance refresh" in logged.err and "50% complete" in logged.err
    assert SECRET_EXTERNAL_ID not in str(caught.value) + logged.out + logged.err


def test_update_that_only_tunes_the_next_rollout_calls_no_aws(stubbed: tuple[Stubber, list[AwsAccess]]) -> None:
    _, made_for = stubbed

    result = RolloutProvider().update(GROUP, OLD_STATE, {**PROPS, "timeoutSeconds": 3600.0, "alarmNames": []})

    assert made_for == []
    assert result.outs is not None and result.outs["status"] == "Unchanged"


def test_aws_errors_are_reported_without_credentials(
    stubbed: tuple[Stubber, list[AwsAccess]],
) -> None:
    stub, _ = stubbed
    stub.add_client_error(
        "describe_auto_scaling_groups", service_error_code="AccessDenied", service_message="not authorized"
    )

    with pytest.raises(refresh.RolloutError, match=r"version 2 onto .* failed calling AWS: ClientError") as caught:
        RolloutProvider().update(GROUP, OLD_STATE, bumped())
    assert SECRET_EXTERNAL_ID not in str(caught.value)


# --- serialization: how the engine ships the provider ----------------------------------------------


def test_provider_survives_the_engines_serialization_and_still_rolls_out(
    stubbed: tuple[Stubber, list[AwsAccess]],
) -> None:
    stub, _ = stubbed
    group_at(stub, "1")
    expect_start(stub)
    refresh_is(stub, "Successful", 100, 0)

    # What pulumi.dynamic.Resource stores in `__provider`, and what the provider process loads.
    shipped = serialize_provider(RolloutProvider())
    loaded = dill.loads(base64.b64decode(shipped))

    assert type(loaded) is RolloutProvider
    assert vars(loaded) == {}, "the provider carries no client, session or lock"
    result = loaded.update(GROUP, OLD_STATE, bumped())
    assert result.outs is not None and result.outs["status"] == "Successful"


def test_provider_loads_in_a_fresh_process_from_the_project_directory() -> None:
    """The CLI starts the dynamic provider in the program's directory; nothing from this process is needed."""
    shipped = serialize_provider(RolloutProvider())
    script = (
        "import base64, sys, dill\n"
        "provider = dill.loads(base64.b64decode(sys.stdin.read()))\n"
        "result = provider.diff('g', {'launchTemplateVersion': '1'}, {'launchTemplateVersion': '2'})\n"
        "print(type(provider).__module__, type(provider).__name__, result.changes)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=shipped, cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )

    assert done.stdout.split() == ["components.rollout", "RolloutProvider", "True"]


def test_serialization_is_deterministic_so_an_unchanged_program_shows_no_diff() -> None:
    assert serialize_provider(RolloutProvider()) == serialize_provider(RolloutProvider())


def test_module_holds_no_client() -> None:
    import botocore.client

    for module in (refresh, rollout):
        assert not any(isinstance(value, botocore.client.BaseClient) for value in vars(module).values())

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
from components.awsaccess import AssumeRole, AwsAccess
from components.rollout import UNKNOWN, RolloutProvider
from offline.harness import run_program
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


# --- check: both ends of every range StartInstanceRefresh accepts ------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "refused"),
    [
        (0.0, 100.0, set()),
        (100.0, 200.0, set()),
        (
            -1.0,
            100.0,
            {
                ("minHealthyPercentage", "must be 0-100 (StartInstanceRefresh)"),
                ("maxHealthyPercentage", "may exceed the minimum by 100 at most"),
            },
        ),
        (0.5, 100.0, set()),
        (101.0, 150.0, {("minHealthyPercentage", "must be 0-100 (StartInstanceRefresh)")}),
        (100.0, 99.0, {("maxHealthyPercentage", "must be 100-200 (StartInstanceRefresh)")}),
        (100.0, 100.5, set()),
        (100.0, 199.5, set()),
        (
            100.0,
            200.5,
            {
                ("maxHealthyPercentage", "must be 100-200 (StartInstanceRefresh)"),
                ("maxHealthyPercentage", "may exceed the minimum by 100 at most"),
            },
        ),
        (50.0, 150.0, set()),
        (49.0, 150.0, {("maxHealthyPercentage", "may exceed the minimum by 100 at most")}),
        (0.0, 101.0, {("maxHealthyPercentage", "may exceed the minimum by 100 at most")}),
    ],
    ids=[
        "min-0",
        "max-200",
        "min-below-0",
        "min-just-above-0",
        "min-above-100",
        "max-below-100",
        "max-just-above-100",
        "max-just-below-200",
        "max-above-200",
        "spread-exactly-100",
        "spread-101",
        "spread-101-from-0",
    ],
)
def test_check_accepts_both_ends_of_each_healthy_percentage_range_and_refuses_beyond_them(
    low: float, high: float, refused: set[tuple[str, str]]
) -> None:
    news = {**PROPS, "minHealthyPercentage": low, "maxHealthyPercentage": high}

    result = RolloutProvider().check({}, news)

    assert {(f.property, f.reason) for f in result.failures} == refused
    assert result.inputs == news, "check hands the engine the inputs it was given"


@pytest.mark.parametrize(("count", "refused"), [(10, False), (11, True)])
def test_check_allows_ten_alarms_and_refuses_eleven(count: int, refused: bool) -> None:
    failures = RolloutProvider().check({}, {**PROPS, "alarmNames": [f"alarm-{i}" for i in range(count)]}).failures

    expected = {("alarmNames", "AlarmSpecification takes at most 10 alarms")} if refused else set()
    assert {(f.property, f.reason) for f in failures} == expected


# --- diff and update: what the engine records ---------------------------------------------------------


def test_a_replaced_rollout_is_created_before_the_old_record_is_deleted() -> None:
    result = RolloutProvider().diff(GROUP, OLD_STATE, {**PROPS, "autoScalingGroupName": "other-asg"})

    assert result.delete_before_replace is False


def test_diff_sees_an_input_the_old_state_did_not_have() -> None:
    olds = {k: v for k, v in OLD_STATE.items() if k != "imageId"}

    assert RolloutProvider().diff(GROUP, olds, dict(PROPS)).changes is True
    assert RolloutProvider().diff(GROUP, {**OLD_STATE, "status": "Successful"}, dict(PROPS)).changes is False


def test_update_that_only_tunes_the_next_rollout_keeps_the_last_verdict_and_refresh_id(
    stubbed: tuple[Stubber, list[AwsAccess]],
) -> None:
    _, made_for = stubbed
    olds = {**OLD_STATE, "status": "Successful", "instanceRefreshId": REFRESH_ID}

    result = RolloutProvider().update(GROUP, olds, {**PROPS, "timeoutSeconds": 3600.0})

    assert made_for == []
    assert result.outs == {**PROPS, "timeoutSeconds": 3600.0, "status": "Successful", "instanceRefreshId": REFRESH_ID}


def test_update_of_a_record_without_a_verdict_reads_as_unchanged(stubbed: tuple[Stubber, list[AwsAccess]]) -> None:
    olds = {k: v for k, v in OLD_STATE.items() if k not in ("status", "instanceRefreshId")}

    result = RolloutProvider().update(GROUP, olds, {**PROPS, "timeoutSeconds": 3600.0})

    assert result.outs is not None
    assert (result.outs["status"], result.outs["instanceRefreshId"]) == ("Unchanged", "")


def test_create_records_an_empty_refresh_id_when_nothing_was_refreshed(
    stubbed: tuple[Stubber, list[AwsAccess]],
) -> None:
    stub, _ = stubbed
    group_at(stub, "1")

    result = RolloutProvider().create(dict(PROPS))

    assert result.outs == {**PROPS, "status": "Unchanged", "instanceRefreshId": ""}


# --- reading the engine's properties --------------------------------------------------------------------


def test_properties_become_the_request_with_every_preference_as_an_integer() -> None:
    props = {
        **PROPS,
        "minHealthyPercentage": 90.0,
        "maxHealthyPercentage": 180.0,
        "instanceWarmupSeconds": 300.0,
        "timeoutSeconds": 600.0,
    }

    assert rollout.request_of(props) == refresh.RolloutRequest(
        group_name=GROUP,
        launch_template_id=TEMPLATE,
        version="1",
        min_healthy_percentage=90,
        max_healthy_percentage=180,
        instance_warmup_seconds=300,
        alarm_names=("compute-unhealthy-1a2b3c4", "compute-5xx-5d6e7f8"),
        timeout_seconds=600,
    )
    assert rollout.request_of({**props, "alarmNames": None}).alarm_names == ()


def test_properties_become_the_providers_region_profile_and_role_chain() -> None:
    props = {
        "region": "eu-west-1",
        "profile": "ops",
        "assumeRoles": [
            {
                "roleArn": "arn:aws:iam::210987654321:role/a",
                "sessionName": "s",
                "externalId": "e",
                "durationSeconds": 900.0,
            },
            {"roleArn": "arn:aws:iam::210987654321:role/b", "sessionName": "", "externalId": "", "durationSeconds": 0},
        ],
    }

    assert rollout.access_of(props) == AwsAccess(
        region="eu-west-1",
        profile="ops",
        assume_roles=(
            AssumeRole(
                role_arn="arn:aws:iam::210987654321:role/a", session_name="s", external_id="e", duration_seconds=900
            ),
            AssumeRole(role_arn="arn:aws:iam::210987654321:role/b"),
        ),
    )
    assert rollout.access_of({"region": "", "profile": "", "assumeRoles": None}) == AwsAccess()


def test_aws_errors_name_the_version_and_the_group(stubbed: tuple[Stubber, list[AwsAccess]]) -> None:
    stub, _ = stubbed
    stub.add_client_error("describe_auto_scaling_groups", service_error_code="AccessDenied", service_message="no")

    with pytest.raises(refresh.RolloutError) as caught:
        RolloutProvider().update(GROUP, OLD_STATE, bumped())

    assert str(caught.value).startswith(f"rollout of version 2 onto {GROUP} failed calling AWS: ClientError: ")


def test_a_refresh_already_in_progress_names_the_stacks_region_and_profile_in_the_cancel_command(
    stubbed: tuple[Stubber, list[AwsAccess]],
) -> None:
    stub, _ = stubbed
    group_at(stub, "1")
    stub.add_client_error(
        "start_instance_refresh", service_error_code="InstanceRefreshInProgress", http_status_code=400
    )
    stub.add_response("describe_instance_refreshes", {"InstanceRefreshes": []}, {"AutoScalingGroupName": GROUP})

    with pytest.raises(refresh.RolloutError) as caught:
        RolloutProvider().update(GROUP, OLD_STATE, bumped())

    assert f"cancel-instance-refresh --auto-scaling-group-name {GROUP} --region us-east-1 --profile ops)" in str(
        caught.value
    )


# --- the resource the program registers ------------------------------------------------------------------


class _NoCloud(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        # As the provider's create answers for a group created from the version.
        return f"{args.name}-id", {**args.inputs, "status": "Unchanged", "instanceRefreshId": ""}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_the_registered_rollout_carries_every_input_and_outlasts_its_own_timeout_by_the_engine_grace() -> None:
    def program() -> None:
        registered = rollout.Rollout(
            "compute-rollout",
            rollout.RolloutArgs(
                auto_scaling_group_name=GROUP,
                launch_template_id=TEMPLATE,
                launch_template_version="3",
                image_id="ami-0123456789abcdef0",
                min_healthy_percentage=90,
                max_healthy_percentage=180,
                instance_warmup_seconds=60,
                alarm_names=["compute-5xx"],
                timeout_minutes=45,
                access=AwsAccess(
                    region="eu-west-1",
                    profile="ops",
                    assume_roles=(
                        AssumeRole(
                            role_arn="arn:aws:iam::210987654321:role/a",
                            session_name="deploy",
                            external_id=SECRET_EXTERNAL_ID,
                            duration_seconds=900,
                        ),
                        AssumeRole(role_arn="arn:aws:iam::210987654321:role/b"),
                    ),
                ),
            ),
            # The caller's options are kept beside the rollout's own timeouts.
            pulumi.ResourceOptions(ignore_changes=["imageId"]),
        )
        pulumi.export("status", registered.status)
        # A dynamic resource's attributes keep the property names: every annotated output is one.
        for output in rollout.Rollout.__annotations__:
            pulumi.export(output, getattr(registered, output))

    run = run_program(program, _NoCloud(), project="p", stack="s", config={})

    assert run.error is None
    assert run.outputs == {
        "status": "Unchanged",
        "instanceRefreshId": "",
        "launchTemplateVersion": "3",
    }, "the provider's outputs, readable under the names the class declares"
    (registered,) = [r for r in run.resources if r.type == "pulumi-python:dynamic/autoscaling:Rollout"]
    assert registered.name == "compute-rollout"
    assert registered.custom_timeouts == {"create": "50m", "update": "50m"}
    assert registered.ignore_changes == ["imageId"]
    inputs = {k: v for k, v in registered.inputs.items() if k != "__provider"}
    roles = inputs.pop("assumeRoles")
    assert inputs == {
        "autoScalingGroupName": GROUP,
        "launchTemplateId": TEMPLATE,
        "launchTemplateVersion": "3",
        "imageId": "ami-0123456789abcdef0",
        "minHealthyPercentage": 90.0,
        "maxHealthyPercentage": 180.0,
        "instanceWarmupSeconds": 60.0,
        "alarmNames": ["compute-5xx"],
        "timeoutSeconds": 2700.0,
        "region": "eu-west-1",
        "profile": "ops",
    }
    # The external id makes the role list a secret: encrypted in state, never shown.
    assert roles["value"] == [
        {
            "roleArn": "arn:aws:iam::210987654321:role/a",
            "sessionName": "deploy",
            "externalId": SECRET_EXTERNAL_ID,
            "durationSeconds": 900.0,
        },
        {"roleArn": "arn:aws:iam::210987654321:role/b"},
    ]
    assert isinstance(registered.inputs["__provider"], str)

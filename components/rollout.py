"""A Pulumi resource that rolls a launch template version out onto an Auto Scaling Group and waits for AWS's verdict.

``Rollout`` is a dynamic resource (``pulumi.dynamic``): the engine runs ``RolloutProvider`` in its own
process and calls it like any provider. Its inputs are the group, the template id and version, the refresh
preferences and the AWS settings of the stack's provider; ``refresh.py`` does the AWS work.

- create: the group was just created from this version, so nothing is refreshed (a group that launches
  from another version, e.g. one adopted from an older stack, is brought onto it).
- update: a new version starts ``StartInstanceRefresh`` with ``DesiredConfiguration`` and
  ``AutoRollback``; ``pulumi up`` waits, logging progress, and fails with AWS's ``StatusReason`` when the
  refresh is rolled back, fails or is cancelled, or with the command to follow it on timeout.
- diff: a changed version is an update, so ``pulumi preview`` lists the rollout and the image it goes to,
  with the version as ``output<string>``: the provider plans the template's ``latest_version`` as
  computed whenever its content changes (terraform-provider-aws ``ec2_launch_template.go``,
  ``customdiff.ComputedIf("latest_version", ...)``).

The engine serializes the provider object with dill (``pulumi.dynamic.dynamic.serialize_provider``).
It holds no state at all: clients are made per call from the resource's inputs. The class is stored by
reference, so the provider process imports ``components.rollout`` from the project directory, its working
directory when the CLI starts it (``venv/bin/python -u -m pulumi.dynamic``; see test_rollout_process.py).

Never move or rename this: ``components.rollout.RolloutProvider`` (module and class name) is written into the
``__provider`` property of every deployed stack's state, and refresh, update and destroy of those stacks load
the provider by that name. Moving it breaks every stack already deployed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi import dynamic
from pulumi.output import Unknown

from components import refresh
from components.awsaccess import AssumeRole, AwsAccess
from components.refresh import RolloutRequest

# The engine's marker for a value not known until apply (pulumi.runtime.rpc.UNKNOWN); the provider
# process deserializes it to a ``pulumi.output.Unknown``, other readers may keep the string.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# Inputs whose change means a new rollout; the rest only tune how the next one runs.
ROLLOUT_TRIGGERS = ("launchTemplateId", "launchTemplateVersion")
# A different group is a different rollout history: replace the resource (its create runs no refresh).
REPLACE_ON = ("autoScalingGroupName",)
# Outputs the provider computes; not compared by diff.
OUTPUTS = ("status", "instanceRefreshId", "__provider")
# Minutes the engine allows beyond the rollout's own timeout before it gives up on the provider call.
ENGINE_GRACE_MINUTES = 5


def access_of(props: Mapping[str, Any]) -> AwsAccess:
    roles = tuple(
        AssumeRole(
            role_arn=str(role["roleArn"]),
            session_name=role.get("sessionName") or None,
            external_id=role.get("externalId") or None,
            duration_seconds=int(role["durationSeconds"]) if role.get("durationSeconds") else None,
        )
        for role in props.get("assumeRoles") or []
    )
    return AwsAccess(region=props.get("region") or None, profile=props.get("profile") or None, assume_roles=roles)


def request_of(props: Mapping[str, Any]) -> RolloutRequest:
    return RolloutRequest(
        group_name=str(props["autoScalingGroupName"]),
        launch_template_id=str(props["launchTemplateId"]),
        version=str(props["launchTemplateVersion"]),
        min_healthy_percentage=int(props["minHealthyPercentage"]),
        max_healthy_percentage=int(props["maxHealthyPercentage"]),
        instance_warmup_seconds=int(props["instanceWarmupSeconds"]),
        alarm_names=tuple(str(name) for name in props.get("alarmNames") or []),
        timeout_seconds=int(props["timeoutSeconds"]),
    )


def _log(message: str) -> None:
    # A dynamic provider has no engine connection (pulumi/pulumi#6065), so pulumi.log writes
    # "info: ..." to stderr, which the CLI shows as the provider's output (pulumi/pulumi#18253).
    pulumi.log.info(f"rollout: {message}")


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def _changed(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    return [key for key in keys if is_unknown(news.get(key)) or olds.get(key) != news.get(key)]


class RolloutProvider(dynamic.ResourceProvider):
    """CRUD of a rollout. Stateless: everything it needs arrives in each call's properties."""

    # The provider captures no secret (credentials come from each call's inputs), so its serialized
    # code need not be one: audits and policies can read the stack without a decryption gap.
    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        failures = []
        known = {k: v for k, v in news.items() if not is_unknown(v)}
        low, high = known.get("minHealthyPercentage"), known.get("maxHealthyPercentage")
        if low is not None and not 0 <= float(low) <= 100:
            failures.append(dynamic.CheckFailure("minHealthyPercentage", "must be 0-100 (StartInstanceRefresh)"))
        if high is not None and not 100 <= float(high) <= 200:
            failures.append(dynamic.CheckFailure("maxHealthyPercentage", "must be 100-200 (StartInstanceRefresh)"))
        if low is not None and high is not None and float(high) - float(low) > 100:
            failures.append(dynamic.CheckFailure("maxHealthyPercentage", "may exceed the minimum by 100 at most"))
        if len(known.get("alarmNames") or []) > 10:
            failures.append(dynamic.CheckFailure("alarmNames", "AlarmSpecification takes at most 10 alarms"))
        return dynamic.CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        inputs = sorted((set(olds) | set(news)) - set(OUTPUTS))
        changed = _changed(olds, news, inputs)
        replaces = [key for key in REPLACE_ON if key in changed]
        return dynamic.DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        verdict = self._roll_out(props)
        return dynamic.CreateResult(id_=str(props["autoScalingGroupName"]), outs=self._outs(props, verdict))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        if not _changed(olds, news, ROLLOUT_TRIGGERS):
            # Only how the next rollout runs changed (timeout, alarms, percentages): nothing to refresh.
            kept = refresh.Verdict(
                status=str(olds.get("status", "Unchanged")), refresh_id=olds.get("instanceRefreshId")
            )
            return dynamic.UpdateResult(outs=self._outs(news, kept))
        return dynamic.UpdateResult(outs=self._outs(news, self._roll_out(news)))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # The group keeps whatever version it runs; a rollout record has nothing in AWS to delete.
        return None

    @staticmethod
    def _roll_out(props: Mapping[str, Any]) -> refresh.Verdict:
        access = access_of(props)
        try:
            client = refresh.autoscaling_client(access)
            return refresh.roll_out(client, request_of(props), access, _log)
        except refresh.RolloutError:
            raise
        except Exception as error:  # noqa: BLE001 - botocore's errors name the operation, never a credential
            raise refresh.RolloutError(
                f"rollout of version {props.get('launchTemplateVersion')} onto {props.get('autoScalingGroupName')}"
                f" failed calling AWS: {type(error).__name__}: {error}"
            ) from None

    @staticmethod
    def _outs(props: Mapping[str, Any], verdict: refresh.Verdict) -> dict[str, Any]:
        return {**props, "status": verdict.status, "instanceRefreshId": verdict.refresh_id or ""}


@dataclass
class RolloutArgs:
    """What to roll out where, how, and with which AWS settings."""

    auto_scaling_group_name: pulumi.Input[str]
    launch_template_id: pulumi.Input[str]
    # A version number as text, never $Latest or $Default (AutoRollback refuses both).
    launch_template_version: pulumi.Input[str]
    # The template's image, shown in the preview beside the version. @default None
    image_id: pulumi.Input[str] | None = None
    # @default 100
    min_healthy_percentage: int = 100
    # @default 150
    max_healthy_percentage: int = 150
    # @default 120
    instance_warmup_seconds: int = 120
    # Alarms that fail and roll back the refresh. @default [] (health checks only)
    alarm_names: Sequence[pulumi.Input[str]] = ()
    # @default 30
    timeout_minutes: int = 30
    # @default AwsAccess() (the environment's region and credentials)
    access: AwsAccess = field(default_factory=AwsAccess)


def _access_props(access: AwsAccess) -> dict[str, Any]:
    roles = []
    for role in access.assume_roles:
        entry: dict[str, Any] = {"roleArn": role.role_arn}
        if role.session_name:
            entry["sessionName"] = role.session_name
        if role.external_id:
            entry["externalId"] = pulumi.Output.secret(role.external_id)
        if role.duration_seconds:
            entry["durationSeconds"] = role.duration_seconds
        roles.append(entry)
    return {"region": access.region, "profile": access.profile, "assumeRoles": roles}


class Rollout(dynamic.Resource, module="autoscaling", name="Rollout"):
    """Rolls ``launch_template_version`` out onto the group; ``pulumi up`` waits for the verdict."""

    # A dynamic resource's outputs are attributes under their property names, untranslated.
    status: pulumi.Output[str]
    instanceRefreshId: pulumi.Output[str]
    launchTemplateVersion: pulumi.Output[str]

    def __init__(self, name: str, args: RolloutArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {
            "autoScalingGroupName": args.auto_scaling_group_name,
            "launchTemplateId": args.launch_template_id,
            "launchTemplateVersion": args.launch_template_version,
            "imageId": args.image_id,
            "minHealthyPercentage": args.min_healthy_percentage,
            "maxHealthyPercentage": args.max_healthy_percentage,
            "instanceWarmupSeconds": args.instance_warmup_seconds,
            "alarmNames": list(args.alarm_names),
            "timeoutSeconds": args.timeout_minutes * 60,
            **_access_props(args.access),
            "status": None,
            "instanceRefreshId": None,
        }
        limit = f"{args.timeout_minutes + ENGINE_GRACE_MINUTES}m"
        timeouts = pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create=limit, update=limit))
        super().__init__(RolloutProvider(), name, props, pulumi.ResourceOptions.merge(opts, timeouts))

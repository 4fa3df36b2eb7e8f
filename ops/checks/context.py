"""What every check reads: the AWS clients, the stack, the operator, and lookups shared between checks.

Lookups are cached: the instance, the launch template version and the group are described once, however
many checks read them. A lookup that fails raises :class:`Missing`, whose text is the evidence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ops.report import Check
from ops.session import Aws, AwsError, error_code, is_denied
from ops.stackinfo import StackInfo

CheckBody = Callable[["Context", str, str], Check]
CheckFn = Callable[["Context"], Check]


class Missing(Exception):
    """A prerequisite a check needs could not be read; the message says what and why."""


def check(cid: str, title: str) -> Callable[[CheckBody], CheckFn]:
    """Name a check once; an AWS error inside it becomes its own failure, and the walk goes on."""

    def wrap(body: CheckBody) -> CheckFn:
        @functools.wraps(body)
        def run(ctx: Context) -> Check:
            try:
                return body(ctx, cid, title)
            except AwsError as error:
                code = error_code(error)
                fix = (
                    "grant the doctor's read-only policy (ops/doctor-policy.json; see docs/doctor.md)"
                    if is_denied(error)
                    else "retry; if it persists, run this check's manual command from docs/doctor.md"
                )
                return Check.failed(cid, title, f"an AWS call failed: {code}: {error}", fix)

        run.check_id = cid  # type: ignore[attr-defined]
        return run

    return wrap


@dataclass
class Context:
    aws: Aws
    stack: StackInfo
    # The operator's public IPv4 address, or None when neither --my-ip nor the lookup gave one.
    my_ip: str | None = None
    my_ip_source: str = ""
    probe: bool = False
    _cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, load: Any) -> Any:
        if key not in self._cache:
            try:
                self._cache[key] = ("ok", load())
            except Missing as error:
                self._cache[key] = ("missing", str(error))
        kind, value = self._cache[key]
        if kind == "missing":
            raise Missing(value)
        return value

    # --- the lab instance ---------------------------------------------------------------------------

    def instance(self) -> dict[str, Any]:
        instance_id = self.stack.text("instanceId")
        if not instance_id:
            raise Missing("the stack exports no instanceId")

        def load() -> dict[str, Any]:
            try:
                found = self.aws.ec2.describe_instances(InstanceIds=[instance_id])
            except AwsError as error:
                if is_denied(error):
                    raise
                raise Missing(f"instance {instance_id}: {error_code(error)} in {self.aws.region}") from error
            for reservation in found.get("Reservations", []):
                for instance in reservation.get("Instances", []):
                    return dict(instance)
            raise Missing(f"instance {instance_id} does not exist in {self.aws.region}")

        return dict(self.cached("instance", load))

    # --- the production group and its template ------------------------------------------------------

    def group(self, output: str = "asgName") -> dict[str, Any]:
        name = self.stack.text(output)
        if not name:
            raise Missing(f"the stack exports no {output}")

        def load() -> dict[str, Any]:
            groups = self.aws.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
            found = groups.get("AutoScalingGroups", [])
            if not found:
                raise Missing(f"Auto Scaling group {name} does not exist in {self.aws.region}")
            return dict(found[0])

        return dict(self.cached(f"group:{name}", load))

    def template_version(self, output: str = "asgName") -> dict[str, Any]:
        """The launch template version the group launches from (its pinned version, else ``$Latest``)."""
        group = self.group(output)
        spec = group.get("LaunchTemplate") or (
            (group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification")
        )
        if not spec:
            raise Missing(f"group {group['AutoScalingGroupName']} launches from no launch template")
        template_id = spec.get("LaunchTemplateId")
        version = str(spec.get("Version") or "$Default")
        # A group may name its template by name instead of id: messages and the cache say whichever it gave.
        shown = template_id or spec.get("LaunchTemplateName")

        def load() -> dict[str, Any]:
            ident = (
                {"LaunchTemplateId": template_id} if template_id else {"LaunchTemplateName": spec["LaunchTemplateName"]}
            )
            try:
                versions = self.aws.ec2.describe_launch_template_versions(**ident, Versions=[version])
            except AwsError as error:
                if is_denied(error):
                    raise
                raise Missing(f"launch template {shown} version {version}: {error_code(error)}: {error}") from error
            found = versions.get("LaunchTemplateVersions", [])
            if not found:
                raise Missing(f"launch template {shown} has no version {version}")
            return dict(found[0])

        return dict(self.cached(f"template:{shown}:{version}", load))

    def subnets(self, subnet_ids: list[str]) -> list[dict[str, Any]]:
        key = "subnets:" + ",".join(sorted(subnet_ids))
        return list(self.cached(key, lambda: self.aws.ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]))


def group_subnet_ids(group: dict[str, Any]) -> list[str]:
    return [s.strip() for s in str(group.get("VPCZoneIdentifier") or "").split(",") if s.strip()]


def template_security_groups(data: dict[str, Any]) -> list[str]:
    groups = list(data.get("SecurityGroupIds") or [])
    for interface in data.get("NetworkInterfaces") or []:
        groups.extend(interface.get("Groups") or [])
    return groups

"""The lab's three failure paths, answered by the production stack's configuration.

1. Host failure: an instance whose app stops answering fails the ALB health check and, with ELB health
   checks on the ASG, is replaced, not only an instance whose host is gone.
2. AZ outage: the ASG, the ALB and NAT each span every configured AZ; losing any one AZ leaves subnets,
   capacity and egress in the others.
3. Bad AMI: a new AMI is a new template version that the fleet's Rollout sends to AWS as an instance
   refresh with a desired configuration and auto-rollback (the group keeps the old version until it
   succeeds), or is first validated on a parallel green fleet that takes a weighted share of traffic.
"""

from __future__ import annotations

import ipaddress
import json
import types
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from components import refresh
from components.rollout import RolloutProvider, is_unknown
from components.userdata import read_settings
from offline.harness import ProgramRun, program_from_file, run_program
from offline.mockcloud import MockCloud
from tests.components.resources import (
    ALB,
    ASG,
    INSTANCE,
    LAUNCH_TEMPLATE,
    LISTENER,
    METRIC_ALARM,
    NAT_GATEWAY,
    ROLLOUT,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SCALING_POLICY,
    SECRET_MARK,
    SECRET_SIG,
    SUBNET,
    TARGET_GROUP,
    named,
    out,
    stub_group,
    user_data_of_template,
    with_ignored_changes,
)
from tests.components.test_userdata import fetch, installed_file, serving
from tests.conftest import PROJECT, REPO, RunStack, stack_file_config

GREEN_AMI = "ami-0fedcba9876543210"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


# --- 1. host failure ------------------------------------------------------------------------------------


def test_host_failure_group_replaces_instances_that_fail_elb_health_checks(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    group = run.one(ASG).inputs

    assert group["healthCheckType"] == "ELB", "EC2 health checks only notice a dead host, not a dead app"
    assert group["targetGroupArns"] == [run.one(TARGET_GROUP).id]


def test_host_failure_health_check_reaches_the_app_the_template_ships(run_stack: RunStack) -> None:
    run = run_stack("prod", appPort="8080", healthCheckPath="/ready").check()
    script = user_data_of_template(run.one(LAUNCH_TEMPLATE))
    target_group = run.one(TARGET_GROUP).inputs
    check = target_group["healthCheck"]

    # Run the very server source the template's user data installs, with the settings it writes.
    shipped = types.ModuleType("shipped_app")
    exec(compile(installed_file(script, "LAB_APP_SERVER"), "server.py", "exec"), shipped.__dict__)
    settings = shipped.AppConfig.from_json(installed_file(script, "LAB_APP_CONFIG"))
    assert settings.port == int(target_group["port"]), "the target group sends to the port the app binds"

    with serving(settings) as base:
        status, _ = fetch(base + check["path"])
    assert str(status) == check["matcher"]


def test_host_failure_app_that_stops_answering_fails_the_check(run_stack: RunStack) -> None:
    run = run_stack("prod", healthCheckPath="/ready").check()
    settings = read_settings(user_data_of_template(run.one(LAUNCH_TEMPLATE)))
    check = run.one(TARGET_GROUP).inputs["healthCheck"]

    # A server that answers, but not on the checked path, is as unhealthy as one that is gone.
    wrong = type(settings)(port=settings.port, health_path="/elsewhere", fleet=settings.fleet)
    with serving(wrong) as base:
        status, _ = fetch(base + check["path"])
    assert str(status) != check["matcher"]


def test_host_failure_is_detected_within_a_minute_and_boot_gets_a_grace_period(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    check = run.one(TARGET_GROUP).inputs["healthCheck"]
    group = run.one(ASG).inputs

    assert check["timeout"] < check["interval"]
    assert check["interval"] * check["unhealthyThreshold"] <= 60
    # A booting instance gets time to pass its first healthy checks before failures count.
    assert group["healthCheckGracePeriod"] >= check["interval"] * check["healthyThreshold"]
    assert group["healthCheckGracePeriod"] <= 300


def test_host_failure_replacement_launches_before_it_terminates(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    policy = run.one(ASG).inputs["instanceMaintenancePolicy"]

    assert policy["minHealthyPercentage"] == 100.0
    assert 100.0 < policy["maxHealthyPercentage"] <= 200.0


def test_host_failure_lab_instance_has_no_replacement(run_stack: RunStack) -> None:
    """The lab's weakness, stated so the contrast with production stays visible."""
    run = run_stack("dev").check()

    assert len(run.of_type(INSTANCE)) == 1
    assert run.of_type(ASG) == []


# --- 2. AZ outage ---------------------------------------------------------------------------------------

# AWS keeps the first four and the last address of every subnet.
RESERVED_PER_SUBNET = 5


@dataclass
class Topology:
    """Where each piece of the production path lives, read from the registered resources."""

    zone_of_subnet: dict[str, str]
    asg_subnets: list[str]
    alb_subnets: list[str]
    nat_subnet: dict[str, str]
    table_of_subnet: dict[str, str]
    default_routes: dict[str, dict[str, str]] = field(default_factory=dict)
    addresses: dict[str, int] = field(default_factory=dict)
    desired: int = 0
    max_size: int = 0

    @classmethod
    def of(cls, run: ProgramRun) -> Topology:
        subnets = run.of_type(SUBNET)
        topology = cls(
            zone_of_subnet={s.id: s.inputs["availabilityZone"] for s in subnets},
            asg_subnets=list(run.one(ASG).inputs["vpcZoneIdentifiers"]),
            alb_subnets=list(run.one(ALB).inputs["subnets"]),
            nat_subnet={n.id: n.inputs["subnetId"] for n in run.of_type(NAT_GATEWAY)},
            table_of_subnet={
                a.inputs["subnetId"]: a.inputs["routeTableId"] for a in run.of_type(ROUTE_TABLE_ASSOCIATION)
            },
            addresses={
                s.id: ipaddress.ip_network(s.inputs["cidrBlock"]).num_addresses - RESERVED_PER_SUBNET for s in subnets
            },
            desired=int(run.one(ASG).inputs["desiredCapacity"]),
            max_size=int(run.one(ASG).inputs["maxSize"]),
        )
        for route in run.of_type(ROUTE):
            if route.inputs.get("destinationCidrBlock") == "0.0.0.0/0":
                topology.default_routes[route.inputs["routeTableId"]] = dict(route.inputs)
        for table in run.of_type(ROUTE_TABLE):
            for inline in table.inputs.get("routes") or []:
                if inline.get("cidrBlock") == "0.0.0.0/0":
                    topology.default_routes[table.id] = dict(inline)
        return topology

    def zones(self, subnet_ids: list[str]) -> set[str]:
        return {self.zone_of_subnet[s] for s in subnet_ids}

    def egress_zone(self, subnet_id: str) -> str | None:
        """The zone of the NAT gateway carrying ``subnet_id``'s internet traffic, if the path is complete."""
        route = self.default_routes.get(self.table_of_subnet.get(subnet_id, ""))
        if route is None or route.get("natGatewayId") not in self.nat_subnet:
            return None
        nat_home = self.nat_subnet[route["natGatewayId"]]
        # The NAT itself needs a route to an internet gateway from its public subnet.
        upstream = self.default_routes.get(self.table_of_subnet.get(nat_home, ""), {})
        if not str(upstream.get("gatewayId", "")).startswith("igw-"):
            return None
        return self.zone_of_subnet[nat_home]

    def after_losing(self, zone: str) -> Survivors:
        left = [s for s in self.asg_subnets if self.zone_of_subnet[s] != zone]
        return Survivors(
            asg_subnets=left,
            alb_zones=self.zones([s for s in self.alb_subnets if self.zone_of_subnet[s] != zone]),
            addresses=sum(self.addresses[s] for s in left),
            without_egress=[s for s in left if self.egress_zone(s) in (None, zone)],
        )


@dataclass
class Survivors:
    asg_subnets: list[str]
    alb_zones: set[str]
    addresses: int
    without_egress: list[str]


AZ_CASES = [(count, lost) for count in (2, 3) for lost in range(count)]


@pytest.mark.parametrize("az_count", [2, 3])
def test_az_outage_group_alb_and_nat_each_span_every_configured_zone(run_stack: RunStack, az_count: int) -> None:
    run = run_stack("prod", azCount=str(az_count)).check()
    topology = Topology.of(run)
    configured = set(topology.zone_of_subnet.values())

    assert len(configured) == az_count
    assert topology.zones(topology.asg_subnets) == configured
    assert topology.zones(topology.alb_subnets) == configured
    assert topology.zones(list(topology.nat_subnet.values())) == configured
    # Each private subnet leaves through the NAT of its own zone, so zones share no egress fate.
    assert all(topology.egress_zone(s) == topology.zone_of_subnet[s] for s in topology.asg_subnets)


@pytest.mark.parametrize(("az_count", "lost"), AZ_CASES, ids=[f"azCount{c}-lose{i}" for c, i in AZ_CASES])
def test_az_outage_leaves_subnets_capacity_and_egress_in_the_other_zones(
    run_stack: RunStack, az_count: int, lost: int
) -> None:
    run = run_stack("prod", azCount=str(az_count)).check()
    topology = Topology.of(run)
    zone = sorted(set(topology.zone_of_subnet.values()))[lost]

    survivors = topology.after_losing(zone)

    assert len(topology.zones(survivors.asg_subnets)) == az_count - 1
    assert survivors.alb_zones == topology.zones(survivors.asg_subnets), "every surviving zone keeps an ALB node"
    # The group may relaunch its whole desired (and maximum) capacity in the zones that are left.
    assert topology.desired <= topology.max_size <= survivors.addresses
    assert survivors.without_egress == []


def test_az_outage_a_single_nat_takes_the_other_zones_egress_with_it(run_stack: RunStack) -> None:
    """The documented trade-off of natGateways=single, and proof the egress check can fail."""
    run = run_stack("prod", natGateways="single").check()
    topology = Topology.of(run)
    (nat_home,) = topology.nat_subnet.values()

    survivors = topology.after_losing(topology.zone_of_subnet[nat_home])

    assert survivors.asg_subnets
    assert survivors.without_egress == survivors.asg_subnets


# --- 3. bad AMI -----------------------------------------------------------------------------------------


def test_bad_ami_group_has_no_provider_refresh_and_keeps_the_version_aws_rolled_out(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    group = run.one(ASG)

    # The provider's refresh writes the new version onto the group first, leaving AWS nothing to roll
    # back to (terraform-provider-aws issue 34189): the group has none, and AWS alone moves its version.
    assert "instanceRefresh" not in group.inputs
    assert "launchTemplate.version" in group.ignore_changes
    assert group.inputs["launchTemplate"]["version"] == str(int(out(run.one(LAUNCH_TEMPLATE), "latestVersion")))


def test_bad_ami_rollout_targets_the_groups_template_with_auto_rollback_preferences(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    rollout = run.one(ROLLOUT).inputs
    group, template = run.one(ASG), run.one(LAUNCH_TEMPLATE)

    assert rollout["autoScalingGroupName"] == out(group, "name")
    assert rollout["launchTemplateId"] == template.id == group.inputs["launchTemplate"]["id"]
    assert rollout["launchTemplateVersion"] == str(int(out(template, "latestVersion")))
    assert rollout["imageId"] == template.inputs["imageId"]
    # Capacity is kept while instances are replaced: new ones launch before old ones stop.
    assert rollout["minHealthyPercentage"] == 100.0
    assert 100.0 < rollout["maxHealthyPercentage"] <= 200.0
    assert rollout["instanceWarmupSeconds"] == group.inputs["defaultInstanceWarmup"]
    assert rollout["timeoutSeconds"] == 30 * 60.0
    assert out(run.one(ROLLOUT), "status") == "Unchanged", "a first creation refreshes nothing"


def test_bad_ami_rollout_rolls_back_on_the_target_groups_alarms(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    alarms = {a.inputs["metricName"]: a for a in run.of_type(METRIC_ALARM)}
    target_group, alb = run.one(TARGET_GROUP), run.one(ALB)

    assert sorted(alarms) == ["HTTPCode_Target_5XX_Count", "UnHealthyHostCount"]
    for alarm in alarms.values():
        assert alarm.inputs["namespace"] == "AWS/ApplicationELB"
        assert alarm.inputs["dimensions"] == {
            "TargetGroup": out(target_group, "arnSuffix"),
            "LoadBalancer": out(alb, "arnSuffix"),
        }
        assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold"
        assert alarm.inputs["treatMissingData"] == "notBreaching"
    assert alarms["UnHealthyHostCount"].inputs["threshold"] == 0.0
    assert run.one(ROLLOUT).inputs["alarmNames"] == [
        out(named(run, "compute-unhealthy"), "name"),
        out(named(run, "compute-5xx"), "name"),
    ]


def test_bad_ami_rollback_on_alarms_off_keeps_health_checks_only(run_stack: RunStack) -> None:
    run = run_stack("prod", rollbackOnAlarms="false").check()

    assert run.of_type(METRIC_ALARM) == []
    assert run.one(ROLLOUT).inputs["alarmNames"] == []


def test_bad_ami_rollout_waits_as_long_as_configured(run_stack: RunStack) -> None:
    run = run_stack("prod", rolloutTimeoutMinutes="45").check()

    assert run.one(ROLLOUT).inputs["timeoutSeconds"] == 45 * 60.0


def test_bad_ami_rollout_acts_with_the_providers_region_profile_and_roles(run_stack: RunStack) -> None:
    roles = (
        '[{"roleArn": "arn:aws:iam::210987654321:role/deployer", "externalId": "shared-secret-1", "duration": "1h"}]'
    )
    run = run_stack("prod", **{"aws:region": "eu-west-1", "aws:profile": "ops", "aws:assumeRoles": roles}).check()
    provider = run.one("pulumi:providers:aws").inputs
    rollout = run.one(ROLLOUT).inputs

    assert (provider["region"], provider["profile"]) == (rollout["region"], rollout["profile"]) == ("eu-west-1", "ops")
    # The provider's role list holds a secret, so the whole list travels as one.
    assert provider["assumeRoles"][SECRET_SIG] == SECRET_MARK
    (provider_role,) = json.loads(provider["assumeRoles"]["value"])
    assert rollout["assumeRoles"][SECRET_SIG] == SECRET_MARK
    (rollout_role,) = rollout["assumeRoles"]["value"]
    assert provider_role["roleArn"] == rollout_role["roleArn"] == "arn:aws:iam::210987654321:role/deployer"
    assert provider_role["duration"] == "3600s" and rollout_role["durationSeconds"] == 3600.0
    # The external id makes both role lists secrets: encrypted in state, never shown by the CLI.
    assert rollout_role["externalId"] == provider_role["externalId"] == "shared-secret-1"
    # The provider's own code captures no secret, so it is stored in the clear: audits can read the stack.
    assert isinstance(rollout["__provider"], str)


class BumpedCloud(MockCloud):
    """The cloud after `pulumi up` updated the template: EC2 numbered the new content version 2."""

    def _computed(self, typ: str, name: str, rid: str, state: dict[str, Any]) -> dict[str, Any]:
        computed = super()._computed(typ, name, rid, state)
        if typ == LAUNCH_TEMPLATE:
            computed.update(latestVersion=2, defaultVersion=2)
        return computed


class PreviewCloud(MockCloud):
    """The cloud as `pulumi preview` of an AMI change sees it: the template's next version does not exist yet."""

    def _computed(self, typ: str, name: str, rid: str, state: dict[str, Any]) -> dict[str, Any]:
        computed = super()._computed(typ, name, rid, state)
        if typ == LAUNCH_TEMPLATE:
            del computed["latestVersion"], computed["defaultVersion"]
        return computed


def test_bad_ami_version_bump_reaches_aws_only_as_start_instance_refresh(
    run_stack: RunStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = run_stack("prod").check()
    after = run_stack("prod", mocks=BumpedCloud(), amiId=GREEN_AMI).check()
    old_group, new_group = before.one(ASG), after.one(ASG)

    # The engine keeps ignored inputs at their old values: the group's inputs do not change at all, so its
    # provider has nothing to update and no UpdateAutoScalingGroup carries version 2.
    assert new_group.inputs["launchTemplate"]["version"] == "2"
    assert with_ignored_changes(old_group.inputs, new_group.inputs, new_group.ignore_changes) == old_group.inputs

    # The rollout's provider sees the bump and sends it to AWS (the Stubber) as one StartInstanceRefresh.
    old_state = {**before.one(ROLLOUT).outputs}
    news = {k: v for k, v in after.one(ROLLOUT).inputs.items() if k != "__provider"}
    news["assumeRoles"] = []
    provider = RolloutProvider()
    assert provider.diff(old_group.id, old_state, news).changes is True
    client = boto3.client("autoscaling", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(refresh, "autoscaling_client", lambda _access: client)
    monkeypatch.setattr(refresh, "POLL_SECONDS", 0.0)
    with Stubber(client) as stub:
        stub.add_response(
            "describe_auto_scaling_groups",
            {"AutoScalingGroups": [stub_group(old_group.id, news["launchTemplateId"], "1")]},
            {"AutoScalingGroupNames": [old_group.id]},
        )
        stub.add_response(
            "start_instance_refresh",
            {"InstanceRefreshId": "r-1"},
            {
                "AutoScalingGroupName": old_group.id,
                "Strategy": "Rolling",
                "DesiredConfiguration": {
                    "LaunchTemplate": {"LaunchTemplateId": news["launchTemplateId"], "Version": "2"}
                },
                "Preferences": ANY,
            },
        )
        stub.add_response(
            "describe_instance_refreshes",
            {"InstanceRefreshes": [{"InstanceRefreshId": "r-1", "Status": "RollbackSuccessful", "StatusReason": "x"}]},
            {"AutoScalingGroupName": old_group.id, "InstanceRefreshIds": ["r-1"]},
        )
        with pytest.raises(refresh.RolloutError, match=r"version 2 was refused: .* ended RollbackSuccessful: x"):
            provider.update(old_group.id, old_state, news)
        stub.assert_no_pending_responses()


def test_bad_ami_preview_plans_a_rollout_to_the_new_image(run_stack: RunStack) -> None:
    before = run_stack("prod").check()
    preview = run_program(
        program_from_file(REPO / "__main__.py"),
        PreviewCloud(),
        project=PROJECT,
        stack="prod",
        config={**stack_file_config("prod"), f"{PROJECT}:amiId": GREEN_AMI},
        preview=True,
    ).check()
    news = preview.one(ROLLOUT).inputs

    assert is_unknown(news["launchTemplateVersion"]), "shown as output<string> until EC2 numbers the version"
    assert (before.one(ROLLOUT).inputs["imageId"], news["imageId"]) != (GREEN_AMI, GREEN_AMI)
    assert news["imageId"] == GREEN_AMI
    diff = RolloutProvider().diff(before.one(ROLLOUT).id, dict(before.one(ROLLOUT).outputs), news)
    assert diff.changes is True and diff.replaces == []


def test_bad_ami_template_holds_an_image_id_rollback_can_return_to(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    image = run.one(LAUNCH_TEMPLATE).inputs["imageId"]

    # Auto Scaling cannot roll back to a template whose image is an SSM alias.
    assert image.startswith("ami-")
    assert not image.startswith("resolve:ssm:")


def test_bad_ami_new_ami_is_a_new_template_version_not_a_new_fleet(run_stack: RunStack) -> None:
    before = run_stack("prod").check()
    after = run_stack("prod", amiId=GREEN_AMI).check()

    assert after.one(LAUNCH_TEMPLATE).inputs["imageId"] == GREEN_AMI
    assert before.one(LAUNCH_TEMPLATE).inputs["imageId"] != GREEN_AMI
    for kind in (LAUNCH_TEMPLATE, ASG, TARGET_GROUP, ALB):
        assert before.one(kind).urn == after.one(kind).urn, f"{kind} keeps its name, so it is updated in place"


def test_bad_ami_green_builds_a_parallel_fleet_with_its_own_ami(run_stack: RunStack) -> None:
    run = run_stack("prod", green=f'{{"amiId": "{GREEN_AMI}", "instanceType": "t3.small", "weight": 10}}').check()

    assert len(run.of_type(LAUNCH_TEMPLATE)) == 2
    assert len(run.of_type(ASG)) == 2
    assert len(run.of_type(TARGET_GROUP)) == 2
    assert len(run.of_type(SCALING_POLICY)) == 2
    assert len(run.of_type(ALB)) == 1
    green_template = named(run, "compute-lt-green")
    assert green_template.inputs["imageId"] == GREEN_AMI
    assert green_template.inputs["instanceType"] == "t3.small"
    assert read_settings(user_data_of_template(green_template)).fleet == "green"
    assert named(run, "compute-lt").inputs["instanceType"] == "t3.micro"
    green_group = named(run, "compute-asg-green").inputs
    assert green_group["targetGroupArns"] == [named(run, "compute-tg-green").id]
    assert green_group["launchTemplate"]["id"] == green_template.id
    assert green_group["healthCheckType"] == "ELB"
    assert "instanceRefresh" not in green_group
    green_rollout = named(run, "compute-rollout-green").inputs
    assert green_rollout["autoScalingGroupName"] == out(named(run, "compute-asg-green"), "name")
    assert green_rollout["launchTemplateId"] == green_template.id
    green_alarms = {a.inputs["metricName"]: a for a in run.of_type(METRIC_ALARM) if a.name.endswith("-green")}
    assert green_alarms["UnHealthyHostCount"].inputs["dimensions"]["TargetGroup"] == out(
        named(run, "compute-tg-green"), "arnSuffix"
    )
    assert green_rollout["alarmNames"] == [
        out(named(run, "compute-unhealthy-green"), "name"),
        out(named(run, "compute-5xx-green"), "name"),
    ]
    assert sorted(green_group["vpcZoneIdentifiers"]) == sorted(run.outputs["privateSubnetIds"])


@pytest.mark.parametrize("weight", [0, 10, 50, 100])
def test_bad_ami_listener_splits_traffic_by_weight(run_stack: RunStack, weight: int) -> None:
    run = run_stack("prod", green=f'{{"amiId": "{GREEN_AMI}", "weight": {weight}}}').check()

    (action,) = run.one(LISTENER).inputs["defaultActions"]
    assert action["type"] == "forward"
    assert "targetGroupArn" not in action
    assert action["forward"]["targetGroups"] == [
        {"arn": named(run, "compute-tg").id, "weight": float(100 - weight)},
        {"arn": named(run, "compute-tg-green").id, "weight": float(weight)},
    ]
    assert action["forward"]["stickiness"]["enabled"] is False
    assert run.outputs["trafficWeights"] == {"blue": 100 - weight, "green": weight}


def test_bad_ami_weights_apply_on_https_while_http_keeps_redirecting(run_stack: RunStack) -> None:
    run = run_stack("prod", certificateArn=CERTIFICATE, green=f'{{"amiId": "{GREEN_AMI}", "weight": 25}}').check()
    listeners = {r.name: r.inputs for r in run.of_type(LISTENER)}

    (https,) = listeners["compute-https"]["defaultActions"]
    assert [g["weight"] for g in https["forward"]["targetGroups"]] == [75.0, 25.0]
    assert listeners["compute-http"]["defaultActions"][0]["type"] == "redirect"


def test_bad_ami_green_exports_sit_beside_blue(run_stack: RunStack) -> None:
    run = run_stack("prod", green=f'{{"amiId": "{GREEN_AMI}", "weight": 10}}').check()

    assert run.outputs["greenAsgName"] == out(named(run, "compute-asg-green"), "name")
    assert run.outputs["greenLaunchTemplateId"] == named(run, "compute-lt-green").id
    assert run.outputs["greenTargetGroupArn"] == named(run, "compute-tg-green").id
    assert run.outputs["asgName"] == out(named(run, "compute-asg"), "name")


def test_bad_ami_removing_green_returns_to_one_fleet_with_blue_unchanged(run_stack: RunStack) -> None:
    with_green = run_stack("prod", green=f'{{"amiId": "{GREEN_AMI}", "weight": 10}}').check()
    without = run_stack("prod").check()

    green_urns = {r.urn for r in with_green.resources if r.name.endswith("-green")}
    assert {r.name for r in with_green.resources if r.urn in green_urns} == {
        "compute-lt-green",
        "compute-asg-green",
        "compute-cpu-green",
        "compute-tg-green",
        "compute-unhealthy-green",
        "compute-5xx-green",
        "compute-rollout-green",
    }
    # Every resource but green's keeps its URN: nothing of blue is renamed, so nothing is replaced.
    assert {r.urn for r in with_green.resources} - green_urns == {r.urn for r in without.resources}
    blue_before, blue_after = named(with_green, "compute-asg"), named(without, "compute-asg")
    assert blue_before.inputs == blue_after.inputs
    assert named(with_green, "compute-lt").inputs == named(without, "compute-lt").inputs
    (action,) = without.one(LISTENER).inputs["defaultActions"]
    assert action == {"type": "forward", "targetGroupArn": without.one(TARGET_GROUP).id}
    assert not any(key.startswith("green") for key in without.outputs)

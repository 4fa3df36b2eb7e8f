"""The lab's three failure paths, answered by the production stack's configuration.

1. Host failure: an instance whose app stops answering fails the ALB health check and, with ELB health
   checks on the ASG, is replaced, not only an instance whose host is gone.
2. AZ outage: the ASG, the ALB and NAT each span every configured AZ; losing any one AZ leaves subnets,
   capacity and egress in the others.
3. Bad AMI: a new AMI rolls out through an instance refresh that rolls back on failure, or first on a
   parallel green fleet that takes a weighted share of traffic.
"""

from __future__ import annotations

import ipaddress
import types
from dataclasses import dataclass, field

import pytest

from components.userdata import read_settings
from offline.harness import ProgramRun
from tests.components.resources import (
    ALB,
    ASG,
    INSTANCE,
    LAUNCH_TEMPLATE,
    LISTENER,
    NAT_GATEWAY,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SCALING_POLICY,
    SUBNET,
    TARGET_GROUP,
    named,
    out,
    user_data_of_template,
)
from tests.components.test_userdata import fetch, installed_file, serving
from tests.conftest import RunStack

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


def test_bad_ami_rolls_out_by_instance_refresh_with_auto_rollback(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    refresh = run.one(ASG).inputs["instanceRefresh"]

    assert refresh["strategy"] == "Rolling"
    preferences = refresh["preferences"]
    assert preferences["autoRollback"] is True
    # Capacity is kept while instances are replaced: new ones launch before old ones stop.
    assert preferences["minHealthyPercentage"] == 100.0
    assert preferences["maxHealthyPercentage"] > 100.0
    assert preferences["scaleInProtectedInstances"] == "Refresh"


def test_bad_ami_template_version_is_pinned_not_latest(run_stack: RunStack) -> None:
    run = run_stack("prod").check()
    version = run.one(ASG).inputs["launchTemplate"]["version"]

    assert version not in ("$Latest", "$Default")
    assert version == str(int(out(run.one(LAUNCH_TEMPLATE), "latestVersion")))


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
    assert green_group["instanceRefresh"]["preferences"]["autoRollback"] is True
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
    }
    # Every resource but green's keeps its URN: nothing of blue is renamed, so nothing is replaced.
    assert {r.urn for r in with_green.resources} - green_urns == {r.urn for r in without.resources}
    blue_before, blue_after = named(with_green, "compute-asg"), named(without, "compute-asg")
    assert blue_before.inputs == blue_after.inputs
    assert named(with_green, "compute-lt").inputs == named(without, "compute-lt").inputs
    (action,) = without.one(LISTENER).inputs["defaultActions"]
    assert action == {"type": "forward", "targetGroupArn": without.one(TARGET_GROUP).id}
    assert not any(key.startswith("green") for key in without.outputs)

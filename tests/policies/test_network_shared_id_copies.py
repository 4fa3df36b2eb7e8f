"""Copies under distinct URNs that share ids, linked only by value (no propertyDependencies).

Every reference then names every copy. The rules that merge such copies (``StackGraph(merge_copies=True)``:
instance-sg-admits-only-load-balancer, lb-log-bucket-not-public) must do the same work for 30 copies as for
2, and report exactly the URNs the unmerged graph reports: a violation in one copy (the last) stays on
that copy, and a violation every copy has is reported on every copy, named by its own label.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from guardrails.network import instance_sg, lb_log_bucket_not_public, topology
from guardrails.stackgraph import StackGraph
from pulumi_policy import PolicyResource, StackValidationPolicy

from tests.policies.harness import UNKNOWN, StackResource, _options, _wrap, stack_violations
from tests.policies.network_fixtures import Spec, from_group, production_spec, urn

LB = "aws:lb/loadBalancer:LoadBalancer"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SG = "aws:ec2/securityGroup:SecurityGroup"
VPC = "aws:ec2/vpc:Vpc"
FULL_BLOCK = {k: True for k in lb_log_bucket_not_public.BLOCK_SETTINGS}
OPEN_TO_WORLD = {"protocol": "tcp", "fromPort": 8080.0, "toPort": 8080.0, "cidrBlocks": ["0.0.0.0/0"], "self": False}


def logged_spec(*, block: bool = True) -> dict[str, Spec]:
    """The production path with the ALB logging to a bucket in the stack (fully blocked unless told)."""
    specs = production_spec()
    specs["alb"].props["accessLogs"] = {"bucket": "alb-logs", "enabled": True}
    specs["alb-logs"] = Spec(BUCKET, {"id": "alb-logs", "bucket": "alb-logs", "arn": "arn:aws:s3:::alb-logs"})
    if block:
        specs["alb-logs-pab"] = Spec(PAB, {"id": "alb-logs", "bucket": "alb-logs", **FULL_BLOCK})
    return specs


def copies(
    n: int,
    *,
    last: Callable[[dict[str, Spec]], None] | None = None,
    every: Callable[[dict[str, Spec]], None] | None = None,
) -> list[StackResource]:
    """``n`` copies of ``logged_spec``: URNs and names ``<name>-c<i>``, ids and properties shared, no
    propertyDependencies. ``last`` changes the last copy only, ``every`` every copy."""
    resources = []
    for i in range(n):
        specs = logged_spec()
        if every is not None:
            every(specs)
        if last is not None and i == n - 1:
            last(specs)
        for name, spec in specs.items():
            copy_name = f"{name}-c{i}"
            resources.append(StackResource(spec.type, copy_name, spec.props, urn=urn(spec.type, copy_name)))
    return resources


@contextmanager
def graphs(module: Any, *, merge: bool = True) -> Iterator[list[StackGraph]]:
    """The graphs ``module``'s rule builds, with copies merged or (``merge=False``) as before the merge."""
    built: list[StackGraph] = []

    def build(resources: Any, merge_copies: bool = False) -> StackGraph:
        graph = StackGraph(resources, merge_copies=merge_copies and merge)
        built.append(graph)
        return graph

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "StackGraph", build)
        yield built


def reported(policy: StackValidationPolicy, module: Any, resources: list[StackResource], *, merge: bool = True) -> Any:
    with graphs(module, merge=merge):
        return stack_violations(policy, resources)


def urns(violations: list[tuple[str, str | None]]) -> set[str | None]:
    return {u for _, u in violations}


RULES = [(instance_sg.POLICY, instance_sg), (lb_log_bucket_not_public.POLICY, lb_log_bucket_not_public)]


@pytest.mark.parametrize(("policy", "module"), RULES)
def test_compliant_copies_pass(policy: StackValidationPolicy, module: Any) -> None:
    assert reported(policy, module, copies(6)) == []
    assert reported(policy, module, copies(6), merge=False) == []


# --- a violation in the last copy only ------------------------------------------------------------------


def open_instance_group(specs: dict[str, Spec]) -> None:
    specs["app-sg"].props["ingress"] = [from_group("alb-sg"), OPEN_TO_WORLD]


def rogue_source_group(specs: dict[str, Spec]) -> None:
    specs["app-sg"].props["ingress"] = [from_group("rogue-sg")]


@pytest.mark.parametrize("change", [open_instance_group, rogue_source_group])
def test_instance_group_open_in_the_last_copy_is_reported_on_that_copy_only(change: Any) -> None:
    n = 7
    resources = copies(n, last=change)
    merged = reported(instance_sg.POLICY, instance_sg, resources)
    last_group = urn(SG, f"app-sg-c{n - 1}")
    assert urns(merged) == {last_group}
    assert all(f"'app-sg-c{n - 1}'" in message for message, _ in merged)
    assert urns(reported(instance_sg.POLICY, instance_sg, resources, merge=False)) == urns(merged)


def test_instance_group_open_in_every_copy_is_reported_on_every_copy_by_its_own_label() -> None:
    n = 5
    resources = copies(n, every=open_instance_group)
    merged = reported(instance_sg.POLICY, instance_sg, resources)
    assert urns(merged) == {urn(SG, f"app-sg-c{i}") for i in range(n)}
    for message, where in merged:
        assert where is not None
        assert f"'{where.rsplit('::', 1)[1]}'" in message and "0.0.0.0/0" in message
    assert urns(reported(instance_sg.POLICY, instance_sg, resources, merge=False)) == urns(merged)


def external_log_bucket(specs: dict[str, Spec]) -> None:
    specs["alb"].props["accessLogs"] = {"bucket": "elsewhere-logs", "enabled": True}


def test_log_bucket_outside_the_stack_in_the_last_copy_is_reported_on_that_balancer() -> None:
    n = 6
    resources = copies(n, last=external_log_bucket)
    merged = reported(lb_log_bucket_not_public.POLICY, lb_log_bucket_not_public, resources)
    assert urns(merged) == {urn(LB, f"alb-c{n - 1}")}
    assert urns(reported(lb_log_bucket_not_public.POLICY, lb_log_bucket_not_public, resources, merge=False)) == urns(
        merged
    )


def no_block(specs: dict[str, Spec]) -> None:
    del specs["alb-logs-pab"]


def public_acl(specs: dict[str, Spec]) -> None:
    specs["alb-logs"].props["acl"] = "public-read"


def test_public_log_bucket_in_the_last_copy_keeps_its_own_finding() -> None:
    """No copy has a block, so every bucket copy is reported; only the last copy's bucket is public-read,
    and only its report says so: the copies that differ are judged apart."""
    n = 6
    resources = copies(n, every=no_block, last=public_acl)
    merged = reported(lb_log_bucket_not_public.POLICY, lb_log_bucket_not_public, resources)
    assert urns(merged) == {urn(BUCKET, f"alb-logs-c{i}") for i in range(n)}
    public = {where for message, where in merged if "public canned ACL 'public-read'" in message}
    assert public == {urn(BUCKET, f"alb-logs-c{n - 1}")}
    unmerged = reported(lb_log_bucket_not_public.POLICY, lb_log_bucket_not_public, resources, merge=False)
    assert urns(unmerged) == urns(merged)
    assert {w for m, w in unmerged if "public canned ACL" in m} == public


# --- the work does not grow with the copies --------------------------------------------------------------


def work(module: Any, policy: StackValidationPolicy, n: int, *, merge: bool = True) -> dict[str, int]:
    """Candidate resolutions (``StackGraph.resolutions``) and calls of the reverse look-ups, for ``n`` copies."""
    calls = {"load_balancers_of_target_group": 0, "_targeting": 0}

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return call

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            instance_sg,
            "load_balancers_of_target_group",
            counted("load_balancers_of_target_group", topology.load_balancers_of_target_group),
        )
        patch.setattr(
            lb_log_bucket_not_public, "_targeting", counted("_targeting", lb_log_bucket_not_public._targeting)
        )
        with graphs(module, merge=merge) as built:
            stack_violations(policy, copies(n))
    return {**calls, "resolutions": sum(g.resolutions for g in built)}


@pytest.mark.parametrize(("policy", "module"), RULES)
def test_work_is_the_same_for_2_and_30_copies(policy: StackValidationPolicy, module: Any) -> None:
    few, many = work(module, policy, 2), work(module, policy, 30)
    assert few["resolutions"] > 0
    assert many == few
    # Without the merge the same stacks cost more with every copy: the count above can fail.
    assert (
        work(module, policy, 30, merge=False)["resolutions"] > 10 * work(module, policy, 2, merge=False)["resolutions"]
    )


# --- what is merged -------------------------------------------------------------------------------------------


def graph_of(*resources: StackResource) -> StackGraph:
    return StackGraph(
        [PolicyResource(r.type, _wrap(r.props), r.urn, r.name, _options(), None, None, [], {}) for r in resources],
        merge_copies=True,
    )


def group(name: str, **props: Any) -> StackResource:
    return StackResource(SG, name, {"id": "sg-0shared", "name": "shared", **props})


def test_equal_copies_merge_into_the_first_and_each_copy_gets_the_verdict() -> None:
    g = graph_of(group("a"), group("b"), group("c", description="differs"))
    [first, third] = g.of_type(SG)
    assert (first.name, third.name) == ("a", "c")
    assert [n.name for n in g.copies(first)] == ["a", "b"] and g.copies(third) == [third]
    assert g.by_urn(group("b").urn) is first
    assert list(g.each_copy(f"{first.label()} is open", first.urn)) == [
        (f"{first.label()} is open", first.urn),
        (f"{SG} 'b' is open", group("b").urn),
    ]
    assert list(g.each_copy("x", third.urn)) == [("x", third.urn)]
    assert g.by_urn("urn:pulumi:test::proj::sg::not-in-the-stack") is None


def test_a_group_with_no_copy_does_not_stop_the_next_ones_from_merging() -> None:
    g = graph_of(group("solo", id="sg-0solo"), group("a"), group("b"))
    assert [n.name for n in g.of_type(SG)] == ["solo", "a"]


def test_copies_built_from_other_resources_are_neither_merged_nor_dropped() -> None:
    vpcs = [
        PolicyResource(VPC, _wrap({"id": f"vpc-0{i}"}), f"urn:vpc{i}", f"vpc{i}", _options(), None, None, [], {})
        for i in range(2)
    ]
    groups = []
    for name, vpc in zip(("a", "b"), vpcs, strict=True):
        resource = group(name)
        groups.append(
            PolicyResource(SG, _wrap(resource.props), resource.urn, name, _options(), None, None, [], {"vpcId": [vpc]})
        )
    g = StackGraph([*vpcs, *groups], merge_copies=True)
    assert [n.name for n in g.of_type(SG)] == ["a", "b"]
    assert [n.name for n in g.distinct_copies(g.of_type(SG))] == ["a", "b"]
    plain = StackGraph([*vpcs, *groups])
    assert [n.name for n in plain.distinct_copies(plain.of_type(SG))] == ["a", "b"]


def test_copies_whose_id_is_unknown_are_never_merged() -> None:
    g = graph_of(
        StackResource(SG, "a", {"id": UNKNOWN, "name": "shared"}),
        StackResource(SG, "b", {"id": UNKNOWN, "name": "shared"}),
    )
    assert [n.name for n in g.of_type(SG)] == ["a", "b"]


def test_without_merge_copies_every_node_stays() -> None:
    resources = [group("a"), group("b")]
    plain = StackGraph(
        [PolicyResource(r.type, _wrap(r.props), r.urn, r.name, _options(), None, None, [], {}) for r in resources]
    )
    assert [n.name for n in plain.of_type(SG)] == ["a", "b"]


# --- internet-exposure: an ASG names every copy of its launch template -----------------------------------


@pytest.fixture(scope="module")
def prod_resources() -> list[StackResource]:
    from offline.fuzz import base_stacks
    from offline.harness import STACK_TYPE

    return [
        StackResource(r.type, r.name, json.loads(json.dumps(r.outputs)), urn=r.urn)
        for r in base_stacks()[1]
        if r.type != STACK_TYPE
    ]


def _prod_copies(once: list[StackResource], n: int, *, public_last: bool) -> list[StackResource]:
    """``n`` copies of prod sharing ids, linked by value; with ``public_last`` the last copy's fleet runs in
    the public subnets with public IPs and its app port open to the world."""
    public_subnets = [r.props["id"] for r in once if r.name.startswith("network-public-") and "Subnet" in r.type]
    resources = []
    for i in range(n):
        for r in once:
            props = json.loads(json.dumps(r.props))
            if public_last and i == n - 1:
                if r.name == "compute-lt":
                    props["networkInterfaces"][0]["associatePublicIpAddress"] = "true"
                elif r.name == "compute-asg":
                    props["vpcZoneIdentifiers"] = public_subnets
                elif r.name == "compute-app-from-alb":
                    props.pop("referencedSecurityGroupId")
                    props["cidrIpv4"] = "0.0.0.0/0"
            resources.append(StackResource(r.type, f"{r.name}-c{i}", props, urn=f"{r.urn}-c{i}"))
    return resources


def _exposure(resources: list[StackResource], *, distinct: bool = True) -> tuple[set[str | None], int, int]:
    """The URNs internet-exposure flags, the placements it traces (``reachability.Placement`` built) and the
    ingress permissions it converts (``Reader._permission`` calls)."""
    from guardrails import reachability
    from guardrails.network import internet_exposure, reach

    built = {"placements": 0, "permissions": 0}
    real_placement, real_permission = reachability.Placement, reach.Reader._permission

    def placement(*args: Any, **kwargs: Any) -> Any:
        built["placements"] += 1
        return real_placement(*args, **kwargs)

    def permission(*args: Any, **kwargs: Any) -> Any:
        built["permissions"] += 1
        return real_permission(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reachability, "Placement", placement)
        patch.setattr(reach.Reader, "_permission", permission)
        if not distinct:
            patch.setattr(StackGraph, "distinct_copies", lambda self, nodes: list(nodes))
        found = stack_violations(internet_exposure.POLICY, resources)
    return urns(found), built["placements"], built["permissions"]


def test_fleet_public_in_the_last_copy_is_exposed_on_that_group_only(prod_resources: list[StackResource]) -> None:
    n = 6
    resources = _prod_copies(prod_resources, n, public_last=True)
    flagged = _exposure(resources)[0]
    last_asg = next(r.urn for r in resources if r.name == f"compute-asg-c{n - 1}")
    assert flagged == {last_asg}
    assert _exposure(resources, distinct=False)[0] == flagged


def test_exposure_work_grows_with_the_copies_not_their_square(prod_resources: list[StackResource]) -> None:
    few = _exposure(_prod_copies(prod_resources, 3, public_last=False))
    many = _exposure(_prod_copies(prod_resources, 12, public_last=False))
    assert few[0] == many[0] == set()
    # Each ASG and load balancer still places itself in every subnet copy (4x the copies, 16x placements);
    # ingress rules are converted once however many copies name their group.
    assert many[1] <= 16 * few[1]
    assert many[2] == few[2] > 0
    # Without skipping copies, each ASG multiplies by every template and each group by every rule copy.
    plain_few = _exposure(_prod_copies(prod_resources, 3, public_last=False), distinct=False)
    plain_many = _exposure(_prod_copies(prod_resources, 12, public_last=False), distinct=False)
    assert plain_many[1] > 40 * plain_few[1] and plain_many[2] > 10 * plain_few[2]


def test_distinct_copies_keeps_the_first_of_equal_nodes_and_every_one_that_differs() -> None:
    g = graph_of(group("a"), group("b"), group("c", description="differs"), group("d", description="differs"))
    nodes = g.nodes
    assert [n.name for n in g.distinct_copies(nodes)] == ["a", "c"]
    unknown = graph_of(StackResource(SG, "x", {"id": UNKNOWN}), StackResource(SG, "y", {"id": UNKNOWN}))
    assert [n.name for n in unknown.distinct_copies(unknown.nodes)] == ["x", "y"]

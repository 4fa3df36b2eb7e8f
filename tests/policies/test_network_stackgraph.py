"""StackGraph: references resolve by propertyDependencies and identifiers, never by guesswork."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pytest
from guardrails import props as p
from guardrails.stackgraph import Node, OrderedIndex, Resolution, StackGraph, describe_reference
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, StackResource, _options, _wrap

SG = "aws:ec2/securityGroup:SecurityGroup"
LT = "aws:ec2/launchTemplate:LaunchTemplate"


def graph(*resources: StackResource) -> StackGraph:
    by_urn = {}
    built = []
    for r in resources:
        pr = PolicyResource(r.type, _wrap(r.props), r.urn, r.name, _options(), None, None, [], {})
        by_urn[r.urn] = pr
        built.append((r, pr))
    for r, pr in built:
        pr.property_dependencies = {
            k: [by_urn[u] for u in v if u in by_urn] for k, v in r.property_dependencies.items()
        }
    return StackGraph([pr for _, pr in built])


def sg(resource_name: str, **props: object) -> StackResource:
    return StackResource(SG, resource_name, {"id": f"sg-0{resource_name}", **props})


def lt(groups: list[object], deps: list[StackResource]) -> StackResource:
    return StackResource(
        LT,
        "lt",
        {"id": "lt-0", "vpcSecurityGroupIds": groups},
        property_dependencies={"vpcSecurityGroupIds": [d.urn for d in deps]},
    )


def test_resolves_by_id_and_name() -> None:
    a, b = sg("a", name="alpha"), sg("b")
    g = graph(a, b, template := lt(["sg-0a", "alpha", "sg-0b"], []))
    node = g.by_urn(template.urn)
    assert node is not None
    found = g.resolve(node, "vpcSecurityGroupIds", ["sg-0a", "alpha", "sg-0b"], [SG])
    assert [n.name for n in found.nodes] == ["a", "b"]
    assert found.unresolved == []


def test_unknown_value_is_unresolved() -> None:
    a = sg("a")
    g = graph(a, template := lt(["sg-0zzz"], [a]))
    node = g.by_urn(template.urn)
    assert node is not None
    found = g.resolve(node, "vpcSecurityGroupIds", ["sg-0zzz"], [SG])
    assert found.nodes == [] and found.unresolved == ["sg-0zzz"]


def test_dependency_without_identifier_is_paired() -> None:
    bare = StackResource(SG, "bare", {"name": ""})
    g = graph(bare, template := lt(["sg-0mock"], [bare]))
    node = g.by_urn(template.urn)
    assert node is not None
    found = g.resolve(node, "vpcSecurityGroupIds", ["sg-0mock"], [SG])
    assert [n.name for n in found.nodes] == ["bare"] and found.unresolved == []


def test_wrong_type_never_matches() -> None:
    other = StackResource("aws:ec2/subnet:Subnet", "s", {"id": "sg-0a"})
    g = graph(other, template := lt(["sg-0a"], [other]))
    node = g.by_urn(template.urn)
    assert node is not None
    assert g.resolve(node, "vpcSecurityGroupIds", ["sg-0a"], [SG]).unresolved == ["sg-0a"]


def test_non_text_values_are_unresolved() -> None:
    a = sg("a")
    g = graph(a, template := lt([], []))
    node = g.by_urn(template.urn)
    assert node is not None
    assert g.resolve(node, "vpcSecurityGroupIds", [3.0, None], [SG]).unresolved == [3.0, None]


def test_alias_tokens_are_canonical() -> None:
    alb = StackResource("aws:alb/loadBalancer:LoadBalancer", "alb", {"arn": "arn:lb"})
    g = graph(alb)
    assert [n.name for n in g.of_type("aws:lb/loadBalancer:LoadBalancer")] == ["alb"]


def test_ordered_index_yields_in_stack_order_and_reads_each_item_once() -> None:
    a, b, c = sg("a"), sg("b"), sg("c")
    g = graph(a, b, c)
    nodes = g.of_type(SG)
    target = nodes[2]
    reads: list[str] = []

    def targets_of(item: Node) -> list[tuple[str, list[Node]]]:
        reads.append(item.name)
        return [(item.name, [target] if item.name != "b" else [])]

    index = OrderedIndex(nodes, targets_of)
    assert [v for _, v in index.matching(target)] == ["a", "c"]
    assert [v for _, v in index.matching(target)] == ["a", "c"]
    assert list(index.matching(nodes[1])) == []
    assert reads == ["a", "b", "c"]


def test_ordered_index_yields_what_precedes_an_unreadable_item() -> None:
    a, b = sg("a"), sg("b")
    g = graph(a, b)
    nodes = g.of_type(SG)

    def targets_of(item: Node) -> list[tuple[str, list[Node]]]:
        if item.name == "b":
            raise UnknownValueError(UNKNOWN, ["securityGroupId"])
        return [(item.name, [nodes[0]])]

    found = OrderedIndex(nodes, targets_of).matching(nodes[0])
    assert next(found)[1] == "a"
    with pytest.raises(UnknownValueError):
        next(found)


# --- a first preview: unknown values are paired through propertyDependencies, never guessed ---------


def unborn(resource_name: str) -> StackResource:
    """A security group not created yet: every identifier unknown, as a first preview sends it."""
    return StackResource(SG, resource_name, {"id": UNKNOWN, "arn": UNKNOWN, "name": UNKNOWN})


def resolve_unknown(
    *resources: StackResource, values: list[object], deps: list[StackResource], keep_unknown: bool = False
) -> Resolution:
    g = graph(*resources, template := lt([], deps))
    node = g.by_urn(template.urn)
    assert node is not None
    return g.resolve(node, "vpcSecurityGroupIds", values, [SG], keep_unknown=keep_unknown)


def test_unknown_values_pair_with_as_many_dependencies_whose_ids_are_unknown() -> None:
    a, b = unborn("a"), unborn("b")
    found = resolve_unknown(a, b, values=[p.UNKNOWN, p.UNKNOWN], deps=[a, b])
    assert [n.name for n in found.nodes] == ["a", "b"] and found.unresolved == [] and found.unknown == []


def test_an_unknown_value_after_a_known_one_pairs_with_the_dependency_left_over() -> None:
    known, a = sg("known"), unborn("a")
    found = resolve_unknown(known, a, values=["sg-0known", p.UNKNOWN], deps=[known, a])
    assert [n.name for n in found.nodes] == ["known", "a"]


def test_unknown_values_that_outnumber_the_dependencies_are_not_guessed() -> None:
    a = unborn("a")
    with pytest.raises(UnknownValueError):
        resolve_unknown(a, values=[p.UNKNOWN, p.UNKNOWN], deps=[a])
    kept = resolve_unknown(a, values=[p.UNKNOWN, p.UNKNOWN], deps=[a], keep_unknown=True)
    assert kept.nodes == [] and kept.unknown == ["vpcSecurityGroupIds", "vpcSecurityGroupIds"]


def test_an_unknown_value_never_pairs_with_a_dependency_whose_id_is_known() -> None:
    created, other = sg("created"), sg("other")
    with pytest.raises(UnknownValueError):
        resolve_unknown(created, other, values=[p.UNKNOWN], deps=[created])
    kept = resolve_unknown(created, other, values=[p.UNKNOWN], deps=[created], keep_unknown=True)
    assert kept.nodes == [] and kept.unknown == ["vpcSecurityGroupIds"]


def test_an_unknown_value_beside_a_dependency_of_another_type_is_not_paired() -> None:
    subnet = StackResource("aws:ec2/subnet:Subnet", "s", {"id": UNKNOWN})
    with pytest.raises(UnknownValueError):
        resolve_unknown(subnet, values=[p.UNKNOWN], deps=[subnet])


def test_require_known_names_the_property_of_the_first_unknown() -> None:
    with pytest.raises(UnknownValueError) as caught:
        Resolution(unknown=["securityGroups", "ingress"]).require_known()
    assert caught.value.props == ["securityGroups"]
    resolved = Resolution()
    assert resolved.require_known() is resolved


def test_a_node_with_unknown_identifiers_reads_none_of_them() -> None:
    g = graph(unborn("a"), StackResource(SG, "named", {"id": UNKNOWN, "name": " web "}))
    a, named = g.of_type(SG)
    assert a.identifiers() == frozenset() and not a.id_known()
    assert named.identifiers() == frozenset({"web"}) and not named.id_known()
    b = graph(sg("b", name="bee")).of_type(SG)[0]
    assert b.identifiers() == frozenset({"sg-0b", "bee"}) and b.id_known()


def test_a_dependency_with_only_a_name_known_is_not_paired_with_an_unknown_value() -> None:
    named = StackResource(SG, "named", {"id": UNKNOWN, "name": "web"})
    found = resolve_unknown(named, values=[p.UNKNOWN], deps=[named])
    assert [n.name for n in found.nodes] == ["named"]  # id unknown: it may be what the value names


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (p.UNKNOWN, "<unknown during preview>"),
        ("sg-0a", "'sg-0a'"),
        ("x", "'x'"),
        ("x" * 120, "'" + "x" * 120 + "'"),
        ("x" * 121, "<str value>"),
        ("", "<str value>"),
        ("a\nb", "<str value>"),
        (3.0, "<float value>"),
    ],
)
def test_describe_reference_shows_short_printable_text_only(value: object, shown: str) -> None:
    assert describe_reference(value) == shown


def test_resolve_one_of_nothing_resolves_nothing() -> None:
    g = graph(a := sg("a"), template := lt([], [a]))
    node = g.by_urn(template.urn)
    assert node is not None
    found = g.resolve_one(node, "vpcSecurityGroupIds", None, [SG])
    assert found.nodes == [] and found.unresolved == []
    assert [n.name for n in g.resolve_one(node, "vpcSecurityGroupIds", " sg-0a ", [SG]).nodes] == ["a"]


def test_a_value_naming_a_group_outside_the_dependencies_is_found_anywhere_in_the_stack() -> None:
    a, b = sg("a"), sg("b")
    found = resolve_unknown(a, b, values=["sg-0b"], deps=[a])
    assert [n.name for n in found.nodes] == ["b"] and found.unresolved == []


def test_memo_computes_once_and_forgets_a_failure() -> None:
    g = graph(sg("a"))
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise UnknownValueError(UNKNOWN, ["x"])
        return len(calls)

    with pytest.raises(UnknownValueError):
        g.memo("k", compute)
    assert g.memo("k", compute) == 2 and g.memo("k", compute) == 2 and len(calls) == 2


def test_dependencies_lists_each_dependency_of_the_wanted_types_once() -> None:
    a, subnet = sg("a"), StackResource("aws:ec2/subnet:Subnet", "s", {"id": "subnet-0"})
    g = graph(a, subnet, template := lt([], [a, subnet, a]))
    node = g.by_urn(template.urn)
    assert node is not None
    assert [n.name for n in g.dependencies(node, "vpcSecurityGroupIds", [SG])] == ["a"]
    assert g.dependencies(node, "other", [SG]) == []
    assert g.by_urn("urn:none") is None
    assert node.label() == "aws:ec2/launchTemplate:LaunchTemplate 'lt'"


def test_resolve_one_pairs_an_unknown_value_through_the_property_dependency() -> None:
    a = unborn("a")
    g = graph(a, template := lt([], [a]))
    node = g.by_urn(template.urn)
    assert node is not None
    assert [n.name for n in g.resolve_one(node, "vpcSecurityGroupIds", p.UNKNOWN, [SG]).nodes] == ["a"]


def test_resolve_one_raises_on_an_unpairable_unknown_unless_asked_to_keep_it() -> None:
    g = graph(created := sg("created"), template := lt([], [created]))
    node = g.by_urn(template.urn)
    assert node is not None
    with pytest.raises(UnknownValueError):
        g.resolve_one(node, "vpcSecurityGroupIds", p.UNKNOWN, [SG])
    kept = g.resolve_one(node, "vpcSecurityGroupIds", p.UNKNOWN, [SG], keep_unknown=True)
    assert kept.nodes == [] and kept.unknown == ["vpcSecurityGroupIds"]


def test_a_known_value_after_an_unknown_one_is_still_matched() -> None:
    known, a = sg("known"), unborn("a")
    found = resolve_unknown(known, a, values=[p.UNKNOWN, "sg-0known"], deps=[known, a])
    assert [n.name for n in found.nodes] == ["known", "a"] and found.unresolved == []


def test_a_dependency_matched_by_name_is_not_offered_again_to_an_unknown_value() -> None:
    named, b = StackResource(SG, "named", {"id": UNKNOWN, "name": "web"}), unborn("b")
    found = resolve_unknown(named, b, values=["web", p.UNKNOWN], deps=[named, b])
    assert [n.name for n in found.nodes] == ["named", "b"]


def test_a_dependency_paired_as_a_spare_is_not_offered_again_to_an_unknown_value() -> None:
    bare, c = StackResource(SG, "bare", {}), unborn("c")
    found = resolve_unknown(bare, c, values=["sg-0mock", p.UNKNOWN], deps=[bare, c])
    assert [n.name for n in found.nodes] == ["bare", "c"] and found.unresolved == []


def test_a_resource_without_property_dependencies_resolves_by_identifier_only() -> None:
    a = sg("a")
    resource = PolicyResource(LT, _wrap({"id": "lt-0"}), "urn:lt", "lt", _options(), None, None, [], None)  # type: ignore[arg-type]
    g = StackGraph([PolicyResource(SG, _wrap(a.props), a.urn, a.name, _options(), None, None, [], {}), resource])
    node = g.by_urn("urn:lt")
    assert node is not None
    found = g.resolve(node, "vpcSecurityGroupIds", ["sg-0a", "sg-0zzz"], [SG])
    assert [n.name for n in found.nodes] == ["a"] and found.unresolved == ["sg-0zzz"]


# --- repeated URNs: an exact copy is one resource, a copy that differs anywhere is judged too ---------


def _resource(
    props: Mapping[str, Any], *, dependencies: list[PolicyResource] | None = None, parent: PolicyResource | None = None
) -> PolicyResource:
    return PolicyResource(
        SG, props, "urn:pulumi:test::proj::sg::twin", "twin", _options(), None, parent, dependencies or [], {}
    )


def _names(nodes: list[Node]) -> list[str]:
    return [n.name for n in nodes]


def test_exact_copies_under_one_urn_are_one_node_and_other_resources_stay() -> None:
    other = PolicyResource(SG, _wrap({"id": "sg-0other"}), "urn:other", "other", _options(), None, None, [], {})
    after = PolicyResource(SG, _wrap({"id": "sg-0after"}), "urn:after", "after", _options(), None, None, [], {})
    twins = [_resource(_wrap({"id": "sg-0twin", "tags": {"a": "b"}})) for _ in range(2)]
    g = StackGraph([twins[0], other, twins[1], after])
    assert _names(g.nodes) == ["twin", "other", "after"]
    assert g.nodes[0].resource is twins[0]


def test_copies_under_one_urn_with_other_links_are_all_kept() -> None:
    a = PolicyResource(SG, _wrap({"id": "sg-0a"}), "urn:a", "a", _options(), None, None, [], {})
    b = PolicyResource(SG, _wrap({"id": "sg-0b"}), "urn:b", "b", _options(), None, None, [], {})
    props = {"id": "sg-0twin"}
    by_dependency = StackGraph(
        [a, b, _resource(_wrap(props), dependencies=[a]), _resource(_wrap(props), dependencies=[b])]
    )
    assert _names(by_dependency.nodes) == ["a", "b", "twin", "twin"]
    by_parent = StackGraph([a, b, _resource(_wrap(props), parent=a), _resource(_wrap(props), parent=b)])
    assert _names(by_parent.nodes) == ["a", "b", "twin", "twin"]
    built_from = []
    for source in (a, b):
        twin = _resource(_wrap(props))
        twin.property_dependencies = {"vpcId": [source]}
        built_from.append(twin)
    by_property_dependency = StackGraph([a, b, *built_from])
    assert _names(by_property_dependency.nodes) == ["a", "b", "twin", "twin"]


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        pytest.param({"id": "sg-0twin", "port": 22}, {"id": "sg-0twin", "port": 22}, 1, id="equal"),
        pytest.param({"id": "sg-0twin", "port": 22}, {"id": "sg-0twin", "port": 443}, 2, id="a-number-differs"),
        pytest.param({"id": "sg-0twin"}, {"id": "sg-0copy"}, 2, id="a-text-differs"),
        pytest.param({"id": "sg-0twin", "ids": ["a"]}, {"id": "sg-0twin", "ids": ["b"]}, 2, id="a-list-item-differs"),
        pytest.param({"id": "sg-0twin", "tags": {}}, {"id": "sg-0twin", "tags": []}, 2, id="empty-map-or-list"),
        pytest.param({"id": "sg-0twin", "port": 22}, {"id": "sg-0twin", "from": 22}, 2, id="a-key-differs"),
        pytest.param(
            {"id": "sg-0twin", "tags": {"a": "x"}}, {"id": "sg-0twin", "tags": {"b": "x"}}, 2, id="a-nested-key-differs"
        ),
        pytest.param({"id": "sg-0twin", "port": 22}, {"port": 22, "id": "sg-0twin"}, 1, id="keys-in-another-order"),
        pytest.param(
            {"id": "sg-0twin", "rules": [{"port": 22, "cidr": "10.0.0.0/8"}]},
            {"id": "sg-0twin", "rules": [{"cidr": "10.0.0.0/8", "port": 22}]},
            1,
            id="keys-in-another-order-inside-a-list",
        ),
    ],
)
def test_copies_with_plain_properties_are_one_node_only_when_every_value_is_equal(
    first: dict[str, object], second: dict[str, object], kept: int
) -> None:
    # Plain dicts (an export read back, not the engine's proxy) are compared value by value.
    assert len(StackGraph([_resource(first), _resource(second)]).nodes) == kept


def test_copies_holding_objects_that_are_not_plain_data_are_never_merged_on_a_guess() -> None:
    # An asset has no value to compare: each is named by its own repr, so the two copies stay two.
    g = StackGraph(
        [_resource(_wrap({"code": pulumi.StringAsset("a")})), _resource(_wrap({"code": pulumi.StringAsset("b")}))]
    )
    assert len(g.nodes) == 2


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda props: props["rule"], id="a-map"),
        pytest.param(lambda props: props["cidrs"], id="a-list"),
    ],
)
def test_a_value_unknown_during_preview_is_not_taken_for_an_absent_one(read: Any) -> None:
    # Plain properties holding the SDK's proxies (walked one value at a time, an unknown read raises):
    # a copy whose value is unknown and one whose value is null may differ once known, so both stay.
    unknown = _wrap({"rule": {"cidr": UNKNOWN}, "cidrs": [UNKNOWN]})
    null = _wrap({"rule": {"cidr": None}, "cidrs": [None]})
    g = StackGraph([_resource({"id": "sg-0twin", "x": read(unknown)}), _resource({"id": "sg-0twin", "x": read(null)})])
    assert len(g.nodes) == 2


def test_copies_from_the_sdk_proxy_are_equal_whatever_the_order_of_their_keys() -> None:
    first = _wrap({"id": "sg-0twin", "port": 22, "tags": {"a": "1", "b": "2"}})
    second = _wrap({"tags": {"b": "2", "a": "1"}, "port": 22, "id": "sg-0twin"})
    assert len(StackGraph([_resource(first), _resource(second)]).nodes) == 1


class ProxyDouble(Mapping[str, Any]):
    """The SDK proxy's contract (its plain dict under ``"__target"``), recording every key read."""

    def __init__(self, target: dict[str, Any]) -> None:
        self.target = target
        self.reads: list[str] = []

    def __getitem__(self, key: str) -> Any:
        self.reads.append(key)
        return self.target if key == "__target" else self.target[key]

    def __iter__(self) -> Any:
        return iter(self.target)

    def __len__(self) -> int:
        return len(self.target)


def test_copies_from_the_sdk_proxy_are_compared_through_its_plain_dict_not_walked_value_by_value() -> None:
    twins = [ProxyDouble({"id": "sg-0twin", "ingress": [{"port": 22}], "tags": {"a": "b"}}) for _ in range(2)]
    g = StackGraph([_resource(twins[0]), _resource(twins[1])])
    assert len(g.nodes) == 1
    assert [t.reads for t in twins] == [["__target"], ["__target"]]


def test_only_resources_whose_urn_repeats_are_read_to_find_copies() -> None:
    def single(name: str) -> tuple[PolicyResource, ProxyDouble]:
        props = ProxyDouble({"id": f"sg-0{name}"})
        return PolicyResource(SG, props, f"urn:{name}", name, _options(), None, None, [], {}), props

    (a, a_props), (b, b_props) = single("a"), single("b")
    assert _names(StackGraph([a, b]).nodes) == ["a", "b"]
    assert (a_props.reads, b_props.reads) == ([], [])
    twin = ProxyDouble({"id": "sg-0twin"})
    assert _names(StackGraph([a, _resource(twin), _resource(twin)]).nodes) == ["a", "twin"]
    assert a_props.reads == [] and twin.reads == ["__target", "__target"]


class Opaque(Mapping[str, Any]):
    """Not a proxy: it answers ``"__target"`` with text, not the plain dict or list a proxy wraps."""

    def __getitem__(self, key: str) -> Any:
        return "same for every one"

    def __iter__(self) -> Any:
        return iter(["__target"])

    def __len__(self) -> int:
        return 1


def test_copies_holding_an_object_that_only_looks_like_a_proxy_are_never_merged_on_a_guess() -> None:
    twins = [ProxyDouble({"id": "sg-0twin", "code": Opaque()}) for _ in range(2)]
    assert len(StackGraph([_resource(twins[0]), _resource(twins[1])]).nodes) == 2


def test_resolutions_counts_each_call_of_resolve() -> None:
    a = sg("a")
    g = graph(a, template := lt(["sg-0a"], [a]))
    assert g.resolutions == 0
    node = g.by_urn(template.urn)
    assert node is not None
    g.resolve(node, "vpcSecurityGroupIds", ["sg-0a"], [SG])
    assert g.resolutions == 1
    g.resolve_one(node, "vpcSecurityGroupIds", "sg-0a", [SG])
    assert g.resolutions == 2

"""StackGraph: references resolve by propertyDependencies and identifiers, never by guesswork."""

from __future__ import annotations

import pytest
from guardrails.stackgraph import Node, OrderedIndex, StackGraph
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

"""Resolve references between resources in one ``AnalyzeStack`` call.

A stack policy sees every resource's outputs plus, per property, the URNs that property was built
from (``propertyDependencies``). A launch template's ``vpcSecurityGroupIds`` holds ids like
``sg-0123...``; the engine also records which security-group URNs flowed into that property. This
module answers "which resources does this property refer to?" by trusting both, in this order:

1. a value that equals the ``id``, ``arn`` or ``name`` of a resource of the expected type among the
   property's dependencies, then anywhere in the stack;
2. values still unmatched are paired with dependencies of the expected type that carry no readable
   identifier at all (outputs without ``id``, e.g. a thin mock): a dependency whose id is known and
   matches no value is not what the value names, so it is never paired;
3. whatever is left is reported as unresolved, so a rule can fail closed on it.

Only resources of the expected types are read, so an unknown value in an unrelated resource never
stops a policy from running.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource

from . import props as p

IDENTIFIER_KEYS = ("id", "arn", "name")


@dataclass(frozen=True, eq=False)
class Node:
    """A stack resource with its canonical type token (``aws:alb/...`` read as ``aws:lb/...``)."""

    resource: PolicyResource

    @property
    def type(self) -> str:
        return p.canonical_type(self.resource.resource_type)

    @property
    def urn(self) -> str:
        return self.resource.urn

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def props(self) -> Mapping[str, Any]:
        return self.resource.props

    def identifiers(self) -> set[str]:
        found: set[str] = set()
        for key in IDENTIFIER_KEYS:
            value = p.as_str(p.get(self.props, key))
            if value is not None and value.strip():
                found.add(value.strip())
        return found

    def label(self) -> str:
        """``aws:ec2/securityGroup:SecurityGroup 'web'``: how messages name a resource."""
        return f"{self.resource.resource_type} '{self.name}'"


@dataclass
class Resolution:
    nodes: list[Node] = field(default_factory=list)
    unresolved: list[Any] = field(default_factory=list)

    def add(self, node: Node) -> None:
        if all(node is not known for known in self.nodes):
            self.nodes.append(node)


def describe_reference(value: Any) -> str:
    """A reference for a message: short printable text as is, anything else by its type only."""
    if isinstance(value, str) and 0 < len(value) <= 120 and value.isprintable():
        return f"'{value}'"
    return f"<{type(value).__name__} value>"


class StackGraph:
    """The stack's resources, indexed by URN and type, with reference resolution."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.nodes: list[Node] = [Node(r) for r in resources]
        self._by_urn: dict[str, Node] = {n.urn: n for n in self.nodes}

    def of_type(self, *types: str) -> list[Node]:
        wanted = {p.canonical_type(t) for t in types}
        return [n for n in self.nodes if n.type in wanted]

    def by_urn(self, urn: str) -> Node | None:
        return self._by_urn.get(urn)

    def dependencies(self, node: Node, key: str, types: Sequence[str]) -> list[Node]:
        wanted = {p.canonical_type(t) for t in types}
        deps = node.resource.property_dependencies.get(key, []) if node.resource.property_dependencies else []
        found: list[Node] = []
        for dep in deps:
            dep_node = self._by_urn.get(dep.urn)
            if dep_node is not None and dep_node.type in wanted and dep_node not in found:
                found.append(dep_node)
        return found

    def resolve(self, node: Node, key: str, values: Iterable[Any], types: Sequence[str]) -> Resolution:
        """The resources of ``types`` that ``values`` (read from ``node``'s property ``key``) refer to."""
        deps = self.dependencies(node, key, types)
        everyone = self.of_type(*types)
        result = Resolution()
        matched_deps: list[Node] = []
        unmatched: list[Any] = []
        for value in values:
            text = value.strip() if isinstance(value, str) else None
            hits: list[Node] = []
            if text:
                hits = [d for d in deps if text in d.identifiers()] or [n for n in everyone if text in n.identifiers()]
            if hits:
                for hit in hits:
                    result.add(hit)
                    if hit in deps:
                        matched_deps.append(hit)
            else:
                unmatched.append(value)
        spare = [d for d in deps if d not in matched_deps and not d.identifiers()]
        for dep in spare[: len(unmatched)]:
            result.add(dep)
        result.unresolved = unmatched[len(spare) :]
        return result

    def resolve_one(self, node: Node, key: str, value: Any, types: Sequence[str]) -> Resolution:
        return self.resolve(node, key, [] if value is None else [value], types)

    def refers_to(self, node: Node, key: str, values: Iterable[Any], target: Node) -> bool:
        return any(hit is target for hit in self.resolve(node, key, values, [target.type]).nodes)

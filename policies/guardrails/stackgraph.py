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
3. a value still unknown (a first ``pulumi preview``, where ids and ARNs of resources not yet created
   are computed) is paired through ``propertyDependencies`` alone: the property's unknown values with
   its dependencies of the expected type whose ``id`` is not known, but only when there are exactly as
   many of each, so no pairing is a guess; an unknown value that cannot be paired so raises
   ``UnknownValueError`` (the SDK reports "can't run during preview"), unless the caller only needs to
   know that the property names something and asks to keep it (``keep_unknown``);
4. whatever is left is reported as unresolved, so a rule can fail closed on it.

An unknown value is never read (that raises): the readers in :mod:`props` hand it over as
:data:`props.UNKNOWN`, and a node's identifiers leave out the unknown ones. With every value known,
step 3 never applies and resolution is what it always was.

Only resources of the expected types are read, so an unknown value in an unrelated resource never
stops a policy from running.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from . import props as p

IDENTIFIER_KEYS = ("id", "arn", "name")

T = TypeVar("T")
V = TypeVar("V")


class Node:
    """A stack resource with its canonical type token (``aws:alb/...`` read as ``aws:lb/...``).

    Reading a property through the SDK's proxy is the costly part of a stack policy, so a node reads its
    identifiers once; nodes compare by identity.
    """

    __slots__ = ("_id_known", "_identifiers", "resource", "type")

    def __init__(self, resource: PolicyResource) -> None:
        self.resource = resource
        self.type = p.canonical_type(resource.resource_type)
        self._identifiers: frozenset[str] | None = None
        self._id_known: bool  # set with the identifiers, by identifiers()

    @property
    def urn(self) -> str:
        return self.resource.urn

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def props(self) -> Mapping[str, Any]:
        return self.resource.props

    def identifiers(self) -> frozenset[str]:
        """The known ``id``, ``arn`` and ``name``; unknown ones (not created yet) are left out unread."""
        if self._identifiers is None:
            found: dict[str, str] = {}
            for key in IDENTIFIER_KEYS:
                value = p.as_str(p.reference(self.props, key))
                if value is not None and value.strip():
                    found[key] = value.strip()
            self._identifiers = frozenset(found.values())
            self._id_known = "id" in found
        return self._identifiers

    def id_known(self) -> bool:
        """Whether the resource has a known ``id``: one without it may be what an unknown value names."""
        self.identifiers()
        return self._id_known

    def label(self) -> str:
        """``aws:ec2/securityGroup:SecurityGroup 'web'``: how messages name a resource."""
        return f"{self.resource.resource_type} '{self.name}'"


@dataclass
class Resolution:
    """What a property refers to: resources, references outside the stack, and (kept only on request)
    the paths of references unknown during preview that no dependency accounts for."""

    nodes: list[Node] = field(default_factory=list)
    unresolved: list[Any] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    _ids: set[int] = field(default_factory=set, repr=False, compare=False)

    def add(self, node: Node) -> None:
        # Membership by identity in a set: a reference naming many copies stays linear.
        if id(node) not in self._ids:
            self._ids.add(id(node))
            self.nodes.append(node)

    def require_known(self) -> Resolution:
        """``self``, or ``UnknownValueError`` when a kept unknown reference could be anything."""
        if self.unknown:
            raise UnknownValueError(UNKNOWN_STRING_VALUE, [self.unknown[0]])
        return self


def describe_reference(value: Any) -> str:
    """A reference for a message: short printable text as is, anything else by its type only."""
    if value is p.UNKNOWN:
        return "<unknown during preview>"
    if isinstance(value, str) and 0 < len(value) <= 120 and value.isprintable():
        return f"'{value}'"
    return f"<{type(value).__name__} value>"


def _fingerprint(value: Any) -> Any:
    """``value`` as hashable plain data, unknowns as a marker: read without raising, for comparison only."""
    if p.is_mapping(value):
        items = []
        for key in value:
            try:
                child = value[key]
            except UnknownValueError:
                child = p.UNKNOWN
            items.append((str(key), _fingerprint(child)))
        return (dict, tuple(sorted(items, key=lambda item: item[0])))
    if p.is_sequence(value):
        entries = []
        for i in range(len(value)):
            try:
                child = value[i]
            except UnknownValueError:
                child = p.UNKNOWN
            entries.append(_fingerprint(child))
        return (list, tuple(entries))
    # A scalar or the unknown marker by its repr, which tells scalars apart as == does, types included (1, 1.0,
    # True, '1'), but 0.0 from -0.0 (two copies then stay two, as on the proxy path's json.dumps) and NaN from
    # nothing (two NaN copies merge, as on the proxy path); a repr is never a tuple, as containers are.
    return repr(value)


def _content(props: Mapping[str, Any]) -> Any:
    """A resource's properties as one comparable value, unknowns included and nothing raised.

    The SDK's read-only proxy hands over the plain dict it wraps for the key ``"__target"``; serialised
    in C, that is far cheaper than walking the proxy. It is used only when it holds exactly the proxy's
    keys (a real property named ``__target`` would not), else the proxy is walked.
    """
    raw = _proxied(props)
    if isinstance(raw, dict) and raw.keys() == set(props):
        return json.dumps(raw, sort_keys=True, default=_plain_or_repr)
    return _fingerprint(props)


def _plain_or_repr(value: Any) -> Any:
    raw = _proxied(value)
    return repr(value) if raw is None else raw


def _proxied(value: Any) -> dict[str, Any] | list[Any] | None:
    """The plain dict or list an SDK proxy wraps (nested values are proxies too), else None.

    Anything else serialises by ``repr``, which names the object, so two of them never compare equal
    and nothing is merged on a guess."""
    if isinstance(value, (dict, list)):
        return None
    try:
        raw = value["__target"]
    except (KeyError, TypeError, IndexError, UnknownValueError):
        return None
    return raw if isinstance(raw, (dict, list)) else None


def _prop_deps(node: Node) -> Any:
    deps = node.resource.property_dependencies or {}
    return frozenset((key, frozenset(d.urn for d in value)) for key, value in deps.items())


def _links(node: Node) -> Any:
    resource = node.resource
    deps = resource.property_dependencies or {}
    return (
        node.type,
        getattr(resource.parent, "urn", None),
        frozenset(d.urn for d in resource.dependencies or []),
        frozenset((key, frozenset(d.urn for d in value)) for key, value in deps.items()),
    )


def distinct_nodes(nodes: list[Node]) -> list[Node]:
    """``nodes`` without exact repeats: entries sharing a URN (an audit of concatenated exports, a state
    listing a resource twice) with the same type, properties and links are one resource, kept once.

    Every copy would resolve to every other (they share ids), so keeping them multiplies a stack rule's
    work by the square of the copies while adding no finding. Entries that share a URN but differ are
    all kept, so a copy that differs is still judged. Only URNs that repeat are compared at all.
    """
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.urn] = counts.get(node.urn, 0) + 1
    if all(count == 1 for count in counts.values()):
        return nodes
    seen: set[tuple[str, Any, Any]] = set()
    kept: list[Node] = []
    for node in nodes:
        if counts[node.urn] > 1:
            key = (node.urn, _links(node), _content(node.props))
            if key in seen:
                continue
            seen.add(key)
        kept.append(node)
    return kept


class OrderedIndex(Generic[V]):
    """Which ``items`` point at a target: a reverse index built in stack order, one item at a time.

    ``targets_of(item)`` reads one item: its ``(value, target nodes)`` pairs. A query walks the items in
    order, reading each at most once over the index's life, and yields those that point at its target,
    so a rule that reports as it goes reports what the plain nested loop would before an unknown value
    stops it. Once every item is read, a query is a dictionary look-up.
    """

    def __init__(self, items: list[Node], targets_of: Callable[[Node], list[tuple[V, list[Node]]]]) -> None:
        self._items = items
        self._targets_of = targets_of
        self._read: list[list[tuple[V, list[Node]]]] = []
        self._by_target: dict[Node, list[tuple[Node, V]]] = {}

    def matching(self, target: Node) -> Iterator[tuple[Node, V]]:
        if len(self._read) == len(self._items):
            yield from self._by_target.get(target, [])
            return
        for i, item in enumerate(self._items):
            if i == len(self._read):
                entries = self._targets_of(item)
                self._read.append(entries)
                for value, nodes in entries:
                    for node in nodes:
                        self._by_target.setdefault(node, []).append((item, value))
            for value, nodes in self._read[i]:
                if any(node is target for node in nodes):
                    yield item, value


class StackGraph:
    """The stack's resources, indexed by URN and type, with reference resolution.

    Indexes are built once per graph (one ``AnalyzeStack`` call of one policy) and only when first
    needed, so a graph reads the same resources the plain scans would, each of them once. Rule modules
    keep their own derived answers (reverse indexes, per-node results) in :meth:`memo`.

    With ``merge_copies``, resources that only a URN tells apart (see :meth:`_representatives_of`) are one
    node: ``of_type``, ``by_urn``, dependencies and resolution all give the first of them, so a reference
    that names 100 copies costs what it costs for one. A rule that merges reports through :meth:`each_copy`
    so every copy still gets the verdict.
    """

    def __init__(self, resources: Iterable[PolicyResource], *, merge_copies: bool = False) -> None:
        self.nodes: list[Node] = distinct_nodes([Node(r) for r in resources])
        self._by_urn: dict[str, Node] = {n.urn: n for n in self.nodes}
        self._of_types: dict[frozenset[str], list[Node]] = {}
        self._by_identifier: dict[frozenset[str], dict[str, list[Node]]] = {}
        self._memo: dict[Any, Any] = {}
        self._merge_copies = merge_copies
        # Per canonical type, once read: each node's representative, and each representative's copies.
        self._representative: dict[str, dict[Node, Node]] = {}
        self._copies: dict[Node, list[Node]] = {}
        self.resolutions = 0  # calls of resolve(): the work a stack rule does, counted by tests

    def _representatives_of(self, type_token: str) -> dict[Node, Node]:
        """Each node of ``type_token`` mapped to the first node (in stack order) it is a copy of.

        Copies are nodes under distinct URNs whose raw type, known ``id``, identifiers, property
        dependencies and properties are all equal: every rule reads them alike, so a rule that judges the
        representative judges each copy, and :meth:`each_copy` reports its verdict on every one. A node
        whose ``id`` is unknown is never merged (preview pairs those with unknown values by count), and
        properties are compared only among nodes that already share type, identifiers and dependencies.
        """
        found = self._representative.get(type_token)
        if found is not None:
            return found
        nodes = [n for n in self.nodes if n.type == type_token]
        found = {n: n for n in nodes}
        if self._merge_copies:
            candidates: dict[Any, list[Node]] = {}
            for node in nodes:
                if node.id_known():
                    candidates.setdefault(
                        (node.resource.resource_type, node.identifiers(), _prop_deps(node)), []
                    ).append(node)
            for group in candidates.values():
                if len(group) < 2:
                    continue
                first_of: dict[Any, Node] = {}
                for node in group:
                    representative = first_of.setdefault(_content(node.props), node)
                    found[node] = representative
                    if representative is not node:
                        self._copies.setdefault(representative, [representative]).append(node)
        self._representative[type_token] = found
        return found

    def _as_representative(self, node: Node) -> Node:
        if not self._merge_copies:
            return node
        return self._representatives_of(node.type)[node]  # every node of the graph has its entry

    def _of_wanted(self, wanted: frozenset[str]) -> list[Node]:
        found = self._of_types.get(wanted)
        if found is None:
            found = self._of_types[wanted] = [
                n for n in self.nodes if n.type in wanted and self._as_representative(n) is n
            ]
        return found

    def distinct_copies(self, nodes: Iterable[Node]) -> list[Node]:
        """``nodes`` less those that are a copy (as :meth:`_representatives_of` defines it) of an earlier
        one, merged or not: for a rule whose verdict on its subject is the same through any of them."""
        kept: list[Node] = []
        first_of: dict[Any, Node] = {}
        for node in nodes:
            if not node.id_known():
                kept.append(node)
                continue
            cheap = (node.resource.resource_type, node.identifiers(), _prop_deps(node))
            earlier = first_of.get(cheap)
            if earlier is None:
                first_of[cheap] = node
                kept.append(node)
                continue
            key = (cheap, self._content_of(node))
            if self._content_of(earlier) != key[1] and key not in first_of:
                first_of[key] = node
                kept.append(node)
        return kept

    def _content_of(self, node: Node) -> Any:
        return self.memo(("content", node), lambda: _content(node.props))

    def copies(self, node: Node) -> list[Node]:
        """``node`` and every resource merged into it (``merge_copies``), in stack order."""
        return self._copies.get(node, [node])

    def each_copy(self, message: str, urn: str) -> Iterator[tuple[str, str]]:
        """A violation found on a representative, as reported on each of its copies (named in the message
        by its own label); any other violation as is."""
        node = self._by_urn.get(urn)
        if node is None or node not in self._copies:
            yield message, urn
            return
        for copy in self._copies[node]:
            yield message.replace(node.label(), copy.label()), copy.urn  # the representative's own is unchanged

    def of_type(self, *types: str) -> list[Node]:
        return list(self._of_wanted(frozenset(p.canonical_type(t) for t in types)))

    def by_urn(self, urn: str) -> Node | None:
        node = self._by_urn.get(urn)
        return None if node is None else self._as_representative(node)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, once per graph and ``key``; an exception (an unknown value) is not remembered."""
        if key in self._memo:
            return self._memo[key]
        value = self._memo[key] = compute()
        return value

    def _with_identifier(self, text: str, wanted: frozenset[str]) -> list[Node]:
        index = self._by_identifier.get(wanted)
        if index is None:
            index = {}
            for node in self._of_wanted(wanted):
                for identifier in node.identifiers():
                    index.setdefault(identifier, []).append(node)
            self._by_identifier[wanted] = index
        return index.get(text) or []

    def _dependencies(self, node: Node, key: str, wanted: frozenset[str]) -> list[Node]:
        deps = node.resource.property_dependencies.get(key, []) if node.resource.property_dependencies else []
        found: list[Node] = []
        for dep in deps:
            dep_node = self._by_urn.get(dep.urn)
            if dep_node is not None and dep_node.type in wanted:
                dep_node = self._as_representative(dep_node)
                if dep_node not in found:
                    found.append(dep_node)
        return found

    def dependencies(self, node: Node, key: str, types: Sequence[str]) -> list[Node]:
        return self._dependencies(node, key, frozenset(p.canonical_type(t) for t in types))

    def resolve(
        self, node: Node, key: str, values: Iterable[Any], types: Sequence[str], *, keep_unknown: bool = False
    ) -> Resolution:
        """The resources of ``types`` that ``values`` (read from ``node``'s property ``key``) refer to."""
        self.resolutions += 1
        wanted = frozenset(p.canonical_type(t) for t in types)
        deps = self._dependencies(node, key, wanted)
        result = Resolution()
        matched_deps: list[Node] = []
        unmatched: list[Any] = []
        unknown: list[Any] = []
        for value in values:
            if value is p.UNKNOWN:
                unknown.append(value)
                continue
            text = value.strip() if isinstance(value, str) else None
            hits: list[Node] = []
            if text:
                hits = [d for d in deps if text in d.identifiers()] or self._with_identifier(text, wanted)
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
            matched_deps.append(dep)
        result.unresolved = unmatched[len(spare) :]
        if unknown:
            candidates = [d for d in deps if d not in matched_deps and not d.id_known()]
            if len(candidates) == len(unknown):
                for dep in candidates:
                    result.add(dep)
            else:
                result.unknown += [key] * len(unknown)
        return result if keep_unknown else result.require_known()

    def resolve_one(
        self, node: Node, key: str, value: Any, types: Sequence[str], *, keep_unknown: bool = False
    ) -> Resolution:
        return self.resolve(node, key, [] if value is None else [value], types, keep_unknown=keep_unknown)

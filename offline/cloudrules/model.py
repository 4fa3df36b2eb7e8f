"""What a cloud rule reads and what it reports: one resource as AWS would receive it, the account it
lands in (the other resources, by id and by URN, with their dependencies), and the refusal."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from offline.cloudrules.values import default_tags_of, plain
from offline.wire import UNKNOWN


@dataclass(frozen=True)
class CloudResource:
    """One resource as the create call sees it: its inputs after auto-naming, and what it was ordered after.

    ``dependencies`` is None when the caller does not know the dependency graph (the SDK's plain mock
    monitor): ordering rules then have nothing to decide on and stay silent.
    """

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    id: str = ""
    outputs: Mapping[str, Any] = field(default_factory=dict)
    dependencies: tuple[str, ...] | None = None
    provider: str = ""
    parent: str = ""
    # Input name -> URNs the input was built from: how references are followed while ids are unknown.
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.inputs.get(key, default)


@dataclass(frozen=True)
class Finding:
    """What one rule found wrong: the property (a path such as ``healthCheck.timeout``) and why."""

    property: str
    message: str
    # The AWS error code, when it differs from the rule's usual one.
    code: str = ""
    # The source, when it is more precise than the rule's (the AWS API model's shape a value breaks).
    source: str = ""


@dataclass(frozen=True)
class CloudError:
    """AWS's refusal of one resource: the report's ``cloudErrors`` entry and the mock cloud's exception text."""

    urn: str
    type: str
    name: str
    property: str
    code: str
    message: str
    rule: str
    source: str

    def __str__(self) -> str:
        return f"{self.code}: {self.name} {self.property}: {self.message} [{self.rule}; {self.source}]"

    def to_json(self) -> dict[str, str]:
        return {
            "urn": self.urn,
            "type": self.type,
            "property": self.property,
            "code": self.code,
            "message": f"{self.name} {self.property}: {self.message}",
            "rule": self.rule,
            "source": self.source,
        }


class World:
    """The account a resource is created in: every resource created before it, by URN and by id."""

    def __init__(
        self,
        region: str = "us-east-1",
        resources: Iterable[CloudResource] = (),
        quotas: Mapping[str, int] | None = None,
    ) -> None:
        # "" when not known (an audit of a file that does not say): Region-bound rules then decide nothing.
        self.region = region
        # Service quotas the account has raised (name -> value; offline/cloudrules/quotas.py lists the names
        # and AWS's defaults, which apply to every quota not named here).
        self.quotas: dict[str, int] = dict(quotas or {})
        self.by_urn: dict[str, CloudResource] = {}
        self.by_id: dict[str, CloudResource] = {}
        # Canonical type -> URN -> resource: cross-resource rules scan one type, not the whole account.
        self._by_type: dict[str, dict[str, CloudResource]] = {}
        # Named groupings kept up to date as resources are added (``groups``): counting against a quota or
        # looking for a duplicate stays linear in the stack's size, whatever the size of the file audited.
        self._groups: dict[str, Grouping] = {}
        for resource in resources:
            self.add(resource)

    def add(self, resource: CloudResource) -> None:
        from offline.cloudrules.registry import canonical

        previous = self.by_urn.get(resource.urn)
        if previous is not None:
            self._by_type.get(canonical(previous.type), {}).pop(resource.urn, None)
        self.by_urn[resource.urn] = resource
        self._by_type.setdefault(canonical(resource.type), {})[resource.urn] = resource
        for grouping in self._groups.values():
            grouping.discard(resource.urn)
            if canonical(resource.type) in grouping.types:
                grouping.put(resource)
        for key in (resource.id, resource.outputs.get("id"), resource.outputs.get("arn")):
            # Unknown ids (a preview) all look alike: they identify nothing.
            if isinstance(key, str) and key and key != UNKNOWN:
                self.by_id[key] = resource

    def find(self, reference: Any) -> CloudResource | None:
        """The resource an input refers to by id or ARN; None when it was not created here (or is unknown)."""
        return self.by_id.get(reference) if isinstance(reference, str) and reference != UNKNOWN else None

    def refs(self, resource: CloudResource, prop: str) -> list[CloudResource]:
        """The resources ``resource``'s input ``prop`` refers to: by id or ARN, or, where an id is not known
        yet (a first preview), through the input's property dependencies."""
        value = plain(resource.get(prop))
        references = value if isinstance(value, list) else [value]
        found = [self.find(plain(v)) for v in references if v is not None]
        if found and all(f is not None for f in found):
            return [f for f in found if f is not None]
        urns = resource.property_dependencies.get(prop, ())
        return [self.by_urn[urn] for urn in urns if urn in self.by_urn]

    def of_type(self, *types: str) -> list[CloudResource]:
        """Resources of these canonical types, whichever alias (``aws:alb/...``, ``aws:lb/...``) created them."""
        return [r for t in dict.fromkeys(types) for r in self._by_type.get(t, {}).values()]

    def count(self, *types: str) -> int:
        return sum(len(self._by_type.get(t, {})) for t in dict.fromkeys(types))

    def groups(
        self, name: str, types: tuple[str, ...], keys: Callable[[CloudResource], Iterable[Hashable]]
    ) -> Grouping:
        """Resources of ``types`` grouped by the keys ``keys`` gives each, built once under ``name`` and kept up to
        date by ``add``. A resource's keys are computed when it is added, as its create call would see them."""
        grouping = self._groups.get(name)
        if grouping is None:
            grouping = self._groups[name] = Grouping(types, keys)
            for resource in self.of_type(*types):
                grouping.put(resource)
        return grouping

    def depends_on(self, resource: CloudResource, wanted: Callable[[CloudResource], bool]) -> bool | None:
        """Whether ``resource`` is ordered after one ``wanted`` resource, through dependencies or parents'.

        None when the dependency graph is not known.
        """
        if resource.dependencies is None:
            return None
        seen: set[str] = set()
        stack = list(resource.dependencies)
        while stack:
            urn = stack.pop()
            if urn in seen:
                continue
            seen.add(urn)
            found = self.by_urn.get(urn)
            if found is None:
                continue
            if wanted(found):
                return True
            stack.extend(found.dependencies or ())
        return False

    def default_tags(self, resource: CloudResource) -> dict[str, str]:
        """The provider's ``defaultTags``, which the provider merges into each resource's tags on create."""
        # A provider reference is its URN (four "::"-separated parts), "::", its id.
        provider = self.by_urn.get("::".join(resource.provider.split("::")[:4]))
        if provider is None:
            return {}
        return default_tags_of(provider.inputs)


class Grouping:
    """One ``World.groups`` index: key -> resources (a resource listed once per key it gives, so a legacy rule of
    three CIDR blocks counts three times), and each resource's keys, so a re-added URN moves."""

    def __init__(self, types: tuple[str, ...], keys: Callable[[CloudResource], Iterable[Hashable]]) -> None:
        self.types = types
        self.keys = keys
        self.members: dict[Hashable, list[CloudResource]] = {}
        self.keys_of: dict[str, list[Hashable]] = {}

    def put(self, resource: CloudResource) -> None:
        try:
            found = list(self.keys(resource))
        except Exception:  # noqa: BLE001 - an input no key can be read from is in no group
            found = []
        for key in found:
            self.members.setdefault(key, []).append(resource)
        self.keys_of[resource.urn] = found

    def discard(self, urn: str) -> None:
        for key in set(self.keys_of.pop(urn, [])):
            self.members[key] = [r for r in self.members[key] if r.urn != urn]

    def count(self, key: Hashable, excluding: str = "") -> int:
        """How many entries ``key`` has, leaving out those of the resource ``excluding`` (the one being checked)."""
        return len(self.members.get(key, ())) - self.keys_of.get(excluding, []).count(key)

    def other(self, key: Hashable, urn: str) -> CloudResource | None:
        """The first resource under ``key`` that is not ``urn``."""
        return next((r for r in self.members.get(key, ()) if r.urn != urn), None)

"""What a cloud rule reads and what it reports: one resource as AWS would receive it, the account it
lands in (the other resources, by id and by URN, with their dependencies), and the refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
        for resource in resources:
            self.add(resource)

    def add(self, resource: CloudResource) -> None:
        self.by_urn[resource.urn] = resource
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
        from offline.cloudrules.registry import canonical

        return [r for r in self.by_urn.values() if canonical(r.type) in types]

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
        provider_urn = resource.provider.split("::", 4)
        urn = "::".join(provider_urn[:4]) if len(provider_urn) >= 4 else ""
        provider = self.by_urn.get(urn)
        if provider is None:
            return {}
        return default_tags_of(provider.inputs)

"""How a cloud rule comes to exist: the ``@rule`` decorator, the table rows ``apimap`` is written in, and the
per-service ``api-model-*`` rules ``apirules`` registers at import.

All three run while the rule modules are imported, so the rest of the suite only sees what they built. These
tests call them again, on a throw-away registry, so a change to how a rule is registered (its id, its types,
what it reads, the duplicate guard) fails here rather than silently shaping every rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from offline.cloudrules import apirules, registry
from offline.cloudrules.apimap import LB, MAPPINGS, SERVICE_CODES, TARGET_GROUP, ApiMapping, _table, upper
from offline.cloudrules.botomodel import BOTOCORE_DATA
from offline.cloudrules.model import CloudError, CloudResource, Finding, World
from offline.cloudrules.registry import ALL_RULES, RULES, Rule, rule

ALIAS = "aws:alb/targetGroup:TargetGroup"


@pytest.fixture
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[Rule], dict[str, list[Rule]]]]:
    """A registry with nothing in it, swapped in for the real one and put back afterwards."""
    rules: list[Rule] = []
    by_type: dict[str, list[Rule]] = {}
    monkeypatch.setattr(registry, "ALL_RULES", rules)
    monkeypatch.setattr(registry, "RULES", by_type)
    yield rules, by_type


def _nothing(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Finds nothing.

    A second line that is not the summary."""
    yield from ()


def test_a_rule_is_registered_under_the_canonical_token_of_each_type(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    rules, by_type = empty_registry
    returned = rule(types=[ALIAS, LB], properties=["port", "protocol"], code="ValidationError", source="src")(_nothing)

    assert returned is _nothing, "the decorator hands the function back unchanged"
    [found] = rules
    assert found.types == (TARGET_GROUP, LB)
    assert by_type == {TARGET_GROUP: [found], LB: [found]}
    assert ALIAS not in by_type
    assert found.properties == ("port", "protocol")
    assert (found.code, found.source, found.check) == ("ValidationError", "src", _nothing)


def test_a_rules_id_defaults_to_its_function_name_with_dashes(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    rules, _ = empty_registry

    def _listener_port_in_range_(resource: CloudResource, world: World) -> Iterator[Finding]:
        yield from ()

    rule(types=[LB], properties=(), code="c", source="s")(_listener_port_in_range_)
    rule(types=[LB], properties=(), code="c", source="s", id="given-id")(_nothing)

    assert [r.id for r in rules] == ["listener-port-in-range", "given-id"]


def test_a_rules_summary_is_the_first_line_of_its_docstring(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    rules, _ = empty_registry

    def undocumented(resource: CloudResource, world: World) -> Iterator[Finding]:
        yield from ()

    rule(types=[LB], properties=(), code="c", source="s")(_nothing)
    rule(types=[LB], properties=(), code="c", source="s")(undocumented)

    assert [r.summary for r in rules] == ["Finds nothing.", ""]


def test_per_type_paths_are_keyed_by_canonical_token(empty_registry: tuple[list[Rule], dict[str, list[Rule]]]) -> None:
    rules, _ = empty_registry
    rule(types=[ALIAS], properties=("port",), code="c", source="s", per_type=[(ALIAS, ["port", "protocol"])])(_nothing)

    assert rules[0].per_type == ((TARGET_GROUP, ("port", "protocol")),)
    assert rules[0].reads(TARGET_GROUP)[:2] == ("port", "protocol")


def test_a_rule_id_registered_twice_is_refused_and_the_first_is_kept(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    rules, by_type = empty_registry
    rule(types=[LB], properties=(), code="c", source="s", id="same")(_nothing)

    with pytest.raises(ValueError, match="cloud rule same is registered twice"):
        rule(types=[TARGET_GROUP], properties=(), code="c", source="s", id="same")(_nothing)

    assert [r.id for r in rules] == ["same"]
    assert TARGET_GROUP not in by_type


def test_the_real_registry_holds_each_id_once() -> None:
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert all(r in RULES[t] for r in ALL_RULES for t in r.types)


# --- apimap's rows ---


def test_a_two_item_row_takes_the_tables_rule() -> None:
    [entry] = _table(LB, "elbv2", "CreateLoadBalancer", [("type", "Type")], rule="lb-type")

    assert entry == ApiMapping(LB, "type", "elbv2", "CreateLoadBalancer", "Type", "lb-type")


def test_a_table_without_a_rule_leaves_its_rows_to_the_generic_rule() -> None:
    [entry] = _table(LB, "elbv2", "CreateLoadBalancer", [("type", "Type")])

    assert entry.rule == ""


def test_a_three_item_row_names_its_own_rule() -> None:
    [entry] = _table(LB, "elbv2", "CreateLoadBalancer", [("type", "Type", "row-rule")], rule="table-rule")

    assert entry.rule == "row-rule"
    assert (entry.translate, entry.code, entry.each) == (None, "", False)


def test_a_four_item_row_carries_its_options() -> None:
    rows: list[tuple[Any, ...]] = [("protocol", "Protocol", "", {"translate": upper, "code": "Other"})]
    [entry] = _table(TARGET_GROUP, "elbv2", "CreateTargetGroup", rows, rule="table-rule")

    assert (entry.rule, entry.translate, entry.code) == ("", upper, "Other")
    assert (entry.type, entry.property, entry.service, entry.operation, entry.member) == (
        TARGET_GROUP,
        "protocol",
        "elbv2",
        "CreateTargetGroup",
        "Protocol",
    )


def test_rows_keep_their_order() -> None:
    built = _table(LB, "elbv2", "CreateLoadBalancer", [("a", "A"), ("b", "B"), ("c", "C")])

    assert [(e.property, e.member) for e in built] == [("a", "A"), ("b", "B"), ("c", "C")]


# --- apirules: one generic rule per service ---


def _registered_again(service: str, empty: tuple[list[Rule], dict[str, list[Rule]]]) -> Rule:
    apirules._register(service)
    [found] = empty[0]
    return found


@pytest.mark.parametrize("service", sorted({m.service for m in MAPPINGS if not m.rule}))
def test_each_service_gets_one_generic_rule_over_its_unclaimed_mappings(
    service: str, empty_registry: tuple[list[Rule], dict[str, list[Rule]]]
) -> None:
    entries = [m for m in MAPPINGS if m.service == service and not m.rule]
    found = _registered_again(service, empty_registry)

    assert found.id == f"api-model-{service}"
    assert found.code == SERVICE_CODES[service]
    assert found.source.startswith(f"{BOTOCORE_DATA}/{service} (the AWS API model")
    assert list(found.types) == sorted({m.type for m in entries})
    # Every property once, in table order; and per type, only that type's properties.
    assert list(found.properties) == list(dict.fromkeys(m.property for m in entries))
    for resource_type, paths in found.per_type:
        assert list(paths) == list(dict.fromkeys(m.property for m in entries if m.type == resource_type))
    assert [t for t, _ in found.per_type] == list(found.types)
    # The same rule the import registered.
    [imported] = [r for r in ALL_RULES if r.id == found.id]
    assert (imported.types, imported.properties, imported.per_type) == (found.types, found.properties, found.per_type)


def test_generic_mappings_leave_out_those_a_hand_rule_claims() -> None:
    generic = apirules.generic("elbv2")

    assert generic and all(m.service == "elbv2" and not m.rule for m in generic)
    claimed = [m for m in MAPPINGS if m.service == "elbv2" and m.rule]
    assert claimed and not set(claimed) & set(generic)


def test_a_generic_check_applies_only_the_entries_of_the_resources_type() -> None:
    lb_type = ApiMapping(LB, "loadBalancerType", "elbv2", "CreateLoadBalancer", "Type")
    tg_protocol = ApiMapping(TARGET_GROUP, "protocol", "elbv2", "CreateTargetGroup", "Protocol", translate=upper)
    check = apirules._check_for((lb_type, tg_protocol))

    def findings(resource_type: str, inputs: dict[str, Any]) -> list[str]:
        resource = CloudResource(urn="urn:x", type=resource_type, name="x", inputs=inputs)
        return [f.property for f in check(resource, World())]

    bad = {"loadBalancerType": "bogus", "protocol": "bogus"}
    assert findings(LB, bad) == ["loadBalancerType"]
    assert findings(TARGET_GROUP, bad) == ["protocol"]
    # An alias token is checked as its canonical type.
    assert findings(ALIAS, bad) == ["protocol"]
    assert findings(LB, {"loadBalancerType": "application"}) == []


def test_a_rule_whose_docstring_is_blank_has_no_summary(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    rules, _ = empty_registry

    def blank(resource: CloudResource, world: World) -> Iterator[Finding]:
        """ """
        yield from ()

    rule(types=[LB], properties=(), code="c", source="s")(blank)

    assert rules[0].summary == ""


def test_the_aliases_of_a_token_are_those_that_resolve_to_it() -> None:
    assert registry.aliases_of(TARGET_GROUP) == [ALIAS]
    assert registry.aliases_of("aws:s3/bucket:Bucket") == ["aws:s3/bucketV2:BucketV2"]
    assert registry.aliases_of("aws:ec2/vpc:Vpc") == []
    assert all(registry.canonical(alias) == TARGET_GROUP for alias in registry.aliases_of(TARGET_GROUP))


def test_the_generic_rule_registered_for_a_service_checks_its_mappings(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    found = _registered_again("elbv2", empty_registry)
    # ipAddressType on a target group is claimed by no hand-written rule: the generic one applies it.
    resource = CloudResource(urn="urn:x", type=TARGET_GROUP, name="x", inputs={"ipAddressType": "ipv5"})
    [refusal] = found.run(resource, World())
    assert (refusal.rule, refusal.property, refusal.code) == ("api-model-elbv2", "ipAddressType", "ValidationError")
    assert "is not one of" in refusal.message
    accepted = CloudResource(urn="urn:x", type=TARGET_GROUP, name="x", inputs={"ipAddressType": "ipv4"})
    assert list(found.run(accepted, World())) == []


# --- running a rule ---


def _breaks(resource: CloudResource, world: World) -> Iterator[Finding]:
    """Cannot read its inputs."""
    yield Finding("first", "found before the failure")
    raise TypeError("port is a list")


def test_a_rule_that_cannot_read_its_inputs_refuses_them_once_and_names_what_it_reads(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    rules, _ = empty_registry
    rule(types=[LB], properties=("port", "protocol", "sslPolicy", "certificateArn"), code="C", source="S")(_breaks)
    rule(types=[LB], properties=(), code="C", source="S", id="reads-nothing")(_breaks)
    resource = CloudResource(urn="urn:lb", type=LB, name="web", inputs={"port": [1]})

    [refusal] = rules[0].run(resource, World())
    assert (refusal.property, refusal.code, refusal.rule, refusal.source) == (
        "port,protocol,sslPolicy",
        "UnreadableInput",
        "breaks",
        "S",
    )
    assert refusal.message == (
        "the rule could not read these inputs (TypeError); a property has a type AWS would refuse"
    )
    [refusal] = rules[1].run(resource, World())
    assert refusal.property == "inputs"


def test_a_refusal_carries_the_resource_and_the_rules_code_and_source_unless_the_finding_names_its_own(
    empty_registry: tuple[list[Rule], dict[str, list[Rule]]],
) -> None:
    rules, _ = empty_registry

    def two(resource: CloudResource, world: World) -> Iterator[Finding]:
        yield Finding("port", "out of range")
        yield Finding("protocol", "unknown", code="Other", source="https://example.com/own")

    rule(types=[LB], properties=("port",), code="ValidationError", source="https://example.com/rule")(two)
    resource = CloudResource(urn="urn:lb", type=LB, name="web", inputs={})
    first, second = rules[0].run(resource, World())
    assert first == CloudError(
        urn="urn:lb",
        type=LB,
        name="web",
        property="port",
        code="ValidationError",
        message="out of range",
        rule="two",
        source="https://example.com/rule",
    )
    assert (second.property, second.code, second.source) == ("protocol", "Other", "https://example.com/own")

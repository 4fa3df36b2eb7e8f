"""Every cloud rule, twice: AWS refuses the refused input (naming the property, with AWS's code and the
rule's source) and accepts the accepted one, each a change to a base every rule accepts."""

from __future__ import annotations

from typing import Any

import pytest

from offline.cloudrules import ALL_RULES, CloudResource, World, canonical, check_resource
from tests.offline.cloudrules.cases import BASE, LB, Case
from tests.offline.cloudrules.cases import CASES as HAND_CASES
from tests.offline.cloudrules.cases_model import MODEL_CASES
from tests.offline.cloudrules.world import IGW_URN, errors, world

CASES = HAND_CASES + MODEL_CASES


def _inputs(case_type: str, changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**BASE[canonical(case_type)], **changes}
    return {k: v for k, v in merged.items() if v is not None}


@pytest.mark.parametrize("resource_type", sorted(BASE))
def test_every_base_is_accepted(resource_type: str) -> None:
    assert errors(resource_type, BASE[resource_type], deps=(IGW_URN,)) == []


def _account(case: Case, quotas: dict[str, int]) -> World:
    account = world()
    for resource in case.extra:
        account.add(resource)
    account.quotas = dict(quotas)
    return account


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused(case: Case) -> None:
    found = errors(
        case.type,
        _inputs(case.type, case.refused),
        deps=case.refused_deps,
        account=_account(case, case.refused_quotas),
    )
    mine = [e for e in found if e.rule == case.rule]
    assert mine, f"{case.rule} accepted {case.refused}; all errors: {[str(e) for e in found]}"
    assert case.property in [e.property for e in mine], [str(e) for e in mine]
    at_property = [e for e in mine if e.property == case.property]
    if case.says:
        assert any(case.says in e.message for e in at_property), [str(e) for e in at_property]
    if case.code:
        assert case.code in [e.code for e in at_property], [str(e) for e in at_property]
    for error in mine:
        assert error.code and error.code[0].isupper()
        assert error.source.startswith("https://")
        assert str(error).startswith(f"{error.code}: subject {error.property}: ")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_accepted(case: Case) -> None:
    found = errors(
        case.type,
        _inputs(case.type, case.accepted),
        deps=case.accepted_deps,
        account=_account(case, case.accepted_quotas),
    )
    assert found == [], [str(e) for e in found]


def test_every_rule_has_a_refused_and_an_accepted_twin() -> None:
    covered = {case.rule for case in CASES}
    assert sorted(r.id for r in ALL_RULES if r.id not in covered) == []


def test_unknown_values_are_never_refused() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    for resource_type, base in BASE.items():
        blanked = {key: unknown for key in base}
        assert errors(resource_type, blanked, deps=(IGW_URN,)) == [], resource_type


def test_ordering_is_undecided_without_a_graph() -> None:
    """The SDK's plain mock monitor gives no dependencies: the ordering rule cannot decide, so it is silent."""
    assert errors(LB, BASE[LB], deps=None) == []
    assert [e.rule for e in errors(LB, BASE[LB], deps=())] == ["internet-facing-load-balancer-after-gateway"]


def test_provider_default_tags_count_toward_the_limit() -> None:
    # 3 default tags + 47 own = 50 is accepted; 48 own = 51 is refused, though the resource itself sets 48.
    refused = errors("aws:ec2/vpc:Vpc", {**BASE["aws:ec2/vpc:Vpc"], "tags": {f"k{i}": "v" for i in range(48)}})
    assert [e.rule for e in refused] == ["tag-count"]
    assert "provider defaultTags included" in refused[0].message


def test_secret_inputs_are_checked_as_their_value() -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "has ' quote"}
    found = errors(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {**BASE["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"], "description": secret},
    )
    assert [e.rule for e in found] == ["security-group-rule-description"]


def test_a_role_inline_policies_are_summed_across_resources() -> None:
    from tests.offline.cloudrules.cases import ROLE_POLICY, _doc_of_size

    account: World = world()
    account.add(
        CloudResource(
            urn="urn:first",
            type=ROLE_POLICY,
            name="first",
            id="first",
            inputs={"role": "app-role", "policy": _doc_of_size(6000)},
        )
    )
    second = CloudResource(
        urn="urn:second",
        type=ROLE_POLICY,
        name="second",
        id="second",
        inputs={"role": "app-role", "policy": _doc_of_size(4241)},
        dependencies=(),
    )
    assert [e.property for e in check_resource(second, account)] == ["policy"]
    fits = CloudResource(
        urn="urn:third",
        type=ROLE_POLICY,
        name="third",
        id="third",
        inputs={"role": "app-role", "policy": _doc_of_size(4240)},
        dependencies=(),
    )
    assert check_resource(fits, account) == []


def test_unknown_ids_identify_nothing() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    account = World(region="us-east-1")
    for name in ("a", "b"):
        account.add(CloudResource(urn=f"urn:{name}", type="aws:ec2/subnet:Subnet", name=name, id=unknown, inputs={}))
    assert account.find(unknown) is None


def test_references_follow_property_dependencies_while_ids_are_unknown() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    account = World()
    subnet = CloudResource(urn="urn:subnet", type="aws:ec2/subnet:Subnet", name="s", inputs={"vpcId": unknown})
    account.add(subnet)
    lb = CloudResource(
        urn="urn:lb",
        type=LB,
        name="lb",
        inputs={"subnets": [unknown]},
        property_dependencies={"subnets": ("urn:subnet", "urn:missing")},
    )
    assert account.refs(lb, "subnets") == [subnet]
    assert account.refs(lb, "securityGroups") == []


def test_a_cloudfront_web_acl_is_refused_outside_us_east_1() -> None:
    from tests.offline.cloudrules.cases import WEB_ACL

    account = world()
    account.region = "eu-west-1"
    found = errors(WEB_ACL, {**BASE[WEB_ACL], "scope": "CLOUDFRONT"}, account=account)
    assert [(e.rule, e.property) for e in found] == [("web-acl-settings", "scope")]

"""Round 2 (issue 18) beyond the twin cases: every rule under every alias token, ARN partitions in other
partitions, duplicates found while ids are still unknown, and the quotas file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from offline.cloudrules import CloudResource, World, canonical, check_resource
from offline.cloudrules.arns import parse_arn, partition_of
from offline.cloudrules.quotas import QUOTAS, QuotaFileError, limit, load_quotas, parse_quotas
from offline.cloudrules.registry import aliases_of
from tests.offline.cloudrules.cases import BASE, CASES, Case
from tests.offline.cloudrules.world import errors, world

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

ALIASED = [(case, alias) for case in CASES for alias in aliases_of(canonical(case.type))]


def _inputs(case: Case, changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**BASE[canonical(case.type)], **changes}
    return {k: v for k, v in merged.items() if v is not None}


def _account(case: Case, quotas: dict[str, int]) -> World:
    account = world()
    for resource in case.extra:
        account.add(resource)
    account.quotas = dict(quotas)
    return account


def test_aliases_are_exercised() -> None:
    assert {canonical(alias) for _, alias in ALIASED} >= {
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/listener:Listener",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listenerRule:ListenerRule",
    }


@pytest.mark.parametrize(("case", "alias"), ALIASED, ids=[f"{c.id}-{a.split('/')[0]}" for c, a in ALIASED])
def test_every_rule_holds_under_every_alias_token(case: Case, alias: str) -> None:
    refused = errors(
        alias, _inputs(case, case.refused), deps=case.refused_deps, account=_account(case, case.refused_quotas)
    )
    assert case.rule in {e.rule for e in refused}, [str(e) for e in refused]
    accepted = errors(
        alias, _inputs(case, case.accepted), deps=case.accepted_deps, account=_account(case, case.accepted_quotas)
    )
    assert accepted == [], [str(e) for e in accepted]


# --- ARNs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("us-iso-east-1", "aws-iso")],
)
def test_partition_of_a_region(region: str, partition: str) -> None:
    assert partition_of(region) == partition


def test_a_china_stack_takes_china_arns_only() -> None:
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    account = world()
    account.region = "cn-north-1"
    china = {"role": "app-role", "policyArn": "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"}
    assert errors(attachment, china, account=account) == []
    commercial = {**china, "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    assert [(e.rule, e.property) for e in errors(attachment, commercial, account=account)] == [
        ("arn-partition-and-region", "policyArn")
    ]


def test_a_stack_of_unknown_region_checks_the_format_only() -> None:
    account = world()
    account.region = ""
    listener = {
        **BASE["aws:lb/listener:Listener"],
        "loadBalancerArn": BASE["aws:lb/listener:Listener"]["loadBalancerArn"].replace("us-east-1", "eu-west-1"),
    }
    assert [e.rule for e in errors("aws:lb/listener:Listener", listener, account=account)] == []
    assert [
        e.rule for e in errors("aws:lb/listener:Listener", {**listener, "loadBalancerArn": "lb-1"}, account=account)
    ] == ["arn-partition-and-region"]


@pytest.mark.parametrize(
    "text", ["", "arn", "arn:aws", "arn:aws:iam", "arn::iam:::x", "arn:aws:iam:::", "urn:aws:iam:::x"]
)
def test_malformed_arns_do_not_parse(text: str) -> None:
    assert parse_arn(text) is None


def test_an_arn_resource_may_hold_colons() -> None:
    arn = parse_arn("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/1/l1:x")
    assert arn is not None and arn.resource == "listener/app/a/1/l1:x"


# --- duplicates while ids are unknown (a first preview) -----------------------------------------------


def test_a_second_route_is_refused_through_property_dependencies() -> None:
    account = World(region="us-east-1")
    table = CloudResource(urn="urn:rt", type="aws:ec2/routeTable:RouteTable", name="rt", inputs={}, id=UNKNOWN)
    account.add(table)
    first = CloudResource(
        urn="urn:r1",
        type="aws:ec2/route:Route",
        name="r1",
        inputs={"routeTableId": UNKNOWN, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"},
        property_dependencies={"routeTableId": ("urn:rt",)},
    )
    account.add(first)
    second = CloudResource(
        urn="urn:r2",
        type="aws:ec2/route:Route",
        name="r2",
        inputs={"routeTableId": UNKNOWN, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"},
        property_dependencies={"routeTableId": ("urn:rt",)},
    )
    assert [e.rule for e in check_resource(second, account)] == ["route-destination-once-per-table"]
    other_table = CloudResource(
        urn="urn:r3",
        type="aws:ec2/route:Route",
        name="r3",
        inputs={"routeTableId": UNKNOWN, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"},
        property_dependencies={"routeTableId": ("urn:other",)},
    )
    assert check_resource(other_table, account) == []


def test_an_unknown_reference_with_no_dependency_decides_nothing() -> None:
    account = world()
    account.add(
        CloudResource(
            urn="urn:a1",
            type="aws:ec2/routeTableAssociation:RouteTableAssociation",
            name="a1",
            inputs={"subnetId": UNKNOWN},
        )
    )
    second = {"subnetId": UNKNOWN, "routeTableId": "rtb-1"}
    assert errors("aws:ec2/routeTableAssociation:RouteTableAssociation", second, account=account) == []


# --- quotas --------------------------------------------------------------------------------------------


def test_defaults_apply_until_raised() -> None:
    account = World()
    assert limit(account, "rules-per-security-group") == 60
    account.quotas = parse_quotas({"rules-per-security-group": 100})
    assert limit(account, "rules-per-security-group") == 100
    assert limit(account, "security-groups-per-network-interface") == 5


def test_the_largest_product_aws_grants_is_accepted() -> None:
    assert parse_quotas({"rules-per-security-group": 200, "security-groups-per-network-interface": 5}) == {
        "rules-per-security-group": 200,
        "security-groups-per-network-interface": 5,
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "^a quotas file is a JSON object"),
        ({"no-such": 1}, "unknown quota"),
        ({"rules-per-security-group": 59}, "at or above AWS's default 60"),
        ({"rules-per-security-group": True}, "not a whole number"),
        ({"rules-per-security-group": 60.5}, "not a whole number"),
        ({"security-groups-per-network-interface": 17}, "above 16"),
        ({"rules-per-security-group": 201}, "is above 1000"),
        ({"security-groups-per-load-balancer": 6}, "above 5"),
    ],
)
def test_a_quota_aws_does_not_grant_is_refused(document: Any, message: str) -> None:
    with pytest.raises(QuotaFileError, match=message):
        parse_quotas(document)


def test_a_quotas_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "quotas.json"
    path.write_text(json.dumps({"vpcs-per-region": 10}))
    assert load_quotas(path) == {"vpcs-per-region": 10}
    path.write_text("{")
    with pytest.raises(QuotaFileError, match="is not JSON"):
        load_quotas(path)
    # The OS's reason alone, not Python's "[Errno 2] ..." repr of it.
    with pytest.raises(QuotaFileError, match=r"^cannot read .*absent\.json: No such file or directory$"):
        load_quotas(tmp_path / "absent.json")


def test_a_quota_at_the_most_aws_grants_is_accepted() -> None:
    # Both ends of each ceiling: the ceiling itself is granted, one above it is refused (above).
    assert parse_quotas({"security-groups-per-network-interface": 16}) == {"security-groups-per-network-interface": 16}
    assert parse_quotas({"security-groups-per-load-balancer": 5}) == {"security-groups-per-load-balancer": 5}


def test_every_quota_cites_a_source_and_its_default_fits_its_ceiling() -> None:
    for quota in QUOTAS.values():
        assert quota.source.startswith("https://docs.aws.amazon.com/")
        assert quota.ceiling is None or quota.default <= quota.ceiling


def test_a_metadata_tag_key_refusal_shows_the_key_cut_at_40_characters_and_the_fix() -> None:
    # A long key is cut so the preview line stays readable; the reader still sees what to do about it.
    key = "team name " + "x" * 30 + "TAIL-NOT-SHOWN"
    found = errors(
        "aws:ec2/instance:Instance",
        {"metadataOptions": {"instanceMetadataTags": "enabled"}, "tags": {"Name": "lab", key: "v"}},
    )
    messages = [e.message for e in found if e.rule == "metadata-tag-keys"]
    assert messages == [
        'tag key "team name xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" cannot be read from instance metadata '
        '(allowed: a-zA-Z0-9 and +-=.,_:@, not ".", ".." or "_index"); turn instanceMetadataTags off or rename it'
    ]

"""The cloud rules against botocore's API model, read at test time so the test cannot go stale: every value an
enumeration the program's inputs map to lists is accepted (unless a documented, narrower rule refuses it, named
here with its source) and one just outside is refused; one past each length, count and range bound is refused;
every mapped member still resolves in the installed model (a botocore upgrade that renames a shape fails here),
and no input of the wrong type makes a rule raise."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from offline.cloudrules import ALL_RULES, autoscaling, check_resource, cloudwatch, wafv2
from offline.cloudrules.apicheck import mapping_findings, values_at
from offline.cloudrules.apimap import GENERATED_WHEN_EMPTY, MAPPINGS, NOT_ENFORCED, ApiMapping, upper
from offline.cloudrules.botomodel import Constraint, ModelPathError, compiled, constraint, documentation, violations
from offline.cloudrules.model import CloudError, CloudResource, Grouping, World
from offline.cloudrules.state import check_stack
from offline.wire import UNKNOWN
from tests.offline.cloudrules.cases import BASE, LISTENER, LT, NLB_ARN, SSE, TG
from tests.offline.cloudrules.world import IGW_URN, Recorded, errors, world

# Where AWS takes fewer values than the model's enumeration lists: (rule that refuses the rest, values AWS
# takes, source). Written out here, not imported, so a change to a rule's list shows up as a failure.
NARROWER: dict[tuple[str, str], tuple[str, frozenset[str], str]] = {
    (TG, "healthCheck.protocol"): (
        "target-group-health-request",
        frozenset({"HTTP", "HTTPS", "TCP"}),
        "the model's own HealthCheckProtocol text: GENEVE, TLS, UDP, TCP_UDP, QUIC and TCP_QUIC are not supported",
    ),
    (LISTENER, "protocol"): (
        "listener-port-protocol",
        frozenset({"HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"}),
        "the model's CreateListener Protocol text: a Gateway Load Balancer listener takes no protocol (GENEVE)",
    ),
    (LT, "tagSpecifications[].resourceType"): (
        "launch-template-tag-resource-type",
        frozenset({"instance", "volume", "network-interface", "spot-instances-request"}),
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateTagSpecificationRequest.html",
    ),
    (SSE, "rules[].applyServerSideEncryptionByDefault.sseAlgorithm"): (
        "default-encryption",
        frozenset({"AES256", "aws:kms", "aws:kms:dsse"}),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (aws:fsx only for FSx through S3 "
        "access points; general purpose buckets: SSE-S3, SSE-KMS, DSSE-KMS)",
    ),
}
NLB_LISTENER = {"loadBalancerArn": NLB_ARN, "certificateArn": None, "sslPolicy": None}


def context(entry: ApiMapping, value: str) -> dict[str, Any]:
    """Other inputs AWS needs for ``value`` to be taken (where the base resource is set up for another)."""
    if (entry.type, entry.property) == (TG, "healthCheck.protocol") and value == "TCP":
        return {"protocol": "TCP"}  # TCP health checks are for TCP-family target groups
    if (entry.type, entry.property) == (LISTENER, "protocol") and value not in ("HTTP", "HTTPS"):
        return {**NLB_LISTENER, "certificateArn": BASE[LISTENER]["certificateArn"]} if value == "TLS" else NLB_LISTENER
    return {}


def with_value(inputs: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``inputs`` with ``value`` at ``path``, into the first element of each list on the way (made if absent)."""
    result = copy.deepcopy(inputs)
    current: dict[str, Any] = result
    steps = path.split(".")
    for step in steps[:-1]:
        name = step.removesuffix("[]")
        if step.endswith("[]"):
            existing = current.get(name)
            elements = existing if isinstance(existing, list) and existing and isinstance(existing[0], dict) else [{}]
            current[name] = elements
            current = elements[0]
        else:
            inner = current.get(name)
            current[name] = inner if isinstance(inner, dict) else {}
            current = current[name]
    current[steps[-1]] = value
    return result


def concrete(path: str) -> str:
    return path.replace("[]", "[0]")


def refusals_at(entry: ApiMapping, value: Any, extra: dict[str, Any] | None = None) -> list[str]:
    inputs = {**BASE[entry.type], **(extra or {})}
    inputs = {k: v for k, v in with_value(inputs, entry.property, value).items() if v is not None}
    return [e.rule for e in errors(entry.type, inputs, deps=(IGW_URN,)) if e.property == concrete(entry.property)]


def _id(entry: ApiMapping) -> str:
    return f"{entry.type.split(':')[1]}:{entry.property}:{entry.member}"


def _leaf(entry: ApiMapping) -> Constraint:
    return constraint(entry.service, entry.operation, entry.member)


# The mappings whose Pulumi value is the API value as it is (or upper-cased): values can be set directly.
DIRECT = [m for m in MAPPINGS if not m.each and m.translate in (None, upper)]
ENUMS = [m for m in DIRECT if _leaf(m).enum]
BOUNDED = [m for m in DIRECT if _leaf(m).type != "list" and (_leaf(m).min or _leaf(m).max is not None)]
COUNTED = [m for m in DIRECT if _leaf(m).type == "list" and _leaf(m).max is not None]


def test_the_walk_covers_the_programs_enumerations() -> None:
    """The walk is not empty, and reaches the values the issue found refused."""
    walked = {(m.type, m.property): set(_leaf(m).enum) for m in ENUMS}
    assert len(ENUMS) >= 30
    assert {"QUIC", "TCP_QUIC"} <= walked[(TG, "protocol")]
    assert {"QUIC", "TCP_QUIC"} <= walked[(LISTENER, "protocol")]
    metric = (
        "aws:autoscaling/policy:Policy",
        "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType",
    )
    assert "ASGAverageCPUUtilizationHighResolution" in walked[metric]


@pytest.mark.parametrize("entry", ENUMS, ids=[_id(m) for m in ENUMS])
def test_every_value_the_model_lists_is_accepted(entry: ApiMapping) -> None:
    narrower = NARROWER.get((entry.type, entry.property))
    wrongly_refused: dict[str, list[str]] = {}
    for value in _leaf(entry).enum:
        refused = refusals_at(entry, value, context(entry, value))
        if narrower is not None and value not in narrower[1]:
            assert refused == [narrower[0]], (value, refused, narrower[2])
        elif refused:
            wrongly_refused[value] = refused
    assert wrongly_refused == {}


@pytest.mark.parametrize("entry", ENUMS, ids=[_id(m) for m in ENUMS])
def test_a_value_just_outside_the_enumeration_is_refused(entry: ApiMapping) -> None:
    outside = f"{_leaf(entry).enum[0]}_UNLISTED"
    assert outside not in _leaf(entry).enum
    refused = refusals_at(entry, outside)
    assert entry.rule or f"api-model-{entry.service}" in refused
    assert (entry.rule or f"api-model-{entry.service}") in refused


@pytest.mark.parametrize("entry", BOUNDED, ids=[_id(m) for m in BOUNDED])
def test_a_value_past_each_bound_is_refused(entry: ApiMapping) -> None:
    leaf = _leaf(entry)
    rule = entry.rule or f"api-model-{entry.service}"
    beyond: list[Any] = []
    if leaf.type == "string":
        beyond += ["a" * (int(leaf.max) + 1)] if leaf.max is not None else []
        # An empty name the provider replaces with a generated one never reaches AWS (apimap.GENERATED_WHEN_EMPTY).
        below = "a" * (int(leaf.min) - 1) if leaf.min else None
        beyond += (
            [below] if below is not None and (below or (entry.type, entry.property) not in GENERATED_WHEN_EMPTY) else []
        )
    else:
        beyond += [float(leaf.max) + 1] if leaf.max is not None else []
        beyond += [float(leaf.min) - 1] if leaf.min is not None else []
    assert beyond
    for value in beyond:
        assert rule in refusals_at(entry, value), (entry.property, value if isinstance(value, float) else len(value))


@pytest.mark.parametrize("entry", COUNTED, ids=[_id(m) for m in COUNTED])
def test_a_list_past_its_count_is_refused(entry: ApiMapping) -> None:
    leaf = _leaf(entry)
    assert leaf.max is not None
    inputs = with_value(
        BASE[entry.type], entry.property, ["arn:aws:sns:us-east-1:123456789012:ops"] * (int(leaf.max) + 1)
    )
    found = errors(entry.type, inputs, deps=(IGW_URN,))
    assert (entry.rule or f"api-model-{entry.service}") in [e.rule for e in found if e.property == entry.property]


@pytest.mark.parametrize("entry", MAPPINGS, ids=[_id(m) for m in MAPPINGS])
def test_every_mapped_member_resolves_with_a_constraint(entry: ApiMapping) -> None:
    leaf = _leaf(entry)
    assert leaf.kinds(), f"{leaf.where} says nothing the rules could check: drop the mapping"
    for pattern in (leaf.pattern, leaf.element.pattern if leaf.element else None):
        if pattern is not None:
            assert compiled(pattern) is not None, f"{leaf.where}: pattern {pattern} does not compile"
    assert leaf.source.startswith(f"https://github.com/boto/botocore/blob/develop/botocore/data/{entry.service}/")
    assert entry.type in BASE, "every mapped type has a base the twin cases and the walk start from"


@pytest.mark.parametrize("entry", [m for m in MAPPINGS if m.rule], ids=[_id(m) for m in MAPPINGS if m.rule])
def test_a_hand_rule_named_by_a_mapping_applies_to_its_type(entry: ApiMapping) -> None:
    found = [r for r in ALL_RULES if r.id == entry.rule]
    assert found and entry.type in found[0].types
    assert entry.property in found[0].reads(entry.type)


def test_generic_rules_read_only_their_own_types_properties() -> None:
    elbv2 = next(r for r in ALL_RULES if r.id == "api-model-elbv2")
    assert "ipAddressType" in elbv2.reads(TG)
    assert "defaultActions[].order" not in elbv2.reads(TG)
    assert "defaultActions[].order" in elbv2.reads(LISTENER)


def test_a_renamed_member_fails_loudly() -> None:
    with pytest.raises(ModelPathError):
        constraint("elbv2", "CreateTargetGroup", "HealthCheckProtocl")
    with pytest.raises(ModelPathError):
        constraint("elbv2", "CreateTargetGroups", "Protocol")
    with pytest.raises(ModelPathError):
        constraint("elbv2", "CreateListener", "Port[]")
    with pytest.raises(ModelPathError):
        constraint("elbv3", "CreateListener", "Port")


def test_patterns_follow_java_semantics() -> None:
    """Java's \\w is ASCII (IAM refuses "é" in a role name), \\p{L} is Unicode, surrogate pairs are code points,
    and a pattern must match the whole value."""
    role = compiled(r"[\w+=,.@-]+")
    tag = compiled(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")
    xml = compiled(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*")
    assert role is not None and tag is not None and xml is not None
    assert role.fullmatch("app_role") and not role.fullmatch("rôle") and not role.fullmatch("app role")
    assert tag.fullmatch("équipe a") and not tag.fullmatch("a&b")
    assert xml.fullmatch("a:b \U0001f600") and not xml.fullmatch("a\x00b")
    assert compiled(r"[\p{L}\w]+") is None  # mixed: Java's meaning cannot be kept, so it is not enforced


def test_violations_decide_nothing_on_unknown_absent_or_mistyped_values() -> None:
    protocol = constraint("elbv2", "CreateTargetGroup", "Protocol")
    port = constraint("elbv2", "CreateTargetGroup", "Port")
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    for value in (None, unknown, ["HTTP3"], {"a": 1}, 3, True):
        assert list(violations(protocol, value)) == []
    for value in (None, unknown, ["x"], "many", True, {"a": 1}):
        assert list(violations(port, value)) == []
    assert [k for k, _ in violations(port, 0.0)] == ["range"]
    assert [k for k, _ in violations(protocol, "HTTP3")] == ["enum"]


WRONG_TYPES: list[Any] = [["x"], {"k": 1.0}, 3.5, True, "x", [None], [{"a": []}], ""]


@pytest.mark.parametrize("entry", MAPPINGS, ids=[_id(m) for m in MAPPINGS])
def test_wrong_types_never_raise(entry: ApiMapping) -> None:
    """A property of the wrong type, anywhere on the mapped path, is refused or skipped, never a traceback."""
    top = entry.property.split(".")[0].removesuffix("[]")
    for bad in WRONG_TYPES:
        for inputs in (with_value(BASE[entry.type], entry.property, bad), {**BASE[entry.type], top: bad}):
            resource = CloudResource(urn="urn:x", type=entry.type, name="x", inputs=inputs, dependencies=())
            list(mapping_findings(resource, entry))
            check_resource(resource, world())


def test_values_at_names_each_element() -> None:
    inputs = {"rules": [{"status": "Enabled"}, {"status": "x", "transitions": [{"days": 1.0}, {"days": 2.0}]}]}
    assert list(values_at(inputs, "rules[].status")) == [("rules[0].status", "Enabled"), ("rules[1].status", "x")]
    assert [p for p, _ in values_at(inputs, "rules[].transitions[].days")] == [
        "rules[1].transitions[0].days",
        "rules[1].transitions[1].days",
    ]
    assert list(values_at({"rules": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}, "rules[].status")) == []


def test_instance_types_are_left_to_aws() -> None:
    """The model's InstanceType enumeration grows monthly; a stale botocore must not refuse a new type."""
    assert all((m.type, m.property) not in NOT_ENFORCED for m in MAPPINGS)
    found = errors("aws:ec2/instance:Instance", {**BASE["aws:ec2/instance:Instance"], "instanceType": "z9.new"})
    assert found == []


def test_the_audit_accepts_what_the_model_lists_and_refuses_with_its_code_and_shape() -> None:
    """`make audit` over a stack export: the values the issue found refused pass; an unlisted one is refused with
    the service's code and the botocore shape as its source."""
    policy = BASE["aws:autoscaling/policy:Policy"]
    tracking = {**policy["targetTrackingConfiguration"]}
    high_res = {"predefinedMetricType": "ASGAverageCPUUtilizationHighResolution"}
    stack = [
        Recorded("pulumi:providers:aws", "default", {"region": "us-east-1"}, custom=True),
        Recorded(TG, "quic", {**BASE[TG], "protocol": "QUIC", "port": 443.0, "healthCheck": {"protocol": "TCP"}}),
        Recorded(LISTENER, "quic", {**BASE[LISTENER], **NLB_LISTENER, "protocol": "TCP_QUIC"}),
        Recorded(
            "aws:autoscaling/policy:Policy",
            "cpu",
            {**policy, "targetTrackingConfiguration": {**tracking, "predefinedMetricSpecification": high_res}},
        ),
    ]
    assert check_stack(stack) == []
    refused = check_stack([*stack, Recorded(TG, "typo", {**BASE[TG], "protocol": "HTTP3"})])
    assert [(e.name, e.property, e.code, e.rule) for e in refused] == [
        ("typo", "protocol", "ValidationError", "target-group-settings")
    ]
    assert refused[0].source.endswith("/elbv2/2015-12-01/service-2.json#ProtocolEnum")


@pytest.mark.parametrize(
    "provider",
    [
        Recorded("pulumi:providers:aws", "default", {"region": "eu-west-1"}),
        Recorded("pulumi:providers:aws", "default", {}, outputs={"region": "eu-west-1"}),
    ],
    ids=["region-in-inputs", "region-in-outputs"],
)
def test_the_audit_takes_the_region_from_the_stacks_aws_provider(provider: Recorded) -> None:
    """The provider is not the first resource of an export; its Region, input or output, binds the zone check."""
    subnet = BASE["aws:ec2/subnet:Subnet"]
    stack = [Recorded("pulumi:pulumi:Stack", "p-dev", {}, custom=False), provider]
    assert (
        check_stack([*stack, Recorded("aws:ec2/subnet:Subnet", "a", {**subnet, "availabilityZone": "eu-west-1a"})])
        == []
    )
    refused = check_stack(
        [*stack, Recorded("aws:ec2/subnet:Subnet", "b", {**subnet, "availabilityZone": "us-east-1a"})]
    )
    assert [(e.name, e.property) for e in refused] == [("b", "availabilityZone")]
    assert "is not an Availability Zone of eu-west-1" in refused[0].message


# Hand lists for members whose shape enumerates nothing but whose model text lists the values: (the rule's list,
# service, operation, member, how the text lists them). A value AWS adds to the text fails here.
DOCUMENTED: list[tuple[tuple[Any, ...], str, str, str, str]] = [
    (
        autoscaling.HEALTH_CHECK_TYPES,
        "autoscaling",
        "CreateAutoScalingGroup",
        "HealthCheckType",
        r"[Tt]he valid values are ([^.]+)\.",
    ),
    (autoscaling.POLICY_TYPES, "autoscaling", "PutScalingPolicy", "PolicyType", r"policy types: (.+)$"),
    (cloudwatch.MISSING_DATA, "cloudwatch", "PutMetricAlarm", "TreatMissingData", r"Valid Values: ((?:\w+ \| )+\w+)"),
    (
        wafv2.EVALUATION_WINDOWS,
        "wafv2",
        "CreateWebACL",
        "Rules[].Statement.RateBasedStatement.EvaluationWindowSec",
        r"Valid settings are ([^.]+)\.",
    ),
]


def listed(text: str, pattern: str) -> set[str]:
    found = re.search(pattern, text)
    assert found is not None, f"the model's text no longer says {pattern!r}: {text[:300]}"
    words = re.findall(r"[A-Za-z0-9_]+", found.group(1))
    return {w for w in words if w not in ("and", "or", "default")}


@pytest.mark.parametrize("entry", DOCUMENTED, ids=[e[3].rsplit(".", 1)[-1] for e in DOCUMENTED])
def test_hand_lists_match_the_values_the_models_text_lists(entry: tuple[tuple[Any, ...], str, str, str, str]) -> None:
    hand, service, operation, member, pattern = entry
    assert {str(v) for v in hand} == listed(documentation(service, operation, member), pattern)


def test_a_long_value_is_refused_by_its_length_without_backtracking() -> None:
    """``.*\\S.*`` over blanks backtracks quadratically; past the member's maximum only the length is checked."""
    vendor = constraint("wafv2", "CreateWebACL", "Rules[].Statement.ManagedRuleGroupStatement.VendorName")
    assert vendor.pattern == ".*\\S.*" and vendor.max == 128
    assert [kind for kind, _ in violations(vendor, " " * 1_000_000)] == ["length"]
    assert [kind for kind, _ in violations(vendor, " " * 128)] == ["pattern"]


# --- offline/cloudrules/model.py: the refusal as the report shows it, and the account a rule reads ---


REFUSAL = CloudError(
    urn="urn:pulumi:dev::p::aws:lb/targetGroup:TargetGroup::web",
    type="aws:lb/targetGroup:TargetGroup",
    name="web",
    property="healthCheck.timeout",
    code="ValidationError",
    message="must be smaller than the interval",
    rule="target-group-health-timing",
    source="https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
)


def test_a_refusal_reads_as_aws_would_word_it_with_the_rule_and_its_source() -> None:
    assert str(REFUSAL) == (
        "ValidationError: web healthCheck.timeout: must be smaller than the interval "
        "[target-group-health-timing; https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/"
        "API_CreateTargetGroup.html]"
    )


def test_a_refusal_in_the_report_names_the_resource_and_property_in_its_message() -> None:
    assert REFUSAL.to_json() == {
        "urn": "urn:pulumi:dev::p::aws:lb/targetGroup:TargetGroup::web",
        "type": "aws:lb/targetGroup:TargetGroup",
        "property": "healthCheck.timeout",
        "code": "ValidationError",
        "message": "web healthCheck.timeout: must be smaller than the interval",
        "rule": "target-group-health-timing",
        "source": "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    }


def _resource(name: str, type: str = "aws:ec2/subnet:Subnet", **given: Any) -> CloudResource:
    return CloudResource(urn=f"urn:pulumi:dev::p::{type}::{name}", type=type, name=name, **{"inputs": {}, **given})


def test_the_account_finds_a_resource_by_id_and_by_its_output_id_and_arn() -> None:
    subnet = _resource("a", id="subnet-1", outputs={"id": "subnet-1b", "arn": "arn:aws:ec2:::subnet/a"})
    account = World(resources=[subnet])
    assert account.find("subnet-1") is subnet
    assert account.find("subnet-1b") is subnet
    assert account.find("arn:aws:ec2:::subnet/a") is subnet
    assert account.find("subnet-2") is None
    assert account.find(None) is None and account.find(["subnet-1"]) is None
    assert account.by_urn == {subnet.urn: subnet}


def test_unknown_or_empty_ids_identify_nothing() -> None:
    preview = _resource("a", id=UNKNOWN, outputs={"id": "", "arn": 5})
    account = World(resources=[preview])
    assert account.by_id == {}
    assert account.find(UNKNOWN) is None


def test_the_account_keeps_its_region_and_the_quotas_raised() -> None:
    assert World().region == "us-east-1"
    assert World().quotas == {}
    raised = {"vpcs-per-region": 10}
    account = World(region="eu-west-1", quotas=raised)
    assert (account.region, account.quotas) == ("eu-west-1", {"vpcs-per-region": 10})
    raised["vpcs-per-region"] = 20
    assert account.quotas == {"vpcs-per-region": 10}, "the account keeps its own copy"


def test_resources_are_listed_and_counted_by_canonical_type_whatever_alias_created_them() -> None:
    canonical_tg = "aws:lb/targetGroup:TargetGroup"
    first = _resource("a", canonical_tg)
    second = _resource("b", "aws:alb/targetGroup:TargetGroup")
    subnet = _resource("s")
    account = World(resources=[first, second, subnet])
    assert account.of_type(canonical_tg) == [first, second]
    assert account.count(canonical_tg) == 2
    assert account.of_type(canonical_tg, canonical_tg) == [first, second], "a type asked twice is listed once"
    assert account.count(canonical_tg, canonical_tg) == 2
    assert account.count(canonical_tg, "aws:ec2/subnet:Subnet") == 3
    assert account.of_type("aws:ec2/vpc:Vpc") == [] and account.count("aws:ec2/vpc:Vpc") == 0


def test_a_resource_added_again_under_its_urn_replaces_the_first() -> None:
    account = World(resources=[_resource("a", id="subnet-1")])
    again = _resource("a", "aws:ec2/subnet:Subnet", id="subnet-1", inputs={"cidrBlock": "10.0.0.0/24"})
    account.add(again)
    assert account.of_type("aws:ec2/subnet:Subnet") == [again]
    assert account.count("aws:ec2/subnet:Subnet") == 1
    assert account.by_urn[again.urn] is again and account.find("subnet-1") is again


def test_references_are_followed_by_id_or_else_through_property_dependencies() -> None:
    vpc = _resource("v", "aws:ec2/vpc:Vpc", id="vpc-1")
    other = _resource("w", "aws:ec2/vpc:Vpc", id="vpc-2")
    account = World(resources=[vpc, other])
    by_id = _resource("s", inputs={"vpcId": "vpc-1", "ids": ["vpc-1", "vpc-2"]})
    assert account.refs(by_id, "vpcId") == [vpc]
    assert account.refs(by_id, "ids") == [vpc, other]
    # While the id is unknown (a first preview), the input's dependencies name what it was built from.
    pending = _resource(
        "p",
        inputs={"vpcId": UNKNOWN, "ids": ["vpc-1", UNKNOWN]},
        property_dependencies={"vpcId": (other.urn, "urn:gone"), "ids": (other.urn,)},
    )
    assert account.refs(pending, "vpcId") == [other]
    assert account.refs(pending, "ids") == [other]
    assert account.refs(pending, "absent") == []
    assert account.refs(_resource("n", inputs={"vpcId": None}), "vpcId") == []


def test_ordering_follows_dependencies_and_theirs_and_is_undecided_without_a_graph() -> None:
    gateway = _resource("igw", "aws:ec2/internetGateway:InternetGateway", dependencies=())
    route = _resource("r", "aws:ec2/route:Route", dependencies=(gateway.urn,))
    nat = _resource("n", "aws:ec2/natGateway:NatGateway", dependencies=(route.urn, "urn:not-here", route.urn))
    loop = _resource("l", "aws:ec2/route:Route", dependencies=("urn:pulumi:dev::p::aws:ec2/route:Route::l",))
    account = World(resources=[gateway, route, nat, loop])

    def is_gateway(found: CloudResource) -> bool:
        return found.type == "aws:ec2/internetGateway:InternetGateway"

    assert account.depends_on(nat, is_gateway) is True
    assert account.depends_on(route, is_gateway) is True
    assert account.depends_on(gateway, is_gateway) is False
    assert account.depends_on(loop, is_gateway) is False, "a cycle ends"
    assert account.depends_on(_resource("x"), is_gateway) is None
    # A dependency met again is skipped and the walk goes on: the gateway is behind the first one listed.
    again = _resource("a", "aws:ec2/route:Route", dependencies=(route.urn, loop.urn, loop.urn))
    assert account.depends_on(again, is_gateway) is True
    seen: list[str] = []
    account.depends_on(nat, lambda found: seen.append(found.name) or False)
    assert seen == ["r", "igw"], "each resource is looked at once"


def test_the_providers_default_tags_are_those_of_the_provider_the_resource_names() -> None:
    provider = CloudResource(
        urn="urn:pulumi:dev::p::pulumi:providers:aws::eu",
        type="pulumi:providers:aws",
        name="eu",
        inputs={"defaultTags": {"tags": {"team": "web"}}},
    )
    account = World(resources=[provider])
    tagged = _resource("a", provider="urn:pulumi:dev::p::pulumi:providers:aws::eu::0000-id")
    assert account.default_tags(tagged) == {"team": "web"}
    assert account.default_tags(_resource("b", provider="urn:pulumi:dev::p::pulumi:providers:aws::us::0-id")) == {}
    assert account.default_tags(_resource("c", provider="")) == {}
    assert account.default_tags(_resource("d", provider="urn:pulumi:dev::p::pulumi:providers:aws::eu")) == {
        "team": "web"
    }, "a reference without its id names the same provider"
    assert account.default_tags(_resource("e", provider="urn:pulumi:dev::p::pulumi:providers:aws")) == {}


def _by_zone(found: CloudResource) -> list[str]:
    return [found.inputs["zone"]] if "zone" in found.inputs else []


def test_a_grouping_indexes_resources_of_its_types_by_their_keys_and_follows_later_additions() -> None:
    subnet = "aws:ec2/subnet:Subnet"
    a = _resource("a", inputs={"zone": "us-east-1a"})
    b = _resource("b", inputs={"zone": "us-east-1a"})
    vpc = _resource("v", "aws:ec2/vpc:Vpc", inputs={"zone": "us-east-1a"})
    account = World(resources=[a, vpc])
    zones = account.groups("by-zone", (subnet,), _by_zone)
    assert zones.members == {"us-east-1a": [a]}
    assert account.groups("by-zone", (subnet,), lambda found: ["other"]) is zones, "built once under its name"

    account.add(b)
    assert zones.count("us-east-1a") == 2
    assert zones.count("us-east-1a", excluding=b.urn) == 1
    assert zones.count("us-east-1b") == 0
    assert zones.other("us-east-1a", a.urn) is b
    assert zones.other("us-east-1a", b.urn) is a
    assert zones.other("us-east-1b", a.urn) is None

    moved = _resource("b", inputs={"zone": "us-east-1b"})
    account.add(moved)
    assert zones.members == {"us-east-1a": [a], "us-east-1b": [moved]}
    assert zones.keys_of[moved.urn] == ["us-east-1b"]
    account.add(CloudResource(urn=moved.urn, type="aws:ec2/vpc:Vpc", name="b", inputs={"zone": "us-east-1b"}))
    assert zones.members["us-east-1b"] == [], "a URN re-added as another type leaves the grouping"
    assert account.of_type(subnet) == [a] and account.count("aws:ec2/vpc:Vpc") == 2


def test_a_resource_giving_a_key_twice_counts_twice_and_one_whose_keys_fail_is_in_no_group() -> None:
    grouping = Grouping(("aws:ec2/subnet:Subnet",), lambda found: found.inputs["keys"])
    twice = _resource("t", inputs={"keys": ["k", "k"]})
    grouping.put(twice)
    grouping.put(_resource("broken", inputs={}))
    assert grouping.count("k") == 2
    assert grouping.count("k", excluding=twice.urn) == 0
    assert grouping.keys_of["urn:pulumi:dev::p::aws:ec2/subnet:Subnet::broken"] == []
    grouping.discard(twice.urn)
    assert grouping.count("k") == 0 and twice.urn not in grouping.keys_of
    grouping.discard("urn:never-added")

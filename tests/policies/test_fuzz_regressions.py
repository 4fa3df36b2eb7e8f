"""Inputs the fuzz suite (``make fuzz``) found crashing or stalling a pack, each pinned to its verdict now.

A policy that raises fails the whole preview and one that stalls hangs it, so each test checks both that
the input no longer breaks the policy AND that the verdict stays closed: the fix for a crash must never
turn a violation into a pass. Work is counted (matcher steps, graph nodes, traces), never timed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from guardrails import props as p
from guardrails import reachability
from guardrails.actions import Glob, expand, is_effectively_star
from guardrails.identity import POLICIES as IDENTITY_POLICIES
from guardrails.network import POLICIES as NETWORK_POLICIES
from guardrails.stackgraph import StackGraph
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import PolicyResource, StackValidationPolicy

from offline.audit import load_state
from tests.policies.harness import StackResource, _options, _wrap, resource_violations, stack_violations
from tests.policies.identity_docs import allow, doc, role, trust

POLICY = {policy.name: policy for policy in [*NETWORK_POLICIES, *IDENTITY_POLICIES]}
FIVE_THOUSAND_NINES = "9" * 5000
VIOLATIONS_EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "stack-export-violations.json"
SG = "aws:ec2/securityGroup:SecurityGroup"
ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY_TYPE = "aws:iam/policy:Policy"


# --------------------------------------------------------------------------------------------------
# (a) links.py: an identifier that is an object was put in a set (TypeError: unhashable)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [{"value": "app"}, ["app"], 7.0, True])
def test_role_whose_name_is_not_text_is_still_checked_as_the_profiles_role(name: Any) -> None:
    # Before: TypeError in links._identifiers. Now the role cannot be ruled out as the one the profile
    # names, so its trust policy is judged: a wildcard trust stays a violation.
    untrusting = StackResource(ROLE, "app", {"name": name, **role(trust({"AWS": "*"}))})
    profile = StackResource(PROFILE, "profile", {"role": "app"})
    found = stack_violations(POLICY["iam-instance-profile-role-trust-ec2-only"], [untrusting, profile])
    assert any("trusts AWS '*'" in message for message, _ in found)
    assert {urn for _, urn in found} == {untrusting.urn}


def test_role_whose_name_is_an_object_keeps_its_attached_policy_checked() -> None:
    role_node = StackResource(ROLE, "app", {"name": {"value": "app"}, **role()})
    profile = StackResource(PROFILE, "profile", {"role": "app"})
    broad = StackResource(POLICY_TYPE, "perms", {"name": "perms", "arn": "arn:aws:iam::123456789012:policy/perms"})
    broad.props = {**broad.props, "policy": doc(allow("s3:*", "arn:aws:s3:::app/*"))}
    attachment = StackResource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "attach",
        {"role": "app", "policyArn": "arn:aws:iam::123456789012:policy/perms"},
    )
    found = stack_violations(POLICY["iam-instance-role-attached-policies"], [role_node, profile, broad, attachment])
    assert any("attaches Policy 'perms'" in message for message, _ in found), found


def test_text_identifiers_still_resolve_exactly_and_objects_never_shadow_them() -> None:
    from guardrails.identity.links import resolve

    named = PolicyResource(ROLE, _wrap({"name": "app"}), "urn:r1", "r1", _options(), None, None, [], {})
    opaque = PolicyResource(ROLE, _wrap({"name": {"v": 1}}), "urn:r2", "r2", _options(), None, None, [], {})
    profile = PolicyResource(PROFILE, _wrap({"role": "app"}), "urn:p", "p", _options(), None, None, [], {})
    resolved, unresolved = resolve(profile, "role", [named, opaque])
    assert [r.urn for r in resolved] == ["urn:r1"] and unresolved == []


# --------------------------------------------------------------------------------------------------
# (b) props.as_int: int() of 5,000 digits (ValueError: Exceeds the limit (4300 digits))
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (FIVE_THOUSAND_NINES, None),
        ("-" + FIVE_THOUSAND_NINES, None),
        ("+" + "0" * 4999 + "22", None),
        (1e308, None),
        (-1e308, None),
        (10**30, None),
        ("9" * 18, 10**18 - 1),
        ("-" + "9" * 18, -(10**18) + 1),
        (" 22 ", 22),
        (22.0, 22),
    ],
)
def test_integer_reading_is_bounded(raw: Any, expected: int | None) -> None:
    assert p.as_int(raw) == expected


def test_ssh_rule_with_a_5000_digit_port_fails_closed_as_every_port() -> None:
    rule = {"protocol": "tcp", "fromPort": FIVE_THOUSAND_NINES, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}
    found = resource_violations(POLICY["ssh-ingress-single-host"], SG, {"ingress": [rule]})
    assert len(found) == 1 and "unreadable port range (treated as 0-65535)" in found[0]


def test_imds_hop_limit_of_5000_digits_is_a_violation() -> None:
    options = {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": FIVE_THOUSAND_NINES}}
    found = resource_violations(POLICY["ec2-imdsv2-required"], "aws:ec2/launchTemplate:LaunchTemplate", options)
    assert len(found) == 1 and "httpPutResponseHopLimit is not a whole number" in found[0]


def test_internet_exposure_with_a_5000_digit_port_fails_closed() -> None:
    resources = _export_stack()
    before = stack_violations(POLICY["internet-exposure-allowlist"], resources)
    assert before, "the fixture must expose something for this test to mean anything"
    for resource in resources:
        if resource.type == SG:
            resource.props = {
                **resource.props,
                "ingress": [{**dict(r), "fromPort": FIVE_THOUSAND_NINES} for r in resource.props.get("ingress", [])],
            }
    after = stack_violations(POLICY["internet-exposure-allowlist"], resources)
    # An unreadable port is every port: nothing exposed before is hidden now.
    assert {urn for _, urn in before} <= {urn for _, urn in after}


# --------------------------------------------------------------------------------------------------
# (c) actions.pattern_regex: a regex from a user's wildcard backtracked (12 s for one string)
# --------------------------------------------------------------------------------------------------


def test_action_of_eight_stars_then_a_literal_matches_nothing_and_is_reported() -> None:
    assert expand("iam:********#") == ()
    document = doc(allow("iam:********#", "*"))
    found = resource_violations(POLICY["iam-least-privilege-permissions"], POLICY_TYPE, {"policy": document})
    assert len(found) == 1 and "a wildcard matching no action in the IAM action database" in found[0]


def test_resource_of_five_stars_then_a_literal_is_not_every_resource() -> None:
    assert is_effectively_star("*****#") is False
    assert is_effectively_star("*" * 5000 + "#") is False
    assert is_effectively_star("*****") is True
    # The action still decides: a whole service is a violation whatever the resource.
    found = resource_violations(
        POLICY["iam-least-privilege-permissions"], POLICY_TYPE, {"policy": doc(allow("iam:*", "*****#"))}
    )
    assert len(found) == 1 and "every action of the service" in found[0]


@pytest.mark.parametrize("stars", [8, 64, 4096])
@pytest.mark.parametrize(
    "shape",
    [
        lambda k: "*" * k + "#",  # the finding: fails at the last character
        lambda k: "*" * k + "b" + "*" * k + "a",  # a middle segment that is nowhere
        lambda k: "*a" * k + "b*a",  # many segments, each placed at once, then the last one missing
        lambda k: "*" + "a?b*" * 3 + "*" * k + "a",  # "?" segments tried along the text
        lambda k: "?*" * (k // 8) + "c",
    ],
)
def test_wildcard_matching_work_is_linear_in_the_text(stars: int, shape: Any) -> None:
    text = "a" * 300
    glob = Glob(shape(stars))
    assert glob.matches(text) is False
    # Nothing is retried: at most (text length + 1) x the longest segment comparisons, whatever the stars.
    assert glob.steps <= (len(text) + 1) * 4, glob.steps


@given(
    pattern=st.text(alphabet="ab*?A:/", max_size=12),
    text=st.text(alphabet="abAB:/", max_size=14),
)
@settings(max_examples=400, deadline=None)
def test_wildcard_matching_agrees_with_a_full_regex_on_small_inputs(pattern: str, text: str) -> None:
    # The reference the old code used, on inputs too small to backtrack for long.
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    expected = re.fullmatch(body, text, re.IGNORECASE | re.DOTALL) is not None
    assert Glob(pattern).matches(text) is expected


def test_a_pattern_longer_than_the_text_costs_no_comparison() -> None:
    glob = Glob("a" * 100_000 + "*")
    assert glob.matches("a" * 50) is False and glob.steps == 0


def test_no_regex_is_built_from_a_wildcard() -> None:
    import guardrails.actions as actions

    assert not hasattr(actions, "pattern_regex")


# --------------------------------------------------------------------------------------------------
# (d) reachability: repeated resources made the stack phase quadratic
# --------------------------------------------------------------------------------------------------


def _export_stack() -> list[StackResource]:
    audit = load_state(VIOLATIONS_EXPORT)
    return [
        StackResource(
            type=r.type,
            name=r.name,
            props=json.loads(json.dumps(r.outputs)),
            parent=r.parent or None,
            dependencies=list(r.dependencies),
            property_dependencies={k: list(v) for k, v in r.property_dependencies.items()},
            urn=r.urn,
        )
        for r in audit.resources
    ]


def _policy_resources(resources: list[StackResource]) -> list[PolicyResource]:
    return [PolicyResource(r.type, _wrap(r.props), r.urn, r.name, _options(), None, None, [], {}) for r in resources]


def test_exact_repeats_of_a_stack_are_one_graph() -> None:
    once = _export_stack()
    graph = StackGraph(_policy_resources(once * 20))
    assert len(graph.nodes) == len(once)


def test_a_repeat_that_differs_is_kept() -> None:
    once = _export_stack()
    twin = next(r for r in once if r.type == SG)
    changed = StackResource(twin.type, twin.name, {**twin.props, "description": "different"}, urn=twin.urn)
    graph = StackGraph(_policy_resources([*once, changed]))
    assert len(graph.nodes) == len(once) + 1


STACK_POLICIES = sorted(name for name, policy in POLICY.items() if isinstance(policy, StackValidationPolicy))


@pytest.mark.parametrize("policy", STACK_POLICIES)
def test_repeated_stack_has_the_verdicts_of_one_copy_for_the_same_work(
    policy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_trace = reachability._trace

    def counting(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        real_trace(*args, **kwargs)

    monkeypatch.setattr(reachability, "_trace", counting)
    once = _export_stack()
    single = stack_violations(POLICY[policy], once)
    single_calls = calls["n"]
    calls["n"] = 0
    repeated = stack_violations(POLICY[policy], once * 25)
    assert set(repeated) == set(single)
    # 25 copies trace exactly what one does: no work grows with the copies.
    assert calls["n"] == single_calls


def _copies_sharing_ids(once: list[StackResource], copies: int) -> list[StackResource]:
    """``copies`` copies under their own URNs, ids and names unchanged, linked by value only (no
    propertyDependencies): every reference names every copy, as in an audit of concatenated exports."""
    return [
        StackResource(r.type, f"{r.name}-{i}", r.props, urn=f"{r.urn}-copy{i}") for i in range(copies) for r in once
    ]


@pytest.mark.parametrize("policy", STACK_POLICIES)
def test_copies_sharing_ids_keep_every_verdict_and_trace_no_more(policy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real_trace = reachability._trace

    def counting(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        real_trace(*args, **kwargs)

    monkeypatch.setattr(reachability, "_trace", counting)
    once = _copies_sharing_ids(_export_stack(), 1)
    single = stack_violations(POLICY[policy], once)
    single_calls = calls["n"]
    calls["n"] = 0
    many = stack_violations(POLICY[policy], _copies_sharing_ids(_export_stack(), 12))
    # Every copy is judged as the one copy is (each message, under each copy's URN)...
    urn_of_copy = {f"{r.urn}-copy0": r.urn for r in _export_stack()}
    flagged_once = {(urn_of_copy.get(urn or "", urn)) for _, urn in single}
    flagged_many = {urn.rsplit("-copy", 1)[0] if urn else urn for _, urn in many}
    assert flagged_once == flagged_many
    # ...and each copy's targets trace what one copy's do, not what all twelve would together.
    assert calls["n"] <= 12 * single_calls


def test_the_export_exercises_reachability() -> None:
    calls = {"n": 0}
    real_trace = reachability._trace

    def counting(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        real_trace(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reachability, "_trace", counting)
        found = stack_violations(POLICY["internet-exposure-allowlist"], _export_stack())
    assert found and calls["n"] > 0


def test_exposure_paths_and_sources_stay_distinct_and_ordered() -> None:
    target = reachability.Target("urn:t", "t", "t", "instance", reachability.Hop("t"), ())
    exposure = reachability.Exposure(target, "tcp", 22, 22, ())
    hops_a = (reachability.Hop("a"),)
    hops_b = (reachability.Hop("b"),)
    for hops in [hops_a, hops_b, hops_a, hops_b] * 100:
        exposure.add_path(hops)
        exposure.add_source("x")
    assert exposure.paths == [hops_a, hops_b] and exposure.sources == ["x"]

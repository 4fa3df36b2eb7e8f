"""ec2-imdsv2-required (hardening, advisory by default) on instances and launch templates."""

from __future__ import annotations

from typing import Any

import pytest
from guardrails.identity.imds import imdsv2_required
from pulumi_policy import EnforcementLevel

from tests.policies.harness import resource_violations

TYPES = ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"]
FIXED = {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0, "httpEndpoint": "enabled"}}


@pytest.mark.parametrize("resource_type", TYPES)
@pytest.mark.parametrize(
    ("props", "fragment"),
    [
        pytest.param({}, "unset", id="no-metadata-options"),
        pytest.param({"metadataOptions": {"httpEndpoint": "enabled"}}, "unset", id="tokens-absent"),
        pytest.param({"metadataOptions": {"httpTokens": "optional"}}, "'optional'", id="tokens-optional"),
        pytest.param({"metadataOptions": {"httpTokens": 1.0}}, "unset", id="tokens-mistyped"),
        pytest.param(
            {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2.0}},
            "httpPutResponseHopLimit is 2; at most 1 keeps the IMDSv2 token on the host",
            id="hops",
        ),
        pytest.param(
            {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": "lots"}},
            "httpPutResponseHopLimit is not a whole number; at most 1 keeps",
            id="hops-garbage",
        ),
    ],
)
def test_imdsv1_or_a_far_reaching_token_is_flagged(resource_type: str, props: dict[str, Any], fragment: str) -> None:
    messages = resource_violations(imdsv2_required, resource_type, props)
    assert any(fragment in m for m in messages), messages


@pytest.mark.parametrize("resource_type", TYPES)
def test_fixed_twin_is_silent(resource_type: str) -> None:
    assert resource_violations(imdsv2_required, resource_type, FIXED) == []


@pytest.mark.parametrize("resource_type", TYPES)
def test_disabled_endpoint_serves_no_credentials_and_passes(resource_type: str) -> None:
    assert resource_violations(imdsv2_required, resource_type, {"metadataOptions": {"httpEndpoint": "disabled"}}) == []


def test_hop_limit_is_configurable_and_read_from_floats() -> None:
    props = {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2.0}}
    assert resource_violations(imdsv2_required, TYPES[0], props, {"maxHopLimit": 2.0}) == []
    assert resource_violations(imdsv2_required, TYPES[0], props, {"maxHopLimit": "x"})


def test_hardening_is_advisory_by_default() -> None:
    assert imdsv2_required.enforcement_level == EnforcementLevel.ADVISORY


def test_other_types_are_ignored() -> None:
    assert resource_violations(imdsv2_required, "aws:autoscaling/group:Group", {}) == []

"""``make fuzz``: the case generator, the crash detector and a small budget of the real run.

The budgeted run drives both real packs over gRPC with a per-call deadline, so a policy that stalls
fails this test (as a hang) instead of stalling the suite; a policy that raises fails it as a crash.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest

from offline.analyzer import discover_packs
from offline.fuzz import PackDriver, fuzz_pack, load_reproducer, run_fuzz, traceback_location
from offline.fuzzcases import LONG_STRING, MAX_DEPTH, Case, make_case
from offline.harness import RegisteredResource
from offline.wire import SECRET_SIG, SIG_KEY

REPO = Path(__file__).resolve().parents[2]
BUDGET_CASES = 300
# Generous for a shared 2-core machine: the slowest call measured is well under a second.
BUDGET_DEADLINE_S = 20.0


def _stacks() -> list[list[RegisteredResource]]:
    sg = RegisteredResource(
        urn="urn:pulumi:t::p::aws:ec2/securityGroup:SecurityGroup::web",
        type="aws:ec2/securityGroup:SecurityGroup",
        name="web",
        custom=True,
        inputs={"ingress": [{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}]},
        outputs={"id": "sg-1", "ingress": []},
    )
    role = RegisteredResource(
        urn="urn:pulumi:t::p::aws:iam/role:Role::app",
        type="aws:iam/role:Role",
        name="app",
        custom=True,
        inputs={"assumeRolePolicy": "{}", "name": "app"},
        outputs={"name": "app", "arn": "arn:aws:iam::1:role/app", "id": "app"},
    )
    return [[sg, role]]


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, float) else []


def test_a_case_is_a_function_of_seed_and_index() -> None:
    stacks = _stacks()
    for index in range(40):
        first, again = make_case(3, index, stacks), make_case(3, index, stacks)
        assert json.dumps([r.inputs for r in first.resources], default=str) == json.dumps(
            [r.inputs for r in again.resources], default=str
        )
        assert first.mutations == again.mutations
    assert any(make_case(3, i, stacks).mutations != make_case(4, i, stacks).mutations for i in range(5))


def test_cases_are_bounded_and_finite_and_never_touch_the_originals() -> None:
    stacks = _stacks()
    original = json.dumps([r.inputs for r in stacks[0]])
    kinds = set()
    for index in range(400):
        case = make_case(11, index, stacks)
        kinds.add(case.kind)
        for resource in case.resources:
            for props in (resource.inputs, resource.outputs):
                assert isinstance(props, dict)
                assert _depth(props) <= MAX_DEPTH + 8
                # At most a few long strings per resource (one per mutation), each at most LONG_STRING.
                assert len(json.dumps(props, ensure_ascii=False)) <= 8 * LONG_STRING
                # ±Infinity and NaN fail the SDK's request conversion before any policy runs: never generated.
                assert all(math.isfinite(n) for n in _numbers(props))
    assert kinds == {"analyze", "stack"}
    assert json.dumps([r.inputs for r in stacks[0]]) == original


def test_secret_envelopes_stay_well_formed() -> None:
    def envelopes(value: Any) -> list[dict[str, Any]]:
        if isinstance(value, dict):
            found = [value] if SIG_KEY in value else []
            return found + [e for v in value.values() for e in envelopes(v)]
        if isinstance(value, list):
            return [e for v in value for e in envelopes(v)]
        return []

    for index in range(300):
        for resource in make_case(5, index, _stacks()).resources:
            for envelope in envelopes(resource.inputs) + envelopes(resource.outputs):
                assert envelope[SIG_KEY] == SECRET_SIG and set(envelope) == {SIG_KEY, "value"}


def test_traceback_location_names_the_deepest_project_frame() -> None:
    text = textwrap.dedent(
        """\
        Traceback (most recent call last):
          File "/x/site-packages/pulumi_policy/policy.py", line 990, in Analyze
            policy.validate(args, report)
          File "/work/repo/policies/guardrails/props.py", line 122, in as_int
            return int(text)
          File "/x/lib/python3.11/re.py", line 10, in inner
            x
        ValueError: Exceeds the limit (4300 digits)
        """
    )
    assert traceback_location(text) == (
        "guardrails/props.py:122 in as_int (ValueError)",
        "ValueError: Exceeds the limit (4300 digits)",
    )
    assert traceback_location("no traceback here") == ("", "")


NOOP_VENV = REPO / "offline" / "noop_pack" / "venv"


CRASHING_PACK = """\
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def _validate(args, report):
    for rule in args.props.get("ingress") or []:
        if isinstance(rule, str):
            raise ValueError("a rule that is text")


PolicyPack(
    name="crashing-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="crashes-on-text-rules", description="d", validate=_validate)],
)
"""


@pytest.mark.subprocess
def test_a_crashing_policy_is_found_located_and_minimised(tmp_path: Path) -> None:
    pack = tmp_path / "crashing"
    pack.mkdir()
    # It needs only pulumi-policy: it runs from the no-op pack's virtualenv (`make packs`), named absolutely.
    (pack / "PulumiPolicy.yaml").write_text(
        f"runtime:\n  name: python\n  options:\n    virtualenv: {NOOP_VENV}\nversion: 0.0.1\n", encoding="utf-8"
    )
    (pack / "__main__.py").write_text(CRASHING_PACK, encoding="utf-8")
    sg = _stacks()[0][0]
    crashing = Case("analyze", 0, 0, [RegisteredResource(**{**sg.__dict__, "inputs": {**sg.inputs, "ingress": ["x"]}})])
    with PackDriver(pack, hang_s=BUDGET_DEADLINE_S) as driver:
        outcome = driver.run(crashing)
        assert outcome.error is not None and "a rule that is text" in outcome.error
        assert "__main__.py:7 in _validate (ValueError)" in outcome.location
        assert driver.run(Case("analyze", 0, 0, [sg])).error is None
    report = fuzz_pack(pack, [[crashing.resources[0]]], cases=60, seed=2, out_dir=tmp_path / "out", hang_s=30)
    assert report.crashes, "the fuzzer must find the planted crash"
    finding = next(iter(report.crashes.values()))
    reproducer = load_reproducer(Path(finding.reproducer))
    props = reproducer.resources[0].inputs
    # Minimised: only what makes it crash is left.
    assert list(props) == ["ingress"] and len(json.dumps(props)) < 60, props


@pytest.mark.subprocess
def test_a_budget_of_hostile_cases_neither_crashes_nor_hangs_the_real_packs(tmp_path: Path) -> None:
    packs = discover_packs(REPO / "policies")
    assert len(packs) == 2
    reports = run_fuzz(packs, cases=BUDGET_CASES, seed=20, out_dir=tmp_path, hang_s=BUDGET_DEADLINE_S)
    for report in reports:
        assert sum(report.cases.values()) == BUDGET_CASES
        assert report.cases["stack"] > 0 and report.cases["analyze"] > 0
        assert not report.crashes, {k: (f.message, f.case, f.reproducer) for k, f in report.crashes.items()}
        assert not report.hangs, [(f.case, f.reproducer) for f in report.hangs]


def _resource(resource_type: str, name: str, props: dict[str, Any]) -> RegisteredResource:
    urn = f"urn:pulumi:fuzz::aws-compute-foundations::{resource_type}::{name}"
    return RegisteredResource(urn=urn, type=resource_type, name=name, custom=True, inputs=props, outputs=props)


def _document(action: str, resource: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    )


# The minimised reproducers of the four findings of issue 20, as the fuzzer wrote them to build/fuzz/.
FINDINGS = {
    "links-object-identifier": Case(
        "stack",
        0,
        0,
        [
            _resource("aws:iam/role:Role", "app", {"id": {}}),
            _resource("aws:iam/instanceProfile:InstanceProfile", "profile", {"role": "app", "id": 1.0}),
        ],
    ),
    "as-int-5000-digit-port": Case(
        "analyze",
        0,
        0,
        [_resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "sg", {"ingress": [{"fromPort": "9" * 5000}]})],
    ),
    "as-int-5000-digit-hop-limit": Case(
        "analyze",
        0,
        0,
        [
            _resource(
                "aws:ec2/instance:Instance", "vm", {"metadataOptions": {"httpPutResponseHopLimit": "+" + "0" * 4999}}
            )
        ],
    ),
    "regex-action-eight-stars": Case(
        "analyze", 0, 0, [_resource("aws:iam/policy:Policy", "p", {"policy": _document("iam:********#", "*")})]
    ),
    "regex-resource-five-stars": Case(
        "analyze", 0, 0, [_resource("aws:iam/policy:Policy", "p", {"policy": _document("s3:GetObject", "*****#")})]
    ),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("pack", ["identity-boundary", "network-boundary"])
def test_the_issue_20_reproducers_neither_crash_nor_hang_a_real_pack(pack: str) -> None:
    with PackDriver(REPO / "policies" / pack, hang_s=BUDGET_DEADLINE_S) as driver:
        for name, case in FINDINGS.items():
            outcome = driver.run(case)
            assert outcome.error is None and not outcome.hang, (name, outcome)

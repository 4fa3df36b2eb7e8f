"""``make bench``: how long ``make preview`` takes, how fast each pack evaluates, how long the tests take.

Measured here and printed, never asserted by tests (timed tests fail on a busy machine, not on a slow
program). The pack rate is measured over the same Analyzer protocol the CLI uses, on a large generated
stack (copies of the prod stack with unique URNs and ids), against the no-op pack in ``noop_pack/``:
their ratio isolates the cost of the rules from the cost of the protocol and the SDK.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from offline.analyzer import (
    STACK_CALL_TIMEOUT_S,
    PackError,
    PackProcess,
    discover_packs,
    run_pack,
    stack_request,
    started_packs,
)
from offline.harness import STACK_TYPE, RegisteredResource, stack_urn_of

REPO = Path(__file__).resolve().parents[1]
NOOP_PACK = Path(__file__).resolve().parent / "noop_pack"
PREVIEW_RUNS = 5
COPIES = 100
PACK_ROUNDS = 3
PREVIEW_TARGET_S = 3.0
RATIO_TARGET = 1.5
# The policy time budget (issue 20): fuzz cases whose Analyze calls are timed, and the goals.
BUDGET_CASES = 2000
BUDGET_ROUNDS = 1
BUDGET_STACK_SIZE = 5000
ANALYZE_SIZE_LIMIT = 100_000
ANALYZE_TARGET_MS = 100
STACK_RATIO_TARGET = 2.0


def _looks_computed(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 8 and any(c in value for c in "-:.")


def _rewrite(value: Any, swap: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, dict):
        return {k: _rewrite(v, swap) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, swap) for v in value]
    return value


def replicate(
    resources: Sequence[RegisteredResource], copies: int, *, unique_ids: bool = True
) -> list[RegisteredResource]:
    """``copies`` copies of a stack's resources, each copy's URNs (and, with ``unique_ids``, computed ids)
    made unique.

    References inside a copy (parents, dependencies, ids in inputs) point within that copy, so the stack
    policies resolve the same graph 100 times instead of one graph with 100-fold ambiguous ids. Without
    ``unique_ids`` every copy keeps the ids, ARNs and names of the original, as a stack that imports the
    same resources twice, or an audit of concatenated exports, does: each reference by value then names
    every copy.
    """
    root = next((r for r in resources if r.type == STACK_TYPE), None)
    body = [r for r in resources if r is not root]
    computed = {v for r in body if r.custom for k, v in r.outputs.items() if k not in r.inputs and _looks_computed(v)}
    if not unique_ids:
        computed = set()
    urns = {r.urn for r in body}
    out: list[RegisteredResource] = [root] if root is not None else []
    for i in range(copies):

        def swap(text: str, i: int = i) -> str:
            if text in urns or text in computed:
                return f"{text}-c{i}"
            if "::" in text and text.rsplit("::", 1)[0] in urns:  # a provider reference: <urn>::<id>
                head, rid = text.rsplit("::", 1)
                return f"{head}-c{i}::{rid}"
            return text

        for r in body:
            out.append(
                replace(
                    r,
                    urn=swap(r.urn),
                    name=f"{r.name}-c{i}",
                    id=swap(r.id),
                    inputs=_rewrite(r.inputs, swap),
                    outputs=_rewrite(r.outputs, swap),
                    parent=swap(r.parent),
                    provider=swap(r.provider),
                    dependencies=[swap(d) for d in r.dependencies],
                    property_dependencies={k: [swap(d) for d in v] for k, v in r.property_dependencies.items()},
                )
            )
    return out


def _timed(command: Sequence[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def preview_times(stack: str, runs: int = PREVIEW_RUNS) -> tuple[float, int]:
    """Median wall time of ``python -m offline preview --stack <stack>`` and its last exit status."""
    times, status = [], 0
    for _ in range(runs):
        elapsed, done = _timed([sys.executable, "-m", "offline", "preview", "--stack", stack])
        times.append(elapsed)
        status = done.returncode
    return statistics.median(times), status


def pack_seconds(
    process: PackProcess, resources: Sequence[RegisteredResource], rounds: int = PACK_ROUNDS
) -> tuple[float, float]:
    """Median seconds for one full evaluation (info, configure, Analyze per resource, AnalyzeStack), and
    of its AnalyzeStack call alone, so a slow pack shows which half of the protocol is slow."""
    stack_urn = stack_urn_of("aws-compute-foundations", "bench")
    totals, stacks = [], []
    request = stack_request(resources, {r.urn: r for r in resources})
    for _ in range(rounds):
        start = time.perf_counter()
        run_pack(process, resources, stack_urn=stack_urn, policy_config={})
        totals.append(time.perf_counter() - start)
        start = time.perf_counter()
        process.stub.AnalyzeStack(request, timeout=STACK_CALL_TIMEOUT_S)
        stacks.append(time.perf_counter() - start)
    return statistics.median(totals), statistics.median(stacks)


def large_stack() -> list[RegisteredResource]:
    from offline.preview import run_stack_program
    from offline.project import load_stack

    run = run_stack_program(load_stack(REPO, "prod")).check()
    return replicate(run.resources, COPIES)


def slowest_analyze(
    pack_dir: Path, stacks: Sequence[Sequence[RegisteredResource]], cases: int, seed: int
) -> tuple[float, str, int, float, int]:
    """Over the fuzz corpus's Analyze cases: the slowest call (seconds, case, request bytes) and the slowest
    among resources up to ``ANALYZE_SIZE_LIMIT`` bytes (seconds, count of such calls)."""
    from offline.fuzz import PackDriver
    from offline.fuzzcases import make_case

    worst: tuple[float, str, int] = (0.0, "", 0)
    worst_small, small = 0.0, 0
    with PackDriver(pack_dir) as driver:
        for index in range(cases):
            case = make_case(seed, index, stacks)
            if case.kind != "analyze":
                continue
            size = len(json.dumps(case.resources[0].inputs, ensure_ascii=False))
            outcome = driver.run(case)
            if outcome.error is not None:
                raise PackError(f"{pack_dir.name}: {outcome.location}: {outcome.error}")
            if outcome.seconds > worst[0]:
                worst = (outcome.seconds, case.describe(), size)
            if size <= ANALYZE_SIZE_LIMIT:
                small += 1
                worst_small = max(worst_small, outcome.seconds)
    return worst[0], worst[1], worst[2], worst_small, small


def stack_phase(process: PackProcess, resources: Sequence[RegisteredResource], rounds: int) -> float:
    """Median seconds of one ``AnalyzeStack`` over ``resources``."""
    request = stack_request(resources, {r.urn: r for r in resources})
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        process.stub.AnalyzeStack(request, timeout=STACK_CALL_TIMEOUT_S)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def policy_budget(cases: int = BUDGET_CASES, seed: int = 1, rounds: int = BUDGET_ROUNDS) -> bool:
    """The time budget per policy (issue 20): the slowest Analyze over the fuzz corpus, and the stack
    phase of ~5,000 resources whose ids repeat against the same stack with unique ids. True when met."""
    from offline.fuzz import base_stacks

    ok = True
    stacks = base_stacks()
    packs = discover_packs(REPO / "policies")
    print(f"\nSlowest single Analyze over the fuzz corpus (seed {seed}, {cases} cases, Analyze ones only):")
    for pack_dir in packs:
        seconds, case, size, small_s, small = slowest_analyze(pack_dir, stacks, cases, seed)
        verdict = "ok" if small_s * 1000 <= ANALYZE_TARGET_MS else f"over the {ANALYZE_TARGET_MS} ms target"
        print(
            f"    {pack_dir.name:20} slowest {seconds * 1000:6.1f} ms ({size / 1000:.0f} KB: {case[:90]})\n"
            f"    {'':20} slowest of {small} resources <= {ANALYZE_SIZE_LIMIT // 1000} KB: "
            f"{small_s * 1000:6.1f} ms   {verdict}"
        )
        ok &= small_s * 1000 <= ANALYZE_TARGET_MS
    return stack_phase_budget(stacks[1], rounds) and ok


def stack_phase_budget(prod: Sequence[RegisteredResource], rounds: int = BUDGET_ROUNDS) -> bool:
    """The stack phase of ~5,000 resources whose ids repeat (identical copies; distinct URNs sharing ids,
    linked by value) against the same stack with unique ids, per pack. True when within the target."""
    ok = True
    packs = discover_packs(REPO / "policies")
    body = [r for r in prod if r.type != STACK_TYPE]
    copies = max(1, BUDGET_STACK_SIZE // len(body))
    unique = replicate(prod, copies)
    root = [r for r in prod if r.type == STACK_TYPE]
    identical = [*root, *(r for _ in range(copies) for r in body)]
    # Sharing ids with no propertyDependencies (a `pulumi preview --json` or hand-made export): every
    # reference is matched by value, so it names every copy.
    shared_ids = [replace(r, property_dependencies={}) for r in replicate(prod, copies, unique_ids=False)]
    print(
        f"\nStack phase, {len(unique)} resources ({copies} copies of prod), AnalyzeStack median of {rounds}; "
        f"repeated ids vs unique ids (target within {STACK_RATIO_TARGET:.0f}x):"
    )
    with started_packs(packs, project="aws-compute-foundations", stack="bench") as processes:
        for process in processes:
            run_pack(process, [], stack_urn=stack_urn_of("aws-compute-foundations", "bench"), policy_config={})
            base = stack_phase(process, unique, rounds)
            same = stack_phase(process, identical, rounds)
            shared = stack_phase(process, shared_ids, rounds)
            worst = max(same, shared) / base
            verdict = "ok" if worst <= STACK_RATIO_TARGET else f"over the {STACK_RATIO_TARGET:.0f}x target"
            print(
                f"    {process.pack_dir.name:20} unique {base:6.2f} s   identical copies {same:6.2f} s "
                f"({same / base:4.2f}x)   distinct URNs sharing ids, linked by value {shared:6.2f} s "
                f"({shared / base:4.2f}x)   {verdict}"
            )
            ok &= worst <= STACK_RATIO_TARGET
    return ok


def main_bench(parts: Sequence[str] = ()) -> int:
    """Every measurement, or only ``policy-budget`` (``python -m offline.bench policy-budget``), or only its
    stack-phase part (``python -m offline.bench stack-phase``)."""
    if list(parts) == ["policy-budget"]:
        return 0 if policy_budget() else 1
    if list(parts) == ["stack-phase"]:
        from offline.fuzz import base_stacks

        return 0 if stack_phase_budget(base_stacks()[1]) else 1
    print(f"make bench: {PREVIEW_RUNS} runs per stack, {COPIES} copies of prod for the pack rate\n")
    failed = False
    print("Preview wall time (python -m offline preview, median):")
    for stack in ("dev", "prod"):
        median, status = preview_times(stack)
        verdict = "ok" if median <= PREVIEW_TARGET_S else f"over the {PREVIEW_TARGET_S:.0f} s target"
        print(f"    {stack:5} {median:6.2f} s   exit {status}   {verdict}")
        failed |= status not in (0, 1)

    resources = large_stack()
    packs = discover_packs(REPO / "policies")
    print(f"\nPack evaluation rate ({len(resources)} resources, Analyze each + AnalyzeStack, median of {PACK_ROUNDS}):")
    try:
        with started_packs([NOOP_PACK, *packs], project="aws-compute-foundations", stack="bench") as processes:
            noop_s, noop_stack_s = pack_seconds(processes[0], resources)
            print(
                f"    {'noop (floor)':20} {len(resources) / noop_s:6.0f} resources/s   {noop_s:6.2f} s "
                f"(AnalyzeStack {noop_stack_s:5.2f} s)"
            )
            for process in processes[1:]:
                seconds, stack_s = pack_seconds(process, resources)
                ratio = seconds / noop_s
                verdict = "ok" if ratio <= RATIO_TARGET else f"over the {RATIO_TARGET}x target"
                print(
                    f"    {process.pack_dir.name:20} {len(resources) / seconds:6.0f} resources/s   {seconds:6.2f} s "
                    f"(AnalyzeStack {stack_s:5.2f} s)   {ratio:5.2f}x the floor   {verdict}"
                )
    except PackError as exc:
        print(f"    error: {exc}")
        failed = True

    try:
        failed |= not policy_budget()
    except PackError as exc:
        print(f"    error: {exc}")
        failed = True

    elapsed, done = _timed([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"])
    summary = next((line for line in reversed(done.stdout.splitlines()) if re.search(r"\d+ (passed|failed)", line)), "")
    print(f"\nTest suite: {elapsed:.1f} s wall   {summary.strip('= ')}")
    failed |= done.returncode != 0
    return 1 if failed else 0


main = main_bench  # the name offline/cli.py calls

if __name__ == "__main__":
    sys.exit(main_bench(sys.argv[1:]))

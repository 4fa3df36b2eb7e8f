"""``make fuzz``: feed the real policy pack processes hostile resources and stacks over the Analyzer protocol.

Each pack under ``policies/`` is started and configured as ``preview`` does (``offline.analyzer``), then
sent the cases of :mod:`offline.fuzzcases`: ``Analyze`` of one mutated resource, or ``AnalyzeStack`` of a
mutated dev or prod stack. A policy must never raise (the engine fails the whole preview) nor stall (the
engine sets no deadline on ``Analyze``), so the run reports, per pack:

- the cases run;
- crashes, deduplicated by where the traceback ends in project code, each minimised to a small
  reproducer written to ``build/fuzz/`` (replay one with ``python -m offline.fuzz --replay FILE``). The
  gRPC call carries only the exception's message, and the pack's stderr stays empty (gRPC's logger has a
  null handler), so a failing request is replayed in this process through the same SDK servicer
  (:class:`InProcessPack`) to read its traceback;
- every call over ``SLOW_S`` seconds, and hangs: calls still running after ``HANG_S`` (the pack is
  restarted, since its worker thread is stuck).

Exit status 1 when anything was found, 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import grpc

from offline.analyzer import (
    PackError,
    PackProcess,
    analyze_request,
    discover_packs,
    read_pack_file,
    run_pack,
    stack_request,
    to_wire,
)
from offline.fuzzcases import Case, make_case
from offline.harness import RegisteredResource, stack_urn_of

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "build" / "fuzz"
PROJECT = "aws-compute-foundations"
SLOW_S = 1.0
HANG_S = 10.0
SHRINK_BUDGET = 120
# Building an in-process pack swaps the SDK's PolicyPack for a moment: one pack at a time.
_IMPORT_LOCK = threading.Lock()
_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')


@dataclass
class Finding:
    """One distinct crash (or hang) of one pack: where, how often, the first case and its reproducer."""

    location: str
    message: str
    count: int = 0
    case: str = ""
    reproducer: str = ""


@dataclass
class PackReport:
    pack: str
    cases: dict[str, int] = field(default_factory=lambda: {"analyze": 0, "stack": 0})
    crashes: dict[str, Finding] = field(default_factory=dict)
    hangs: list[Finding] = field(default_factory=list)
    slow: list[tuple[float, str]] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def clean(self) -> bool:
        return not self.crashes and not self.hangs and not self.slow


@dataclass
class Outcome:
    """What one call did: ``error`` is None when the pack answered."""

    seconds: float
    error: str | None = None
    location: str = ""
    hang: bool = False


# --------------------------------------------------------------------------------------------------
# Stacks the cases start from
# --------------------------------------------------------------------------------------------------


def base_stacks() -> list[list[RegisteredResource]]:
    """The dev and prod stacks as the offline engine registers them, and prod as a first preview sees it."""
    from offline.preview import run_stack_program
    from offline.project import load_stack

    stacks = []
    for name, first in (("dev", False), ("prod", False), ("prod", True)):
        run = run_stack_program(load_stack(REPO, name), first_preview=first).check()
        # Wire-shaped from the start (unknowns as the sentinel, numbers as doubles), so a case is plain JSON.
        stacks.append([replace(r, inputs=to_wire(r.inputs), outputs=to_wire(r.outputs)) for r in run.resources])
    return stacks


# --------------------------------------------------------------------------------------------------
# One pack, driven call by call
# --------------------------------------------------------------------------------------------------


def traceback_location(stderr: str) -> tuple[str, str]:
    """``(where, exception line)`` of the last traceback in ``stderr``: the deepest frame in project code
    (``policies/``), else the deepest frame; ``("", "")`` when there is no traceback."""
    start = stderr.rfind("Traceback (most recent call last):")
    if start < 0:
        return "", ""
    lines = stderr[start:].splitlines()[1:]
    frames: list[tuple[str, str, str]] = []
    exception = ""
    for line in lines:
        match = _FRAME.match(line)
        if match:
            frames.append((match["path"], match["line"], match["func"]))
        elif frames and line and not line.startswith(" "):
            exception = line.strip()
            break
    if not frames:
        return "", exception
    ours = [f for f in frames if "/policies/" in f[0]]
    path, line_no, func = (ours or frames)[-1]
    short = path.split("/policies/", 1)[-1] if "/policies/" in path else path.rsplit("/site-packages/", 1)[-1]
    kind = exception.split(":", 1)[0]
    return f"{short}:{line_no} in {func} ({kind})", exception


class PackDriver:
    """A started, configured pack; restarted when a call hangs or the process dies."""

    def __init__(self, pack_dir: Path, *, hang_s: float = HANG_S) -> None:
        self.pack_dir = pack_dir
        self.hang_s = hang_s
        self.process: PackProcess | None = None
        self._in_process: InProcessPack | None = None

    def __enter__(self) -> PackDriver:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> None:
        self.close()
        process = PackProcess(self.pack_dir, project=PROJECT, stack="fuzz")
        process.__enter__()
        self.process = process
        # Info and Configure exactly as a preview does; no resources, an empty AnalyzeStack.
        run_pack(process, [], stack_urn=stack_urn_of(PROJECT, "fuzz"), policy_config={})

    def close(self) -> None:
        if self.process is not None:
            self.process.close()
            self.process = None

    def in_process(self) -> InProcessPack:
        if self._in_process is None:
            with _IMPORT_LOCK:
                self._in_process = InProcessPack(self.pack_dir)
        return self._in_process

    def run(self, case: Case) -> Outcome:
        assert self.process is not None
        by_urn = {r.urn: r for r in case.resources}
        try:
            if case.kind == "analyze":
                request: Any = analyze_request(case.resources[0], by_urn)
                call: Callable[..., Any] = self.process.stub.Analyze
            else:
                request = stack_request(case.resources, by_urn)
                call = self.process.stub.AnalyzeStack
        except (ValueError, TypeError, OverflowError) as exc:  # not sendable: the engine could not send it either
            return Outcome(0.0, error=None, location=f"unsendable: {exc}")
        start = time.perf_counter()
        try:
            call(request, timeout=self.hang_s)
        except grpc.RpcError as exc:
            seconds = time.perf_counter() - start
            code = exc.code() if hasattr(exc, "code") else None
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                self.start()  # the worker thread is stuck in the policy: start afresh
                return Outcome(seconds, error=f"no answer within {self.hang_s:.0f} s", location="hang", hang=True)
            detail = str(exc.details() if hasattr(exc, "details") else exc)
            if code == grpc.StatusCode.UNAVAILABLE:
                where = "pack process exited" + (self.process.stderr_tail(5) if self.process else "")
                self.start()
                return Outcome(seconds, error=detail, location=where)
            where, exception = self.in_process().locate(case)
            return Outcome(seconds, error=exception or detail, location=where or f"gRPC {code}: {detail[:80]}")
        return Outcome(time.perf_counter() - start)


class InProcessPack:
    """The pack's own policies behind the SDK's own servicer, called in this process: where a crash is.

    A policy's exception reaches the engine as its message only, and the pack's stderr stays empty (gRPC's
    logger has a null handler), so a crash is located by replaying its request here, through the same
    ``_PolicyAnalyzerServicer`` the pack process serves, configured by the same ``run_pack``.
    """

    def __init__(self, pack_dir: Path) -> None:
        import inspect
        import runpy

        import pulumi_policy
        from pulumi_policy.policy import EnforcementLevel, _PolicyAnalyzerServicer

        captured: dict[str, Any] = {}
        real = pulumi_policy.PolicyPack

        class Capture:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                bound = inspect.signature(real.__init__).bind(self, *args, **kwargs)
                bound.apply_defaults()
                captured.update(bound.arguments)

        # As ``python -m pulumi.policy`` does, the pack folder is importable (a pack may carry its rules).
        if str(pack_dir.resolve()) not in sys.path:
            sys.path.insert(0, str(pack_dir.resolve()))
        pulumi_policy.PolicyPack = Capture  # type: ignore[misc,assignment]
        try:
            runpy.run_path(str(pack_dir / "__main__.py"), run_name="__main__")
        finally:
            pulumi_policy.PolicyPack = real  # type: ignore[misc]
        self.servicer = _PolicyAnalyzerServicer(
            captured["name"],
            "0.0.1",
            captured["policies"],
            captured["enforcement_level"] or EnforcementLevel.ADVISORY,
            *(
                captured[k]
                for k in ("initial_config", "description", "display_name", "readme", "provider", "tags", "repository")
            ),
        )
        self.pack_dir = pack_dir
        self.pack_file = read_pack_file(pack_dir)
        self.project, self.stack, self.dry_run, self.label = PROJECT, "fuzz", True, str(pack_dir)
        self.stub = self
        run_pack(self, [], stack_urn=stack_urn_of(PROJECT, "fuzz"), policy_config={})  # type: ignore[arg-type]

    def __getattr__(self, method: str) -> Callable[..., Any]:
        # The stub's call shape, ``method(request, timeout=...)``, on the servicer's ``method(request, context)``.
        return lambda request, timeout=None: getattr(self.servicer, method)(request, None)

    def locate(self, case: Case) -> tuple[str, str]:
        """``(where, exception)`` for ``case`` run here; ``("", "")`` when it does not raise."""
        import traceback

        by_urn = {r.urn: r for r in case.resources}
        try:
            if case.kind == "analyze":
                self.servicer.Analyze(analyze_request(case.resources[0], by_urn), None)
            else:
                self.servicer.AnalyzeStack(stack_request(case.resources, by_urn), None)
        except Exception as exc:  # noqa: BLE001 - any exception is the finding
            text = "".join(traceback.format_exception(exc))
            return traceback_location(text)
        return "", ""


# --------------------------------------------------------------------------------------------------
# Minimising a crash
# --------------------------------------------------------------------------------------------------


def _smaller_values(value: Any) -> list[Any]:
    """Simpler stand-ins for ``value``, smallest first."""
    if isinstance(value, dict):
        options: list[Any] = [{}]
        options += [{k: v for k, v in value.items() if k != key} for key in value]
        options += [child for child in value.values() if isinstance(child, (dict, list))]
        return options
    if isinstance(value, list):
        options = [[]] if value else []
        if len(value) > 1:
            half = len(value) // 2
            options += [value[:half], value[half:]]
        options += [value[:i] + value[i + 1 :] for i in range(min(len(value), 8))]
        return options
    if isinstance(value, str) and len(value) > 8:
        return [value[: len(value) // 2], value[: max(8, len(value) // 8)]]
    return []


def shrink_tree(value: Any, fails: Callable[[Any], bool], budget: list[int]) -> Any:
    """A smaller ``value`` that still ``fails``: greedy, top-down, at most ``budget[0]`` calls."""
    changed = True
    while changed and budget[0] > 0:
        changed = False
        for candidate in _smaller_values(value):
            if budget[0] <= 0:
                break
            budget[0] -= 1
            if fails(candidate):
                value, changed = candidate, True
                break
    if isinstance(value, dict):
        for key in list(value):
            if budget[0] <= 0:
                break
            value = {**value, key: shrink_tree(value[key], _keyed(fails, value, key), budget)}
    elif isinstance(value, list):
        for i in range(len(value)):
            if budget[0] <= 0:
                break
            value = [
                *value[:i],
                shrink_tree(value[i], _indexed(fails, value, i), budget),
                *value[i + 1 :],
            ]
    return value


def _keyed(fails: Callable[[Any], bool], base: dict[str, Any], key: str) -> Callable[[Any], bool]:
    return lambda value: fails({**base, key: value})


def _indexed(fails: Callable[[Any], bool], base: list[Any], index: int) -> Callable[[Any], bool]:
    return lambda value: fails([*base[:index], value, *base[index + 1 :]])


def _built(fails: Callable[[Case], bool], build: Callable[[Any], Case]) -> Callable[[Any], bool]:
    return lambda props: fails(build(props))


def minimise(driver: PackDriver, case: Case, location: str, budget: int = SHRINK_BUDGET) -> Case:
    """The smallest variant of ``case`` found within ``budget`` calls that still crashes at ``location``."""

    def fails(candidate: Case) -> bool:
        outcome = driver.run(candidate)
        return outcome.location == location and outcome.error is not None

    remaining = [budget]
    resources = list(case.resources)
    if case.kind == "stack":
        chunk = max(1, len(resources) // 2)
        while chunk >= 1 and remaining[0] > 0:
            i, progressed = 0, False
            while i < len(resources) and remaining[0] > 0:
                trial = resources[:i] + resources[i + chunk :]
                remaining[0] -= 1
                if trial and fails(replace(case, resources=trial)):
                    resources, progressed = trial, True
                else:
                    i += chunk
            chunk = chunk if progressed and chunk > 1 else chunk // 2
    for index, resource in enumerate(resources):
        key = "inputs" if case.kind == "analyze" else "outputs"

        def with_props(props: Any, index: int = index, key: str = key, base: list[Any] = resources) -> Case:
            changed = replace(base[index], **{key: props if isinstance(props, dict) else {}})
            return replace(case, resources=[*base[:index], changed, *base[index + 1 :]])

        smaller = shrink_tree(getattr(resource, key), _built(fails, with_props), remaining)
        resources = with_props(smaller).resources
    return replace(case, resources=resources)


def write_reproducer(out_dir: Path, pack: str, case: Case, finding: Finding) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{pack} {finding.location}").strip("-")[:100]
    path = out_dir / f"{slug}.json"
    document = {
        "pack": pack,
        "kind": case.kind,
        "location": finding.location,
        "message": finding.message[:500],
        "case": case.describe(),
        "resources": [asdict(r) for r in case.resources],
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path


def load_reproducer(path: Path) -> Case:
    document = json.loads(path.read_text(encoding="utf-8"))
    resources = [RegisteredResource(**r) for r in document["resources"]]
    return Case(document["kind"], 0, 0, resources, [str(document.get("case", ""))])


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


def fuzz_pack(
    pack_dir: Path,
    stacks: Sequence[Sequence[RegisteredResource]],
    *,
    cases: int,
    seed: int,
    out_dir: Path | None = OUT_DIR,
    hang_s: float = HANG_S,
    shrink: bool = True,
    progress: Callable[[str], None] | None = None,
) -> PackReport:
    report = PackReport(pack_dir.name)
    with PackDriver(pack_dir, hang_s=hang_s) as driver:
        for index in range(cases):
            case = make_case(seed, index, stacks)
            outcome = driver.run(case)
            report.cases[case.kind] += 1
            if outcome.seconds > report.slowest[0]:
                report.slowest = (outcome.seconds, case.describe())
            if outcome.seconds > SLOW_S and not outcome.hang:
                report.slow.append((outcome.seconds, case.describe()))
            if outcome.hang:
                finding = Finding("hang", outcome.error or "", 1, case.describe())
                if out_dir is not None:
                    finding.reproducer = str(write_reproducer(out_dir, f"{report.pack}-{index}", case, finding))
                report.hangs.append(finding)
            elif outcome.error is not None:
                known = report.crashes.get(outcome.location)
                if known is not None:
                    known.count += 1
                    continue
                finding = report.crashes[outcome.location] = Finding(
                    outcome.location, outcome.error, 1, case.describe()
                )
                if out_dir is not None:
                    small = minimise(driver, case, outcome.location) if shrink else case
                    finding.reproducer = str(write_reproducer(out_dir, report.pack, small, finding))
            if progress is not None and (index + 1) % 500 == 0:
                progress(f"{report.pack}: {index + 1}/{cases} cases, {len(report.crashes)} crash locations")
    return report


def run_fuzz(
    pack_dirs: Sequence[Path],
    *,
    cases: int,
    seed: int,
    out_dir: Path | None = OUT_DIR,
    hang_s: float = HANG_S,
    shrink: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[PackReport]:
    """Fuzz every pack with the same ``cases`` cases of ``seed``, the packs side by side."""
    stacks = base_stacks()
    with ThreadPoolExecutor(max_workers=max(1, len(pack_dirs))) as pool:
        futures = [
            pool.submit(
                fuzz_pack,
                Path(d),
                stacks,
                cases=cases,
                seed=seed,
                out_dir=out_dir,
                hang_s=hang_s,
                shrink=shrink,
                progress=progress,
            )
            for d in pack_dirs
        ]
        return [f.result() for f in futures]


def format_report(reports: Sequence[PackReport], *, seed: int, hang_s: float = HANG_S) -> str:
    lines = [f"make fuzz: seed {seed}, calls over {SLOW_S:.0f} s reported, hang after {hang_s:.0f} s"]
    for report in reports:
        total = sum(report.cases.values())
        crashes = sum(f.count for f in report.crashes.values())
        lines.append(
            f"\n{report.pack}: {total} cases "
            f"({report.cases['analyze']} Analyze, {report.cases['stack']} AnalyzeStack), "
            f"{crashes} crashes at {len(report.crashes)} locations, {len(report.hangs)} hangs, "
            f"{len(report.slow)} calls over {SLOW_S:.0f} s, slowest {report.slowest[0] * 1000:.0f} ms"
        )
        lines.append(f"    slowest: {report.slowest[1][:160]}")
        for finding in sorted(report.crashes.values(), key=lambda f: -f.count):
            lines.append(f"    CRASH x{finding.count} at {finding.location}: {finding.message[:160]}")
            lines.append(f"        first: {finding.case[:160]}")
            if finding.reproducer:
                lines.append(f"        reproducer: {finding.reproducer}")
        for finding in report.hangs[:10]:
            lines.append(f"    HANG {finding.case[:160]}  reproducer: {finding.reproducer}")
        for seconds, case in sorted(report.slow, reverse=True)[:10]:
            lines.append(f"    SLOW {seconds:.2f} s  {case[:160]}")
    return "\n".join(lines)


def replay(path: Path, pack_dirs: Sequence[Path]) -> int:
    case = load_reproducer(path)
    status = 0
    for pack_dir in pack_dirs:
        with PackDriver(pack_dir) as driver:
            outcome = driver.run(case)
        verdict = "ok" if outcome.error is None else f"{outcome.location}: {outcome.error}"
        print(f"{pack_dir.name}: {outcome.seconds * 1000:.0f} ms  {verdict}")
        status |= outcome.error is not None or outcome.seconds > SLOW_S
    return int(status)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases per pack (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pack", action="append", type=Path, help="a pack directory (default: every pack)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where reproducers go (default build/fuzz)")
    parser.add_argument(
        "--hang", type=float, default=HANG_S, help=f"seconds before a call counts as a hang ({HANG_S:.0f})"
    )
    parser.add_argument("--no-shrink", action="store_true", help="write crashing cases as found")
    parser.add_argument("--replay", type=Path, help="run one reproducer file through the packs")
    args = parser.parse_args(argv)
    packs = args.pack or discover_packs(REPO / "policies")
    try:
        if args.replay:
            return replay(args.replay, packs)
        started = time.perf_counter()
        reports = run_fuzz(
            packs,
            cases=args.cases,
            seed=args.seed,
            out_dir=args.out,
            hang_s=args.hang,
            shrink=not args.no_shrink,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except PackError as exc:
        print(f"make fuzz: {exc}", file=sys.stderr)
        return 2
    print(format_report(reports, seed=args.seed, hang_s=args.hang))
    print(f"\n{time.perf_counter() - started:.0f} s wall")
    return 0 if all(r.clean() for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())

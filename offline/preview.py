"""``preview``: what ``pulumi preview --policy-pack`` would say about a stack, with no CLI and no cloud.

1. Read the project and the stack's config as the CLI merges them (``project.py``).
2. Start every policy pack (the slow part: each is a Python process importing its SDK) in the
   background, while the real program runs in-process under the mock cloud (``harness.py``).
3. Print the resource tree, the outputs and the count, then drive the packs over the Analyzer
   protocol with every registered resource and print their findings as the CLI does.
4. Write the reports that were asked for and the architecture diagram.

Exit status: 0 when no mandatory violation, 1 when there is one, 2 when the project, its config, the
program or a pack fails (the error's message only; a program bug that is not a ``RunError`` also
gets a short traceback, since that is what its author needs).
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from offline.project import ProjectError, StackSettings, load_stack
from offline.render import display_path

if TYPE_CHECKING:
    from offline.analyzer import PackProcess, PackResult
    from offline.exposure import ExposureReport
    from offline.harness import ProgramRun

EXIT_OK = 0
EXIT_MANDATORY = 1
EXIT_FAILED = 2


@dataclass
class PreviewOptions:
    stack: str = "dev"
    project_dir: Path = Path(".")
    out: Path | None = None
    sarif: Path | None = None
    policy_config: Path | None = None
    # Pack directories to run; None means every pack under <project>/policies, as `make preview` does.
    policy_packs: list[Path] | None = None
    policies: bool = True
    # Where the diagram goes; None means <project>/build. Empty string disables it.
    build_dir: Path | None = None
    diagram: bool = True
    # Run as the CLI's first `pulumi preview` sees a new stack: no computed output is known yet.
    first_preview: bool = False


@dataclass
class PreviewResult:
    """What a preview found, for callers (tests, bench) that want more than the exit status."""

    status: int
    settings: StackSettings | None = None
    run: ProgramRun | None = None
    results: list[PackResult] = field(default_factory=list)
    diagram_paths: list[Path] = field(default_factory=list)
    exposure: ExposureReport | None = None


class PreviewFailed(Exception):
    """The preview cannot go on; the message is what the user sees."""


def run_stack_program(settings: StackSettings, *, first_preview: bool = False) -> ProgramRun:
    """Run the stack's program as the language host would (in its project directory) under the mock cloud.

    ``first_preview`` runs it as ``pulumi preview`` sees a stack that does not exist yet: ids, ARNs and
    every other computed output unknown, so the packs meet the unknowns a real first preview sends.
    """
    from offline.harness import program_from_file, run_program
    from offline.mockcloud import FirstPreviewCloud, MockCloud

    previous = Path.cwd()
    os.chdir(settings.project_dir)
    try:
        return run_program(
            program_from_file(settings.program.resolve(), [settings.project_dir.resolve()]),
            (FirstPreviewCloud if first_preview else MockCloud)(region=settings.region),
            project=settings.project,
            stack=settings.stack,
            config=settings.config,
            preview=first_preview,
        )
    finally:
        os.chdir(previous)


def describe_program_error(error: BaseException, program: Path) -> tuple[str, str]:
    """The one-line message the CLI prints for ``error``, and a short traceback when it is a program bug."""
    import pulumi

    from offline.mockcloud import UnknownInvokeError

    message = " ".join(str(error).split()) or type(error).__name__
    # A mock cloud gap names its token; where it was raised inside the mock says nothing more.
    if isinstance(error, pulumi.RunError | UnknownInvokeError):
        return message, ""
    frames = traceback.extract_tb(error.__traceback__)
    # The program's own frames; the SDK's frames say nothing to its author.
    root = str(program.resolve().parent)
    user = [f for f in frames if f.filename.startswith(root)]
    header = "Traceback (most recent call last, program frames only):" if user else "Traceback (most recent call last):"
    short = "".join(traceback.format_list((user or frames)[-6:]))
    return f"{type(error).__name__}: {message}", f"{header}\n{short}"


@contextmanager
def _packs_in_background(pack_dirs: Sequence[Path], *, project: str, stack: str) -> Iterator[Any]:
    """Start the packs on a thread; the value is a callable that waits for them and returns the processes."""
    from offline.analyzer import started_packs

    with ExitStack() as cleanup:
        started: dict[str, Any] = {}

        def start() -> None:
            try:
                started["processes"] = cleanup.enter_context(started_packs(pack_dirs, project=project, stack=stack))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread below
                started["error"] = exc

        thread = threading.Thread(target=start, name="start-policy-packs", daemon=True)
        thread.start()

        def wait() -> list[PackProcess]:
            thread.join()
            if "error" in started:
                raise started["error"]
            return list(started["processes"])

        try:
            yield wait
        finally:
            thread.join()


def analyze(
    processes: Sequence[PackProcess],
    run: ProgramRun,
    policy_config: Mapping[str, Any] | None,
) -> list[PackResult]:
    """``run_packs`` over packs already started while the program ran."""
    from offline.analyzer import run_started

    return run_started(processes, run.resources, project=run.project, stack=run.stack, policy_config=policy_config)


def preview(options: PreviewOptions, out: TextIO | None = None, err: TextIO | None = None) -> PreviewResult:
    """Run the whole preview, printing as it goes; never raises for bad input, the status says how it went."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        return _preview(options, out, err)
    except (ProjectError, PreviewFailed) as exc:
        print(f"error: {exc}", file=err)
        return PreviewResult(status=EXIT_FAILED)


def _preview(options: PreviewOptions, out: TextIO, err: TextIO) -> PreviewResult:
    from offline import render
    from offline.exposure import stack_exposures

    settings = load_stack(options.project_dir, options.stack)
    policy_config = _load_policy_config(options.policy_config) if options.policy_config else None
    pack_dirs = _pack_dirs(options, settings) if options.policies else []

    with ExitStack() as scope:
        wait_for_packs = (
            scope.enter_context(_packs_in_background(pack_dirs, project=settings.project, stack=settings.stack))
            if pack_dirs
            else None
        )
        run = run_stack_program(settings, first_preview=options.first_preview)
        if run.error is not None:
            message, trace = describe_program_error(run.error, settings.program)
            if trace:
                print(trace, file=err, end="")
            print(f"error: {message}", file=err)
            return PreviewResult(status=EXIT_FAILED, settings=settings, run=run)

        print(
            f"Previewing update ({settings.stack}) offline: program under the mock cloud ({settings.region})", file=out
        )
        print("", file=out)
        for line in render.resource_tree(run.resources):
            print(line, file=out)
        print("", file=out)
        for line in render.outputs(run.outputs):
            print(line, file=out)
        if run.outputs:
            print("", file=out)
        exposure = stack_exposures(run.resources)
        for line in exposure.lines():
            print(line, file=out)
        print("", file=out)
        for line in render.resource_count(run.resources):
            print(line, file=out)
        out.flush()

        results: list[PackResult] = []
        if wait_for_packs is not None:
            results = _run_policies(wait_for_packs, run, policy_config)
            print("", file=out)
            print(_policy_text(results, run), file=out)

    if options.out is not None or options.sarif is not None:
        print("", file=out)
        _write_reports(options, settings, run, results, exposure, out)
    paths = _write_diagram(options, settings, run, exposure, out) if options.diagram else []
    from offline.analyzer import has_mandatory

    status = EXIT_MANDATORY if has_mandatory(results) else EXIT_OK
    return PreviewResult(
        status=status, settings=settings, run=run, results=results, diagram_paths=paths, exposure=exposure
    )


def _pack_dirs(options: PreviewOptions, settings: StackSettings) -> list[Path]:
    from offline.analyzer import discover_packs

    if options.policy_packs is not None:
        missing = [p for p in options.policy_packs if not (p / "PulumiPolicy.yaml").is_file()]
        if missing:
            raise PreviewFailed(f"{missing[0]} is not a policy pack (no PulumiPolicy.yaml)")
        return list(options.policy_packs)
    return discover_packs(settings.project_dir / "policies")


def _load_policy_config(path: Path) -> dict[str, Any]:
    from offline.report import load_policy_config

    try:
        return load_policy_config(path)
    except ValueError as exc:
        raise PreviewFailed(str(exc)) from None


def _run_policies(wait_for_packs: Any, run: ProgramRun, policy_config: Mapping[str, Any] | None) -> list[PackResult]:
    from offline.analyzer import PackError

    try:
        return analyze(wait_for_packs(), run, policy_config)
    except (PackError, ValueError) as exc:
        raise PreviewFailed(str(exc)) from None


def _policy_text(results: Sequence[PackResult], run: ProgramRun) -> str:
    from offline.report import render_text

    for result in results:
        if result.path:
            result.path = display_path(Path(result.path))
    return render_text(results, run.resources)


def _write_reports(
    options: PreviewOptions,
    settings: StackSettings,
    run: ProgramRun,
    results: list[PackResult],
    exposure: ExposureReport,
    out: TextIO,
) -> None:
    from offline.report import write_json, write_sarif

    try:
        if options.out is not None:
            write_json(options.out, settings.stack, run.resources, results, exposures=exposure.exposures)
            print(f"JSON report: {display_path(options.out)}", file=out)
        if options.sarif is not None:
            write_sarif(options.sarif, run.resources, results, program_file=display_path(settings.program))
            print(f"SARIF report: {display_path(options.sarif)}", file=out)
    except OSError as exc:
        raise PreviewFailed(f"cannot write report: {exc}") from None


def _write_diagram(
    options: PreviewOptions, settings: StackSettings, run: ProgramRun, exposure: ExposureReport, out: TextIO
) -> list[Path]:
    from offline import diagram

    build_dir = options.build_dir if options.build_dir is not None else settings.project_dir / "build"
    drawing = diagram.build(run.resources, title=f"{settings.project} ({settings.stack})", exposures=exposure.exposures)
    try:
        files = diagram.write_files(drawing, build_dir, settings.stack)
    except OSError as exc:
        raise PreviewFailed(f"cannot write the diagram to {build_dir}: {exc}") from None
    print("", file=out)
    print("Diagram:", file=out)
    for path in files.paths():
        print(f"    {display_path(path)}", file=out)
    if files.note:
        print(f"    ({files.note})", file=out)
    return files.paths()

"""``make mutate [MODULE=...]``: mutmut over the security logic, fitted to this repository's layout.

mutmut 3 alone does not work here, for five reasons this wrapper answers:

- **Import path.** The rule modules live in ``policies/guardrails/`` but are imported as ``guardrails.*``
  (``tests/policies/conftest.py`` puts ``policies/`` on ``sys.path``; each pack reaches it through its
  ``guardrails`` symlink). mutmut names a mutant after its file path
  (``policies.guardrails.ingress.x_f__mutmut_1``) while its trampoline
  records the imported module (``guardrails.ingress``), so every mutant would have "no tests". The
  name is taken relative to ``policies/`` here.
- **Test ids with ``::``.** Parametrized ids such as ``[::/0-IPv6]`` or ``[arn:aws:s3:::bucket]`` are
  not handed to pytest on its command line: the run collects the test files and keeps the selected
  ids in a collection hook, so no id is ever re-parsed.
- **Packs in subprocesses.** A policy that runs in a pack subprocess records no coverage, so those
  tests (marked ``subprocess``) can never be chosen for a mutant; they are left out of every run. The
  active mutant is kept out of the environment, so an unmarked one runs the original rules in its
  subprocess rather than failing there.
- **Virtualenvs among the sources.** Each pack has its own ``venv/`` (``make packs``) inside
  ``policies/`` and ``offline/``; mutmut would copy and scan all of it, so it is left out of the walk.
- **A Pulumi runtime that does not survive ``fork``.** mutmut's default forks every mutant from the
  process that already ran the suite (event loops, gRPC). ``process_isolation = "forkserver"`` keeps
  that process clean and forks each mutant from a server that has only collected the tests.

Each mutant runs only the tests that reached the mutated function during mutmut's stats run, and of
those only the ones ``[tool.mutate.tests]`` allows to judge its module: a run over every module shares one
stats run, yet a config mutant is never judged by the cloud-rule tests that happen to reach it.
Modules matched in ``[tool.mutate.sample]`` are sampled: a fixed-seed random share of their mutants is
tested (never fewer than ``sample_floor``, or all of a smaller module), and the table says "sampled N%"
beside the figure. ``--sample SIZE`` samples every module (a share up to 1, or a number of mutants above
it); ``--sample 1`` tests every mutant. A run over every module (no ``MODULE=``) must fit in 90 minutes on
two cores, so it tests at most ``full_run_mutants``: one share for every module, the largest that fits,
each module's rate then an estimate the table marks as sampled. ``MODULE=`` runs stay exact.
Every run starts from a fresh ``mutants/`` so an edited test is never judged by stale results; the
table is also written to ``build/mutate-table.txt`` (the weekly workflow uploads it).
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import json
import math
import random
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "mutants"
# Kept survivors, each explained: a "## <module path or folder>" section per module, a table row per mutant.
EQUIVALENTS = ROOT / "tests" / "mutation-equivalent.md"
TABLE = ROOT / "build" / "mutate-table.txt"
# The sampled mutants are drawn with this seed, so two runs over the same source test the same mutants.
SAMPLE_SEED = 19
# Sources that are imported by a bare name because their parent directory is put on sys.path.
IMPORT_ROOTS = ("policies",)
# mutmut's statuses that count as killed: a failing test, a timeout, a type error the checker caught.
KILLED = frozenset({"killed", "timeout", "caught by type check"})


def _module_name(relative_source_path: Path, mutant_method_name: str) -> str:
    """mutmut's ``get_mutant_name``, with ``policies/`` treated as an import root like ``src/``."""
    parts = list(relative_source_path.with_suffix("").parts)
    if parts and parts[0] in IMPORT_ROOTS:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([*parts, mutant_method_name])


class _KeepSelected:
    """A pytest plugin that keeps exactly the node ids mutmut chose, fastest first.

    mutmut stops at the first failure, so a killed mutant costs only the quickest test that sees it.
    """

    def __init__(self, wanted: set[str], seconds: dict[str, float]) -> None:
        self.wanted = wanted
        self.seconds = seconds

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        keep = [item for item in items if item.nodeid in self.wanted]
        dropped = [item for item in items if item.nodeid not in self.wanted]
        keep.sort(key=lambda item: self.seconds.get(item.nodeid, 0.0))
        items[:] = keep
        if dropped:
            config.hook.pytest_deselected(items=dropped)


def _patch_mutmut(judges: dict[str, tuple[str, ...]] | None) -> None:
    import mutmut.__main__ as cli
    import mutmut.mutation.file_mutation as file_mutation
    import mutmut.utils.format_utils as format_utils
    from mutmut.runners import harness
    from mutmut.state import state

    for module in (cli, file_mutation, format_utils):
        module.get_mutant_name = _module_name  # type: ignore[attr-defined]

    # The active mutant lives in this process only, never in the environment: a pack or CLI that a test
    # starts in a subprocess runs the original rules (its hits could not be recorded anyway), instead of
    # failing to find mutmut's config from the pack's folder during the stats run.
    import os

    from mutmut.mutation import trampoline
    from mutmut.workers import isolation

    def set_in_process(name: str | None) -> None:
        trampoline._mutant_under_test = name
        os.environ.pop("MUTANT_UNDER_TEST", None)

    for module in (cli, isolation, trampoline):
        module.set_mutant_under_test = set_in_process  # type: ignore[attr-defined]
    os.environ.pop("MUTANT_UNDER_TEST", None)

    selected: dict[str, set[str]] = {}

    def regular_run_args(self: harness.PytestRunner, tests: Iterable[str]) -> list[str]:
        args = ["-x", "-q", "-p", "no:randomly", "-p", "no:random-order"]
        wanted = set(tests)
        selected["wanted"] = wanted
        if not wanted:
            return args + self._pytest_add_cli_args_test_selection
        return args + sorted({test.split("::", 1)[0] for test in wanted})

    original_execute = harness.PytestRunner.execute_pytest

    def execute_pytest(self: harness.PytestRunner, params: list[str], **kwargs: Any) -> int:
        wanted = selected.pop("wanted", set())
        if wanted:
            kwargs["plugins"] = [*kwargs.get("plugins", []), _KeepSelected(wanted, state().duration_by_test)]
        return original_execute(self, params, **kwargs)

    if judges is not None:
        original_stats = cli.collect_or_load_stats

        def collect_or_load_stats(*args: Any, **kwargs: Any) -> None:
            """mutmut's stats, then each function keeps only the tests allowed to judge its module."""
            original_stats(*args, **kwargs)
            by_function = state().tests_by_mangled_function_name
            for function, tests in by_function.items():
                module = max((m for m in judges if function.startswith(m)), key=len, default=None)
                if module is not None:
                    by_function[function] = {test for test in tests if _may_judge(test, judges[module])}

        cli.collect_or_load_stats = collect_or_load_stats

    harness.PytestRunner._pytest_args_regular_run = regular_run_args  # type: ignore[method-assign]
    harness.PytestRunner.execute_pytest = execute_pytest  # type: ignore[method-assign]
    _skip_virtualenvs()
    _mutate_registered()


def _decorator_name(decorator: Any) -> str | None:
    """``rule`` for ``@rule(...)`` or ``@rule``; None for anything else (``@a.b``, ``@x[0]``)."""
    import libcst as cst

    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        expression = expression.func
    return expression.value if isinstance(expression, cst.Name) else None


@functools.cache
def _mutate_registered() -> None:
    """Mutate functions whose only decorators are named in ``[tool.mutate] mutate_decorated`` (once per process).

    mutmut skips every decorated function but ``@staticmethod``/``@classmethod``: a decorator runs when the
    function is defined, and mutmut copies the whole definition, decorators included, for the original and
    each mutant, so ``@rule(...)`` would register every mutant as a rule. Yet most of a cloud rule's logic is
    its ``@rule`` body, and most of a doctor check's its ``@check`` body. For a decorator that registers or
    wraps the function it is given, the trampoline (which keeps the decorators) is what gets registered, and
    the copies it dispatches to need none: so the copies lose these decorators, and the function is mutated.
    """
    names = frozenset(_settings().get("mutate_decorated", ()))
    if not names:
        return
    import libcst as cst
    import mutmut.mutation.file_mutation as file_mutation
    from libcst.metadata import PositionProvider

    def registered(node: Any) -> bool:
        return (
            isinstance(node, cst.FunctionDef)
            and bool(node.decorators)
            and all(_decorator_name(d) in names for d in node.decorators)
        )

    original_skip = file_mutation.MutationVisitor._skip_node_and_children

    def skip_node_and_children(self: Any, node: Any) -> bool:
        if not registered(node):
            return bool(original_skip(self, node))
        position = self.get_metadata(PositionProvider, node, None)
        if position and position.start.line in self._ignored_node_lines:  # "# pragma: no mutate block"
            return bool(original_skip(self, node))
        return node.name.value in file_mutation.NEVER_MUTATE_FUNCTION_NAMES

    original_arrangement = file_mutation.function_trampoline_arrangement

    def function_trampoline_arrangement(function: Any, mutants: Any, class_name: str | None) -> Any:
        declarations, methods, assignments, mutant_names = original_arrangement(function, mutants, class_name)
        if registered(function):
            trampoline, *copies = methods
            methods = [trampoline, *(copy.with_changes(decorators=[]) for copy in copies)]
        return declarations, methods, assignments, mutant_names

    file_mutation.MutationVisitor._skip_node_and_children = skip_node_and_children  # type: ignore[method-assign]
    file_mutation.function_trampoline_arrangement = function_trampoline_arrangement


def _skip_virtualenvs() -> None:
    """Keep the packs' virtualenvs (``policies/*/venv``, ``offline/noop_pack/venv``) out of mutmut's walk.

    mutmut copies and scans every file under ``source_paths``; a virtualenv would add ~12,000 files and
    270 MB to each run and nothing a test imports. A folder holding ``pyvenv.cfg`` is a virtualenv.
    """
    import os

    from mutmut.configuration import config
    from mutmut.utils import file_utils

    def walk_all_files() -> Iterable[tuple[str, str]]:
        for path in config().source_paths:
            if os.path.isfile(path):
                yield "", str(path)
                continue
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not os.path.isfile(os.path.join(root, d, "pyvenv.cfg"))]
                for name in files:
                    yield root, name

    file_utils.walk_all_files = walk_all_files  # type: ignore[assignment]


def _targets(config_globs: Sequence[str], requested: Sequence[str]) -> list[str]:
    """The configured modules a ``MODULE=`` value names: a path, a file name or a stem (``ingress``)."""
    files = sorted(
        str(path.relative_to(ROOT))
        for pattern in config_globs
        for path in ROOT.glob(pattern)
        if path.suffix == ".py" and path.name != "__init__.py"
    )
    if not requested:
        return files
    chosen: list[str] = []
    for name in requested:
        stem = name.removesuffix(".py")
        hits = [
            f
            for f in files
            if f == name or fnmatch.fnmatch(f, name) or Path(f).stem == stem or f.endswith(f"/{stem}.py")
        ]
        if not hits:
            raise SystemExit(f"MODULE={name}: not one of the mutated modules:\n  " + "\n  ".join(files))
        chosen += [hit for hit in hits if hit not in chosen]
    return chosen


def _settings(section: str = "") -> dict[str, Any]:
    """``[tool.mutate.<section>]`` from pyproject.toml, or ``[tool.mutate]`` itself."""
    import tomllib

    table: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutate"]
    return table.get(section, {}) if section else table


def _test_scope(files: Sequence[str]) -> list[str]:
    """The test files allowed to judge ``files``, from ``[tool.mutate.tests]`` (first match per module)."""
    table = _settings("tests")
    scope: list[str] = []
    for file in files:
        patterns = next((tests for glob, tests in table.items() if fnmatch.fnmatch(file, glob)), ["tests"])
        for pattern in patterns:
            for path in sorted(ROOT.glob(pattern)) or [ROOT / pattern]:
                test = str(path.relative_to(ROOT))
                if test not in scope:
                    scope.append(test)
    return scope


def _statuses(file: str) -> dict[str, str]:
    """mutmut's verdict on each mutant of ``file`` in the last run, by mutant name."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    data = SourceFileMutationData(path=Path(file))
    data.load()
    return {key: status_by_exit_code[code] for key, code in data.exit_code_by_key.items()}


def _current(file: str, statuses: dict[str, str], share: float) -> dict[str, str]:
    """The statuses that measure ``file`` now: of a sampled module, only its sample as drawn from today's source.

    An edit renumbers a module's mutants, and ``--survivors`` then draws its sample again; a result kept from
    the earlier draw is of a mutant no longer in it, and would count twice or stale.
    """
    if share >= 1:
        return statuses
    return {name: statuses.get(name, "not checked") for name in _sample(file, share)[0]}


def _sampled() -> dict[str, float]:
    """The share of each module's mutants the last run tested, for the modules it sampled."""
    stored = WORK / "mutate-sample.json"
    rates: dict[str, float] = json.loads(stored.read_text()) if stored.exists() else {}
    return rates


def _not_killed(file: str) -> list[str]:
    """The mutants to re-test: those not killed, of the module's sample when the last run sampled it.

    The sample is drawn again at the share the last run stored, so an interrupted run is finished, and a
    function edited since (mutmut resets its mutants' results) is tested again, as in a fresh run.
    """
    statuses = _statuses(file)
    share = _sampled().get(file, 1)
    names = _sample(file, share)[0] if share < 1 else list(statuses)
    return [name for name in names if statuses.get(name, "not checked") not in KILLED]


def _judges(files: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each module's name prefix (``components.refresh.``) and the test paths allowed to judge its mutants."""
    return {_module_name(Path(file), "x")[:-1]: tuple(_test_scope([file])) for file in files}


def _may_judge(test: str, scope: Sequence[str]) -> bool:
    path = test.split("::", 1)[0]
    return any(path == allowed or path.startswith(allowed.rstrip("/") + "/") for allowed in scope)


def _sample_sizes(files: Sequence[str], forced: float | None) -> dict[str, float]:
    """How much of each module to test: ``--sample`` if given, else ``[tool.mutate.sample]``, else all (1).

    A size up to 1 is a share of the module's mutants; a larger one is a number of mutants.
    """
    table = _settings("sample")
    sizes = {}
    for file in files:
        configured = next((size for glob, size in table.items() if fnmatch.fnmatch(file, glob)), 1)
        size = float(forced if forced is not None else configured)
        if size <= 0:
            raise SystemExit(f"sample size {size} for {file}: give a share (0-1] or a number of mutants")
        sizes[file] = size
    return sizes


@functools.cache
def _mutants_of(file: str) -> tuple[str, ...]:
    """mutmut's names for the mutants of ``file`` (``x_f__mutmut_3``), as it generates them from the source."""
    from mutmut.mutation.file_mutation import mutate_file_contents

    _mutate_registered()
    return tuple(mutate_file_contents(file, (ROOT / file).read_text(), None, None).mutant_names)


def _drawn(total: int, size: float, floor: int = 0) -> int:
    """How many of a module's ``total`` mutants a sample of ``size`` tests.

    A size up to 1 is a share, rounded up (at least one mutant, and at least ``floor`` or the whole module if
    smaller); a larger size is a number of mutants.
    """
    if size > 1:
        return min(total, int(size))
    return min(total, max(1, math.ceil(size * total), floor))


def _sample(file: str, size: float, floor: int = 0) -> tuple[list[str], float]:
    """A fixed-seed random sample of ``file``'s mutants, named as the run names them, and the share it is.

    ``size`` up to 1 is a share, above 1 a number of mutants (``_drawn``). The seed is fixed per module, so two
    runs over the same source test the same mutants.
    """
    names = list(_mutants_of(file))
    if not names:
        return [], 1.0
    count = _drawn(len(names), size, floor)
    chosen = random.Random(f"{SAMPLE_SEED}:{file}").sample(names, count)
    return [_module_name(Path(file), name) for name in sorted(chosen)], count / len(names)


def _selection(
    files: Sequence[str], patterns: Sequence[str], sizes: dict[str, float], floor: int
) -> tuple[list[str], dict[str, float], int]:
    """What mutmut is given: a whole module by its pattern, a sampled one by its sample's names.

    Also each sampled module's share, and how many mutants that is in all.
    """
    chosen: list[str] = []
    shares: dict[str, float] = {}
    count = 0
    for file, pattern in zip(files, patterns, strict=True):
        if sizes[file] == 1:
            chosen.append(pattern)
            count += len(_mutants_of(file))
            continue
        sample, shares[file] = _sample(file, sizes[file], floor)
        chosen += sample
        count += len(sample)
    return chosen, shares, count


def _fit(sizes: dict[str, float], budget: int, floor: int) -> dict[str, float]:
    """Sizes that test at most ``budget`` mutants in all: every module's share capped by one common share.

    The common share is the largest that fits (found by bisection); a module never goes under ``floor``
    mutants, so the budget is a target that a run over many small modules can pass by their floors.
    """

    def tested(cap: float) -> int:
        return sum(_drawn(len(_mutants_of(f)), min(size, cap), floor) for f, size in sizes.items())

    if tested(1.0) <= budget:
        return sizes
    low, high = 0.0, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if tested(middle) <= budget else (low, middle)
    return {f: min(size, low) for f, size in sizes.items()}


def _explained(text: str) -> set[str]:
    """The full names of the mutants ``tests/mutation-equivalent.md`` explains.

    Each "## " heading names a module (``components/refresh.py``) or a folder (``ops/checks/``, whose rows
    then start with the module: ``green.x_f__mutmut_8``); a row's first cell names mutants in full
    (``x_f__mutmut_8``), by number after a full one (``_10``), or as a range (``x_f__mutmut_3`` to ``_7``).
    """
    names: set[str] = set()
    prefix = ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip().strip("`")
            path = Path(heading)
            prefix = _module_name(path, "x")[:-1] if heading.endswith(".py") else ".".join(path.parts) + "."
            continue
        if not (line.startswith("| `") and prefix):
            continue
        base, last, in_range = "", 0, False
        for token, to in re.findall(r"`([^`]+)`|( to )", line.split("|")[1]):
            if to:
                in_range = True
                continue
            full = re.fullmatch(r"(.*__mutmut_)(\d+)", token)
            short = re.fullmatch(r"_(\d+)", token)
            if full:
                base, number = full.group(1), int(full.group(2))
            elif short and base:
                number = int(short.group(1))
            else:
                continue
            first = last + 1 if in_range else number
            names.update(f"{prefix}{base}{n}" for n in range(first, number + 1))
            last, in_range = number, False
    return names


def _report(files: Sequence[str], show: bool = False) -> int:
    """Print killed/tested per module, then every mutant not killed; return how many modules are under 90%.

    A mutant that was never tested (an interrupted or sampled run) counts in neither figure, and the
    line says how many of the module's mutants were tested, or the share sampled. "unexplained" counts the
    survivors ``tests/mutation-equivalent.md`` does not explain: each is a missing test or a missing reason.
    """
    sampled = _sampled()
    explained = _explained(EQUIVALENTS.read_text()) if EQUIVALENTS.exists() else set()
    every = {file: _statuses(file) for file in files}
    rows = [(file, _current(file, every[file], sampled.get(file, 1)), len(every[file])) for file in files]
    width = max(len(file) for file in files)
    lines = [f"{'module'.ljust(width)}  killed / tested   rate  unexplained  (mutants)"]
    below = 0
    total_killed = total_tested = 0
    for file, statuses, total in rows:
        tested = [status for status in statuses.values() if status != "not checked"]
        killed = sum(status in KILLED for status in tested)
        unexplained = sum(
            status not in KILLED and status != "not checked" and name not in explained
            for name, status in statuses.items()
        )
        total_killed, total_tested = total_killed + killed, total_tested + len(tested)
        rate = 100.0 * killed / len(tested) if tested else 0.0
        below += bool(tested) and rate < 90.0  # a module without mutants (constants only) is not under
        partial = "" if len(tested) == len(statuses) else f"  only {len(tested)} of {len(statuses)} tested"
        if sampled.get(file, 1) < 1:
            partial = f"  sampled {100 * sampled[file]:.0f}%" + partial.replace("  only", ",")
        figures = f"{killed:6} / {len(tested):<6}  {rate:5.1f}%  {unexplained:11}"
        lines.append(f"{file.ljust(width)}  {figures}  ({total}){partial}")
    if len(rows) > 1 and total_tested:
        overall = 100.0 * total_killed / total_tested
        lines.append(f"{'all'.ljust(width)}  {total_killed:6} / {total_tested:<6}  {overall:5.1f}%")
    for file, statuses, _total in rows:
        for name, status in sorted(statuses.items()):
            if status not in KILLED and status != "not checked":
                print(f"  {status}{' (explained)' if name in explained else ''}: {name}")
                if show:
                    from mutmut.mutation.diff_apply import get_diff_for_mutant

                    try:
                        diff = get_diff_for_mutant(name, path=file)
                    except FileNotFoundError:  # the source changed since the run: its mutants are regenerated
                        diff = "(no diff: the function changed since this run)"
                    print("    " + diff.replace("\n", "\n    "))
    # The table comes last, so that it is the end of a long run's log.
    print("\n" + "\n".join(lines))
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text("\n".join(lines) + "\n")
    return below


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module paths, file names or stems; default: every configured one")
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument(
        "--all-tests", action="store_true", help="let every in-process test judge a mutant, not only the module's own"
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse mutants/ from the last run instead of starting clean"
    )
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="keep mutants/ and re-test what the last run did not kill or did not reach",
    )
    parser.add_argument(
        "--sample",
        type=float,
        default=None,
        metavar="SIZE",
        help="test a fixed-seed random sample of every module's mutants: a share (0-1] or a number (above 1);"
        " default: [tool.mutate.sample]",
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=None,
        metavar="N",
        help="test at most about N mutants in all, one share across the modules; default for a run over every"
        " module: full_run_mutants in [tool.mutate]",
    )
    parser.add_argument("--report-only", action="store_true", help="print the last run's figures without running")
    parser.add_argument("--show", action="store_true", help="print the diff of every mutant that was not killed")
    args = parser.parse_args(argv)

    import os

    os.chdir(ROOT)
    from mutmut.configuration import config

    files = _targets(config().only_mutate, args.modules)
    if args.report_only:
        _report(files, args.show)
        return 0
    names = [f"{_module_name(Path(file), 'x')[:-1]}*" for file in files]
    if args.survivors:
        names = [name for file in files for name in _not_killed(file)]
        if not names:
            _report(files)
            return 0
    else:
        if WORK.exists() and not args.keep:
            shutil.rmtree(WORK)
        sizes = _sample_sizes(files, args.sample)
        settings = _settings()
        floor = 0 if args.sample is not None else int(settings.get("sample_floor", 0))
        budget = args.budget if args.budget is not None else int(settings.get("full_run_mutants", 0))
        if budget and args.sample is None and (args.budget is not None or not args.modules):
            sizes = _fit(sizes, budget, floor)
        names, shares, count = _selection(files, names, sizes, floor)
        print(f"testing {count} mutants", flush=True)
        WORK.mkdir(exist_ok=True)
        (WORK / "mutate-sample.json").write_text(json.dumps({f: r for f, r in shares.items() if r < 1}))
    config().only_mutate = files
    if not args.all_tests:
        # A run that reuses mutants/ keeps the first run's scope: mutmut resets every result when it changes.
        stored = WORK / "mutate-scope.json"
        reuse = (args.survivors or args.keep) and stored.exists()
        scope = json.loads(stored.read_text()) if reuse else _test_scope(files)
        added = sorted(set(_test_scope(files)) - set(scope))
        if added:
            # mutmut resets every result when the test selection changes, so a reused run keeps the old one.
            print(f"not judging (new since the first run; start a fresh run to use them): {', '.join(added)}")
        WORK.mkdir(exist_ok=True)
        stored.write_text(json.dumps(scope))
        config().pytest_add_cli_args_test_selection = [*scope, "-m", "not subprocess"]
        print("judged by:", ", ".join(scope), flush=True)
    _patch_mutmut(None if args.all_tests else _judges(files))
    import mutmut.__main__ as cli

    print("mutating:", ", ".join(files), flush=True)
    # Naming the mutants re-tests every one of them and limits the clean run to the tests that reach them.
    cli._run(names, args.max_children)
    return 1 if _report(files, args.show) else 0


if __name__ == "__main__":
    sys.exit(main())

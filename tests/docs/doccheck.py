"""Reads the project's Markdown as a newcomer would run it, and names every line that would fail.

Each ``check_*`` function takes parsed documents and the facts it compares them with (the Makefile's
targets, Pulumi.yaml's config schema, the packs' policy names, botocore's service models) and returns a
list of problems, one line each: ``<doc>:<line>: <what is wrong>``. An empty list means the docs hold.
Only what a reader would type or follow is checked: inline code, fenced code blocks, links and tables,
never prose, so a sentence may say "make turns a failure into 2" without naming a target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --- parsing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A piece of code the reader sees: an inline code span or one logical line of a fenced block."""

    line: int
    text: str
    fenced: bool


@dataclass
class Doc:
    """One Markdown file: its path (relative to the repository), its lines, its code and its links."""

    path: Path
    text: str
    snippets: list[Snippet] = field(default_factory=list)
    links: list[tuple[int, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Table:
    """A Markdown table: its header cells, its rows (raw cell text) and the section heading above it."""

    line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]
    section: str


_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def parse(path: Path, text: str) -> Doc:
    doc = Doc(path=path, text=text)
    lines = text.splitlines()
    in_fence = False
    fence_lang = ""
    pending: list[str] = []
    pending_start = 0
    section = ""
    table: Table | None = None
    carry, carry_line = "", 0
    for number, line in enumerate(lines, start=1):
        if _FENCE.match(line):
            if not in_fence:
                in_fence = True
                fence_lang = line.strip().lstrip("`~").strip().lower()
            else:
                in_fence = False
                if pending:
                    doc.snippets.append(Snippet(pending_start, " ".join(pending), fenced=True))
                    pending = []
            table = None
            continue
        if in_fence:
            not_commands = fence_lang in {"mermaid", "json", "python", "text", "yaml"}
            if not_commands or (not fence_lang and _looks_like_output(line)):
                continue
            code = _strip_shell_comment(line)
            if not pending:
                pending_start = number
            if code.rstrip().endswith("\\"):
                pending.append(code.rstrip()[:-1])
                continue
            pending.append(code)
            doc.snippets.append(Snippet(pending_start, " ".join(pending), fenced=True))
            pending = []
            continue
        heading = _HEADING.match(line)
        if heading:
            section = heading.group(2)
        table = _table_line(doc, table, number, line, section)
        # A code span may wrap onto the next line of its paragraph: carry an unclosed one over.
        if carry and line.strip():
            line, number = f"{carry} {line.strip()}", carry_line
            carry = ""
        elif carry:
            carry = ""
        if line.count("`") % 2 and not line.lstrip().startswith("|"):
            carry, carry_line = line, number
            continue
        for match in _INLINE_CODE.finditer(line):
            doc.snippets.append(Snippet(number, " ".join(match.group(2).split()), fenced=False))
        for match in _LINK.finditer(_INLINE_CODE.sub("", line)):
            doc.links.append((number, match.group(1)))
    return doc


def _looks_like_output(line: str) -> bool:
    """An unlabelled fence that shows output, not commands (the Exposure example, an error message)."""
    stripped = line.strip()
    return not stripped or stripped.startswith(("error:", "Exposure:", "tcp/", "(allowed", "operator", "internet"))


def _strip_shell_comment(line: str) -> str:
    return re.sub(r"(^|\s)#.*$", "", line)


def _cells(line: str) -> list[str]:
    body = line.strip().strip("|")
    # A `|` inside code or escaped (`\|`) is not a column separator.
    cells, current, in_code = [], "", False
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            current += "|"
            i += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
        i += 1
    cells.append(current.strip())
    return cells


def _table_line(doc: Doc, table: Table | None, number: int, line: str, section: str) -> Table | None:
    if not line.lstrip().startswith("|"):
        return None
    cells = _cells(line)
    if table is None:
        table = Table(line=number, header=[c.lower() for c in cells], rows=[], section=section)
        doc.tables.append(table)
        return table
    if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
        return table
    table.rows.append((number, cells))
    return table


def load(repo: Path, relative_paths: Iterable[str]) -> list[Doc]:
    return [parse(Path(p), (repo / p).read_text(encoding="utf-8")) for p in relative_paths]


def _where(doc: Doc, line: int) -> str:
    return f"{doc.path}:{line}"


# --- make targets ----------------------------------------------------------------------------------

# `make` as a command: first in the snippet or after a shell separator (not "does not make this safe").
_MAKE = re.compile(r"(?:^|[;&|(]\s*)make\s+((?:[A-Z_]+=\S*\s+)*)([a-z][a-z0-9_-]*)")
_MAKE_RULE = re.compile(r"^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?!=)")


def makefile_targets(makefile_text: str) -> set[str]:
    """Every explicit target of a Makefile (rules and .PHONY names), without pattern or variable targets."""
    targets: set[str] = set()
    for line in makefile_text.splitlines():
        if line.startswith(("\t", "#", " ")) or "=" in line.split(":", 1)[0]:
            continue
        match = _MAKE_RULE.match(line)
        if match:
            targets.update(name for name in match.group(1).split() if not name.startswith("."))
        if line.startswith(".PHONY:"):
            targets.update(line.split(":", 1)[1].split())
    return targets


def check_make_targets(docs: Iterable[Doc], targets: set[str]) -> list[str]:
    problems = []
    for doc in docs:
        for snippet in doc.snippets:
            for match in _MAKE.finditer(snippet.text):
                target = match.group(2)
                if target not in targets:
                    problems.append(f"{_where(doc, snippet.line)}: `make {target}`: no such target in the Makefile")
    return problems


# --- file paths and links --------------------------------------------------------------------------

PATH_EXTENSIONS = ("py", "md", "yaml", "yml", "json", "txt", "toml", "mmd", "svg", "in", "cfg", "sh")
# Made by a command, never committed: a path under one of these may not exist in a fresh clone.
GENERATED = ("build/", "venv/", "mutants/", ".venv/")
_BARE_FILE = re.compile(rf"[\w.-]+\.(?:{'|'.join(PATH_EXTENSIONS)})")


def _path_candidate(text: str, top_level: set[str]) -> str | None:
    """The repository path a code span names, or None when it names something else (a CIDR, an ARN...)."""
    text = text.strip()
    if " " in text or "://" in text or text.startswith(("arn:", "~", "$", "-", "/")):
        return None
    if "::" in text:  # a pytest id: path::test
        text = text.split("::", 1)[0]
    if ":" in text or any(c in text for c in "<>{}*?$[]()\"'=,"):
        return None
    if "/" in text:
        first = text.split("/", 1)[0]
        last = text.rstrip("/").rsplit("/", 1)[-1]
        if first in top_level or _BARE_FILE.fullmatch(last):
            return text
        return None
    if _BARE_FILE.fullmatch(text) and not re.fullmatch(r"[\d.]+", text.rsplit(".", 1)[0]):
        return text
    return None


def _exists(repo: Path, doc: Doc, path: str, tracked_names: set[str]) -> bool:
    if path.startswith(GENERATED) or "/venv/" in path or path.endswith("/venv"):
        return True
    if "/" not in path:
        return path in tracked_names
    return (repo / path).exists() or (repo / doc.path.parent / path).exists()


def check_paths(docs: Iterable[Doc], repo: Path, tracked_names: set[str]) -> list[str]:
    top_level = {entry.name for entry in repo.iterdir()}
    problems = []
    for doc in docs:
        local = top_level | {entry.name for entry in (repo / doc.path.parent).iterdir()}
        for snippet in doc.snippets:
            if snippet.fenced:
                continue
            path = _path_candidate(snippet.text, local)
            if path is not None and not _exists(repo, doc, path, tracked_names):
                problems.append(f"{_where(doc, snippet.line)}: `{snippet.text}`: no such file or folder")
    return problems


def github_anchors(doc: Doc) -> set[str]:
    """The fragment ids GitHub gives a document: one per heading (slugged, deduplicated) and every ``id=``."""
    anchors: set[str] = set(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", doc.text))
    seen: dict[str, int] = {}
    in_fence = False
    for line in doc.text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        heading = None if in_fence else _HEADING.match(line)
        if heading is None:
            continue
        title = re.sub(r"<[^>]+>", "", heading.group(2))
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def check_links(docs: Iterable[Doc], repo: Path) -> list[str]:
    docs = list(docs)
    by_path = {doc.path.as_posix(): doc for doc in docs}
    problems = []
    for doc in docs:
        for line, target in doc.links:
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            file_part, _, fragment = target.partition("#")
            resolved = (doc.path.parent / file_part) if file_part else doc.path
            normal = Path(*_normalise(resolved.parts))
            if file_part and not (repo / normal).exists():
                problems.append(f"{_where(doc, line)}: link `{target}`: {normal} does not exist")
                continue
            if fragment and normal.suffix == ".md":
                linked = by_path.get(normal.as_posix()) or parse(normal, (repo / normal).read_text(encoding="utf-8"))
                if fragment not in github_anchors(linked):
                    problems.append(f"{_where(doc, line)}: link `{target}`: {normal} has no heading #{fragment}")
    return problems


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


# --- pulumi config keys ----------------------------------------------------------------------------

_CONFIG_COMMAND = re.compile(r"pulumi config (?:set|rm)\s+((?:--(?:path|secret|plaintext)\s+)*)(\"?)([^\s\"]+)\2")


def check_config_keys(
    docs: Iterable[Doc], project: str, declared: Mapping[str, Any], read_not_declared: set[str], aws_keys: set[str]
) -> list[str]:
    """Every ``pulumi config set|rm KEY``: a key Pulumi.yaml declares, or an ``aws:`` key the program reads."""
    problems = []
    for doc in docs:
        for snippet in doc.snippets:
            for match in _CONFIG_COMMAND.finditer(snippet.text):
                key = match.group(3)
                if key.startswith("<"):
                    continue
                namespace, _, name = key.rpartition(":")
                base = re.split(r"[.\[]", name, maxsplit=1)[0]
                if namespace in ("", project):
                    ok = base in declared or base in read_not_declared
                    why = "not declared in Pulumi.yaml"
                elif namespace == "aws":
                    ok = base in aws_keys
                    why = f"not an aws: key the program reads ({', '.join(sorted(aws_keys))})"
                else:
                    ok, why = False, f"namespace {namespace!r} is neither {project!r} nor 'aws'"
                if not ok:
                    problems.append(f"{_where(doc, snippet.line)}: `pulumi config ... {key}`: {why}")
    return problems


# --- the config table ------------------------------------------------------------------------------


def _yaml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return '""'
    return str(value)


def config_tables(docs: Iterable[Doc]) -> Iterator[tuple[Doc, Table]]:
    for doc in docs:
        for table in doc.tables:
            if table.header[:3] == ["key", "type", "default"]:
                yield doc, table


def check_config_table(
    docs: Iterable[Doc], schema: Mapping[str, Mapping[str, Any]], read_not_declared: set[str]
) -> list[str]:
    """A config table's rows against Pulumi.yaml: same keys, same types, same defaults (as YAML literals).

    The default cell starts with one code span per key in the row (`1`, `2`, `4` for three keys), the value
    Pulumi.yaml declares; what the program makes of it may follow in words.
    """
    problems = []
    documented: set[str] = set()
    tables = list(config_tables(docs))
    for doc, table in tables:
        for line, cells in table.rows:
            keys = re.findall(r"`([^`]+)`", cells[0])
            documented.update(keys)
            type_cell = cells[1].strip("` ")
            defaults = re.findall(r"`([^`]*)`", cells[2])
            for i, key in enumerate(keys):
                where = _where(doc, line)
                if key not in schema:
                    if key not in read_not_declared:
                        problems.append(f"{where}: config key `{key}` is not declared in Pulumi.yaml")
                    continue
                declared = schema[key]
                if type_cell != declared.get("type"):
                    problems.append(f"{where}: `{key}` type {type_cell!r}, Pulumi.yaml says {declared.get('type')!r}")
                want = _yaml_literal(declared.get("default"))
                got = defaults[i] if i < len(defaults) else None
                if got != want:
                    problems.append(f"{where}: `{key}` default {got!r}, Pulumi.yaml says {want!r}")
    if tables:
        for key in sorted(set(schema) - documented):
            problems.append(f"{tables[0][0].path}: config key `{key}` (Pulumi.yaml) is missing from the config table")
    return problems


# --- policy tables ---------------------------------------------------------------------------------


def check_policy_tables(docs: Iterable[Doc], packs: Mapping[str, set[str]]) -> list[str]:
    """Tables headed ``Rule`` (or ``Policy``) under a heading that names a pack list exactly that pack's policies."""
    problems = []
    seen: dict[str, set[str]] = {pack: set() for pack in packs}
    for doc in docs:
        for table in doc.tables:
            if not table.header or table.header[0] not in ("rule", "policy"):
                continue
            pack = next((name for name in packs if name in table.section), None)
            if pack is None:  # another kind of rule (docs/cloud-rules.md lists the cloud rules)
                continue
            for line, cells in table.rows:
                for name in re.findall(r"`([^`]+)`", cells[0]):
                    seen[pack].add(name)
                    if name not in packs[pack]:
                        problems.append(f"{_where(doc, line)}: policy `{name}` is not in the {pack} pack")
    for pack, names in packs.items():
        for name in sorted(names - seen[pack]):
            problems.append(f"policy `{name}` of the {pack} pack is missing from every {pack} policy table")
    return problems


# --- AWS CLI commands ------------------------------------------------------------------------------

_AWS = re.compile(r"(?:^|[;&|(]\s*)aws\s+((?:--[a-z-]+\s+\S+\s+)*)([a-z0-9-]+)\s+([a-z0-9-]+)(.*)")
# Flags the AWS CLI adds to every command (global options, pagination, input skeletons).
CLI_FLAGS = frozenset(
    {
        "--region",
        "--profile",
        "--output",
        "--query",
        "--endpoint-url",
        "--no-paginate",
        "--no-cli-pager",
        "--debug",
        "--color",
        "--no-verify-ssl",
        "--no-sign-request",
        "--ca-bundle",
        "--cli-read-timeout",
        "--cli-connect-timeout",
        "--cli-input-json",
        "--cli-input-yaml",
        "--generate-cli-skeleton",
        "--max-items",
        "--starting-token",
        "--page-size",
    }
)
# The CLI's own names for services whose botocore name differs.
CLI_SERVICE_NAMES = {"s3api": "s3", "configservice": "config", "deploy": "codedeploy"}
# Commands the AWS CLI adds by hand, which are no API operation (`aws s3 sync`, `aws sso login`): their
# flags are the CLI's own, so only the command's name is checked.
CLI_CUSTOMIZATIONS = {
    "s3": frozenset({"cp", "mv", "rm", "sync", "ls", "mb", "rb", "presign", "website"}),
    "sso": frozenset({"login", "logout"}),
    "configure": frozenset({"list", "get", "set", "sso", "list-profiles", "export-credentials"}),
}


def _cli_name(name: str) -> str:
    from botocore import xform_name

    return xform_name(name).replace("_", "-")


def check_aws_commands(docs: Iterable[Doc], session: Any) -> list[str]:
    """Every ``aws <service> <operation> --flag`` against botocore's model: service, operation, input members."""
    services = set(session.get_available_services())
    problems = []
    for doc in docs:
        for snippet in doc.snippets:
            for match in _AWS.finditer(snippet.text):
                cli_service, operation, rest = match.group(2), match.group(3), match.group(4)
                where = f"{_where(doc, snippet.line)}: `aws {cli_service} {operation}`"
                if operation in CLI_CUSTOMIZATIONS.get(cli_service, ()):
                    continue
                service = CLI_SERVICE_NAMES.get(cli_service, cli_service)
                if service not in services:
                    problems.append(f"{where}: no service {cli_service!r} in botocore")
                    continue
                model = session.get_service_model(service)
                operations = {_cli_name(name): name for name in model.operation_names}
                if operation not in operations:
                    problems.append(f"{where}: no operation {operation!r} in {service}")
                    continue
                shape = model.operation_model(operations[operation]).input_shape
                members = {_cli_name(m) for m in shape.members} if shape is not None else set()
                allowed = {f"--{m}" for m in members} | {f"--no-{m}" for m in members} | CLI_FLAGS
                # Flags inside $(...) belong to the command substituted there, not to this one.
                own = re.sub(r"\$\([^)]*\)", "", re.split(r"\s(?:\||;|&&)\s", rest, maxsplit=1)[0])
                for flag in re.findall(r"(?:^|\s)(--[a-z0-9-]+)", own):
                    if flag not in allowed:
                        problems.append(f"{where}: no flag {flag} (members: {', '.join(sorted(members))})")
    return problems


# --- figures that go stale -------------------------------------------------------------------------

# A count of tests or policies, or a measured ratio, is out of date the day the code changes: the docs name
# the command that prints it instead.
_STALE_FIGURES = re.compile(
    r"\b\d[\d,]*\s+(?:tests|resource policies|stack policies|policies)\b|\b\d+(?:\.\d+)?x the floor\b"
)


def check_stale_figures(docs: Iterable[Doc]) -> list[str]:
    problems = []
    for doc in docs:
        for number, line in enumerate(doc.text.splitlines(), start=1):
            for match in _STALE_FIGURES.finditer(line):
                problems.append(f"{_where(doc, number)}: {match.group(0)!r} goes stale; name the command instead")
    return problems

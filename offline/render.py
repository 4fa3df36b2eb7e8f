"""Print a preview the way ``pulumi preview`` lays it out: the resource tree, the outputs, the count.

Pure functions from what a run registered to text, so the layout is tested
without running anything. The tree shows type tokens shortened as the CLI shows them
(``aws:ec2/vpc:Vpc`` reads ``aws:ec2:Vpc``). Policy results are printed by ``report.render_text``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offline.wire import SECRET_SIG, SIG_KEY, STACK_TYPE, UNKNOWN

if TYPE_CHECKING:
    from offline.harness import RegisteredResource


def simplify_type(token: str) -> str:
    """``aws:ec2/vpc:Vpc`` -> ``aws:ec2:Vpc``: the CLI drops a module's file part when it repeats the type."""
    parts = token.split(":")
    if len(parts) != 3 or "/" not in parts[1]:
        return token
    package, module, name = parts
    head, _, file = module.rpartition("/")
    if file != name[:1].lower() + name[1:]:
        return token
    return f"{package}:{head}:{name}"


def resource_tree(resources: Sequence[RegisteredResource], plan: str = "create") -> list[str]:
    """The CLI's ``Type / Name / Plan`` table, children under their parents in registration order."""
    by_urn = {r.urn: r for r in resources}
    children: dict[str, list[RegisteredResource]] = {}
    roots: list[RegisteredResource] = []
    for r in resources:
        if r.parent and r.parent in by_urn and r.parent != r.urn:
            children.setdefault(r.parent, []).append(r)
        else:
            roots.append(r)
    stacks = [r for r in roots if r.type == STACK_TYPE]
    if stacks:
        # Orphans (a parent never registered) hang under the stack, as the engine parents them.
        stack = stacks[0]
        children.setdefault(stack.urn, []).extend(r for r in roots if r is not stack)
        roots = [stack]

    rows: list[tuple[str, str]] = []

    def walk(node: RegisteredResource, prefix: str, branch: str, seen: frozenset[str]) -> None:
        rows.append((prefix + branch + simplify_type(node.type), node.name))
        kids = [k for k in children.get(node.urn, []) if k.urn not in seen]
        inner = prefix + ("" if not branch else ("│  " if branch == "├─ " else "   "))
        for i, kid in enumerate(kids):
            walk(kid, inner, "└─ " if i == len(kids) - 1 else "├─ ", seen | {kid.urn})

    for root in roots:
        walk(root, "", "", frozenset({root.urn}))
    type_width = max([len("Type"), *(len(t) for t, _ in rows)])
    name_width = max([len("Name"), *(len(n) for _, n in rows)])
    symbol = "+" if plan == "create" else " "
    lines = [f"     {'Type'.ljust(type_width)}  {'Name'.ljust(name_width)}  Plan"]
    lines += [f" {symbol}   {t.ljust(type_width)}  {n.ljust(name_width)}  {plan}" for t, n in rows]
    return lines


def resource_count(resources: Sequence[RegisteredResource]) -> list[str]:
    """``Resources: + N to create``: every registered resource, stack and components included, as the CLI counts."""
    return ["Resources:", f"    + {len(resources)} to create"]


def outputs(values: Mapping[str, Any]) -> list[str]:
    """The ``Outputs:`` block: keys sorted and aligned, secrets hidden, lists and maps expanded."""
    if not values:
        return []
    width = max(len(k) for k in values)
    lines = ["Outputs:"]
    for key in sorted(values):
        lines += _value(f"    {key.ljust(width)}: ", values[key], "    ")
    return lines


def _is_unknown_output(value: Any) -> bool:
    """An output a first preview cannot know yet (the SDK's own marker, not the wire sentinel)."""
    from pulumi.output import Unknown

    return isinstance(value, Unknown)


def _value(head: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG:
        return [head + "[secret]"]
    if isinstance(value, Mapping):
        if not value:
            return [head + "{}"]
        width = max(len(str(k)) for k in value)
        body = [
            line
            for k in sorted(value, key=str)
            for line in _value(f"{indent}    {str(k).ljust(width)}: ", value[k], indent + "    ")
        ]
        return [head + "{", *body, indent + "}"]
    if isinstance(value, list | tuple):
        if not value:
            return [head + "[]"]
        body = [line for i, v in enumerate(value) for line in _value(f"{indent}    [{i}]: ", v, indent + "    ")]
        return [head + "[", *body, indent + "]"]
    if value == UNKNOWN or _is_unknown_output(value):
        return [head + "output<unknown>"]
    if value is None:
        return [head + "<null>"]
    if isinstance(value, bool):
        return [head + ("true" if value else "false")]
    if isinstance(value, float) and value.is_integer():
        return [head + str(int(value))]
    return [head + json.dumps(value, ensure_ascii=False) if isinstance(value, str) else head + str(value)]


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, as the CLI shows paths."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

"""The fuzz suite's inputs: seeded mutations of real resources and stacks, as the engine could send them.

Every case starts from what the offline engine registers for the dev and prod stacks (inputs for
``Analyze``, outputs and links for ``AnalyzeStack``) and applies a few mutations drawn from the classes
the engine, another language's SDK or a hand-edited state file can produce: a value of another type at
any depth, unknowns and secrets at any depth, IAM documents as text, objects and junk (with wildcard
runs that defeat a backtracking matcher), huge numbers and digit strings, odd CIDRs, ``aws:lb``/``aws:alb``
aliases, dangling and duplicated references, repeated ids, very long strings and deep nesting.

A case is a pure function of ``(seed, index)``, so any case can be replayed alone, and every value is
bounded (a string of at most ~100 KB, nesting at most ``MAX_DEPTH``): generating never takes long.
Values are JSON-shaped (``dict``/``list``/``str``/``float``/``bool``/``None``), as a ``Struct`` carries them;
±Infinity and NaN are never generated: the SDK's request conversion refuses them before any policy runs.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from offline.harness import RegisteredResource
from offline.wire import SECRET_SIG, SIG_KEY, STACK_TYPE, UNKNOWN

# Protobuf refuses a Struct nested deeper than 100 levels when parsing; the engine could not send one.
MAX_DEPTH = 40
LONG_STRING = 100_000
# One stack case in this many; the rest are single-resource Analyze cases.
STACK_EVERY = 8

IAM_KEYS = ("policy", "assumeRolePolicy")
REFERENCE_KEYS = (
    "role",
    "roles",
    "policyArn",
    "policyArns",
    "vpcId",
    "subnetId",
    "subnetIds",
    "vpcZoneIdentifiers",
    "securityGroupId",
    "securityGroups",
    "vpcSecurityGroupIds",
    "routeTableId",
    "gatewayId",
    "loadBalancerArn",
    "targetGroupArn",
    "targetGroupArns",
    "networkAclId",
    "instanceId",
    "networkInterfaceId",
    "allocationId",
    "iamInstanceProfile",
    "sourceSecurityGroupId",
    "bucket",
)
CIDR_KEYS = ("cidrBlock", "cidrBlocks", "ipv6CidrBlocks", "ipv6CidrBlock", "destinationCidrBlock", "cidrIpv4")
PORT_KEYS = ("fromPort", "toPort", "port", "ruleNumber", "protocol", "minSize", "maxSize", "desiredCapacity")

ODD_CIDRS = (
    "0.0.0.0/0",
    "::/0",
    "10.0.0.5/8",
    "203.0.113.7/24",
    "2001:db8::1/32",
    "0.0.0.0/33",
    "1.2.3.4/-1",
    "::ffff:1.2.3.4/128",
    "fe80::1%eth0/64",
    "256.1.1.1/32",
    "1.2.3",
    "",
    " 0.0.0.0/0 ",
    "0.0.0.0/00",
    "0x0.0.0.0/0",
    "1.2.3.4/32/32",
    "*",
    "pl-12345678",
    "0.0.0.0/0\n",
    "１.２.３.４/32",
)
HUGE_NUMBERS: tuple[Any, ...] = (
    1e308,
    -1e308,
    1.7976931348623157e308,
    2.0**63,
    2.0**53 + 1,
    -0.0,
    5e-324,
    22.5,
    -1.0,
    65536.0,
    "9" * 5000,
    "-" + "9" * 5000,
    "+" + "0" * 4999 + "22",
    "1e999",
    "22 ",
    "0x16",
    "٢٢",
    "22.0",
    "NaN",
    "Infinity",
)
WILDCARD_ATOMS = ("*", "?", "**", "*?", "?*")
IAM_SERVICES = ("iam", "s3", "ec2", "sts", "kms", "*", "i*m", "s?", "")


def _sentinel_strings() -> tuple[str, ...]:
    return (UNKNOWN, SIG_KEY, SECRET_SIG, "", " ", "\x00", "\ud7ff", "null", "true", "false", "[]", "{}")


@dataclass
class Case:
    """One fuzz case: an ``Analyze`` of ``resources[0]`` or an ``AnalyzeStack`` of all of them."""

    kind: str  # "analyze" | "stack"
    seed: int
    index: int
    resources: list[RegisteredResource]
    mutations: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.kind} seed={self.seed} case={self.index}: " + ", ".join(self.mutations[:6])


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------


def wildcard_text(rng: random.Random, length: int = 40) -> str:
    """A glob with runs of ``*``/``?`` and a literal that never matches: what makes a regex backtrack."""
    if rng.random() < 0.3:
        return "*" * rng.randint(3, max(3, length)) + rng.choice(("#", "x#", "/#"))
    atoms = [rng.choice(WILDCARD_ATOMS) for _ in range(rng.randint(1, max(1, length // 2)))]
    return "".join(atoms) + rng.choice(("#", "x#", "/#", ":#", ""))


def iam_action(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.3:
        return f"{rng.choice(IAM_SERVICES)}:{wildcard_text(rng, rng.randint(2, 60))}"
    if roll < 0.5:
        return rng.choice(("*", "iam:PassRole", "S3:GET*", "ec2:*", "sts:AssumeRole", "iam:*Role*", ":", "iam:", ""))
    if roll < 0.6:
        return wildcard_text(rng, rng.randint(2, 40))
    return junk(rng, 2)


def iam_resource(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return wildcard_text(rng, rng.randint(2, 60))
    if roll < 0.6:
        parts = [rng.choice(("arn", "*", "ARN")), rng.choice(("aws", "*", "")), rng.choice(IAM_SERVICES)]
        parts += [rng.choice(("", "*", "us-east-1")), rng.choice(("", "*", "123456789012"))]
        parts.append(wildcard_text(rng, rng.randint(2, 40)))
        return ":".join(parts)
    if roll < 0.75:
        return rng.choice(("*", "arn:aws:s3:::*", "arn:aws:iam::*:role/*", "arn:aws:s3:::bucket/*", "*:*"))
    return junk(rng, 2)


def iam_statement(rng: random.Random) -> Any:
    statement: dict[str, Any] = {}
    for key, make in (
        ("Effect", lambda: rng.choice(("Allow", "Allow", "Allow", "Deny", "allow", "", None, 1.0))),
        ("Action", lambda: _one_or_many(rng, iam_action)),
        ("NotAction", lambda: _one_or_many(rng, iam_action)),
        ("Resource", lambda: _one_or_many(rng, iam_resource)),
        ("NotResource", lambda: _one_or_many(rng, iam_resource)),
        ("Principal", lambda: rng.choice(("*", {"AWS": "*"}, {"Service": ["ec2.amazonaws.com", 1.0]}, [], junk(rng)))),
        ("Condition", lambda: rng.choice(({"Bool": {"aws:SecureTransport": "false"}}, [], "x", junk(rng)))),
    ):
        if rng.random() < (0.8 if key in ("Effect", "Action", "Resource") else 0.2):
            statement[key] = make()
    return statement


def hostile_statement(rng: random.Random) -> dict[str, Any]:
    """A well-formed statement whose action or resource patterns are built to make a matcher work hard."""
    action = f"{rng.choice(IAM_SERVICES[:5])}:{wildcard_text(rng, rng.randint(4, 60))}"
    resource = wildcard_text(rng, rng.randint(4, 60)) if rng.random() < 0.6 else iam_resource(rng)
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if rng.random() < 0.3:
        statement["Action"] = [action, rng.choice(("s3:GetObject", "iam:PassRole", "ec2:Describe*"))]
    if rng.random() < 0.2:
        statement["Principal"] = {"Service": "ec2.amazonaws.com"}
    return statement


def iam_document(rng: random.Random) -> Any:
    """An IAM document as a Python program (JSON text), another SDK (object) or a broken one sends it."""
    make = hostile_statement if rng.random() < 0.6 else iam_statement
    statements = [make(rng) for _ in range(rng.randint(0, 4))]
    body: dict[str, Any] = {"Version": rng.choice(("2012-10-17", "2008-10-17", "", 1.0))}
    body["Statement"] = statements[0] if len(statements) == 1 and rng.random() < 0.5 else statements
    roll = rng.random()
    if roll < 0.45:
        return json.dumps(body)
    if roll < 0.8:
        return body
    return rng.choice(("{", "[]", "null", '{"Statement": "x"}', '{"Statement": [1, "a", null]}', "", junk(rng)))


def _one_or_many(rng: random.Random, make: Callable[[random.Random], Any]) -> Any:
    if rng.random() < 0.4:
        return make(rng)
    return [make(rng) for _ in range(rng.randint(0, 4))]


def junk(rng: random.Random, depth: int = 3) -> Any:
    """Any JSON-shaped value, nested at most ``depth`` more levels."""
    roll = rng.randrange(10 if depth > 0 else 7)
    if roll == 0:
        return None
    if roll == 1:
        return rng.random() < 0.5
    if roll == 2:
        return rng.choice(HUGE_NUMBERS) if rng.random() < 0.5 else float(rng.randint(-5, 70000))
    if roll == 3:
        return rng.choice(_sentinel_strings())
    if roll == 4:
        return rng.choice(ODD_CIDRS)
    if roll == 5:
        return "".join(rng.choice("ab*?:/#-_. 0é\u202e") for _ in range(rng.randint(0, 20)))
    if roll == 6:
        return UNKNOWN
    if roll == 7:
        return [junk(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    if roll == 8:
        return {_key(rng): junk(rng, depth - 1) for _ in range(rng.randint(0, 3))}
    return {SIG_KEY: SECRET_SIG, "value": junk(rng, depth - 1)}


def _key(rng: random.Random) -> str:
    return rng.choice(("value", "id", "arn", "name", "Statement", *REFERENCE_KEYS[:6], *PORT_KEYS[:3], ""))


def deep(rng: random.Random, leaf: Any, room: int = MAX_DEPTH) -> Any:
    """``leaf`` under as many levels of lists and maps as ``room`` allows (at least a few)."""
    value = leaf
    for _ in range(rng.randint(min(10, max(3, room)), max(3, room))):
        value = [value] if rng.random() < 0.5 else {_key(rng): value}
    return value


def long_string(rng: random.Random) -> str:
    unit = rng.choice(("a", "*", "*?", "0", "sg-", "arn:aws:iam::123456789012:role/", "é", "9"))
    return (unit * (LONG_STRING // len(unit) + 1))[: rng.randint(1000, LONG_STRING)]


# --------------------------------------------------------------------------------------------------
# Mutating one property tree
# --------------------------------------------------------------------------------------------------


def _paths(value: Any, depth: int = 0, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = [prefix]
    if depth >= MAX_DEPTH - 5:
        return found
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        # Inside a secret only its value varies: the engine never sends a broken envelope.
        if "value" in value:
            found += _paths(value["value"], depth + 1, (*prefix, "value"))
    elif isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, depth + 1, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, depth + 1, (*prefix, i))
    return found


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        root = root[step]
    return root


def _set(root: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    if not path:
        return value if isinstance(value, dict) else root
    parent = _get(root, path[:-1])
    parent[path[-1]] = value
    return root


def _swap_type(rng: random.Random, current: Any) -> Any:
    choices: list[Any] = [
        None,
        True,
        0.0,
        rng.choice(HUGE_NUMBERS),
        "",
        str(current)[:200] if not isinstance(current, (dict, list)) else "x",
        [current] if not isinstance(current, list) else {"value": current},
        {"value": current},
        junk(rng),
    ]
    if isinstance(current, list) and current:
        choices.append(current[0])
    if isinstance(current, dict):
        choices.append(list(current.values()))
    return rng.choice(choices)


def mutate_props(rng: random.Random, props: dict[str, Any], count: int) -> tuple[dict[str, Any], list[str]]:
    """``props`` with ``count`` mutations applied, and their names (for the report)."""
    props = copy.deepcopy(props)
    names: list[str] = []
    for _ in range(count):
        # The root stays a map of property names, as the engine sends it.
        paths = _paths(props)[1:] or [()]
        path = rng.choice(paths)
        current = _get(props, path)
        kind = rng.choice(MUTATIONS)
        if kind == "add-key":
            target = current if isinstance(current, dict) and SIG_KEY not in current else props
            key = rng.choice((*IAM_KEYS, *REFERENCE_KEYS, *CIDR_KEYS, *PORT_KEYS, "ingress", "egress", "tags"))
            target[key] = _value_for(rng, key)
            names.append(f"add {key}")
            continue
        if kind == "drop" and path:
            parent = _get(props, path[:-1])
            if isinstance(parent, dict) and parent.get(SIG_KEY) == SECRET_SIG:
                parent["value"] = None
            elif isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
            names.append(f"drop {_label(path)}")
            continue
        if kind == "type-swap":
            value = _swap_type(rng, current)
        elif kind == "unknown":
            value = UNKNOWN
        elif kind == "secret":
            value = {SIG_KEY: SECRET_SIG, "value": current}
        elif kind == "huge-number":
            value = rng.choice(HUGE_NUMBERS)
        elif kind == "long-string":
            value = long_string(rng)
        elif kind == "deep":
            leaf = current if not isinstance(current, (dict, list)) else junk(rng, 0)
            value = deep(rng, leaf, MAX_DEPTH - len(path) - 2)
        elif kind == "cidr":
            value = rng.choice(ODD_CIDRS) if rng.random() < 0.7 else [rng.choice(ODD_CIDRS) for _ in range(3)]
        elif kind == "iam":
            value = iam_document(rng)
        elif kind == "identifier-object":
            value = {"value": current} if rng.random() < 0.5 else [current, current]
        else:  # "keyed"
            key = path[-1] if path and isinstance(path[-1], str) else rng.choice(REFERENCE_KEYS)
            value = _value_for(rng, key)
        props = _set(props, path, value)
        names.append(f"{kind} at {_label(path)}")
    return props, names


MUTATIONS = (
    "type-swap",
    "type-swap",
    "unknown",
    "secret",
    "huge-number",
    "long-string",
    "deep",
    "cidr",
    "iam",
    "iam",
    "identifier-object",
    "keyed",
    "keyed",
    "add-key",
    "drop",
)


def _label(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path) or "<root>"


def _value_for(rng: random.Random, key: str) -> Any:
    """A hostile value shaped for what ``key`` usually holds."""
    if key in IAM_KEYS:
        return iam_document(rng)
    if key in CIDR_KEYS:
        return rng.choice(ODD_CIDRS) if not key.endswith("s") else [rng.choice(ODD_CIDRS) for _ in range(3)]
    if key in PORT_KEYS:
        return rng.choice(HUGE_NUMBERS)
    if key in ("ingress", "egress"):
        return [
            {
                "fromPort": rng.choice(HUGE_NUMBERS),
                "toPort": rng.choice(HUGE_NUMBERS),
                "protocol": rng.choice(("tcp", "-1", "6", "all", 6.0, junk(rng, 1))),
                "cidrBlocks": [rng.choice(ODD_CIDRS)],
                "ipv6CidrBlocks": [rng.choice(ODD_CIDRS)],
            }
            for _ in range(rng.randint(0, 3))
        ]
    if key == "inlinePolicies":
        return [{"name": junk(rng, 1), "policy": iam_document(rng)} for _ in range(rng.randint(0, 3))]
    return junk(rng)


# --------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------


def _alias(resource_type: str) -> str:
    if resource_type.startswith("aws:lb/"):
        return "aws:alb/" + resource_type[len("aws:lb/") :]
    if resource_type.startswith("aws:alb/"):
        return "aws:lb/" + resource_type[len("aws:alb/") :]
    return resource_type


def _holds_documents(resource: RegisteredResource) -> bool:
    return any(key in resource.inputs for key in (*IAM_KEYS, "inlinePolicies"))


def _holds_rules(resource: RegisteredResource) -> bool:
    return any(key in resource.inputs for key in ("ingress", "fromPort", "port", "metadataOptions"))


def _targeted(rng: random.Random, base: RegisteredResource) -> tuple[dict[str, Any], list[str]]:
    """The resource's own documents or rules replaced by hostile ones, where the policies read them."""
    props = copy.deepcopy(base.inputs)
    names: list[str] = []
    for key in (*IAM_KEYS, "inlinePolicies", "ingress", "egress"):
        if key in props and rng.random() < 0.8:
            props[key] = _value_for(rng, key)
            names.append(f"hostile {key}")
    for key in ("fromPort", "toPort", "port", "protocol"):
        if key in props and rng.random() < 0.5:
            props[key] = rng.choice(HUGE_NUMBERS)
            names.append(f"hostile {key}")
    if "metadataOptions" in props and rng.random() < 0.5:
        props["metadataOptions"] = {"httpTokens": junk(rng, 1), "httpPutResponseHopLimit": rng.choice(HUGE_NUMBERS)}
        names.append("hostile metadataOptions")
    return props, names


def analyze_case(rng: random.Random, corpus: Sequence[RegisteredResource], seed: int, index: int) -> Case:
    if rng.random() < 0.35:
        holds = _holds_documents if rng.random() < 0.5 else _holds_rules
        pool = [r for r in corpus if holds(r)]
        base = rng.choice(pool or list(corpus))
        props, names = _targeted(rng, base)
        extra, more = mutate_props(rng, props, rng.randint(0, 2))
        props, names = extra, names + more
    else:
        base = rng.choice([r for r in corpus if r.type != STACK_TYPE] or list(corpus))
        props, names = mutate_props(rng, base.inputs, rng.randint(1, 4))
    resource_type = base.type
    if rng.random() < 0.15:
        resource_type = _alias(resource_type)
        names.append(f"alias {resource_type}")
    if rng.random() < 0.05:
        props = {"policy": iam_document(rng), "inlinePolicies": _value_for(rng, "inlinePolicies")}
        names.append("iam-only")
    resource = replace(base, type=resource_type, inputs=props, outputs=props)
    return Case("analyze", seed, index, [resource], names)


def stack_case(rng: random.Random, stacks: Sequence[Sequence[RegisteredResource]], seed: int, index: int) -> Case:
    """A whole stack with a few resources mutated and its links bent: dangling, duplicated, repeated ids."""
    resources = [copy.deepcopy(r) for r in rng.choice(stacks)]
    names: list[str] = []
    urns = [r.urn for r in resources]
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(STACK_MUTATIONS)
        i = rng.randrange(len(resources))
        target = resources[i]
        if kind == "outputs":
            target.outputs, done = mutate_props(rng, target.outputs, rng.randint(1, 3))
            names += [f"{target.name}: {d}" for d in done]
        elif kind == "duplicate":
            twin = copy.deepcopy(target)
            if rng.random() < 0.5:
                twin.urn = twin.urn + "-twin"
            resources.insert(rng.randrange(len(resources) + 1), twin)
            names.append(f"duplicate {target.name}")
        elif kind == "dangling":
            key = rng.choice(list(target.outputs) or ["role"])
            target.property_dependencies[key] = [*target.property_dependencies.get(key, []), "urn:pulumi:x::y::t::gone"]
            target.dependencies = [*target.dependencies, "urn:pulumi:x::y::t::gone"]
            names.append(f"dangling dependency {target.name}.{key}")
        elif kind == "double-reference":
            key = rng.choice(list(target.property_dependencies) or ["role"])
            deps = target.property_dependencies.get(key, []) or [rng.choice(urns)]
            target.property_dependencies[key] = deps + deps
            names.append(f"duplicated reference {target.name}.{key}")
        elif kind == "shared-id":
            other = rng.choice(resources)
            for key in ("id", "arn", "name"):
                if key in other.outputs:
                    target.outputs[key] = copy.deepcopy(other.outputs[key])
            names.append(f"{target.name} takes {other.name}'s ids")
        elif kind == "object-identifier":
            key = rng.choice(("id", "arn", "name"))
            target = rng.choice([r for r in resources if r.type.startswith("aws:iam/")] or [target])
            target.outputs[key] = rng.choice(({"value": target.outputs.get(key)}, [target.outputs.get(key)], 1.0))
            names.append(f"{target.name}.{key} as {type(target.outputs[key]).__name__}")
            if rng.random() < 0.5:
                # Matched by value, not by dependency: the identifier itself gets compared.
                for other in resources:
                    if other.type.startswith("aws:iam/"):
                        other.property_dependencies = {}
                names.append("IAM references by value only")
        elif kind == "unknown-id":
            for key in ("id", "arn"):
                if key in target.outputs:
                    target.outputs[key] = UNKNOWN
            names.append(f"{target.name} ids unknown")
        elif kind == "forget-dependencies":
            # A state written by an older CLI, or an audit of a hand-edited export: references by value only.
            target.property_dependencies = {}
            target.dependencies = []
            names.append(f"{target.name} without propertyDependencies")
        elif kind == "alias":
            target.type = _alias(target.type)
            names.append(f"alias {target.type}")
        elif kind == "drop":
            if len(resources) > 1:
                resources.pop(i)
                names.append(f"drop {target.name}")
        else:  # "self-reference"
            key = rng.choice(list(target.outputs) or ["role"])
            target.property_dependencies[key] = [target.urn]
            target.parent = target.urn
            names.append(f"self reference {target.name}.{key}")
    return Case("stack", seed, index, resources, names)


STACK_MUTATIONS = (
    "outputs",
    "outputs",
    "outputs",
    "duplicate",
    "dangling",
    "double-reference",
    "shared-id",
    "object-identifier",
    "unknown-id",
    "alias",
    "drop",
    "self-reference",
    "forget-dependencies",
    "forget-dependencies",
)


DOCUMENT_HOLDERS = (
    ("aws:iam/policy:Policy", "policy"),
    ("aws:iam/rolePolicy:RolePolicy", "policy"),
    ("aws:iam/userPolicy:UserPolicy", "policy"),
    ("aws:iam/groupPolicy:GroupPolicy", "policy"),
    ("aws:iam/role:Role", "inlinePolicies"),
)
_PLAIN_DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
    }
)


def document_holders() -> list[RegisteredResource]:
    """The IAM document types the dev and prod stacks do not declare, so permission rules get fuzzed too."""
    found = []
    for resource_type, key in DOCUMENT_HOLDERS:
        name = resource_type.rsplit(":", 1)[-1].lower()
        value: Any = [{"name": "inline", "policy": _PLAIN_DOCUMENT}] if key == "inlinePolicies" else _PLAIN_DOCUMENT
        inputs = {key: value, "name": name, "role": "app-role"}
        if resource_type.endswith("role:Role"):
            inputs = {key: value, "name": name, "assumeRolePolicy": _PLAIN_DOCUMENT}
        found.append(
            RegisteredResource(
                urn=f"urn:pulumi:fuzz::aws-compute-foundations::{resource_type}::{name}",
                type=resource_type,
                name=name,
                custom=True,
                inputs=inputs,
                outputs=dict(inputs),
            )
        )
    return found


def make_case(seed: int, index: int, stacks: Sequence[Sequence[RegisteredResource]]) -> Case:
    """Case ``index`` of ``seed``: the same case on every run, independent of every other case."""
    rng = random.Random(f"{seed}:{index}")
    if index % STACK_EVERY == STACK_EVERY - 1:
        return stack_case(rng, stacks, seed, index)
    corpus = [r for stack in stacks for r in stack] + document_holders()
    return analyze_case(rng, corpus, seed, index)

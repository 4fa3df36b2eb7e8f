"""Drive the real policy pack processes over the Analyzer gRPC protocol, as the Pulumi CLI does.

This is the second of the engine's two protocols the project proves itself through (the first, the
resource monitor, is in ``harness.py``). Each pack under ``policies/`` is started as the CLI's Python
language host starts a policy pack (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python/main.go``,
``RunPlugin``): ``<pack>/<virtualenv>/bin/python -u -m pulumi.policy <engine address> <absolute pack
folder>``, the interpreter taken by its path inside the pack's own virtualenv (``PulumiPolicy.yaml``
``runtime.options.virtualenv``; ``make packs`` creates it, as ``pulumi install`` in the pack folder
does), working directory the pack folder, ``VIRTUAL_ENV`` and ``PULUMI_PROJECT``/``PULUMI_STACK``/
``PULUMI_DRY_RUN`` set, and no ``PYTHONPATH`` of ours, so a pack imports only what its folder and its
requirements give it. Its port is read from stdout; then it is asked, over
``AnalyzerStub``: ``GetAnalyzerInfo``; ``Configure`` with the config the CLI would reconcile (schema
defaults, then the pack's initial config, then the user's ``--policy-pack-config``, validated against
each policy's schema); ``Analyze`` once per resource with its inputs; ``AnalyzeStack`` once with every
resource's outputs and links. Properties are serialized as the engine serializes them (secrets in the
signature envelope, unknowns as the unknown sentinel, numbers as doubles), so the packs see exactly
what ``pulumi preview --policy-pack`` would hand them.

The engine analyzes every resource it registers (its step generator calls every analyzer for each
registration, components, providers and the root stack included, and ``AnalyzeStack`` gets every
resource in the snapshot), so this driver does too; a policy filters by type, as it must under the CLI.
"""

from __future__ import annotations

import copy
import os
import re
import selectors
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
import jsonschema
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc

from offline.harness import RegisteredResource, stack_urn_of
from offline.packs import PackSetupError, pack_virtualenv
from offline.packs import discover_packs as discover_packs  # re-exported: callers find packs here
from offline.wire import ARCHIVE_SIG, ASSET_SIG, SECRET_SIG, SIG_KEY, STACK_TYPE, UNKNOWN

POLICY_FILE = "PulumiPolicy.yaml"
ENFORCEMENT_LEVELS = ("advisory", "mandatory", "disabled", "remediate")
STARTUP_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 60.0
# AnalyzeStack carries every resource and runs every stack policy over the whole graph at once.
STACK_CALL_TIMEOUT_S = 300.0
# Analyze requests kept in flight per pack: the SDK's server runs four worker threads.
PIPELINE_DEPTH = 4

_LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}
_PROTO_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PROTO.items()}
_SEVERITY = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
_SEVERITY_RANK = {"": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
# Python's words when an import fails: "ModuleNotFoundError: No module named 'x'" (or 'x.y', from -m).
_MISSING_MODULE = re.compile(r"No module named '([^']+)'")


class PackError(Exception):
    """A pack failed to start, to accept its config, or to run; the message names the pack."""


class PolicyConfigError(ValueError):
    """The user's policy config is not in the CLI's ``--policy-pack-config`` format."""


@dataclass
class Violation:
    """One policy's finding on one resource, as the CLI reports it."""

    urn: str
    policy_pack: str
    policy: str
    enforcement_level: str  # "mandatory" | "advisory", as the CLI names them
    message: str
    description: str = ""
    severity: str = ""


@dataclass
class PolicyInfo:
    """What ``GetAnalyzerInfo`` says about one policy, and the config it was given."""

    name: str
    description: str = ""
    enforcement_level: str = "advisory"  # the level in force after config, "disabled" included
    severity: str = ""
    remediation_steps: str = ""
    policy_type: str = ""  # "resource" | "stack"
    config_schema: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class PackResult:
    """Everything one pack said about one stack."""

    name: str
    version: str
    policies: list[str]
    violations: list[Violation]
    diagnostics: list[str]
    policy_info: dict[str, PolicyInfo] = field(default_factory=dict)
    path: str = ""


@dataclass(frozen=True)
class PolicyConfigEntry:
    """One policy's config, as the CLI holds it: an enforcement level and properties, each optional."""

    enforcement_level: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Discovery and start-up
# --------------------------------------------------------------------------------------------------


def read_pack_file(pack_dir: Path) -> dict[str, Any]:
    """The parsed ``PulumiPolicy.yaml``; a pack the CLI would refuse is a ``PackError`` here too."""
    path = pack_dir / POLICY_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())  # a YAML error spans lines; the message is one
        raise PackError(f"policy pack {pack_dir}: cannot read {POLICY_FILE}: {reason}") from None
    if not isinstance(data, dict):
        raise PackError(f"policy pack {pack_dir}: {POLICY_FILE} is not a mapping")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise PackError(f"policy pack {pack_dir}: runtime {runtime_name!r} is not supported offline (python only)")
    return data


def pack_python(pack_dir: Path, pack_file: Mapping[str, Any]) -> str:
    """The interpreter the CLI runs the pack with: ``<virtualenv>/bin/python``, by its path, never resolved.

    ``bin/python`` in a virtualenv is a symlink to the base interpreter; Python finds the virtualenv's
    site-packages only when started through the link, so resolving it would silently run the pack with
    the base interpreter's packages. There is no fallback: a pack whose virtualenv is missing fails, as it
    does under the CLI (``pulumi preview --policy-pack`` never creates it), with the command that fixes it.
    """
    label = _label(pack_dir)
    try:
        venv = pack_virtualenv(pack_dir, pack_file)
    except PackSetupError as exc:
        raise PackError(str(exc)) from None
    python = venv / "bin" / "python"
    if not python.is_file():
        state = "has no bin/python" if venv.exists() else "does not exist"
        raise PackError(
            f"policy pack {label}: its virtualenv {_label(venv)} {state}; run `make packs`{_or_install(label)}"
        )
    return str(python)


def _label(path: Path) -> str:
    """A path as the user named it, relative to the working directory when it is under it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _or_install(label: str) -> str:
    return f" (or `pulumi install` in {label})"


def pack_environment(venv: Path, *, project: str, stack: str, dry_run: bool) -> dict[str, str]:
    """The environment the CLI's language host gives a pack: the caller's, plus the stack it analyzes.

    ``RunPlugin`` activates the virtualenv (``VIRTUAL_ENV``) and, once the engine's ``ConfigureStack``
    has reached its proxy, adds ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` (and
    ``PULUMI_ORGANIZATION``/``PULUMI_CONFIG`` when there are any; the offline engine has neither).
    ``PYTHONPATH``/``PYTHONHOME`` of this process are dropped: they point into the project's own
    environment, and a pack that imported through them would pass here and fail under the CLI.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(
        VIRTUAL_ENV=str(venv),
        PULUMI_PROJECT=project,
        PULUMI_STACK=stack,
        PULUMI_DRY_RUN="true" if dry_run else "false",
    )
    return env


class EngineService(engine_pb2_grpc.EngineServicer):
    """The engine's own gRPC service, whose address the CLI hands every plugin as its first argument.

    ``pulumi.policy`` (pulumi 3.272, pulumi-policy 1.21) parses the address and never dials it: its log
    calls go to stderr. It is served anyway, on loopback, so the argument is a live address as under the
    CLI; ``Log`` keeps what a pack logs, for the error message when the pack fails.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        self.messages.append(request.message)
        return empty_pb2.Empty()


class PackProcess:
    """A running pack and its gRPC stub; always stopped on exit, even when start-up fails."""

    def __init__(self, pack_dir: Path, *, project: str, stack: str, dry_run: bool = True) -> None:
        self.pack_dir = pack_dir
        self.pack_file = read_pack_file(pack_dir)
        self.project = project
        self.stack = stack
        self.dry_run = dry_run
        self.proc: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None
        self.engine = EngineService()
        self._engine_server: grpc.Server | None = None
        self._stderr: IO[bytes] | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub

    @property
    def label(self) -> str:
        return _label(self.pack_dir)

    def __enter__(self) -> PackProcess:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _start(self) -> None:
        python = pack_python(self.pack_dir, self.pack_file)
        folder = self.pack_dir.absolute()
        env = pack_environment(Path(python).parent.parent, project=self.project, stack=self.stack, dry_run=self.dry_run)
        engine_address = self._serve_engine()
        # A file, not a pipe: a chatty pack can never block on a full stderr pipe nobody reads.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self.proc = subprocess.Popen(
                [python, "-u", "-m", "pulumi.policy", engine_address, str(folder)],
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env,
            )
        except OSError as exc:
            raise PackError(f"policy pack {self.label}: cannot start: {exc}") from None
        port = self._read_port(STARTUP_TIMEOUT_S)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        try:
            grpc.channel_ready_future(self.channel).result(timeout=STARTUP_TIMEOUT_S)
        except grpc.FutureTimeoutError:
            raise PackError(f"policy pack {self.label}: no gRPC server on port {port}") from None
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _serve_engine(self) -> str:
        server = grpc.server(ThreadPoolExecutor(max_workers=1))
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._engine_server = server
        return f"127.0.0.1:{port}"

    def _read_port(self, timeout: float) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PackError(f"policy pack {self.label}: did not print its port within {timeout:.0f}s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    self.proc.wait(timeout=5)
                    missing = self.missing_module()
                    if missing:
                        raise PackError(
                            f"policy pack {self.label}: No module named '{missing}' in its virtualenv; run "
                            f"`make packs`{_or_install(self.label)}, after adding its package to "
                            f"{self.label}/requirements.txt if it is not listed there"
                        )
                    raise PackError(
                        f"policy pack {self.label} exited with status {self.proc.returncode} before it started"
                        + self.stderr_tail()
                    )
                buffer += chunk
        line = buffer.split(b"\n", 1)[0].strip()
        try:
            return int(line)
        except ValueError:
            raise PackError(
                f"policy pack {self.label}: expected a port on its first stdout line, got {line[:80]!r}"
                + self.stderr_tail()
            ) from None

    def stderr_text(self) -> str:
        """What the pack wrote to stderr, and any message it logged to the engine."""
        if self._stderr is None:
            return "\n".join(self.engine.messages)
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            text = ""
        return "\n".join([text, *self.engine.messages])

    def stderr_tail(self, lines: int = 15) -> str:
        """The end of the pack's stderr (where Python prints a policy's traceback), indented."""
        tail = [line for line in self.stderr_text().strip().splitlines() if line.strip()][-lines:]
        return ("\n    " + "\n    ".join(tail)) if tail else ""

    def missing_module(self) -> str:
        """The module a pack that failed at start-up could not import, if that is why it failed."""
        found = _MISSING_MODULE.findall(self.stderr_text())
        return found[-1] if found else ""

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._engine_server is not None:
            self._engine_server.stop(grace=None)
            self._engine_server = None


@contextmanager
def started_packs(
    pack_dirs: Sequence[Path], *, project: str, stack: str, dry_run: bool = True
) -> Iterator[list[PackProcess]]:
    """Start every pack at once (start-up is most of a pack's cost) and stop them all on exit."""
    with ExitStack() as stack_:
        processes = [PackProcess(Path(d), project=project, stack=stack, dry_run=dry_run) for d in pack_dirs]
        for process in processes:
            stack_.callback(process.close)
        with ThreadPoolExecutor(max_workers=max(1, len(processes))) as pool:
            futures = [pool.submit(process.__enter__) for process in processes]
            errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
        yield processes


# --------------------------------------------------------------------------------------------------
# Config: the CLI's --policy-pack-config format, reconciled and validated as the CLI does
# --------------------------------------------------------------------------------------------------


def parse_policy_config(raw: Any) -> dict[str, PolicyConfigEntry]:
    """Parse ``{"<policy>": "<level>" | {"enforcementLevel": ..., "<prop>": ...}}`` (``"all"`` allowed)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PolicyConfigError("policy config must be a JSON object mapping policy names to a level or an object")
    result: dict[str, PolicyConfigEntry] = {}
    for name, value in raw.items():
        level: str | None = None
        props: dict[str, Any] = {}
        if isinstance(value, str):
            level = _check_level(name, value)
        elif isinstance(value, Mapping):
            props = {k: copy.deepcopy(v) for k, v in value.items() if k != "enforcementLevel"}
            if "enforcementLevel" in value:
                level = _check_level(name, value["enforcementLevel"])
        else:
            raise PolicyConfigError(
                f"policy config for {name!r}: {value!r} is not a valid value; must be a string or object"
            )
        if level is None and not props:
            continue
        result[str(name)] = PolicyConfigEntry(level, props)
    return result


def _check_level(name: str, level: Any) -> str:
    if not isinstance(level, str) or level not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(
            f"policy config for {name!r}: {level!r} is not a valid enforcement level "
            f"(one of {', '.join(ENFORCEMENT_LEVELS)})"
        )
    return level


def reconcile_config(
    policies: Sequence[PolicyInfo],
    initial: Mapping[str, PolicyConfigEntry],
    user: Mapping[str, PolicyConfigEntry],
) -> tuple[dict[str, PolicyConfigEntry], list[str]]:
    """Defaults from each policy, then the pack's initial config, then the user's; and the schema errors.

    Mirrors the CLI's ``ReconcilePolicyPackConfig``: an ``"all"`` entry sets every policy's level first,
    then named entries override levels and merge properties over the defaults.
    """
    result: dict[str, PolicyConfigEntry] = {}
    for policy in policies:
        defaults = {
            key: copy.deepcopy(spec["default"])
            for key, spec in policy.config_schema.get("properties", {}).items()
            if isinstance(spec, Mapping) and "default" in spec
        }
        result[policy.name] = PolicyConfigEntry(policy.enforcement_level, defaults)
    for layer in (initial, user):
        all_level = layer["all"].enforcement_level if "all" in layer else None
        if all_level:
            result = {k: PolicyConfigEntry(all_level, v.properties) for k, v in result.items()}
        for name, given in layer.items():
            current = result.get(name, PolicyConfigEntry())
            level = given.enforcement_level or current.enforcement_level
            props = {**current.properties, **copy.deepcopy(given.properties)}
            if level or props:
                result[name] = PolicyConfigEntry(level, props)
    errors: list[str] = []
    for policy in policies:
        # The CLI injects enforcementLevel into every schema before it validates.
        properties = {**policy.config_schema.get("properties", {}), "enforcementLevel": {"enum": ENFORCEMENT_LEVELS}}
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if policy.config_schema.get("required"):
            schema["required"] = policy.config_schema["required"]
        props = result[policy.name].properties if policy.name in result else {}
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(props), key=lambda e: list(e.absolute_path)):
            where = ".".join(str(p) for p in error.absolute_path)
            errors.append(f"{policy.name}: {where + ': ' if where else ''}{error.message}")
    return result, errors


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(value))
    return message


# --------------------------------------------------------------------------------------------------
# Properties, as the engine puts them on the wire
# --------------------------------------------------------------------------------------------------


def to_wire(value: Any) -> Any:
    """A Python value as the engine marshals it for an analyzer: JSON-shaped, with signature envelopes.

    Secrets (already enveloped, or ``pulumi`` secret wrappers) keep the envelope; unknowns become the
    sentinel string; numbers become doubles, because a protobuf ``Struct`` has no integers.
    """
    from pulumi.output import Unknown

    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return {SIG_KEY: SECRET_SIG, "value": to_wire(value.get("value"))}
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return _special_to_wire(value)


def _special_to_wire(value: Any) -> Any:
    import pulumi

    if isinstance(value, pulumi.asset.Asset):
        return {SIG_KEY: ASSET_SIG, **{k: getattr(value, k) for k in ("path", "text", "uri") if hasattr(value, k)}}
    if isinstance(value, pulumi.asset.Archive):
        kinds = {k: getattr(value, k) for k in ("path", "uri") if hasattr(value, k)}
        if hasattr(value, "assets"):
            kinds["assets"] = {k: to_wire(v) for k, v in value.assets.items()}
        return {SIG_KEY: ARCHIVE_SIG, **kinds}
    if isinstance(value, pulumi.Resource):
        # A resource reference's id resolves asynchronously; unknown makes a policy that reads it say
        # "can't run" instead of passing on a made-up value.
        return UNKNOWN
    return str(value)


def provider_urn(reference: str) -> str:
    """The provider's URN from a provider reference (``<urn>::<id>``)."""
    return reference.rsplit("::", 1)[0] if reference.count("::") > 3 else reference


def _options(resource: RegisteredResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(parent=resource.parent)


def _provider(
    resource: RegisteredResource, by_urn: Mapping[str, RegisteredResource]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    if not resource.provider:
        return None
    provider = by_urn.get(provider_urn(resource.provider))
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, urn=provider.urn, name=provider.name, properties=_struct(to_wire(provider.inputs))
    )


def analyze_request(
    resource: RegisteredResource, by_urn: Mapping[str, RegisteredResource]
) -> analyzer_pb2.AnalyzeRequest:
    """``Analyze`` gets the resource's inputs, as the step generator sends them before the step runs."""
    return analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        properties=_struct(to_wire(resource.inputs)),
        urn=resource.urn,
        name=resource.name,
        options=_options(resource),
        provider=_provider(resource, by_urn),
    )


def stack_resource(
    resource: RegisteredResource, by_urn: Mapping[str, RegisteredResource]
) -> analyzer_pb2.AnalyzerResource:
    """``AnalyzeStack`` gets each resource's outputs and its parent, dependencies and property dependencies."""
    return analyzer_pb2.AnalyzerResource(
        type=resource.type,
        properties=_struct(to_wire(resource.outputs)),
        urn=resource.urn,
        name=resource.name,
        options=_options(resource),
        provider=_provider(resource, by_urn),
        parent=resource.parent,
        dependencies=list(resource.dependencies),
        propertyDependencies={
            key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
            for key, urns in resource.property_dependencies.items()
        },
    )


def stack_request(
    resources: Sequence[RegisteredResource], by_urn: Mapping[str, RegisteredResource]
) -> analyzer_pb2.AnalyzeStackRequest:
    return analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r, by_urn) for r in resources])


# --------------------------------------------------------------------------------------------------
# Running a pack
# --------------------------------------------------------------------------------------------------


def _policy_infos(info: analyzer_pb2.AnalyzerInfo) -> list[PolicyInfo]:
    found = []
    for p in info.policies:
        schema: dict[str, Any] = {}
        if p.HasField("configSchema"):
            schema = {
                "properties": json_format.MessageToDict(p.configSchema.properties),
                "required": list(p.configSchema.required),
            }
        found.append(
            PolicyInfo(
                name=p.name,
                description=p.description,
                enforcement_level=_PROTO_TO_LEVEL.get(p.enforcementLevel, "advisory"),
                severity=_SEVERITY.get(p.severity, ""),
                remediation_steps=p.remediation_steps,
                policy_type={
                    analyzer_pb2.POLICY_TYPE_RESOURCE: "resource",
                    analyzer_pb2.POLICY_TYPE_STACK: "stack",
                }.get(p.policy_type, ""),
                config_schema=schema,
            )
        )
    return found


def _initial_config(info: analyzer_pb2.AnalyzerInfo) -> dict[str, PolicyConfigEntry]:
    initial = {}
    for name, config in info.initialConfig.items():
        props = json_format.MessageToDict(config.properties) if config.HasField("properties") else {}
        # The message cannot tell "unset" from ADVISORY (zero), and the CLI reads it as "advisory": an
        # initial config entry that sets only properties downgrades its policy to advisory under the CLI.
        level = _PROTO_TO_LEVEL.get(config.enforcementLevel, "advisory")
        initial[name] = PolicyConfigEntry(level, props)
    return initial


class _Collector:
    """Diagnostics folded into one violation per (resource, pack, policy), as the report promises."""

    def __init__(self, pack: str, info: Mapping[str, PolicyInfo], default_urn: str) -> None:
        self.pack = pack
        self.info = info
        self.default_urn = default_urn
        self.found: dict[tuple[str, str], Violation] = {}

    def add(self, diagnostic: analyzer_pb2.AnalyzeDiagnostic, urn: str) -> None:
        level = _PROTO_TO_LEVEL.get(diagnostic.enforcementLevel, "advisory")
        level = "mandatory" if level == "remediate" else level
        if level == "disabled":
            return
        urn = urn or self.default_urn
        policy = self.info.get(diagnostic.policyName)
        severity = _SEVERITY.get(diagnostic.severity, "") or (policy.severity if policy else "")
        key = (urn, diagnostic.policyName)
        existing = self.found.get(key)
        if existing is None:
            self.found[key] = Violation(
                urn=urn,
                policy_pack=diagnostic.policyPackName or self.pack,
                policy=diagnostic.policyName,
                enforcement_level=level,
                message=diagnostic.message,
                description=diagnostic.description or (policy.description if policy else ""),
                severity=severity,
            )
            return
        if level == "mandatory":
            existing.enforcement_level = "mandatory"
        if _SEVERITY_RANK.get(severity, 0) > _SEVERITY_RANK.get(existing.severity, 0):
            existing.severity = severity
        have = existing.message.splitlines()
        extra = [line for line in diagnostic.message.splitlines() if line not in have]
        if extra:
            existing.message = "\n".join([*have, *extra])


def _analyze_all(
    process: PackProcess, requests: Sequence[tuple[str, analyzer_pb2.AnalyzeRequest]], collector: _Collector
) -> None:
    pending: list[tuple[str, grpc.Future]] = []

    def drain(keep: int) -> None:
        while len(pending) > keep:
            urn, future = pending.pop(0)
            for diagnostic in future.result().diagnostics:
                # The engine reports a resource policy's finding against the analyzed resource's URN.
                collector.add(diagnostic, urn)

    for urn, request in requests:
        pending.append((urn, process.stub.Analyze.future(request, timeout=CALL_TIMEOUT_S)))
        drain(PIPELINE_DEPTH)
    drain(0)


def run_pack(
    process: PackProcess,
    resources: Sequence[RegisteredResource],
    *,
    stack_urn: str,
    policy_config: Mapping[str, PolicyConfigEntry],
) -> PackResult:
    """Configure one started pack and run every resource and the stack through it."""
    try:
        info = process.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT_S)
        version = str(process.pack_file.get("version") or info.version)
        policies = _policy_infos(info)
        config, errors = reconcile_config(policies, _initial_config(info), policy_config)
        if errors:
            raise PackError(f"policy pack {info.name} ({process.label}): invalid policy config: " + "; ".join(errors))
        for policy in policies:
            entry = config.get(policy.name, PolicyConfigEntry())
            policy.enforcement_level = entry.enforcement_level or policy.enforcement_level
            policy.config = entry.properties
        _configure_stack(process)
        process.stub.Configure(
            analyzer_pb2.ConfigureAnalyzerRequest(
                policyConfig={
                    name: analyzer_pb2.PolicyConfig(
                        enforcementLevel=_LEVEL_TO_PROTO[entry.enforcement_level or "advisory"],
                        properties=_struct(entry.properties),
                    )
                    for name, entry in config.items()
                }
            ),
            timeout=CALL_TIMEOUT_S,
        )
        by_urn = {r.urn: r for r in resources}
        collector = _Collector(info.name, {p.name: p for p in policies}, stack_urn)
        _analyze_all(process, [(r.urn, analyze_request(r, by_urn)) for r in resources], collector)
        response = process.stub.AnalyzeStack(stack_request(resources, by_urn), timeout=STACK_CALL_TIMEOUT_S)
        for diagnostic in response.diagnostics:
            collector.add(diagnostic, diagnostic.urn)
    except grpc.RpcError as exc:
        detail = exc.details() if hasattr(exc, "details") else str(exc)
        raise PackError(f"policy pack {process.label} failed: {detail}{process.stderr_tail()}") from None
    return PackResult(
        name=info.name,
        version=version,
        policies=[p.name for p in policies],
        violations=list(collector.found.values()),
        diagnostics=[],
        policy_info={p.name: p for p in policies},
        path=process.label,
    )


def _configure_stack(process: PackProcess) -> None:
    request = analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=process.stack, project=process.project, dry_run=process.dry_run
    )
    try:
        process.stub.ConfigureStack(request, timeout=CALL_TIMEOUT_S)
    except grpc.RpcError as exc:
        # Packs built on older SDKs do not implement it; the CLI carries on without it too.
        if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise


def run_packs(
    pack_dirs: Sequence[Path],
    resources: Sequence[RegisteredResource],
    *,
    project: str,
    stack: str,
    policy_config: Mapping[str, Any] | None = None,
) -> list[PackResult]:
    """Run every pack over ``resources`` and return one result per pack, in the order given.

    Raises ``PackError`` (naming the pack) when a pack cannot start, rejects its config or fails, and
    ``PolicyConfigError`` for a malformed ``policy_config``; every started process is stopped either way.
    """
    user_config = parse_policy_config(policy_config)
    with started_packs(pack_dirs, project=project, stack=stack) as processes:
        return run_started(processes, resources, project=project, stack=stack, policy_config=user_config)


def run_started(
    processes: Sequence[PackProcess],
    resources: Sequence[RegisteredResource],
    *,
    project: str,
    stack: str,
    policy_config: Mapping[str, Any] | None = None,
) -> list[PackResult]:
    """``run_packs`` over packs already started (a caller may start them while the program runs)."""
    user_config = parse_policy_config(policy_config) if not _is_parsed(policy_config) else dict(policy_config or {})
    roots = [r for r in resources if r.type == STACK_TYPE]
    stack_urn = roots[0].urn if roots else stack_urn_of(project, stack)
    with ThreadPoolExecutor(max_workers=max(1, len(processes))) as pool:
        futures = [
            pool.submit(run_pack, p, resources, stack_urn=stack_urn, policy_config=user_config) for p in processes
        ]
        results = [f.result() for f in futures]
    known = {name for result in results for name in result.policies}
    unused = sorted(set(user_config) - known - {"all"})
    if unused and results:
        results[0].diagnostics.append(
            "policy config names " + ", ".join(repr(n) for n in unused) + ", which no policy pack defines"
        )
    return results


def _is_parsed(config: Mapping[str, Any] | None) -> bool:
    return bool(config) and all(isinstance(v, PolicyConfigEntry) for v in (config or {}).values())


def has_mandatory(results: Sequence[PackResult]) -> bool:
    return any(v.enforcement_level == "mandatory" for r in results for v in r.violations)

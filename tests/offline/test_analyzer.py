"""The Analyzer driver: config reconciled as the CLI does, properties on the wire as the engine puts them,
diagnostics folded one per resource and policy, and pack processes that always stop, even when they fail.

The probe pack below is a real pulumi-policy pack started as the CLI starts one; it echoes what it
received so the tests can check the driver's side of the protocol without depending on the real packs.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi.output import Unknown

from offline import analyzer
from offline.analyzer import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    PackError,
    PolicyConfigEntry,
    PolicyConfigError,
    PolicyInfo,
    discover_packs,
    parse_policy_config,
    provider_urn,
    reconcile_config,
    run_packs,
    run_started,
    started_packs,
    to_wire,
)
from offline.harness import RegisteredResource

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess

REPO = Path(__file__).resolve().parents[2]
NOOP = REPO / "offline" / "noop_pack"
STACK_URN = "urn:pulumi:test::proj::pulumi:pulumi:Stack::proj-test"

PROBE = """
from pulumi_policy import (
    EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy, StackValidationPolicy,
)

def twice(args, report):
    if args.resource_type == "test:index:Thing" and args.props.get("value") == "bad":
        report("first finding")
        report("second finding")

def echo(args, report):
    if args.resource_type == "test:index:Echo":
        p = args.props
        report(f"count={p['count']!r} secret={p['secret']!r} config={dict(args.get_config())!r}")

def stack(args, report):
    for r in args.resources:
        if r.resource_type == "test:index:Thing" and r.props.get("value") == "bad":
            parent = r.parent.urn if r.parent is not None else None
            report(f"stack finding parent={parent}", r.urn)
    report("stack-wide finding")

PolicyPack(
    name="probe",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        ResourceValidationPolicy(
            name="twice", description="Reports twice.", validate=twice,
            enforcement_level=EnforcementLevel.MANDATORY,
        ),
        ResourceValidationPolicy(
            name="echo", description="Echoes.", validate=echo,
            config_schema=PolicyConfigSchema(properties={"limit": {"type": "integer", "default": 3}}),
        ),
        StackValidationPolicy(name="stack", description="Stack findings.", validate=stack),
    ],
)
"""


# Probe packs need only pulumi and pulumi-policy, which the no-op pack's virtualenv (`make packs`) has: they
# name it by its absolute path, which the CLI accepts for runtime.options.virtualenv as well.
MANIFEST = f"runtime:\n  name: python\n  options:\n    virtualenv: {NOOP / 'venv'}\nversion: 1.2.3\n"


def make_pack(root: Path, name: str, main: str, manifest: str = MANIFEST) -> Path:
    pack = root / name
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text(manifest)
    (pack / "__main__.py").write_text(textwrap.dedent(main))
    return pack


def resource(rtype: str, name: str, inputs: dict, **kw: object) -> RegisteredResource:
    urn = f"urn:pulumi:test::proj::{rtype}::{name}"
    return RegisteredResource(urn=urn, type=rtype, name=name, custom=True, inputs=inputs, outputs=dict(inputs), **kw)  # type: ignore[arg-type]


ROOT = RegisteredResource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="proj-test", custom=False, inputs={})


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    return make_pack(tmp_path, "probe", PROBE)


# -- config, as the CLI parses and reconciles it ---------------------------------------------------


def test_parse_policy_config_accepts_every_cli_form() -> None:
    parsed = parse_policy_config(
        {"all": "mandatory", "a": {"enforcementLevel": "disabled"}, "b": {"limit": 4}, "c": {}, "d": "remediate"}
    )
    assert parsed == {
        "all": PolicyConfigEntry("mandatory"),
        "a": PolicyConfigEntry("disabled"),
        "b": PolicyConfigEntry(None, {"limit": 4}),
        "d": PolicyConfigEntry("remediate"),
    }


@pytest.mark.parametrize(
    ("raw", "pattern"),
    [
        ([], "must be a JSON object"),
        ({"a": "strict"}, "'strict' is not a valid enforcement level"),
        ({"a": {"enforcementLevel": 1}}, "1 is not a valid enforcement level"),
        ({"a": 3}, "must be a string or object"),
        ({"a": None}, "must be a string or object"),
    ],
)
def test_parse_policy_config_rejects_what_the_cli_rejects(raw: object, pattern: str) -> None:
    with pytest.raises(PolicyConfigError, match=pattern):
        parse_policy_config(raw)


SCHEMA = {"properties": {"limit": {"type": "integer", "default": 3}, "names": {"type": "array", "default": ["x"]}}}


def test_reconcile_layers_defaults_then_initial_then_user() -> None:
    policies = [PolicyInfo("p", enforcement_level="mandatory", config_schema=SCHEMA), PolicyInfo("q")]
    config, errors = reconcile_config(
        policies,
        {"p": PolicyConfigEntry(None, {"limit": 5})},
        {"p": PolicyConfigEntry("advisory", {"names": ["y"]}), "all": PolicyConfigEntry("disabled")},
    )
    assert errors == []
    # "all" applies first, then the named entry overrides it; properties merge over the defaults.
    assert config["p"] == PolicyConfigEntry("advisory", {"limit": 5, "names": ["y"]})
    assert config["q"].enforcement_level == "disabled"


def test_reconcile_reports_schema_errors_by_policy() -> None:
    policies = [PolicyInfo("p", config_schema={**SCHEMA, "required": ["limit"]})]
    _, errors = reconcile_config(policies, {}, {"p": PolicyConfigEntry(None, {"limit": "many"})})
    assert len(errors) == 1 and errors[0].startswith("p: limit: 'many' is not of type 'integer'")


# -- properties on the wire -------------------------------------------------------------------------


def test_to_wire_shapes_values_as_the_engine_marshals_them() -> None:
    wire = to_wire(
        {
            "port": 22,
            "ratio": 0.5,
            "on": True,
            "list": (1, "a"),
            "secret": {SIG_KEY: SECRET_SIG, "value": {"n": 1}},
            "unknown": Unknown(),
            "none": None,
        }
    )
    assert wire == {
        "port": 22.0,
        "ratio": 0.5,
        "on": True,
        "list": [1.0, "a"],
        "secret": {SIG_KEY: SECRET_SIG, "value": {"n": 1.0}},
        "unknown": UNKNOWN,
        "none": None,
    }
    assert isinstance(wire["port"], float) and wire["on"] is True


def test_provider_urn_strips_the_id_of_a_provider_reference() -> None:
    urn = "urn:pulumi:dev::proj::pulumi:providers:aws::aws"
    assert provider_urn(f"{urn}::5feaf0ea-0000") == urn
    assert provider_urn(urn) == urn


def test_discover_packs(tmp_path: Path) -> None:
    make_pack(tmp_path, "b", "")
    make_pack(tmp_path, "a", "")
    (tmp_path / "not-a-pack").mkdir()
    assert discover_packs(tmp_path) == [tmp_path / "a", tmp_path / "b"]
    assert discover_packs(tmp_path / "a") == [tmp_path / "a"]
    assert discover_packs(tmp_path / "missing") == []


# -- a real pack process ---------------------------------------------------------------------------


def test_probe_pack_round_trip(probe: Path) -> None:
    thing = resource("test:index:Thing", "t", {"value": "bad"}, parent=STACK_URN)
    echo = resource(
        "test:index:Echo", "e", {"count": 2, "secret": {SIG_KEY: SECRET_SIG, "value": "hunter2"}}, parent=STACK_URN
    )
    unknown = resource("test:index:Thing", "u", {"value": Unknown()}, parent=STACK_URN)
    [result] = run_packs([probe], [ROOT, thing, echo, unknown], project="proj", stack="test")
    assert (result.name, result.version, result.policies) == ("probe", "1.2.3", ["twice", "echo", "stack"])
    by = {(v.urn, v.policy): v for v in result.violations}

    # Two reports for one resource and policy fold into one violation carrying both messages.
    twice = by[(thing.urn, "twice")]
    assert twice.enforcement_level == "mandatory"
    assert twice.message == "Reports twice.\nfirst finding\nsecond finding"

    # Numbers arrive as floats, secrets unwrapped, config filled from the schema defaults.
    assert by[(echo.urn, "echo")].message.endswith("count=2.0 secret='hunter2' config={'limit': 3.0}")

    # An unknown value goes through the SDK's "can't run" path: advisory, not a pass, not a crash.
    cant = by[(unknown.urn, "twice")]
    assert cant.enforcement_level == "advisory" and "can't run policy 'twice'" in cant.message

    # Stack findings keep their URN (with parent links resolved); the stack policy then met the unknown
    # value and the SDK reported it could not finish: a URN-less diagnostic, which lands on the stack.
    assert by[(thing.urn, "stack")].message.endswith(f"stack finding parent={STACK_URN}")
    stack_cant = by[(STACK_URN, "stack")]
    assert stack_cant.enforcement_level == "advisory" and "can't run policy 'stack'" in stack_cant.message
    assert len(result.violations) == 5


def test_policy_config_changes_levels_and_properties(probe: Path) -> None:
    thing = resource("test:index:Thing", "t", {"value": "bad"})
    echo = resource("test:index:Echo", "e", {"count": 1, "secret": "s"})
    config = {"twice": "disabled", "stack": {"enforcementLevel": "mandatory"}, "echo": {"extra": [1]}}
    [result] = run_packs([probe], [ROOT, thing, echo], project="proj", stack="test", policy_config=config)
    levels = {(v.urn, v.policy): v.enforcement_level for v in result.violations}
    assert (thing.urn, "twice") not in levels
    assert levels[(thing.urn, "stack")] == "mandatory"
    stack_wide = next(v for v in result.violations if v.urn == STACK_URN)
    assert stack_wide.enforcement_level == "mandatory" and stack_wide.message.endswith("stack-wide finding")
    assert result.policy_info["twice"].enforcement_level == "disabled"
    assert "config={'limit': 3.0, 'extra': [1.0]}" in next(v.message for v in result.violations if v.policy == "echo")


def test_invalid_policy_config_is_a_pack_error_naming_policy_and_property(probe: Path) -> None:
    with pytest.raises(PackError, match=r"probe .*echo: limit: 'x' is not of type 'integer'"):
        run_packs([probe], [ROOT], project="proj", stack="test", policy_config={"echo": {"limit": "x"}})


def test_unknown_policy_names_in_config_are_reported(probe: Path) -> None:
    [result] = run_packs([probe], [ROOT], project="proj", stack="test", policy_config={"twcie": "disabled"})
    assert result.diagnostics == ["policy config names 'twcie', which no policy pack defines"]


def test_noop_pack_reports_nothing() -> None:
    things = [resource("test:index:Thing", f"t{i}", {"value": "bad"}) for i in range(20)]
    [result] = run_packs([NOOP], [ROOT, *things], project="proj", stack="test")
    assert (result.name, result.policies, result.violations) == ("noop", ["noop"], [])


# -- failures: named, bounded in time, and never leaving a process behind ----------------------------


def _failing(tmp_path: Path, main: str, manifest: str = MANIFEST) -> Path:
    return make_pack(tmp_path, "broken", main, manifest)


@pytest.mark.parametrize(
    ("main", "pattern"),
    [
        ("raise RuntimeError('boom at import')", r"broken exited with status 1 before it started(.|\n)*boom at import"),
        ("print('hello, not a port')\nimport time\ntime.sleep(30)", r"expected a port on its first stdout line"),
    ],
)
def test_pack_that_cannot_start_is_named(tmp_path: Path, main: str, pattern: str) -> None:
    with pytest.raises(PackError, match=pattern):
        run_packs([_failing(tmp_path, main)], [ROOT], project="proj", stack="test")


def test_pack_that_never_prints_a_port_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer, "STARTUP_TIMEOUT_S", 1.0)
    pack = _failing(tmp_path, "import time\ntime.sleep(60)")
    with pytest.raises(PackError, match="did not print its port within 1s"):
        run_packs([pack], [ROOT], project="proj", stack="test")


def test_policy_that_raises_fails_the_run_with_its_traceback(tmp_path: Path) -> None:
    main = PROBE.replace('report("first finding")', 'raise ValueError("policy bug")')
    pack = make_pack(tmp_path, "raising", main)
    with pytest.raises(PackError, match=r"raising failed(.|\n)*policy bug"):
        run_packs([pack], [ROOT, resource("test:index:Thing", "t", {"value": "bad"})], project="proj", stack="test")


@pytest.mark.parametrize(
    ("manifest", "pattern"),
    [("runtime: nodejs\n", "'nodejs' is not supported"), ("- a list\n", "is not a mapping"), ("a: [\n", "cannot read")],
)
def test_unsupported_manifest(tmp_path: Path, manifest: str, pattern: str) -> None:
    with pytest.raises(PackError, match=pattern):
        run_packs([_failing(tmp_path, "", manifest)], [ROOT], project="proj", stack="test")


def test_processes_stop_on_success_and_on_error(probe: Path, tmp_path: Path) -> None:
    seen: list[Callable[[], int | None]] = []
    with started_packs([probe, NOOP], project="proj", stack="test") as processes:
        for process in processes:
            assert process.proc is not None and process.proc.poll() is None
            seen.append(process.proc.poll)
    assert all(poll() is not None for poll in seen)

    broken = _failing(tmp_path, "raise SystemExit(3)")
    survivors: list[Callable[[], int | None]] = []
    original = analyzer.PackProcess._start

    def spy(self: analyzer.PackProcess) -> None:
        original(self)
        assert self.proc is not None
        survivors.append(self.proc.poll)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analyzer.PackProcess, "_start", spy)
        with pytest.raises(PackError), started_packs([probe, broken], project="proj", stack="test"):
            pass
    assert survivors and all(poll() is not None for poll in survivors)


# -- started as the CLI's Python language host starts a pack (RunPlugin) ------------------------------

WHOAMI = """
import json, os, sys
import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

# The engine address is the first argument after `-m pulumi.policy`; it must answer.
engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(sys.argv[1]))
engine.Log(engine_pb2.LogRequest(severity=engine_pb2.INFO, message="hello from the pack"), timeout=10)
FACTS = {
    "argv": sys.argv[1:], "cwd": os.getcwd(), "executable": sys.executable, "prefix": sys.prefix,
    "env": {k: os.environ.get(k) for k in (
        "PYTHONPATH", "VIRTUAL_ENV", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_CONFIG"
    )},
}

def facts(args, report):
    if args.resource_type == "test:index:Thing":
        report(json.dumps(FACTS))

PolicyPack(name="whoami", enforcement_level=EnforcementLevel.ADVISORY,
           policies=[ResourceValidationPolicy(name="facts", description="Facts.", validate=facts)])
"""


def test_pack_starts_as_the_cli_starts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "ours"))
    pack = make_pack(tmp_path, "whoami", WHOAMI, MANIFEST.replace(str(NOOP / "venv"), "../noop-venv"))
    # The virtualenv named relatively, through a symlink: used by its path, never resolved.
    (tmp_path / "noop-venv").symlink_to(NOOP / "venv")
    with started_packs([pack], project="proj", stack="test") as [process]:
        assert process.engine.messages == ["hello from the pack"]
        [result] = run_started([process], [ROOT, resource("test:index:Thing", "t", {})], project="proj", stack="test")
    facts = json.loads(result.violations[0].message.split("\n", 1)[1])
    venv = tmp_path / "noop-venv"  # joined and cleaned lexically, as Go's filepath.Join does
    assert facts["argv"][1] == str(pack) and facts["argv"][0].startswith("127.0.0.1:")
    assert facts["cwd"] == str(pack)
    # sys.executable is the path it was started by: inside the virtualenv, not the base interpreter.
    assert facts["executable"] == str(venv / "bin" / "python")
    assert facts["prefix"] == str(venv)  # the virtualenv, so its site-packages
    assert facts["env"] == {
        "PYTHONPATH": None,
        "VIRTUAL_ENV": str(venv),
        "PULUMI_PROJECT": "proj",
        "PULUMI_STACK": "test",
        "PULUMI_DRY_RUN": "true",
        "PULUMI_CONFIG": None,
    }


def test_pack_python_is_the_virtualenv_link_not_its_target() -> None:
    python = analyzer.pack_python(NOOP, analyzer.read_pack_file(NOOP))
    assert python == str(NOOP / "venv" / "bin" / "python")
    assert Path(python).is_symlink() and Path(python).resolve() != Path(python)


def test_pack_without_its_virtualenv_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, "novenv", PROBE, MANIFEST.replace(str(NOOP / "venv"), "venv"))
    with pytest.raises(PackError) as raised:
        run_packs([pack], [ROOT], project="proj", stack="test")
    message = str(raised.value)
    assert message == (
        f"policy pack {pack}: its virtualenv {pack / 'venv'} does not exist; "
        f"run `make packs` (or `pulumi install` in {pack})"
    )
    (pack / "venv").mkdir()
    with pytest.raises(PackError, match=r"venv has no bin/python; run `make packs`"):
        run_packs([pack], [ROOT], project="proj", stack="test")


def test_pack_without_a_virtualenv_option_is_refused(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, "ambient", PROBE, "runtime: python\n")
    with pytest.raises(PackError, match=r"names no runtime.options.virtualenv"):
        run_packs([pack], [ROOT], project="proj", stack="test")


@pytest.mark.parametrize("module", ["policy_sentry", "leaky"])
def test_a_requirement_missing_from_the_virtualenv_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    # `leaky` is importable only through our PYTHONPATH, which a pack must not inherit.
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "leaky.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(ours))
    pack = make_pack(tmp_path, "needs", f"import {module}\n" + PROBE)
    with pytest.raises(PackError) as raised:
        run_packs([pack], [ROOT], project="proj", stack="test")
    assert str(raised.value) == (
        f"policy pack {pack}: No module named '{module}' in its virtualenv; run `make packs` (or `pulumi install` "
        f"in {pack}), after adding its package to {pack}/requirements.txt if it is not listed there"
    )

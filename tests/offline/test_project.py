"""offline/project.py: the project's and stack's config, merged into the text map the engine hands a program."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.project import ConfigType, ProjectError, load_stack, merge_config

REPO = Path(__file__).resolve().parents[2]
P = "aws-compute-foundations"


def project(tmp_path: Path, config_block: str, stack_block: str, *, stack: str = "s", extra: str = "") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(f"name: demo\nruntime: python\n{extra}config:\n{config_block}")
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_block)
    (tmp_path / "__main__.py").write_text("")
    return tmp_path


# --- the repository's own stacks --------------------------------------------------------------------


def test_dev_stack_gets_its_values_and_every_project_default_as_text() -> None:
    settings = load_stack(REPO, "dev")
    assert settings.project == P
    assert settings.config["aws:region"] == "us-east-1"
    assert settings.config[f"{P}:sshCidr"] == "203.0.113.10/32"
    assert settings.config[f"{P}:production"] == "false"
    assert settings.config[f"{P}:instanceType"] == "t3.micro"  # project default
    assert settings.config[f"{P}:azCount"] == "2"  # integer default as text
    assert settings.program == REPO / "__main__.py"
    assert settings.region == "us-east-1"


def test_prod_stack_overrides_the_project_default() -> None:
    config = load_stack(REPO, "prod").config
    assert config[f"{P}:production"] == "true"
    assert config[f"{P}:natGateways"] == "perAz"
    assert config[f"{P}:sshCidr"] == ""  # default "" is what the program reads as unset


# --- types and forms ----------------------------------------------------------------------------------


def test_schema_defaults_become_text_by_type(tmp_path: Path) -> None:
    block = (
        "  flag:\n    type: boolean\n    default: true\n"
        "  count:\n    type: integer\n    default: 2\n"
        "  name:\n    type: string\n    default: web\n"
        "  zones:\n    type: array\n    items:\n      type: string\n    default: [a, b]\n"
    )
    config = load_stack(project(tmp_path, block, "config: {}\n"), "s").config
    assert config == {"demo:flag": "true", "demo:count": "2", "demo:name": "web", "demo:zones": '["a","b"]'}


def test_plain_value_form_and_namespaced_keys(tmp_path: Path) -> None:
    block = "  aws:region: eu-west-1\n  greeting: hello\n  nested:\n    a: 1\n"
    config = load_stack(project(tmp_path, block, "config: {}\n"), "s").config
    assert config["aws:region"] == "eu-west-1"
    assert config["demo:greeting"] == "hello"
    assert json.loads(config["demo:nested"]) == {"a": 1}


def test_stack_values_override_defaults_and_keep_their_yaml_text(tmp_path: Path) -> None:
    block = "  count:\n    type: integer\n    default: 2\n  flag:\n    type: boolean\n    default: false\n"
    stack = (
        "config:\n  demo:count: 5\n  demo:flag: true\n  aws:region: us-west-2\n"
        "  demo:obj:\n    amiId: ami-0123456789abcdef0\n    weight: 10\n  demo:empty:\n  demo:ver: 1.10\n"
    )
    settings = load_stack(project(tmp_path, block, stack), "s")
    config = settings.config
    assert config["demo:count"] == "5"
    assert config["demo:flag"] == "true"
    assert json.loads(config["demo:obj"]) == {"amiId": "ami-0123456789abcdef0", "weight": 10}
    assert config["demo:empty"] == ""
    assert config["demo:ver"] == "1.10"  # YAML text, not the float 1.1
    assert settings.region == "us-west-2"


def test_main_option_points_at_the_program(tmp_path: Path) -> None:
    root = project(tmp_path, "  k: v\n", "config: {}\n", extra="main: app/\n")
    (root / "app").mkdir()
    (root / "app" / "__main__.py").write_text("")
    assert load_stack(root, "s").program == root / "app" / "__main__.py"


def test_stack_config_dir_option(tmp_path: Path) -> None:
    root = project(tmp_path, "  k: v\n", "config: {}\n", extra="stackConfigDir: stacks\n")
    (root / "stacks").mkdir()
    (root / "stacks" / "Pulumi.s.yaml").write_text("config:\n  demo:k: w\n")
    assert load_stack(root, "s").config["demo:k"] == "w"


# --- what the CLI rejects, with its messages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "stack", "message"),
    [
        ("  flag:\n    type: boolean\n", "config:\n  demo:flag: False\n", "must be of type 'boolean'"),
        ("  flag:\n    type: boolean\n", "config:\n  demo:flag: yes\n", "must be of type 'boolean'"),
        ("  n:\n    type: integer\n", "config:\n  demo:n: two\n", "must be of type 'integer'"),
        ("  n:\n    type: integer\n", "config:\n  demo:n: 2.5\n", "must be of type 'integer'"),
        ("  s:\n    type: string\n", "config:\n  demo:s: [a]\n", "must be of type 'string'"),
        (
            "  l:\n    type: array\n    items:\n      type: integer\n",
            "config:\n  demo:l: [1, x]\n",
            "must be of type 'array<integer>'",
        ),
        ("  need:\n    type: string\n", "config: {}\n", "Stack 's' is missing configuration value 'need'"),
        ("  k: v\n", "config:\n  bare: 1\n", "could not parse bare as a configuration key"),
        ("  k: v\n", "config:\n  demo:pw:\n    secure: v1:abc\n", "encrypted secret"),
        ("  k: v\n", "config: [1, 2]\n", "'config' must be a mapping"),
        ("  k: v\n", "config:\n  demo:k: [unclosed\n", "is not valid YAML"),
        ("  k: v\n", "environment:\n  - dev-env\n", "ESC environments"),
        ("  n:\n    type: integer\n    default: two\n", "config: {}\n", "default value of configuration key 'n'"),
        ("  n:\n    type: float\n", "config: {}\n", "has type 'float'"),
    ],
)
def test_bad_project_or_stack_files_raise_one_clear_message(
    tmp_path: Path, block: str, stack: str, message: str
) -> None:
    with pytest.raises(ProjectError) as caught:
        load_stack(project(tmp_path, block, stack), "s")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_stack_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no stack named 'other' found"):
        load_stack(project(tmp_path, "  k: v\n", "config: {}\n"), "other")


@pytest.mark.parametrize("name", ["../dev", "a/b", "", "dev yaml", "x" * 101])
def test_stack_names_cannot_escape_the_project(tmp_path: Path, name: str) -> None:
    with pytest.raises(ProjectError, match="invalid stack name"):
        load_stack(project(tmp_path, "  k: v\n", "config: {}\n"), name)


def test_missing_project_and_program(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"no Pulumi\.yaml"):
        load_stack(tmp_path, "s")
    root = project(tmp_path, "  k: v\n", "config: {}\n")
    (root / "__main__.py").unlink()
    with pytest.raises(ProjectError, match="no Python program found"):
        load_stack(root, "s")


def test_project_without_a_name(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("runtime: python\n")
    with pytest.raises(ProjectError, match="missing a 'name'"):
        load_stack(tmp_path, "s")


def test_binary_stack_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    root = project(tmp_path, "  k: v\n", "")
    (root / "Pulumi.s.yaml").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ProjectError, match="cannot read"):
        load_stack(root, "s")


# --- merge_config on its own ------------------------------------------------------------------------


def test_merge_prefers_default_over_value_as_the_cli_does() -> None:
    schema = {"k": ConfigType(default="d", value="v", has_default=True, has_value=True)}
    assert merge_config("s", "demo", schema, {}) == {"demo:k": "d"}


def test_merge_lists_every_missing_key_at_once() -> None:
    schema = {"a": ConfigType(type="string"), "b": ConfigType(type="string"), "aws:x": ConfigType(type="string")}
    with pytest.raises(ProjectError, match=r"missing configuration values 'a' and 'b'$"):
        merge_config("s", "demo", schema, {})


def test_merge_passes_untyped_keys_through_unchecked() -> None:
    assert merge_config("s", "demo", {}, {"demo:anything": "x", "aws:region": "eu-west-1"}) == {
        "demo:anything": "x",
        "aws:region": "eu-west-1",
    }

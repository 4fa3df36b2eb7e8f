"""offline/preview.py: the whole preview in-process, on the stand-in project and a stand-in policy pack."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pulumi
import pytest

from offline.mockcloud import UnknownInvokeError
from offline.preview import EXIT_FAILED, EXIT_MANDATORY, EXIT_OK, PreviewOptions, describe_program_error, preview
from tests.offline.standin import write_pack, write_project

# Runs the packs in subprocesses, so it records no coverage for `make mutate` to select it by.
pytestmark = pytest.mark.subprocess


def run(options: PreviewOptions) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = preview(options, out, err).status
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def standin(tmp_path: Path) -> Path:
    return write_project(tmp_path / "proj")


def options(root: Path, **kwargs: object) -> PreviewOptions:
    values: dict[str, object] = {"stack": "test", "project_dir": root, "build_dir": root / "build", "policies": False}
    values.update(kwargs)
    return PreviewOptions(**values)  # type: ignore[arg-type]


def test_prints_tree_outputs_count_and_diagram_paths(standin: Path) -> None:
    status, out, err = run(options(standin))
    assert status == EXIT_OK, err
    assert "Previewing update (test)" in out and "(eu-west-1)" in out
    assert " +   pulumi:pulumi:Stack" in out and "standin-test" in out
    assert " +   └─ standin:lab:Lab" in out
    # Children of the component, one level down; registration order decides which one is last.
    assert re.search(r"^ \+      [├└]─ aws:ec2:Instance +lab-vm +create$", out, re.MULTILINE)
    assert "Resources:\n    + 13 to create" in out
    assert "    appPort   : 8080" in out  # the project default reached the program
    assert "    token     : [secret]" in out and "s3cr3t-value" not in out
    assert "Policies:" not in out  # none asked for
    assert "Diagram:" in out and (standin / "build" / "test.mmd").is_file()
    assert "tcp/22 via lab-igw from 203.0.113.10/32" in (standin / "build" / "test.mmd").read_text()


def test_no_diagram_writes_nothing(standin: Path) -> None:
    status, out, _ = run(options(standin, diagram=False))
    assert status == EXIT_OK
    assert "Diagram:" not in out and not (standin / "build").exists()


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(tmp_path_factory.mktemp("packs") / "standin-pack")


def test_a_mandatory_violation_is_printed_as_the_cli_does_and_exits_1(standin: Path, pack: Path) -> None:
    report = standin / "out" / "report.json"
    status, out, err = run(options(standin, policies=True, policy_packs=[pack], out=report))
    assert status == EXIT_MANDATORY, err
    assert "Policies:\n    ❌ standin-pack@v0.0.7 (local: " in out
    assert "        - [mandatory]  no-ssh  (aws:ec2/securityGroup:SecurityGroup: lab-sg)" in out
    assert "          SSH is open on this group" in out
    document = json.loads(report.read_text())
    assert [v["policy"] for v in document["violations"]] == ["no-ssh"]
    assert document["violations"][0]["urn"].endswith("::lab-sg")


def test_policy_config_can_make_it_advisory(standin: Path, pack: Path) -> None:
    config = standin / "policy.json"
    config.write_text(json.dumps({"no-ssh": {"enforcementLevel": "advisory"}}))
    status, out, err = run(options(standin, policies=True, policy_packs=[pack], policy_config=config))
    assert status == EXIT_OK, err
    assert "- [advisory]  no-ssh" in out


def test_a_pack_that_is_not_a_pack_fails_with_a_message(standin: Path, tmp_path: Path) -> None:
    status, _out, err = run(options(standin, policies=True, policy_packs=[tmp_path / "nowhere"]))
    assert status == EXIT_FAILED
    assert err == f"error: {tmp_path / 'nowhere'} is not a policy pack (no PulumiPolicy.yaml)\n"


def test_a_malformed_policy_config_fails_before_the_program_runs(standin: Path, pack: Path) -> None:
    config = standin / "policy.json"
    config.write_text("{not json")
    status, out, err = run(options(standin, policies=True, policy_packs=[pack], policy_config=config))
    assert status == EXIT_FAILED
    assert out == "" and err.startswith("error: policy config") and "Traceback" not in err


def test_a_run_error_prints_its_message_only(tmp_path: Path, pack: Path) -> None:
    root = write_project(tmp_path / "p", stack_yaml="config:\n  aws:region: eu-west-1\n  standin:fail: runerror\n")
    status, out, err = run(options(root, policies=True, policy_packs=[pack]))
    assert status == EXIT_FAILED
    assert err == "error: config 'fail': the stand-in refuses to run. Fix: pulumi config rm fail\n"
    assert out == ""


def test_a_program_bug_gets_a_short_traceback_of_program_frames(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", stack_yaml="config:\n  standin:fail: bug\n")
    status, _, err = run(options(root))
    assert status == EXIT_FAILED
    assert err.startswith("Traceback (most recent call last, program frames only):\n")
    assert "__main__.py" in err and "site-packages" not in err
    assert err.rstrip().endswith("error: KeyError: 'missing'")


def test_a_bad_stack_file_is_a_message(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", stack_yaml="config:\n  standin:appPort: eighty\n")
    status, _out, err = run(options(root))
    assert status == EXIT_FAILED
    assert err == "error: Stack 'test' with configuration key 'appPort' must be of type 'integer'\n"


def test_describe_program_error() -> None:
    assert describe_program_error(pulumi.RunError("one\n  line"), Path("__main__.py")) == ("one line", "")
    message, trace = describe_program_error(ValueError(""), Path("__main__.py"))
    assert message == "ValueError: ValueError" and trace.startswith("Traceback")
    gap = UnknownInvokeError("aws:ec2/getVpc:getVpc")
    assert describe_program_error(gap, Path("__main__.py")) == (str(gap), "")


def test_an_invoke_the_mock_cloud_lacks_names_its_token(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: inv\nruntime: python\n")
    (tmp_path / "Pulumi.t.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text('import pulumi_aws as aws\naws.ec2.get_vpc(id="vpc-123")\n')
    status, out, err = run(PreviewOptions(stack="t", project_dir=tmp_path, policies=False, diagram=False))
    assert status == EXIT_FAILED and out == ""
    assert err.startswith("error: mock cloud: no answer for invoke 'aws:ec2/getVpc:getVpc")
    assert "Traceback" not in err

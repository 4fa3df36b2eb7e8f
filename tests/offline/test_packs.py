"""``make packs``: a pack's virtualenv is rebuilt exactly when its requirements or its installed packages changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline import packs
from offline.packs import PackSetupError, is_current, pack_virtualenv, wanted_stamp


def fake_pack(tmp_path: Path) -> tuple[Path, Path]:
    """A pack whose virtualenv looks built (no pip runs in these tests)."""
    pack = tmp_path / "pack"
    site = pack / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "pulumi_policy-1.21.0.dist-info").mkdir(parents=True)
    (pack / "venv" / "bin").mkdir()
    (pack / "venv" / "bin" / "python").write_text("")
    (pack / "PulumiPolicy.yaml").write_text("runtime:\n  name: python\n  options:\n    virtualenv: venv\n")
    (pack / "requirements.txt").write_text("pulumi-policy==1.21.0\n")
    venv = pack / "venv"
    (venv / packs.STAMP).write_text(wanted_stamp(pack, venv))
    return pack, venv


def test_an_untouched_virtualenv_is_current_and_not_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack, venv = fake_pack(tmp_path)
    monkeypatch.setattr(packs, "_run", lambda *a: pytest.fail(f"ran {a}"))
    assert is_current(pack, venv)
    assert packs.install(pack) is False


def test_a_changed_requirements_file_makes_it_stale(tmp_path: Path) -> None:
    pack, venv = fake_pack(tmp_path)
    (pack / "requirements.txt").write_text("pulumi-policy==1.21.0\npolicy_sentry==0.15.2\n")
    assert not is_current(pack, venv)


def test_a_package_removed_by_hand_makes_it_stale(tmp_path: Path) -> None:
    pack, venv = fake_pack(tmp_path)
    (venv / "lib" / "python3.11" / "site-packages" / "pulumi_policy-1.21.0.dist-info").rmdir()
    assert not is_current(pack, venv)


def test_a_missing_interpreter_or_stamp_makes_it_stale(tmp_path: Path) -> None:
    pack, venv = fake_pack(tmp_path)
    (venv / packs.STAMP).unlink()
    assert not is_current(pack, venv)
    pack, venv = fake_pack(tmp_path / "again")
    (venv / "bin" / "python").unlink()
    assert not is_current(pack, venv)


def test_a_stale_virtualenv_is_rebuilt_from_nothing_as_pulumi_install_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack, venv = fake_pack(tmp_path)
    (pack / "requirements.txt").write_text("pulumi-policy==1.21.0\n# changed\n")
    (venv / "leftover").write_text("")
    commands: list[list[str]] = []

    def run(command: list[str], cwd: Path, what: str) -> None:
        assert cwd == pack
        commands.append(command[1:])
        if command[1:3] == ["-m", "venv"]:
            (venv / "bin").mkdir(parents=True)
            (venv / "bin" / "python").write_text("")

    monkeypatch.setattr(packs, "_run", run)
    assert packs.install(pack) is True
    pip = ["-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    assert commands == [
        ["-m", "venv", str(venv)],
        [*pip, "--upgrade", "pip", "setuptools", "wheel"],
        [*pip, "-r", "requirements.txt"],
    ]
    assert not (venv / "leftover").exists() and is_current(pack, venv)


def test_the_virtualenv_is_joined_to_the_pack_folder_never_resolved(tmp_path: Path) -> None:
    option = {"runtime": {"name": "python", "options": {"virtualenv": "../shared/venv"}}}
    assert pack_virtualenv(tmp_path / "pack", option) == tmp_path / "shared" / "venv"
    assert pack_virtualenv(tmp_path / "pack", {"runtime": {"options": {"virtualenv": "/abs/venv"}}}) == Path(
        "/abs/venv"
    )
    with pytest.raises(PackSetupError, match=r"names no runtime\.options\.virtualenv"):
        pack_virtualenv(tmp_path / "pack", {"runtime": "python"})


def test_make_packs_reports_a_pack_it_cannot_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: [\n")
    assert packs.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: policy pack {tmp_path}: cannot read PulumiPolicy.yaml") and err.count("\n") == 1

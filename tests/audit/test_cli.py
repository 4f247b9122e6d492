"""`audit` and `review` commands: the latest version by default, a clear line for a user error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from curation.audit.cli import app
from tests.audit.synthetic import DATASET, VERSION


def test_audit_command_defaults_to_the_latest_version(store):
    result = CliRunner().invoke(app, ["audit", "--data", str(store.root), "--dataset", DATASET])
    assert result.exit_code == 0, result.output
    report = Path(result.output.strip())
    assert report == Path(store.dataset_dir(DATASET, VERSION)) / "report.html"
    assert report.is_file() and (report.parent / "audit.json").is_file()
    assert "<img" in report.read_text()


def test_audit_command_fails_clearly_for_an_unknown_dataset(store):
    result = CliRunner().invoke(app, ["audit", "--data", str(store.root), "--dataset", "nope"])
    assert result.exit_code == 1
    assert f"no dataset in {store.root}" in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback


@pytest.mark.parametrize("command", [["audit"], ["review", "--reviewer", "alice"]])
def test_a_missing_data_root_is_reported_and_not_created(tmp_path, command):
    root = tmp_path / "no-such-root"
    result = CliRunner().invoke(app, [*command, "--data", str(root)])
    assert result.exit_code == 1
    assert f"no dataset in {root}" in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert not root.exists()

"""`audit` command: audits the latest version by default and prints the report path."""

from __future__ import annotations

from pathlib import Path

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
    assert result.exit_code != 0
    assert "no 'latest' file" in str(result.exception)

"""A new Prefect home starts from a copy of one migrated database per machine, with the block types."""

import sqlite3

import pytest

from curation.prefect_database import seed_database, template_path


def tables(db) -> set[str]:
    with sqlite3.connect(db) as connection:
        return {name for (name,) in connection.execute("select name from sqlite_master where type='table'")}


def block_types(db) -> set[str]:
    with sqlite3.connect(db) as connection:
        return {slug for (slug,) in connection.execute("select slug from block_type")}


@pytest.mark.slow  # migrates a Prefect database once
def test_new_homes_get_a_migrated_database_with_block_types_built_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    first, second = tmp_path / "a" / ".prefect", tmp_path / "b" / ".prefect"
    for home in (first, second):
        home.mkdir(parents=True)
    server_env = seed_database(first)
    template = template_path()
    assert template.is_file() and str(template).startswith(str(tmp_path / "cache"))
    assert {"flow_run", "task_run", "alembic_version"} <= tables(first / "prefect.db")
    assert {"local-file-system", "secret", "s3-bucket"} - block_types(first / "prefect.db") == set()
    assert server_env == {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false"}, "the server need not register them"
    built = template.stat().st_mtime_ns
    seed_database(second)
    assert template.stat().st_mtime_ns == built, "the template is built once"
    assert tables(second / "prefect.db") == tables(first / "prefect.db")

    (first / "prefect.db").write_bytes(b"a run's own database")
    seed_database(first)
    assert (first / "prefect.db").read_bytes() == b"a run's own database", "an existing database is kept"


def test_a_database_configured_elsewhere_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{tmp_path}/elsewhere.db")
    assert seed_database(tmp_path) == {}, "that database's server registers its own block types"
    assert not (tmp_path / "prefect.db").exists() and not template_path().exists()

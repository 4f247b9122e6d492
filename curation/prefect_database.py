"""A new Prefect home starts from a copy of an empty, migrated database.

Prefect's server builds its SQLite database at its first start in a new home by running every
migration, 7-8 s on this 2-core machine, and each data root has its own home: every first run on
a new root paid it. The same empty database is built once per machine and
Prefect version (the lock pins the version, and the server checks the migrations anyway, finding
nothing to do), then copied, which takes milliseconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from filelock import FileLock

BUILD = "import asyncio; from prefect.server.database import provide_database_interface as db; asyncio.run(db().create_db())"


def template_path() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "histo-curation" / f"prefect-{version('prefect')}-empty.db"


def build_template(template: Path) -> None:
    partial = template.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    env = os.environ | {"PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{partial}",
                        "PREFECT_HOME": str(template.parent / "build-home")}
    done = subprocess.run([sys.executable, "-c", BUILD], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"could not build Prefect's empty database {partial}: {done.stderr.strip()[-2000:]}")
    os.replace(partial, template)


def seed_database(home: Path) -> None:
    """Copy the empty database into `home` unless it has one, or the database lives elsewhere
    (PREFECT_API_DATABASE_CONNECTION_URL)."""
    target = home / "prefect.db"
    if target.exists() or os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL"):
        return
    template = template_path()
    template.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(template) + ".lock"):
        if not template.exists():
            build_template(template)
    copy = target.with_suffix(".copying")
    shutil.copyfile(template, copy)
    os.replace(copy, target)

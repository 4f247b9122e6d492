"""A new Prefect home starts from a copy of an empty, migrated database with Prefect's block types.

Prefect's server builds its SQLite database at its first start in a new home by running every
migration, 7-8 s on this 2-core machine, and each data root has its own home: every first run on
a new root paid it. It then registers every block type it knows into it, about 0.7 s more at
each first start. The same database, migrated and with the block types registered, is built once
per machine and Prefect version (the lock pins the version, and the server checks the migrations
anyway, finding nothing to do), then copied, which takes milliseconds; the run's server is told
not to register the block types again (`REGISTERED_BLOCKS_ENV`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from filelock import FileLock

from curation.machine_cache import machine_cache_dir

BUILD = """
import asyncio
from prefect.server.database import provide_database_interface
from prefect.server.models.block_registration import run_block_auto_registration

async def build():
    db = provide_database_interface()
    await db.create_db()
    async with await db.session() as session:  # as Prefect's server registers them at its start
        await run_block_auto_registration(session=session)

asyncio.run(build())
"""

# for a server on a home seeded here: its database has the block types already
REGISTERED_BLOCKS_ENV = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false"}


def template_path() -> Path:
    return machine_cache_dir() / f"prefect-{version('prefect')}-with-blocks.db"


def build_template(template: Path) -> None:
    partial = template.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    env = os.environ | {"PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{partial}",
                        "PREFECT_HOME": str(template.parent / "build-home")}
    done = subprocess.run([sys.executable, "-c", BUILD], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"could not build Prefect's template database {partial}: {done.stderr.strip()[-2000:]}")
    os.replace(partial, template)


def seed_database(home: Path) -> dict[str, str]:
    """Copy the template database into `home` unless the database lives elsewhere
    (PREFECT_API_DATABASE_CONNECTION_URL) or `home` has one. Returns the environment for a
    server on `home`. A database in `home` has its block types: copied with them, or given them
    by its first server start, as databases seeded before the template had them were."""
    target = home / "prefect.db"
    if os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL"):
        return {}
    if target.exists():
        return REGISTERED_BLOCKS_ENV
    template = template_path()
    with FileLock(str(template) + ".lock"):
        if not template.exists():
            build_template(template)
    copy = target.with_suffix(".copying")
    shutil.copyfile(template, copy)
    os.replace(copy, target)
    return REGISTERED_BLOCKS_ENV

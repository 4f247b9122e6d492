"""Test-wide environment: everything offline, Prefect state inside the test data folder."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / ".cache" / "test-data"
TEST_DATA.mkdir(parents=True, exist_ok=True)

os.environ.setdefault("PREFECT_HOME", str(TEST_DATA / "prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_API_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{TEST_DATA}/prefect/prefect.db")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")  # busy 2-core machines

pytest_plugins = ["tests.fixtures.demo", "tests.fixtures.media", "tests.fixtures.curated", "tests.fixtures.clip"]

"""The process environment of the flow commands, in a fresh process as `curate run` starts one."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from curation.runtime import prepare_environment

ROOT = Path(__file__).resolve().parents[2]

# what `curate run` does: environment first, then Prefect and the store, then a flow
FIRST_RUN = textwrap.dedent(
    """
    import os, sys
    from curation.runtime import prepare_environment

    prepare_environment(sys.argv[1])
    print(os.environ["PREFECT_HOME"])
    from prefect import flow
    from curation.store import Store

    Store(sys.argv[1])

    @flow
    def one():
        return 1

    assert one() == 1
    """
)


SLOW_MACHINE = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "240"}


@pytest.fixture()
def no_prefect_home(monkeypatch):
    for name in ("PREFECT_HOME", "PREFECT_API_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.slow  # starts an ephemeral Prefect server
def test_a_first_run_on_a_new_data_root_starts_prefect_without_a_warning(
    tmp_path, no_prefect_home
):
    root = tmp_path / "new" / "data"
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", FIRST_RUN, str(root)],
        cwd=ROOT, env=os.environ | {"PREFECT_LOGGING_LEVEL": "ERROR", **SLOW_MACHINE},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Failed to create the Prefect home directory" not in done.stderr
    assert Path(done.stdout.splitlines()[0]) == root / ".prefect"
    assert (root / ".prefect").is_dir()


def test_prefect_keeps_its_state_in_an_existing_data_root(tmp_path, no_prefect_home):
    prepare_environment(str(tmp_path), verbose=True)
    assert os.environ["PREFECT_HOME"] == str(tmp_path / ".prefect")


def test_a_new_data_root_is_made_with_prefect_home_inside(tmp_path, no_prefect_home):
    new = tmp_path / "new" / "data"
    prepare_environment(str(new), verbose=True)
    assert new.is_dir() and os.environ["PREFECT_HOME"] == str(new / ".prefect")


def test_an_explicit_prefect_home_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "mine"))
    prepare_environment(str(tmp_path / "data"), verbose=True)
    assert os.environ["PREFECT_HOME"] == str(tmp_path / "mine")


# what `curate run` does with the server started early: one server, the one the flow then uses
EARLY_SERVER = textwrap.dedent(
    """
    import sys
    import psutil
    from curation.runtime import no_flow_heartbeats, prepare_environment, start_prefect_server

    prepare_environment(sys.argv[1])
    server = start_prefect_server()
    from prefect import flow
    from prefect.context import get_run_context
    from prefect.settings import get_current_settings

    @flow
    def api_url():
        return str(get_run_context().client.api_url)

    @flow
    def heartbeat_s():
        return get_current_settings().flows.heartbeat_frequency

    server.join()
    assert api_url().rstrip("/") == server.url, (api_url(), server.url)
    with no_flow_heartbeats():
        assert heartbeat_s() is None
    assert heartbeat_s() == 180, "Prefect's own default outside"
    print(len(psutil.Process().children(recursive=True)))
    server.stop()
    print(len(psutil.Process().children(recursive=True)))
    """
)


@pytest.mark.slow  # starts an ephemeral Prefect server
def test_a_server_started_early_is_the_one_the_flow_uses_and_its_runs_send_no_heartbeats(tmp_path, no_prefect_home):
    done = subprocess.run(
        [sys.executable, "-c", EARLY_SERVER, str(tmp_path / "data")],
        cwd=ROOT, env=os.environ | {"PREFECT_LOGGING_LEVEL": "ERROR", **SLOW_MACHINE},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "0"], "one server process, not a second one for the flow, stopped after"


BROKEN_SERVER = textwrap.dedent(
    """
    import sys
    from curation.runtime import prepare_environment, start_prefect_server

    prepare_environment(sys.argv[1])
    server = start_prefect_server()
    try:
        server.join()
    except RuntimeError as error:
        print(error)
    """
)


@pytest.mark.slow  # starts a Prefect server, which fails
def test_a_server_that_cannot_start_is_an_error_naming_its_log(tmp_path, no_prefect_home):
    unwritable = "sqlite+aiosqlite:////proc/no-such-dir/prefect.db"
    done = subprocess.run(
        [sys.executable, "-c", BROKEN_SERVER, str(tmp_path / "data")],
        cwd=ROOT, env=os.environ | {"PREFECT_API_DATABASE_CONNECTION_URL": unwritable, **SLOW_MACHINE},
        capture_output=True, text=True, timeout=300, check=False,
    )
    log = tmp_path / "data" / ".prefect" / "run-server.log"
    assert "Prefect's server exited at start" in done.stdout and str(log) in done.stdout, done.stdout + done.stderr
    assert log.read_text().strip(), "the server's own error is in its log"

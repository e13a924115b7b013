"""pytest fixtures: a fresh riegeld per test, stopped (and checked) afterwards."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from riegel_harness import (SECRETS, Daemon, RIEGELD, UnprivilegedPython, make_root, remove_root,  # noqa: E402
                            STORAGE, stop_scratch_postgres)

SECRETS_SCAN = "test_zz_secrets_scan.py"


def pytest_sessionstart(session):
    if not RIEGELD.exists():
        raise pytest.UsageError(f"{RIEGELD} is missing: run `swift build` first (or set RIEGEL_BIN_DIR)")
    SECRETS.install()


def pytest_sessionfinish(session, exitstatus):
    SECRETS.discard()
    stop_scratch_postgres()


def pytest_terminal_summary(terminalreporter):
    """Says where test_portal.py saved its screenshots (not committed)."""
    import portal_harness
    folder = portal_harness.screenshots_made()
    if folder is not None:
        terminalreporter.write_line(f"portal screenshots: {folder}")


def pytest_collection_modifyitems(session, config, items):
    """The secrets scan searches what every other test left: it runs last.
    On PostgreSQL (RIEGEL_TEST_STORAGE=postgresql) the tests marked
    `sqlite_file`, which read or edit riegel.sqlite itself, are deselected and
    named: they run in the SQLite run, and their PostgreSQL counterparts are
    in test_postgres.py and RiegelPostgresTests (docs/reliability.md)."""
    items.sort(key=lambda item: item.nodeid.split("::")[0].endswith(SECRETS_SCAN))
    if STORAGE == "postgresql":
        kept = [i for i in items if i.get_closest_marker("sqlite_file") is None]
        dropped = [i for i in items if i.get_closest_marker("sqlite_file") is not None]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
            print(f"\nRIEGEL_TEST_STORAGE=postgresql: {len(dropped)} tests of riegel.sqlite itself deselected: "
                  + ", ".join(i.name for i in dropped))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    SECRETS.begin_test(item.nodeid)


@pytest.fixture
def root():
    r = make_root()
    yield r
    remove_root(r)


@pytest.fixture
def daemon(root):
    """A started riegeld; stopped with SIGTERM at the end, which must exit 0."""
    d = Daemon(root).start()
    yield d
    if d.proc is not None:
        rc = d.stop()
        assert rc == 0, f"riegeld exited {rc} on SIGTERM; log:\n{d.log_text()}"
    d.notify.close()


@pytest.fixture(scope="session")
def unprivileged():
    """Runs Python as another uid without reading the checkout (see UnprivilegedPython).

    Needs root (setpriv to another uid). Without it the tests that use this
    fail, not skip: they cannot check what they name here."""
    if os.getuid() != 0:
        pytest.fail("needs root to run a peer as another uid with setpriv (scripts/test runs as root in CI)")
    env = UnprivilegedPython()
    yield env
    env.close()

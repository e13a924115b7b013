"""Certification of riegel's Varlink module against the PyPI `varlink` reference.

Runs both directions:
  * the Python reference client against `varlink-certification serve`,
  * `varlink-certification client` against the Python reference server.

The binary is `$RIEGEL_BIN_DIR/varlink-certification` (default `<repo>/.build/debug`).
The Python running pytest must have `varlink` installed.
"""

import os
import pathlib
import socket
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("RIEGEL_BIN_DIR", REPO / ".build" / "debug"))
BINARY = BIN_DIR / "varlink-certification"
TIMEOUT = 30


def wait_for_socket(path, process, timeout=10.0):
    """Waits until something accepts connections on `path`, failing early if `process` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"server exited with {process.returncode} before listening:\n{out}\n{err}")
        if os.path.exists(path):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(str(path))
                    return
                except OSError:
                    pass
        time.sleep(0.05)
    pytest.fail(f"nothing listens on {path} after {timeout} s")


@pytest.fixture
def spawn():
    """Starts background processes and kills them in teardown."""
    processes = []

    def start(args):
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(autouse=True)
def require_binary():
    if not BINARY.exists():
        pytest.fail(f"{BINARY} not found: run `swift build --product varlink-certification` or set RIEGEL_BIN_DIR")


def test_reference_client_certifies_our_server(tmp_path, spawn):
    sock = tmp_path / "ours.sock"
    server = spawn([str(BINARY), "serve", "--address", f"unix:{sock}"])
    wait_for_socket(sock, server)
    result = subprocess.run(
        [sys.executable, "-m", "varlink.tests.test_certification", "--client", f"--varlink=unix:{sock}"],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert result.returncode == 0, f"reference client failed:\n{result.stdout}\n{result.stderr}"
    assert "End: {'all_ok': True}" in result.stdout
    assert "Certification passed" in result.stdout


def test_our_client_passes_the_reference_server(tmp_path, spawn):
    sock = tmp_path / "reference.sock"
    server = spawn([sys.executable, "-m", "varlink.tests.test_certification", f"--varlink=unix:{sock}"])
    wait_for_socket(sock, server)
    result = subprocess.run(
        [str(BINARY), "client", "--address", f"unix:{sock}"],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert result.returncode == 0, f"our client failed:\n{result.stdout}\n{result.stderr}"
    assert '"all_ok":true' in result.stdout
    assert "Certification passed" in result.stdout

"""The shipped systemd units verify cleanly and keep a tight sandbox."""
import re
import shutil
import subprocess

import pytest

from riegel_harness import REPO, RIEGELD

UNITS = REPO / "systemd"


@pytest.fixture
def unit_dir(tmp_path):
    # systemd-analyze verify checks that ExecStart= exists: point it at our build.
    for name in ("riegeld.service", "riegeld.socket", "riegeld-metrics.socket"):
        text = (UNITS / name).read_text().replace("/usr/sbin/riegeld", str(RIEGELD))
        (tmp_path / name).write_text(text)
    return tmp_path


def test_units_verify_without_any_output(unit_dir):
    cp = subprocess.run(["systemd-analyze", "verify", "--man=no",
                         str(unit_dir / "riegeld.socket"), str(unit_dir / "riegeld-metrics.socket"),
                         str(unit_dir / "riegeld.service")],
                        capture_output=True, text=True, cwd=unit_dir)
    assert cp.returncode == 0 and cp.stdout == "" and cp.stderr == "", cp.stdout + cp.stderr


def test_service_exposure_stays_low(unit_dir):
    cp = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit_dir / "riegeld.service")],
                        capture_output=True, text=True)
    m = re.search(r"Overall exposure level for riegeld.service: ([0-9.]+)", cp.stdout)
    assert m, cp.stdout + cp.stderr
    assert float(m.group(1)) <= 1.5, cp.stdout


def test_socket_is_not_inside_the_services_runtime_directory():
    service = (UNITS / "riegeld.service").read_text()
    assert "RuntimeDirectory=" not in service
    assert "PrivateUsers=yes" not in service  # peers would become 65534 and break roles


def unit_settings(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split("=", 1)) for line in text.splitlines()
            if "=" in line and not line.startswith("#")]


def test_metrics_socket_is_loopback_named_metrics_and_feeds_riegeld():
    """riegeld-metrics.socket hands riegeld.service a loopback TCP socket as the fd named metrics."""
    settings = unit_settings((UNITS / "riegeld-metrics.socket").read_text())
    assert ("ListenStream", "127.0.0.1:9967") in settings
    assert ("FileDescriptorName", "metrics") in settings
    assert ("Service", "riegeld.service") in settings
    assert [k for k, _ in settings].count("ListenStream") == 1


def test_metrics_stay_off_unless_their_socket_is_enabled():
    """The service neither wants nor requires the metrics socket: enabling it is the operator's choice."""
    service = dict(unit_settings((UNITS / "riegeld.service").read_text()))
    for key in ("Wants", "Requires", "Sockets", "BindsTo"):
        assert "riegeld-metrics.socket" not in service.get(key, ""), key
    # The accepted TCP connections need no address family beyond what the sandbox already allows.
    assert "AF_INET" in service["RestrictAddressFamilies"].split()

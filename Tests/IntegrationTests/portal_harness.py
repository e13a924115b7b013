"""Runs the reference portal (Examples/portal) against a real riegeld, and
headless Chromium through Selenium, for test_portal.py.

The portal binary comes from `swift build --package-path Examples/portal
--scratch-path .build-portal` (scripts/test builds it), or $RIEGEL_PORTAL_BIN.
Chromium and its driver are Debian's (`scripts/setup --test`); Selenium is
given the driver's path, so its driver manager never tries a download.
Screenshots of every step go to $RIEGEL_PORTAL_SCREENSHOTS, or a fresh
folder under .build/portal-screenshots/ (never committed); the run prints it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from riegel_harness import REPO, Daemon

PORTAL_BIN = Path(os.environ.get("RIEGEL_PORTAL_BIN", REPO / ".build-portal" / "debug" / "riegel-portal"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

_screenshots: Path | None = None


def screenshots_dir() -> Path:
    """The folder of this run's screenshots (made on first use)."""
    global _screenshots
    if _screenshots is None:
        if os.environ.get("RIEGEL_PORTAL_SCREENSHOTS"):
            _screenshots = Path(os.environ["RIEGEL_PORTAL_SCREENSHOTS"])
        else:
            _screenshots = REPO / ".build" / "portal-screenshots" / time.strftime("%Y%m%d-%H%M%S")
        _screenshots.mkdir(parents=True, exist_ok=True)
    return _screenshots


def screenshots_made() -> Path | None:
    return _screenshots


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    """A riegel-portal process on a free loopback port, talking to `daemon`."""

    def __init__(self, daemon: Daemon, root: Path, idle_timeout: int, poll_interval: int):
        self.daemon = daemon
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.outbox = root / "portal-outbox"
        self.log = root / "portal.log"
        self.argv = [str(PORTAL_BIN), "--socket", str(daemon.sock), "--port", str(self.port),
                     "--idle-timeout", str(idle_timeout), "--poll-interval", str(poll_interval),
                     "--public-url", self.url, "--dev-outbox", str(self.outbox),
                     "--dev-sms-outbox", str(daemon.state / "sms-outbox.jsonl")]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Portal":
        self.logfile = open(self.log, "ab")
        self.proc = subprocess.Popen(self.argv, stdout=self.logfile, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=REPO)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"riegel-portal exited {self.proc.returncode}; log:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise AssertionError(f"riegel-portal did not answer within 60 s; log:\n{self.log_text()}")

    def stop(self) -> int:
        if self.proc is None:
            return 0
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("riegel-portal did not stop within 30 s of SIGTERM")
        rc = self.proc.returncode
        self.proc = None
        self.logfile.close()
        return rc

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def outbox_lines(self, kind: str) -> list[dict]:
        """The portal's dev outbox: kind "letters" (activation codes) or "mail"."""
        path = self.outbox / f"{kind}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def sms_messages(daemon: Daemon) -> list[dict]:
    path = daemon.state / "sms-outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def code_in(message: dict) -> str:
    """The code of an outbox message: its only run of 6 digits (the outbox contract)."""
    codes = set(re.findall(r"(?<!\d)\d{6}(?!\d)", message["text"]))
    assert len(codes) == 1, f"not one code in {message['text']!r}"
    return codes.pop()


def new_browser(profile: Path):
    """Headless Chromium with its own profile folder (cookies and all)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    for path in (CHROMIUM, CHROMEDRIVER):
        assert path.exists(), f"{path} is missing: run scripts/setup --test (apt-get install chromium chromium-driver)"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1000",
                f"--user-data-dir={profile}", "--lang=en-US", "--no-first-run", "--disable-gpu",
                "--password-store=basic"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver


def make_profile_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="riegel-chromium-"))


def remove_profile_dir(path: Path):
    shutil.rmtree(path, ignore_errors=True)

"""A Debian 12 system with systemd as PID 1 in systemd-nspawn, for the tests of
the installed package (see ../shared/PLATFORM.md for why each flag is there).

The root comes from `mmdebstrap --variant=minbase` and is cached outside the
checkout (RIEGEL_NSPAWN_CACHE, default /var/cache/riegel-test/nspawn) under a
key made of the suite and the package list, so CI builds it once. Each boot
gets its own overlayfs layer on top of it: the cached root is never written.

Nothing here skips: a machine that cannot build the root or boot it fails the
tests with the reason.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

CACHE = Path(os.environ.get("RIEGEL_NSPAWN_CACHE", "/var/cache/riegel-test/nspawn"))
SUITE = "bookworm"
# systemd as PID 1 and the bus systemctl needs; the package's own Depends: are added.
BASE_PACKAGES = ("systemd", "systemd-sysv", "dbus")
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "TERM": "dumb", "HOME": "/root"}


class NspawnUnavailable(RuntimeError):
    """This machine cannot give the tests a container (said loudly, never skipped)."""


def deb_depends(deb: Path) -> list[str]:
    """The package names in the .deb's Depends: (first alternative, no versions)."""
    out = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True, check=True).stdout
    return sorted({part.split("|")[0].split("(")[0].strip() for part in out.split(",") if part.strip()})


def cached_root(packages: list[str]) -> Path:
    """A minbase root of SUITE with `packages`, built once per package list."""
    if os.getuid() != 0:
        raise NspawnUnavailable("systemd-nspawn and mmdebstrap need root (CI runs scripts/test as root)")
    for tool in ("mmdebstrap", "systemd-nspawn", "nsenter"):
        if shutil.which(tool) is None:
            raise NspawnUnavailable(f"{tool} is missing: run scripts/setup --test")
    wanted = sorted(set(BASE_PACKAGES) | set(packages))
    key = hashlib.sha256(f"{SUITE} minbase {' '.join(wanted)}".encode()).hexdigest()[:16]
    root = CACHE / f"{SUITE}-{key}"
    done = CACHE / f"{SUITE}-{key}.complete"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # another CI run may build the same root
        if done.exists() and root.is_dir():
            return root
        shutil.rmtree(root, ignore_errors=True)
        tmp = CACHE / f".{root.name}.{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        started = time.monotonic()
        # umask 022: CI runs under umask 077, which would leave the root's own
        # directories 0700 and lock every non-root user of the container out.
        cp = subprocess.run(["mmdebstrap", "--variant=minbase", "--include=" + ",".join(wanted), SUITE, str(tmp)],
                            capture_output=True, text=True, timeout=900, preexec_fn=lambda: os.umask(0o022))
        if cp.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise NspawnUnavailable(f"mmdebstrap failed ({cp.returncode}):\n{cp.stderr[-3000:]}")
        os.chmod(tmp, 0o755)
        os.rename(tmp, root)
        done.write_text(" ".join(wanted) + "\n")
        print(f"nspawn_harness: built {root} in {time.monotonic() - started:.0f} s")
        return root


class Container:
    """One boot of `root` (overlayfs on top) with systemd as PID 1.

    `run` executes a command inside (all namespaces of the container's PID 1,
    via nsenter); `stop` shuts it down and removes the layer."""

    def __init__(self, root: Path, name: str):
        self.name = name
        self.work = Path(tempfile.mkdtemp(prefix=f"riegel-{name}-"))
        for d in ("upper", "overlay-work", "merged"):
            (self.work / d).mkdir()
        # The overlay's / takes the upper directory's mode: keep the root's (not mkdtemp's 0700).
        os.chmod(self.work / "upper", root.stat().st_mode & 0o7777)
        self.merged = self.work / "merged"
        cp = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                             f"lowerdir={root},upperdir={self.work / 'upper'},workdir={self.work / 'overlay-work'}",
                             str(self.merged)], capture_output=True, text=True)
        if cp.returncode != 0:
            shutil.rmtree(self.work, ignore_errors=True)
            raise NspawnUnavailable(f"cannot mount the overlay: {cp.stderr}")
        self.log_path = self.work / "nspawn.log"
        self.proc: subprocess.Popen | None = None
        self.pid1 = 0

    def boot(self, timeout: float = 60) -> "Container":
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                ["systemd-nspawn", "-b", "-D", str(self.merged), "-M", self.name, "--register=no", "--keep-unit",
                 "--private-network", "--console=passive"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.pid1:
            if self.proc.poll() is not None:
                raise NspawnUnavailable(f"systemd-nspawn exited {self.proc.returncode}:\n{self.log_text()}")
            if time.monotonic() > deadline:
                raise NspawnUnavailable(f"no systemd below systemd-nspawn after {timeout} s:\n{self.log_text()}")
            self.pid1 = self._find_pid1()
            time.sleep(0.1)
        state = ""
        while time.monotonic() < deadline:
            state = self.run("systemctl", "is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.2)
        if state != "running":
            failed = self.run("systemctl", "--failed", "--no-legend", check=False).stdout
            raise NspawnUnavailable(f"the container's systemd is {state!r}, not running; failed units:\n{failed}")
        return self

    def _find_pid1(self) -> int:
        """The nspawn descendant that is the container's systemd."""
        children: dict[int, list[int]] = {}
        comm: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            pid = int(entry.name)
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(pid)
            comm[pid] = name
        todo = list(children.get(self.proc.pid, []))
        while todo:
            pid = todo.pop()
            if comm.get(pid) == "systemd":
                return pid
            todo.extend(children.get(pid, []))
        return 0

    def run(self, *argv: str, check: bool = True, timeout: float = 60, user: str | None = None,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Runs argv inside the container (as `user` with runuser, else root)."""
        if user is not None:
            argv = ("runuser", "-u", user, "--", *argv)
        cp = subprocess.run(["nsenter", "-t", str(self.pid1), "-a", *argv], capture_output=True, text=True,
                            timeout=timeout, env=ENV, input=input)
        if check and cp.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} exited {cp.returncode}:\n{cp.stdout}\n{cp.stderr}")
        return cp

    def sh(self, script: str, **kw) -> subprocess.CompletedProcess:
        return self.run("sh", "-ec", script, **kw)

    def show(self, unit: str, *props: str) -> dict[str, str]:
        out = self.run("systemctl", "show", unit, *(f"--property={p}" for p in props)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def wait_for(self, what: str, predicate, timeout: float = 30, interval: float = 0.2):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(interval)

    def journal(self, *args: str) -> str:
        return self.run("journalctl", "--no-pager", *args, check=False).stdout

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, keep_journal_in: Path | None = None) -> None:
        if self.pid1 and keep_journal_in is not None:
            try:
                keep_journal_in.write_text(self.journal("-o", "short-precise"))
            except Exception as e:  # the container may already be gone
                keep_journal_in.write_text(f"journal unreadable: {e}\n")
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # nspawn asks the container's systemd to power off
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                if self.pid1:
                    try:
                        os.kill(self.pid1, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        subprocess.run(["umount", str(self.merged)], capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)

"""A throwaway PostgreSQL server for the integration tests (scripts/pg-scratch):
Unix socket only, in a temporary directory; as root the server runs as nobody.
A server that cannot start fails the test that needs it, never skips it."""
from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from pathlib import Path

from riegel_harness import REPO

SCRATCH = REPO / "scripts" / "pg-scratch"


class ScratchPostgres:
    """One started server; `create_database()` gives each test its own database."""

    def __init__(self, port: int = 5432, options: str = "", prepare=None):
        """`options`: extra server options (RIEGEL_PG_OPTIONS; `{dir}` stands
        for the server's directory); `prepare(dir)` runs after the directory
        is made and before the server starts (certificates for ssl=on, say)."""
        self.dir = Path(tempfile.mkdtemp(prefix="riegel-it-pg-"))
        self.port = port
        self.env = env = dict(os.environ, RIEGEL_PG_OPTIONS=f"-c port={port} " + options.replace("{dir}", str(self.dir)))
        if prepare is not None:
            prepare(self.dir)
        cp = subprocess.run([str(SCRATCH), "start", str(self.dir)], capture_output=True, text=True, timeout=180,
                            env=env)
        if cp.returncode != 0:
            raise AssertionError(f"PostgreSQL did not start (scripts/pg-scratch): {cp.stdout}{cp.stderr}")
        self.socket = self.dir / f".s.PGSQL.{port}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        cp = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir), "-p", str(self.port),
                             "-U", "riegel", "-d", database, "-c", sql], capture_output=True, text=True, timeout=60)
        if cp.returncode != 0:
            raise AssertionError(f"psql failed on {sql!r}: {cp.stderr}")
        return cp.stdout.strip()

    def create_database(self) -> str:
        name = "riegel_it_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name} TEMPLATE template0")
        return name

    def storage_config(self, database: str, extra: str = "") -> str:
        """A `[storage]` section for riegeld on `database` (user riegel, trusted on the socket)."""
        return (
            "[storage]\n"
            'backend = "postgresql"\n'
            f'socket = "{self.socket}"\n'
            f'database = "{database}"\n'
            'user = "riegel"\n'
            f"{extra}"
        )

    def halt(self):
        """Stops the server (fast: connections are cut), keeping its data."""
        cp = subprocess.run([str(SCRATCH), "halt", str(self.dir)], capture_output=True, text=True, timeout=120)
        if cp.returncode != 0:
            raise AssertionError(f"PostgreSQL did not stop: {cp.stdout}{cp.stderr}")

    def resume(self):
        """Starts a halted server again on the same socket and data."""
        cp = subprocess.run([str(SCRATCH), "resume", str(self.dir)], capture_output=True, text=True, timeout=180,
                            env=self.env)
        if cp.returncode != 0:
            raise AssertionError(f"PostgreSQL did not start again: {cp.stdout}{cp.stderr}")

    def stop(self):
        subprocess.run([str(SCRATCH), "stop", str(self.dir)], capture_output=True, timeout=120)

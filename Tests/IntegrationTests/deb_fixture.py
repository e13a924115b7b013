"""The .deb under test: $RIEGEL_DEB (scripts/test builds it with scripts/package),
or one built here with `scripts/package --debug` from RIEGEL_BIN_DIR's build."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from riegel_harness import REPO


def package_path(tmp_path_factory) -> Path:
    given = os.environ.get("RIEGEL_DEB")
    if given:
        path = Path(given)
        if not path.is_file():
            pytest.fail(f"RIEGEL_DEB={given} does not exist")
        return path
    out = tmp_path_factory.mktemp("deb")
    cp = subprocess.run([str(REPO / "scripts" / "package"), "--debug", "--out", str(out)],
                        capture_output=True, text=True, cwd=REPO, timeout=1800)
    if cp.returncode != 0:
        pytest.fail(f"scripts/package --debug failed ({cp.returncode}):\n{cp.stderr[-4000:]}")
    return Path(cp.stdout.strip().splitlines()[-1])

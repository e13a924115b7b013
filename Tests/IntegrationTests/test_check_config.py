"""`riegeld --check-config`: exit 0 for a good file, FILE:LINE: message for each problem."""
import subprocess

from riegel_harness import REPO, RIEGELD


def check(path):
    return subprocess.run([str(RIEGELD), "--check-config", "--config", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_shipped_configs_pass(tmp_path):
    for name in ("riegel.toml", "dev.toml"):
        cp = check(REPO / "config" / name)
        assert cp.returncode == 0, (name, cp.stdout, cp.stderr)


def test_every_problem_is_reported_with_file_and_line(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(
        "[daemon]\n"
        'state_directory = "/tmp/x"\n'
        "[session]\n"
        'idle_timeout = "15x"\n'
        "bogus = 1\n"
        "[roles]\n"
        'admin = ["wheel"]\n'
    )
    cp = check(cfg)
    assert cp.returncode != 0
    err = cp.stderr
    assert f"{cfg}:4:" in err and "idle_timeout" in err
    assert f"{cfg}:5:" in err and "bogus" in err
    assert f"{cfg}:7:" in err and "wheel" in err


def test_toml_syntax_error_names_the_line(tmp_path):
    cfg = tmp_path / "syntax.toml"
    cfg.write_text("[daemon]\nstate_directory = \n")
    cp = check(cfg)
    assert cp.returncode != 0
    assert f"{cfg}:2:" in cp.stderr


def test_missing_file_is_an_error(tmp_path):
    cp = check(tmp_path / "absent.toml")
    assert cp.returncode != 0
    assert "absent.toml" in cp.stderr

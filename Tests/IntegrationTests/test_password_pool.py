"""The bounded hashing pool answers Overloaded at once instead of queuing without bound;
the password blocklist file from the config is enforced."""
import threading

import varlink

from riegel_harness import Daemon

STRONG = "Kl4vier-Sonate-Mond"


def test_full_hashing_pool_answers_overloaded_and_the_daemon_goes_on(root):
    d = Daemon(root, extra_config=(
        "[password]\nmemory_kib = 65536\niterations = 3\nhash_workers = 1\nhash_queue_limit = 1\n"
        "[throttle]\nfailures_before_delay = 1000\nlockout_failures = 1000\n")).start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            a.Register(username="flood", password=STRONG)
        results = []
        lock = threading.Lock()

        def attempt():
            with d.client().open("io.riegel.Auth") as a:
                try:
                    a.Login(username="flood", password=STRONG)
                    outcome = ("ok", None)
                except varlink.VarlinkError as e:
                    outcome = (e.error(), e.parameters())
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=attempt) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        names = [r[0] for r in results]
        assert len(results) == 12
        assert set(names) <= {"ok", "io.riegel.Auth.Overloaded"}, results
        assert "io.riegel.Auth.Overloaded" in names, "12 concurrent hashes cannot fit 1 worker + 1 queued"
        assert "ok" in names
        assert all(r[1]["retry_after"] >= 1 for r in results if r[0] == "io.riegel.Auth.Overloaded")
        with d.client().open("io.riegel.Auth") as a:
            a.Login(username="flood", password=STRONG)
    finally:
        assert d.stop() == 0


def test_blocklist_file_from_the_config_is_enforced(root):
    blocklist = root / "blocklist.txt"
    blocklist.write_text("# operator list\nMein-Geheimes-Kennwort\n\nKl4vier-Sonate-Mond\n")
    d = Daemon(root, extra_config=f'[password]\nblocklist = "{blocklist}"\n').start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            try:
                a.Register(username="bea", password="mein-geheimes-KENNWORT")
                raise AssertionError("a blocklisted password was accepted")
            except varlink.VarlinkError as e:
                assert e.error() == "io.riegel.Auth.WeakPassword" and e.parameters()["reasons"] == ["blocklisted"]
            a.Register(username="bea", password="Ganz-Anderes-Kennwort-9")
    finally:
        assert d.stop() == 0


def test_unreadable_blocklist_refuses_to_start(root):
    d = Daemon(root, extra_config=f'[password]\nblocklist = "{root}/absent.txt"\n')
    d.start(wait_ready=False)
    rc = d.proc.wait(60)
    d.proc = None
    assert rc != 0
    assert "absent.txt" in d.log_text() and "blocklist" in d.log_text()

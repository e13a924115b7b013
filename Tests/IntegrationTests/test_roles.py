"""Security rule 8: callers are known by SO_PEERCRED; a peer outside an interface's role is refused."""
import json


from riegel_harness import Daemon, UnprivilegedPython

NOBODY = 65534

CLIENT = r"""
import json, sys, varlink
c = varlink.Client(address=sys.argv[1])
out = {}
try:
    out["info"] = c.open("org.varlink.service").GetInfo()["product"]
except varlink.VarlinkError as e:
    out["info"] = e.error()
for iface, method in (("io.riegel.Admin", "Status"),):
    try:
        with c.open(iface) as p:
            getattr(p, method)()
        out[iface] = "ok"
    except varlink.VarlinkError as e:
        out[iface] = e.error()
print(json.dumps(out))
"""


def run_as(unprivileged: UnprivilegedPython, uid: int, gid: int, address: str) -> dict:
    cp = unprivileged.run(uid, gid, CLIENT, address)
    assert cp.returncode == 0, cp.stderr
    return json.loads(cp.stdout)


def test_unprivileged_peer_is_refused_with_permission_denied(root, unprivileged):
    d = Daemon(root).start()
    try:
        out = run_as(unprivileged, NOBODY, NOBODY, d.address)
        # org.varlink.service is open to everyone, io.riegel.Admin is not.
        assert out["info"] == "riegeld"
        assert out["io.riegel.Admin"] == "org.varlink.service.PermissionDenied"
        # ...and the refusal is an audit entry naming the peer.
        with d.client().open("io.riegel.Audit") as audit:
            events = [r["event"] for r in audit.Query(filter={"types": ["permission.denied"]}, _more=True)
                      if "event" in r]
        assert any(e["peer_uid"] == NOBODY and e["details"]["method"] == "io.riegel.Admin.Status" and
                   e["reason"] == "admin" and e["outcome"] == "failure" for e in events), events
    finally:
        assert d.stop() == 0


def test_uid_principal_admits_that_peer(root, unprivileged):
    d = Daemon(root, roles=f'admin = ["uid:{NOBODY}"]\n').start()
    try:
        assert run_as(unprivileged, NOBODY, NOBODY, d.address)["io.riegel.Admin"] == "ok"
    finally:
        assert d.stop() == 0


def test_group_principal_matches_the_peers_primary_gid(root, unprivileged):
    import grp
    name = grp.getgrgid(NOBODY).gr_name
    d = Daemon(root, roles=f'admin = ["group:{name}"]\n').start()
    try:
        assert run_as(unprivileged, NOBODY, NOBODY, d.address)["io.riegel.Admin"] == "ok"
        # The same uid with another primary group is refused.
        assert run_as(unprivileged, NOBODY, 1, d.address)["io.riegel.Admin"] == "org.varlink.service.PermissionDenied"
    finally:
        assert d.stop() == 0


def test_root_in_admin_role_may_call_admin(daemon):
    with daemon.client().open("io.riegel.Admin") as admin:
        status = admin.Status()
    assert status["state"] == "serving"

"""Every declaration and every field of riegel's varlink interfaces has a
comment (issue 19): the IDL is the portal developer's reference, as systemd's
userdbd and homed interfaces are. Checks the files the daemon compiles in
and, through the daemon, the text it serves."""
import re
from pathlib import Path

import varlink

REPO = Path(__file__).resolve().parents[2]
IDL = sorted((REPO / "Sources" / "RiegelRPC" / "IDL").glob("*.varlink"))


def undocumented(text: str, name: str) -> list[str]:
    """Declarations (type, method, error) and fields of multi-line lists
    without a `#` comment on the line right above."""
    missing, depth = [], 0
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        above = lines[number - 2].strip() if number > 1 else ""
        if re.match(r"^(type|method|error)\s", stripped):
            if not above.startswith("#"):
                missing.append(f"{name}:{number}: {stripped[:70]}")
        elif depth > 0 and re.match(r"^[a-z_][a-z0-9_]*\s*:", stripped):
            if not above.startswith("#"):
                missing.append(f"{name}:{number}: field {stripped[:60]}")
        depth += line.count("(") - line.count(")")
    return missing


def test_the_checker_finds_an_undocumented_field_and_method():
    text = "interface x.y\n# ok\ntype T (\n  # ok\n  a: int,\n  b: int\n)\nmethod M() -> ()\n"
    assert undocumented(text, "t") == ["t:6: field b: int", "t:8: method M() -> ()"]


def test_every_declaration_and_field_of_the_idl_files_is_documented():
    assert len(IDL) == 3, IDL
    missing = [m for path in IDL for m in undocumented(path.read_text(), path.name)]
    assert missing == [], "undocumented in the IDL:\n" + "\n".join(missing)


def test_the_daemon_serves_the_documented_idl(daemon):
    with daemon.client().open("org.varlink.service") as service:
        for path in IDL:
            interface = path.stem
            served = service.GetInterfaceDescription(interface)["description"]
            assert served.strip() == path.read_text().strip(), f"{interface} served differs from {path.name}"

"""The tests that docs/security-rules.md and docs/threat-model.md name exist:
a rule or a defence whose test was renamed or removed shows up here."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def all_test_sources() -> str:
    return "\n".join(p.read_text(errors="replace") for p in (REPO / "Tests").rglob("*")
                     if p.suffix in (".swift", ".py") and p.is_file()) + "\n".join(
        p.read_text(errors="replace") for p in (REPO / "Sources" / "RiegelTesting").rglob("*.swift"))


def named_tests(doc: str) -> set[str]:
    names = set()
    for ref in re.findall(r"`([^`\s]+)`", doc):
        for part in re.split(r"::|\.(?=test)", ref):
            if re.fullmatch(r"test_[a-z0-9_]+|test[A-Z]\w+|[A-Z]\w*(Tests|Conformance)", part):
                names.add(part)
            elif re.fullmatch(r"test_\w+\.py", part):
                names.add(part)
    return names


def test_every_test_the_security_docs_name_exists():
    sources = all_test_sources()
    files = {p.name for p in (REPO / "Tests").rglob("*.py")}
    for doc in ("docs/security-rules.md", "docs/threat-model.md"):
        names = named_tests((REPO / doc).read_text())
        assert len(names) > 20, f"{doc}: the pattern found too few test names ({len(names)})"
        missing = sorted(n for n in names
                         if (n not in files if n.endswith(".py")
                             else not re.search(rf"\b(def|func|class|struct|enum) {re.escape(n)}\b", sources)))
        assert missing == [], f"{doc} names tests that do not exist: {missing}"

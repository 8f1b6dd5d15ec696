"""The DNS findings' German words live in one catalog: every code the checks report has words,
and every entry of the catalog is reported somewhere."""

import re
from pathlib import Path

from mitwirkung.checks.dns import wording
from mitwirkung.checks.finding import Finding

CHECKS = Path(__file__).parent.parent / "mitwirkung" / "checks"
PATTERN = r'"((?:spf|dkim|dmarc|dns|domain|verification)\.[a-z0-9_]+)"'
SOURCES = [
    *CHECKS.glob("dns/*.py"),
    *CHECKS.glob("spf*.py"),
    CHECKS / "dkim.py",
    CHECKS / "dmarc.py",
    CHECKS / "dmarc_repair.py",
]


def reported_codes() -> set[str]:
    codes = set()
    for path in SOURCES:
        if path.name != "wording.py":
            codes |= set(re.findall(PATTERN, path.read_text()))
    return codes


def test_every_reported_code_has_words():
    missing = reported_codes() - set(wording.TEXTS)
    assert not missing


def test_every_catalog_entry_is_reported():
    unused = set(wording.TEXTS) - reported_codes()
    assert not unused


def test_no_german_outside_the_catalog():
    for path in SOURCES:
        if path.name != "wording.py":
            assert not re.search(r"[äöüßÄÖÜ]", path.read_text()), path


def test_character_names_are_said_in_the_right_case():
    tab = Finding("spf.version_leading", "failed", {"record": "\tv=spf1", "char": "U+0009"})
    assert wording.render(tab)[0].startswith("Der Wert „\tv=spf1“ beginnt mit einem Tabulator.")
    params = {"fqdn": "x", "host": "x", "value": "v", "char": "U+00A0", "position": 3}
    nbsp = Finding("verification.odd_space", "failed", params)
    assert "mit einem geschützten Leerzeichen (U+00A0" in wording.render(nbsp)[0]

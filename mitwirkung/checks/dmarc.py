"""Parse a DMARC record (RFC 7489 §6.3) and say in German what is wrong with it."""

from __future__ import annotations

import re
from dataclasses import dataclass

POLICIES = ("none", "quarantine", "reject")
_ATTEMPT = re.compile(r"^\s*v\s*=\s*dmarc1\b[\s,]*", re.IGNORECASE)
MAILBOX_NOTE = (
    "Die Adresse nach mailto: muss ein Postfach sein, das es gibt (oder lassen Sie rua= weg)."
)
_MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$", re.IGNORECASE)


def is_dmarc(text: str) -> bool:
    """Tell whether a TXT value claims to be a DMARC record."""
    return re.match(r"^\s*v\s*=\s*dmarc1\s*(;|$)", text, re.IGNORECASE) is not None


def is_dmarc_attempt(text: str) -> bool:
    """Tell whether a TXT value is meant as DMARC but not separated right ("v=DMARC1 p=none")."""
    return not is_dmarc(text) and _ATTEMPT.match(text) is not None


def repair(text: str) -> str:
    """Return a DMARC attempt with "; " between its tags: "v=DMARC1 p=none" → "v=DMARC1; p=none"."""
    text = _ATTEMPT.sub("v=DMARC1;", text.strip(), count=1)
    parts = []
    for part in text.split(";"):
        parts += [p.strip() for p in re.split(r"[\s,]+(?=[A-Za-z]+\s*=)", part) if p.strip()]
    return "; ".join(parts)


@dataclass(frozen=True)
class DmarcRecord:
    """Parsed tags of a DMARC record and the German errors found."""

    tags: dict[str, str]
    errors: tuple[str, ...]

    @property
    def policy(self) -> str | None:
        """Return the p= policy when valid."""
        value = self.tags.get("p", "").lower()
        return value if value in POLICIES else None


def parse(record: str) -> DmarcRecord:
    """Parse a DMARC TXT value."""
    tags: dict[str, str] = {}
    errors: list[str] = []
    parts = [p.strip() for p in record.strip().split(";") if p.strip()]
    for index, part in enumerate(parts):
        if "=" not in part:
            errors.append(f"„{part}“ ist keine gültige Angabe (erwartet: name=wert).")
            continue
        name, value = (x.strip() for x in part.split("=", 1))
        name = name.lower()
        if index == 0 and (name != "v" or value != "DMARC1"):
            errors.append("Der Eintrag muss genau mit „v=DMARC1“ beginnen.")
        if name in tags:
            errors.append(f"„{name}=“ kommt mehrfach vor.")
        tags.setdefault(name, value)
    if index_of(parts, "p") != 1:
        if "p" not in tags:
            errors.append("Die Angabe p= (none, quarantine oder reject) fehlt.")
        else:
            errors.append("p= muss direkt nach v=DMARC1 stehen.")
    if "p" in tags and tags["p"].lower() not in POLICIES:
        errors.append(f"„p={tags['p']}“ ist ungültig: erlaubt sind none, quarantine, reject.")
    if "sp" in tags and tags["sp"].lower() not in POLICIES:
        errors.append(f"„sp={tags['sp']}“ ist ungültig: erlaubt sind none, quarantine, reject.")
    for name in ("adkim", "aspf"):
        if name in tags and tags[name].lower() not in ("r", "s"):
            errors.append(f"„{name}={tags[name]}“ ist ungültig: erlaubt sind r und s.")
    if "pct" in tags and not (tags["pct"].isdigit() and 0 <= int(tags["pct"]) <= 100):
        errors.append(f"„pct={tags['pct']}“ ist ungültig: erlaubt ist eine Zahl von 0 bis 100.")
    for name in ("rua", "ruf"):
        for uri in filter(None, (u.strip() for u in tags.get(name, "").split(","))):
            address = re.sub(r"!\d+[kmgt]?$", "", uri, flags=re.IGNORECASE)
            if not _MAILTO.match(address) and not address.lower().startswith("https://"):
                errors.append(f"„{name}={uri}“: Berichtsadressen beginnen mit mailto:.")
    return DmarcRecord(tags, tuple(errors))


def index_of(parts: list[str], name: str) -> int:
    """Return the position of tag name among parts, or -1."""
    for index, part in enumerate(parts):
        if part.split("=", 1)[0].strip().lower() == name:
            return index
    return -1


def starter(domain: str) -> str:
    """Return the DMARC record to suggest when none exists."""
    return f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}"

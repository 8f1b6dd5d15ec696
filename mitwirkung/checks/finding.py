"""What a record check reports: a finding is a code, a state and parameters, never prose.

The German sentences for DNS findings live in mitwirkung/checks/dns/wording.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATES = ("done", "warning", "failed")
# Whitespace other than a plain space, and characters that print as nothing.
_ODD = re.compile(r"[^\S ]|[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPLIT = re.compile(r"[\s\u200b-\u200d\u2060\ufeff\u00ad;]+")


@dataclass(frozen=True)
class Finding:
    """One thing a check found: code ("spf.odd_space"), state and the parameters its words need."""

    code: str
    state: str  # "done" (a note) | "warning" | "failed"
    params: dict = field(default_factory=dict)


def worst(states) -> str:
    """Return the worst of states ("failed" > "warning" > "done"); "done" for none."""
    return max(states, key=STATES.index, default="done")


def odd_characters(text: str, allowed: str = " ") -> list[dict]:
    """Return where text holds whitespace other than allowed or invisible characters.

    Each entry: {"char": "U+0009", "position": 1-based index, "before": the word before it,
    "after": the word after it} (words end at whitespace, invisible characters and ";").
    """
    found = []
    for match in _ODD.finditer(text):
        char = match.group()
        if char in allowed:
            continue
        start = match.start()
        before = [w for w in _SPLIT.split(text[:start]) if w]
        after = [w for w in _SPLIT.split(text[start + 1 :]) if w]
        found.append(
            {
                "char": f"U+{ord(char):04X}",
                "position": start + 1,
                "before": before[-1][-40:] if before else "",
                "after": after[0][:40] if after else "",
            }
        )
    return found


def is_blank(char: str) -> bool:
    """Tell whether char is whitespace (as opposed to a character that prints as nothing)."""
    return char.isspace()

"""Repair a DMARC record keeping the owner's policy, and the record to suggest when there is
none (RFC 9989, which obsoletes RFC 7489). Every change is a finding (code, state "done",
parameters); its German words are in dns/wording.py. Parsing is in dmarc.py.
"""

from __future__ import annotations

import difflib

from mitwirkung.checks.dmarc import (
    BARE_ADDRESS,
    KNOWN,
    POLICIES,
    TAG_CHECKS,
    WSP,
    clean,
    parse,
    split_tags,
    suggest,
    uri_ok,
)
from mitwirkung.checks.finding import Finding


def repair(record: str) -> tuple[str | None, list[Finding]]:
    """Return the record with its faults repaired, keeping every valid tag and the policy.

    Separators and order are fixed (v=DMARC1 first, p= second); a misspelt tag name with one
    close known name is renamed when the value is valid for it; "mailto:" is added before a
    bare address; an invalid report address is left out, the others stay; a value that is
    invalid and cannot be read otherwise is left out, and so is an unknown tag; a tag written
    twice with the same value is kept once. An invalid or missing p= becomes the closest
    policy, else "none" (what receivers apply without a valid record). Every change is
    reported. Returns (None, changes) when the result would still not parse without fault, or
    when a tag is written twice with different values (which one the owner means is unclear:
    a change "dmarc.conflict").
    """
    changes: list[Finding] = []
    pairs, _ = split_tags(clean(record))
    kept: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key in seen:
            if seen[key].lower() != value.lower():
                params = {"name": key, "values": [seen[key], value]}
                return None, [*changes, Finding("dmarc.conflict", "warning", params)]
            if key != "v":
                changes.append(Finding("dmarc.fixed_duplicate", "done", {"tag": f"{name}={value}"}))
            continue
        seen[key] = value
        if key == "v":
            continue
        if key not in KNOWN:
            close = suggest(key, value)
            if close and close not in (n.lower() for n, _ in pairs):
                changes.append(
                    Finding("dmarc.fixed_renamed", "done", {"name": name, "fixed": close})
                )
                key = close
            else:
                params = {"tag": f"{name}={value}"}
                changes.append(Finding("dmarc.fixed_dropped_unknown", "done", params))
                continue
        if key == "p" and value.lower() not in POLICIES:
            close = difflib.get_close_matches(value.lower(), POLICIES, n=1, cutoff=0.6)
            fixed = close[0] if close else "none"
            changes.append(Finding("dmarc.fixed_policy", "done", {"value": value, "fixed": fixed}))
            value = fixed
        elif key in ("rua", "ruf") and not TAG_CHECKS[key](value):
            value = _repair_uris(name, value, changes)
            if not value:
                continue  # every address was invalid; each is named in changes
        checked = value if key in ("rua", "ruf") else value.lower()
        if key != "p" and key in TAG_CHECKS and not TAG_CHECKS[key](checked):
            changes.append(Finding("dmarc.fixed_dropped", "done", {"tag": f"{name}={value}"}))
            continue
        kept[key] = value
    if "p" not in kept:
        changes.append(Finding("dmarc.fixed_policy", "done", {"value": "", "fixed": "none"}))
        kept["p"] = "none"
    order = ["p", *(k for k in kept if k != "p")]
    fixed = "; ".join(["v=DMARC1", *(f"{k}={kept[k]}" for k in order)])
    return (None if parse(fixed).faults else fixed), changes


def _repair_uris(name: str, value: str, changes: list[Finding]) -> str:
    """Return the report URIs of value that are valid (a bare address with "mailto:" added),
    reporting each change; "" when none is left."""
    kept = []
    for uri in (u.strip(WSP) for u in value.split(",")):
        if uri_ok(uri):
            kept.append(uri)
        elif BARE_ADDRESS.match(uri):
            kept.append(f"mailto:{uri}")
            changes.append(Finding("dmarc.fixed_mailto", "done", {"value": uri, "fixed": kept[-1]}))
        elif uri:
            changes.append(Finding("dmarc.fixed_dropped_uri", "done", {"uri": uri, "name": name}))
    return ",".join(kept)


def starter(domain: str, policy: str = "none") -> str:
    """Return the DMARC record to suggest when none exists (policy: what it should keep).

    Without rua=: a report address we made up (dmarc@domain) may be no mailbox at all; which
    address should receive reports is the owner's choice (see wording.MAILBOX_NOTE). domain is
    kept in the signature for callers that name the record it is for.
    """
    del domain
    return f"v=DMARC1; p={policy}"

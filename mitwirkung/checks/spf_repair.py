"""Repair SPF records where the fault is unambiguous, and merge them into the one record to
offer (RFC 7208). What was changed is reported as findings; see dns/wording.py."""

from __future__ import annotations

import re

from mitwirkung.checks.finding import Finding, odd_characters
from mitwirkung.checks.spf import (
    MAILJET_INCLUDE,
    is_broken_spf,
    is_spf,
    parse_term,
    repair_version,
    words,
)

_MAILJET_TERM = re.compile(r"^([+\-~?]?)include:spf\.mailjet\.com\.?$", re.IGNORECASE)
_GLUED_ALL = re.compile(r"^(.*[^+\-~?])([+\-~?]?all)$", re.IGNORECASE)


def repair(record: str) -> tuple[str | None, list[Finding]]:
    """Return record with every unambiguous syntax fault repaired, and what was changed.

    Repaired: a malformed "v=spf1", a tab or no-break space where a space belongs (invisible
    characters are removed), "name=value" for a mechanism, a term glued to "all" or to the next
    term by a comma, a space after a mechanism's colon ("include: spf.example.com"). Returns
    (None, changes) when a faulty term remains that cannot be repaired
    without guessing.
    """
    changes: list[Finding] = []
    text = record
    if not is_spf(text) and is_broken_spf(text):
        changes.append(Finding("spf.fixed_version", "done", {}))
        text = repair_version(text)
    for odd in odd_characters(text):
        changes.append(Finding("spf.fixed_space", "done", odd))
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\u00ad]", "", text)
    text = re.sub(r"[^\S ]", " ", text).strip(" ")
    if not is_spf(text):
        return None, changes
    out = ["v=spf1"]
    terms = words(text)
    for index, word in enumerate(terms):
        if word == "":
            continue
        following = terms[index + 1] if index + 1 < len(terms) else ""
        joined = word + following  # "include: spf.example.com": a space after the colon
        if word.endswith(":") and following and parse_term(joined)[1] is None:
            changes.append(
                Finding("spf.fixed_term", "done", {"term": f"{word} {following}", "fixed": joined})
            )
            out.append(joined)
            terms[index + 1] = ""
            continue
        fixed = _repair_term(word)
        if fixed is None:
            return None, [*changes, Finding("spf.unrepairable", "failed", {"term": word})]
        if fixed != [word]:
            changes.append(
                Finding("spf.fixed_term", "done", {"term": word, "fixed": " ".join(fixed)})
            )
        out += fixed
    return " ".join(out), changes


def _repair_term(word: str) -> list[str] | None:
    """Return the valid term(s) a faulty term stands for, or None when that is not clear."""
    term, error = parse_term(word)
    if error is None:
        return [word]
    if error.code == "spf.equals_for_colon":
        return [error.params["fixed"]] if parse_term(error.params["fixed"])[1] is None else None
    glued = _GLUED_ALL.match(word)
    if glued and parse_term(glued.group(1))[1] is None:
        return [glued.group(1), glued.group(2)]
    if "," in word:
        parts = [p for p in word.split(",") if p]
        if all(parse_term(p)[1] is None and parse_term(p)[0] for p in parts):
            return parts
    return None


def merge(records: list[str], add_mailjet: bool = True) -> tuple[str, list[Finding]]:
    """Return one SPF record holding the terms of records, Mailjet before the all term, and
    what was changed beyond adding Mailjet.

    records must be valid (see repair). Left out: mechanisms after a record's all term (never
    evaluated, §5.1), a Mailjet include with a qualifier other than "+" (it would fail Mailjet),
    a second exp= (only one is allowed, §6). A redirect= that is ignored beside "all" (§6.1) or
    that cannot stay when records are joined becomes an include before "all"; "+all"/"?all" and
    a missing all become "~all".
    """
    terms: list[str] = []
    changes: list[Finding] = []
    all_term: str | None = None
    redirect: str | None = None
    exp: str | None = None
    alls: set[str] = set()
    for record in records:
        seen_all = False
        for word in words(record):
            lowered = word.lower()
            term = parse_term(word)[0]
            modifier = term is not None and term.modifier
            if re.fullmatch(r"[+\-~?]?all", lowered) and seen_all:  # never evaluated (§5.1)
                changes.append(Finding("spf.fixed_dropped_dead", "done", {"term": word}))
            elif re.fullmatch(r"[+\-~?]?all", lowered):
                alls.add(lowered.lstrip("+"))
                all_term = all_term or word
                seen_all = True
            elif lowered.startswith("redirect="):
                redirect = redirect or word
            elif lowered.startswith("exp="):
                if exp and exp.lower() != lowered:
                    changes.append(Finding("spf.fixed_dropped_exp", "done", {"term": word}))
                exp = exp or word
            elif seen_all and not modifier:
                changes.append(Finding("spf.fixed_dropped_dead", "done", {"term": word}))
            elif (m := _MAILJET_TERM.match(word)) and m.group(1) not in ("", "+"):
                changes.append(Finding("spf.fixed_dropped_mailjet", "done", {"term": word}))
            elif lowered not in (t.lower() for t in terms):
                terms.append(word)
    if len(alls) > 1:  # records end differently; DNS gives them in no fixed order
        all_term = "~all" if "~all" in alls else sorted(alls)[0]
        params = {"terms": sorted(alls), "kept": all_term}
        changes.append(Finding("spf.fixed_all_choice", "done", params))
    if redirect and (len(records) > 1 or all_term):
        target = redirect.split("=", 1)[1]
        params = {"term": redirect, "target": target}
        if f"include:{target}".lower().rstrip(".") in (t.lower().rstrip(".") for t in terms):
            changes.append(Finding("spf.fixed_dropped_redirect", "done", params))
        else:
            terms.append("include:" + target)
            changes.append(Finding("spf.fixed_redirect", "done", params))
        redirect = None
    include = f"include:{MAILJET_INCLUDE}"
    if add_mailjet and include not in (t.lower().lstrip("+") for t in terms):
        terms.append(include)
    if all_term is None and redirect is None:
        all_term = "~all"
        changes.append(Finding("spf.fixed_all", "done", {"term": "", "fixed": all_term}))
    elif all_term and all_term.lower().lstrip("+") in ("all", "?all"):
        changes.append(Finding("spf.fixed_all", "done", {"term": all_term, "fixed": "~all"}))
        all_term = "~all"
    tail = [all_term] if all_term else [redirect] if redirect else []
    return " ".join(["v=spf1", *terms, *([exp] if exp else []), *tail]), changes


def drop_terms(record: str, dropped: list[str]) -> tuple[str, list[Finding]]:
    """Return record without the terms named in dropped (compared case-insensitively) and a
    change "spf.fixed_dropped_void" for each.

    Meant for mechanisms whose target does not exist (void lookups, RFC 7208 §4.6.4): a void
    a/mx matches no sender and a void include is a permerror when reached (§5.2), so leaving
    them out keeps every sender the record authorises and removes the void lookups. The
    Mailjet include is never dropped.
    """
    gone = {t.lower() for t in dropped if not _MAILJET_TERM.match(t)}
    kept, changes = ["v=spf1"], []
    for word in words(record):
        if word.lower() in gone:
            changes.append(Finding("spf.fixed_dropped_void", "done", {"term": word}))
        else:
            kept.append(word)
    return " ".join(kept), changes

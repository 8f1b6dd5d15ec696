"""Parse SPF records the way a receiver reads them (RFC 7208 §4.5, §4.6, §5-§7).

Faults are findings (code, state, parameters); their German words are in dns/wording.py.
Evaluating the include tree: spf_tree.py; repairing and merging records to offer: spf_repair.py.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace

from mitwirkung.checks.finding import Finding, odd_characters

MAILJET_INCLUDE = "spf.mailjet.com"
LOOKUP_LIMIT = 10
MX_LIMIT = 10  # MX records one mx mechanism may return (RFC 7208 §4.6.4)
VOID_LIMIT = 2
MAX_DEPTH = 10
QUERYING = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
_DOMAIN_SPEC = re.compile(r"^[A-Za-z0-9_%{}.\-+=/!:]+$")
_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*)=(.*)$")
_MECHANISM = re.compile(r"^([+\-~?]?)([A-Za-z0-9]+)(?:([:/])(.*))?$")
_DUAL_CIDR = re.compile(r"^(?:/(\d{1,2}))?(?://(\d{1,3}))?$", re.ASCII)  # RFC 7208 §5.6
_INVISIBLE = r"\s\u200b-\u200d\u2060\ufeff\u00ad"
_ATTEMPT = re.compile(rf"^[{_INVISIBLE}]*v[{_INVISIBLE}]*=[{_INVISIBLE}]*spf1(?!\d)", re.IGNORECASE)
# RFC 7208 §7.1: %{letter digits "r" delimiters}, "%%", "%_", "%-"; c, r, t only in exp=.
_MACRO = re.compile(r"%(?:\{([a-zA-Z])\d*[rR]?[.\-+,/_=]*\}|[%_-])", re.ASCII)


def is_spf(text: str) -> bool:
    """Tell whether a TXT value is an SPF record as receivers see it (RFC 7208 §4.5).

    The value must begin with exactly "v=spf1" (case-insensitive) followed by a plain space or
    its end; nothing is stripped first, so " v=spf1 …" is no SPF record.
    """
    lowered = text.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def is_broken_spf(text: str) -> bool:
    """Tell whether a TXT value is meant as SPF but its "v=spf1" is malformed (no SPF to receivers).

    Examples: "v=spf1include:…" (no space), "v = spf1 …", " v=spf1 …" (leading space),
    "v=spf1\\tinclude:…" (tab instead of a space).
    """
    return not is_spf(text) and _ATTEMPT.match(text) is not None


def version_fault(text: str) -> Finding:
    """Return why a broken SPF attempt is no SPF record (is_broken_spf(text) must hold)."""
    odd = odd_characters(text)
    if text[:1].isspace() or (odd and odd[0]["position"] == 1):
        char = "U+0020" if text[:1] == " " else odd[0]["char"]
        return Finding("spf.version_leading", "failed", {"record": text, "char": char})
    head = _ATTEMPT.match(text).group()
    odd_in_head = [o for o in odd if o["position"] <= len(head) + 1]
    if odd_in_head:
        return Finding("spf.version_odd_space", "failed", {"record": text, **odd_in_head[0]})
    return Finding("spf.version_glued", "failed", {"record": text})


def repair_version(text: str) -> str:
    """Return a broken SPF attempt with its "v=spf1" prefix written correctly."""
    return _ATTEMPT.sub("v=spf1 ", text, count=1).strip(" ")


def first_all(terms: list[Term]) -> int | None:
    """Return the index of the first all mechanism (what follows is never evaluated), or None."""
    return next((i for i, t in enumerate(terms) if t.name == "all" and not t.modifier), None)


@dataclass(frozen=True)
class Term:
    """One term of an SPF record: a mechanism with qualifier, or a modifier."""

    text: str
    qualifier: str  # "+", "-", "~", "?" ("" for modifiers)
    name: str  # lower-case mechanism or modifier name
    value: str  # what follows ":" or "=" (may be "" or start with "/" for a cidr)
    modifier: bool = False

    @property
    def target(self) -> str:
        """Return the domain part of a mechanism's value ("" when it uses the current domain)."""
        return self.value.split("/", 1)[0].rstrip(".").lower()

    @property
    def macro(self) -> bool:
        """Tell whether the value holds a macro (expanded per message by the receiver, §7)."""
        return "%" in self.value


def words(record: str) -> list[str]:
    """Return the terms of record after "v=spf1": only plain spaces separate terms (§4.6.1)."""
    return [w for w in record.split(" ") if w][1:]


def parse(record: str) -> tuple[list[Term], list[Finding]]:
    """Split an SPF record into terms; return them with the syntax faults found.

    Every term is checked, also those after "all" that a receiver never evaluates. A term
    holding a tab, a no-break space or an invisible character is a broken term (§4.6.1:
    terms are separated by spaces only), not two terms.
    """
    terms: list[Term] = []
    errors: list[Finding] = []
    offset, chunks = 0, []
    for chunk in record.split(" "):
        if chunk:
            chunks.append((offset, chunk))
        offset += len(chunk) + 1
    for offset, word in chunks[1:]:
        term, error = parse_term(word)
        if error and "position" in error.params:  # count from the start of the record
            error = replace(
                error, params={**error.params, "position": error.params["position"] + offset}
            )
        if error:
            errors.append(error)
        if term and (error is None or error.state != "failed"):
            terms.append(term)  # a broken term is reported, never evaluated
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if t.modifier and t.name == name) > 1:
            errors.append(Finding("spf.duplicate_modifier", "failed", {"name": name}))
    return terms, errors


def parse_term(word: str) -> tuple[Term | None, Finding | None]:
    """Parse one term; return it (None when unreadable) and its syntax fault (None when valid)."""
    odd = odd_characters(word)
    if odd:
        return None, Finding("spf.odd_space", "failed", {"term": word, **odd[0]})
    modifier = _MODIFIER.match(word)
    mechanism = _MECHANISM.match(word)
    if modifier and not (mechanism and mechanism.group(3) == ":"):
        name, value = modifier.group(1).lower(), modifier.group(2)
        term = Term(word, "", name, value, modifier=True)
        if name in MECHANISMS:
            fixed = f"{name}:{value}"
            # RFC 7208 §6: a valid unknown modifier, so receivers ignore it (no error)
            return term, Finding("spf.equals_for_colon", "warning", {"term": word, "fixed": fixed})
        if name in ("redirect", "exp") and not value:
            return term, Finding("spf.modifier_empty", "failed", {"term": word})
        if name in ("redirect", "exp") and (fault := _macro_fault(word, value, name == "exp")):
            return term, fault
        return term, None
    if not mechanism or mechanism.group(2).lower() not in MECHANISMS:
        return None, Finding("spf.unknown_term", "failed", {"term": word})
    qualifier, name = mechanism.group(1) or "+", mechanism.group(2).lower()
    sep, value = mechanism.group(3) or "", mechanism.group(4) or ""
    value = ("/" + value) if sep == "/" else value
    term = Term(word, qualifier, name, value)
    return term, _term_error(term, sep)


def _macro_fault(word: str, value: str, exp: bool = False) -> Finding | None:
    """Return the fault of the macros in value, or None (RFC 7208 §7.1, §7.2).

    "spf.bad_macro_letter": a macro letter that does not exist (c, r, t only in exp=);
    "spf.bad_macro": a "%" that starts no macro at all.
    """
    allowed = "slodiphv" + ("crt" if exp else "")
    for match in _MACRO.finditer(value):
        letter = match.group(1) or ""
        if letter and letter.lower() not in allowed:
            params = {"term": word, "letter": letter, "exp": exp}
            return Finding("spf.bad_macro_letter", "failed", params)
    if "%" in _MACRO.sub("", value):
        return Finding("spf.bad_macro", "failed", {"term": word})
    return None


def _term_error(term: Term, sep: str) -> Finding | None:
    """Return the fault of a mechanism, or None."""
    name, value, word = term.name, term.value, term.text
    if name == "all" and value:
        return Finding("spf.all_value", "failed", {"term": word})
    if name in ("include", "exists") and (sep != ":" or not value):
        return Finding("spf.needs_domain", "failed", {"term": word, "name": name})
    if name in ("ip4", "ip6"):
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return Finding("spf.bad_ip", "failed", {"term": word})
        if network.version != int(name[-1]):
            return Finding("spf.ip_version", "failed", {"term": word, "name": name})
    if name in ("include", "exists", "a", "mx", "ptr") and value:
        domain, slash, cidr = value.partition("/")
        domain = domain.rstrip(".")
        if "%" in domain and (fault := _macro_fault(word, domain)):
            return fault
        if domain and (not _DOMAIN_SPEC.match(domain) or "." not in domain and "%" not in domain):
            return Finding("spf.bad_domain", "failed", {"term": word})
        if (
            domain
            and "%" not in domain
            and not re.fullmatch(r".*\.[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*", domain)
        ):
            return Finding("spf.bad_domain", "failed", {"term": word})
        if slash and "%" not in domain:
            match = _DUAL_CIDR.match(slash + cidr) if name in ("a", "mx") else None
            if (
                not match
                or (match.group(1) is not None and int(match.group(1)) > 32)
                or (match.group(2) is not None and int(match.group(2)) > 128)
            ):
                return Finding("spf.bad_cidr", "failed", {"term": word})
    return None

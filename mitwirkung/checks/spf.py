"""Parse SPF records, repair what is unambiguous, and walk their include tree the way a receiver
evaluates it (RFC 7208). Faults are findings (code, state, parameters); see dns/wording.py."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from dataclasses import dataclass, field, replace
from typing import Any

from mitwirkung.checks.finding import Finding, odd_characters

MAILJET_INCLUDE = "spf.mailjet.com"
LOOKUP_LIMIT = 10
VOID_LIMIT = 2
MAX_DEPTH = 10
QUERYING = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
_DOMAIN_SPEC = re.compile(r"^[A-Za-z0-9_%{}.\-+=/!:]+$")
_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*)=(.*)$")
_MECHANISM = re.compile(r"^([+\-~?]?)([A-Za-z0-9]+)(?:([:/])(.*))?$")
_DUAL_CIDR = re.compile(r"^(?:/(\d{1,2}))?(?://(\d{1,3}))?$")  # RFC 7208 §5.6
_INVISIBLE = r"\s\u200b-\u200d\u2060\ufeff\u00ad"
_ATTEMPT = re.compile(rf"^[{_INVISIBLE}]*v[{_INVISIBLE}]*=[{_INVISIBLE}]*spf1(?!\d)", re.IGNORECASE)
_MAILJET_TERM = re.compile(r"^([+\-~?]?)include:spf\.mailjet\.com\.?$", re.IGNORECASE)
# RFC 7208 §7.1: %{letter digits "r" delimiters}, "%%", "%_", "%-"; c, r, t only in exp=.
_MACRO = re.compile(r"%(?:\{([a-zA-Z])\d*[rR]?[.\-+,/_=]*\}|[%_-])")
_GLUED_ALL = re.compile(r"^(.*[^+\-~?])([+\-~?]?all)$", re.IGNORECASE)


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
        if name in ("redirect", "exp") and _macro_error(value, exp=name == "exp"):
            return term, Finding("spf.bad_macro", "failed", {"term": word})
        return term, None
    if not mechanism or mechanism.group(2).lower() not in MECHANISMS:
        return None, Finding("spf.unknown_term", "failed", {"term": word})
    qualifier, name = mechanism.group(1) or "+", mechanism.group(2).lower()
    sep, value = mechanism.group(3) or "", mechanism.group(4) or ""
    value = ("/" + value) if sep == "/" else value
    term = Term(word, qualifier, name, value)
    return term, _term_error(term, sep)


def _macro_error(value: str, exp: bool = False) -> bool:
    """Tell whether value holds a "%" that is no valid macro (RFC 7208 §7.1)."""
    for match in _MACRO.finditer(value):
        letter = (match.group(1) or "").lower()
        if letter and letter not in ("slodiphv" + ("crt" if exp else "")):
            return True
    return "%" in _MACRO.sub("", value)


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
        if "%" in domain and _macro_error(domain):
            return Finding("spf.bad_macro", "failed", {"term": word})
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


@dataclass
class SpfNode:
    """The evaluation of one SPF record and everything it includes."""

    domain: str
    record: str | None
    terms: list[Term] = field(default_factory=list)
    lookups: int = 0  # DNS-querying terms in this record and below
    voids: list[str] = field(default_factory=list)  # terms whose lookup found nothing
    errors: list[Finding] = field(default_factory=list)  # syntax and include faults
    unavailable: list[str] = field(default_factory=list)  # names that got SERVFAIL/timeout
    includes: dict[str, int] = field(default_factory=dict)  # direct include -> its cost
    has_mailjet: bool = False  # Mailjet passes: a "+" include before the first all, all the way
    mailjet_issues: list[Finding] = field(default_factory=list)  # why a Mailjet include fails
    dead: list[Term] = field(default_factory=list)  # mechanisms after the first all
    ignored_redirect: Term | None = None  # redirect= beside an all mechanism (§6.1)
    macros: list[str] = field(default_factory=list)  # terms with macros, anywhere in the tree

    @property
    def all_qualifier(self) -> str | None:
        """Return the qualifier of the all term, or None when there is none."""
        index = first_all(self.terms)
        return None if index is None else self.terms[index].qualifier

    @property
    def all_text(self) -> str:
        """Return the all term as written ("all" when there is none)."""
        index = first_all(self.terms)
        return "all" if index is None else self.terms[index].text

    @property
    def redirect(self) -> str | None:
        """Return the redirect target, or None."""
        return next((t.value for t in self.terms if t.modifier and t.name == "redirect"), None)

    def details(self) -> dict[str, Any]:
        """Return JSON-serialisable figures for the report."""
        return {
            "lookups": self.lookups,
            "void_lookups": len(self.voids),
            "void_terms": list(self.voids),
            "include_costs": dict(self.includes),
            "dead_terms": [t.text for t in self.dead],
        }


def _located(findings: list[Finding], domain: str) -> list[Finding]:
    """Return findings with the record they were found in (kept when already set)."""
    return [replace(f, params={"where": domain, **f.params}) for f in findings]


async def evaluate(lookup, domain: str, record: str, ancestors: tuple[str, ...] = ()) -> SpfNode:
    """Evaluate record published at domain, querying every include/a/mx target concurrently."""
    node = SpfNode(domain=domain, record=record)
    node.terms, errors = parse(record)
    node.errors = _located(errors, domain) if ancestors else errors
    node.macros = [t.text for t in node.terms if t.macro]
    if len(ancestors) >= MAX_DEPTH:
        node.errors.append(Finding("spf.too_deep", "failed", {}))
        return node
    end = first_all(node.terms)
    live = node.terms if end is None else node.terms[: end + 1]
    node.dead = [] if end is None else [t for t in node.terms[end + 1 :] if not t.modifier]
    # RFC 7208 §5.1: terms after "all" are never evaluated, so never queried nor counted;
    # §6.1: redirect= is ignored when there is an all mechanism.
    active = [t for t in live if t.name in QUERYING and not t.modifier]
    redirects = [t for t in node.terms if t.modifier and t.name == "redirect"][:1]
    if end is None:
        active += redirects
    elif redirects:
        node.ignored_redirect = redirects[0]
    where = {"where": domain} if ancestors else {}
    results = await asyncio.gather(*(_term(lookup, t, domain, ancestors) for t in active))
    for term, (cost, child) in zip(active, results, strict=True):
        node.lookups += cost
        if child is None:
            continue
        node.voids += child.voids
        node.errors += child.errors
        node.unavailable += child.unavailable
        node.macros += child.macros
        if term.name not in ("include", "redirect"):
            continue
        node.includes[term.target] = cost
        reaches = child.has_mailjet or (term.target == MAILJET_INCLUDE and not child.errors)
        if term.modifier or term.qualifier == "+":
            node.has_mailjet |= reaches
            node.mailjet_issues += child.mailjet_issues
        elif reaches:
            params = {"term": term.text, "target": term.target, "qualifier": term.qualifier}
            node.mailjet_issues.append(
                Finding("spf.mailjet_qualifier", "failed", {**params, **where})
            )
    if not node.has_mailjet:
        for term in node.dead:
            if term.name == "include" and term.target == MAILJET_INCLUDE:
                params = {"term": term.text, "all": node.all_text, **where}
                node.mailjet_issues.append(Finding("spf.mailjet_after_all", "failed", params))
    if node.has_mailjet:
        node.mailjet_issues = []
    return node


async def _term(lookup, term: Term, domain: str, ancestors) -> tuple[int, SpfNode | None]:
    """Evaluate one querying term; return its lookup cost and a node carrying its findings."""
    target = term.target or domain
    here = SpfNode(domain=target, record=None)
    if "%" in target or term.name in ("ptr", "exists"):
        return 1, here  # macros and ptr/exists depend on the sender: counted, not queried
    if term.name in ("a", "mx"):
        types = ("A", "AAAA") if term.name == "a" else ("MX",)
        answers = await asyncio.gather(*(lookup.query(target, t) for t in types))
        if any(a.unavailable for a in answers):
            here.unavailable.append(target)
        elif all(a.empty for a in answers):
            here.voids.append(term.text)
        return 1, here
    # include or redirect
    if target in ancestors or target == domain:
        here.errors.append(Finding("spf.loop", "failed", {"term": term.text}))
        return 1, here
    answer = await lookup.query(target, "TXT")
    if answer.unavailable:
        here.unavailable.append(target)
        return 1, here
    records = [t for t in answer.texts if is_spf(t)]
    if answer.empty:
        here.voids.append(term.text)
    if len(records) != 1:
        params = {"term": term.text, "target": target, "count": len(records)}
        here.errors.append(Finding("spf.include_target", "failed", params))
        return 1, here
    child = await evaluate(lookup, target, records[0], (*ancestors, domain))
    return 1 + child.lookups, child


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
    for record in records:
        seen_all = False
        for word in words(record):
            lowered = word.lower()
            modifier = _MODIFIER.match(word) is not None and ":" not in word.split("=", 1)[0]
            if re.fullmatch(r"[+\-~?]?all", lowered):
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
    if redirect and (len(records) > 1 or all_term):
        target = redirect.split("=", 1)[1]
        terms.append("include:" + target)
        changes.append(Finding("spf.fixed_redirect", "done", {"term": redirect, "target": target}))
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

"""Parse SPF records and walk their include tree the way a receiver evaluates it (RFC 7208)."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

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
_ATTEMPT = re.compile(r"^\s*v\s*=\s*spf1(?!\d)", re.IGNORECASE)
_MAILJET_TERM = re.compile(r"^([+\-~?]?)include:spf\.mailjet\.com\.?$", re.IGNORECASE)
QUALIFIER_WORDS = {
    "-": ("verbietet Mailjet ausdrücklich", "ohne Minus"),
    "~": ("stuft Mailjet als verdächtig ein", "ohne Tilde"),
    "?": (
        "macht für Mailjet keine Aussage (neutral) und genügt deshalb nicht",
        "ohne Fragezeichen",
    ),
}


def is_spf(text: str) -> bool:
    """Tell whether a TXT value is an SPF record ("v=spf1" then a space or the end)."""
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def is_broken_spf(text: str) -> bool:
    """Tell whether a TXT value is meant as SPF but its "v=spf1" is malformed (no SPF to receivers).

    Examples: "v=spf1include:…" (no space), "v = spf1 …" (spaces around "=").
    """
    return not is_spf(text) and _ATTEMPT.match(text) is not None


def repair_version(text: str) -> str:
    """Return a broken SPF attempt with its "v=spf1" prefix written correctly."""
    return _ATTEMPT.sub("v=spf1 ", text, count=1).strip()


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


def parse(record: str) -> tuple[list[Term], list[tuple[str, str]]]:
    """Split an SPF record into terms; return them with German syntax errors (message, fix).

    Every term is checked, also those after "all" that a receiver never evaluates.
    """
    terms: list[Term] = []
    errors: list[tuple[str, str]] = []
    words = record.split()
    for word in words[1:]:
        modifier = _MODIFIER.match(word)
        mechanism = _MECHANISM.match(word)
        if modifier and not (mechanism and mechanism.group(3) == ":"):
            name, value = modifier.group(1).lower(), modifier.group(2)
            if name in MECHANISMS:
                errors.append(
                    (
                        f"„{word}“ ist falsch geschrieben: richtig ist „{name}:{value}“ "
                        "(Doppelpunkt statt Gleichheitszeichen).",
                        f"Ändern Sie „{word}“ in „{name}:{value}“.",
                    )
                )
            elif name in ("redirect", "exp") and not value:
                errors.append(
                    (
                        f"„{word}“ braucht eine Domain nach dem Gleichheitszeichen.",
                        _fix_term(word),
                    )
                )
            terms.append(Term(word, "", name, value, modifier=True))
            continue
        if not mechanism or mechanism.group(2).lower() not in MECHANISMS:
            errors.append(
                (f"„{word}“ ist kein gültiger SPF-Bestandteil (Tippfehler?).", _fix_term(word))
            )
            continue
        qualifier, name = mechanism.group(1) or "+", mechanism.group(2).lower()
        sep, value = mechanism.group(3) or "", mechanism.group(4) or ""
        value = ("/" + value) if sep == "/" else value
        term = Term(word, qualifier, name, value)
        error = _term_error(term, sep)
        if error:
            errors.append((error, _fix_term(word)))
        terms.append(term)
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if t.modifier and t.name == name) > 1:
            errors.append(
                (
                    f"„{name}=“ darf nur einmal vorkommen.",
                    f"Lassen Sie nur ein „{name}=“ im SPF-Eintrag stehen.",
                )
            )
    return terms, errors


def _fix_term(word: str) -> str:
    return f"Korrigieren oder entfernen Sie „{word}“ im SPF-Eintrag."


def _term_error(term: Term, sep: str) -> str | None:
    """Return a German error for a malformed mechanism, or None."""
    name, value = term.name, term.value
    if name == "all" and value:
        return f"„{term.text}“: nach „all“ darf nichts folgen."
    if name in ("include", "exists") and (sep != ":" or not value):
        return f"„{term.text}“ braucht eine Domain, zum Beispiel „{name}:spf.beispiel.de“."
    if name in ("ip4", "ip6"):
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"„{term.text}“ enthält keine gültige IP-Adresse."
        if network.version != int(name[-1]):
            return f"„{term.text}“: die Adresse passt nicht zu {name}."
    if name in ("include", "exists", "a", "mx", "ptr") and value:
        domain, slash, cidr = value.partition("/")
        domain = domain.rstrip(".")
        if domain and (not _DOMAIN_SPEC.match(domain) or "." not in domain and "%" not in domain):
            return f"„{term.text}“ enthält keinen gültigen Domainnamen."
        if slash and "%" not in domain:
            match = _DUAL_CIDR.match(slash + cidr) if name in ("a", "mx") else None
            if (
                not match
                or (match.group(1) is not None and int(match.group(1)) > 32)
                or (match.group(2) is not None and int(match.group(2)) > 128)
            ):
                return (
                    f"„{term.text}“ enthält eine ungültige Netzmaske (erlaubt: /0 bis /32 "
                    "für IPv4, //0 bis //128 für IPv6)."
                )
    return None


@dataclass
class SpfNode:
    """The evaluation of one SPF record and everything it includes."""

    domain: str
    record: str | None
    terms: list[Term] = field(default_factory=list)
    lookups: int = 0  # DNS-querying terms in this record and below
    voids: list[str] = field(default_factory=list)  # terms whose lookup found nothing
    errors: list[tuple[str, str]] = field(default_factory=list)  # German (message, fix)
    unavailable: list[str] = field(default_factory=list)  # names that got SERVFAIL/timeout
    includes: dict[str, int] = field(default_factory=dict)  # direct include -> its cost
    has_mailjet: bool = False  # Mailjet passes: a "+" include before the first all, all the way
    mailjet_issues: list[str] = field(default_factory=list)  # why a Mailjet include does not pass
    dead: list[Term] = field(default_factory=list)  # mechanisms after the first all

    @property
    def all_qualifier(self) -> str | None:
        """Return the qualifier of the all term, or None when there is none."""
        index = first_all(self.terms)
        return None if index is None else self.terms[index].qualifier

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


async def evaluate(lookup, domain: str, record: str, ancestors: tuple[str, ...] = ()) -> SpfNode:
    """Evaluate record published at domain, querying every include/a/mx target concurrently."""
    node = SpfNode(domain=domain, record=record)
    node.terms, node.errors = parse(record)
    if len(ancestors) >= MAX_DEPTH:
        node.errors.append(
            (
                "Die SPF-Einbindungen sind zu tief verschachtelt.",
                "Binden Sie weniger Einträge ineinander ein.",
            )
        )
        return node
    end = first_all(node.terms)
    live = node.terms if end is None else node.terms[: end + 1]
    node.dead = [] if end is None else [t for t in node.terms[end + 1 :] if not t.modifier]
    # RFC 7208 §5.1: terms after "all" are never evaluated, so never queried nor counted;
    # §6.1: redirect= is ignored when there is an all mechanism.
    active = [t for t in live if t.name in QUERYING and not t.modifier]
    if end is None:
        active += [t for t in node.terms if t.modifier and t.name == "redirect"][:1]
    where = f" (im SPF-Eintrag von {domain})" if ancestors else ""
    results = await asyncio.gather(*(_term(lookup, t, domain, ancestors) for t in active))
    for term, (cost, child) in zip(active, results, strict=True):
        node.lookups += cost
        if child is None:
            continue
        node.voids += child.voids
        node.errors += child.errors
        node.unavailable += child.unavailable
        if term.name not in ("include", "redirect"):
            continue
        node.includes[term.target] = cost
        reaches = child.has_mailjet or (term.target == MAILJET_INCLUDE and not child.errors)
        if term.modifier or term.qualifier == "+":
            node.has_mailjet |= reaches
            node.mailjet_issues += child.mailjet_issues
        elif reaches:
            what, how = QUALIFIER_WORDS[term.qualifier]
            node.mailjet_issues.append(
                f"„{term.text}“ {what}{where}. Richtig ist „include:{term.target}“ ({how})."
            )
    if not node.has_mailjet:
        all_text = node.terms[end].text if end is not None else "all"
        for term in node.dead:
            if term.name == "include" and term.target == MAILJET_INCLUDE:
                node.mailjet_issues.append(
                    f"„{term.text}“ steht hinter „{all_text}“ und wird nie ausgewertet{where}. "
                    f"Setzen Sie es vor „{all_text}“."
                )
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
        here.errors.append(
            (
                f"„{term.text}“ bindet sich selbst ein (Schleife).",
                f"Entfernen Sie „{term.text}“ aus dem SPF-Eintrag.",
            )
        )
        return 1, here
    answer = await lookup.query(target, "TXT")
    if answer.unavailable:
        here.unavailable.append(target)
        return 1, here
    records = [t for t in answer.texts if is_spf(t)]
    if answer.empty:
        here.voids.append(term.text)
    if len(records) != 1:
        problem = "keinen SPF-Eintrag" if not records else "mehrere SPF-Einträge"
        here.errors.append(
            (
                f"„{term.text}“ verweist auf {target}, dort gibt es {problem}.",
                f"Entfernen Sie „{term.text}“ oder fragen Sie den Dienst nach dem richtigen "
                "include-Namen.",
            )
        )
        return 1, here
    child = await evaluate(lookup, target, records[0], (*ancestors, domain))
    return 1 + child.lookups, child


def merge(records: list[str], add_mailjet: bool = True) -> str:
    """Return one SPF record holding the terms of records, with Mailjet before the all term.

    Mechanisms after a record's all term are left out (they never had an effect), and so is a
    Mailjet include with a qualifier other than "+" (it would fail Mailjet).
    """
    terms: list[str] = []
    all_term: str | None = None
    redirect: str | None = None
    for record in records:
        seen_all = False
        for word in record.split()[1:]:
            lowered = word.lower()
            modifier = _MODIFIER.match(word) is not None and ":" not in word.split("=", 1)[0]
            if re.fullmatch(r"[+\-~?]?all", lowered):
                all_term = all_term or word
                seen_all = True
            elif lowered.startswith("redirect="):
                redirect = redirect or word
            elif seen_all and not modifier:
                continue
            elif (m := _MAILJET_TERM.match(word)) and m.group(1) not in ("", "+"):
                continue
            elif lowered not in (t.lower() for t in terms):
                terms.append(word)
    if redirect and len(records) > 1:
        terms.append("include:" + redirect.split("=", 1)[1])
        redirect = None
    include = f"include:{MAILJET_INCLUDE}"
    if add_mailjet and include not in (t.lower().lstrip("+") for t in terms):
        terms.append(include)
    if all_term is None and redirect is None:
        all_term = "~all"
    tail = [all_term] if all_term else [redirect] if redirect else []
    return " ".join(["v=spf1", *terms, *tail])

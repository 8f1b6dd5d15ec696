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


def is_spf(text: str) -> bool:
    """Tell whether a TXT value is an SPF record ("v=spf1" then a space or the end)."""
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


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


def parse(record: str) -> tuple[list[Term], list[str]]:
    """Split an SPF record into terms and return them with German syntax errors."""
    terms: list[Term] = []
    errors: list[str] = []
    words = record.split()
    for word in words[1:]:
        modifier = _MODIFIER.match(word)
        mechanism = _MECHANISM.match(word)
        if modifier and not (mechanism and mechanism.group(3) == ":"):
            name, value = modifier.group(1).lower(), modifier.group(2)
            if name in MECHANISMS:
                errors.append(
                    f"„{word}“ ist falsch geschrieben: richtig ist „{name}:{value}“ "
                    "(Doppelpunkt statt Gleichheitszeichen)."
                )
            elif name in ("redirect", "exp") and not value:
                errors.append(f"„{word}“ braucht eine Domain nach dem Gleichheitszeichen.")
            terms.append(Term(word, "", name, value, modifier=True))
            continue
        if not mechanism or mechanism.group(2).lower() not in MECHANISMS:
            errors.append(f"„{word}“ ist kein gültiger SPF-Bestandteil (Tippfehler?).")
            continue
        qualifier, name = mechanism.group(1) or "+", mechanism.group(2).lower()
        sep, value = mechanism.group(3) or "", mechanism.group(4) or ""
        value = ("/" + value) if sep == "/" else value
        term = Term(word, qualifier, name, value)
        error = _term_error(term, sep)
        if error:
            errors.append(error)
        terms.append(term)
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if t.modifier and t.name == name) > 1:
            errors.append(f"„{name}=“ darf nur einmal vorkommen.")
    return terms, errors


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
        domain = term.target
        if domain and (not _DOMAIN_SPEC.match(domain) or "." not in domain and "%" not in domain):
            return f"„{term.text}“ enthält keinen gültigen Domainnamen."
        cidr = value.split("/", 1)[1:] if "/" in value else []
        if cidr and not all(part.isdigit() for part in "/".join(cidr).split("//") if part):
            return f"„{term.text}“ enthält eine ungültige Netzmaske."
    return None


@dataclass
class SpfNode:
    """The evaluation of one SPF record and everything it includes."""

    domain: str
    record: str | None
    terms: list[Term] = field(default_factory=list)
    lookups: int = 0  # DNS-querying terms in this record and below
    voids: list[str] = field(default_factory=list)  # terms whose lookup found nothing
    errors: list[str] = field(default_factory=list)  # German, permanent errors in the tree
    unavailable: list[str] = field(default_factory=list)  # names that got SERVFAIL/timeout
    includes: dict[str, int] = field(default_factory=dict)  # direct include -> its cost
    has_mailjet: bool = False

    @property
    def all_qualifier(self) -> str | None:
        """Return the qualifier of the all term, or None when there is none."""
        return next((t.qualifier for t in self.terms if t.name == "all" and not t.modifier), None)

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
        }


async def evaluate(lookup, domain: str, record: str, ancestors: tuple[str, ...] = ()) -> SpfNode:
    """Evaluate record published at domain, querying every include/a/mx target concurrently."""
    node = SpfNode(domain=domain, record=record)
    node.terms, node.errors = parse(record)
    if len(ancestors) >= MAX_DEPTH:
        node.errors.append("Die SPF-Einbindungen sind zu tief verschachtelt.")
        return node
    active = [t for t in node.terms if t.name in QUERYING and t.modifier == (t.name == "redirect")]
    if node.all_qualifier is not None:
        active = [t for t in active if not (t.modifier and t.name == "redirect")]
    results = await asyncio.gather(*(_term(lookup, t, domain, ancestors) for t in active))
    for term, (cost, child) in zip(active, results, strict=True):
        node.lookups += cost
        if child is None:
            continue
        node.voids += child.voids
        node.errors += child.errors
        node.unavailable += child.unavailable
        node.has_mailjet |= child.has_mailjet
        if term.name in ("include", "redirect"):
            node.includes[term.target] = cost
            node.has_mailjet |= term.target == MAILJET_INCLUDE and not child.errors
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
        here.errors.append(f"„{term.text}“ bindet sich selbst ein (Schleife).")
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
        here.errors.append(f"„{term.text}“ verweist auf {target}, dort gibt es {problem}.")
        return 1, here
    child = await evaluate(lookup, target, records[0], (*ancestors, domain))
    return 1 + child.lookups, child


def merge(records: list[str], add_mailjet: bool = True) -> str:
    """Return one SPF record holding the terms of records, with Mailjet before the all term."""
    terms: list[str] = []
    all_term: str | None = None
    redirect: str | None = None
    for record in records:
        for word in record.split()[1:]:
            lowered = word.lower()
            if re.fullmatch(r"[+\-~?]?all", lowered):
                all_term = all_term or word
            elif lowered.startswith("redirect="):
                redirect = redirect or word
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

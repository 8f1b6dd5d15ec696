"""Walk an SPF record's include tree the way a receiver evaluates it (RFC 7208 §4.6.4, §5, §6):
count DNS lookups and void lookups, follow include/redirect, find whether Mailjet passes.

RFC 7208 §4.6.4: a receiver evaluates at most 10 DNS-querying terms (include, a, mx, ptr,
exists, redirect) and at most 2 void lookups, and returns permerror beyond. The walk does
the same: terms in evaluation order (left to right, depth first, redirect last), and once
a limit is passed nothing more is asked; the 11th term and the rest of each record are
counted, not queried (the count is then a lower bound, node.truncated). So one walk sends
at most QUERY_BOUND queries, whatever the tree: LOOKUP_LIMIT terms of at most 2 queries
(an "a" term asks A and AAAA; the top record's own TXT query is the caller's).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

from mitwirkung.checks.finding import Finding
from mitwirkung.checks.spf import (
    LOOKUP_LIMIT,
    MAILJET_INCLUDE,
    MAX_DEPTH,
    MX_LIMIT,
    QUERYING,
    VOID_LIMIT,
    Term,
    first_all,
    is_spf,
    parse,
)

QUERY_BOUND = LOOKUP_LIMIT * 2  # DNS queries one walk may send at most


@dataclass
class Budget:
    """What one walk has spent: querying terms evaluated and void lookups (RFC 7208 §4.6.4)."""

    terms: int = 0
    voids: int = 0

    @property
    def exceeded(self) -> bool:
        return self.terms > LOOKUP_LIMIT or self.voids > VOID_LIMIT


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
    canonical: str | None = None  # where a CNAME at domain led (RFC 1034 §3.6.2)
    truncated: bool = False  # a §4.6.4 limit was passed: terms after it were not queried

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


async def evaluate(
    lookup, domain: str, record: str, ancestors: tuple[str, ...] = (), budget: Budget | None = None
) -> SpfNode:
    """Evaluate record published at domain, term by term in a receiver's order.

    budget: shared by the whole walk (a new one for the top record). Once more than
    LOOKUP_LIMIT querying terms or VOID_LIMIT void lookups were met, the rest is counted
    (1 per term) without a query and the node is marked truncated.
    """
    budget = budget if budget is not None else Budget()
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
    for term in active:
        budget.terms += 1
        if budget.exceeded:  # a receiver returns permerror here: nothing more is asked
            node.truncated = True
            node.lookups += 1
            continue
        cost, child = await _term(lookup, term, domain, ancestors, budget)
        node.lookups += cost
        if child is None:
            continue
        node.voids += child.voids
        node.truncated |= child.truncated
        if term.name in ("include", "redirect"):  # the term in this record that leads there
            node.errors += [replace(f, params={**f.params, "via": term.text}) for f in child.errors]
        else:
            node.errors += child.errors
        node.unavailable += child.unavailable
        node.macros += child.macros
        if term.name not in ("include", "redirect"):
            continue
        node.includes[term.target] = cost
        # a receiver reads the record the name leads to, also through a CNAME
        name = child.canonical or term.target
        reaches = child.has_mailjet or (name == MAILJET_INCLUDE and not child.errors)
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


async def _term(lookup, term: Term, domain: str, ancestors, budget: Budget) -> tuple[int, SpfNode]:
    """Evaluate one querying term; return its lookup cost and a node carrying its findings.

    The term itself is already counted in budget; its void lookup and its subtree are too.
    """
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
            budget.voids += 1
        elif term.name == "mx" and len(answers[0].texts) > MX_LIMIT:
            # RFC 7208 §4.6.4: more than 10 MX records make the mx mechanism a permerror
            params = {"term": term.text, "count": len(answers[0].texts), "limit": MX_LIMIT}
            params.update({"where": domain} if ancestors else {})
            here.errors.append(Finding("spf.mx_over_limit", "failed", params))
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
        budget.voids += 1
    if len(records) != 1:
        params = {"term": term.text, "target": target, "count": len(records)}
        here.errors.append(Finding("spf.include_target", "failed", params))
        return 1, here
    child = await evaluate(lookup, target, records[0], (*ancestors, domain), budget)
    child.canonical = answer.cname.rstrip(".").lower() if answer.cname else None
    return 1 + child.lookups, child

"""The SPF record we offer to copy (RFC 7208): the customer's records repaired, merged with
Mailjet's include and evaluated by the same parser and include walk, offered only when valid
within the lookup limits (RFC 7208 §4.6.4); the findings that offer it or say why not.
"""

from __future__ import annotations

from dataclasses import dataclass

from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks import spf_repair, spf_tree
from mitwirkung.checks.dns.common import Context
from mitwirkung.checks.finding import Finding

LIMIT = spf_syntax.LOOKUP_LIMIT


@dataclass
class Offer:
    """The record we would offer to copy (None when no valid one can be derived)."""

    record: str | None
    changes: list[Finding]
    lookups: int = 0
    heaviest: tuple[str, int] | None = None
    unrepairable: bool = False
    unavailable: tuple[str, ...] = ()  # names that did not answer: validity not proven
    truncated: bool = False  # the walk stopped at a RFC 7208 §4.6.4 limit: lookups is a minimum


async def make_offer(ctx: Context, records: list[str]) -> Offer:
    """Repair, merge (adding Mailjet unless it already passes) and evaluate records as one.

    The result is offered only when the same parser finds no fault in it, it stays within
    10 DNS lookups and 2 void lookups (RFC 7208 §4.6.4) and it lets Mailjet pass.
    """
    repaired, changes = [], []
    for source in records:
        text, fixed = spf_repair.repair(source)
        changes += fixed
        if text is None:
            return Offer(None, changes, unrepairable=True)
        repaired.append(text)
    record, merged = spf_repair.merge(repaired, add_mailjet=False)
    tree = await spf_tree.evaluate(ctx.lookup, ctx.domain, record)
    if not tree.has_mailjet:
        record, merged = spf_repair.merge(repaired, add_mailjet=True)
        tree = await spf_tree.evaluate(ctx.lookup, ctx.domain, record)
    changes += merged
    voids = []
    if tree.errors or len(tree.voids) > spf_syntax.VOID_LIMIT:
        voids = await own_voids(ctx, tree)
    if voids:
        record, dropped = spf_repair.drop_terms(record, voids)
        changes += dropped
        tree = await spf_tree.evaluate(ctx.lookup, ctx.domain, record)
    costs = {k: v for k, v in tree.includes.items() if k != spf_syntax.MAILJET_INCLUDE}
    heaviest = max(costs.items(), key=lambda kv: kv[1], default=None)
    valid = (
        not tree.errors
        and not tree.unavailable
        and tree.has_mailjet
        and tree.lookups <= LIMIT
        and len(tree.voids) <= spf_syntax.VOID_LIMIT
    )
    unanswered = tuple(sorted(set(tree.unavailable)))
    return Offer(record if valid else None, changes, tree.lookups, heaviest, False, unanswered,
                 tree.truncated)  # fmt: skip


def at_least(lookups: int, truncated: bool) -> int | str:
    """The lookups for the wording: a walk stopped at the limit knows only a minimum."""
    return f"mindestens {lookups}" if truncated else lookups


# Own-record terms asked about when dropping void lookups (2 queries each at most, so one
# click costs at most 2 x OWN_TERMS_BOUND queries here on top of the walk's bound).
OWN_TERMS_BOUND = 20


async def own_voids(ctx: Context, tree: spf_tree.SpfNode) -> list[str]:
    """Return the mechanisms of the record itself (not of its includes) whose target does not
    exist: a/mx without any address/MX, include without any record at the name (RFC 7208
    §4.6.4). Names with macros are left alone (they depend on the sender). The answers are the
    ones the evaluation already asked for (each name is asked once per check).

    Bounded like the walk: a record with more than OWN_TERMS_BOUND such terms gets no offer
    from this step, so one record cannot make one click cost hundreds of queries."""
    candidates = [
        term
        for term in tree.terms
        if not term.modifier and not term.macro and term.name in ("a", "mx", "include")
        and not (term.name == "include" and term.target == spf_syntax.MAILJET_INCLUDE)
    ]  # fmt: skip
    if len(candidates) > OWN_TERMS_BOUND:
        return []
    found = []
    for term in candidates:
        target = term.target or ctx.domain
        types = {"a": ("A", "AAAA"), "mx": ("MX",), "include": ("TXT",)}[term.name]
        answers = [await ctx.lookup.query(target, t) for t in types]
        if all(a.empty for a in answers):
            found.append(term.text)
    return found


def offer_findings(offer: Offer, state: str, code: str, reported: bool) -> list[Finding]:
    """Return the findings that offer the record (or say why none is offered)."""
    if offer.record:
        params = {"record": offer.record, "lookups": offer.lookups, "limit": LIMIT}
        return [Finding(code, state, params), *offer.changes, *long_record(offer.record)]
    if offer.unrepairable:
        return [f for f in offer.changes if f.code == "spf.unrepairable"]
    if offer.unavailable:  # never a record not proven valid
        params = {"names": list(offer.unavailable)}  # several records: none is "Ihr SPF-Eintrag"
        return [Finding("spf.merge_unavailable", "warning", params)]
    if offer.lookups > LIMIT:
        heaviest, cost = offer.heaviest or ("", 0)
        lookups = at_least(offer.lookups, offer.truncated)
        params = {"lookups": lookups, "limit": LIMIT, "heaviest": heaviest, "cost": cost}
        return [Finding("spf.over_limit", "failed", params)]
    return [] if reported else [Finding("spf.no_offer", "failed")]


def long_record(record: str) -> list[Finding]:
    """Return how to split a record longer than one TXT string (255 octets, RFC 7208 §3.3)."""
    if len(record.encode()) <= 255:
        return []
    cut = record.rfind(" ", 0, 255)
    params = {"length": len(record), "first": record[:cut], "second": record[cut:]}
    return [Finding("spf.long_offer", "done", params)]

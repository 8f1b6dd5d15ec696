"""The customer's DNS panel: which provider serves the domain and its steps per record."""

import re

from flask import current_app
from markupsafe import Markup
from sqlite_utils import Database

from . import mailjet_sync
from .checks import dnsprovider

CODE_MARK = re.compile(r"`([^`\n]+)`")


def plain(text: str) -> str:
    """Customer copy without Markdown: `x` becomes „x“, as everywhere else in the UI."""
    return CODE_MARK.sub(r"„\1“", text or "")


def wrap_dots(name: str) -> Markup:
    """A domain name that a narrow screen breaks after a dot, not inside a label."""
    return Markup(".<wbr>").join(name.split("."))  # join escapes each label


def _record_words(record: dict, match: dnsprovider.Match | None) -> dict:
    """The record's message and fix as the customer reads them: no backticks, and the
    provider by its name where the check only knew the name servers' domain."""
    message, fix = plain(record.get("message") or ""), plain(record.get("fix") or "")
    if match and match.known and match.operator:
        fix = fix.replace(f"laut DNS {match.operator} (", f"laut DNS {match.provider.name} (")
    return {**record, "message": message, "fix": fix}


def attach(db: Database, customer_id: int, dns: dict) -> dict:
    """Add `guide` (provider, steps per record) and `mailjet` (Mailjet's view) to the DNS view.

    The provider comes from the NS/SOA seen by the latest finished DNS check; before the
    first check, and when the DNS did not answer, the generic steps are shown. The records'
    texts are given in the customer's words (see `_record_words`).
    """
    if not dns or not dns.get("expected"):
        return dns
    catalog = current_app.extensions["dns_providers"]
    finished = next((r for r in dns["history"] if r["state"] in ("done", "failed")), None)
    raw = (finished or {}).get("result", {}).get("delegation")
    seen = dnsprovider.Delegation(**raw) if raw else None
    found = dnsprovider.match(catalog, seen) if seen and not seen.unavailable else None
    provider = found.provider if found else catalog.generic
    records = [_record_words(r, found) for r in dns["records"]]
    steps = {r["item_id"]: dnsprovider.steps_for(provider, r) for r in records}
    unanswered = bool(seen and seen.unavailable)
    guide = {"match": found, "provider": provider, "steps": steps, "unanswered": unanswered}
    return {**dns, "records": records, "guide": guide,
            "mailjet": mailjet_sync.row(db, customer_id)}  # fmt: skip

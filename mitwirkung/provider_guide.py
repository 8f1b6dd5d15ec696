"""The customer's DNS panel: which provider serves the domain and its steps per record."""

from flask import current_app
from sqlite_utils import Database

from . import mailjet_sync
from .checks import dnsprovider


def attach(db: Database, customer_id: int, dns: dict) -> dict:
    """Add `guide` (provider, steps per record) and `mailjet` (Mailjet's view) to the DNS view.

    The provider comes from the NS/SOA seen by the latest finished DNS check; before the
    first check, and when the DNS did not answer, the generic steps are shown.
    """
    if not dns or not dns.get("expected"):
        return dns
    catalog = current_app.extensions["dns_providers"]
    finished = next((r for r in dns["history"] if r["state"] in ("done", "failed")), None)
    raw = (finished or {}).get("result", {}).get("delegation")
    seen = dnsprovider.Delegation(**raw) if raw else None
    found = dnsprovider.match(catalog, seen) if seen and not seen.unavailable else None
    provider = found.provider if found else catalog.generic
    steps = {r["item_id"]: dnsprovider.steps_for(provider, r) for r in dns["records"]}
    unanswered = bool(seen and seen.unavailable)
    guide = {"match": found, "provider": provider, "steps": steps, "unanswered": unanswered}
    return {**dns, "guide": guide, "mailjet": mailjet_sync.row(db, customer_id)}

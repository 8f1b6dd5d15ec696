"""The drift watch: completed Mailjet setups re-checked once a day; a record that stays broken
opens an incident (the item turns `failed`, the contact gets a mail), a passing one closes it."""

import asyncio
import dataclasses
import json
import logging
from datetime import datetime

from sqlite_utils import Database

from .. import mail, mailtext, store
from ..checks.dns import check_mailjet
from ..db import now
from ..progress import COMPLETE
from ..runs.app_mail import manager_addresses
from ..runs.dns_check import expectation
from ..web import obligation, public_url
from ..words.jobs import DRIFT_TITLE
from .claims import claim, release

log = logging.getLogger(__name__)
DRIFT_FAILURES = 2  # a green record must fail this many daily checks in a row


def watch_drift(db: Database, config, at: datetime) -> tuple[int, int]:
    """Re-check completed Mailjet setups once a day; return (checks, new incidents).

    A required record that was green and now fails counts one failure; the second failure
    in a row (never the first: propagation and flaky resolvers cause false alarms) opens an
    incident: the item turns `failed` with what was found, the customer needs attention
    again, and the assigned contact (every manager when nobody is) gets one mail. A DNS that
    does not answer proves nothing either way. A passing record closes the incident.
    """
    targets = list(
        db.query(
            "SELECT c.* FROM customers c JOIN mailjet_expectations m ON m.customer_id = c.id"
            " WHERE c.archived_at IS NULL AND c.path = 'mailjet' AND c.completed_at IS NOT NULL"
        )
    )
    checks = incidents = 0
    for customer in targets:
        key = f"drift:{customer['id']}:{at.date().isoformat()}"
        expected = expectation(db, customer["id"])
        if expected is None or not claim(db, key):
            continue
        try:
            report = asyncio.run(
                check_mailjet(
                    expected,
                    nameservers=config["DNS_NAMESERVERS"],
                    timeout=float(config["DNS_TIMEOUT"]),
                )
            )
            broke, fixed = _judge_drift(db, customer, report.records)
        except Exception:  # noqa: BLE001 - one customer's fault must not stop the others
            log.exception("drift check of customer %s failed", customer["id"])
            release(db, key)  # tried again at the next run
            continue
        checks += 1
        if broke:
            incidents += 1
            _mail_drift(db, config, customer, broke)
        if fixed:
            _mail_drift(db, config, customer, fixed, resolved=True)
    return checks, incidents


def _judge_drift(db: Database, customer: dict, records) -> tuple[list, list]:
    """Count failures per required record; return (records whose incident opens now,
    records whose incident closed now)."""
    items = obligation().items
    rows = store.item_rows(db, customer["id"])
    opened, resolved = [], []
    for record in records:
        item = items.get(record.item_id)
        if item is None or not item.required or record.details.get("dns_unavailable"):
            continue
        key = (customer["id"], record.item_id)
        watch = store.get_row(db, "drift", key) or {"failures": 0, "incident_at": None}
        detail = {**dataclasses.asdict(record), "title": DRIFT_TITLE, "drift": True}
        row = {"customer_id": customer["id"], "item_id": record.item_id, "checked_at": now()}
        if record.state in COMPLETE:
            if watch["incident_at"]:
                store.set_item(db, customer["id"], record.item_id, record.state, "jobs",
                               dataclasses.asdict(record), kind="drift-resolved")  # fmt: skip
                resolved.append(record)
            db.table("drift").upsert(
                {**row, "failures": 0, "incident_at": None, "detail": None},
                pk=("customer_id", "item_id"),
            )
            continue
        state = rows.get(record.item_id, {}).get("state")
        if not watch["failures"] and state not in COMPLETE:
            continue  # not green before: nothing drifted
        failures = watch["failures"] + 1
        incident = watch["incident_at"]
        if failures >= DRIFT_FAILURES and not incident:
            incident = now()
            store.set_item(db, customer["id"], record.item_id, "failed", "jobs", detail,
                           kind="drift-incident")  # fmt: skip
            opened.append(record)
        db.table("drift").upsert(
            {**row, "failures": failures, "incident_at": incident,
             "detail": json.dumps(detail, ensure_ascii=False)},
            pk=("customer_id", "item_id"),
        )  # fmt: skip
    return opened, resolved


def _mail_drift(db: Database, config, customer: dict, broke: list, resolved=False) -> None:
    """Mail the assigned contact (every manager when nobody is) that records broke or that
    an incident resolved (`resolved`)."""
    if not mail.configured(config):
        return
    items = obligation().items
    subject, text = mailtext.render(
        "drift", name=customer["name"], resolved=resolved,
        records=[{"title": items[r.item_id].title, "message": r.message} for r in broke],
        url=public_url("manage.customer", customer_id=customer["id"]),
    )  # fmt: skip
    to = manager_addresses(db, customer["id"])
    problem = mail.deliver(config, to, subject, text)
    if problem:
        log.warning("drift mail for customer %s not sent: %s", customer["id"], problem)

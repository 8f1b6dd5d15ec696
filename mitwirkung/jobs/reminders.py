"""Reminders to customers whose setup has not moved for REMINDER_DAYS."""

import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from .. import mail, mailtext, standing, store
from ..address import AddressError, addr_spec
from ..catalog import SMTP_OBLIGATION
from ..web import customer_links, local_time, obligations
from .claims import claim_within, release

log = logging.getLogger(__name__)


def _days(since: str, at: datetime) -> int:
    return (at - datetime.fromisoformat(since)).days


def _sender(db: Database, customer: dict) -> tuple[dict | None, list[str]]:
    """Who signs a mail to the customer and its Reply-To: the assigned PEIQ contact, or for
    a customer without one (None) every account manager (as the form promises)."""
    contact = store.peiq_contact(db, customer)
    if contact:
        return contact, [contact["email"]]
    return None, [r[0] for r in db.execute("SELECT email FROM managers ORDER BY id")]


def _next_step(views) -> str | None:
    """The title of the first required item of the chosen path that is not done yet."""
    return next((v.item.title for v in views if v.item.required and not v.complete), None)


def _reminder_context(db: Database, customer: dict) -> dict:
    """What a reminder says about where the customer stands: for one obligation its title,
    path and next step (as always); for several, one line each (`several`: title, progress,
    next step) under the overall progress."""
    standings = standing.standings(db, obligations(), customer)
    if len(standings) != 1:
        several = [
            {"title": s.obligation.title, "progress": s.progress,
             "next_step": _next_step(s.views) if s.path else None}
            for s in standings
        ]  # fmt: skip
        return {"obligation": None, "path": None, "next_step": None, "several": several}
    only = standings[0]
    path = only.obligation.path(only.path)
    return {
        "obligation": only.obligation,
        "path": path,
        "next_step": _next_step(only.views) if path else None,
        "several": None,
    }


def remind(db: Database, config, at: datetime) -> int:
    """Remind customers whose setup has not moved for REMINDER_DAYS; return mails sent.

    The k-th reminder of a stall goes out once the stall is REMINDER_DAYS[k] days old, at
    most one a day, never after completion, never while PEIQ has to act, never when the
    manager muted reminders for the customer, and never about a link the customer never got
    (no "Link per E-Mail senden" and nothing the customer did). At most REMINDERS_PER_HOUR
    go out per hour, longest stalled first, so the first run after an import of hundreds of
    customers does not send them all at once. The second reminder is not a copy of the first:
    it says it is a reminder again and names the next step. Each reminder is an event.
    """
    days = sorted(int(d) for d in config["REMINDER_DAYS"] or [])
    if not days or not mail.configured(config):
        return 0
    hour_ago = (at - timedelta(hours=1)).isoformat(timespec="seconds")
    budget = int(config.get("REMINDERS_PER_HOUR") or 50)
    cutoff = (at - timedelta(days=days[0])).isoformat(timespec="seconds")
    candidates = db.query(
        "SELECT * FROM customers c WHERE archived_at IS NULL AND completed_at IS NULL"
        " AND progress < 100 AND waiting_for_peiq = 0 AND reminders_muted = 0"
        " AND contact_email IS NOT NULL AND moved_at <= ?"
        " AND EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.id"
        " AND (e.kind = 'link-mailed' OR e.actor = 'customer'))"
        " ORDER BY moved_at, id",
        [cutoff],
    )
    sent = 0
    for customer in list(candidates):
        stalled = _days(customer["moved_at"], at)
        earlier = db.execute(
            "SELECT COUNT(*), MAX(at) FROM events WHERE customer_id = ? AND kind = 'reminder-sent'"
            " AND at >= ?",
            [customer["id"], customer["moved_at"]],
        ).fetchone()
        if earlier[0] >= len(days) or stalled < days[earlier[0]]:
            continue
        if earlier[1] and earlier[1][:10] == at.date().isoformat():
            continue  # one mail a day at most
        try:
            addr_spec(customer["contact_email"])
        except AddressError:  # one bad stored address never stops the others' reminders
            log.debug("reminder to customer %s skipped: no valid address", customer["id"])
            continue
        key = f"reminder:{customer['id']}:{at.date().isoformat()}"
        claimed = claim_within(db, key, kind="reminder:", since=hour_ago, limit=budget)
        if claimed == "spent":
            log.info("reminders: the hour's %s are sent, the rest wait", budget)
            break
        if claimed == "taken":
            continue
        contact, reply_to = _sender(db, customer)
        edit_url, _ = customer_links(customer)
        where = _reminder_context(db, customer)
        subject, text = mailtext.render(
            "reminder", customer=customer, days=stalled,
            number=earlier[0] + 1, last=earlier[0] + 1 >= len(days),
            earlier=local_time(earlier[1], "%d.%m.%Y") if earlier[1] else None,
            link=edit_url, contact=contact, SMTP_OBLIGATION=SMTP_OBLIGATION, **where,
        )  # fmt: skip
        problem = mail.deliver(config, [customer["contact_email"]], subject, text,
                               reply_to=reply_to or None)  # fmt: skip
        if problem:
            log.warning("reminder to customer %s not sent: %s", customer["id"], problem)
            release(db, key)
            continue
        store.add_event(
            db, customer["id"], "jobs", "reminder-sent",
            data={"to": customer["contact_email"], "days": stalled}, activity=False,
        )  # fmt: skip
        sent += 1
    return sent

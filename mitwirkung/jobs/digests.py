"""The weekly digest: each manager's customers that wait for PEIQ, need attention or stall."""

import json
import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from .. import mail, mailtext, todo
from .. import overview as board
from ..catalog import SMTP_OBLIGATION
from ..web import local_time, obligations, public_url
from .claims import claim, release

log = logging.getLogger(__name__)


DIGEST_LINES = 15  # customers listed per group; the rest are counted and linked


def digest(db: Database, config, at: datetime) -> int:
    """Once a week, mail each manager their customers that wait for PEIQ, need attention or
    stall (no progress for overview.STALL_DAYS, the dashboard's "stockt").

    Every customer is in someone's digest: customers without an assigned contact (or whose
    contact no longer exists) are in every manager's, as the form promises ("niemand
    Bestimmtes (alle Account Manager:innen)"). Each "Warten auf PEIQ" line says what PEIQ has
    to do (the to-dos, see todo.collect); each group lists DIGEST_LINES customers, oldest
    first, and links the dashboard for the rest, so 2,000 customers stay a short mail.
    """
    if not mail.configured(config):
        return 0
    week = "{}-W{:02d}".format(*at.isocalendar()[:2])
    cutoff = (at - timedelta(days=board.STALL_DAYS)).isoformat(timespec="seconds")
    sent = 0
    for manager in list(db.query("SELECT * FROM managers WHERE active = 1 ORDER BY id")):
        rows = list(
            db.query(
                "SELECT * FROM customers WHERE archived_at IS NULL"
                " AND (contact_manager_id = ? OR contact_manager_id IS NULL"
                " OR contact_manager_id NOT IN (SELECT id FROM managers))"
                " AND (waiting_for_peiq = 1 OR needs_attention = 1 OR (progress < 100"
                " AND completed_at IS NULL AND moved_at <= ?)) ORDER BY moved_at, id",
                [manager["id"], cutoff],
            )
        )
        if not rows:
            continue
        key = f"digest:{manager['id']}:{week}"
        if not claim(db, key):
            continue
        groups = _digest_groups(rows)
        subject, text = _digest_mail(manager, groups, at)
        problem = mail.deliver(config, [manager["email"]], subject, text)
        if problem:
            log.warning("digest to manager %s not sent: %s", manager["id"], problem)
            release(db, key)
            continue
        sent += 1
    return sent


def _digest_groups(rows: list[dict]) -> dict[str, list[dict]]:
    waiting = [r for r in rows if r["waiting_for_peiq"]]
    attention = [r for r in rows if not r["waiting_for_peiq"] and r["needs_attention"]]
    stalled = [r for r in rows if not r["waiting_for_peiq"] and not r["needs_attention"]]
    return {"waiting": waiting, "attention": attention, "stalled": stalled}


def _parts(c: dict, titles: dict[str, str]) -> list[str]:
    """A digest line's progress per obligation ("Rechtliche Angaben 33 %"), for a customer
    with several obligations or one other than SMTP; empty for the SMTP obligation alone."""
    summary = [o for o in json.loads(c["obligations_summary"] or "[]") if o["id"] in titles]
    if [o["id"] for o in summary] in ([], [SMTP_OBLIGATION]):
        return []
    return [f"{titles[o['id']]} {o['progress']} %" for o in summary]


def _digest_mail(manager: dict, groups: dict[str, list[dict]], at: datetime) -> mailtext.Mail:
    """The digest (templates/mail/digest.txt): per group the oldest DIGEST_LINES."""
    titles = {o.id: o.title for o in obligations()}

    def line(c: dict) -> dict:
        todos = json.loads(c["todos"] or "[]")
        badges = json.loads(c["attention"] or "[]")
        return {
            "name": c["name"],
            "progress": c["progress"],
            "moved": local_time(c["moved_at"], "%d.%m.%Y"),
            "todos": [f"{t['text']} ({todo.age(t['since'], at)})" for t in todos],
            "problems": [b["text"] for b in badges],
            "url": public_url("manage.customer", customer_id=c["id"]),
            "unassigned": c["contact_manager_id"] is None,
            "parts": _parts(c, titles),
        }

    links = {
        "waiting": public_url("manage.dashboard", status="peiq"),
        "attention": public_url("manage.dashboard", status="aufmerksamkeit"),
        "stalled": public_url("manage.dashboard", status="stockt", tage=board.STALL_DAYS),
    }
    shown = {
        name: {"lines": [line(c) for c in group[:DIGEST_LINES]], "total": len(group),
               "more": max(0, len(group) - DIGEST_LINES), "link": links[name]}
        for name, group in groups.items()
    }  # fmt: skip
    return mailtext.render(
        "digest",
        manager=manager,
        groups=shown,
        stall_days=board.STALL_DAYS,
        everyone=todo.EVERYONE,
        dashboard=public_url("manage.dashboard"),
    )

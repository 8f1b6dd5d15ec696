"""Actions on a selection of dashboard rows: assign a PEIQ contact, send links, archive.

The dashboard's checkboxes belong to one plain form (`form="bulk"`), so a selection works
without JavaScript; archiving asks once for the whole selection. Every action answers with a
303 back to the view it came from and a German line per outcome.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from . import accounts, mail, store
from .db import get_db
from .manage.base import actor, load_manager
from .manage.links import mail_link
from .words import bulk as words

bp = Blueprint("bulk", __name__, url_prefix="/manage")
bp.before_request(load_manager)

MAX_SELECTION = 500


def _back() -> str:
    """The dashboard view the selection was made in (only its own query string)."""
    query = request.form.get("back", "")
    ok = query.isprintable() and not any(c in query for c in "/\\#") and len(query) < 1000
    return url_for("manage.dashboard") + ("?" + query if query and ok else "")


def _selected(db) -> list[dict]:
    raw = request.form.getlist("ids")[:MAX_SELECTION]
    ids = [int(i) for i in raw if i.isascii() and i.isdigit() and len(i) < 12]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return list(db.query(f"SELECT * FROM customers WHERE id IN ({marks}) ORDER BY id", ids))


def _assign(db, customers: list[dict]) -> None:
    raw = request.form.get("manager", "")
    manager = accounts.by_id(db, int(raw)) if raw.isascii() and raw.isdigit() else None
    if raw and (manager is None or not manager["active"]):
        flash(words.PICK_PERSON, "error")
        return
    manager_id = manager["id"] if manager else None
    name = manager["name"] if manager else None
    moved = [c for c in customers if c["contact_manager_id"] != manager_id]
    with db.atomic():
        for c in moved:
            db.execute(
                "UPDATE customers SET contact_manager_id = ? WHERE id = ?", [manager_id, c["id"]]
            )
            store.add_event(
                db, c["id"], actor(), "peiq-contact-changed", data={"name": name},
                activity=False,
            )  # fmt: skip
    kept = len(customers) - len(moved)
    flash(words.ASSIGNED.format(moved=len(moved), who=name or words.NOBODY)
          + (words.HAD_ALREADY.format(count=kept) if kept else ""))  # fmt: skip


def _send_links(db, customers: list[dict]) -> None:
    if not mail.configured(current_app.config):
        flash(words.NO_LINKS.format(why=mail.NOT_CONFIGURED), "error")
        return
    sent, refused = 0, []
    for c in customers:
        problem = mail_link(db, c, actor())
        if problem:
            refused.append(f"{c['name']}: {problem}")
        else:
            sent += 1
    if sent:
        flash(words.LINKS_SENT.format(sent=sent))
    for line in refused[:10]:
        flash(line, "error")
    if len(refused) > 10:
        flash(words.MORE_REFUSED.format(count=len(refused) - 10), "error")


@bp.post("/auswahl")
def selection():
    """Apply one action to the selected customers."""
    db = get_db()
    customers = _selected(db)
    action = request.form.get("action", "")
    if not customers:
        flash(words.SELECT_FIRST, "error")
    elif action == "assign":
        _assign(db, customers)
    elif action == "send-links":
        _send_links(db, customers)
    elif action == "archive":
        active = [c for c in customers if not c["archived_at"]]
        if request.form.get("confirm") != "ja":
            back = request.form.get("back", "")
            return render_template("bulk_confirm.html", customers=active, back=back)
        for c in active:
            store.archive_customer(db, c["id"], actor())
        flash(words.ARCHIVED.format(count=len(active)))
    else:
        flash(words.PICK_ACTION, "error")
    return redirect(_back(), 303)

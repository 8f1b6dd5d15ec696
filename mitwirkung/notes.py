"""A short note per customer that only account managers see (the customer's pages never do)."""

from flask import Blueprint, flash, redirect, request, url_for

from .db import get_db, now
from .forms import normalize_name
from .manage.base import actor, customer_or_404, load_manager
from .manage.detail import render_customer
from .words import notes as words

bp = Blueprint("notes", __name__, url_prefix="/manage")
bp.before_request(load_manager)

MAX_NOTE = 1000


@bp.post("/customers/<int:customer_id>/note")
def save(customer_id):
    """Save the customer's internal note (empty removes it); it changes no customer page."""
    c = customer_or_404(customer_id)
    text = (request.form.get("note") or "").replace("\r\n", "\n").strip()
    problem = None
    if len(text) > MAX_NOTE:
        problem = words.TOO_LONG.format(limit=MAX_NOTE, length=len(text))
    elif text:
        try:  # line breaks are fine in a note; other control characters are not
            for line in text.split("\n"):
                if line.strip():
                    normalize_name(line)
        except ValueError:
            problem = words.CONTROL
    if problem:
        return render_customer(c, 422, note_error=problem, note_text=text)
    if text != (c["manager_note"] or ""):
        get_db().execute(
            "UPDATE customers SET manager_note = ?, manager_note_at = ?, manager_note_by = ?"
            " WHERE id = ?",
            [text or None, now(), actor().removeprefix("manager:"), customer_id],
        )
        flash(words.SAVED if text else words.DELETED, "note-message")
    return redirect(url_for("manage.customer", customer_id=customer_id, _anchor="note"), 303)

"""PEIQ's own steps on a customer: pick up the handed-over password, acknowledge the
customer's "PEIQ informieren", confirm the PORTAL adoption; each tells the customer
(peiq_acted) and answers in German.
"""

from flask import flash, make_response, redirect, render_template, request, url_for

from .. import handover, peiq_acted, store
from ..checks.smtp import shown_address
from ..db import get_db
from ..service import service
from ..web import customer_links
from ..words import peiq as words
from .base import actor, bp, customer_or_404
from .detail import render_customer


@bp.post("/customers/<int:customer_id>/reveal-password")
def reveal_password(customer_id):
    """Show the handed-over password once; it is deleted as it is shown."""
    c = customer_or_404(customer_id)
    password = handover.reveal(get_db(), customer_id, actor())
    if password is None:
        flash(words.NO_PASSWORD)
        return redirect(url_for("manage.customer", customer_id=customer_id), 303)
    _tell(get_db(), c, "password")
    settings = store.get_row(get_db(), "smtp_settings", customer_id) or {}
    oauth = settings.get("auth_method") == "oauth-m365" and not settings.get("no_login")
    response = make_response(
        render_template(
            "revealed.html", customer=c, password=password, oauth=oauth, settings=settings
        )  # fmt: skip
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _tell(db, c: dict, kind: str) -> str:
    """Mail the customer that PEIQ acted (peiq_acted); return a sentence for the flash."""
    told = peiq_acted.tell_customer(service(), c, kind, customer_links(c)[0], actor())
    address = shown_address(c["contact_email"] or "")
    return words.TOLD.get(told, words.TOLD["other"]).format(address=address)


@bp.post("/customers/<int:customer_id>/acknowledge")
def acknowledge(customer_id):
    """The manager has seen the customer's message that the DNS records are in place."""
    c = customer_or_404(customer_id)
    db = get_db()
    row = store.item_rows(db, customer_id).get("peiq-informed")
    if row is None or row["detail"].get("waiting_for") != "manager":
        return render_customer(c, 409, conflict=words.ALREADY_SEEN)
    detail = {**row["detail"], "waiting_for": None}  # who saw it is in the event's actor
    store.set_item(
        db, customer_id, "peiq-informed", row["state"], actor(), detail, kind="peiq-acknowledged"
    )
    told = "" if detail.get("red") else _tell(db, c, "peiq-informed")
    if detail.get("red"):
        flash(words.SEEN_RED)
    else:
        flash(words.SEEN.format(told=told))
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


@bp.post("/customers/<int:customer_id>/portal-confirm")
def confirm_portal(customer_id):
    """Confirm that the named PORTAL's SMTP configuration is reused, if it is the one shown."""
    c = customer_or_404(customer_id)
    db = get_db()
    with db.atomic():  # the name checked is the name confirmed
        row = store.item_rows(db, customer_id).get("portal-adopt")
        if row is None or not row["detail"].get("portal"):
            return render_customer(c, 409, conflict=words.NO_PORTAL)
        named = row["detail"]["portal"]
        if request.form.get("portal") != named:  # the customer named another PORTAL meanwhile
            return render_customer(c, 409, conflict=words.OTHER_PORTAL.format(named=named))
        already = row["state"] == "done" and not row["detail"].get("waiting_for")
        if not already:
            store.set_item(db, customer_id, "portal-adopt", "done", actor(), {"portal": named})
    if already:  # a second click: nothing changes, nobody is mailed again
        flash(words.PORTAL_ALREADY.format(named=named))
    else:
        told = _tell(db, c, "portal-adopt")
        flash(words.PORTAL_CONFIRMED.format(named=named, told=told))
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)

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
from .base import actor, bp, customer_or_404
from .detail import render_customer


@bp.post("/customers/<int:customer_id>/reveal-password")
def reveal_password(customer_id):
    """Show the handed-over password once; it is deleted as it is shown."""
    c = customer_or_404(customer_id)
    password = handover.reveal(get_db(), customer_id, actor())
    if password is None:
        flash("Es liegt kein Passwort (mehr) vor. Es wurde bereits angezeigt oder ist abgelaufen.")
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
    if told == "mailed":
        return f" Die Kund:in bekommt eine E-Mail an {shown_address(c['contact_email'])}."
    if told == "bad-address":
        return (
            f" Die hinterlegte E-Mail-Adresse der Kund:in ({shown_address(c['contact_email'])})"
            " ist keine gültige Adresse, deshalb ging keine E-Mail hinaus. Bitte korrigieren Sie"
            " sie unter „Angaben ändern“ und sagen Sie der Kund:in selbst Bescheid."
        )
    return " Bitte sagen Sie der Kund:in selbst Bescheid (keine E-Mail möglich)."


@bp.post("/customers/<int:customer_id>/acknowledge")
def acknowledge(customer_id):
    """The manager has seen the customer's message that the DNS records are in place."""
    c = customer_or_404(customer_id)
    db = get_db()
    row = store.item_rows(db, customer_id).get("peiq-informed")
    if row is None or row["detail"].get("waiting_for") != "manager":
        message = (
            "Das war schon erledigt: Die Meldung der Kund:in ist bereits als gesehen markiert."
        )
        return render_customer(c, 409, conflict=message)
    detail = {**row["detail"], "waiting_for": None}  # who saw it is in the event's actor
    store.set_item(
        db, customer_id, "peiq-informed", row["state"], actor(), detail, kind="peiq-acknowledged"
    )
    told = "" if detail.get("red") else _tell(db, c, "peiq-informed")
    if detail.get("red"):
        flash(
            "Als gesehen markiert. Die Kund:in wartet nicht mehr auf PEIQ – bitte melden Sie"
            " sich bei ihr: Es sind noch nicht alle nötigen DNS-Einträge in Ordnung."
        )
    else:
        flash("Als gesehen markiert. Die Kund:in wartet nicht mehr auf PEIQ." + told)
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


@bp.post("/customers/<int:customer_id>/portal-confirm")
def confirm_portal(customer_id):
    """Confirm that the named PORTAL's SMTP configuration is reused, if it is the one shown."""
    c = customer_or_404(customer_id)
    db = get_db()
    with db.atomic():  # the name checked is the name confirmed
        row = store.item_rows(db, customer_id).get("portal-adopt")
        if row is None or not row["detail"].get("portal"):
            message = "Die Kund:in hat (noch) kein PORTAL genannt; es gibt nichts zu bestätigen."
            return render_customer(c, 409, conflict=message)
        named = row["detail"]["portal"]
        if request.form.get("portal") != named:  # the customer named another PORTAL meanwhile
            message = (
                f"Die Kund:in hat inzwischen „{named}“ genannt. Bitte prüfen Sie die Anfrage "
                "unten und bestätigen Sie dann."
            )
            return render_customer(c, 409, conflict=message)
        already = row["state"] == "done" and not row["detail"].get("waiting_for")
        if not already:
            store.set_item(db, customer_id, "portal-adopt", "done", actor(), {"portal": named})
    if already:  # a second click: nothing changes, nobody is mailed again
        flash(f"Das war schon erledigt: Die Übernahme von {named} ist bereits bestätigt.")
    else:
        told = _tell(db, c, "portal-adopt")
        flash(f"Übernahme der SMTP-Konfiguration von {named} bestätigt." + told)
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)

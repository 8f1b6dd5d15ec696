"""The customer's links: mail the customer link, rotate the customer or share link.

`mail_link` is shared with the dashboard's bulk action (bulk.py).
"""

from flask import abort, current_app, flash, redirect, request, url_for

from .. import mail, store
from ..checks.smtp import shown_address
from ..db import get_db
from ..web import customer_links, obligation
from .base import actor, bp, customer_or_404
from .customers import confirmed

LINK_MAIL = """Guten Tag,

PEIQ PRINT PPS verschickt Benachrichtigungen per E-Mail, zum Beispiel zur Bestätigung
von Konten und zur Freigabe von Inhalten. Dafür braucht es ein SMTP-Postfach für
{name}. Über den folgenden Link sehen Sie, was zu tun ist, tragen alles ein und
prüfen gleich, ob es funktioniert – ohne Anmeldung:

{link}

Der Link ist nur für Sie und Kolleg:innen gedacht, die bei der Einrichtung helfen;
bitte geben Sie ihn nicht weiter. Bei Fragen antworten Sie einfach auf diese E-Mail.

Viele Grüße
{sender}
"""


def sender_lines(contact: dict | None) -> str:
    """The signature of mails to customers: the assigned PEIQ contact, or PEIQ."""
    return f"{contact['name']}, PEIQ\n{contact['email']}" if contact else "Ihr PEIQ-Team"


ARCHIVED_NO_LINK = (
    "Diese Kund:in ist archiviert: ihr Link zeigt nur noch, dass die Einrichtung geschlossen "
    "ist. Stellen Sie sie erst wieder her, wenn sie den Link wieder braucht."
)
NO_CONTACT = (
    "Für diese Kund:in ist keine E-Mail-Adresse hinterlegt. Tragen Sie sie unter "
    "„Angaben ändern“ ein oder kopieren Sie den Link und schicken Sie ihn selbst."
)


def mail_link(db, c: dict, by: str) -> str | None:
    """Mail the customer link to the customer's contact; return None or why not (German).

    Refused for archived customers and customers without a contact address.
    """
    if c["archived_at"]:
        return ARCHIVED_NO_LINK
    if not c["contact_email"]:
        return NO_CONTACT
    contact = store.peiq_contact(db, c)
    edit_url, _ = customer_links(c)
    text = LINK_MAIL.format(name=c["name"], link=edit_url, sender=sender_lines(contact))
    subject = f"PEIQ: Einrichtung des {obligation().title}s für {c['name']}"
    problem = mail.deliver(
        current_app.config, [c["contact_email"]], subject, text,
        reply_to=contact["email"] if contact else None,
    )  # fmt: skip
    if problem:
        return f"Der Link wurde nicht verschickt. {problem}"
    store.add_event(db, c["id"], by, "link-mailed", data={"to": c["contact_email"]}, activity=False)
    return None


@bp.post("/customers/<int:customer_id>/send-link")
def send_link(customer_id):
    """Mail the customer link to the customer's contact with a short German introduction."""
    c = customer_or_404(customer_id)
    problem = mail_link(get_db(), c, actor())
    if problem in (ARCHIVED_NO_LINK, NO_CONTACT):
        flash(problem, "links-error")
    elif problem:
        flash(f"{problem} Kopieren Sie ihn so lange und schicken Sie ihn selbst.", "links-error")
    else:
        flash(
            f"Der Kund:innen-Link ist per E-Mail an {shown_address(c['contact_email'])} unterwegs.",
            "links-message",
        )
    return redirect(url_for("manage.customer", customer_id=customer_id, _anchor="links"), 303)


@bp.post("/customers/<int:customer_id>/rotate/<which>")
def rotate(customer_id, which):
    """Replace the customer or share link after confirmation; the old one stops working."""
    if which not in ("edit", "share"):
        abort(404)
    c = customer_or_404(customer_id)
    ask = confirmed(c, f"rotate-{which}", request.path)
    if ask:
        return ask
    store.rotate_link(get_db(), customer_id, which, actor())
    flash("Neuer Link erzeugt. Der alte Link funktioniert ab sofort nicht mehr.", "links-message")
    return redirect(url_for("manage.customer", customer_id=customer_id, _anchor="links"), 303)

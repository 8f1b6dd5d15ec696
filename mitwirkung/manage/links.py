"""The customer's links: mail the customer link, rotate the customer or share link.

`mail_link` is shared with the dashboard's bulk action (bulk.py).
"""

from flask import abort, current_app, flash, redirect, request, url_for

from .. import mail, mailtext, store
from ..checks.smtp import shown_address
from ..db import get_db
from ..web import customer_links, obligation
from ..words.links import ARCHIVED_NO_LINK, COPY_IT, NO_CONTACT, NOT_SENT, ON_ITS_WAY, ROTATED
from .base import actor, bp, customer_or_404
from .customers import confirmed


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
    subject, text = mailtext.render(
        "customer_link", obligation=obligation(), name=c["name"], link=edit_url, contact=contact
    )
    problem = mail.deliver(
        current_app.config, [c["contact_email"]], subject, text,
        reply_to=contact["email"] if contact else None,
    )  # fmt: skip
    if problem:
        return NOT_SENT.format(problem=problem)
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
        flash(COPY_IT.format(problem=problem), "links-error")
    else:
        flash(ON_ITS_WAY.format(address=shown_address(c["contact_email"])), "links-message")
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
    flash(ROTATED, "links-message")
    return redirect(url_for("manage.customer", customer_id=customer_id, _anchor="links"), 303)

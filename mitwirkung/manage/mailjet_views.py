"""The Mailjet path for managers: store the values Mailjet expects (typed or fetched from
Mailjet's API), ask Mailjet to check, send a test mail through Mailjet, forget a
sub-account's key. Once the values are complete the waiting customer is mailed (notify).
"""

import dataclasses

from flask import current_app, flash, redirect, request, url_for

from .. import mailjet, mailjet_sync, notify, store
from ..checks.dns import MailjetExpectation
from ..checks.domain import display_domain
from ..checks.smtp import shown_address
from ..db import get_db, now
from ..forms import MailjetForm, MailjetMailForm
from ..runs import mailjet_mail
from ..runs.base import Caller
from ..runs.dns_check import expectation, missing_values
from ..runs.limits import client_key
from ..service import service
from ..web import customer_links
from ..words.mailjet_views import (
    CHECKED,
    FETCHED,
    KEY_DELETED,
    KEY_NOT_SAVED,
    KEY_SAVED,
    MISSING_FLASH,
    NOTIFIED,
    SAVED,
    TEST_MAIL_STARTED,
    UNCHANGED,
)
from .base import actor, bp, customer_or_404
from .detail import render_customer


def _as_expectation(row: dict) -> MailjetExpectation:
    return MailjetExpectation(
        row["domain"], row["verification_name"], row["verification_value"],
        row["dkim_selector"] or "mailjet", row["dkim_key"] or None,
    )  # fmt: skip


@bp.post("/customers/<int:customer_id>/mailjet")
def save_mailjet(customer_id):
    """Store what Mailjet expects; the customer then sees the records to publish."""
    c = customer_or_404(customer_id)
    form = MailjetForm()
    if not form.validate_on_submit():
        return render_customer(c, 422, mailjet_form=form)
    data = {k: form.data[k] for k in ("domain", "verification_name", "verification_value",
                                       "dkim_selector", "dkim_key")}  # fmt: skip
    expected = MailjetExpectation(**{**data, "dkim_key": data["dkim_key"] or None})
    db = get_db()
    before = store.get_row(db, "mailjet_expectations", customer_id)
    _save_subaccount(db, customer_id, form)
    unchanged = before is not None and all(
        before.get(k) == v for k, v in dataclasses.asdict(expected).items()
    )
    if not unchanged:  # the same values again: no new revision, no event
        with db.atomic():
            db.table("mailjet_expectations").upsert(
                {"customer_id": customer_id, **dataclasses.asdict(expected), "updated_at": now()},
                pk="customer_id",
            )
            store.add_event(
                db, customer_id, actor(), "mailjet-expectation", data={"domain": expected.domain}
            )
    flash(
        SAVED if not unchanged else UNCHANGED,
        "mailjet-message",
    )
    _values_ready(db, c, before)
    return redirect(url_for("manage.customer", customer_id=customer_id, _anchor="mailjet"), 303)


def _values_ready(db, c: dict, before: dict | None) -> None:
    """The customer was waiting for the Mailjet values: tell them once all are there.

    Values with one missing (the DKIM key) are not ready: the manager is told what is
    missing, and the customer's mail goes out only when the values become complete.
    """
    missing = missing_values(expectation(db, c["id"]))
    if missing:
        flash(MISSING_FLASH.format(missing=", ".join(missing)), "mailjet-message")
        return
    if before is not None and not missing_values(_as_expectation(before)):
        return
    told = notify.values_ready(
        service(), c, customer_links(c)[0], store.peiq_contact(db, c), actor()
    )
    flash(NOTIFIED[told].format(to=shown_address(c["contact_email"] or "")), "mailjet-message")


def _save_subaccount(db, customer_id: int, form: MailjetForm) -> bool:
    if form.api_key.data and form.api_secret.data:
        mailjet_sync.save_subaccount(
            db, customer_id, form.api_key.data, form.api_secret.data, actor()
        )
        return True
    return False


@bp.post("/customers/<int:customer_id>/mailjet/fetch")
def fetch_mailjet(customer_id):
    """Create the domain sender at Mailjet and take the records Mailjet expects from its API."""
    c = customer_or_404(customer_id)
    form = MailjetForm()
    if not form.validate_fetch():
        return render_customer(c, 422, mailjet_form=form)
    db = get_db()
    given = form.api_key.data and form.api_secret.data
    before = store.get_row(db, "mailjet_expectations", customer_id)
    try:
        expected = mailjet_sync.fetch_values(
            db, current_app.config, customer_id, form.domain.data, actor(),
            subaccount=(form.api_key.data, form.api_secret.data) if given else None,
        )  # fmt: skip
    except mailjet.MailjetError as e:
        message = e.message
        if given and getattr(e, "key_saved", False):
            message += KEY_SAVED
        elif given:
            message += KEY_NOT_SAVED
        return render_customer(c, e.http_status, mailjet_form=form, mailjet_error=message)
    flash(
        FETCHED.format(domain=display_domain(expected.domain)),
        "mailjet-message",
    )
    _values_ready(db, c, before)
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)


@bp.post("/customers/<int:customer_id>/mailjet/check")
def check_at_mailjet(customer_id):
    """Ask Mailjet now to check the DNS records and to validate the domain sender."""
    c = customer_or_404(customer_id)
    try:
        mailjet_sync.ask_mailjet(get_db(), current_app.config, customer_id, actor())
    except mailjet.MailjetError as e:
        return render_customer(c, e.http_status, mailjet_error=e.message)
    flash(CHECKED, "mailjet-message")
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)


@bp.post("/customers/<int:customer_id>/mailjet/test-mail")
def mailjet_test_mail(customer_id):
    """Send a test mail through Mailjet's relay on the customer's behalf."""
    c = customer_or_404(customer_id)
    form = MailjetMailForm()
    caller = Caller(actor(), client_key(request.remote_addr))
    error = mailjet_mail.send_from_form(service(), c, form, caller)
    if error is not None:
        return render_customer(c, 422, mailjet_mail_form=form, mailjet_mail_error=error)
    flash(
        TEST_MAIL_STARTED.format(to=shown_address(form.recipient.data)),
        "mailjet-message",
    )
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)


@bp.post("/customers/<int:customer_id>/mailjet/subaccount/delete")
def forget_subaccount(customer_id):
    """Delete the customer's Mailjet sub-account key and secret."""
    customer_or_404(customer_id)
    mailjet_sync.forget_subaccount(get_db(), customer_id, actor())
    flash(
        KEY_DELETED,
        "mailjet-message",
    )
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)

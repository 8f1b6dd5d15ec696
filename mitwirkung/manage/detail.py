"""One customer's page for managers: links, checklist, live tests, Mailjet, history.

`render_customer(c, status, **extra)` is the page every manager action on a customer answers
with when it fails (422/409, what went wrong listed at the top by `page_problems`); actions
that succeed redirect (303) to `manage.customer`.
"""

import csv
import io

from flask import current_app, render_template, request, stream_with_context

from .. import agreements, handover, history_lines, inbound, mail, mailjet_sync, store
from .. import overview as board
from ..board_columns import csv_cell
from ..catalog import SMTP_OBLIGATION
from ..checks.domain import display_domain
from ..checks.smtp import shown_address
from ..db import get_db
from ..forms import CustomerEditForm, MailjetForm, MailjetMailForm
from ..progress import attention, item_views, progress
from ..runs import mailjet_mail
from ..runs.base import decode
from ..web import customer_links, obligation, obligations
from ..words import customers as words
from .base import bp, contact_choices, customer_or_404


def overview(customer: dict, rows: dict) -> dict:
    """Summarise one customer for the dashboard."""
    views = item_views(obligation(), customer["path"], rows)
    return {
        "customer": customer,
        "path": obligation().path(customer["path"]),
        "progress": progress(views),
        "attention": attention(views),
        "views": views,
    }


@bp.get("/customers/<int:customer_id>")
def customer(customer_id):
    """Show one customer: links, checklist states, live tests and history."""
    return render_customer(customer_or_404(customer_id))


def edit_form(db, c: dict, formdata=None) -> CustomerEditForm:
    """The particulars form of a customer, with every manager as a possible PEIQ contact."""
    data = {
        "name": c["name"],
        "domain": display_domain(c["domain"]) if c["domain"] else "",
        "contact": shown_address(c["contact_email"] or ""),
        "peiq_contact": str(c["contact_manager_id"] or ""),
        "reminders": not c["reminders_muted"],
        "obligations": agreements.agreed(db, c["id"]),
    }
    form = CustomerEditForm(formdata=formdata, data=data, prefix="edit")  # ids unique on the page
    form.peiq_contact.choices = contact_choices(db, c["contact_manager_id"])
    form.obligations.choices = [(o.id, o.title) for o in obligations()]
    return form


def field_problems(form, title: str) -> list[dict]:
    """One line per field error of a form: where it is (anchor) and what is wrong."""
    if form is None:
        return []
    return [
        {
            "href": f"#{f.id}",
            "text": words.FIELD_PROBLEM.format(form=title, field=f.label.text, error=error),
        }
        for f in form
        for error in f.errors
    ]


def page_problems(extra: dict) -> list[dict]:
    """What failed in the request that rendered this page, said at its top (lines with links).

    A manager's form far down the page (Angaben, Mailjet-Werte, Testmail über Mailjet) answers
    at the top, where the page opens, and each line leads to its field.
    """
    problems = [{"href": "#progress", "text": extra["conflict"]}] if extra.get("conflict") else []
    problems += field_problems(extra.get("edit_form"), words.EDIT_FORM)
    problems += field_problems(extra.get("mailjet_form"), words.MAILJET_FORM)
    if extra.get("mailjet_error"):
        problems.append({"href": "#mailjet-error", "text": extra["mailjet_error"]})
    problems += field_problems(extra.get("mailjet_mail_form"), words.MAILJET_MAIL_FORM)
    if extra.get("mailjet_mail_error"):
        problems.append({"href": "#mailjet-test-mail", "text": extra["mailjet_mail_error"]})
    return problems


def _history(db, customer_id: int) -> dict:
    """One page of the history ("?vor=<event id>" for older entries)."""
    raw = request.args.get("vor", "")
    before = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else None
    lines, older = history_lines.history_page(db, obligations(), customer_id, before=before)
    return {"history": lines, "history_older": older, "history_paged": before is not None}


@bp.get("/customers/<int:customer_id>/history.csv")
def history_csv(customer_id):
    """The customer's whole history as CSV (UTF-8 with BOM, semicolons): time, who, what."""
    c = customer_or_404(customer_id)
    db = get_db()

    def lines():
        yield "\ufeff"
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(words.HISTORY_CSV_HEADER)
        for row in history_lines.history_rows(db, obligations(), customer_id):
            writer.writerow(csv_cell(v) for v in row)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

    # the context (and its database connection) lives until the last row is written
    response = current_app.response_class(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = words.HISTORY_CSV_NAME.format(id=c["id"])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def render_customer(c: dict, status: int = 200, **extra):
    db = get_db()
    extra["problems"] = page_problems(extra)
    customer_id = c["id"]
    edit_url, share_url = customer_links(c)
    mailjet = store.get_row(db, "mailjet_expectations", customer_id)
    agreed = [r["obligation_id"] for r in store.customer_obligations(db, customer_id)]
    html = render_template(
        "manage_customer.html",
        **overview(c, store.item_rows(db, customer_id)),
        # the SMTP checklist is one of several (titled by its name) or not agreed at all
        smtp_agreed=SMTP_OBLIGATION in agreed,
        SMTP_OBLIGATION=SMTP_OBLIGATION,
        several=len(agreed) > 1,
        mail_auth_off=current_app.extensions["mail_auth"]["microsoft"].default_off_text,
        edit_url=edit_url,
        share_url=share_url,
        **_history(db, customer_id),
        inbound_mail=inbound.latest(db, customer_id, c["path"]),
        inbound_foreign=inbound.foreign_notice(db, customer_id, c["path"]),
        settings=store.get_row(db, "smtp_settings", customer_id),
        runs=[
            decode(r)
            for r in db.query(
                "SELECT * FROM runs WHERE customer_id = ? ORDER BY id DESC LIMIT 30", [customer_id]
            )
        ],
        handover_pending=handover.pending(db, customer_id),
        mailjet_form=extra.pop("mailjet_form", None)
        or MailjetForm(formdata=None, data=mailjet or {"domain": c["domain"] or ""}),
        edit_form=extra.pop("edit_form", None) or edit_form(db, c),
        peiq_contact=store.peiq_contact(db, c),
        # assigned but deactivated: named and marked, as on the dashboard
        contact_row=store.get_row(db, "managers", c["contact_manager_id"])
        if c["contact_manager_id"]
        else None,
        mail_ready=mail.configured(current_app.config),
        drift=board.drift(db, customer_id),
        mailjet_state=mailjet_sync.row(db, customer_id),
        mailjet_missing=c["path"] == "mailjet" and mailjet is None,
        mailjet_expected=mailjet,
        mailjet_api=mailjet_sync.account(db, current_app.config, customer_id) is not None,
        mailjet_mail=mailjet_mail.view(db, current_app.config, c, MailjetMailForm, "manager")
        if c["path"] == "mailjet" and mailjet
        else None,
        **extra,
    )
    return html, status

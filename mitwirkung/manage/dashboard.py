"""The dashboard and its CSV export: one view (search, filters, sort, paging) from the URL.

Table and CSV take their columns from `board_columns` (one definition); the summary columns
come from `overview` (refreshed before each read).
"""

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

from flask import current_app, g, render_template, request, stream_with_context, url_for
from markupsafe import Markup

from .. import handover, todo
from .. import overview as board
from ..board_columns import (
    Column,
    columns,
    csv_cell,
    obligation_columns,
    page_numbers,
    table_columns,
)
from ..catalog import SMTP_OBLIGATION
from ..db import get_db
from ..forms import CustomerForm
from ..pagecache import PageCache
from ..web import obligation, obligations, public_url
from .base import bp, contact_choices


def _view() -> board.View:
    paths = [p.id for p in obligation().paths]
    return board.View.from_args(request.args, paths, me=g.manager["id"])


def dashboard_rows(
    customers: list[dict], shown: tuple[Column, ...], per_obligation: tuple[Column, ...]
) -> Markup:
    """The table rows of the dashboard with these columns; a row is rendered once per
    customer revision and set of columns.

    Rows of archived customers carry this session's CSRF token and are never cached.
    """
    cache = current_app.extensions.setdefault(
        "dashboard_rows", PageCache(max_bytes=8 * 1024 * 1024)
    )
    template = current_app.jinja_env.get_template("_dashboard_row.html")
    paths = {p.id: p for p in obligation().paths}
    base = url_for("manage.customer", customer_id=0).removesuffix("0")
    keys = tuple(column.key for column in shown + per_obligation)
    titles = {o.id: o.title for o in obligations()}

    def render(c: dict) -> str:
        return template.render(
            c=c, paths=paths, customer_url=base, columns=shown, per_obligation=per_obligation,
            titles=titles,
        )  # fmt: skip

    html = [
        render(c)
        if c["archived_at"]
        else cache.get_or_make(
            (c["id"], c["summary_revision"], c["peiq_name"], c["peiq_active"], keys),
            lambda c=c: render(c),
        )
        for c in customers
    ]
    return Markup("".join(html))


def new_customer_form(db, blank: bool = False) -> CustomerForm:
    """The new-customer form from the request (blank: unfilled, the manager as PEIQ contact
    and every obligation ticked), with the choices of PEIQ contact and obligations."""
    catalog = obligations()
    data = {"peiq_contact": str(g.manager["id"]), "obligations": catalog.ids}
    form = CustomerForm(formdata=None, data=data) if blank else CustomerForm()
    form.peiq_contact.choices = contact_choices(db)
    form.obligations.choices = [(o.id, o.title) for o in catalog]
    return form


def render_dashboard(form: CustomerForm | None = None, status: int = 200, **extra):
    """The dashboard for the view in the URL, with the new-customer form."""
    db = get_db()
    board.refresh(db, obligations())
    view = _view()
    customers, total, number = board.page(db, view)
    in_use = board.obligations_in_use(db, obligations())
    shown = table_columns(in_use)
    if form is None:
        form = new_customer_form(db, blank=True)
    html = render_template(
        "dashboard.html",
        customers=customers,
        rows=dashboard_rows(customers, shown, obligation_columns(in_use)),
        total=total,
        view=replace(view, seite=number),
        pages=-(-total // board.PAGE_SIZE),
        form=form,
        contacts=contact_choices(db)[1:],
        CONTACTS=board.CONTACTS,
        columns=shown,
        page_numbers=page_numbers,
        NO_PATH=board.NO_PATH,
        STATUSES=board.STATUSES,
        SORTS=board.SORTS,
        MAX_DAYS=board.MAX_DAYS,
        # on the overview's first page, not on a search or deep page (that costs nothing)
        todo_queue=todo.for_dashboard(db, datetime.now(UTC))
        if number == 1 and not view.q
        else None,
        at_risk=len(board.password_at_risk(db)),
        mail_auth_off=current_app.extensions["mail_auth"]["microsoft"].default_off_text,
        SMTP_OBLIGATION=SMTP_OBLIGATION,
        several=len(in_use) > 1,
        **extra,
    )
    return html, status


@bp.get("/")
def dashboard():
    """Search, filter, sort and page the customers; the URL holds the view."""
    handover.purge_expired(get_db())
    return render_dashboard()


CSV_CHUNK = 200  # rows per chunk of the streamed export


@bp.get("/export.csv")
def export_csv():
    """The current view (every page of it) as CSV for spreadsheets (UTF-8, semicolons).

    Streamed in chunks of CSV_CHUNK rows straight from the query's cursor, so 10,000
    customers need no more memory than 200. The columns are the dashboard's (board_columns).
    """
    db = get_db()
    board.refresh(db, obligations())
    view = _view()
    context = {
        "paths": {p.id: p for p in obligation().paths},
        "customer_url": public_url("manage.customer", customer_id=0).removesuffix("0"),
        "at_risk": board.password_at_risk(db),  # Microsoft 365/Google with a password
    }

    every = columns(board.obligations_in_use(db, obligations()))

    def lines():
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        out.write("\ufeff")  # the BOM makes Excel read UTF-8
        writer.writerow(column.label for column in every)
        for number, c in enumerate(board.every(db, view), 1):
            writer.writerow(csv_cell(column.csv(c, context)) for column in every)
            if number % CSV_CHUNK == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    response = current_app.response_class(
        stream_with_context(lines()), mimetype="text/csv", content_type="text/csv; charset=utf-8"
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    response.headers["Content-Disposition"] = f'attachment; filename="kundinnen-{stamp}.csv"'
    return response

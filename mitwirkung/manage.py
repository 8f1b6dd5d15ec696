"""Account managers under /manage/: login, dashboard, customer detail, links."""

import csv
import dataclasses
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from markupsafe import Markup
from werkzeug.security import check_password_hash, generate_password_hash

from . import (
    accounts,
    handover,
    inbound,
    live,
    mail,
    mailjet,
    mailjet_mail,
    mailjet_sync,
    notify,
    peiq_acted,
    store,
    todo,
)
from . import overview as board
from .board_columns import COLUMNS, TABLE, page_numbers
from .checks.dns import MailjetExpectation
from .checks.domain import display_domain
from .checks.smtp import shown_address
from .db import get_db, now
from .forms import CustomerEditForm, CustomerForm, LoginForm, MailjetForm, MailjetMailForm
from .pagecache import PageCache
from .progress import attention, item_views, progress
from .runner import get_runner
from .web import customer_links, obligation, obligations, public_url

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.before_request
def load_manager():
    """Load the logged-in manager; everything but the login page requires one."""
    sid = session.get("sid")
    g.manager = accounts.session_manager(get_db(), sid)  # None once logged out or deactivated
    if g.manager is None and request.endpoint not in ("manage.login", "team.set_password"):
        if sid:
            session.clear()
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("manage.login", next=target))


def actor() -> str:
    return f"manager:{g.manager['email']}"


def customer_or_404(customer_id: int) -> dict:
    customer = store.get_customer(get_db(), customer_id)
    if customer is None:
        abort(404)
    return customer


@bp.errorhandler(404)
def not_found(e):
    """A manager's 404 speaks to the manager, not to a customer with an old link."""
    page = render_template(
        "error.html",
        title="Nicht gefunden",
        text="Diese Kund:in oder Seite gibt es nicht (mehr) – vielleicht wurde sie gelöscht "
        "oder die Adresse ist unvollständig.",
        back=url_for("manage.dashboard"),
    )
    return page, 404


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


def _local_redirect(target: str | None) -> str:
    if (
        target
        and target.startswith("/manage/")
        and target.isprintable()
        and not any(c in target for c in " \\")
    ):
        return target
    return url_for("manage.dashboard")


LOGIN_WINDOW = 15 * 60
LOGIN_ATTEMPTS = 10  # wrong passwords for one account: from one address, or from unknown ones
ADDRESS_ATTEMPTS = 30  # wrong passwords from one address over all accounts
KNOWN_ADDRESS_DAYS = 90
# checked when the e-mail is unknown, so that the answer takes as long as for a known one
_DUMMY_HASH = generate_password_hash("no such manager")


def _since(seconds: int) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def _reserve_attempt(db, email: str, client: str) -> int | None:
    """Reserve one password check and return its row id, or None when a limit is reached.

    Counting and reserving happen in one BEGIN IMMEDIATE transaction, so parallel requests
    cannot all see the same count; a reservation counts as a wrong password until the
    password proves right. Limits: per account and address, per address, and per account
    for addresses this account never logged in from, so that wrong passwords from elsewhere
    cannot lock a manager out of an address they use.
    """
    with db.atomic():
        since = _since(LOGIN_WINDOW)
        db.execute("DELETE FROM login_failures WHERE at <= ?", [since])
        pair, address, account = db.execute(
            "SELECT COALESCE(SUM(email = ? AND client_addr = ?), 0),"
            " COALESCE(SUM(client_addr = ?), 0), COALESCE(SUM(email = ?), 0)"
            " FROM login_failures WHERE at > ?",
            [email, client, client, email, since],
        ).fetchone()
        known = db.execute(
            "SELECT 1 FROM login_addresses WHERE email = ? AND client_addr = ? AND at > ?",
            [email, client, _since(KNOWN_ADDRESS_DAYS * 86400)],
        ).fetchone()
        # A manager who logged in from this address before keeps getting in when others
        # (e.g. everyone behind one proxy) used up the address's budget.
        if (
            pair >= LOGIN_ATTEMPTS
            or (address >= ADDRESS_ATTEMPTS and not known)
            or (account >= LOGIN_ATTEMPTS and not known)
        ):
            return None
        table = db.table("login_failures")
        table.insert({"email": email, "client_addr": client, "at": now()})
        return table.last_pk


def _login_succeeded(db, attempt: int, email: str, client: str) -> None:
    """Drop the reservation and remember the address as one this account logs in from."""
    with db.atomic():
        db.execute("DELETE FROM login_failures WHERE id = ?", [attempt])
        db.table("login_addresses").upsert(
            {"email": email, "client_addr": client, "at": now()},
            pk=("email", "client_addr"),
        )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log an account manager in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        db, email = get_db(), form.email.data.lower()
        client = live.client_key(request.remote_addr) or ""
        attempt = _reserve_attempt(db, email, client)
        if attempt is None:
            form.password.errors.append(
                "Zu viele Fehlversuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann "
                "erneut."
            )
            return render_template("login.html", form=form), 429
        manager = accounts.by_email(db, email)
        hashed = manager["password_hash"] if manager else _DUMMY_HASH
        if check_password_hash(hashed, form.password.data) and manager and manager["active"]:
            _login_succeeded(db, attempt, email, client)
            session.clear()
            session["sid"] = accounts.start_session(db, manager["id"])
            return redirect(_local_redirect(request.args.get("next")), 303)
        if manager and not manager["active"] and check_password_hash(hashed, form.password.data):
            form.password.errors.append(
                "Dieser Zugang ist deaktiviert. Bitte wenden Sie sich an eine Kolleg:in, die "
                "ihn unter „Team“ wieder aktivieren kann."
            )
        else:
            form.password.errors.append("E-Mail oder Passwort stimmt nicht.")
    return render_template("login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    """Log out of this session only (the manager's other browsers stay logged in)."""
    accounts.end_session(get_db(), session.get("sid"))
    session.clear()
    return redirect(url_for("manage.login"), 303)


def _view() -> board.View:
    paths = [p.id for p in obligation().paths]
    return board.View.from_args(request.args, paths, me=g.manager["id"])


def dashboard_rows(customers: list[dict]) -> Markup:
    """The table rows of the dashboard; a row is rendered once per customer revision.

    Rows of archived customers carry this session's CSRF token and are never cached.
    """
    cache = current_app.extensions.setdefault(
        "dashboard_rows", PageCache(max_bytes=8 * 1024 * 1024)
    )
    template = current_app.jinja_env.get_template("_dashboard_row.html")
    paths = {p.id: p for p in obligation().paths}
    base = url_for("manage.customer", customer_id=0).removesuffix("0")

    def render(c: dict) -> str:
        return template.render(c=c, path=paths.get(c["path"]), customer_url=base, columns=TABLE)

    html = [
        render(c)
        if c["archived_at"]
        else cache.get_or_make(
            (c["id"], c["summary_revision"], c["peiq_name"]), lambda c=c: render(c)
        )
        for c in customers
    ]
    return Markup("".join(html))


def render_dashboard(form: CustomerForm | None = None, status: int = 200, **extra):
    """The dashboard for the view in the URL, with the new-customer form."""
    db = get_db()
    board.refresh(db, obligations())
    view = _view()
    customers, total, number = board.page(db, view)
    if form is None:
        form = CustomerForm(formdata=None, data={"peiq_contact": str(g.manager["id"])})
    form.peiq_contact.choices = contact_choices(db)
    html = render_template(
        "dashboard.html",
        customers=customers,
        rows=dashboard_rows(customers),
        total=total,
        view=replace(view, seite=number),
        pages=-(-total // board.PAGE_SIZE),
        form=form,
        contacts=contact_choices(db)[1:],
        CONTACTS=board.CONTACTS,
        columns=TABLE,
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
        **extra,
    )
    return html, status


@bp.get("/")
def dashboard():
    """Search, filter, sort and page the customers; the URL holds the view."""
    handover.purge_expired(get_db())
    return render_dashboard()


CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: a leading formula character is neutralised."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA) else text


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

    def lines():
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        out.write("\ufeff")  # the BOM makes Excel read UTF-8
        writer.writerow(column.label for column in COLUMNS)
        for number, c in enumerate(board.every(db, view), 1):
            writer.writerow(_csv_cell(column.csv(c, context)) for column in COLUMNS)
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


def same_domain(db, domain: str | None, but: int | None = None) -> list[dict]:
    """Customers (archived ones included) that already use this sender domain."""
    if not domain:
        return []
    rows = db.query(
        "SELECT id, name, archived_at FROM customers WHERE domain = ? AND id IS NOT ? ORDER BY id",
        [domain, but],
    )
    return list(rows)


@bp.post("/customers")
def create_customer():
    """Create a customer and show its links; a domain in use already asks first."""
    form = CustomerForm()
    db = get_db()
    form.peiq_contact.choices = contact_choices(db)
    if not form.validate_on_submit():
        return render_dashboard(form, 422, show_form=True)
    duplicates = same_domain(db, form.domain.data)
    if duplicates and request.form.get("duplicate_ok") != "y":
        return render_dashboard(form, 409, show_form=True, duplicates=duplicates)
    contact_id = int(form.peiq_contact.data) if form.peiq_contact.data else None
    if form.peiq_contact.data is None:  # a form without the field: the creator, as before
        contact_id = store.CREATOR
    customer, _, _ = store.create_customer(
        db, form.name.data, form.domain.data, form.contact.data, actor(),
        contact_manager_id=contact_id,
    )  # fmt: skip
    flash("Kund:in angelegt. Schicken Sie ihr den Kund:innen-Link.")
    return redirect(url_for("manage.customer", customer_id=customer["id"]), 303)


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
    }
    form = CustomerEditForm(formdata=formdata, data=data, prefix="edit")  # ids unique on the page
    form.peiq_contact.choices = contact_choices(db, c["contact_manager_id"])
    return form


def contact_choices(db, current: int | None = None) -> list[tuple[str, str]]:
    """Who can be a customer's PEIQ contact: nobody in particular or an active manager.

    A deactivated manager stays in the list while they are `current`, so saving other
    particulars does not silently change the contact.
    """
    rows = db.query(
        "SELECT id, name, email, active FROM managers WHERE active = 1 OR id IS ?"
        " ORDER BY name COLLATE NOCASE",
        [current],
    )
    return [("", "niemand Bestimmtes (alle Account Manager:innen)")] + [
        (str(m["id"]), f"{m['name']} ({m['email']})" + ("" if m["active"] else " – deaktiviert"))
        for m in rows
    ]


def field_problems(form, title: str) -> list[dict]:
    """One line per field error of a form: where it is (anchor) and what is wrong."""
    if form is None:
        return []
    return [
        {"href": f"#{f.id}", "text": f"{title} – {f.label.text}: {error}"}
        for f in form
        for error in f.errors
    ]


def page_problems(extra: dict) -> list[dict]:
    """What failed in the request that rendered this page, said at its top (lines with links).

    A manager's form far down the page (Angaben, Mailjet-Werte, Testmail über Mailjet) answers
    at the top, where the page opens, and each line leads to its field.
    """
    problems = [{"href": "#progress", "text": extra["conflict"]}] if extra.get("conflict") else []
    problems += field_problems(extra.get("edit_form"), "Angaben ändern")
    problems += field_problems(extra.get("mailjet_form"), "Mailjet-Werte")
    if extra.get("mailjet_error"):
        problems.append({"href": "#mailjet-error", "text": extra["mailjet_error"]})
    problems += field_problems(extra.get("mailjet_mail_form"), "Testmail über Mailjet")
    if extra.get("mailjet_mail_error"):
        problems.append({"href": "#mailjet-test-mail", "text": extra["mailjet_mail_error"]})
    return problems


def _history(db, customer_id: int) -> dict:
    """One page of the history ("?vor=<event id>" for older entries)."""
    raw = request.args.get("vor", "")
    before = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else None
    lines, older = board.history_page(db, obligation(), customer_id, before=before)
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
        writer.writerow(["Zeit (UTC, ISO 8601)", "Wer", "Was"])
        for row in board.history_rows(db, obligation(), customer_id):
            writer.writerow(_csv_cell(v) for v in row)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

    # the context (and its database connection) lives until the last row is written
    response = current_app.response_class(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = f"verlauf-{c['id']}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def render_customer(c: dict, status: int = 200, **extra):
    db = get_db()
    extra["problems"] = page_problems(extra)
    customer_id = c["id"]
    edit_url, share_url = customer_links(c)
    mailjet = store.get_row(db, "mailjet_expectations", customer_id)
    html = render_template(
        "manage_customer.html",
        **overview(c, store.item_rows(db, customer_id)),
        mail_auth_off=current_app.extensions["mail_auth"]["microsoft"].default_off_text,
        edit_url=edit_url,
        share_url=share_url,
        **_history(db, customer_id),
        inbound_mail=inbound.latest(db, customer_id, c["path"]),
        inbound_foreign=inbound.foreign_notice(db, customer_id, c["path"]),
        settings=store.get_row(db, "smtp_settings", customer_id),
        runs=[
            live.decode(r)
            for r in db.query(
                "SELECT * FROM runs WHERE customer_id = ? ORDER BY id DESC LIMIT 30", [customer_id]
            )
        ],
        handover_pending=handover.pending(db, customer_id),
        mailjet_form=extra.pop("mailjet_form", None)
        or MailjetForm(formdata=None, data=mailjet or {"domain": c["domain"] or ""}),
        edit_form=extra.pop("edit_form", None) or edit_form(db, c),
        peiq_contact=store.peiq_contact(db, c),
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


@bp.post("/customers/<int:customer_id>/edit")
def edit(customer_id):
    """Change name, domain, contact, PEIQ contact and reminders; a domain in use asks first."""
    c = customer_or_404(customer_id)
    db = get_db()
    form = edit_form(db, c, request.form)
    if not form.validate_on_submit():
        return render_customer(c, 422, edit_form=form, edit_open=True)
    duplicates = same_domain(db, form.domain.data, but=customer_id)
    if duplicates and form.domain.data != c["domain"] and request.form.get("duplicate_ok") != "y":
        return render_customer(c, 409, edit_form=form, edit_open=True, duplicates=duplicates)
    changes = {
        "name": form.name.data,
        "domain": form.domain.data or None,
        "contact_email": form.contact.data or None,
    }
    labels = {"name": "Name", "domain": "Absender-Domain", "contact_email": "E-Mail"}
    changed = [labels[k] for k, v in changes.items() if v != c[k]]
    shown = {"name": lambda v: v, "domain": display_domain, "contact_email": shown_address}
    before_after = [
        {"field": labels[k], "old": shown[k](c[k]) if c[k] else None,
         "new": shown[k](v) if v else None}
        for k, v in changes.items() if v != c[k]
    ]  # fmt: skip
    contact_id = int(form.peiq_contact.data) if form.peiq_contact.data else None
    if form.peiq_contact.data is None:  # not sent: unchanged
        contact_id = c["contact_manager_id"]
    muted = int(not form.reminders.data)
    with db.atomic():
        db.table("customers").update(
            customer_id, {**changes, "contact_manager_id": contact_id, "reminders_muted": muted}
        )
        if changed:
            store.add_event(db, customer_id, actor(), "customer-edited",
                            data={"fields": changed, "changes": before_after})  # fmt: skip
        if contact_id != c["contact_manager_id"]:
            name = store.peiq_contact(db, {"contact_manager_id": contact_id})
            old = store.peiq_contact(db, c)
            store.add_event(
                db, customer_id, actor(), "peiq-contact-changed",
                data={"name": name["name"] if name else None,
                      "old": old["name"] if old else None}, activity=False,
            )  # fmt: skip
        if muted != c["reminders_muted"]:
            kind = "reminders-muted" if muted else "reminders-unmuted"
            store.add_event(db, customer_id, actor(), kind, activity=False)
    anything = changed or contact_id != c["contact_manager_id"] or muted != c["reminders_muted"]
    flash("Angaben gespeichert." if anything else "Nichts geändert – die Angaben waren schon so.")
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


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


CONFIRM = {
    "rotate-edit": (
        "Neuen Kund:innen-Link erzeugen?",
        "Der bisherige Kund:innen-Link funktioniert danach sofort nicht mehr. Schicken Sie "
        "der Kund:in anschließend den neuen Link.",
        "Ja, neuen Link erzeugen",
    ),
    "rotate-share": (
        "Neuen Nur-Lese-Link erzeugen?",
        "Der bisherige Nur-Lese-Link funktioniert danach sofort nicht mehr, auch bei "
        "Kolleg:innen, denen Sie ihn gegeben haben.",
        "Ja, neuen Link erzeugen",
    ),
    "archive": (
        "Kund:in archivieren?",
        "Die Kund:in verschwindet aus der Übersicht, ihre Links zeigen nur noch, dass die "
        "Einrichtung geschlossen ist und wen sie fragen kann. Sie können sie unter "
        "„Archivierte Kund:innen“ jederzeit wiederherstellen.",
        "Ja, archivieren",
    ),
}


def confirmed(c: dict, action: str, url: str):
    """None when the form carried the confirmation; else the page that asks for it."""
    if request.form.get("confirm") == "ja":
        return None
    title, text, button = CONFIRM[action]
    return render_template(
        "confirm.html", customer=c, title=title, text=text, button=button, action_url=url
    )


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


@bp.post("/customers/<int:customer_id>/archive")
def archive(customer_id):
    """Archive a customer after confirmation: it leaves the dashboard, its links close."""
    c = customer_or_404(customer_id)
    ask = confirmed(c, "archive", request.path)
    if ask:
        return ask
    store.archive_customer(get_db(), customer_id, actor())
    flash(f"{c['name']} ist archiviert. Die Links zeigen jetzt, dass die Einrichtung "
          "geschlossen ist.")  # fmt: skip
    return redirect(url_for("manage.dashboard"), 303)


@bp.post("/customers/<int:customer_id>/restore")
def restore(customer_id):
    """Bring an archived customer back to the dashboard; its links work again."""
    c = customer_or_404(customer_id)
    if c["archived_at"] is None:
        flash("Diese Kund:in ist nicht archiviert.")
    else:
        store.restore_customer(get_db(), customer_id, actor())
        flash(f"{c['name']} ist wiederhergestellt. Die Links funktionieren wieder.")
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


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
    told = peiq_acted.tell_customer(
        db, get_runner(), current_app.config, customer=c, kind=kind,
        edit_url=customer_links(c)[0], actor=actor(),
    )  # fmt: skip
    if told == "mailed":
        return f" Die Kund:in bekommt eine E-Mail an {shown_address(c['contact_email'])}."
    if told == "bad-address":
        return (
            f" Die hinterlegte E-Mail-Adresse der Kund:in ({shown_address(c['contact_email'])})"
            " ist keine gültige Adresse, deshalb ging keine E-Mail hinaus. Bitte korrigieren Sie"
            " sie unter „Angaben ändern“ und sagen Sie der Kund:in selbst Bescheid."
        )
    return " Bitte sagen Sie der Kund:in selbst Bescheid (keine E-Mail möglich)."


NOTIFIED = {
    "mailed": "Die Kund:in bekommt eine E-Mail an {to}, dass die Einträge bereitstehen.",
    "no-address": "Es ist keine E-Mail-Adresse der Kund:in hinterlegt: bitte sagen Sie ihr selbst "
    "Bescheid, dass die Einträge bereitstehen.",
    "bad-address": "Die hinterlegte E-Mail-Adresse der Kund:in ({to}) ist keine gültige "
    "Adresse, deshalb ging keine E-Mail hinaus. Bitte korrigieren Sie sie unter „Angaben "
    "ändern“ und sagen Sie der Kund:in Bescheid, dass die Einträge bereitstehen.",
    "no-mail": "Der E-Mail-Versand ist nicht eingerichtet: bitte sagen Sie der Kund:in selbst "
    "Bescheid, dass die Einträge bereitstehen. Einrichten kann den Versand die Administration "
    "von Mitwirkung (Einstellung MITWIRKUNG_MAIL_SERVER).",
}


MISSING_FLASH = (
    "Noch nicht vollständig – es fehlt {missing}. Ohne ihn kann die Kund:in den DKIM-Eintrag "
    "nicht anlegen: Sie sieht dort „Wartet auf PEIQ“, kann nichts weiterleiten und bekommt die "
    "E-Mail, dass die Einträge bereitstehen, erst wenn Sie ihn nachtragen."
)


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
        "Mailjet-Werte gespeichert. Die Kund:in sieht jetzt die Einträge, die sie anlegen muss."
        if not unchanged
        else "Nichts geändert – die Mailjet-Werte waren schon so.",
        "mailjet-message",
    )
    _values_ready(db, c, before)
    return redirect(url_for("manage.customer", customer_id=customer_id, _anchor="mailjet"), 303)


def _values_ready(db, c: dict, before: dict | None) -> None:
    """The customer was waiting for the Mailjet values: tell them once all are there.

    Values with one missing (the DKIM key) are not ready: the manager is told what is
    missing, and the customer's mail goes out only when the values become complete.
    """
    missing = live.missing_values(live.expectation(db, c["id"]))
    if missing:
        flash(MISSING_FLASH.format(missing=", ".join(missing)), "mailjet-message")
        return
    if before is not None and not live.missing_values(_as_expectation(before)):
        return
    told = notify.values_ready(
        db, get_runner(), current_app.config, customer=c, edit_url=customer_links(c)[0],
        contact=store.peiq_contact(db, c), actor=actor(),
    )  # fmt: skip
    flash(NOTIFIED[told].format(to=shown_address(c["contact_email"] or "")), "mailjet-message")


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
            message += " Der Zugang des Unterkontos ist gespeichert; neu eingeben ersetzt ihn."
        elif given:
            message += " Der Zugang des Unterkontos ist nicht gespeichert."
        return render_customer(c, e.http_status, mailjet_form=form, mailjet_error=message)
    flash(
        f"Werte von Mailjet für {display_domain(expected.domain)} übernommen. Die Kund:in sieht "
        "jetzt die Einträge, die sie anlegen muss.",
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
    flash("Mailjet hat die Einträge geprüft; sein Ergebnis steht unten.", "mailjet-message")
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)


@bp.post("/customers/<int:customer_id>/mailjet/test-mail")
def mailjet_test_mail(customer_id):
    """Send a test mail through Mailjet's relay on the customer's behalf."""
    c = customer_or_404(customer_id)
    form = MailjetMailForm()
    error = mailjet_mail.send_from_form(
        get_db(), get_runner(), current_app.config, customer=c, form=form,
        confirm_url_for=lambda code: public_url("customer.confirm", code=code),
        actor=actor(), client_addr=live.client_key(request.remote_addr),
    )  # fmt: skip
    if error is not None:
        return render_customer(c, 422, mailjet_mail_form=form, mailjet_mail_error=error)
    flash(
        f"Testmail über Mailjet an {shown_address(form.recipient.data)} gestartet.",
        "mailjet-message",
    )
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)


@bp.post("/customers/<int:customer_id>/mailjet/subaccount/delete")
def forget_subaccount(customer_id):
    """Delete the customer's Mailjet sub-account key and secret."""
    customer_or_404(customer_id)
    mailjet_sync.forget_subaccount(get_db(), customer_id, actor())
    flash(
        "Zugang zum Mailjet-Unterkonto gelöscht; es gilt wieder PEIQs eigenes Mailjet-Konto.",
        "mailjet-message",
    )
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)

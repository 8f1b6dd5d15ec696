"""Account managers under /manage/: login, dashboard, customer detail, links."""

import dataclasses
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
    url_for,
)
from werkzeug.security import check_password_hash, generate_password_hash

from . import handover, live, mailjet, mailjet_mail, mailjet_sync, notify, store
from .checks.dns import MailjetExpectation
from .db import get_db, now
from .forms import CustomerForm, LoginForm, MailjetForm, MailjetMailForm
from .progress import attention, item_views, progress
from .runner import get_runner
from .web import customer_links, obligation, public_url

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.before_request
def load_manager():
    """Load the logged-in manager; everything but the login page requires one."""
    manager_id = session.get("manager_id")
    g.manager = store.get_row(get_db(), "managers", manager_id) if manager_id else None
    if g.manager and g.manager["session_epoch"] != session.get("epoch"):
        g.manager = None  # logged out since this session began
    if g.manager is None and request.endpoint not in ("manage.login",):
        if manager_id:
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
        if (
            pair >= LOGIN_ATTEMPTS
            or address >= ADDRESS_ATTEMPTS
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
        manager = next(db.query("SELECT * FROM managers WHERE email = ?", [email]), None)
        hashed = manager["password_hash"] if manager else _DUMMY_HASH
        if check_password_hash(hashed, form.password.data) and manager:
            _login_succeeded(db, attempt, email, client)
            session.clear()
            session["manager_id"] = manager["id"]
            session["epoch"] = manager["session_epoch"]
            return redirect(_local_redirect(request.args.get("next")), 303)
        form.password.errors.append("E-Mail oder Passwort stimmt nicht.")
    return render_template("login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    """Log out, here and in every other session of this manager."""
    get_db().execute(
        "UPDATE managers SET session_epoch = session_epoch + 1 WHERE id = ?", [g.manager["id"]]
    )
    session.clear()
    return redirect(url_for("manage.login"), 303)


@bp.get("/")
def dashboard():
    """List the active customers with path, progress, last activity and what needs attention."""
    db = get_db()
    handover.purge_expired(db)
    rows: dict[int, dict] = {}
    for row in store.all_item_rows(db):
        rows.setdefault(row["customer_id"], {})[row["item_id"]] = row
    customers = db.table("customers").rows_where(
        "archived_at IS NULL", order_by="last_activity_at DESC"
    )
    waiting = {r["customer_id"] for r in db.query("SELECT customer_id FROM secrets")}
    overviews = [
        {**overview(c, rows.get(c["id"], {})), "password_waiting": c["id"] in waiting}
        for c in customers
    ]
    return render_template("dashboard.html", overviews=overviews, form=CustomerForm(formdata=None))


@bp.post("/customers")
def create_customer():
    """Create a customer and show its links."""
    form = CustomerForm()
    if not form.validate_on_submit():
        return render_template("dashboard.html", overviews=[], form=form, show_form=True), 422
    customer, _, _ = store.create_customer(
        get_db(), form.name.data, form.domain.data, form.contact.data, actor()
    )
    flash("Kund:in angelegt. Schicken Sie ihr den Kund:innen-Link.")
    return redirect(url_for("manage.customer", customer_id=customer["id"]), 303)


@bp.get("/customers/<int:customer_id>")
def customer(customer_id):
    """Show one customer: links, checklist states, live tests and history."""
    return render_customer(customer_or_404(customer_id))


def render_customer(c: dict, **extra):
    db = get_db()
    customer_id = c["id"]
    edit_url, share_url = customer_links(c)
    mailjet = store.get_row(db, "mailjet_expectations", customer_id)
    return render_template(
        "manage_customer.html",
        **overview(c, store.item_rows(db, customer_id)),
        edit_url=edit_url,
        share_url=share_url,
        events=store.events(db, customer_id),
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
        mailjet_state=mailjet_sync.row(db, customer_id),
        mailjet_api=mailjet_sync.account(db, current_app.config, customer_id) is not None,
        mailjet_mail=mailjet_mail.view(db, current_app.config, c, MailjetMailForm)
        if c["path"] == "mailjet" and mailjet
        else None,
        **extra,
    )


@bp.post("/customers/<int:customer_id>/rotate/<which>")
def rotate(customer_id, which):
    """Replace the customer or share link; the old one stops working at once."""
    if which not in ("edit", "share"):
        abort(404)
    customer_or_404(customer_id)
    store.rotate_link(get_db(), customer_id, which, actor())
    flash("Neuer Link erzeugt. Der alte Link funktioniert ab sofort nicht mehr.")
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


@bp.post("/customers/<int:customer_id>/archive")
def archive(customer_id):
    """Archive a customer: it leaves the dashboard and its links stop working."""
    customer_or_404(customer_id)
    store.archive_customer(get_db(), customer_id, actor())
    flash("Kund:in archiviert. Die Links funktionieren nicht mehr.")
    return redirect(url_for("manage.dashboard"), 303)


@bp.post("/customers/<int:customer_id>/reveal-password")
def reveal_password(customer_id):
    """Show the handed-over password once; it is deleted as it is shown."""
    c = customer_or_404(customer_id)
    password = handover.reveal(get_db(), customer_id, actor())
    if password is None:
        flash("Es liegt kein Passwort (mehr) vor. Es wurde bereits angezeigt oder ist abgelaufen.")
        return redirect(url_for("manage.customer", customer_id=customer_id), 303)
    response = make_response(render_template("revealed.html", customer=c, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


NOTIFIED = {
    "mailed": "Die Kund:in bekommt eine E-Mail an {to}, dass die Einträge bereitstehen.",
    "no-address": "Es ist keine E-Mail-Adresse der Kund:in hinterlegt: bitte sagen Sie ihr selbst "
    "Bescheid, dass die Einträge bereitstehen.",
    "no-mail": "Der E-Mail-Versand ist nicht eingerichtet (MAIL_SERVER): bitte sagen Sie der "
    "Kund:in selbst Bescheid, dass die Einträge bereitstehen.",
}


@bp.post("/customers/<int:customer_id>/mailjet")
def save_mailjet(customer_id):
    """Store what Mailjet expects; the customer then sees the records to publish."""
    c = customer_or_404(customer_id)
    form = MailjetForm()
    if not form.validate_on_submit():
        return render_customer(c, mailjet_form=form), 422
    data = {k: form.data[k] for k in ("domain", "verification_name", "verification_value",
                                       "dkim_selector", "dkim_key")}  # fmt: skip
    expected = MailjetExpectation(**{**data, "dkim_key": data["dkim_key"] or None})
    db = get_db()
    before = store.get_row(db, "mailjet_expectations", customer_id)
    _save_subaccount(db, customer_id, form)
    with db.atomic():
        db.table("mailjet_expectations").upsert(
            {"customer_id": customer_id, **dataclasses.asdict(expected), "updated_at": now()},
            pk="customer_id",
        )
        store.add_event(
            db, customer_id, actor(), "mailjet-expectation", data={"domain": expected.domain}
        )
    flash("Mailjet-Werte gespeichert. Die Kund:in sieht jetzt die Einträge, die sie anlegen muss.")
    _values_ready(db, c, before)
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


def _values_ready(db, c: dict, before: dict | None) -> None:
    """The customer was waiting for the first Mailjet values: tell them they are there."""
    if before is not None:
        return
    told = notify.values_ready(
        db, get_runner(), current_app.config, customer=c, edit_url=customer_links(c)[0],
        contact=store.peiq_contact(db, c),
    )  # fmt: skip
    flash(NOTIFIED[told].format(to=c["contact_email"]))


@bp.post("/customers/<int:customer_id>/acknowledge")
def acknowledge(customer_id):
    """The manager has seen the customer's message that the DNS records are in place."""
    customer_or_404(customer_id)
    db = get_db()
    row = store.item_rows(db, customer_id).get("peiq-informed")
    if row is None or row["detail"].get("waiting_for") != "manager":
        abort(409)
    detail = {**row["detail"], "waiting_for": None}  # who saw it is in the event's actor
    store.set_item(db, customer_id, "peiq-informed", row["state"], actor(), detail)
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


@bp.post("/customers/<int:customer_id>/portal-confirm")
def confirm_portal(customer_id):
    """Confirm that the named PORTAL's SMTP configuration is reused."""
    c = customer_or_404(customer_id)
    db = get_db()
    row = store.item_rows(db, customer_id).get("portal-adopt")
    if row is None or not row["detail"].get("portal"):
        abort(409)
    store.set_item(
        db,
        customer_id,
        "portal-adopt",
        "done",
        actor(),
        {"portal": row["detail"]["portal"]},
    )
    flash(f"Übernahme der SMTP-Konfiguration von {c['portal_name']} bestätigt.")
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
        return render_customer(c, mailjet_form=form), 422
    db = get_db()
    saved = _save_subaccount(db, customer_id, form)
    before = store.get_row(db, "mailjet_expectations", customer_id)
    try:
        expected = mailjet_sync.fetch_values(
            db, current_app.config, customer_id, form.domain.data, actor()
        )
    except mailjet.MailjetError as e:
        message = e.message
        if saved:
            message += " Der Zugang des Unterkontos ist gespeichert; neu eingeben ersetzt ihn."
        return render_customer(c, mailjet_form=form, mailjet_error=message), e.http_status
    flash(
        f"Werte von Mailjet für {expected.domain} übernommen. Die Kund:in sieht jetzt die "
        "Einträge, die sie anlegen muss."
    )
    _values_ready(db, c, before)
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)


@bp.post("/customers/<int:customer_id>/mailjet/check")
def check_at_mailjet(customer_id):
    """Ask Mailjet now to check the DNS records and to validate the domain sender."""
    c = customer_or_404(customer_id)
    try:
        mailjet_sync.ask_mailjet(get_db(), current_app.config, customer_id)
    except mailjet.MailjetError as e:
        return render_customer(c, mailjet_error=e.message), e.http_status
    flash("Mailjet hat die Einträge geprüft; sein Ergebnis steht unter „Mailjet-Werte“.")
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
        return render_customer(c, mailjet_mail_form=form, mailjet_mail_error=error), 422
    flash(f"Testmail über Mailjet an {form.recipient.data} gestartet.")
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)


@bp.post("/customers/<int:customer_id>/mailjet/subaccount/delete")
def forget_subaccount(customer_id):
    """Delete the customer's Mailjet sub-account key and secret."""
    customer_or_404(customer_id)
    mailjet_sync.forget_subaccount(get_db(), customer_id, actor())
    flash("Zugang zum Mailjet-Unterkonto gelöscht; es gilt wieder PEIQs eigenes Mailjet-Konto.")
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#mailjet", 303)

"""The customer's private link (/c/<token>) and the read-only share link (/s/<token>)."""

import dataclasses
import hashlib
import hmac

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block, render_blocks
from markupsafe import escape

from . import (
    handover,
    inbound,
    mail,
    mail_providers,
    notify,
    peiq_acted,
    provider_guide,
    store,
    todo,
)
from .catalog import SMTP_OBLIGATION
from .checks.domain import display_domain
from .checks.smtp import shown_address
from .checks.smtp.oauth import OAuthLogin
from .db import get_db
from .forms import (
    ForwardForm,
    HandoverForm,
    MailjetMailForm,
    OtherChannelForm,
    PathForm,
    PortalForm,
    ProbeForm,
    SmtpTestForm,
    ToggleForm,
)
from .page_expiry import changes_at as page_changes_at
from .pagecache import page_key
from .progress import evidence, item_views, others_complete, progress, state_label
from .runs import app_mail, mailjet_mail, probe, receipt
from .runs import dns_check as dns_run
from .runs import settings as smtp_settings
from .runs import smtp_test as smtp_run
from .runs.base import Caller, decode, runs
from .runs.lifecycle import reap
from .runs.limits import RateLimited, client_key, tests_left
from .secret_words import cap, secret_words
from .service import service
from .standing import Standing, overall_progress, standings
from .web import htmx, obligation, obligations, public_url

bp = Blueprint("customer", __name__)
TEMPLATE = "customer.html"


@bp.url_value_preprocessor
def load_customer(endpoint, values):
    """Resolve the token in the URL to a customer, or answer 404."""
    if not values or "token" not in values:
        return
    which = "share" if request.path.startswith("/s/") else "edit"
    g.token = values.pop("token")
    customer = store.customer_by_token(get_db(), g.token, which)
    if customer is None:
        closed = store.customer_by_token(get_db(), g.token, which, archived=True)
        if closed:  # the setup was closed: say so and whom to ask, not "not found"
            contact = store.peiq_contact(get_db(), closed)
            page = render_template("closed.html", customer=closed, contact=contact)
            abort(current_app.make_response((page, 410)))
        abort(404)
    g.customer, g.readonly = customer, which == "share"


bp.add_app_template_global(state_label)
bp.add_app_template_filter(provider_guide.wrap_dots, "wrap_dots")
# Item help as an onlooker on the read-only link reads it: no "Sie", no buttons not there.
ONLOOKER_HELP = {
    "mail-received": "Erst wenn eine E-Mail wirklich ankommt, ist alles erledigt. Die Kund:in "
    "schickt dazu eine E-Mail an ihre Prüfadresse, die unsere Empfangsprüfung annimmt und "
    "prüft, öffnet den Bestätigungslink in der Testmail oder bestätigt die Ankunft von Hand.",
    "peiq-informed": "Sobald die DNS-Einträge stehen, gibt die Kund:in PEIQ Bescheid; PEIQ "
    "schließt dann die Einrichtung bei Mailjet ab.",
    "portal-adopt": "Die Kund:in nennt ihr PORTAL; die Ansprechperson bei PEIQ bestätigt danach "
    "die Übernahme.",
    "smtp-settings": "Server/Host, Port, Verschlüsselung, Nutzer und Absenderadresse des "
    "Postfachs der Kund:in – so, wie ihr E-Mail-Anbieter sie nennt.",
    "smtp-password": "Das Passwort reist nie zusammen mit den übrigen Zugangsdaten: Die Kund:in "
    "übergibt es verschlüsselt in dieser Anwendung oder bestätigt einen anderen sicheren Weg.",
    "smtp-test-mail": "Eine echte Testmail über den SMTP-Server der Kund:in zeigt, ob Server, "
    "Port, Verschlüsselung und Anmeldung stimmen.",
    "dns-verification": "Mit diesem TXT-Eintrag beweist die Kund:in Mailjet, dass die "
    "Absender-Domain ihr gehört.",
    "dns-spf": "SPF legt fest, welche Server E-Mails für die Domain verschicken dürfen; Mailjet "
    "muss darin stehen, sonst landen die E-Mails im Spam.",
    "dns-dkim": "DKIM ist eine digitale Unterschrift für E-Mails; der öffentliche Schlüssel steht "
    "als TXT-Eintrag im DNS der Domain, damit Empfänger die Unterschrift prüfen können.",
}
bp.add_app_template_global(ONLOOKER_HELP, "ONLOOKER_HELP")


def link_csrf_token(token: str) -> str:
    """Return the CSRF token of a customer link: bound to the link, not to a cookie.

    The link itself is the credential (there is no ambient cookie to abuse), so a token
    derived from it protects as well as a session token, needs no session and lets the
    page be cached. Rotating the link changes it.
    """
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


@bp.before_request
def check_link_csrf():
    """Refuse every write through a customer link without the link's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or "token" not in g:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRFToken") or ""
    if not hmac.compare_digest(sent.encode(), link_csrf_token(g.token).encode()):
        raise CSRFError("The CSRF token of this link is missing or wrong.")


def context(**extra) -> dict:
    """Build everything the checklist template needs for the current customer."""
    db, customer = get_db(), g.customer
    views = item_views(obligation(), customer["path"], store.item_rows(db, customer["id"]))
    settings = store.get_row(db, "smtp_settings", customer["id"])
    smtp_runs = runs(db, customer["id"], "smtp") if customer["path"] == "smtp-own" else []
    dns = dns_run.dns_view(db, customer["id"]) if customer["path"] == "mailjet" else {}
    if dns.get("missing") and any(v.item.id == "dns-dkim" and v.complete for v in views):
        dns = {**dns, "missing": []}  # a valid DKIM record is published: nothing to wait for
    if dns.get("missing"):
        views = [waiting_for_value(v) for v in views]
    dns = provider_guide.attach(db, customer["id"], dns)
    if dns.get("expected"):
        dns["mail"] = mailjet_mail.view(db, current_app.config, customer, MailjetMailForm)
    ctx = {
        "customer": customer,
        "token": g.token,
        "readonly": g.readonly,
        "path": obligation().path(customer["path"]),
        "views": views,
        "progress": progress(views),
        "confirm_ready": others_complete(views, "mail-received"),
        "confirm_wait": confirm_wait(customer),
        "settings": settings,
        "refresh_seconds": current_app.config["SHARE_REFRESH_SECONDS"],
        "csrf_token": lambda: link_csrf_token(g.token),
        "saved": False,
        "smtp_runs": smtp_runs,
        "tests_left": tests_left(db, current_app.config, customer["id"])
        if customer["path"] == "smtp-own" and not g.readonly
        else None,
        "probe": None,
        "handover_pending": handover.pending(db, customer["id"]),
        "peiq_contact": store.peiq_contact(db, customer),
        "dns": dns,
    }
    ctx["peiq_todos"] = [] if g.readonly else todo.collect(db, obligation(), customer, views)
    # every obligation of the customer with its progress (the SMTP one as this page shows it)
    smtp = Standing(obligation(), customer["path"], views, ctx["progress"])
    ctx["standings"] = standings(db, obligations(), customer, known=smtp)
    ctx["overall_progress"] = overall_progress(ctx["standings"])
    ctx["current"] = SMTP_OBLIGATION
    ctx["peiq_news"] = ""
    ctx["confirm_ready"] = ctx["confirm_ready"] and not ctx["confirm_wait"]
    ctx["provider_notice"] = None
    ctx["mail_auth"] = mail_providers.catalog()
    if settings and customer["path"] == "smtp-own":
        login = mail_providers.login_kind(settings.get("no_login"), settings.get("auth_method"))
        ctx["provider_notice"] = mail_providers.notice(
            current_app.config, settings.get("provider"), host=settings["host"], login=login
        )
    ctx["inbound_mail"] = inbound.latest(db, customer["id"], customer["path"])
    ctx["inbound_foreign"] = inbound.foreign_notice(db, customer["id"], customer["path"])
    ctx["inbound_address"] = (
        None
        if g.readonly
        else inbound.current_address(db, current_app.config, customer["id"], customer["path"])
    )
    ctx["mail_configured"] = mail.configured(current_app.config)
    ctx["pressed"] = None
    if not g.readonly:
        defaults = {"recipient": customer["contact_email"], **(settings or {})}
        if smtp_runs and smtp_runs[0]["state"] == "running":  # a reload mid-test: what it tests
            defaults.update(smtp_settings.form_values(smtp_runs[0]["settings"]))
        # people read names in Unicode; the form turns them back into A-labels on the way in
        if defaults.get("host"):
            defaults["host"] = display_domain(defaults["host"])
        for key in ("recipient", "sender"):
            if defaults.get(key):
                defaults[key] = shown_address(defaults[key])
        ctx["path_form"] = PathForm(formdata=None, path=customer["path"], paths=obligation().paths)
        ctx["toggle_form"] = ToggleForm(formdata=None)
        ctx["smtp_form"] = SmtpTestForm(formdata=None, data=defaults)
        ctx["portal_form"] = PortalForm(formdata=None, portal=customer["portal_name"])
        ctx["handover_form"] = HandoverForm(formdata=None)
        ctx["other_form"] = OtherChannelForm(formdata=None)
        ctx["forward_form"] = ForwardForm(formdata=None)
        if dns.get("expected") and not dns["missing"] and not ctx["mail_configured"]:
            ctx["forward_mailto"] = notify.mailto(
                f"DNS-Einträge für {customer['name']}", forward_text(customer, dns)
            )
    ctx.update(extra)
    return ctx


def waiting_for_value(view):
    """The DKIM item while PEIQ has not entered Mailjet's key: PEIQ's turn, not the customer's,
    unless the check found something at the name to correct first."""
    if view.item.id != "dns-dkim" or view.complete or view.state == "running":
        return view
    codes = {f.get("code") for f in view.detail.get("findings") or ()}
    if view.state != "open" and codes - {"dkim.missing", "dns.wildcard"}:
        return view  # something is there and wrong (a doubled name, say): the customer's turn
    detail = {**view.detail, "waiting_for": "manager", "red": [], "missing_value": True}
    return dataclasses.replace(view, detail=detail)


def confirm_wait(customer: dict) -> str | None:
    """Why the path does not offer the hand-confirmed `mail-received` yet (German), or None."""
    if customer["path"] != "mailjet":
        return None
    db = get_db()
    return mailjet_mail.manual_wait(db, customer["id"], store.peiq_contact(db, customer))


def forward_text(customer: dict, dns: dict) -> str:
    """The records and steps to publish them, with the read-only link, as mail text."""
    share_url = public_url("customer.share_page", token=store.link_tokens(customer)[1])
    return notify.records_text(customer, dns, share_url)


def respond(blocks: list[str], status: int = 200, item_id: str | None = None, **extra):
    """Render the whole page, or for htmx only the named blocks of it."""
    ctx = context(**extra)
    if item_id:
        ctx["view"] = next((v for v in ctx["views"] if v.item.id == item_id), None)
        if ctx["view"] is None:  # e.g. a poll from before the customer changed the path
            other_path()
    if not htmx:
        return render_template(TEMPLATE, **ctx), status
    return render_blocks(TEMPLATE, blocks, **ctx) + obligations_nav(ctx), status


def obligations_nav(ctx: dict) -> str:
    """The list of the customer's obligations out of band (it shows the overall progress),
    when there is more than one."""
    if len(ctx["standings"]) < 2:
        return ""
    return render_template("_obligations_nav.html", **{**ctx, "oob": True})


def out_of_band(ctx: dict, item_ids, skip: str | None = None) -> str:
    """Render these items out of band, with `mail-received` (its tick depends on every other
    item) and the progress bar."""
    views = {v.item.id: v for v in ctx["views"]}
    parts = [
        render_block(TEMPLATE, "item", **{**ctx, "view": views[i], "oob": True})
        for i in dict.fromkeys((*item_ids, "mail-received"))
        if i in views and i != skip
    ]
    parts.append(render_block(TEMPLATE, "progress", **ctx))
    parts.append(obligations_nav(ctx))
    # the light poll starts or stops with the customer's own writes too (peiq_watch)
    parts.append(render_block(TEMPLATE, "peiq_watch", **ctx))
    return "".join(parts)


def render_items(item_id: str, also: tuple[str, ...] = (), **extra) -> str:
    """Render one item for the swap target, further items out of band, and the progress bar."""
    ctx = context(**extra)
    view = next(v for v in ctx["views"] if v.item.id == item_id)
    main = render_block(TEMPLATE, "item", **{**ctx, "view": view})
    return main + out_of_band(ctx, also, skip=item_id)


def after_write(item_id: str, also: tuple[str, ...] = (), **extra):
    """Answer a successful write: htmx gets the items and the progress bar, a form a redirect."""
    if not htmx:
        anchor = f"#item-{item_id}"
        return redirect(url_for("customer.page", token=g.token) + anchor, 303)
    return render_items(item_id, also, **extra)


OTHER_PATH = "Sie haben inzwischen einen anderen Weg gewählt – bitte laden Sie die Seite neu."


def other_path():
    """Abort with 409: the item or run exists, but the customer has chosen another path since.

    The header X-Reason lets the page say so in place (static/app.js) instead of guessing.
    """
    page = render_template("error.html", title="Anderer Weg gewählt", text=OTHER_PATH)
    response = current_app.make_response((page, 409))
    response.headers["X-Reason"] = "other-path"
    abort(response)


def require_item(item_id: str, kind: str | None = None):
    """Abort with 404 unless the item exists (of this kind), with 409 unless it belongs to
    the chosen path."""
    item = obligation().items.get(item_id)
    if item is None or (kind and item.kind != kind):
        abort(404)
    path = obligation().path(g.customer["path"])
    if path is None or item not in path.items:
        other_path()
    return item


def reload_customer() -> None:
    g.customer = store.get_customer(get_db(), g.customer["id"])


@bp.get("/c/<token>", endpoint="page")
@bp.get("/s/<token>", endpoint="share_page")
def page():
    """Show the checklist; the share view's periodic refresh gets only the workspace block.

    The page is cached per customer revision: a long history costs nothing until it changes.
    """
    cache = current_app.extensions["page_cache"]
    key = page_key(g.customer["id"], g.customer["revision"], g.token, g.readonly, bool(htmx))
    return cache.get_or_make(
        key,
        lambda: respond(["workspace"])[0].encode(),
        expires=lambda: page_changes_at(get_db(), g.customer["id"]),
    )


@bp.post("/c/<token>/path")
def choose_path():
    """Choose one of the paths; the other paths' item states are kept."""
    form = PathForm(paths=obligation().paths)
    if not form.validate_on_submit():
        return respond(["workspace"], 422, path_form=form)
    db, current = get_db(), g.customer["path"]
    if current and form.path.data != current and request.form.get("confirm_leave") != "1":
        views = item_views(obligation(), current, store.item_rows(db, g.customer["id"]))
        if progress(views) == 100:  # leaving a finished path: ask first, say what is kept
            leave = obligation().path(form.path.data)
            return respond(["workspace"], path_form=form, leave_to=leave)
    store.set_path(db, g.customer["id"], form.path.data, "customer")
    reload_customer()
    if not htmx:
        return redirect(url_for("customer.page", token=g.token), 303)
    return respond(["workspace", "peiq_watch"], path_chosen=True)


@bp.get("/c/<token>/items/<item_id>")
def item(item_id):
    """Return one item as it stands now, `mail-received` (it depends on every item) out of band
    and the progress bar (the page polls `mail-received` while a mail is out; while PEIQ is
    to act, `peiq_watch` asks)."""
    require_item(item_id)
    if not htmx:
        return respond([], item_id=item_id)
    html = render_items(item_id)
    return with_smtp_answer(html) if item_id == "mail-received" else html


def with_smtp_answer(html: str) -> str:
    """Add the answer next to "Testmail senden" out of band: it says whether the mail arrived."""
    if g.customer["path"] != "smtp-own":
        return html
    return html + render_block(TEMPLATE, "smtp_answer", **context(), answer_oob=True)


def received_key(views, foreign: dict | None = None) -> str:
    """What the page knows of `mail-received`: its state, when it last changed and the newest
    mail from another domain shown (inbound.foreign_notice)."""
    view = next((v for v in views if v.item.id == "mail-received"), None)
    if view is None:
        return ""
    return f"{view.state}@{view.updated_at}@{foreign['id'] if foreign else ''}"


@bp.get("/c/<token>/mail-received/wait")
def wait_for_mail():
    """Poll while the page waits for a mail: 204 while `mail-received` is as the page shows it,
    else the item and the progress bar (other items keep their answers in place)."""
    require_item("mail-received")
    views = item_views(
        obligation(), g.customer["path"], store.item_rows(get_db(), g.customer["id"])
    )
    foreign = inbound.foreign_notice(get_db(), g.customer["id"], g.customer["path"])
    if request.args.get("seen") == received_key(views, foreign):
        return "", 204
    if not htmx:
        return redirect(url_for("customer.page", token=g.token) + "#item-mail-received", 303)
    return with_smtp_answer(render_items("mail-received"))


@bp.post("/c/<token>/inbound-address")
def rotate_inbound_address():
    """Neue Prüfadresse erzeugen: the path's old address is refused from now on."""
    require_item("mail-received")
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    path = g.customer["path"]
    if request.form.get("path", path) != path:
        other_path()
    if request.form.get("sure") != "1":  # the old address dies: ask first (a form, no JS needed)
        return respond(["item"], item_id="mail-received", ask_rotate=True)
    inbound.rotate(get_db(), current_app.config, g.customer["id"], path, "customer")
    reload_customer()
    return after_write(
        "mail-received", fresh="Neue Prüfadresse erzeugt – die alte nimmt keine Mails mehr an."
    )


@bp.post("/c/<token>/items/<item_id>")
def toggle(item_id):
    """Tick or untick an item that is confirmed by hand."""
    require_item(item_id, "mail-received")
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    done = form.done.data == "1"
    db, cid = get_db(), g.customer["id"]
    with db.atomic():  # a path switched meanwhile cannot slip between the check and the write
        customer = store.get_customer(db, cid)
        path = customer["path"]
        if path != g.customer["path"] or request.form.get("path", path) != path:
            other_path()
        rows = store.item_rows(db, cid, path)
        views = item_views(obligation(), path, rows)
        refused = done and (not others_complete(views, item_id) or confirm_wait(customer))
        # a receipt the receiver proved is never replaced by a click (only by a newer mail)
        proven = evidence((rows.get(item_id) or {}).get("detail") or {}) == "received"
        refused = refused or proven
        # a tick by hand is a claim, not a proof: ask first (a second form, so no JS is needed)
        sure = request.form.get("sure") == "1"
        ask = done and not refused and item_id == "mail-received" and not sure
        if not refused and not ask:
            store.set_item(
                db, cid, item_id, "done" if done else "open", "customer",
                {"by_hand": True, "evidence": "manual"} if done else {}, path=path,
            )  # fmt: skip
    if refused:  # the page offers the tick only then; a stale page or a plain form can ask
        return respond(["item"], 422, item_id=item_id, toggle_refused=True)
    if ask:
        return respond(["item"], item_id=item_id, ask_manual=True)
    if done and progress(item_views(obligation(), path, store.item_rows(db, cid, path))) == 100:
        return after_write(item_id, finished=True)  # the banner "Geschafft" is the answer
    return after_write(item_id, fresh="Bestätigt." if done else "Haken entfernt.")


TEST_ONLY_FIELDS = ("password", "client_secret", "recipient", "allow_plain", "handover")
SECRET_NEEDED = (
    "Bitte tragen Sie den geheimen Clientschlüssel (den „Wert“ aus „Zertifikate & "
    "Geheimnisse“) ein – er wird nur für diesen Test benutzt und nirgends gespeichert."
)
PASSWORD_NEEDED = (
    "Bitte tragen Sie das Passwort des Postfachs ein – es wird nur für diesen Test benutzt "
    "und nirgends gespeichert."
)


def caller(actor: str = "customer") -> Caller:
    """Who starts a run from this request: the actor and the address its limits count."""
    return Caller(actor, client_key(request.remote_addr))


def validate_settings(form: SmtpTestForm, testing: bool) -> bool:
    """Validate the SMTP form; saving judges only the settings, testing everything.

    Settings every test would refuse (port not allowed, private address, unknown host) are
    named at their field either way. Every field stays in the form as typed.
    """
    valid = form.validate_on_submit()
    if testing and form.oauth() and not form.client_secret.data:
        form.client_secret.errors = [*form.client_secret.errors, SECRET_NEEDED]
        valid = False
    elif testing and not form.no_login.data and not form.oauth() and not form.password.data:
        form.password.errors = [*form.password.errors, PASSWORD_NEEDED]
        valid = False
    if not testing:
        for name in TEST_ONLY_FIELDS:
            form[name].errors = []
        form.form_errors = []
        valid = not any(form[n].errors for n in form._fields if n not in TEST_ONLY_FIELDS)
    if not form.host.errors and not form.port.errors:
        for name, message in smtp_run.refused_settings(
            current_app.config, form.host.data, form.port.data
        ).items():
            form[name].errors = [*form[name].errors, message]
            valid = False
    return valid


def shown(form: SmtpTestForm) -> SmtpTestForm:
    """Put names back into Unicode for the page (validation turned them into A-labels)."""
    if form.host.data and not form.host.errors:
        form.host.data = display_domain(form.host.data)
    for f in (form.sender, form.recipient):
        if f.data and not f.errors:
            f.data = shown_address(f.data)
    return form


@bp.post("/c/<token>/smtp-settings")
def save_smtp_settings():
    """Validate and save the SMTP settings; valid settings mark `smtp-settings` done."""
    require_item("smtp-settings", "form")
    form = SmtpTestForm()
    if not validate_settings(form, testing=False):
        return respond(
            ["item"], 422, item_id="smtp-settings", smtp_form=shown(form), pressed="save"
        )
    save_settings(form)
    also = ("smtp-test-mail", "smtp-password")  # a change makes the test stale, no login no pw
    return after_write("smtp-settings", also, saved=True, pressed="save", smtp_form=shown(form))


def settings_data(form) -> dict:
    """The form's non-secret SMTP settings as stored; with no login, no user."""
    data = smtp_settings.from_form(form)
    found = data.get("host") and mail_providers.recognise(
        current_app.config, data["host"], data.get("sender", "")
    )
    if found:  # else what a test's server said stays (smtp_run.save_smtp_settings)
        data["provider"] = found
    return data


def save_settings(form) -> None:
    """Store the non-secret SMTP settings; valid settings mark `smtp-settings` done."""
    smtp_run.save_smtp_settings(get_db(), g.customer["id"], settings_data(form), "customer")


@bp.post("/c/<token>/smtp-test")
def smtp_test():
    """Send a real test mail with the typed settings (see `smtp_run.start_smtp_test`)."""
    require_item("smtp-test-mail", "smtp")
    form = SmtpTestForm()
    if not validate_settings(form, testing=True):
        return respond(
            ["item"], 422, item_id="smtp-settings", smtp_form=shown(form), pressed="test"
        )
    db, data = get_db(), settings_data(form)
    copy_to = inbound.current_address(db, current_app.config, g.customer["id"], "smtp-own")
    oauth = None
    if form.oauth():
        oauth = OAuthLogin(form.oauth_tenant.data, form.oauth_client.data,
                           form.client_secret.data, current_app.config["MS_LOGIN_URL"])  # fmt: skip
    password = None if form.no_login.data or oauth else form.password.data or None
    max_age = current_app.config["SECRET_MAX_AGE_DAYS"] if form.handover.data else None
    test = smtp_run.SmtpTest(
        g.customer, smtp_settings.to_check(data, copy_to), password, caller(),
        allow_plain=form.allow_plain.data, oauth=oauth,
        save=lambda db: smtp_run.save_smtp_settings(db, g.customer["id"], data, "customer"),
        handover_max_age=max_age, handover_secret=form.secret(),
    )  # fmt: skip
    try:
        run_id = smtp_run.start_smtp_test(service(), test)
    except RateLimited as e:
        form.form_errors.append(e.message)
        return respond(
            ["item"], 422, item_id="smtp-settings", smtp_form=shown(form), pressed="test"
        )
    also = ("smtp-test-mail", "smtp-password")
    # a server that answers quickly: the answer carries the result, no polling round trip
    service().runner.wait(run_id, float(current_app.config["SMTP_ANSWER_WAIT"]))
    return after_write("smtp-settings", also, saved=True, pressed="test", smtp_form=shown(form))


@bp.post("/c/<token>/provider-notice")
def provider_notice():
    """The Microsoft 365 / Google notice for the host and sender being typed (not saved).

    Asked by the page itself, not by a click: on a page behind a path switch it answers
    204 (nothing to swap), so the answer to the person's own next click is not crowded out.
    """
    path = obligation().path(g.customer["path"])
    if path is None or obligation().items["smtp-settings"] not in path.items:
        return "", 204
    form = request.form
    host, sender = form.get("host", "")[:300].strip(), form.get("sender", "")[:300].strip()
    found = mail_providers.recognise(current_app.config, host, sender) if host or sender else ""
    login = mail_providers.login_kind(form.get("no_login"), form.get("auth_method"))
    notice = mail_providers.notice(current_app.config, found, host=host, login=login)
    return respond(["provider_notice"], provider_notice=notice)


@bp.post("/c/<token>/smtp-probe")
def smtp_probe():
    """Find the working port and encryption of a host (no login, no mail)."""
    require_item("smtp-settings", "form")
    form = ProbeForm()
    if not form.validate_on_submit():
        return respond(["probe"], 422, probe_error=form.host.errors[0] if form.host.errors else "")
    try:
        run_id = probe.start_probe(service(), g.customer, form.host.data, caller())
    except RateLimited as e:
        return respond(["probe"], 422, probe_error=e.message)
    return respond(["probe"], probe=decode(get_db().table("runs").get(run_id)))


@bp.get("/c/<token>/runs/<int:run_id>")
@bp.get("/s/<token>/runs/<int:run_id>", endpoint="share_run")
def run(run_id):
    """Poll a run: its item (or the probe result) as it stands now."""
    db = get_db()
    row = store.get_row(db, "runs", run_id)
    if row is None or row["customer_id"] != g.customer["id"]:
        abort(404)
    reap(db, current_app.config, run_id)  # a run whose process died ends here
    row = decode(db.table("runs").get(run_id))
    path = g.customer["path"]
    if row["kind"] == "probe" and path == "smtp-own":
        return respond(["probe"], probe=row)
    if row["kind"] in ("dns", mailjet_mail.KIND) and path == "mailjet":
        return dns_response()
    if row["kind"] == "smtp" and path == "smtp-own":
        if not htmx:
            return respond([], item_id="smtp-test-mail")
        ctx = context()  # the answer next to "Testmail senden", its item below
        also = ["smtp-test-mail", "smtp-password"]  # the hand-over is decided as the run ends
        settings_view = next(v for v in ctx["views"] if v.item.id == "smtp-settings")
        badge = render_block(TEMPLATE, "badge", **{**ctx, "view": settings_view, "badge_oob": True})
        html = render_block(TEMPLATE, "smtp_answer", **ctx) + out_of_band(ctx, also) + badge
        if row["state"] != "running" and not g.readonly:
            # the server's greeting may have named the provider: its notice changes now too
            html += render_block(TEMPLATE, "provider_notice", **{**ctx, "oob": True})
        return html
    other_path()


# Cards whose text depends on the DNS items' states: re-rendered with every DNS answer.
DEPENDS_ON_DNS = ("peiq-informed", "mail-received")


def dns_response(status: int = 200, **extra):
    """The DNS table, the DNS items out of band and the progress bar."""
    if not htmx:
        return respond([], status, **extra)
    ctx = context(**extra)
    parts = [render_block(TEMPLATE, "dns", **ctx)]
    for view in ctx["views"]:
        if view.item.id in (*dns_run.DNS_ITEMS, *DEPENDS_ON_DNS):
            parts.append(render_block(TEMPLATE, "item", **{**ctx, "view": view, "oob": True}))
    parts.append(render_block(TEMPLATE, "progress", **ctx))
    return "".join(parts), status


@bp.post("/c/<token>/dns-check")
def dns_check():
    """Check the Mailjet DNS records live; the answer polls until the check is done."""
    require_item("dns-spf", "dns")
    db = get_db()
    expected = dns_run.expectation(db, g.customer["id"])
    if expected is None:
        abort(409)
    auto = request.form.get("auto") == "1"
    try:
        dns_run.start_dns_check(
            service(), g.customer, expected, caller("auto" if auto else "customer")
        )
    except RateLimited as e:
        return dns_response(422, dns_error=e.message)
    if not htmx:
        return redirect(url_for("customer.page", token=g.token) + "#dns", 303)
    return dns_response()


@bp.post("/c/<token>/mailjet-mail")
def mailjet_test_mail():
    """Send a test mail through Mailjet's relay; its link completes `mail-received`."""
    require_item("dns-spf", "dns")
    form = MailjetMailForm()
    error = mailjet_mail.send_from_form(service(), g.customer, form, caller())
    if error is not None:
        return dns_response(422, mailjet_mail_form=form, mailjet_mail_error=error)
    if not htmx:
        return redirect(url_for("customer.page", token=g.token) + "#mailjet-mail", 303)
    return dns_response()


@bp.post("/c/<token>/inform")
def inform():
    """Tell PEIQ that the DNS records are in place; with records not in order, ask first."""
    require_item("peiq-informed", "notify")
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    views = item_views(obligation(), g.customer["path"], store.item_rows(db, g.customer["id"]))
    red = [v for v in views if v.item.kind == "dns" and v.item.required and not v.complete]
    if red and request.form.get("confirm_red") != "1":
        return respond(["item"], item_id="peiq-informed", ask_confirm=True)
    app_mail.inform_peiq(
        service(), g.customer,
        status_url=public_url("customer.share_page", token=store.link_tokens(g.customer)[1]),
        manage_url=public_url("manage.customer", customer_id=g.customer["id"]),
    )  # fmt: skip
    contact = store.peiq_contact(db, g.customer)
    # no one assigned: name no person ("PEIQ ist benachrichtigt und sieht …")
    who = f": {contact['name']}" if contact else " und"
    fresh = (  # the item above says when and what; the answer says what happens next
        f"PEIQ ist benachrichtigt{who} sieht, welche Einträge noch fehlen, und hilft bei Fragen."
        if red
        else f"PEIQ ist benachrichtigt{who} meldet sich, sobald Mailjet fertig eingerichtet ist."
    )
    return after_write("peiq-informed", fresh=fresh)


@bp.post("/c/<token>/forward")
def forward():
    """Mail the DNS records and the steps to an IT colleague (rate-limited, in the history)."""
    require_item("dns-spf", "dns")
    db = get_db()
    dns = provider_guide.attach(db, g.customer["id"], dns_run.dns_view(db, g.customer["id"]))
    if dns["expected"] is None or dns["missing"] or not mail.configured(current_app.config):
        abort(409)  # the page offers no forward then: nothing incomplete goes to IT
    form = ForwardForm()
    if form.validate_on_submit():
        try:
            app_mail.forward_records(
                service(), g.customer, form.email.data, forward_text(g.customer, dns)
            )
        except RateLimited as e:
            form.email.errors = [str(e)]
    if form.errors:
        return respond(["dns_forward"], 422, forward_form=form, forward_open=True)
    if not htmx:
        return redirect(url_for("customer.page", token=g.token) + "#forward", 303)
    return respond(["dns_forward"], forward_sent=form.email.data, forward_open=True)


@bp.post("/c/<token>/password")
def hand_over_password():
    """Take the password encrypted for PEIQ; it is shown once to the account manager."""
    require_item("smtp-password", "handover")
    form = HandoverForm()
    if not form.validate_on_submit():
        return respond(["item"], 422, item_id="smtp-password", handover_form=form)
    max_age = current_app.config["SECRET_MAX_AGE_DAYS"]
    if not handover.hand_over(get_db(), g.customer["id"], form.password.data, "customer", max_age):
        form.password.errors = [handover.REFUSED_UNTESTED]
        return respond(["item"], 422, item_id="smtp-password", handover_form=form)
    return after_write(
        "smtp-password",
        fresh=cap(secret_words(store.get_row(get_db(), "smtp_settings", g.customer["id"]))["the"])
        + " liegt jetzt verschlüsselt bei PEIQ – als ungetestet markiert: Ob die "
        "Anmeldung damit klappt, zeigt erst eine Testmail mit Haken „übergeben“.",
    )


@bp.post("/c/<token>/password-other-channel")
def password_other_channel():
    """Confirm that the password went to PEIQ another secure way."""
    require_item("smtp-password", "handover")
    form = OtherChannelForm()
    if not form.validate_on_submit():
        return respond(["item"], 422, item_id="smtp-password", other_form=form)
    handover.confirm_other_channel(get_db(), g.customer["id"], "customer")
    return after_write("smtp-password", fresh="Bestätigt.")


@bp.get("/bestaetigen/<code>")
def confirm(code):
    """The link in the test mail: it proves the mail arrived and marks `mail-received`."""
    found = receipt.confirm_arrival(get_db(), code)
    if found is None:
        abort(404)
    customer, path_id, outcome = found
    if outcome == "closed":  # an archived setup: say so and whom to ask, as its links do
        contact = store.peiq_contact(get_db(), customer)
        return render_template("closed.html", customer=customer, contact=contact), 410
    return render_template(
        "confirmed.html",
        customer=customer,
        outcome=outcome,
        path=obligation().path(path_id),
        # the read-only view: the test mail may reach someone who must not edit the checklist
        back_url=url_for("customer.share_page", token=store.link_tokens(customer)[1]),
    )


@bp.post("/c/<token>/portal")
def name_portal():
    """Record which PORTAL's SMTP configuration is to be reused; PEIQ confirms it later."""
    require_item("portal-adopt", "portal")
    form = PortalForm()
    if not form.validate_on_submit():
        return respond(["item"], 422, item_id="portal-adopt", portal_form=form)
    db, cid = get_db(), g.customer["id"]
    before = g.customer["portal_name"]
    with db.atomic():
        db.table("customers").update(cid, {"portal_name": form.portal.data})
        store.set_item(
            db,
            cid,
            "portal-adopt",
            "open",
            "customer",
            {
                "portal": form.portal.data,
                "waiting_for": "manager",
                "portal_before": before if before and before != form.portal.data else None,
            },
        )
    reload_customer()
    return after_write(
        "portal-adopt",
        fresh="Anfrage gesendet – PEIQ bestätigt die Übernahme, Sie müssen nichts tun.",
    )


# The items a to-do of PEIQ's changes when PEIQ acts (the Mailjet values change the workspace).
WATCHED_ITEMS = {"portal-adopt": "portal-adopt", "peiq-informed": "peiq-informed",
                 "password": "smtp-password", "drift": None}  # fmt: skip
# The Mailjet values (all, or the DKIM key) bring records, the forward and the intro: all of it.
WORKSPACE_KINDS = {"mailjet-setup", "mailjet-dkim"}


@bp.get("/c/<token>/peiq-watch")
def peiq_watch():
    """The light poll of a page waiting on PEIQ: 204 while nothing changed, else the news.

    `rev` is the customer's revision the page shows, `was` the to-do kinds it showed. When
    PEIQ acted, the answer swaps (out of band) what changed: the whole workspace when the
    Mailjet values arrived (the records appear), else the items of the finished to-dos, the
    progress bar, a sentence saying what PEIQ did, and the watcher itself (which stops when
    nothing is left to wait for; every write of the customer's renders it too, see
    out_of_band). Nothing the customer typed elsewhere is replaced.
    """
    rev = request.args.get("rev", "")
    if rev == str(g.customer["revision"]):
        return "", 204
    ctx = context()
    was = [k for k in request.args.get("was", "").split(",") if k in peiq_acted.NEWS]
    now_open = {t["kind"] for t in ctx["peiq_todos"]}
    gone = [k for k in dict.fromkeys(was) if k not in now_open]
    ctx["peiq_news"] = " ".join(peiq_acted.NEWS[k] for k in gone)
    if not gone:  # the customer's own change: only the watcher learns the new revision
        return render_block(TEMPLATE, "peiq_watch", **ctx)
    parts = []
    if gone:
        parts.append(
            f'<p id="peiq-news" class="ok" role="status" aria-live="polite" hx-swap-oob="true">'
            f"{escape(ctx['peiq_news'])}</p>"
        )
    if WORKSPACE_KINDS & set(gone):
        parts.append(render_block(TEMPLATE, "workspace", **{**ctx, "workspace_oob": True}))
        parts.append(render_block(TEMPLATE, "peiq_watch", **ctx))
    elif ctx["path"]:
        items = [WATCHED_ITEMS[k] for k in gone if WATCHED_ITEMS.get(k)]
        parts.append(out_of_band(ctx, items))
    return "".join(parts)


@bp.get("/c/<token>/status.json", endpoint="status")
@bp.get("/s/<token>/status.json", endpoint="share_status")
def status():
    """Return the customer's progress as JSON for scripts."""
    ctx = context()
    items = [status_item(v) for v in ctx["views"]]
    for item in items:
        if item["id"] == "mail-received" and item["state"] != "open":
            item["detail"] = {**item["detail"], "evidence": evidence(item["detail"])}
    address = inbound.current_address(
        get_db(), current_app.config, g.customer["id"], g.customer["path"]
    )
    listed = [
        {"id": s.id, "title": s.obligation.title, "path": s.path, "progress": s.progress,
         "items": items if s.id == SMTP_OBLIGATION else [status_item(v) for v in s.views]}
        for s in ctx["standings"]
    ]  # fmt: skip
    return jsonify(
        customer=g.customer["name"], path=g.customer["path"], progress=ctx["progress"],
        items=items, inbound_address=address, overall_progress=ctx["overall_progress"],
        obligations=listed,
    )  # fmt: skip


def status_item(view) -> dict:
    """One item of status.json: id, title, state, updated_at, detail."""
    return {
        "id": view.item.id, "title": view.item.title, "state": view.state,
        "updated_at": view.updated_at, "detail": view.detail,
    }  # fmt: skip

"""The SMTP obligation's checklist page as the customer and onlookers see it: the `customer`
blueprint, its link loading (token → customer, 410 for a closed setup), the per-link CSRF
token, the page context and the render helpers every route of the page answers with
(whole page, or for htmx the named blocks plus items and progress out of band).

The routes live in `customer.py` (page, share page, path choice, status.json, PEIQ watch)
and in one module per item kind under `kinds/`, all registered on this one blueprint.
"""

import dataclasses
import hashlib
import hmac

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block, render_blocks

from . import handover, inbound, mail, mail_providers, notify, provider_guide, store, todo
from .catalog import SMTP_OBLIGATION
from .checks.domain import display_domain
from .checks.smtp import shown_address
from .db import get_db
from .forms import (
    ForwardForm,
    HandoverForm,
    MailjetMailForm,
    OtherChannelForm,
    PathForm,
    PortalForm,
    SmtpTestForm,
    ToggleForm,
)
from .progress import item_views, others_complete, progress, state_label
from .runs import dns_check as dns_run
from .runs import mailjet_mail
from .runs import settings as smtp_settings
from .runs.base import Caller, runs
from .runs.limits import client_key, tests_left
from .standing import Standing, overall_progress, standings
from .web import htmx, obligation, obligations, public_url
from .words import checklist as words
from .words.checklist import ONLOOKER_HELP

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
                words.FORWARD_SUBJECT.format(name=customer["name"]), forward_text(customer, dns)
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


OTHER_PATH = words.OTHER_PATH


def other_path():
    """Abort with 409: the item or run exists, but the customer has chosen another path since.

    The header X-Reason lets the page say so in place (static/app.js) instead of guessing.
    """
    page = render_template("error.html", title=words.OTHER_PATH_TITLE, text=OTHER_PATH)
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


def with_smtp_answer(html: str) -> str:
    """Add the answer next to "Testmail senden" out of band: it says whether the mail arrived."""
    if g.customer["path"] != "smtp-own":
        return html
    return html + render_block(TEMPLATE, "smtp_answer", **context(), answer_oob=True)


def caller(actor: str = "customer") -> Caller:
    """Who starts a run from this request: the actor and the address its limits count."""
    return Caller(actor, client_key(request.remote_addr))

"""The customer's private link (/c/<token>) and the read-only share link (/s/<token>): the
page, the path choice, the light poll while PEIQ is to act and status.json.

The blueprint, link loading, CSRF and render helpers are in `checklist.py`; each item
kind's routes are in its module under `kinds/` (imported here so they register).
"""

from flask import current_app, g, jsonify, redirect, request, url_for
from jinja2_fragments.flask import render_block
from markupsafe import escape

from . import inbound, peiq_acted, store
from .catalog import SMTP_OBLIGATION
from .checklist import (
    TEMPLATE,
    bp,
    context,
    out_of_band,
    reload_customer,
    render_items,
    require_item,
    respond,
    with_smtp_answer,
)
from .db import get_db
from .forms import PathForm
from .kinds import dns as dns_kind
from .kinds import handover as handover_kind
from .kinds import mail_received, portal, smtp_settings, smtp_test
from .kinds import notify as notify_kind
from .page_expiry import changes_at as page_changes_at
from .pagecache import page_key
from .progress import evidence, item_views, progress
from .web import htmx, obligation

# the SMTP obligation's item kinds: each registers its routes on `bp` as it is imported
ROUTED_KINDS = (
    smtp_settings,
    smtp_test,
    handover_kind,
    dns_kind,
    notify_kind,
    portal,
    mail_received,
)


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

"""The customer's page of one further obligation (/c/<token>/o/<id>, share /s/<token>/o/<id>).

Its own blueprint with the customer blueprint's link handling (token → customer, archived
links, the per-link CSRF token). The page is rendered from the obligation's data: path
choice (only with more than one path), progress, and per item the fragment of its kind
(templates/kinds/). A submit answers htmx with the item's fragment plus, out of band, the
progress and the list of obligations (overall progress), so every part of the page tells
the same truth. The SMTP obligation's id opens the SMTP page itself.
"""

from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block
from werkzeug.datastructures import MultiDict

from . import kinds, store
from .catalog import SMTP_OBLIGATION, Obligation
from .checklist import check_link_csrf, link_csrf_token, load_customer, obligations_nav, other_path
from .checklist import context as smtp_context
from .customer import page
from .db import get_db
from .kinds.outcome import Outcome
from .standing import overall_progress, path_of, standings
from .web import htmx, obligations
from .words import kinds as wording

TEMPLATE = "obligation.html"
TYPED_KINDS = {"fields"}  # a poll never replaces what the customer may be typing
SMTP_UNTYPED = {"smtp", "dns", "notify", "mail-received"}  # SMTP cards without text inputs
SMTP_TEMPLATE = "customer.html"
bp = Blueprint("obligations", __name__)
bp.url_value_preprocessor(load_customer)


@bp.before_request
def keep_body():
    """Keep a posted form's raw body (form_as_sent reads it; parsing the form uses it too)."""
    if request.method == "POST":
        request.get_data(cache=True, parse_form_data=False)


bp.before_request(check_link_csrf)


def form_as_sent() -> MultiDict:
    """The posted urlencoded form with bytes that are not UTF-8 (RFC 3629) as U+FFFD.

    Werkzeug keeps such bytes as the text "%FF"; the kinds must see that they were not
    characters and refuse them (kinds/fields.py, "encoding")."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return request.form
    raw = request.get_data(cache=True).decode("ascii", "replace")
    return MultiDict(parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace"))


def _obligation(obligation_id: str) -> Obligation:
    """The customer's obligation with this id, else 404."""
    obligation = obligations().get(obligation_id)
    rows = store.customer_obligations(get_db(), g.customer["id"])
    if obligation is None or obligation_id not in {r["obligation_id"] for r in rows}:
        endpoint = "customer.share_page" if g.readonly else "customer.page"
        page = render_template(
            "error.html", title=wording.NOT_AGREED_TITLE, text=wording.NOT_AGREED,
            back=url_for(endpoint, token=g.token), back_label=wording.NOT_AGREED_BACK,
        )  # fmt: skip
        abort(current_app.make_response((page, 404)))
    return obligation


def confirmed_by_peiq(views) -> bool:
    """True once PEIQ confirmed an item of the path: the customer's items it rests on are
    then fixed (docs/obligations.md, "After PEIQ confirmed")."""
    return any(v.item.kind == "peiq-confirm" and v.complete for v in views)


def context(obligation: Obligation, **extra) -> dict:
    """Everything obligation.html needs: this obligation's standing and the whole list."""
    listed = standings(get_db(), obligations(), g.customer)
    mine = next(s for s in listed if s.id == obligation.id)
    contact = store.peiq_contact(get_db(), g.customer)
    return {
        "customer": g.customer, "token": g.token, "readonly": g.readonly,
        "obligation": obligation, "standing": mine, "standings": listed,
        "current": obligation.id, "overall_progress": overall_progress(listed),
        "path": obligation.path(mine.path), "views": mine.views, "progress": mine.progress,
        "csrf_token": lambda: link_csrf_token(g.token), "errors": {}, "values": {},
        "answer_for": None, "said": "", "path_error": "", "wording": wording,
        "peiq_contact": contact, "locked": confirmed_by_peiq(mine.views), "refused": "",
        "contact_name": contact["name"] if contact else wording.NO_CONTACT, **extra,
    }  # fmt: skip


@bp.get("/c/<token>/o/<obligation_id>", endpoint="page")
@bp.get("/s/<token>/o/<obligation_id>", endpoint="share_page")
def obligation_page(obligation_id):
    """Show one obligation; the share view refreshes itself."""
    if obligation_id == SMTP_OBLIGATION:
        return page()
    return render_template(TEMPLATE, **context(_obligation(obligation_id)))


def _page_url(obligation: Obligation, anchor: str = "") -> str:
    return url_for("obligations.page", token=g.token, obligation_id=obligation.id) + anchor


@bp.post("/c/<token>/o/<obligation_id>/path")
def choose_path(obligation_id):
    """Choose a path of an obligation with several (the others' states are kept)."""
    obligation = _obligation(obligation_id)
    chosen = request.form.get("path", "")
    if obligation.path(chosen) is None:
        ctx = context(obligation, path_error=wording.ANSWERS["no-path"])
        return render_template(TEMPLATE, **ctx), 422
    store.set_path(get_db(), g.customer["id"], chosen, "customer", obligation_id=obligation.id)
    g.customer = store.get_customer(get_db(), g.customer["id"])
    return redirect(_page_url(obligation), 303)


@bp.get("/c/<token>/o/<obligation_id>/items/<item_id>", endpoint="item")
@bp.get("/s/<token>/o/<obligation_id>/items/<item_id>", endpoint="share_item")
def item(obligation_id, item_id):
    """One item as it stands now, with the progress and the list out of band (an item
    waiting for PEIQ polls this with `rev`, the customer's revision it shows: 204 while
    that is still the revision)."""
    obligation = _obligation(obligation_id)
    if htmx and request.args.get("rev", "") == str(g.customer["revision"]):
        return "", 204  # nothing changed since the poll's page was rendered
    ctx = context(obligation)
    if item_id not in {v.item.id for v in ctx["views"]}:
        abort(404)
    if not htmx:
        endpoint = "obligations.share_page" if g.readonly else "obligations.page"
        target = url_for(endpoint, token=g.token, obligation_id=obligation.id)
        return redirect(f"{target}#item-{item_id}", 303)
    return render_item(ctx, item_id)


@bp.get("/c/<token>/obligations-watch", endpoint="watch")
@bp.get("/s/<token>/obligations-watch", endpoint="share_watch")
def watch():
    """The light poll of every page of the customer (_obligations_nav.html): 204 while the
    customer's revision is the one the page shows (`rev`), else the list of obligations
    (overall progress) out of band and, on a further obligation's page (`on`), its progress
    and the cards the customer does not type into (what PEIQ or another tab changed)."""
    if request.args.get("rev", "") == str(g.customer["revision"]):
        return "", 204
    obligation = obligations().get(request.args.get("on", ""))
    mine = {r["obligation_id"] for r in store.customer_obligations(get_db(), g.customer["id"])}
    if obligation is not None and obligation.id == SMTP_OBLIGATION and obligation.id in mine:
        return smtp_news()
    if obligation is None or obligation.id not in mine:
        obligation = next(o for o in obligations() if o.id in mine)
        ctx = {**context(obligation), "current": request.args.get("on", "")}
        return render_template("_obligations_nav.html", **{**ctx, "oob": True})
    ctx = context(obligation)
    parts = [
        render_template(f"kinds/{v.item.kind}.html", **{**ctx, "view": v, "oob": True})
        for v in ctx["views"]
        if g.readonly or ctx["locked"] or v.item.kind not in TYPED_KINDS
    ]
    if ctx["path"]:
        parts.append(render_block(TEMPLATE, "progress", **ctx))
    parts.append(render_template("_obligations_nav.html", **{**ctx, "oob": True}))
    return "".join(parts)


def smtp_news() -> str:
    """The SMTP page's part of the watch: the list, and on the edit link the progress and
    the cards nobody types into (SMTP_UNTYPED) – or the whole workspace when another tab
    chose another path (`path`). PEIQ's own news stay with `customer.peiq_watch`."""
    ctx = smtp_context()
    parts = []
    if not g.readonly and request.args.get("path", "") != (g.customer["path"] or ""):
        parts.append(render_block(SMTP_TEMPLATE, "workspace", **{**ctx, "workspace_oob": True}))
    elif not g.readonly and ctx["path"]:
        parts += [
            render_block(SMTP_TEMPLATE, "item", **{**ctx, "view": v, "oob": True})
            for v in ctx["views"]
            if v.item.kind in SMTP_UNTYPED
        ]
        parts.append(render_block(SMTP_TEMPLATE, "progress", **ctx))
    parts.append(obligations_nav(ctx))
    return "".join(parts)


@bp.post("/c/<token>/o/<obligation_id>/items/<item_id>")
def submit_item(obligation_id, item_id):
    """Submit an item of a kind the customer acts on (manual, fields)."""
    obligation = _obligation(obligation_id)
    item = obligation.items.get(item_id)
    if item is None or item.kind not in kinds.CUSTOMER_KINDS:
        abort(404)
    db, cid = get_db(), g.customer["id"]
    with db.atomic():  # the path checked is the path written
        path = obligation.path(path_of(obligation, store.chosen_path(db, cid, obligation.id)))
        if path is None or item not in path.items:
            other_path()  # 409 with a German page; the page says so where it was clicked
        rows = store.item_rows(db, cid, obligation_id=obligation.id)
        confirmed = any(
            i.kind == "peiq-confirm" and (rows.get(i.id) or {}).get("state") == "done"
            for i in path.items
        )
        outcome = kinds.CUSTOMER_KINDS[item.kind].submit(item, form_as_sent(), rows.get(item_id))
        if confirmed:  # nothing may contradict PEIQ's confirmation that rests on it
            outcome = Outcome(errors={"_locked": "locked"}, values=outcome.values)
        if outcome.state is not None:
            store.set_item(db, cid, item_id, outcome.state, "customer", outcome.detail,
                           obligation_id=obligation.id)  # fmt: skip
    g.customer = store.get_customer(db, cid)
    status = 422 if outcome.errors else 200  # htmx swaps 422: the answer is at the item
    extra = {"errors": outcome.errors, "values": outcome.values, "answer_for": item_id,
             "said": wording.ANSWERS.get(outcome.said, "")}  # fmt: skip
    if "_locked" in outcome.errors:
        contact = store.peiq_contact(db, g.customer)
        name = f"{contact['name']} ({contact['email']})" if contact else wording.NO_CONTACT
        extra["refused"] = wording.LOCKED.format(contact=name)
    if not htmx and not outcome.errors:
        return redirect(_page_url(obligation, f"#item-{item_id}"), 303)
    ctx = context(obligation, **extra)
    if not htmx:
        return render_template(TEMPLATE, **ctx), status
    return render_item(ctx, item_id), status


def render_item(ctx: dict, item_id: str) -> str:
    """The item's kind fragment, then out of band the progress, every item whose state
    derives from others (peiq-confirm) – once PEIQ confirmed, every item (they are fixed
    now) – and the list of obligations."""
    views = {v.item.id: v for v in ctx["views"]}
    view = views[item_id]
    parts = [render_template(f"kinds/{view.item.kind}.html", **{**ctx, "view": view})]
    parts += [
        render_template(f"kinds/{v.item.kind}.html", **{**ctx, "view": v, "oob": True})
        for v in ctx["views"]
        if (v.item.kind == "peiq-confirm" or ctx["locked"]) and v.item.id != item_id
    ]
    parts.append(render_block(TEMPLATE, "progress", **ctx))
    parts.append(render_template("_obligations_nav.html", **{**ctx, "oob": True}))
    return "".join(parts)

"""The customer's private link (/c/<token>) and the read-only share link (/s/<token>)."""

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
from jinja2_fragments.flask import render_blocks

from . import store
from .db import get_db
from .forms import PathForm, PortalForm, SmtpSettingsForm, ToggleForm
from .progress import item_views, progress
from .web import htmx, obligation

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
        abort(404)
    g.customer, g.readonly = customer, which == "share"


def context(**extra) -> dict:
    """Build everything the checklist template needs for the current customer."""
    db, customer = get_db(), g.customer
    views = item_views(obligation(), customer["path"], store.item_rows(db, customer["id"]))
    settings = store.get_row(db, "smtp_settings", customer["id"])
    ctx = {
        "customer": customer,
        "token": g.token,
        "readonly": g.readonly,
        "path": obligation().path(customer["path"]),
        "views": views,
        "progress": progress(views),
        "settings": settings,
        "refresh_seconds": current_app.config["SHARE_REFRESH_SECONDS"],
        "saved": False,
    }
    if not g.readonly:
        ctx["path_form"] = PathForm(formdata=None, path=customer["path"], paths=obligation().paths)
        ctx["toggle_form"] = ToggleForm(formdata=None)
        ctx["smtp_form"] = SmtpSettingsForm(formdata=None, data=settings or {})
        ctx["portal_form"] = PortalForm(formdata=None, portal=customer["portal_name"])
    ctx.update(extra)
    return ctx


def respond(blocks: list[str], status: int = 200, item_id: str | None = None, **extra):
    """Render the whole page, or for htmx only the named blocks of it."""
    ctx = context(**extra)
    if item_id:
        ctx["view"] = next(v for v in ctx["views"] if v.item.id == item_id)
    if not htmx:
        return render_template(TEMPLATE, **ctx), status
    return render_blocks(TEMPLATE, blocks, **ctx), status


def after_write(item_id: str, **extra):
    """Answer a successful write: htmx gets the item and the progress bar, a form a redirect."""
    if not htmx:
        anchor = f"#item-{item_id}"
        return redirect(url_for("customer.page", token=g.token) + anchor, 303)
    return respond(["item", "progress"], item_id=item_id, **extra)


def require_item(item_id: str, check: str):
    """Abort with 404 unless the item belongs to the chosen path and has this check."""
    path = obligation().path(g.customer["path"])
    item = obligation().items.get(item_id)
    if path is None or item not in path.items or item.check != check:
        abort(404)
    return item


def reload_customer() -> None:
    g.customer = store.get_customer(get_db(), g.customer["id"])


@bp.get("/c/<token>", endpoint="page")
@bp.get("/s/<token>", endpoint="share_page")
def page():
    """Show the checklist; the share view's periodic refresh gets only the workspace block."""
    return respond(["workspace"])


@bp.post("/c/<token>/path")
def choose_path():
    """Choose one of the paths; the other paths' item states are kept."""
    form = PathForm(paths=obligation().paths)
    if not form.validate_on_submit():
        return respond(["workspace"], 422, path_form=form)
    store.set_path(get_db(), g.customer["id"], form.path.data, "customer")
    reload_customer()
    if not htmx:
        return redirect(url_for("customer.page", token=g.token), 303)
    return respond(["workspace"])


@bp.post("/c/<token>/items/<item_id>")
def toggle(item_id):
    """Tick or untick an item that is confirmed by hand."""
    require_item(item_id, "manual")
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    done = form.done.data == "1"
    store.set_item(
        get_db(),
        g.customer["id"],
        item_id,
        "done" if done else "open",
        "customer",
        {"by_hand": True} if done else {},
    )
    return after_write(item_id)


@bp.post("/c/<token>/smtp-settings")
def save_smtp_settings():
    """Validate and save the SMTP settings; valid settings mark `smtp-settings` done."""
    require_item("smtp-settings", "form")
    form = SmtpSettingsForm()
    if not form.validate_on_submit():
        return respond(["item"], 422, item_id="smtp-settings", smtp_form=form)
    db, cid = get_db(), g.customer["id"]
    data = {k: form.data[k] for k in ("host", "port", "encryption", "username", "sender")}
    with db.atomic():
        db.table("smtp_settings").upsert(
            {"customer_id": cid, **data, "updated_at": store.now()}, pk="customer_id"
        )
        store.set_item(db, cid, "smtp-settings", "done", "customer", {"host": data["host"]})
    return after_write("smtp-settings", saved=True)


@bp.post("/c/<token>/portal")
def name_portal():
    """Record which PORTAL's SMTP configuration is to be reused; PEIQ confirms it later."""
    require_item("portal-adopt", "portal")
    form = PortalForm()
    if not form.validate_on_submit():
        return respond(["item"], 422, item_id="portal-adopt", portal_form=form)
    db, cid = get_db(), g.customer["id"]
    with db.atomic():
        db.table("customers").update(cid, {"portal_name": form.portal.data})
        store.set_item(
            db,
            cid,
            "portal-adopt",
            "open",
            "customer",
            {"portal": form.portal.data, "waiting_for": "manager"},
        )
    reload_customer()
    return after_write("portal-adopt")


@bp.get("/c/<token>/status.json", endpoint="status")
@bp.get("/s/<token>/status.json", endpoint="share_status")
def status():
    """Return the customer's progress as JSON for scripts."""
    ctx = context()
    items = [
        {
            "id": v.item.id,
            "title": v.item.title,
            "state": v.state,
            "updated_at": v.updated_at,
            "detail": v.detail,
        }
        for v in ctx["views"]
    ]
    return jsonify(
        customer=g.customer["name"], path=g.customer["path"], progress=ctx["progress"], items=items
    )

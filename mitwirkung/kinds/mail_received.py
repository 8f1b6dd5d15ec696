"""Kind `mail-received` (evidence of arrival): the poll while a mail is out, a new Prüfadresse,
the tick by hand (asked first, never over a proven receipt) and the confirmation link
`/bestaetigen/<code>` of the test mail. Card: templates/kinds/mail-received.html.
"""

from flask import abort, current_app, g, redirect, render_template, request, url_for

from .. import inbound, store
from ..checklist import (
    after_write,
    bp,
    confirm_wait,
    other_path,
    reload_customer,
    render_items,
    require_item,
    respond,
    with_smtp_answer,
)
from ..db import get_db
from ..forms import ToggleForm
from ..progress import evidence, item_views, others_complete, progress
from ..runs import receipt
from ..web import htmx, obligation
from ..words import checklist as words


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
    return after_write("mail-received", fresh=words.INBOUND_ROTATED)


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
    return after_write(item_id, fresh=words.CONFIRMED if done else words.UNCONFIRMED)


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

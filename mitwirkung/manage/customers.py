"""Customer administration: create (from the dashboard), edit particulars, archive, restore.

A sender domain another customer already uses asks once before it is saved; archiving asks
for confirmation (`confirmed`), as do the link rotations in `links`.
"""

from flask import flash, redirect, render_template, request, url_for

from .. import agreements, store
from ..catalog import SMTP_OBLIGATION, starting_paths
from ..checks.domain import display_domain
from ..checks.smtp import shown_address
from ..db import get_db
from ..forms import MESSAGES
from ..web import obligations
from ..words import customers as words
from .base import actor, bp, customer_or_404, same_domain
from .dashboard import new_customer_form, render_dashboard
from .detail import edit_form, render_customer


@bp.post("/customers")
def create_customer():
    """Create a customer and show its links; a domain in use already asks first."""
    db = get_db()
    form = new_customer_form(db)
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
        obligations=starting_paths(obligations(), form.chosen_obligations()),
    )  # fmt: skip
    flash(words.CREATED)
    return redirect(url_for("manage.customer", customer_id=customer["id"]), 303)


@bp.post("/customers/<int:customer_id>/edit")
def edit(customer_id):
    """Change name, domain, contact, PEIQ contact and reminders; a domain in use asks first."""
    c = customer_or_404(customer_id)
    db = get_db()
    form = edit_form(db, c, request.form)
    if not form.validate_on_submit():
        return render_customer(c, 422, edit_form=form, edit_open=True)
    added, removed = obligation_changes(db, customer_id, form)
    if form.obligations.errors:
        return render_customer(c, 422, edit_form=form, edit_open=True)
    duplicates = same_domain(db, form.domain.data, but=customer_id)
    if duplicates and form.domain.data != c["domain"] and request.form.get("duplicate_ok") != "y":
        return render_customer(c, 409, edit_form=form, edit_open=True, duplicates=duplicates)
    changes = {
        "name": form.name.data,
        "domain": form.domain.data or None,
        "contact_email": form.contact.data or None,
    }
    labels = words.FIELDS
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
        agreements.add(db, obligations(), customer_id, added, actor())
        for obligation_id in removed:
            agreements.remove(db, customer_id, obligation_id, actor())
    anything = changed or contact_id != c["contact_manager_id"] or muted != c["reminders_muted"]
    anything = anything or added or removed
    flash(words.SAVED if anything else words.UNCHANGED)
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)


def obligation_changes(db, customer_id: int, form) -> tuple[list[str], list[str]]:
    """The obligations the edit form adds and removes (none when its checkboxes were not
    sent). The SMTP mailbox's box is disabled, so it is kept when the customer has it. An
    obligation of which something was done already cannot be removed: an error at the field.
    """
    if not form.obligations_offered.data:
        return [], []
    have = agreements.agreed(db, customer_id)
    wanted = set(form.obligations.data or ()) | ({SMTP_OBLIGATION} & set(have))
    added = [o.id for o in obligations() if o.id in wanted and o.id not in have]
    removed = [i for i in have if i not in wanted]
    for obligation_id in removed:
        if not agreements.removable(db, customer_id, obligation_id):
            known = obligations().get(obligation_id)
            title = known.title if known else obligation_id
            form.obligations.errors.append(MESSAGES["obligation_started"].format(title=title))
    return added, removed


CONFIRM = words.CONFIRM  # by action: (title, text, button)


def confirmed(c: dict, action: str, url: str):
    """None when the form carried the confirmation; else the page that asks for it."""
    if request.form.get("confirm") == "ja":
        return None
    title, text, button = CONFIRM[action]
    return render_template(
        "confirm.html", customer=c, title=title, text=text, button=button, action_url=url
    )


@bp.post("/customers/<int:customer_id>/archive")
def archive(customer_id):
    """Archive a customer after confirmation: it leaves the dashboard, its links close."""
    c = customer_or_404(customer_id)
    ask = confirmed(c, "archive", request.path)
    if ask:
        return ask
    store.archive_customer(get_db(), customer_id, actor())
    flash(words.ARCHIVED.format(name=c["name"]))
    return redirect(url_for("manage.dashboard"), 303)


@bp.post("/customers/<int:customer_id>/restore")
def restore(customer_id):
    """Bring an archived customer back to the dashboard; its links work again."""
    c = customer_or_404(customer_id)
    if c["archived_at"] is None:
        flash(words.NOT_ARCHIVED)
    else:
        store.restore_customer(get_db(), customer_id, actor())
        flash(words.RESTORED.format(name=c["name"]))
    return redirect(url_for("manage.customer", customer_id=customer_id), 303)

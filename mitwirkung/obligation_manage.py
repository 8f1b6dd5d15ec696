"""The manager's side of the further obligations: their standing on the customer page
(`_manage_obligations.html`) and PEIQ's confirmation of `peiq-confirm` items.

Its own blueprint under /manage with the manager blueprint's login check.
"""

from flask import Blueprint, abort, flash, redirect, url_for

from . import store
from .catalog import SMTP_OBLIGATION
from .db import get_db
from .manage import actor, customer_or_404, load_manager
from .standing import Standing, overall_progress, standings
from .web import obligations
from .words import kinds as wording

bp = Blueprint("manage_obligations", __name__, url_prefix="/manage")
bp.before_request(load_manager)


@bp.app_template_global()
def obligation_standings(customer: dict) -> dict:
    """For the manager page: {"overall": 0..100, "count", "all": [Standing] in page order,
    "others": [Standing] (all but SMTP)}."""
    listed = standings(get_db(), obligations(), customer)
    others: list[Standing] = [s for s in listed if s.id != SMTP_OBLIGATION]
    return {"overall": overall_progress(listed), "others": others, "count": len(listed),
            "all": listed}  # fmt: skip


@bp.post("/customers/<int:customer_id>/o/<obligation_id>/items/<item_id>/confirm")
def confirm(customer_id, obligation_id, item_id):
    """PEIQ confirms a `peiq-confirm` item once it is PEIQ's turn (everything else done)."""
    customer = customer_or_404(customer_id)
    obligation = obligations().get(obligation_id)
    item = obligation.items.get(item_id) if obligation else None
    if item is None or item.kind != "peiq-confirm":
        abort(404)
    db = get_db()
    with db.atomic():  # the state judged is the state written
        mine = next((s for s in standings(db, obligations(), customer) if s.id == obligation_id),
                    None)  # fmt: skip
        view = next((v for v in mine.views if v.item.id == item_id), None) if mine else None
        if view is None:
            abort(404)
        said = "peiq-already" if view.complete else "peiq-not-yet"
        if not view.complete and view.detail.get("waiting_for") == "manager":
            email = actor().removeprefix("manager:")
            store.set_item(db, customer_id, item_id, "done", actor(), {"confirmed_by": email},
                           obligation_id=obligation_id)  # fmt: skip
            said = "peiq-confirmed"
    flash(wording.ANSWERS[said], "obligations-message" if said == "peiq-confirmed" else
          "obligations-error")  # fmt: skip
    return redirect(url_for("manage.customer", customer_id=customer_id) + "#obligations", 303)

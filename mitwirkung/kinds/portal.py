"""Kind `portal` (`portal-adopt`): the customer names the PORTAL whose SMTP configuration is
reused; PEIQ confirms on the manager page. Card: templates/kinds/portal.html.
"""

from flask import g

from .. import store
from ..checklist import after_write, bp, reload_customer, require_item, respond
from ..db import get_db
from ..forms import PortalForm
from ..words import checklist as words


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
        fresh=words.PORTAL_ASKED,
    )

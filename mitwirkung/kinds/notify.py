"""Kind `notify` (`peiq-informed`): "PEIQ informieren" once the DNS records are in place
(asked first while records are not in order). Card: templates/kinds/notify.html.
"""

from flask import abort, g, request

from .. import store
from ..checklist import after_write, bp, require_item, respond
from ..db import get_db
from ..forms import ToggleForm
from ..progress import item_views
from ..runs import app_mail
from ..service import service
from ..web import obligation, public_url
from ..words import checklist as words


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
    who = f": {contact['name']}" if contact else words.INFORMED_WHO_NOBODY
    fresh = (  # the item above says when and what; the answer says what happens next
        (words.INFORMED_RED if red else words.INFORMED).format(who=who)
    )
    return after_write("peiq-informed", fresh=fresh)

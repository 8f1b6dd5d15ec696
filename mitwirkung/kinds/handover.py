"""Kind `handover` (`smtp-password`): the password handed over encrypted, or the other secure
channel confirmed. Card: templates/kinds/handover.html.
"""

from flask import current_app, g

from .. import handover, store
from ..checklist import after_write, bp, require_item, respond
from ..db import get_db
from ..forms import HandoverForm, OtherChannelForm
from ..words import checklist as words
from ..words.handover import REFUSED_UNTESTED
from ..words.secret import cap, secret_words


@bp.post("/c/<token>/password")
def hand_over_password():
    """Take the password encrypted for PEIQ; it is shown once to the account manager."""
    require_item("smtp-password", "handover")
    form = HandoverForm()
    if not form.validate_on_submit():
        return respond(["item"], 422, item_id="smtp-password", handover_form=form)
    max_age = current_app.config["SECRET_MAX_AGE_DAYS"]
    if not handover.hand_over(get_db(), g.customer["id"], form.password.data, "customer", max_age):
        form.password.errors = [REFUSED_UNTESTED]
        return respond(["item"], 422, item_id="smtp-password", handover_form=form)
    return after_write(
        "smtp-password",
        fresh=words.HANDED_OVER.format(
            the=cap(secret_words(store.get_row(get_db(), "smtp_settings", g.customer["id"]))["the"])
        ),
    )


@bp.post("/c/<token>/password-other-channel")
def password_other_channel():
    """Confirm that the password went to PEIQ another secure way."""
    require_item("smtp-password", "handover")
    form = OtherChannelForm()
    if not form.validate_on_submit():
        return respond(["item"], 422, item_id="smtp-password", other_form=form)
    handover.confirm_other_channel(get_db(), g.customer["id"], "customer")
    return after_write("smtp-password", fresh=words.CONFIRMED)

"""Kind `smtp` (`smtp-test-mail`): the real test mail, the port/encryption probe and the poll
of a run (SMTP test, probe, DNS check, Mailjet mail). Card: templates/kinds/smtp.html.
"""

from flask import abort, current_app, g
from jinja2_fragments.flask import render_block

from .. import inbound, store
from ..checklist import (
    TEMPLATE,
    after_write,
    bp,
    caller,
    context,
    other_path,
    out_of_band,
    require_item,
    respond,
)
from ..checks.smtp.oauth import OAuthLogin
from ..db import get_db
from ..forms import ProbeForm, SmtpTestForm
from ..runs import mailjet_mail, probe
from ..runs import settings as smtp_settings
from ..runs import smtp_test as smtp_run
from ..runs.base import decode
from ..runs.lifecycle import reap
from ..runs.limits import RateLimited
from ..service import service
from ..web import htmx
from .dns import dns_response
from .smtp_settings import settings_data, shown, validate_settings


@bp.post("/c/<token>/smtp-test")
def smtp_test():
    """Send a real test mail with the typed settings (see `smtp_run.start_smtp_test`)."""
    require_item("smtp-test-mail", "smtp")
    form = SmtpTestForm()
    if not validate_settings(form, testing=True):
        return respond(
            ["item"], 422, item_id="smtp-settings", smtp_form=shown(form), pressed="test"
        )
    db, data = get_db(), settings_data(form)
    copy_to = inbound.current_address(db, current_app.config, g.customer["id"], "smtp-own")
    oauth = None
    if form.oauth():
        oauth = OAuthLogin(form.oauth_tenant.data, form.oauth_client.data,
                           form.client_secret.data, current_app.config["MS_LOGIN_URL"])  # fmt: skip
    password = None if form.no_login.data or oauth else form.password.data or None
    max_age = current_app.config["SECRET_MAX_AGE_DAYS"] if form.handover.data else None
    test = smtp_run.SmtpTest(
        g.customer, smtp_settings.to_check(data, copy_to), password, caller(),
        allow_plain=form.allow_plain.data, oauth=oauth,
        save=lambda db: smtp_run.save_smtp_settings(db, g.customer["id"], data, "customer"),
        handover_max_age=max_age, handover_secret=form.secret(),
    )  # fmt: skip
    try:
        run_id = smtp_run.start_smtp_test(service(), test)
    except RateLimited as e:
        form.form_errors.append(e.message)
        return respond(
            ["item"], 422, item_id="smtp-settings", smtp_form=shown(form), pressed="test"
        )
    also = ("smtp-test-mail", "smtp-password")
    # a server that answers quickly: the answer carries the result, no polling round trip
    service().runner.wait(run_id, float(current_app.config["SMTP_ANSWER_WAIT"]))
    return after_write("smtp-settings", also, saved=True, pressed="test", smtp_form=shown(form))


@bp.post("/c/<token>/smtp-probe")
def smtp_probe():
    """Find the working port and encryption of a host (no login, no mail)."""
    require_item("smtp-settings", "form")
    form = ProbeForm()
    if not form.validate_on_submit():
        return respond(["probe"], 422, probe_error=form.host.errors[0] if form.host.errors else "")
    try:
        run_id = probe.start_probe(service(), g.customer, form.host.data, caller())
    except RateLimited as e:
        return respond(["probe"], 422, probe_error=e.message)
    return respond(["probe"], probe=decode(get_db().table("runs").get(run_id)))


@bp.get("/c/<token>/runs/<int:run_id>")
@bp.get("/s/<token>/runs/<int:run_id>", endpoint="share_run")
def run(run_id):
    """Poll a run: its item (or the probe result) as it stands now."""
    db = get_db()
    row = store.get_row(db, "runs", run_id)
    if row is None or row["customer_id"] != g.customer["id"]:
        abort(404)
    reap(db, current_app.config, run_id)  # a run whose process died ends here
    row = decode(db.table("runs").get(run_id))
    path = g.customer["path"]
    if row["kind"] == "probe" and path == "smtp-own":
        return respond(["probe"], probe=row)
    if row["kind"] in ("dns", mailjet_mail.KIND) and path == "mailjet":
        return dns_response()
    if row["kind"] == "smtp" and path == "smtp-own":
        if not htmx:
            return respond([], item_id="smtp-test-mail")
        ctx = context()  # the answer next to "Testmail senden", its item below
        also = ["smtp-test-mail", "smtp-password"]  # the hand-over is decided as the run ends
        settings_view = next(v for v in ctx["views"] if v.item.id == "smtp-settings")
        badge = render_block(TEMPLATE, "badge", **{**ctx, "view": settings_view, "badge_oob": True})
        html = render_block(TEMPLATE, "smtp_answer", **ctx) + out_of_band(ctx, also) + badge
        if row["state"] != "running" and not g.readonly:
            # the server's greeting may have named the provider: its notice changes now too
            html += render_block(TEMPLATE, "provider_notice", **{**ctx, "oob": True})
        return html
    other_path()

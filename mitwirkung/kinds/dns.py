"""Kind `dns` (Mailjet path): the live DNS check, the Mailjet test mail and the records
forwarded to an IT colleague. Card: templates/kinds/dns.html.
"""

from flask import abort, current_app, g, redirect, request, url_for
from jinja2_fragments.flask import render_block

from .. import mail, provider_guide
from ..checklist import TEMPLATE, bp, caller, context, forward_text, require_item, respond
from ..db import get_db
from ..forms import ForwardForm, MailjetMailForm
from ..runs import app_mail, mailjet_mail
from ..runs import dns_check as dns_run
from ..runs.limits import RateLimited
from ..service import service
from ..web import htmx

# Cards whose text depends on the DNS items' states: re-rendered with every DNS answer.
DEPENDS_ON_DNS = ("peiq-informed", "mail-received")


def dns_response(status: int = 200, **extra):
    """The DNS table, the DNS items out of band and the progress bar."""
    if not htmx:
        return respond([], status, **extra)
    ctx = context(**extra)
    parts = [render_block(TEMPLATE, "dns", **ctx)]
    for view in ctx["views"]:
        if view.item.id in (*dns_run.DNS_ITEMS, *DEPENDS_ON_DNS):
            parts.append(render_block(TEMPLATE, "item", **{**ctx, "view": view, "oob": True}))
    parts.append(render_block(TEMPLATE, "progress", **ctx))
    return "".join(parts), status


@bp.post("/c/<token>/dns-check")
def dns_check():
    """Check the Mailjet DNS records live; the answer polls until the check is done."""
    require_item("dns-spf", "dns")
    db = get_db()
    expected = dns_run.expectation(db, g.customer["id"])
    if expected is None:
        abort(409)
    auto = request.form.get("auto") == "1"
    try:
        dns_run.start_dns_check(
            service(), g.customer, expected, caller("auto" if auto else "customer")
        )
    except RateLimited as e:
        return dns_response(422, dns_error=e.message)
    if not htmx:
        return redirect(url_for("customer.page", token=g.token) + "#dns", 303)
    return dns_response()


@bp.post("/c/<token>/mailjet-mail")
def mailjet_test_mail():
    """Send a test mail through Mailjet's relay; its link completes `mail-received`."""
    require_item("dns-spf", "dns")
    form = MailjetMailForm()
    error = mailjet_mail.send_from_form(service(), g.customer, form, caller())
    if error is not None:
        return dns_response(422, mailjet_mail_form=form, mailjet_mail_error=error)
    if not htmx:
        return redirect(url_for("customer.page", token=g.token) + "#mailjet-mail", 303)
    return dns_response()


@bp.post("/c/<token>/forward")
def forward():
    """Mail the DNS records and the steps to an IT colleague (rate-limited, in the history)."""
    require_item("dns-spf", "dns")
    db = get_db()
    dns = provider_guide.attach(db, g.customer["id"], dns_run.dns_view(db, g.customer["id"]))
    if dns["expected"] is None or dns["missing"] or not mail.configured(current_app.config):
        abort(409)  # the page offers no forward then: nothing incomplete goes to IT
    form = ForwardForm()
    if form.validate_on_submit():
        try:
            app_mail.forward_records(
                service(), g.customer, form.email.data, forward_text(g.customer, dns)
            )
        except RateLimited as e:
            form.email.errors = [str(e)]
    if form.errors:
        return respond(["dns_forward"], 422, forward_form=form, forward_open=True)
    if not htmx:
        return redirect(url_for("customer.page", token=g.token) + "#forward", 303)
    return respond(["dns_forward"], forward_sent=form.email.data, forward_open=True)

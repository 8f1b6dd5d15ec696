"""Kind `form` (`smtp-settings`): validate and save the SMTP settings, and the Microsoft 365 /
Google notice for the host being typed. Card: templates/kinds/smtp.html.
"""

from flask import current_app, g, request

from .. import mail_providers
from ..checklist import after_write, bp, require_item, respond
from ..checks.domain import display_domain
from ..checks.smtp import shown_address
from ..db import get_db
from ..forms import SmtpTestForm
from ..runs import settings as smtp_settings
from ..runs import smtp_test as smtp_run
from ..web import obligation
from ..words import checklist as words

TEST_ONLY_FIELDS = ("password", "client_secret", "recipient", "allow_plain", "handover")

SECRET_NEEDED = words.SECRET_NEEDED
PASSWORD_NEEDED = words.PASSWORD_NEEDED


def validate_settings(form: SmtpTestForm, testing: bool) -> bool:
    """Validate the SMTP form; saving judges only the settings, testing everything.

    Settings every test would refuse (port not allowed, private address, unknown host) are
    named at their field either way. Every field stays in the form as typed.
    """
    valid = form.validate_on_submit()
    if testing and form.oauth() and not form.client_secret.data:
        form.client_secret.errors = [*form.client_secret.errors, SECRET_NEEDED]
        valid = False
    elif testing and not form.no_login.data and not form.oauth() and not form.password.data:
        form.password.errors = [*form.password.errors, PASSWORD_NEEDED]
        valid = False
    if not testing:
        for name in TEST_ONLY_FIELDS:
            form[name].errors = []
        form.form_errors = []
        valid = not any(form[n].errors for n in form._fields if n not in TEST_ONLY_FIELDS)
    if not form.host.errors and not form.port.errors:
        for name, message in smtp_run.refused_settings(
            current_app.config, form.host.data, form.port.data
        ).items():
            form[name].errors = [*form[name].errors, message]
            valid = False
    return valid


def shown(form: SmtpTestForm) -> SmtpTestForm:
    """Put names back into Unicode for the page (validation turned them into A-labels)."""
    if form.host.data and not form.host.errors:
        form.host.data = display_domain(form.host.data)
    for f in (form.sender, form.recipient):
        if f.data and not f.errors:
            f.data = shown_address(f.data)
    return form


@bp.post("/c/<token>/smtp-settings")
def save_smtp_settings():
    """Validate and save the SMTP settings; valid settings mark `smtp-settings` done."""
    require_item("smtp-settings", "form")
    form = SmtpTestForm()
    if not validate_settings(form, testing=False):
        return respond(
            ["item"], 422, item_id="smtp-settings", smtp_form=shown(form), pressed="save"
        )
    save_settings(form)
    also = ("smtp-test-mail", "smtp-password")  # a change makes the test stale, no login no pw
    return after_write("smtp-settings", also, saved=True, pressed="save", smtp_form=shown(form))


def settings_data(form) -> dict:
    """The form's non-secret SMTP settings as stored; with no login, no user."""
    data = smtp_settings.from_form(form)
    found = data.get("host") and mail_providers.recognise(
        current_app.config, data["host"], data.get("sender", "")
    )
    if found:  # else what a test's server said stays (smtp_run.save_smtp_settings)
        data["provider"] = found
    return data


def save_settings(form) -> None:
    """Store the non-secret SMTP settings; valid settings mark `smtp-settings` done."""
    smtp_run.save_smtp_settings(get_db(), g.customer["id"], settings_data(form), "customer")


@bp.post("/c/<token>/provider-notice")
def provider_notice():
    """The Microsoft 365 / Google notice for the host and sender being typed (not saved).

    Asked by the page itself, not by a click: on a page behind a path switch it answers
    204 (nothing to swap), so the answer to the person's own next click is not crowded out.
    """
    path = obligation().path(g.customer["path"])
    if path is None or obligation().items["smtp-settings"] not in path.items:
        return "", 204
    form = request.form
    host, sender = form.get("host", "")[:300].strip(), form.get("sender", "")[:300].strip()
    found = mail_providers.recognise(current_app.config, host, sender) if host or sender else ""
    login = mail_providers.login_kind(form.get("no_login"), form.get("auth_method"))
    notice = mail_providers.notice(current_app.config, found, host=host, login=login)
    return respond(["provider_notice"], provider_notice=notice)

"""WTForms forms with German messages; normalisation of what people paste into fields."""

import re
import unicodedata

from flask import current_app, has_app_context, request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.validators import Length as _Length
from wtforms.widgets import CheckboxInput, ListWidget

from . import mailjet
from .address import addr_spec, not_pruefadresse
from .catalog import SMTP_OBLIGATION
from .checks import dkim as dkim_syntax
from .checks.domain import DomainError, display_domain, normalize_domain
from .checks.netguard import GuardError, normalize_host
from .checks.smtp import AddressError, parse_mailbox, shown_address
from .words import forms as words
from .words.forms import LABELS, MESSAGES, REQUIRED

ENCRYPTIONS = [SelectChoice(key, label) for key, label in words.ENCRYPTIONS.items()]
USUAL_PORTS = {"ssl": 465, "tls": 587}


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalize_email(value: str) -> str:
    """Return the address with its domain in IDNA form; raise ValueError with a German message.

    The one check of every address the product mails to (address.addr_spec); a Prüfadresse
    (at INBOUND_DOMAIN) is refused, since the product must never send to one itself.
    """
    domain = current_app.config.get("INBOUND_DOMAIN") if has_app_context() else None
    return not_pruefadresse(addr_spec(value), domain)


def normalize_name(value: str) -> str:
    """Return a display name without surrounding spaces; raise ValueError with a German message.

    A name is one line: it goes into mail subjects, where a line break would end the header.
    """
    value = value.strip()
    if not value:
        raise ValueError(MESSAGES["name_empty"])
    # Cc: control characters incl. CR, LF, NUL, U+0085; Zl/Zp: U+2028/U+2029; Cs: undecodable
    if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in value):
        raise ValueError(MESSAGES["name_one_line"])
    return value


class OneLineName:
    """Validate a name field with normalize_name."""

    def __call__(self, form, field):
        try:
            field.data = normalize_name(field.data or "")
        except ValueError as e:
            raise ValidationError(str(e)) from None


class EmailAddress:
    """Validate and normalise an e-mail address field."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize_email(field.data)
        except ValueError as e:
            raise ValidationError(str(e)) from None


class Length(_Length):
    """WTForms' Length, but a value that is too long ends the field's validation.

    The validators after it (host, domain, e-mail parsers) then never see a value of
    thousands of characters, which some of them cannot take (int() of 4,300+ digits).
    """

    def __init__(self, min=-1, max=-1, message=None):
        if message is None and max < 0:
            message = MESSAGES["too_short"].format(min=min)
        super().__init__(min, max, message or MESSAGES["too_long"].format(max=max))

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError as e:
            raise StopValidation(str(e)) from None


class Form(FlaskForm):
    """A Flask-WTF form that reads only the body's form fields.

    Flask-WTF would also read file parts and JSON bodies into the fields, so a field could
    hold a file or a number; here such a field is simply missing (a German "please fill in").
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata
            return request.form if request.method in ("POST", "PUT", "PATCH", "DELETE") else None


class LinkForm(Form):
    """A form on a customer link: CSRF is checked per link (customer.check_link_csrf)."""

    class Meta:
        csrf = False


class Choice:
    """Accept only one of the field's choices, with a German message."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {c.value for c in field.choices or []}:
            raise ValidationError(self.message)


class PortField(IntegerField):
    """An integer field whose parse error speaks German."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                text = valuelist[0].strip()
                if not (text.isascii() and text.isdigit()):  # int() also takes "٥٨٧"
                    raise ValueError(text)
                self.data = int(text)
            except ValueError:
                self.data = None
                raise ValueError(MESSAGES["port_number"]) from None
        else:
            self.data = None

    def pre_validate(self, form):
        if self.process_errors:  # one message is enough when the input was no number
            raise StopValidation()


class HostName:
    """Normalise a server name (port suffix, URL, IDN, IP literal) or explain the problem."""

    def __call__(self, form, field):
        try:
            field.data, _ = normalize_host(field.data)
        except GuardError as e:
            raise ValidationError(e.message) from None


class Domain:
    """Normalise a domain field (Unicode, URL, e-mail address, www.) or explain the problem."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize_domain(field.data)
        except DomainError as e:
            raise ValidationError(e.message) from None


class ShownDomainField(StringField):
    """A domain field that shows people the Unicode form of the A-label it stores."""

    def _value(self):
        return display_domain(self.data) if self.data else super()._value()


class ShownAddressField(StringField):
    """An e-mail field that shows people the Unicode form of the address it stores."""

    def _value(self):
        return shown_address(self.data) if self.data else super()._value()


class SmtpMailbox:
    """An address the SMTP test can put into MAIL FROM / RCPT TO (RFC 5321, RFC 6531)."""

    def __call__(self, form, field):
        if not field.data or field.errors:
            return
        try:
            parse_mailbox(field.data)
        except AddressError as e:
            raise ValidationError(e.message) from None


class RequiredUnlessNoLogin:
    """Required, unless the customer chose "Mein Server braucht keine Anmeldung"."""

    def __call__(self, form, field):
        if form.no_login.data:
            raise StopValidation()
        if not field.data:
            raise StopValidation(REQUIRED)


AUTH_METHODS = [SelectChoice(key, label) for key, label in words.AUTH_METHODS.items()]
GUID = re.compile(r"^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.IGNORECASE)
TENANT_NAME = re.compile(r"^(?=.{3,253}$)[a-z0-9-]+(?:\.[a-z0-9-]+)+$", re.IGNORECASE)


class RequiredForOAuth:
    """Required when OAuth 2.0 is the chosen Anmeldeverfahren (and a login is wanted)."""

    def __call__(self, form, field):
        if form.no_login.data or form.auth_method.data != "oauth-m365":
            raise StopValidation()
        if not field.data:
            raise StopValidation(REQUIRED)


class OAuthId:
    """A GUID as Microsoft Entra shows it (tenant also as domain name, tenant=True)."""

    def __init__(self, tenant: bool = False):
        self.tenant = tenant

    def __call__(self, form, field):
        if GUID.match(field.data) or (self.tenant and TENANT_NAME.match(field.data)):
            return
        what = MESSAGES["oauth_tenant_id" if self.tenant else "oauth_client_id"]
        tenant = MESSAGES["oauth_tenant_name"] if self.tenant else ""
        raise ValidationError(MESSAGES["oauth_id"].format(what=what, tenant=tenant))


def auth_method_or_default(value):
    return value or "password"


class SmtpSettingsForm(LinkForm):
    host = StringField(
        LABELS["host"], [DataRequired(REQUIRED), Length(max=300), HostName()], filters=[strip]
    )
    port = PortField(
        LABELS["port"],
        [InputRequired(MESSAGES["port_required"]), NumberRange(1, 65535, MESSAGES["port_range"])],
    )
    encryption = RadioField(
        LABELS["encryption"],
        choices=ENCRYPTIONS,
        validate_choice=False,
        validators=[Choice(MESSAGES["encryption"])],
    )
    no_login = BooleanField(LABELS["no_login"])
    username = StringField(
        LABELS["username"], [RequiredUnlessNoLogin(), Length(max=300)], filters=[strip]
    )
    auth_method = RadioField(
        LABELS["auth_method"],
        choices=AUTH_METHODS,
        default="password",
        validate_choice=False,
        filters=[auth_method_or_default],
        validators=[Choice(MESSAGES["auth_method"])],
    )
    oauth_tenant = StringField(
        LABELS["oauth_tenant"],
        [RequiredForOAuth(), Length(max=253), OAuthId(tenant=True)],
        filters=[strip],
    )
    oauth_client = StringField(
        LABELS["oauth_client"],
        [RequiredForOAuth(), Length(max=100), OAuthId()],
        filters=[strip],
    )
    sender = StringField(
        LABELS["sender"],
        [DataRequired(REQUIRED), Length(max=300), EmailAddress(), SmtpMailbox()],
        filters=[strip],
    )

    def process(self, formdata=None, obj=None, data=None, **kwargs):
        """Fill the fields; stored addresses are shown with Unicode domains (U-labels)."""
        super().process(formdata, obj, data, **kwargs)
        if formdata is None:
            for name in ("sender", "recipient"):
                if name in self and self[name].data:
                    self[name].data = shown_address(self[name].data)


class SmtpTestForm(SmtpSettingsForm):
    """The settings plus what only the live test needs; the password is never rendered back."""

    password = PasswordField(LABELS["password"], [Length(max=500)])
    client_secret = PasswordField(LABELS["client_secret"], [Length(max=500)])
    recipient = StringField(
        LABELS["recipient"],
        [DataRequired(MESSAGES["recipient"]), Length(max=300),
         EmailAddress(), SmtpMailbox()],
        filters=[strip],
    )  # fmt: skip
    allow_plain = BooleanField(LABELS["allow_plain"])
    handover = BooleanField(LABELS["handover"])

    def validate_allow_plain(self, field):
        login = not self.no_login.data
        if self.encryption.data == "none" and self.password.data and login and not field.data:
            raise ValidationError(MESSAGES["plain_password"])

    def oauth(self) -> bool:
        """Whether the login is OAuth 2.0 (Microsoft 365) rather than user and password."""
        return not self.no_login.data and self.auth_method.data == "oauth-m365"

    def secret(self) -> str | None:
        """What this login hands over like a password: the password or the client secret."""
        if self.no_login.data:
            return None
        return (self.client_secret.data if self.oauth() else self.password.data) or None

    def validate_handover(self, field):
        if field.data and not self.secret():
            raise ValidationError(
                MESSAGES["handover_secret" if self.oauth() else "handover_password"]
            )


class ProbeForm(LinkForm):
    host = StringField(
        LABELS["host"], [DataRequired(REQUIRED), Length(max=300), HostName()], filters=[strip]
    )


class HandoverForm(LinkForm):
    password = PasswordField(
        LABELS["password"], [DataRequired(MESSAGES["password"]), Length(max=500)]
    )


class OtherChannelForm(LinkForm):
    confirm = BooleanField(LABELS["other_channel"], [DataRequired(MESSAGES["other_channel"])])


def dkim_key_problem(raw: str | None) -> str | None:
    """Say in German why a pasted DKIM key cannot be published, or None when it can.

    The key is judged as the record the customer would publish (checks.dkim.expected_record)
    by the product's own parser (RFC 6376 §3.6.1: p= is the base64 public key).
    """
    if not raw:
        return None
    parsed = dkim_syntax.parse(dkim_syntax.expected_record(raw))
    codes = {f.code for f in parsed.failed}
    if not codes:
        return None
    if codes & {"dkim.no_key", "dkim.revoked"}:
        what = MESSAGES["dkim_empty"]
    else:
        what = MESSAGES["dkim_broken"]
    return MESSAGES["dkim_key"].format(what=what)


class MailjetForm(Form):
    """What Mailjet shows PEIQ for a sender domain; the customer publishes it."""

    domain = ShownDomainField(
        LABELS["domain"], [DataRequired(REQUIRED), Length(max=300), Domain()], filters=[strip]
    )
    verification_name = StringField(
        LABELS["verification_name"],
        [DataRequired(MESSAGES["verification_name"]), Length(max=300)],
        filters=[strip],
    )  # fmt: skip
    verification_value = StringField(
        LABELS["verification_value"],
        [DataRequired(MESSAGES["verification_value"]), Length(max=500)],
        filters=[strip],
    )
    dkim_selector = StringField(
        LABELS["dkim_selector"],
        [DataRequired(REQUIRED), Length(max=100)],
        filters=[strip],
        default="mailjet",
    )
    dkim_key = TextAreaField(LABELS["dkim_key"], [Length(max=5000)], filters=[strip])

    api_key = StringField(LABELS["api_key"], [Length(max=200)], filters=[strip])
    api_secret = PasswordField(LABELS["api_secret"], [Length(max=200)], filters=[strip])

    def validate_fetch(self) -> bool:
        """Validate only what "Werte von Mailjet holen" needs: domain and sub-account."""
        checks = [
            self.domain.validate(self),
            self.api_key.validate(self),
            self.api_secret.validate(self, [type(self).validate_api_secret]),
        ]
        return all(checks)

    def validate_api_secret(self, field):
        if bool(field.data) != bool(self.api_key.data):
            raise ValidationError(MESSAGES["api_pair"])

    def validate_verification_name(self, field):
        if not mailjet.DNS_NAME.fullmatch(field.data):
            raise ValidationError(MESSAGES["dns_name"])

    def validate_verification_value(self, field):
        if not mailjet.RECORD_TEXT.fullmatch(field.data):
            raise ValidationError(MESSAGES["record_text"])

    def validate_dkim_key(self, field):
        problem = dkim_key_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_dkim_selector(self, field):
        if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", field.data.removesuffix(".")):
            raise ValidationError(MESSAGES["selector"])


class ToggleForm(LinkForm):
    done = HiddenField()


class PathForm(LinkForm):
    path = RadioField(LABELS["path"], validate_choice=False, validators=[Choice(MESSAGES["path"])])

    def __init__(self, *args, paths=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.path.choices = [SelectChoice(p.id, p.title) for p in paths]


class PortalForm(LinkForm):
    portal = StringField(
        LABELS["portal"],
        [DataRequired(MESSAGES["portal"]), Length(max=300)],
        filters=[strip],
    )
    confirm = BooleanField(
        LABELS["portal_confirm"],
        [DataRequired(MESSAGES["portal_confirm"])],
    )


class LoginForm(Form):
    email = StringField(LABELS["email"], [DataRequired(REQUIRED), Length(max=300)], filters=[strip])
    password = PasswordField(LABELS["password"], [DataRequired(REQUIRED), Length(max=500)])


class CustomerForm(Form):
    name = StringField(
        LABELS["customer_name"],
        [DataRequired(REQUIRED), Length(max=200), OneLineName()],
        filters=[strip],
    )
    domain = ShownDomainField(
        LABELS["domain"], [Optional(), Length(max=300), Domain()], filters=[strip]
    )
    contact = ShownAddressField(
        LABELS["contact"], [Optional(), Length(max=300), EmailAddress()], filters=[strip]
    )
    peiq_contact = SelectField(LABELS["peiq_contact"], validate_choice=False)
    # The customer's obligations (choices: the catalog's, set by the view); shown as
    # checkboxes (all ticked) when more than one is loaded. The SMTP mailbox is always one of
    # them (its page is where the customer's link opens): its box is ticked and disabled.
    # `obligations_offered` tells "none of the others ticked" apart from "not asked" (a form
    # without the checkboxes: the SMTP mailbox alone, as before).
    obligations = SelectMultipleField(
        LABELS["obligations"],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    obligations_offered = HiddenField()

    def validate_peiq_contact(self, field):
        """A choice from the list; not sent at all (None) keeps the default."""
        if field.data is not None and field.data not in {value for value, _ in field.choices}:
            raise ValidationError(MESSAGES["peiq_contact"])

    def validate_obligations(self, field):
        """Each one from the list."""
        known = {value for value, _ in field.choices}
        if any(value not in known for value in field.data or ()):
            raise ValidationError(MESSAGES["obligations"])

    def chosen_obligations(self) -> list[str]:
        """The ids chosen, in catalog order, the SMTP mailbox always among them; it alone
        when the checkboxes were not offered."""
        chosen = {SMTP_OBLIGATION}
        if self.obligations_offered.data:
            chosen.update(self.obligations.data or ())
        return [value for value, _ in self.obligations.choices if value in chosen]


class CustomerEditForm(CustomerForm):
    """A customer's particulars as the account manager changes them."""

    obligations = None  # chosen when the customer is created
    obligations_offered = None
    reminders = BooleanField(LABELS["reminders"])


class MailjetMailForm(LinkForm):
    """The test mail through Mailjet: from an address of the sender domain to a mailbox."""

    sender = SmtpSettingsForm.sender  # the same fields, labels and messages as the SMTP test
    recipient = SmtpTestForm.recipient

    def check_domain(self, domain: str) -> bool:
        """The sender must belong to the domain Mailjet validated; say so at the field."""
        if self.sender.data.rpartition("@")[2].lower().rstrip(".") == domain:
            return True
        self.sender.errors = [
            *self.sender.errors,
            MESSAGES["mailjet_sender"].format(domain=domain),
        ]
        return False


class ForwardForm(LinkForm):
    """Where the DNS records go when the customer passes them on to an IT colleague."""

    email = StringField(
        LABELS["forward"],
        [DataRequired(MESSAGES["forward"]), Length(max=300), EmailAddress()],
        filters=[strip],
    )  # fmt: skip

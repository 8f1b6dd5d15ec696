"""The one mapping between the shapes of a customer's SMTP settings.

Four shapes, and the functions between them:

- the form (`forms.SmtpTestForm`) → `from_form` → the stored row;
- the stored row (`smtp_settings`: host, port, encryption, username, sender, recipient,
  no_login 0/1, auth_method, oauth_tenant, oauth_client, provider) → `to_check` → the
  check's input (`checks.smtp.SmtpSettings`, with login: bool instead of no_login);
- the check's input → `to_run` → what a run row keeps in `runs.settings` (the check's fields
  plus auth_method and the OAuth ids; never a password or client secret);
- a run's settings → `from_run` → a stored row (a trial that passed is saved from its run)
  and `form_values` (the form shown while that run is still running).

`key` says what a test mail proves something about; it reads a row and a run alike.
"""

import dataclasses

from ..checks.smtp import SmtpSettings

# The fields of a stored row that the customer types (no_login is a 0/1 column).
FIELDS = ("host", "port", "encryption", "username", "sender", "recipient", "no_login",
          "auth_method", "oauth_tenant", "oauth_client")  # fmt: skip


def from_form(form) -> dict:
    """The form's non-secret settings as a stored row's fields; with no login, no user.

    Fields the form refused (errors) or left empty (None) are left out, so what was stored
    for them stays.
    """
    data = {k: form.data[k] for k in FIELDS
            if not form[k].errors and form.data[k] is not None}  # fmt: skip
    data["no_login"] = int(bool(form.no_login.data))
    if data["no_login"]:
        data["username"] = ""
    return data


def to_check(row: dict, copy_to: str = "") -> SmtpSettings:
    """The check's input from a stored row (or `from_form`'s dict); copy_to: the Prüfadresse."""
    login = not row.get("no_login")
    return SmtpSettings(
        row["host"], int(row["port"]), row["encryption"],
        (row.get("username") or "") if login else "", row["sender"], row["recipient"],
        login=login, copy_to=copy_to,
    )  # fmt: skip


def to_run(settings: SmtpSettings, oauth=None) -> dict:
    """What a run keeps of the tested settings: the check's fields and the login method.

    `oauth` (checks.smtp.oauth.OAuthLogin or None): its tenant and client id are kept, its
    client secret never.
    """
    method = {"auth_method": "password"}
    if oauth:
        method = {"auth_method": "oauth-m365", "oauth_tenant": oauth.tenant,
                  "oauth_client": oauth.client_id}  # fmt: skip
    return {**dataclasses.asdict(settings), **method}


def from_run(tested: dict) -> dict:
    """A stored row's fields from a run's settings (login: bool → no_login: 0/1)."""
    row = {k: tested.get(k) for k in FIELDS if k != "no_login"}
    return {**row, "no_login": int(not tested.get("login", True))}


def form_values(tested: dict) -> dict:
    """The form's values for a run's settings: what a page reloaded mid-test shows."""
    values = {k: tested[k] for k in FIELDS if k in tested}
    values["no_login"] = int(not tested.get("login", True))
    return values


def key(settings: dict) -> tuple:
    """What a test mail proves something about: server, port, encryption, login and sender.

    Takes a stored row or a run's settings; the recipient is left out (a mail that arrived
    in another mailbox still proves the server sends).
    """
    login = settings["login"] if "login" in settings else not settings.get("no_login")
    method = (settings.get("auth_method") or "password") if login else ""
    oauth = ()
    if method == "oauth-m365":
        oauth = (settings.get("oauth_tenant"), settings.get("oauth_client"))
    return (
        settings.get("host"), int(settings.get("port") or 0), settings.get("encryption"),
        (settings.get("username") or "") if login else "", settings.get("sender"), bool(login),
        method, *oauth,
    )  # fmt: skip

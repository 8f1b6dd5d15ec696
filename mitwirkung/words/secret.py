"""One noun for the secret the customer hands to PEIQ (handover.py, templates): the password,
or with OAuth 2.0 the client secret ("Geheimer Clientschlüssel"). Every template and text asks
`secret_words`."""

from __future__ import annotations

PASSWORD = {
    "noun": "Passwort",  # bare noun, as a label
    "the": "das Passwort",  # nominative
    "the_acc": "das Passwort",  # accusative
    "this_dat": "diesem Passwort",  # dative, "mit diesem …"
    "it": "es",
}
CLIENT_SECRET = {
    "noun": "Geheimer Clientschlüssel",
    "the": "der geheime Clientschlüssel",
    "the_acc": "den geheimen Clientschlüssel",
    "this_dat": "diesem geheimen Clientschlüssel",
    "it": "er",
}


def is_oauth(settings) -> bool:
    """True when the saved/chosen login method (a settings row, dict or None) is OAuth 2.0."""
    if not settings:
        return False
    get = settings.get if hasattr(settings, "get") else lambda k: getattr(settings, k, None)
    return get("auth_method") == "oauth-m365" and not get("no_login")


def secret_words(settings=None, *, oauth: bool | None = None) -> dict:
    """German forms naming the secret: {"noun", "the", "the_acc", "this_dat", "it"}.

    `settings` is a smtp_settings row (dict) or None; `oauth` overrides it when given."""
    chosen = is_oauth(settings) if oauth is None else oauth
    return CLIENT_SECRET if chosen else PASSWORD


def cap(text: str) -> str:
    """`text` with its first letter upper-case (sentence start)."""
    return text[:1].upper() + text[1:]

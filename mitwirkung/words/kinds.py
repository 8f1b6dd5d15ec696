"""German words of the generic item kinds (mitwirkung/kinds/): field problems, answers."""

FIELD_PROBLEMS = {
    "required": "Bitte füllen Sie dieses Feld aus.",
    "too-long": "Das ist zu lang: höchstens {max_length} Zeichen.",
    "unprintable": "Bitte nur sichtbare Zeichen eingeben (keine Steuerzeichen).",
    "email": "Bitte eine vollständige E-Mail-Adresse eingeben, z. B. it@ihre-firma.de.",
    "url": "Bitte eine vollständige Webadresse eingeben, die mit https:// beginnt, "
    "z. B. https://www.ihre-firma.de.",
    "url-chars": "Diese Webadresse enthält Zeichen, die in einer Webadresse nicht vorkommen "
    "dürfen (z. B. Leerzeichen, Anführungszeichen oder spitze Klammern). Kopieren Sie sie am "
    "besten aus der Adresszeile Ihres Browsers.",
    "url-userinfo": "Bitte die Webadresse ohne Benutzername und Passwort eingeben "
    "(nichts vor einem „@“) – ein Passwort gehört nie in dieses Feld.",
    "encoding": "Dieser Text enthält Zeichen, die nicht lesbar übertragen wurden. Bitte geben "
    "Sie ihn noch einmal von Hand ein.",
    "number": "Bitte nur eine Zahl eingeben, z. B. 12 oder 12,5.",
    "choice": "Bitte wählen Sie eine der angebotenen Möglichkeiten.",
}

ANSWERS = {
    "confirmed": "Bestätigt.",
    "unconfirmed": "Bestätigung zurückgenommen.",
    "saved": "Gespeichert.",
    "changed": "Geändert und gespeichert.",
    "unchanged": "Gespeichert – die Angaben waren schon so.",
    "peiq-confirmed": (
        "Bestätigt. Die Kund:in sieht es auf ihrer Seite, sobald sie die Seite öffnet oder "
        "spätestens nach einigen Sekunden, wenn sie schon offen ist."
    ),
    "peiq-already": "Das war schon bestätigt.",
    "peiq-not-yet": "Das geht erst, wenn die Kund:in alle anderen Schritte erledigt hat.",
    "no-path": "Bitte wählen Sie einen der Wege.",
}

# a customer's change after PEIQ confirmed what rests on it ({contact}: name or "Ihre
# Ansprechperson bei PEIQ")
LOCKED = (
    "Nicht geändert: PEIQ hat diese Mitwirkungspflicht schon bestätigt, und die Bestätigung "
    "beruht auf diesen Angaben. Soll sich doch etwas ändern, wenden Sie sich bitte an {contact}."
)
LOCKED_NOTE = (
    "PEIQ hat diese Mitwirkungspflicht bestätigt; Änderungen sind nur noch über {contact} möglich."
)
NO_CONTACT = "Ihre Ansprechperson bei PEIQ"

# /c/<token>/o/<id> of an obligation the customer does not have (404)
NOT_AGREED_TITLE = "Diese Mitwirkungspflicht ist für Sie nicht vereinbart"
NOT_AGREED = (
    "Ihr Link ist gültig, aber diese Mitwirkungspflicht gehört nicht zu denen, die PEIQ mit "
    "Ihnen vereinbart hat. Ihre Mitwirkungspflichten finden Sie auf Ihrer Seite."
)
NOT_AGREED_BACK = "Zu Ihren Mitwirkungspflichten"


# PEIQ's to-do queue and notice mail: a `peiq-confirm` item waiting for PEIQ
PEIQ_TODO = "{obligation}: „{item}“ bestätigen"


def field_problem(code: str, max_length: int = 0) -> str:
    """The German message for a field problem code."""
    return FIELD_PROBLEMS[code].format(max_length=max_length)

"""German answers of mail.deliver (the app's own outgoing mail)."""

NOT_CONFIGURED = (
    "Der E-Mail-Versand ist nicht eingerichtet – bitte wenden Sie sich an die Administration"
    " von Mitwirkung (Einstellungen MITWIRKUNG_MAIL_SERVER und MITWIRKUNG_MAIL_FROM)."
)
BAD_ADDRESS = "Die Adresse ist nicht verwendbar: {problem}"
REFUSED = (
    "Der Mailserver {server} hat die E-Mail nicht angenommen oder war nicht"
    " erreichbar. Technische Meldung: {result}"
)

"""What the customer reads when a to-do of PEIQ's is done: on the page and in the mail."""

NEWS = {
    "mailjet-setup": "PEIQ hat Mailjet eingerichtet: Ihre DNS-Einträge stehen jetzt auf der Seite.",
    "mailjet-dkim": "PEIQ hat den DKIM-Schlüssel von Mailjet eingetragen: Jetzt stehen alle "
    "Werte Ihrer DNS-Einträge auf der Seite.",
    "portal-adopt": "PEIQ hat die Übernahme der SMTP-Konfiguration von PORTAL bestätigt.",
    "peiq-informed": "PEIQ hat Ihre Meldung gesehen und schließt die Einrichtung bei Mailjet ab.",
    "password": "PEIQ hat Ihr Passwort abgeholt; es ist jetzt bei uns gelöscht.",
    "drift": "Der DNS-Eintrag ist wieder in Ordnung.",
}

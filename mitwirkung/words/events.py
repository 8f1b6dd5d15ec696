"""German words of the history (store/, overview.py): what happened, by event kind, and who did
it, by actor."""

EVENT_WORDS = {
    "customer-created": "Kund:in angelegt",
    "customer-archived": "Kund:in archiviert",
    "customer-restored": "Kund:in wiederhergestellt",
    "path-chosen": "Weg gewählt",
    "item-state": "Schritt",
    "edit-link-rotated": "Kund:innen-Link erneuert (der alte gilt nicht mehr)",
    "share-link-rotated": "Nur-Lese-Link erneuert (der alte gilt nicht mehr)",
    "secret-handed-over": "Passwort verschlüsselt übergeben",
    "secret-revealed": "Passwort einmal angezeigt und gelöscht",
    "secret-expired": "Passwort nicht abgeholt und nach Ablauf gelöscht",
    "mailjet-expectation": "Mailjet-Werte gespeichert",
    "customer-edited": "Angaben geändert",
    "peiq-contact-changed": "PEIQ-Ansprechpartner:in geändert",
    "reminders-muted": "Erinnerungen an die Kund:in abgeschaltet",
    "reminders-unmuted": "Erinnerungen an die Kund:in wieder eingeschaltet",
    "link-mailed": "Kund:innen-Link per E-Mail geschickt",
    "reminder-sent": "Erinnerung an die Kund:in geschickt",
    "peiq-acknowledged": "Meldung „DNS-Einträge stehen“ gesehen; PEIQ schließt die Einrichtung"
    " bei Mailjet ab",
    "peiq-help-acknowledged": "Hilferuf gesehen (die Kund:in meldete sich, obwohl noch nicht alle"
    " DNS-Einträge in Ordnung waren); PEIQ meldet sich bei der Kund:in",
    "drift-incident": "Überwachung: ein DNS-Eintrag fiel zweimal hintereinander durch",
    "drift-resolved": "Überwachung: der DNS-Eintrag ist wieder in Ordnung",
    "mailjet-fetched": "Werte von Mailjet geholt",
    "mailjet-test-mail": "Testmail über Mailjet",
    "mailjet-checked": "Mailjet hat die Einträge geprüft",
    "mailjet-subaccount": "Zugang zum Mailjet-Unterkonto gespeichert (verschlüsselt)",
    "mailjet-subaccount-deleted": "Zugang zum Mailjet-Unterkonto gelöscht",
    "values-ready-mailed": "Kund:in per E-Mail Bescheid gegeben: die DNS-Einträge stehen bereit",
    "records-forwarded": "DNS-Einträge per E-Mail an eine IT-Kolleg:in weitergeleitet",
    "customer-told": "Kund:in per E-Mail Bescheid gegeben, dass PEIQ gehandelt hat",
    "mail-received-inbound": "Mail an die Prüfadresse empfangen und geprüft",
    "inbound-address-rotated": "Neue Prüfadresse erzeugt (die alte nimmt keine Mails mehr an)",
    "m365-password-end": "Microsoft 365 hat die Anmeldung mit Passwort abgeschaltet: Kund:in und "
    "PEIQ per E-Mail gebeten, neu zu testen oder auf OAuth 2.0 umzustellen",
    "m365-password-end-unsent": "Microsoft 365 hat die Anmeldung mit Passwort abgeschaltet: keine "
    "E-Mail möglich (MAIL_SERVER fehlt) – bitte die Kund:in selbst informieren",
}

# Who did something, by actor (a manager is named by their address instead).
ACTORS = {
    "customer": "Kund:in",
    "recipient": "Empfänger:in der Testmail",
    "receiver": "Empfangsprüfung",
    "system": "System",
    "auto": "System (automatische Prüfung)",
    "cli": "Kommandozeile",
    "seed": "Demo",
    "jobs": "System (Zeitplan)",
}

# What a similar customer has in common with a new one (store.similar_customers).
SIMILAR_SAME = {"domain": "Absender-Domain", "name": "Name"}

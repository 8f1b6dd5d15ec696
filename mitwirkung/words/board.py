"""German words of the managers' dashboard (board_columns.py, overview.py): column headers,
filters, sort orders and the "Braucht Aufmerksamkeit" badges."""

# board_columns.py: the header of each column (table and CSV), by column key
COLUMN_LABELS = {
    "name": "Name",
    "domain": "Absender-Domain",
    "contact": "E-Mail der Ansprechperson",
    "peiq": "PEIQ-Ansprechpartner:in",
    "path": "Weg",
    "progress": "Fortschritt (%)",
    "activity": "Letzte Aktivität",
    "attention": "Braucht Aufmerksamkeit",
    "moved": "Letzter Fortschritt",
    "archived": "Archiviert",
    "id": "Nr.",
    "url": "Seite in Mitwirkung",
    "evidence": "Nachweis der Ankunft",
    "password_login": "Microsoft 365/Google mit Passwort",
}
NOT_AGREED = "nicht vereinbart"  # the customer does not have this obligation
NOT_CHOSEN = "noch nicht gewählt"  # no path chosen yet
DEACTIVATED = " (deaktiviert)"  # after a deactivated PEIQ contact's name
YES = "ja"
OBLIGATION_COLUMN = "{title} (%)"  # a per-obligation progress column of the CSV

# overview.py: sort orders and filters of the dashboard, by URL value
SORT_LABELS = {
    "aktivitaet": "Letzte Aktivität",
    "fortschritt": "Fortschritt",
    "name": "Name",
}
STATUSES = {
    "": "alle aktiven",
    "aufmerksamkeit": "braucht Aufmerksamkeit",
    "peiq": "wartet auf PEIQ",
    "stockt": "stockt",
    "fertig": "fertig",
    "passwort-endet": "Microsoft 365/Google mit Passwort",
    "archiviert": "archiviert",
}
CONTACTS = {"": "alle", "meine": "Meine Kund:innen", "niemand": "ohne PEIQ-Ansprechpartner:in"}
BAD_DAYS = (
    "Bitte eine ganze Zahl von 1 bis {max_days} eingeben; gezeigt wird "
    "„stockt seit {default_days} Tagen“."
)

# What the customer waits for while PEIQ has not acted, by path: no Mailjet values yet.
MAILJET_VALUES_MISSING = "Mailjet-Werte fehlen: wartet auf PEIQ"
WAITS_FOR_PEIQ = "{title}: wartet auf PEIQ"
NOT_IN_ORDER = "{title}: nicht in Ordnung"
OBLIGATION_NAMED = "{title} – "  # a further obligation's badge or history line names it

# What is wrong when an item failed, said as the problem (the item titles say the goal:
# "DKIM-Schlüssel veröffentlicht" under "Braucht Aufmerksamkeit" reads like success).
# DNS items: (not found, found but wrong); other items: one text.
PROBLEMS = {
    "smtp-settings": "SMTP-Zugangsdaten fehlerhaft",
    "smtp-password": "Passwort nicht übergeben",
    "smtp-test-mail": "Testmail über den Server der Kund:in gescheitert",
    "dns-verification": ("Bestätigungs-Eintrag für Mailjet fehlt",
                         "Bestätigungs-Eintrag für Mailjet fehlerhaft"),
    "dns-spf": ("SPF-Eintrag fehlt", "SPF erlaubt Mailjet nicht"),
    "dns-dkim": ("DKIM-Schlüssel fehlt", "DKIM-Schlüssel fehlerhaft"),
    "dns-dmarc": ("DMARC-Eintrag fehlt", "DMARC-Eintrag fehlerhaft"),
    "peiq-informed": "PEIQ informieren gescheitert",
    "portal-adopt": "Übernahme von PORTAL nicht möglich",
    "mail-received": "Empfang der Testmail nicht nachgewiesen",
}  # fmt: skip

# a password (or client secret) waits for PEIQ to pick it up
SECRET_WAITING = "Passwort liegt zur Abholung bereit{untested}"
SECRET_UNTESTED = " (ungetestet)"

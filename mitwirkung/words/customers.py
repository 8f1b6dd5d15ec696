"""German words of the manager's customer administration (manage/customers.py) and the
customer page's problem lines (manage/detail.py)."""

CREATED = "Kund:in angelegt. Schicken Sie ihr den Kund:innen-Link."
SAVED = "Angaben gespeichert."
UNCHANGED = "Nichts geändert – die Angaben waren schon so."
# the particulars' names in the history ("Angaben geändert: Name …"), by column
FIELDS = {"name": "Name", "domain": "Absender-Domain", "contact_email": "E-Mail"}
ARCHIVED = "{name} ist archiviert. Die Links zeigen jetzt, dass die Einrichtung geschlossen ist."
NOT_ARCHIVED = "Diese Kund:in ist nicht archiviert."
RESTORED = "{name} ist wiederhergestellt. Die Links funktionieren wieder."

# the confirmation page, by action: (title, text, button)
CONFIRM = {
    "rotate-edit": (
        "Neuen Kund:innen-Link erzeugen?",
        "Der bisherige Kund:innen-Link funktioniert danach sofort nicht mehr. Schicken Sie "
        "der Kund:in anschließend den neuen Link.",
        "Ja, neuen Link erzeugen",
    ),
    "rotate-share": (
        "Neuen Nur-Lese-Link erzeugen?",
        "Der bisherige Nur-Lese-Link funktioniert danach sofort nicht mehr, auch bei "
        "Kolleg:innen, denen Sie ihn gegeben haben.",
        "Ja, neuen Link erzeugen",
    ),
    "archive": (
        "Kund:in archivieren?",
        "Die Kund:in verschwindet aus der Übersicht, ihre Links zeigen nur noch, dass die "
        "Einrichtung geschlossen ist und wen sie fragen kann. Sie können sie unter "
        "„Archivierte Kund:innen“ jederzeit wiederherstellen.",
        "Ja, archivieren",
    ),
}

# manage/detail.py: a failed form far down the page, said at its top ("<form> – <field>: …")
FIELD_PROBLEM = "{form} – {field}: {error}"
EDIT_FORM = "Angaben ändern"
MAILJET_FORM = "Mailjet-Werte"
MAILJET_MAIL_FORM = "Testmail über Mailjet"

# the history CSV (manage/detail.py): header row and file name
HISTORY_CSV_HEADER = ("Zeit (UTC, ISO 8601)", "Wer", "Was")
HISTORY_CSV_NAME = "verlauf-{id}.csv"

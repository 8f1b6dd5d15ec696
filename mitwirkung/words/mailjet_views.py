"""German messages of the manager's Mailjet actions (manage/mailjet_views.py)."""

NOTIFIED = {
    "mailed": "Die Kund:in bekommt eine E-Mail an {to}, dass die Einträge bereitstehen.",
    "no-address": "Es ist keine E-Mail-Adresse der Kund:in hinterlegt: bitte sagen Sie ihr selbst "
    "Bescheid, dass die Einträge bereitstehen.",
    "bad-address": "Die hinterlegte E-Mail-Adresse der Kund:in ({to}) ist keine gültige "
    "Adresse, deshalb ging keine E-Mail hinaus. Bitte korrigieren Sie sie unter „Angaben "
    "ändern“ und sagen Sie der Kund:in Bescheid, dass die Einträge bereitstehen.",
    "no-mail": "Der E-Mail-Versand ist nicht eingerichtet: bitte sagen Sie der Kund:in selbst "
    "Bescheid, dass die Einträge bereitstehen. Einrichten kann den Versand die Administration "
    "von Mitwirkung (Einstellung MITWIRKUNG_MAIL_SERVER).",
}


MISSING_FLASH = (
    "Noch nicht vollständig – es fehlt {missing}. Ohne ihn kann die Kund:in den DKIM-Eintrag "
    "nicht anlegen: Sie sieht dort „Wartet auf PEIQ“, kann nichts weiterleiten und bekommt die "
    "E-Mail, dass die Einträge bereitstehen, erst wenn Sie ihn nachtragen."
)
SAVED = "Mailjet-Werte gespeichert. Die Kund:in sieht jetzt die Einträge, die sie anlegen muss."
UNCHANGED = "Nichts geändert – die Mailjet-Werte waren schon so."
KEY_SAVED = " Der Zugang des Unterkontos ist gespeichert; neu eingeben ersetzt ihn."
KEY_NOT_SAVED = " Der Zugang des Unterkontos ist nicht gespeichert."
FETCHED = (
    "Werte von Mailjet für {domain} übernommen. Die Kund:in sieht jetzt die Einträge, die sie "
    "anlegen muss."
)
CHECKED = "Mailjet hat die Einträge geprüft; sein Ergebnis steht unten."
TEST_MAIL_STARTED = "Testmail über Mailjet an {to} gestartet."
KEY_DELETED = "Zugang zum Mailjet-Unterkonto gelöscht; es gilt wieder PEIQs eigenes Mailjet-Konto."

"""German answers of PEIQ's own steps on a customer (manage/peiq.py); {placeholders} by name."""

NO_PASSWORD = "Es liegt kein Passwort (mehr) vor. Es wurde bereits angezeigt oder ist abgelaufen."
TOLD = {  # peiq_acted.tell_customer's outcome, said after the step
    "mailed": " Die Kund:in bekommt eine E-Mail an {address}.",
    "bad-address": " Die hinterlegte E-Mail-Adresse der Kund:in ({address}) ist keine gültige "
    "Adresse, deshalb ging keine E-Mail hinaus. Bitte korrigieren Sie sie unter „Angaben ändern“ "
    "und sagen Sie der Kund:in selbst Bescheid.",
    "other": " Bitte sagen Sie der Kund:in selbst Bescheid (keine E-Mail möglich).",
}
ALREADY_SEEN = "Das war schon erledigt: Die Meldung der Kund:in ist bereits als gesehen markiert."
SEEN_RED = (
    "Als gesehen markiert. Die Kund:in wartet nicht mehr auf PEIQ – bitte melden Sie"
    " sich bei ihr: Es sind noch nicht alle nötigen DNS-Einträge in Ordnung."
)
SEEN = "Als gesehen markiert. Die Kund:in wartet nicht mehr auf PEIQ.{told}"
NO_PORTAL = "Die Kund:in hat (noch) kein PORTAL genannt; es gibt nichts zu bestätigen."
OTHER_PORTAL = (
    "Die Kund:in hat inzwischen „{named}“ genannt. Bitte prüfen Sie die Anfrage "
    "unten und bestätigen Sie dann."
)
PORTAL_ALREADY = "Das war schon erledigt: Die Übernahme von {named} ist bereits bestätigt."
PORTAL_CONFIRMED = "Übernahme der SMTP-Konfiguration von {named} bestätigt.{told}"

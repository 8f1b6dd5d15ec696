"""German words of the run kinds (mitwirkung/runs/): outcomes, rate limits, the notes a run
leaves on its items; {placeholders} by name."""

DNS_OUTCOMES = {
    "ok": "alle nötigen Einträge in Ordnung",
    "records_missing": "Einträge fehlen oder sind fehlerhaft",
    "dns_unavailable": "DNS antwortete nicht",
    "unexpected": "Prüfung abgebrochen",
    "aborted": "Prüfung unterbrochen",
    "running": "läuft …",
}
PROBE_TITLES = {
    True: "Funktionierende Einstellung gefunden",
    False: "Keine der üblichen Einstellungen funktioniert",
}
# Outcomes of runs that carry no German title of their own; never shown as a code.
OUTCOME_WORDS = {
    **DNS_OUTCOMES,
    "ok": "erfolgreich",
    "failed": "fehlgeschlagen",
    "nothing_found": PROBE_TITLES[False],
    "aborted": "unterbrochen",
}

# runs/dns_check.py
DKIM_WAITING = (
    "Den Wert – den öffentlichen Schlüssel, den Mailjet für Ihre Domain erzeugt – trägt PEIQ "
    "hier noch ein. Sie bekommen Bescheid, sobald er da ist; die anderen Einträge können Sie "
    "schon anlegen."
)
DKIM_WAITING_ONLOOKER = (
    "Den Wert – den öffentlichen Schlüssel, den Mailjet für die Domain erzeugt – trägt PEIQ "
    "hier noch ein; die anderen Einträge kann die Kund:in schon anlegen."
)
MISSING_NAMES = {"dkim_key": "der öffentliche DKIM-Schlüssel"}
DNS_CHECK_FAILED = "Die Prüfung ist abgebrochen."
DNS_CHECK_ABORTED = "Die Prüfung wurde unterbrochen."

# runs/smtp_test.py
TRIAL_RULE = (
    "Ihre gespeicherten Einstellungen sind schon erfolgreich getestet: „Testmail senden“ "
    "übernimmt geänderte Einstellungen erst, wenn der Server die Testmail angenommen hat."
)
STALE = "Die Einstellungen wurden seitdem geändert – bitte senden Sie erneut eine Testmail."
ABORTED = "Der Test wurde unterbrochen. Bitte starten Sie ihn erneut."

# runs/limits.py
NOUNS = {"smtp": "Testmails", "probe": "Port-Suchen", "tests": "Tests", "dns": "DNS-Prüfungen"}
PER_ADDRESS = (
    "Es wurden in der letzten Stunde schon {count} {noun} gestartet – mehr sind zum Schutz der "
    "Server nicht möglich. Bitte versuchen Sie es ab {again} Uhr wieder."
)
PER_CUSTOMER = (
    "Es wurden in den letzten 10 Minuten schon {count} {noun} gestartet – mehr sind zum Schutz "
    "der Server nicht möglich. Bitte versuchen Sie es ab {again} Uhr wieder."
)
AUTO_PAUSED = (
    "Die automatische Prüfung pausiert, weil länger niemand auf „DNS prüfen“ "
    "geklickt hat. Klicken Sie, sobald Sie die Einträge geändert haben."
)
DNS_TOO_OFTEN = (
    "Es wurde in den letzten 10 Minuten sehr oft geprüft. Neue Einträge brauchen "
    "ohnehin etwas Zeit – bitte prüfen Sie in einigen Minuten erneut."
)
TOO_MANY_FORWARDS = (
    "In der letzten Stunde wurden die Einträge schon {count}-mal weitergeleitet – "
    "mehr geht zum Schutz vor Missbrauch nicht. Bitte versuchen Sie es später erneut."
)

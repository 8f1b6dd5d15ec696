"""German words of the secret hand-over (handover.py): what happened to the secret after a
test, `{The}`/`{it}`/`{the_acc}` naming the secret (secret_words)."""

HANDOVER_TEXT = {
    "handed": "Die Anmeldung hat geklappt: {The} liegt jetzt verschlüsselt bei PEIQ.",
    "login_failed": "{The} wurde nicht an PEIQ übergeben, weil die Anmeldung beim Test "
    "nicht geklappt hat. Sobald ein Test mit Haken „übergeben“ durchkommt, wird {it} übergeben.",
    "kept_proven": "{The} wurde nicht an PEIQ übergeben, weil die Anmeldung beim Test "
    "nicht geklappt hat. PEIQ behält {the_acc}, mit dem die Anmeldung schon geklappt hat.",
}
REFUSED_UNTESTED = (
    "PEIQ hat schon ein Passwort von Ihnen, mit dem die Anmeldung beim Test geklappt hat – "
    "es wird nicht durch ein ungetestetes ersetzt. Hat sich das Passwort geändert, tragen Sie "
    "es oben beim Live-Test ein, setzen den Haken „übergeben“ und senden eine Testmail."
)

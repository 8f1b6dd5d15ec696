"""German words of the Mailjet parts: API errors (mailjet.py), status values and the comparison
of Mailjet's view with ours (mailjet_sync.py), the test mail's obstacles (mailjet_mail.py)."""

# mailjet.MailjetError codes
MESSAGES = {
    "unauthorized": "Mailjet hat den API-Schlüssel oder das Secret abgelehnt (401). Prüfen Sie "
    "die Zugangsdaten – bei einem Unterkonto dessen eigenen Schlüssel und sein Secret.",
    "forbidden": "Mailjet verweigert diesem API-Schlüssel den Zugriff (403). Ein Unterkonto "
    "braucht volle API-Rechte.",
    "not_found": "Mailjet kennt diese Domain in diesem Konto nicht (404). Prüfen Sie die "
    "Schreibweise der Domain und ob Sie im richtigen (Unter-)Konto sind.",
    "timeout": "Mailjet hat nicht rechtzeitig geantwortet. Ihre Eingaben sind erhalten – bitte "
    "versuchen Sie es in ein paar Minuten noch einmal.",
    "unreachable": "Mailjet ist gerade nicht erreichbar. Ihre Eingaben sind erhalten – bitte "
    "versuchen Sie es später noch einmal oder tragen Sie die Werte von Hand ein.",
    "server_error": "Mailjet hat einen Fehler gemeldet (5xx). Ihre Eingaben sind erhalten – "
    "bitte versuchen Sie es später noch einmal.",
    "rejected": "Mailjet hat die Anfrage abgelehnt.",
    "bad_answer": "Mailjet hat unerwartet geantwortet. Tragen Sie die Werte bitte von Hand ein.",
    "bad_check_answer": "Mailjet hat auf die Bitte zu prüfen unerwartet geantwortet. Die "
    "gespeicherten Werte gelten weiter; lassen Sie Mailjet später noch einmal prüfen.",
    "not_fetched": "Holen Sie zuerst die Werte von Mailjet – erst dann kennen wir die "
    "Domain bei Mailjet.",
    "not_configured": "Für Mailjet ist kein API-Schlüssel hinterlegt. Bitte wenden Sie sich an "
    "die Administration von Mitwirkung (Einstellungen MAILJET_API_KEY und MAILJET_API_SECRET) "
    "oder tragen Sie unten den Zugang eines Mailjet-Unterkontos dieser Kund:in ein.",
}

# Mailjet's per-method reasons of a failed validation, as the manager reads them.
VALIDATION_WORDS = {
    "DNSValidationError": "Mailjet findet den Bestätigungs-Eintrag (TXT) im DNS nicht",
}

MAILJET_WORDS = {  # Mailjet's status values, as the manager's page says them
    "OK": "in Ordnung",
    "Error": "fehlerhaft",
    "Not checked": "noch nicht geprüft",
    "Not found": "nicht gefunden",
    "Active": "aktiv",
    "Inactive": "noch nicht aktiv",
    "Deleted": "gelöscht",
}

# mailjet_sync.compare: Mailjet's view beside ours, for the manager
COMPARE = {
    "seen": " Mailjet sieht dort zurzeit: {found}",
    "not_seen_yet": "Unsere Prüfung findet den {label}-Eintrag, Mailjet hat ihn noch nicht gesehen "
    "– es prüft alle paar Minuten erneut.{seen}",
    "only_mailjet_ok": "Mailjet meldet {label} als in Ordnung, unsere Prüfung aber nicht. "
    "Maßgeblich sind die Server, die Ihre Mails empfangen – beheben Sie bitte, was unsere "
    "Prüfung beim {label}-Eintrag nennt.",
    "why": " (Mailjet meldet: {error})",
    "sender_inactive": "Der Bestätigungs-Eintrag steht, aber Mailjet hat den Absender noch nicht "
    "freigeschaltet{why}. Mailjet prüft erneut; die Testmail über Mailjet ist erst "
    "danach möglich.",
    "only_mailjet_verified": "Mailjet hat den Absender freigeschaltet, unsere Prüfung findet den "
    "Bestätigungs-Eintrag aber nicht. Lassen Sie ihn bitte stehen: Mailjet prüft ihn "
    "später erneut.",
}

# mailjet_mail: why no test mail through Mailjet can be sent yet
NOT_CONNECTED = {
    "customer": "Eine Testmail über Mailjet lässt sich hier nicht senden: Die Verbindung zu "
    "Mailjet ist bei PEIQ nicht eingerichtet. Sie müssen dafür nichts tun.",
    "manager": "Eine Testmail über Mailjet lässt sich hier nicht senden: Für diese Kund:in ist "
    "kein Mailjet-Zugang da. Tragen Sie im Abschnitt Mailjet den Zugang ihres Unterkontos ein, "
    "oder lassen Sie PEIQs Mailjet-Konto auf dem Server einrichten (MAILJET_API_KEY und "
    "MAILJET_API_SECRET).",
}

OBSTACLES = {
    "records": "Die Testmail über Mailjet ist möglich, sobald Bestätigung, SPF und DKIM grün sind.",
    "sender": "Die Einträge stehen, aber Mailjet hat den Absender noch nicht freigeschaltet. "
    "Mailjet prüft alle paar Minuten erneut; bei der nächsten DNS-Prüfung fragen wir "
    "Mailjet wieder.",
    "manual_wait": "Eine E-Mail über Mailjet kann erst ankommen, wenn PEIQ Mailjet für Ihre Domain "
    "fertig eingerichtet hat. Sobald {who} das erledigt hat, können Sie hier bestätigen, dass "
    "eine E-Mail angekommen ist.",
}

"""German words of the command line (cli.py, inbound_cli.py, seed.py); {placeholders} by name.

The commands' own help is their docstring (click shows it); option help is here.
"""

GROUP_MANAGERS = "Account Manager:innen verwalten."
GROUP_CUSTOMERS = "Kund:innen verwalten."
GROUP_INBOUND = "Empfangsprüfung: der eigene Empfangsserver für Prüfadressen."
HELP = {
    "name": "Angezeigter Name.",
    "password": "Erstes Passwort ({rule})",
    "domain": "Absender-Domain, z. B. example.de.",
    "contact": "E-Mail der Ansprechperson.",
    "contact-manager": "PEIQ-Ansprechpartner:in (E-Mail eines aktiven Zugangs); ohne: niemand "
    "Bestimmtes.",
    "obligation": "Aufgabe (Kennung aus data/obligations) außer smtp-postfach, das jede Kund:in "
    "hat; mehrfach möglich; ohne: alle geladenen.",
    "force": "Auch anlegen, wenn Name oder Domain schon vorkommen.",
    "json": "Ein JSON-Objekt ausgeben.",
    "host": "Adresse (Standard: INBOUND_HOST).",
    "port": "Port (Standard: INBOUND_PORT).",
}

ERROR = "Fehler: {message}"
NOT_UTF8 = (
    "{hint} enthält Bytes, die kein gültiges UTF-8 sind. Bitte prüfen Sie die "
    "Zeichenkodierung Ihres Terminals."
)
OPTION_PROBLEM = "{option}: {problem}"
NO_MANAGER = "Eine:n Account Manager:in mit der E-Mail {email} gibt es nicht."
MANAGER_EXISTS = "Ein:e Account Manager:in mit der E-Mail {email} gibt es schon."
DEACTIVATED_HOW_BACK = "Der Zugang {email} ist deaktiviert (managers activate {email})."
DEACTIVATED = "Der Zugang {email} ist deaktiviert."
LINK = {
    "invite": "Einladung für {email}, einmal gültig bis {expires}:",
    "reset": "Link für ein neues Passwort für {email}, einmal gültig bis {expires}:",
}
BY_ADMIN = "Die Administration"  # who invited, in the mail
MAILED = "Per E-Mail verschickt."
NOT_MAILED = "Nicht per E-Mail verschickt: {problem}"
NO_MAIL = "Der E-Mail-Versand ist nicht eingerichtet: geben Sie den Link selbst weiter."
CREATED = "Account Manager:in {email} angelegt."
STATES = {"deactivated": "deaktiviert", "invited": "eingeladen", "active": "aktiv"}
MANAGER_LINE = "{email}\t{name}\t{state}\t{sessions} Sitzung(en)"
PASSWORD_SET = "Passwort von {email} gesetzt; Sitzungen beendet."
DEACTIVATED_DONE = "{email} deaktiviert."
ACTIVATED = "{email} wieder aktiviert."
SESSIONS_ENDED = "{count} Sitzung(en) von {email} beendet."
SIMILAR = "{name} (Nr. {id}{archived}, gleiche {same})"
SIMILAR_ARCHIVED = ", archiviert"
SIMILAR_EXISTS = (
    "Es gibt schon: {lines}. Nichts angelegt. Ist es wirklich eine weitere Kund:in, "
    "wiederholen Sie den Befehl mit --force."
)
INBOUND_LISTENING = "Empfangsprüfung: SMTP auf {host}:{port} für @{domain}"
SEED_LOGIN = "  Anmeldung /manage/: {email} / {password}  (gilt bis zum nächsten Start)"
SEED_MANAGER_NAME = "Demo Account Manager:in"
SEED_CUSTOMER = "  Demo-Kund:in:       {url}"
SEED_SHARE = "  Nur-Lese-Link:      {url}"
UNKNOWN_OBLIGATION = "Unbekannte Aufgabe {unknown}; bekannt sind: {known}."

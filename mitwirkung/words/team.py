"""German words of the team pages (team.py, team_forms.py); {placeholders} by name."""

TEAM_WORDS = {  # the team history, by event kind
    "invited": "eingeladen",
    "reset-sent": "Link für ein neues Passwort geschickt",
    "password-set": "Passwort festgelegt",
    "deactivated": "deaktiviert",
    "activated": "wieder aktiviert",
    "sessions-ended": "alle Sitzungen beendet",
}
CHANGED = "geändert"  # an event kind without its own word
CONSOLE = "Konsole"  # who acted, when it was the command line

INVITE_NOT_SENT = "Die Einladung an {email} ist nicht angekommen. {problem}"
INVITE_SENT = "Einladung an {email} verschickt. Der Link gilt bis {expires}."
DEACTIVATED_FIRST = "Der Zugang ist deaktiviert – aktivieren Sie ihn zuerst wieder."
OWN_PASSWORD = "Ihr eigenes Passwort ändern Sie unter „Mein Zugang“."
LINK_NOT_SENT = "Der Link ist nicht angekommen. {problem}"
RESET_SENT = "Link für ein neues Passwort an {email} geschickt (gilt bis {expires})."
OWN_ACCOUNT = "Ihren eigenen Zugang kann nur eine Kolleg:in deaktivieren."
DEACTIVATED = "{name} ist deaktiviert; alle Sitzungen sind beendet."
ACTIVATED = "{name} kann sich wieder anmelden."
SESSIONS_ENDED = "{count} Sitzung(en) von {name} beendet."
TOO_MANY_ATTEMPTS = (
    "Zu viele Fehlversuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut."
)
PASSWORD_CHANGED = "Ihr Passwort ist geändert. Ihre anderen Sitzungen sind beendet."
WRONG_PASSWORD = "Das bisherige Passwort stimmt nicht."
ALL_ENDED = "Alle Ihre Sitzungen sind beendet. Bitte melden Sie sich neu an."
LINK_GONE_TITLE = "Link nicht mehr gültig"
LINK_GONE = (
    "Dieser Link wurde schon benutzt, ist abgelaufen oder durch einen neueren "
    "ersetzt. Bitten Sie eine Kolleg:in, Ihnen unter „Team“ einen neuen zu schicken."
)
PASSWORD_SET = "Ihr Passwort ist festgelegt. Melden Sie sich jetzt damit an."

# team_forms.py: labels and messages
LABELS = {
    "email": "E-Mail der neuen Kolleg:in",
    "name": "Name",
    "password": "Neues Passwort",
    "repeat": "Neues Passwort wiederholen",
    "current": "Bisheriges Passwort",
}
DIFFERENT = "Die beiden Passwörter sind verschieden."

"""German words of managers' accounts (accounts.py): the password rule and why a password is
refused, account refusals; and the German words a password spray tries first."""

RULE_TEXT = (
    "Mindestens {min_length} Zeichen und nicht leicht zu erraten – zum Beispiel drei, vier "
    "zufällige Wörter mit Bindestrichen."
)

WHY = {
    "passwords": "steht auf der Liste der häufigsten Passwörter",
    "user_inputs": "enthält Ihre E-Mail-Adresse, Ihren Namen oder den Namen PEIQ",
    "site_words": "beginnt mit einem Wort, das Angreifer zuerst versuchen (Jahreszeit, Monat)",
    "repeat": "wiederholt nur dieselben Zeichen",
    "sequence": "ist eine Zeichenfolge wie „1234“ oder „abcd“",
    "spatial": "ist ein Tastaturmuster wie „qwertz“",
    "date": "besteht zu großen Teilen aus einem Datum",
}

# Site-specific words for zxcvbn's user_inputs (its dictionaries are English): the words a
# German password spray tries first — seasons and months ("Sommer2026!!"), and our own names.
SITE_WORDS = (
    "peiq", "mitwirkung", "passwort", "kennwort", "verlag", "sommer", "winter", "herbst",
    "frühling", "fruehling", "januar", "februar", "märz", "maerz", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "dezember", "hallo", "willkommen",
)  # fmt: skip

TOO_SHORT = "Das Passwort ist zu kurz: bitte mindestens {limit} Zeichen."
TOO_LONG = "Das Passwort ist zu lang: bitte höchstens {limit} Zeichen."
AND = " und "
WHY_PREFIX = " (es {reasons})"
TOO_WEAK = "Dieses Passwort ist zu leicht zu erraten{why}. {rule}"
DEACTIVATED = "Der Zugang {email} ist deaktiviert. Aktivieren Sie ihn wieder, statt neu einzuladen."
EXISTS = "Ein:e Account Manager:in mit der E-Mail {email} gibt es schon."
LAST_ACTIVE = (
    "Der letzte aktive Zugang kann nicht deaktiviert werden (sonst kann sich "
    "niemand mehr anmelden)."
)

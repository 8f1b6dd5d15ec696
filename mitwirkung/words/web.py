"""German words of the app-wide web layer (web.py): error pages, field names, encryption."""

CHECKBOX = "das Häkchen „{label}“"  # a checkbox named in a list of fields to check
ENCRYPTION_WORDS = {"ssl": "SSL", "tls": "TLS (STARTTLS)", "none": "unverschlüsselt"}

ERRORS = {  # (title, text) of the error pages, by status
    400: (
        "Sitzung abgelaufen",
        "Das Formular war zu alt oder unvollständig. Bitte laden Sie die Seite neu "
        "und versuchen Sie es noch einmal.",
    ),
    404: (
        "Seite nicht gefunden",
        "Diesen Link gibt es nicht (mehr). Vielleicht wurde er erneuert – bitte fragen "
        "Sie Ihre Ansprechperson bei PEIQ nach dem aktuellen Link.",
    ),
    405: ("Nicht erlaubt", "Über diesen Link kann nichts geändert werden."),
    411: (
        "Länge fehlt",
        "Die Anfrage kam ohne Längenangabe und wurde nicht angenommen. Bitte senden Sie "
        "das Formular aus dem Browser erneut.",
    ),
    413: (
        "Zu viele Daten",
        "Die gesendeten Daten sind {size} und wurden nicht angenommen. Bitte kürzen Sie "
        "Ihre Eingaben und senden Sie das Formular erneut.",
    ),
    500: ("Interner Fehler", "Etwas ist schiefgegangen. Bitte versuchen Sie es erneut."),
    503: (
        "Speichern gerade nicht möglich",
        "Ihre Eingabe konnte nicht gespeichert werden, weil der Speicher des Servers "
        "gerade nicht beschreibbar ist. Bitte versuchen Sie es in einigen Minuten noch "
        "einmal; bleibt der Fehler, sagen Sie bitte Ihrer Ansprechperson bei PEIQ Bescheid.",
    ),
}
SIZE_LIMIT = "größer als {kb} KB"
SIZE_UNKNOWN = "zu groß"
DB_NOT_ANSWERING = "Die Datenbank antwortet nicht: {error}"
DB_WORDS = {  # why the database takes no writes (db.write_problem, /healthz)
    "low_space": "Auf dem Datenträger der Datenbank ist nur noch {kb} KB frei.",
    "not_writable": "Die Datenbank lässt sich nicht zum Schreiben öffnen: {error}",
    "refuses": "Die Datenbank nimmt keine Änderungen an: {error}",
}

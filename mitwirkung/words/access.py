"""German messages of the managers' login and their error pages (manage/access.py, base.py)."""

from .team import TOO_MANY_ATTEMPTS as TOO_MANY_ATTEMPTS  # the same limits as "Mein Zugang"

DEACTIVATED = (
    "Dieser Zugang ist deaktiviert. Bitte wenden Sie sich an eine Kolleg:in, die "
    "ihn unter „Team“ wieder aktivieren kann."
)
WRONG_LOGIN = "E-Mail oder Passwort stimmt nicht."
NOT_FOUND_TITLE = "Nicht gefunden"
NOT_FOUND = (
    "Diese Kund:in oder Seite gibt es nicht (mehr) – vielleicht wurde sie gelöscht "
    "oder die Adresse ist unvollständig."
)

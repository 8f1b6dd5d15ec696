"""German messages of the manager's internal note (notes.py)."""

TOO_LONG = "Bitte höchstens {limit} Zeichen (jetzt {length})."
CONTROL = "Die Notiz darf keine Steuerzeichen enthalten."
SAVED = "Notiz gespeichert."
DELETED = "Notiz gelöscht."

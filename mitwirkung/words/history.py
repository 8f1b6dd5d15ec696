"""German words of the history lines (history_lines.describe): how an event is said, beyond
the event kinds' own words (words/events.py)."""

OBLIGATION_NAMED = "{title} – "  # an event of a further obligation names it first
STEP = "Schritt"  # an item no longer in the catalog
CHANGED = "geändert"  # a state without a label
STATE = "{title} → {word}"
PORTAL = " (PORTAL: {named})"
PORTAL_CHANGE = "„{before}“ → „{after}“"
QUOTED = "„{value}“"
NOTE = " ({title})"
EMPTY_SENDER = "leerem Absender"
CHECKED = "geprüft"
INBOUND = "{event}: von {sender} über {peer} → {state}"
PATH_CHOSEN = "{named}Weg gewählt"
PATH_CHOSEN_AS = "{named}Weg gewählt: {path}"
OBLIGATION = "{event}: „{title}“"
EDITED = "Angaben geändert: "
EDITED_FIELDS = "Angaben geändert: {fields}"
CHANGE = "{field} {old} → {new}"
EMPTY = "(leer)"
NOBODY = "niemand Bestimmtes"
CONTACT_CHANGED = "PEIQ-Ansprechpartner:in: {old} → {new}"
CONTACT_NOW = "PEIQ-Ansprechpartner:in jetzt: {new}"
MAILED_TO = "{event} (an {to})"
PASSWORD = "Passwort"  # replaced by CLIENT_SECRET in a secret event of an OAuth hand-over
CLIENT_SECRET = "Geheimer Clientschlüssel"
ABOUT_ITEM = "{event}: {title}"
UNKNOWN = "Änderung"

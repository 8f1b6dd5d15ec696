"""German words of item states (progress.py, store/items.py): the badge every page shows for
an item, and how `mail-received` was reached."""

STATE_LABELS = {
    "open": "Offen",
    "running": "Läuft …",
    "done": "Erledigt",
    "warning": "Erledigt, mit Hinweis",
    "failed": "Fehlgeschlagen",
}

# Badges that say more than the state (progress.state_label decides which one applies).
BADGES = {
    "not_needed": "Nicht nötig",
    "drift": "Nicht mehr in Ordnung",
    "waiting": "Wartet auf PEIQ",
    "dns_wrong": "Fehlerhaft",
    "dns_missing": "Noch nicht angelegt",
    "dns_recommended": "Empfohlen",
    "dns_unchecked": "Noch nicht geprüft",
}

# How `mail-received` was reached (PRODUCT.md §1, `detail.evidence`), in the words every page uses.
EVIDENCE_LABELS = {
    "received": "Empfang nachgewiesen",
    "link": "Bestätigungslink geöffnet",
    "manual": "von Hand bestätigt",
}

# Why an item is "Nicht nötig" (store.NOT_NEEDED): the item's message.
NOT_NEEDED = {"smtp-password": "Ihr Server braucht keine Anmeldung, also auch kein Passwort."}

"""German flash messages of the dashboard's bulk actions (bulk.py); {placeholders} by name."""

PICK_PERSON = "Bitte eine Person aus der Liste wählen."
NOBODY = "niemand Bestimmtes (alle Account Manager:innen)"
ASSIGNED = "PEIQ-Ansprechpartner:in für {moved} Kund:in(nen) jetzt: {who}."
HAD_ALREADY = " {count} hatten sie schon."
NO_LINKS = "Keine Links verschickt. {why}"
LINKS_SENT = "Kund:innen-Link an {sent} Kund:in(nen) per E-Mail verschickt."
MORE_REFUSED = "… und {count} weitere nicht verschickt."
SELECT_FIRST = "Bitte wählen Sie zuerst Kund:innen aus (Kästchen vor dem Namen)."
ARCHIVED = (
    "{count} Kund:in(nen) archiviert. Unter „Archivierte Kund:innen“ können Sie "
    "sie wiederherstellen."
)
PICK_ACTION = "Bitte wählen Sie eine Aktion."

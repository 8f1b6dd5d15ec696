"""German messages of the manager's link actions (manage/links.py); the mail is
templates/mail/customer_link.txt."""

ARCHIVED_NO_LINK = (
    "Diese Kund:in ist archiviert: ihr Link zeigt nur noch, dass die Einrichtung geschlossen "
    "ist. Stellen Sie sie erst wieder her, wenn sie den Link wieder braucht."
)
NO_CONTACT = (
    "Für diese Kund:in ist keine E-Mail-Adresse hinterlegt. Tragen Sie sie unter "
    "„Angaben ändern“ ein oder kopieren Sie den Link und schicken Sie ihn selbst."
)
NOT_SENT = "Der Link wurde nicht verschickt. {problem}"
COPY_IT = "{problem} Kopieren Sie ihn so lange und schicken Sie ihn selbst."
ON_ITS_WAY = "Der Kund:innen-Link ist per E-Mail an {address} unterwegs."
ROTATED = "Neuer Link erzeugt. Der alte Link funktioniert ab sofort nicht mehr."

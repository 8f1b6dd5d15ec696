"""German of the SMTP obligation's checklist page and its item kinds' answers."""

# Item help as an onlooker on the read-only link reads it: no "Sie", no buttons not there.
ONLOOKER_HELP = {
    "mail-received": "Erst wenn eine E-Mail wirklich ankommt, ist alles erledigt. Die Kund:in "
    "schickt dazu eine E-Mail an ihre Prüfadresse, die unsere Empfangsprüfung annimmt und "
    "prüft, öffnet den Bestätigungslink in der Testmail oder bestätigt die Ankunft von Hand.",
    "peiq-informed": "Sobald die DNS-Einträge stehen, gibt die Kund:in PEIQ Bescheid; PEIQ "
    "schließt dann die Einrichtung bei Mailjet ab.",
    "portal-adopt": "Die Kund:in nennt ihr PORTAL; die Ansprechperson bei PEIQ bestätigt danach "
    "die Übernahme.",
    "smtp-settings": "Server/Host, Port, Verschlüsselung, Nutzer und Absenderadresse des "
    "Postfachs der Kund:in – so, wie ihr E-Mail-Anbieter sie nennt.",
    "smtp-password": "Das Passwort reist nie zusammen mit den übrigen Zugangsdaten: Die Kund:in "
    "übergibt es verschlüsselt in dieser Anwendung oder bestätigt einen anderen sicheren Weg.",
    "smtp-test-mail": "Eine echte Testmail über den SMTP-Server der Kund:in zeigt, ob Server, "
    "Port, Verschlüsselung und Anmeldung stimmen.",
    "dns-verification": "Mit diesem TXT-Eintrag beweist die Kund:in Mailjet, dass die "
    "Absender-Domain ihr gehört.",
    "dns-spf": "SPF legt fest, welche Server E-Mails für die Domain verschicken dürfen; Mailjet "
    "muss darin stehen, sonst landen die E-Mails im Spam.",
    "dns-dkim": "DKIM ist eine digitale Unterschrift für E-Mails; der öffentliche Schlüssel steht "
    "als TXT-Eintrag im DNS der Domain, damit Empfänger die Unterschrift prüfen können.",
}

# a poll or click from a page behind a path switch (409, error.html and static/app.js)
OTHER_PATH_TITLE = "Anderer Weg gewählt"
OTHER_PATH = "Sie haben inzwischen einen anderen Weg gewählt – bitte laden Sie die Seite neu."
# the subject of the mail to an IT colleague (mailto link when the app sends no mail)
FORWARD_SUBJECT = "DNS-Einträge für {name}"

# the SMTP test needs its secret, typed only for the test
SECRET_NEEDED = (
    "Bitte tragen Sie den geheimen Clientschlüssel (den „Wert“ aus „Zertifikate & "
    "Geheimnisse“) ein – er wird nur für diesen Test benutzt und nirgends gespeichert."
)
PASSWORD_NEEDED = (
    "Bitte tragen Sie das Passwort des Postfachs ein – es wird nur für diesen Test benutzt "
    "und nirgends gespeichert."
)

# the answers next to the item the customer just changed ("fresh")
CONFIRMED = "Bestätigt."
UNCONFIRMED = "Haken entfernt."
HANDED_OVER = (
    "{the} liegt jetzt verschlüsselt bei PEIQ – als ungetestet markiert: Ob die "
    "Anmeldung damit klappt, zeigt erst eine Testmail mit Haken „übergeben“."
)
INBOUND_ROTATED = "Neue Prüfadresse erzeugt – die alte nimmt keine Mails mehr an."
PORTAL_ASKED = "Anfrage gesendet – PEIQ bestätigt die Übernahme, Sie müssen nichts tun."
# "PEIQ informieren": {who} is ": <contact's name>" or, with no one assigned, " und"
INFORMED_WHO_NOBODY = " und"
INFORMED_RED = (
    "PEIQ ist benachrichtigt{who} sieht, welche Einträge noch fehlen, und hilft bei Fragen."
)
INFORMED = "PEIQ ist benachrichtigt{who} meldet sich, sobald Mailjet fertig eingerichtet ist."

"""German words of PEIQ's to-do queue (todo.py): what PEIQ has to do, by to-do kind."""

TODO_TEXT = {
    "mailjet-setup": "Mailjet einrichten und die Werte von Mailjet holen (die Kund:in wartet auf "
    "ihre DNS-Einträge)",
    "mailjet-dkim": "DKIM-Schlüssel von Mailjet nachtragen (die Kund:in wartet auf den Wert ihres "
    "DKIM-Eintrags)",
    "portal-adopt": "Übernahme der SMTP-Konfiguration von „{portal}“ prüfen und bestätigen",
    "peiq-informed-red": "Meldung der Kund:in ansehen – nötige DNS-Einträge noch nicht in Ordnung "
    "({names}); vielleicht braucht sie Hilfe",
    "peiq-informed": "Meldung „DNS-Einträge stehen“ ansehen und die Einrichtung bei Mailjet "
    "abschließen",
    "item": "{title}: Anfrage der Kund:in bearbeiten",
    "password": "Übergebenes Passwort abholen (es wird am {expires} ungelesen gelöscht)",
    "drift": "DNS-Eintrag „{title}“ ist nach dem Abschluss nicht mehr in Ordnung: mit der Kund:in "
    "klären",
}

"""German labels and messages of the forms (forms.py); {placeholders} by name.

PRODUCT.md fixes some labels exactly (Server/Host, Port, Verschlüsselung, Nutzer, Passwort,
Absenderadresse, Empfänger der Testmail, Anmeldeverfahren, …): change them only with it.
"""

ENCRYPTIONS = {
    "ssl": "SSL – verschlüsselt ab dem ersten Byte (meist Port 465)",
    "tls": "TLS – Verbindung startet unverschlüsselt und wird per STARTTLS verschlüsselt "
    "(meist Port 587)",
    "none": "keine – unverschlüsselt (nur wenn der Anbieter es verlangt)",
}
AUTH_METHODS = {
    "password": "Benutzername und Passwort",
    "oauth-m365": "OAuth 2.0 (Microsoft 365)",
}

LABELS = {
    "host": "Server/Host",
    "port": "Port",
    "encryption": "Verschlüsselung",
    "no_login": "Mein Server braucht keine Anmeldung (er nimmt Mails von den IP-Adressen an, von "
    "denen PRINT PPS sendet)",
    "username": "Nutzer",
    "auth_method": "Anmeldeverfahren",
    "oauth_tenant": "Verzeichnis-ID (Tenant-ID)",
    "oauth_client": "Anwendungs-ID (Client-ID)",
    "sender": "Absenderadresse",
    "password": "Passwort",
    "client_secret": "Geheimer Clientschlüssel (Client Secret)",
    "recipient": "Empfänger der Testmail",
    "allow_plain": "Ja, das Passwort darf ohne Verschlüsselung übertragen werden (nur wenn Ihr "
    "Anbieter keine Verschlüsselung anbietet).",
    "handover": "Passwort außerdem sicher (verschlüsselt) an PEIQ übergeben – nur wenn die "
    "Anmeldung beim Test klappt",
    "other_channel": "Das Passwort wurde PEIQ auf einem anderen sicheren Weg übermittelt (z. B. "
    "telefonisch oder über einen Passwort-Tresor) – nicht per E-Mail zusammen mit den übrigen "
    "Angaben.",
    "domain": "Absender-Domain",
    "verification_name": "Name des Bestätigungs-Eintrags (TXT)",
    "verification_value": "Wert des Bestätigungs-Eintrags",
    "dkim_selector": "DKIM-Selektor",
    "dkim_key": "Öffentlicher DKIM-Schlüssel",
    "api_key": "API-Schlüssel eines Mailjet-Unterkontos (optional)",
    "api_secret": "Secret des Unterkontos",
    "path": "Weg",
    "portal": "Adresse Ihres PORTAL",
    "portal_confirm": "Die SMTP-Konfiguration dieses PORTAL soll auch für PRINT PPS genutzt "
    "werden.",
    "email": "E-Mail",
    "customer_name": "Name der Kund:in",
    "contact": "E-Mail der Ansprechperson",
    "peiq_contact": "PEIQ-Ansprechpartner:in",
    "obligations": "Aufgaben",
    "reminders": "Erinnerungen an die Kund:in schicken, wenn es nicht weitergeht",
    "forward": "E-Mail-Adresse Ihrer IT-Kolleg:in",
}

REQUIRED = "Bitte ausfüllen."
MESSAGES = {
    "name_empty": "Bitte einen Namen eingeben.",
    "name_one_line": "Der Name darf keine Zeilenumbrüche oder Steuerzeichen enthalten. Bitte "
    "geben Sie ihn in einer Zeile ein.",
    "too_short": "Bitte mindestens {min} Zeichen eingeben.",
    "too_long": "Bitte höchstens {max} Zeichen eingeben.",
    "port_number": "Der Port ist eine Zahl, meist 465 oder 587.",
    "oauth_id": "Die {what} sieht aus wie 0b6c2a4e-1d3f-4a5b-9c7d-8e9f0a1b2c3d (8-4-4-4-12 "
    "Zeichen aus 0–9 und a–f){tenant}. Sie steht in der Übersicht der App-Registrierung im "
    "Microsoft Entra Admin Center.",
    "oauth_tenant_id": "Verzeichnis-ID",
    "oauth_client_id": "Anwendungs-ID",
    "oauth_tenant_name": " oder ist ein Domainname wie ihre-firma.onmicrosoft.com",
    "port_required": "Bitte eine Portnummer eingeben, meist 465 oder 587.",
    "port_range": "Der Port ist eine Zahl zwischen 1 und 65535, meist 465 oder 587.",
    "encryption": "Bitte wählen Sie eine Verschlüsselung: SSL, TLS oder keine.",
    "auth_method": "Bitte wählen Sie ein Anmeldeverfahren.",
    "recipient": "Bitte geben Sie an, wohin die Testmail gehen soll.",
    "plain_password": "Ohne Verschlüsselung wäre Ihr Passwort unterwegs lesbar. Wählen Sie SSL "
    "oder TLS – oder bestätigen Sie hier ausdrücklich, dass es unverschlüsselt gesendet werden "
    "darf.",
    "handover_secret": "Zum Übergeben tragen Sie bitte oben den geheimen Clientschlüssel ein.",
    "handover_password": "Zum Übergeben tragen Sie bitte oben das Passwort ein.",
    "password": "Bitte tragen Sie das Passwort ein.",
    "other_channel": "Bitte bestätigen Sie den sicheren Weg.",
    "dkim_empty": "Es steht kein Schlüssel darin (p= ist leer).",
    "dkim_broken": "Der Wert nach p= ist kein vollständiger RSA- oder Ed25519-Schlüssel "
    "(abgeschnitten, ein Tippfehler oder Zeichen, die in Base64 nicht vorkommen).",
    "dkim_key": "Das ist kein gültiger öffentlicher DKIM-Schlüssel. {what} Empfänger könnten damit "
    "keine Signatur prüfen (RFC 6376, Abschnitt 3.6.1). Bitte den Schlüssel aus Mailjet "
    "vollständig neu einfügen oder das Feld leer lassen.",
    "verification_name": "Bitte den Namen aus Mailjet eintragen, z. B. mailjet._a1b2c3d4.",
    "verification_value": "Bitte den Wert aus Mailjet eintragen.",
    "api_pair": "Bitte API-Schlüssel und Secret des Unterkontos zusammen eintragen.",
    "dns_name": "Ein Name im DNS besteht nur aus Buchstaben, Ziffern, - und _, getrennt durch "
    "Punkte – bitte so eintragen, wie Mailjet ihn zeigt, z. B. mailjet._a1b2c3d4.",
    "record_text": "Der Wert enthält Zeichen, die Mailjet nie vorgibt (Anführungszeichen, < > \\ "
    "oder Zeichen außerhalb von ASCII) – bitte den Wert aus Mailjet ohne sie eintragen.",
    "selector": "Der Selektor besteht nur aus Buchstaben, Ziffern, - und _.",
    "path": "Bitte wählen Sie einen der drei Wege.",
    "portal": "Bitte nennen Sie die Adresse Ihres PORTAL, z. B. portal.ihre-zeitung.de.",
    "portal_confirm": "Bitte bestätigen Sie die Übernahme.",
    "peiq_contact": "Bitte eine Person aus der Liste wählen.",
    "obligations": "Bitte nur Aufgaben aus der Liste wählen.",
    "mailjet_sender": "Die Absenderadresse muss auf @{domain} enden – nur für diese Domain hat "
    "Mailjet den Versand freigeschaltet.",
    "forward": "Bitte geben Sie die E-Mail-Adresse Ihrer IT-Kolleg:in ein.",
}

"""German words for Microsoft 365 and Google: the dated notices and the provider diagnoses.

Notices (codes of checks/mailauth.notice) say what the end of password login means for
these settings, with the dates of data/providers/mail-auth.toml; PROVIDER_TABLE holds the
failure classes of this family (title, explanation, next step), which checks/diagnose.py
looks up like its own. Placeholders are filled from the notice parameters or the SMTP
test's context.
"""

from __future__ import annotations

import string

ADMIN = "die Administration Ihres Microsoft-365-Kontos"
ALTERNATIVES = (
    " Geht beides nicht, gibt es zwei Auswege: den Weg „Einbindung eines E-Mail-Dienstes "
    "(Mailjet) durch PEIQ“ oder einen Connector in Microsoft 365, der PRINT PPS an seinen "
    "IP-Adressen erkennt (ohne Anmeldung)."
)

# code -> (title, text); text may name {name}, {off}, {off_date}, {removal} and links.
NOTICES: dict[str, tuple[str, str]] = {
    "m365_password_before": (
        "Microsoft 365: Anmeldung mit Passwort endet {off}",
        "Sie senden über Microsoft 365 mit Benutzername und Passwort. Microsoft schaltet diese "
        "Anmeldung für SMTP {off} in allen bestehenden Organisationen ab. Danach kann "
        "{admin} sie vorübergehend wieder einschalten. {removal} Zukunftssicher ist die "
        "Anmeldung mit „OAuth 2.0 (Microsoft 365)“ – Sie können sie unten bei "
        "„Anmeldeverfahren“ wählen.",
    ),
    "m365_password_after": (
        "Microsoft 365: Anmeldung mit Passwort ist seit {off} abgeschaltet",
        "Sie senden über Microsoft 365 mit Benutzername und Passwort. Microsoft hat diese "
        "Anmeldung für SMTP {off} in allen bestehenden Organisationen abgeschaltet. "
        "{admin_cap} kann sie vorübergehend wieder einschalten. {removal} Zukunftssicher ist "
        "die Anmeldung mit „OAuth 2.0 (Microsoft 365)“ – Sie können sie unten bei "
        "„Anmeldeverfahren“ wählen.",
    ),
    "m365_password_ok_before": (
        "Funktioniert heute – endet aber {off}",
        "Die Anmeldung mit Passwort bei Microsoft 365 hat geklappt. Sie funktioniert aber nur, "
        "bis Microsoft sie {off} abschaltet; dann kommen die Mails von PRINT PPS ohne "
        "Vorwarnung nicht mehr an. Stellen Sie deshalb jetzt auf „OAuth 2.0 (Microsoft 365)“ "
        "um. {removal}",
    ),
    "m365_password_ok_after": (
        "Funktioniert nur, weil die Anmeldung mit Passwort wieder eingeschaltet ist",
        "Die Anmeldung mit Passwort bei Microsoft 365 hat geklappt, obwohl Microsoft sie "
        "{off} abgeschaltet hat: {admin_cap} hat sie also wieder eingeschaltet. Das geht nur "
        "vorübergehend – {removal} Stellen Sie deshalb auf „OAuth 2.0 (Microsoft 365)“ um.",
    ),
    "m365_oauth": (
        "Microsoft 365 mit OAuth 2.0",
        "Sie melden sich mit OAuth 2.0 an. Das ist der Weg, den Microsoft auch nach dem Ende "
        "der Anmeldung mit Passwort ({off}) unterstützt.",
    ),
    "m365_relay": (
        "Microsoft 365 ohne Anmeldung (Connector)",
        "Ohne Anmeldung nimmt Microsoft 365 Mails von PRINT PPS nur an, wenn {admin} einen "
        "Connector einrichtet, der die IP-Adressen von PEIQ zulässt. Das Ende der Anmeldung "
        "mit Passwort ({off}) betrifft diesen Weg nicht.",
    ),
    "google_password": (
        "Google: nur mit App-Passwort",
        "Google lässt die Anmeldung per SMTP mit dem normalen Passwort des Kontos nicht mehr "
        "zu, nur noch mit einem App-Passwort (ein eigenes, 16-stelliges Passwort nur für "
        "PRINT PPS). Ein App-Passwort gibt es nur, wenn die Bestätigung in zwei Schritten "
        "eingeschaltet ist – nicht beim Erweiterten Sicherheitsprogramm (Advanced "
        "Protection) und nicht, wenn die Workspace-Administration App-Passwörter "
        "abgeschaltet hat. Dann bleibt der SMTP-Relay-Dienst von Google "
        "(smtp-relay.gmail.com), der PRINT PPS an seinen IP-Adressen erkennt.",
    ),
    "google_relay": (
        "Google SMTP-Relay",
        "Der SMTP-Relay-Dienst von Google (smtp-relay.gmail.com) kann PRINT PPS an seinen "
        "IP-Adressen erkennen. Die Workspace-Administration trägt dafür die IP-Adressen von "
        "PEIQ in der Admin-Konsole ein (Apps → Google Workspace → Gmail → Routing → "
        "SMTP-Relay-Dienst).",
    ),
}

# Failure classes of the family: code -> (title, explanation, next step).
PROVIDER_TABLE: dict[str, tuple[str, str, str]] = {
    "auth_m365_basic_removed": (
        "Microsoft 365: Anmeldung mit Passwort gibt es nicht mehr",
        "Microsoft 365 meldet „550 5.7.30 Basic authentication is not supported for Client "
        "Submission“: Für Ihre Organisation ist die Anmeldung mit Benutzername und Passwort "
        "per SMTP endgültig abgeschaltet. Das Passwort kann trotzdem richtig sein.",
        "Wählen Sie bei „Anmeldeverfahren“ „OAuth 2.0 (Microsoft 365)“ und lassen Sie "
        "die Administration Ihres Microsoft-365-Kontos die Schritte der Anleitung erledigen."
        + ALTERNATIVES,
    ),
    "auth_m365_mailbox_disabled": (
        "Microsoft 365: SMTP-Anmeldung für dieses Postfach abgeschaltet",
        "Microsoft 365 meldet „535 5.7.139 … SmtpClientAuthentication is disabled for the "
        "Mailbox“: Für das Postfach {username} ist „Authentifiziertes SMTP“ ausgeschaltet. "
        "Das Passwort kann trotzdem richtig sein.",
        "Bitten Sie die Administration Ihres Microsoft-365-Kontos, im Microsoft 365 Admin "
        "Center beim Postfach unter „E-Mail“ → „E-Mail-Apps verwalten“ „Authentifiziertes "
        "SMTP“ einzuschalten – das braucht auch die Anmeldung mit OAuth 2.0." + ALTERNATIVES,
    ),
    "auth_m365_failed": (
        "Microsoft 365 hat die Anmeldung abgelehnt",
        "Microsoft 365 hat Nutzer oder Passwort nicht angenommen („535 5.7.3 Authentication "
        "unsuccessful“). Microsoft sagt dabei nicht, warum: Das Passwort kann falsch sein, "
        "das Konto kann die Mehrfaktor-Anmeldung verlangen, oder die Anmeldung mit Passwort "
        "ist für SMTP abgeschaltet.",
        "Prüfen Sie, dass bei Nutzer die vollständige E-Mail-Adresse steht, und das Passwort. "
        "Stimmt beides, bitten Sie die Administration Ihres Microsoft-365-Kontos, im "
        "Anmeldeprotokoll von Microsoft Entra nachzusehen – oder wählen Sie bei "
        "„Anmeldeverfahren“ „OAuth 2.0 (Microsoft 365)“.",
    ),
    "auth_m365_not_authenticated": (
        "Microsoft 365: Versand nur nach Anmeldung",
        "Microsoft 365 meldet „5.7.57 Client not authenticated to send mail“: Ohne "
        "erfolgreiche Anmeldung nimmt smtp.office365.com keine Mails an.",
        "Tragen Sie Nutzer und Passwort ein oder wählen Sie „OAuth 2.0 (Microsoft 365)“. "
        "Soll PRINT PPS ohne Anmeldung senden, braucht es in Microsoft 365 einen Connector für "
        "die IP-Adressen von PEIQ – den richtet die Administration Ihres Microsoft-365-Kontos "
        "ein.",
    ),
    "auth_m365_oauth_only": (
        "Microsoft 365 bietet nur noch die Anmeldung mit OAuth an",
        "Der Server {host} bietet nur die Anmeldung mit OAuth an ({methods}): Die Anmeldung "
        "mit Benutzername und Passwort ist hier abgeschaltet.",
        "Wählen Sie bei „Anmeldeverfahren“ „OAuth 2.0 (Microsoft 365)“ und lassen Sie die "
        "Administration Ihres Microsoft-365-Kontos die Schritte der Anleitung erledigen."
        + ALTERNATIVES,
    ),
    "auth_google_rejected": (
        "Google hat die Anmeldung abgelehnt – App-Passwort nötig",
        "Google meldet „535 5.7.8 Username and Password not accepted“. Mit dem normalen "
        "Passwort des Kontos geht die Anmeldung per SMTP bei Google nicht mehr, nur mit einem "
        "App-Passwort (oder das App-Passwort ist falsch).",
        "Erstellen Sie unter myaccount.google.com/apppasswords ein App-Passwort (dafür muss "
        "die Bestätigung in zwei Schritten eingeschaltet sein) und tragen Sie es ohne "
        "Leerzeichen bei Passwort ein. Geht das nicht (Erweitertes Sicherheitsprogramm, oder "
        "die Workspace-Administration hat App-Passwörter abgeschaltet), kann die "
        "Administration den SMTP-Relay-Dienst smtp-relay.gmail.com für die IP-Adressen von "
        "PEIQ einrichten.",
    ),
    "auth_google_app_password": (
        "Google verlangt ein App-Passwort",
        "Google meldet „534 5.7.9 Application-specific password required“: Das Konto hat die "
        "Bestätigung in zwei Schritten, deshalb gilt für SMTP nur ein App-Passwort, nicht das "
        "normale Passwort.",
        "Erstellen Sie unter myaccount.google.com/apppasswords ein App-Passwort und tragen "
        "Sie es ohne Leerzeichen bei Passwort ein. Fehlt dort die Möglichkeit (Erweitertes "
        "Sicherheitsprogramm oder von der Workspace-Administration abgeschaltet), kann die "
        "Administration den SMTP-Relay-Dienst smtp-relay.gmail.com für die IP-Adressen von "
        "PEIQ einrichten.",
    ),
    "oauth_tenant_unknown": (
        "OAuth: Verzeichnis-ID unbekannt",
        "Microsoft kennt die Verzeichnis-ID (Tenant-ID) „{tenant}“ nicht ({aadsts}).",
        "Kopieren Sie die Verzeichnis-ID aus dem Microsoft Entra Admin Center (Übersicht der "
        "App-Registrierung, „Verzeichnis-ID (Mandant)“) und senden Sie die Testmail erneut.",
    ),
    "oauth_tenant_invalid": (
        "OAuth: Verzeichnis-ID hat nicht das richtige Format",
        "„{tenant}“ ist keine Verzeichnis-ID (Tenant-ID). Sie sieht aus wie "
        "0b6c2a4e-1d3f-4a5b-9c7d-8e9f0a1b2c3d oder ist ein Domainname wie "
        "ihre-firma.onmicrosoft.com.",
        "Kopieren Sie die Verzeichnis-ID aus dem Microsoft Entra Admin Center (Übersicht der "
        "App-Registrierung, „Verzeichnis-ID (Mandant)“).",
    ),
    "oauth_client_unknown": (
        "OAuth: Anwendungs-ID in diesem Verzeichnis unbekannt",
        "Microsoft findet die Anwendungs-ID (Client-ID) „{client}“ im Verzeichnis "
        "„{tenant}“ nicht ({aadsts}). Meist ist die ID vertippt oder die App ist in einem "
        "anderen Verzeichnis registriert.",
        "Kopieren Sie „Anwendungs-ID (Client)“ und „Verzeichnis-ID (Mandant)“ aus derselben "
        "App-Registrierung und senden Sie die Testmail erneut.",
    ),
    "oauth_secret_wrong": (
        "OAuth: Geheimer Clientschlüssel falsch",
        "Microsoft hat den geheimen Clientschlüssel nicht angenommen ({aadsts}). Häufig "
        "wurde die „Geheimnis-ID“ statt des „Werts“ kopiert.",
        "Erstellen Sie in der App-Registrierung unter „Zertifikate & Geheimnisse“ einen neuen "
        "geheimen Clientschlüssel und kopieren Sie dessen „Wert“ (er wird nur einmal "
        "angezeigt).",
    ),
    "oauth_secret_expired": (
        "OAuth: Geheimer Clientschlüssel abgelaufen",
        "Der geheime Clientschlüssel ist abgelaufen ({aadsts}).",
        "Erstellen Sie in der App-Registrierung unter „Zertifikate & Geheimnisse“ einen neuen "
        "geheimen Clientschlüssel, tragen Sie dessen „Wert“ ein und merken Sie sich das "
        "Ablaufdatum – danach stoppt der Versand wieder.",
    ),
    "oauth_consent_missing": (
        "OAuth: Zustimmung der Administration fehlt",
        "Microsoft gibt kein Token aus, weil die Administration der App noch nicht zugestimmt "
        "hat oder die App im Verzeichnis fehlt ({aadsts}).",
        "Bitten Sie die Administration Ihres Microsoft-365-Kontos, in der App-Registrierung "
        "unter „API-Berechtigungen“ die Berechtigung „SMTP.SendAsApp“ (Office 365 Exchange "
        "Online, Anwendungsberechtigung) hinzuzufügen und auf „Administratorzustimmung "
        "erteilen“ zu klicken.",
    ),
    "oauth_token_failed": (
        "OAuth: Microsoft hat kein Token ausgegeben",
        "Microsoft hat die Anmeldung der App abgelehnt ({aadsts}).{detail}",
        "Prüfen Sie Verzeichnis-ID, Anwendungs-ID und geheimen Clientschlüssel. Den Code "
        "erklärt Microsoft unter login.microsoftonline.com/error.",
    ),
    "oauth_endpoint_unreachable": (
        "OAuth: Microsoft-Anmeldedienst nicht erreichbar",
        "Der Anmeldedienst von Microsoft hat nicht geantwortet.{detail}",
        "Versuchen Sie es in einigen Minuten noch einmal.",
    ),
    "oauth_not_offered": (
        "Server bietet keine Anmeldung mit OAuth an",
        "Der Server {host} bietet auf Port {port} die Anmeldung mit OAuth (XOAUTH2) nicht an "
        "({methods}).",
        "Für Microsoft 365 ist der Server smtp.office365.com, Port 587, Verschlüsselung TLS.",
    ),
    "oauth_smtp_refused": (
        "Microsoft 365 lässt die App nicht für dieses Postfach senden",
        "Das Token war gültig, aber Exchange Online hat die Anmeldung für {username} "
        "abgelehnt. Meist fehlt einer der letzten Schritte: Der Dienstprinzipal der App ist in "
        "Exchange Online nicht registriert (New-ServicePrincipal), die App hat keine "
        "Berechtigung für dieses Postfach (Add-MailboxPermission), oder „Authentifiziertes "
        "SMTP“ ist für das Postfach ausgeschaltet.",
        "Bitten Sie die Administration Ihres Microsoft-365-Kontos, die Schritte 5 und 6 der "
        "Anleitung zu prüfen (Dienstprinzipal registrieren, Postfach freigeben), und senden "
        "Sie die Testmail erneut. Nutzer muss das Postfach sein, in dessen Namen gesendet "
        "wird.",
    ),
}

_FORMATTER = string.Formatter()


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render_notice(code: str, params: dict) -> dict:
    """The German title and text of a notice -> {"code", "title", "text", "links"}."""
    title, text = NOTICES[code]
    values = _Params(params)
    values["admin"] = ADMIN
    values["admin_cap"] = ADMIN[0].upper() + ADMIN[1:]
    text = _FORMATTER.vformat(text, (), values).replace("  ", " ").strip()
    links = {k: v for k, v in params.items() if str(v).startswith("https://")}
    title = _FORMATTER.vformat(title, (), values)
    return {"code": code, "title": title, "text": text, "links": links}

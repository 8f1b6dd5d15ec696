"""Failure classes of the live checks -> plain-German title, explanation and next step."""

from __future__ import annotations

import string
from dataclasses import dataclass

from mitwirkung.checks.domain import display_domain

from .provider_wording import PROVIDER_TABLE

# Said once wherever SSL and TLS get mixed up: the words name the moment, not the strength.
SSL_TLS_NOTE = (
    "SSL und TLS bedeuten hier, „wann“ die Verschlüsselung beginnt, nicht wie sicher sie ist: "
    "SSL verschlüsselt ab dem ersten Byte (meist Port 465), TLS beginnt unverschlüsselt und "
    "schaltet dann per STARTTLS um (meist Port 587)."
)

ENCRYPTION_LABELS = {"ssl": "SSL", "tls": "TLS", "none": "keine"}

# Said wherever Microsoft 365 refuses the password login: careful, without dates.
M365_RETIREMENT = (
    " Beachten Sie: Microsoft hat angekündigt, die Anmeldung mit Passwort für SMTP AUTH in "
    "Exchange Online abzuschaffen. Langfristig kann deshalb ein anderer Versandweg nötig "
    "sein, z. B. die Einbindung eines E-Mail-Dienstes durch PEIQ."
)
M365_ADMIN = "Bitten Sie die Administration Ihres Microsoft-365-Kontos"

# Neutral fallbacks, so that every text reads well even when the check knows little.
DEFAULTS = {
    "host": "der angegebene Server",
    "port": "dem angegebenen Port",
    "address": "die ermittelte Adresse",
    "allowed_ports": "25, 465, 587",
    "cert_names": "(nicht ermittelbar)",
    "not_after": "(unbekannt)",
    "issuer": "(unbekannt)",
    "not_before": "(unbekannt)",
    "methods": "unbekannt",
    "suggested_port": "587",
    "suggested_encryption": "TLS",
    "encryption_label": "TLS",
    "sender": "die Absenderadresse",
    "recipient": "der Empfänger",
    "username": "der Nutzer",
    "detail": "",
    "tls_version": "einer veralteten TLS-Version",
    "role": "Adresse",
    "mailbox": "",
    "step": "",
    "tenant": "(leer)",
    "client": "(leer)",
    "aadsts": "ohne Fehlercode",
}


@dataclass(frozen=True)
class Diagnosis:
    title: str
    message: str
    next_step: str


# code -> (title, explanation, next step); placeholders are filled by describe().
TABLE: dict[str, tuple[str, str, str]] = {
    "ok": (
        "Testmail wurde angenommen",
        "Der Server {host} hat die Testmail mit „250“ angenommen. Das heißt: Die Einstellungen "
        "stimmen und der Server will die Mail zustellen. Dass sie ankommt, zeigt sich, sobald "
        "sie an Ihrer Prüfadresse eintrifft (das prüfen wir selbst) oder Sie den "
        "Bestätigungslink darin öffnen.",
        "Warten Sie einen Moment: Diese Seite meldet die Ankunft an Ihrer Prüfadresse von "
        "selbst. Oder öffnen Sie im Postfach von {recipient} die Testmail und klicken Sie auf "
        "den Bestätigungslink darin (sehen Sie auch im Spam-Ordner nach).",
    ),
    "ok_without_login": (
        "Testmail ohne Anmeldung angenommen – PEIQ muss Ihnen noch etwas nennen",
        "Der Server {host} hat die Testmail ohne Anmeldung mit „250“ angenommen. Solche "
        "Server nehmen Mails nur von freigegebenen IP-Adressen an. Ob die IP-Adressen, von "
        "denen PRINT PPS sendet, freigegeben sind, zeigt dieser Test nicht.",
        "Fragen Sie Ihre PEIQ-Ansprechperson nach den IP-Adressen, von denen PRINT PPS sendet, "
        "und lassen Sie diese auf Ihrem Server freigeben. Öffnen Sie außerdem im Postfach "
        "von {recipient} die Testmail und klicken Sie auf den Bestätigungslink.",
    ),
    "invalid_host": (
        "Server/Host ist ungültig",
        "Die Eingabe „{host}“ ist kein gültiger Servername.{detail}",
        "Geben Sie nur den Namen des Mailservers ein, z. B. smtp.ihre-firma.de – ohne "
        "E-Mail-Adresse, ohne Leerzeichen und ohne „https://“.",
    ),
    "blocked_address": (
        "Diese Adresse darf nicht getestet werden",
        "{host} zeigt auf die Adresse {address}. Das ist keine öffentliche Internetadresse "
        "(z. B. ein internes Netz oder dieser Rechner selbst). Aus Sicherheitsgründen verbindet "
        "sich der Test nur mit öffentlich erreichbaren Servern.",
        "Geben Sie den öffentlichen Namen Ihres Mailservers ein, den auch Ihr Mailprogramm "
        "außerhalb Ihres Firmennetzes verwendet.",
    ),
    "blocked_port": (
        "Dieser Port ist nicht erlaubt",
        "Port {port} wird für den Test nicht verwendet. Erlaubt sind die Mail-Ports "
        "{allowed_ports}.",
        "Wählen Sie den Port, den Ihr Anbieter für den Versand nennt – meist 587 (TLS) oder "
        "465 (SSL).",
    ),
    "host_not_found": (
        "Server nicht gefunden",
        "Den Namen {host} gibt es im DNS nicht (oder er hat keine Adresse). Meist ist er "
        "falsch geschrieben.",
        "Prüfen Sie die Schreibweise. Den richtigen Servernamen finden Sie in den "
        "Hilfeseiten Ihres Mailanbieters oder in den Kontoeinstellungen Ihres Mailprogramms.",
    ),
    "dns_unavailable": (
        "DNS antwortet gerade nicht",
        "Der Name {host} konnte gerade nicht nachgeschlagen werden, weil die zuständigen "
        "DNS-Server nicht oder fehlerhaft antworten. Das heißt nicht, dass der Name falsch ist.",
        "Versuchen Sie es in einigen Minuten noch einmal.",
    ),
    "connection_refused": (
        "Verbindung abgelehnt",
        "Der Server {host} ({address}) ist erreichbar, nimmt auf Port {port} aber keine "
        "Verbindungen an.",
        "Prüfen Sie den Port. Üblich sind 587 (Verschlüsselung TLS) und 465 (SSL).",
    ),
    "network_unreachable": (
        "Server nicht erreichbar",
        "Zu {host} ({address}) gibt es keinen Netzwerkweg.",
        "Prüfen Sie den Servernamen. Ist er richtig, versuchen Sie es später noch einmal.",
    ),
    "timeout": (
        "Zeitüberschreitung",
        "Der Server {host} hat auf Port {port} nicht rechtzeitig geantwortet.{detail}",
        "Prüfen Sie Servername und Port. Eine Firewall kann Verbindungen zu diesem Port "
        "verwerfen. Üblich sind 587 (TLS) und 465 (SSL).",
    ),
    "no_greeting": (
        "Server meldet sich nicht",
        "Die Verbindung zu {host} auf Port {port} steht, aber der Server hat keine "
        "Begrüßung („220 …“) geschickt.",
        "Prüfen Sie Port und Verschlüsselung. Erwartet der Server SSL (meist Port 465), "
        "wählen Sie „SSL“.",
    ),
    "no_greeting_after_tls": (
        "Server meldet sich nach dem Verschlüsseln nicht",
        "Die verschlüsselte Verbindung (SSL) zu {host} auf Port {port} steht – Port und "
        "Verschlüsselung passen also. Danach hat der Server aber nicht rechtzeitig seine "
        "Begrüßung („220 …“) geschickt. Meist ist er überlastet oder wartet selbst auf "
        "etwas (z. B. eine DNS-Abfrage).",
        "Versuchen Sie es in einigen Minuten noch einmal. Bleibt es so, geben Sie das "
        "Protokoll unten an den Betreiber des Mailservers weiter.",
    ),
    "ssl_on_plain_port": (
        "SSL gewählt, der Server erwartet aber TLS (STARTTLS)",
        "Sie haben „SSL“ gewählt. Der Server {host} spricht auf Port {port} aber zuerst "
        "unverschlüsselt und bietet die Verschlüsselung erst danach an. " + SSL_TLS_NOTE,
        "Wählen Sie bei Verschlüsselung „TLS“ (meist mit Port {suggested_port}) und "
        "senden Sie die Testmail erneut.",
    ),
    "plain_on_ssl_port": (
        "Der Server erwartet SSL",
        "Der Server {host} erwartet auf Port {port} die Verschlüsselung ab dem ersten Byte "
        "(SSL). Deshalb kam keine Begrüßung. " + SSL_TLS_NOTE,
        "Wählen Sie bei Verschlüsselung „SSL“ (meist mit Port {suggested_port}) und senden "
        "Sie die Testmail erneut.",
    ),
    "starttls_not_offered": (
        "Server bietet keine Verschlüsselung (STARTTLS) an",
        "Sie haben „TLS“ gewählt, aber der Server {host} bietet auf Port {port} kein "
        "STARTTLS an. Ohne Verschlüsselung würden Nutzer und Passwort lesbar übertragen.",
        "Versuchen Sie „SSL“ mit Port 465 oder „TLS“ mit Port 587. Fragen Sie sonst Ihren "
        "Mailanbieter, wie der verschlüsselte Versand eingerichtet wird.",
    ),
    "starttls_refused": (
        "Server bietet Verschlüsselung an, verweigert sie dann aber",
        "Der Server {host} bietet auf Port {port} STARTTLS an, lehnt es auf Nachfrage aber "
        "ab. Das heißt: Seine eigene Verschlüsselung ist kaputt eingerichtet (meist fehlt "
        "das Zertifikat oder sein Schlüssel, oder die Dateien sind nicht lesbar). An Ihren "
        "Eingaben liegt das nicht, und ein späterer Versuch hilft nicht.",
        "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter: Er muss "
        "Zertifikat und Schlüssel für STARTTLS einrichten. Danach senden Sie die Testmail "
        "erneut.",
    ),
    "starttls_plain_answer": (
        "Server schaltet nicht auf Verschlüsselung um",
        "Der Server {host} hat STARTTLS mit „220“ bestätigt, danach aber unverschlüsselt "
        "weitergesprochen statt die Verschlüsselung zu beginnen. Das liegt am Server oder an "
        "einem Gerät dazwischen (z. B. eine Firewall, die SMTP „prüft“), nicht an Ihren "
        "Eingaben.",
        "Geben Sie diese Meldung an den Betreiber des Mailservers weiter. Versuchen Sie "
        "bis dahin „SSL“ mit Port 465, falls der Server das anbietet.",
    ),
    "tls_outdated": (
        "Server verschlüsselt nur mit veraltetem Verfahren",
        "Der Server {host} beherrscht auf Port {port} nur {tls_version}. Diese Version gilt "
        "als unsicher und wird von PRINT PPS wie von aktuellen Mailprogrammen nicht mehr "
        "verwendet (RFC 8996). Port und Verschlüsselung sind richtig gewählt.",
        "Bitten Sie den Betreiber des Mailservers, TLS 1.2 oder neuer einzuschalten. Danach "
        "senden Sie die Testmail erneut.",
    ),
    "tls_version_mismatch": (
        "Keine gemeinsame TLS-Version",
        "Der Server {host} und PRINT PPS haben keine gemeinsame TLS-Version gefunden. PRINT "
        "PPS verwendet TLS 1.2 oder neuer.{detail}",
        "Bitten Sie den Betreiber des Mailservers, TLS 1.2 oder neuer einzuschalten.",
    ),
    "tls_no_shared_cipher": (
        "Kein gemeinsames Verschlüsselungsverfahren",
        "Der Server {host} hat den Aufbau der Verschlüsselung abgelehnt, weil er keines der "
        "sicheren Verfahren (Cipher Suites) anbietet, die PRINT PPS verwendet.{detail}"
        "{cipher_note}",
        "Bitten Sie den Betreiber des Mailservers, aktuelle Verfahren freizuschalten (z. B. "
        "ECDHE mit AES-GCM). Port und Verschlüsselung müssen Sie nicht ändern.",
    ),
    "tls_closed": (
        "Server bricht den Aufbau der Verschlüsselung ab",
        "Der Server {host} hat auf Port {port} die Verbindung beendet, während die "
        "Verschlüsselung aufgebaut wurde. Häufige Ursachen: Die gewählte Verschlüsselung "
        "passt nicht zum Port, oder ein Gerät dazwischen (Firewall, Virenscanner) bricht "
        "verschlüsselte Verbindungen ab.",
        "Prüfen Sie, ob Verschlüsselung und Port zusammenpassen: „SSL“ mit Port 465, „TLS“ "
        "mit Port 587. Passen sie, geben Sie diese Meldung an den Betreiber des Mailservers "
        "weiter.",
    ),
    "cert_untrusted": (
        "Zertifikat nicht vertrauenswürdig",
        "Das Zertifikat von {host} stammt nicht von einer anerkannten Stelle – das kann nur "
        "der Betreiber des Mailservers ändern.{detail}",
        "Der Betreiber des Mailservers sollte ein Zertifikat einer anerkannten Stelle "
        "einrichten (z. B. Let’s Encrypt). Verwenden Sie sonst den Servernamen Ihres "
        "Anbieters, für den ein gültiges Zertifikat vorliegt.",
    ),
    "cert_weak": (
        "Zertifikat zu schwach gesichert",
        "Das Zertifikat von {host} stammt von einer anerkannten Stelle ({issuer}), ist aber "
        "zu schwach gesichert und wird deshalb von PRINT PPS wie von aktuellen "
        "Mailprogrammen abgelehnt.{detail}",
        "Bitten Sie den Betreiber des Mailservers, ein neues Zertifikat mit einem Schlüssel "
        "von mindestens 2048 Bit (RSA) und der Signatur SHA-256 einzurichten (z. B. von "
        "Let’s Encrypt). Danach senden Sie die Testmail erneut.",
    ),
    "cert_chain_incomplete": (
        "Zertifikatskette unvollständig",
        "Der Server {host} schickt die Zertifikatskette nicht vollständig mit: Zu seinem "
        "Zertifikat (ausgestellt von {issuer}) fehlt das Zwischenzertifikat, über das es sich "
        "auf eine anerkannte Stelle zurückführen lässt. Manche Mailprogramme merken das nicht, "
        "weil sie das Zwischenzertifikat schon kennen.{detail}",
        "Bitten Sie den Betreiber des Mailservers, die vollständige Kette einzurichten (bei "
        "Let’s Encrypt: fullchain.pem statt cert.pem). Stammt das Zertifikat aus einer "
        "firmeneigenen Zertifizierungsstelle, braucht der Server stattdessen ein Zertifikat "
        "einer anerkannten Stelle.",
    ),
    "cert_not_yet_valid": (
        "Zertifikat noch nicht gültig",
        "Das Zertifikat von {host} ist noch nicht gültig (gültig ab {not_before}). Meist geht "
        "die Uhr des Servers falsch oder das Zertifikat wurde mit falschem Datum ausgestellt.",
        "Bitten Sie den Betreiber des Mailservers, die Uhrzeit des Servers und das "
        "Zertifikat zu prüfen, und wiederholen Sie danach den Test.",
    ),
    "cert_expired": (
        "Zertifikat abgelaufen",
        "Das Zertifikat von {host} ist nicht mehr gültig (gültig bis {not_after}).",
        "Bitten Sie den Betreiber des Mailservers, das Zertifikat zu erneuern, und "
        "wiederholen Sie danach den Test.",
    ),
    "cert_hostname": (
        "Zertifikat gehört zu einem anderen Namen",
        "Das Zertifikat des Servers gilt nicht für {host}, sondern für: {cert_names}. Das "
        "ist bei Hosting-Anbietern häufig: Ihr eigener Name zeigt auf deren Server, das "
        "Zertifikat trägt aber den Namen des Anbieters.",
        "Tragen Sie bei Server/Host {cert_suggestion} ein und senden Sie die Testmail erneut.",
    ),
    "tls_error": (
        "Verschlüsselung fehlgeschlagen",
        "Die verschlüsselte Verbindung zu {host} kam nicht zustande.{detail} Der Server "
        "antwortet auf Port {port} mit TLS; Port und Verschlüsselung sind also richtig "
        "gewählt.",
        "Geben Sie diese Meldung an den Betreiber des Mailservers weiter: Der Fehler liegt in "
        "der Einrichtung der Verschlüsselung auf dem Server.",
    ),
    "ehlo_unsupported": (
        "Server kennt nur das alte HELO",
        "Der Server {host} versteht auf Port {port} den Befehl EHLO nicht und antwortet nur "
        "auf das ältere HELO (RFC 5321 §3.2). Ohne EHLO bietet er keine Erweiterungen an – "
        "also weder Verschlüsselung (STARTTLS) noch Anmeldung (AUTH).",
        "Meist ist das nicht der Postausgangsserver Ihres Anbieters: Fragen Sie Ihren "
        "Anbieter nach dem Server für den Versand (meist Port 587 mit „TLS“) und tragen Sie "
        "ihn bei Server/Host ein.",
    ),
    "helo_rejected": (
        "Server lehnt die Begrüßung ab",
        "Der Server {host} hat die Begrüßung von PRINT PPS (EHLO bzw. HELO) abgelehnt. Das liegt "
        "an der Einrichtung des Servers, nicht an Nutzer, Passwort oder Adressen.",
        "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
    "ehlo_refused_after_tls": (
        "Server lehnt die Begrüßung nach dem Verschlüsseln ab",
        "Der Server {host} hat STARTTLS angeboten und die Verschlüsselung aufgebaut, lehnt "
        "danach aber die erneute Begrüßung (EHLO) ab, die RFC 3207 §4.2 vorschreibt. Das "
        "ist ein Fehler in der Einrichtung des Servers, nicht in Ihren Eingaben.",
        "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
    "auth_not_offered": (
        "Server bietet keine Anmeldung an",
        "Der Server {host} bietet auf Port {port} keine Anmeldung (AUTH) an.{detail}",
        "Prüfen Sie Port und Verschlüsselung: Viele Server erlauben die Anmeldung nur "
        "verschlüsselt, etwa mit „TLS“ auf Port 587 oder „SSL“ auf Port 465. Port 25 ist "
        "meist der Eingangsserver ohne Anmeldung – verwenden Sie den Postausgangsserver Ihres "
        "Anbieters.",
    ),
    "auth_not_offered_encrypted": (
        "Server bietet auch verschlüsselt keine Anmeldung an",
        "Der Server {host} bietet auf Port {port} auch über die verschlüsselte Verbindung "
        "(„{encryption_label}“) keine Anmeldung (AUTH) an. Port und Verschlüsselung passen "
        "also zusammen, aber auf diesem Port ist die Anmeldung ausgeschaltet.",
        "Bitten Sie den Betreiber des Mailservers, auf Port {port} die Anmeldung (SMTP AUTH) "
        "einzuschalten, oder fragen Sie nach dem Postausgangsserver für den Versand. Lässt "
        "Ihr Server PRINT PPS ohne Anmeldung senden (Freigabe der IP-Adressen), wählen Sie „Mein "
        "Server braucht keine Anmeldung“.",
    ),
    "auth_required_not_offered": (
        "Server verlangt eine Anmeldung, bietet aber keine an",
        "Der Server {host} nimmt die Testmail nur nach einer Anmeldung an, bietet auf Port "
        "{port} aber gar keine Anmeldung (AUTH) an. Nutzer und Passwort helfen hier also "
        "nicht.",
        "Bitten Sie den Betreiber des Mailservers, entweder auf Port {port} die Anmeldung "
        "(SMTP AUTH) einzuschalten oder die IP-Adressen freizugeben, von denen PRINT PPS sendet – "
        "Ihre PEIQ-Ansprechperson nennt sie Ihnen.",
    ),
    "auth_oauth_only": (
        "Server erlaubt nur die Anmeldung über OAuth",
        "Der Server {host} bietet nur die Anmeldung über OAuth an ({methods}). So verhalten "
        "sich Google Workspace und Microsoft 365, wenn dort die Anmeldung mit Passwort "
        "abgeschaltet ist. PRINT PPS meldet sich mit Nutzer und Passwort an.",
        "Bei Microsoft 365: Bitten Sie die Administration, „Authentifiziertes SMTP“ für "
        "dieses Postfach einzuschalten. Bei Google: Verwenden Sie ein App-Passwort "
        "(myaccount.google.com/apppasswords). Geht beides nicht, wählen Sie einen anderen "
        "Versandweg.",
    ),
    "auth_methods_unsupported": (
        "Anmeldeverfahren wird nicht unterstützt",
        "Der Server bietet nur Anmeldeverfahren an, die PRINT PPS nicht nutzen kann "
        "({methods}). Das ist z. B. bei Exchange-Servern im eigenen Haus üblich, die nur die "
        "Windows-Anmeldung (NTLM, Kerberos) anbieten.",
        "Bitten Sie den Betreiber, AUTH LOGIN oder PLAIN über TLS freizuschalten, und senden "
        "Sie die Testmail danach erneut.",
    ),
    "auth_needs_encryption": (
        "Anmeldung nur verschlüsselt möglich",
        "Der Server {host} lässt die Anmeldung nur über eine verschlüsselte Verbindung zu.",
        "Wählen Sie bei Verschlüsselung „TLS“ (Port 587) oder „SSL“ (Port 465) und senden Sie "
        "die Testmail erneut.",
    ),
    "encryption_required": (
        "Server verlangt Verschlüsselung",
        "Der Server verlangt Verschlüsselung: Er nimmt auf Port {port} nichts an, bevor die "
        "Verbindung per STARTTLS verschlüsselt ist.",
        "Wählen Sie bei Verschlüsselung „TLS“ (Port 587) und senden Sie die Testmail erneut.",
    ),
    "password_missing": (
        "Kein Passwort eingetragen",
        "Sie haben kein Passwort eingetragen. Ohne Passwort kann sich PRINT PPS nicht als "
        "{username} anmelden.",
        "Tragen Sie bei Passwort das Passwort des Postfachs ein und senden Sie die Testmail "
        "erneut.",
    ),
    "app_password_required": (
        "App-Passwort nötig",
        "Ein App-Passwort ist nötig (Konten mit Zwei-Faktor-Anmeldung, z. B. Google/Microsoft). "
        "Mit dem normalen Passwort lässt der Anbieter die Anmeldung per SMTP nicht zu, auch "
        "wenn es richtig ist.",
        "Erstellen Sie in den Sicherheitseinstellungen des Kontos ein App-Passwort – bei Google "
        "unter myaccount.google.com/apppasswords (Google-Konto → Sicherheit → App-Passwörter), "
        "bei Microsoft-Konten unter Sicherheit → „App-Kennwörter“. Tragen Sie es bei Passwort "
        "ein (ohne Leerzeichen) und senden Sie die Testmail erneut.",
    ),
    "auth_failed": (
        "Anmeldung abgelehnt",
        "Der Server hat Nutzer oder Passwort abgelehnt.",
        "Prüfen Sie das Passwort und den Nutzer. Oft ist der Nutzer die vollständige "
        "E-Mail-Adresse (z. B. versand@ihre-firma.de), nicht nur der Teil vor dem @.",
    ),
    "auth_disabled_m365": (
        "Anmeldung per SMTP ist bei Microsoft 365 abgeschaltet",
        "Microsoft 365 meldet „535 5.7.139“: Die SMTP-Anmeldung (SMTP AUTH) ist für Ihre "
        "Organisation oder dieses Postfach deaktiviert. Das Passwort kann trotzdem richtig "
        "sein." + M365_RETIREMENT,
        "Bitten Sie eine Administratorin oder einen Administrator Ihres Microsoft-365-Kontos, "
        "„Authentifiziertes SMTP“ für dieses Postfach (und ggf. für die Organisation) "
        "einzuschalten. App-Kennwörter helfen hier nicht.",
    ),
    "auth_m365_security_defaults": (
        "Microsoft 365: Sicherheitsstandards blockieren die Anmeldung",
        "Die Sicherheitsstandards (Security Defaults) von Microsoft 365 blockieren die "
        "Anmeldung per Passwort über SMTP. Das Passwort kann trotzdem richtig sein."
        + M365_RETIREMENT,
        M365_ADMIN + " zu entscheiden: Entweder werden die Sicherheitsstandards in Microsoft "
        "Entra abgeschaltet und durch eigene Richtlinien ersetzt, die die SMTP-Anmeldung für "
        "dieses Postfach zulassen, oder Sie wählen einen anderen Versandweg. App-Kennwörter "
        "helfen hier nicht.",
    ),
    "auth_m365_locked": (
        "Microsoft 365: Anmeldung für dieses Konto gesperrt",
        "Microsoft 365 meldet, dass die Anmeldung für dieses Konto gesperrt ist (durch eine "
        "Richtlinie Ihrer Organisation oder nach verdächtigen Anmeldeversuchen). Das Passwort "
        "kann trotzdem richtig sein." + M365_RETIREMENT,
        M365_ADMIN + ", im Anmeldeprotokoll von Microsoft Entra nachzusehen, was die "
        "Anmeldung blockiert, und sie für dieses Postfach freizugeben.",
    ),
    "auth_m365_basic_disabled": (
        "Microsoft 365: Anmeldung per Passwort abgeschaltet",
        "Microsoft 365 meldet „basic authentication is disabled“: Für dieses Konto ist die "
        "Anmeldung mit Nutzer und Passwort abgeschaltet. Das Passwort kann trotzdem richtig "
        "sein." + M365_RETIREMENT,
        M365_ADMIN + ", die Anmeldung per SMTP (Authentifiziertes SMTP) für dieses Postfach "
        "zuzulassen, oder wählen Sie einen anderen Versandweg.",
    ),
    "auth_m365_conditional_access": (
        "Microsoft 365: Richtlinie für bedingten Zugriff blockiert die Anmeldung",
        "Microsoft 365 meldet „the request did not meet the criteria to be authenticated "
        "successfully“: Eine Richtlinie für bedingten Zugriff (Conditional Access, z. B. "
        "Pflicht zur Mehrfaktor-Anmeldung oder erlaubte Standorte) lässt die Anmeldung von "
        "PRINT PPS nicht zu. Das Passwort kann trotzdem richtig sein." + M365_RETIREMENT,
        M365_ADMIN + ", im Anmeldeprotokoll von Microsoft Entra nachzusehen, welche "
        "Richtlinie die Anmeldung blockiert, und für dieses Postfach eine Ausnahme für "
        "SMTP AUTH einzurichten. App-Kennwörter helfen hier nicht.",
    ),
    "auth_m365_policy": (
        "Microsoft 365: Richtlinie blockiert die Anmeldung",
        "Microsoft 365 hat die Anmeldung mit „5.7.139“ abgelehnt: Eine Einstellung oder "
        "Richtlinie in Microsoft 365 verhindert die Anmeldung per SMTP. Das Passwort kann "
        "trotzdem richtig sein." + M365_RETIREMENT,
        M365_ADMIN + ", anhand der Antwort unten und des Anmeldeprotokolls von Microsoft "
        "Entra die blockierende Einstellung zu finden und SMTP AUTH für dieses Postfach "
        "zuzulassen.",
    ),
    "auth_password_transition": (
        "Passwort muss erst geändert werden",
        "Der Server {host} verlangt, dass das Passwort von {username} erst geändert wird "
        "(„432 4.7.12“, RFC 4954 §6), bevor eine Anmeldung per SMTP möglich ist. Ein "
        "späterer Versuch hilft nicht.",
        "Melden Sie sich mit diesem Konto einmal im Webmail oder Kontoportal Ihres Anbieters "
        "an und vergeben Sie das neue Passwort. Tragen Sie es hier ein und senden Sie die "
        "Testmail erneut.",
    ),
    "auth_locked_out": (
        "Anmeldung nach zu vielen Fehlversuchen gesperrt",
        "Der Server {host} sperrt die Anmeldung als {username} nach zu vielen "
        "fehlgeschlagenen Anmeldungen. Jeder weitere Versuch kann die Sperre verlängern.",
        "Testen Sie jetzt nicht erneut. Prüfen Sie in Ruhe Nutzer und Passwort (z. B. durch "
        "eine Anmeldung im Webmail) und bitten Sie den Betreiber des Mailservers, die Sperre "
        "aufzuheben. Danach senden Sie die Testmail einmal erneut.",
    ),
    "auth_ip_refused": (
        "Anmeldung von dieser Adresse nicht erlaubt",
        "Der Server {host} lässt die Anmeldung von PRINT PPS aus nicht zu (eine "
        "Regel für erlaubte IP-Adressen oder Länder). An Nutzer und Passwort liegt das "
        "nicht.",
        "Bitten Sie den Betreiber des Mailservers, die Anmeldung per SMTP von den "
        "IP-Adressen zu erlauben, von denen PRINT PPS sendet – Ihre PEIQ-Ansprechperson nennt "
        "sie Ihnen.",
    ),
    "auth_encryption_contradiction": (
        "Server verlangt Verschlüsselung, obwohl die Verbindung verschlüsselt ist",
        "Der Server {host} lehnt die Anmeldung ab, weil sie nicht verschlüsselt sei – die "
        "Verbindung ist aber bereits mit „{encryption_label}“ verschlüsselt. Das ist "
        "ein Fehler in der Einrichtung des Servers, nicht in Ihren Eingaben.",
        "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
    "auth_protocol_error": (
        "Server antwortet bei der Anmeldung nicht nach Protokoll",
        "Der Server {host} hat auf die Anmeldung eine Antwort geschickt, die das "
        "SMTP-Protokoll dort nicht vorsieht (RFC 4954). Ob Nutzer und Passwort stimmen, lässt "
        "sich so nicht sagen.{detail}",
        "Geben Sie das Protokoll unten an den Betreiber des Mailservers weiter.",
    ),
    "auth_refused": (
        "Anmeldung abgelehnt – Grund in der Antwort",
        "Der Server {host} hat die Anmeldung abgelehnt, ohne zu sagen, dass Nutzer oder "
        "Passwort falsch sind.",
        "Die Antwort des Servers unten nennt den Grund. Geben Sie sie an den Betreiber des "
        "Mailservers weiter.",
    ),
    "auth_mechanism_refused": (
        "Anmeldeverfahren abgelehnt",
        "Der Server {host} bietet das Anmeldeverfahren an, lehnt es auf Nachfrage aber ab. "
        "Das liegt an der Einrichtung des Servers, nicht an Nutzer oder Passwort.",
        "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
    "auth_disconnected": (
        "Server beendet die Verbindung bei der Anmeldung",
        "Der Server {host} hat bei der Anmeldung als {username} die Verbindung ohne Antwort "
        "beendet. Oft sperrt ein Server so Adressen nach mehreren fehlgeschlagenen "
        "Anmeldungen.",
        "Warten Sie einige Minuten und prüfen Sie Nutzer und Passwort, bevor Sie erneut "
        "testen. Bleibt es so, geben Sie das Protokoll unten an den Betreiber des "
        "Mailservers weiter.",
    ),
    "auth_required": (
        "Server verlangt eine Anmeldung",
        "Der Server {host} nimmt Mails nur nach einer Anmeldung an.",
        "Tragen Sie Nutzer und Passwort des Postfachs ein.",
    ),
    "sender_rejected": (
        "Absenderadresse abgelehnt",
        "Der Server lehnt die Absenderadresse {sender} ab. Meist gehört sie nicht zu dem "
        "Konto, mit dem Sie sich anmelden.",
        "Verwenden Sie als Absenderadresse die Adresse des Postfachs (oder eine, die für "
        "dieses Konto freigegeben ist).",
    ),
    "relay_denied": (
        "Weiterleitung verweigert",
        "Der Server will die Mail an {recipient} nicht weiterleiten („relaying denied“).",
        "Die Anmeldung hat geklappt, aber dieses Konto darf nicht an fremde Adressen senden. "
        "Meist ist das der Eingangsserver (MX, Port 25) statt des Postausgangsservers: "
        "verwenden Sie den Postausgangsserver Ihres Anbieters mit Port 587 (TLS). Sonst muss "
        "der Betreiber dem Konto den Versand erlauben.",
    ),
    "sender_system_blocked": (
        "Server weist das Versandsystem ab",
        "Der Server weist das Versandsystem PRINT PPS ab (Sperrliste oder Richtlinie). An "
        "Nutzer, Passwort oder Absenderadresse liegt das nicht.",
        "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
    "sending_limit": (
        "Versandlimit des Kontos erreicht",
        "Der Server {host} nimmt von diesem Konto gerade keine Mails an, weil sein "
        "Versandlimit (z. B. die Zahl der Mails pro Tag) erreicht ist. Nutzer, Passwort und "
        "Adressen stimmen.",
        "Warten Sie, bis das Limit zurückgesetzt ist (meist nach 24 Stunden), und senden Sie "
        "die Testmail dann erneut. Für den Dauerbetrieb fragen Sie Ihren Anbieter, ob das "
        "Limit für die Systemmails von PRINT PPS reicht.",
    ),
    "sender_account_blocked": (
        "Konto für den Versand gesperrt",
        "Der Server {host} hat dieses Konto für den Versand gesperrt (bei Microsoft 365: "
        "„eingeschränkte Entitäten“, meist nach vermutetem Spam-Versand). An der "
        "Absenderadresse selbst liegt das nicht.",
        "Bitten Sie die Administration des Mailkontos, die Sperre aufzuheben (bei Microsoft "
        "365 im Microsoft-Defender-Portal unter „Eingeschränkte Entitäten“) und zu prüfen, "
        "warum sie gesetzt wurde. Danach senden Sie die Testmail erneut.",
    ),
    "message_too_big": (
        "Server meldet die Testmail als zu groß",
        "Der Server {host} lehnt die Testmail wegen ihrer Größe ab, obwohl sie nur wenige "
        "Kilobyte groß ist. Sein Größenlimit ist falsch eingestellt.",
        "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
    "mailbox_full": (
        "Postfach des Empfängers ist voll",
        "Das Postfach von {recipient} ist voll und nimmt keine Mails mehr an. Die Adresse "
        "selbst ist richtig geschrieben.",
        "Schaffen Sie im Postfach Platz oder verwenden Sie als Empfänger der Testmail eine "
        "andere Adresse.",
    ),
    "greylisted": (
        "Server bittet um einen zweiten Versuch (Greylisting)",
        "Der Server {host} hat die Testmail vorläufig zurückgewiesen („Greylisting“): Er "
        "nimmt Mails von einem neuen Absender erst beim zweiten Versuch nach einigen Minuten "
        "an. Das ist gewollt und kein Fehler.",
        "Senden Sie die Testmail in etwa fünf Minuten erneut.",
    ),
    "spf_refused": (
        "Testmail wegen SPF abgelehnt",
        "Der Server hat die Testmail abgelehnt, weil der SPF-Eintrag der Absenderdomain den "
        "sendenden Server nicht erlaubt (RFC 7208).",
        "Prüfen Sie den SPF-Eintrag (TXT-Eintrag „v=spf1 …“) der Domain von {sender}: Er muss "
        "den Server {host} erlauben, meist mit dem „include:“ Ihres Anbieters. Geben Sie sonst "
        "die Antwort unten an die Person weiter, die Ihr DNS verwaltet.",
    ),
    "dmarc_refused": (
        "Testmail wegen DMARC abgelehnt",
        "Der Server hat die Testmail abgelehnt, weil sie die DMARC-Regel der Absenderdomain "
        "nicht erfüllt (RFC 7489): Weder SPF noch DKIM passen zur Domain von {sender}.",
        "Prüfen Sie SPF und DKIM der Domain von {sender} für den Server {host}. Geben Sie "
        "sonst die Antwort unten an die Person weiter, die Ihr DNS verwaltet.",
    ),
    "recipient_rejected": (
        "Empfänger abgelehnt",
        "Der Server lehnt den Empfänger {recipient} ab.",
        "Prüfen Sie die Schreibweise der Adresse bei „Empfänger der Testmail“ oder "
        "verwenden Sie eine andere Adresse.",
    ),
    "address_invalid": (
        "Adresse ungültig",
        "{role}:{detail}",
        "Korrigieren Sie die Adresse und senden Sie die Testmail erneut.",
    ),
    "smtputf8_missing": (
        "Adresse mit Umlauten – der Server kann sie nicht annehmen",
        "{role} {mailbox} enthält vor dem @ Umlaute oder andere Zeichen außerhalb von ASCII. "
        "Solche Adressen kann ein Server nur mit der Erweiterung SMTPUTF8 (RFC 6531) "
        "annehmen, und der Server {host} bietet sie nicht an.",
        "Verwenden Sie eine Adresse ohne Umlaute vor dem @ (z. B. „ue“ statt „ü“) – das "
        "Postfach braucht dafür meist eine zusätzliche Adresse (Alias). Oder bitten Sie den "
        "Betreiber des Mailservers, SMTPUTF8 einzuschalten.",
    ),
    "smtputf8_refused": (
        "Adresse mit Umlauten abgelehnt",
        "Der Server {host} hat eine Adresse mit Umlauten vor dem @ abgelehnt, obwohl er "
        "SMTPUTF8 (RFC 6531) anbietet.",
        "Verwenden Sie eine Adresse ohne Umlaute vor dem @ oder geben Sie die Antwort unten "
        "an den Betreiber des Mailservers weiter.",
    ),
    "connection_closed": (
        "Server hat die Verbindung beendet",
        "Der Server {host} hat die Verbindung{step} ohne Antwort beendet.",
        "Prüfen Sie Port und Verschlüsselung („SSL“ mit Port 465, „TLS“ mit Port 587). "
        "Bleibt es so, geben Sie das Protokoll unten an den Betreiber des Mailservers weiter.",
    ),
    "imap_port": (
        "Auf diesem Port antwortet der Posteingang (IMAP)",
        "Der Server {host} meldet sich auf Port {port} als IMAP-Server – der dient zum "
        "Abholen von Mails, nicht zum Versand (meist Port 993 oder 143).",
        "Tragen Sie den Port für den Versand ein: 587 mit Verschlüsselung „TLS“ oder 465 mit "
        "„SSL“. Der Servername ist oft derselbe; sonst nennt Ihr Anbieter den "
        "Postausgangsserver (SMTP).",
    ),
    "pop3_port": (
        "Auf diesem Port antwortet der Posteingang (POP3)",
        "Der Server {host} meldet sich auf Port {port} als POP3-Server – der dient zum "
        "Abholen von Mails, nicht zum Versand (meist Port 995 oder 110).",
        "Tragen Sie den Port für den Versand ein: 587 mit Verschlüsselung „TLS“ oder 465 mit "
        "„SSL“. Der Servername ist oft derselbe; sonst nennt Ihr Anbieter den "
        "Postausgangsserver (SMTP).",
    ),
    "not_smtp": (
        "Auf diesem Port antwortet kein Mailserver",
        "Der Server {host} hat auf Port {port}{step} etwas geschickt, das keine SMTP-Antwort "
        "ist (RFC 5321 §4.2). Dort läuft ein anderer Dienst oder ein defekter Mailserver.",
        "Prüfen Sie den Port: für den Versand meist 587 mit „TLS“ oder 465 mit „SSL“. Passt "
        "er, geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
    "reply_too_long": (
        "Server schickt eine übermäßig lange Antwort",
        "Der Server {host} hat{step} eine Antwortzeile geschickt, die weit länger ist, als "
        "SMTP erlaubt (RFC 5321 §4.5.3.1.5). Das ist ein Fehler des Servers, nicht Ihrer "
        "Eingaben.",
        "Geben Sie das Protokoll unten an den Betreiber des Mailservers weiter.",
    ),
    "no_reply_to_data_end": (
        "Keine Antwort auf das Ende der Testmail",
        "Der Server {host} hat Anmeldung, Absender und Empfänger angenommen und die Testmail "
        "vollständig erhalten, hat auf ihr Ende aber {ending}. Ob er sie angenommen hat, ist "
        "offen: Die Testmail kann trotzdem ankommen (RFC 5321 §4.1.1.4, §6.1). An Port, "
        "Verschlüsselung, Nutzer oder Passwort liegt das nicht – sie haben funktioniert.",
        "Sehen Sie im Postfach von {recipient} nach (auch im Spam-Ordner). Ist die Testmail "
        "da, klicken Sie auf den Bestätigungslink darin. Kommt sie nicht, geben Sie das "
        "Protokoll unten an den Betreiber des Mailservers weiter.",
    ),
    "temporary": (
        "Server vorübergehend nicht verfügbar",
        "Der Server {host} hat die Anfrage vorübergehend abgelehnt (Antwort 4xx).",
        "Versuchen Sie es in einigen Minuten noch einmal.",
    ),
    "message_rejected": (
        "Mail abgelehnt",
        "Der Server hat die Testmail selbst abgelehnt (z. B. als Spam eingestuft oder "
        "durch eine Richtlinie blockiert).",
        "Die Antwort des Servers unten nennt meist den Grund. Geben Sie sie sonst an den "
        "Betreiber des Mailservers weiter.",
    ),
    "plain_password_unconfirmed": (
        "Passwort würde unverschlüsselt übertragen",
        "Bei Verschlüsselung „keine“ würde das Passwort lesbar über das Internet gesendet. "
        "Der Test wurde deshalb nicht gestartet.",
        "Wählen Sie „TLS“ (Port 587) oder „SSL“ (Port 465). Wenn Ihr Server wirklich nur "
        "unverschlüsselt arbeitet, bestätigen Sie das ausdrücklich.",
    ),
    "port25_blocked": (
        "Port 25 ist vermutlich gesperrt",
        "Über Port 25 kam keine Verbindung zu {host} zustande. Viele Netze und Anbieter "
        "sperren ausgehenden Verkehr auf Port 25 – auch auf dem Weg von PRINT PPS zu "
        "Ihrem Server; Port 25 ist für die Zustellung zwischen Mailservern, nicht für "
        "den Versand mit Anmeldung.",
        "Verwenden Sie Port 587 mit „TLS“ oder Port 465 mit „SSL“.",
    ),
    "unexpected": (
        "Unerwartete Antwort",
        "Der Test ist an einer unerwarteten Stelle gescheitert.{detail}",
        "Prüfen Sie die Einstellungen. Bleibt der Fehler, geben Sie das Protokoll unten an "
        "den Betreiber des Mailservers oder an PEIQ weiter.",
    ),
}


# --- reply class first, and TLS causes that port and encryption cannot fix -----------------
TABLE.update(
    {
        "temporary_policy": (
            "Server lehnt vorübergehend ab",
            "Der Server {host} hat die Anfrage vorübergehend abgelehnt: Eine Antwort, die mit "
            "4 beginnt, heißt „jetzt nicht, später erneut versuchen“ (RFC 5321 §4.2.1). Der "
            "Text nennt eine Richtlinie des Servers, etwa zu viele Verbindungen in kurzer "
            "Zeit; eine Sperre ist das nicht.",
            "Senden Sie die Testmail in einigen Minuten erneut. Lehnt der Server auch dann "
            "noch ab, geben Sie die Antwort unten an den Betreiber des Mailservers weiter.",
        ),
        "auth_mechanism_too_weak": (
            "Anmeldeverfahren für dieses Konto zu schwach",
            "Der Server {host} lässt die Anmeldung von {username} mit diesem Verfahren nicht "
            "zu: Es ist schwächer, als seine Richtlinie für dieses Konto verlangt („534 5.7.9“, "
            "RFC 4954 §6). Am Passwort liegt das nicht, ein App-Passwort verlangt der Server "
            "auch nicht.",
            "Geben Sie die Antwort unten an den Betreiber des Mailservers weiter: Er muss für "
            "dieses Konto die Anmeldung mit Passwort über eine verschlüsselte Verbindung "
            "(AUTH PLAIN oder LOGIN) erlauben.",
        ),
        "tls_client_cert_required": (
            "Server verlangt ein Client-Zertifikat",
            "Der Server {host} lässt auf Port {port} nur Absender zu, die sich mit einem "
            "eigenen Zertifikat ausweisen (Client-Zertifikat). PRINT PPS meldet sich wie "
            "Mailprogramme mit Nutzer und Passwort an, nicht mit einem Zertifikat. Port und "
            "Verschlüsselung sind richtig gewählt.",
            "Bitten Sie den Betreiber des Mailservers, für diesen Port die Anmeldung mit "
            "Nutzer und Passwort ohne Client-Zertifikat zu erlauben, oder nennen Sie uns einen "
            "Port, an dem das gilt (meist 587 oder 465).",
        ),
        "tls_weak_dh": (
            "Schlüsselaustausch des Servers zu schwach",
            "Der Server {host} verwendet für den Schlüsselaustausch eine Diffie-Hellman-Gruppe "
            "mit weniger als 2048 Bit. Das gilt als unsicher; PRINT PPS baut so wie aktuelle "
            "Mailprogramme keine Verbindung auf. Port und Verschlüsselung sind richtig "
            "gewählt.",
            "Bitten Sie den Betreiber des Mailservers, eine Diffie-Hellman-Gruppe mit "
            "mindestens 2048 Bit einzurichten (RFC 7919) oder ECDHE-Verfahren anzubieten. "
            "Danach senden Sie die Testmail erneut.",
        ),
        "cert_cn_only": (
            "Zertifikat nennt den Servernamen nur im alten Feld CN",
            "Das Zertifikat von {host} nennt diesen Namen nur im Feld „CN“ (Common Name), "
            "nicht in der Liste der Namen (subjectAltName). Nach RFC 9525 (Abschnitt 6.3) "
            "prüfen Mailprogramme und PRINT PPS nur diese Liste; für sie gilt das Zertifikat "
            "deshalb für keinen Namen. Port und Verschlüsselung sind richtig gewählt.",
            "Bitten Sie den Betreiber des Mailservers, ein Zertifikat einzurichten, das "
            "{host} als subjectAltName enthält (das tun alle heutigen Zertifizierungsstellen, "
            "z. B. Let’s Encrypt).",
        ),
    }
)
# When the server had already answered over the chosen port and encryption (context
# "proven"), a text must not send the customer to check them again.
PROVEN_VARIANTS: dict[str, tuple[str, str, str]] = {
    "connection_closed": (
        "Server hat die Verbindung beendet",
        "Der Server {host} hat die Verbindung{step} ohne Antwort beendet. Port und "
        "Verschlüsselung sind richtig gewählt: Bis dahin hat der Server auf diesem Weg "
        "geantwortet.",
        "Senden Sie die Testmail in einigen Minuten erneut. Bleibt es so, geben Sie das "
        "Protokoll unten an den Betreiber des Mailservers weiter.",
    ),
    "tls_closed": (  # STARTTLS offered and accepted (220): "TLS" is right for this port
        "Server bricht den Aufbau der Verschlüsselung ab",
        "Der Server {host} hat auf Port {port} STARTTLS angeboten und angenommen, dann aber "
        "die Verbindung beendet, während die Verschlüsselung aufgebaut wurde. Port und "
        "Verschlüsselung sind richtig gewählt. Häufige Ursachen: ein Fehler in der "
        "TLS-Einrichtung des Servers (Zertifikat oder Schlüssel) oder ein Gerät dazwischen "
        "(Firewall, Virenscanner), das verschlüsselte Verbindungen abbricht.",
        "Geben Sie diese Meldung an den Betreiber des Mailservers weiter; prüft Ihre eigene "
        "IT-Abteilung ausgehende Verbindungen (Firewall), fragen Sie auch dort.",
    ),
}
# --- end of reply class and TLS causes ---------------------------------------------------------


# Texts that depend on whether the login had succeeded (context "authenticated").
VARIANTS: dict[tuple[str, bool], tuple[str, str, str]] = {
    ("relay_denied", False): (
        "Weiterleitung verweigert",
        "Der Server will die Mail an {recipient} nicht weiterleiten („relaying denied“). "
        "Meist fehlt die Anmeldung oder die Absenderadresse gehört nicht zum Konto.",
        "Tragen Sie Nutzer und Passwort ein und verwenden Sie als Absenderadresse die "
        "Adresse des Postfachs.",
    ),
    ("auth_required", True): (
        "Server verlangt eine Anmeldung",
        "Der Server {host} verlangt eine Anmeldung, obwohl die Anmeldung als {username} gerade "
        "geklappt hat. Das liegt an einer Einstellung des Servers, nicht an Ihren Eingaben.",
        "Prüfen Sie, ob Server/Host der Postausgangsserver Ihres Anbieters ist (meist Port 587 "
        "mit „TLS“). Geben Sie sonst die Antwort unten an den Betreiber des Mailservers weiter.",
    ),
}


# Texts for when the customer chose "Mein Server braucht keine Anmeldung" (no AUTH sent).
NO_LOGIN_VARIANTS: dict[str, tuple[str, str, str]] = {
    "auth_required": (
        "Server verlangt doch eine Anmeldung",
        "Sie haben „Mein Server braucht keine Anmeldung“ gewählt, aber der Server {host} "
        "nimmt die Testmail nur nach einer Anmeldung an.",
        "Nehmen Sie das Häkchen bei „Mein Server braucht keine Anmeldung“ heraus, tragen "
        "Sie Nutzer und Passwort ein und senden Sie die Testmail erneut. Soll der Server "
        "PRINT PPS ohne Anmeldung zulassen, muss sein Betreiber die IP-Adressen freigeben, von "
        "denen PRINT PPS sendet – fragen Sie Ihre PEIQ-Ansprechperson danach.",
    ),
    "relay_denied": (
        "Weiterleitung ohne Anmeldung verweigert",
        "Der Server will die Mail an {recipient} ohne Anmeldung nicht weiterleiten "
        "(„relaying denied“): Er lässt die IP-Adresse, von der der Test kam, nicht zu.",
        "Soll der Server PRINT PPS ohne Anmeldung zulassen, muss sein Betreiber die IP-Adressen "
        "freigeben, von denen PRINT PPS sendet – fragen Sie Ihre PEIQ-Ansprechperson danach. "
        "Sonst nehmen Sie das Häkchen bei „Mein Server braucht keine Anmeldung“ heraus und "
        "tragen Nutzer und Passwort ein.",
    ),
}


# Sentences a finding adds to its text (context "note").
NOTES = {
    # what is wrong with a typed host name (netguard.normalize_host)
    "host_is_address": "Das sieht nach einer E-Mail-Adresse aus; gefragt ist der Name des "
    "Mailservers, z. B. smtp.ihre-firma.de.",
    "host_spaces": "Der Name enthält Leerzeichen.",
    "host_not_ip": "Das ist keine gültige IP-Adresse.",
    "host_brackets": "Die Klammern sind unvollständig.",
    "host_port": "Der Port hinter dem „:“ ist ungültig.",
    "host_missing": "Es fehlt der Servername.",
    "host_characters": "Er enthält Zeichen, die in Servernamen nicht erlaubt sind, oder einen zu "
    "langen Namensteil.",
    "host_too_long": "Der Name ist zu lang oder unvollständig.",
    "ssl_timeout": "Die verschlüsselte Verbindung (SSL) kam nicht zustande. Spricht der Server "
    "auf diesem Port unverschlüsselt, wählen Sie „TLS“ mit Port 587.",
    "plain_without_auth": "Ohne Verschlüsselung bieten viele Server keine Anmeldung an.",
    "self_signed": "Das Zertifikat ist selbst ausgestellt.",
    "untrusted_root": "Der Server schickt die ganze Kette mit, sie endet aber bei einer "
    "Stelle, die nicht allgemein anerkannt ist (z. B. eine firmeneigene "
    "Zertifizierungsstelle).",
    "unknown_issuer": "Der Aussteller ist keine allgemein anerkannte Stelle (z. B. eine "
    "firmeneigene Zertifizierungsstelle), und der Server schickt kein Zertifikat mit, das "
    "ihn auf eine anerkannte Stelle zurückführt.",
    "weak_key": "Sein Schlüssel ist zu kurz (z. B. RSA mit 1024 Bit).",
    "weak_digest": "Es ist mit einem veralteten Verfahren signiert (z. B. SHA-1).",
    "unknown_encryption": "Unbekannte Verschlüsselung.",
}
TECHNICAL = "Technische Meldung: {}."

# OpenSSL's reasons for a failed handshake, for people (the transcript keeps the original).
OPENSSL_REASONS = {
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "Der Server hat den Aufbau mit der Meldung "
    "„handshake failure“ abgebrochen: Er fand keine gemeinsamen Verfahren.",
    "NO_SHARED_CIPHER": "Es gibt kein gemeinsames Verschlüsselungsverfahren.",
    "NO_CIPHERS_AVAILABLE": "Es gibt kein gemeinsames Verschlüsselungsverfahren.",
    "NO_SUITABLE_SIGNATURE_ALGORITHM": "Es gibt kein gemeinsames Signaturverfahren.",
    "TLSV1_ALERT_PROTOCOL_VERSION": "Der Server lehnt die angebotene TLS-Version ab.",
    "UNSUPPORTED_PROTOCOL": "Der Server bietet nur eine nicht unterstützte TLS-Version an.",
    "TLSV1_ALERT_INSUFFICIENT_SECURITY": "Der Server hält die angebotenen Verfahren für "
    "zu schwach.",
    "DH_KEY_TOO_SMALL": "Der Schlüsselaustausch des Servers ist zu schwach (DH-Schlüssel "
    "unter 2048 Bit).",
    "EE_KEY_TOO_SMALL": "Der Schlüssel im Zertifikat des Servers ist zu kurz.",
    "CA_MD_TOO_WEAK": "Das Zertifikat des Servers ist mit einem veralteten Verfahren signiert.",
    "TLSV1_ALERT_INTERNAL_ERROR": "Der Server meldet einen internen Fehler beim Aufbau.",
}


def openssl_reason(reason: str) -> str:
    """OpenSSL's reason for people: a German sentence, or the raw reason as technical note."""
    return OPENSSL_REASONS.get(reason) or TECHNICAL.format(reason)


# Why an address cannot go into MAIL FROM / RCPT TO (RFC 5321 §4.1.2, §4.5.3.1.1).
ADDRESS_PROBLEMS = {
    "incomplete": "„{address}“ ist keine vollständige E-Mail-Adresse.",
    "local_part": "Der Teil vor dem @ in „{address}“ ist so nicht gültig: Erlaubt sind "
    "Buchstaben (auch Umlaute), Ziffern, einzelne Punkte zwischen Zeichen und {specials} – "
    "keine Leerzeichen, Klammern, Kommas oder Strichpunkte, außer der ganze Teil steht in "
    "Anführungszeichen (RFC 5321 §4.1.2).",
    "too_long": "Der Teil vor dem @ in „{address}“ ist zu lang: höchstens {octets} Bytes sind "
    "erlaubt (RFC 5321).",
    "domain": "Der Teil nach dem @ („{domain}“) ist kein gültiger Domainname.",
    "mixed_script": "Der Teil nach dem @ („{domain}“) mischt lateinische mit kyrillischen "
    "oder griechischen Buchstaben („{label}“), z. B. ein kyrillisches „е“, das wie ein "
    "lateinisches „e“ aussieht. So sieht die Adresse richtig aus, gehört aber zu einer "
    "anderen Domain. Tippen Sie die Domain neu ein, statt sie zu kopieren.",
}
ROLES = {"sender": "Absenderadresse", "recipient": "Empfänger der Testmail"}

# What "Einstellungen ermitteln" says about one port/encryption pair.
PROBE_MESSAGES = {
    "ok": "Port {port} mit Verschlüsselung „{label}“ funktioniert.",
    "auth_not_offered": "Port {port} mit Verschlüsselung „{label}“ funktioniert, bietet "
    "aber keine Anmeldung an – für den Versand mit Nutzer und Passwort ist das nicht "
    "geeignet.",
    "auth_not_offered_plain": "Port {port} mit Verschlüsselung „{label}“ funktioniert, "
    "bietet aber ohne Verschlüsselung keine Anmeldung an – für den Versand mit Nutzer und "
    "Passwort ist das nicht geeignet.",
    "auth_methods_unsupported": "Port {port} mit Verschlüsselung „{label}“ funktioniert, "
    "bietet aber nur Anmeldeverfahren an, die PRINT PPS nicht nutzen kann ({methods}).",
}

# Lines the test writes into the transcript itself (the others are the dialogue).
TRANSCRIPT = {
    "connecting": "* Verbinde mit {address} Port {port} …",
    "connected": "* Verbunden mit {address} Port {port}",
    "not_connected": "* Keine Verbindung: {error}",
    "timeout": "Zeitüberschreitung",
    "cert_refused": "* TLS-Zertifikat abgelehnt: {detail}",
    "tls_failed": "* TLS-Fehler: {reason}",
    "cert_issuer": "* TLS-Zertifikat ausgestellt von {issuer}",
    "tls_session": "* {version} ({cipher}), Zertifikat für {subject}, ausgestellt von "
    "{issuer}, gültig bis {not_after}",
    "helo_fallback": "* Der Server versteht EHLO nicht, weiter mit HELO (RFC 5321 §3.2)",
    "mail_sent": "C: [Testmail, {size} Bytes]",
    "copy_refused": "* Die Kopie an die Prüfadresse lehnte der Server ab ({code}); die Testmail"
    " an Ihr Postfach geht trotzdem",
    "result": "* Ergebnis: {title}",
    "no_methods": "keine",
}


# Failures only the operator of the mail server (the customer's IT or hoster) can fix: what to
# ask them for, in a short text the customer passes on (operator_request).
OPERATOR_ASKS = {
    "cert_untrusted": "richten Sie ein Zertifikat einer anerkannten Stelle ein (z. B. "
    "Let’s Encrypt) – selbst signierte oder interne Zertifikate lehnen Absender ab",
    "cert_weak": "ersetzen Sie das Zertifikat durch eines mit ausreichend langem Schlüssel",
    "cert_chain_incomplete": "richten Sie die vollständige Zertifikatskette ein (bei "
    "Let’s Encrypt: fullchain.pem statt cert.pem)",
    "cert_not_yet_valid": "prüfen Sie die Uhrzeit des Servers und das Gültig-ab-Datum "
    "des Zertifikats",
    "cert_expired": "erneuern Sie das Zertifikat",
    "tls_outdated": "schalten Sie TLS 1.2 oder neuer ein",
    "tls_no_shared_cipher": "schalten Sie zeitgemäße Verschlüsselungsverfahren (TLS 1.2 "
    "oder neuer) ein",
    "starttls_refused": "prüfen Sie, warum der Server STARTTLS ablehnt (oft ein fehlendes "
    "oder falsch eingebundenes Zertifikat)",
}
DATES = ("not_after", "not_before")  # ISO dates (YYYY-MM-DD) the page shows as 06.12.2026


def german_date(value) -> str:
    """An ISO date "2026-12-05" as the page writes dates ("05.12.2026"); other text unchanged."""
    text = str(value)
    if len(text) == 10 and text[4] == text[7] == "-" and text.replace("-", "").isdigit():
        return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
    return text


def operator_request(result: dict, host: str, port) -> str | None:
    """A short German text for the mail server's operator, or None when the customer can act.

    result: a stored SmtpResult (code, title, message, reply, tls). Names the server, what the
    test found, what to change, and the technical facts (certificate, reply) for the reader.
    """
    ask = OPERATOR_ASKS.get(result.get("code") or "")
    if ask is None:
        return None
    facts = []
    tls = result.get("tls") or {}
    if tls:
        facts.append(
            f"Zertifikat für {tls.get('subject') or '?'}, ausgestellt von "
            f"{tls.get('issuer') or '?'}, gültig bis {german_date(tls.get('not_after') or '?')}"
        )
    # what the TLS layer said about the certificate (issuer, names), from the transcript
    facts += [ln[2:] for ln in result.get("transcript") or () if ln.startswith("* TLS")]
    if result.get("reply"):
        facts.append(f"Antwort des Servers: {result['reply']}")
    return (
        f"Guten Tag,\n\nPEIQ PRINT PPS soll über unseren Mailserver {host} (Port {port}) "
        f"System-E-Mails senden. Der Test dabei meldet: {result.get('title')}.\n\n"
        f"{result.get('message')}\n\nBitte {ask}. Danach wiederholen wir den Test.\n"
        + (f"\nTechnische Angaben: {'; '.join(facts)}\n" if facts else "")
    )


def line(key: str, **values) -> str:
    """One German transcript line (or word) of TRANSCRIPT, filled with values."""
    values = {k: german_date(v) if k in DATES else v for k, v in values.items()}
    return TRANSCRIPT[key].format(**values)


def address_problem(reason: str, **values) -> str:
    """The German sentence for an address problem of ADDRESS_PROBLEMS."""
    return ADDRESS_PROBLEMS[reason].format(**values)


# Where the server ended the connection, by the step of the dialogue (context "step").
STEP_WORDS = {
    "connect": "gleich nach dem Verbindungsaufbau",
    "greeting": "bei der Begrüßung",
    "tls": "gleich nach dem Aufbau der Verschlüsselung",
    "ehlo": "nach EHLO",
    "ehlo_tls": "nach EHLO über die verschlüsselte Verbindung",
    "helo": "nach HELO",
    "starttls": "beim Umschalten auf Verschlüsselung (STARTTLS)",
    "mail": "nach der Absenderadresse (MAIL FROM)",
    "rcpt": "nach dem Empfänger (RCPT TO)",
    "data": "beim Senden der Testmail (DATA)",
}


# How the reply to the end of the test mail stayed away (context "ending").
DATA_ENDINGS = {
    "timeout": "nicht rechtzeitig geantwortet",
    "closed": "nicht geantwortet, sondern die Verbindung beendet",
}


class _Context(dict):
    """Mapping for str.format_map that falls back to neutral wording for unknown keys."""

    def __missing__(self, key: str) -> str:
        return DEFAULTS.get(key, "")


_FORMATTER = string.Formatter()


def describe(code: str, **context) -> Diagnosis:
    """Return the German title, explanation and next step for a failure class."""
    authenticated = context.pop("authenticated", None)
    login_chosen = context.pop("login_chosen", True)
    proven = context.pop("proven", False)
    title, message, next_step = (
        (proven and PROVEN_VARIANTS.get(code))
        or (not login_chosen and NO_LOGIN_VARIANTS.get(code))
        or VARIANTS.get((code, authenticated))
        or TABLE.get(code)
        or PROVIDER_TABLE.get(code, TABLE["unexpected"])
    )
    # A-labels only on the wire: a person reads the server's and the certificate's names
    # with U-labels (mail.müller-verlag.de, not mail.xn--mller-verlag-dlb.de).
    for key in ("host", "cert_names"):
        if isinstance(context.get(key), str):
            context[key] = display_domain(context[key])
        elif isinstance(context.get(key), list | tuple):
            context[key] = [display_domain(str(n)) for n in context[key]]
    values = _Context({k: german_date(v) if k in DATES else _text(v)
                       for k, v in context.items() if v not in (None, "")})  # fmt: skip
    if values.get("host") and values.get("host") == values.get("address"):
        # the customer typed an address: "Der Server 127.0.0.1", not "127.0.0.1 (127.0.0.1)"
        title, message, next_step = (
            t.replace(" ({address})", "") for t in (title, message, next_step)
        )
    values["cert_suggestion"] = _cert_suggestion(context.get("cert_names"))
    if context.get("note") in NOTES:
        values["detail"] = " ".join(filter(None, (NOTES[context["note"]], values.get("detail"))))
    if context.get("role") in ROLES:
        values["role"] = ROLES[context["role"]]
    values["ending"] = DATA_ENDINGS.get(context.get("ending"), DATA_ENDINGS["closed"])
    step = STEP_WORDS.get(context.get("step"), "")
    values["step"] = f" {step}" if step else ""
    if context.get("old_cipher"):
        values["cipher_note"] = (
            f" Er bietet nur veraltete Verfahren an, z. B. {context['old_cipher']} mit "
            f"{values['tls_version']}."
        )
    if "detail" in values:
        values["detail"] = " " + values["detail"]
    message = _FORMATTER.vformat(message, (), values)
    reply = values.get("reply")
    if reply and code != "ok":
        message += f" Antwort des Servers: „{reply}“"
    return Diagnosis(
        title=_FORMATTER.vformat(title, (), values),
        message=message,
        next_step=_FORMATTER.vformat(next_step, (), values),
    )


def _cert_suggestion(names) -> str:
    """Names from a certificate that can be typed as Server/Host; wildcards only as a pattern."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",")]
    names = [n for n in names or () if n]
    plain = [n for n in names if "*" not in n]
    wildcards = [n for n in names if n.startswith("*.")]
    parts = []
    if plain:
        parts.append(f"einen Namen aus dem Zertifikat ({', '.join(plain)})")
    if wildcards:
        example = "xyz" + wildcards[0][1:]
        parts.append(
            f"einen Namen passend zu {', '.join(wildcards)} "
            f"(z. B. {example} – den genauen Namen nennt Ihr Anbieter)"
        )
    if not parts:
        return (
            "den Namen, für den das Zertifikat ausgestellt ist (den genauen Namen nennt Ihr "
            "Anbieter)"
        )
    return " oder ".join(parts)


def _text(value) -> str:
    """Render a context value: lists joined, everything else as str."""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)


# No host typed at all (netguard.normalize_host).
HOST_EMPTY = (
    "Bitte geben Sie bei Server/Host den Namen des Mailservers ein, z. B. smtp.ihre-firma.de."
)

# The test mail the SMTP test sends (smtp/message.build_test_mail): subject, plain text and
# HTML; {customer_name}, {host} and {url} arrive HTML-escaped in the HTML part.
TEST_MAIL_SUBJECT = "Testmail von PEIQ PRINT PPS – bitte bestätigen"
TEST_MAIL_TEXT = (
    "Guten Tag,\n\n"
    "dies ist eine Testmail von PEIQ PRINT PPS für {customer_name}.\n"
    "Sie wurde über den SMTP-Server {host} (Port {port}) verschickt.\n\n"
    "Bitte bestätigen Sie, dass diese Mail angekommen ist, indem Sie den folgenden Link "
    "öffnen:\n\n"
    "{url}\n\n"
    "Mit diesem Klick ist nachgewiesen, dass Systemmails von PRINT PPS Ihr Postfach "
    "erreichen.\n\n"
    "Vielen Dank!\nIhr PEIQ-Team\n"
)
TEST_MAIL_HTML = (
    '<!DOCTYPE html><html lang="de"><body>'
    "<p>Guten Tag,</p>"
    "<p>dies ist eine Testmail von PEIQ PRINT PPS für {customer_name}. "
    "Sie wurde über den SMTP-Server {host} "
    "(Port {port}) verschickt.</p>"
    "<p>Bitte bestätigen Sie, dass diese Mail angekommen ist:</p>"
    '<p><a href="{url}">Ankunft der Testmail bestätigen</a></p>'
    "<p>Falls der Link nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:"
    "<br>{url}</p>"
    "<p>Mit diesem Klick ist nachgewiesen, dass Systemmails von PRINT PPS Ihr "
    "Postfach erreichen.</p>"
    "<p>Vielen Dank!<br>Ihr PEIQ-Team</p></body></html>"
)

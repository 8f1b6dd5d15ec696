"""Failure classes of the live checks -> plain-German title, explanation and next step."""

from __future__ import annotations

import string
from dataclasses import dataclass

# Said once wherever SSL and TLS get mixed up: the words name the moment, not the strength.
SSL_TLS_NOTE = (
    "SSL und TLS bedeuten hier, *wann* die Verschlüsselung beginnt, nicht wie sicher sie ist: "
    "SSL verschlüsselt ab dem ersten Byte (meist Port 465), TLS beginnt unverschlüsselt und "
    "schaltet dann per STARTTLS um (meist Port 587)."
)

ENCRYPTION_LABELS = {"ssl": "SSL", "tls": "TLS", "none": "keine"}

# Neutral fallbacks, so that every text reads well even when the check knows little.
DEFAULTS = {
    "host": "der angegebene Server",
    "port": "dem angegebenen Port",
    "address": "die ermittelte Adresse",
    "allowed_ports": "25, 465, 587",
    "cert_names": "(nicht ermittelbar)",
    "not_after": "(unbekannt)",
    "issuer": "(unbekannt)",
    "suggested_port": "587",
    "suggested_encryption": "TLS",
    "sender": "die Absenderadresse",
    "recipient": "der Empfänger",
    "username": "der Nutzer",
    "detail": "",
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
        "stimmen und der Server will die Mail zustellen. Ob sie wirklich ankommt, ist damit "
        "noch nicht bewiesen.",
        "Öffnen Sie im Postfach von {recipient} die Testmail und klicken Sie auf den "
        "Bestätigungslink darin. Erst das beweist, dass die Mail angekommen ist. Sehen Sie "
        "auch im Spam-Ordner nach.",
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
    "cert_untrusted": (
        "Zertifikat nicht vertrauenswürdig",
        "Das Zertifikat von {host} stammt nicht von einer anerkannten Stelle (z. B. ein "
        "selbst ausgestelltes Zertifikat). Aussteller: {issuer}.{detail}",
        "Der Betreiber des Mailservers sollte ein Zertifikat einer anerkannten Stelle "
        "einrichten (z. B. Let’s Encrypt). Verwenden Sie sonst den Servernamen Ihres "
        "Anbieters, für den ein gültiges Zertifikat vorliegt.",
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
        "Tragen Sie bei Server/Host den Namen aus dem Zertifikat ein ({cert_names}) und "
        "senden Sie die Testmail erneut.",
    ),
    "tls_error": (
        "Verschlüsselung fehlgeschlagen",
        "Die verschlüsselte Verbindung zu {host} kam nicht zustande.{detail}",
        "Prüfen Sie Port und Verschlüsselung (SSL meist Port 465, TLS meist Port 587). "
        "Bleibt der Fehler, fragen Sie den Betreiber des Mailservers.",
    ),
    "auth_not_offered": (
        "Server bietet keine Anmeldung an",
        "Der Server {host} bietet auf Port {port} keine Anmeldung (AUTH) an.{detail}",
        "Prüfen Sie Port und Verschlüsselung – viele Server erlauben die Anmeldung nur "
        "verschlüsselt, etwa mit TLS auf Port 587. Braucht Ihr Server keine Anmeldung, "
        "lassen Sie Nutzer leer.",
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
        "sein.",
        "Bitten Sie eine Administratorin oder einen Administrator Ihres Microsoft-365-Kontos, "
        "„Authentifiziertes SMTP“ für dieses Postfach (und ggf. für die Organisation) "
        "einzuschalten. App-Kennwörter helfen hier nicht.",
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
        "Der Server will die Mail an {recipient} nicht weiterleiten („relaying denied“). "
        "Meist fehlt die Anmeldung oder die Absenderadresse gehört nicht zum Konto.",
        "Tragen Sie Nutzer und Passwort ein und verwenden Sie als Absenderadresse die "
        "Adresse des Postfachs.",
    ),
    "recipient_rejected": (
        "Empfänger abgelehnt",
        "Der Server lehnt den Empfänger {recipient} ab.",
        "Prüfen Sie die Schreibweise der Adresse bei „Empfänger der Testmail“ oder "
        "verwenden Sie eine andere Adresse.",
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
        "sperren ausgehenden Verkehr auf Port 25.",
        "Verwenden Sie Port 587 mit „TLS“ oder Port 465 mit „SSL“.",
    ),
    "unexpected": (
        "Unerwartete Antwort",
        "Der Test ist an einer unerwarteten Stelle gescheitert.{detail}",
        "Prüfen Sie die Einstellungen. Bleibt der Fehler, geben Sie das Protokoll unten an "
        "den Betreiber des Mailservers oder an PEIQ weiter.",
    ),
}


class _Context(dict):
    """Mapping for str.format_map that falls back to neutral wording for unknown keys."""

    def __missing__(self, key: str) -> str:
        return DEFAULTS.get(key, "")


_FORMATTER = string.Formatter()


def describe(code: str, **context) -> Diagnosis:
    """Return the German title, explanation and next step for a failure class."""
    title, message, next_step = TABLE.get(code, TABLE["unexpected"])
    values = _Context({k: _text(v) for k, v in context.items() if v not in (None, "")})
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


def _text(value) -> str:
    """Render a context value: lists joined, everything else as str."""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)

"""German messages of checks/domain.normalize_domain, by code ({text}: what was typed)."""

DOMAIN_PROBLEMS = {
    "empty": "Bitte geben Sie eine Domain ein, zum Beispiel firma.de.",
    "ip_address": "„{text}“ ist eine IP-Adresse. Bitte geben Sie die Domain Ihrer "
    "Absenderadresse ein, zum Beispiel firma.de.",
    "spaces": "Ein Domainname enthält keine Leerzeichen. Bitte geben Sie nur die Domain ein, "
    "zum Beispiel firma.de.",
    "invalid": "„{text}“ ist kein gültiger Domainname. Erlaubt sind Buchstaben, Ziffern und "
    "Bindestriche, getrennt durch Punkte, zum Beispiel firma.de.",
    "incomplete": "„{text}“ ist keine vollständige Domain. Bitte geben Sie die Domain mit "
    "Endung an, zum Beispiel firma.de.",
    "invalid_short": "„{text}“ ist kein gültiger Domainname.",
}

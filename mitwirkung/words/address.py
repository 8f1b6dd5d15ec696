"""German messages of address.addr_spec / not_pruefadresse, by code; `{example}` is EXAMPLE."""

EXAMPLE = "z. B. it@ihre-firma.de"

ADDRESS_PROBLEMS = {
    "several": "Bitte genau eine E-Mail-Adresse eingeben (es steht mehr als ein @ darin), "
    "{example}.",
    "incomplete": "Bitte eine vollständige E-Mail-Adresse eingeben, {example}.",
    "characters": "Vor dem @ stehen Zeichen, die in einer E-Mail-Adresse nicht vorkommen dürfen: "
    "{shown}. Bitte genau eine Adresse eingeben, {example}.",
    "encoded": "Vor dem @ steht eine verschlüsselte Schreibweise („=?…?=“), die Mailprogramme "
    "anders lesen als Server. Bitte die Adresse im Klartext eingeben, {example}.",
    "dots": "Vor dem @ darf ein Punkt nicht am Anfang oder am Ende stehen und nicht doppelt. "
    "Bitte prüfen Sie die Adresse, {example}.",
    "local_too_long": "Der Teil vor dem @ ist länger als 64 Zeichen – bitte prüfen.",
    "domain_characters": "Nach dem @ steht ein Zeichen, das in keinem Domainnamen vorkommt. "
    "{example}.",
    "no_dot": "Der Teil nach dem @ („{domain}“) braucht eine Endung wie .de oder .com.",
    "too_long": "Die Adresse ist länger als 254 Zeichen – bitte prüfen.",
    "pruefadresse": "Das ist eine Prüfadresse (…@{inbound_domain}) – sie nimmt nur Mails an, die "
    "Sie auf dem gewählten Weg senden. Bitte geben Sie hier eine Adresse einer Person ein, "
    "{example}.",
    "none": "Es ist keine Empfänger-Adresse angegeben.",
}
SPACE = "Leerzeichen"  # a blank among the characters shown

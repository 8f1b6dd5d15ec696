"""The German words for every DNS finding: code -> (what is wrong, what to do).

The record checks report findings as a code, a state and parameters; this is the one place
where they become sentences a customer reads. Placeholders are filled from the parameters;
a list parameter is shown as „a“, „b“; "where" (the included record a fault was found in) is
added by render() when set; "no_fix" leaves out the finding's fix (when another finding's fix
replaces it, e.g. a record to create instead of a wildcard's answer to edit).
"""

from __future__ import annotations

import re

from mitwirkung.checks.domain import display_domain
from mitwirkung.checks.finding import Finding

# Names of characters a customer cannot see in a DNS panel.
CHARACTERS = {  # code point -> (nominative, dative), both with the indefinite article
    "U+0020": ("ein Leerzeichen", "einem Leerzeichen"),
    "U+0009": ("ein Tabulator", "einem Tabulator"),
    "U+000A": ("ein Zeilenumbruch", "einem Zeilenumbruch"),
    "U+000D": ("ein Zeilenumbruch", "einem Zeilenumbruch"),
    "U+00A0": (
        "ein geschütztes Leerzeichen (U+00A0, oft beim Kopieren aus Word oder PDF)",
        "einem geschützten Leerzeichen (U+00A0, oft beim Kopieren aus Word oder PDF)",
    ),
    "U+00AD": ("ein unsichtbarer Trennstrich (U+00AD)", "einem unsichtbaren Trennstrich (U+00AD)"),
    "U+200B": ("ein unsichtbares Leerzeichen (U+200B)", "einem unsichtbaren Leerzeichen (U+200B)"),
    "U+200C": ("ein unsichtbares Zeichen (U+200C)", "einem unsichtbaren Zeichen (U+200C)"),
    "U+200D": ("ein unsichtbares Zeichen (U+200D)", "einem unsichtbaren Zeichen (U+200D)"),
    "U+2060": ("ein unsichtbares Zeichen (U+2060)", "einem unsichtbaren Zeichen (U+2060)"),
    "U+FEFF": (
        "ein unsichtbares Zeichen (U+FEFF, Byte-Order-Mark)",
        "einem unsichtbaren Zeichen (U+FEFF, Byte-Order-Mark)",
    ),
}
QUALIFIERS = {
    "-": ("verbietet Mailjet ausdrücklich", "ohne Minus"),
    "~": ("stuft Mailjet als verdächtig ein", "ohne Tilde"),
    "?": (
        "macht für Mailjet keine Aussage (neutral) und genügt deshalb nicht",
        "ohne Fragezeichen",
    ),
}
PROPAGATION = (
    "Ein gerade angelegter Eintrag kann einige Minuten, selten einige Stunden, brauchen, "
    "bis er überall sichtbar ist; diese Seite prüft dann von selbst erneut."
)
NO_SECOND = "Legen Sie keinen zweiten SPF-Eintrag an."
ZONE_NO_VALUE = "noch kein gültiger Wert, siehe die Zeile oben"  # a zone-file comment line
MAILBOX_NOTE = (
    "Möchten Sie Berichte bekommen, wer in Ihrem Namen E-Mails sendet, ergänzen Sie am Ende "
    "„; rua=mailto:“ und die Adresse eines Postfachs, das es gibt (ein Postfach an einer "
    "anderen Domain nur, wenn diese Domain es erlaubt)."
)
UNDERSCORE_NOTE = (
    " Lässt Ihr Anbieter keinen Unterstrich (_) im Host zu, fragen Sie dessen Support oder PEIQ:"
    " der Unterstrich ist nötig."
)
HOST_STEPS = {  # the step for a DNS panel's host field (checks/dnsprovider.host_step)
    "empty": "Lassen Sie „{field}“ leer – der Eintrag gilt für die Domain selbst",
    "root": "Tragen Sie bei „{field}“ „@“ ein – das steht für die Domain selbst",
    "host": "Tragen Sie bei „{field}“ „{entry}“ ein",
}
SPF_VALUE_UNCHECKED = (  # for text outside the page (a mail) when no SPF value is offered
    "(kein fester Wert: Gibt es unter diesem Host schon einen SPF-Eintrag, beginnend mit "
    "v=spf1, ergänzen Sie ihn vor dem „all“ am Ende um include:spf.mailjet.com – es darf nur "
    "einen geben; sonst legen Sie v=spf1 include:spf.mailjet.com ~all neu an. Die Prüfung "
    "zeigt danach, ob der Eintrag gültig ist.)"
)
ALLOWED_REMOVED = {"pct": "0 bis 100", "rf": "afrf", "ri": "eine Zahl (Sekunden)"}
NUMBERS = {2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht",
           9: "neun", 10: "zehn", 11: "elf", 12: "zwölf"}  # fmt: skip
TIMES = {2: "zweimal", 3: "dreimal", 4: "viermal", 5: "fünfmal"}
SUBJECTS = {  # what could not be checked when the DNS did not answer
    "verification": "den Bestätigungseintrag",
    "spf": "den SPF-Eintrag",
    "dkim": "den DKIM-Schlüssel",
    "dmarc": "den DMARC-Eintrag",
    "record": "den Eintrag",
}
WHERE = " (im SPF-Eintrag von {where})"
VIA_FIX = (
    "Der Fehler steht im SPF-Eintrag von {where}, den Sie über „{via}“ einbinden: gehört "
    "{where} Ihnen, korrigieren Sie ihn dort; sonst entfernen Sie „{via}“ aus Ihrem SPF-Eintrag "
    "oder bitten Sie den Betreiber von {where}, den Fehler zu beheben."
)

# code -> (message, fix); both may use the finding's parameters.
TEXTS: dict[str, tuple[str, str]] = {
    # --- shared -----------------------------------------------------------------------------
    "dns.unavailable": (
        "Der DNS-Server antwortet gerade nicht (Zeitüberschreitung oder Serverfehler), deshalb "
        "konnten wir {subject_text} im Moment nicht prüfen. Das heißt nicht, dass der Eintrag "
        "fehlt.",
        "Bitte prüfen Sie es in einigen Minuten erneut.",
    ),
    "dns.doubled": (
        "Der Eintrag steht unter {doubled}: Sie haben den vollständigen Namen als Host "
        "eingetragen, und Ihr DNS-Anbieter hängt die Domain noch einmal an.",
        "Sie haben „{typed}“ eingetragen; richtig ist als Host nur „{host}“. Ändern Sie den "
        "Host entsprechend.",
    ),
    "dns.host_short": (
        "Der Eintrag steht unter {found_at}, nicht unter {fqdn}: als Host ist „{typed}“ "
        "eingetragen, und Ihr DNS-Anbieter hängt die Zone an, nicht die Subdomain.",
        "Ändern Sie den Host von „{typed}“ in „{host}“.",
    ),
    "spf.type99": (
        "Unter {fqdn} steht der SPF-Eintrag nur als Eintrag vom Typ „SPF“, nicht als "
        "TXT-Eintrag. Empfänger fragen nur nach TXT-Einträgen; den Typ SPF gibt es seit RFC 7208 "
        "(Abschnitte 3.1 und 14.1) nicht mehr, für Empfänger hat Ihre Domain also keinen "
        "SPF-Eintrag.",
        "{type99_fix}",
    ),
    "spf.cname": (
        "Unter {fqdn} steht ein CNAME-Eintrag (Verweis auf {target}), gebraucht wird dort aber "
        "ein TXT-Eintrag. Ein Name mit CNAME kann keine weiteren Einträge haben.",
        "Ein SPF-Eintrag braucht einen TXT-Eintrag direkt unter der Domain. Ersetzen Sie den "
        "CNAME durch eigene Einträge oder wählen Sie eine andere Absenderdomain. Der Wert wäre: "
        "{value}",
    ),
    "dns.via_cname": (
        "{fqdn} verweist per CNAME auf {target}; Empfänger lesen den Eintrag dort.",
        "Ändern Sie den Eintrag unter {target} (bei dem DNS-Anbieter, der diesen Namen "
        "verwaltet; das gilt dann auch für {target} selbst). Neben einem CNAME darf unter "
        "{own} kein TXT-Eintrag stehen (RFC 2181, Abschnitt 10.1); soll der Eintrag nur hier "
        "gelten, löschen Sie zuerst den CNAME und legen Sie den TXT-Eintrag unter {own} an.",
    ),
    "dns.wildcard_record": (
        "Dieser Eintrag steht nicht unter {fqdn} selbst, sondern kommt von einem "
        "Platzhalter-Eintrag (*) Ihrer Domain (RFC 4592); Empfänger lesen ihn trotzdem.",
        "Ein Eintrag genau unter {host} hat Vorrang vor dem Platzhalter; den Platzhalter "
        "müssen Sie nicht ändern.",
    ),
    # --- the sender domain ------------------------------------------------------------------
    "domain.nxdomain": (
        "Die Domain {domain} gibt es im DNS nicht – Tippfehler? Solange es sie nicht gibt, kann "
        "darunter auch keiner der Einträge stehen.",
        "Prüfen Sie die Schreibweise der Domain Ihrer Absenderadresse. Ist sie richtig, muss "
        "die Domain erst registriert (bei einer Subdomain: beim DNS-Anbieter angelegt) werden; "
        "ist sie falsch, sagen Sie PEIQ die richtige Domain.",
    ),
    "domain.nxdomain_see_above": (
        "",
        "Zuerst muss es die Domain {domain} im DNS geben (siehe oben); dann prüfen wir diesen "
        "Eintrag.",
    ),
    # --- Mailjet verification ---------------------------------------------------------------
    "verification.ok": (
        "Der Bestätigungseintrag unter {fqdn} ist mit genau dem Wert veröffentlicht, den "
        "Mailjet erwartet. Ob Mailjet ihn schon abgefragt hat, sieht PEIQ in Mailjet.",
        "",
    ),
    "verification.odd_space": (
        "Unter {fqdn} steht der richtige Wert, aber mit {char_dative} an Stelle {position}. "
        "Mailjet vergleicht den Wert Zeichen für Zeichen und findet ihn so nicht.",
        "Ändern Sie den Wert des TXT-Eintrags {host} auf genau: {value} (am sichersten mit dem "
        "Knopf „Kopieren“).",
    ),
    "verification.quoted": (
        "Unter {fqdn} steht der richtige Wert, aber mit Anführungszeichen als Teil des Werts "
        "({found}). Mailjet vergleicht den Wert Zeichen für Zeichen und findet ihn so nicht.",
        "Entfernen Sie die Anführungszeichen: Der Wert des TXT-Eintrags {host} muss genau "
        "{value} lauten (am sichersten mit dem Knopf „Kopieren“).",
    ),
    "verification.cname": (
        "Unter {fqdn} steht ein CNAME-Eintrag (Verweis auf {target}), gebraucht wird dort aber "
        "ein TXT-Eintrag. Ein Name mit CNAME kann keine weiteren Einträge haben.",
        "Löschen Sie den CNAME-Eintrag und legen Sie einen TXT-Eintrag mit dem Wert {value} an.",
    ),
    "verification.other_value": (
        "Unter {fqdn} steht ein TXT-Eintrag, aber mit einem anderen Wert als dem, den Mailjet "
        "erwartet.",
        "Ändern Sie den Wert des TXT-Eintrags {host} auf: {value}",
    ),
    "verification.missing": (
        "Der Bestätigungseintrag (TXT unter {fqdn}) wurde nicht gefunden.",
        "{missing_fix}",
    ),
    # --- text as receivers read it ---------------------------------------------------------
    "spf.version_leading": (
        "Der Wert „{record}“ beginnt mit {char_dative}. Empfänger finden so keinen SPF-Eintrag: "
        "nach RFC 7208 (Abschnitt 4.5) muss der Wert genau mit „v=spf1“ beginnen.",
        "Entfernen Sie das Zeichen vor „v=spf1“.",
    ),
    "spf.version_odd_space": (
        "Im Wert „{record}“ steht nach „v=spf1“ {char_name} statt eines normalen Leerzeichens. "
        "Empfänger erkennen ihn so nicht als SPF-Eintrag (RFC 7208, Abschnitt 4.5: nach "
        "„v=spf1“ folgt ein Leerzeichen).",
        "Ersetzen Sie das Zeichen nach „v=spf1“ durch ein normales Leerzeichen.",
    ),
    "spf.version_glued": (
        "Der SPF-Eintrag „{record}“ ist falsch geschrieben: nach „v=spf1“ muss ein Leerzeichen "
        "stehen (und um „=“ keines). Empfänger erkennen ihn so nicht als SPF-Eintrag.",
        "Schreiben Sie den Anfang des Werts als „v=spf1 “.",
    ),
    "spf.odd_space": (
        "Im SPF-Eintrag steht {char_name} {between} (an Stelle {position} des Werts). "
        "Nur ein normales Leerzeichen trennt die Bestandteile (RFC 7208, Abschnitt 4.6.1); so "
        "wird „{term}“ zu einem ungültigen Bestandteil, und Empfänger werten den ganzen Eintrag "
        "als Fehler.",
        "Ersetzen Sie das Zeichen durch ein normales Leerzeichen oder löschen Sie es (am "
        "sichersten: den Wert neu eintippen statt einfügen).",
    ),
    # --- SPF syntax ------------------------------------------------------------------------
    "spf.equals_for_colon": (
        "„{term}“ ist falsch geschrieben: richtig ist „{fixed}“ (Doppelpunkt statt "
        "Gleichheitszeichen). So lesen Empfänger es als unbekannte Zusatzangabe und ignorieren "
        "es (RFC 7208, Abschnitt 6).",
        "Ändern Sie „{term}“ in „{fixed}“.",
    ),
    "spf.modifier_empty": (
        "„{term}“ braucht eine Domain nach dem Gleichheitszeichen.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.unknown_term": (
        "„{term}“ ist kein gültiger SPF-Bestandteil (Tippfehler?).",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.all_value": (
        "„{term}“: nach „all“ darf nichts folgen.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.needs_domain": (
        "„{term}“ braucht eine Domain, zum Beispiel „{name}:spf.beispiel.de“.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.bad_ip": (
        "„{term}“ enthält keine gültige IP-Adresse.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.ip_version": (
        "„{term}“: die Adresse passt nicht zu {name}.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.bad_domain": (
        "„{term}“ enthält keinen gültigen Domainnamen.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.bad_cidr": (
        "„{term}“ enthält eine ungültige Netzmaske (erlaubt: /0 bis /32 für IPv4, //0 bis "
        "//128 für IPv6).",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.bad_macro": (
        "„{term}“ enthält ein ungültiges Makro: nach RFC 7208 (Abschnitt 7.1) steht „%“ nur "
        "in „%{{…}}“, „%%“, „%_“ oder „%-“.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.bad_macro_letter": (
        "„{term}“ enthält das Makro „%{{{letter}}}“, das es nicht gibt: nach RFC 7208 "
        "(Abschnitt 7.2) sind nur die Buchstaben {macro_letters} erlaubt.",
        "Korrigieren oder entfernen Sie „{term}“ im SPF-Eintrag.",
    ),
    "spf.duplicate_modifier": (
        "„{name}=“ darf nur einmal vorkommen.",
        "Lassen Sie nur ein „{name}=“ im SPF-Eintrag stehen.",
    ),
    "spf.mx_over_limit": (
        "„{term}“ findet {count} Mailserver (MX-Einträge). Nach RFC 7208 (Abschnitt 4.6.4) "
        "dürfen es für „mx“ höchstens {limit} sein, sonst werten Empfänger den ganzen "
        "SPF-Eintrag als Fehler.",
        "Ersetzen Sie „{term}“ durch ip4:/ip6:-Angaben Ihrer Mailserver (oder verringern Sie "
        "die MX-Einträge auf höchstens {limit}).",
    ),
    "spf.too_deep": (
        "Die SPF-Einbindungen binden über mehr als zehn Stufen immer weitere Einträge ein "
        "(include in include …). Jede Stufe kostet eine DNS-Abfrage – damit sind es mehr als "
        "die zehn, die Empfänger erlauben, und sie werten den Eintrag als Fehler.",
        "Fragen Sie Ihren Hoster oder Ihre IT, welche Einbindungen (include) Sie nicht mehr "
        "brauchen, und entfernen Sie diese. (Regel: RFC 7208, Abschnitt 4.6.4.)",
    ),
    "spf.loop": (
        "„{term}“ bindet sich selbst ein (Schleife).",
        "Entfernen Sie „{term}“ aus dem SPF-Eintrag.",
    ),
    "spf.include_target": (
        "„{term}“ verweist auf {target}, dort gibt es {target_problem}. Nach RFC 7208 "
        "(Abschnitt 5.2) ist der ganze SPF-Eintrag dann ein Fehler.",
        "Entfernen Sie „{term}“ oder fragen Sie den Dienst nach dem richtigen include-Namen.",
    ),
    # --- SPF verdicts ----------------------------------------------------------------------
    "spf.missing": ("Für die Domain gibt es noch keinen SPF-Eintrag.", "{missing_fix}"),
    "spf.no_mailjet": (
        "Der SPF-Eintrag erlaubt Mailjet noch nicht, in Ihrem Namen zu senden.",
        "",
    ),
    "spf.mailjet_qualifier": (
        "„{term}“ {qualifier_words}{where_text}. Richtig ist „include:{target}“ ({qualifier_how}).",
        "",
    ),
    "spf.mailjet_after_all": (
        "„{term}“ steht hinter „{all}“ und wird nie ausgewertet{where_text}: nach RFC 7208 "
        "(Abschnitt 5.1) endet die Auswertung bei „all“. Setzen Sie es vor „{all}“.",
        "",
    ),
    "spf.redirect_ignored": (
        "„{term}“ wird nie ausgewertet: steht „{all}“ im Eintrag, ignorieren Empfänger "
        "„redirect=“ (RFC 7208, Abschnitt 6.1). Die Server aus {target} sind deshalb bisher "
        "nicht erlaubt.",
        "",
    ),
    "spf.redirect_included": (
        "„{term}“ wird nie ausgewertet: steht „{all}“ im Eintrag, ignorieren Empfänger "
        "„redirect=“ (RFC 7208, Abschnitt 6.1). Die Server aus {target} sind schon durch "
        "„include:{target}“ erlaubt; „{term}“ ist also überflüssig.",
        "",
    ),
    "spf.error_after_mailjet": (
        "E-Mails über Mailjet bestehen SPF trotzdem: Empfänger werten „include:spf.mailjet.com“ "
        "vorher aus und hören beim ersten Treffer auf (RFC 7208, Abschnitt 4.6.2). Für alle "
        "anderen Absender endet die Prüfung bei „{via}“ mit einem Fehler.",
        "",
    ),
    "spf.too_many_lookups": (
        "Der SPF-Eintrag braucht {lookups} DNS-Abfragen (jedes include, a, mx, exists und "
        "redirect kostet eine). Empfänger erlauben höchstens {limit} und werten ihn sonst als "
        "Fehler.{costly}",
        "Fragen Sie Ihren Hoster oder Ihre IT, welche Einbindungen (include) von Diensten Sie "
        "nicht mehr nutzen, und entfernen Sie diese – oder ersetzen Sie sie durch feste "
        "Adressen (ip4/ip6). (Regel: RFC 7208, Abschnitt 4.6.4.)",
    ),
    "spf.too_many_voids": (
        "Der SPF-Eintrag enthält {count_word} Verweise ins Leere (erlaubt sind höchstens {limit}, "
        "RFC 7208, Abschnitt 4.6.4): {terms_text}.",
        "Entfernen Sie diese Bestandteile aus dem SPF-Eintrag.",
    ),
    "spf.dead_terms": (
        "Hinter „{all}“ steht noch {terms}. Bestandteile hinter „all“ werden nie ausgewertet "
        "(RFC 7208, Abschnitt 5.1).",
        "{dead_fix}",
    ),
    "spf.plus_all": (
        "Der SPF-Eintrag endet mit „+all“: damit darf jeder Server der Welt in Ihrem Namen senden.",
        "Ersetzen Sie „+all“ durch „~all“.",
    ),
    "spf.neutral_all": (
        "Der SPF-Eintrag endet mit „?all“: damit schützt er Ihre Domain nicht.",
        "Ersetzen Sie „?all“ durch „~all“.",
    ),
    "spf.no_all": (
        "Dem SPF-Eintrag fehlt am Ende „~all“ oder „-all“: fremde Server werden nicht "
        "ausgeschlossen.",
        "Ergänzen Sie am Ende des Eintrags „~all“.",
    ),
    "spf.ptr": (
        "Der SPF-Eintrag nutzt „ptr“, das nach RFC 7208 (Abschnitt 5.5) nicht mehr verwendet "
        "werden soll (langsam und unzuverlässig; manche Empfänger ignorieren es).",
        "Ersetzen Sie „ptr“ durch ip4:/ip6:-Angaben Ihrer Server.",
    ),
    "spf.macros": (
        "Hinweis: {terms} enthält ein Makro (%{{…}}); der Empfänger setzt es erst für jede "
        "einzelne E-Mail ein (RFC 7208, Abschnitt 7). Wir zählen es als DNS-Abfrage, können "
        "sein Ergebnis aber nicht vorab prüfen.",
        "",
    ),
    "spf.exp": (
        "Hinweis: „{term}“ legt nur den Text fest, den ein Empfänger beim Ablehnen nennt "
        "(RFC 7208, Abschnitt 6.2); er zählt nicht zu den DNS-Abfragen.",
        "",
    ),
    "spf.before_check": (
        "Ob Ihre Domain schon einen SPF-Eintrag hat, zeigt erst „DNS prüfen“. Es darf nur einen "
        "geben.",
        "Drücken Sie zuerst „DNS prüfen“. Gibt es schon einen SPF-Eintrag, zeigen wir Ihnen "
        "danach Ihren Eintrag um Mailjet ergänzt; gibt es keinen, den neuen Eintrag. Legen Sie "
        "vorher keinen SPF-Eintrag an.",
    ),
    "spf.include_unavailable": (
        "Ihren SPF-Eintrag haben wir gefunden, aber der DNS-Server antwortete nicht auf die "
        "Abfrage von {names}, das Ihr Eintrag einbindet. Ob der Eintrag{mailjet_text} gültig "
        "ist, können wir so nicht prüfen; deshalb bieten wir noch keinen Wert zum Kopieren an.",
        "Ändern Sie den SPF-Eintrag unter Host {host} jetzt nicht und prüfen Sie in einigen "
        "Minuten erneut.",
    ),
    "spf.two_records": (
        "Für die Domain gibt es {count_word} SPF-Einträge: {records}. Erlaubt ist genau einer: "
        "mit mehreren ist SPF ungültig, und Empfänger können Ihre E-Mails ablehnen "
        "(RFC 7208, Abschnitt 4.5).",
        "Löschen Sie {all_of} Einträge (TXT unter Host {host}) und legen Sie stattdessen diesen "
        "einen an: {record}",
    ),
    "spf.two_records_no_offer": (
        "Für die Domain gibt es {count_word} SPF-Einträge: {records}. Erlaubt ist genau einer: "
        "mit mehreren ist SPF ungültig, und Empfänger können Ihre E-Mails ablehnen "
        "(RFC 7208, Abschnitt 4.5).",
        "Fassen Sie alles in einem einzigen SPF-Eintrag zusammen und löschen Sie die übrigen.",
    ),
    "spf.merge_unavailable": (
        "Den einen zusammengefassten Eintrag können wir noch nicht vorschlagen: Der DNS-Server "
        "antwortete nicht auf die Abfrage von {names}, das einer der Einträge einbindet, und "
        "einen Wert, dessen Gültigkeit wir nicht prüfen konnten, bieten wir nicht an.",
        "Sie können die Einträge schon jetzt selbst zu einem zusammenfassen; sonst prüfen Sie "
        "in einigen Minuten erneut, dann schlagen wir Ihnen den einen Eintrag vor.",
    ),
    "spf.no_offer": (
        "Einen gültigen Eintrag zum Kopieren können wir erst vorschlagen, wenn die genannten "
        "Fehler behoben sind.",
        "",
    ),
    "spf.over_limit": (
        "Mit Mailjet bräuchte der Eintrag {lookups} DNS-Abfragen; Empfänger erlauben für einen "
        "SPF-Eintrag höchstens {limit}, er wäre also ungültig.",
        "Entfernen Sie zuerst {which} und fügen Sie dann include:spf.mailjet.com hinzu. "
        "Fassen Sie dabei alles in einem einzigen SPF-Eintrag zusammen.",
    ),
    "spf.broken_extra": (
        "Außerdem steht unter Host {host} ein falsch geschriebener SPF-Eintrag ({records}). "
        "Empfänger ignorieren ihn.",
        "Löschen Sie den falsch geschriebenen Eintrag, damit es bei genau einem SPF-Eintrag "
        "bleibt.",
    ),
    "spf.quoted": (
        "Der SPF-Eintrag enthält Anführungszeichen als Teil des Werts. Empfänger erkennen ihn "
        "deshalb nicht als SPF-Eintrag.",
        "Entfernen Sie die Anführungszeichen am Anfang und Ende des Werts (manche "
        "DNS-Anbieter setzen sie selbst).",
    ),
    "spf.strings_joined": (
        "Ihr Eintrag ist in mehrere Zeichenketten geteilt; Empfänger setzen sie ohne "
        "Leerzeichen zusammen (RFC 7208, Abschnitt 3.3). Fehlt am Ende einer Zeichenkette das "
        "Leerzeichen, kleben zwei Bestandteile aneinander.",
        "",
    ),
    "spf.ok": (
        "Der SPF-Eintrag erlaubt Mailjet zu senden und ist gültig. {lookups_text}",
        "",
    ),
    # --- DKIM (RFC 6376) -------------------------------------------------------------------
    "dkim.odd_space": (
        "Im DKIM-Eintrag unter {fqdn} steht {char_name} {between} (an Stelle {position} des "
        "Werts). Erlaubt sind dort nur normale Leerzeichen, Tabulatoren und Zeilenumbrüche "
        "(RFC 6376, Abschnitt 3.2); so können Empfänger den Schlüssel nicht lesen.",
        "Ersetzen Sie das Zeichen durch ein normales Leerzeichen oder löschen Sie es (am "
        "sichersten: den Wert neu einfügen, ohne Umweg über Word oder PDF).",
    ),
    "dkim.not_a_tag": (
        "Im DKIM-Eintrag unter {fqdn} ist „{part}“ keine gültige Angabe (erwartet: name=wert, "
        "getrennt durch Semikolon). Empfänger verwerfen den ganzen Eintrag (RFC 6376, "
        "Abschnitt 3.2).",
        "Entfernen Sie „{part}“ oder trennen Sie es mit einem Semikolon ab.",
    ),
    "dkim.duplicate_tag": (
        "Im DKIM-Eintrag unter {fqdn} kommt die Angabe {names} mehrfach vor. Dann ist nach "
        "RFC 6376 (Abschnitt 3.2) der ganze Eintrag ungültig.{conflict_text}",
        "Lassen Sie jede Angabe nur einmal stehen.",
    ),
    "dkim.version_not_first": (
        "Im DKIM-Eintrag unter {fqdn} steht „v=DKIM1“ nicht am Anfang (zuerst steht "
        "„{first}=“). RFC 6376 (Abschnitt 3.6.1) verlangt v= als erste Angabe; viele Empfänger "
        "verwerfen den Eintrag sonst.",
        "Setzen Sie „v=DKIM1;“ an den Anfang des Werts oder lassen Sie es ganz weg.",
    ),
    "dkim.bad_version": (
        "Im DKIM-Eintrag unter {fqdn} ist „v={value}“ falsch, richtig ist v=DKIM1.",
        "Ändern Sie „v={value}“ in „v=DKIM1“.",
    ),
    "dkim.hash_excludes_sha256": (
        "Der DKIM-Eintrag unter {fqdn} erlaubt mit „h={value}“ das Verfahren SHA-256 nicht. "
        "Mailjet signiert mit SHA-256; Empfänger lehnen deshalb jede Signatur ab (RFC 6376, "
        "Abschnitt 3.6.1: h= nennt die erlaubten Hash-Verfahren, etwa „sha256“, nicht "
        "„rsa-sha256“).",
        "Löschen Sie „h={value};“ aus dem Wert (oder schreiben Sie „h=sha256“).",
    ),
    "dkim.service_excludes_email": (
        "Der DKIM-Eintrag unter {fqdn} gilt mit „s={value}“ nicht für E-Mail; Empfänger nutzen "
        "den Schlüssel deshalb nicht (RFC 6376, Abschnitt 3.6.1).",
        "Löschen Sie „s={value};“ aus dem Wert (oder schreiben Sie „s=email“).",
    ),
    "dkim.testing": (
        "Der DKIM-Eintrag unter {fqdn} steht mit „t={value}“ im Testmodus: nach RFC 6376 "
        "(Abschnitt 3.6.1) behandeln Empfänger Ihre E-Mails dann wie unsignierte.",
        "Entfernen Sie „y“ aus „t={value}“ (oder die ganze Angabe t=), sobald alles funktioniert.",
    ),
    "dkim.unknown_key_type": (
        "Unbekannter Schlüsseltyp „k={value}“ im DKIM-Eintrag unter {fqdn}: erlaubt sind rsa "
        "und ed25519.",
        "{replace_or_ask}",
    ),
    "dkim.no_key": ("Im DKIM-Eintrag unter {fqdn} fehlt der Schlüssel (p=…).", "{paste_again}"),
    "dkim.revoked": (
        "DKIM-Eintrag {fqdn}: Der Schlüssel ist leer (p=): so wird ein zurückgezogener "
        "Schlüssel markiert.",
        "{replace_or_ask}",
    ),
    "dkim.key_broken": (
        "DKIM-Eintrag {fqdn}: Schlüssel abgeschnitten oder beschädigt: der Wert nach p= ist "
        "kein vollständiger {key_name}-Schlüssel.",
        "{paste_again}",
    ),
    "dkim.wrong_key_type": (
        "DKIM-Eintrag {fqdn}: Der Schlüssel selbst ist in Ordnung, aber er ist ein "
        "{key_name}-Schlüssel, und der Eintrag sagt „{declared_text}“. Empfänger lesen den "
        "Schlüssel als den Typ, den k= nennt (RFC 6376, Abschnitt 3.6.1; Ed25519: RFC 8463), "
        "und können Signaturen damit nicht prüfen.",
        "Ändern Sie im TXT-Eintrag {host} die Angabe k= in „k={actual}“; der Schlüssel nach p= "
        "bleibt, wie er ist.",
    ),
    "dkim.key_unpadded": (
        "DKIM-Eintrag {fqdn}: Dem Schlüssel fehlt am Ende „{padding}“. Base64 endet mit diesen "
        "Füllzeichen (RFC 6376, Abschnitt 3.6.1); viele Empfänger lesen den Schlüssel ohne sie "
        "nicht.",
        "Ergänzen Sie „{padding}“ am Ende des Schlüssels (ganz am Ende des Werts).",
    ),
    "dkim.expected_invalid": (
        "Der DKIM-Wert, den PEIQ hinterlegt hat, ist selbst kein gültiger Schlüssel; deshalb "
        "bieten wir ihn nicht zum Kopieren an.",
        "Bitte warten Sie, bis PEIQ den richtigen Wert hinterlegt hat; PEIQ ist informiert, "
        "sobald Sie auf „PEIQ informieren“ klicken.",
    ),
    "dkim.many_keys": (
        "Unter {fqdn} stehen {count_word} DKIM-Schlüssel; erlaubt ist genau einer.",
        "Löschen Sie die überzähligen Einträge und lassen Sie nur {keep} stehen.",
    ),
    "dkim.quoted": (
        "Der DKIM-Eintrag enthält Anführungszeichen als Teil des Werts; so ist der Schlüssel "
        "nicht lesbar.",
        "Entfernen Sie die Anführungszeichen aus dem Wert. Ist der Wert in mehrere Teile "
        "getrennt, fügen Sie ihn als einen Wert ohne Anführungszeichen ein.",
    ),
    "dkim.split": (
        "DKIM-Eintrag {fqdn}: Ihr DNS-Anbieter hat den Wert auf zwei Einträge verteilt. "
        "Empfänger lesen nur einen davon, der Schlüssel ist so unvollständig.",
        "Löschen Sie {all_of} TXT-Einträge unter {host} und legen Sie einen einzigen an. "
        "{paste_again}",
    ),
    "dkim.mismatch": (
        "Unter {fqdn} steht ein anderer DKIM-Schlüssel als der, den Mailjet erwartet "
        "(vielleicht ein alter Schlüssel).",
        "Ersetzen Sie den Wert des TXT-Eintrags {host} durch: {record}",
    ),
    "dkim.too_weak": (
        "Der DKIM-Schlüssel unter {fqdn} ist mit {bits} Bit zu schwach; Empfänger ignorieren ihn.",
        "PEIQ erzeugt in Mailjet einen neuen, längeren Schlüssel (2048 Bit, wie heute üblich) "
        "und schickt Ihnen den Wert; "
        "ersetzen Sie damit den Wert des TXT-Eintrags {host}.",
    ),
    "dkim.upper_tags": (
        "Im DKIM-Eintrag unter {fqdn} ist {wrong} großgeschrieben. Die Namen der Angaben "
        "unterscheiden Groß- und Kleinschreibung (RFC 6376, Abschnitt 3.2); viele Empfänger "
        "finden den Schlüssel so nicht.",
        "Ändern Sie im Wert {wrong} in {right} (klein geschrieben), den Rest des Werts lassen "
        "Sie unverändert.",
    ),
    "dkim.pkcs1": (
        "Der DKIM-Schlüssel unter {fqdn} steht im falschen Format (PKCS#1); viele Empfänger "
        "können ihn so nicht lesen.",
        "{pkcs1_fix}",
    ),
    "dkim.weak": (
        "Der DKIM-Schlüssel unter {fqdn}{via_text} ist gültig, aber mit {bits} Bit schwach.",
        "Sie müssen jetzt nichts tun: PEIQ erzeugt in Mailjet einen neuen, längeren Schlüssel "
        "(2048 Bit, wie heute üblich); "
        "bis dahin funktioniert dieser. Den neuen Wert bekommen Sie dann von PEIQ.",
    ),
    "dkim.ok": ("Der DKIM-Schlüssel unter {fqdn}{via_text} ist gültig: {size_text}.", ""),
    "dkim.use_value_above": ("", "Ersetzen Sie den Wert durch den Wert oben (Knopf „Kopieren“)."),
    "dkim.ask_peiq": (
        "",
        "PEIQ schickt Ihnen den aktuellen Schlüssel; ersetzen Sie damit den Wert des "
        "TXT-Eintrags {host}.",
    ),
    "dkim.paste_again": ("", "{paste_again}"),
    "dkim.cname_no_key": (
        "{fqdn} verweist per CNAME auf {target}, {dkim_target_state} (RFC 1034, Abschnitt "
        "3.6.2: Empfänger lesen den Schlüssel am Ziel).",
        "Prüfen Sie das Ziel des CNAME oder legen Sie statt des CNAME den TXT-Eintrag mit dem "
        "Schlüssel an (zuerst den CNAME löschen: neben ihm darf kein TXT-Eintrag stehen, "
        "RFC 2181, Abschnitt 10.1).",
    ),
    "dkim.address": (
        "Unter {fqdn} steht eine IP-Adresse (A-Eintrag) statt des DKIM-Schlüssels – oft, weil "
        "der DNS-Anbieter (etwa Cloudflare mit der orangen Wolke) den Eintrag als Proxy führt "
        "oder er als A statt TXT angelegt wurde.",
        "Löschen Sie den A-Eintrag {host} und legen Sie ihn als TXT-Eintrag an (bei "
        "Cloudflare: „Nur DNS“, graue Wolke).",
    ),
    "dkim.missing": (
        "Der DKIM-Schlüssel (TXT unter {fqdn}) wurde nicht gefunden.",
        "{missing_fix}",
    ),
    # --- DMARC (RFC 7489; advice only, never a failure) -----------------------------------
    "dmarc.odd_space": (
        "Im DMARC-Eintrag steht {char_name} {between} (an Stelle {position} des Werts). "
        "Erlaubt sind dort nur normale Leerzeichen und Tabulatoren (RFC 7489, Abschnitt 6.4); "
        "so lesen Empfänger den Wert falsch.",
        "Ersetzen Sie das Zeichen durch ein normales Leerzeichen oder löschen Sie es.",
    ),
    "dmarc.leading_space": (
        "Der DMARC-Eintrag beginnt mit einem Leerzeichen; nach RFC 7489 (Abschnitt 6.4) muss "
        "er genau mit „v=DMARC1“ beginnen, sonst können Empfänger ihn verwerfen.",
        "Entfernen Sie das Leerzeichen vor „v=DMARC1“.",
    ),
    "dmarc.missing_semicolon": (
        "Nach „{before}“ fehlt das Semikolon: richtig ist „{record}“. {semicolon_effect}",
        "Setzen Sie ein Semikolon (;) zwischen „{before}“ und „{after}“.",
    ),
    "dmarc.not_a_tag": (
        "Im DMARC-Eintrag ist „{part}“ keine gültige Angabe (erwartet: name=wert).",
        "Entfernen Sie „{part}“ oder schreiben Sie es als name=wert.",
    ),
    "dmarc.version_not_first": (
        "Der DMARC-Eintrag beginnt nicht mit „v=DMARC1“. Nach RFC 7489 (Abschnitt 6.3) muss "
        "v= die erste Angabe sein; sonst verwerfen Empfänger den ganzen Eintrag.",
        "Setzen Sie „v=DMARC1;“ an den Anfang des Werts.",
    ),
    "dmarc.bad_version": (
        "Im DMARC-Eintrag ist „v={value}“ falsch geschrieben: richtig ist genau „v=DMARC1“ "
        "(RFC 7489, Abschnitt 6.4).",
        "Ändern Sie „v={value}“ in „v=DMARC1“.",
    ),
    "dmarc.duplicate_tag": (
        "Im DMARC-Eintrag kommt „{name}=“ mehrfach vor{values_text}.",
        "{duplicate_fix}",
    ),
    "dmarc.conflict": (
        "Welcher Wert für „{name}=“ gelten soll, entscheiden Sie; deshalb bieten wir keinen Wert "
        "zum Kopieren an.",
        "",
    ),
    "dmarc.policy_void": (
        "Weil „{name}=“ {void_what}, wenden Empfänger Ihre Richtlinie nicht an: {void_effect} "
        "(RFC 7489, Abschnitt 6.6.3).",
        "",
    ),
    "dmarc.unknown_tag": (
        "Im DMARC-Eintrag ist „{name}=“ keine bekannte Angabe{suggestion_text}; Empfänger "
        "ignorieren sie (RFC 9989).",
        "{unknown_fix}",
    ),
    "dmarc.removed_tag": ("{removed_text}", "{removed_fix}"),
    "dmarc.testing": (
        "Der Eintrag steht mit „t=y“ im Testmodus: Empfänger nach RFC 9989 wenden eine Stufe "
        "milder an, p={policy} wirkt also wie p={softer}; ältere Empfänger (nach RFC 7489) "
        "kennen t= nicht und wenden p={policy} an.",
        "",
    ),
    "dmarc.bad_value": (
        "Im DMARC-Eintrag ist „{name}={value}“ ungültig: erlaubt ist {allowed}.",
        "Korrigieren Sie „{name}={value}“ (erlaubt: {allowed}).",
    ),
    "dmarc.missing_mailto": (
        "Im DMARC-Eintrag fehlt bei „{name}={value}“ das „mailto:“: Berichtsadressen beginnen "
        "mit mailto: (RFC 7489, Abschnitt 6.4), sonst bekommen Sie keine Berichte.",
        "Schreiben Sie „mailto:“ vor jede Adresse.",
    ),
    "dmarc.no_policy": (
        "Im DMARC-Eintrag fehlt die Angabe p= (none, quarantine oder reject).",
        "Ergänzen Sie direkt nach „v=DMARC1;“ die Angabe p=, etwa „p=none“.",
    ),
    "dmarc.policy_not_second": (
        "Im DMARC-Eintrag steht p= nicht direkt nach v=DMARC1. Nach RFC 9989 ist die "
        "Reihenfolge nach v=DMARC1 frei; nur ältere Empfänger nach RFC 7489 erwarten p= an "
        "zweiter Stelle.",
        "Wenn Sie möchten, setzen Sie p= direkt hinter „v=DMARC1;“ – nötig ist es nicht.",
    ),
    "dmarc.quoted": (
        "Der DMARC-Eintrag enthält Anführungszeichen als Teil des Werts und wird deshalb nicht "
        "erkannt.",
        "Entfernen Sie die Anführungszeichen am Anfang und Ende des Werts.",
    ),
    "dmarc.missing": (
        "Es gibt noch keinen DMARC-Eintrag. Er ist nicht Pflicht, aber empfohlen: er schützt "
        "Ihre Domain vor Fälschungen und verbessert die Zustellung.",
        "{missing_fix}",
    ),
    "dmarc.cname_no_record": (
        "Unter {fqdn} steht ein CNAME-Eintrag (ein Verweis) auf {target}, {target_state}. "
        "Empfänger folgen dem Verweis und finden so keinen DMARC-Eintrag (RFC 1034, Abschnitt "
        "3.6.2). Einen TXT-Eintrag können Sie neben dem CNAME nicht anlegen (RFC 2181, "
        "Abschnitt 10.1).",
        "{cname_fix}",
    ),
    "dmarc.report_unauthorized": (
        "Berichte an „{address}“ ({name}=) kommen nicht an: Die Domain {dest} hat nicht "
        "erlaubt, Berichte für Ihre Domain zu empfangen. Empfänger schicken Berichte an eine "
        "andere Domain nur, wenn dort der TXT-Eintrag {query} mit dem Wert „v=DMARC1“ steht "
        "(RFC 7489, Abschnitt 7.1). Die Richtlinie selbst wirkt trotzdem.",
        "Bitten Sie den Betreiber von {dest} (etwa Ihren DMARC-Dienstleister), den TXT-Eintrag "
        "{query} mit dem Wert „v=DMARC1“ anzulegen, oder nehmen Sie „{address}“ aus {name}= "
        "heraus.",
    ),
    "dmarc.many": (
        "Unter {fqdn} stehen {count_word} DMARC-Einträge ({policies}): {records}. Empfänger "
        "ignorieren dann {all_of} (RFC 7489, Abschnitt 6.6.3). Welcher gelten soll, "
        "entscheiden Sie; deshalb bieten wir keinen Wert zum Kopieren an.",
        "Lassen Sie nur den DMARC-Eintrag stehen, der gelten soll, und löschen Sie die anderen.",
    ),
    "dmarc.many_same": (
        "Unter {fqdn} steht derselbe DMARC-Eintrag {times}; Empfänger ignorieren dann {all_of} "
        "(RFC 7489, Abschnitt 6.6.3).",
        "Löschen Sie die doppelten Einträge, sodass genau einer mit diesem Wert bleibt: {record}",
    ),
    "dmarc.ok": ("Der DMARC-Eintrag ist gültig (p={policy}).", ""),
    "dmarc.ok_none": (
        "Der DMARC-Eintrag ist gültig. Er beobachtet nur (p=none) und weist noch nichts ab.",
        "",
    ),
    "dmarc.parent_broken": (
        "Der DMARC-Eintrag von {name} gilt nicht für diese Domain, weil er fehlerhaft ist."
        "{parent_policy}",
        "",
    ),
    "dmarc.inherited": (
        "Für die Domain gilt der DMARC-Eintrag von {name}; für Subdomains wie diese gilt dort "
        "{tag}={policy}.{observe}",
        "",
    ),
    "dmarc.offer": ("", "Ändern Sie den Wert des TXT-Eintrags {host} auf: {record}"),
    "dmarc.offer_wildcard": (
        "",
        "Legen Sie genau unter Host {host} einen TXT-Eintrag mit diesem Wert an: {record}",
    ),
    "dmarc.no_offer": (
        "Einen gültigen Eintrag können wir daraus nicht ableiten; deshalb bieten wir keinen "
        "Wert zum Kopieren an.",
        "Korrigieren Sie den Eintrag; ein Beispiel für einen gültigen Eintrag ist: {starter}. "
        + MAILBOX_NOTE,
    ),
    "dmarc.fixed_renamed": ("", "Im Vorschlag heißt „{name}=“ richtig „{fixed}=“."),
    "dmarc.fixed_dropped": ("", "Im Vorschlag fehlt „{tag}“, weil es ungültig ist."),
    "dmarc.fixed_dropped_unknown": (
        "",
        "Im Vorschlag fehlt „{tag}“; Empfänger kennen die Angabe nicht und ignorieren sie.",
    ),
    "dmarc.fixed_dropped_uri": (
        "",
        "Im Vorschlag fehlt bei {name}= die ungültige Adresse „{uri}“; die übrigen bleiben.",
    ),
    "dmarc.fixed_duplicate": ("", "Im Vorschlag steht „{tag}“ nur einmal."),
    "dmarc.fixed_policy": ("", "{policy_change}"),
    "dmarc.fixed_mailto": ("", "Im Vorschlag steht „{fixed}“ statt „{value}“."),
    # --- answers a wildcard produced (RFC 4592) --------------------------------------------
    "dns.wildcard": (
        "Was der DNS unter {fqdn} sonst liefert ({what_text}), stammt von einem "
        "Platzhalter-Eintrag (*) Ihrer Domain, nicht von einem Eintrag unter diesem Namen; Sie "
        "müssen dort nichts löschen.",
        "Ein Eintrag, den Sie genau unter {host} anlegen, hat Vorrang vor dem Platzhalter.",
    ),
    # --- the record we offer ---------------------------------------------------------------
    "spf.offer": (
        "",
        "Ersetzen Sie den vorhandenen SPF-Eintrag (TXT unter Host {host}) durch: {record} "
        "(damit {lookups} von {limit} DNS-Abfragen{lookups_note}). " + NO_SECOND,
    ),
    "spf.offer_wildcard": (
        "",
        "Legen Sie genau unter Host {host} einen TXT-Eintrag mit diesem Wert an: {record} (damit "
        "{lookups} von {limit} DNS-Abfragen{lookups_note}).",
    ),
    "spf.offer_broken": (
        "",
        "Ändern Sie den Wert des TXT-Eintrags (Host {host}) auf: {record} " + NO_SECOND,
    ),
    "spf.unrepairable": (
        "Einen gültigen SPF-Eintrag können wir daraus nicht ableiten, weil unklar ist, was "
        "„{term}“ heißen soll; deshalb bieten wir keinen Wert zum Kopieren an.",
        "Prüfen Sie danach erneut; dann schlagen wir den vollständigen Eintrag vor.",
    ),
    "spf.long_offer": (
        "",
        "Der Wert ist {length} Zeichen lang; eine Zeichenkette in einem TXT-Eintrag fasst "
        "höchstens 255 (RFC 7208, Abschnitt 3.3). Viele DNS-Anbieter teilen lange Werte "
        'selbst; verlangt Ihrer es, tragen Sie ihn als zwei Zeichenketten ein: „"{first}" '
        '"{second}"“ – Empfänger setzen sie ohne Trennzeichen zusammen, deshalb beginnt die '
        "zweite mit dem Leerzeichen.",
    ),
    "spf.fixed_version": (
        "",
        "Im Vorschlag beginnt der Eintrag richtig geschrieben mit „v=spf1“, gefolgt von einem "
        "Leerzeichen.",
    ),
    "spf.fixed_space": ("", "Im Vorschlag ist {char_name} an Stelle {position} {replaced}."),
    "spf.fixed_term": ("", "Im Vorschlag ist „{term}“ zu „{fixed}“ korrigiert."),
    "spf.fixed_dropped_void": (
        "",
        "Im Vorschlag fehlt „{term}“: den Namen dahinter gibt es im DNS nicht, er erlaubt also "
        "heute schon keinen Absender; alle anderen Absender bleiben erlaubt.",
    ),
    "spf.fixed_dropped_dead": (
        "",
        "Im Vorschlag fehlt „{term}“, das hinter „all“ stand und nie wirkte.",
    ),
    "spf.fixed_dropped_exp": (
        "",
        "Im Vorschlag fehlt das zweite „{term}“ (erlaubt ist nur ein exp=).",
    ),
    "spf.fixed_dropped_mailjet": (
        "",
        "Im Vorschlag steht „include:spf.mailjet.com“ statt „{term}“.",
    ),
    "spf.fixed_redirect": (
        "",
        "Im Vorschlag steht „include:{target}“ statt „{term}“, damit die Server aus {target} "
        "erlaubt bleiben beziehungsweise es werden – prüfen Sie, ob Sie sie noch brauchen.",
    ),
    "spf.fixed_dropped_redirect": (
        "",
        "Im Vorschlag fehlt „{term}“, das nie ausgewertet wurde; „include:{target}“ steht "
        "schon darin.",
    ),
    "spf.fixed_all": ("", "Im Vorschlag steht am Ende „{fixed}“."),
    "spf.fixed_all_choice": (
        "",
        "Ihre Einträge enden verschieden ({terms}), ein SPF-Eintrag hat aber nur ein „all“: "
        "im Vorschlag steht „{kept}“ – ändern Sie es, wenn Sie das andere meinen.",
    ),
}


def missing_fix(params: dict) -> str:
    """Return where to add a missing record (the provider the NS records name) and how long."""
    what = f"einen TXT-Eintrag mit Host {params['host']}"
    if params.get("value"):
        what += f" und Wert {params['value']}"
    shown, ns = params["shown"], params["nameservers"]
    if ns:
        text = (
            f"Legen Sie {what} bei dem DNS-Anbieter an, der für {shown} zuständig ist: laut DNS "
            f"{', '.join(params['providers'])} (Nameserver {', '.join(ns)}). Einträge bei einem "
            "anderen Anbieter (etwa dem Webhoster) wirken nicht."
        )
    else:
        text = f"Legen Sie {what} bei dem DNS-Anbieter an, der für {shown} zuständig ist."
    if "_" in params["host"]:
        text += UNDERSCORE_NOTE
    if params.get("mailbox"):
        text += f" {MAILBOX_NOTE}"
    return f"{text} {PROPAGATION}"


# Parameters that hold a DNS name a person reads: shown with U-labels; values to
# copy (records, terms) stay exactly as published.
NAME_PARAMS = ("fqdn", "target", "domain", "name", "found_at", "doubled", "dest", "query",
               "where", "host", "typed", "own", "nameservers", "providers", "names")  # fmt: skip


DMARC_ALLOWED = {  # what dmarc.bad_value says is allowed, by tag
    "p": "none, quarantine, reject",
    "sp": "none, quarantine, reject",
    "np": "none, quarantine, reject",
    "adkim": "r, s",
    "aspf": "r, s",
    "pct": "0 bis 100",
    "ri": "eine Zahl (Sekunden)",
    "fo": "0, 1, d, s",
    "rf": "afrf",
    "psd": "y, n, u",
    "t": "y, n",
    "rua": "mailto:adresse@domain",
    "ruf": "mailto:adresse@domain",
}


def params_for(finding: Finding) -> dict:
    """Return the parameters with the derived words the templates use."""
    params = dict(finding.params)
    for key in NAME_PARAMS:
        value = params.get(key)
        if isinstance(value, str):
            params[key] = display_domain(value)
        elif isinstance(value, list | tuple):
            params[key] = [display_domain(v) if isinstance(v, str) else v for v in value]
    for key, value in list(params.items()):
        if isinstance(value, (list, tuple)):
            params[key] = ", ".join(f"„{v}“" for v in value)
    if finding.code == "dmarc.bad_value" and "allowed" not in params:  # older rows carry it
        params["allowed"] = DMARC_ALLOWED.get(params.get("name"), "")
    if "char" in params:
        other = (f"das Zeichen {params['char']}", f"dem Zeichen {params['char']}")
        params["char_name"], params["char_dative"] = CHARACTERS.get(params["char"], other)
        blank = chr(int(params["char"][2:], 16)).isspace()
        params["replaced"] = "durch ein normales Leerzeichen ersetzt" if blank else "entfernt"
        params["between"] = (
            f"zwischen „{params['before']}“ und „{params['after']}“"
            if params.get("before") and params.get("after")
            else f"nach „{params['before']}“"
            if params.get("before")
            else f"vor „{params.get('after', '')}“"
        )
    if "qualifier" in params and params["qualifier"] in QUALIFIERS:
        params["qualifier_words"], params["qualifier_how"] = QUALIFIERS[params["qualifier"]]
    if "heaviest" in params:
        heaviest, cost = params["heaviest"], params.get("cost")
        params["costly"] = f" Am meisten kostet include:{heaviest} ({cost})." if heaviest else ""
        params["which"] = (
            f"Einbindungen nicht mehr genutzter Dienste (am meisten kostet include:{heaviest})"
            if heaviest
            else "nicht mehr benötigte Bestandteile (a, mx, exists)"
        )
    if "dead" in params:
        params["terms"] = ", ".join(f"„{v}“" for v in finding.params["dead"])
        movable = finding.params.get("movable", [])
        one = len(movable) == 1
        it, counts, needed = ("es", "zählt es", "wird") if one else ("sie", "zählen sie", "werden")
        named = ", ".join(f"„{v}“" for v in movable)
        params["dead_fix"] = f"Entfernen Sie {params['terms']}" + (
            f", oder setzen Sie {named} vor „{params['all']}“, wenn {it} gebraucht {needed}"
            + (f" (dann {counts} zu den DNS-Abfragen)." if finding.params.get("querying") else ".")
            if movable
            else ": ein SPF-Eintrag endet mit genau einem „all“."
        )
    if "voids" in params:
        params["terms_text"] = ", ".join(finding.params["voids"])
    if "expected" in params:
        params["paste_again"] = (
            "Kopieren Sie den Wert oben (Knopf „Kopieren“) erneut vollständig und fügen Sie ihn "
            "in einem Stück ein (oft kürzt das Eingabefeld des DNS-Anbieters lange Werte)."
            if params["expected"]
            else "Fügen Sie den Wert, den Sie von PEIQ bekommen haben, erneut vollständig und in "
            "einem Stück ein (oft kürzt das Eingabefeld des DNS-Anbieters lange Werte)."
        )
        params["replace_or_ask"] = (
            "Ersetzen Sie den Wert durch den Wert oben (Knopf „Kopieren“)."
            if params["expected"]
            else "PEIQ schickt Ihnen den aktuellen Schlüssel; ersetzen Sie damit den Wert des "
            f"TXT-Eintrags {params.get('host', '')}."
        )
        params["pkcs1_fix"] = (
            "Ersetzen Sie den Wert durch den Wert oben (Knopf „Kopieren“)."
            if params["expected"]
            else "Der Schlüssel steht im falschen Format (PKCS#1); PEIQ schickt Ihnen den Wert "
            f"im richtigen Format. Ersetzen Sie damit den Wert des TXT-Eintrags "
            f"{params.get('host', '')}."
        )
        params["keep"] = (
            "den Eintrag mit dem Wert oben"
            if params["expected"]
            else "den aktuellen Schlüssel von PEIQ"
        )
    if finding.code == "spf.type99":
        params["type99_fix"] = (
            f"Legen Sie unter Host {params['host']} einen Eintrag vom Typ TXT mit diesem Wert "
            f"an: {params['record']} – danach löschen Sie den Eintrag vom Typ SPF."
            if params["record"]
            else f"Legen Sie unter Host {params['host']} einen Eintrag vom Typ TXT mit dem Wert "
            "des Eintrags vom Typ SPF an (ergänzt um include:spf.mailjet.com) und löschen Sie "
            "den Eintrag vom Typ SPF."
        )
    if finding.code == "dkim.cname_no_key":
        params["dkim_target_state"] = (
            "einen Namen, den es im DNS nicht gibt"
            if finding.params.get("gone")
            else "dort steht aber kein DKIM-Schlüssel"
        )
    if finding.code == "dmarc.cname_no_record":
        params["target_state"] = (
            "einen Namen, den es im DNS nicht gibt (oft von einem früheren DMARC-Dienstleister)"
            if params["gone"]
            else "dort steht aber kein DMARC-Eintrag"
        )
        params["cname_fix"] = (
            f"Nutzen Sie den Dienst hinter {params['target']} nicht mehr, löschen Sie den "
            f"CNAME-Eintrag {params['host']} und legen Sie danach unter diesem Host einen "
            f"TXT-Eintrag mit diesem Wert an: {params['record']}. Nutzen Sie ihn noch, bitten Sie "
            f"dessen Anbieter, unter {params['target']} den DMARC-Eintrag zu veröffentlichen."
        )
    if finding.code == "dkim.wrong_key_type":
        declared = params.get("declared")
        params["declared_text"] = f"k={declared}" if declared else "ohne k= (also k=rsa)"
    if "key_type" in params:
        params["key_name"] = "Ed25519" if params["key_type"] == "ed25519" else "RSA"
    if "via" in params:
        params["via_text"] = f" (über den CNAME auf {params['via']})" if params["via"] else ""
    if "what" in params:
        params["what_text"] = {
            "A": "eine IP-Adresse",
            "CNAME": "einen Verweis per CNAME",
            "TXT": "einen TXT-Wert",
        }.get(params["what"], params["what"])
    if finding.code == "dmarc.missing_semicolon":
        params["semicolon_effect"] = (
            "So erkennen Empfänger den Eintrag nicht als DMARC-Eintrag."
            if params["before"].lower().replace(" ", "") == "v=dmarc1"
            else f"So gehört „{params['after']}“ für Empfänger zum Wert von "
            f"„{params['before'].split('=', 1)[0]}=“ und macht ihn ungültig."
        )
    if finding.code == "spf.bad_macro_letter":
        params["macro_letters"] = (
            "s, l, o, d, i, p, h, v und – nur in exp= – c, r, t"
            if params["exp"]
            else "s, l, o, d, i, p, h, v (c, r und t nur in exp=)"
        )
    if finding.code == "dkim.duplicate_tag":
        params["conflict_text"] = (
            f" {params['conflicts']} steht dort mit verschiedenen Werten; welcher gilt, können "
            "wir nicht erraten, deshalb bieten wir daraus keinen Wert zum Kopieren an."
            if finding.params.get("conflicts")
            else ""
        )
    if finding.code == "dmarc.duplicate_tag":
        values = finding.params.get("values") or []
        params["values_text"] = (
            " mit verschiedenen Werten (" + " und ".join(f"„{v}“" for v in values) + ")"
            if values
            else ""
        )
        params["duplicate_fix"] = (
            f"Lassen Sie „{params['name']}=“ nur mit dem Wert stehen, der gelten soll."
            if values
            else f"Lassen Sie „{params['name']}=“ nur einmal stehen."
        )
    if finding.code == "dmarc.policy_void":
        params["void_what"] = "fehlt" if params.get("missing") else "ungültig ist"
        params["void_effect"] = (
            "sie behandeln Ihre Domain wie mit p=none (nur beobachten)"
            if params["rua"]
            else "sie prüfen DMARC für Ihre Domain gar nicht"
        )
    if finding.code == "dmarc.removed_tag":
        name, value = params["name"], params["value"]
        old = {
            "pct": f"wenden Ihre Richtlinie nur auf {value} % der E-Mails an",
            "rf": "schicken Fehlerberichte in diesem Format",
            "ri": f"schicken Sammelberichte im Abstand von {value} Sekunden",
        }[name]
        params["removed_text"] = (
            f"Die Angabe „{name}={value}“ gibt es seit RFC 9989 nicht mehr; neuere Empfänger "
            f"ignorieren sie, ältere (nach RFC 7489) {old}."
            if finding.params.get("valid")
            else f"Die Angabe „{name}={value}“ gibt es seit RFC 9989 nicht mehr, und ihr Wert "
            f"ist ungültig (erlaubt war {ALLOWED_REMOVED[name]}); alle Empfänger ignorieren sie."
        )
        params["removed_fix"] = (
            "" if finding.params.get("valid") else f"Entfernen Sie „{name}={value}“."
        )
    if finding.code == "dmarc.unknown_tag":
        suggestion = params.get("suggestion")
        params["suggestion_text"] = f" (gemeint ist wohl „{suggestion}=“)" if suggestion else ""
        params["unknown_fix"] = (
            f"Ändern Sie „{params['name']}=“ in „{suggestion}=“."
            if suggestion
            else f"Entfernen Sie „{params['name']}={params['value']}“."
        )
    if finding.code == "dmarc.fixed_policy":
        params["policy_change"] = (
            f"Im Vorschlag steht „p={params['fixed']}“ statt „p={params['value']}“ – prüfen "
            "Sie, ob das Ihre Absicht ist."
            if params["value"]
            else f"Im Vorschlag steht „p={params['fixed']}“, weil p= fehlte; so wirkt der "
            "Eintrag heute schon bei Empfängern."
        )
    if finding.code == "dmarc.parent_broken":
        params["parent_policy"] = (
            f" Der Vorschlag übernimmt die dort gemeinte Richtlinie p={params['policy']}."
            if params["policy"]
            else ""
        )
    if finding.code == "dmarc.inherited":
        observe = " Er beobachtet nur und weist noch nichts ab."
        params["observe"] = observe if params["policy"] == "none" else ""
        if finding.params.get("psd"):
            params["observe"] += (
                " Das ist der Eintrag des Betreibers der Domain-Endung (psd=y, RFC 9989), nicht "
                "Ihr eigener; mit einem eigenen DMARC-Eintrag bestimmen Sie selbst."
            )
    if isinstance(finding.params.get("count"), int):
        count = finding.params["count"]
        params["count_word"] = NUMBERS.get(count, str(count))
        params["all_of"] = "beide" if count == 2 else f"alle {params['count_word']}"
        params["times"] = TIMES.get(count, f"{count}-mal")
    if "lookups" in params and "limit" in params:
        lookups, limit = params["lookups"], params["limit"]
        params["lookups_note"] = f"; Empfänger erlauben höchstens {limit}"
        params["lookups_text"] = (
            f"Er braucht {lookups} DNS-Abfrage{'' if lookups == 1 else 'n'}; Empfänger "
            f"erlauben für einen SPF-Eintrag höchstens {limit}."
        )
    if finding.code == "dkim.ok":
        bits = finding.params.get("bits")
        params["size_text"] = (
            f"ein RSA-Schlüssel mit {bits} Bit, lang genug nach heutigem Stand"
            if bits
            else "ein Ed25519-Schlüssel (ein neueres Verfahren mit kurzen Schlüsseln)"
        )
    if finding.code == "spf.include_unavailable":
        params["mailjet_text"] = "" if finding.params["mailjet"] else " mit Mailjet"
    if "subject" in params:
        subject = SUBJECTS.get(finding.params["subject"], "den Eintrag")
        names = finding.params.get("names")
        params["subject_text"] = (
            f"{subject} vollständig (keine Antwort für {', '.join(names)})" if names else subject
        )
    if "providers" in params:
        params["missing_fix"] = missing_fix(finding.params)
    params["where_text"] = WHERE.format(where=params["where"]) if params.get("where") else ""
    if "count" in params and "target" in params:
        params["target_problem"] = (
            "keinen SPF-Eintrag" if params["count"] == 0 else "mehrere SPF-Einträge"
        )
    return params


SPF_SYNTAX = frozenset(
    {
        "spf.odd_space",
        "spf.modifier_empty",
        "spf.unknown_term",
        "spf.all_value",
        "spf.needs_domain",
        "spf.bad_ip",
        "spf.ip_version",
        "spf.bad_domain",
        "spf.bad_cidr",
        "spf.bad_macro",
        "spf.bad_macro_letter",
        "spf.duplicate_modifier",
        "spf.too_deep",
        "spf.mx_over_limit",
        "spf.loop",
        "spf.include_target",
    }
)


def render(finding: Finding, defaults: dict | None = None) -> tuple[str, str]:
    """Return (message, fix) in German for one finding (defaults: parameters of the record
    itself, such as its host, that a finding's own parameters override)."""
    message, fix = TEXTS[finding.code]
    params = {**(defaults or {}), **params_for(finding)}
    if finding.code in SPF_SYNTAX and params.get("via") and params.get("where"):
        fix = VIA_FIX  # only the include is the customer's to change
    message, fix = message.format(**params), "" if params.get("no_fix") else fix.format(**params)
    if finding.code in SPF_SYNTAX:
        message = f"Der SPF-Eintrag ist fehlerhaft: {message}"
    if params["where_text"] and message and "{where_text}" not in TEXTS[finding.code][0]:
        message = f"{message.rstrip('.')}{params['where_text']}."
    return message, fix


# A bare reference such as "(RFC 7208, Abschnitt 4.5)" belongs in an aside, not in the text.
RULE_REFERENCE = re.compile(r"\s*\((RFC \d+, Abschnitte? [\d.]+(?: und [\d.]+)?)\)")


def rules(message: str) -> tuple[str, str]:
    """Split the bare RFC references out of a message: (message without them, "RFC 7208,
    Abschnitt 4.5; …" for a one-line aside, or "")."""
    found = list(dict.fromkeys(RULE_REFERENCE.findall(message)))
    return RULE_REFERENCE.sub("", message), "; ".join(found)


def words(findings, defaults: dict | None = None) -> tuple[str, str]:
    """Return (message, fix) for several findings: their sentences in order, fixes once each."""
    rendered = [render(f, defaults) for f in findings]
    prefix = "Der SPF-Eintrag ist fehlerhaft: "
    first = next((i for i, (m, _) in enumerate(rendered) if m.startswith(prefix)), None)
    rendered = [
        (m.replace(prefix, "", 1) if i != first and m.startswith(prefix) else m, f)
        for i, (m, f) in enumerate(rendered)
    ]
    message = " ".join(m for m, _ in rendered if m)
    fix = " ".join(dict.fromkeys(f for _, f in rendered if f))
    return message, fix

"""The German words for the receiver's verdict: result codes + parameters -> what a receiving
server concluded, and the fix, naming the DNS record and, where the page shows that record,
the checklist item it belongs to (so the page can link "siehe Eintrag oben").

Rendered at display time from the stored dict (Verdict.to_dict()), so a stored verdict always
reads in the current wording:

    for line in explain(verdict_dict, path="mailjet"):
        line.part      # "spf" | "dkim" | "dmarc" | "arc"
        line.state     # "done" | "warning" | "failed" | "unknown" (nicht prüfbar)
        line.text      # what a receiver concluded, in German
        line.fix       # what to change ("" when nothing)
        line.item_id   # "dns-spf" / "dns-dkim" / "dns-dmarc" when the page shows the record
        line.record    # the DNS name concerned ("mailjet._domainkey.kunde.de"), or ""
"""

from __future__ import annotations

from dataclasses import dataclass

from mitwirkung.checks.inbound.dkim import MAX_SIGNATURES
from mitwirkung.checks.inbound.verdict import MAX_ARC_SETS, Verdict, item_state

SEE_ABOVE = " – siehe Eintrag oben."
UNKNOWN = (
    "nicht prüfbar. Der DNS-Server hat nicht rechtzeitig oder nur mit einem Fehler geantwortet. "
    "Das liegt nicht an Ihrem Eintrag; senden Sie die Mail später noch einmal."
)
POLICY_WORDS = {
    "reject": "weisen die Mail ab",
    "quarantine": "legen die Mail in den Spam-Ordner",
    "none": "stellen die Mail zu, werten sie aber nicht als geprüft",
}
# DKIM reasons the key record decides (the page's DKIM record is the place to fix them)
KEY_REASONS = (
    "signature_mismatch",
    "key_missing",
    "key_revoked",
    "key_invalid",
    "key_too_small",
    "testing",
)
HEADLINES = {
    "done": "Empfang nachgewiesen – ein empfangender Server würde diese Mail annehmen.",
    "warning": (
        "Empfang nachgewiesen – aber empfangende Server könnten diese Mail als Spam einstufen."
    ),
    "failed": (
        "Empfang nachgewiesen – aber Empfänger, die der DMARC-Richtlinie Ihrer Domain folgen, "
        "würden diese Mail {what}."
    ),
    "unknown": (
        "Empfang nachgewiesen – ob andere Server die Mail annehmen, war nicht prüfbar: Der "
        "DNS-Server hat nicht rechtzeitig geantwortet. Senden Sie die Mail später noch einmal."
    ),
}
FAILED_WHAT = {"reject": "abweisen", "quarantine": "in den Spam-Ordner legen"}


@dataclass(frozen=True)
class Line:
    """One part of the verdict in German, with its fix and the record it concerns."""

    part: str
    state: str
    text: str
    fix: str = ""
    item_id: str | None = None
    record: str = ""


def _fix(text: str, item: str | None) -> str:
    """Return text ending in "." or, when the page shows the record, in "– siehe Eintrag oben"."""
    text = text.rstrip(" .")
    return text + (SEE_ABOVE if item else ".")


def headline(verdict: Verdict | dict) -> tuple[str, str]:
    """Return (item state, one German sentence summing the verdict up)."""
    if isinstance(verdict, dict):
        verdict = Verdict.from_dict(verdict)
    state = item_state(verdict)
    if state == "failed":
        what = FAILED_WHAT.get(verdict.dmarc.disposition, "abweisen")
        return state, HEADLINES["failed"].format(what=what)
    if state == "warning" and verdict.dmarc.result == "temperror":
        return state, HEADLINES["unknown"]
    return state, HEADLINES[state]


def _item(path: str | None, item_id: str, record_domain: str, from_domain: str) -> str | None:
    """Return item_id when the page shows that record: Mailjet path, the customer's domain."""
    if path == "mailjet" and record_domain and record_domain == from_domain:
        return item_id
    return None


def _spf(v: Verdict, path: str | None) -> Line:
    spf, author = v.spf, v.dmarc.from_domain
    domain = spf.domain or "(unbekannt)"
    who = f"den sendenden Server {spf.ip}" if spf.ip else "den sendenden Server"
    helo = " (der Absender war leer, geprüft wurde der HELO-Name)" if spf.identity == "helo" else ""
    item = _item(path, "dns-spf", spf.domain, author)
    record = f"TXT-Eintrag auf {domain}, beginnt mit v=spf1"
    if spf.result == "pass":
        text = f"SPF bestanden: Der SPF-Eintrag von {domain} erlaubt {who}{helo}."
        if author and spf.domain != author and not v.dmarc.spf_aligned:
            text += (
                f" Das gilt für die Absenderadresse im Umschlag ({domain}), nicht für die "
                f"Absenderdomain {author}; für DMARC zählt es deshalb nicht."
            )
        return Line("spf", "done", text, record=spf.domain)
    if spf.result == "temperror":
        return Line("spf", "unknown", "SPF " + UNKNOWN, record=spf.domain)
    if spf.result == "none":
        text = f"SPF: {domain} hat keinen SPF-Eintrag{helo}; Empfänger wissen nicht, welche "
        text += "Server für diese Domain senden dürfen."
        fix = f"Legen Sie einen SPF-Eintrag an ({record}), der Ihren Mailserver erlaubt"
        return Line("spf", "warning", text, _fix(fix, item), item, domain)
    if spf.result == "permerror":
        reasons = {
            "too_many_lookups": "er braucht mehr als 10 DNS-Abfragen (include, a, mx, …)",
            "too_many_void_lookups": "mehr als zwei seiner Verweise führen ins Leere",
            "multiple_records": "es gibt mehr als einen SPF-Eintrag (es darf nur einen geben)",
            "too_many_mx": "ein mx verweist auf mehr als 10 Mailserver",
            "redirect_no_record": "redirect= verweist auf eine Domain ohne SPF-Eintrag",
            "non_ascii": "er enthält Sonderzeichen, die in SPF nicht erlaubt sind",
        }
        why = reasons.get(spf.problem_code, "er enthält einen Schreibfehler")
        text = f"SPF ungültig: Empfänger verwerfen den SPF-Eintrag von {domain}. Grund: {why}."
        fix = f"Korrigieren Sie den SPF-Eintrag ({record})"
        if item:
            fix += ". Die DNS-Prüfung zeigt die Stelle"
        return Line("spf", "failed", text, _fix(fix, item), item, domain)
    state = "failed" if spf.result == "fail" else "warning"
    rule = f" (Regel „{spf.mechanism}“)" if spf.mechanism and spf.mechanism != "default" else ""
    if spf.result == "softfail":
        text = f"SPF nicht bestanden: Der SPF-Eintrag von {domain} stuft {who} als verdächtig ein"
    elif spf.result == "fail":
        text = f"SPF nicht bestanden: Der SPF-Eintrag von {domain} verbietet {who}"
    else:
        text = f"SPF neutral: Der SPF-Eintrag von {domain} macht keine Aussage über {who}"
    text += f"{rule}{helo}."
    if spf.explanation:  # the domain owner's exp= text (from DNS: the page escapes it)
        text += f" Hinweis des Domaininhabers: „{spf.explanation[:200]}“"
    if path == "mailjet" and author and spf.domain != author:
        fix = (
            f"{domain} gehört dem Versanddienst, nicht Ihnen: An Ihren Einträgen ist nichts "
            "zu ändern. Melden Sie es Ihrer Ansprechperson bei PEIQ."
        )
    elif path == "mailjet":  # true whether or not the record already names Mailjet
        fix = (
            f"Mails über Mailjet kommen von Mailjets Servern, die include:spf.mailjet.com im "
            f"SPF-Eintrag erlaubt ({record}). Steht es dort schon, kam diese Mail nicht über "
            "Mailjet: Senden Sie die Testmail über Mailjet, nicht über einen anderen Server."
        )
    else:
        fix = (
            f"Nehmen Sie den Server, über den Sie senden, in den SPF-Eintrag auf ({record}); "
            "die nötige Angabe (meist include:…) nennt Ihr Mail-Anbieter."
        )
    return Line("spf", state, text, _fix(fix, item), item, domain)


def _dkim_entry(entry, v: Verdict, path: str | None) -> Line:
    author = v.dmarc.from_domain
    name = f"{entry.selector}._domainkey.{entry.domain}"
    bits = f", {entry.key_bits} Bit" if entry.key_bits else ""
    algorithm = f", {entry.algorithm}" if entry.algorithm else ""
    who = f"DKIM-Signatur von {entry.domain} (Selektor {entry.selector}{algorithm}{bits})"
    item = _item(path, "dns-dkim", entry.domain, author)
    if entry.result == "pass":
        text = f"{who}: gültig."
        if author and entry.domain not in v.dmarc.dkim_aligned:
            text += (
                f" Sie gehört zu {entry.domain}, nicht zu Ihrer Absenderdomain {author}, und "
                "zählt deshalb für DMARC nicht."
            )
        return Line("dkim", "done", text, record=name)
    if entry.result == "temperror":
        return Line("dkim", "unknown", f"{who}: " + UNKNOWN, record=name)
    texts = {
        "body_changed": (
            "ungültig – der Text der Mail wurde nach dem Signieren verändert (der Prüfwert bh= "
            "passt nicht), etwa durch eine angehängte Fußzeile oder einen Virenscan-Hinweis",
            "Schalten Sie Zusätze ab, die ein Server nach dem Signieren in die Mail einfügt, "
            "oder lassen Sie erst danach signieren.",
        ),
        "signature_mismatch": (
            f"passt nicht zum Schlüssel unter {name} – entweder wurde eine signierte "
            "Kopfzeile (Betreff, Absender, …) unterwegs verändert, oder der veröffentlichte "
            "Schlüssel ist nicht der, mit dem signiert wurde",
            f"Veröffentlichen Sie unter {name} genau den Schlüssel, mit dem signiert wird "
            "(nach einem Schlüsselwechsel steht oft noch der alte im DNS)",
        ),
        "key_missing": (
            f"unter {name} ist kein Schlüssel veröffentlicht",
            f"Legen Sie den TXT-Eintrag {name} mit dem öffentlichen Schlüssel an",
        ),
        "key_revoked": (
            f"der Schlüssel unter {name} ist zurückgezogen (p= ist leer)",
            f"Tragen Sie unter {name} den aktuellen öffentlichen Schlüssel ein (p=…)",
        ),
        "key_invalid": (
            f"der Eintrag unter {name} ist kein lesbarer Schlüssel",
            f"Kopieren Sie den Schlüssel-Eintrag unter {name} noch einmal vollständig",
        ),
        "key_too_small": (
            f"der Schlüssel unter {name} ist zu kurz; Empfänger verlangen mindestens 1024 Bit",
            "Erzeugen Sie einen neuen Schlüssel mit 2048 Bit und veröffentlichen Sie ihn",
        ),
        "testing": (
            "gültig, aber der Schlüssel steht im Testmodus (t=y): Empfänger behandeln die Mail "
            "wie unsigniert",
            f"Entfernen Sie t=y aus dem Eintrag {name}",
        ),
        "signature_expired": (
            "abgelaufen – die Signatur war nur bis zu einem Zeitpunkt gültig (x=), der vorbei ist",
            "Senden Sie die Mail neu; bleibt es so, prüfen Sie die Uhrzeit des sendenden Servers.",
        ),
        "weak_algorithm": (
            "nicht anerkannt – signiert mit rsa-sha1, das Empfänger nicht mehr gelten lassen",
            "Stellen Sie die Signatur des sendenden Servers auf rsa-sha256 um.",
        ),
        "signature_invalid": (
            "Signatur fehlerhaft – die Kopfzeile DKIM-Signature selbst ist nicht lesbar (etwa "
            "ein Domainname d= oder Selektor s=, der keiner ist)",
            "Prüfen Sie die DKIM-Einstellungen des sendenden Servers.",
        ),
    }
    what, fix = texts.get(entry.reason, texts["signature_invalid"])
    state = "warning" if entry.reason == "testing" else "failed"
    if entry.reason not in KEY_REASONS:  # not a matter of the key record: nothing to link
        item = None
    if entry.reason == "signature_invalid":  # d=/s= may not even be a name: no DNS record
        name = ""
    return Line("dkim", state, f"{who}: {what}.", _fix(fix, item), item, name)


def _unchecked(count: int) -> Line:
    """One line for the signatures beyond the verified ones (RFC 6376 §6.1 lets a verifier
    stop after a few)."""
    what = "eine weitere DKIM-Signatur" if count == 1 else f"{count:,} weitere DKIM-Signaturen"
    text = (
        f"DKIM: Die Mail trägt {what.replace(',', '.')}, nicht geprüft – ein Empfangsserver "
        f"prüft nur die ersten {MAX_SIGNATURES}."
    )
    return Line("dkim", "unknown", text)


def _dkim(v: Verdict, path: str | None) -> list[Line]:
    if v.dkim:
        # stored verdicts from before the bound may hold more entries: show the capped set
        lines = [_dkim_entry(entry, v, path) for entry in v.dkim[:MAX_SIGNATURES]]
        rest = v.dkim_unchecked + max(0, len(v.dkim) - MAX_SIGNATURES)
        return lines + ([_unchecked(rest)] if rest else [])
    author = v.dmarc.from_domain or "Ihrer Domain"
    fix = (
        "Richten Sie DKIM ein, damit Ihr Mailserver jede Mail signiert. Den Schlüssel dazu "
        f"veröffentlichen Sie als TXT-Eintrag unter einem Namen, der auf ._domainkey.{author} "
        "endet; den Teil davor (den Selektor) nennt Ihnen Ihr Mailanbieter."
    )
    if path == "mailjet":  # true whether or not the DKIM record is already right
        fix = (
            f"Über Mailjet gesendete Mails tragen eine Signatur für {author}, sobald der "
            "DKIM-Eintrag stimmt. Ist er oben schon in Ordnung, kam diese Mail wahrscheinlich "
            "nicht über Mailjet: Senden Sie die Testmail über Mailjet"
        )
    text = "DKIM: Die Mail trägt keine DKIM-Signatur (eine digitale Unterschrift der Domain)."
    item = _item(path, "dns-dkim", author, author)
    return [Line("dkim", "warning", text, _fix(fix, item), item)]


def _dmarc(v: Verdict, path: str | None) -> Line:
    d = v.dmarc
    author = d.from_domain
    record = f"_dmarc.{author}"
    item = _item(path, "dns-dmarc", author, author)
    if d.result == "permerror":
        text = {
            "several_from": "DMARC nicht anwendbar: Die Mail hat mehrere Absender (From).",
            "no_from": "DMARC nicht anwendbar: Die Mail hat keine lesbare Absenderadresse (From).",
        }.get(d.reason, "DMARC nicht anwendbar.")
        return Line("dmarc", "failed", text, "Senden Sie mit genau einer Absenderadresse.")
    if d.result == "temperror":
        return Line("dmarc", "unknown", "DMARC " + UNKNOWN, record=record)
    if d.result == "none" and d.reason == "record_unusable":
        where = d.record_domain or author
        text = (
            f"DMARC: Der Eintrag _dmarc.{where} hat bei p=, sp= oder np= einen ungültigen Wert; "
            "Empfänger wenden DMARC deshalb nicht an."
        )
        fix = (
            f"Korrigieren Sie den TXT-Eintrag _dmarc.{where}: p=, sp= und np= dürfen nur none, "
            "quarantine oder reject sein"
        )
        item = _item(path, "dns-dmarc", where, author)
        return Line("dmarc", "warning", text, _fix(fix, item), item, f"_dmarc.{where}")
    if d.result == "none":
        text = (
            f"DMARC: {author} hat keinen DMARC-Eintrag ({record}); Empfänger entscheiden "
            "selbst, was mit Mails geschieht, die SPF und DKIM nicht bestehen."
        )
        fix = f"Legen Sie den TXT-Eintrag {record} an, zum Beispiel mit dem Wert „v=DMARC1; p=none“"
        return Line("dmarc", "warning", text, _fix(fix, item), item, record)
    where = "" if d.record_domain == author else f" (Eintrag von {d.record_domain})"
    policy = f"p={d.policy}{where}"
    if d.result == "pass":
        what = []
        if d.spf_aligned:
            what.append(f"SPF ({v.spf.domain})")
        if d.dkim_aligned:
            what.append("DKIM (" + ", ".join(sorted(set(d.dkim_aligned))) + ")")
        verb = "passen" if len(what) > 1 else "passt"
        text = f"DMARC bestanden: {' und '.join(what)} {verb} zur Absenderdomain {author}; "
        text += f"Richtlinie {policy}."
        return Line("dmarc", "done", text, record=record)
    disposition = d.disposition or d.policy or "none"
    text = (
        f"DMARC nicht bestanden: Weder SPF noch DKIM bestehen für die Absenderdomain {author}. "
        f"Empfänger, die der Richtlinie {policy} folgen, {POLICY_WORDS[disposition]}."
    )
    if d.testing:
        text += " (Der Eintrag steht im Testmodus t=y; Empfänger wenden eine Stufe milder an.)"
    item = None
    if path == "mailjet":  # Mailjet signs with the customer's domain once its DKIM key is right
        item = "dns-dkim"
        fix = (
            f"Damit Mailjet mit {author} signiert (DKIM mit d={author}), muss der "
            f"DKIM-Eintrag von {author} stimmen"
        )
    elif d.reason == "not_aligned":
        fix = (
            f"SPF oder DKIM bestehen nur für andere Domains. Lassen Sie mit {author} signieren "
            f"(DKIM mit d={author}) oder als Umschlag-Absender eine Adresse unter {author} "
            "verwenden."
        )
    else:
        fix = "Bringen Sie SPF oder DKIM zum Bestehen (siehe oben)."
    state = "failed" if disposition in ("quarantine", "reject") else "warning"
    return Line("dmarc", state, text, _fix(fix, item), item, record)


def _arc(v: Verdict) -> list[Line]:
    if not v.arc.instances:
        return []
    chain = {
        "pass": "intakt",
        "fail": "gebrochen",
        "unchecked": f"nicht geprüft, mehr als {MAX_ARC_SETS} Siegel",
    }.get(v.arc.chain, v.arc.chain)
    text = (
        f"ARC: Die Mail trägt {v.arc.instances} Weiterleitungs-Siegel (zuletzt von "
        f"{v.arc.sealer or 'unbekannt'}, Kette {chain}). Nur zur Information: ein Siegel "
        "ersetzt kein bestandenes SPF, DKIM oder DMARC."
    )
    return [Line("arc", "done", text)]


def explain(verdict: Verdict | dict, *, path: str | None = None) -> list[Line]:
    """Return the verdict as German lines: SPF, each DKIM signature, DMARC, ARC.

    path: the customer's chosen path ("smtp-own", "mailjet", "portal"); on "mailjet" the fixes
    of the customer's SPF, DKIM and DMARC records name the checklist items the page shows.
    """
    if isinstance(verdict, dict):
        verdict = Verdict.from_dict(verdict)
    return [_spf(verdict, path), *_dkim(verdict, path), _dmarc(verdict, path), *_arc(verdict)]

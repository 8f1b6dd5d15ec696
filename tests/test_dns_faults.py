"""DNS fault kinds: each kind with several instances (tests/zones/kinds.zone), asserting the state,
the finding code, the German text a customer reads and that every offered record is valid."""

import asyncio
import re

import checkdmarc.utils
import dns.nameserver
import pytest
from checkdmarc.dmarc import check_dmarc as oracle_dmarc
from checkdmarc.spf import check_spf as oracle_spf
from dnsserver import ZoneServer
from dnszones import ZONES, make_keys, zone_text
from helpers.dnscheck import VERIFY_NAME, VERIFY_VALUE, assert_offer_valid, check, codes, record

from mitwirkung.checks import spf_repair
from mitwirkung.checks.dns import MailjetExpectation


@pytest.fixture(scope="module")
def keys():
    return make_keys()


@pytest.fixture(scope="module")
def server(keys):
    with ZoneServer(zone_text(keys)) as srv:
        yield srv


def oracle(server):
    checkdmarc.utils.DNS_CACHE.clear()
    return {
        "nameservers": [dns.nameserver.Do53Nameserver("127.0.0.1", server.port)],
        "timeout": 2.0,
    }


def zone_domains() -> list[str]:
    domains = set()
    for path in ZONES.glob("*.zone"):
        domains |= {m.rstrip(".") for m in re.findall(r"^\$ORIGIN (\S+)", path.read_text(), re.M)}
    return sorted(d for d in domains if "{" not in d and d.count(".") >= 1 and d != "mailjet.com")


# --- kind 1: values are judged as receivers take them -----------------------------------------


@pytest.mark.parametrize(
    ("domain", "code", "text"),
    [
        ("k1-lead.de", "spf.version_leading", "beginnt mit einem Leerzeichen"),
        ("k1-nbsp.de", "spf.version_odd_space", "ein geschütztes Leerzeichen (U+00A0"),
        (
            "k1-tab.de",
            "spf.odd_space",
            "ein Tabulator zwischen „include:spf.mailjet.com“ und „~all“ (an Stelle 31",
        ),
        ("k1-zwsp.de", "spf.odd_space", "ein unsichtbares Leerzeichen (U+200B) nach „include:"),
    ],
)
def test_spf_value_is_not_cleaned_before_judging(server, domain, code, text):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "failed"
    assert codes(rec)[0] == code
    assert text in rec.message
    assert "\t" not in rec.expected and "\u00a0" not in rec.expected
    assert rec.expected.endswith("include:spf.mailjet.com ~all")
    assert rec.expected in rec.fix
    assert_offer_valid(rec)


@pytest.mark.parametrize("domain", ["k1-lead.de", "k1-nbsp.de", "k1-zwsp.de"])
def test_checkdmarc_agrees_that_receivers_find_no_valid_spf(server, domain):
    assert oracle_spf(domain, **oracle(server))["valid"] is False


def test_checkdmarc_is_wrong_about_a_tab_between_terms(server):
    # checkdmarc splits terms on any whitespace; RFC 7208 §4.6.1 separates terms by SP only,
    # so "include:spf.mailjet.com<TAB>~all" is one broken term for receivers such as pyspf.
    assert oracle_spf("k1-tab.de", **oracle(server))["valid"] is True
    assert record(server, "k1-tab.de", "dns-spf").state == "failed"


def test_dkim_key_with_no_break_space_fails_and_names_it(server):
    rec = record(server, "k1-zwsp.de", "dns-dkim")
    assert rec.state == "failed"
    assert codes(rec)[0] == "dkim.odd_space"
    assert "ein geschütztes Leerzeichen (U+00A0" in rec.message
    assert_offer_valid(rec)


def test_dmarc_with_no_break_space_is_named_and_keeps_reject(server):
    rec = record(server, "k1-nbsp.de", "dns-dmarc")
    assert rec.state == "failed"
    assert codes(rec)[0] == "dmarc.odd_space"
    assert "zwischen „v=DMARC1“ und „p=reject“" in rec.message
    assert rec.expected == "v=DMARC1; p=reject"
    assert_offer_valid(rec)
    # checkdmarc strips any whitespace and calls it valid; a receiver that splits on SP/HTAB
    # (RFC 7489 §6.4) reads the tag name "\u00a0p" and finds no p=.
    assert oracle_dmarc("k1-nbsp.de", **oracle(server))["valid"] is True


def test_verification_value_with_invisible_character_is_not_done(server):
    rec = record(server, "k1-nbsp.de", "dns-verification")
    assert rec.state == "failed"
    assert codes(rec) == ["verification.odd_space"]
    assert "mit einem geschützten Leerzeichen (U+00A0" in rec.message
    assert "an Stelle 17" in rec.message
    assert "auf genau: a1b2c3d4e5f60718" in rec.fix


# --- kind 2: every proposed record is valid ---------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "expected", "change"),
    [
        (
            "k2-glued.de",
            "v=spf1 ip4:192.0.2.25 include:spf.mailjet.com ~all",
            "Im Vorschlag ist „ip4:192.0.2.25~all“ zu „ip4:192.0.2.25 ~all“ korrigiert.",
        ),
        (
            "k2-comma.de",
            "v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 include:spf.mailjet.com -all",
            "zu „ip4:192.0.2.1 ip4:192.0.2.2“ korrigiert",
        ),
        (
            "k2-equals.de",
            "v=spf1 include:_spf.k2-equals.de include:spf.mailjet.com -all",
            "zu „include:_spf.k2-equals.de“ korrigiert",
        ),
        (
            "k2-two.de",
            "v=spf1 ip4:192.0.2.25 include:spf.mailjet.com ~all",
            "zu „ip4:192.0.2.25 ~all“ korrigiert",
        ),
        (
            "k2-space.de",
            "v=spf1 include:spf.mailjet.com ip4:45.154.45.81 ~all",
            "Im Vorschlag ist „include: spf.mailjet.com“ zu „include:spf.mailjet.com“ korrigiert.",
        ),
        (
            "k2-strings.de",
            "v=spf1 ip4:192.0.2.1 include:spf.mailjet.com ~all",
            "zu „include:spf.mailjet.com ~all“ korrigiert",
        ),
        (
            "k2-twoexp.de",
            "v=spf1 ip4:192.0.2.1 include:spf.mailjet.com exp=why.k2-twoexp.de ~all",
            "Im Vorschlag fehlt das zweite „exp=other.k2-twoexp.de“",
        ),
    ],
)
def test_offered_spf_is_repaired_and_says_what_changed(server, domain, expected, change):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "failed"
    assert rec.expected == expected
    assert expected in rec.fix and change in rec.fix
    assert_offer_valid(rec)


def test_strings_joined_without_space_are_explained(server):
    rec = record(server, "k2-strings.de", "dns-spf")
    assert "spf.strings_joined" in codes(rec)
    assert "ohne Leerzeichen zusammen" in rec.message and "3.3" in rec.rules  # an aside
    assert oracle_spf("k2-strings.de", **oracle(server))["valid"] is False


@pytest.mark.parametrize("domain", ["k2-glued.de", "k2-space.de"])
def test_checkdmarc_agrees_glued_and_spaced_terms_are_invalid(server, domain):
    assert oracle_spf(domain, **oracle(server))["valid"] is False


@pytest.mark.parametrize(
    ("domain", "code"),
    [
        ("k2-unclear.de", "spf.unrepairable"),
        ("k6-badmacro.de", "spf.unrepairable"),
        ("spf-full.de", "spf.over_limit"),
        ("spf-full2.de", "spf.over_limit"),
        ("spf-nofix.de", "spf.include_target"),
    ],
)
def test_no_copy_when_no_valid_spf_can_be_derived(server, domain, code):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "failed"
    assert rec.expected == ""
    assert rec.details["no_copy"] is True
    assert code in codes(rec)
    assert rec.fix


def test_unrepairable_term_says_why_there_is_no_copy(server):
    rec = record(server, "k2-unclear.de", "dns-spf")
    assert "unklar ist, was „ip4:192.0.2.300“ heißen soll" in rec.message
    assert "keinen Wert zum Kopieren" in rec.message
    assert oracle_spf("k2-unclear.de", **oracle(server))["valid"] is False


def test_dkim_key_entered_by_peiq_that_is_broken_is_not_offered(server, keys):
    rec = record(server, "good.de", "dns-dkim", dkim_key=keys.rsa2048[:120])
    assert rec.expected == ""
    assert rec.details["no_copy"] is True
    assert "dkim.expected_invalid" in codes(rec)
    assert "selbst kein gültiger Schlüssel" in rec.message


@pytest.mark.parametrize("domain", zone_domains())
def test_every_offered_record_parses_valid(server, domain):
    for rec in check(server, domain).records:
        assert_offer_valid(rec)


# --- kind 3: all DKIM key-record tags count (RFC 6376 §3.6.1) ---------------------------------


@pytest.mark.parametrize(
    ("selector", "state", "code", "text"),
    [
        (
            "genkey",
            "failed",
            "dkim.hash_excludes_sha256",
            "mit „h=rsa-sha256“ das Verfahren SHA-256 nicht",
        ),
        ("sha1", "failed", "dkim.hash_excludes_sha256", "mit „h=sha1“ das Verfahren SHA-256 nicht"),
        ("testing", "warning", "dkim.testing", "mit „t=y“ im Testmodus"),
        ("testing2", "warning", "dkim.testing", "mit „t=s:y“ im Testmodus"),
        ("service", "failed", "dkim.service_excludes_email", "mit „s=tlsrpt“ nicht für E-Mail"),
        ("revoked", "failed", "dkim.revoked", "zurückgezogener Schlüssel"),
        ("dsa", "failed", "dkim.unknown_key_type", "Unbekannter Schlüsseltyp „k=dsa“"),
        ("vlate", "failed", "dkim.version_not_first", "steht „v=DKIM1“ nicht am Anfang"),
        ("dup", "failed", "dkim.duplicate_tag", "kommt die Angabe „k“ mehrfach vor"),
        ("v2", "failed", "dkim.bad_version", "„v=DKIM2“ falsch"),
        ("k3-report.de@mailjet", "failed", "dkim.hash_excludes_sha256", "„h=rsa-sha256“"),
    ],
)
def test_every_dkim_tag_has_its_verdict(server, selector, state, code, text):
    domain, _, selector = selector.rpartition("@")
    rec = record(server, domain or "k3.de", "dns-dkim", dkim_selector=selector)
    assert rec.state == state
    assert codes(rec)[0] == code
    assert text in rec.message
    assert rec.fix
    assert_offer_valid(rec)


@pytest.mark.parametrize("selector", ["genkey", "service", "vlate", "dup", "v2"])
def test_dkim_record_with_usable_key_is_offered_repaired(server, selector):
    rec = record(server, "k3.de", "dns-dkim", dkim_selector=selector)
    assert rec.expected.startswith("v=DKIM1; ")
    assert "h=" not in rec.expected and "s=" not in rec.expected
    assert "Wert oben" in rec.fix
    assert_offer_valid(rec)


@pytest.mark.parametrize("selector", ["hashes", "strict", "anyservice", "mailservice"])
def test_valid_dkim_tags_are_done(server, selector):
    rec = record(server, "k3.de", "dns-dkim", dkim_selector=selector)
    assert rec.state == "done", rec.message
    assert codes(rec) == ["dkim.ok"]


# --- kind 5: a DMARC repair keeps the owner's policy ------------------------------------------


@pytest.mark.parametrize(
    ("domain", "code", "text", "expected"),
    [
        (
            "k5-semi.de",
            "dmarc.missing_semicolon",
            "Nach „p=reject“ fehlt das Semikolon",
            "v=DMARC1; p=reject; rua=mailto:dmarc@k5-semi.de",
        ),
        (  # RFC 9989 removed pct=; an invalid value is ignored by every receiver: a warning
            "k5-pct.de",
            "dmarc.removed_tag",
            "„pct=150“ gibt es seit RFC 9989 nicht mehr, und ihr Wert ist ungültig",
            "v=DMARC1; p=quarantine; rua=mailto:dmarc@k5-pct.de",
        ),
        (
            "k5-typo.de",
            "dmarc.unknown_tag",
            "„rau=“ keine bekannte Angabe (gemeint ist wohl „rua=“)",
            "v=DMARC1; p=reject; rua=mailto:dmarc@k5-typo.de",
        ),
        (
            "k5-vlate.de",
            "dmarc.version_not_first",
            "beginnt nicht mit „v=DMARC1“",
            "v=DMARC1; p=quarantine; adkim=s",
        ),
        (
            "k5-mailto.de",
            "dmarc.missing_semicolon",
            "So gehört „rua=dmarc@k5-mailto.de“ für Empfänger zum Wert von „p=“",
            "v=DMARC1; p=reject; rua=mailto:dmarc@k5-mailto.de",
        ),
        (
            "k5-policy.de",
            "dmarc.bad_value",
            "„p=rejct“ ungültig",
            "v=DMARC1; p=reject; sp=none",
        ),
    ],
)
def test_dmarc_fault_is_named_and_the_repair_keeps_every_valid_tag(
    server, domain, code, text, expected
):
    rec = record(server, domain, "dns-dmarc")
    # a record receivers discard or misread is "failed" ("Fehlerhaft"; DMARC is not required,
    # so it never blocks completion); a tag they ignore or an unusual order only warns
    doubtful = code in ("dmarc.unknown_tag", "dmarc.removed_tag")
    assert rec.state == ("warning" if doubtful else "failed")
    assert codes(rec)[0] == code
    assert text in rec.message
    assert rec.expected == expected
    assert f"Ändern Sie den Wert des TXT-Eintrags _dmarc auf: {expected}" in rec.fix
    assert_offer_valid(rec)


@pytest.mark.parametrize("domain", ["k5-semi.de", "k5-mailto.de", "k5-policy.de"])
def test_checkdmarc_agrees_these_dmarc_records_are_invalid(server, domain):
    assert oracle_dmarc(domain, **oracle(server))["valid"] is False


def test_pct_out_of_range_is_no_error_by_rfc_9989(server):
    # RFC 9989 removed pct=; checkdmarc accepts the record too. Older receivers skip the value.
    assert oracle_dmarc("k5-pct.de", **oracle(server))["valid"] is True
    rec = record(server, "k5-pct.de", "dns-dmarc")
    assert "dmarc.removed_tag" in codes(rec) and rec.state == "warning"


def test_policy_after_other_tags_is_valid_by_rfc_9989(server):
    # RFC 9989: free order after v=; older RFC 7489 receivers expect p= second (a note only)
    rec = record(server, "k5-order.de", "dns-dmarc")
    assert rec.state == "done" and codes(rec) == ["dmarc.ok", "dmarc.policy_not_second"]
    assert "nur ältere Empfänger nach RFC 7489 erwarten p= an zweiter Stelle" in rec.message


# --- kind 6: say which RFC rule decided -------------------------------------------------------


def test_redirect_beside_all_is_named_and_kept_as_include(server):
    rec = record(server, "k6-redirect.de", "dns-spf")
    assert rec.state == "failed"
    assert codes(rec)[:2] == ["spf.redirect_ignored", "spf.no_mailjet"]
    assert "ignorieren Empfänger „redirect=“" in rec.message and "6.1" in rec.rules
    assert rec.expected == "v=spf1 include:_spf.k6-redirect.de -all"
    assert "statt „redirect=_spf.k6-redirect.de“" in rec.fix
    assert_offer_valid(rec)
    # checkdmarc calls the record valid (it is); it does not see that Mailjet is not reached.
    assert oracle_spf("k6-redirect.de", **oracle(server))["valid"] is True


def test_redirect_beside_all_keeps_the_other_senders(server):
    rec = record(server, "k6-redirect2.de", "dns-spf")
    assert "spf.redirect_ignored" in codes(rec)
    assert rec.expected == (
        "v=spf1 ip4:192.0.2.9 include:_spf.k6-redirect2.de include:spf.mailjet.com ~all"
    )
    assert_offer_valid(rec)


def test_merging_records_that_end_differently_says_which_all_it_keeps(server):
    rec = record(server, "k6-twoall.de", "dns-spf")
    assert rec.expected == "v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 include:spf.mailjet.com ~all"
    assert "spf.fixed_all_choice" in codes(rec)
    assert "Ihre Einträge enden verschieden („-all“, „~all“)" in rec.fix
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("domain", "code", "text"),
    [
        ("k6-macro.de", "spf.macros", "setzt es erst für jede einzelne E-Mail ein"),
        ("k6-exp.de", "spf.exp", "RFC 7208, Abschnitt 6.2"),
    ],
)
def test_rfc_notes_on_a_valid_record(server, domain, code, text):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "done"
    assert code in codes(rec)
    assert text in rec.message or text in rec.rules  # a bare RFC reference is an aside
    assert oracle_spf(domain, **oracle(server))["valid"] is True


@pytest.mark.parametrize(
    ("domain", "text"),
    [
        ("spf-dead.de", "RFC 7208, Abschnitt 5.1"),
        ("spf-late.de", "nach RFC 7208 (Abschnitt 5.1) endet die Auswertung bei „all“"),
        ("spf-ptr.de", "nach RFC 7208 (Abschnitt 5.5)"),
        ("k6-badmacro.de", "das Makro „%{z}“, das es nicht gibt: nach RFC 7208 (Abschnitt 7.2)"),
    ],
)
def test_messages_name_the_rule(server, domain, text):
    rec = record(server, domain, "dns-spf")
    assert text in rec.message or text in rec.rules  # a bare RFC reference is an aside


# --- kind 4: wildcard answers are no records at that name (RFC 4592) --------------------------


@pytest.mark.parametrize(
    ("domain", "item_id", "what"),
    [
        ("k4-a.de", "dns-dkim", "eine IP-Adresse"),
        ("k4-txt.de", "dns-dkim", "einen TXT-Wert"),
        ("k4-txt.de", "dns-verification", "einen TXT-Wert"),
        ("k4-cname.de", "dns-dkim", "einen Verweis per CNAME"),
        ("k4-cname.de", "dns-verification", "einen Verweis per CNAME"),
        ("k4-revoke.de", "dns-dkim", "einen TXT-Wert"),
    ],
)
def test_wildcard_answer_is_never_a_record_to_delete(server, domain, item_id, what):
    rec = record(server, domain, item_id)
    assert rec.state == "failed"
    assert codes(rec)[-1] == "dns.wildcard"
    assert f"({what}), stammt von einem Platzhalter-Eintrag (*)" in rec.message
    assert "Sie müssen dort nichts löschen" in rec.message
    assert f"genau unter {rec.host} anlegen, hat Vorrang vor dem Platzhalter" in rec.fix
    assert "Löschen" not in rec.fix and "Ändern Sie" not in rec.fix
    assert rec.found == ()


def test_wildcard_record_at_the_doubled_name_is_not_entered_twice(server):
    rec = record(server, "k4-txt.de", "dns-spf")
    assert codes(rec) == ["spf.missing"]
    assert "k4-txt.de.k4-txt.de" not in rec.message + rec.fix


def test_a_record_really_at_the_dkim_name_is_still_named(server):
    rec = record(server, "proxied.de", "dns-dkim")
    assert codes(rec) == ["dkim.address"]
    assert "Löschen Sie den A-Eintrag mailjet._domainkey" in rec.fix


# --- kind 7: nothing known is forgotten on a timeout ------------------------------------------


def test_dkim_timeout_keeps_the_key_peiq_entered(keys):
    with ZoneServer(zone_text(keys), drop=["mailjet._domainkey.good.de"]) as srv:
        report = check(srv, "good.de", timeout=0.5, dkim_key=keys.rsa2048)
    rec = next(r for r in report.records if r.item_id == "dns-dkim")
    assert rec.state == "warning" and rec.details["dns_unavailable"]
    assert rec.expected == f"v=DKIM1; k=rsa; p={keys.rsa2048}"
    assert "antwortet gerade nicht" in rec.message


def test_guard_fallback_carries_the_planned_values(keys):
    from mitwirkung.checks.dns import _guard, planned_records

    exp = MailjetExpectation("good.de", VERIFY_NAME, VERIFY_VALUE, dkim_key=keys.ed25519)
    planned = {r.item_id: r for r in planned_records(exp)}

    async def never():
        await asyncio.Event().wait()

    for fallback in planned.values():
        rec = asyncio.run(_guard(never(), fallback, 0.05))
        assert rec.state == "warning" and rec.details["dns_unavailable"]
        assert rec.expected == fallback.expected
    assert planned["dns-dkim"].expected == f"v=DKIM1; k=ed25519; p={keys.ed25519}"


# --- kind 8: a domain that does not exist is named as such ------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("tippfehler.k8.de", "tippfehler.k8.de"),
        ("firmaa.k8.de", "firmaa.k8.de"),
        ("müllerr-verlag.k8.de", "müllerr-verlag.k8.de"),
    ],
)
def test_domain_that_does_not_exist_is_said_once(server, typed, shown):
    report = check(server, typed)
    first, *rest = report.records
    assert codes(first) == ["domain.nxdomain"]
    assert f"Die Domain {shown} gibt es im DNS nicht – Tippfehler?" in first.message
    assert first.state == "failed" and first.fix
    for rec in rest:
        assert codes(rec) == ["domain.nxdomain_see_above"]
        assert rec.message == ""
        assert "siehe oben" in rec.fix
        assert "nicht gefunden" not in rec.message
    assert [r.state for r in rest] == ["failed", "failed", "warning"]
    assert next(r for r in rest if r.item_id == "dns-spf").expected  # still shows the value


def test_existing_subdomain_of_the_same_zone_is_checked_normally(server):
    assert record(server, "firma.k8.de", "dns-spf").state == "done"


def test_dkim_repair_keeps_the_valid_tags(server):
    rec = record(server, "k3-report.de", "dns-dkim")
    assert rec.expected.startswith("v=DKIM1; k=rsa; s=email; p=")
    assert "h=" not in rec.expected
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("item_id", "offer"),
    [
        ("dns-spf", "Legen Sie genau unter Host news einen TXT-Eintrag mit diesem Wert an: "),
        (
            "dns-dmarc",
            "Legen Sie genau unter Host _dmarc.news einen TXT-Eintrag mit diesem Wert an: ",
        ),
    ],
)
def test_record_a_wildcard_gives_a_subdomain_is_created_not_edited(server, item_id, offer):
    rec = record(server, "news.k4-sub.de", item_id)
    assert rec.state != "done"
    assert "dns.wildcard_record" in codes(rec)
    assert "kommt von einem Platzhalter-Eintrag (*) Ihrer Domain (RFC 4592)" in rec.message
    assert offer + rec.expected in rec.fix
    assert "Ändern Sie" not in rec.fix and "Ersetzen Sie" not in rec.fix
    assert "Setzen Sie" not in rec.fix
    assert_offer_valid(rec)


# --- hosts are relative to the zone cut ---------------------------------------


def test_a_subdomain_in_its_parents_zone_gets_hosts_relative_to_that_zone(server):
    report = check(server, "shop.z1-cut.de")
    hosts = {r.item_id: r.host for r in report.records}
    assert hosts == {
        "dns-verification": "mailjet._a1b2c3d4.shop",
        "dns-spf": "shop",
        "dns-dkim": "mailjet._domainkey.shop",
        "dns-dmarc": "_dmarc.shop",
    }
    assert report.nameservers == ("ns1.dns-provider.net",)
    spf_rec = next(r for r in report.records if r.item_id == "dns-spf")
    assert spf_rec.state == "failed"
    assert "spf.no_mailjet" in codes(spf_rec)
    assert spf_rec.expected == "v=spf1 ip4:192.0.2.4 include:spf.mailjet.com -all"
    assert "Ersetzen Sie den vorhandenen SPF-Eintrag (TXT unter Host shop) durch:" in spf_rec.fix
    assert "Host @" not in spf_rec.fix
    assert_offer_valid(spf_rec)
    dkim_rec = next(r for r in report.records if r.item_id == "dns-dkim")
    assert codes(dkim_rec) == ["dkim.missing"]
    assert "Legen Sie einen TXT-Eintrag mit Host mailjet._domainkey.shop bei" in dkim_rec.fix
    assert "der für z1-cut.de zuständig ist: laut DNS dns-provider.net" in dkim_rec.fix
    assert dkim_rec.fix.count("keinen Unterstrich") == 1  # said once


def test_a_subdomain_without_own_names_gets_every_label_in_its_host(server):
    rec = record(server, "a.b.z1-cut.de", "dns-spf")
    assert codes(rec) == ["spf.missing"]
    assert rec.host == "a.b"
    assert "Legen Sie einen TXT-Eintrag mit Host a.b und Wert" in rec.fix
    assert "der für z1-cut.de zuständig ist" in rec.fix


def test_a_full_name_typed_as_host_is_found_below_the_zone_not_the_domain(server):
    rec = record(server, "a.b.z1-cut.de", "dns-verification")
    assert rec.state == "failed"
    assert codes(rec) == ["dns.doubled"]
    assert "Der Eintrag steht unter mailjet._a1b2c3d4.a.b.z1-cut.de.z1-cut.de" in rec.message
    assert "Sie haben „mailjet._a1b2c3d4.a.b.z1-cut.de“ eingetragen" in rec.fix
    assert "„mailjet._a1b2c3d4.a.b“" in rec.fix


def test_a_delegated_subdomain_is_its_own_zone(server):
    report = check(server, "sub.z1-cut.de")
    spf_rec = next(r for r in report.records if r.item_id == "dns-spf")
    assert spf_rec.host == "@"
    assert codes(spf_rec) == ["spf.missing"]
    assert "der für sub.z1-cut.de zuständig ist: laut DNS other-dns.net" in spf_rec.fix
    assert report.nameservers == ("ns1.other-dns.net",)


def test_provider_steps_use_the_hosts_relative_to_the_zone(server):
    from pathlib import Path

    from mitwirkung.checks import dnsprovider

    catalog = dnsprovider.load(
        Path(__file__).parent.parent / "data" / "providers" / "dns-providers.toml"
    )
    report = check(server, "shop.z1-cut.de")
    delegation = asyncio.run(
        dnsprovider.observe("shop.z1-cut.de", nameservers=[server.nameserver], timeout=3.0)
    )
    assert delegation.zone == "z1-cut.de"
    spf_rec = next(r for r in report.records if r.item_id == "dns-spf")
    steps = dnsprovider.steps_for(catalog.generic, {**spf_rec.__dict__})
    assert any("„shop“" in step for step in steps.steps), steps.steps
    assert not steps.traps or all("Domain selbst" not in t for t in steps.traps)


# --- a DMARC repair keeps what the owner set ---------------------


@pytest.mark.parametrize(
    ("domain", "code", "text"),
    [
        (
            "f5-two.de",
            "dmarc.many",
            "Unter _dmarc.f5-two.de stehen zwei DMARC-Einträge („p=reject“, „p=none“)",
        ),
        (
            "f5-dup.de",
            "dmarc.conflict",
            "kommt „p=“ mehrfach vor mit verschiedenen Werten („none“ und „reject“)",
        ),
        (
            "f5-sp.de",
            "dmarc.conflict",
            "kommt „sp=“ mehrfach vor mit verschiedenen Werten („reject“ und „none“)",
        ),
    ],
)
def test_conflicting_dmarc_policies_get_no_copy_offer(server, domain, code, text):
    rec = record(server, domain, "dns-dmarc")
    assert rec.state == "failed"
    assert code in codes(rec)
    assert text in rec.message
    assert "bieten wir keinen Wert zum Kopieren an" in rec.message
    assert rec.expected == "" and rec.details["no_copy"]
    assert "p=none" not in rec.fix and "rua=mailto:dmarc@" not in rec.fix


@pytest.mark.parametrize(
    ("domain", "code", "offer", "said"),
    [
        (
            "f5-same.de",
            "dmarc.many_same",
            "v=DMARC1; p=reject; rua=mailto:d@f5-same.de",
            "Löschen Sie die doppelten Einträge, sodass genau einer mit diesem Wert bleibt",
        ),
        (
            "f5-dupsame.de",
            "dmarc.fixed_duplicate",
            "v=DMARC1; p=reject; adkim=s",
            "Im Vorschlag steht „p=reject“ nur einmal.",
        ),
    ],
)
def test_identical_dmarc_duplicates_keep_the_policy(server, domain, code, offer, said):
    rec = record(server, domain, "dns-dmarc")
    assert code in codes(rec)
    assert rec.expected.replace(" ", "") == offer.replace(" ", "")  # either same record
    assert said in rec.fix
    assert_offer_valid(rec)


def test_wildcard_dmarc_and_spf_records_are_created_not_deleted(server):
    # two records a wildcard produces are no one's to delete (RFC 4592)
    report = check(server, "news.f2-wild.de")
    dmarc_rec = next(r for r in report.records if r.item_id == "dns-dmarc")
    assert codes(dmarc_rec) == ["dmarc.missing", "dns.wildcard"]
    assert "löschen" not in dmarc_rec.fix.lower()
    assert "Legen Sie einen TXT-Eintrag mit Host _dmarc.news und Wert" in dmarc_rec.fix
    assert dmarc_rec.found == ()
    spf_rec = next(r for r in report.records if r.item_id == "dns-spf")
    assert spf_rec.state == "failed"
    assert codes(spf_rec) == ["spf.missing", "dns.wildcard"]
    assert "Löschen" not in spf_rec.fix
    assert "Legen Sie einen TXT-Eintrag mit Host news und Wert v=spf1 include:" in spf_rec.fix
    assert "stammt von einem Platzhalter-Eintrag (*)" in spf_rec.message
    assert_offer_valid(spf_rec)
    assert_offer_valid(dmarc_rec)


@pytest.mark.parametrize(
    ("domain", "text"),
    [
        (
            "f7-norua.de",
            "Weil „sp=“ ungültig ist, wenden Empfänger Ihre Richtlinie nicht an: sie prüfen "
            "DMARC für Ihre Domain gar nicht",
        ),
        (
            "f7-rua.de",
            "Weil „sp=“ ungültig ist, wenden Empfänger Ihre Richtlinie nicht an: sie behandeln "
            "Ihre Domain wie mit p=none",
        ),
        ("f7-p.de", "Weil „p=“ ungültig ist, wenden Empfänger Ihre Richtlinie nicht an"),
    ],
)
def test_an_invalid_policy_tag_says_the_policy_is_void(server, domain, text):
    rec = record(server, domain, "dns-dmarc")
    assert rec.state == "failed"
    assert "dmarc.policy_void" in codes(rec)
    assert text in rec.message and "(RFC 7489" not in rec.message
    assert "6.6.3" in rec.rules or domain != "f7-norua.de"  # the RFC: a one-line aside
    assert "p=reject" in rec.expected  # the owner's policy stays in the offer
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("domain", "offer", "said", "unsaid"),
    [
        (  # RFC 9989: an unknown tag is ignored; the record is valid as it stands
            "f8-foo.de",
            "v=DMARC1; p=reject; foo=bar",
            "Entfernen Sie „foo=bar“",
            "fo=",
        ),
        ("f8-fo.de", "v=DMARC1; p=reject; fo=1", "Im Vorschlag heißt „foo=“ richtig „fo=“", ""),
        (
            "f8-rau.de",
            "v=DMARC1; p=quarantine; rua=mailto:d@f8-rau.de",
            "Im Vorschlag heißt „rau=“ richtig „rua=“",
            "",
        ),
    ],
)
def test_a_misspelt_tag_is_renamed_only_when_its_value_fits(server, domain, offer, said, unsaid):
    rec = record(server, domain, "dns-dmarc")
    assert "dmarc.unknown_tag" in codes(rec)
    assert rec.expected == offer
    assert said in rec.fix
    if unsaid:
        assert unsaid not in rec.fix and unsaid not in rec.message
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("domain", "offer", "said"),
    [
        (
            "f11-empty.de",
            "v=DMARC1; p=reject; rua=mailto:d@f11-empty.de",
            "Im Vorschlag fehlt bei rua= die ungültige Adresse „mailto:“; die übrigen bleiben.",
        ),
        (
            "f11-bare.de",
            "v=DMARC1; p=reject; rua=mailto:a@f11-bare.de,mailto:b@f11-bare.de",
            "Im Vorschlag steht „mailto:b@f11-bare.de“ statt „b@f11-bare.de“.",
        ),
        (
            "f11-junk.de",
            "v=DMARC1; p=quarantine; rua=mailto:a@f11-junk.de",
            "Im Vorschlag fehlt bei ruf= die ungültige Adresse „bar“",
        ),
    ],
)
def test_valid_report_addresses_are_kept(server, domain, offer, said):
    rec = record(server, domain, "dns-dmarc")
    assert rec.expected == offer
    assert said in rec.fix
    assert_offer_valid(rec)


def test_a_dmarc_timeout_offers_no_starter_that_could_lower_the_policy(keys):
    with ZoneServer(zone_text(keys), drop=["_dmarc.good.de"]) as srv:
        report = check(srv, "good.de", timeout=0.5)
    rec = next(r for r in report.records if r.item_id == "dns-dmarc")
    assert rec.details["dns_unavailable"]
    assert rec.expected == ""
    assert "antwortet gerade nicht" in rec.message


# --- the SPF verdict a receiver reaches --------------------------------


@pytest.mark.parametrize(
    ("domain", "term", "count", "where"),
    [
        ("f3-mx.de", "mx", 12, ""),
        ("f3-other.de", "mx:other.f3-mx.de", 11, ""),
        ("f3-inc.de", "mx:f3-mx.de", 12, " (im SPF-Eintrag von _spf.f3-inc.de)"),
    ],
)
def test_an_mx_term_with_more_than_ten_mx_records_is_a_permerror(
    server, domain, term, count, where
):
    rec = record(server, domain, "dns-spf")
    # behind Mailjet's include the error only meets other mail (RFC 7208 §4.6.2)
    assert rec.state == ("warning" if where else "failed")
    assert "spf.mx_over_limit" in codes(rec)
    assert (
        f"Der SPF-Eintrag ist fehlerhaft: „{term}“ findet {count} Mailserver (MX-Einträge). "
        "Nach RFC 7208 (Abschnitt 4.6.4) dürfen es für „mx“ höchstens 10 sein"
    ) in rec.message
    assert where in rec.message
    assert rec.expected == ""  # no record can be offered without dropping the owner's servers
    if where:  # only the include is the customer's own to change
        assert "den Sie über „include:_spf.f3-inc.de“ einbinden" in rec.fix
    else:
        assert f"Ersetzen Sie „{term}“ durch ip4:/ip6:-Angaben" in rec.fix


def test_checkdmarc_agrees_that_twelve_mx_make_the_record_invalid(server):
    assert oracle_spf("f3-mx.de", **oracle(server))["valid"] is False


def test_ten_mx_records_are_still_fine(server):
    rec = record(server, "f3-ten.de", "dns-spf")
    assert codes(rec) == ["spf.ok"]


@pytest.mark.parametrize("domain", ["f4-cname.de", "f4-redir.de"])
def test_a_name_that_leads_to_mailjet_by_cname_is_credited(server, domain):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "done"
    assert codes(rec) == ["spf.ok"]
    assert "include:spf.mailjet.com" not in rec.expected  # nothing added twice


def test_a_cname_to_mailjet_with_a_soft_qualifier_is_named(server):
    rec = record(server, "f4-soft.de", "dns-spf")
    assert rec.state == "failed"
    assert "spf.mailjet_qualifier" in codes(rec)
    assert "„~include:spf.f4-soft.de“ stuft Mailjet als verdächtig ein" in rec.message
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("domain", "offer"),
    [
        ("f6-mj.de", "v=spf1 include:spf.mailjet.com ~all"),
        ("f6-own.de", "v=spf1 include:_spf.f6-own.de include:spf.mailjet.com -all"),
    ],
)
def test_an_ignored_redirect_to_an_included_name_is_just_dropped(server, domain, offer):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "warning"
    assert "spf.redirect_included" in codes(rec)
    assert "ignorieren Empfänger „redirect=“" in rec.message and "6.1" in rec.rules
    assert "sind schon durch „include:" in rec.message
    assert "bisher nicht erlaubt" not in rec.message
    assert rec.expected == offer
    assert "das nie ausgewertet wurde" in rec.fix
    assert_offer_valid(rec)


def test_an_ignored_redirect_to_another_name_becomes_an_include(server):
    rec = record(server, "f6-other.de", "dns-spf")
    assert "spf.redirect_ignored" in codes(rec)
    assert "Die Server aus _spf.f6-other.de sind deshalb bisher nicht erlaubt" in rec.message
    assert rec.expected == (
        "v=spf1 ip4:192.0.2.1 include:_spf.f6-other.de include:spf.mailjet.com ~all"
    )
    assert_offer_valid(rec)


# --- ambiguous DKIM tags; a CNAME in front of the record -----------------


@pytest.mark.parametrize(
    ("domain", "name"),
    [("f9-two-p.de", "„p“"), ("f9-two-k.de", "„k“"), ("f9-two-h.de", "„h“")],
)
def test_dkim_tags_twice_with_different_values_get_no_copy_offer(server, domain, name):
    rec = record(server, domain, "dns-dkim")
    assert rec.state == "failed"
    assert "dkim.duplicate_tag" in codes(rec)
    assert f"{name} steht dort mit verschiedenen Werten; welcher gilt, können wir nicht" in (
        rec.message
    )
    assert rec.expected == ""
    assert "Wert oben" not in rec.fix


def test_dkim_tags_twice_with_the_same_value_are_repaired(server, keys):
    rec = record(server, "f9-same-k.de", "dns-dkim")
    assert "dkim.duplicate_tag" in codes(rec)
    assert "verschiedenen Werten" not in rec.message
    assert rec.expected == f"v=DKIM1; k=rsa; p={keys.rsa1024}"
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("domain", "item_id", "target", "own", "said"),
    [
        (
            "cn.f10-spf.de",
            "dns-spf",
            "target.f10-spf.de",
            "cn",
            "Ersetzen Sie den vorhandenen SPF-Eintrag (TXT unter Host target) durch: "
            "v=spf1 ip4:192.0.2.1 include:spf.mailjet.com -all",
        ),
        (
            "f10-dkim.de",
            "dns-dkim",
            "key.f10-dkim.de",
            "mailjet._domainkey",
            "Löschen Sie „h=sha1;“ aus dem Wert",
        ),
        (
            "f10-verify.de",
            "dns-verification",
            "ver.f10-verify.de",
            "mailjet._a1b2c3d4",
            "Ändern Sie den Wert des TXT-Eintrags ver auf: a1b2c3d4e5f60718",
        ),
        (
            "f10-dmarc.de",
            "dns-dmarc",
            "dm.f10-dmarc.de",
            "_dmarc",
            "Ändern Sie den Wert des TXT-Eintrags dm auf: v=DMARC1; p=reject",
        ),
    ],
)
def test_a_record_behind_a_cname_is_changed_at_the_target(
    server, domain, item_id, target, own, said
):
    rec = record(server, domain, item_id)
    assert rec.state != "done"
    assert codes(rec)[0] == "dns.via_cname"
    assert f"verweist per CNAME auf {target}; Empfänger lesen den Eintrag dort." in rec.message
    assert rec.fix.startswith(f"Ändern Sie den Eintrag unter {target}")
    assert f"Neben einem CNAME darf unter {own} kein TXT-Eintrag stehen (RFC 2181" in rec.fix
    assert said in rec.fix
    assert "Host @" not in rec.fix and f"TXT-Eintrags {own} " not in rec.fix
    assert_offer_valid(rec)


# --- smaller wording faults -------------------------------------------------


def test_a_record_that_needs_no_change_is_not_offered_as_its_own_replacement(server):
    rec = record(server, "f12-ptr.de", "dns-spf")
    assert codes(rec) == ["spf.ptr"]
    assert rec.expected == "v=spf1 ptr include:spf.mailjet.com -all"
    assert "Ersetzen Sie den vorhandenen" not in rec.fix
    assert "Ersetzen Sie „ptr“ durch ip4:/ip6:-Angaben" in rec.fix


def test_a_second_all_is_removed_not_moved_and_the_first_one_kept(server):
    rec = record(server, "f12-twoall.de", "dns-spf")
    assert "spf.dead_terms" in codes(rec)
    assert "Entfernen Sie „~all“: ein SPF-Eintrag endet mit genau einem „all“." in rec.fix
    assert "zählt es zu den DNS-Abfragen" not in rec.fix and "vor „-all“, wenn" not in rec.fix
    assert rec.expected == "v=spf1 ip4:192.0.2.1 include:spf.mailjet.com -all"
    assert "enden verschieden" not in rec.fix
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("domain", "text"),
    [
        (
            "f12-exp.de",
            "„exp=%{z}.f12-exp.de“ enthält das Makro „%{z}“, das es nicht gibt: nach RFC 7208 "
            "(Abschnitt 7.2) sind nur die Buchstaben s, l, o, d, i, p, h, v und – nur in exp= – "
            "c, r, t erlaubt",
        ),
        (
            "f12-cmacro.de",
            "„a:%{c}.f12-cmacro.de“ enthält das Makro „%{c}“, das es nicht gibt: nach RFC 7208 "
            "(Abschnitt 7.2) sind nur die Buchstaben s, l, o, d, i, p, h, v (c, r und t nur in "
            "exp=) erlaubt",
        ),
    ],
)
def test_an_unknown_macro_letter_is_named(server, domain, text):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "failed"
    assert "spf.bad_macro_letter" in codes(rec)
    assert text in rec.message
    assert "steht nur in" not in rec.message


@pytest.mark.parametrize(
    ("domain", "state"), [("f12-inc.de", "warning"), ("f12-incfirst.de", "failed")]
)
def test_an_error_in_an_included_record_points_to_the_include(server, domain, state):
    rec = record(server, domain, "dns-spf")
    assert rec.state == state
    assert "spf.unknown_term" in codes(rec)
    after = "E-Mails über Mailjet bestehen SPF trotzdem: Empfänger werten „include:spf.mailjet.com“"
    assert (after in rec.message) == (state == "warning")
    assert "„foo“ ist kein gültiger SPF-Bestandteil (Tippfehler?) (im SPF-Eintrag von " in (
        rec.message
    )
    assert "Korrigieren oder entfernen Sie „foo“" not in rec.fix
    assert (
        "sonst entfernen Sie „include:bad.f12-inc.de“ aus Ihrem SPF-Eintrag oder bitten Sie den "
        "Betreiber von bad.f12-inc.de, den Fehler zu beheben."
    ) in rec.fix


def test_an_offer_longer_than_one_txt_string_says_how_to_split_it(server):
    rec = record(server, "f12-long.de", "dns-spf")
    assert len(rec.expected) > 255
    long = next(f for f in rec.findings if f.code == "spf.long_offer")
    first, second = long.params["first"], long.params["second"]
    assert first + second == rec.expected
    assert len(first.encode()) <= 255 and len(second.encode()) <= 255
    assert second.startswith(" ")
    assert f'tragen Sie ihn als zwei Zeichenketten ein: „"{first}" "{second}"“' in rec.fix
    assert "(RFC 7208, Abschnitt 3.3)" in rec.fix
    assert_offer_valid(rec)


def test_an_unpadded_ed25519_key_is_named_as_such_and_repaired(server, keys):
    rec = record(server, "f12-ed.de", "dns-dkim")
    assert rec.state == "failed"
    assert codes(rec)[0] == "dkim.key_unpadded"
    assert "Dem Schlüssel fehlt am Ende „=“" in rec.message
    assert "abgeschnitten" not in rec.message
    assert rec.expected == f"v=DKIM1; k=ed25519; p={keys.ed25519}"
    assert_offer_valid(rec)


@pytest.mark.parametrize(
    ("domain", "policy"), [("shop.f5-parent.de", "reject"), ("shop.f5-parentsp.de", "quarantine")]
)
def test_a_broken_parent_dmarc_policy_is_kept_for_the_subdomain(server, domain, policy):
    rec = record(server, domain, "dns-dmarc")
    assert codes(rec) == ["dmarc.missing", "dmarc.parent_broken"]
    assert rec.expected == f"v=DMARC1; p={policy}"  # no report mailbox invented
    assert f"Der Vorschlag übernimmt die dort gemeinte Richtlinie p={policy}." in rec.message
    assert f"Wert {rec.expected}" in rec.fix
    assert_offer_valid(rec)


def test_a_parent_dmarc_timeout_offers_nothing(keys):
    with ZoneServer(zone_text(keys), drop=["_dmarc.f5-parent.de"]) as srv:
        rec = record(srv, "shop.f5-parent.de", "dns-dmarc", timeout=0.5)
    assert rec.details["dns_unavailable"]
    assert rec.expected == ""


@pytest.mark.parametrize(
    ("domain", "valid"),
    [
        ("f4-cname.de", True),
        ("f6-mj.de", True),
        ("f12-exp.de", False),
        ("f12-cmacro.de", False),
        # checkdmarc reads every include up front and calls the record invalid; a receiver
        # reads left to right (RFC 7208 §4.6.2), so Mailjet's mail passes before the broken
        # include is reached: we say "warning" and name the error for the other mail.
        ("f12-inc.de", False),
    ],
)
def test_checkdmarc_agrees_on_the_spf_fault_cases(server, domain, valid):
    assert oracle_spf(domain, **oracle(server))["valid"] is valid
    rec = record(server, domain, "dns-spf")
    assert (rec.state != "failed") is (valid or domain == "f12-inc.de")


@pytest.mark.parametrize("domain", ["f5-two.de", "f5-dup.de", "f7-norua.de"])
def test_checkdmarc_agrees_the_dmarc_fault_cases_are_invalid(server, domain):
    assert oracle_dmarc(domain, **oracle(server))["valid"] is False
    assert record(server, domain, "dns-dmarc").state == "failed"  # not required, yet broken


@pytest.mark.parametrize(
    ("item_id", "typed", "host"),
    [
        ("dns-verification", "mailjet._a1b2c3d4", "mailjet._a1b2c3d4.shop"),
        ("dns-dkim", "mailjet._domainkey", "mailjet._domainkey.shop"),
    ],
)
def test_a_subdomain_host_entered_without_the_subdomain_is_named(server, item_id, typed, host):
    rec = record(server, "shop.z2-short.de", item_id)
    assert rec.state == "failed"
    assert codes(rec) == ["dns.host_short"]
    assert (
        f"Der Eintrag steht unter {typed}.z2-short.de, nicht unter {typed}.shop.z2-short.de"
    ) in rec.message
    assert f"als Host ist „{typed}“ eingetragen" in rec.message
    assert rec.fix == f"Ändern Sie den Host von „{typed}“ in „{host}“."


def test_the_parents_own_dmarc_record_is_inherited_not_misplaced(server):
    rec = record(server, "shop.z2-short.de", "dns-dmarc")
    assert codes(rec) == ["dmarc.inherited"]


# --- the verification value as Mailjet compares it ----------------


@pytest.mark.parametrize(
    ("domain", "found"),
    [
        ("m2-dq.de", '"a1b2c3d4e5f60718"'),  # the customer's example
        ("m2-sq.de", "'a1b2c3d4e5f60718'"),
        ("m2-typo.de", "„a1b2c3d4e5f60718“"),  # typographic quotes from a word processor
    ],
)
def test_verification_value_with_quotes_fails_like_dkim(server, domain, found):
    rec = record(server, domain, "dns-verification")
    assert rec.state == "failed"
    assert codes(rec) == ["verification.quoted"]
    assert rec.found == (found,)
    assert f"aber mit Anführungszeichen als Teil des Werts ({found})" in rec.message
    assert "Mailjet vergleicht den Wert Zeichen für Zeichen" in rec.message
    assert "Entfernen Sie die Anführungszeichen" in rec.fix and VERIFY_VALUE in rec.fix
    assert rec.expected == VERIFY_VALUE  # the value to copy is the bare one
    assert_offer_valid(rec)


def test_verification_done_says_only_what_was_seen(server):
    rec = record(server, "good.de", "dns-verification")
    assert rec.state == "done" and codes(rec) == ["verification.ok"]
    assert "mit genau dem Wert veröffentlicht" in rec.message
    assert "Ob Mailjet ihn schon abgefragt hat, sieht PEIQ in Mailjet" in rec.message


# --- no SPF offer drops Mailjet or contradicts the zone -----------


@pytest.fixture(scope="module")
def flaky(keys):
    names = ["_spf-eu.m4-ionos.de", "_spf.m4-mj.de", "_inner.m4-deep.de", "m4-down.de",
             "_spf.m4-two.de"]  # fmt: skip
    with ZoneServer(zone_text(keys), servfail=names) as srv:
        yield srv


@pytest.mark.parametrize(
    ("domain", "unanswered", "mailjet_text"),
    [
        ("m4-ionos.de", "„_spf-eu.m4-ionos.de“", " mit Mailjet"),  # the customer's example
        ("m4-mj.de", "„_spf.m4-mj.de“", ""),  # Mailjet is in it, the rest is unproven
        ("m4-deep.de", "„_inner.m4-deep.de“", " mit Mailjet"),  # two includes deep
    ],
)
def test_an_include_that_does_not_answer_offers_no_record(flaky, domain, unanswered, mailjet_text):
    rec = record(flaky, domain, "dns-spf")
    zone = {
        "m4-ionos.de": "v=spf1 include:_spf-eu.m4-ionos.de ~all",
        "m4-mj.de": "v=spf1 include:spf.mailjet.com include:_spf.m4-mj.de -all",
        "m4-deep.de": "v=spf1 mx include:_spf.m4-deep.de ~all",
    }[domain]
    assert rec.state == "warning" and rec.details["dns_unavailable"]
    assert codes(rec) == ["spf.include_unavailable"]
    assert rec.expected == "" and rec.details["no_copy"]  # never the record without Mailjet
    assert rec.found == (zone,)  # "Gefunden" is what the zone holds now
    assert f"antwortete nicht auf die Abfrage von {unanswered}" in rec.message
    assert f"Ob der Eintrag{mailjet_text} gültig ist, können wir so nicht prüfen" in rec.message
    assert "Ändern Sie den SPF-Eintrag unter Host @ jetzt nicht" in rec.fix


def test_two_records_whose_merge_cannot_be_proven_get_no_copy(flaky):
    rec = record(flaky, "m4-two.de", "dns-spf")
    assert rec.state == "failed" and rec.expected == "" and rec.details["no_copy"]
    assert codes(rec) == ["spf.two_records_no_offer", "spf.merge_unavailable"]
    assert "es zwei SPF-Einträge" in rec.message
    assert "antwortete nicht auf die Abfrage von „_spf.m4-two.de“" in rec.message
    # one story: merge them; nothing says "Ihren SPF-Eintrag" or "jetzt nicht ändern"
    assert "Fassen Sie alles in einem einzigen SPF-Eintrag zusammen" in rec.fix
    assert "jetzt nicht" not in rec.fix and "Ihren SPF-Eintrag haben wir" not in rec.message
    # the RFC is a one-line aside, not part of the text
    assert "RFC" not in rec.message and rec.rules == "RFC 7208, Abschnitt 4.5"


def test_an_unanswered_domain_offers_no_fresh_spf_record(flaky, keys):
    from mitwirkung.checks.dns import _guard, planned_records

    rec = record(flaky, "m4-down.de", "dns-spf")
    assert rec.state == "warning" and rec.expected == "" and rec.details["no_copy"]
    assert codes(rec) == ["dns.unavailable"]
    # the whole check timing out: the fallback does not offer a fresh record either
    exp = MailjetExpectation("m4-down.de", VERIFY_NAME, VERIFY_VALUE)
    planned = next(r for r in planned_records(exp) if r.item_id == "dns-spf")

    async def never():
        await asyncio.Event().wait()

    assert asyncio.run(_guard(never(), planned, 0.05)).expected == ""


def test_before_the_first_check_no_spf_value_is_offered():
    from mitwirkung.checks.dns import planned_records

    exp = MailjetExpectation("m4-ionos.de", VERIFY_NAME, VERIFY_VALUE)
    spf_plan = next(r for r in planned_records(exp) if r.item_id == "dns-spf")
    assert spf_plan.state == "open" and spf_plan.expected == "" and spf_plan.details["no_copy"]
    assert codes(spf_plan) == ["spf.before_check"]
    assert "Drücken Sie zuerst „DNS prüfen“" in spf_plan.fix
    assert "zusammengeführt" not in spf_plan.fix + spf_plan.message


def test_a_timeout_keeps_the_old_offer_only_for_the_same_zone():
    from mitwirkung.runs.dns_check import _keep_known

    merged = "v=spf1 include:_spf-eu.x.de include:spf.mailjet.com ~all"
    old = {"item_id": "dns-spf", "expected": merged, "details": {},
           "found": ["v=spf1 include:_spf-eu.x.de ~all"]}  # fmt: skip
    history = [{"settings": {}, "result": {"records": [old]}}]

    def now(found):
        return {"item_id": "dns-spf", "expected": "", "found": found,
                "details": {"dns_unavailable": True, "no_copy": True}}  # fmt: skip

    same = now(["v=spf1 include:_spf-eu.x.de ~all"])
    _keep_known(same, history, {})
    assert same["expected"] == merged  # proven against this very record before
    changed = now([merged])  # the zone holds the merged record now
    _keep_known(changed, history, {})
    assert changed["expected"] == "" and changed["found"] == [merged]
    unseen = now([])
    _keep_known(unseen, history, {})
    assert unseen["expected"] == merged and unseen["found"] == []  # nothing seen: none shown


# --- an invalid DMARC record is failed, never ticked --------------


@pytest.mark.parametrize(
    ("domain", "code", "text"),
    [
        ("m2-dq.de", "dmarc.missing_semicolon", "So erkennen Empfänger den Eintrag nicht"),
        ("m2-typo.de", "dmarc.bad_value", "„adkim=x“ ungültig"),
        ("k5-vlate.de", "dmarc.version_not_first", "beginnt nicht mit „v=DMARC1“"),
    ],
)
def test_an_invalid_dmarc_record_is_failed(server, domain, code, text):
    rec = record(server, domain, "dns-dmarc")
    assert rec.state == "failed"
    assert code in codes(rec)
    assert text in rec.message
    assert_offer_valid(rec)


# --- plain German in every finding's words ------------------------


def _literals() -> list[str]:
    import ast
    from pathlib import Path

    from mitwirkung.checks.dns import wording

    tree = ast.parse(Path(wording.__file__).read_text(encoding="utf-8"))
    nodes = ast.walk(tree)
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_no_backticks_in_any_words():
    from mitwirkung.checks.dns import wording

    texts = [t for pair in wording.TEXTS.values() for t in pair] + _literals()
    assert not [t for t in texts if "`" in t]


@pytest.mark.parametrize("domain", zone_domains())
def test_every_verdict_reads_as_plain_german(server, domain):
    for rec in check(server, domain).records:
        words = f"{rec.message} {rec.fix}"
        assert "`" not in words, words
        assert not re.search(r"\balle \d", words), words  # "beide", "alle drei"
        # the RFC rule follows a plain sentence, never opens the message
        assert not re.match(r"(Der SPF-Eintrag ist fehlerhaft: )?(Nach )?RFC", words), words
        assert "Bit-RSA" not in words and "2048-Bit-" not in words, words


def test_duplicate_spf_records_are_all_named_in_words(server):
    rec = record(server, "m7-three.de", "dns-spf")
    assert rec.state == "failed" and codes(rec)[0] == "spf.two_records"
    assert rec.message.startswith(
        "Für die Domain gibt es drei SPF-Einträge: „v=spf1 include:_spf-eu.m7-three.de ~all“, "
        "„v=spf1 include:spf.mailjet.com ~all“, „ v=spf1 a ~all“."
    )  # the one with a leading space too, in the order the DNS gave them
    assert rec.fix.startswith("Löschen Sie alle drei Einträge (TXT unter Host @)")
    assert_offer_valid(rec)
    two = record(server, "two-spf.de", "dns-spf")
    assert "es zwei SPF-Einträge" in two.message and "Löschen Sie beide Einträge" in two.fix


def test_duplicate_dmarc_records_are_counted_in_words(server):
    same = record(server, "m7-three.de", "dns-dmarc")
    assert same.state == "failed" and codes(same) == ["dmarc.many_same"]
    assert "steht derselbe DMARC-Eintrag dreimal; Empfänger ignorieren dann alle drei" in (
        same.message
    )
    two = record(server, "f5-two.de", "dns-dmarc")
    assert "stehen zwei DMARC-Einträge" in two.message and "ignorieren dann beide" in two.message
    assert "„v=DMARC1; p=reject“, „v=DMARC1; p=none“" in two.message


@pytest.mark.parametrize(
    ("domain", "item_id", "text"),
    [
        ("good.de", "dns-spf", "Empfänger erlauben für einen SPF-Eintrag höchstens 10."),
        ("good.de", "dns-dkim", "ein RSA-Schlüssel mit 2048 Bit, lang genug nach heutigem Stand"),
        ("k2-equals.de", "dns-spf", "Empfänger erlauben höchstens 10"),
    ],
)
def test_jargon_is_explained(server, domain, item_id, text):
    rec = record(server, domain, item_id)
    assert text in f"{rec.message} {rec.fix}"


def test_a_repaired_version_is_said_plainly():
    from mitwirkung.checks.dns import wording

    _, fix = wording.render(spf_repair.repair("v=spf1include:spf.mailjet.com ~all")[1][0])
    assert fix == (
        "Im Vorschlag beginnt der Eintrag richtig geschrieben mit „v=spf1“, gefolgt von einem "
        "Leerzeichen."
    )

"""Issue 7: each fault kind with several instances (tests/zones/kinds.zone), asserting the state,
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

from mitwirkung.checks import dkim, dmarc, spf, spf_repair
from mitwirkung.checks.dns import DnsReport, MailjetExpectation, check_mailjet

VERIFY_NAME, VERIFY_VALUE = "mailjet._a1b2c3d4", "a1b2c3d4e5f60718"


@pytest.fixture(scope="module")
def keys():
    return make_keys()


@pytest.fixture(scope="module")
def server(keys):
    with ZoneServer(zone_text(keys)) as srv:
        yield srv


def check(server, domain, timeout=3.0, **kwargs) -> DnsReport:
    exp = MailjetExpectation(domain, VERIFY_NAME, VERIFY_VALUE, **kwargs)
    return asyncio.run(check_mailjet(exp, nameservers=[server.nameserver], timeout=timeout))


def record(server, domain, item_id, **kwargs):
    return next(r for r in check(server, domain, **kwargs).records if r.item_id == item_id)


def codes(rec) -> list[str]:
    return [f.code for f in rec.findings]


def assert_offer_valid(rec):
    """Every record offered to copy parses without fault with the product's own parser."""
    if not rec.expected:
        return
    if rec.item_id == "dns-spf":
        assert spf.is_spf(rec.expected), rec.expected
        assert spf.parse(rec.expected)[1] == [], rec.expected
        assert spf_repair.repair(rec.expected) == (rec.expected, [])
    elif rec.item_id == "dns-dkim":
        assert not dkim.parse(rec.expected).failed, rec.expected
    elif rec.item_id == "dns-dmarc":
        assert dmarc.is_dmarc(rec.expected), rec.expected
        assert dmarc.parse(rec.expected).errors == (), rec.expected


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
    assert rec.state == "warning"
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
    assert "ohne Leerzeichen zusammen (RFC 7208, Abschnitt 3.3)" in rec.message
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
        (
            "k5-pct.de",
            "dmarc.bad_value",
            "„pct=150“ ungültig: erlaubt ist 0 bis 100",
            "v=DMARC1; p=quarantine; rua=mailto:dmarc@k5-pct.de",
        ),
        (
            "k5-typo.de",
            "dmarc.unknown_tag",
            "„rau=“ keine bekannte Angabe (gemeint ist wohl „rua=“)",
            "v=DMARC1; p=reject; rua=mailto:dmarc@k5-typo.de",
        ),
        (
            "k5-order.de",
            "dmarc.policy_not_second",
            "p= nicht direkt nach v=DMARC1",
            "v=DMARC1; p=reject; rua=mailto:dmarc@k5-order.de; sp=quarantine",
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
    assert rec.state == "warning"
    assert codes(rec)[0] == code
    assert text in rec.message
    assert rec.expected == expected
    assert f"Ändern Sie den Wert des TXT-Eintrags _dmarc auf: {expected}" in rec.fix
    assert_offer_valid(rec)


@pytest.mark.parametrize("domain", ["k5-semi.de", "k5-mailto.de", "k5-policy.de"])
def test_checkdmarc_agrees_these_dmarc_records_are_invalid(server, domain):
    assert oracle_dmarc(domain, **oracle(server))["valid"] is False


def test_checkdmarc_is_wrong_about_pct_out_of_range(server):
    # RFC 7489 §6.3: pct is 0..100; checkdmarc accepts 150.
    assert oracle_dmarc("k5-pct.de", **oracle(server))["valid"] is True
    assert "dmarc.bad_value" in codes(record(server, "k5-pct.de", "dns-dmarc"))


# --- kind 6: say which RFC rule decided -------------------------------------------------------


def test_redirect_beside_all_is_named_and_kept_as_include(server):
    rec = record(server, "k6-redirect.de", "dns-spf")
    assert rec.state == "failed"
    assert codes(rec)[:2] == ["spf.redirect_ignored", "spf.no_mailjet"]
    assert "ignorieren Empfänger „redirect=“ (RFC 7208, Abschnitt 6.1)" in rec.message
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
        ("k6-macro.de", "spf.macros", "setzt es erst für jede einzelne E-Mail ein (RFC 7208"),
        ("k6-exp.de", "spf.exp", "(RFC 7208, Abschnitt 6.2)"),
    ],
)
def test_rfc_notes_on_a_valid_record(server, domain, code, text):
    rec = record(server, domain, "dns-spf")
    assert rec.state == "done"
    assert code in codes(rec)
    assert text in rec.message
    assert oracle_spf(domain, **oracle(server))["valid"] is True


@pytest.mark.parametrize(
    ("domain", "text"),
    [
        ("spf-dead.de", "(RFC 7208, Abschnitt 5.1)"),
        ("spf-late.de", "nach RFC 7208 (Abschnitt 5.1) endet die Auswertung bei „all“"),
        ("spf-ptr.de", "nach RFC 7208 (Abschnitt 5.5)"),
        ("k6-badmacro.de", "nach RFC 7208 (Abschnitt 7.1)"),
    ],
)
def test_messages_name_the_rule(server, domain, text):
    assert text in record(server, domain, "dns-spf").message


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
        ("dns-spf", "Legen Sie genau unter Host @ einen TXT-Eintrag mit diesem Wert an: "),
        ("dns-dmarc", "Legen Sie genau unter Host _dmarc einen TXT-Eintrag mit diesem Wert an: "),
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

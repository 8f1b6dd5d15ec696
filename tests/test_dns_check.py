"""The live DNS check against a real DNS server on loopback serving tests/zones."""

import time

import pytest
from dnsserver import ZoneServer
from dnszones import IDN, make_keys, pkcs1_b64, zone_text
from helpers.dnscheck import check, record_in

from mitwirkung.checks.dns import normalize_domain


@pytest.fixture(scope="module")
def keys():
    return make_keys()


@pytest.fixture(scope="module")
def server(keys):
    with ZoneServer(
        zone_text(keys), servfail=["flaky.de"], truncate=["mailjet._domainkey.good.de"]
    ) as srv:
        yield srv


def test_correct_domain_is_all_done(server):
    report = check(server, "good.de")
    assert [r.state for r in report.records] == ["done"] * 4
    assert report.nameservers == ("ns1.dns-provider.net", "ns2.dns-provider.net")
    assert not report.dns_unavailable
    spf = record_in(report, "dns-spf")
    assert (spf.host, spf.fqdn, spf.rtype) == ("@", "good.de", "TXT")
    assert spf.details["lookups"] == 5


def test_truncated_dkim_answer_is_fetched_over_tcp(server):
    dkim = record_in(check(server, "good.de"), "dns-dkim")
    assert dkim.state == "done"
    assert dkim.details["strings"] == 4  # several character-strings joined into one key
    assert "2048" in dkim.message


def test_dkim_with_matching_expected_key(server, keys):
    spaced = "p=" + " ".join(keys.rsa2048[i : i + 64] for i in range(0, len(keys.rsa2048), 64))
    assert record_in(check(server, "good.de", dkim_key=f'"{spaced}"'), "dns-dkim").state == "done"


def test_dkim_key_mismatch_fails(server, keys):
    dkim = record_in(check(server, "good.de", dkim_key=keys.rsa1024), "dns-dkim")
    assert dkim.state == "failed"
    assert "anderer DKIM-Schlüssel" in dkim.message
    assert keys.rsa1024 in dkim.fix


def test_nothing_published(server):
    report = check(server, "empty.de")
    states = {r.item_id: r.state for r in report.records}
    assert states == {
        "dns-verification": "failed",
        "dns-spf": "failed",
        "dns-dkim": "failed",
        "dns-dmarc": "warning",
    }
    spf = record_in(report, "dns-spf")
    assert spf.expected == "v=spf1 include:spf.mailjet.com ~all"
    for rec in report.records:
        assert "ns1.other-dns.example" in rec.fix  # names the authoritative provider
        assert "prüft dann von selbst erneut" in rec.fix  # propagation
    assert "mailjet._domainkey.empty.de" in record_in(report, "dns-dkim").message
    assert record_in(report, "dns-dmarc").expected == "v=DMARC1; p=none"  # no invented mailbox


def test_spf_without_mailjet_offers_merged_record(server):
    report = check(server, "other-spf.de")
    spf = record_in(report, "dns-spf")
    assert spf.state == "failed"
    assert spf.expected == "v=spf1 mx include:_spf.other-spf.de include:spf.mailjet.com -all"
    assert "erlaubt Mailjet noch nicht" in spf.message
    assert spf.expected in spf.fix and "5 von 10" in spf.fix
    assert spf.details["merged_lookups"] == 5


def test_quoted_verification_value_fails(server):
    # Changed on purpose: this test used to expect the
    # value with literal quotes to pass. Mailjet's verifier compares the TXT string, and
    # „"a1b2…"“ is not „a1b2…“: judge the value as the receiver (here Mailjet) does, the same
    # way the DKIM check already treats quotes inside its value.
    verification = record_in(check(server, "other-spf.de"), "dns-verification")
    assert verification.state == "failed"
    assert [f.code for f in verification.findings] == ["verification.quoted"]
    assert "Anführungszeichen" in verification.message


def test_rsa_1024_is_a_warning_and_512_fails(server):
    assert record_in(check(server, "other-spf.de"), "dns-dkim").state == "warning"
    weak = record_in(check(server, "two-spf.de"), "dns-dkim")
    assert weak.state == "failed" and "512 Bit" in weak.message


def test_two_spf_records_fail_with_merge(server):
    spf = record_in(check(server, "two-spf.de"), "dns-spf")
    assert spf.state == "failed"
    named = "zwei SPF-Einträge: „v=spf1 a ~all“, „v=spf1 include:spf.mailjet.com ~all“"
    assert named in spf.message
    assert spf.expected == "v=spf1 a include:spf.mailjet.com ~all"
    assert spf.expected in spf.fix


def test_two_dmarc_records_fail(server):
    # Changed on purpose: receivers ignore every one of two DMARC
    # records, so the record is "Fehlerhaft", not "Erledigt, mit Hinweis"; DMARC is still not
    # required and never blocks completion.
    dmarc = record_in(check(server, "two-spf.de"), "dns-dmarc")
    assert dmarc.state == "failed" and "zwei DMARC-Einträge" in dmarc.message


def test_too_many_lookups_names_costliest_include(server):
    spf = record_in(check(server, "toomany.de"), "dns-spf")
    assert spf.state == "failed"
    assert "12 DNS-Abfragen" in spf.message
    assert "include:_many.toomany.de" in spf.message
    assert spf.details["heaviest_include"] == "_many.toomany.de"


def test_ed25519_key_is_done(server):
    dkim = record_in(check(server, "toomany.de"), "dns-dkim")
    assert dkim.state == "done" and "Ed25519" in dkim.message


def test_invalid_dmarc_fails_but_is_not_required(server):
    # Changed on purpose: an invalid DMARC record is "failed"
    # ("Fehlerhaft"); it still never blocks completion, because dns-dmarc is not required.
    dmarc = record_in(check(server, "toomany.de"), "dns-dmarc")
    assert dmarc.state == "failed"
    assert "p=maybe" in dmarc.message


def test_void_lookups_are_named(server):
    spf = record_in(check(server, "voids.de"), "dns-spf")
    assert spf.state == "failed"
    assert spf.details["void_lookups"] == 3
    for term in ("a:gone1.voids.de", "a:gone2.voids.de", "mx:nomx.voids.de"):
        assert term in spf.message


def test_revoked_dkim_key_fails(server):
    dkim = record_in(check(server, "voids.de"), "dns-dkim")
    assert dkim.state == "failed" and "zurückgezogen" in dkim.message + dkim.fix


@pytest.mark.parametrize(
    ("domain", "needle"), [("plusall.de", "+all"), ("qall.de", "?all"), ("noall.de", "fehlt")]
)
def test_all_term_warnings(server, domain, needle):
    spf = record_in(check(server, domain), "dns-spf")
    assert spf.state == "warning"
    assert needle in spf.message


def test_truncated_key_fails(server):
    dkim = record_in(check(server, "plusall.de"), "dns-dkim")
    assert dkim.state == "failed" and "Schlüssel abgeschnitten" in dkim.message


def test_doubled_names_are_found_and_named(server):
    report = check(server, "doubled.de")
    dkim = record_in(report, "dns-dkim")
    assert dkim.state == "failed"
    assert "mailjet._domainkey.doubled.de.doubled.de" in dkim.message
    assert "richtig ist als Host nur „mailjet._domainkey“" in dkim.fix
    verification = record_in(report, "dns-verification")
    assert "mailjet._a1b2c3d4.doubled.de.doubled.de" in verification.message
    assert "doubled.de.doubled.de" in record_in(report, "dns-spf").message
    assert record_in(report, "dns-dmarc").state == "failed"  # at the doubled name: no policy


def test_literal_quotes_are_named(server):
    report = check(server, "quoted.de")
    assert record_in(report, "dns-spf").state == "failed"
    for item in ("dns-spf", "dns-dkim", "dns-dmarc"):
        assert "Anführungszeichen" in record_in(report, item).message


def test_cname_instead_of_txt_is_explained(server):
    report = check(server, "cname.de")
    verification = record_in(report, "dns-verification")
    assert verification.state == "failed"
    assert "CNAME" in verification.message and "TXT" in verification.message
    spf = record_in(check(server, "news.cname.de"), "dns-spf")
    assert spf.state == "failed" and "CNAME" in spf.message


def test_dkim_through_cname_is_fine(server):
    dkim = record_in(check(server, "cname.de"), "dns-dkim")
    assert dkim.state == "done"
    assert dkim.details["cname"] == "hosted.dkim.mailjet.com"


def test_idn_domain(server):
    domain = normalize_domain("Müller-Verlag.de")
    assert domain == IDN
    report = check(server, "müller-verlag.de")
    assert report.domain == IDN
    assert record_in(report, "dns-spf").state == "done"
    assert "müller-verlag.de" in record_in(report, "dns-dmarc").fix


def test_servfail_is_unavailable_not_missing(server):
    report = check(server, "flaky.de")
    spf = record_in(report, "dns-spf")
    assert spf.state == "warning"
    assert "antwortet gerade nicht" in spf.message and "fehlt" not in spf.message.split(".")[0]
    assert report.dns_unavailable
    assert record_in(report, "dns-verification").state == "done"


def test_silent_server_returns_within_timeout(keys):
    with ZoneServer(zone_text(keys), drop=["good.de", "mailjet._domainkey.good.de"]) as srv:
        started = time.monotonic()
        report = check(srv, "good.de", timeout=1.0)
        elapsed = time.monotonic() - started
    assert elapsed < 1.6
    assert report.dns_unavailable
    assert record_in(report, "dns-spf").state == "warning"
    assert record_in(report, "dns-dkim").state == "warning"
    assert "antwortet gerade nicht" in record_in(report, "dns-dkim").message
    assert record_in(report, "dns-verification").state == "done"


def test_each_query_is_asked_once(keys):
    with ZoneServer(zone_text(keys)) as srv:
        check(srv, "good.de")
        assert len(srv.queries) == len(set(srv.queries))


# --- where an SPF record really allows Mailjet, and its limits -----------------------------


@pytest.mark.parametrize(
    ("domain", "needle"),
    [
        ("spf-minus.de", "„-include:spf.mailjet.com“ verbietet Mailjet ausdrücklich"),
        ("spf-query.de", "„?include:spf.mailjet.com“"),
        ("spf-late.de", "„include:spf.mailjet.com“ steht hinter „-all“"),
        ("spf-nested.de", "„include:spf.mailjet.com“ steht hinter „~all“"),
    ],
)
def test_mailjet_include_must_pass_and_come_before_all(server, domain, needle):
    spf = record_in(check(server, domain), "dns-spf")
    assert spf.state == "failed"
    assert needle in spf.message
    assert spf.fix and spf.expected in spf.fix
    assert "include:spf.mailjet.com" in spf.expected.split("all")[0]
    assert "-include" not in spf.expected and "?include" not in spf.expected


def test_terms_after_all_are_neither_queried_nor_counted(server):
    spf = record_in(check(server, "spf-dead.de"), "dns-spf")
    assert spf.state == "warning"
    assert spf.details["void_lookups"] == 0
    assert spf.details["lookups"] == 3
    assert "Bestandteile hinter „all“ werden nie ausgewertet" in spf.message
    assert "exists:x.spf-dead.de" in spf.message
    assert spf.fix


@pytest.mark.parametrize("domain", ["spf-full.de", "spf-full2.de"])
def test_merged_record_over_the_limit_says_so(server, domain):
    spf = record_in(check(server, domain), "dns-spf")
    assert spf.state == "failed"
    # 13 in all; the walk stops where a receiver does (RFC 7208 §4.6.4): the 11th
    # term (Mailjet's include) is counted, not followed, so the figure is a minimum
    assert spf.details["merged_lookups"] == 11
    assert "11 von 10" not in spf.fix
    assert (
        "Mit Mailjet bräuchte der Eintrag mindestens 11 DNS-Abfragen; Empfänger erlauben für "
        "einen SPF-Eintrag höchstens 10" in spf.message + spf.fix
    )
    assert "am meisten kostet include:_big.spf-full.de" in spf.fix


def test_dual_cidr_is_accepted(server):
    spf = record_in(check(server, "cidr-ok.de"), "dns-spf")
    assert spf.state == "done", spf.message


@pytest.mark.parametrize(
    ("domain", "term"),
    [
        ("cidr-bad1.de", "a/33"),
        ("cidr-bad2.de", "mx/24//129"),
        ("cidr-bad3.de", "mail.cidr-ok.de/"),
    ],
)
def test_bad_cidr_is_rejected(server, domain, term):
    spf = record_in(check(server, domain), "dns-spf")
    assert spf.state == "failed"
    assert term in spf.message
    assert spf.fix


def test_dmarc_without_semicolon_is_a_broken_record_not_a_missing_one(server):
    dmarc = record_in(check(server, "spf-typo.de"), "dns-dmarc")
    assert dmarc.state == "failed"  # receivers do not read it as DMARC
    assert "Nach „v=DMARC1“ fehlt das Semikolon: richtig ist „v=DMARC1; p=none“" in dmarc.message
    assert "noch keinen" not in dmarc.message
    assert dmarc.expected == "v=DMARC1; p=none"
    assert dmarc.expected in dmarc.fix


def test_spf_glued_to_first_term_is_a_broken_record_not_a_missing_one(server):
    spf = record_in(check(server, "spf-typo.de"), "dns-spf")
    assert spf.state == "failed"
    assert "noch keinen" not in spf.message
    assert "Leerzeichen" in spf.message
    assert spf.expected == "v=spf1 include:spf.mailjet.com ~all"
    assert spf.expected in spf.fix and "keinen zweiten" in spf.fix


def test_include_without_spf_and_ptr_have_fixes(server):
    spf = record_in(check(server, "spf-nofix.de"), "dns-spf")
    assert spf.state == "failed"
    assert "Entfernen Sie „include:_nothing.spf-nofix.de“ oder fragen Sie den Dienst" in spf.fix
    ptr = record_in(check(server, "spf-ptr.de"), "dns-spf")
    assert ptr.state == "warning"
    assert "Ersetzen Sie „ptr“ durch ip4:/ip6:-Angaben Ihrer Server." in ptr.fix


def test_dkim_copy_never_sends_the_customer_to_mailjet(server, keys):
    weak = record_in(check(server, "other-spf.de"), "dns-dkim")
    assert "PEIQ erzeugt in Mailjet einen neuen, längeren Schlüssel (2048 Bit" in weak.fix
    too_weak = record_in(check(server, "two-spf.de"), "dns-dkim")
    assert "PEIQ" in too_weak.fix
    cut = record_in(check(server, "plusall.de", dkim_key=keys.rsa2048), "dns-dkim")
    assert "Kopieren Sie den Wert oben (Knopf „Kopieren“) erneut vollständig" in cut.fix
    for rec in (weak, too_weak, cut, record_in(check(server, "voids.de"), "dns-dkim")):
        assert "aus Mailjet" not in rec.fix and "Sie in Mailjet" not in rec.fix


def test_dkim_split_over_two_records_is_named(server):
    dkim = record_in(check(server, "dkim-split.de"), "dns-dkim")
    assert dkim.state == "failed"
    assert "Ihr DNS-Anbieter hat den Wert auf zwei Einträge verteilt." in dkim.message
    assert "abgeschnitten" not in dkim.message
    assert dkim.fix


def test_dkim_upper_case_tag_and_pkcs1_warn(server, keys):
    upper = record_in(check(server, "dkim-upper.de"), "dns-dkim")
    assert upper.state == "warning"
    assert "„p=“" in upper.fix and "„P=“" in upper.fix
    pkcs1 = record_in(check(server, "dkim-pkcs1.de"), "dns-dkim")
    assert pkcs1.state == "warning"
    assert "PKCS#1" in pkcs1.message + pkcs1.fix
    assert "PEIQ schickt Ihnen den Wert im richtigen Format" in pkcs1.fix
    pasted = record_in(check(server, "dkim-pkcs1.de", dkim_key=pkcs1_b64(keys.rsa2048)), "dns-dkim")
    assert pasted.state == "warning"
    assert pasted.expected == f"v=DKIM1; k=rsa; p={keys.rsa2048}"  # offered as SPKI
    assert "Wert oben" in pasted.fix


def test_dmarc_starter_warns_about_the_mailbox(server):
    dmarc = record_in(check(server, "empty.de"), "dns-dmarc")
    assert "Postfach" in dmarc.fix


def test_inherited_dmarc_under_two_label_suffix(server):
    dmarc = record_in(check(server, "shop.firma.co.at"), "dns-dmarc")
    assert dmarc.state == "done"
    assert "_dmarc.firma.co.at" in dmarc.message and "p=quarantine" in dmarc.message


def test_inherited_dmarc_names_the_subdomain_policy(server):
    dmarc = record_in(check(server, "news.sp-parent.de"), "dns-dmarc")
    assert dmarc.state == "done"
    assert "sp=reject" in dmarc.message


ALL_DOMAINS = [
    "good.de",
    "empty.de",
    "other-spf.de",
    "two-spf.de",
    "toomany.de",
    "voids.de",
    "plusall.de",
    "qall.de",
    "noall.de",
    "doubled.de",
    "quoted.de",
    "cname.de",
    "flaky.de",
    "spf-minus.de",
    "spf-late.de",
    "spf-nested.de",
    "spf-dead.de",
    "spf-full.de",
    "spf-full2.de",
    "cidr-bad1.de",
    "spf-typo.de",
    "spf-nofix.de",
    "spf-ptr.de",
    "dkim-split.de",
    "dkim-upper.de",
    "dkim-pkcs1.de",
]


@pytest.mark.parametrize("domain", ALL_DOMAINS)
def test_every_open_verdict_says_what_to_do(server, domain):
    for rec in check(server, domain).records:
        if rec.state != "done":
            assert rec.fix.strip(), (rec.item_id, rec.message)
            assert "aus Mailjet" not in rec.fix and "Sie in Mailjet" not in rec.fix


def test_expected_dkim_record_names_the_key_type():
    from mitwirkung.checks import dkim

    keys = make_keys()
    assert dkim.expected_record(keys.ed25519).startswith("v=DKIM1; k=ed25519; p=")
    assert dkim.expected_record(f"p={keys.rsa2048}").startswith("v=DKIM1; k=rsa; p=MII")


def test_missing_records_with_underscores_mention_the_panel_limit(server):
    report = check(server, "empty.de")
    assert "Unterstrich (_)" in record_in(report, "dns-dkim").fix
    assert "Unterstrich (_)" in record_in(report, "dns-verification").fix
    assert "Unterstrich" not in record_in(report, "dns-spf").fix  # host "@"


def test_dkim_name_with_an_address_instead_of_txt_is_named(server):
    dkim_record = record_in(check(server, "proxied.de"), "dns-dkim")
    assert dkim_record.state == "failed"
    assert "A-Eintrag" in dkim_record.message and "Cloudflare" in dkim_record.fix
    assert dkim_record.found == ("A 104.16.1.1",)

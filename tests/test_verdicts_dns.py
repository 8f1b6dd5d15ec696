"""DNS verdicts: records read as receivers read them (tests/zones/verdicts.zone).

Each kind with several instances and the guards that must keep passing; every offered record
is parsed by the product's own parser.
"""

import time

import pytest
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text
from helpers.dnscheck import assert_offer_valid, codes, record
from helpers.web import MAILJET_FORM

from mitwirkung.checks import dkim, dmarc, dmarc_repair


def checked(server, domain, item_id, **kwargs):
    """The record for item_id, its offer parsed by the product's own parser first."""
    rec = record(server, domain, item_id, **kwargs)
    assert_offer_valid(rec)
    return rec


@pytest.fixture(scope="module")
def server():
    with ZoneServer(zone_text(make_keys())) as srv:
        yield srv


# --- kind 1: a CNAME at _dmarc is seen, and where it points is said ---------------------------


@pytest.mark.parametrize(
    ("domain", "target", "state_text"),
    [
        ("v17-gone.de", "v17-gone.de.dmarc.old-vendor.de", "einen Namen, den es im DNS nicht gibt"),
        ("v17-notxt.de", "policy.old-vendor.de", "dort steht aber kein DMARC-Eintrag"),
    ],
)
def test_a_cname_at_dmarc_without_record_behind_it_is_named(server, domain, target, state_text):
    rec = checked(server, domain, "dns-dmarc")
    assert rec.state == "failed" and codes(rec) == ["dmarc.cname_no_record"]
    assert f"steht ein CNAME-Eintrag (ein Verweis) auf {target}, {state_text}" in rec.message
    assert "noch keinen DMARC-Eintrag" not in rec.message
    assert "RFC 2181, Abschnitt 10.1" in rec.rules  # the one-line aside
    assert "löschen Sie den CNAME-Eintrag _dmarc" in rec.fix
    assert f"bitten Sie dessen Anbieter, unter {target}" in rec.fix
    assert rec.found == (f"CNAME {target}",)
    assert rec.expected == "v=DMARC1; p=none"


def test_a_dkim_cname_to_a_name_that_is_gone_is_named(server):
    rec = checked(server, "v17-dkimgone.de", "dns-dkim")
    assert rec.state == "failed" and codes(rec) == ["dkim.cname_no_key"]
    assert "verweist per CNAME auf mailjet.dkim.old-vendor.de, einen Namen, den es im DNS" in (
        rec.message
    )
    assert "zuerst den CNAME löschen" in rec.fix


def test_a_two_hop_cname_chain_ending_at_a_valid_record_is_fine(server):
    rec = checked(server, "v17-chain.de", "dns-dmarc")
    assert rec.state == "done" and codes(rec) == ["dmarc.ok"]
    assert rec.found == ("v=DMARC1; p=reject",)


# --- kind 2: report addresses at another domain must be authorised ----------------------------


@pytest.mark.parametrize(
    ("domain", "tag", "address"),
    [
        ("v17-foreign.de", "rua", "reports@reports-elsewhere.de"),
        ("v17-ruf.de", "ruf", "f@reports-elsewhere.de"),
    ],
)
def test_reports_to_another_domain_without_its_consent_will_not_arrive(
    server, domain, tag, address
):
    rec = checked(server, domain, "dns-dmarc")
    assert rec.state == "warning"
    assert codes(rec)[-1] == "dmarc.report_unauthorized"
    query = f"{domain}._report._dmarc.reports-elsewhere.de"
    assert f"Berichte an „{address}“ ({tag}=) kommen nicht an" in rec.message
    assert f"TXT-Eintrag {query} mit dem Wert „v=DMARC1“" in rec.message
    assert f"nehmen Sie „{address}“ aus {tag}= heraus" in rec.fix
    # an address at the domain itself needs no consent
    assert sum(c == "dmarc.report_unauthorized" for c in codes(rec)) == 1


def test_reports_to_a_domain_that_consented_are_fine(server):
    rec = checked(server, "v17-allowed.de", "dns-dmarc")
    assert rec.state == "done" and codes(rec) == ["dmarc.ok"]


def test_no_report_mailbox_is_invented():
    assert dmarc_repair.starter("firma.de") == "v=DMARC1; p=none"
    assert dmarc_repair.starter("firma.de", "reject") == "v=DMARC1; p=reject"


# --- kind 3: records read as receivers read them ----------------------------------------------


@pytest.mark.parametrize("domain", ["v17-dkimspace.de", "v17-dkimtab.de"])
def test_dkim_tags_with_whitespace_around_equals_are_read(server, domain):
    rec = checked(server, domain, "dns-dkim")
    assert rec.state == "done" and codes(rec) == ["dkim.ok"], rec.message
    assert "nicht gefunden" not in rec.message


def test_has_key_tag_reads_tags_not_text():
    assert dkim.has_key_tag("v = DKIM1; k=rsa; p = MIIB")
    assert dkim.has_key_tag("v=DKIM1; P=MIIB")
    assert not dkim.has_key_tag("v=DKIM1; ip=192.0.2.1")
    assert not dkim.has_key_tag("google-site-verification=abc")


@pytest.mark.parametrize(
    ("domain", "offer"),
    [
        ("v17-type99.de", "v=spf1 include:spf.mailjet.com ~all"),
        ("v17-type99b.de", "v=spf1 ip4:192.0.2.7 include:spf.mailjet.com -all"),
    ],
)
def test_spf_only_as_obsolete_type_99_is_named(server, domain, offer):
    rec = checked(server, domain, "dns-spf")
    assert rec.state == "failed" and codes(rec)[0] == "spf.type99"
    assert "nur als Eintrag vom Typ „SPF“, nicht als TXT-Eintrag" in rec.message
    assert "RFC 7208 (Abschnitte 3.1 und 14.1)" in rec.message
    assert "es gibt noch keinen SPF-Eintrag" not in rec.message
    assert rec.expected == offer
    assert f"einen Eintrag vom Typ TXT mit diesem Wert an: {offer}" in rec.fix
    assert rec.found[0].startswith("SPF v=spf1")


# --- kind 4: each DKIM tag judged for what it says --------------------------------------------


@pytest.mark.parametrize(
    ("selector", "declared", "actual"),
    [
        ("mailjet", "„k=ed25519“", "rsa"),
        ("rsa", "„k=rsa“", "ed25519"),
        ("nok", "„ohne k= (also k=rsa)“", "ed25519"),
    ],
)
def test_a_key_under_the_wrong_k_is_called_so(server, selector, declared, actual):
    rec = checked(server, "v17-keytype.de", "dns-dkim", dkim_selector=selector)
    assert rec.state == "failed" and codes(rec)[0] == "dkim.wrong_key_type"
    assert "Der Schlüssel selbst ist in Ordnung" in rec.message
    assert f"der Eintrag sagt {declared}" in rec.message
    assert "abgeschnitten oder beschädigt" not in rec.message
    assert f"die Angabe k= in „k={actual}“" in rec.fix
    assert f"k={actual}; p=" in rec.expected
    assert dkim.parse(rec.expected).key_type == actual


# --- kind 5: DMARC by RFC 9989 ----------------------------------------------------------------


def test_rfc_9989_tags_in_free_order_are_valid_with_notes(server):
    rec = checked(server, "v17-bis.de", "dns-dmarc")
    assert rec.state == "done", rec.message
    assert codes(rec)[0] == "dmarc.ok"
    assert "„pct=50“ gibt es seit RFC 9989 nicht mehr" in rec.message
    assert (
        "ältere (nach RFC 7489) wenden Ihre Richtlinie nur auf 50 % der E-Mails an" in rec.message
    )
    assert "„ri=3600“ gibt es seit RFC 9989 nicht mehr" in rec.message
    assert "„future=“ keine bekannte Angabe; Empfänger ignorieren sie (RFC 9989)" in rec.message
    assert "Nach RFC 9989 ist die Reihenfolge nach v=DMARC1 frei" in rec.message
    assert "„t=y“ im Testmodus" in rec.message and "p=reject wirkt also wie p=quarantine" in (
        rec.message
    )
    parsed = dmarc.parse(rec.found[0])
    assert parsed.faults == () and parsed.policy == "reject"
    assert {parsed.tags[t] for t in ("np", "t", "psd")} == {"reject", "y", "n"}


def test_upper_case_dmarc_tags_are_read(server):
    rec = checked(server, "v17-upper.de", "dns-dmarc")
    assert rec.state == "done" and codes(rec) == ["dmarc.ok"]


@pytest.mark.parametrize(
    ("text", "code", "state"),
    [
        ("v=DMARC1; p=none; pct=150", "dmarc.removed_tag", "warning"),
        ("v=DMARC1; p=none; rf=iodef", "dmarc.removed_tag", "warning"),
        ("v=DMARC1; p=none; t=x", "dmarc.bad_value", "failed"),
        ("v=DMARC1; p=none; psd=maybe", "dmarc.bad_value", "failed"),
        ("v=DMARC1; p=none; np=drop", "dmarc.bad_value", "failed"),
    ],
)
def test_removed_tags_only_warn_and_new_tags_are_checked(text, code, state):
    faults = dmarc.parse(text).faults
    assert [(f.code, f.state) for f in faults] == [(code, state)]


def test_the_tree_walk_skips_a_name_with_two_records(server):
    # RFC 9989 §4.7: several DMARC records at _dmarc.team.v17-walk.de count as none there;
    # the walk (§4.10.1) goes on to _dmarc.v17-walk.de, whose sp= applies to subdomains
    rec = checked(server, "shop.team.v17-walk.de", "dns-dmarc")
    assert rec.state == "done" and codes(rec) == ["dmarc.inherited"]
    assert "gilt der DMARC-Eintrag von _dmarc.v17-walk.de" in rec.message
    assert "sp=quarantine" in rec.message


def test_the_tree_walk_reaches_a_public_suffix_record(server):
    rec = checked(server, "firma.v17psd", "dns-dmarc")
    assert codes(rec) == ["dmarc.inherited"]
    assert "_dmarc.v17psd" in rec.message
    assert "Betreibers der Domain-Endung (psd=y, RFC 9989)" in rec.message


# --- kind 6: a value that can be proven valid is offered --------------------------------------


@pytest.mark.parametrize(
    ("domain", "offer", "dropped"),
    [
        (
            "v17-voids.de",
            "v=spf1 include:spf.mailjet.com ~all",
            ["a:old1.v17-voids.de", "mx:old2.v17-voids.de", "include:old3.v17-voids.de"],
        ),
        (
            "v17-voids2.de",
            "v=spf1 ip4:192.0.2.9 include:spf.mailjet.com -all",
            ["include:gone1.v17-voids2.de", "include:gone2.v17-voids2.de", "a:gone3.v17-voids2.de"],
        ),
    ],
)
def test_void_mechanisms_are_dropped_from_the_offer(server, domain, offer, dropped):
    rec = checked(server, domain, "dns-spf")
    assert rec.state == "failed" and "spf.too_many_voids" in codes(rec)
    assert rec.expected == offer
    assert not rec.details.get("no_copy")
    for term in dropped:
        assert f"Im Vorschlag fehlt „{term}“: den Namen dahinter gibt es im DNS nicht" in rec.fix


def test_dmarc_while_dns_does_not_answer_never_claims_a_mailjet_value(app, client, customers, auth):
    with ZoneServer(zone_text(make_keys()), servfail=["_dmarc.good.de"]) as flaky:
        app.config.update(DNS_NAMESERVERS=[flaky.nameserver], DNS_TIMEOUT=3)
        auth.login()
        customer, edit, _ = customers.create(domain="good.de", path="mailjet")
        url = f"/manage/customers/{customer['id']}/mailjet"
        assert customers.post(url, {"domain": "good.de", **MAILJET_FORM}).status_code == 303
        response = customers.post(f"/c/{edit}/dns-check", {}, htmx=True, token_from=f"/c/{edit}")
        assert response.status_code == 200
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            rows = list(
                customers.db.query(
                    "SELECT state FROM runs WHERE kind = 'dns' ORDER BY id DESC LIMIT 1"
                )
            )
            if rows[0]["state"] != "running":
                break
            time.sleep(0.05)
    section = client.get(f"/c/{edit}").text.split('id="record-dns-dmarc"')[1].split("</article>")[0]
    assert "antwortet gerade nicht" in section
    assert "aus Ihrem Mailjet-Konto" not in section
    assert "Den Wert zeigen wir, sobald Ihr DNS-Server antwortet" in section


# --- kind 9 (DNS side): a person reads U-labels -----------------------------------------------


@pytest.mark.parametrize("item_id", ["dns-dkim", "dns-dmarc", "dns-verification"])
def test_names_of_an_idn_domain_are_shown_in_unicode(server, item_id):
    rec = checked(server, "xn--mller-verlag-dlb.de", item_id)
    words = f"{rec.message} {rec.fix}"
    assert "xn--" not in words, words
    assert "müller-verlag.de" in words or not words.strip()


def test_underscore_names_are_decoded_label_by_label():
    from mitwirkung.checks.domain import display_domain

    assert display_domain("_dmarc.xn--mller-verlag-dlb.de") == "_dmarc.müller-verlag.de"
    assert display_domain("mailjet._domainkey.xn--mller-verlag-dlb.de") == (
        "mailjet._domainkey.müller-verlag.de"
    )
    assert display_domain("xn--zz-bad.de") == "xn--zz-bad.de"  # no valid A-label: kept

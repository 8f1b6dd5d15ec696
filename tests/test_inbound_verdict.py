"""The receiver's verdict (mitwirkung.checks.inbound) on mails signed with test keys, against
a real DNS server on loopback publishing SPF, DKIM keys and DMARC for the sending domains."""

from __future__ import annotations

import asyncio
import json

import dkim
import pytest
from dns.resolver import LRUCache
from dnsserver import ZoneServer
from mailsigning import Ed25519Key, SigningKey, arc_seal, message, sign

from mitwirkung.checks.inbound import (
    Verdict,
    check_host,
    item_state,
    judge_message,
    judge_message_async,
)
from mitwirkung.checks.inbound.wording import explain, headline

GOOD_IP = "192.0.2.10"  # allowed by kunde.test's SPF
BAD_IP = "198.51.100.7"  # allowed by nobody
MAILJET_IP = "203.0.113.5"  # allowed by mailjet.test's SPF


@pytest.fixture(scope="module")
def keys():
    return {
        "kunde": SigningKey.make(),
        "other": SigningKey.make(),
        "mailjet": SigningKey.make(),
        "ed": Ed25519Key.make(),
    }


@pytest.fixture(scope="module")
def dns(keys):
    kunde, other, mailjet = keys["kunde"], keys["other"], keys["mailjet"]
    zone = f"""
test. 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
kunde.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} -all"
_dmarc.kunde.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@kunde.test"
mailjet._domainkey.kunde.test. 300 IN TXT {kunde.txt()}
wrong._domainkey.kunde.test. 300 IN TXT {other.txt()}
revoked._domainkey.kunde.test. 300 IN TXT "v=DKIM1; k=rsa; p="
testing._domainkey.kunde.test. 300 IN TXT {kunde.txt("t=y; ")}
slow._domainkey.kunde.test. 300 IN TXT {kunde.txt()}
shared._domainkey.kunde.test. 300 IN TXT "site-verification=abc"
shared._domainkey.kunde.test. 300 IN TXT {kunde.txt()}
soft.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} ~all"
_dmarc.soft.test. 300 IN TXT "v=DMARC1; p=quarantine"
mailjet._domainkey.soft.test. 300 IN TXT {kunde.txt()}
relaxed.test. 300 IN TXT "v=spf1 -all"
_dmarc.relaxed.test. 300 IN TXT "v=DMARC1; p=none"
bounce.relaxed.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} -all"
strict.test. 300 IN TXT "v=spf1 -all"
_dmarc.strict.test. 300 IN TXT "v=DMARC1; p=reject; aspf=s"
bounce.strict.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} -all"
perm.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} -all"
perm.test. 300 IN TXT "v=spf1 a -all"
_dmarc.perm.test. 300 IN TXT "v=DMARC1; p=quarantine"
temp.test. 300 IN A 192.0.2.99
_dmarc.temp.test. 300 IN TXT "v=DMARC1; p=reject"
bare.test. 300 IN A 192.0.2.98
org.test. 300 IN TXT "v=spf1 -all"
_dmarc.org.test. 300 IN TXT "v=DMARC1; p=reject; sp=quarantine"
news.org.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} -all"
mailjet._domainkey.news.org.test. 300 IN TXT {kunde.txt()}
walk.org.test. 300 IN A 192.0.2.97
mx.helo.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} -all"
mailjet.test. 300 IN TXT "v=spf1 ip4:{MAILJET_IP} -all"
bnc.mailjet.test. 300 IN TXT "v=spf1 ip4:{MAILJET_IP} -all"
mj._domainkey.mailjet.test. 300 IN TXT {mailjet.txt()}
arc._domainkey.relay.test. 300 IN TXT {other.txt()}
ed._domainkey.kunde.test. 300 IN TXT {keys["ed"].txt()}
testmode.test. 300 IN TXT "v=spf1 -all"
_dmarc.testmode.test. 300 IN TXT "v=DMARC1; p=reject; t=y"
np.test. 300 IN TXT "v=spf1 -all"
_dmarc.np.test. 300 IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject"
real.np.test. 300 IN A 192.0.2.96
mx.np.test. 300 IN MX 10 real.np.test.
txtonly.np.test. 300 IN TXT "hello"
_dmarc.badp.test. 300 IN TXT "v=DMARC1; p=block; rua=mailto:d@badp.test"
_dmarc.badp-norua.test. 300 IN TXT "v=DMARC1; p=block"
_dmarc.badsp.test. 300 IN TXT "v=DMARC1; p=reject; sp=hold"
_dmarc.nop.test. 300 IN TXT "v=DMARC1; rua=mailto:d@nop.test; adkim=x"
xn--mller-kva.test. 300 IN TXT "v=spf1 ip4:{GOOD_IP} -all"
_dmarc.xn--mller-kva.test. 300 IN TXT "v=DMARC1; p=reject"
mailjet._domainkey.xn--mller-kva.test. 300 IN TXT {kunde.txt()}
relay.test. 300 IN TXT "v=spf1 -all"
expl.test. 300 IN TXT "v=spf1 -all exp=why.expl.test"
why.expl.test. 300 IN TXT "%{{i}} darf nicht fuer %{{d}} senden"
"""
    with ZoneServer(zone, drop=["temp.test.", "slow._domainkey.kunde.test."]) as server:
        yield server


def judge(dns, raw, *, ip=GOOD_IP, mail_from="bounce@kunde.test", helo="mx.kunde.test"):
    verdict = judge_message(
        raw, peer_ip=ip, helo=helo, mail_from=mail_from, nameservers=[dns.nameserver], timeout=1.0
    )
    # what is stored is what is shown: every verdict survives its JSON form unchanged
    assert Verdict.from_dict(json.loads(json.dumps(verdict.to_dict()))) == verdict
    assert explain(verdict.to_dict(), path="mailjet") == explain(verdict, path="mailjet")
    return verdict


def signed(keys, domain="kunde.test", selector="mailjet", key="kunde", **kw):
    return sign(message(**kw), keys[key], domain=domain, selector=selector)


def test_all_pass(dns, keys):
    verdict = judge(dns, signed(keys, from_="PPS <pps@kunde.test>"))
    assert verdict.spf.result == "pass" and verdict.spf.mechanism == f"ip4:{GOOD_IP}"
    (entry,) = verdict.dkim
    assert (entry.domain, entry.selector, entry.result) == ("kunde.test", "mailjet", "pass")
    assert (entry.algorithm, entry.key_bits, entry.reason) == ("rsa-sha256", 2048, "valid")
    assert verdict.dmarc.result == "pass" and verdict.dmarc.policy == "reject"
    assert verdict.dmarc.spf_aligned and verdict.dmarc.dkim_aligned == ("kunde.test",)
    assert item_state(verdict) == "done"
    assert headline(verdict)[1].startswith("Empfang nachgewiesen – ein empfangender Server")
    assert all(line.state == "done" for line in explain(verdict))


def test_body_altered(dns, keys):
    raw = signed(keys).replace(b"Rechnungslauf", b"Rechnungslauf (Fusszeile)")
    verdict = judge(dns, raw, ip=BAD_IP)
    assert [(e.result, e.reason) for e in verdict.dkim] == [("fail", "body_changed")]
    assert verdict.dmarc.result == "fail" and verdict.dmarc.disposition == "reject"
    assert item_state(verdict) == "failed" and headline(verdict)[1].endswith("abweisen.")
    line = [x for x in explain(verdict, path="mailjet") if x.part == "dkim"][0]
    assert "nach dem Signieren verändert" in line.text and line.state == "failed"
    assert line.item_id is None  # not a matter of the key record: nothing to link


def test_header_altered(dns, keys):
    raw = signed(keys).replace(b"Subject: Testmail", b"Subject: [EXTERN] Testmail")
    verdict = judge(dns, raw)
    assert [(e.result, e.reason) for e in verdict.dkim] == [("fail", "signature_mismatch")]
    # SPF still passes aligned: DMARC passes, one intact aligned result is enough
    assert verdict.dmarc.result == "pass" and item_state(verdict) == "done"


@pytest.mark.parametrize(
    ("selector", "result", "reason", "words"),
    [
        ("wrong", "fail", "signature_mismatch", "passt nicht zum Schlüssel unter"),
        ("absent", "permerror", "key_missing", "kein Schlüssel veröffentlicht"),
        ("revoked", "permerror", "key_revoked", "zurückgezogen (p= ist leer)"),
        ("testing", "neutral", "testing", "Testmodus (t=y)"),
        ("slow", "temperror", "dns_timeout", ": nicht prüfbar. Der DNS-Server"),
    ],
)
def test_key_faults(dns, keys, selector, result, reason, words):
    verdict = judge(dns, signed(keys, selector=selector), ip=BAD_IP)
    (entry,) = verdict.dkim
    assert (entry.result, entry.reason) == (result, reason)
    line = [x for x in explain(verdict, path="mailjet") if x.part == "dkim"][0]
    assert words in line.text
    assert line.record == f"{selector}._domainkey.kunde.test"
    if result != "temperror":
        assert line.item_id == "dns-dkim" and line.fix.endswith("siehe Eintrag oben.")
        assert verdict.dmarc.result == "fail" and item_state(verdict) == "failed"
    else:  # a DNS timeout is "nicht prüfbar", never a failure
        assert line.state == "unknown" and line.item_id is None
        assert verdict.dmarc.result == "temperror" and item_state(verdict) == "warning"
        assert "nicht prüfbar" in headline(verdict)[1]


def test_provider_signature_not_aligned(dns, keys):
    """Mailjet's own signature verifies, but d=mailjet.test is not the From domain."""
    raw = signed(keys, domain="mailjet.test", selector="mj", key="mailjet")
    verdict = judge(dns, raw, ip=MAILJET_IP, mail_from="x@bnc.mailjet.test")
    assert [(e.domain, e.result) for e in verdict.dkim] == [("mailjet.test", "pass")]
    assert verdict.spf.result == "pass" and verdict.spf.domain == "bnc.mailjet.test"
    assert verdict.dmarc.result == "fail" and verdict.dmarc.reason == "not_aligned"
    assert item_state(verdict) == "failed"
    lines = explain(verdict, path="mailjet")
    assert "zählt deshalb für DMARC nicht" in lines[1].text
    assert lines[-1].item_id == "dns-dkim"  # Mailjet signs as kunde.test once that key is right
    assert lines[-1].fix.startswith("Damit Mailjet mit kunde.test signiert")
    own = explain(verdict, path="smtp-own")[-1]
    assert own.item_id is None and "Lassen Sie mit kunde.test signieren" in own.fix


def test_two_signatures_provider_and_customer(dns, keys):
    raw = signed(keys)  # the customer's signature (d=kunde.test) ...
    raw = sign(raw, keys["mailjet"], domain="mailjet.test", selector="mj")  # ... then Mailjet's
    verdict = judge(dns, raw, ip=MAILJET_IP, mail_from="x@bnc.mailjet.test")
    assert [(e.domain, e.selector, e.result) for e in verdict.dkim] == [
        ("mailjet.test", "mj", "pass"),
        ("kunde.test", "mailjet", "pass"),
    ]
    assert not verdict.dmarc.spf_aligned and verdict.dmarc.dkim_aligned == ("kunde.test",)
    assert verdict.dmarc.result == "pass" and item_state(verdict) == "done"


@pytest.mark.parametrize(
    ("mail_from", "ip", "spf", "dmarc", "state"),
    [
        ("b@kunde.test", BAD_IP, "fail", "fail", "failed"),  # p=reject
        ("b@soft.test", BAD_IP, "softfail", "fail", "failed"),  # p=quarantine
        ("b@perm.test", GOOD_IP, "permerror", "fail", "failed"),  # two SPF records
        ("b@temp.test", GOOD_IP, "temperror", "temperror", "warning"),  # DNS silent
        ("b@bare.test", GOOD_IP, "none", "none", "warning"),  # no SPF, no DMARC
    ],
)
def test_spf_results(dns, mail_from, ip, spf, dmarc, state):
    domain = mail_from.split("@")[1]
    raw = message(from_=f"PPS <pps@{domain}>")  # unsigned: SPF alone decides
    verdict = judge(dns, raw, ip=ip, mail_from=mail_from)
    assert verdict.spf.result == spf and verdict.dmarc.result == dmarc
    assert item_state(verdict) == state
    line = explain(verdict)[0]
    assert line.part == "spf" and line.text.startswith(
        {"fail": "SPF nicht", "softfail": "SPF nicht", "permerror": "SPF ungültig"}.get(
            spf, {"temperror": "SPF nicht prüfbar.", "none": "SPF:"}.get(spf, "")
        )
    )
    if spf == "permerror":
        assert verdict.spf.problem_code == "multiple_records"


def test_null_sender_checks_helo(dns):
    verdict = judge(dns, message(from_="pps@kunde.test"), mail_from="", helo="mx.helo.test")
    assert (verdict.spf.result, verdict.spf.identity) == ("pass", "helo")
    assert verdict.spf.domain == "mx.helo.test"
    # the HELO domain is not the From domain: no aligned pass, p=reject
    assert verdict.dmarc.result == "fail" and item_state(verdict) == "failed"
    assert "HELO-Name" in explain(verdict)[0].text


def test_relaxed_and_strict_alignment(dns):
    relaxed = judge(dns, message(from_="a@relaxed.test"), mail_from="b@bounce.relaxed.test")
    assert relaxed.dmarc.result == "pass" and relaxed.dmarc.spf_aligned
    strict = judge(dns, message(from_="a@strict.test"), mail_from="b@bounce.strict.test")
    assert strict.spf.result == "pass" and strict.dmarc.aspf == "s"
    assert strict.dmarc.result == "fail" and strict.dmarc.reason == "not_aligned"


def test_dmarc_policy_none_is_a_warning(dns):
    verdict = judge(dns, message(from_="a@relaxed.test"), ip=BAD_IP, mail_from="b@relaxed.test")
    assert verdict.dmarc.result == "fail" and verdict.dmarc.policy == "none"
    assert verdict.dmarc.disposition == "none" and item_state(verdict) == "warning"


def test_tree_walk_to_org_domain(dns, keys):
    """news.org.test has no record: the walk finds org.test's, whose sp= applies."""
    raw = sign(
        message(from_="a@news.org.test"), keys["kunde"], domain="news.org.test", selector="mailjet"
    )
    good = judge(dns, raw, ip=BAD_IP, mail_from="b@org.test")
    assert good.dmarc.record_domain == "org.test" and good.dmarc.org_domain == "org.test"
    assert good.dmarc.result == "pass" and good.dmarc.policy == "quarantine"
    bad = judge(dns, message(from_="a@walk.org.test"), ip=BAD_IP, mail_from="b@org.test")
    assert bad.dmarc.result == "fail" and bad.dmarc.disposition == "quarantine"
    # relaxed: the envelope domain org.test shares the Organizational Domain of news.org.test
    aligned = judge(dns, message(from_="a@news.org.test"), mail_from="b@news.org.test")
    assert aligned.dmarc.spf_aligned and item_state(aligned) == "done"


def test_no_from_is_permerror(dns):
    raw = message().replace(b"From: PEIQ PRINT PPS <pps@kunde.test>\r\n", b"")
    verdict = judge(dns, raw)
    assert verdict.dmarc.result == "permerror" and item_state(verdict) == "warning"


def test_arc_reported_never_a_pass(dns, keys):
    raw = signed(keys).replace(b"Rechnungslauf", b"Rechnungslauf [Liste]")  # list footer
    raw = arc_seal(raw, keys["other"], domain="relay.test", selector="arc")
    verdict = judge(dns, raw, ip=BAD_IP)
    assert verdict.arc.instances == 1 and verdict.arc.sealer == "relay.test"
    assert verdict.arc.chain == "pass"
    assert verdict.dmarc.result == "fail" and item_state(verdict) == "failed"
    assert any(
        line.part == "arc" and "Nur zur Information" in line.text for line in explain(verdict)
    )


def test_check_host_entry_point(dns):
    result = check_host(GOOD_IP, "kunde.test", "b@kunde.test", nameservers=[dns.nameserver])
    assert result.result == "pass" and result.lookups == 0
    result = check_host(BAD_IP, "kunde.test", "b@kunde.test", nameservers=[dns.nameserver])
    assert (result.result, result.mechanism) == ("fail", "-all")
    # an IPv4 client seen on an IPv6 socket (IPv4-mapped) is checked as the IPv4 address
    mapped = f"::ffff:{GOOD_IP}"
    result = check_host(mapped, "kunde.test", "b@kunde.test", nameservers=[dns.nameserver])
    assert result.result == "pass"


def test_ed25519_signature(dns, keys):
    verdict = judge(dns, signed(keys, selector="ed", key="ed"), ip=BAD_IP)
    (entry,) = verdict.dkim
    assert (entry.result, entry.algorithm, entry.key_bits) == ("pass", "ed25519-sha256", 256)
    assert verdict.dmarc.result == "pass"


def test_dmarc_testing_flag_applies_one_step_less(dns):
    verdict = judge(dns, message(from_="a@testmode.test"), ip=BAD_IP, mail_from="b@testmode.test")
    assert verdict.dmarc.policy == "reject" and verdict.dmarc.testing
    assert verdict.dmarc.disposition == "quarantine" and item_state(verdict) == "failed"
    assert "Testmodus t=y" in explain(verdict)[-1].text


def test_np_for_a_subdomain_that_does_not_exist(dns):
    ghost = judge(dns, message(from_="a@ghost.np.test"), ip=BAD_IP, mail_from="b@np.test")
    assert (ghost.dmarc.policy, ghost.dmarc.disposition) == ("reject", "reject")
    # a name that exists (NXDOMAIN is the test), with whatever records: sp= applies
    for name in ("real.np.test", "mx.np.test", "txtonly.np.test"):
        real = judge(dns, message(from_=f"a@{name}"), ip=BAD_IP, mail_from="b@np.test")
        assert (real.dmarc.policy, real.dmarc.disposition) == ("quarantine", "quarantine")


def test_shared_cache_answers_the_second_verdict(dns, keys):
    cache = LRUCache()
    raw = signed(keys)
    args = dict(peer_ip=GOOD_IP, helo="mx.kunde.test", mail_from="b@kunde.test")
    first = judge_message(raw, nameservers=[dns.nameserver], timeout=1.0, cache=cache, **args)
    asked = len(dns.queries)
    second = judge_message(raw, nameservers=[dns.nameserver], timeout=1.0, cache=cache, **args)
    assert first == second and item_state(second) == "done"
    assert len(dns.queries) == asked  # every answer came from the cache


def test_silent_dns_is_temperror_everywhere(keys):
    """DNS that never answers: "nicht prüfbar" for SPF, the key and DMARC, never a failure."""
    names = ["kunde.test", "mailjet._domainkey.kunde.test", "_dmarc.kunde.test", "_dmarc.test"]
    with ZoneServer("test. 300 IN SOA ns.test. h.test. 1 2 3 4 5", drop=names) as silent:
        verdict = judge_message(
            signed(keys),
            peer_ip=GOOD_IP,
            helo="h.kunde.test",
            mail_from="b@kunde.test",
            nameservers=[silent.nameserver],
            timeout=1.0,
        )
    assert verdict.spf.result == "temperror"
    assert [(e.result, e.reason) for e in verdict.dkim] == [("temperror", "dns_timeout")]
    assert verdict.dmarc.result == "temperror" and item_state(verdict) == "warning"


def test_international_domain_in_from_and_envelope(dns, keys):
    """A From domain in UTF-8 (SMTPUTF8) is compared as A-labels with d= and the envelope."""
    raw = message(from_="PPS <pps@placeholder.test>")
    raw = raw.replace(b"pps@placeholder.test", "pps@müller.test".encode())
    raw = sign(raw, keys["kunde"], domain="xn--mller-kva.test", selector="mailjet")
    verdict = judge(dns, raw, mail_from="bounce@müller.test")
    assert verdict.dmarc.from_domain == "xn--mller-kva.test"
    assert verdict.spf.result == "pass" and verdict.spf.domain == "xn--mller-kva.test"
    assert verdict.dkim[0].result == "pass" and verdict.dmarc.result == "pass"


def test_rsa_sha1_is_not_accepted(dns, keys):
    raw = (
        dkim.sign(
            message(),
            b"mailjet",
            b"kunde.test",
            keys["kunde"].private_pem,
            signature_algorithm=b"rsa-sha1",
            include_headers=[b"from", b"subject"],
        )
        + message()
    )
    verdict = judge(dns, raw, ip=BAD_IP)
    assert [(e.result, e.reason) for e in verdict.dkim] == [("permerror", "weak_algorithm")]
    assert "rsa-sha1" in explain(verdict)[1].text and item_state(verdict) == "failed"


def test_verdicts_side_by_side_in_one_event_loop(dns, keys):
    """As the inbound server runs them: several verdicts at once in its event loop."""
    raws = [signed(keys), signed(keys, selector="wrong"), message(from_="a@bare.test")]

    async def all_at_once():
        return await asyncio.gather(
            *(
                judge_message_async(
                    raw,
                    peer_ip=GOOD_IP,
                    helo="mx.kunde.test",
                    mail_from="b@kunde.test",
                    nameservers=[dns.nameserver],
                    timeout=1.0,
                )
                for raw in raws
            )
        )

    states = [item_state(v) for v in asyncio.run(all_at_once())]
    assert states == ["done", "done", "warning"]  # the wrong key: SPF still aligned for kunde


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"no header at all",
        b"From: a@kunde.test\r\nDKIM-Signature: garbage\r\n\r\nbody\r\n",
        b"From: a@kunde.test\r\nDKIM-Signature: v=1; a=rsa-sha256; d=kunde.test; s=mailjet;"
        b" h=from; bh=!!!; b=???\r\n\r\nbody\r\n",
        b"From: a@kunde.test\r\nARC-Seal: i=x; d=relay.test; s=arc; cv=none; b=AA==\r\n"
        b"ARC-Message-Signature: i=x\r\n\r\nbody\r\n",
        b"From: a@kunde.test, b@other.test\r\n\r\nbody\r\n",
        b"From: a@kunde.test\r\nFrom: b@kunde.test\r\n\r\nbody\r\n",
        b"From: \xff\xfe@kunde.test\r\n\r\n\x00\xff",
    ],
)
def test_malformed_mail_never_raises(dns, raw):
    verdict = judge(dns, raw)
    assert item_state(verdict) in ("done", "warning", "failed")
    assert all(e.result in ("permerror", "fail") for e in verdict.dkim)
    explain(verdict)  # every verdict can be put into words


def test_key_found_among_other_txt_records(dns, keys):
    verdict = judge(dns, signed(keys, selector="shared"), ip=BAD_IP)
    assert [(e.result, e.key_bits) for e in verdict.dkim] == [("pass", 2048)]


def test_explanation_of_the_domain_owner(dns):
    """exp= (RFC 7208 §6.2): the macro-expanded text is shown with a fail."""
    verdict = judge(dns, message(from_="a@expl.test"), ip=BAD_IP, mail_from="b@expl.test")
    assert verdict.spf.result == "fail"
    assert verdict.spf.explanation == f"{BAD_IP} darf nicht fuer expl.test senden"
    assert f"„{BAD_IP} darf nicht fuer expl.test senden“" in explain(verdict)[0].text


@pytest.mark.parametrize(
    ("domain", "result", "policy"),
    [
        ("badp.test", "fail", "none"),  # invalid p= with a valid rua=: read as p=none
        ("badp-norua.test", "none", ""),  # invalid p= without rua=: no DMARC at all
        ("badsp.test", "none", ""),  # an invalid sp= counts as much as an invalid p=
        ("nop.test", "fail", "none"),  # no p= at all: p=none; adkim=x falls back to r
    ],
)
def test_broken_policy_records_as_receivers_read_them(dns, domain, result, policy):
    verdict = judge(dns, message(from_=f"a@{domain}"), ip=BAD_IP, mail_from=f"b@{domain}")
    assert (verdict.dmarc.result, verdict.dmarc.policy) == (result, policy)
    assert item_state(verdict) == "warning"
    line = explain(verdict, path="mailjet")[-1]
    if result == "none":
        assert "ungültigen Wert" in line.text and line.item_id == "dns-dmarc"
    else:
        assert verdict.dmarc.adkim == "r"


def test_a_mail_not_sent_through_mailjet_is_named_so_on_the_mailjet_path(dns):
    """Unsigned, from a server SPF does not allow: the fixes stay true whether or not the
    records already name Mailjet (they say the mail did not come through Mailjet)."""
    verdict = judge(dns, message(from_="pps@kunde.test"), ip=BAD_IP, mail_from="b@kunde.test")
    lines = {line.part: line for line in explain(verdict, path="mailjet")}
    assert "kam diese Mail nicht über Mailjet" in lines["spf"].fix
    assert "nicht über Mailjet" in lines["dkim"].fix
    assert "Nehmen Sie include:spf.mailjet.com" not in lines["spf"].fix

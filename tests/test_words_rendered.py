"""Words are rendered when shown: a stored DNS result carries codes and parameters, and the
German comes from the catalog at display time, so a wording fix reaches every stored result."""

import asyncio
import dataclasses
import json
import re

import pytest
from dnsserver import ZoneServer
from dnszones import ZONES, make_keys, zone_text
from smtpserver import PASSWORD, USER, Handler, MailServer
from test_words_placement import german

from mitwirkung import mailjet, mailjet_sync
from mitwirkung.checks import diagnose
from mitwirkung.checks.dns import MailjetExpectation, check_mailjet, wording
from mitwirkung.checks.dns.common import reword
from mitwirkung.checks.smtp import SmtpSettings, probe_settings, run_smtp_test
from mitwirkung.checks.smtp.dialogue import word_result
from mitwirkung.checks.smtp.probe import word_probe
from mitwirkung.words import mailjet as mailjet_words

VERIFY_NAME, VERIFY_VALUE = "mailjet._a1b2c3d4", "a1b2c3d4e5f60718"


@pytest.fixture(scope="module")
def server():
    with ZoneServer(zone_text(make_keys())) as srv:
        yield srv


def zone_domains() -> list[str]:
    domains = set()
    for path in ZONES.glob("*.zone"):
        domains |= {m.rstrip(".") for m in re.findall(r"^\$ORIGIN (\S+)", path.read_text(), re.M)}
    shown = sorted(d for d in domains if "{" not in d and d.count(".") >= 1 and d != "mailjet.com")
    return shown[::2]  # half the zones' domains: the codes they cover, in half the time


def stored(record) -> dict:
    """The record as a run stores it: asdict, through JSON."""
    return json.loads(json.dumps(dataclasses.asdict(record), ensure_ascii=False))


@pytest.fixture(scope="module")
def reports(server):
    async def all_checks():
        gate = asyncio.Semaphore(4)  # a few at a time: the loopback server stays responsive

        async def one(domain):
            async with gate:
                exp = MailjetExpectation(domain, VERIFY_NAME, VERIFY_VALUE)
                return await check_mailjet(exp, nameservers=[server.nameserver], timeout=3.0)

        return await asyncio.gather(*(one(d) for d in zone_domains()))

    return asyncio.run(all_checks())


def test_every_stored_record_words_the_same_from_its_codes(reports):
    compared = 0
    for report in reports:
        for record in report.records:
            if not record.findings:
                continue
            shown = reword({**stored(record), "message": "", "fix": "", "rules": ""})
            assert (shown["message"], shown["fix"], shown["rules"]) == (
                record.message, record.fix, record.rules,
            ), (report.domain, record.item_id)  # fmt: skip
            compared += 1
    assert compared > 60


def test_a_changed_wording_reaches_a_stored_record(reports, monkeypatch):
    record = next(
        r for report in reports for r in report.records
        if [f.code for f in r.findings] == ["spf.missing"]
    )  # fmt: skip
    row = stored(record)
    monkeypatch.setitem(
        wording.TEXTS, "spf.missing", ("Neu gesagt: kein SPF bei {host}.", "Tu was.")
    )
    shown = reword(row)
    assert shown["message"] == f"Neu gesagt: kein SPF bei {record.host}."
    assert shown["fix"] == "Tu was."


def test_an_old_row_without_codes_keeps_its_words():
    row = {"item_id": "dns-spf", "host": "@", "message": "Alter Text.", "fix": "Alte Hilfe."}
    assert reword(row) == row
    unknown = {**row, "findings": [{"code": "spf.gone", "state": "failed", "params": {}}]}
    assert reword(unknown) == unknown


# --- SMTP: the result's title, message and next step from its stored words ------------------


def smtp_result(port, encryption, certs, *, username=USER, password=PASSWORD, host="127.0.0.1"):
    settings = SmtpSettings(host, port, encryption, username, "versand@kunde.test",
                            "empfang@kunde.test", login=bool(username))  # fmt: skip
    return asyncio.run(
        run_smtp_test(
            settings, password, confirm_url="http://127.0.0.1:5000/confirm/tok-1",
            customer_name="Musterverlag GmbH", timeout=5.0, allowed_ports=[port, 25, 465, 587],
            allowed_networks=["127.0.0.0/8"], nameservers=None, ca_file=certs.ca_file,
        )
    )  # fmt: skip


@pytest.fixture(scope="module")
def smtp_results(certs):
    servers = {
        "ok": MailServer(tls="starttls", context=certs.context("127.0.0.1"), auth=True),
        "sender": MailServer(handler=Handler(reject_mail="553 5.7.1 Sender address rejected")),
        "plain": MailServer(auth=True),
    }
    for server in servers.values():
        server.start()
    try:
        return {
            "ok": smtp_result(servers["ok"].port, "tls", certs),
            "wrong_password": smtp_result(servers["ok"].port, "tls", certs, password="falsch"),
            "ssl_on_plain": smtp_result(servers["plain"].port, "ssl", certs),
            "sender": smtp_result(
                servers["sender"].port, "none", certs, username="", password=None
            ),  # fmt: skip
            "refused_host": smtp_result(25, "tls", certs, host="it@kunde.test"),
            "private": smtp_result(25, "tls", certs, host="10.0.0.1"),
        }
    finally:
        for server in servers.values():
            server.stop()


def test_every_smtp_result_words_the_same_from_its_stored_words(smtp_results):
    for name, result in smtp_results.items():
        words = json.loads(json.dumps(dataclasses.asdict(result)))["words"]
        shown = word_result(words)
        assert (shown["title"], shown["message"], shown["next_step"]) == (
            result.title, result.message, result.next_step,
        ), name  # fmt: skip
    assert "falsch" not in json.dumps(smtp_results["wrong_password"].words)


def test_a_changed_smtp_wording_reaches_a_stored_result(smtp_results, monkeypatch):
    result = smtp_results["sender"]
    assert result.code == "sender_rejected"
    words = json.loads(json.dumps(result.words))
    monkeypatch.setitem(
        diagnose.TABLE, "sender_rejected", ("Absender neu: {sender}", "Neu erklärt.", "Neu tun.")
    )
    shown = word_result(words)
    assert shown["title"] == "Absender neu: versand@kunde.test"
    assert shown["message"].startswith("Neu erklärt.") and shown["next_step"] == "Neu tun."


def test_every_probe_words_the_same_from_its_stored_words(certs, monkeypatch):
    servers = [
        MailServer(tls="starttls", context=certs.context("127.0.0.1"), auth=True),
        MailServer(),  # no login offered
    ]
    for server in servers:
        server.start()
    try:
        found = []
        for host, ports in [
            ("127.0.0.1", tuple((s.port, e) for s in servers for e in ("tls", "ssl", "none"))),
            ("it@kunde.test", ((25, "tls"),)),
            ("10.0.0.1", ((25, "tls"),)),
        ]:
            found += asyncio.run(
                probe_settings(host, timeout=5.0, allowed_ports=[p for p, _ in ports],
                               allowed_networks=["127.0.0.0/8"], nameservers=None,
                               ca_file=certs.ca_file, ports=ports)
            )  # fmt: skip
    finally:
        for server in servers:
            server.stop()
    assert {p.code for p in found} >= {"ok", "auth_not_offered", "invalid_host"}
    for probe in found:
        words = json.loads(json.dumps(dataclasses.asdict(probe)))["words"]
        assert word_probe(words) == probe.message, (probe.port, probe.encryption, probe.code)
    ok = next(p for p in found if p.code == "ok")
    monkeypatch.setitem(diagnose.PROBE_MESSAGES, "ok", "Neu: Port {port} geht.")
    assert word_probe(json.loads(json.dumps(ok.words))) == f"Neu: Port {ok.port} geht."


# --- Mailjet's view beside ours: notes stored as codes, worded when shown ------------------


def test_mailjet_disagreements_are_stored_as_codes_and_worded_when_shown(monkeypatch):
    answer = mailjet.CheckResult(
        spf_status="Error", dkim_status="OK", spf_found=("v=spf1 -all",), dkim_found="",
        spf_errors="", dkim_errors="", sender_status="Inactive", validate_error="DNS not found",
    )  # fmt: skip
    ours = {"dns-spf": "done", "dns-dkim": "failed", "dns-verification": "done"}
    notes = json.loads(json.dumps(mailjet_sync.disagreement_notes(answer, ours)))
    assert not any(german(json.dumps(n)) for n in notes)  # codes and what Mailjet said
    assert [mailjet_sync.note_words(n) for n in notes] == mailjet_sync.disagreements(answer, ours)
    monkeypatch.setitem(mailjet_words.COMPARE, "only_mailjet_ok", "Neu: {label} nur bei Mailjet.")
    assert "Neu: DKIM nur bei Mailjet." in [mailjet_sync.note_words(n) for n in notes]
    assert mailjet_sync.note_words("Ein alter Hinweis.") == "Ein alter Hinweis."

"""The zone-file snippet parses as BIND would read it, and carries exactly the offered values."""

import dns.zone
import pytest
from dnszones import rsa_b64

from mitwirkung.checks.dns import MailjetExpectation, planned_records
from mitwirkung.checks.dns.zonefile import character_strings, zone_snippet


def parse(text, origin):
    return dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)


@pytest.mark.parametrize("key", [rsa_b64(2048), rsa_b64(1024), None])
def test_snippet_parses_and_matches_the_rows(key):
    import dataclasses

    exp = MailjetExpectation("müller-verlag.de".encode("idna").decode(), "mailjet._a1",
                             "a1b2c3", "mailjet", key)  # fmt: skip
    records = [dataclasses.asdict(r) for r in planned_records(exp)]
    text = zone_snippet(exp.domain, records)
    zone = parse(text, exp.domain)
    offered = {r["fqdn"].rstrip(".") + ".": r["expected"] for r in records if r["expected"]}
    found = {}
    for name, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            for rdata in rdataset:
                found[str(name)] = b"".join(rdata.strings).decode()
    assert found == offered
    if key is None:
        assert "; mailjet._domainkey TXT:" in text


def test_character_strings_split_and_escape():
    value = 'a"b\\c' + "x" * 600
    quoted = character_strings(value)
    assert quoted.count('" "') == 2  # 605 octets: 255 + 255 + 95
    zone = parse(f"$ORIGIN t.de.\n@ 60 IN TXT {quoted}\n", "t.de")
    rdata = next(iter(zone.find_rdataset("t.de.", "TXT")))
    assert b"".join(rdata.strings).decode() == value


def test_the_page_offers_the_snippet_next_to_the_rows(customers):
    customer, edit, share = customers.create(path="mailjet")
    customers.db.table("mailjet_expectations").insert(
        {"customer_id": customer["id"], "domain": "mueller-verlag.de",
         "verification_name": "mailjet._a1", "verification_value": "a1b2",
         "dkim_selector": "mailjet", "dkim_key": rsa_b64(1024)}
    )  # fmt: skip
    import html
    import re

    for url in (f"/c/{edit}", f"/s/{share}"):
        page = customers.client.get(url).text
        code = re.search(r'<code id="zone-text">(.*?)</code>', page, re.S).group(1)
        zone = parse(html.unescape(code), "mueller-verlag.de")
        assert zone.get_node("mailjet._a1.mueller-verlag.de.") is not None
        assert zone.get_node("mailjet._domainkey.mueller-verlag.de.") is not None

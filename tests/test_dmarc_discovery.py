"""The DNS Tree Walk of RFC 9989 §4.10 (mitwirkung.checks.dmarc_discovery), on a table of TXT
answers: which names are asked, which record is the policy record, the Organizational Domain."""

from __future__ import annotations

import asyncio

import pytest

from mitwirkung.checks.dmarc_discovery import (
    discover,
    org_domain,
    organizational_domain,
    tree_walk,
    walk_names,
)


def table(records: dict[str, list[str] | None]):
    asked: list[str] = []

    async def txt(name: str):
        asked.append(name)
        return records.get(name, [])

    return txt, asked


def run(coro):
    return asyncio.run(coro)


def test_walk_names_one_label_at_a_time():
    assert walk_names("A.B.Example.COM.") == [
        "a.b.example.com",
        "b.example.com",
        "example.com",
        "com",
    ]


def test_walk_names_long_name_jumps_to_seven_labels():
    name = "1.2.3.4.5.6.7.8.9.example.com"  # 11 labels
    names = walk_names(name)
    assert names[0] == name and names[1] == "5.6.7.8.9.example.com"  # the last seven labels
    assert names[-1] == "com" and len(names) == 8  # never more than eight queries


def test_policy_record_of_the_author_domain_else_its_organizational_domain():
    txt, asked = table(
        {
            "_dmarc.example.com": ["v=DMARC1; p=reject; sp=quarantine"],
            "_dmarc.b.example.com": ["unrelated text", "v=DMARC1; p=none"],
        }
    )
    # a record between the Author Domain and its Organizational Domain is not the policy
    found, org, failed = run(discover("a.b.example.com", txt))
    assert org == "example.com" and not failed  # the record with the fewest labels
    assert found.domain == "example.com" and found.record.startswith("v=DMARC1; p=reject")
    assert asked[:3] == ["_dmarc.a.b.example.com", "_dmarc.b.example.com", "_dmarc.example.com"]
    # the Author Domain's own record always wins
    found, org, _ = run(discover("b.example.com", txt))
    assert found.domain == "b.example.com" and org == "example.com"


def test_public_suffix_record_when_the_organizational_domain_has_none():
    txt, _ = table({"_dmarc.example": ["v=DMARC1; p=reject; np=reject; psd=y"]})
    found, org, _ = run(discover("mail.shop.example", txt))
    assert org == "shop.example" and found.domain == "example"


def test_two_records_at_a_name_count_as_none():
    txt, _ = table(
        {
            "_dmarc.shop.example.com": ["v=DMARC1; p=none", "v=DMARC1; p=reject"],
            "_dmarc.example.com": ["v=DMARC1; p=quarantine"],
        }
    )
    found, _, _ = run(discover("shop.example.com", txt))
    assert found.domain == "example.com"


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        # psd=y at the TLD-like level: the Organizational Domain is one label below it
        ({"_dmarc.example": ["v=DMARC1; p=none; psd=y"]}, "shop.example"),
        # psd=n: the record's own domain, the walk stops there
        (
            {
                "_dmarc.a.shop.example": ["v=DMARC1; p=none; psd=n"],
                "_dmarc.shop.example": ["v=DMARC1; p=reject"],
            },
            "a.shop.example",
        ),
        ({}, "x.a.shop.example"),  # no record at all: the domain itself
    ],
)
def test_organizational_domain(records, expected):
    txt, _ = table(records)
    assert run(org_domain("x.a.shop.example", txt)) == (expected, False)


def test_dns_failure_is_reported_not_hidden():
    txt, _ = table({"_dmarc.example.com": None})
    walk = run(tree_walk("mail.example.com", txt, full=True))
    assert walk.temperror and walk.records == ()
    assert organizational_domain(walk) == "mail.example.com"

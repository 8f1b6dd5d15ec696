from pathlib import Path

import pytest

from app import create_app
from mitwirkung import catalog
from mitwirkung.progress import ItemView, attention, item_views, progress

GOOD = Path(__file__).parent.parent / "data" / "obligations" / "smtp-postfach.toml"

MINIMAL = """
id = "x"
title = "X"
intro = "Intro"
todo = "Todo"
[[paths]]
id = "p"
title = "Weg"
summary = "Zusammenfassung"
items = ["a"]
[[items]]
id = "a"
title = "A"
kind = "manual"
confirm = "Erledigt"
help = "Hilfe"
"""


def test_loads_the_real_obligation():
    obligation = catalog.load(GOOD)
    assert [p.id for p in obligation.paths] == ["smtp-own", "mailjet", "portal"]
    assert obligation.path("smtp-own").title == "Einrichten des SMTP-Postfachs durch Kund:in"
    assert obligation.path("mailjet").title == (
        "Einbindung eines E-Mail-Dienstes (Mailjet) durch PEIQ"
    )
    assert obligation.path("portal").title == "Übernahme der SMTP-Konfiguration von PORTAL"
    for path in obligation.paths:
        assert path.items[-1].id == "mail-received"
    assert not obligation.items["dns-dmarc"].required
    assert set(obligation.items) == {
        "smtp-settings", "smtp-password", "smtp-test-mail", "dns-verification", "dns-spf",
        "dns-dkim", "dns-dmarc", "peiq-informed", "portal-adopt", "mail-received",
    }  # fmt: skip


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.replace('title = "X"\n', ""), "'title' must be a non-empty string"),
        (lambda s: s.replace('items = ["a"]', 'items = ["a", "b"]'), "unknown item(s) b"),
        (lambda s: s.replace('kind = "manual"', 'kind = "magic"'), "unknown kind 'magic'"),
        (
            lambda s: s + '[[items]]\nid="a"\ntitle="A"\nkind="manual"\nconfirm="c"\nhelp="h"',
            "twice",
        ),
        (lambda s: s.replace("[[paths]]", "[[paths]"), "invalid TOML"),
        (lambda s: s.replace('help = "Hilfe"', "help = 3"), "'help' must be"),
        (lambda s: s.replace('help = "Hilfe"', 'help = "H"\nrequired = "ja"'), "'required'"),
    ],
)
def test_malformed_file_is_named_with_its_problem(tmp_path, change, message):
    path = tmp_path / "broken.toml"
    path.write_text(change(MINIMAL))
    with pytest.raises(catalog.CatalogError) as e:
        catalog.load(path)
    assert str(path) in str(e.value)
    assert message in str(e.value)


def test_app_refuses_to_start_with_a_malformed_catalog(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(MINIMAL.replace('kind = "manual"', 'kind = "magic"'))
    with pytest.raises(SystemExit) as e:
        create_app({"OBLIGATION_FILES": [str(path)], "DATABASE": str(tmp_path / "db"),
                    "SECRET_KEY": "x", "ENCRYPTION_KEY": "x"})  # fmt: skip
    assert "broken.toml" in str(e.value) and "unknown kind" in str(e.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(catalog.CatalogError, match="nothing.toml: cannot read"):
        catalog.load(tmp_path / "nothing.toml")


def rows(**states):
    return {item: {"state": s, "detail": {}, "updated_at": None} for item, s in states.items()}


@pytest.mark.parametrize(
    "path, states, expected",
    [
        (None, {}, 0),
        ("smtp-own", {}, 0),
        ("smtp-own", {"smtp-settings": "done"}, 25),
        ("smtp-own", {"smtp-settings": "done", "smtp-password": "warning"}, 50),
        ("smtp-own", {"smtp-settings": "failed", "smtp-test-mail": "running"}, 0),
        ("portal", {"portal-adopt": "done", "mail-received": "done"}, 100),
        # dns-dmarc is not required: it neither counts nor blocks
        ("mailjet", {"dns-dmarc": "done"}, 0),
        (
            "mailjet",
            {
                i: "done"
                for i in [
                    "dns-verification",
                    "dns-spf",
                    "dns-dkim",
                    "peiq-informed",
                    "mail-received",
                ]
            },
            100,
        ),  # fmt: skip
        ("mailjet", {"dns-verification": "done", "dns-spf": "done"}, 40),
    ],
)
def test_progress(path, states, expected):
    obligation = catalog.load(GOOD)
    assert progress(item_views(obligation, path, rows(**states))) == expected


def test_other_paths_items_are_not_shown_and_attention_lists_failures():
    obligation = catalog.load(GOOD)
    views = item_views(obligation, "portal", rows(**{"smtp-settings": "failed"}))
    assert [v.item.id for v in views] == ["portal-adopt", "mail-received"]
    item = obligation.items["portal-adopt"]
    waiting = ItemView(item, "open", {"waiting_for": "manager"}, None)
    failed = ItemView(obligation.items["mail-received"], "failed", {}, None)
    assert attention([waiting, failed, ItemView(item, "done", {}, None)]) == [waiting, failed]


@pytest.mark.parametrize("ms, shown", [(None, "–"), (640, "0,6 s"), (20000, "20,0 s")])
def test_durations_read_german(ms, shown):
    from mitwirkung.web import seconds

    assert seconds(ms) == shown

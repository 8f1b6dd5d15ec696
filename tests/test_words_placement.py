"""German lives in catalogs and templates: a wording is reviewed in one place (STYLE.md 6, 13).

A string literal (f-string parts included, docstrings excluded: they are for engineers) that
reads as German — an umlaut or ß, or one of the frequent German words below standing as a
word — may appear only in a catalog module listed here. Templates live under templates/.
"""

import ast
import re
from pathlib import Path

import pytest
from jinja2 import Environment, UndefinedError, nodes

from mitwirkung import mailtext

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mitwirkung"

# The catalogs: modules whose purpose is German words (by code, for display).
CATALOGS = {
    "mitwirkung/checks/diagnose.py",
    "mitwirkung/checks/domain_wording.py",
    "mitwirkung/checks/dns/wording.py",
    "mitwirkung/checks/inbound/wording.py",
    "mitwirkung/checks/provider_wording.py",
}
CATALOG_PACKAGES = ("mitwirkung/words/",)

# Modules still carrying German, to be emptied into catalogs; the list only shrinks
# (test_pending_modules_still_need_their_place fails once a module is clean).
PENDING: set[str] = set()

# Literals that look German but are data, each with its reason.
DATA = {
    # a frozen migration matches rows that stored this wording (migrations are never edited)
    "UPDATE customers SET summary_revision = NULL WHERE attention LIKE '%Ihren Server%'",
    # textfold's folding table: letters, not words
    "ä",
    "ö",
    "ü",
    "ß",
}

UMLAUT = re.compile(r"[äöüÄÖÜß]")
FREQUENT = re.compile(
    r"(?<![\w-])(?:nicht|bitte|Bitte|Sie|Ihr|Ihre|Ihren|Ihrem|Ihrer|ist|und|oder|wird|werden"
    r"|wurde|kein|keine|noch|eine|einen|einem|einer|auf|sind|bei|nach|mit|der|das|den|dem|des"
    r"|zu|gibt|schon|Einladung|verschickt|angelegt|gespeichert|gelöscht)(?![\w-])"
)


def german(text: str) -> bool:
    """An umlaut or ß, or a frequent German word standing as a word."""
    return bool(UMLAUT.search(text) or FREQUENT.search(text))


def docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def german_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every German str literal in source, docstrings excluded."""
    tree = ast.parse(source)
    docs = docstring_nodes(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and node.value not in DATA
        and german(node.value)
    ]


def modules() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py"))


def is_catalog(module: str) -> bool:
    return module in CATALOGS or module.startswith(CATALOG_PACKAGES)


@pytest.mark.parametrize(
    "source",
    [
        'MESSAGE = "Der Server antwortet nicht."',
        'x = f"Bitte prüfen {name}"',
        'raise ValueError("Sie haben keine Adresse angegeben")',
        'TITLE = "Übernahme"',
        'LABEL = "Einladung"',
        'def f():\n    """Doc."""\n    return "Notiz gelöscht."',
    ],
)
def test_the_detector_finds_german(source):
    assert german_literals(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""Modul für Wörter: a docstring is for engineers."""',
        'def f():\n    """Prüft die Adresse."""\n    return "ok"',
        'KIND = "mail-received"',
        'SQL = "SELECT * FROM customers WHERE id = ?"',
        'log.warning("reminder to customer %s not sent: %s", 1, "x")',
        'MESSAGE = "the old link dies"',
    ],
)
def test_the_detector_leaves_code_and_english_alone(source):
    assert not german_literals(source)


def test_german_only_in_catalogs():
    outside = {}
    for module in modules():
        if is_catalog(module) or module in PENDING:
            continue
        found = german_literals((ROOT / module).read_text(encoding="utf-8"))
        if found:
            outside[module] = [f"{line}: {text[:60]!r}" for line, text in found]
    assert not outside, f"German outside the catalogs (move it to mitwirkung/words/): {outside}"


def test_pending_modules_still_need_their_place():
    clean = [
        m
        for m in sorted(PENDING)
        if not (ROOT / m).exists() or not german_literals((ROOT / m).read_text(encoding="utf-8"))
    ]
    assert not clean, f"no German left: remove from PENDING {clean}"


def test_catalogs_are_listed_modules_that_exist():
    assert all((ROOT / m).exists() for m in CATALOGS)
    assert (ROOT / "mitwirkung/words/__init__.py").exists()


def test_templates_only_under_templates():
    stray = [
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*")
        if p.suffix in (".html", ".txt", ".jinja", ".j2") and german(p.read_text("utf-8"))
    ]
    assert not stray, f"templates belong under templates/: {stray}"


def test_every_mail_template_has_a_subject_and_a_body():
    """One convention for all mails (mailtext.py): a `subject` and a `body` block, nothing else
    outside them but comments and whitespace."""
    env = Environment()
    for path in sorted((ROOT / "templates/mail").glob("*.txt")):
        source = path.read_text(encoding="utf-8")
        blocks = [b.name for b in env.parse(source).find_all(nodes.Block)]
        assert blocks == ["subject", "body"], path.name
        outside = re.sub(
            r"\{#.*?#\}|\{%-? block \w+ -?%\}.*?\{%-? endblock -?%\}", "", source, flags=re.S
        )
        assert not outside.strip(), (path.name, outside.strip()[:80])


def test_a_mail_refuses_a_missing_value_and_keeps_its_text_unescaped(app):
    """StrictUndefined: a mail never goes out with a hole; text mails are not HTML-escaped."""
    with app.test_request_context():
        with pytest.raises(UndefinedError):
            mailtext.render("values_ready", customer={"name": "K"}, edit_url="https://x")
        subject, body = mailtext.render(
            "values_ready", customer={"name": "Müller & <Söhne>"}, edit_url="https://x?a=1&b=2",
            contact=None,
        )  # fmt: skip
    assert "Müller & <Söhne>" in body and "https://x?a=1&b=2" in body
    assert "\n" not in subject

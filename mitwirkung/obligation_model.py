"""What the obligation catalog holds: the obligations, their paths, items and fields as frozen
dataclasses, the `Catalog` of them, and the schema's vocabulary (kinds, field types, keys).

Loaded and validated by `catalog.py` (which re-exports every name here); the schema is
docs/obligations.md.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SMTP_OBLIGATION = "smtp-postfach"  # the first obligation: the SMTP mailbox of PRINT PPS

# How an item becomes done (docs/obligations.md). The first seven belong to the SMTP
# obligation and need its code; the last three are generic: a new obligation uses them
# without code.
SMTP_KINDS = frozenset({"form", "handover", "smtp", "dns", "notify", "portal", "mail-received"})
GENERIC_KINDS = frozenset({"manual", "fields", "peiq-confirm"})
KINDS = SMTP_KINDS | GENERIC_KINDS
FIELD_TYPES = frozenset({"text", "email", "url", "number", "choice"})
MAX_LENGTH = 2000  # the longest a `fields` input may be declared (docs/obligations.md)
# The keys each table of a file may have (docs/obligations.md); any other is a typo.
KEYS = {
    "top level": {"id", "title", "order", "intro", "todo", "paths", "items", "glossary"},
    "path": {"id", "title", "summary", "short", "intro", "confirm", "items"},
    "item": {"id", "title", "manager_title", "kind", "help", "required", "confirm", "fields"},
    "field": {"id", "label", "type", "required", "help", "max_length", "choices"},
    "glossary": {"term", "meaning"},
}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class CatalogError(Exception):
    """A catalog file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Field:
    """One input of a `fields` item: id, German label, type (FIELD_TYPES), optional help."""

    id: str
    label: str
    type: str = "text"
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()  # for type "choice"
    max_length: int = 200


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    kind: str
    help: str
    required: bool = True
    manager_title: str = ""  # the title in the manager's voice, where it differs
    confirm: str = ""  # `manual`: the sentence the customer confirms
    fields: tuple[Field, ...] = ()  # `fields`: the inputs asked for

    @property
    def check(self) -> str:
        """The kind under its former name (TOML key `check`), for code not yet moved over."""
        return self.kind

    @property
    def for_manager(self) -> str:
        """The title as account managers read it ("der Kund:in", not "Ihr")."""
        return self.manager_title or self.title


@dataclass(frozen=True)
class ObligationPath:
    id: str
    title: str
    summary: str
    items: tuple[Item, ...]
    short: str  # for tables; the title where none is given
    intro: str = ""  # what this path asks of the customer, shown once it is chosen
    confirm: str = ""  # what the customer confirms when ticking `mail-received` by hand


@dataclass(frozen=True)
class Obligation:
    id: str
    title: str
    intro: str
    todo: str
    paths: tuple[ObligationPath, ...]
    items: dict[str, Item]
    glossary: tuple[tuple[str, str], ...] = ()  # (term, meaning): one word for one thing
    order: int = 100  # position in the catalog (lower first); the file name breaks ties

    def path(self, path_id: str | None) -> ObligationPath | None:
        """Return the path with this id, or None."""
        return next((p for p in self.paths if p.id == path_id), None)

    @property
    def only_path(self) -> ObligationPath | None:
        """The path of a one-path obligation (nothing to choose), else None."""
        return self.paths[0] if len(self.paths) == 1 else None


class Catalog:
    """The loaded obligations in catalog order: `get(id)`, iteration, `first`, `ids`."""

    def __init__(self, obligations: Iterable[Obligation]):
        self._by_id: dict[str, Obligation] = {}
        for obligation in obligations:
            if obligation.id in self._by_id:
                raise CatalogError(f"obligation id '{obligation.id}' is defined twice")
            self._by_id[obligation.id] = obligation

    def get(self, obligation_id: str | None) -> Obligation | None:
        return self._by_id.get(obligation_id or "")

    def __iter__(self) -> Iterator[Obligation]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, obligation_id: object) -> bool:
        return obligation_id in self._by_id

    @property
    def first(self) -> Obligation:
        return next(iter(self._by_id.values()))

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

"""The obligation catalog: paths, items and German texts loaded from TOML."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

CHECKS = {"form", "manual", "smtp", "dns", "handover", "notify", "portal"}


class CatalogError(Exception):
    """A catalog file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    check: str
    help: str
    required: bool = True
    manager_title: str = ""  # the title in the manager's voice, where it differs

    @property
    def for_manager(self) -> str:
        """The title as account managers read it ("der Kund:in", not "Ihr")."""
        return self.manager_title or self.title

    @property
    def manual(self) -> bool:
        return self.check == "manual"


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

    def path(self, path_id: str | None) -> ObligationPath | None:
        """Return the path with this id, or None."""
        return next((p for p in self.paths if p.id == path_id), None)


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return " ".join(value.split())


def _parse(data: dict) -> Obligation:
    items: dict[str, Item] = {}
    for i, raw in enumerate(data.get("items") or []):
        where = f"items[{i}]"
        item_id = _text(raw, "id", where)
        where = f"item '{item_id}'"
        if item_id in items:
            raise ValueError(f"{where} is defined twice")
        check = _text(raw, "check", where)
        if check not in CHECKS:
            raise ValueError(f"{where}: unknown check '{check}' (one of {sorted(CHECKS)})")
        required = raw.get("required", True)
        if not isinstance(required, bool):
            raise ValueError(f"{where}: 'required' must be true or false")
        manager_title = _text(raw, "manager_title", where) if "manager_title" in raw else ""
        items[item_id] = Item(
            item_id, _text(raw, "title", where), check, _text(raw, "help", where), required,
            manager_title,
        )  # fmt: skip
    paths = []
    for i, raw in enumerate(data.get("paths") or []):
        where = f"paths[{i}]"
        path_id = _text(raw, "id", where)
        where = f"path '{path_id}'"
        item_ids = raw.get("items")
        if not isinstance(item_ids, list) or not item_ids:
            raise ValueError(f"{where}: 'items' must be a non-empty list of item ids")
        unknown = [x for x in item_ids if x not in items]
        if unknown:
            raise ValueError(f"{where}: unknown item(s) {', '.join(map(str, unknown))}")
        paths.append(
            ObligationPath(
                path_id,
                _text(raw, "title", where),
                _text(raw, "summary", where),
                tuple(items[x] for x in item_ids),
                _text(raw, "short", where) if "short" in raw else _text(raw, "title", where),
                _text(raw, "intro", where) if "intro" in raw else "",
                _text(raw, "confirm", where) if "confirm" in raw else "",
            )
        )
    if not paths:
        raise ValueError("no [[paths]] defined")
    if len({p.id for p in paths}) != len(paths):
        raise ValueError("path ids must be unique")
    glossary = []
    for i, raw in enumerate(data.get("glossary") or []):
        where = f"glossary[{i}]"
        glossary.append((_text(raw, "term", where), _text(raw, "meaning", where)))
    return Obligation(
        _text(data, "id", "top level"),
        _text(data, "title", "top level"),
        _text(data, "intro", "top level"),
        _text(data, "todo", "top level"),
        tuple(paths),
        items,
        tuple(glossary),
    )


def load(path: str | Path) -> Obligation:
    """Load and validate one obligation file."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            return _parse(tomllib.load(f))
    except OSError as e:
        raise CatalogError(f"{path}: cannot read ({e.strerror})") from e
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{path}: invalid TOML ({e})") from e
    except (ValueError, TypeError, AttributeError) as e:
        raise CatalogError(f"{path}: {e}") from e

"""The obligation catalog: every obligation's paths, items and German texts, loaded from TOML.

An obligation is one TOML file (schema: docs/obligations.md). `load(path)` reads one,
`load_all(folder, files)` reads every `*.toml` in a folder plus extra files into a `Catalog`
(ordered by each obligation's `order`, then file name). Errors are `CatalogError` naming the
file and the problem. The dataclasses and the schema's vocabulary live in
`obligation_model.py`; every name is importable from here.
"""

import tomllib
from collections.abc import Iterable
from pathlib import Path

from .obligation_model import (
    FIELD_TYPES,
    GENERIC_KINDS,
    ID_PATTERN,
    KEYS,
    KINDS,
    MAX_LENGTH,
    SMTP_KINDS,
    SMTP_OBLIGATION,
    Catalog,
    CatalogError,
    Field,
    Item,
    Obligation,
    ObligationPath,
)

__all__ = [
    "FIELD_TYPES", "GENERIC_KINDS", "KEYS", "KINDS", "MAX_LENGTH", "SMTP_KINDS",
    "SMTP_OBLIGATION", "Catalog", "CatalogError", "Field", "Item", "Obligation",
    "ObligationPath", "load", "load_all", "starting_paths",
]  # fmt: skip


def _known_keys(data, table: str, where: str) -> None:
    """Refuse a table that is not one or has a key the schema does not know (a typo)."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be a table ([[…]] or key = value lines)")
    unknown = sorted(set(data) - KEYS[table])
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)} "
            f"(a {table} may have: {', '.join(sorted(KEYS[table]))})"
        )


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return " ".join(value.split())


def _optional(data: dict, key: str, where: str) -> str:
    return _text(data, key, where) if key in data else ""


def _flag(data: dict, key: str, where: str, default: bool = True) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{where}: '{key}' must be true or false")
    return value


def _id(data: dict, where: str) -> str:
    value = _text(data, "id", where)
    if not ID_PATTERN.match(value):
        raise ValueError(f"{where}: id '{value}' must be lower-case letters, digits and '-'")
    return value


def _field(raw: dict, where: str) -> Field:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where = f"{where} '{raw['id']}'"
    _known_keys(raw, "field", where)
    field_id = _id(raw, where)
    kind = raw.get("type", "text")
    if kind not in FIELD_TYPES:
        raise ValueError(f"{where}: unknown type '{kind}' (one of {sorted(FIELD_TYPES)})")
    choices = raw.get("choices", [])
    if kind == "choice" and (
        not isinstance(choices, list)
        or not choices
        or not all(isinstance(c, str) and c.strip() for c in choices)
    ):
        raise ValueError(f"{where}: type 'choice' needs 'choices', a list of texts")
    if kind != "choice" and "choices" in raw:
        raise ValueError(f"{where}: 'choices' only go with type 'choice'")
    max_length = raw.get("max_length", 200)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or not 0 < max_length:
        raise ValueError(f"{where}: 'max_length' must be a positive number")
    if max_length > MAX_LENGTH:
        raise ValueError(f"{where}: 'max_length' may be at most {MAX_LENGTH}")
    return Field(
        field_id, _text(raw, "label", where), kind, _flag(raw, "required", where),
        _optional(raw, "help", where), tuple(choices) if kind == "choice" else (),
        max_length,
    )  # fmt: skip


def _item(raw: dict, where: str) -> Item:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where = f"item '{raw['id']}'"
    if isinstance(raw, dict) and "check" in raw:
        raise ValueError(f"{where}: 'check' is now called 'kind'")
    _known_keys(raw, "item", where)
    item_id = _id(raw, where)
    kind = _text(raw, "kind", where)
    if kind not in KINDS:
        raise ValueError(
            f"{where}: unknown kind '{kind}' (a new obligation can use: {_generic_kinds()})"
        )
    fields: list[Field] = []
    if kind == "fields":
        declared = raw.get("fields")
        if not isinstance(declared, list) or not declared:
            raise ValueError(f"{where}: kind 'fields' needs [[items.fields]]")
        fields = [_field(f, f"{where} field[{i}]") for i, f in enumerate(declared)]
        if len({f.id for f in fields}) != len(fields):
            raise ValueError(f"{where}: field ids must be unique")
    elif "fields" in raw:
        raise ValueError(f"{where}: 'fields' only go with kind 'fields'")
    if kind == "manual" and "confirm" not in raw:
        raise ValueError(f"{where}: kind 'manual' needs 'confirm' (what the customer confirms)")
    return Item(
        item_id, _text(raw, "title", where), kind, _text(raw, "help", where),
        _flag(raw, "required", where), _optional(raw, "manager_title", where),
        _optional(raw, "confirm", where), tuple(fields),
    )  # fmt: skip


def _generic_kinds() -> str:
    return ", ".join(sorted(GENERIC_KINDS))


def _parse(data: dict) -> Obligation:
    _known_keys(data, "top level", "top level")
    obligation_id = _id(data, "top level")
    items: dict[str, Item] = {}
    for i, raw in enumerate(data.get("items") or []):
        item = _item(raw, f"items[{i}]")
        if item.id in items:
            raise ValueError(f"item '{item.id}' is defined twice")
        items[item.id] = item
        if item.kind in SMTP_KINDS and obligation_id != SMTP_OBLIGATION:
            raise ValueError(
                f"item '{item.id}': kind '{item.kind}' belongs to the SMTP obligation and needs "
                f"its code (a new obligation can use: {_generic_kinds()})"
            )
    paths = []
    for i, raw in enumerate(data.get("paths") or []):
        where = f"paths[{i}]"
        _known_keys(raw, "path", where)
        path_id = _id(raw, where)
        where = f"path '{path_id}'"
        item_ids = raw.get("items")
        if not isinstance(item_ids, list) or not item_ids:
            raise ValueError(f"{where}: 'items' must be a non-empty list of item ids")
        unknown = [x for x in item_ids if x not in items]
        if unknown:
            raise ValueError(f"{where}: unknown item(s) {', '.join(map(str, unknown))}")
        if len(set(item_ids)) != len(item_ids):
            raise ValueError(f"{where}: an item is listed twice in 'items'")
        if sum(items[x].kind == "peiq-confirm" and items[x].required for x in item_ids) > 1:
            raise ValueError(  # each would wait for the other: PEIQ could confirm neither
                f"{where}: at most one required 'peiq-confirm' item (each waits for all others)"
            )
        if not [x for x in item_ids if items[x].kind != "peiq-confirm" and items[x].required]:
            raise ValueError(
                f"{where}: needs at least one required item the customer does "
                "(not only 'peiq-confirm' items, which PEIQ confirms)"
            )
        paths.append(
            ObligationPath(
                path_id,
                _text(raw, "title", where),
                _text(raw, "summary", where),
                tuple(items[x] for x in item_ids),
                _text(raw, "short", where) if "short" in raw else _text(raw, "title", where),
                _optional(raw, "intro", where),
                _optional(raw, "confirm", where),
            )
        )
    if not paths:
        raise ValueError("no [[paths]] defined")
    if len({p.id for p in paths}) != len(paths):
        raise ValueError("path ids must be unique")
    listed = {i.id for p in paths for i in p.items}
    unlisted = [x for x in items if x not in listed]
    if unlisted:  # an item in no path is never shown: most likely a path forgot it
        raise ValueError(f"item(s) {', '.join(unlisted)} in no path's 'items'")
    glossary = []
    for i, raw in enumerate(data.get("glossary") or []):
        where = f"glossary[{i}]"
        _known_keys(raw, "glossary", where)
        glossary.append((_text(raw, "term", where), _text(raw, "meaning", where)))
    order = data.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        raise ValueError("'order' must be a whole number")
    return Obligation(
        obligation_id,
        _text(data, "title", "top level"),
        _text(data, "intro", "top level"),
        _text(data, "todo", "top level"),
        tuple(paths),
        items,
        tuple(glossary),
        order,
    )


def load(path: str | Path) -> Obligation:
    """Load and validate one obligation file; CatalogError names the file and the problem."""
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


def load_all(folder: str | Path | None, files: Iterable[str | Path] = ()) -> Catalog:
    """Load every `*.toml` in folder (None: none) plus files into a Catalog.

    Order: each obligation's `order`, then its file name. Raises CatalogError for a
    malformed file, a missing folder, an obligation id defined twice or no obligation at all.
    """
    if isinstance(files, (str, bytes)) or not isinstance(files, Iterable):
        raise CatalogError(
            f'OBLIGATION_FILES must be a JSON list of file paths, e.g. ["{files}"], not {files!r}'
        )
    paths = []
    if folder is not None:
        folder = Path(folder)
        if not folder.is_dir():
            raise CatalogError(f"{folder}: not a folder of obligations")
        paths += sorted(folder.glob("*.toml"))
    paths += [Path(f) for f in files]
    loaded = [(load(p), p) for p in dict.fromkeys(paths)]
    if not loaded:
        raise CatalogError(f"{folder}: no obligation (*.toml) found")
    first: dict[str, Path] = {}
    for obligation, path in loaded:
        if obligation.id in first:
            raise CatalogError(
                f"obligation id '{obligation.id}' is defined twice: in {first[obligation.id]} "
                f"and in {path}"
            )
        first[obligation.id] = path
    loaded = [(o, p.name) for o, p in loaded]
    loaded.sort(key=lambda pair: (pair[0].order, pair[1]))
    return Catalog(o for o, _ in loaded)


def starting_paths(catalog: Catalog, ids: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    """(obligation id, path) for a new customer with these obligations, in catalog order.

    A one-path obligation starts on its only path (nothing to choose); the others start
    without one. Ids the catalog does not know are left out (callers validate them first).
    """
    wanted = set(ids)
    return tuple((o.id, o.only_path.id if o.only_path else None) for o in catalog if o.id in wanted)

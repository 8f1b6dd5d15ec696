"""What a kind's `submit` answers: the new state and detail, or the problems per field."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """state/detail to store (state None: nothing to store), errors {field id: code}, the
    values as typed (kept for the form on errors), and `said` (a code of words/kinds.py)."""

    state: str | None = None
    detail: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    said: str = ""

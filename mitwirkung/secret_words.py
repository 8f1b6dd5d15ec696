"""Old import place of `words.secret` for modules not yet moved over (customer.py)."""

from .words.secret import cap, is_oauth, secret_words

__all__ = ["cap", "is_oauth", "secret_words"]

"""German words of the app outside checks/: one catalog module per area (see
tests/test_words_placement.py, which allows German string literals only in catalogs)."""

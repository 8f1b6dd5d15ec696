"""How the dashboard searches and sorts text: German spellings that mean the same are equal,
names sort in German dictionary order."""

import unicodedata

# The spellings German writes for umlauts where they cannot be typed (DIN 5007-2, names in
# phone books): "Müller" = "Mueller", "Straße" = "Strasse" (casefold already maps ß to ss).
UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"))


def search_fold(text: str) -> str:
    """Return text as the search index holds it: NFC, case folded, ä/ö/ü/ß spelled out.

    Idempotent, so a folded text folds to itself; "MÜLLER", "Müller" (also decomposed,
    u + U+0308) and "mueller" all become "mueller".
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    for umlaut, spelled in UMLAUTS:
        folded = folded.replace(umlaut, spelled)
    return folded


def sort_name(name: str) -> str:
    """The key that sorts names as a German reader expects (DIN 5007-1, dictionary order).

    Umlauts sort as their base letter (Ö with O), ß as ss, other accents are dropped, case
    is ignored; names equal under this key keep the order of their ids.
    """
    folded = name.casefold().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))

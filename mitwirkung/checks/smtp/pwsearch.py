"""Find runs of password characters in text, in linear time, with no pattern built from it.

The password travels in a known set of readable transformations of its characters (case,
also the sharp s U+00DF as "SS"; percent-, entity-, backslash-, quoted-printable- and
hex-escapes of its UTF-8 or Latin-1 bytes, UTF-8 read as Latin-1/Windows-1252, raw Latin-1
bytes, "?" for a character a server could not show, Unicode NFD). Every form of every
distinct password character is a literal string, kept in one trie (built once per
password). A text is read as a lattice: from each position the trie gives the forms that
start there (an edge to where the form ends, with the set of password positions it can
stand for as a bit set); between two characters a reply may break the line (RFC 5321
§4.2.1: line end, the next line's reply code and its RFC 3463 enhanced status code). A
shift-and pass forward and one backward over the lattice (bit-parallel over the password
positions, Python integers) mark every edge that lies on a run of `window` consecutive
password characters.

Cost: O(len(text) × forms starting per position × window) integer operations, no
backtracking (a 32 KB reply, aiosmtplib's limit, takes well under a second). Every step is
plain Python, so the interpreter hands the GIL to other threads every few milliseconds
(sys.getswitchinterval()) while a long reply is searched.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata

# Widths numeric escapes are padded to with zeros (\\u00e4, \\U000000e4, &#0228;): those
# that JSON, JavaScript, Python and HTML writers use, and a bound on the number of forms.
PAD_WIDTHS = (0, 4, 6, 8)
_PREFIXES = ("", "%", "=", "\\x")  # hex byte alone, RFC 3986, RFC 2045, backslash escape
_TERMINAL = ""  # trie key of a node's bit set (a text character is never empty)
# Places where a form of a password character starts, at most, before a text is masked as a
# whole: real replies have a few hundred; a hostile 32 KB reply made of password characters
# is then hidden entirely after one linear pass instead of costing seconds.
MAX_EDGES = 8_192


def fold(text: str) -> str:
    """Lower-case text character by character, keeping its length (positions stay valid)."""
    lowered = text.lower()
    if len(lowered) == len(text):  # no character changed its length ("İ" does)
        return lowered
    out = []
    for char in text:
        low = char.lower()
        out.append(low if len(low) == 1 else char)
    return "".join(out)


def char_forms(char: str) -> set[str]:
    """Every readable form of one password character as literal strings (folded)."""
    forms = {char, char.upper(), char.casefold()}  # "ß" upper-cased is "SS"
    if char in "Σσς":  # lower() writes a final sigma as "ς"
        forms.update("σς")
    point = ord(char)
    encodings = ["utf-8"] + (["latin-1"] if point < 0x100 else [])
    for encoding in encodings:
        raw = char.encode(encoding)
        # one escape style for all bytes of a character (%C3%A4, =C3=A4, \\xc3\\xa4, c3a4)
        forms.update("".join(f"{prefix}{b:02x}" for b in raw) for prefix in _PREFIXES)
        if len(raw) > 1:  # UTF-8 read as Latin-1 or Windows-1252
            forms.add(raw.decode("latin-1"))
            forms.add(raw.decode("cp1252", "replace"))
    if not (char.isascii() and char.isalnum()):
        if point >= 0x80:
            if point < 0x100:
                forms.add(chr(0xDC00 + point))  # a raw Latin-1 byte (surrogateescape)
            forms.update({"?", "\ufffd"})
            decomposed = unicodedata.normalize("NFD", char)
            if decomposed != char:
                forms.add(decomposed)
        if char == " ":
            forms.add("+")
        for width in PAD_WIDTHS:
            hexa, decimal = f"{point:0{width}x}", f"{point:0{width}d}"
            forms.update({f"\\u{hexa}", f"\\u{{{hexa}}}"})  # JSON, JavaScript, Python
            forms.update({f"&#{decimal};", f"&#x{hexa};"})  # HTML character references
        name = html.entities.codepoint2name.get(point)
        if name:
            forms.add(f"&{name};")
    return {fold(form) for form in forms if form}


class PasswordSearch:
    """Runs of `window` consecutive password characters, in any readable form, in a text.

    password: the secret (at least `window` characters long is not required: window is
    min(window, len(password))). spans(text) -> list of (start, end) character offsets,
    merged, in order; found(text) -> bool.
    """

    def __init__(self, password: str, window: int):
        self.window = min(window, len(password))
        self.size = len(password)
        self.full = (1 << self.size) - 1
        masks: dict[str, int] = {}  # forms come from the character as typed ("G" is 47)
        for index, char in enumerate(password):
            masks[char] = masks.get(char, 0) | (1 << index)
        self.trie: dict = {}
        self.longest = 1
        self.starts: re.Pattern | None = None
        for char, mask in masks.items():
            for form in char_forms(char):
                node = self.trie
                for letter in form:
                    node = node.setdefault(letter, {})
                node[_TERMINAL] = node.get(_TERMINAL, 0) | mask
                self.longest = max(self.longest, len(form))
        # where a form may start: one character class, scanned by the regex engine in C
        # (a class of single characters cannot backtrack)
        first = "".join(sorted(self.trie))
        self.starts = re.compile(f"[{re.escape(first)}]") if first else None

    def _edges(self, text: str) -> tuple[list, list] | None:
        """Per position: [(end, bit set)] of forms starting there, and [end] of line breaks;
        None when more than MAX_EDGES forms start in text."""
        n = len(text)
        count = 0
        chars: list = [None] * (n + 1)
        breaks: list = [None] * (n + 1)
        trie = self.trie
        for hit in self.starts.finditer(text) if self.starts else ():
            start = hit.start()
            node = trie[text[start]]
            found = []
            position = start
            while True:
                position += 1
                mask = node.get(_TERMINAL)
                if mask:
                    found.append((position, mask))
                if position >= n:
                    break
                node = node.get(text[position])
                if node is None:
                    break
            if found:
                chars[start] = found
                count += len(found)
                if count > MAX_EDGES:
                    return None
        for newline in _find_all(text, "\n"):
            ends = _break_ends(text, newline + 1)
            start = newline - 1 if newline and text[newline - 1] == "\r" else newline
            while True:
                breaks[start] = ends
                if start == 0 or text[start - 1] not in " \t":
                    break
                start -= 1
        return chars, breaks

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Merged (start, end) offsets of every run of window password characters."""
        if not text or not self.size:
            return []
        text = fold(text)
        edges = self._edges(text)
        if edges is None:
            return [(0, len(text))]  # too many places to look at: all of it is hidden
        chars, breaks = edges
        n, window = len(text), self.window
        zeros = [0] * (window - 1)
        forward: list = [None] * (n + 1)  # forward[p][k]: runs of > k characters ending at p
        last = window - 1
        complete = False
        for p in range(n + 1):
            before = forward[p]
            if before is not None and breaks[p]:
                for q in breaks[p]:
                    forward[q] = _merge(forward[q], before)
            for q, mask in chars[p] or ():
                if before is None:
                    new = [mask, *zeros]
                else:
                    new = [mask] + [(before[k - 1] << 1) & mask for k in range(1, window)]
                complete = complete or bool(new[last])
                forward[q] = _merge(forward[q], new)
        if not complete:
            return []
        backward: list = [None] * (n + 1)  # backward[p][k]: runs of > k characters from p
        for p in range(n, -1, -1):
            for q in breaks[p] or ():
                if backward[q] is not None:
                    backward[p] = _merge(backward[p], backward[q])
            for q, mask in chars[p] or ():
                after = backward[q]
                if after is None:
                    new = [mask, *zeros]
                else:
                    new = [mask] + [(after[k - 1] >> 1) & mask for k in range(1, window)]
                backward[p] = _merge(backward[p], new)
        marked: list[tuple[int, int]] = []
        full = self.full
        for p in range(n):
            for q, mask in chars[p] or ():
                if self._on_run(forward[p], backward[q], mask, full):
                    marked.append((p, q))
        return _join(marked, breaks)

    def _on_run(self, before, after, mask: int, full: int) -> bool:
        """Whether an edge (bit set mask) lies on a run of window characters."""
        window = self.window
        if window > 1 and (  # the common cases first: a whole run ends or starts here
            (before and (before[window - 2] << 1) & mask)
            or (after and (after[window - 2] >> 1) & mask)
        ):
            return True
        for a in range(window):  # a characters before the edge, window - 1 - a after it
            b = window - 1 - a
            left = mask if a == 0 else ((before[a - 1] << 1) & mask if before else 0)
            if not left:
                return False  # runs of a characters before are rarer for larger a
            right = full if b == 0 else ((after[b - 1] >> 1) if after else 0)
            if left & right:
                return True
        return False

    def found(self, text: str) -> bool:
        """Whether text holds a run of window password characters."""
        return bool(self.spans(text))


def _merge(old: list | None, new: list) -> list:
    if old is None:
        return new
    return [x | y for x, y in zip(old, new, strict=True)]


def _find_all(text: str, needle: str):
    index = text.find(needle)
    while index != -1:
        yield index
        index = text.find(needle, index + 1)


def _break_ends(text: str, position: int) -> tuple[int, ...]:
    """Where a line break ends: after the newline, the next line's reply code and its
    status code when there are (a continuation line carries them, RFC 5321 §4.2.1)."""
    code = text[position : position + 4]
    if len(code) == 4 and code[0] in "2345" and code[1:3].isdigit() and code[3] in " -":
        position += 4
    return (_status_end(text, position) or position,)


def _status_end(text: str, position: int) -> int | None:
    """End of an RFC 3463 enhanced status code ("5.7.8" and blanks) at position, or None."""
    if position >= len(text) or text[position] not in "245":
        return None
    position += 1
    for _ in range(2):
        if position >= len(text) or text[position] != ".":
            return None
        digits = 0
        position += 1
        while position < len(text) and text[position].isdigit() and digits < 3:
            position += 1
            digits += 1
        if not digits:
            return None
    blanks = position
    while blanks < len(text) and text[blanks] in " \t":
        blanks += 1
    return blanks if blanks > position else None


def _join(marked: list[tuple[int, int]], breaks: list) -> list[tuple[int, int]]:
    """Merge overlapping edges, and edges separated only by one line break."""
    spans: list[list[int]] = []
    for start, end in sorted(marked):
        if spans:
            last = spans[-1]
            if start <= last[1] or start in (breaks[last[1]] or ()):
                last[1] = max(last[1], end)
                continue
        spans.append([start, end])
    return [(start, end) for start, end in spans]

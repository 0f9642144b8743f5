"""Pinyin search keys: typing `hlcs` or `hualian` finds 华联超市."""

from itertools import product

from pypinyin import Style, pinyin

MAX_VARIANTS = 8  # polyphones multiply readings; keep the first few combinations


def _readings(text: str, style: Style) -> list[str]:
    syllables = pinyin(text, style=style, heteronym=True, errors=lambda s: list(s.lower()))
    combos = product(*[choices[:2] for choices in syllables])
    variants = []
    for combo in combos:
        joined = "".join(combo).lower()
        if joined not in variants:
            variants.append(joined)
        if len(variants) >= MAX_VARIANTS:
            break
    return variants


def search_keys(*texts: str) -> str:
    """Space-led words: initials and full pinyin of each text (every polyphone reading,
    up to MAX_VARIANTS), so a prefix search is `contains(' ' + query)`."""
    words: list[str] = []
    for text in texts:
        # Letters and digits only: brackets and dots in shop names (苏果便利（汉中路店）)
        # must not break a prefix typed without them.
        compact = "".join(ch for ch in text if ch.isalnum())
        if not compact:
            continue
        for word in (*_readings(compact, Style.FIRST_LETTER),
                     *_readings(compact, Style.NORMAL), compact.lower()):
            if word not in words:
                words.append(word)
    return "".join(f" {word}" for word in words)


def normalise_query(query: str) -> str:
    return "".join(query.split()).lower()

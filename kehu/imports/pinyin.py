"""`kehu.pinyin.search_keys` for many names at once, with the same result.

`search_keys` asks pypinyin twice per name (initials, full pinyin) and pypinyin
converts every syllable's style each time: about 200 µs a name, 20 s for 100,000
rows. Here the same steps run with memoised pieces: the name is segmented once (as
`pypinyin.pinyin` does) and each word's readings per style are cached, so a name
costs about 15 µs. tests/kehu/test_imports_pinyin.py checks the two agree.
"""

import logging
import re
from functools import lru_cache
from itertools import product

from pypinyin import Style
from pypinyin.constants import PHRASES_DICT, RE_HANS
from pypinyin.converter import UltimateConverter
from pypinyin.seg import mmseg

from kehu import pinyin as reference
from kehu.pinyin import MAX_VARIANTS

logger = logging.getLogger(__name__)
SAMPLES = ("华联超市", "重庆百货", "乐购 Tesco", "7-11便利店", "长沙长长", "苏果便利（汉中路店）",
           "银行·ATM", "〇〇商店", "İstanbul店", "")

# What `pypinyin.pinyin(...)` builds on every call (v_to_u and neutral_tone_with_five off).
_converter = UltimateConverter(v_to_u=False, neutral_tone_with_five=False)
# pypinyin's simple_seg splits text into maximal runs of Han / non-Han characters (as
# RE_HANS defines Han); the same split as one regular expression.
_HAN = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")
NOT_ALNUM = re.compile(r"[\W_]+")
_RUNS = re.compile(f"{_HAN}+|(?:(?!{_HAN}).)+", re.DOTALL)
_RUN_KINDS = re.compile(f"({_HAN}+)|((?:(?!{_HAN}).)+)", re.DOTALL)  # (Han, other) pairs


@lru_cache(maxsize=100_000)
def _cut(run: str) -> tuple[str, ...]:
    return tuple(mmseg.seg.cut(run)) if PHRASES_DICT else (run,)


def _segments(text: str) -> list[str]:
    """`pypinyin.seg.simpleseg.seg(text)`: Han runs cut into words, other runs whole."""
    words: list[str] = []
    for run in _RUNS.findall(text):
        if RE_HANS.match(run):
            words.extend(_cut(run))
        else:
            words.append(run)
    return words


def _lower_chars(chars: str) -> list[str]:  # kehu.pinyin's `errors` callback
    return list(chars.lower())


@lru_cache(maxsize=200_000)
def _word_readings(word: str, style: Style) -> tuple[tuple[str, ...], ...]:
    if not RE_HANS.match(word):
        # What the converter does with characters that have no pinyin: kehu.pinyin's
        # `errors` callback's list, one syllable per character.
        return tuple((char,) for char in word.lower())
    syllables = _converter.convert(word, style, True, _lower_chars, strict=True)
    return tuple(tuple(choices[:2]) for choices in syllables)


@lru_cache(maxsize=200_000)
def _word_pieces(word: str, style: Style) -> tuple[tuple[str, ...], ...]:
    """The word's syllable choices with runs of one-reading syllables joined: a product
    over them yields the same strings in the same order, over far fewer positions."""
    pieces: list[tuple[str, ...]] = []
    fixed = ""
    for choices in _word_readings(word, style):
        if len(choices) == 1:
            fixed += choices[0]
            continue
        if fixed:
            pieces.append((fixed,))
            fixed = ""
        pieces.append(choices)
    if fixed:
        pieces.append((fixed,))
    return tuple(pieces)


def _readings(words: list[str], style: Style) -> list[str]:
    pieces: list[tuple[str, ...]] = []
    fixed = ""
    for word in words:
        if not RE_HANS.match(word):
            # No pinyin: one syllable per character, itself lowercased (see above).
            fixed += word.lower()
            continue
        for piece in _word_pieces(word, style):
            if len(piece) == 1:
                fixed += piece[0]
                continue
            if fixed:
                pieces.append((fixed,))
                fixed = ""
            pieces.append(piece)
    if not pieces:
        return [fixed.lower()]
    if fixed:
        pieces.append((fixed,))
    variants: list[str] = []
    for combo in product(*pieces):
        joined = "".join(combo).lower()
        if joined not in variants:
            variants.append(joined)
        if len(variants) >= MAX_VARIANTS:
            break
    return variants


# Stand-ins for a name's non-Han runs (private-use characters outside pypinyin's Han
# ranges: no pinyin, unchanged by lower(), and never in a name's compact form, which
# keeps only letters and digits).
_STAND_INS = tuple(chr(0xE000 + i) for i in range(64))


def _keys(initials: list[str], full: list[str], compact: str) -> str:
    keys: list[str] = []
    for key in (*initials, *full, compact.lower()):
        if key not in keys:
            keys.append(key)
    return "".join(f" {key}" for key in keys)


@lru_cache(maxsize=100_000)
def _template_keys(template: tuple) -> str:
    """The search keys of a name whose non-Han runs are stand-ins (the run's index):
    names that differ only in digits or Latin text (门牌号, branch numbers) share them."""
    words: list[str] = []
    compact = ""
    for run in template:
        if isinstance(run, int):
            words.append(_STAND_INS[run])
            compact += _STAND_INS[run]
        else:
            words.extend(_cut(run))
            compact += run
    return _keys(_readings(words, Style.FIRST_LETTER), _readings(words, Style.NORMAL), compact)


def _search_keys(name: str) -> str:
    compact = NOT_ALNUM.sub("", name)  # keeps what ch.isalnum() keeps
    if not compact:
        return ""
    template: list = []
    fills: list[str] = []
    for han, other in _RUN_KINDS.findall(compact):
        if han:
            template.append(han)
        else:
            template.append(len(fills))
            fills.append(other.lower())
    if len(fills) <= len(_STAND_INS):
        keys = _template_keys(tuple(template))
        for index, fill in enumerate(fills):
            keys = keys.replace(_STAND_INS[index], fill)
        # Filling in is exact unless two keys become equal (then the order and the cut
        # at MAX_VARIANTS could differ from computing the name's own readings).
        if not fills or len(set(words := keys.split())) == len(words):
            return keys
    words = _segments(compact)
    return _keys(_readings(words, Style.FIRST_LETTER), _readings(words, Style.NORMAL), compact)


def name_key(keys: str, name: str) -> str:
    """`kehu.services._name_key` from already computed search keys."""
    words = keys.split()
    return words[1] if len(words) > 1 else name


@lru_cache(maxsize=1)
def _agrees() -> bool:
    """Whether this copy still matches kehu.pinyin (which may change); if not, the slow
    original is used and a warning logged."""
    same = all(_search_keys(name) == reference.search_keys(name) for name in SAMPLES)
    if not same:
        logger.warning("kehu.imports.pinyin differs from kehu.pinyin.search_keys; "
                       "using the original (slower) for imports")
    return same


def search_keys_fast(name: str) -> str:
    """Exactly `kehu.pinyin.search_keys(name)`."""
    return _search_keys(name) if _agrees() else reference.search_keys(name)

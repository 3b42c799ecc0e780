"""Text normalisation for searching and comparing, in Arabic and English.

Arabic: diacritics and tatweel removed; alef forms (أ إ آ ٱ) → ا; ؤ → و; ئ → ي; ة → ه;
ى → ي; Arabic-Indic digits → ASCII; the definite article and the clitics و ب ل ف ك in
front of it stripped; stop words dropped. English: lower case, punctuation dropped, stop
words dropped, a light suffix stemmer. Tokens of both languages that name the same
activity map to one concept of the bilingual vocabulary (``vocabulary.py``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_AR_TRANSLATE = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ة": "ه", "ى": "ي", "ء": "",
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
        "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
        "،": " ", "؛": " ", "؟": " ", "«": " ", "»": " ",
    }
)
_TOKEN = re.compile(r"[0-9a-z\u0621-\u064a]+")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")

AR_STOP = frozenset(
    """في من الى الي على علي عن مع او و ثم ان الذي التي الذين هذا هذه ذلك تلك لل ل ب ك ف قد كل بين حول عبر
    خلال ضمن لدي لدى نحو عند منذ حتى غير دون ما لا لم لن مشروع برنامج""".split()
)
EN_STOP = frozenset(
    """a an the of in on at for to from by with and or into onto within across via per its their this that these
    those is are be been was were as all other project programme program phase""".split()
)
# The article and the clitics written before it: ال، وال، بال، كال، فال، لل
_AR_ARTICLE = re.compile(r"^(?:[وف]?[بكل]?ال|[وف]?لل)(?=..)")


def normalise_arabic(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _AR_DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_AR_TRANSLATE)


@lru_cache(maxsize=200_000)
def arabic_stem(token: str) -> str:
    """Strip the article (and a clitic in front of it); keep the word when that would leave too little."""
    if len(token) > 4:
        stripped = _AR_ARTICLE.sub("", token)
        if len(stripped) >= 2:
            token = stripped
    return token


_EN_SUFFIXES = (
    ("ational", "ate"), ("ization", "ize"), ("isation", "ize"), ("ations", "ate"), ("ation", "ate"),
    ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""), ("ies", "y"), ("ied", "y"),
    ("ness", ""), ("ers", ""), ("er", ""), ("ed", ""), ("es", ""), ("s", ""),
)


@lru_cache(maxsize=200_000)
def english_stem(token: str) -> str:
    """A light suffix stemmer: enough to join rehabilitation/rehabilitate, schools/school."""
    if len(token) <= 4 or token.endswith("ss"):
        return token
    for suffix, replacement in _EN_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)] + replacement
    return token


def tokens(text: str) -> list[str]:
    """Normalised, stemmed tokens without stop words, of a text in Arabic, English or both."""
    if not text:
        return []
    text = normalise_arabic(text).lower()
    out = []
    for tok in _TOKEN.findall(text):
        if _ARABIC_LETTER.match(tok):
            if tok in AR_STOP:
                continue
            tok = arabic_stem(tok)
            if tok in AR_STOP:
                continue
        else:
            if tok in EN_STOP or (len(tok) == 1 and not tok.isdigit()):
                continue
            tok = english_stem(tok)
        out.append(tok)
    return out


def normalise_for_search(text: str) -> str:
    """One string for search indexes and equality checks: normalised tokens joined by spaces."""
    return " ".join(tokens(text))

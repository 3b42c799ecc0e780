"""Text normalisation for searching and comparing, in Arabic and English.

Arabic: diacritics and tatweel removed; alef forms (أ إ آ ٱ) → ا; ؤ → و; ئ → ي; ة → ه;
ى → ي; Arabic-Indic digits → ASCII; the definite article and the clitics و ب ل ف ك in
front of it stripped; stop words dropped. English: lower case, accents and apostrophes
dropped, punctuation dropped, stop words dropped, a light suffix stemmer (plural, -ing,
-ed, -ation, -ment, final e). Tokens of both languages that name the same activity map to
one concept of the bilingual vocabulary (``vocabulary.py``).

``words`` keeps what the duplicate engine needs beyond the bare tokens: the position,
whether an English word was capitalised, whether an Arabic word carried the article, and
the stop words themselves (flagged), so that place names and proper names can be told from
ordinary words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_AR_TRANSLATE = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ة": "ه", "ى": "ي", "ء": "",
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
        "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
        "،": " ", "؛": " ", "؟": " ", "«": " ", "»": " ", "ک": "ك", "ی": "ي", "ۀ": "ه",
    }
)
_WORD = re.compile(r"[0-9A-Za-z\u0621-\u064a]+")
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])['’‘`](?=[A-Za-z])")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")

AR_STOP = frozenset(
    """في من الى الي على علي عن مع او و ثم ان الذي التي الذين هذا هذه ذلك تلك لل ل ب ك ف قد كل بين حول عبر
    خلال ضمن لدي لدى نحو عند منذ حتى غير دون ما لا لم لن مشروع برنامج رقم بما فيها فيه منها به بها لها له""".split()
)
EN_STOP = frozenset(
    """a an the of in on at for to from by with and or into onto within across via per its their this that these
    those is are be been was were as all other project programme program al el no nr number""".split()
)
# The article and the clitics written before it: ال، وال، بال، كال، فال، لل
_AR_ARTICLE = re.compile(r"^(?:[وف]?[بكل]?ال|[وف]?لل)(?=..)")


_ACCENTED = re.compile("[\u00c0-\u024f]")
_GAP = str.maketrans({ch: None for ch in " \t\n\r\u00a0-'’"})


def _fold_latin(text: str) -> str:
    """Accents off Latin letters (é → e); Arabic letters are left to ``normalise_arabic``."""
    if text.isascii() or not _ACCENTED.search(text):
        return text
    return _ACCENTED.sub(
        lambda m: "".join(c for c in unicodedata.normalize("NFKD", m.group()) if not unicodedata.combining(c)), text)


def normalise_arabic(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _AR_DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_AR_TRANSLATE)


@lru_cache(maxsize=200_000)
def arabic_stem(token: str) -> str:
    """Strip the article (and a clitic in front of it); keep the word when that would leave too little."""
    if len(token) >= 4:
        stripped = _AR_ARTICLE.sub("", token)
        if len(stripped) >= 2:
            token = stripped
    return token


_EN_DERIVATIONS = (
    ("isations", "ize"), ("izations", "ize"), ("isation", "ize"), ("ization", "ize"),
    ("ational", "ate"), ("ations", "ate"), ("ation", "ate"),
)
_EN_ENDINGS = ("ments", "ment", "ings", "ing", "ness", "ied", "ed")


@lru_cache(maxsize=200_000)
def english_stem(token: str) -> str:
    """A light suffix stemmer: enough to join rehabilitation/rehabilitate/rehabilitating,
    schools/school, services/service, damaged/damage."""
    if len(token) <= 3 or token.isdigit():
        return token
    for suffix, replacement in _EN_DERIVATIONS:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)] + replacement
            break
    else:
        if token.endswith("ies") and len(token) > 4:
            token = token[:-3] + "y"
        elif token.endswith(("sses", "shes", "ches", "xes", "zes")):
            token = token[:-2]
        elif token.endswith("s") and not token.endswith(("ss", "us", "is")) and len(token) > 3:
            token = token[:-1]
        for suffix in _EN_ENDINGS:
            if token.endswith(suffix) and len(token) - len(suffix) >= 4:
                token = token[: -len(suffix)] + ("y" if suffix == "ied" else "")
                break
    if token.endswith("e") and len(token) > 4:
        token = token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Normalised, stemmed tokens without stop words, of a text in Arabic, English or both."""
    return [w.key for w in words(text) if not w.stop]


def normalise_for_search(text: str) -> str:
    """One string for search indexes and equality checks: normalised tokens joined by spaces."""
    return " ".join(tokens(text))


def search_fold(text: str) -> str:
    """``text`` folded for substring search, its punctuation and spacing kept: accents off Latin letters, the
    Arabic letters and digits that ``normalise_arabic`` folds together, diacritics and tatweel dropped,
    apostrophes inside words dropped, lower case. A search word's normalised form (``words``) is a substring
    of the folded text exactly when the title search's letter-class pattern matches the original."""
    return _APOSTROPHE.sub("", normalise_arabic(_fold_latin(text or ""))).lower()


class Word(NamedTuple):
    """One word of a text, normalised. ``key`` is the stem used for look-ups (Arabic without its
    article, English stemmed); ``text`` the normalised word before stemming."""

    text: str
    key: str
    arabic: bool
    capital: bool  # English word written with a capital (not an acronym)
    article: bool  # Arabic word written with the article (or a clitic and the article)
    stop: bool
    after: str = ""  # the punctuation between the previous word and this one (":", ",", "(" ...)


@lru_cache(maxsize=200_000)
def _word(tok: str) -> Word:
    if _ARABIC_LETTER.match(tok):
        key = arabic_stem(tok)
        return Word(tok, key, True, False, key != tok, tok in AR_STOP or key in AR_STOP)
    low = tok.lower()
    stop = low in EN_STOP or (len(low) == 1 and not low.isdigit())
    # A capital says "name" ("Al-Nour", "Coastal road"); an acronym (ERW, IDPs) does not.
    capital = tok[:1].isupper() and (len(tok) == 1 or tok[1:] == tok[1:].lower())
    return Word(low, low if stop else english_stem(low), False, capital, False, stop)


@lru_cache(maxsize=50_000)
def _words(text: str) -> tuple[Word, ...]:
    text = normalise_arabic(_fold_latin(text))
    text = _APOSTROPHE.sub("", text)
    out = []
    end = 0
    for match in _WORD.finditer(text):
        start = match.start()
        w = _word(match.group())
        if start > end + 1:
            after = text[end:start].translate(_GAP)
            if after:
                w = Word(w.text, w.key, w.arabic, w.capital, w.article, w.stop, after)
        end = match.end()
        out.append(w)
    return tuple(out)


def words(text: str) -> tuple[Word, ...]:
    """The words of a text in order, stop words included (flagged)."""
    if not text:
        return ()
    return _words(text)


# Cross-script consonant skeletons: names transliterated in one record and written in
# Arabic in the other ("Al-Ghaba" / "الغابة") reduce to the same key ("gb").
_AR_SKELETON = str.maketrans(
    {
        "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
        "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "d", "ع": "", "غ": "g", "ف": "f", "ق": "k",
        "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "", "ي": "", "ا": "", "ى": "", "ة": "", "ء": "",
    }
)
_EN_DIGRAPHS = (("sh", "s"), ("th", "t"), ("kh", "k"), ("gh", "g"), ("dh", "d"), ("ch", "s"), ("ph", "f"),
                ("ou", "u"), ("ee", "i"))
_EN_SKELETON = str.maketrans({"q": "k", "c": "k", "x": "ks", "v": "f", "p": "b", "a": "", "e": "", "i": "", "o": "",
                              "u": "", "y": "", "w": ""})
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """A consonant key shared by a name's Arabic spelling and its Latin transliteration."""
    if token.isdigit():
        return token
    # A final h is dropped in both scripts: mostly a vowel (ة read as ه; "Fatimah"), and where it
    # is a consonant (صلاح, "Salah") transliterations drop it as often as they keep it.
    # An initial w / و is a consonant (Wahda, الوحدة); elsewhere it is mostly a vowel (Zaytoun).
    if _ARABIC_LETTER.match(token):
        head = "w" if token.startswith("و") else ""
        key = head + token.rstrip("هح").translate(_AR_SKELETON)
    else:
        head = "w" if token.startswith("w") else ""
        key = token.rstrip("h")
        for digraph, repl in _EN_DIGRAPHS:
            key = key.replace(digraph, repl)
        key = head + key.translate(_EN_SKELETON)
    return _DOUBLE.sub(r"\1", key)


def raw_tokens(text: str, keep: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, str]]:
    """(unstemmed, stemmed) normalised tokens without stop words (but those in ``keep``).

    For Arabic the stem is the word without its article, so ``raw != stem`` says it had one."""
    out = []
    for w in words(text):
        if w.stop and w.text not in keep:
            continue
        out.append((w.text, w.text if w.text in keep else w.key))
    return out

"""Reading a title: its words, the vocabulary's concepts they name, proper names as cross-script
consonant keys, numbers, years, phases and the subject of a subtitle (``title_read`` into a
``TitleReading``). The record's municipality names are taken out first (``_strip_places``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from common.text import Word, arabic_stem, skeleton, words
from coordination.analysis.vocabulary import resolve_arabic, vocabulary

# --- features ---------------------------------------------------------------------------

KIND_WEIGHTS = {"thing": 2.0, "landmark": 2.0, "topic": 2.5, "field": 1.5, "action": 1.0, "head": 1.0,
                "group": 1.0, "general": 0.5, "place": 0.3}
WORD_WEIGHT = 1.0  # an ordinary word the vocabulary does not know
# Kinds that say *what* is done: two records that each name one the other lacks do different things.
CONTENT_KINDS = frozenset({"thing", "head", "landmark", "topic", "field"})
IDENTITY_KINDS = frozenset({"landmark", "name"})
# An Arabic word of these kinds written with the article may be a name ("مكب نفايات السلام": the
# Al-Salam landfill) as well as a word ("بناء السلام": peacebuilding).
WEAK_NAME_KINDS = frozenset({"thing", "head", "field", "topic", "action"})

_AR_MARKERS = frozenset({"حي", "بحي", "لحي", "وحي", "فحي"})
_EN_MARKERS = frozenset({"al", "el", "hai"})
_JOINERS = {"ibn": "bn", "bin": "bn", "ben": "bn", "ابن": "bn", "بن": "bn", "abu": "b", "abou": "b", "ابو": "b",
            "بو": "b"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_SUBJECT_MARKERS = frozenset({"مجال", "بمجال", "مجالات", "بمجالات"})
_AR_PROCLITICS = frozenset("وبلفك")
# An action on works that, done to people (the word after it names a group), is another action.
_PEOPLE_ACTIONS = {"rehabilitation": "training"}
# Things named after another thing written before them ("Hospital road", "Gardens road").
_NAMED_AFTER_THINGS = frozenset({"road", "street", "bridge"})


def _lookup_key(w: Word) -> str:
    """The key a word is looked up by: its stem, or for Arabic the light-stemmed form the vocabulary
    knows (a proclitic و ب ل ف ك off, a feminine, plural or pronoun ending off)."""
    return resolve_arabic(w.key) if w.arabic else w.key


def _kind_of(look: str) -> str | None:
    """The kind of the (first) concept a single word names, if any."""
    voc = vocabulary()
    concepts = voc.phrases.get((look,))
    return voc.kind[concepts[0]] if concepts else None


def _name_key(w: Word) -> str:
    return skeleton(w.key if w.arabic else w.text)


@dataclass(slots=True)
class _Tok:
    w: Word
    look: str  # look-up key
    marked: bool  # after "حي" / "Al-": a name
    first: bool  # the first word of its title
    subject: bool = False  # after the title's last colon ("... training: public procurement")


def _stream(title: str) -> list[_Tok]:
    """A title's words without stop words, each knowing whether a name marker stood before it."""
    out: list[_Tok] = []
    marked = False
    for w in words(title):
        if (w.arabic and w.text in _AR_MARKERS) or (not w.arabic and w.text in _EN_MARKERS):
            marked = True
            continue
        roman_after_phase = w.text in _ROMAN and bool(out) and _kind_of(out[-1].look) == "phase"
        if w.stop and not roman_after_phase:
            continue
        out.append(_Tok(w, _lookup_key(w), marked, not out))
        marked = False
    # The subject: what follows the last colon ("...: public procurement") or "في مجال" ("in the
    # field of"), to the end of the title.
    starts = [i for i, t in enumerate(out) if ":" in t.w.after and i > 0]
    starts += [i + 1 for i, t in enumerate(out) if t.w.text in _SUBJECT_MARKERS and i + 1 < len(out)]
    if starts:
        for t in out[max(starts):]:
            t.subject = True
    return out


def place_name_phrases(name: str) -> tuple[str, ...]:
    return tuple(_match_key(t) for t in _stream(name))


def _match_key(t: _Tok) -> str:
    return t.w.key if t.w.arabic else t.w.text


def _strip_places(toks: list[_Tok], phrases: dict[str, tuple[tuple[str, ...], ...]]) -> list[_Tok]:
    """Take the record's municipality names out of a title, as whole phrases (``phrases``: by their
    first word). A name that comes twice ("حي السواني في السواني") is kept the first time: there
    it names the neighbourhood."""
    if not toks or not phrases:
        return toks
    keys = [_match_key(t) for t in toks]
    found: dict[tuple[str, ...], list[int]] = {}
    for i, head in enumerate(keys):
        candidates = phrases.get(head)
        if candidates is None and toks[i].w.arabic and head[:1] in _AR_PROCLITICS:
            candidates = phrases.get(arabic_stem(head[1:]))  # "وقمينس": and Gemienis
        if candidates:
            for phrase in candidates:
                n = len(phrase)
                if tuple(keys[i + 1:i + n]) == phrase[1:]:
                    found.setdefault(phrase, []).append(i)
    drop: set[int] = set()
    for phrase, starts in found.items():
        for i in starts[1:] if len(starts) > 1 else starts:
            drop.update(range(i, i + len(phrase)))
    # A Latin spelling the names do not list ("Alkufra", "Arrajban", "Abusliem" for Al-Kufra, Al-Rajban,
    # Abu Salim): the same consonants as one of the names, the article fused or not. Not a word written
    # as a name after "Al-" (the neighbourhood Al-Zuhur of Al-Zahra), nor a word the vocabulary knows.
    skeletons = _place_skeletons(phrases)
    known = vocabulary().known
    for i, t in enumerate(toks):
        if i in drop or t.w.arabic or t.marked or t.look in known:
            continue
        if _skeleton_is_place(skeleton(t.w.text), skeletons):
            drop.add(i)
        elif i + 1 < len(toks) and i + 1 not in drop and not toks[i + 1].w.arabic and _skeleton_is_place(
                skeleton(t.w.text + toks[i + 1].w.text), skeletons):
            drop.update((i, i + 1))
    if not drop:
        return toks
    return [t for i, t in enumerate(toks) if i not in drop]


_SKELETONS: dict[int, tuple[dict, frozenset[str]]] = {}


def _place_skeletons(phrases: dict[str, tuple[tuple[str, ...], ...]]) -> frozenset[str]:
    """The consonant keys of the Latin names among ``phrases`` (each name's words joined), cached by
    the phrases dict (the index keeps one per set of municipalities)."""
    cached = _SKELETONS.get(id(phrases))
    if cached is not None and cached[0] is phrases:
        return cached[1]
    keys = set()
    for candidates in phrases.values():
        for phrase in candidates:
            if phrase and not any("\u0600" <= ch <= "\u06ff" for ch in phrase[0]):
                key = skeleton("".join(phrase))
                if len(key) >= 3:
                    keys.add(key)
    if len(_SKELETONS) > 50_000:
        _SKELETONS.clear()
    out = frozenset(keys)
    _SKELETONS[id(phrases)] = (phrases, out)
    return out


def _skeleton_is_place(key: str, skeletons: frozenset[str]) -> bool:
    if len(key) < 3 or not skeletons:
        return False
    return key in skeletons or (key[0] == "l" and key[1:] in skeletons)


def _title_case(toks: list[_Tok]) -> bool:
    """An English title With Every Word Capitalised: capitals then say nothing about names."""
    latin = capitals = 0
    for t in toks[1:]:
        if not t.w.arabic:
            latin += 1
            capitals += t.w.capital
    return latin >= 3 and capitals >= 0.7 * latin


@dataclass(slots=True)
class TitleReading:
    concepts: dict[str, float] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    items: list[set[str]] = field(default_factory=list)  # names: each a set of keys that may answer it
    weak: list[set[str]] = field(default_factory=list)  # Arabic words with the article that may be names
    weak_concepts: list[set[str]] = field(default_factory=list)  # ... and the concepts each names
    worded: set[str] = field(default_factory=set)  # concepts named by a word that cannot be a name
    subject: set[str] = field(default_factory=set)  # what a subtitle after a colon is about
    soft: set[str] = field(default_factory=set)  # keys that may answer another record's name
    numbers: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    labels: dict[frozenset[str], str] = field(default_factory=dict)  # a name's keys → how the title writes it
    phase: int | None = None
    phase_word: bool = False

    def name(self, keys: set[str], label: str) -> None:
        """A name: the keys that may answer it, and how the title writes it."""
        self.items.append(keys)
        self.labels.setdefault(frozenset(keys), label)


def title_read(title: str, phrases: dict[str, tuple[tuple[str, ...], ...]], out: TitleReading) -> None:
    voc = vocabulary()
    toks = _strip_places(_stream(title), phrases)
    title_case = _title_case(toks)
    seen: set[str] = set()  # the words this title has used as words so far
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        w = t.w
        if w.text.isdigit():
            if len(w.text) == 4 and "1990" <= w.text <= "2049":
                out.years.add(w.text)  # "2024 winter response": only another year says another project
            else:
                out.numbers.add(w.text.lstrip("0") or "0")
            i += 1
            continue
        if w.text in _JOINERS and i + 1 < n:
            # "Ibn Rushd" is one name, not "Ibn" and "Rushd" (which would answer "Al-Rashid").
            nxt = toks[i + 1]
            out.name({"k:" + _JOINERS[w.text] + _name_key(nxt.w)}, f"{w.text} {nxt.w.text}")
            i += 2
            continue
        if t.marked:
            # What follows "حي" or "Al-" is a name, even when it is also a word ("الجديدة", "the new").
            key = _name_key(w)
            if key:
                out.name({"k:" + key}, w.text)
            i += 1
            continue
        length, concepts = 0, ()
        for size in range(min(voc.starts.get(t.look, 0), n - i), 0, -1):
            concepts = voc.phrases.get(tuple(x.look for x in toks[i:i + size]), ())
            if concepts:
                length = size
                break
        if not concepts:
            _unknown(toks, i, title_case, out)
            i += 1
            continue
        if length == 1 and i + 1 < n and set(concepts) & _PEOPLE_ACTIONS.keys() and _names_people(toks, i + 1):
            # "تأهيل الشباب مهنيا": rehabilitating people is qualifying them, a training.
            concepts = tuple(dict.fromkeys(_PEOPLE_ACTIONS.get(c, c) for c in concepts))
        kinds, kindset, weak_keys, weights = _info(concepts)
        if "ordinal" in kinds:
            number = int(concepts[kinds.index("ordinal")])
            nxt = toks[i + length] if i + length < n else None
            if nxt is not None and _kind_of(nxt.look) == "phase":
                out.phase, out.phase_word = max(out.phase or 0, number), True  # "second phase"
                i += length + 1
            else:
                out.numbers.add(f"{number}.")  # "Second Ring road", "الدائري الثاني": not "Ring road 2"
                i += length
            continue
        if "phase" in kinds:
            out.phase_word = True
            nxt = toks[i + length] if i + length < n else None
            number = None
            if nxt is not None:
                if nxt.w.text.isdigit():
                    number = int(nxt.w.text)
                elif nxt.w.text in _ROMAN:
                    number = _ROMAN[nxt.w.text]
                elif _kind_of(nxt.look) == "ordinal":
                    number = int(voc.phrases[(nxt.look,)][0])
            if "topup" in concepts:
                number = max(number or 2, 2)
            if number is not None:
                out.phase = max(out.phase or 0, number)
                i += length + 1
            else:
                i += length
            continue
        single = length == 1
        # Is it a name here? An English word written with a capital in the middle of a title
        # ("Rehabilitation of Coastal road"), a landmark first ("Airport road ..."), a landmark
        # with the Arabic article ("طريق المطار"), a month ("17 February").
        english_capital = single and not w.arabic and w.capital and not title_case
        as_name = single and (
            "name" in kinds
            or (english_capital and (not t.first or IDENTITY_KINDS & kindset or _names_a_thing(toks, i, kindset)))
            or (w.arabic and w.article and "landmark" in kinds)
        )
        if single and w.arabic and w.text.startswith("ال") and (
                kinds == ("filler",) or (kindset <= WEAK_NAME_KINDS and t.look in seen)):
            # A filler word with the article is a name ("محطة الكهرباء الفرعية الوحدة"), and so is
            # a word the title has already used as a word ("محطة الكهرباء الفرعية المحطة").
            key = _name_key(w)
            if key:
                out.name({"k:" + key}, w.text)
            i += 1
            continue
        weak_item = False
        if as_name:
            item = {"c:" + c for c in concepts}
            key = _name_key(w)
            if key:
                item.add("k:" + key)
            out.name(item, w.text)
        elif w.arabic and w.article and w.text.startswith("ال"):
            # Only the bare article: "والأمن", "للنفايات" (and security, for waste) are not names.
            key = _name_key(w) if single else ""
            if key:
                out.soft.add("k:" + key)  # "الساحل" may answer "Al-Sahel"
            if kindset <= WEAK_NAME_KINDS:
                weak = set(weak_keys)
                if key:
                    weak.add("k:" + key)
                out.weak.append(weak)
                out.labels.setdefault(frozenset(weak), " ".join(x.w.text for x in toks[i:i + length]))
                out.weak_concepts.append(set(concepts))
                weak_item = True
        seen.add(t.look)
        if as_name and kindset <= IDENTITY_KINDS:
            i += length  # a landmark used as a name ("طريق المطار") names the road, not an airport
            continue
        for c, weight, content in weights:
            if weight > out.concepts.get(c, 0.0):
                out.concepts[c] = weight
            if not weak_item:
                out.worded.add(c)
            if content and t.subject:
                out.subject.add(c)
        i += length


_INFO: dict[tuple[str, ...], tuple] = {}


def _info(concepts: tuple[str, ...]) -> tuple:
    """(kinds, their set, the keys a weak name of these concepts answers to, (concept, weight, is
    content) of those that weigh), cached."""
    info = _INFO.get(concepts)
    if info is None:
        voc = vocabulary()
        kinds = tuple(voc.kind[c] for c in concepts)
        weak_keys = frozenset("c:" + x for c in concepts for x in (c, *voc.parents[c]))
        weights = tuple((c, KIND_WEIGHTS[k], k in CONTENT_KINDS) for c, k in zip(concepts, kinds, strict=True)
                        if KIND_WEIGHTS.get(k))
        info = _INFO[concepts] = (kinds, frozenset(kinds), weak_keys, weights)
    return info


def _names_people(toks: list[_Tok], i: int) -> bool:
    """The phrase at ``i`` names people (the youth, women), not a thing of theirs (a youth centre)."""
    voc = vocabulary()
    n = len(toks)
    for size in range(min(voc.starts.get(toks[i].look, 0), n - i), 0, -1):
        concepts = voc.phrases.get(tuple(x.look for x in toks[i:i + size]), ())
        if concepts:
            return all(voc.kind[c] == "group" for c in concepts)
    return False


def _names_a_thing(toks: list[_Tok], i: int, kinds: frozenset[str]) -> bool:
    """A thing first, before a road, a street or a bridge (one, not several), names it: "Hospital
    road", "Gardens road". Before other things, or several roads, the capital only begins the
    sentence: "Classroom furniture ...", "Lighting streets ...", "Desks and furniture ..."."""
    if not {"thing", "landmark"} & kinds or i + 1 >= len(toks):
        return False
    nxt = toks[i + 1]
    if nxt.w.arabic or nxt.w.text.endswith("s"):
        return False
    concepts = vocabulary().phrases.get((nxt.look,), ())
    return any(c in _NAMED_AFTER_THINGS or vocabulary().kind[c] == "landmark" for c in concepts)


def _unknown(toks: list[_Tok], i: int, title_case: bool, out: TitleReading) -> None:
    """A word the vocabulary does not know: a name, or an ordinary word."""
    t = toks[i]
    w = t.w
    if w.arabic:
        name = True  # Arabic titles name things the vocabulary does not know by proper names
    elif title_case or (w.capital and not t.first):
        name = True
    elif w.capital and t.first:
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        name = nxt is not None and (nxt.marked or (nxt.w.capital and not nxt.w.arabic) or nxt.w.text in _JOINERS)
    else:
        name = False
    if name:
        key = _name_key(w)
        if key:
            out.name({"k:" + key}, w.text)
    else:
        out.words.add(w.key)


def items_merge(items: list[set[str]], labels: dict[frozenset[str], str]) -> dict[frozenset[str], str]:
    """One item per name, with how the title writes it: the Arabic and English spellings of a name
    in a bilingual record share a key ("الغابه / ghaba")."""
    merged: list[tuple[set[str], list[str]]] = []
    for item in items:
        label = labels.get(frozenset(item), "")
        joined = [m for m in merged if m[0] & item]
        keys, texts = set(item), [label]
        for m in joined:
            merged.remove(m)
            keys |= m[0]
            texts = m[1] + [t for t in texts if t not in m[1]]
        merged.append((keys, texts))
    return {frozenset(keys): " / ".join(t for t in texts if t) for keys, texts in merged}

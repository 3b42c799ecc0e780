"""The duplicate engine on plain records (no database): normalisation, the vocabulary, names,
hard negatives, identifier links, incremental checks, and quality on a generated portfolio."""

from __future__ import annotations

from datetime import date

import pytest

from common.text import (
    arabic_stem,
    english_stem,
    normalise_arabic,
    normalise_for_search,
    skeleton,
    tokens,
)
from coordination.analysis.duplicates import (
    FUNDING,
    IMPLEMENTING,
    OVERLAP,
    RELATED_PHASE,
    REPORTED_TWICE,
    DuplicateIndex,
    ProjectRecord,
    Settings,
    duplicate_candidates,
    naive_all_pairs,
    score_pair,
)
from coordination.analysis.vocabulary import vocabulary
from demo.duplicate_records import engine_records, place_names
from demo.fixture_reference import fixture_reference
from demo.generator import generate_portfolio

TODAY = date(2025, 6, 30)
PLACES = {
    1: ["Misrata", "مصراتة"],
    2: ["Zliten", "زليتن"],
    3: ["Suq al-Jumua", "سوق الجمعة"],
    4: ["Hai Alandalus", "حي الأندلس"],
}
DUPLICATE_KINDS = (REPORTED_TWICE, OVERLAP)


def record(pid: int, *, ar: str = "", en: str = "", muni: int = 1, start=date(2024, 1, 1), end=date(2025, 12, 31),
           funder: int = 100, implementer: int = 200, reporter: int | None = None, sectors=(2,),
           budget: float | None = 500_000, **extra) -> ProjectRecord:
    return ProjectRecord(
        id=pid, title_ar=ar, title_en=en, reporting_partner=reporter or implementer,
        participants=((funder, FUNDING), (implementer, IMPLEMENTING)), sectors=frozenset(sectors),
        municipalities=frozenset([muni]) if muni else frozenset(), start=start, end=end, budget_usd=budget,
        **extra,
    )


def findings_of(*records: ProjectRecord, **settings) -> dict[tuple[int, int], object]:
    index = DuplicateIndex(records, place_names=PLACES, settings=Settings(**settings) if settings else None)
    found, _pairs = index.scan()
    return {(f.a, f.b): f for f in found}


def codes(finding) -> set[str]:
    return {r.code for r in finding.reasons}


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("أحمد إبراهيم آمنة ٱلسلام", "احمد ابراهيم امنه السلام"),  # hamza and madda forms of alef
    ("مدرسة", "مدرسه"),  # ta marbuta
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("مُدَرِّسَةٌ", "مدرسه"),  # diacritics
    ("مـــدرســة", "مدرسه"),  # tatweel
    ("المرحلة ٢ رقم ۳", "المرحله 2 رقم 3"),  # Arabic-Indic and Persian digits
    ("مؤسسة، شاطئ؟", "موسسه  شاطي "),  # hamza on waw and ya, Arabic punctuation
])
def test_arabic_letters_are_normalised(raw, expected):
    assert normalise_arabic(raw) == expected


def test_the_arabic_article_and_clitics_come_off_and_stop_words_go():
    assert arabic_stem("المدرسة") == "المدرسة"[2:]
    assert tokens("والمدارس بالمياه للأسر فالحي") == ["مدارس", "مياه", "اسر", "حي"]
    assert tokens("في المدرسة من أجل الأطفال على") == ["مدرسه", "اجل", "اطفال"]
    assert arabic_stem("الي") == "الي"  # too short to carry an article


def test_english_is_lower_cased_unpunctuated_stemmed_without_stop_words():
    assert tokens("The Rehabilitation, of SCHOOLS (in Misrata)!") == ["rehabilitat", "school", "misrata"]
    assert english_stem("rehabilitation") == english_stem("rehabilitating") == english_stem("rehabilitated")
    assert english_stem("services") == english_stem("service")
    assert english_stem("families") == english_stem("family")
    assert english_stem("damaged") == english_stem("damage")
    assert normalise_for_search("Women's Centres") == normalise_for_search("women centre")


def test_names_reduce_to_the_same_key_in_both_scripts():
    for latin, arabic in [("Ghaba", "غابه"), ("Zaytoun", "زيتون"), ("Wahda", "وحده"), ("Shuhada", "شهدا"),
                          ("Riyadh", "رياض"), ("Salah", "صلاح"), ("Andalus", "اندلس")]:
        assert skeleton(latin.lower()) == skeleton(arabic), (latin, arabic)
    assert skeleton("nour") != skeleton("salam")


def test_the_vocabulary_maps_both_languages_and_paraphrases_to_one_concept():
    voc = vocabulary()

    def concepts(word):
        return set(voc.phrases[tuple(tokens(word))])

    assert concepts("school") == concepts("مدرسة") == concepts("مدارس") == {"school"}
    assert concepts("borehole") == concepts("بئر") == {"well"}
    assert concepts("capacity building") == concepts("بناء القدرات") == {"training"}
    assert concepts("building") == {"construction"}  # the phrase, not the word, is training
    assert "health" in voc.parents["clinic"] and "equipment" in voc.parents["vehicle"]


# --- pairs -----------------------------------------------------------------------------------


def test_an_arabic_only_and_an_english_only_record_of_one_activity_are_found():
    a = record(1, ar="إعادة تأهيل شبكة المياه في حي الغابة، مصراتة", implementer=200)
    b = record(2, en="Water network rehabilitation – Al-Ghaba neighbourhood (Misrata)", implementer=201,
               funder=101, start=date(2024, 3, 1))
    found = findings_of(a, b)
    assert found[(1, 2)].kind == OVERLAP
    assert {"same_names", "same_municipality", "dates_overlap", "different_partners"} <= codes(found[(1, 2)])


def test_one_project_reported_by_funder_and_implementer_is_reported_twice():
    a = record(1, en="Mobile clinics for Al-Nour, Misrata", reporter=100)
    b = record(2, ar="فرق صحية متنقلة لسكان حي النور في مصراتة", reporter=200, start=date(2024, 1, 10))
    finding = findings_of(a, b)[(1, 2)]
    assert finding.kind == REPORTED_TWICE and "same_implementer" in codes(finding)


def test_a_different_activity_in_the_same_place_is_not_a_duplicate():
    network = record(1, en="Rehabilitation of the water network in Al-Salam, Misrata")
    well = record(2, en="Drilling and equipping of a water well in Al-Salam, Misrata", implementer=201, funder=101)
    sewage = record(3, ar="تطوير محطة ضخ الصرف الصحي في حي السلام، مصراتة", implementer=202, funder=102)
    assert not {k: f for k, f in findings_of(network, well, sewage).items() if f.kind in DUPLICATE_KINDS}
    low = score_pair(*[DuplicateIndex([network, well], place_names=PLACES).prepared[i] for i in (1, 2)],
                     Settings(threshold=0.0))
    assert "different_activities" in codes(low)


def test_the_same_activity_for_another_neighbourhood_or_numbered_object_is_not_a_duplicate():
    a = record(1, ar="إعادة تأهيل مكب نفايات السلام الذي يخدم مصراتة")
    b = record(2, ar="إعادة تأهيل مكب نفايات الجديدة الذي يخدم مصراتة", implementer=201, funder=101)
    c = record(3, en="Rehabilitation of the Ibn Sina No. 2 school in Misrata", implementer=202, funder=102)
    d = record(4, ar="صيانة وتأهيل مدرسة ابن سينا في مصراتة", implementer=203, funder=103)
    assert not findings_of(a, b, c, d)
    index = DuplicateIndex([a, b, c, d], place_names=PLACES)
    zero = Settings(threshold=0.0)
    assert "different_names" in codes(score_pair(index.prepared[1], index.prepared[2], zero))
    assert "different_numbers" in codes(score_pair(index.prepared[3], index.prepared[4], zero))


def test_a_year_in_one_title_only_is_no_difference_but_two_years_are():
    base = "Winterisation kits for displaced families in Al-Huda, Misrata"
    a = record(1, en=base + " 2024")
    b = record(2, en=base, implementer=201, funder=101)
    c = record(3, en=base + " 2023", implementer=202, funder=102)
    found = findings_of(a, b, c)
    assert (1, 2) in found and (2, 3) in found and (1, 3) not in found


def test_the_same_activity_in_successive_phases_is_related_not_a_duplicate():
    first = record(1, en="Solar street lighting in Al-Nasr, Misrata – Phase I", start=date(2022, 1, 1),
                   end=date(2023, 6, 30))
    second = record(2, ar="إنارة الشوارع بالطاقة الشمسية في حي النصر، مصراتة – المرحلة الثانية",
                    start=date(2023, 8, 1), end=date(2025, 6, 30))
    finding = findings_of(first, second)[(1, 2)]
    assert finding.kind == RELATED_PHASE
    assert {"different_phases", "successive_periods"} <= codes(finding)


def test_the_same_activity_in_another_municipality_is_not_a_duplicate():
    a = record(1, en="Rehabilitation of the Al-Karama landfill serving Misrata", muni=1)
    b = record(2, en="Rehabilitation of the Al-Karama landfill serving Zliten", muni=2, implementer=201)
    assert not findings_of(a, b)
    index = DuplicateIndex([a, b], place_names=PLACES)
    assert "different_municipalities" in codes(score_pair(index.prepared[1], index.prepared[2],
                                                          Settings(threshold=0.0)))


def test_municipality_names_come_out_as_phrases_not_words():
    # "Al-Souq" is a neighbourhood of Suq al-Jumua: its name must not be taken for the municipality's.
    index = DuplicateIndex([
        record(1, ar="مركز شبابي وأنشطة لبناء السلام في حي السوق، سوق الجمعة", muni=3),
        record(2, en="Youth centre and peacebuilding activities in Al-Dhahra, Suq al-Jumua", muni=3),
        record(3, ar="عيادات متنقلة لخدمة حي الأندلس، حي الأندلس", muni=4),
    ], place_names=PLACES)
    assert index.prepared[1].names == {skeleton("سوق")}
    assert index.prepared[2].names == {skeleton("dhahra")}
    assert index.prepared[3].names == {skeleton("اندلس")}  # the neighbourhood stays, the municipality goes
    assert not findings_of(*[p.rec for p in index.prepared.values()])


def test_identifier_links_decide_the_kind_whatever_the_titles_and_places():
    funder_side = record(1, en="Support to municipal services", muni=1, iati_identifier="XM-1-001")
    implementer_side = record(2, ar="مشروع لدعم البلديات", muni=2, iati_identifier="XI-2-001",
                              links=(("provider", "XM-1-001"),))
    parent = record(3, en="Stabilization facility", muni=0, iati_identifier="XM-1-100")
    child = record(4, en="Rehabilitation of a school in Zliten", muni=2, iati_identifier="XM-1-101",
                   links=(("parent", "XM-1-100"),))
    found = findings_of(funder_side, implementer_side, parent, child)
    assert found[(1, 2)].kind == REPORTED_TWICE and found[(1, 2)].score >= 0.97
    assert codes(found[(1, 2)]) >= {"linked_activity_ids"}
    assert found[(3, 4)].kind == RELATED_PHASE and "related_activity" in codes(found[(3, 4)])


def test_a_pair_scores_the_same_whatever_the_other_records():
    a = record(1, en="Rehabilitation of the Al-Nour primary health care centre in Misrata")
    b = record(2, ar="تأهيل مركز النور الصحي في مصراتة", implementer=201, funder=101)
    noise = [record(10 + i, en=f"Rehabilitation of the Al-Nour school No. {i} in Misrata") for i in range(2, 8)]
    alone = findings_of(a, b)[(1, 2)]
    crowded = findings_of(a, b, *noise)[(1, 2)]
    assert alone == crowded


# --- a generated portfolio -------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated():
    reference = fixture_reference()
    portfolio = generate_portfolio(reference, 3000, 8, TODAY)
    records = engine_records(portfolio, reference)
    ids = {p.key: n for n, p in enumerate(portfolio.projects, start=1)}
    index = DuplicateIndex(records, place_names=place_names(reference))
    findings, pairs = index.scan()
    return portfolio, records, ids, index, findings, pairs


def test_quality_on_a_generated_portfolio(generated):
    portfolio, records, ids, _index, findings, pairs = generated
    truth = {tuple(sorted(ids[k] for k in d["keys"])): d["kind"] for d in portfolio.truth["duplicates"]}
    found = {(f.a, f.b): f for f in findings if f.kind in DUPLICATE_KINDS}
    tp = len(found.keys() & truth.keys())
    precision, recall = tp / max(1, len(found)), tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.97, (precision, recall)
    assert all(found[k].kind == truth[k] for k in found.keys() & truth.keys())
    related = {tuple(sorted(ids[k] for k in d["keys"])) for d in portfolio.truth["distinct_pairs"]
               if d["kind"] == "related_phase"}
    assert {(f.a, f.b) for f in findings if f.kind == RELATED_PHASE} >= related
    assert all(f.reasons for f in findings)
    assert pairs * 50 < len(records) * (len(records) - 1) // 2  # blocks, not all pairs


def test_an_incremental_check_gives_what_the_full_scan_gives(generated):
    _portfolio, _records, _ids, index, findings, _pairs = generated
    involved = sorted({f.a for f in findings} | {f.b for f in findings})[:150] + list(range(1, 60))
    for pid in involved:
        expected = sorted(((f.a, f.b), f.score, f.kind) for f in findings if pid in (f.a, f.b))
        assert sorted(((f.a, f.b), f.score, f.kind) for f in index.check(pid)) == expected, pid


def test_stored_block_keys_find_exactly_the_candidates(generated):
    """What the database keeps (each record's member keys) and asks (the checked record's probe keys)
    must give the engine's own candidates, no fewer (a missed pair) and no more."""
    _portfolio, records, _ids, index, _findings, _pairs = generated
    members: dict[str, set[int]] = {}
    for pid in index.prepared:
        for key in index.block_keys(pid)[0]:
            members.setdefault(key, set()).add(pid)
    sample = [r.id for r in records[::7]]
    linked = [r.id for r in records if r.links or r.iati_identifier][:100]
    assert linked and any(not index.prepared[pid].strong_terms for pid in sample)  # every kind of block is tried
    for pid in sample + linked:
        found = set().union(*(members.get(key, set()) for key in index.block_keys(pid)[1])) - {pid}
        assert found == index.candidates_of(pid), pid


def test_an_added_record_is_checked_like_the_others(generated):
    _portfolio, records, _ids, _index, _findings, _pairs = generated
    sample = records[:400]
    index = DuplicateIndex(sample[:-1], place_names=place_names(fixture_reference()))
    index.add(sample[-1])
    full = DuplicateIndex(sample, place_names=place_names(fixture_reference()))
    assert sorted(map(repr, index.check(sample[-1].id))) == sorted(map(repr, full.check(sample[-1].id)))


def test_the_blocked_scan_finds_what_all_pairs_find_on_a_small_portfolio(generated):
    _portfolio, records, _ids, _index, _findings, _pairs = generated
    sample = records[:250]
    names = place_names(fixture_reference())
    blocked, _ = duplicate_candidates(sample, place_names=names)
    naive, total = naive_all_pairs(sample, place_names=names)
    assert total == 250 * 249 // 2
    assert {(f.a, f.b) for f in blocked} == {(f.a, f.b) for f in naive}

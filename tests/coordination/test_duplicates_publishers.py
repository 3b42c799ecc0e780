"""The duplicate engine on what several publishers' files show (issue 14): the reporting organisation
as evidence, broad DAC codes beside precise ones, paraphrase across languages. The phrasings here are
neither the demo generator's nor the evaluation generator's."""

from __future__ import annotations

from datetime import date

from coordination.analysis.duplicates import (
    FUNDING,
    IMPLEMENTING,
    RELATED_PHASE,
    REPORTED_TWICE,
    DuplicateIndex,
    ProjectRecord,
)

PLACES = {1: ["Misrata", "مصراتة"], 2: ["Zawiya", "الزاوية"], 3: ["Sabha", "سبها"]}
EU, UNDP, UNICEF = 100, 200, 300


def record(pid: int, *, ar: str = "", en: str = "", reporter: int, funder: int = EU, implementer: int = UNDP,
           muni: int = 1, sectors=(2,), broad=(), start=date(2024, 1, 1), end=date(2025, 12, 31),
           budget: float | None = 800_000) -> ProjectRecord:
    return ProjectRecord(
        id=pid, title_ar=ar, title_en=en, reporting_partner=reporter,
        participants=((funder, FUNDING), (implementer, IMPLEMENTING)), sectors=frozenset(sectors),
        broad_sectors=frozenset(broad), municipalities=frozenset([muni]), start=start, end=end, budget_usd=budget,
    )


def found(*records: ProjectRecord) -> dict:
    findings, _pairs = DuplicateIndex(records, place_names=PLACES).scan()
    return {(f.a, f.b): f for f in findings}


def codes(finding) -> set[str]:
    return {r.code for r in finding.reasons}


def test_funder_and_implementer_records_of_one_project_are_a_double_report():
    funder_side = record(1, en="Misrata: support to municipal waste collection", reporter=EU)
    implementer_side = record(2, ar="دعم خدمات النظافة بمدينة مصراتة", reporter=UNDP)
    finding = found(funder_side, implementer_side)[(1, 2)]
    assert finding.kind == REPORTED_TWICE
    assert "both_sides_report" in codes(finding)


def test_two_records_of_one_publisher_without_a_link_are_two_contracts():
    lot_1 = record(1, en="Municipal waste collection support in Misrata", reporter=EU)
    lot_2 = record(2, en="Support for solid waste management, Misrata", reporter=EU, budget=300_000)
    finding = found(lot_1, lot_2)[(1, 2)]
    assert finding.kind == RELATED_PHASE
    assert "same_publisher" in codes(finding)


def test_the_same_organisations_in_other_roles_are_no_evidence():
    a = record(1, en="Municipal waste collection support in Misrata", reporter=EU)
    b = record(2, ar="تحسين إدارة النفايات الصلبة بمدينة مصراتة", reporter=UNDP, funder=UNDP, implementer=EU)
    finding = found(a, b).get((1, 2))
    assert finding is None or "both_sides_report" not in codes(finding)


def test_the_evidence_does_not_hide_different_people_served():
    a = record(1, en="Vocational courses for women in Misrata", reporter=EU)
    b = record(2, en="Vocational courses for young men in Misrata", reporter=UNDP)
    finding = found(a, b).get((1, 2))
    assert finding is None or finding.kind not in (REPORTED_TWICE,) or finding.score < 0.55


def test_a_broad_code_is_compatible_with_the_precise_one():
    # 7 stands for the sector a 43010 (multisector) lands on, 2 for the implementer's precise sector.
    broad = record(1, en="Repairing the sewer network of Zawiya", muni=2, sectors=(7,), broad=(7,), reporter=EU)
    precise = record(2, ar="صيانة شبكة المجاري في الزاوية", muni=2, sectors=(2,), reporter=UNDP)
    finding = found(broad, precise)[(1, 2)]
    assert "different_sectors" not in codes(finding)
    # Without the broad mark the same pair has no sector in common, and says so.
    plain = record(1, en="Repairing the sewer network of Zawiya", muni=2, sectors=(7,), reporter=EU)
    assert "different_sectors" in codes(found(plain, precise)[(1, 2)])


def test_own_revenue_and_municipal_finance_are_one_concept_across_languages():
    a = record(1, en="Raising own-source revenues of Sabha municipality", muni=3, reporter=EU)
    b = record(2, ar="دعم المالية المحلية لبلدية سبها", muni=3, reporter=UNDP)
    assert found(a, b)[(1, 2)].kind == REPORTED_TWICE


def test_a_centre_of_a_field_answers_a_facility_of_that_field():
    a = record(1, en="Equipping the polyclinic of Misrata", reporter=EU)
    b = record(2, ar="تجهيز المركز الصحي في مصراتة", reporter=UNDP)
    assert (1, 2) in found(a, b)
    # ... but a centre of another field does not: a youth centre is not a clinic.
    c = record(3, ar="تجهيز مركز الشباب في مصراتة", reporter=UNDP)
    assert (1, 3) not in found(a, c)


def test_records_naming_the_same_parties_meet_whatever_their_titles():
    a = record(1, en="Emergency response package for Misrata", reporter=EU)
    b = record(2, ar="حزمة التدخل العاجل", reporter=UNDP)
    index = DuplicateIndex([a, b], place_names=PLACES)
    assert 2 in index.candidates_of(1)
    members, probes = index.block_keys(2)
    assert probes & index.block_keys(1)[0]  # the stored keys give the incremental check the same pair


def _unpublished(pid: int, identifier: str, **kwargs) -> ProjectRecord:
    """A record whose reporting organisation is not known (e.g. an older file), with an IATI identifier."""
    from dataclasses import replace

    return replace(record(pid, reporter=EU, **kwargs), reporting_partner=None, iati_identifier=identifier)


def test_the_identifiers_prefix_tells_the_publisher_where_the_reporting_organisation_is_unknown():
    funder_side = _unpublished(1, "XI-IATI-EC_NEAR-2024/451-902", en="Misrata: support to municipal waste collection")
    implementer_side = _unpublished(2, "XM-DAC-41114-PROJECT-00131207", ar="دعم خدمات النظافة بمدينة مصراتة")
    finding = found(funder_side, implementer_side)[(1, 2)]
    assert finding.kind == REPORTED_TWICE and "both_sides_report" in codes(finding)
    # Two records whose identifiers begin with the same organisation: its two contracts.
    lot_1 = _unpublished(1, "XM-DAC-41114-PROJECT-00131207", en="Municipal waste collection support in Misrata")
    lot_2 = _unpublished(2, "XM-DAC-41114-PROJECT-00140022", en="Support for solid waste management, Misrata",
                         budget=300_000)
    finding = found(lot_1, lot_2)[(1, 2)]
    assert finding.kind == RELATED_PHASE and "same_publisher" in codes(finding)
    # An identifier that shows no organisation is no evidence either way.
    vague = _unpublished(2, "PRJ-2024-77", en="Support for solid waste management, Misrata", budget=300_000)
    finding = found(lot_1, vague).get((1, 2))
    assert finding is None or not codes(finding) & {"same_publisher", "both_sides_report"}


def test_identifier_publisher_reads_the_organisation_identifiers_of_iati():
    from coordination.analysis.duplicates.records import identifier_publisher

    assert identifier_publisher("XM-DAC-41114-PROJECT-00131207") == "XM-DAC-41114"
    assert identifier_publisher("GB-GOV-1-300123-101") == "GB-GOV-1"
    assert identifier_publisher("NL-KVK-41198677-LBY-2023") == "NL-KVK-41198677"
    assert identifier_publisher("CH-4-2020000127") == "CH-4"
    assert identifier_publisher("41114-LBY-0042") == "XM-DAC-41114"  # the same publisher, an older identifier
    assert identifier_publisher("xm-dac-41114-p-1") == "XM-DAC-41114"
    for none in ("", None, "PRJ-2024-77", "XM-DAC-41114", "DE-1", "LBY", "--", "2024-LBY-001", "1-2"):
        assert identifier_publisher(none) is None, none

"""The alignment engine on phrasings that appear neither in the demo generator nor in the labelled
evaluation set (``demo.alignment_eval``): each test is one class of record the engine must read the
same way however it is written (no database)."""

from __future__ import annotations

from coordination.analysis.alignment import AlignmentSettings, ObjectiveIn, ProjectIn, alignment_analysis
from coordination.analysis.alignment_text import record_concepts, text_concepts

WATER, HEALTH, EDUCATION, GOVERNANCE, WASTE, SHELTER = 1, 2, 3, 4, 5, 6


def objective(oid: int, sector: int, *, en: str = "", ar: str = "", **kw) -> ObjectiveIn:
    return ObjectiveIn(id=oid, plan_id=1, approved=True, plan_municipality_id=None, code=f"N{oid}",
                       title_en=en, title_ar=ar, sector_ids=(sector,), **kw)


def project(pid: int, sector: int, *, en: str = "", ar: str = "", **kw) -> ProjectIn:
    return ProjectIn(id=pid, status=2, title_en=en, title_ar=ar, budget_usd=100_000.0, partner_ids=(1,),
                     locations=((100, None),), sectors=((sector, 100.0),), **kw)


def suggested(objectives: list[ObjectiveIn], projects: list[ProjectIn]) -> dict[int, set[int]]:
    a = alignment_analysis(objectives=objectives, projects=projects)
    return {p.id: {s.objective_id for s in a.suggestions.get(p.id, ())} for p in projects}


def test_a_clinic_or_dispensary_serves_a_health_centre_objective_and_mobile_teams_do_not():
    centres = objective(1, HEALTH, en="Bring primary health care centres back into service")
    dispensary = project(1, HEALTH, ar="ترميم المستوصف القديم في وادي الشاطئ")
    named = project(2, HEALTH, ar="صيانة مركز الشفاء الصحي")  # a centre named after its name
    polyclinic = project(3, HEALTH, en="Renovation works at the town polyclinic")
    teams = project(4, HEALTH, en="Mobile medical units for nomadic communities")
    got = suggested([centres], [dispensary, named, polyclinic, teams])
    assert got == {1: {1}, 2: {1}, 3: {1}, 4: set()}
    assert "health_facility" in text_concepts("صيانة مركز الشفاء الصحي").content


def test_the_sewer_network_does_not_serve_the_drinking_water_network():
    mains = objective(1, WATER, ar="توسيع شبكات مياه الشرب إلى الأحياء الجديدة")
    sewers = project(1, WATER, en="Replacing broken sewage lines in the old town")
    leaks = project(2, WATER, en="Fixing leaks in the potable water mains")
    a = alignment_analysis(objectives=[mains], projects=[sewers, leaks])
    assert 1 not in a.suggestions and [s.objective_id for s in a.suggestions[2]] == [1]
    # both are networks, but of other subjects: the reason says why the score is low
    low = alignment_analysis(objectives=[mains], projects=[sewers], settings=AlignmentSettings(suggest_threshold=0.01))
    [s] = low.suggestions[1]
    assert s.score < 0.6 and "other_field" in [r["code"] for r in s.reasons]


def test_support_to_a_named_thing_is_served_by_any_kind_of_work_on_it_but_not_by_teaching_about_it():
    plans = objective(1, GOVERNANCE, en="Help municipalities carry out their local development plans")
    drafting = project(1, GOVERNANCE, ar="صياغة المخطط الاستراتيجي للبلدية للفترة 2026-2030")
    course = project(2, GOVERNANCE, en="Course for council members on planning methods")
    got = suggested([plans], [drafting, course])
    assert got == {1: {1}, 2: set()}


def test_support_for_a_broad_field_is_not_served_by_another_kind_of_work_in_it():
    # with only a field in common, what is done is what tells the records apart
    broad = objective(1, HEALTH, en="Assistance to the health sector")
    supplies = project(1, HEALTH, ar="توريد أجهزة طبية للقطاع الصحي")
    assert suggested([broad], [supplies]) == {1: set()}


def test_equipment_for_a_service_is_served_by_the_service_itself():
    trucks = objective(1, WASTE, en="Compactor trucks and skips for municipal refuse collection")
    rounds = project(1, WASTE, ar="تحسين جمع القمامة من الأحياء السكنية")
    disposal = project(2, WASTE, en="Support to household waste disposal in the eastern quarter")
    landfill = project(3, WASTE, en="Fencing the municipal dump")
    got = suggested([trucks], [rounds, disposal, landfill])
    assert got == {1: {1}, 2: {1}, 3: set()}


def test_school_buildings_are_a_school_not_the_construction_of_one():
    new_schools = objective(1, EDUCATION, ar="بناء مدارس جديدة في الأحياء المكتظة")
    repairs = objective(2, EDUCATION, en="Repair of damaged schools")
    flood = project(1, EDUCATION, en="Renovating school buildings damaged by floods")
    assert suggested([new_schools, repairs], [flood]) == {1: {2}}


def test_what_only_the_description_names_is_context_not_the_work():
    homes = objective(1, SHELTER, en="Repair of war-damaged houses")
    blankets = project(1, SHELTER, en="Blankets and mattresses for displaced households",
                       description_en="So that families can go back to their houses before winter.")
    rebuild = project(2, SHELTER, ar="ترميم البيوت المتضررة في حي السلام")
    assert suggested([homes], [blankets, rebuild]) == {1: set(), 2: {1}}
    read = record_concepts((blankets.title_en,), (blankets.description_en,))
    assert "housing" in read.content and "housing" in read.context

"""The evaluation generator's own view of what partners do in municipalities: families of work, each
with its precise DAC code, the broad code a funder may record instead, and several ways each
language says it. The phrasings are this author's, written apart from ``demo.generator`` and not
translations of each other: a funder's English title and an implementer's Arabic title of the same
work use different words ("own-source revenue" / "المالية البلدية").

``twin`` names another family with the same DAC code that is different work (water trucking and
the piped network): the pair a code-and-place matcher confuses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    key: str
    dac: str  # the precise DAC 5-digit code an implementer records
    broad: str  # the broad code a funder may record (43010 multisector, 73010 reconstruction, 15110)
    en: tuple[str, ...]
    ar: tuple[str, ...]
    twin: str | None = None


# ``{p}`` is the place as the publisher writes it; a title without it names no place.
FAMILIES: tuple[Family, ...] = (
    Family("waste", "14050", "43010",
           ("Solid waste management services in {p}", "Improving refuse collection for {p} municipality",
            "Garbage collection and disposal support, {p}"),
           ("تحسين خدمات جمع القمامة في {p}", "دعم منظومة النفايات الصلبة ببلدية {p}",
            "رفع كفاءة النظافة العامة وجمع المخلفات في {p}"), twin="landfill"),
    Family("landfill", "14050", "43010",
           ("Closing and rehabilitating the {p} dumpsite", "Sanitary landfill cell for {p}"),
           ("إغلاق وتأهيل مكب {p} العشوائي", "إنشاء خلية طمر صحي لبلدية {p}"), twin="waste"),
    Family("revenue", "15114", "15110",
           ("Own-source revenue collection for the municipality of {p}", "Municipal finance reform in {p}",
            "Local revenue mobilisation and fiscal management, {p}"),
           ("تعزيز الإيرادات الذاتية لبلدية {p}", "إصلاح المالية البلدية في {p}",
            "تطوير نظم الجباية المحلية ببلدية {p}"), twin="procurement"),
    Family("procurement", "15114", "15110",
           ("Public procurement training for {p} municipal staff", "Procurement rules coaching for the {p} council"),
           ("تدريب موظفي بلدية {p} على المشتريات العامة", "ورش عمل حول إجراءات التعاقد والمشتريات لبلدية {p}"),
           twin="revenue"),
    Family("water_network", "14031", "73010",
           ("Restoring the drinking water network of {p}", "Potable water pipeline repairs in {p}"),
           ("إعادة تأهيل شبكة مياه الشرب في {p}", "صيانة خطوط إمداد المياه ببلدية {p}"), twin="water_trucking"),
    Family("water_trucking", "14031", "73010",
           ("Emergency water trucking to households in {p}", "Trucked drinking water for families in {p}"),
           ("توزيع مياه الشرب بالشاحنات على الأسر في {p}", "نقل المياه بالصهاريج للأحياء المتضررة في {p}"),
           twin="water_network"),
    Family("phc", "12220", "73010",
           ("Upgrading the primary health care centre in {p}", "Refurbishing the {p} PHC clinic"),
           ("تطوير مركز الرعاية الصحية الأولية في {p}", "تجديد العيادة المجمعة ببلدية {p}"), twin="mobile_health"),
    Family("mobile_health", "12220", "73010",
           ("Mobile medical teams serving {p}", "Outreach health teams for remote areas of {p}"),
           ("فرق طبية متنقلة لخدمة {p}", "عيادات متنقلة للمناطق النائية في {p}"), twin="phc"),
    Family("schools", "11120", "73010",
           ("Repairing war-damaged schools in {p}", "School buildings rehabilitation, {p}"),
           ("صيانة المدارس المتضررة من النزاع في {p}", "ترميم مباني المدارس ببلدية {p}"), twin="school_furniture"),
    Family("school_furniture", "11120", "73010",
           ("Desks and furniture for schools in {p}", "Classroom furniture supply to {p} schools"),
           ("توريد مقاعد وأثاث مدرسي لمدارس {p}", "تزويد فصول {p} بالأثاث المدرسي"), twin="schools"),
    Family("street_light", "23230", "43010",
           ("Solar-powered street lighting in {p}", "Lighting main streets of {p} with solar lamps"),
           ("إنارة شوارع {p} بالطاقة الشمسية", "تركيب أعمدة إنارة شمسية في طرق {p}")),
    Family("psychosocial", "15160", "43010",
           ("Psychosocial support for children and adolescents in {p}", "Child-friendly spaces and PSS, {p}"),
           ("الدعم النفسي والاجتماعي للأطفال واليافعين في {p}", "مساحات صديقة للطفل ودعم نفسي في {p}")),
    Family("vocational", "11330", "43010",
           ("Vocational skills for young jobseekers in {p}", "Technical and vocational training for youth, {p}"),
           ("التدريب المهني للشباب الباحثين عن عمل في {p}", "تأهيل الشباب مهنيا وتقنيا ببلدية {p}")),
    Family("sewage", "14022", "73010",
           ("Wastewater network repairs in {p}", "Sewer system rehabilitation for {p}"),
           ("صيانة شبكة الصرف الصحي في {p}", "إعادة تأهيل منظومة المجاري ببلدية {p}")),
    Family("planning", "15112", "15110",
           ("Participatory local development planning in {p}", "Preparing the {p} municipal development plan"),
           ("إعداد خطة التنمية المحلية بالمشاركة في {p}", "صياغة الخطة التنموية لبلدية {p}")),
    Family("ordnance", "15250", "43010",
           ("Clearing explosive remnants of war in {p}", "Explosive hazard removal, {p} neighbourhoods"),
           ("إزالة مخلفات الحرب المتفجرة في {p}", "تطهير أحياء {p} من الذخائر غير المنفجرة")),
    Family("registry", "15112", "15110",
           ("Digitising the civil registry office of {p}", "Electronic civil status records for {p}"),
           ("رقمنة مكتب السجل المدني في {p}", "أتمتة سجلات الأحوال المدنية ببلدية {p}")),
)

BY_KEY = {f.key: f for f in FAMILIES}

# Phase words as this author's publishers write them.
PHASE_EN = ("{t} - phase II", "{t} (second phase)", "{t}, follow-up phase")
PHASE_AR = ("{t} - المرحلة الثانية", "{t} (المرحلة الثانية)")

"""Bilingual words the demo generator builds titles, sites and descriptions from.

Each sector is mapped to a *theme* by keywords in its code or English name, so the generator
works with whatever sector list ``load_reference_data`` installs; a sector matching no theme
gets the generic templates, which name the sector itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Template:
    """One kind of activity.

    ``slot`` is what must stay unique per municipality for two projects to be *different*
    activities (two templates on the same school share the slot ``school``). ``kind`` names the
    object list (:data:`OBJECTS`). Patterns use ``{obj_en}``, ``{obj_ar}``, ``{mun_en}``,
    ``{mun_ar}``, ``{sector_en}``, ``{sector_ar}``; ``alt_*`` is a paraphrase used when the same
    project is reported a second time.
    """

    key: str
    slot: str
    kind: str
    en: str
    ar: str
    alt_en: str
    alt_ar: str
    site_en: str | None
    site_ar: str | None
    budget_k_usd: tuple[int, int]
    beneficiaries: tuple[int, int]
    multi: bool = False


def _t(key: str, kind: str, en: str, ar: str, alt_en: str, alt_ar: str, site: tuple[str, str] | None,
       budget: tuple[int, int], ben: tuple[int, int], *, slot: str | None = None, multi: bool = False) -> Template:
    return Template(key, slot or key, kind, en, ar, alt_en, alt_ar, site[0] if site else None,
                    site[1] if site else None, budget, ben, multi)


_IN = "{obj_en}, {mun_en}"
_FI = "حي {obj_ar}، {mun_ar}"

THEMES: dict[str, tuple[Template, ...]] = {
    "water": (
        _t("water_network", "place", f"Rehabilitation of the water network in {_IN}", f"إعادة تأهيل شبكة المياه في {_FI}",
           "Water network rehabilitation – {obj_en} neighbourhood ({mun_en})", "تأهيل شبكة مياه الشرب بحي {obj_ar} في {mun_ar}",
           ("{obj_en} water network", "شبكة مياه حي {obj_ar}"), (200, 3000), (2000, 40000)),
        _t("water_well", "place", f"Drilling and equipping of a water well in {_IN}", f"حفر وتجهيز بئر مياه في {_FI}",
           "New borehole for {obj_en} ({mun_en})", "بئر جديدة لتزويد حي {obj_ar} بالمياه في {mun_ar}",
           ("{obj_en} borehole", "بئر حي {obj_ar}"), (80, 600), (1000, 15000)),
        _t("sewage", "place", f"Upgrade of the sewage pumping station in {_IN}", f"تطوير محطة ضخ الصرف الصحي في {_FI}",
           "Sewage pumping station upgrade, {obj_en} – {mun_en}", "رفع كفاءة محطة ضخ مياه الصرف الصحي بحي {obj_ar} في {mun_ar}",
           ("{obj_en} pumping station", "محطة ضخ حي {obj_ar}"), (300, 4000), (3000, 50000)),
        _t("desalination", "place", f"Installation of a desalination unit for {_IN}", "تركيب وحدة لتحلية المياه لحي {obj_ar}، {mun_ar}",
           "Reverse-osmosis water plant serving {obj_en} in {mun_en}", "محطة تحلية بالتناضح العكسي لخدمة حي {obj_ar} في {mun_ar}",
           ("{obj_en} desalination unit", "وحدة تحلية حي {obj_ar}"), (150, 1500), (1000, 20000)),
    ),
    "electricity": (
        _t("substation", "place", "Rehabilitation of the {obj_en} electricity substation in {mun_en}",
           "إعادة تأهيل محطة الكهرباء الفرعية {obj_ar} في {mun_ar}",
           "Repair of {obj_en} power substation ({mun_en})", "صيانة المحطة الفرعية للكهرباء ({obj_ar}) في {mun_ar}",
           ("{obj_en} substation", "محطة {obj_ar} الفرعية"), (500, 8000), (5000, 80000)),
        _t("solar_lighting", "place", f"Solar street lighting in {_IN}", f"إنارة الشوارع بالطاقة الشمسية في {_FI}",
           "Installation of solar-powered street lights – {obj_en}, {mun_en}",
           "تركيب أعمدة إنارة تعمل بالطاقة الشمسية بحي {obj_ar} في {mun_ar}",
           ("{obj_en} street lighting", "إنارة حي {obj_ar}"), (50, 600), (1000, 20000)),
        _t("mv_grid", "place", f"Repair of the medium-voltage grid in {_IN}", f"صيانة شبكة الجهد المتوسط في {_FI}",
           "Medium-voltage network repairs, {obj_en} ({mun_en})", "إصلاح خطوط الجهد المتوسط بحي {obj_ar} في {mun_ar}",
           None, (300, 5000), (3000, 60000)),
    ),
    "health": (
        _t("phc", "facility", "Rehabilitation of the {obj_en} primary health care centre in {mun_en}",
           "إعادة تأهيل مركز الرعاية الصحية الأولية {obj_ar} في {mun_ar}",
           "Rehabilitating {obj_en} health centre, {mun_en}", "تأهيل مركز {obj_ar} الصحي في {mun_ar}",
           ("{obj_en} health centre", "مركز {obj_ar} الصحي"), (150, 1500), (3000, 30000)),
        _t("hospital_equipment", "facility", "Medical equipment for the {obj_en} hospital in {mun_en}",
           "توفير معدات طبية لمستشفى {obj_ar} في {mun_ar}",
           "Supply of medical equipment to {obj_en} hospital ({mun_en})", "تزويد مستشفى {obj_ar} في {mun_ar} بالأجهزة الطبية",
           ("{obj_en} hospital", "مستشفى {obj_ar}"), (200, 3000), (10000, 120000)),
        _t("mobile_clinic", "place", f"Mobile clinics for {_IN}", f"عيادات متنقلة لخدمة {_FI}",
           "Mobile health teams serving {obj_en} ({mun_en})", "فرق صحية متنقلة لسكان حي {obj_ar} في {mun_ar}",
           None, (80, 700), (2000, 25000), multi=True),
    ),
    "education": (
        _t("school_build", "facility", "Construction of the {obj_en} school in {mun_en}", "بناء مدرسة {obj_ar} في {mun_ar}",
           "Building {obj_en} school – {mun_en}", "تشييد مدرسة {obj_ar} الجديدة في {mun_ar}",
           ("{obj_en} school", "مدرسة {obj_ar}"), (400, 3500), (300, 1500), slot="school"),
        _t("school_rehab", "facility", "Rehabilitation of the {obj_en} school in {mun_en}", "إعادة تأهيل مدرسة {obj_ar} في {mun_ar}",
           "{obj_en} school rehabilitation ({mun_en})", "صيانة وتأهيل مدرسة {obj_ar} في {mun_ar}",
           ("{obj_en} school", "مدرسة {obj_ar}"), (100, 900), (300, 1500), slot="school"),
        _t("teacher_training", "topic_edu", "Teacher training on {obj_en} in {mun_en}", "تدريب المعلمين على {obj_ar} في {mun_ar}",
           "Training teachers in {obj_en} – {mun_en}", "برنامج تدريبي للمعلمين حول {obj_ar} في {mun_ar}",
           None, (20, 250), (50, 600), multi=True),
    ),
    "governance": (
        _t("governance_training", "topic_gov", "Local governance training for the municipal council of {mun_en}: {obj_en}",
           "تدريب المجلس البلدي في {mun_ar} على الحكم المحلي: {obj_ar}",
           "Capacity building in {obj_en} for {mun_en} municipality", "بناء قدرات بلدية {mun_ar} في مجال {obj_ar}",
           None, (20, 300), (20, 200), multi=True),
        _t("service_centre", "place", f"Establishment of a citizen service centre in {_IN}", f"إنشاء مركز لخدمة المواطنين في {_FI}",
           "One-stop shop for municipal services, {obj_en} ({mun_en})", "مكتب موحد للخدمات البلدية في حي {obj_ar}، {mun_ar}",
           ("{obj_en} citizen service centre", "مركز خدمة المواطنين بحي {obj_ar}"), (100, 800), (5000, 60000)),
        _t("development_plan", "topic_gov", "Support to the municipal development plan of {mun_en}: {obj_en}",
           "دعم خطة التنمية البلدية في {mun_ar}: {obj_ar}",
           "{mun_en} municipal planning support – {obj_en}", "مساندة بلدية {mun_ar} في إعداد خطتها التنموية: {obj_ar}",
           None, (50, 400), (20, 100)),
    ),
    "waste": (
        _t("waste_collection", "place", f"Solid waste collection equipment for {_IN}", "معدات جمع النفايات الصلبة لحي {obj_ar}، {mun_ar}",
           "Garbage trucks and bins for {obj_en} ({mun_en})", "توفير شاحنات وحاويات قمامة لحي {obj_ar} في {mun_ar}",
           None, (100, 1200), (5000, 60000)),
        _t("landfill", "place", "Rehabilitation of the {obj_en} landfill serving {mun_en}", "إعادة تأهيل مكب نفايات {obj_ar} الذي يخدم {mun_ar}",
           "{obj_en} sanitary landfill upgrade ({mun_en})", "تطوير المكب الصحي للنفايات {obj_ar} في {mun_ar}",
           ("{obj_en} landfill", "مكب {obj_ar}"), (300, 3000), (20000, 150000)),
        _t("recycling", "place", f"Waste sorting and recycling initiative in {_IN}", f"مبادرة لفرز النفايات وإعادة تدويرها في {_FI}",
           "Recycling pilot for {obj_en} households ({mun_en})", "مشروع تجريبي لإعادة التدوير لأسر حي {obj_ar} في {mun_ar}",
           None, (30, 300), (500, 8000)),
    ),
    "cohesion": (
        _t("dialogue", "place", f"Community dialogue for social cohesion in {_IN}", f"حوار مجتمعي لتعزيز التماسك الاجتماعي في {_FI}",
           "Social cohesion and dialogue sessions – {obj_en} ({mun_en})", "جلسات حوار وتماسك اجتماعي بحي {obj_ar} في {mun_ar}",
           None, (20, 250), (100, 3000), multi=True),
        _t("youth_centre", "place", f"Youth centre and peacebuilding activities in {_IN}", f"مركز شبابي وأنشطة لبناء السلام في {_FI}",
           "Peacebuilding through youth activities, {obj_en} – {mun_en}", "أنشطة شبابية لبناء السلام في حي {obj_ar}، {mun_ar}",
           ("{obj_en} youth centre", "المركز الشبابي بحي {obj_ar}"), (80, 700), (300, 5000)),
        _t("women_peace", "place", f"Women's participation in local peace initiatives in {_IN}",
           f"مشاركة المرأة في مبادرات السلام المحلية في {_FI}",
           "Women in local peacebuilding, {obj_en} ({mun_en})", "دور المرأة في بناء السلام المحلي بحي {obj_ar} في {mun_ar}",
           None, (20, 200), (100, 2000), multi=True),
    ),
    "demining": (
        _t("erw_clearance", "place", f"Clearance of explosive remnants of war in {_IN}", f"إزالة مخلفات الحرب القابلة للانفجار في {_FI}",
           "Demining and ERW clearance – {obj_en} ({mun_en})", "نزع الألغام ومخلفات الحرب في حي {obj_ar}، {mun_ar}",
           ("{obj_en} clearance area", "منطقة التطهير بحي {obj_ar}"), (150, 2000), (1000, 30000)),
        _t("risk_education", "place", f"Explosive ordnance risk education in {_IN}", f"التوعية بمخاطر الذخائر المتفجرة في {_FI}",
           "Mine risk awareness sessions for {obj_en} residents ({mun_en})", "جلسات توعية بمخاطر الألغام لسكان حي {obj_ar} في {mun_ar}",
           None, (20, 200), (500, 10000), multi=True),
    ),
    "livelihoods": (
        _t("vocational", "topic_skill", "Vocational training in {obj_en} for young people in {mun_en}",
           "تدريب مهني في {obj_ar} للشباب في {mun_ar}",
           "{obj_en} skills course for youth – {mun_en}", "دورة مهارات في {obj_ar} لشباب {mun_ar}",
           None, (40, 400), (50, 800), multi=True),
        _t("market", "facility", "Rehabilitation of the {obj_en} market in {mun_en}", "إعادة تأهيل سوق {obj_ar} في {mun_ar}",
           "{obj_en} marketplace rehabilitation ({mun_en})", "تأهيل سوق {obj_ar} الشعبي في {mun_ar}",
           ("{obj_en} market", "سوق {obj_ar}"), (150, 1200), (1000, 20000), slot="market"),
    ),
    "roads": (
        _t("road", "road", "Rehabilitation of {obj_en} road in {mun_en}", "إعادة تأهيل طريق {obj_ar} في {mun_ar}",
           "{obj_en} road resurfacing – {mun_en}", "صيانة ورصف طريق {obj_ar} في {mun_ar}",
           ("{obj_en} road", "طريق {obj_ar}"), (300, 6000), (5000, 100000)),
        _t("drainage", "place", f"Storm-water drainage in {_IN}", f"تصريف مياه الأمطار في {_FI}",
           "Rainwater drainage works for {obj_en} ({mun_en})", "أعمال تصريف مياه الأمطار لحي {obj_ar} في {mun_ar}",
           None, (150, 2000), (2000, 30000)),
    ),
    "protection": (
        _t("child_protection", "place", f"Child protection and psychosocial support in {_IN}",
           f"حماية الطفل والدعم النفسي والاجتماعي في {_FI}",
           "Psychosocial support for children in {obj_en} ({mun_en})", "دعم نفسي واجتماعي للأطفال في حي {obj_ar}، {mun_ar}",
           None, (50, 500), (200, 5000), multi=True),
        _t("cash_assistance", "place", f"Cash assistance for vulnerable families in {_IN}",
           f"مساعدات نقدية للأسر الأشد ضعفاً في {_FI}",
           "Multi-purpose cash transfers – {obj_en} ({mun_en})", "تحويلات نقدية متعددة الأغراض بحي {obj_ar} في {mun_ar}",
           None, (50, 900), (200, 6000), multi=True),
        _t("legal_aid", "place", f"Legal aid for displaced families in {_IN}", f"المساعدة القانونية للأسر النازحة في {_FI}",
           "Legal counselling for IDP families – {obj_en}, {mun_en}", "استشارات قانونية للأسر النازحة بحي {obj_ar} في {mun_ar}",
           None, (30, 300), (100, 3000), multi=True),
    ),
    "shelter": (
        _t("home_repair", "place", f"Rehabilitation of damaged homes in {_IN}", f"إعادة تأهيل المساكن المتضررة في {_FI}",
           "Repair of war-damaged housing – {obj_en} ({mun_en})", "ترميم المساكن المتضررة من الحرب بحي {obj_ar} في {mun_ar}",
           None, (200, 2500), (200, 4000)),
        _t("shelter_kits", "place", f"Shelter kits for displaced families in {_IN}", f"مستلزمات إيواء للأسر النازحة في {_FI}",
           "Emergency shelter support for IDPs, {obj_en} – {mun_en}", "دعم إيواء طارئ للنازحين بحي {obj_ar} في {mun_ar}",
           None, (50, 500), (100, 3000), multi=True),
    ),
    "agriculture": (
        _t("irrigation", "place", f"Rehabilitation of irrigation canals in {_IN}", f"إعادة تأهيل قنوات الري في {_FI}",
           "Irrigation network repairs for {obj_en} farmers ({mun_en})", "صيانة شبكة الري لمزارعي حي {obj_ar} في {mun_ar}",
           ("{obj_en} irrigation scheme", "مشروع ري {obj_ar}"), (100, 1500), (200, 5000)),
        _t("food_assistance", "place", f"Food assistance for vulnerable households in {_IN}",
           f"مساعدات غذائية للأسر الأشد ضعفاً في {_FI}",
           "Food baskets for families in need – {obj_en}, {mun_en}", "سلال غذائية للأسر المحتاجة بحي {obj_ar} في {mun_ar}",
           None, (50, 800), (500, 15000), multi=True),
    ),
    "generic": (
        _t("generic_support", "place", "Support for {sector_en} in {obj_en}, {mun_en}", "دعم خدمات {sector_ar} في حي {obj_ar}، {mun_ar}",
           "{sector_en} services support – {obj_en} ({mun_en})", "مساندة قطاع {sector_ar} بحي {obj_ar} في {mun_ar}",
           None, (50, 800), (500, 10000)),
        _t("generic_equipment", "place", "Equipment for {sector_en} in {obj_en}, {mun_en}", "توفير معدات {sector_ar} في حي {obj_ar}، {mun_ar}",
           "Supply of {sector_en} equipment to {obj_en} ({mun_en})", "تزويد حي {obj_ar} في {mun_ar} بمعدات {sector_ar}",
           None, (50, 800), (500, 10000)),
        _t("generic_capacity", "topic_gov", "Capacity building for {sector_en} staff in {mun_en}: {obj_en}",
           "بناء قدرات العاملين في {sector_ar} في {mun_ar}: {obj_ar}",
           "{sector_en} staff training on {obj_en} ({mun_en})", "تدريب موظفي {sector_ar} على {obj_ar} في {mun_ar}",
           None, (20, 250), (20, 300), multi=True),
    ),
}

# (theme, keywords looked for in the sector's code, then in its names, relative weight); first match wins
THEME_KEYWORDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("demining", ("mine", "demin", "explosive", "ordnance", "ألغام"), 0.5),
    ("water", ("water", "wash", "sanitation", "sewage", "مياه", "صرف"), 1.3),
    ("electricity", ("electric", "energy", "كهرباء", "طاقة"), 1.0),
    ("health", ("health", "medical", "صحة", "صحي"), 1.3),
    ("education", ("educat", "school", "تعليم"), 1.2),
    ("governance", ("governance", "local-gov", "administration", "finance", "حكم"), 1.0),
    ("waste", ("waste", "solid", "environment", "نفايات", "بيئة"), 0.8),
    ("shelter", ("housing", "shelter", "إسكان", "إيواء"), 0.6),
    ("agriculture", ("agricultur", "livestock", "fisher", "food", "زراعة", "غذائي"), 0.6),
    ("protection", ("protection", "gbv", "حماية"), 0.6),
    ("cohesion", ("cohesion", "peace", "reconcil", "youth", "تماسك", "سلام"), 0.8),
    ("livelihoods", ("livelihood", "economic", "employment", "سبل", "اقتصاد"), 0.8),
    ("roads", ("road", "transport", "infrastructure", "طرق", "بنية"), 0.7),
)
GENERIC_WEIGHT = 0.4


def theme_for(code: str, name_en: str, name_ar: str) -> tuple[str, float]:
    """The theme a sector's projects are drawn from, and how common such projects are."""
    for haystacks in ((code.lower(),), (name_en.lower(), name_ar)):
        for theme, words, weight in THEME_KEYWORDS:
            if any(word in hay for hay in haystacks for word in words):
                return theme, weight
    return "generic", GENERIC_WEIGHT


_NEIGHBOURHOODS = (
    ("Al-Salam", "السلام"), ("Al-Nasr", "النصر"), ("Al-Wahda", "الوحدة"), ("Al-Shuhada", "الشهداء"),
    ("Al-Zuhur", "الزهور"), ("Al-Riyadh", "الرياض"), ("Al-Andalus", "الأندلس"), ("Al-Jamia", "الجامعة"),
    ("Al-Matar", "المطار"), ("Al-Mina", "الميناء"), ("Al-Hurriya", "الحرية"), ("Al-Nour", "النور"),
    ("Al-Huda", "الهدى"), ("Al-Baraka", "البركة"), ("Al-Jadida", "الجديدة"), ("Al-Swani", "السواني"),
    ("Al-Manshiya", "المنشية"), ("Al-Khadra", "الخضراء"), ("Al-Rabie", "الربيع"), ("Al-Fajr", "الفجر"),
    ("Al-Quds", "القدس"), ("Al-Amal", "الأمل"), ("Al-Zaytoun", "الزيتون"), ("Al-Nakheel", "النخيل"),
    ("Al-Safa", "الصفاء"), ("Al-Muruj", "المروج"), ("Al-Rahma", "الرحمة"), ("Al-Hana", "الهناء"),
    ("Al-Firdaws", "الفردوس"), ("Al-Basatin", "البساتين"), ("Al-Shati", "الشاطئ"), ("Al-Ghaba", "الغابة"),
    ("Al-Wadi", "الوادي"), ("Al-Sahel", "الساحل"), ("Al-Iskan", "الإسكان"), ("Al-Souq", "السوق"),
    ("Al-Qalaa", "القلعة"), ("Al-Dhahra", "الظهرة"), ("Al-Mahatta", "المحطة"), ("Al-Karama", "الكرامة"),
)
_FACILITIES = (
    ("Omar Al-Mukhtar", "عمر المختار"), ("Ibn Khaldun", "ابن خلدون"), ("Ibn Sina", "ابن سينا"),
    ("Al-Farabi", "الفارابي"), ("Salah Al-Din", "صلاح الدين"), ("Tariq Ibn Ziyad", "طارق بن زياد"),
    ("Khalid Ibn Al-Walid", "خالد بن الوليد"), ("Al-Khansaa", "الخنساء"), ("Ahmed Shawqi", "أحمد شوقي"),
    ("Al-Shabbi", "الشابي"), ("Al-Mutanabbi", "المتنبي"), ("Ibn Rushd", "ابن رشد"), ("Al-Razi", "الرازي"),
    ("Al-Idrisi", "الإدريسي"), ("Suleiman Al-Baruni", "سليمان الباروني"), ("Al-Jalaa", "الجلاء"),
    ("Al-Istiqlal", "الاستقلال"), ("24 December", "24 ديسمبر"), ("17 February", "17 فبراير"),
    ("Al-Amal", "الأمل"), ("Al-Mustaqbal", "المستقبل"), ("Al-Nour", "النور"), ("Al-Huda", "الهدى"),
    ("Al-Fajr", "الفجر"), ("Al-Iman", "الإيمان"), ("Al-Rashid", "الرشيد"), ("Al-Wafaa", "الوفاء"),
    ("Al-Shahid", "الشهيد"), ("Al-Quds", "القدس"), ("Al-Zahraa", "الزهراء"),
)
_ROADS = (
    ("Al-Jumhuriya", "الجمهورية"), ("Al-Shatt", "الشط"), ("Coastal", "الساحلي"), ("Airport", "المطار"),
    ("University", "الجامعة"), ("Omar Al-Mukhtar", "عمر المختار"), ("Al-Istiqlal", "الاستقلال"),
    ("First Ring", "الدائري الأول"), ("Second Ring", "الدائري الثاني"), ("Third Ring", "الدائري الثالث"),
    ("Railway", "السكة"), ("Eastern", "الشرقي"), ("Western", "الغربي"), ("Mountain", "الجبلي"),
    ("Desert", "الصحراوي"), ("Port", "الميناء"), ("Gardens", "الحدائق"), ("Hospital", "المستشفى"),
)
_TOPICS_GOV = (
    ("public financial management", "إدارة المالية العامة"), ("strategic planning", "التخطيط الاستراتيجي"),
    ("citizen engagement", "إشراك المواطنين"), ("public procurement", "المشتريات العامة"),
    ("local revenue collection", "تحصيل الإيرادات المحلية"), ("GIS and urban planning", "نظم المعلومات الجغرافية والتخطيط العمراني"),
    ("electronic services", "الخدمات الإلكترونية"), ("conflict-sensitive planning", "التخطيط المراعي للنزاعات"),
    ("records management", "إدارة الأرشيف والسجلات"), ("gender-responsive budgeting", "الموازنة المراعية للنوع الاجتماعي"),
    ("municipal communication", "الاتصال البلدي"), ("monitoring and evaluation", "المتابعة والتقييم"),
    ("local economic development", "التنمية الاقتصادية المحلية"), ("disaster risk management", "إدارة مخاطر الكوارث"),
    ("service delivery standards", "معايير تقديم الخدمات"),
)
_TOPICS_EDU = (
    ("inclusive education", "التعليم الدامج"), ("psychosocial support in class", "الدعم النفسي والاجتماعي في الفصل"),
    ("mathematics teaching", "تدريس الرياضيات"), ("early-grade reading", "القراءة في الصفوف الأولى"),
    ("digital skills", "المهارات الرقمية"), ("classroom management", "إدارة الفصل"),
    ("English language teaching", "تدريس اللغة الإنجليزية"), ("science laboratories", "المختبرات العلمية"),
    ("remedial learning", "التعليم العلاجي"), ("school safety", "السلامة المدرسية"),
)
_TOPICS_SKILL = (
    ("solar panel installation", "تركيب الألواح الشمسية"), ("plumbing", "السباكة"), ("electrical wiring", "التمديدات الكهربائية"),
    ("welding", "اللحام"), ("mobile phone repair", "صيانة الهواتف المحمولة"), ("tailoring", "الخياطة"),
    ("food processing", "تصنيع الأغذية"), ("car mechanics", "ميكانيكا السيارات"), ("computer skills", "مهارات الحاسوب"),
    ("air-conditioning repair", "صيانة أجهزة التكييف"), ("beekeeping", "تربية النحل"), ("date palm farming", "زراعة النخيل"),
)

OBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "place": _NEIGHBOURHOODS,
    "facility": _FACILITIES,
    "road": _ROADS,
    "topic_gov": _TOPICS_GOV,
    "topic_edu": _TOPICS_EDU,
    "topic_skill": _TOPICS_SKILL,
}


def qualified_object(kind: str, index: int) -> tuple[str, str]:
    """The ``index``-th object of a kind; past the list's end, numbered repeats ("Al-Nour 2")."""
    names = OBJECTS[kind]
    en, ar = names[index % len(names)]
    round_ = index // len(names)
    if round_ == 0:
        return en, ar
    number = round_ + 1
    if kind.startswith("topic"):
        return f"{en} (cohort {number})", f"{ar} (الدفعة {number})"
    if kind == "facility":
        return f"{en} No. {number}", f"{ar} رقم {number}"
    return f"{en} {number}", f"{ar} {number}"


PHASES = (("Phase I", "المرحلة الأولى"), ("Phase II", "المرحلة الثانية"), ("Phase III", "المرحلة الثالثة"))

PROGRAMME_TITLES: tuple[tuple[str | None, str, str], ...] = (
    (None, "Stabilization Facility for Libya", "مرفق تحقيق الاستقرار في ليبيا"),
    (None, "Strengthening Local Capacities for Resilience and Recovery", "تعزيز القدرات المحلية من أجل الصمود والتعافي"),
    (None, "Municipal Development Programme", "برنامج التنمية البلدية"),
    (None, "Basic Services Recovery Programme", "برنامج استعادة الخدمات الأساسية"),
    ("governance", "Local Governance and Decentralisation Support", "دعم الحكم المحلي واللامركزية"),
    ("cohesion", "Peacebuilding and Social Cohesion Programme", "برنامج بناء السلام والتماسك الاجتماعي"),
    ("water", "Water and Sanitation Recovery Programme", "برنامج تعافي قطاع المياه والصرف الصحي"),
    ("health", "Health System Strengthening Programme", "برنامج تعزيز النظام الصحي"),
    ("education", "Education in Emergencies Programme", "برنامج التعليم في حالات الطوارئ"),
    ("demining", "Mine Action Programme", "برنامج مكافحة الألغام"),
    ("electricity", "Electricity Sector Recovery Programme", "برنامج تعافي قطاع الكهرباء"),
    ("livelihoods", "Economic Recovery and Livelihoods Programme", "برنامج التعافي الاقتصادي وسبل العيش"),
    ("waste", "Municipal Solid Waste Management Programme", "برنامج إدارة النفايات الصلبة البلدية"),
    ("protection", "Protection and Durable Solutions Programme", "برنامج الحماية والحلول الدائمة"),
    ("roads", "Urban Infrastructure Rehabilitation Programme", "برنامج إعادة تأهيل البنية التحتية الحضرية"),
)

PURPOSE: dict[str, tuple[str, str]] = {
    "water": ("It restores reliable access to safe water and sanitation.", "ويهدف إلى استعادة الوصول المنتظم إلى المياه الآمنة والصرف الصحي."),
    "electricity": ("It reduces power cuts for homes and public services.", "ويهدف إلى تقليل انقطاع الكهرباء عن المنازل والمرافق العامة."),
    "health": ("It improves access to primary and secondary health care.", "ويهدف إلى تحسين الوصول إلى الرعاية الصحية الأولية والثانوية."),
    "education": ("It gives children a safe place to learn.", "ويهدف إلى توفير بيئة تعليمية آمنة للأطفال."),
    "governance": ("It strengthens the municipality's ability to plan and deliver services.", "ويهدف إلى تعزيز قدرة البلدية على التخطيط وتقديم الخدمات."),
    "waste": ("It keeps streets clean and reduces health risks from waste.", "ويهدف إلى نظافة الشوارع والحد من المخاطر الصحية للنفايات."),
    "cohesion": ("It brings communities together to prevent and resolve local conflicts.", "ويهدف إلى تقريب المجتمعات ومنع النزاعات المحلية وحلها."),
    "demining": ("It makes land safe for families to return and farm.", "ويهدف إلى جعل الأراضي آمنة لعودة الأسر والزراعة."),
    "livelihoods": ("It helps young people and families earn an income.", "ويهدف إلى مساعدة الشباب والأسر على كسب الدخل."),
    "roads": ("It improves access to markets and public services.", "ويهدف إلى تحسين الوصول إلى الأسواق والخدمات العامة."),
    "protection": ("It supports vulnerable and displaced families.", "ويهدف إلى دعم الأسر الضعيفة والنازحة."),
    "shelter": ("It helps families return to safe homes.", "ويهدف إلى مساعدة الأسر على العودة إلى مساكن آمنة."),
    "agriculture": ("It supports farmers and household food security.", "ويهدف إلى دعم المزارعين والأمن الغذائي للأسر."),
    "generic": ("It responds to needs identified with the municipality.", "ويستجيب لاحتياجات حددتها البلدية."),
}

UPDATE_NARRATIVES = (
    ("Works progressing as planned.", "الأعمال تسير وفق الخطة."),
    ("Procurement completed; contractor mobilised.", "اكتملت إجراءات الشراء وباشر المقاول العمل."),
    ("Site visits carried out with the municipality.", "نُفذت زيارات ميدانية بالتنسيق مع البلدية."),
    ("Training sessions delivered to the planned participants.", "نُفذت الدورات التدريبية للمشاركين المستهدفين."),
    ("Equipment delivered and handed over.", "تم توريد المعدات وتسليمها."),
)
UPDATE_PROBLEMS = (
    ("Delays in customs clearance of equipment.", "تأخر الإفراج الجمركي عن المعدات."),
    ("Security situation limited access to the site.", "الوضع الأمني حدّ من الوصول إلى الموقع."),
    ("Liquidity shortage at local banks delayed payments.", "نقص السيولة في المصارف المحلية أخر المدفوعات."),
    ("Contractor performance below expectations.", "أداء المقاول دون المستوى المتوقع."),
    ("Waiting for municipal approval of the design.", "في انتظار موافقة البلدية على التصميم."),
)
RETURN_COMMENTS = (
    "Spend figure does not match the financial report; please correct.",
    "Please attach photos of the completed works.",
    "Beneficiary numbers missing for this period.",
)

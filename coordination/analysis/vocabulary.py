"""A bilingual activity vocabulary: Arabic and English words that name the same thing map to
one concept, so that an Arabic-only and an English-only record of the same work can match.

Each line is ``concept: English words | Arabic words``; words are normalised and stemmed
the same way as titles (``text.tokens``) when the table is built, so they are written here
in their ordinary spelling. A concept's kind says what it names: an ``action`` (what is
done), a ``thing`` (what it is done to), a ``field`` (the sector's subject), a ``topic``
(what a training or study is about), a ``place`` (a common place word), a ``filler`` (a word
that says nothing of the activity) or a ``phase``.
"""

from __future__ import annotations

from functools import lru_cache

_TABLE = """
action rehabilitation: rehabilitation rehabilitate rehabilitating rehab restoration restore renovation renovate refurbishment refurbish reconstruction reconstruct | تأهيل إعادة ترميم تجديد إعمار
action construction: construction construct building build new establishment establish erect | بناء إنشاء انشاء تشييد جديد جديدة تأسيس
action repair: repair repairs maintenance maintain fixing fix | صيانة إصلاح اصلاح
action upgrade: upgrade upgrading improvement improve expansion expand extension | تطوير توسعة تحسين رفع كفاءة توسيع
action supply: supply supplies provision provide equipment equip equipping procurement delivery | توفير تزويد معدات تجهيز تجهيزات إمداد توريد أجهزة
action installation: installation install installing | تركيب
action drilling: drilling drill | حفر
action training: training train trained course courses workshop workshops capacity capacities | تدريب دورة دورات تدريبي تدريبية ورشة ورش قدرات
action strengthening: strengthening strengthen | تعزيز
action support: support supporting assistance assist aid | دعم مساندة مساعدة
action awareness: awareness sensitisation sensitization campaign campaigns | توعية حملة حملات
action clearance: clearance clearing removal | إزالة نزع تطهير
action collection: collection collecting | جمع
action distribution: distribution distribute | توزيع
action assessment: assessment survey study | تقييم مسح دراسة
action resurfacing: resurfacing paving asphalt | رصف سفلتة
field water: water drinking potable | مياه ماء شرب الشرب
field sanitation: sanitation sanitary sewage sewer sewerage wastewater | صرف صحي الصحي
field electricity: electricity electric electrical power | كهرباء كهربائية كهربائي
field energy: energy solar | طاقة شمسية الشمسية
field health: health medical healthcare | صحة صحية صحي طبية طبي
field education: education educational learning | تعليم التعليم تعليمية
field governance: governance | حكم الحكم
field waste: waste garbage rubbish refuse remnants solid | صلبة الصلبة نفايات قمامة مخلفات
field protection: protection | حماية
field cohesion: cohesion reconciliation | تماسك مصالحة
field peace: peace peacebuilding | سلام
field livelihood: livelihood livelihoods income | رزق معيشة
field agriculture: agriculture agricultural farming farm farms | زراعة زراعي زراعية مزارع
field food: food nutrition | غذاء غذائي تغذية أغذية
field housing: housing shelter | إسكان مساكن سكن إيواء
field mine: mine mines landmine landmines demining | ألغام لغم
field explosive: explosive explosives ordnance erw uxo | متفجرة متفجرات ذخائر قابلة للانفجار
field war: war conflict | حرب الحرب نزاع نزاعات
field migration: migration migrant migrants | هجرة مهاجرين مهاجرون
field displacement: displaced idp idps displacement | نازحة نازحين نازحون نزوح
field legal: legal law | قانونية قانوني
field psychosocial: psychosocial psychological mental | نفسي النفسي نفسية
field social: social | اجتماعي الاجتماعي اجتماعية
field gender: gender women woman | نوع المرأة نساء النساء
field youth: youth young | شباب الشباب شبابية شبابي
field children: child children | طفل الأطفال أطفال
field economic: economic economy | اقتصادي اقتصادية اقتصاد
field employment: employment jobs job | توظيف عمل فرص
thing network: network grid networks lines line | شبكة شبكات خطوط خط
thing substation: substation substations | فرعية
thing station: station plant | محطة محطات
thing voltage: voltage | جهد
thing medium: medium | متوسط المتوسط
thing well: well wells borehole boreholes | بئر آبار
thing pumping: pumping pump pumps | ضخ مضخة مضخات
thing desalination: desalination osmosis reverse | تحلية التناضح العكسي عكسي
thing lighting: lighting lights light lamp | إنارة أعمدة
thing street: street streets | شوارع شارع الشوارع
thing school: school schools | مدرسة مدارس المدرسة
thing teacher: teacher teachers | معلمين معلمون المعلمين معلم
thing classroom: classroom class classes | فصل فصول الفصل
thing hospital: hospital hospitals | مستشفى مستشفيات
thing centre: centre center centres centers | مركز مراكز
thing clinic: clinic clinics | عيادة عيادات مستوصف
thing primary: primary | أولية الأولية
thing care: care | رعاية الرعاية
thing mobile: mobile | متنقلة متنقل
thing team: team teams | فرق فريق
thing council: council | مجلس المجلس
thing municipal: municipal municipality baladiya baladiyat | بلدي البلدي بلدية
thing plan: plan planning | خطة خطط تخطيط التخطيط
thing citizen: citizen citizens | مواطنين المواطنين مواطن
thing service: service services serving serve serves | خدمات خدمة الخدمات يخدم تخدم
thing centre: office shop | مكتب
thing landfill: landfill dump dumpsite | مكب
thing truck: truck trucks vehicle vehicles | شاحنات شاحنة مركبات
thing bin: bin bins container containers | حاويات حاوية
thing recycling: recycling recycle sorting | تدوير فرز تدويرها
thing dialogue: dialogue dialogues | حوار
thing session: session sessions | جلسات جلسة
thing initiative: initiative initiatives pilot | مبادرة مبادرات تجريبي تجريبية
thing participation: participation | مشاركة
thing role: role | دور
thing vocational: vocational professional | مهني مهنية
thing skill: skill skills | مهارات مهارة
thing market: market marketplace | سوق أسواق
thing road: road roads | طريق طرق
thing drainage: drainage storm rainwater stormwater | تصريف أمطار الأمطار
thing rain: rain | مطر
thing family: family families household households | أسر الأسر أسرة
thing counselling: counselling counseling | استشارات استشارة
thing equipment_medical: medicine medicines drug drugs | أدوية دواء
thing laboratory: laboratory laboratories lab | مختبر مختبرات المختبرات
thing library: library | مكتبة
thing kindergarten: kindergarten | روضة
thing university: university | جامعة الجامعة
thing airport: airport | مطار المطار
thing port: port harbour harbor | ميناء الميناء
thing bridge: bridge bridges | جسر جسور
thing park: park garden gardens | حديقة حدائق الحدائق
thing railway: railway rail | السكة سكة
thing ring: ring | دائري الدائري
thing coastal: coastal coast | ساحلي الساحلي ساحل
thing mountain: mountain | جبلي الجبلي جبل
thing desert: desert | صحراوي الصحراوي
thing eastern: eastern east | شرقي الشرقي
thing western: western west | غربي الغربي
thing first: first | أول الأول الأولى
thing second: second | ثاني الثاني الثانية
thing third: third | ثالث الثالث الثالثة
topic finance: finance financial budget budgeting | مالية المالية موازنة الموازنة ميزانية
topic public: public | عامة العامة عام العام
topic management: management | إدارة
topic strategic: strategic strategy | استراتيجي الاستراتيجي استراتيجية
topic engagement: engagement | إشراك
topic procurement: procurement | مشتريات المشتريات
topic revenue: revenue revenues tax taxes | إيرادات الإيرادات ضرائب
topic gis: gis mapping geographic | جغرافية الجغرافية خرائط
topic information: information | معلومات المعلومات
topic urban: urban | عمراني العمراني حضري
topic electronic: electronic digital | إلكترونية الإلكترونية رقمية الرقمية
topic sensitive: sensitive responsive | مراعي المراعي المراعية مراعية
topic records: records archive archives | أرشيف الأرشيف سجلات السجلات
topic communication: communication communications | اتصال الاتصال تواصل
topic monitoring: monitoring | متابعة المتابعة رصد
topic evaluation: evaluation | تقييم التقييم
topic development: development | تنمية التنمية التنموية تنموية
topic local: local | محلي المحلي محلية المحلية
topic risk: risk risks | مخاطر
topic standard: standard standards | معايير
topic delivery: delivery | تقديم
topic inclusive: inclusive inclusion | دامج الدامج دمج
topic mathematics: mathematics math maths | رياضيات الرياضيات
topic teaching: teaching | تدريس
topic reading: reading literacy | قراءة القراءة
topic grade: grade grades early | صفوف الصفوف
topic english: english | إنجليزية الإنجليزية
topic language: language | لغة اللغة
topic science: science scientific | علمية العلمية علوم
topic remedial: remedial | علاجي العلاجي
topic safety: safety | سلامة السلامة
topic panel: panel panels | ألواح الألواح
topic plumbing: plumbing | سباكة السباكة
topic wiring: wiring | تمديدات التمديدات
topic welding: welding | لحام اللحام
topic phone: phone phones | هواتف الهواتف هاتف
topic tailoring: tailoring sewing | خياطة الخياطة
topic processing: processing | تصنيع
topic car: car cars | سيارات السيارات
topic mechanic: mechanics mechanic | ميكانيكا
topic computer: computer computers | حاسوب الحاسوب حاسب
topic conditioning: conditioning | تكييف التكييف
topic air: air | هواء
topic bee: beekeeping bee bees | نحل النحل
topic palm: palm palms | نخيل النخيل
topic date: date dates | تمر تمور
topic cohort: cohort | دفعة الدفعة
place neighbourhood: neighbourhood neighborhood district quarter area | حي بحي لحي منطقة
place residents: residents population inhabitants | سكان لسكان
filler filler: powered working based field area using activity activities one stop unit units staff | تعمل يعمل مجال بمجال إطار أنشطة نشاط وأنشطة موحد وحدة العاملين عاملين موظفي موظفين
field disaster: disaster disasters | كوارث الكوارث
field emergency: emergency emergencies preparedness | طوارئ الطوارئ للطوارئ تأهب التأهب والتأهب
field justice: justice rule security | عدالة العدالة سيادة أمن الأمن والأمن
field coordination: coordination multi sector sectors | تنسيق التنسيق متعدد القطاعات قطاعات
field community: community communities | مجتمعي المجتمعي مجتمع المجتمع مجتمعية
action reduction: reduction reduce reducing | الحد حد خفض
phase phase: phase | مرحلة المرحلة
phase topup: topup top-up | تكميلي
"""


@lru_cache(maxsize=1)
def vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    """(token → concept, concept → kind), with tokens normalised like titles are."""
    from .text import normalise_arabic, tokens

    token_concept: dict[str, str] = {}
    concept_kind: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        head, words = line.split(":", 1)
        kind, concept = head.split()
        concept_kind[concept] = kind
        english, arabic = words.split("|")
        for word in english.split() + arabic.split():
            for tok in tokens(word) or [word.lower()]:
                token_concept.setdefault(tok, concept)
            # Words whose first letters are ا ل (ألغام) lose them to the article stripper;
            # keep the form a title with the article (الألغام → الغام) reduces to as well.
            normalised = normalise_arabic(word)
            if normalised != word or normalised.startswith("ال"):
                token_concept.setdefault(normalised, concept)
    return token_concept, concept_kind

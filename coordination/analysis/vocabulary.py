"""A bilingual activity vocabulary: Arabic and English words and phrases that name the same
thing map to one concept, so that an Arabic-only and an English-only record of the same work
can match, and so that paraphrases ("water well" / "borehole", "mobile clinics" / "mobile
health teams") meet.

Each line is ``kind concept/parent/...: English entries | Arabic entries``; entries are
separated by commas and may be phrases ("capacity building", "صرف صحي"). Entries are
normalised and stemmed the way titles are (``text.words``) when the table is built, so they
are written here in their ordinary spelling, singular and plural where the plural is broken
(مدرسة، مدارس). A word may belong to several concepts ("demining" is a clearance and is about
mines). A concept's parents are broader concepts it implies (a clinic is about health; trucks
are equipment, and providing equipment is supplying): a record that names the narrower concept
matches one that names the broader, and the two are not counted as a difference.

Kinds say what a concept names, which sets its weight and whether two records that each name
a different one are doing different things:

* ``action`` what is done (rehabilitation, supply, training); actions group into classes by
  their parents (``works``, ``supply``, ``support``, ``training``, ...);
* ``thing`` what it is done to or what is provided (school, substation, network, equipment);
* ``head`` a broad kind of thing that says little without its qualifier (centre, station, system);
* ``landmark`` a thing whose name also names places (airport, port, university): in a title
  it may be a proper name ("Airport road", "طريق المطار");
* ``field`` the sector's subject (water, health, protection);
* ``topic`` what a training, plan or study is about (procurement, GIS, plumbing);
* ``group`` the people it serves (families, youth, displaced people);
* ``general`` broad words that say little of the activity (local, public, management);
* ``place`` a common place word (neighbourhood, area); ``filler`` a word that says nothing;
* ``name`` a word that is part of a proper name (month names in "17 February");
* ``phase`` a phase or top-up; ``ordinal`` an ordinal number (first, الثاني) or roman numeral.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

_TABLE = """
action works: works, civil works, physical works | أعمال, أعمال مدنية
action rehabilitation/works: rehabilitation, rehabilitate, rehab, restoration, restore, renovation, renovate, refurbishment, refurbish, reconstruction, reconstruct, rebuilding, rebuild, retrofit | تأهيل, إعادة تأهيل, ترميم, تجديد, إعمار, إعادة إعمار, إعادة بناء, إعادة الإعمار, إصلاح وتأهيل
action repair/works: repair, maintenance, maintain, fix, fixing, overhaul | صيانة, إصلاح, إصلاحات, اصلاح
action upgrade/works: upgrade, upgrading, expansion, expand, extension, extend, modernisation, modernization, modernise, modernize, reinforce, reinforcement | تطوير, توسعة, توسيع, تحديث, تدعيم, تقوية
action construction: construction, construct, building, build, new, establishment, establish, erect, erection, creation, create, set up | بناء, إنشاء, انشاء, تشييد, جديد, تأسيس, إقامة, استحداث
action installation/construction: installation, install, fitting, mounting | تركيب, تمديد
action drilling/construction: drilling, drill, digging, dig, excavation | حفر
action resurfacing/works: resurfacing, paving, pave, asphalt, asphalting, surfacing | رصف, سفلتة, تعبيد, تعبيد الطرق
action demolition/works: demolition, demolish | هدم
action cleaning: cleaning, clean, clean-up, cleanup, sweeping | تنظيف, نظافة, كنس
action supply: supply, supplies, provision, provide, providing, procurement, procure, purchase, delivery, deliver, furnish, equip, equipping, equipped, donation, donate, handover | توفير, تزويد, تجهيز, تجهيزات, إمداد, توريد, شراء, تسليم, منح, تقديم معدات
action distribution/supply: distribution, distribute, handout | توزيع
action support: support, supporting, assistance, assist, aid, help, backstopping, relief | دعم, مساندة, مساعدة, مساعدات, عون, إعانة, إعانات, إغاثة, إسناد
action training: training, train, trained, trainee, procurement training, procurement coaching, procurement workshop, procurement workshops, course, workshop, capacity building, capacity development, coaching, mentoring, on-the-job training, internship, apprenticeship, upskilling | تدريب, تدريبي, دورة, دورات, ورشة, ورش, ورشة عمل, ورش عمل, بناء قدرات, بناء القدرات, تطوير القدرات, تنمية القدرات, تكوين, تأهيل مهني, تدريب مهني
action awareness: awareness, sensitisation, sensitization, campaign, outreach, risk education, risk awareness, information campaign, behaviour change | توعية, توعوية, حملة, حملات, تثقيف, تحسيس
action clearance: clearance, clearing, removal, remove, demining, decontamination, disposal | إزالة, نزع, تطهير, إخلاء, التخلص
action assessment: assessment, assess, survey, study, studies, feasibility, evaluation, appraisal, census, mapping exercise | تقييم, مسح, دراسة, دراسات, حصر, جدوى, تقدير
action counselling: counselling, counseling, advice, advisory, consultation, consultancy | استشارات, استشارة, استشاري, استشارية, إرشاد
action transfer: transfer, transfers | تحويلات, تحويل
action preparation: preparation, prepare, drafting, draft | إعداد, صياغة
field water: water, drinking, potable, drinking water, water supply | مياه, شرب, مياه الشرب, مائي, مائية, الإمداد المائي
field sanitation: sanitation, sewage, sewer, sewerage, wastewater, waste water, sewage water, sanitation services | صرف, صرف صحي, مياه الصرف, مياه الصرف الصحي, مجاري, مجار
field hygiene/health: hygiene, hand washing | نظافة شخصية, النظافة الشخصية, غسل اليدين
field wash/water/sanitation/hygiene: wash, water sanitation hygiene | المياه والصرف الصحي والنظافة
field electricity/energy: electricity, electric, electrical, power, power supply, electrification | كهرباء, كهربائي, كهربائية, كهربا, تيار, الطاقة الكهربائية, كهربة
field energy: energy, solar, renewable, solar energy, solar power, photovoltaic, pv | طاقة, شمسي, شمسية, متجددة, الطاقة الشمسية, الطاقة المتجددة, كهروضوئية
field fuel/energy: fuel, diesel, gas, petrol | وقود, ديزل, غاز, بنزين, محروقات
field health: health, medical, healthcare, health care, clinical, primary health care, primary healthcare, phc, secondary health care | صحة, صحي, صحية, طبي, طبية, الرعاية الصحية, الرعاية الصحية الأولية, رعاية صحية, صحيه
field maternal/health: maternal, maternity, reproductive, antenatal, obstetric | أمومة, الأمومة, إنجابية, ولادة
field vaccination/health: vaccination, immunisation, immunization, vaccine | تطعيم, تحصين, لقاحات, لقاح
field nutrition/health: nutrition, malnutrition | تغذية, سوء التغذية
field mental/health: mental health, psychiatric | الصحة النفسية, صحة نفسية
field psychosocial: psychosocial, psychological, mental, psycho-social, mhpss, psychosocial support, pss | نفسي, نفسية, النفسي, نفسي اجتماعي, الدعم النفسي, الدعم النفسي والاجتماعي, دعم نفسي واجتماعي
field education: education, educational, learning, teaching and learning | تعليم, تعليمي, تعليمية, تربية, تربوي, تربوية, تعلم
field governance: governance, local governance, decentralisation, decentralization, good governance | حكم, حوكمة, لامركزية, اللامركزية, الحكم المحلي, حكم محلي, الحكم الرشيد
field waste: waste, garbage, rubbish, refuse, trash, solid waste, litter, debris, solid | نفايات, صلبة, قمامة, مخلفات, النفايات الصلبة, أنقاض, ركام, قمامه
field environment: environment, environmental, climate, climate change, pollution | بيئة, بيئي, بيئية, مناخ, مناخي, تغير المناخ, تلوث
field protection: protection, protect, safeguarding, protection services | حماية, الحماية
field gbv/protection/gender: gbv, gender-based violence, gender based violence, violence against women | العنف القائم على النوع الاجتماعي, العنف ضد المرأة, عنف
field cohesion: cohesion, social cohesion, reconciliation, coexistence, social peace | تماسك, التماسك الاجتماعي, مصالحة, تعايش, السلم الاجتماعي, السلم الأهلي
field peace: peace, peacebuilding, peace building, peace-building, peaceful, conflict resolution, conflict prevention | سلام, بناء السلام, حل النزاعات, فض النزاعات, منع النزاعات
field livelihood: livelihood, livelihoods, income, income generation, income-generating, earning, economic recovery | سبل العيش, سبل عيش, رزق, معيشة, دخل, كسب العيش, مدرة للدخل, التعافي الاقتصادي
field employment: employment, job, jobs, job creation, work opportunities, labour, labor, employability, cash for work | توظيف, فرص عمل, فرص العمل, تشغيل, عمالة, النقد مقابل العمل
field enterprise/livelihood: enterprise, entrepreneurship, business, small business, msme, sme, start-up, startup, microfinance, grants for business | مشاريع صغيرة, المشاريع الصغيرة, ريادة الأعمال, ريادة, مشروعات صغيرة, تمويل أصغر, منح صغيرة
field agriculture: agriculture, agricultural, farming, farm, crops, crop, cultivation, agro, horticulture, greenhouse | زراعة, زراعي, زراعية, محاصيل, مزروعات, بيوت محمية, صوبات
field irrigation/agriculture: irrigation, irrigate, irrigated | ري, سقي
field livestock/agriculture: livestock, animal, animals, veterinary, cattle, sheep, poultry, fodder | ثروة حيوانية, الثروة الحيوانية, مواشي, ماشية, بيطري, بيطرية, دواجن, أعلاف, حيوانية
field fisheries/agriculture: fishery, fisheries, fishing, fishermen, fisher, aquaculture | سمكية, الثروة السمكية, صيد, صيادين, صيد الأسماك, أسماك
field food: food, foodstuff, food security, food items | غذاء, غذائي, غذائية, أغذية, مواد غذائية, أمن غذائي, الأمن الغذائي
field housing: housing, house, houses, home, homes, dwelling, residential, apartment, residence | مساكن, مسكن, سكن, منازل, منزل, بيوت, بيت, إسكان, سكني, سكنية, وحدات سكنية, شقق
field shelter: shelter, shelters, emergency shelter, sheltering, collective centre, collective center | إيواء, مأوى, ملاجئ, ملجأ, مراكز إيواء, مركز إيواء
field mine/explosive: mine, mines, landmine, landmines, mine action | ألغام, لغم, الألغام, الغام, مكافحة الألغام
field explosive: explosive, explosives, ordnance, erw, uxo, explosive ordnance, explosive remnants, remnants of war, explosive remnants of war, explosive hazards, unexploded ordnance, ieds, ied | متفجرة, متفجرات, ذخائر, ذخيرة, ذخائر متفجرة, الذخائر المتفجرة, قابلة للانفجار, القابلة للانفجار, مخلفات الحرب, مخلفات حرب, ذخائر غير منفجرة
field war: war, conflict, armed conflict, war-affected, conflict-sensitive, fighting, hostilities | حرب, الحرب, نزاع, نزاعات, صراع, اشتباكات, نزاع مسلح
field migration: migration, migrant, migrants, refugee, refugees, asylum | هجرة, مهاجرين, مهاجرون, مهاجر, لاجئين, لاجئ, لجوء
field legal: legal, law, lawyer, legal aid, legal assistance, documentation, civil documentation, legal counselling | قانوني, قانونية, قانون, محامي, محامين, مساعدة قانونية, المساعدة القانونية, توثيق, وثائق
field justice: justice, rule of law, security, judicial, court, courts, police, policing | عدالة, العدالة, سيادة القانون, أمن, الأمن, قضاء, قضائي, محاكم, محكمة, شرطة
field social: social, socio | اجتماعي, اجتماعية, الاجتماعي
field social_protection/protection: social protection, social safety net, safety nets, social assistance | الحماية الاجتماعية, شبكات الأمان, الضمان الاجتماعي
field economic: economic, economy | اقتصادي, اقتصادية, اقتصاد, الاقتصاد
field civil_society: civil society, csos, cso, ngos, associations, civic | المجتمع المدني, مجتمع مدني, منظمات المجتمع المدني, جمعيات, مدني
field elections: elections, election, electoral, voter, voters, voting | انتخابات, الانتخابات, انتخابي, انتخابية, ناخبين
field media: media, journalism, journalist, journalists, press, radio, television | إعلام, الإعلام, إعلامي, إعلامية, صحافة, صحفيين, إذاعة
field communication: communications, communication, telecommunications, telecom, ict, connectivity, internet | اتصالات, الاتصالات, اتصال, تواصل, إنترنت, تقنية المعلومات
field gender: gender, gender equality, women's empowerment, empowerment, equality | نوع اجتماعي, النوع الاجتماعي, المساواة بين الجنسين, الجنسين, تمكين المرأة, تمكين, مساواة
field disaster: disaster, disasters, disaster risk reduction, drr, flood, floods, flooding, earthquake | كوارث, الكوارث, كارثة, فيضانات, فيضان, سيول, زلزال, الحد من مخاطر الكوارث
field emergency_preparedness: preparedness, emergency preparedness, contingency, early warning, response plan | تأهب, التأهب, التأهب للطوارئ, الإنذار المبكر, الجاهزية, استعداد
field coordination: coordination, multi-sector, multisector, multi sector, multi-sectoral, cross-sector | تنسيق, متعدد القطاعات, متعددة القطاعات, القطاعات, قطاعات
field culture: culture, cultural, heritage, arts, art | ثقافة, ثقافي, ثقافية, تراث, فنون
field sport: sport, sports, football, recreational, recreation | رياضة, رياضي, رياضية, ترفيه, ترفيهية
field transport: transport, transportation, mobility, traffic | نقل, مواصلات, حركة المرور, مرور
field infrastructure: infrastructure | بنية تحتية, البنية التحتية, بنى تحتية
field administration: administration, administrative, institutional, institutional capacity, civil service | إدارة عامة, الإدارة العامة, إداري, إدارية, مؤسسي, مؤسسية, القدرات المؤسسية
field finance: finance, financial, public finance, public financial management, fiscal, pfm | مالية, المالية, المالية العامة, إدارة المالية العامة, مالي
thing network: network, networks, grid, line, lines, pipeline, pipelines, pipe, pipes, piping, distribution network, water mains | شبكة, شبكات, خطوط, خط, أنابيب, أنبوب, خط أنابيب, مواسير
thing canal/network: canal, canals, channel, channels, ditches | قنوات, قناة, سواقي
thing substation/station/electricity: substation, substations, transformer station | فرعية, فرعي, محطة فرعية, المحطة الفرعية, محطات فرعية, المحطات الفرعية, محطة تحويل
thing transformer: transformer, transformers | محول, محولات
head station: station, stations, plant, plants, facility plant | محطة, محطات
thing generator: generator, generators, genset | مولد, مولدات
thing voltage: voltage, medium voltage, medium-voltage, low voltage, high voltage, mv | جهد, الجهد المتوسط, جهد متوسط, الضغط المتوسط, جهد منخفض
thing well/water: well, wells, borehole, boreholes, water well | بئر, آبار, ابار, بئر مياه
thing pumping/station: pumping, pump, pumps, pumping station, lifting station | ضخ, مضخة, مضخات, محطة ضخ, رفع المياه
thing tank/water: tank, tanks, reservoir, reservoirs, water tank, water tower | خزان, خزانات, صهريج, صهاريج, خزانات مياه
thing treatment/water/station: treatment plant, water treatment, wastewater treatment, purification | معالجة, محطة معالجة, تنقية, محطة تنقية
thing desalination/water/station: desalination, reverse osmosis, reverse-osmosis, osmosis, ro unit, ro plant | تحلية, تحلية المياه, التناضح العكسي, تناضح عكسي
thing trucking/water: water trucking, water trucks, tankering, trucked water, trucked drinking water | نقل المياه بالصهاريج, توزيع المياه بالشاحنات, نقل المياه بالشاحنات
thing latrine/sanitation: latrine, latrines, toilet, toilets, wc | مراحيض, مرحاض, دورات مياه, دورة مياه
thing lighting: lighting, lights, light, lamp, lamps, street light, street lights, streetlight, streetlights, street lighting, lamp posts | إنارة, انارة, أعمدة, أعمدة إنارة, مصابيح, إضاءة, إنارة الشوارع
thing street/road: street, streets, main street, main streets, avenue, avenues | شوارع, شارع
thing civil_registry/records: civil registry, civil registries, civil registration, civil status, civil status records, vital records, registry office, vital statistics registration | السجل المدني, سجل مدني, السجلات المدنية, الأحوال المدنية, سجلات الأحوال المدنية, مصلحة الأحوال المدنية, قيد مدني
thing sewer_network/network/sanitation: sewer system, sewerage system, sewage system, sewer network, sewerage network, sewage network, wastewater network, sewer lines, sewage lines | شبكة الصرف الصحي, شبكات الصرف الصحي, منظومة الصرف الصحي, منظومة المجاري, شبكة المجاري, خطوط الصرف الصحي
thing waste_service/waste: waste collection, refuse collection, garbage collection, rubbish collection, trash collection, solid waste management, waste management, solid waste services, sanitation and cleaning services | جمع النفايات, جمع القمامة, جمع المخلفات, النظافة العامة, خدمات النظافة, إدارة النفايات, إدارة النفايات الصلبة, منظومة النفايات, منظومة النفايات الصلبة
thing school/education: school, schools, primary school, secondary school, basic school, school building, school buildings | مدرسة, مدارس, مدرسي, مدرسية, مبنى المدرسة, مباني المدارس, مبان مدرسية
thing kindergarten/education: kindergarten, kindergartens, preschool, nursery, early childhood | روضة, رياض الأطفال, روضات, حضانة, الطفولة المبكرة
thing classroom/education: classroom, classrooms, class, classes, prefab classroom | فصل, فصول, فصل دراسي, فصول دراسية, حجرات دراسية, صفوف دراسية
thing teacher/education: teacher, teachers, educator, educators, teaching staff | معلم, معلمين, معلمون, المعلمين, معلمات, مدرسين, مدرس, الكادر التعليمي
thing hospital/health: hospital, hospitals | مستشفى, مستشفيات, مشفى
thing health_facility/health: health facility, health facilities, health centre, health center, health centres, health centers, primary health care centre, primary health care center, primary health care centres, primary healthcare centre, primary healthcare center, phc centre, phc center, phc facility, primary care centre, primary care center | مرفق صحي, مرافق صحية, المرافق الصحية, مركز صحي, مراكز صحية, المركز الصحي, المراكز الصحية, مركز الرعاية الصحية الأولية, مراكز الرعاية الصحية الأولية, مركز رعاية صحية أولية
thing clinic/health_facility/health: clinic, clinics, dispensary, health post, health unit, polyclinic, phc clinic, primary care clinic | عيادة, عيادات, مستوصف, مستوصفات, وحدة صحية, مجمع عيادات, العيادة المجمعة, عيادة مجمعة
thing ambulance/health: ambulance, ambulances | إسعاف, سيارات إسعاف, سيارة إسعاف, الإسعاف
thing laboratory: laboratory, laboratories, lab, labs | مختبر, مختبرات, معمل, معامل
thing medicine/health: medicine, medicines, drug, drugs, pharmaceutical, pharmaceuticals, medical supplies, consumables | أدوية, دواء, أدوية ومستلزمات طبية, مستلزمات طبية, صيدلية
head centre: centre, center, centres, centers, hub, office, offices, shop | مركز, مراكز, مكتب, مكاتب, مقر
thing equipment/supply: equipment, equipments, machinery, tools, apparatus, devices, device, kit of equipment | معدات, أجهزة, جهاز, آلات, أدوات
thing vehicle/equipment: vehicle, vehicles, truck, trucks, lorry, lorries, compactor, compactors, tractor, tractors, car fleet | مركبات, مركبة, شاحنة, شاحنات, ضاغطة, ضاغطات, جرارات, جرار
thing bin/equipment: bin, bins, container, containers, dumpster, dumpsters, skip, skips | حاويات, حاوية, صناديق قمامة, براميل
thing furniture/equipment: furniture, desks, chairs | أثاث, مقاعد, كراسي
thing landfill/waste: landfill, landfills, dump, dumpsite, dumpsites, dump site, sanitary landfill, landfill cell, landfill cells, sanitary landfill cell, disposal site, transfer station | مكب, مكبات, مكب نفايات, المكب الصحي, مكب صحي, مدفن, مرادم, محطة ترحيل, طمر صحي, الطمر الصحي, طمر النفايات, خلية طمر, خلية طمر صحي, خلايا طمر, مطمر, مطامر
thing recycling/waste: recycling, recycle, recycled, sorting, composting, compost | تدوير, إعادة تدوير, فرز, فرز النفايات, سماد عضوي, كمبوست
thing kit: kit, kits, non-food items, nfi, nfis, household items, hygiene kits, dignity kits, winterisation, winterization, blankets, mattresses | مستلزمات, حقائب, طرود, حقيبة, بطانيات, فرش, أغطية
thing basket/food: basket, baskets, food basket, food baskets, food parcels, parcels, rations | سلال, سلة, سلال غذائية, سلة غذائية, طرود غذائية, حصص غذائية
thing cash: cash, vouchers, voucher, cash transfers, multi-purpose cash transfers, multi purpose cash transfers, cash grants, multi-purpose cash, mpca, cash-based, cash based | نقدي, نقدية, نقود, قسائم, قسائم شرائية, تحويلات نقدية, منح نقدية
thing seed/agriculture: seed, seeds, seedlings, fertiliser, fertilizer, fertilisers, agricultural inputs, inputs | بذور, بذار, شتلات, أسمدة, سماد, مدخلات زراعية, مدخلات
group council/local_authority: council, councils, municipal council, local council, councillors, councilors | مجلس, المجلس, مجالس, المجلس البلدي, مجلس بلدي, المجالس البلدية
thing plan: plan, plans, planning, development plan, master plan, action plan | خطة, خطط, تخطيط, التخطيط, مخطط, مخططات, خطة تنموية, الخطة التنموية
thing dialogue: dialogue, dialogues, dialog, community dialogue | حوار, حوارات, حوار مجتمعي, الحوار المجتمعي
landmark market: market, markets, marketplace, souk, market place | سوق, أسواق, السوق
thing road: road, roads, highway, highways, route, carriageway | طريق, طرق, الطرق, طرقات, الطريق
thing bridge: bridge, bridges, culvert, culverts, overpass | جسر, جسور, عبارة, عبارات, كوبري
thing drainage: drainage, drain, drains, gutter, gutters, storm drain | تصريف, بالوعات
thing stormwater/drainage: storm water, stormwater, storm-water, rainwater, rain water, floodwater, storm | مياه الأمطار, أمطار, الأمطار, مطر, مياه السيول
thing sidewalk/road: sidewalk, sidewalks | أرصفة, رصيف
thing park: park, parks, garden, gardens, green space, green spaces, playground, playgrounds | حديقة, حدائق, الحدائق, منتزه, ساحة, ساحات, ملعب, ملاعب, مساحات خضراء
thing library: library, libraries | مكتبة, مكتبات
thing cemetery: cemetery, cemeteries | مقبرة, مقابر
thing mosque: mosque, mosques | مسجد, مساجد, جامع
thing slaughterhouse: slaughterhouse, abattoir | مسلخ, مجزر
thing building_public: public building, public buildings, town hall, city hall | مبنى, مباني, مبنى البلدية, مقر البلدية
thing housing_unit/housing: housing units, prefabricated houses, caravans | كرفانات, بيوت جاهزة
thing service_centre/centre: citizen service centre, citizen service center, citizen services centre, service centre, service center, one-stop shop, one stop shop, one-stop-shop, single window, citizen office | مركز خدمة المواطنين, مركز خدمات المواطنين, مكتب موحد, النافذة الواحدة, نافذة واحدة, مركز خدمات
thing youth_centre/centre/youth: youth centre, youth center, youth club | مركز شبابي, مركز الشباب, نادي شبابي, بيت الشباب, المركز الشبابي
thing community_centre/centre: community centre, community center, community hall | مركز مجتمعي, مركز المجتمع
thing safe_space/centre: safe space, safe spaces, child friendly space, child-friendly spaces, women's centre | مساحات آمنة, مساحة آمنة, مساحات صديقة للطفل
thing mobile_health/health: mobile clinic, mobile clinics, mobile health team, mobile health teams, mobile medical team, mobile medical teams, outreach health team, outreach health teams, outreach medical team, outreach medical teams, health outreach team, health outreach teams, medical outreach, health outreach, mobile health unit, mobile health units, mobile medical units | عيادة متنقلة, عيادات متنقلة, فرق صحية متنقلة, فريق صحي متنقل, فرق طبية متنقلة, وحدات صحية متنقلة, عيادات طبية متنقلة
thing mobile_team: mobile team, mobile teams, outreach team, outreach teams, mobile unit, mobile units | فرق متنقلة, فريق متنقل, فرق جوالة, وحدات متنقلة
head system: system, systems, software, database, platform, portal, application | نظام, نظم, أنظمة, منظومة, برمجيات, قاعدة بيانات, منصة, بوابة, تطبيق
thing sign: signage, signs, sign, markers, fencing, fence | لافتات, علامات, تسييج, سياج, سور
landmark airport: airport | مطار, المطار
landmark port: port, harbour, harbor, seaport | ميناء, الميناء, مرفأ
landmark university: university, universities | جامعة, الجامعة, جامعي, جامعات
landmark railway: railway, rail, railroad, train station | سكة, السكة, سكة الحديد, السكة الحديد
landmark ring: ring, ring road, bypass | دائري, الدائري, طريق دائري
landmark coastal: coastal, coast, corniche, seafront | ساحلي, الساحلي, ساحل, كورنيش
landmark beach: beach, beaches, shore | شاطئ, شواطئ
landmark mountain: mountain, mountains, mountainous, hill | جبلي, الجبلي, جبل, جبال
landmark desert: desert | صحراوي, الصحراوي, صحراء
landmark eastern: eastern, east | شرقي, الشرقي, شرق
landmark western: western, west | غربي, الغربي, غرب
landmark northern: northern, north | شمالي, الشمالي, شمال
landmark southern: southern, south | جنوبي, الجنوبي, جنوب
landmark central: central, centre of town, downtown | مركزي, المركزي, وسط
landmark old_town: old city, old town, medina | المدينة القديمة, البلدة القديمة
landmark industrial: industrial, industrial zone, industrial area | صناعي, الصناعي, صناعية, المنطقة الصناعية
topic procurement: public procurement, procurement procedures, procurement rules, procurement regulations, procurement law, procurement process, procurement processes, procurement system, procurement management, procurement planning, procurement officers, procurement staff, procurement unit, procurement training, procurement coaching, procurement workshop, procurement workshops, contracting procedures, tendering, tender, tenders | إجراءات التعاقد, التعاقد والمشتريات, إجراءات الشراء, لجان العطاءات, لجنة العطاءات, المشتريات, مشتريات, المشتريات العامة, مناقصات, عطاءات
topic revenue/municipal_finance: revenue, revenues, tax, taxes, taxation, fees, local revenue, revenue collection | إيرادات, الإيرادات, ضرائب, ضريبة, رسوم, جباية, تحصيل الإيرادات
topic municipal_finance: municipal finance, municipal finances, local finance, local finances, own-source revenue, own-source revenues, own source revenue, own revenues, revenue mobilisation, revenue mobilization, local revenue mobilisation, fiscal management, local taxation, local fiscal | المالية البلدية, مالية البلدية, المالية المحلية, الإيرادات الذاتية, الموارد الذاتية, الموارد المالية الذاتية, الجباية المحلية, الإيرادات المحلية, تنمية الإيرادات
topic budget: budget, budgets, budgeting, budgetary | موازنة, الموازنة, موازنات, ميزانية, ميزانيات
topic accounting: accounting, accounts, audit, auditing, bookkeeping | محاسبة, المحاسبة, تدقيق, مراجعة الحسابات
topic strategic: strategic, strategy, strategies | استراتيجي, استراتيجية, الاستراتيجي, إستراتيجية, استراتيجيات
topic engagement: engagement, citizen engagement, participation of citizens, participatory, consultation of citizens | إشراك, إشراك المواطنين, مشاركة المواطنين, تشاركي, تشاركية
topic gis: gis, geographic information, geographic information systems, geographical information system, mapping, geographic, cadastre, cadastral, geospatial | نظم المعلومات الجغرافية, المعلومات الجغرافية, جغرافية, جغرافي, خرائط, سجل عقاري
topic urban: urban, urban planning, town planning, city planning, spatial planning | عمراني, العمراني, حضري, حضرية, تخطيط عمراني, التخطيط العمراني, التخطيط الحضري
topic digital: electronic, digital, egovernment, online, digitalisation, digitalization, digitization, automation, computerised, digitising, digitizing, digitise, digitize, digitisation, computerisation, computerization | إلكترونية, إلكتروني, الإلكترونية, رقمية, رقمي, الرقمية, رقمنة, الحكومة الإلكترونية, أتمتة, حوسبة, مكننة, ميكنة
topic sensitive: sensitive, responsive, conflict-sensitive, sensitivity | مراعي, المراعي, المراعية, مراعية, مراعاة
topic records: records, archive, archives, archiving, record keeping, records management, filing | أرشيف, الأرشيف, سجلات, السجلات, أرشفة, حفظ الوثائق
topic monitoring: monitoring, monitoring and evaluation, follow-up, reporting | متابعة, المتابعة, رصد, المتابعة والتقييم, الرصد والتقييم, تقارير
topic standard: standard, standards, quality standards, norms, service standards | معايير, معيار, المعايير, معايير الجودة
topic human_resources: human resources, hr, personnel management | الموارد البشرية, موارد بشرية, شؤون الموظفين
topic leadership: leadership, leaders | قيادة, القيادة, قيادات, قيادي
topic transparency: transparency, accountability, anti-corruption, integrity | شفافية, الشفافية, مساءلة, المساءلة, مكافحة الفساد, نزاهة
topic legislation: legislation, regulations, bylaws, legal framework | تشريعات, التشريعات, لوائح, اللوائح, إطار قانوني
topic inclusive: inclusive, inclusion, disability, disabilities, special needs | دامج, الدامج, دمج, إعاقة, ذوي الإعاقة, الاحتياجات الخاصة, احتياجات خاصة
topic mathematics: mathematics, math, maths, numeracy | رياضيات, الرياضيات
topic teaching: teaching, pedagogy, pedagogical, instruction, methodology | تدريس, التدريس, طرق التدريس, أساليب التدريس
topic reading: reading, literacy, early-grade reading, early grade reading, early grades | قراءة, القراءة, محو الأمية, الصفوف الأولى, القراءة في الصفوف الأولى
topic english: english, english language | إنجليزية, الإنجليزية, انجليزي, الانجليزية, اللغة الإنجليزية
topic arabic_language: arabic language, arabic | العربية, اللغة العربية
topic language: language, languages | لغة, اللغة, لغات
topic science: science, sciences, scientific, stem | علمية, العلمية, علوم, العلوم, علمي
topic remedial: remedial, catch-up, catch up, accelerated learning, remedial classes | علاجي, العلاجي, دروس تقوية, تعويضي, التعليم التعويضي
topic safety: safety, occupational safety, security measures | سلامة, السلامة, السلامة المدرسية
topic classroom_management: classroom management, class management | إدارة الفصل, إدارة الصف, الإدارة الصفية
topic solar_panel: solar panel, solar panels, panels, pv panels | ألواح, الألواح, ألواح شمسية, الألواح الشمسية
topic plumbing: plumbing, plumber, plumbers | سباكة, السباكة, سباك
topic wiring: wiring, electrical wiring, electrician, electricians, electrical installation | تمديدات, التمديدات, تمديدات كهربائية, التمديدات الكهربائية, كهربائيين
topic welding: welding, welder, welders, metalwork | لحام, اللحام, حدادة
topic phone: phone, phones, mobile phone, mobile phones, smartphone, smartphones, cell phone | هواتف, الهواتف, هاتف, الهواتف المحمولة, هاتف محمول, جوال, نقال
topic tailoring: tailoring, sewing, dressmaking, textile | خياطة, الخياطة, تفصيل
topic processing: processing, food processing, agro-processing, canning | تصنيع, تصنيع الأغذية, تجهيز الأغذية
topic car: car, cars, automotive, vehicle repair, auto | سيارات, السيارات, سيارة
topic mechanic: mechanics, mechanic, mechanical | ميكانيكا, ميكانيك, ميكانيكي
topic computer: computer, computers, computing, it skills, ict skills | حاسوب, الحاسوب, حاسب, كمبيوتر
topic conditioning: air-conditioning, air conditioning, conditioning, hvac, refrigeration, air conditioners | تكييف, التكييف, أجهزة التكييف, تبريد, مكيفات
topic bee: beekeeping, bee, bees, apiculture, honey | نحل, النحل, تربية النحل, عسل
topic palm: palm, palms, date palm, date palms | نخيل, النخيل, نخلة
topic carpentry: carpentry, carpenter, woodwork | نجارة, النجارة
topic hairdressing: hairdressing, barber, beauty | حلاقة, تجميل
topic cooking: cooking, catering, bakery, baking, pastry | طبخ, طهي, مخابز, مخبز, حلويات
topic construction_skills: masonry, tiling, painting, plastering | بناء وتشييد, بلاط, دهان, لياسة
topic first_aid/health: first aid | إسعافات أولية, الإسعافات الأولية
general cohort: cohort, batch, round, intake | دفعة, الدفعة
topic communication_skills: public relations, communication strategy, outreach to citizens, municipal communication | العلاقات العامة, الاتصال البلدي, التواصل مع المواطنين
topic risk: risk, risks, hazard, hazards, risk education, risk awareness | مخاطر, خطر, المخاطر, مخاطرها
group family: family, families, household, households, hh | أسر, أسرة, عائلات, عائلة, أسري, الأسر, الاسر
group vulnerable: vulnerable, most vulnerable, need, needs, poor, poorest, needy, marginalised, marginalized | احتياجات, حاجة, محتاج, ضعفا, ضعفاء, الأشد ضعفا, الأشد ضعفاً, هشة, الفئات الهشة, محتاجة, المحتاجة, المحتاجين, محتاجين, فقيرة, فقراء, المهمشة, مهمشة
group children: child, children, kids, infants, boys, girls, minors | طفل, أطفال, الأطفال, الطفل, اطفال, الطفولة, فتيان, فتيات, قاصرين
group youth: youth, young, young people, youths, adolescent, students, student | شباب, الشباب, شبابية, شبابي, يافعين, طلاب, طلبة
group women: women, woman, female, girls and women, women-headed | المرأة, امرأة, نساء, النساء, نسائية, نسوية, الإناث
group jobseeker/employment: jobseeker, jobseekers, job seeker, job seekers, job-seekers, unemployed, job hunters | الباحثين عن عمل, باحثين عن عمل, الباحثين عن العمل, الباحثون عن عمل, العاطلين عن العمل, عاطلين عن العمل, العاطلين, المتعطلين
group elderly: elderly, older people, older persons, aged | مسنين, المسنين, كبار السن
group displacement: displaced, idp, idps, internally displaced, displacement, returnee, returnees, return | نازحة, نازحين, نازحون, النازحين, نزوح, النزوح, نازح, النازحة, عائدين, العائدين, عودة
group farmer/agriculture: farmer, farmers, growers, smallholder, smallholders | مزارعين, مزارعون, مزارعي, مزارع, فلاحين
general residents: residents, population, inhabitants, people, persons | سكان, السكان, أهالي, الأهالي, قاطني
group citizen: citizen, citizens, public services users | مواطن, مواطنين, المواطنين, مواطنون
group local_authority: local authority staff, local government staff, local government officials | السلطة المحلية, السلطات المحلية
group municipal_staff/staff/local_authority: municipal staff, municipal employees, municipal officials, municipal workers, municipal personnel, council staff, municipality staff | موظفي البلدية, موظفي بلدية, موظفو البلدية, العاملين بالبلدية, العاملين في البلدية, كوادر البلدية, موظفي البلديات
group staff: staff, employees, personnel, workers, officials, civil servants, officers | موظفي, موظفين, موظفو, العاملين, عاملين, الموظفين, كوادر, الكوادر, عمال
group beneficiary: beneficiaries, beneficiary, recipients, participants, target group | مستفيدين, المستفيدين, مستفيدون, المشاركين
general municipal: municipal, municipality, municipalities, baladiya, baladiyat, local authority, local authorities | بلدي, بلدية, البلدي, البلدية, بلديات, البلديات
general local: local, locally | محلي, المحلي, محلية, المحلية
general public: public, general public | عامة, العامة, عام, العام, عمومي, عمومية
general management: management, manage, managing, operation, operations, operating, running | إدارة, تشغيل وإدارة, تسيير
general development: development, developmental, develop, sustainable | تنمية, التنمية, التنموية, تنموية, تنموي, مستدامة
general community: community, communities, communal, community-based | مجتمعي, المجتمعي, مجتمع, المجتمع, مجتمعية, المجتمعات, مجتمعات
general service: service, services, serving, serve, serves, service delivery, basic services, public services | خدمات, خدمة, الخدمات, الخدمة, خدمية, خدمي, الخدمات الأساسية, يخدم, تخدم
general delivery: delivery services | تقديم
general capacity: capacity, capacities, capability, institutional strengthening | قدرات, القدرات, قدرة, كفاءة
general skill: skill, skills, competencies, know-how | مهارات, مهارة, المهارات, كفاءات
general vocational: vocational, professional, technical, tvet, vocationally, technically | مهني, مهنية, المهني, فني, فنية, تقني, تقنية, مهنيا, تقنيا, فنيا
general primary: primary, basic, essential | أولية, الأولية, أساسية, الأساسية
general care: care | رعاية, الرعاية
general mobile: mobile, moving, itinerant | متنقلة, متنقل, جوالة, متنقلين
general team: team, teams, crew, squad | فرق, فريق, طواقم, طاقم
general session: session, sessions, meeting, meetings, forum, forums, event, events, seminar | جلسات, جلسة, لقاءات, لقاء, اجتماعات, منتدى, فعاليات, ندوة, ندوات
general initiative: initiative, initiatives, pilot, pilots, intervention, interventions, scheme, activities, activity | مبادرة, مبادرات, تجريبي, تجريبية, تدخل, تدخلات, أنشطة, نشاط
general participation: participation, involvement, role, contribution | مشاركة, دور, إسهام, مساهمة
general emergency: emergency, emergencies, urgent, humanitarian, crisis, response | طوارئ, الطوارئ, طارئ, طارئة, عاجلة, إنساني, إنسانية, أزمة, استجابة
general damaged: damaged, damage, destroyed, affected, war-damaged | متضررة, المتضررة, متضرر, المتضررين, مدمرة, متضررين, أضرار, تضررت
general access: access, accessibility | وصول, الوصول, نفاذ
general quality: quality | جودة, الجودة
general information: information, data | معلومات, المعلومات, بيانات
general collection: collection, collecting, collect | جمع, تحصيل
general reduction: reduction, reduce, reducing, mitigation, prevention, prevent | الحد, حد, خفض, تخفيف, وقاية, منع
general strengthening: strengthening, strengthen, promoting, promotion, promote, fostering, foster | تعزيز, تمكين المجتمع, دعم وتعزيز, تشجيع
general recovery: recovery, resilience, stabilisation, stabilization, reconstruction and recovery | تعافي, التعافي, صمود, الصمود, استقرار, الاستقرار
general popular: popular, traditional | شعبي, الشعبي, شعبية, تقليدي
general priority: priority, priorities | أولويات
general new_word: modern, additional | حديث, حديثة, إضافي, إضافية
general improvement: improvement, improve, improving, improved, enhancement, enhance, enhancing, better, efficiency, effectiveness | تحسين, رفع كفاءة, رفع الكفاءة, تحسين كفاءة, الارتقاء, النهوض
place neighbourhood: neighbourhood, neighborhood, district, quarter, area, areas, zone, locality, village, villages, town, city, region | منطقة, مناطق, حي, أحياء, قرية, قرى, مدينة, محلة, ضاحية
place site: site, sites, location, locations | موقع, مواقع
place country: libya, libyan, nationwide, national | ليبيا, الليبية, الليبي, وطني, وطنية
filler filler: based, field, using, one, stop, unit, units, sector, several, various, multiple, multi-purpose, multi purpose, purpose, through, including, phase-out, related, selected, target, targeted, type, specific, year, years, month, months, also, such, level, levels, kind, part | تعمل, يعمل, رفع, قطاع, مجال, إطار, موحد, وحدة, وحدات, عدد, عدة, مختلفة, متعددة الأغراض, الأغراض, أغراض, لصالح, المختلفة, العديد, بعض, مستوى, خاصة, إعادة, المستهدفة, مستهدفة, سنة, عام واحد
name january: january, jan | يناير, كانون الثاني
name february: february, feb | فبراير, شباط
name march: march | مارس, آذار
name april: april | أبريل, ابريل, نيسان
name may: | مايو, أيار
name june: june | يونيو, يونيه, حزيران
name july: july | يوليو, يوليه, تموز
name august: august | أغسطس, اغسطس, آب
name september: september, sept | سبتمبر, أيلول
name october: october | أكتوبر, اكتوبر, تشرين الأول
name november: november | نوفمبر, تشرين الثاني
name december: december | ديسمبر, كانون الأول
phase phase: phase, stage, component, lot | مرحلة, المرحلة, مراحل, طور, مكون, حزمة
phase topup: topup, top-up, extension phase, follow-up phase, follow up phase, follow-on phase, followup phase, continuation, scale-up, scale up | تكميلي, تكميلية, استكمال, امتداد, توسيع نطاق
ordinal 1: first, i, 1st | أول, الأول, الأولى, اولى, أولى
ordinal 2: second, ii, 2nd | ثاني, الثاني, الثانية, ثانية
ordinal 3: third, iii, 3rd | ثالث, الثالث, الثالثة, ثالثة
ordinal 4: fourth, iv, 4th | رابع, الرابع, الرابعة, رابعة
ordinal 5: fifth, v, 5th | خامس, الخامس, الخامسة, خامسة
"""

# Concepts a title names by its parts, in any order and in words the entries do not list: water
# carried by trucks is water trucking ("توزيع مياه الشرب بالشاحنات", "water delivered by tanker trucks"),
# waste and its collection (or its disposal) the waste service, health care that moves a mobile health
# service, a health centre named after a person or place ("مركز النور الصحي") a health facility. Each
# line is ``concept: part + part``; a record whose concepts (or the broader ones they imply) hold
# every part names the concept too (the parts stay: trucks for water are still trucks).
_COMPOUNDS = """
trucking: water + vehicle
trucking: water + tank + distribution
waste_service: waste + collection
waste_service: waste + cleaning
waste_service: waste + clearance
waste_service: waste + vehicle
waste_service: waste + bin
mobile_health: health + mobile
mobile_health: health + mobile_team
health_facility: health + centre
"""

KINDS = ("action", "thing", "head", "landmark", "field", "topic", "group", "general", "place", "filler", "name", "phase",
         "ordinal")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    phrases: dict[tuple[str, ...], tuple[str, ...]]  # normalised word keys → concepts
    known: frozenset[str]  # every word key that starts or continues an entry
    longest: int  # the longest entry, in words
    starts: dict[str, int]  # a word key → the longest entry it starts, in words
    kind: dict[str, str]  # concept → kind
    parents: dict[str, tuple[str, ...]]  # concept → its broader concepts, all the way up
    action_class: dict[str, str]  # action → its class, the broadest action it implies (repair → works)
    compounds: tuple[tuple[str, frozenset[str]], ...] = ()  # (concept, its parts): see ``_COMPOUNDS``


_PROCLITICS = frozenset("وبلفك")


def arabic_variants(key: str) -> list[str]:
    """Light-stemmed forms of an Arabic word (already without its article), most likely first:
    the article again (الإلكترونية: the article, then the إل of the word itself), a proclitic
    و ب ل ف ك off, then a feminine, plural or pronoun ending off (خطتها → خطة)."""
    from common.text import arabic_stem

    bases = [key]
    if key.startswith("ال"):
        bases.append(arabic_stem(key))
    if len(key) >= 4 and key[0] in _PROCLITICS:
        bases.append(arabic_stem(key[1:]))
    out = bases[1:]
    for base in bases:
        if len(base) < 4:
            continue
        if base.endswith("ه"):
            out.append(base[:-1])
        if base.endswith(("ات", "ين", "ون", "ها", "هم", "يه")):
            out.append(base[:-2])
            out.append(base[:-2] + "ه")
            if base.endswith(("تها", "تهم")):
                out.append(base[:-3] + "ه")
        if base.endswith("ي"):
            out.append(base + "ه")
    return out


@lru_cache(maxsize=100_000)
def resolve_arabic(key: str) -> str:
    """The form of an Arabic word the vocabulary knows (``key`` itself when it knows none)."""
    known = vocabulary().known
    if key in known:
        return key
    return next((v for v in arabic_variants(key) if v in known), key)


def entry_keys(entry: str) -> tuple[str, ...]:
    """An entry's words as title words are looked up (stop words dropped, stemmed)."""
    from common.text import words

    return tuple(w.key for w in words(entry) if not w.stop or w.text in ("i", "v"))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    phrases: dict[tuple[str, ...], list[str]] = {}
    errors: list[str] = []
    kind: dict[str, str] = {}
    direct: dict[str, tuple[str, ...]] = {}
    for line in _TABLE.strip().splitlines():
        head, entries = line.split(":", 1)
        concept_kind, path = head.split()
        concept, *parents = path.split("/")
        if concept in kind and kind[concept] != concept_kind:
            raise ValueError(f"concept {concept} has two kinds")
        kind[concept] = concept_kind
        direct[concept] = tuple(dict.fromkeys(direct.get(concept, ()) + tuple(parents)))
        english, arabic = entries.split("|")
        for entry in english.split(",") + arabic.split(","):
            entry = entry.strip()
            if not entry:
                continue
            keys = entry_keys(entry)
            if not keys or (len(keys) == 1 and len(entry.replace("-", " ").split()) > 1
                            and entry.replace("-", "") not in ("onestop",)):
                errors.append(f"{concept}: the entry {entry!r} reduces to {keys}")
                continue
            concepts = phrases.setdefault(keys, [])
            if concept not in concepts:
                concepts.append(concept)
    for concept, parents in direct.items():
        errors.extend(f"{concept}: unknown parent {parent}" for parent in parents if parent not in kind)
    # A word of a phrase written with a proclitic or an ending ("إصلاح وتأهيل") is kept in the form
    # the single-word entries know, the form titles are looked up by.
    singles = {keys[0] for keys in phrases if len(keys) == 1}
    for keys in [k for k in phrases if len(k) > 1]:
        fixed = tuple(
            k if k in singles or not k[:1] >= "\u0600" else next((v for v in arabic_variants(k) if v in singles), k)
            for k in keys
        )
        if fixed != keys:
            for concept in phrases.pop(keys):
                if concept not in phrases.setdefault(fixed, []):
                    phrases[fixed].append(concept)
    if errors:
        raise ValueError("; ".join(errors))

    def ancestors(concept: str, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
        out: list[str] = []
        for parent in direct.get(concept, ()):
            if parent not in seen and parent not in out:
                out.append(parent)
                out.extend(a for a in ancestors(parent, seen + (concept,)) if a not in out)
        return tuple(out)

    known = frozenset(k for keys in phrases for k in keys)
    starts: dict[str, int] = {}
    for keys in phrases:
        starts[keys[0]] = max(starts.get(keys[0], 0), len(keys))
    parents = {c: ancestors(c) for c in kind}
    action_class = {}
    for c, k in kind.items():
        if k == "action":
            broader = [p for p in parents[c] if kind[p] == "action"]
            action_class[c] = broader[-1] if broader else c
    compounds = []
    for line in _COMPOUNDS.strip().splitlines():
        concept, parts = (x.strip() for x in line.split(":", 1))
        part_set = frozenset(x.strip() for x in parts.split("+"))
        unknown = sorted(c for c in (concept, *part_set) if c not in kind)
        if unknown:
            raise ValueError(f"compound {concept}: unknown concepts {unknown}")
        compounds.append((concept, part_set))
    return Vocabulary(
        phrases={k: tuple(v) for k, v in phrases.items()}, known=known, longest=max(len(k) for k in phrases),
        starts=starts, kind=kind, parents=parents, action_class=action_class, compounds=tuple(compounds),
    )


def compounds_apply(concepts: dict[str, float], weight_of: dict[str, float]) -> dict[str, float]:
    """``concepts`` with the compound concepts their parts name (``_COMPOUNDS``), each at the weight of
    its kind (``weight_of``)."""
    voc = vocabulary()
    if not voc.compounds or len(concepts) < 2:
        return concepts
    closure = set(concepts)
    for c in concepts:
        closure.update(voc.parents[c])
    out = None
    for concept, parts in voc.compounds:
        if concept in closure or not parts <= closure:
            continue
        out = dict(concepts) if out is None else out
        out[concept] = max(out.get(concept, 0.0), weight_of.get(voc.kind[concept], 0.0))
        closure.add(concept)
        closure.update(voc.parents[concept])
    return concepts if out is None else out

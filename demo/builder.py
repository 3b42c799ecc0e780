"""The generator's working state: weighted pools of places, sectors and partners, and project assembly."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from demo.chance import Weighted, randint
from demo.partners import IMPLEMENTERS, funder_weight, implementer_weight, works_in
from demo.records import (
    ParticipationRec,
    PartnerRef,
    ProgrammeRec,
    ProjectRec,
    Reference,
    RelatedRec,
    SiteRec,
    TransactionRec,
)
from demo.schedule import ACCEPTED, IMPLEMENTATION, REPORTING_MONTHS, Schedule, build_updates
from demo.vocabulary import OBJECTS, PHASES, PROGRAMME_TITLES, PURPOSE, THEMES, Template, qualified_object, theme_for

FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = 1, 2, 3, 4
INCOMING_FUNDS, OUTGOING_COMMITMENT, DISBURSEMENT, EXPENDITURE, INCOMING_COMMITMENT = 1, 2, 3, 4, 11
FUNDER_TYPES = {10, 15, 30, 40, 60}
IMPLEMENTER_TYPES = {21, 22, 23, 24, 40, 70, 80, 90}
_EURO = {"AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL",
         "PT", "SI", "SK", "EU"}
_COUNTRY_CURRENCY = {"GB": "GBP", "CH": "CHF", "LY": "LYD", "JP": "JPY", "NO": "NOK", "SE": "SEK", "DK": "DKK",
                     "CA": "CAD", "AU": "AUD", "TR": "TRY"}
_SECTOR_SPLITS = {2: ((50, 50), (60, 40), (70, 30), (75, 25), (80, 20), (90, 10)),
                  3: ((50, 30, 20), (60, 20, 20), (40, 30, 30), (34, 33, 33))}
_SHARE_SPLITS = {2: ((50, 50), (60, 40), (70, 30)), 3: ((50, 25, 25), (40, 30, 30), (34, 33, 33))}
LANGS = ("ar", "en", "both")
PROJECT_LANG = Weighted(LANGS, (30, 30, 40))  # Arabic only, English only, bilingual
PROGRAMME_LANG = Weighted(LANGS, (5, 15, 80))
MUNI_COUNT = Weighted((1, 2, 3), (45, 35, 20))
SECTOR_COUNT = Weighted((1, 2, 3), (60, 30, 10))


def _roman(number: int) -> str:
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _join(names: list[str], comma: str, last: str) -> str:
    return names[0] if len(names) == 1 else comma.join(names[:-1]) + last + names[-1]


@dataclass(slots=True)
class Activity:
    """What is done where: a template applied to one object in one or more municipalities."""

    template: Template
    theme: str
    sector: int  # index of the primary sector
    obj_index: int
    munis: list[int]  # municipality indexes, primary first


@dataclass(slots=True)
class Draft:
    """A project before keys and IATI identifiers are given out (after the final shuffle)."""

    rec: ProjectRec
    funder: int
    implementer: int
    reporter: int
    activity: Activity
    budget_usd: float | None
    wants_iati: bool
    wants_code: bool
    links: list[tuple[object, str, Draft]] = field(default_factory=list)


class World:
    def __init__(self, reference: Reference, rng: random.Random, today: date) -> None:
        self.rng, self.today = rng, today
        self.munis = list(reference.municipalities)
        self.sectors = list(reference.sectors)
        self.partners = list(reference.partners)
        themes = [theme_for(s.code, s.name_en, s.name_ar) for s in self.sectors]
        self.sector_theme = [t for t, _ in themes]
        self.sector_weight = [w * rng.uniform(0.7, 1.3) for _, w in themes]
        self.weight_of_muni = [((m.population or 20000) ** 0.7) for m in self.munis]
        self.by_district: dict[int, list[int]] = {}
        for i, m in enumerate(self.munis):
            self.by_district.setdefault(m.district_id, []).append(i)
        self.all_pool = Weighted(list(range(len(self.munis))), self.weight_of_muni)
        # Coverage plan (set by the generator before any project is made).
        self.unreached: set[int] = set()
        self.orphan_sector: int | None = None
        self.blocked: set[tuple[int, int]] = set()
        self.active_pools: list[Weighted[int]] = []
        self.used: set[tuple[int, str, int]] = set()
        self._rates: dict[str, list[tuple[int, Decimal]]] = {}
        for r in reference.rates:
            self._rates.setdefault(r.currency.upper(), []).append((r.year, r.usd_per_unit))
        # Each partner's share of the work as in the real portfolio (demo.partners), varied a little per seed.
        jitter = [rng.uniform(0.8, 1.25) for _ in self.partners]
        funders = [i for i, p in enumerate(self.partners) if p.org_type in FUNDER_TYPES] or list(range(len(self.partners)))
        implementers = [i for i, p in enumerate(self.partners)
                        if p.org_type in IMPLEMENTER_TYPES or p.acronym in IMPLEMENTERS] or list(range(len(self.partners)))
        self.funders = Weighted(funders, [funder_weight(self.partners[i].acronym) * jitter[i] for i in funders])
        self.implementer_weight = {i: implementer_weight(self.partners[i].acronym) * jitter[i] for i in implementers}
        self.implementers = Weighted(implementers, [self.implementer_weight[i] for i in implementers])
        self._implementers_in: dict[int, Weighted[int]] = {}
        self.programmes: list[ProgrammeRec] = []
        self.programme_theme: list[str | None] = []
        self.programmes_of: dict[int, list[int]] = {}
        self._programme_options: dict[tuple[int, str], list[int]] = {}

    # -- coverage plan ----------------------------------------------------------------------------

    def allowed(self, m: int, s: int, active: bool) -> bool:
        if not active:
            return True
        return m not in self.unreached and s != self.orphan_sector and (m, s) not in self.blocked

    def build_active_pools(self) -> None:
        self.active_pools = []
        for s in range(len(self.sectors)):
            members = [m for m in range(len(self.munis)) if self.allowed(m, s, True)]
            self.active_pools.append(Weighted(members, [self.weight_of_muni[m] for m in members]))
        ok = [s for s, pool in enumerate(self.active_pools) if pool]
        self.active_sectors = Weighted(ok, [self.sector_weight[s] for s in ok])
        self.any_sectors = Weighted(list(range(len(self.sectors))), self.sector_weight)

    # -- picking ----------------------------------------------------------------------------------

    def pick_sector(self, active: bool) -> int:
        return (self.active_sectors if active else self.any_sectors).draw(self.rng)

    def pick_template(self, s: int, exclude: Template | None = None) -> Template:
        options = [t for t in THEMES[self.sector_theme[s]] if t is not exclude]
        return self.rng.choice(options or THEMES[self.sector_theme[s]])

    def pick_munis(self, s: int, active: bool, count: int) -> list[int]:
        """A primary municipality (weighted by population), then neighbours from its district."""
        primary = (self.active_pools[s] if active else self.all_pool).draw(self.rng)
        munis = [primary]
        if count > 1:
            near = [m for m in self.by_district[self.munis[primary].district_id]
                    if m != primary and self.allowed(m, s, active)]
            self.rng.shuffle(near)
            munis += near[: count - 1]
        return munis

    def take_object(self, template: Template, munis: list[int]) -> int:
        """An object index not yet used in these municipalities for this slot, reserved from now on."""
        size = len(OBJECTS[template.kind])
        index = -1
        for _ in range(8):
            candidate = randint(self.rng, 0, size - 1)
            if not any((m, template.slot, candidate) in self.used for m in munis):
                index = candidate
                break
        if index < 0:
            index = self.rng.randrange(size) + size
            while any((m, template.slot, index) in self.used for m in munis):
                index += size
        for m in munis:
            self.used.add((m, template.slot, index))
        return index

    def object_free(self, template: Template, m: int, index: int) -> bool:
        return (m, template.slot, index) not in self.used

    def new_activity(self, s: int, active: bool, *, munis: list[int] | None = None,
                     template: Template | None = None, single: bool = False) -> Activity:
        template = template or self.pick_template(s)
        if munis is None:
            count = 1
            if template.multi and not single:
                count = MUNI_COUNT.draw(self.rng)
            munis = self.pick_munis(s, active, count)
        return Activity(template, self.sector_theme[s], s, self.take_object(template, munis), munis)

    def implementers_in(self, s: int | None) -> Weighted[int]:
        """The implementers that work in sector ``s`` (all of them when none does, or no sector is given)."""
        if s is None:
            return self.implementers
        if s not in self._implementers_in:
            code = self.sectors[s].code
            members = [i for i in self.implementer_weight if works_in(self.partners[i].acronym, code)]
            self._implementers_in[s] = (Weighted(members, [self.implementer_weight[i] for i in members])
                                        if members else self.implementers)
        return self._implementers_in[s]

    def pick_parties(self, *, sector: int | None = None, distinct: bool = False,
                     avoid: set[int] = frozenset()) -> tuple[int, int]:
        """(funder, implementer) partner indexes for a project in ``sector``, avoiding ``avoid`` when the partner
        list allows."""
        rng = self.rng
        implementers = self.implementers_in(sector)
        for _ in range(30):
            funder = self.funders.draw(rng)
            if (self.partners[funder].org_type == 40 and rng.random() < 0.3 and not distinct
                    and funder in implementers.members):
                implementer = funder  # an agency implementing its own money
            else:
                implementer = implementers.draw(rng)
            if (distinct and funder == implementer) or {funder, implementer} & avoid:
                continue
            return funder, implementer
        # Few partners: take any that fit, and give up on ``avoid`` before giving up on ``distinct``.
        others = [i for i in range(len(self.partners)) if i not in avoid] or list(range(len(self.partners)))
        funder = rng.choice(others)
        rest = [i for i in others if i != funder] or [i for i in range(len(self.partners)) if i != funder]
        return funder, (rng.choice(rest) if rest else funder)

    def pick_reporter(self, funder: int, implementer: int) -> int:
        if funder == implementer:
            return funder
        implementer_reports = self.partners[implementer].org_type in (40, 21) and self.rng.random() < 0.7
        return implementer if implementer_reports else funder

    def has_iati(self, partner: int) -> bool:
        return bool(self.partners[partner].iati_ref)

    # -- money ------------------------------------------------------------------------------------

    def usd_per_unit(self, currency: str, year: int) -> Decimal:
        if currency == "USD":
            return Decimal(1)
        rates = self._rates[currency]
        return min(rates, key=lambda yr: (abs(yr[0] - year), -yr[0]))[1]

    def currency_for(self, partner: PartnerRef) -> str:
        rng = self.rng
        if partner.country == "LY" or partner.org_type in (22, 24):
            preferred = "LYD"
        elif partner.country in _EURO or "european" in partner.name_en.lower():
            preferred = "EUR"
        else:
            preferred = _COUNTRY_CURRENCY.get(partner.country, "USD")
        if preferred != "USD" and preferred in self._rates and rng.random() < 0.7:
            return preferred
        others = sorted(self._rates)
        if others and rng.random() < 0.1:
            return rng.choice(others)
        return "USD"

    def in_currency(self, usd: float, currency: str, year: int) -> Decimal:
        value = Decimal(str(usd)) / self.usd_per_unit(currency, year)
        step = Decimal(1000) if value > 50000 else Decimal(100)
        return max(step, (value / step).quantize(Decimal(1)) * step).quantize(Decimal("0.01"))

    # -- programmes -------------------------------------------------------------------------------

    def plan_programmes(self, count: int) -> None:
        rng = self.rng
        members = sorted(set(self.funders.members) | set(self.implementers.members))
        leads = Weighted(members, [1.0] * len(members))
        repeats: dict[tuple[int, str], int] = {}
        broad = [title for title in PROGRAMME_TITLES if title[0] is None]
        for k in range(count):
            if k < len(leads.members):  # every partner leads at least one broad programme
                partner = leads.members[k]
                theme, en, ar = rng.choice(broad)
            else:
                partner = leads.draw(rng)
                theme, en, ar = rng.choice(PROGRAMME_TITLES)
            seen = repeats[(partner, en)] = repeats.get((partner, en), 0) + 1
            if seen > 1:  # a partner's second programme of a kind: "… II"
                numeral = _roman(seen)
                en, ar = f"{en} {numeral}", f"{ar} {numeral}"
            lang = PROGRAMME_LANG.draw(rng)
            ref = self.partners[partner]
            code = f"{ref.acronym or 'P' + str(ref.id)}-PRG-{k + 1:04d}"
            description = f"{en}, led by {ref.acronym or ref.name_en or ref.name_ar}." if lang != "ar" else ""
            self.programmes.append(ProgrammeRec(
                key=f"G{k + 1:05d}", partner_id=ref.id, code=code, title_en=en if lang != "ar" else "",
                title_ar=ar if lang != "en" else "", description=description))
            self.programme_theme.append(theme)
            self.programmes_of.setdefault(partner, []).append(k)

    def pick_programme(self, theme: str, *partners: int) -> str | None:
        if self.rng.random() >= 0.6:
            return None
        for partner in partners:
            options = self._programme_options.get((partner, theme))
            if options is None:
                options = [k for k in self.programmes_of.get(partner, ()) if self.programme_theme[k] in (None, theme)]
                self._programme_options[(partner, theme)] = options
            if options:
                return self.programmes[self.rng.choice(options)].key
        return None

    # -- projects ---------------------------------------------------------------------------------

    def sector_split(self, act: Activity, active: bool) -> list[tuple[int, Decimal]]:
        rng = self.rng
        count = SECTOR_COUNT.draw(rng) if len(self.sectors) > 1 else 1
        if count == 1:
            return [(self.sectors[act.sector].id, Decimal("100.00"))]
        others = [s for s in range(len(self.sectors))
                  if s != act.sector and (not active or all(self.allowed(m, s, True) for m in act.munis))]
        chosen = [act.sector] + rng.sample(others, min(count - 1, len(others)))
        split = rng.choice(_SECTOR_SPLITS[len(chosen)]) if len(chosen) > 1 else (100,)
        return [(self.sectors[s].id, Decimal(pct).quantize(Decimal("0.01"))) for s, pct in zip(chosen, split, strict=True)]

    def locations(self, munis: list[int]) -> list[tuple[int, Decimal | None]]:
        rng = self.rng
        ids = [self.munis[m].id for m in munis]
        if rng.random() < 0.5:
            return [(i, None) for i in ids]
        split = (100,) if len(ids) == 1 else rng.choice(_SHARE_SPLITS[len(ids)])
        return [(i, Decimal(pct).quantize(Decimal("0.01"))) for i, pct in zip(ids, split, strict=True)]

    def titles(self, act: Activity, lang: str, alt: bool, phase: int | None) -> tuple[str, str]:
        t = act.template
        obj_en, obj_ar = qualified_object(t.kind, act.obj_index)
        names = [self.munis[m] for m in act.munis]
        mun_en = _join([m.name_en or m.name_ar for m in names], ", ", " and ")
        mun_ar = _join([m.name_ar or m.name_en for m in names], "، ", " و")
        sector = self.sectors[act.sector]
        sector_en = sector.name_en or sector.code
        if not sector_en[:2].isupper():  # "Rule of law" reads "rule of law" mid-sentence; "ICT" stays
            sector_en = sector_en[0].lower() + sector_en[1:]
        values = {"obj_en": obj_en, "obj_ar": obj_ar, "mun_en": mun_en, "mun_ar": mun_ar,
                  "sector_en": sector_en, "sector_ar": sector.name_ar or sector.name_en}
        en = (t.alt_en if alt else t.en).format(**values)
        ar = (t.alt_ar if alt else t.ar).format(**values)
        if phase is not None:
            en, ar = f"{en} – {PHASES[phase][0]}", f"{ar} – {PHASES[phase][1]}"
        return (ar if lang != "en" else ""), (en if lang != "ar" else "")

    def sites(self, act: Activity, like: list[SiteRec] | None, spread: float) -> list[SiteRec]:
        rng = self.rng
        if like is not None:
            return [SiteRec(s.name_en, s.name_ar, round(s.lon + rng.uniform(-spread, spread), 6),
                            round(s.lat + rng.uniform(-spread, spread), 6), s.municipality_id) for s in like]
        t = act.template
        muni = self.munis[act.munis[0]]
        if t.site_en is None or muni.lon is None or muni.lat is None or rng.random() < 0.15:
            return []
        obj_en, obj_ar = qualified_object(t.kind, act.obj_index)
        return [SiteRec(t.site_en.format(obj_en=obj_en), t.site_ar.format(obj_ar=obj_ar),
                        round(muni.lon + rng.gauss(0, 0.015), 6), round(muni.lat + rng.gauss(0, 0.015), 6), muni.id)]

    def make_project(self, act: Activity, sched: Schedule, funder: int, implementer: int, reporter: int, *,
                     alt: bool = False, phase: int | None = None, budget_usd: float | None = None,
                     sectors: list[tuple[int, Decimal]] | None = None, sites_like: list[SiteRec] | None = None,
                     site_spread: float = 0.0008, state: str = ACCEPTED, wants_iati: bool | None = None,
                     background: bool = True) -> Draft:
        rng, today = self.rng, self.today
        active = sched.status == IMPLEMENTATION
        lang = PROJECT_LANG.draw(rng)
        title_ar, title_en = self.titles(act, lang, alt, phase)
        t = act.template
        if budget_usd is None and (not background or rng.random() >= 0.03):
            lo, hi = t.budget_k_usd
            budget_usd = round(math.exp(rng.uniform(math.log(lo), math.log(hi))) * 1000, -2)
        currency = self.currency_for(self.partners[reporter])
        budget = None if budget_usd is None else self.in_currency(budget_usd, currency, sched.planned_start.year)
        started = sched.actual_start is not None
        spend = Decimal("0.00")
        if budget is not None and started:
            share = min(1.0, max(0.0, sched.progress / 100 + rng.uniform(-0.08, 0.05)))
            spend = (budget * Decimal(f"{share:.4f}")).quantize(Decimal("0.01"))
        targeted = randint(rng, *t.beneficiaries)
        reached = int(targeted * min(1.0, sched.progress / 100 * rng.uniform(0.85, 1.1))) if started else None
        participations = [ParticipationRec(self.partners[funder].id, FUNDING),
                          ParticipationRec(self.partners[implementer].id, IMPLEMENTING)]
        if rng.random() < 0.4:
            participations.append(ParticipationRec(self.partners[implementer].id, ACCOUNTABLE))
        if funder != implementer and rng.random() < 0.2:
            participations.append(ParticipationRec(self.partners[funder].id, EXTENDING))
        if background and rng.random() < 0.1:
            co = self.funders.draw(rng)
            if co != funder:
                participations.append(ParticipationRec(self.partners[co].id, FUNDING))
        rec = ProjectRec(
            key="", programme_key=self.pick_programme(act.theme, reporter, funder, implementer),
            reporting_partner_id=self.partners[reporter].id, iati_identifier=None, partner_code="",
            title_ar=title_ar, title_en=title_en, description_ar="", description_en="",
            status=sched.status, planned_start=sched.planned_start, planned_end=sched.planned_end,
            actual_start=sched.actual_start, actual_end=sched.actual_end, budget=budget, currency=currency,
            spend_to_date=spend, beneficiaries_targeted=targeted, beneficiaries_reached=reached,
            progress_percent=Decimal(f"{sched.progress:.2f}"), state=state,
            sectors=sectors if sectors is not None else self.sector_split(act, active),
            locations=self.locations(act.munis), participations=participations,
            sites=self.sites(act, sites_like, site_spread),
        )
        if rng.random() < 0.88:
            self.describe(rec, act, lang, funder, implementer, targeted)
        rec.reporting_frequency = REPORTING_MONTHS.draw(rng)
        rec.updates = build_updates(rng, sched, today, spend, reached, months=rec.reporting_frequency)
        if background and started and budget is not None and funder != implementer and rng.random() < 0.35:
            self.background_transactions(rec, sched, funder, implementer, reporter, budget, spend)
        if wants_iati is None:
            wants_iati = rng.random() < 0.4
        return Draft(rec, funder, implementer, reporter, act, budget_usd,
                     wants_iati=wants_iati and self.has_iati(reporter), wants_code=rng.random() < 0.65)

    def describe(self, rec: ProjectRec, act: Activity, lang: str, funder: int, implementer: int, people: int) -> None:
        f, i = self.partners[funder], self.partners[implementer]
        muni = self.munis[act.munis[0]]
        purpose_en, purpose_ar = PURPOSE[act.theme]
        if lang != "ar":
            who = (f"implemented directly by {i.acronym or i.name_en}" if funder == implementer
                   else f"implemented by {i.acronym or i.name_en} with funding from {f.acronym or f.name_en}")
            rec.description_en = (f"{rec.title_en or rec.title_ar}. The project is {who} and targets about "
                                  f"{people:,} people in {muni.name_en or muni.name_ar}. {purpose_en}")
        if lang != "en":
            who = (f"ينفذه {i.name_ar or i.acronym} مباشرة" if funder == implementer
                   else f"ينفذه {i.name_ar or i.acronym} بتمويل من {f.name_ar or f.acronym}")
            rec.description_ar = (f"{rec.title_ar or rec.title_en}. {who}، ويستهدف نحو {people} شخصاً في "
                                  f"{muni.name_ar or muni.name_en}. {purpose_ar}")

    def background_transactions(self, rec: ProjectRec, sched: Schedule, funder: int, implementer: int,
                                reporter: int, budget: Decimal, spend: Decimal) -> None:
        f, i = self.partners[funder].id, self.partners[implementer].id
        assert sched.actual_start is not None
        if reporter == implementer:
            kind = INCOMING_FUNDS if self.rng.random() < 0.6 else INCOMING_COMMITMENT
        else:
            kind = OUTGOING_COMMITMENT if self.rng.random() < 0.5 else DISBURSEMENT
        rec.transactions.append(TransactionRec(kind, sched.actual_start, budget, rec.currency, f, i))
        if spend > 0 and reporter == implementer:
            day = sched.last_update_end or sched.actual_start
            rec.transactions.append(TransactionRec(EXPENDITURE, day, spend, rec.currency, i, None))

    def link(self, source: Draft, target: Draft, obj: object, attr: str) -> None:
        """Set ``obj.attr`` to ``target``'s IATI identifier once identifiers are given out."""
        source.links.append((obj, attr, target))

    def relate(self, source: Draft, target: Draft, relation: int) -> None:
        related = RelatedRec(relation)
        source.rec.related.append(related)
        source.links.append((related, "iati_identifier", target))
        source.links.append((related, "related_key", target))

"""The evaluation portfolio from a seed: shared activities that a funder and its implementer each
publish (double reports with different reporting-org and identifier prefix, no provider-activity-id),
other organisations doing the same work in the same place (overlaps), and the hard negatives: the
twin family of work in the same place with the same code, the same activity in a neighbouring
municipality, a later phase, and two contracts of one funder published by that funder.

``eval_generate`` returns the activities and the labels; ``writer.eval_write`` writes them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from demo.iati_eval.activities import BY_KEY, FAMILIES, PHASE_AR, PHASE_EN, Family
from demo.iati_eval.places import Place, neighbours, place_written, places_read
from demo.iati_eval.publishers import DONORS, IMPLEMENTERS, Publisher

# A true pair's class; a hard negative's class.
DOUBLE_REPORT, OVERLAP = "double_report", "overlap"
OTHER_WORK, NEIGHBOUR, LATER_PHASE, TWO_CONTRACTS = "other_work", "neighbour", "later_phase", "two_contracts"


@dataclass
class EvalActivity:
    identifier: str
    publisher: Publisher
    funder: Publisher
    implementer: Publisher
    title_en: str
    title_ar: str
    dac: str
    place: Place
    place_name: str
    point: tuple[float, float] | None
    start: date
    end: date
    budget: int
    currency: str
    templates: tuple[str, str] = ("", "")  # the phrasings its titles came from


@dataclass
class EvalSet:
    seed: int
    activities: list[EvalActivity] = field(default_factory=list)
    pairs: list[dict] = field(default_factory=list)  # {"a", "b", "duplicate", "class", "traits"}

    def labels(self) -> dict:
        return {"seed": self.seed, "generator": "demo.iati_eval", "activities": len(self.activities),
                "pairs": self.pairs}


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.places = places_read()
        self.near = neighbours(self.places)
        self.out = EvalSet(seed)
        self.serial = 0
        self.used: set[tuple[str, str]] = set()  # (family, p-code) taken: no unlabelled look-alikes

    def _free(self, family: Family, place: Place) -> bool:
        keys = {(family.key, place.pcode)}
        if family.twin:
            keys.add((family.twin, place.pcode))
        for other in self.near.get(place.pcode, [])[:1]:
            keys.add((family.key, other.pcode))
        if keys & self.used:
            return False
        self.used |= keys
        return True

    def _title(self, family: Family, pub: Publisher, name: str, avoid: tuple[str, str] = ("", "")
               ) -> tuple[str, str, tuple[str, str]]:
        """(English, Arabic) titles in the publisher's language, with phrasings other than ``avoid``'s
        (another record's templates), and the templates used."""
        rng = self.rng
        lang = rng.choice(pub.title_langs)
        en_choices = [t for t in family.en if t != avoid[0]] or list(family.en)
        ar_choices = [t for t in family.ar if t != avoid[1]] or list(family.ar)
        en = rng.choice(en_choices) if lang in ("en", "both") else ""
        ar = rng.choice(ar_choices) if lang in ("ar", "both") else ""
        templates = (en, ar)
        if rng.random() < 0.15:  # some publishers leave the place out of the title
            en, ar = en.replace(" in {p}", "").replace(", {p}", ""), ar.replace(" في {p}", "")
        return en.format(p=name), ar.format(p=name), templates

    def _record(self, pub: Publisher, funder: Publisher, impl: Publisher, family: Family, place: Place,
                start: date, end: date, budget: int, avoid: tuple[str, str] = ("", ""),
                phase: bool = False) -> EvalActivity:
        rng = self.rng
        self.serial += 1
        habit = rng.choice(pub.place_habits)
        # Names in titles and locations: the same habit (a publisher writes a place one way).
        other_rng = random.Random(rng.random())
        name = place_written(place, other_rng, habit)
        # An Arabic title writes the place in Arabic, whatever the publisher's Latin spelling.
        title_en, title_ar, templates = self._title(family, pub, "\x00", avoid)
        title_en = title_en.replace("\x00", name if habit != "arabic" else place.name_en)
        title_ar = title_ar.replace("\x00", place.name_ar)
        if phase:
            title_en = rng.choice(PHASE_EN).format(t=title_en) if title_en else ""
            title_ar = rng.choice(PHASE_AR).format(t=title_ar) if title_ar else ""
        point = None
        if place.point is not None and rng.random() < pub.points:
            point = (round(place.point[0] + rng.uniform(-0.005, 0.005), 5),
                     round(place.point[1] + rng.uniform(-0.005, 0.005), 5))
        dac = family.broad if rng.random() < pub.broad_codes else family.dac
        code = f"LBY-{start.year}-{self.serial:04d}" if pub is funder else f"{self.serial:05d}"
        currency = "EUR" if pub in DONORS else rng.choice(("USD", "EUR"))
        amount = budget if pub is funder else int(budget * rng.uniform(0.85, 1.0))
        return EvalActivity(f"{pub.ref}-{code}", pub, funder, impl, title_en, title_ar, dac, place, name, point,
                            start, end, amount, currency, templates)

    def _period(self) -> tuple[date, date]:
        start = date(2019, 1, 1) + timedelta(days=self.rng.randrange(0, 5 * 365))
        return start, start + timedelta(days=self.rng.randrange(365, 3 * 365))

    def _shift(self, start: date, end: date) -> tuple[date, date]:
        """The implementer's actual dates: a little after the funder's planned ones."""
        s = start + timedelta(days=self.rng.randrange(0, 60))
        return s, max(s + timedelta(days=200), end + timedelta(days=self.rng.randrange(-30, 60)))

    def _pair(self, a: EvalActivity, b: EvalActivity, duplicate: bool, cls: str) -> None:
        traits = []
        if (bool(a.title_en), bool(a.title_ar)) != (bool(b.title_en), bool(b.title_ar)) and not (
                (a.title_en and b.title_en) or (a.title_ar and b.title_ar)):
            traits.append("cross_language")
        if a.dac != b.dac:
            traits.append("broad_code")
        if a.point is None or b.point is None:
            traits.append("name_only_place")
        self.out.pairs.append({"a": a.identifier, "b": b.identifier, "duplicate": duplicate, "class": cls,
                               "traits": traits})

    def shared(self, family: Family, place: Place, funder: Publisher, impl: Publisher, start: date, end: date,
               budget: int, phase: bool = False) -> tuple[EvalActivity, EvalActivity]:
        f = self._record(funder, funder, impl, family, place, start, end, budget, phase=phase)
        i_start, i_end = self._shift(start, end)
        i = self._record(impl, funder, impl, family, place, i_start, i_end, budget,
                         avoid=f.templates, phase=phase)
        self.out.activities += [f, i]
        self._pair(f, i, True, DOUBLE_REPORT)
        return f, i

    def build(self, n_shared: int) -> EvalSet:
        rng = self.rng
        with_points = [p for p in self.places if p.pcode in self.near and self.near[p.pcode]]
        for _ in range(n_shared):
            family = rng.choice(FAMILIES)
            place = rng.choice(with_points)
            if not self._free(family, place):
                continue
            for other in self.near[place.pcode][:1]:
                self.used.add((family.key, other.pcode))
            funder, impl = rng.choice(DONORS), rng.choice(IMPLEMENTERS)
            start, end = self._period()
            budget = rng.randrange(300, 6000) * 1000
            f, i = self.shared(family, place, funder, impl, start, end, budget)
            roll = rng.random()
            if roll < 0.15:  # the same activity in a neighbouring municipality
                other = self.near[place.pcode][0]
                f2, i2 = self.shared(family, other, funder, impl, start + timedelta(days=rng.randrange(0, 40)),
                                     end, budget)
                for x in (f, i):
                    for y in (f2, i2):
                        self._pair(x, y, False, NEIGHBOUR)
            elif roll < 0.3:  # a later phase, the same partners
                s2 = end + timedelta(days=rng.randrange(20, 200))
                f2, i2 = self.shared(family, place, funder, impl, s2, s2 + (end - start), budget, phase=True)
                for x in (f, i):
                    for y in (f2, i2):
                        self._pair(x, y, False, LATER_PHASE)
            elif roll < 0.45 and family.twin:  # other work with the same code in the same place
                twin = BY_KEY[family.twin]
                self.used.add((twin.key, place.pcode))
                funder2 = rng.choice(DONORS)
                f2, i2 = self.shared(twin, place, funder2, impl, start + timedelta(days=rng.randrange(0, 90)),
                                     end, budget)
                for x in (f, i):
                    for y in (f2, i2):
                        self._pair(x, y, False, OTHER_WORK)
            elif roll < 0.57:  # two contracts of one funder, published by the funder alone
                # (an implementer that does not publish: its record would match either contract)
                self.out.activities.remove(i)
                self.out.pairs.pop()
                c2 = self._record(funder, funder, impl, family, place, start + timedelta(days=rng.randrange(0, 90)),
                                  end, int(budget * rng.uniform(0.3, 0.9)), avoid=f.templates)
                self.out.activities.append(c2)
                self._pair(f, c2, False, TWO_CONTRACTS)
            elif roll < 0.7:  # another organisation doing the same work there at the same time
                other_impl = rng.choice([p for p in IMPLEMENTERS if p is not impl])
                o = self._record(other_impl, other_impl, other_impl, family, place, *self._shift(start, end),
                                 budget // 2, avoid=i.templates)
                self.out.activities.append(o)
                self._pair(f, o, True, OVERLAP)
                self._pair(i, o, True, OVERLAP)
        # Background: single records of anything, anywhere.
        for _ in range(n_shared // 2):
            impl = rng.choice(IMPLEMENTERS)
            start, end = self._period()
            family, place = rng.choice(FAMILIES), rng.choice(self.places)
            if not self._free(family, place):
                continue
            a = self._record(impl, impl, impl, family, place, start, end,
                             rng.randrange(100, 3000) * 1000)
            self.out.activities.append(a)
        return self.out


def eval_generate(seed: int, shared: int = 120) -> EvalSet:
    """The evaluation set of this seed: ``shared`` activities reported by their funder and implementer,
    with the overlaps and hard negatives around them, and single records in the background."""
    return _Builder(seed).build(shared)

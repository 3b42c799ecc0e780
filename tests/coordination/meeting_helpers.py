"""A committee world around Murzuq for the meetings tests (and the browser journey): the Murzuq portfolio of
place_helpers, its open flags (a UNDP/UNICEF water duplicate, a gap, a delay), a series with a first meeting."""

from __future__ import annotations

import datetime as dt

from coordination.models import DelayFlag, DuplicateFlag, GapFlag
from tests.coordination.place_helpers import murzuq_portfolio, project


def committee_world(personas, undp, unicef) -> dict:
    from coordination.services.meetings import meeting_create, series_create

    world = murzuq_portfolio(undp, unicef)
    m = world["murzuq"]
    world["undp_water"] = project(undp, m, world["water"], title_en="Murzuq water network",
                                  title_ar="شبكة مياه مرزق")
    a, b = sorted([world["wells"], world["undp_water"]], key=lambda p: p.pk)
    world["duplicate"] = DuplicateFlag.objects.create(project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP,
                                                      score=0.8, fingerprint="facts-1")
    world["gap"] = GapFlag.objects.create(municipality=m, sector=world["electricity"], score=0.7, severity=4,
                                          people_in_need=20000, fingerprint="gap-1")
    world["delay"] = DelayFlag.objects.create(project=world["grid"], rule=DelayFlag.Rule.END_PASSED, severity=3,
                                              score=0.9, fingerprint="delay-1")
    rapporteur = personas["rapporteur"]
    world["series"] = series_create(user=rapporteur, title_en="Committee with the UN agencies in Libya",
                                    title_ar="اللجنة مع وكالات الأمم المتحدة في ليبيا")
    world["meeting"] = meeting_create(user=rapporteur, series=world["series"], date=dt.date(2026, 3, 1),
                                      place="Tripoli", chair="Minister")
    return world

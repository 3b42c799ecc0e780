"""Look-ups that turn IATI / spreadsheet references into partners, municipalities and sectors.

One ``Resolver`` per import: it reads the reference tables once and keeps what it creates, so an
import of hundreds of activities costs a handful of queries for the look-ups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from common.text import normalise_for_search
from municipalities.gazetteer import ACCEPT, UNRESOLVED, Resolution, gazetteer, place_miss_note
from municipalities.models import DacSector, District, Municipality, Sector
from projects.exchange.formats.iati_orgs import org_identifier
from projects.models import Partner, PartnerAlias

PCODE = re.compile(r"^LY0[1-3]\d{4}$")
DISTRICT_PCODE = re.compile(r"^LY0[1-3]\d{2}$")
# An IATI organisation identifier: registration agency prefix, a hyphen, the number; no spaces or URLs.
ORG_IDENTIFIER = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]+)*-[^\s/]+$")
# DAC channel categories ("international NGO", "donor-country NGO", ...) that some publishers put
# in @ref: they name a kind of organisation, not one organisation.
GENERIC_REFS = frozenset({"XM-DAC-21000", "XM-DAC-22000", "XM-DAC-23000", "XM-DAC-40000", "XM-DAC-41000",
                          "XM-DAC-44000", "XM-DAC-47000", "XM-DAC-51000", "XM-DAC-60000", "XM-DAC-90000"})


def same_org_ref(one: str, other: str) -> bool:
    """Whether two identifiers name one organisation (41AAA and XM-DAC-41AAA do)."""
    return (org_identifier(one) or one) == (org_identifier(other) or other)


def usable_org_ref(ref: str | None) -> str | None:
    """The organisation identifier if it is one (not a URL, not a generic category), else None."""
    ref = (ref or "").strip()
    if not ref or ref in GENERIC_REFS or len(ref) > 100 or not ORG_IDENTIFIER.match(ref):
        return None
    return ref


@dataclass
class OrgRef:
    """An organisation as a file names it."""

    ref: str = ""
    name_en: str = ""
    name_ar: str = ""
    org_type: int | None = None

    @property
    def label(self) -> str:
        return self.name_en or self.name_ar or self.ref


_BRACKETS = re.compile(r"\(([^()]*)\)")


def _name_variants(*names: str) -> list[str]:
    """A name as given, without its bracketed part, and the bracketed part alone when it looks like an
    acronym: "WORLD HEALTH ORGANIZATION (WHO)" → itself, "WORLD HEALTH ORGANIZATION", "WHO"."""
    out: list[str] = []
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        out.append(name)
        bare = " ".join(_BRACKETS.sub(" ", name).split())
        if bare and bare != name:
            out.append(bare)
        out += [inner.strip() for inner in _BRACKETS.findall(name) if inner.strip().isupper() and len(inner) <= 12]
    return out


class Resolver:
    """Partner, municipality and sector look-ups for one import."""

    def __init__(self) -> None:
        self.partners_created: list[Partner] = []
        self.partners_identified: list[Partner] = []  # found by name, given the identifier the file has
        self._by_ref: dict[str, Partner] = {}
        self._by_name: dict[str, Partner] = {}
        for partner in Partner.objects.all():
            self._remember(partner)
        # After the partners' own names: an alias never hides a partner's real name or identifier.
        for alias in PartnerAlias.objects.select_related("partner"):
            self._by_name.setdefault(alias.normalised, alias.partner)
            ref = usable_org_ref(alias.name)
            if ref:
                self._by_ref.setdefault(ref, alias.partner)
        self._municipalities = list(Municipality.objects.select_related("district"))
        self._by_pcode = {m.pcode: m for m in self._municipalities if m.pcode}
        self._by_pk = {m.pk: m for m in self._municipalities}
        # One resolver of place names for every importer: the gazetteer (its index is cached per process).
        self.gazetteer = gazetteer()
        self._districts: dict[str, District] = {}
        for district in District.objects.all():
            self._districts[district.pcode] = district
            if district.iso_3166_2:
                self._districts[district.iso_3166_2.upper()] = district
        self._dac = dict(DacSector.objects.values_list("code", "sector_id"))
        self._sectors = {s.pk: s for s in Sector.objects.all()}
        self._sector_by_code = {s.code: s for s in self._sectors.values()}

    # partners ---------------------------------------------------------------------------------

    def _remember(self, partner: Partner) -> None:
        if partner.iati_ref:
            self._by_ref[partner.iati_ref] = partner
            # as IATI writes it too: a partner kept as 41AAA is the XM-DAC-41AAA of a file
            self._by_ref.setdefault(org_identifier(partner.iati_ref) or partner.iati_ref, partner)
        for name in (partner.name_en, partner.name_ar, partner.acronym):
            key = normalise_for_search(name or "")
            if key:
                self._by_name.setdefault(key, partner)

    def partner(self, org: OrgRef, *, create: bool = True) -> Partner | None:
        """The partner with this identifier, else with this name (English, Arabic or acronym); created if missing.
        A category of organisations (XM-DAC-22000, "donor-country NGO") is no partner: None."""
        if (org.ref or "").strip() in GENERIC_REFS:
            return None
        ref = usable_org_ref(org.ref)
        if ref and ref in self._by_ref:
            return self._by_ref[ref]
        for name in _name_variants(org.name_en, org.name_ar):
            key = normalise_for_search(name)
            found = self._by_name.get(key) if key else None
            # A partner found by name that carries another identifier is another organisation.
            if found is not None and not (ref and found.iati_ref and same_org_ref(found.iati_ref, ref) is False):
                if ref and not found.iati_ref:
                    found.iati_ref = ref
                    found.save(update_fields=["iati_ref"])
                    self._by_ref[ref] = found
                    self.partners_identified.append(found)
                return found
        if not create or not (ref or org.name_en or org.name_ar):
            return None
        name_en = (org.name_en or org.name_ar or ref or "")[:250]
        # The Arabic name is required; until staff write one, it repeats the name the file gives.
        name_ar = (org.name_ar or org.name_en or ref or "")[:250]
        org_type = org.org_type if org.org_type in Partner.OrgType.values else Partner.OrgType.OTHER
        partner = Partner(name_en=name_en, name_ar=name_ar, org_type=org_type, iati_ref=ref)
        partner.full_clean()
        partner.save()
        self._remember(partner)
        self.partners_created.append(partner)
        return partner

    # municipalities ---------------------------------------------------------------------------

    def municipality_by_pcode(self, code: str) -> Municipality | None:
        return self._by_pcode.get((code or "").strip().upper())

    def municipality_by_name(self, name: str) -> Municipality | None:
        """The municipality the gazetteer places this name in, when it is sure enough (never a guess
        between two)."""
        resolution = self.place(name)
        return self._by_pk.get(resolution.municipality_id) if resolution.municipality_id is not None else None

    def place(self, name: str) -> Resolution:
        resolution = self.gazetteer.resolve(name or "")
        if resolution.resolved and resolution.confidence < ACCEPT:
            return Resolution(resolution.name, UNRESOLVED, None, resolution.confidence, resolution.step,
                              resolution.candidates)
        return resolution

    def place_unresolved(self, name: str) -> None:
        """Report a name the import gave up on (the staff page of unresolved names lists it)."""
        if (name or "").strip():
            place_miss_note(self.place(name))

    def district(self, code: str) -> District | None:
        """A district by p-code or ISO 3166-2 code (LY0211, LY-TB)."""
        return self._districts.get((code or "").strip().upper())

    def municipality_containing(self, lat: float, lon: float) -> Municipality | None:
        """The municipality whose area holds the point, if one does."""
        point = Point(lon, lat, srid=4326)
        return next((m for m in self._municipalities if m.area is not None and m.area.contains(point)), None)

    def municipality_at(self, lat: float, lon: float) -> Municipality | None:
        """The municipality whose area holds the point, else the one with the nearest point."""
        found = self.municipality_containing(lat, lon)
        if found is not None:
            return found
        with_points = [m for m in self._municipalities if m.point is not None]
        if not with_points:
            return None
        # Planar distance in degrees is enough to pick the nearest of a few hundred points.
        return min(with_points, key=lambda m: (m.point.x - lon) ** 2 + (m.point.y - lat) ** 2)

    # sectors ----------------------------------------------------------------------------------

    def sector(self, code: str, vocabulary: str) -> tuple[Sector | None, str]:
        """The national sector for an IATI sector code, and the reason when there is none."""
        code = (code or "").strip()
        vocabulary = (vocabulary or "1").strip()
        sector_id = None
        if vocabulary == "1":
            sector_id = self._dac.get(code)
        elif vocabulary == "2":
            if len(code) == 3 and code.isdigit():
                sector_id = next((sid for dac, sid in sorted(self._dac.items()) if dac.startswith(code)), None)
        elif vocabulary == "99":
            found = self._sector_by_code.get(code)
            return (found, "") if found else (None, _("sector %(code)s (own vocabulary) is not a national sector") % {"code": code})
        else:
            return None, _("sector vocabulary %(vocabulary)s is not read (code %(code)s)") % {
                "vocabulary": vocabulary, "code": code}
        if sector_id is None:
            return None, _("DAC sector %(code)s has no national sector") % {"code": code}
        return self._sectors[sector_id], ""

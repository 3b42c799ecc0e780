"""Other names and codes partners go by in imported files ("UNDP Libya", an old identifier).

The importers' ``Resolver`` reads these after the partners' own names, so a file that names an
organisation by an alias lands on the partner instead of creating a new one. The alias is compared
in its normalised form (``common.text``: Arabic letter forms, diacritics, case, punctuation and stop
words do not count), which is what makes ``normalised`` unique.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.text import normalise_for_search
from projects.models import Partner, PartnerAlias
from projects.permissions import user_manages


def _check_may_edit(user: Any) -> None:
    if not (user_manages(user) or (user is not None and user.is_active and user.is_superuser)):
        raise PermissionDenied(_("Only the ministry can change partner aliases."))


def _owner_of_name(normalised: str) -> Partner | None:
    """The partner whose own name, Arabic name or acronym normalises to ``normalised``."""
    for partner in Partner.objects.only("pk", "name_en", "name_ar", "acronym"):
        for name in (partner.name_en, partner.name_ar, partner.acronym):
            if name and normalise_for_search(name) == normalised:
                return partner
    return None


def partner_alias_validate(*, partner: Partner, name: str, ignore: PartnerAlias | None = None) -> tuple[str, str]:
    """The cleaned name and its normalised form; ``ValidationError`` when the alias cannot be given to
    ``partner`` (it is empty, another partner's alias or name, or this partner's own name)."""
    name = " ".join((name or "").split())
    normalised = normalise_for_search(name)[:250]
    if len(name) < 2 or not normalised:
        raise ValidationError({"name": _("Give a name or code of at least two letters or digits.")})
    taken = PartnerAlias.objects.select_related("partner").filter(normalised=normalised)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    existing = taken.first()
    if existing is not None and existing.partner_id != partner.pk:
        raise ValidationError({"name": _("%(name)s is already an alias of %(partner)s.") % {
            "name": name, "partner": existing.partner}})
    owner = _owner_of_name(normalised)
    if owner is not None and owner.pk == partner.pk:
        raise ValidationError({"name": _("%(name)s is already the name of %(partner)s.") % {
            "name": name, "partner": partner}})
    if owner is not None:
        raise ValidationError({"name": _("%(name)s is the name of another partner, %(partner)s.") % {
            "name": name, "partner": owner}})
    return name, normalised


@transaction.atomic
def partner_alias_add(*, partner: Partner, name: str, user: Any) -> PartnerAlias:
    """Record ``name`` as another name of ``partner``; adding the same alias again changes nothing."""
    _check_may_edit(user)
    name, normalised = partner_alias_validate(partner=partner, name=name)
    existing = PartnerAlias.objects.filter(normalised=normalised, partner=partner).first()
    if existing is not None:
        return existing
    alias = PartnerAlias(partner=partner, name=name, normalised=normalised, created_by=user)
    alias.full_clean()
    alias.save()
    return alias


@transaction.atomic
def partner_alias_change(*, alias: PartnerAlias, partner: Partner, name: str, user: Any) -> PartnerAlias:
    """Correct an alias (its spelling or its partner)."""
    _check_may_edit(user)
    name, normalised = partner_alias_validate(partner=partner, name=name, ignore=alias)
    alias.partner, alias.name, alias.normalised = partner, name, normalised
    alias.full_clean()
    alias.save()
    return alias


@transaction.atomic
def partner_alias_remove(*, alias: PartnerAlias, user: Any) -> None:
    _check_may_edit(user)
    alias.delete()

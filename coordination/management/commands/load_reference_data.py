"""``manage.py load_reference_data``: geography, sectors, partners and exchange rates from the committed fixture."""

from __future__ import annotations

import importlib
import importlib.util
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from municipalities.reference_load import (
    reference_load_geography,
    reference_load_place_names,
    reference_load_sectors,
)
from projects.reference_load import reference_load_exchange_rates, reference_load_partners


def _optional(module: str, name: str) -> Callable[[], Any] | None:
    """A function another part of the project may not have written yet."""
    if importlib.util.find_spec(module) is None:
        return None
    return getattr(importlib.import_module(module), name, None)


class Command(BaseCommand):
    help = (
        "Load regions, districts, municipalities, sectors (with DAC codes), partners and exchange rates "
        "from the reference fixture. Safe to run again: existing exchange rates and official boundaries are kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        geography = reference_load_geography()

        derive_areas = _optional("municipalities.services", "municipality_derive_approximate_areas")
        derived = derive_areas() if derive_areas else None
        # after the areas: a GeoNames place is tied to the municipality whose area holds it
        places = reference_load_place_names()

        sectors = reference_load_sectors()
        partners = reference_load_partners()
        rates = reference_load_exchange_rates()

        roles_sync = _optional("coordination.roles", "roles_sync")
        roles = roles_sync() if roles_sync else None

        self.stdout.write(
            f"regions {geography['regions']}, districts {geography['districts']}, "
            f"municipalities {geography['municipalities']} ({geography['municipalities_ocha']} OCHA, "
            f"{geography['municipalities_with_pcode']} with a p-code, {geography['municipalities_with_point']} with a point), "
            f"sectors {sectors['sectors']}, DAC codes {sectors['dac_codes']}, sector links {sectors['sector_links']}, "
            f"partners {partners['partners']}, exchange rates {rates['exchange_rates']}, "
            f"place names {places['place_names']}"
        )
        created = geography["created"] + places["created"] + sectors["created"] + partners["created"] + rates["created"]
        updated = geography["updated"] + sectors["updated"] + partners["updated"]
        self.stdout.write(
            f"created {created}, updated {updated}, exchange rates kept as they were {rates['kept']}"
        )
        if isinstance(roles, dict):
            roles = ", ".join(f"{name} {count}" for name, count in roles.items())
        if derive_areas is None:
            self.stdout.write("approximate areas: not derived (municipality_derive_approximate_areas is not available)")
        else:
            self.stdout.write(f"approximate areas derived: {derived if derived is not None else 'done'}")
        if roles_sync is not None:
            self.stdout.write(f"roles synchronised (permissions per group): {roles if roles is not None else 'done'}")
        self.stdout.write(self.style.SUCCESS(f"reference data loaded in {time.perf_counter() - started:.1f} s"))

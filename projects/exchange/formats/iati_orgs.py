"""Organisation identifiers as IATI wants them: a registration agency's prefix, a hyphen, the number.

``REGISTRATION_PREFIXES`` are the agency prefixes the Standard's OrganisationIdentifier codelist uses
(its country-agency codes such as ``GB-1``, ``US-1``, ``EU-1``; its bare DAC channel codes such as
``41114``, which IATI writes ``XM-DAC-41114``) and ``XI-IATI``, the agency IATI itself runs. The test
suite checks the set against the codelist file, so it cannot drift from it.
"""

from __future__ import annotations

import re
from functools import lru_cache

REGISTRATION_PREFIXES = frozenset({
    "AT", "AU", "BE", "CA", "CH", "DE", "DK", "ES", "EU", "FI", "FR", "GB", "GR", "IE", "IT", "JP", "LU", "NL",
    "NO", "NZ", "PT", "SE", "US", "XI-IATI", "XM-DAC",
})
# A DAC channel code written without its agency (41AAA is UNOPS, 41114 UNDP, 928 WHO).
DAC_CHANNEL_CODE = re.compile(r"^(?=.{3})\d{2,5}[A-Z]{0,3}$")


def org_ref_registered(ref: str) -> bool:
    return any(ref.startswith(prefix + "-") and len(ref) > len(prefix) + 1 for prefix in REGISTRATION_PREFIXES)


@lru_cache(maxsize=4096)  # an export asks for the same few hundred partners' identifiers again and again
def org_identifier(ref: str | None) -> str:
    """The identifier as IATI writes it (``41AAA`` → ``XM-DAC-41AAA``), or "" when it has no known agency."""
    ref = (ref or "").strip()
    if not ref:
        return ""
    if org_ref_registered(ref):
        return ref
    if DAC_CHANNEL_CODE.match(ref):
        return f"XM-DAC-{ref}"
    return ""

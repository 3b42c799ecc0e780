"""Shared fixtures: personas and small reference data."""

from __future__ import annotations

import pytest


@pytest.fixture
def region(db):
    from municipalities.models import Region

    return Region.objects.create(pcode="LY02", name_ar="الغرب", name_en="West")


@pytest.fixture
def district(region):
    from municipalities.models import District

    return District.objects.create(pcode="LY0211", region=region, name_ar="طرابلس", name_en="Tripoli")

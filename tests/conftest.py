"""Shared fixtures: personas and small reference data."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def district(db):
    return factories.DistrictFactory()


@pytest.fixture
def roles(db):
    from coordination.roles import roles_sync

    roles_sync()


def _persona(username: str, role: str | None, *, partner=None, staff: bool = False):
    from django.contrib.auth.models import Group

    user = factories.UserFactory(username=username, is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if partner is not None:
        factories.FocalPointFactory(user=user, partner=partner)
    return user


def _partner(iati_ref: str, **fields):
    """The partner as load_reference_data has it, or a new one when the reference is not loaded."""
    from projects.models import Partner

    return Partner.objects.filter(iati_ref=iati_ref).first() or factories.PartnerFactory(iati_ref=iati_ref, **fields)


@pytest.fixture
def undp(db):
    return _partner("XM-DAC-41114", name_en="United Nations Development Programme",
                    name_ar="برنامج الأمم المتحدة الإنمائي", acronym="UNDP")


@pytest.fixture
def unicef(db):
    return _partner("XM-DAC-41122", name_en="United Nations Children's Fund", name_ar="منظمة الأمم المتحدة للطفولة",
                    acronym="UNICEF")


@pytest.fixture
def personas(roles, undp, unicef):
    """The shared personas of DESIGN.md §4, by name."""
    from coordination import roles as r

    return {
        "ministry_admin": _persona("ministry_admin", r.MINISTRY_ADMIN, staff=True),
        "ministry_analyst": _persona("ministry_analyst", r.MINISTRY_ANALYST),
        "rapporteur": _persona("rapporteur", r.RAPPORTEUR),
        "undp_focal_point": _persona("undp_fp", r.FOCAL_POINT, partner=undp),
        "unicef_focal_point": _persona("unicef_fp", r.FOCAL_POINT, partner=unicef),
        "viewer": _persona("viewer", r.VIEWER),
        "anonymous": None,
    }


@pytest.fixture
def english():
    """Run the test in English (the site itself defaults to Arabic): for tests that read English wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


def force_login_verified(client, user) -> None:
    """Sign ``user`` in as a person who gave both factors: a ministry administrator (or superuser) in these tests
    is one who signed in properly. Two-factor enforcement stays on for the whole suite, as in production; only
    the way in is short-cut, by a confirmed authenticator app of the user's and django-otp's session mark (what
    ``django_otp.login`` writes after a right code). Users who owe no second factor are signed in as they are."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.selectors import TWO_FACTOR_PENDING, two_factor_device, two_factor_required

    client.force_login(user)
    device = two_factor_device(user)
    if device is None and not two_factor_required(user):
        return
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop(TWO_FACTOR_PENDING, None)
    session.save()


@pytest.fixture
def client_for(personas):
    """A client for a persona (its name in ``personas``, or any user; None or "anonymous" for nobody) that
    asks for ``language``. Pages: signed in with a session (with both factors when the user needs two:
    ``force_login_verified``), the language in the language cookie. ``api=True``: DRF's APIClient,
    authenticated as with a token (no session, so no second factor), the language in Accept-Language (a request
    may ask for another)."""
    from django.conf import settings
    from django.test import Client
    from rest_framework.test import APIClient

    def make(persona, language: str, *, api: bool = False):
        user = personas[persona] if isinstance(persona, str) else persona
        if api:
            client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
            if user is not None:
                client.force_authenticate(user)
            return client
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            force_login_verified(client, user)
        return client

    return make

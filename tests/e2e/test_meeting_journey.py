"""The rapporteur builds a meeting's agenda from Murzuq's flags, records a decision and two follow-up actions,
finalises the meeting (its figures kept "as of" today) and downloads the calendar invitation; the page reads in
Arabic and in English (screenshots meeting-ar / meeting-en)."""

from __future__ import annotations

import pytest

from tests.coordination.meeting_helpers import committee_world
from tests.e2e.conftest import NOTHING_WRONG, screenshot_path, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_rapporteur_builds_an_agenda_from_murzuqs_flags_and_finalises(page, live_server, watch, personas,
                                                                           undp, unicef):
    from coordination.models import Meeting

    world = committee_world(personas, undp, unicef)
    meeting = world["meeting"]
    sign_in(page, live_server, "rapporteur")
    page.click("nav a[href='/meetings/']")
    page.click(f"#meeting-table a[href='/meetings/{meeting.pk}/']")
    assert page.get_attribute("html", "dir") == "rtl"
    page.click("#agenda-builder-link")
    page.select_option("#proposal-filter select[name=municipalities]", str(world["murzuq"].pk))
    page.click("#propose")
    proposals = page.locator("#proposal-list .proposal")
    assert proposals.count() >= 3  # the duplicate, the gap, the delay
    assert "ازدواج محتمل" in page.inner_text("#proposal-list") and "فجوة تغطية: مرزق" in page.inner_text(
        "#proposal-list")
    page.click(f"#proposal-list .proposal[data-key='duplicate:{world['duplicate'].pk}'] button.accept")
    page.click(f"#proposal-list .proposal[data-key='gap:{world['gap'].pk}'] button.accept")
    assert page.locator("#agenda-list .agenda-item").count() == 2
    page.click("#agenda-list .agenda-item >> nth=1 >> button.move-up")  # the gap first
    assert "فجوة تغطية" in page.inner_text("#agenda-list .agenda-item >> nth=0")

    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.click("#decision-form-box summary")
    page.fill("#decision-form textarea[name=text_ar]", "يدمج برنامج الأمم المتحدة الإنمائي واليونيسف مشروعي المياه في مرزق.")
    page.fill("#decision-form textarea[name=text_en]", "UNDP and UNICEF will merge their Murzuq water projects.")
    page.select_option("#decision-form select[name=agenda_item]", index=2)
    page.click("#decision-form button[type=submit]")
    assert "يدمج برنامج الأمم المتحدة الإنمائي" in page.inner_text("#decision-list")
    for text, owner in (("خطة الدمج المشتركة", str(undp.pk)), ("زيارة ميدانية لآبار مرزق", "")):
        page.click("#action-form-box summary")
        page.fill("#action-form textarea[name=text_ar]", text)
        if owner:
            page.select_option("#action-form select[name=owner_partner]", owner)
        else:
            page.fill("#action-form input[name=owner_unit]", "قطاع المياه")
        page.fill("#action-form input[name=due]", "2026-04-01")
        page.click("#action-form button[type=submit]")
    assert page.locator("#action-table tbody tr[data-action]").count() == 2
    page.click("#finalise")
    assert "معتمد" in page.inner_text("#meeting-status")
    assert "الأرقام كما في" in page.inner_text("#figures-title")
    assert page.locator("#figures-table tr.figure-municipality").count() == 1  # Murzuq, through the gap
    page.screenshot(path=str(screenshot_path("meeting-ar")), full_page=True)
    with page.expect_download() as download:
        page.click("#ics-link")
    assert download.value.suggested_filename == f"meeting-{meeting.pk}.ics"

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "ltr"
    assert "Figures as of" in page.inner_text("#figures-title")
    assert "UNDP and UNICEF will merge" in page.inner_text("#decision-list")
    page.screenshot(path=str(screenshot_path("meeting-en")), full_page=True)
    assert Meeting.objects.get(pk=meeting.pk).status == "finalised"
    assert watch.problems() == NOTHING_WRONG

"""The rapporteur builds a meeting's agenda from Murzuq's flags, records a decision and two follow-up actions,
finalises the meeting (its figures kept "as of" today) and downloads the calendar invitation; the page reads in
Arabic and in English (screenshots meeting-ar / meeting-en); then the meeting's report, as the Arabic PDF and the
English Word file, through the report job."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document as read_docx
from playwright.sync_api import expect

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
    page.evaluate("window.tansiqNotReloaded = true")  # the decisions and actions are recorded in place (htmx)
    page.click("#decision-form-box summary")
    page.fill("#decision-form textarea[name=text_ar]", "يدمج برنامج الأمم المتحدة الإنمائي واليونيسف مشروعي المياه في مرزق.")
    page.fill("#decision-form textarea[name=text_en]", "UNDP and UNICEF will merge their Murzuq water projects.")
    page.select_option("#decision-form select[name=agenda_item]", index=2)
    page.click("#decision-form button[type=submit]")
    expect(page.locator("#decision-list")).to_contain_text("يدمج برنامج الأمم المتحدة الإنمائي")
    expect(page.locator("#page-messages")).to_contain_text("تم تسجيل القرار.")
    for n, (text, owner) in enumerate( (("خطة الدمج المشتركة", str(undp.pk)), ("زيارة ميدانية لآبار مرزق", "")), start=1):
        page.click("#action-form-box summary")
        page.fill("#action-form textarea[name=text_ar]", text)
        if owner:
            page.select_option("#action-form select[name=owner_partner]", owner)
        else:
            page.fill("#action-form input[name=owner_unit]", "قطاع المياه")
        page.fill("#action-form input[name=due]", "2026-04-01")
        page.click("#action-form button[type=submit]")
        expect(page.locator("#action-table tbody tr[data-action]")).to_have_count(n)
    assert page.evaluate("window.tansiqNotReloaded === true")
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
    assert "live figures" not in page.inner_text("#meeting-report")  # finalised: the report is the snapshot's

    # The meeting's report: the Arabic PDF and the English Word file, through the report job
    arabic_pdf = _report(page, live_server, meeting.pk, "ar", "pdf")
    assert arabic_pdf[:5] == b"%PDF-"
    english_docx = _report(page, live_server, meeting.pk, "en", "docx")
    with zipfile.ZipFile(io.BytesIO(english_docx)) as word:
        assert "word/document.xml" in word.namelist()
    text = "\n".join(p.text for p in read_docx(io.BytesIO(english_docx)).paragraphs)
    assert "UNDP and UNICEF will merge" in text
    assert watch.problems() == NOTHING_WRONG


def _report(page, live_server, meeting_pk: int, language: str, fmt: str) -> bytes:
    """Ask for the meeting's report from its page, wait for the job, download the file."""
    page.goto(f"{live_server.url}/meetings/{meeting_pk}/")
    page.select_option("#meeting-report select[name=language]", language)
    page.click(f"#meeting-report button[data-report-format={fmt}]")
    page.wait_for_selector("#report-download", timeout=90_000)  # the job page reloads itself when it is done
    with page.expect_download() as download:
        page.click("#report-download")
    assert download.value.suggested_filename.endswith(f"-{language}.{fmt}")
    return Path(download.value.path()).read_bytes()

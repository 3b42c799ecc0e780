"""A ministry analyst reads Murzuq's municipality file in Arabic and English, follows a partner link to the
partner page, and prints the file (Chromium's print-to-PDF, A4); a UNDP focal point's file leaves out
another partner's draft."""

from __future__ import annotations

import subprocess

import pytest

from tests.coordination.place_helpers import DRAFT_TITLE, murzuq_portfolio
from tests.e2e.conftest import NOTHING_WRONG, screenshot_path, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _print_first_page(page, name: str) -> int:
    """Print the page to an A4 PDF as Chromium does, keep its first page as a PNG; the number of pages."""
    pdf = screenshot_path(name).with_suffix(".pdf")
    page.emulate_media(media="print")  # what window.print() does first: the map fits itself to the paper
    page.wait_for_function("() => { const m = document.getElementById('place-map');"
                           " return m.dataset.fittedWidth === String(m.clientWidth); }")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.emulate_media(media="screen")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert "(A4)" in size
    prefix = screenshot_path(name).with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                   check=True)
    assert screenshot_path(name).exists()
    return pages


def _story(portfolio) -> None:
    """What the committee's file on Murzuq tells: a municipal plan, a late grid repair, a gap in water."""
    from coordination.models import DelayFlag, GapFlag
    from municipalities.models import DevelopmentPlan, PlanObjective

    m = portfolio["murzuq"]
    plan = DevelopmentPlan.objects.create(level="municipal", municipality=m, title_ar="خطة تنمية بلدية مرزق",
                                          title_en="Murzuq municipal development plan", start_year=2024,
                                          end_year=2027)
    grid = PlanObjective.objects.create(plan=plan, code="M-1", title_ar="إعادة الكهرباء إلى الأحياء",
                                        title_en="Power back to every neighbourhood", sector=portfolio["electricity"])
    PlanObjective.objects.create(plan=plan, code="M-2", title_ar="سبل العيش للعودة الآمنة للنازحين",
                                 title_en="Livelihoods for the safe return of displaced families")
    portfolio["grid"].plan_objectives.add(grid)
    DelayFlag.objects.create(project=portfolio["grid"], rule=DelayFlag.Rule.PROGRESS_BEHIND, severity=2, score=0.6)
    GapFlag.objects.create(municipality=m, sector=portfolio["water"], score=0.7, severity=3, people_in_need=9000,
                           reasons=[{"code": "need_without_project",
                                     "params": {"severity": 3, "threshold": 3, "people_in_need": 9000}}])


def _open_file(page, live_server):
    page.goto(f"{live_server.url}/municipalities/murzuq/")
    page.wait_for_selector("#place-map[data-loaded]")


def test_an_analyst_reads_murzuqs_file_and_follows_a_partner(page, live_server, watch, personas, undp, unicef):
    _story(murzuq_portfolio(undp, unicef))
    sign_in(page, live_server, "ministry_analyst")
    _open_file(page, live_server)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("#municipality-name") == "مرزق"
    assert "48,960" in page.inner_text("#profile-population")
    projects = page.inner_text("#projects")
    assert "الكهرباء" in projects and "المياه والإصحاح" in projects
    assert "إصلاح شبكة الكهرباء في مرزق" in projects and "1,000,000 دولار أمريكي" in projects
    assert "إعادة الكهرباء إلى الأحياء" in page.inner_text("#plans")
    assert "المياه والإصحاح" in page.inner_text("#gap-flags") and "9,000" in page.inner_text("#gap-flags")
    assert "إصلاح شبكة الكهرباء في مرزق" in page.inner_text("#delay-flags")
    assert page.get_attribute("#place-map", "data-loaded") == "1"  # the substation
    assert page.locator("#place-map path.leaflet-interactive").count() == 2  # the area and the site
    page.screenshot(path=str(screenshot_path("municipality-file-ar")), full_page=True)
    pages_ar = _print_first_page(page, "municipality-file-print-ar")
    assert pages_ar >= 2  # sections break onto their own pages

    page.click("#partners a.partner-link:text-is('UNDP')")
    page.wait_for_selector("#partner-name")
    assert page.inner_text("#partner-name") == "UNDP"
    roles = page.inner_text("#partner-roles")
    assert "ممول" in roles and "منفذ" in roles
    assert "1,550,000 دولار أمريكي" in page.inner_text("#partner-usd")
    page.screenshot(path=str(screenshot_path("partner-ar")), full_page=True)

    page.click("button[name=language][value=en]")
    page.wait_for_selector("#partner-name")
    assert page.get_attribute("html", "dir") == "ltr"
    assert "Implementing" in page.inner_text("#partner-roles") and "Funding" in page.inner_text("#partner-roles")
    assert "USD 1,550,000" in page.inner_text("#partner-usd")
    page.screenshot(path=str(screenshot_path("partner-en")), full_page=True)

    page.click("#partner-places a:text-is('Murzuq')")
    page.wait_for_selector("#place-map[data-loaded]")
    assert page.inner_text("#municipality-name") == "Murzuq"
    assert "Electricity network repairs in Murzuq" in page.inner_text("#projects")
    assert "Water and sanitation" in page.inner_text("#projects")
    page.screenshot(path=str(screenshot_path("municipality-file-en")), full_page=True)
    assert _print_first_page(page, "municipality-file-print-en") >= 2
    assert watch.problems() == NOTHING_WRONG


def test_a_focal_point_does_not_see_another_partners_draft_in_the_file(page, live_server, watch, personas, undp,
                                                                     unicef):
    murzuq_portfolio(undp, unicef)
    sign_in(page, live_server, "undp_fp")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    _open_file(page, live_server)
    text = page.inner_text("#municipality-file")
    assert "Electricity network repairs in Murzuq" in text and DRAFT_TITLE not in text
    assert "USD 1,275,000" in page.inner_text("#profile-usd")
    assert watch.problems() == NOTHING_WRONG

"""The rapporteur's reports: the meeting report and the portfolio reports as PDF and Word, Arabic and English;
their jobs, downloads and permissions; sending a meeting's report. Sample files go to var/reports-samples/
(CI artefacts)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document as read_docx
from docx.oxml.ns import qn

from coordination.models import ReportJob
from coordination.reports.docx import render_docx
from coordination.reports.meeting import meeting_report_document
from coordination.reports.pdf import document_html, render_pdf
from coordination.reports.svg_map import MapPlace, municipalities_map_svg
from coordination.services import reports as report_services
from demo.report_sample import HOSTILE_DECISION, sample_meeting_content
from tests.coordination.place_helpers import DRAFT_TITLE, murzuq_portfolio

SAMPLES = Path(__file__).resolve().parents[2] / "var" / "reports-samples"
MURZUQ_AREA = {"type": "Polygon", "coordinates": [[[13.6, 25.7], [14.2, 25.7], [14.2, 26.1], [13.6, 26.1], [13.6, 25.7]]]}
PLACES = [{"name": "مرزق", "geometry": MURZUQ_AREA, "point": [13.92, 25.91]},
          {"name": "سبها", "geometry": None, "point": [14.43, 27.04]}]
CONTEXT = [(13.19, 32.88), (20.07, 32.12), (10.0, 25.0), (25.0, 20.0)]
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
JOB_PAGE_QUERIES = 7  # session, user, groups/permissions, the job, its subject (visibility, title)
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def _pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", BIDI_CONTROLS.sub("", text))


def _has(text: str, phrase: str) -> bool:
    """``phrase`` in ``text`` whatever the spaces: pdftotext moves the space between a number and Arabic words
    to the number's other side (the glyphs' order on the page is right; only the extracted spacing moves)."""
    return re.sub(r"\s+", "", phrase) in re.sub(r"\s+", "", text)


def _sample(name: str, data: bytes) -> None:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    (SAMPLES / name).write_bytes(data)


@pytest.fixture(scope="module")
def meeting_files():
    """The sample meeting report in both languages and both formats (rendered once for the module)."""
    files = {}
    for language in ("ar", "en"):
        document = meeting_report_document(sample_meeting_content(language=language), places=PLACES,
                                           context_points=CONTEXT)
        files[language] = {"doc": document, "pdf": render_pdf(document), "docx": render_docx(document)}
        _sample(f"meeting-{language}.pdf", files[language]["pdf"])
        _sample(f"meeting-{language}.docx", files[language]["docx"])
    return files


# --- the PDF -------------------------------------------------------------------------------------------

def test_the_arabic_pdf_has_the_decisions_in_logical_order_and_shaped_arabic(meeting_files):
    text = _pdf_text(meeting_files["ar"]["pdf"])
    first = text.find("يدمج برنامج الأمم المتحدة الإنمائي واليونيسف مشروعي المياه في مرزق")
    second = text.find("تتابع الوزارة تقارير الشركاء المتأخرة")
    assert first > 0 and second > first  # whole sentences, words not reversed, decision 1 before decision 2
    assert "تأكيد بلاغ الازدواج رقم 12" in text
    assert not PRESENTATION_FORMS.search(text), PRESENTATION_FORMS.findall(text)[:10]
    assert "وزارة الحكم المحلي" in text and re.search("صفحة 1 ?من [0-9]", text)  # running header, page numbers
    assert _has(text, "18 نوفمبر 2026") and _has(text, "1,250,000 دولار أمريكي")  # through common.formatting
    assert _has(text, "من 10:00 إلى 12:30")


def test_the_english_pdf_reads_left_to_right_with_the_ministry_and_page_numbers(meeting_files):
    text = _pdf_text(meeting_files["en"]["pdf"])
    assert "Ministry of Local Government" in text and "Page 1 of" in text
    assert text.find("UNDP and UNICEF will merge their Murzuq water projects") < text.find(
        "The ministry follows up the partners' late reports")
    assert "USD 1,250,000" in text and "18 Nov 2026" in text
    assert "Figures as of 20 Nov 2026" in text
    html = document_html(meeting_files["en"]["doc"])
    assert '<html lang="en" dir="ltr">' in html


def test_markup_and_formulas_are_text_in_the_pdf(meeting_files):
    html = document_html(meeting_files["en"]["doc"])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<b>bold" not in html
    text = _pdf_text(meeting_files["en"]["pdf"])
    assert "<b>bold</b> & <script>alert(1)</script>" in text  # shown as the rapporteur typed it
    assert "'=HYPERLINK" in text  # the action's cell is defused as in every export


def test_an_overdue_action_is_marked_and_live_figures_are_announced():
    content = sample_meeting_content(language="en", finalised=False, hostile=False)
    html = document_html(meeting_report_document(content))
    assert '<tr class="marked">' in html and "Open (overdue)" in html
    assert "Live figures: this meeting is not finalised" in html


def test_the_arabic_pdf_pages_render_for_a_look(meeting_files, tmp_path):
    """The first two pages as PNG (pdftoppm), kept with the samples for a person to look at."""
    pdf = tmp_path / "meeting-ar.pdf"
    pdf.write_bytes(meeting_files["ar"]["pdf"])
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "2", str(pdf), str(SAMPLES / "meeting-ar-page")],
                   check=True)
    pages = sorted(SAMPLES.glob("meeting-ar-page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 10_000 for p in pages)


# --- the DOCX ------------------------------------------------------------------------------------------

def test_the_arabic_docx_marks_paragraphs_runs_tables_and_section_right_to_left(meeting_files):
    word = read_docx(io.BytesIO(meeting_files["ar"]["docx"]))
    paragraphs = [p for p in word.paragraphs if p.text.strip()]
    assert paragraphs and all(p._p.pPr is not None and p._p.pPr.find(qn("w:bidi")) is not None for p in paragraphs)
    runs = [r for p in paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(r._r.rPr.find(qn("w:rtl")) is not None for r in runs)
    assert len(word.tables) >= 5
    for table in word.tables:
        tblpr = table._tbl.tblPr
        names = [child.tag for child in tblpr]
        assert qn("w:bidiVisual") in names and names.index(qn("w:bidiVisual")) < names.index(qn("w:tblW"))
        for cell in table.rows[0].cells:
            assert all(p._p.pPr.find(qn("w:bidi")) is not None for p in cell.paragraphs)
    assert word.sections[0]._sectPr.find(qn("w:bidi")) is not None
    texts = [p.text for p in word.paragraphs]
    assert texts.index("قرار 1: يدمج برنامج الأمم المتحدة الإنمائي واليونيسف مشروعي المياه في مرزق") < texts.index(
        "قرار 2: تتابع الوزارة تقارير الشركاء المتأخرة")
    assert "وزارة الحكم المحلي" in word.sections[0].header.paragraphs[0].text
    assert word.inline_shapes and word.inline_shapes[0].width > 0  # the map, as a picture


def test_the_english_docx_is_left_to_right_and_defuses_formulas(meeting_files):
    word = read_docx(io.BytesIO(meeting_files["en"]["docx"]))
    assert all(p._p.pPr is None or p._p.pPr.find(qn("w:bidi")) is None for p in word.paragraphs)
    assert all(t._tbl.tblPr.find(qn("w:bidiVisual")) is None for t in word.tables)
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "'" + HOSTILE_DECISION[1] in cells and HOSTILE_DECISION[1] not in cells
    assert any(HOSTILE_DECISION[0] == p.text.split(": ", 1)[-1] for p in word.paragraphs)
    marked = [row for t in word.tables for row in t.rows
              if row.cells[0]._tc.tcPr is not None and row.cells[0]._tc.tcPr.find(qn("w:shd")) is not None
              and row.cells[0]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "FFE3E3"]
    assert [row.cells[0].text for row in marked] == ["1.1"]  # the overdue action only


# --- the map -------------------------------------------------------------------------------------------

def test_the_map_draws_the_areas_points_and_numbers_and_escapes_names():
    svg = municipalities_map_svg([MapPlace("1", "<Murzuq>", MURZUQ_AREA, (13.92, 25.91)),
                                  MapPlace("2", "Sabha", None, (14.43, 27.04))], context_points=CONTEXT,
                                 title="Map & <key>")
    assert svg.startswith("<svg") and svg.count("<path") == 1 and ">1</text>" in svg and ">2</text>" in svg
    assert "<key>" not in svg and "&lt;key&gt;" in svg and "<Murzuq>" not in svg
    assert "No place" in municipalities_map_svg([], empty_text="No place")


# --- the portfolio reports --------------------------------------------------------------------------------

@pytest.fixture
def murzuq(db, personas, undp, unicef):
    return murzuq_portfolio(undp, unicef)


def _render(kind, subject_id, user, language, fmt="pdf"):
    document = report_services.report_document(kind=kind, subject_id=subject_id, user=user, language=language)
    return report_services.report_render(document, fmt)


def test_the_municipality_report_for_murzuq_in_arabic(personas, murzuq):
    pdf = _render("municipality", murzuq["murzuq"].pk, personas["ministry_analyst"], "ar")
    _sample("municipality-murzuq-ar.pdf", pdf)
    text = _pdf_text(pdf)
    assert "ملف البلدية" in text and "إصلاح شبكة الكهرباء في مرزق" in text and "آبار مياه للأسر العائدة" in text
    assert _has(text, "1,000,000 دولار أمريكي") and "48,960" in text and "المياه والإصحاح" in text
    assert not PRESENTATION_FORMS.search(text)


def test_a_focal_points_report_leaves_out_another_partners_draft(personas, murzuq):
    docx = _render("municipality", murzuq["murzuq"].pk, personas["undp_focal_point"], "en", "docx")
    cells = {c.text for t in read_docx(io.BytesIO(docx)).tables for row in t.rows for c in row.cells}
    assert "Electricity network repairs in Murzuq" in cells and DRAFT_TITLE not in cells
    analyst = _render("municipality", murzuq["murzuq"].pk, personas["ministry_analyst"], "en", "docx")
    assert DRAFT_TITLE in {c.text for t in read_docx(io.BytesIO(analyst)).tables for row in t.rows for c in row.cells}


def test_the_partner_report_lists_its_projects_and_places(personas, murzuq, undp):
    text = _pdf_text(_render("partner", undp.pk, personas["ministry_analyst"], "en"))
    assert "Partner portfolio" in text and "Electricity network repairs in Murzuq" in text and "Murzuq" in text


# --- jobs, pages and permissions ------------------------------------------------------------------------

def _ask(client, kind, subject_id, fmt="pdf", language="ar"):
    return client.post(reverse("report_request"), {"kind": kind, "subject_id": subject_id, "format": fmt,
                                                   "language": language})


def test_a_job_asked_from_the_municipality_file_renders_and_downloads(client_for, personas, murzuq,
                                                                     django_capture_on_commit_callbacks):
    client = client_for("ministry_analyst", "ar")
    page = client.get(reverse("municipality_file", args=["murzuq"])).content.decode()
    assert reverse("report_request") in page and 'data-report-format="docx"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "municipality", murzuq["murzuq"].pk, "docx")
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("report_job_detail", args=[job.pk])
    assert job.status == "done" and job.progress == 100 and job.filename == "municipality-murzuq-ar.docx"
    detail = client.get(reverse("report_job_detail", args=[job.pk])).content.decode()
    assert reverse("report_job_download", args=[job.pk]) in detail
    download = client.get(reverse("report_job_download", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert download["X-Content-Type-Options"] == "nosniff" and "no-store" in download["Cache-Control"]
    assert 'filename="municipality-murzuq-ar.docx"' in download["Content-Disposition"]


def test_only_the_requester_or_the_ministry_sees_a_job(client_for, personas, murzuq, undp,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client_for("undp_focal_point", "en"), "partner", undp.pk)
        _ask(client_for("ministry_analyst", "en"), "municipality", murzuq["murzuq"].pk)
    own, ministry = ReportJob.objects.order_by("pk")
    for persona, job, status in (("undp_focal_point", own, 200), ("ministry_analyst", own, 200),
                                 ("unicef_focal_point", own, 404), ("undp_focal_point", ministry, 404),
                                 ("viewer", ministry, 200)):
        for name in ("report_job_detail", "report_job_progress", "report_job_download"):
            response = client_for(persona, "en").get(reverse(name, args=[job.pk]))
            assert response.status_code == (302 if status == 200 and name == "report_job_download" and
                                            job.status != "done" else status), (persona, name)
    anonymous = client_for("anonymous", "en").get(reverse("report_job_detail", args=[own.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_report_of_a_missing_subject_or_a_bad_format_is_refused(client_for, murzuq):
    client = client_for("ministry_analyst", "en")
    assert _ask(client, "municipality", 999999).status_code == 404
    assert _ask(client, "municipality", murzuq["murzuq"].pk, fmt="xlsx").status_code == 400
    assert not ReportJob.objects.exists()


def test_a_failed_job_says_why_and_keeps_no_file(client_for, personas, murzuq, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    def broken(document, fmt):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(report_services, "report_render", broken)
    client = client_for("ministry_analyst", "en")
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "municipality", murzuq["murzuq"].pk, language="en")
    job = ReportJob.objects.get()
    assert job.status == "failed" and not job.file and "No report was written" in job.error
    assert "No report was written" in client.get(reverse("report_job_detail", args=[job.pk])).content.decode()
    assert client.get(reverse("report_job_download", args=[job.pk])).status_code == 302
    assert report_services.report_job_run(job.pk) is None  # a task delivered again does nothing


def test_a_file_that_cannot_be_recorded_is_removed_again(personas, murzuq, monkeypatch):
    from django.core.files.storage import default_storage

    job = ReportJob.objects.create(kind="municipality", subject_id=murzuq["murzuq"].pk, language="en",
                                   format="docx", requested_by=personas["ministry_analyst"])
    monkeypatch.setattr(ReportJob, "save", lambda self, *a, **k: (_ for _ in ()).throw(RuntimeError("disk")))
    stored = []
    real_save = default_storage.save
    monkeypatch.setattr(default_storage, "save", lambda name, *a, **k: stored.append(real_save(name, *a, **k))
                        or stored[-1])
    job = report_services.report_job_run(job.pk)
    assert job.status == "failed" and not job.file and stored and not default_storage.exists(stored[0])


def test_the_job_page_and_its_progress_take_a_fixed_number_of_queries(client_for, personas, murzuq,
                                                                      django_assert_num_queries):
    jobs = [ReportJob.objects.create(kind="municipality", subject_id=murzuq["murzuq"].pk, language="en",
                                     format="pdf", requested_by=personas["ministry_analyst"]) for _ in range(3)]
    client = client_for("ministry_analyst", "en")
    client.get(reverse("report_job_detail", args=[jobs[0].pk]))  # the session and the user, once
    with django_assert_num_queries(JOB_PAGE_QUERIES):
        page = client.get(reverse("report_job_detail", args=[jobs[-1].pk]))
    assert page.status_code == 200 and 'hx-get="' in page.content.decode()  # a queued job polls its progress
    with django_assert_num_queries(JOB_PAGE_QUERIES):
        progress = client.get(reverse("report_job_progress", args=[jobs[1].pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "HX-Refresh" not in progress


def test_bench_reports_prints_the_figures_as_json(personas, murzuq):
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_reports", "--repeat", "0", "--language", "en", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["meeting"]["agenda_items"] == 20 and figures["meeting"]["pdf"]["pages"] >= 3
    assert figures["meeting"]["docx"]["seconds"] > 0 and figures["municipality"]["pcode"] == "LY031801"
    assert figures["municipality"]["total_pdf_seconds"] > 0


def test_table_cells_take_the_direction_of_their_text_and_columns_fit_their_words():
    from coordination.reports.document import Table
    from coordination.reports.pdf import column_widths, text_direction

    assert [text_direction(t) for t in ("Water wells", "آبار مياه", "12 آبار", "2026", "")] == [
        "ltr", "rtl", "rtl", "", ""]
    widths = column_widths(Table(columns=["المشروع", "الشريك", "الميزانية"], numeric=frozenset({2}),
                                 rows=[("إعادة تأهيل محطة الكهرباء الفرعية في بنغازي المركز", "UNICEF",
                                        "7,268,000 دولار أمريكي")]))
    assert widths[0] > widths[1] and widths[2] > widths[1] and 95 <= sum(widths) <= 105


def test_the_population_source_names_its_year_once():
    from coordination.reports.portfolio import _source_and_year

    assert _source_and_year("OCHA HNO 2021", 2021) == "OCHA HNO 2021"
    assert _source_and_year("Bureau of Statistics", 2022) == "Bureau of Statistics 2022"
    assert _source_and_year("", 2022) == "2022"
    assert _source_and_year(None, None) == "—"

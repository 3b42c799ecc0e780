"""Files attached to project updates: the content decides the type, limits, permissions, downloads, API and page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from projects.models.reporting import UpdateAttachment
from projects.reporting.services.attachments import update_attachment_add, update_attachment_remove
from tests import factories

pytestmark = pytest.mark.django_db

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _zip(parts: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), parts.pop(stored_first), zipfile.ZIP_STORED)
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _ooxml(main_type: str, main_part: str, extra: dict[str, bytes] | None = None) -> bytes:
    types = (f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>').encode()
    return _zip({"[Content_Types].xml": types, main_part: b"<document/>", **(extra or {})})


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500

ACCEPTED = [
    ("report.pdf", PDF, "application/pdf"),
    ("photo.PNG", PNG, "image/png"),
    ("site.jpg", JPEG, "image/jpeg"),
    ("site.jpeg", JPEG + b"x", "image/jpeg"),
    ("map.gif", GIF, "image/gif"),
    ("map.webp", WEBP, "image/webp"),
    ("تقرير.docx", _ooxml(DOCX_MAIN, "word/document.xml"), "application/vnd.openxmlformats-officedocument."
                                                         "wordprocessingml.document"),
    ("budget.xlsx", _ooxml(XLSX_MAIN, "xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("slides.pptx", _ooxml("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                           "ppt/presentation.xml"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("notes.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
                       stored_first="mimetype"), "application/vnd.oasis.opendocument.text"),
    ("sheet.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
                       stored_first="mimetype"), "application/vnd.oasis.opendocument.spreadsheet"),
    ("old.doc", OLE2 + "WordDocument".encode("utf-16-le"), "application/msword"),
    ("old.xls", OLE2 + "Workbook".encode("utf-16-le"), "application/vnd.ms-excel"),
]


def _bomb() -> bytes:
    # 20 MB of zeros deflate to about 20 kB: a ratio of ~1000, with a valid Word main part.
    return _ooxml(DOCX_MAIN, "word/document.xml", {"word/media/zeros.bin": b"\x00" * (20 * 1024 * 1024)})


REFUSED = [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "exe renamed .pdf"),
    ("page.html", b"<!doctype html><html><script>alert(1)</script></html>", "HTML"),
    ("page.pdf", b"<html><body>hi</body></html>", "HTML renamed .pdf"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG renamed .png"),
    ("report.docx", PDF, "PDF named .docx"),
    ("report", PDF, "no extension"),
    ("archive.docx", _zip({"a.txt": b"hello"}), "plain zip named .docx"),
    ("macro.docx", _ooxml(DOCM_MAIN, "word/document.xml"), "macro-enabled Word"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 40, "broken zip"),
    ("installer.doc", OLE2 + "SummaryInformation".encode("utf-16-le"), "OLE2 that is not Word or Excel"),
    ("sheet.doc", OLE2 + "Workbook".encode("utf-16-le"), "Excel named .doc"),
    ("script.txt", b"#!/bin/sh\nrm -rf /\n", "text"),
]


def stored_files() -> set[str]:
    found: set[str] = set()

    def walk(path: str) -> None:
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        found.update(f"{path}/{f}" if path else f for f in files)
        for d in dirs:
            walk(f"{path}/{d}" if path else d)

    walk("")
    return found


@pytest.fixture
def draft(personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp)
    return ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                        period_start="2025-01-01", period_end="2025-03-31",
                                        progress_percent=10, status=ActivityStatus.IMPLEMENTATION)


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(("name", "data", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_kind_is_stored_under_its_hash_with_the_type_its_content_says(personas, draft, name, data,
                                                                                   content_type):
    fp = personas["undp_focal_point"]
    # The client's content type is a lie on purpose: it must not matter.
    attachment = update_attachment_add(update=draft, user=fp, upload=upload(name, data, "text/html"),
                                       description="evidence")
    assert attachment.content_type == content_type
    assert attachment.original_name == name and attachment.size == len(data) and attachment.uploaded_by == fp
    assert attachment.file.name.endswith(attachment.sha256) and name not in attachment.file.name
    assert default_storage.open(attachment.file.name).read() == data
    assert attachment.history.first().history_user == fp


@pytest.mark.parametrize(("name", "data", "why"), REFUSED, ids=[r[2] for r in REFUSED])
def test_a_refused_file_leaves_nothing_behind(personas, draft, name, data, why):
    before = stored_files()
    with pytest.raises(ValidationError) as caught:
        update_attachment_add(update=draft, user=personas["undp_focal_point"], upload=upload(name, data))
    assert "file" in caught.value.message_dict and caught.value.message_dict["file"][0]
    assert not UpdateAttachment.objects.exists()
    assert stored_files() == before


def test_a_zip_bomb_office_file_is_refused(personas, draft):
    before = stored_files()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        update_attachment_add(update=draft, user=personas["undp_focal_point"], upload=upload("big.docx", _bomb()))
    assert "declares far more content" in caught.value.message_dict["file"][0]
    assert not UpdateAttachment.objects.exists() and stored_files() == before


def test_the_size_limit_counts_the_bytes_not_the_claim(personas, draft, settings):
    settings.TANSIQ_ATTACHMENT_MAX_BYTES = 1000
    fp = personas["undp_focal_point"]
    before = stored_files()
    too_big = upload("big.pdf", PDF + b"0" * (1001 - len(PDF)))
    with pytest.raises(ValidationError):
        update_attachment_add(update=draft, user=fp, upload=too_big)
    lying = upload("lying.pdf", PDF + b"0" * (1001 - len(PDF)))
    lying.size = 10  # a client can claim any size; the bytes read decide
    with pytest.raises(ValidationError):
        update_attachment_add(update=draft, user=fp, upload=lying)
    assert not UpdateAttachment.objects.exists() and stored_files() == before
    exactly = upload("fits.pdf", PDF + b"0" * (1000 - len(PDF)))
    assert update_attachment_add(update=draft, user=fp, upload=exactly).size == 1000


def test_the_same_file_twice_and_too_many_files_are_refused(personas, draft, settings):
    settings.TANSIQ_ATTACHMENT_MAX_PER_UPDATE = 2
    fp = personas["undp_focal_point"]
    update_attachment_add(update=draft, user=fp, upload=upload("a.pdf", PDF))
    with translation.override("en"), pytest.raises(ValidationError) as twice:
        update_attachment_add(update=draft, user=fp, upload=upload("renamed.pdf", PDF))
    assert "already attached" in " ".join(twice.value.messages)
    update_attachment_add(update=draft, user=fp, upload=upload("b.png", PNG))
    before = stored_files()
    with pytest.raises(ValidationError):
        update_attachment_add(update=draft, user=fp, upload=upload("c.gif", GIF))
    assert draft.attachments.count() == 2 and stored_files() == before


@pytest.mark.parametrize("state", [ReviewState.SUBMITTED, ReviewState.ACCEPTED])
def test_nobody_adds_or_removes_files_once_the_update_is_submitted(personas, draft, state):
    fp = personas["undp_focal_point"]
    attachment = update_attachment_add(update=draft, user=fp, upload=upload("a.pdf", PDF))
    ProjectUpdate.objects.filter(pk=draft.pk).update(state=state)
    for persona in ("undp_focal_point", "ministry_admin"):
        with pytest.raises(PermissionDenied):
            update_attachment_add(update=draft, user=personas[persona], upload=upload("b.png", PNG))
        with pytest.raises(PermissionDenied):
            update_attachment_remove(attachment=attachment, user=personas[persona])
    assert list(draft.attachments.all()) == [attachment]


def test_a_returned_update_takes_files_again(personas, draft):
    ProjectUpdate.objects.filter(pk=draft.pk).update(state=ReviewState.RETURNED, review_comment="add the invoice")
    attachment = update_attachment_add(update=draft, user=personas["undp_focal_point"], upload=upload("a.pdf", PDF))
    assert attachment.pk


@pytest.mark.parametrize("persona", ["unicef_focal_point", "ministry_analyst", "viewer", "rapporteur"])
def test_only_the_partners_focal_point_or_the_admin_uploads(personas, draft, persona):
    with pytest.raises(PermissionDenied):
        update_attachment_add(update=draft, user=personas[persona], upload=upload("a.pdf", PDF))
    assert not UpdateAttachment.objects.exists()


def test_removal_deletes_the_row_and_the_file_on_commit(personas, draft, django_capture_on_commit_callbacks):
    fp = personas["undp_focal_point"]
    attachment = update_attachment_add(update=draft, user=fp, upload=upload("a.pdf", PDF))
    name = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        update_attachment_remove(attachment=attachment, user=fp)
    assert not UpdateAttachment.objects.exists() and not default_storage.exists(name)


# --- API ---------------------------------------------------------------------------------------------


def test_api_upload_list_download_delete(client_for, personas, draft):
    fp = client_for(personas["undp_focal_point"], 'ar', api=True)
    url = reverse("api:update-attachment-list", args=[draft.pk])
    created = fp.post(url, {"file": upload("تقرير الربع.pdf", PDF), "description": "quarterly"}, format="multipart")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["content_type"] == "application/pdf" and body["original_name"] == "تقرير الربع.pdf"
    listed = fp.get(url).json()
    assert [a["id"] for a in listed] == [body["id"]]
    download = fp.get(reverse("api:update-attachment-download", args=[draft.pk, body["id"]]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Type"] == "application/pdf"
    deleted = fp.delete(reverse("api:update-attachment-detail", args=[draft.pk, body["id"]]))
    assert deleted.status_code == 204 and not UpdateAttachment.objects.exists()


def test_api_refuses_a_bad_file_in_the_one_error_format(client_for, personas, draft):
    response = client_for(personas["undp_focal_point"], 'ar', api=True).post(
        reverse("api:update-attachment-list", args=[draft.pk]), {"file": upload("x.pdf", b"MZ\x90\x00")},
        format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["fields"]["file"]


def test_another_partners_focal_point_can_neither_see_nor_upload_nor_download(client_for, personas, draft):
    attachment = update_attachment_add(update=draft, user=personas["undp_focal_point"], upload=upload("a.pdf", PDF))
    other = client_for(personas["unicef_focal_point"], 'ar', api=True)
    urls = [reverse("api:update-attachment-list", args=[draft.pk]),
            reverse("api:update-attachment-download", args=[draft.pk, attachment.pk])]
    for url in urls:
        response = other.get(url)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    posted = other.post(urls[0], {"file": upload("b.png", PNG)}, format="multipart")
    assert posted.status_code == 404
    deleted = other.delete(reverse("api:update-attachment-detail", args=[draft.pk, attachment.pk]))
    assert deleted.status_code == 404
    assert draft.attachments.count() == 1
    assert client_for(None, 'ar', api=True).get(urls[0]).status_code in (401, 403)


def test_the_ministry_can_download_but_not_upload(client_for, personas, draft):
    attachment = update_attachment_add(update=draft, user=personas["undp_focal_point"], upload=upload("a.pdf", PDF))
    analyst = client_for(personas["ministry_analyst"], 'ar', api=True)
    assert analyst.get(reverse("api:update-attachment-download", args=[draft.pk, attachment.pk])).status_code == 200
    refused = analyst.post(reverse("api:update-attachment-list", args=[draft.pk]), {"file": upload("b.png", PNG)},
                           format="multipart")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"


def test_the_attachment_endpoints_are_in_the_openapi_document(client_for, personas):
    schema = client_for(personas["ministry_admin"], 'ar', api=True).get("/api/schema/", {"format": "json"}).json()
    upload_op = schema["paths"]["/api/v1/updates/{update_pk}/attachments/"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert "/api/v1/updates/{update_pk}/attachments/{id}/download/" in schema["paths"]
    assert "/api/v1/partners/{id}/scorecard/" in schema["paths"]


# --- the page ------------------------------------------------------------------------------------------


def test_the_page_lists_uploads_and_removes(client, personas, draft):
    client.force_login(personas["undp_focal_point"])
    url = reverse("update_attachments", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    posted = client.post(url, {"file": upload("a.pdf", PDF), "description": "invoice"})
    assert posted.status_code == 302
    attachment = draft.attachments.get()
    listed = client.get(url).content.decode()
    assert "a.pdf" in listed and reverse("update_attachment_download", args=[draft.pk, attachment.pk]) in listed
    bad = client.post(url, {"file": upload("b.pdf", b"<html></html>")})
    assert bad.status_code == 400 and "invalid-feedback" in bad.content.decode()
    download = client.get(reverse("update_attachment_download", args=[draft.pk, attachment.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == 'attachment; filename="a.pdf"'
    removed = client.post(reverse("update_attachment_remove", args=[draft.pk, attachment.pk]))
    assert removed.status_code == 302 and not draft.attachments.exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("undp_focal_point", 200), ("ministry_analyst", 200), ("viewer", 200), ("unicef_focal_point", 404),
])
def test_the_page_is_for_those_who_may_see_the_update(client, personas, draft, persona, status):
    client.force_login(personas[persona])
    response = client.get(reverse("update_attachments", args=[draft.pk]))
    assert response.status_code == status
    if status == 200:
        assert ('type="file"' in response.content.decode()) == (persona == "undp_focal_point")
    posted = client.post(reverse("update_attachments", args=[draft.pk]), {"file": upload("a.pdf", PDF)})
    assert posted.status_code in ((302,) if persona == "undp_focal_point" else (403, 404))


def test_the_attachment_list_keeps_its_query_count(client_for, personas, draft, django_assert_max_num_queries):
    fp = personas["undp_focal_point"]
    for name, data in [("a.pdf", PDF), ("b.png", PNG), ("c.gif", GIF), ("d.jpg", JPEG)]:
        update_attachment_add(update=draft, user=fp, upload=upload(name, data))
    client = client_for(personas["ministry_analyst"], 'ar', api=True)
    with django_assert_max_num_queries(6):
        listed = client.get(reverse("api:update-attachment-list", args=[draft.pk]))
    assert [a["original_name"] for a in listed.json()] == ["a.pdf", "b.png", "c.gif", "d.jpg"]

"""Files attached to project updates: add and remove (services), list (selector).

A file is accepted only for an update its user may still edit (draft or returned), within the size and
count limits, and when its bytes are one of the accepted kinds (``filetypes``). The stored name is
made from the content's SHA-256 (``models_reporting.attachment_path``); files are served only through
a permission-checked view. A refused file leaves nothing behind: neither a row nor a stored file.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from projects.models import ProjectUpdate
from projects.models.reporting import UpdateAttachment
from projects.permissions import update_can_edit
from projects.reporting.filetypes import FileRefused, detect_kind


def _clean_name(name: str) -> str:
    # Only the last path component, without control characters: it is shown and used as the download name.
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) < 20 else base[:255]
    return base


def _read_limited(upload: Any, limit: int) -> bytes:
    """The upload's bytes, refusing as soon as more than ``limit`` arrive (whatever size it claims)."""
    too_big = ValidationError({"file": _("The file is too large: at most %(max)s.") % {"max": filesizeformat(limit)}})
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise too_big
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks, total = [], 0
    reader = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(64 * 1024), b"")
    for chunk in reader:
        total += len(chunk)
        if total > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


@transaction.atomic
def update_attachment_add(*, update: ProjectUpdate, user, upload: Any, description: str = "") -> UpdateAttachment:
    """Attach an uploaded file (a Django ``UploadedFile`` or any file object with a ``name``) to ``update``."""
    update = ProjectUpdate.objects.select_for_update().select_related("project").get(pk=update.pk)
    if not update_can_edit(user, update):
        raise PermissionDenied(_("Files can be attached only to your own partner's updates, before they are submitted."))
    name = _clean_name(getattr(upload, "name", "") or "")
    if not name:
        raise ValidationError({"file": _("The file has no name.")})
    description = (description or "").strip()
    if len(description) > 300:
        raise ValidationError({"description": _("Keep the description under 300 characters.")})
    limit = settings.TANSIQ_ATTACHMENT_MAX_PER_UPDATE
    if update.attachments.count() >= limit:
        raise ValidationError({"file": _("An update can have at most %(count)s files.") % {"count": limit}})
    data = _read_limited(upload, settings.TANSIQ_ATTACHMENT_MAX_BYTES)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    try:
        kind = detect_kind(data, filename=name)
    except FileRefused as exc:
        raise ValidationError({"file": [str(exc.message)]}) from None
    sha256 = hashlib.sha256(data).hexdigest()
    if update.attachments.filter(sha256=sha256).exists():
        raise ValidationError({"file": _("This file is already attached to the update.")})

    from django.core.files.base import ContentFile

    attachment = UpdateAttachment(update=update, original_name=name, content_type=kind.content_type, size=len(data),
                                  sha256=sha256, description=description, uploaded_by=user)
    attachment._history_user = user
    stored = None
    try:
        attachment.file.save(sha256, ContentFile(data), save=False)
        stored = attachment.file.name
        with transaction.atomic():  # a savepoint: the unique constraint may still fire (two uploads at once)
            attachment.save()
    except IntegrityError:
        _delete_stored(stored)
        raise ValidationError({"file": _("This file is already attached to the update.")}) from None
    except BaseException:
        _delete_stored(stored)
        raise
    return attachment


def _delete_stored(name: str | None) -> None:
    if name:
        from django.core.files.storage import default_storage

        default_storage.delete(name)


@transaction.atomic
def update_attachment_remove(*, attachment: UpdateAttachment, user) -> None:
    """Remove a file from an update its user may still edit; the stored file goes once the removal commits."""
    update = ProjectUpdate.objects.select_for_update().select_related("project").get(pk=attachment.update_id)
    if not update_can_edit(user, update):
        raise PermissionDenied(_("Files can be removed only from your own partner's updates, before they are "
                                 "submitted."))
    attachment = UpdateAttachment.objects.get(pk=attachment.pk)
    name = attachment.file.name
    attachment._history_user = user
    attachment.delete()
    transaction.on_commit(lambda: _delete_stored(name))


def update_attachments(update: ProjectUpdate) -> QuerySet[UpdateAttachment]:
    """The files of one update, oldest first (the caller has checked that the user may see the update)."""
    return update.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")

"""Writes of an application's materials: upload a file for one checklist item (replacing the
item's previous file), remove one, and record a download.

A file's type is judged by its content, never by its name alone: PDF, JPEG, PNG, WebP, and
office documents (docx/xlsx/pptx: a zip holding [Content_Types].xml; doc/xls/ppt: the OLE
compound-file header), and the name's extension must agree with what the content is. An empty
file, another type, or one over policy `resumption_upload_max_mb` is refused before anything is
stored; a file written to disk by a write that then fails is deleted again.
"""

import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.errors import ConcurrentEditError
from epigrid.policy.selectors import policy_value

from ..access import require_reach
from ..models import Application, Material, Status

# (extensions, content type) per kind of content.
KINDS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "pdf": (("pdf",), {"pdf": "application/pdf"}),
    "jpeg": (("jpg", "jpeg"), {"jpg": "image/jpeg", "jpeg": "image/jpeg"}),
    "png": (("png",), {"png": "image/png"}),
    "webp": (("webp",), {"webp": "image/webp"}),
    "ooxml": (
        ("docx", "xlsx", "pptx"),
        {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        },
    ),
    "ole": (
        ("doc", "xls", "ppt"),
        {
            "doc": "application/msword",
            "xls": "application/vnd.ms-excel",
            "ppt": "application/vnd.ms-powerpoint",
        },
    ),
}
# The part of an OOXML package that tells its kind: a .docx renamed .xlsx is refused too.
OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_TEXT = "PDF, JPG, PNG, WebP, Word, Excel, PowerPoint"
NAME_MAX = 200
# Statuses in which the enterprise (or the desk for it) may change materials.
EDITABLE = (Status.DRAFT, Status.RETURNED)
# The desk records a supplement on site (green channel) while the application is with it.
ON_SITE = (Status.RETURNED, Status.SUBMITTED, Status.IN_REVIEW)


def tidy_name(name: str) -> str:
    """The file's own name without any folder, control characters or runs of spaces,
    shortened to fit (keeping its extension)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = " ".join(base.split()).strip(". ")
    if len(base) > NAME_MAX:
        stem, ext = os.path.splitext(base)
        base = stem[: NAME_MAX - len(ext)] + ext
    return base or "file"


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def sniff(upload: UploadedFile) -> str | None:
    """The kind of content (a key of KINDS), or None when it is none we accept."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "ooxml"
    return None


def _ooxml_agrees(upload: UploadedFile, ext: str) -> bool:
    """A zip is an office document only with [Content_Types].xml and the folder of its kind."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    folder = OOXML_FOLDER.get(ext, "")
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def material_facts(material: Material) -> dict[str, Any]:
    """What the audit trail keeps of a material (the file itself stays on disk)."""
    return {
        "application": material.application_id,
        "item": material.item,
        "file": material.file.name or "",
        "original_name": material.original_name,
        "content_type": material.content_type,
        "size": material.size,
        "sha256": material.sha256,
        "on_site": material.on_site,
        "removed_at": material.removed_at.isoformat() if material.removed_at else None,
    }


def check_upload(upload: Any, on_day) -> tuple[str, str, str]:
    """Refuses an unusable file; returns (tidied name, extension, content type)."""
    if not isinstance(upload, UploadedFile):
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = tidy_name(upload.name or "")
    limit_mb = int(policy_value("resumption_upload_max_mb", on_day))
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            {"file": _("The file is larger than %(n)d MB; send a smaller one.") % {"n": limit_mb}}
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": _("This kind of file is not accepted. Send one of: %(kinds)s.")
                % {"kinds": ALLOWED_TEXT}
            }
        )
    ext = extension(name)
    extensions, types = KINDS[kind]
    if ext not in extensions or (kind == "ooxml" and not _ooxml_agrees(upload, ext)):
        raise ValidationError(
            {
                "file": _(
                    "The file's content does not match its name (.%(ext)s). Send the file as "
                    "it is, one of: %(kinds)s."
                )
                % {"ext": ext or "?", "kinds": ALLOWED_TEXT}
            }
        )
    return name, ext, types[ext]


def _digest(upload: UploadedFile) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def checklist_codes(application: Application, on_day) -> list[str]:
    from ..selectors.applications import application_checklist

    return [item["code"] for item in application_checklist(application, on_day)]


def _check_access(actor: Actor, application: Application, on_site: bool) -> None:
    enterprise_id, path = application.enterprise_id, application.jpath
    if on_site:
        require_reach(
            actor,
            Capability.APPLICATIONS_REVIEW,
            enterprise_id=enterprise_id,
            path=path,
            self_ok=False,
        )
        if application.status not in ON_SITE:
            raise ValidationError(
                _("Materials are recorded on site only while the desk handles the application.")
            )
        return
    require_reach(actor, Capability.APPLICATIONS_REVIEW, enterprise_id=enterprise_id, path=path)
    if application.status not in EDITABLE:
        raise ValidationError(
            _("Materials can be changed only while the application is a draft or returned.")
        )


def material_upload(
    *,
    actor: Actor,
    application: Application,
    item: str,
    upload: Any,
    on_site: bool = False,
) -> Material:
    """Stores `upload` as the material of checklist `item` (replacing the item's current one,
    which keeps its row with removed_at); audited "material.upload". Refused: nothing
    stored, on disk or in the database."""
    _check_access(actor, application, on_site)
    now = timezone.now()
    today = timezone.localdate(now)
    if item not in checklist_codes(application, today):
        raise ValidationError({"item": _("This is not an item of the application's checklist.")})
    name, ext, content_type = check_upload(upload, today)
    digest = _digest(upload)
    material = Material(
        application=application,
        jpath=application.jpath,
        item=item,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest,
        uploaded_at=now,
        uploaded_by=actor.user,
        on_site=on_site,
    )
    # A random stored name: the original name (kept on the row) never reaches the disk.
    material.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    try:
        with transaction.atomic():
            # Lock the application row so two uploads for one item cannot both stay current,
            # and look at its status again: it may have been submitted since it was read.
            status = (
                Application.objects.select_for_update()
                .filter(pk=application.pk)
                .values_list("status", flat=True)
                .first()
            )
            if status != application.status:
                raise ConcurrentEditError
            Material.objects.filter(
                application=application, item=item, removed_at__isnull=True
            ).update(removed_at=now)
            material.save()
            audit_record(
                actor=actor,
                action="material.upload",
                obj=material,
                jpath=material.jpath,
                after=material_facts(material),
            )
    except BaseException:
        material.file.delete(save=False)
        raise
    return material


@transaction.atomic
def material_remove(*, actor: Actor, material: Material) -> Material:
    """Takes a material off its application (the row stays, with removed_at, for the
    history); only while the application may change its materials. Audited."""
    application = material.application
    _check_access(actor, application, on_site=False)
    if material.removed_at is not None:
        raise ValidationError(_("This file was already removed or replaced."))
    before = material_facts(material)
    updated = Material.objects.filter(pk=material.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("This file was already removed or replaced."))
    material.refresh_from_db()
    audit_record(
        actor=actor,
        action="material.remove",
        obj=material,
        jpath=material.jpath,
        before=before,
        after=material_facts(material),
    )
    return material


def material_download_record(*, actor: Actor, material: Material) -> None:
    """Audits a download: materials carry employees' health information."""
    audit_record(
        actor=actor,
        action="material.download",
        obj=material,
        jpath=material.jpath,
        after={"item": material.item, "sha256": material.sha256},
    )

"""Helpers of the application tests (tests/enterprises/test_app_*.py): files of each kind
made here, an employee on a roster, and applications brought to a given state."""

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.enterprises.models import Action, Application, Employee
from epigrid.enterprises.services import applications as services
from epigrid.enterprises.services import materials as material_services
from epigrid.enterprises.services.transitions import transition
from epigrid.policy.selectors import policy_value

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 30
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60
HTML = b"<html><script>alert(1)</script></html>"


def ooxml(folder: str = "word/", content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def file_items(day: dt.date | None = None) -> list[str]:
    checklist = policy_value("resumption_checklist", day or timezone.localdate())
    return [i["code"] for i in checklist if i.get("file")]


def hire(world, key: str = "a", person: str = "person_a", risk: bool = False) -> Employee:
    enterprise = world.enterprises[key]
    return Employee.objects.create(
        enterprise=enterprise,
        person=world.register[person],
        jpath=enterprise.jpath,
        active_from=timezone.localdate() - dt.timedelta(days=10),
        from_risk_area=risk,
    )


def draft(world, key: str = "a", **fields) -> Application:
    values = {"planned_on": timezone.localdate() + dt.timedelta(days=3), "masks": 200, **fields}
    return services.application_create(actor=SYSTEM, enterprise=world.enterprises[key], **values)


def upload_all(application: Application, skip: tuple[str, ...] = ()) -> None:
    for code in file_items():
        if code not in skip:
            material_services.material_upload(
                actor=SYSTEM, application=application, item=code, upload=upload(f"{code}.pdf")
            )


def submitted(world, key: str = "a") -> Application:
    application = draft(world, key)
    hire(world, key, person="person_a" if key != "b" else "person_b")
    upload_all(application)
    return services.application_submit(
        actor=SYSTEM, application=application, version=application.version
    )


def returned(world, key: str = "a", missing: tuple[str, ...] = ("training",)) -> Application:
    application = submitted(world, key)
    return transition(
        actor=world.actor("desk"),
        application=application,
        version=application.version,
        action=Action.RETURN,
        items=list(missing),
        missing_items=list(missing),
        supplement_by=timezone.localdate() + dt.timedelta(days=1),
        due_at=None,
    )

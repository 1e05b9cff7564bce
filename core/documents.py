"""Document uploads from the public site (replication resources): prove the file is
what its name says and carries no active content, bound its size.

Why our own code rather than a library: Wagtail's document form checks the
extension only; python-magic (libmagic) names a file's type but says nothing of a
PDF's JavaScript or a Word file's macros, and no antivirus runs on the platform.
The rules below are small and explicit: the extension must be one we accept, the
bytes must start as that format does, office files must be real ZIP packages
without macros, encryption or a decompression bomb, PDFs must not carry scripts,
launch actions or embedded files, text must be text. Anything else is refused
with a French message for the person who uploaded it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PDF = {"pdf"}
OFFICE_OPEN_XML = {"docx", "xlsx", "pptx"}
OPEN_DOCUMENT = {"odt", "ods", "odp"}
TEXT = {"txt", "csv"}
ACCEPTED_EXTENSIONS = PDF | OFFICE_OPEN_XML | OPEN_DOCUMENT | TEXT
# A package that would expand beyond this is a decompression bomb, not a guide.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 5_000
# PDF names that run or carry something when the file is opened.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z])")
MACRO_MEMBERS = ("vbaproject.bin", "vbadata.xml", "basic/", "scripts/")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _not_real(extension: str) -> ValidationError:
    return _refuse(
        _("Ce fichier n'est pas un vrai document %(ext)s.") % {"ext": extension}, "format"
    )


def _check_package(data: bytes, extension: str) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_real(extension)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise _refuse(_("Ce document est anormalement volumineux une fois ouvert."), "bomb")
            if any(m.flag_bits & 0x1 for m in members):
                raise _refuse(
                    _("Les documents protégés par un mot de passe ne sont pas acceptés."),
                    "encrypted",
                )
            names = [m.filename.lower() for m in members]
            if any(part in name for name in names for part in MACRO_MEMBERS):
                raise _refuse(
                    _("Ce document contient des macros : enregistrez-le sans macros (ou en PDF)."),
                    "macros",
                )
            if extension in OFFICE_OPEN_XML and "[content_types].xml" not in names:
                raise _not_real(extension)
            if extension in OPEN_DOCUMENT:
                if "mimetype" not in names:
                    raise _not_real(extension)
                mimetype = package.read("mimetype")[:100].decode("ascii", "replace")
                if not mimetype.startswith("application/vnd.oasis.opendocument."):
                    raise _not_real(extension)
            if package.testzip() is not None:
                raise _refuse(_("Ce document est abîmé : il ne s'ouvre pas."), "corrupt")
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
        raise _refuse(_("Ce document est abîmé : il ne s'ouvre pas."), "corrupt") from exc


def document_check(upload: UploadedFile, *, max_bytes: int) -> str:
    """Check an uploaded document; return its (lowercase) extension, or raise
    ValidationError with a message naming what is wrong."""
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if extension not in ACCEPTED_EXTENSIONS:
        raise _refuse(
            _("Type de fichier non accepté : utilisez %(types)s.")
            % {"types": ", ".join(sorted(ACCEPTED_EXTENSIONS))},
            "extension",
        )
    if upload.size is not None and upload.size > max_bytes:
        raise _refuse(
            _("Le document est trop lourd (%(size)s Mo au maximum).")
            % {"size": max_bytes // (1024 * 1024)},
            "too_large",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise _refuse(
            _("Le document est trop lourd (%(size)s Mo au maximum).")
            % {"size": max_bytes // (1024 * 1024)},
            "too_large",
        )
    if not data:
        raise _refuse(_("Le document est vide."), "empty")
    if extension in PDF:
        if not data.lstrip()[:5] == b"%PDF-":
            raise _refuse(_("Ce fichier n'est pas un vrai PDF."), "format")
        if PDF_ACTIVE.search(data):
            raise _refuse(
                _(
                    "Ce PDF contient des scripts ou des fichiers joints : "
                    "exportez-le à nouveau sans eux."
                ),
                "active",
            )
    elif extension in OFFICE_OPEN_XML | OPEN_DOCUMENT:
        _check_package(data, extension)
    else:
        if b"\x00" in data:
            raise _refuse(_("Ce fichier n'est pas du texte."), "format")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(_("Ce fichier texte doit être enregistré en UTF-8."), "encoding") from exc
    return extension

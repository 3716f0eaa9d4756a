"""The authoring metadata of a bid's documents, read once the bid is opened.

Collusion investigators compare who wrote and last saved the bids of different bidders
(实施条例 第40条: 不同投标人的投标文件由同一单位或者个人编制): the OOXML document
properties (docProps/core.xml, docProps/app.xml), the ODF meta.xml and the PDF document
information dictionary carry them. The server cannot read a sealed bid, so this runs at the
opening, on the plaintext the bidder's secret opened.

The format is recognised by content, not by name. A document in no known format, or one
that does not parse, gets a `format` and a `status` saying so and no fields: it never
breaks the opening, and the record says it was skipped rather than dropping it silently.
"""

import io
import logging
import zipfile
from datetime import datetime

from defusedxml import ElementTree
from pypdf import PdfReader

logger = logging.getLogger(__name__)

#: Longest value kept per field: enough for a name or a company, bounded in the trade log.
MAX_VALUE_LENGTH = 200
#: The property parts are a few kilobytes; a larger one is not read (a zip bomb, a forgery).
MAX_PART_SIZE = 1024 * 1024

_CORE = {
    "{http://purl.org/dc/elements/1.1/}creator": "creator",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy": (
        "last_modified_by"
    ),
    "{http://purl.org/dc/terms/}created": "created",
    "{http://purl.org/dc/terms/}modified": "modified",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}revision": (
        "revision"
    ),
}
_APP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
_APP = {
    f"{_APP_NS}Application": "application",
    f"{_APP_NS}AppVersion": "app_version",
    f"{_APP_NS}Company": "company",
    f"{_APP_NS}Manager": "manager",
    f"{_APP_NS}Template": "template",
    f"{_APP_NS}TotalTime": "total_editing_minutes",
}
_ODF_META = {
    "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}initial-creator": "creator",
    "{http://purl.org/dc/elements/1.1/}creator": "last_modified_by",
    "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}generator": "application",
    "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}creation-date": "created",
    "{http://purl.org/dc/elements/1.1/}date": "modified",
    "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}template": "template",
}
_PDF = {
    "/Author": "author",
    "/Creator": "creator",
    "/Producer": "producer",
    "/CreationDate": "created",
    "/ModDate": "modified",
}


class _Unreadable(Exception):
    pass


def _clean(value: object) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    text = " ".join(str(value).split())
    return text[:MAX_VALUE_LENGTH]


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_SIZE:
        raise _Unreadable(f"{name} is larger than {MAX_PART_SIZE} bytes")
    return archive.read(info)


def _xml_fields(data: bytes | None, names: dict[str, str]) -> dict[str, str]:
    if not data:
        return {}
    root = ElementTree.fromstring(data)
    fields: dict[str, str] = {}
    for element in root.iter():
        key = names.get(element.tag)
        if key is None:
            continue
        value = element.text
        if key == "template" and not value:  # ODF's template is an xlink:href attribute
            value = element.get("{http://www.w3.org/1999/xlink}href", "")
        if value and value.strip() and key not in fields:
            fields[key] = _clean(value)
    return fields


def _zip_metadata(data: bytes) -> tuple[str, dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "docProps/core.xml" in names or "docProps/app.xml" in names:
            fields = _xml_fields(_part(archive, "docProps/core.xml"), _CORE)
            fields.update(_xml_fields(_part(archive, "docProps/app.xml"), _APP))
            return "ooxml", fields
        if "meta.xml" in names:
            return "odf", _xml_fields(_part(archive, "meta.xml"), _ODF_META)
    return "zip", {}


def _pdf_metadata(data: bytes) -> dict[str, str]:
    info = PdfReader(io.BytesIO(data)).metadata or {}
    fields = {}
    for name, key in _PDF.items():
        value = info.get(name)
        if value is not None and str(value).strip():
            fields[key] = _clean(value)
    return fields


def _sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return "unknown"


def authoring_metadata(data: bytes) -> dict:
    """`{"format", "status", "fields"}` for one document: `status` is `read` (fields may still
    be empty: a document without properties), `unknown_format` or `unreadable`."""
    kind = _sniff(data)
    if kind == "unknown":
        return {"format": "unknown", "status": "unknown_format", "fields": {}}
    try:
        if kind == "pdf":
            return {"format": "pdf", "status": "read", "fields": _pdf_metadata(data)}
        kind, fields = _zip_metadata(data)
        if kind == "zip":
            return {"format": "zip", "status": "unknown_format", "fields": {}}
        return {"format": kind, "status": "read", "fields": fields}
    except Exception as exc:  # a malformed file is the bidder's document, not our failure
        logger.info("document metadata not readable (%s): %s", kind, exc)
        return {"format": kind, "status": "unreadable", "fields": {}}


def documents_metadata(documents: list[dict], contents: list[tuple[str, bytes]]) -> list[dict]:
    """The metadata of every opened document, in manifest order, keyed by its manifest name
    and digest so supervision can tie it to the sealed manifest."""
    by_name = dict(contents)
    records = []
    for document in documents:
        name = document.get("name", "")
        data = by_name.get(name)
        record = {"name": name, "digest": document.get("digest", "")}
        if data is None:
            record.update({"format": "unknown", "status": "missing", "fields": {}})
        else:
            record.update(authoring_metadata(data))
        records.append(record)
    return records

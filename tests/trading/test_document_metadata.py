"""The authoring metadata read from opened bid documents: real .docx/.xlsx/.pdf files, and
files that are not what their name says, which are skipped with a status, never an error."""

import io
import zipfile

from tests.document_files import ooxml, pdf
from trading.document_metadata import MAX_PART_SIZE, authoring_metadata, documents_metadata


def test_docx_core_and_app_properties():
    data = ooxml(creator="王五", last_modified_by="赵六", company="某某咨询有限公司")
    meta = authoring_metadata(data)
    assert meta["format"] == "ooxml" and meta["status"] == "read"
    fields = meta["fields"]
    assert fields["creator"] == "王五"
    assert fields["last_modified_by"] == "赵六"
    assert fields["company"] == "某某咨询有限公司"
    assert fields["application"] == "Microsoft Office Word"
    assert fields["template"] == "Normal.dotm"
    assert fields["revision"] == "3"
    assert fields["created"] == "2026-03-10T08:00:00Z"


def test_xlsx_is_read_the_same_way_and_empty_values_are_left_out():
    meta = authoring_metadata(ooxml(creator="王五", kind="xlsx"))
    assert meta["fields"]["creator"] == "王五"
    assert "last_modified_by" not in meta["fields"] and "company" not in meta["fields"]


def test_pdf_document_information():
    meta = authoring_metadata(pdf(author="王五", creator="WPS 文字", producer="某PDF工具 1.0"))
    assert meta["format"] == "pdf" and meta["status"] == "read"
    assert meta["fields"]["author"] == "王五"
    assert meta["fields"]["creator"] == "WPS 文字"
    assert meta["fields"]["producer"] == "某PDF工具 1.0"


def test_odf_meta():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "meta.xml",
            '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
            "<meta:initial-creator>王五</meta:initial-creator><dc:creator>赵六</dc:creator>"
            "<meta:generator>LibreOffice/7.6</meta:generator></office:meta>"
            "</office:document-meta>",
        )
    meta = authoring_metadata(buffer.getvalue())
    assert meta["format"] == "odf"
    assert meta["fields"] == {
        "creator": "王五",
        "last_modified_by": "赵六",
        "application": "LibreOffice/7.6",
    }


def test_malformed_and_unknown_files_are_skipped_with_a_status():
    assert authoring_metadata(b"PROPOSAL" * 100)["status"] == "unknown_format"
    assert authoring_metadata(b"%PDF-1.7 truncated garbage") == {
        "format": "pdf",
        "status": "unreadable",
        "fields": {},
    }
    assert authoring_metadata(b"PK\x03\x04 not really a zip")["status"] == "unreadable"
    broken_xml = io.BytesIO()
    with zipfile.ZipFile(broken_xml, "w") as archive:
        archive.writestr("docProps/core.xml", "<cp:coreProperties><unclosed>")
    assert authoring_metadata(broken_xml.getvalue())["status"] == "unreadable"
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert authoring_metadata(plain_zip.getvalue()) == {
        "format": "zip",
        "status": "unknown_format",
        "fields": {},
    }


def test_an_entity_expansion_or_an_oversized_part_is_not_read():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr(
            "docProps/core.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
        )
    assert authoring_metadata(bomb.getvalue())["status"] == "unreadable"
    large = io.BytesIO()
    with zipfile.ZipFile(large, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("docProps/core.xml", " " * (MAX_PART_SIZE + 1))
    assert authoring_metadata(large.getvalue())["status"] == "unreadable"


def test_one_record_per_manifest_document_in_order():
    manifest = [
        {"name": "商务标.docx", "size": 1, "digest": "d1"},
        {"name": "说明.txt", "size": 1, "digest": "d2"},
    ]
    records = documents_metadata(
        manifest, [("说明.txt", b"plain"), ("商务标.docx", ooxml(creator="王五"))]
    )
    assert [(r["name"], r["digest"], r["status"]) for r in records] == [
        ("商务标.docx", "d1", "read"),
        ("说明.txt", "d2", "unknown_format"),
    ]
    assert records[0]["fields"]["creator"] == "王五"

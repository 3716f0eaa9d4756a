"""Real office documents built in the tests: a .docx/.xlsx written with zipfile (the parts
Word writes: content types, the main part, docProps) and a PDF written with pypdf."""

import io
import zipfile
from xml.sax.saxutils import escape

from pypdf import PdfWriter


def ooxml(
    *,
    creator: str = "",
    last_modified_by: str = "",
    company: str = "",
    application: str = "Microsoft Office Word",
    template: str = "Normal.dotm",
    body: str = "投标文件",
    kind: str = "docx",
) -> bytes:
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(main, f"<document><body>{escape(body)}</body></document>")
        archive.writestr(
            "docProps/core.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            "<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{escape(creator)}</dc:creator>"
            f"<cp:lastModifiedBy>{escape(last_modified_by)}</cp:lastModifiedBy>"
            "<cp:revision>3</cp:revision>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-10T08:00:00Z</dcterms:created>'
            "</cp:coreProperties>",
        )
        archive.writestr(
            "docProps/app.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            "<Properties "
            'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Template>{escape(template)}</Template>"
            f"<Application>{escape(application)}</Application>"
            f"<Company>{escape(company)}</Company>"
            "</Properties>",
        )
    return buffer.getvalue()


def pdf(*, author: str = "", creator: str = "WPS 文字", producer: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    metadata = {"/Creator": creator}
    if author:
        metadata["/Author"] = author
    if producer:
        metadata["/Producer"] = producer
    writer.add_metadata(metadata)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

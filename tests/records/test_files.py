"""What an upload really is, found from its bytes; and file names made safe to show and to download under."""

import io

import pytest

from cases.records.files import FALLBACK_FILENAME, detect_document_type, download_filename, safe_filename
from cases.records.models import DocumentType
from tests.records import samples


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (samples.tiny_pdf(), DocumentType.PDF),
        (samples.tiny_png(), DocumentType.PNG),
        (samples.tiny_jpeg(), DocumentType.JPEG),
        (samples.tiny_docx(), DocumentType.DOCX),
    ],
)
def test_the_accepted_kinds_are_recognised_by_their_bytes(content: bytes, expected: DocumentType) -> None:
    file = io.BytesIO(content)
    assert detect_document_type(file) == expected
    assert file.tell() == 0  # left at the start, ready to be stored


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(samples.TEXT_CLAIMING_PDF, id="text"),
        pytest.param(b"", id="empty"),
        pytest.param(b"%PDF-1.4\nno end marker, cut short", id="pdf-without-eof"),
        pytest.param(b"\x89PNG\r\n\x1a\nnot a chunk", id="png-signature-only"),
        pytest.param(b"\xff\xd8\x00\x00", id="jpeg-without-marker"),
        pytest.param(samples.plain_zip(), id="zip-that-is-not-word"),
        pytest.param(samples.macro_docm(), id="macro-enabled-word"),
        pytest.param(b"PK\x03\x04 broken archive", id="broken-zip"),
        pytest.param(samples.LEGACY_DOC, id="legacy-doc"),
        pytest.param(samples.GIF, id="gif"),
        pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
    ],
)
def test_anything_else_is_not_recognised(content: bytes) -> None:
    assert detect_document_type(io.BytesIO(content)) is None


def test_a_pdf_marker_after_junk_in_the_last_kilobyte_is_still_a_pdf() -> None:
    assert detect_document_type(io.BytesIO(samples.tiny_pdf() + b"\n" * 500)) == DocumentType.PDF


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("letter.pdf", "letter.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\alice\\Desktop\\Report.PDF", "Report.pdf"),
        ("evil\u202egpj.exe.pdf", "evilgpj.exe.pdf"),  # a right-to-left override is dropped
        ('quote"s and <tags>.pdf', "quote_s and _tags_.pdf"),
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("   ", FALLBACK_FILENAME),
        ("", FALLBACK_FILENAME),
        (".pdf", "pdf"),
        ("name." + "x" * 40, "name." + "x" * 40),  # an over-long "extension" is part of the name
    ],
)
def test_file_names_are_cleaned_for_display(given: str, expected: str) -> None:
    assert safe_filename(given) == expected


def test_long_names_are_cut_keeping_the_extension() -> None:
    cleaned = safe_filename("a" * 500 + ".docx")
    assert len(cleaned) == 120 and cleaned.endswith(".docx")


@pytest.mark.parametrize(
    ("original", "kind", "expected"),
    [
        ("letter.pdf", DocumentType.PDF, "letter.pdf"),
        ("photo.pdf", DocumentType.PNG, "photo.png"),  # named as what it is
        ("photo.jpeg", DocumentType.JPEG, "photo.jpeg"),
        ("photo", DocumentType.JPEG, "photo.jpg"),
        ("minutes.doc", DocumentType.DOCX, "minutes.docx"),
    ],
)
def test_downloads_are_named_for_what_the_file_really_is(
    original: str, kind: DocumentType, expected: str
) -> None:
    assert download_filename(original, kind) == expected

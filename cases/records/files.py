"""What an uploaded file really is, found from its bytes (never from its name or the browser's content type),
and the uploader's file name made safe to show and to offer back as a download name.

Only four kinds are accepted, each recognised by its signature:
- PDF: `%PDF-` at the start and an `%%EOF` marker in the last kilobyte;
- PNG: the 8-byte PNG signature followed by the IHDR chunk;
- JPEG: the start-of-image marker FF D8 followed by another marker;
- Word (.docx): a ZIP archive holding `[Content_Types].xml` and a `word/` part, and no macros (a .docm renamed).
Anything else, a legacy .doc or a text file named x.pdf included, is refused."""

import os
import re
import unicodedata
import zipfile
from typing import IO

from cases.records.models import DocumentType

PDF_SIGNATURE = b"%PDF-"
PDF_END_MARKER = b"%%EOF"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"
# Adobe's readers accept an %%EOF within the last 1024 bytes (trailing whitespace or junk after it).
TAIL_BYTES = 1024

EXTENSIONS = {
    DocumentType.PDF: (".pdf",),
    DocumentType.PNG: (".png",),
    DocumentType.JPEG: (".jpg", ".jpeg"),
    DocumentType.DOCX: (".docx",),
}


def _is_docx(file: IO[bytes]) -> bool:
    try:
        # Reads only the archive's central directory: nothing is extracted.
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False
    return (
        "[Content_Types].xml" in names
        and any(name.startswith("word/") for name in names)
        and "word/vbaProject.bin" not in names
    )


def detect_document_type(file: IO[bytes]) -> DocumentType | None:
    """The kind of document `file` holds (a seekable binary file), or None when it is none of those accepted.
    Leaves the file at its start."""
    try:
        file.seek(0)
        head = file.read(16)
        if head.startswith(PDF_SIGNATURE):
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - TAIL_BYTES))
            found: DocumentType | None = DocumentType.PDF if PDF_END_MARKER in file.read() else None
        elif head.startswith(PNG_SIGNATURE) and head[12:16] == b"IHDR":
            found = DocumentType.PNG
        elif head.startswith(JPEG_SIGNATURE) and len(head) > 3 and 0xC0 <= head[3] <= 0xFE:
            found = DocumentType.JPEG
        elif head.startswith(ZIP_SIGNATURE):
            file.seek(0)
            found = DocumentType.DOCX if _is_docx(file) else None
        else:
            found = None
    finally:
        file.seek(0)
    return found


# Characters that are unsafe in a file name on some system or in a header: path separators, Windows'
# reserved characters, quotes, and controls (Unicode category C: controls, format characters such as
# right-to-left overrides, unassigned).
_UNSAFE = re.compile(r'[\\/:*?"<>|;\'`$%]')
_SPACES = re.compile(r"\s+")
MAX_FILENAME_LENGTH = 120
FALLBACK_FILENAME = "document"


def safe_filename(name: str) -> str:
    """The uploader's file name, cleaned for display: its last path part only, no control or format
    characters, no characters that are unsafe in file names or headers, no leading dots, at most 120
    characters (keeping the extension). Never empty."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip().lstrip(".").strip()
    stem, extension = os.path.splitext(name)
    if len(extension) > 10:
        stem, extension = name, ""
    stem = stem[: MAX_FILENAME_LENGTH - len(extension)].rstrip(" .")
    if not stem:
        stem = FALLBACK_FILENAME
    return f"{stem}{extension.lower()}"


def download_filename(original: str, document_type: DocumentType) -> str:
    """The name a download is offered under: the cleaned name, with the extension of what the file really is
    (a PNG uploaded as photo.pdf downloads as photo.png), so the reader's computer opens it as what it is."""
    name = safe_filename(original)
    stem, extension = os.path.splitext(name)
    allowed = EXTENSIONS[document_type]
    return name if extension in allowed else f"{stem}{allowed[0]}"

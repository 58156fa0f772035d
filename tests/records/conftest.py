"""Records tests keep uploaded files in a temporary folder of their own (MEDIA_ROOT, the `default` storage's
location), so nothing is left in the repository, and can list what is stored to prove nothing is orphaned."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.records.models import Contact, Document, Visibility
from cases.records.services import ContactData, contact_record, document_upload
from safeguarding.organisations.models import User
from tests.conftest import World
from tests.records.samples import tiny_pdf


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


def stored_files(root: Path) -> list[str]:
    """Every file under the storage's folder, as paths relative to it."""
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def record_contact(
    world: World,
    *,
    actor: User | None = None,
    occurred_at: datetime | None = None,
    contact_type: str = "visit",
    text: str = "Seen at home with her mother.",
    visibility: str = Visibility.SHARED,
) -> Contact:
    return contact_record(
        actor=actor or world.mash,
        context=SYSTEM_CONTEXT,
        case=world.case,
        data=ContactData(
            occurred_at=occurred_at or timezone.now() - timedelta(hours=2),
            contact_type=contact_type,
            present="Zephyrine and her mother",
            text=text,
            visibility=visibility,
        ),
    )


def upload(
    world: World,
    content: bytes | None = None,
    *,
    name: str = "letter.pdf",
    actor: User | None = None,
    visibility: str = Visibility.SHARED,
    is_recent_photo: bool = False,
    description: str = "",
) -> Document:
    return document_upload(
        actor=actor or world.mash,
        context=SYSTEM_CONTEXT,
        case=world.case,
        upload=ContentFile(tiny_pdf() if content is None else content, name=name),
        description=description,
        visibility=visibility,
        is_recent_photo=is_recent_photo,
    )

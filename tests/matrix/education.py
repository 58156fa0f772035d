"""The permission matrix's sentinel records for cases.education (see tests/matrix/__init__.py)."""

from collections.abc import Callable

from tests.conftest import World

OBJECT_PARAMS: frozenset[str] = frozenset()
SENTINEL_IDS: dict[str, Callable[[World], str]] = {}

"""The permission matrix's knowledge of each module of the child's record, one file per module, so that a
module adds its routes' parameters without touching tests/test_permission_matrix.py.

Each module file defines:
- OBJECT_PARAMS: the URL parameters that name a record of the sentinel child (her missing episode, her
  document…): a route with one is an object route, which outsiders must get 404 from and insiders see her on.
- SENTINEL_IDS: parameter -> function(world) returning the id (as text) of the sentinel's record for it, made
  the first time a route needs it (so it changes no other test's counts). Records must be made by the world's
  MASH practitioner (alice) on the world's case so that police (shared the case) see them and housing
  (same authority, not shared) and the other authority do not.
"""

from types import ModuleType

from tests.matrix import education, housing, missing, nrm, records

AREAS: tuple[ModuleType, ...] = (missing, education, housing, nrm, records)

"""The import contracts in pyproject.toml ([tool.importlinter], run by `make lint`): the project keeps them, and
each contract breaks when a copy of the project is given the import it forbids, so a contract that no longer
matches anything (a renamed package, a typo) cannot pass silently."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("safeguarding", "cases", "referrals", "panels", "audits")

CORE = "Core imports no domain app and not the clock engine"
ENGINES = "The clock engine and the audit trail import no domain app (subjects register with them)"
DOMAIN = "Domain apps: referrals -> panels -> cases"
WIRING = "Nothing imports the project wiring but the wiring itself"
SUBPACKAGE_CYCLES = (
    "No cycles between the sub-packages and modules of any app (a module and its tasks included)"
)
APP_CYCLES = "No cycles between the apps: each imports only the apps listed below it"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _broken_contracts(output: str) -> set[str]:
    # The report prints each contract's name (wrapped at 80 columns) followed by KEPT or BROKEN.
    flat = " ".join(output.split())
    names = [CORE, ENGINES, DOMAIN, WIRING, SUBPACKAGE_CYCLES, APP_CYCLES]
    return {name for name in names if f"{name} BROKEN" in flat}


def test_the_project_keeps_every_import_contract() -> None:
    result = _lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The project's Python packages and pyproject.toml: all that import-linter reads (it parses, never imports)."""
    for package in PACKAGES:
        shutil.copytree(
            REPO / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "static", "*.pyc"),
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.fixture(scope="module")
def broken_before() -> set[str]:
    """Contracts the project itself breaks (none, when the test above passes): a bad import must break one more."""
    return _broken_contracts(_lint_imports(REPO).stdout)


# Each import is forbidden by the contract named beside it; others may break too (forbidden and layers contracts
# follow indirect imports, so one bad import can cross several lines), but that one must.
@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        # people (core) reaching into a domain app: the cycle this issue removed.
        ("safeguarding/people/views.py", "from cases.selectors import case_list_for_person", CORE),
        ("safeguarding/organisations/services.py", "import safeguarding.deadlines.models", CORE),
        ("safeguarding/deadlines/selectors.py", "from cases.models import Case", ENGINES),
        ("audits/selectors.py", "import referrals.models", ENGINES),
        ("cases/services.py", "from referrals.models import Referral", DOMAIN),
        ("panels/apps.py", "import referrals.models", DOMAIN),
        ("cases/views.py", "from safeguarding.settings import base", WIRING),
        ("referrals/selectors.py", "import safeguarding.demodata.apps", WIRING),
        # A model module importing its own app's views closes a loop inside cases.
        ("cases/models.py", "import cases.views", SUBPACKAGE_CYCLES),
        # Both core, so no forbidden contract sees it: organisations <-> accounts is a cycle.
        ("safeguarding/organisations/models.py", "import safeguarding.accounts.models", SUBPACKAGE_CYCLES),
        # Core over the audit trail and under it at once: people -> audits -> people.
        ("audits/services.py", "import safeguarding.people.services", APP_CYCLES),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    project_copy: Path, broken_before: set[str], module: str, bad_import: str, contract: str
) -> None:
    path = project_copy / module
    path.write_text(path.read_text() + f"\n{bad_import}  # deliberately forbidden\n")
    result = _lint_imports(project_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert contract in _broken_contracts(result.stdout) - broken_before, result.stdout

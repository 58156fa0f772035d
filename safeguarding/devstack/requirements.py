"""Print the requirements that pyproject.toml declares, one a line, for `pip install -c constraints.txt -r -`.

Run as a plain script (`python safeguarding/devstack/requirements.py dev embedded`) so that it needs nothing
but the standard library: installing the project itself (`pip install .`) would build it in the work tree and
leave build/ and *.egg-info behind, and there is nothing to build (pyproject.toml has no packages).
"""

import sys
import tomllib
from pathlib import Path


def requirements(pyproject: Path, extras: list[str]) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    unknown = sorted(set(extras) - set(optional))
    if unknown:
        raise SystemExit(f"pyproject.toml has no optional dependencies called {', '.join(unknown)}")
    lines = list(project.get("dependencies", []))
    for extra in extras:
        lines.extend(optional[extra])
    return lines


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent.parent
    print("\n".join(requirements(root / "pyproject.toml", sys.argv[1:])))

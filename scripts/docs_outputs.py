"""Write the outputs table of docs/model.md from the outputs contract
(``simulation.scenario.outputs``).

The table between the markers ``<!-- outputs table -->`` and ``<!-- end outputs table -->`` in
the "Outputs" section is :func:`simulation.scenario.outputs.markdown_table`;
``tests/scenario/test_contracts.py`` fails while the two differ. Change an output's unit, direction
or meaning in its group module under simulation/scenario/output_groups/, then run:

    .venv/bin/python scripts/docs_outputs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.scenario.outputs import markdown_table

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model.md"
BEGIN = "<!-- outputs table -->\n"
END = "<!-- end outputs table -->\n"


def replaced(text: str) -> str:
    """``text`` with the block between the markers replaced by the current table."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"{DOC}: the markers {BEGIN.strip()} and {END.strip()} are missing")
    return head + BEGIN + markdown_table() + END + tail


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    new = replaced(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC.relative_to(ROOT)}")
    else:
        print(f"{DOC.relative_to(ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Golden summaries: every format's hand-written inputs, imported end to end (dry run), give the recorded summary.

Each input under tests/data/transcripts/<format>/ has a <name>.summary.json beside it holding the
command-line arguments it needs (--start, --channel) and the summary the contract prescribes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import make_space

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"


def _inputs():
    for summary in sorted(DATA.glob("*/*.summary.json")):
        stem = summary.name.removesuffix(".summary.json")
        candidates = [p for p in summary.parent.iterdir()
                      if p.name.split(".")[0] == stem and not p.name.endswith(".json") or p.name == f"{stem}.json"
                      or (p.is_dir() and p.name == stem) or p.name in (f"{stem}.jsonl", f"{stem}.js")]
        candidates = [p for p in candidates if not p.name.endswith((".summary.json", ".expected.json"))]
        assert len(candidates) == 1, f"{summary}: expected one input beside it, found {candidates}"
        yield pytest.param(candidates[0], summary, id=f"{summary.parent.name}/{stem}")


# Notes on where real samples come from, kept beside them: prose, not inputs.
NOTES = frozenset({"SOURCES.md"})


def test_every_input_has_a_golden_summary():
    inputs = {p.parent.name + "/" + p.name.split(".")[0] for p in DATA.glob("*/*")
              if not p.name.endswith((".expected.json", ".summary.json")) and p.name not in NOTES}
    golden = {p.parent.name + "/" + p.name.removesuffix(".summary.json") for p in DATA.glob("*/*.summary.json")}
    assert inputs == golden


@pytest.mark.parametrize("path, golden", list(_inputs()))
def test_golden_summary(app, runner, path, golden):
    make_space(app, "chats")
    expected = json.loads(golden.read_text())
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "chats", "--dry-run", "--json",
                                 *expected["args"]])
    if "error" in expected:
        assert result.exit_code == 2 and expected["error"] in result.output
        return
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected["summary"]

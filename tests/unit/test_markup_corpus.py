"""Public XSS payload lists and the Big List of Naughty Strings through forum.markup.render.

The corpus lives outside the repository, in shared/corpus/xss next to it (see shared/corpus/SOURCES.md
for where each file comes from). Without it these tests skip, except under CI=true, where they fail.
"""

import json
import os
import re
from pathlib import Path

import pytest

from forum.errors import ValidationError
from forum.markup import MAX_SOURCE_CHARS, render
from tests.unit.test_markup import unsafe_parts

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "xss"
INTRUDERS = "PayloadsAllTheThings/Intruders"
FILES = [
    "H5SC/vectors.txt",
    "blns.json",
    *(
        f"{INTRUDERS}/{name}"
        for name in [
            "0xcela_event_handlers.txt",
            "BRUTELOGIC-XSS-JS.txt",
            "BRUTELOGIC-XSS-STRINGS.txt",
            "IntrudersXSS.txt",
            "JHADDIX_XSS.txt",
            "MarioXSSVectors.txt",
            "RSNAKE_XSS.txt",
            "XSSDetection.txt",
            "XSS_Polyglots.txt",
            "jsonp_endpoint.txt",
            "port_swigger_xss_cheatsheet_event_handlers.txt",
            "xss_alert.txt",
            "xss_alert_identifiable.txt",
            "xss_payloads_quick.txt",
            "xss_swf_fuzz.txt",
        ]
    ),
]
# H5SC's vectors.txt is the cheatsheet's vectors() output: <div id="N">vector//["'`-->]]>]</div> per
# item; the trailer, meant to close whatever the vector left open, is kept as part of the payload.
H5SC_VECTOR = re.compile(r"<div id=\"(\d+)\">(.*?//\[\"'`-->\]\]>\])</div>", re.DOTALL)
# Each payload is also tried where Markdown would put it into a link's URL.
CONTEXTS = ["{}", "[x]({})"]


def corpus_file(relative: str) -> Path:
    """Return the path of a corpus file, skipping the test (failing it under CI=true) if it is missing."""
    path = CORPUS / relative
    if not path.is_file():
        message = f"XSS corpus file missing: {path} (see shared/corpus/SOURCES.md)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true, so the corpus is required")
        pytest.skip(message)
    return path


def payloads(relative: str) -> list[tuple[str, str]]:
    """Return (label, payload) for every payload in a corpus file."""
    text = corpus_file(relative).read_text(encoding="utf-8")
    if relative.endswith(".json"):
        return [(f"{relative}[{index}]", item) for index, item in enumerate(json.loads(text))]
    if relative.startswith("H5SC/"):
        return [(f"{relative}#{number}", vector) for number, vector in H5SC_VECTOR.findall(text)]
    return [(f"{relative}:{number}", line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]


@pytest.mark.parametrize("relative", FILES)
def test_every_payload_renders_to_safe_html(relative):
    found = payloads(relative)
    assert found, f"no payloads read from {relative}"
    failures = []
    for label, payload in found:
        for context in CONTEXTS:
            source = context.format(payload)
            try:
                output = render(source)
            except ValidationError:
                if len(source) <= MAX_SOURCE_CHARS:
                    failures.append(f"{label} in {context}: ValidationError for {len(source)} characters")
                continue
            except Exception as exc:  # render must never raise anything else
                failures.append(f"{label} in {context}: render raised {exc!r}")
                continue
            problems = unsafe_parts(output)
            if problems:
                failures.append(f"{label} in {context}: {problems}\n    source: {source!r}\n    output: {output!r}")
    assert not failures, f"{len(failures)} failures in {relative}:\n" + "\n".join(failures[:20])


def test_the_h5sc_file_splits_into_all_of_its_vectors():
    numbers = [int(label.rsplit("#", 1)[1]) for label, _ in payloads("H5SC/vectors.txt")]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 130

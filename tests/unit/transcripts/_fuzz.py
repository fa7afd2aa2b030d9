"""Hypothesis strategies shared by the importer robustness tests: golden inputs cut short or edited."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutations(draw: st.DrawFn, inputs: list[bytes], syntax: st.SearchStrategy[bytes]) -> bytes:
    """Draw a golden input with a few random insertions, deletions and replacements, often of `syntax`."""
    data = bytearray(draw(st.sampled_from(inputs)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 8))
        data[at : at + cut] = draw(syntax | st.binary(max_size=4))
    return bytes(data)


@st.composite
def truncations(draw: st.DrawFn, inputs: list[bytes]) -> bytes:
    """Draw a golden input cut off at a random byte."""
    data = draw(st.sampled_from(inputs))
    return data[: draw(st.integers(0, len(data)))]

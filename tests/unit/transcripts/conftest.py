"""Fixtures shared by the transcript importer tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Real third-party exports kept beside the repository: /work/shared/corpus/transcripts.
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "transcripts"


@pytest.fixture
def corpus() -> Path:
    """Return the third-party transcript corpus folder; skip when it is missing, except under CI."""
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the transcript corpus is missing at {CORPUS}")
        pytest.skip(f"the transcript corpus is not at {CORPUS}")
    return CORPUS

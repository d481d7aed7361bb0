"""Where the seed's shared data lives (``../shared/data`` beside the project), for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

#: exact values (30 digits) from the shared data's README; eps = 1e-5, b = 0.8328, n = 512.
LN_LOGIT = "11.4078519121787930617967305012"
UNCENTERED_LOGIT = "11.4078555997442486578244480797"
BIAS = "0.8328"


def shared(name: str) -> Path:
    """The path of ``../shared/data/<name>``, or skip the test with the reason."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"../shared/data is absent: {path} not found (the seed vectors are not copied)")
    return path

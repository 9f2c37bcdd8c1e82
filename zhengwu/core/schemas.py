"""Shared API types: bounded ids so that no path parameter can overflow the database."""

from __future__ import annotations

from typing import Annotated

from ninja import Path

MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]

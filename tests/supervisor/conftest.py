"""Fixtures for the supervisor's tests: a hand-made timeline on the test database, signed-in clients."""

from __future__ import annotations

import pytest

from tests.supervisor.timeline import Timeline


@pytest.fixture
def timeline(db) -> Timeline:
    return Timeline(db)


@pytest.fixture
def supervisor_api(api):
    """An HTTP client signed in as the demo supervisor."""
    api.login("pengawas")
    return api

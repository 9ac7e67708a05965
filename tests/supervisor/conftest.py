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


# A returning visitor is recognised by e-mail and phone together: each hand-made visitor has both.
V1 = dict(
    email="v1@example.id",
    phone="081200000001",
    institution_category="central_government",
    institution_name="Bappeda Sumsel",
    education="s2",
    occupation="civil_servant",
    purpose="government_planning",
)
V2 = dict(email="v2@example.id", phone="081200000002")
V3 = dict(
    email="v3@example.id",
    phone="081200000003",
    institution_category="individual",
    institution_name="",
    education="sma",
    occupation="student",
    purpose="coursework",
)


@pytest.fixture
def day(db, timeline):
    """The hand-made day of test_reports.py (its docstring works out every figure); returns ticket ids."""
    t = timeline
    t.open(0, 1, "petugas1")
    t.open(0, 2, "petugas2")
    ids = {}
    ids["A"] = t.issue(0, visitor=V1, estimate=0)
    ids["B"] = t.issue(1, visitor=V2, estimate=5)
    ids["C"] = t.issue(2, estimate=10)
    ids["D"] = t.issue(5, visitor=V1)
    ids["E"] = t.issue(6, visitor=V3)
    ids["F"] = t.issue(7, "konsultasi")
    t.cancel(8, ids["F"])
    assert t.call(2, 1) == ids["A"]
    t.start(3, ids["A"])
    assert t.call(3, 2) == ids["B"]
    t.start(3, ids["B"])
    t.finish(7, ids["B"])
    t.finish(9, ids["A"])
    assert t.call(20, 2) == ids["C"]
    t.start(21, ids["C"])
    assert t.call(22, 1) == ids["D"]
    t.no_show(24, ids["D"])
    assert t.call(25, 1) == ids["E"]
    t.start(25, ids["E"])
    t.transfer(27, ids["E"], "konsultasi")
    assert t.call(28, 1) == ids["E"]
    t.start(28, ids["E"])
    ids["G"] = t.issue(30)
    t.finish(31, ids["C"])
    t.finish(33, ids["E"])
    return ids

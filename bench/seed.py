"""Demo offices for the load benchmark: N offices, each with the configured services and C counters.

    python bench/seed.py --url sqlite:////tmp/bench.db --offices 100 --counters 3 --officers 50

Offices get codes 7001, 7002, ...; every counter serves every service (so officers of one office compete
for the same line); officer accounts are b<office>c<counter> with password BENCH_PASSWORD; each office has one paired kiosk (station
kiosk-1) whose device token the load generator's kiosks send, as a real kiosk's cookie. Bench-only:
a real office is loaded from config.toml with `python manage.py sync-config`.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlmodel import select

from commands import migrate
from db import Database
from models import Counter, Service
from rules import devices, users
from rules import offices as office_rules
from settings import load_settings

BENCH_PASSWORD = "bench-pass-1"
FIRST_CODE = 7001


def office_codes(n: int) -> list[str]:
    return [str(FIRST_CODE + i) for i in range(n)]


def officer_slots(codes: list[str], counters: int, officers: int, per_office: int) -> list[tuple[str, int]]:
    """(office code, counter number) for each officer: `per_office` officers share each calling office."""
    slots = []
    for code in codes:
        for number in range(1, min(per_office, counters) + 1):
            if len(slots) == officers:
                return slots
            slots.append((code, number))
    if len(slots) < officers:
        raise SystemExit(f"{officers} officers need more offices or counters ({len(slots)} slots)")
    return slots


def seed(url: str, n_offices: int, counters: int, officers: int, per_office: int = 3) -> dict:
    """Create the offices and officer accounts; returns what the load generator needs to drive them."""
    migrate(url)
    base = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    services = [s.code for s in base.services]
    counter_cfg = [{"number": i, "name": f"Loket {i}", "services": services} for i in range(1, counters + 1)]
    codes = office_codes(n_offices)
    db = Database(url)
    out: dict = {"offices": {}, "officers": [], "kiosks": {}}
    slots = set(officer_slots(codes, counters, officers, per_office))
    try:
        for code in codes:
            settings = base.model_validate(
                {
                    **base.model_dump(exclude={"office", "counters"}),
                    "office": {**base.office.model_dump(exclude={"hours"}), "code": code, "name": f"BPS Bench {code}"},
                    "counters": counter_cfg,
                }
            )
            with db.write() as s:
                office = office_rules.sync_from_settings(s, settings)
                svc_ids = [
                    x.id
                    for x in s.exec(select(Service).where(Service.office_id == office.id).order_by(Service.sort_order))
                ]
                ctr = {c.number: c.id for c in s.exec(select(Counter).where(Counter.office_id == office.id))}
                out["offices"][code] = {"id": office.id, "services": svc_ids, "counters": ctr}
                _device, out["kiosks"][code] = devices.register_paired(
                    s, office_id=office.id, kind="kiosk", station="kiosk-1", label=f"bench kiosk {code}"
                )
                for number in range(1, counters + 1):
                    if (code, number) in slots:
                        username = f"b{code}c{number}"
                        users.create_user(
                            s,
                            office_id=office.id,
                            username=username,
                            name=username,
                            role="officer",
                            password=BENCH_PASSWORD,
                            enforce_policy=False,  # bench-only accounts on a scratch database
                        )
                        out["officers"].append(
                            {
                                "office": code,
                                "counter_id": ctr[number],
                                "counter": number,
                                "username": username,
                                "password": BENCH_PASSWORD,
                            }
                        )
    finally:
        db.dispose()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("--offices", type=int, default=100)
    p.add_argument("--counters", type=int, default=3)
    p.add_argument("--officers", type=int, default=50)
    p.add_argument("--per-office", type=int, default=3)
    args = p.parse_args()
    out = seed(args.url, args.offices, args.counters, args.officers, args.per_office)
    print(f"{len(out['offices'])} offices, {len(out['officers'])} officer accounts (password {BENCH_PASSWORD})")


if __name__ == "__main__":
    main()

"""What the visitor's phone costs: bytes of the status page and its updates, and the server's work per change.

    .venv/bin/python bench/bench_status.py                  # 40, 150 and 400 tickets waiting in one office
    .venv/bin/python bench/bench_status.py --waiting 1000

Prints (never asserts): the first load of the status page (HTML plus every file it pulls, uncompressed),
one 'state' update, one poll of the JSON fallback, and the time office_views() takes to work out every
phone's state after a change (run by realtime.broadcast after each committed change), next to what the
same answers would cost asked one ticket at a time (visitor_view per ticket).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select

from app import create_app
from commands import migrate
from models import Office, Ticket
from rules import lines, offices, tickets, visitor_status
from settings import load_settings


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def page_weight(client, token: str) -> dict:
    r = client.get(f"/s/{token}")
    html = r.get_data()
    assets = re.findall(rb'(?:href|src)="(/[^"]+\.(?:css|js))"', html)
    sizes = {a.decode(): len(client.get(a.decode()).get_data()) for a in assets}
    return {"html": len(html), **sizes, "total": len(html) + sum(sizes.values())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--waiting", type=int, nargs="*", default=[40, 150, 400])
    args = ap.parse_args()
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    for n in args.waiting:
        with tempfile.TemporaryDirectory() as d:
            url = f"sqlite:///{d}/bench.db"
            migrate(url)
            app = create_app({"TESTING": True, "DATABASE_URL": url}, settings=settings)
            db = app.extensions["loket.db"]
            with db.write() as s:
                office = offices.sync_from_settings(s, settings)
                svcs = offices.services(s, office.id)
                for i in range(n):
                    tickets.issue_ticket(s, office=office, service=svcs[i % len(svcs)])
            client = app.test_client()
            with db.read() as s:
                last = s.exec(select(Ticket).order_by(Ticket.id.desc())).first()
            weight = page_weight(client, last.status_token)
            poll = len(client.get(f"/s/{last.status_token}/state").get_data())
            with db.read() as s:
                office = s.get(Office, office.id)
                views = visitor_status.office_views(s, office, default_service_minutes=8)
                one_state = len(json.dumps(views[last.status_token], separators=(",", ":")))
                batch = best(lambda office=office: visitor_status.office_views(s, office, default_service_minutes=8))
                each = best(
                    lambda office=office, svcs=svcs: [
                        visitor_status.visitor_view(s, t, default_service_minutes=8)
                        for t in lines.waiting_line(
                            s, office_id=office.id, service_ids=[x.id for x in svcs], day=tickets.today(office)
                        )
                    ],
                    repeat=2,
                )
            db.dispose()
        print(f"waiting={n}")
        print(
            f"  first load of the page: {weight['total']:,} bytes uncompressed "
            f"({', '.join(f'{k} {v:,}' for k, v in weight.items() if k != 'total')})"
        )
        print(f"  one pushed 'state' event: {one_state} bytes of JSON; one poll of /state: {poll} bytes")
        print(
            f"  office_views after a change (all {n} phones): {batch * 1000:.1f} ms; "
            f"one ticket at a time: {each * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()

"""Who used the CPU during a benchmark phase: the server processes, the load generator, the display clients and
the rest of the machine (PostgreSQL, Redis, kernel interrupts), from /proc."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

from bench import procs


def _cpu_of(pid: int, key: str = "cpu_s") -> float:
    try:
        return procs.proc_stats(pid)[key]
    except (OSError, IndexError, KeyError):
        return 0.0


def _machine_busy() -> tuple[float, float, float]:
    """(busy, total, interrupts) CPU seconds of the whole machine since boot, from /proc/stat.

    Interrupts (irq + softirq) are mostly the kernel moving loopback packets between the processes; they
    are not charged to any process, so they are shown on their own."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks, (fields[5] + fields[6]) / ticks


class CpuMeter:
    """Who used the two cores during a phase: the server processes, this load generator (kiosks, officers,
    phones), the display clients, and the rest of the machine (PostgreSQL, Redis, anything else)."""

    def __init__(self, server, display_pids: list[int]):
        self.server, self.display_pids = server, display_pids

    def _sample(self) -> dict:
        busy, total, irq = _machine_busy()
        return {
            "server": sum(_cpu_of(p) for p in self.server.pids()),
            "server_system": sum(_cpu_of(p, "system_s") for p in self.server.pids()),
            "generator": time.process_time(),
            "displays": sum(_cpu_of(p) for p in self.display_pids),
            "busy": busy,
            "total": total,
            "irq": irq,
        }

    @contextmanager
    def phase(self, into: dict):
        before = self._sample()
        yield
        after = self._sample()
        d = {k: after[k] - before[k] for k in before}
        capacity = d["total"] or 1.0
        into["cpu"] = {
            "server": d["server"] / capacity,
            "generator": d["generator"] / capacity,
            "displays": d["displays"] / capacity,
            "irq": d["irq"] / capacity,
            "other": max(0.0, d["busy"] - d["server"] - d["generator"] - d["displays"] - d["irq"]) / capacity,
            "idle": max(0.0, 1 - d["busy"] / capacity),
            "server_s": d["server"],
            "server_kernel": d["server_system"] / d["server"] if d["server"] else 0.0,
        }


def cpu_line(c: dict) -> str:
    return (
        f"cpu: server {c['server']:.0%} (in the kernel: {c['server_kernel']:.0%} of it)  load generator {c['generator']:.0%}  displays {c['displays']:.0%}  "
        f"kernel interrupts {c['irq']:.0%}  other (database, redis, ...) {c['other']:.0%}  idle {c['idle']:.0%}"
    )

"""Summarise py-spy raw (collapsed) profiles: where the server's time goes, by function and by our own code.

.venv/bin/python bench/profile.py /tmp/prof/sqlite-issue-*.txt
"""

from __future__ import annotations

import sys
from collections import Counter


def summarise(paths: list[str], top: int = 25) -> str:
    own: Counter = Counter()  # samples where the function is the innermost frame
    inclusive: Counter = Counter()  # samples where the function is anywhere on the stack
    total = 0
    for path in paths:
        for line in open(path):
            stack, _, n = line.rstrip().rpartition(" ")
            if not stack:
                continue
            n = int(n)
            frames = stack.split(";")
            total += n
            own[frames[-1]] += n
            for f in set(frames):
                inclusive[f] += n
    out = [f"{total} samples"]
    out.append("-- innermost frames (self time) --")
    out += [f"{n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    out.append("-- on the stack (inclusive), Loket's own code and the libraries' entry points --")
    out += [
        f"{n / total:6.1%}  {f}"
        for f, n in inclusive.most_common(top * 4)
        if "site-packages" not in f
        or any(k in f for k in ("engineio", "socketio", "sqlalchemy/orm/session", "flask/app", "werkzeug/security"))
    ][: top * 2]
    return "\n".join(out)


if __name__ == "__main__":
    print(summarise(sys.argv[1:]))

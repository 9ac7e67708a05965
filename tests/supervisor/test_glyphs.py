"""Screens draw no emoji: a Debian office PC or a wall display has no colour-emoji font and shows them as empty
boxes (the supervisor's mute button did: '🔊 Bisukan'). Icons are inline SVG or words."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ("kiosk", "counter", "display", "supervisor", "status", "auth", "printer", "templates", "static")


def _is_emoji(ch: str) -> bool:
    # Pictographs, emoticons, transport and the like live above U+1F000; U+2600-U+27BF also holds many that
    # fonts draw as emoji (DejaVu Sans has the dingbats of it, not the pictographic ones such as U+1F50A).
    return ord(ch) >= 0x1F000


def test_screens_use_no_emoji():
    found = []
    for folder in SCREENS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".js", ".html", ".css") or "vendor" in path.parts or not path.is_file():
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if any(_is_emoji(ch) for ch in line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert not found, "\n".join(found)

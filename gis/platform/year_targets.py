"""Year targets as a setting: ``KASANE_DEADZONE_TARGETS="2019:62,2022:40"``.

Parsed here, not in the planning package, because settings validate the text at start-up and
the platform layer must not import a domain package.
"""

from __future__ import annotations

import re

from gis.platform.errors import ConfigError

_TARGET_ITEM = re.compile(r"^\s*(\d{4})\s*:\s*(\d+)\s*$")


def parse_targets(text: str) -> dict[int, int]:
    """``"2019:62, 2022:40"`` -> ``{2019: 62, 2022: 40}``; empty text gives no targets."""
    targets: dict[int, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = _TARGET_ITEM.match(item)
        if not match:
            raise ConfigError(
                f"dead-zone target {item!r} is not YEAR:COUNT",
                hint="write KASANE_DEADZONE_TARGETS like 2019:62,2022:40",
            )
        year, count = int(match.group(1)), int(match.group(2))
        if year in targets:
            raise ConfigError(f"dead-zone target year {year} is given twice")
        targets[year] = count
    return dict(sorted(targets.items()))

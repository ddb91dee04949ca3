"""Dates in the Japanese era calendar (和暦), as Japanese pages show them.

Era starts (docs: jp-gis-standards §12): 明治 1868-01-25, 大正 1912-07-30, 昭和 1926-12-25,
平成 1989-01-08, 令和 2019-05-01. The first year of an era is 元年. Babel formats Gregorian
dates only, hence this small table.
"""

from __future__ import annotations

from datetime import date

ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
)


def era_year(day: date) -> str:
    """「令和8年」 for a day in 2026 (「令和元年」 for 2019); the Gregorian year before 明治."""
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年"
    return f"{day.year}年"


def era_date(day: date) -> str:
    """「令和8年12月8日」: the era year, then month and day."""
    return f"{era_year(day)}{day.month}月{day.day}日"

"""Two municipalities publish, republish and roll back their parts of the shared shelters layer
from the command line; the prefecture republishes every part at once."""

from __future__ import annotations

import json
from pathlib import Path

from gis.platform import auth
from gis.platform.db import connect
from tests.gis.layerstore.parts.conftest import (
    IWAKUNI,
    PREFECTURE,
    SHIMONOSEKI,
    kasane,
    shelters_csv,
)

S1 = [
    ("352012-1", SHIMONOSEKI, "下関A", 33.96, 130.94),
    ("352012-2", SHIMONOSEKI, "下関B", 33.97, 130.95),
]
I1 = [
    ("352080-1", IWAKUNI, "岩国A", 34.17, 132.22),
    ("352080-2", IWAKUNI, "岩国B", 34.16, 132.21),
    ("352080-3", IWAKUNI, "岩国C", 34.15, 132.20),
]

CURRENT = "SELECT version FROM kasane.layer_current WHERE layer_id = 'shelters'"


def served(url: str) -> dict[str, list[str]]:
    """Served shelter ids by municipality."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT lg_code, shelter_id FROM layer_data.shelters ORDER BY shelter_id"
        ).fetchall()
    out: dict[str, list[str]] = {}
    for code, sid in rows:
        out.setdefault(code, []).append(sid)
    return out


def test_parts_publish_republish_reject_rollback(
    parts_url: str, parts_layers: Path, tmp_path: Path
) -> None:
    run = lambda *a, **k: kasane(parts_url, parts_layers, *a, **k)  # noqa: E731
    shimo = shelters_csv(tmp_path, "shimonoseki.csv", S1)
    iwa = shelters_csv(tmp_path, "iwakuni.csv", I1)

    whole = run("load", "shelters", str(shimo))
    assert whole.returncode == 1 and "say which part to publish" in whole.stderr

    first = run("load", "shelters", str(shimo), "--part", SHIMONOSEKI)
    assert first.returncode == 0, first.stderr
    assert served(parts_url) == {SHIMONOSEKI: ["352012-1", "352012-2"]}
    second = run("load", "shelters", str(iwa), "--part", IWAKUNI)
    assert second.returncode == 0, second.stderr
    assert served(parts_url) == {
        SHIMONOSEKI: ["352012-1", "352012-2"],
        IWAKUNI: ["352080-1", "352080-2", "352080-3"],
    }

    again = run("load", "shelters", str(iwa), "--part", IWAKUNI)
    assert again.returncode == 0 and "unchanged" in again.stdout

    # 下関市 publishes a new file; one row of it belongs to 岩国市 and is refused with its reason
    mixed = shelters_csv(
        tmp_path,
        "shimonoseki2.csv",
        [S1[0], ("352012-9", SHIMONOSEKI, "下関Z", 33.9, 130.9), I1[0]],
    )
    report_path = tmp_path / "report.json"
    third = run("load", "shelters", str(mixed), "--part", SHIMONOSEKI, "--report", str(report_path))
    assert third.returncode == 0, third.stderr
    [issue] = json.loads(report_path.read_text("utf-8"))["files"][0]["issues"]
    assert issue["row"] == 4 and issue["field"] == "lg_code" and issue["action"] == "rejected"
    assert (
        issue["reason"]
        == f"row belongs to part {IWAKUNI}, not to part {SHIMONOSEKI} being published"
    )
    assert served(parts_url) == {
        SHIMONOSEKI: ["352012-1", "352012-9"],
        IWAKUNI: ["352080-1", "352080-2", "352080-3"],
    }

    history = run("layers", "history", "shelters", "--part", SHIMONOSEKI)
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert lines[0].startswith(f"* {SHIMONOSEKI} v2") and "shimonoseki2.csv" in lines[0]
    assert lines[1].startswith(f"  {SHIMONOSEKI} v1")

    back = run("layers", "rollback", "shelters", "--part", SHIMONOSEKI)
    assert back.returncode == 0, back.stderr
    assert f"part {SHIMONOSEKI} now serves its version 1" in back.stdout
    assert served(parts_url) == {
        SHIMONOSEKI: ["352012-1", "352012-2"],
        IWAKUNI: ["352080-1", "352080-2", "352080-3"],
    }
    with connect(parts_url) as conn:
        [(target,)] = conn.execute(
            "SELECT target FROM kasane.audit_log WHERE action = 'layer.rollback'"
        ).fetchall()
    assert target == f"layers/shelters/parts/{SHIMONOSEKI}"

    listing = run("layers", "parts", "shelters")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[0].startswith(f"{SHIMONOSEKI}") and "v1" in listing.stdout
    assert "2 features" in listing.stdout.splitlines()[0]
    assert "3 features" in listing.stdout.splitlines()[1]


def test_prefecture_republishes_all_parts_at_once(
    parts_url: str, parts_layers: Path, tmp_path: Path
) -> None:
    run = lambda *a, **k: kasane(parts_url, parts_layers, *a, **k)  # noqa: E731
    with connect(parts_url) as conn:
        admin = auth.add_user(conn, "pref-admin", PREFECTURE, auth.Role.ADMIN, org_name="山口県")
        conn.commit()
    everything = shelters_csv(
        tmp_path, "pref.csv", [S1[0], I1[1], ("35201X", "999999", "x", 34, 131)]
    )
    with connect(parts_url) as conn:
        before = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = 'shelters'"
        ).fetchone()
    done = run("load", "shelters", str(everything), "--parts", "present", token=admin)
    assert done.returncode == 0, done.stdout + done.stderr
    assert served(parts_url) == {SHIMONOSEKI: ["352012-1"], IWAKUNI: ["352080-2"]}
    with connect(parts_url) as conn:
        after = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = 'shelters'"
        ).fetchone()
    assert before is not None and after is not None and after[0] == before[0] + 1  # one change
    assert "'999999' is not a municipality of prefecture 350001" in done.stdout


def test_parts_older_than_the_age_are_stale(parts_url: str, parts_registry: object) -> None:
    """After the tests above: every part is fresh now and stale in two days with a 1-day age;
    without administrative boundaries, which municipalities have no part is unknown."""
    from datetime import UTC, datetime, timedelta

    from gis.layerstore.part_status import layer_parts
    from gis.layerstore.registry import LayerRegistry

    assert isinstance(parts_registry, LayerRegistry)
    spec = parts_registry.get("shelters")
    with connect(parts_url) as conn:
        now = layer_parts(conn, spec, 1)
        later = layer_parts(conn, spec, 1, now=datetime.now(UTC) + timedelta(days=2))
    assert [p.code for p in now.parts] == [SHIMONOSEKI, IWAKUNI]
    assert [p.stale for p in now.parts] == [False, False]
    assert [p.stale for p in later.parts] == [True, True]
    assert not now.names_known and now.missing == []


def test_rows_without_a_code_belong_to_the_part_loaded(
    parts_url: str, parts_layers: Path, tmp_path: Path
) -> None:
    """After the tests above: rows of 岩国市's own file with an empty code are 岩国市's part;
    下関市's part stays as it is."""
    empty = [("352080-8", "", "岩国H", 34.16, 132.21), ("352080-9", "", "岩国I", 34.17, 132.22)]
    path = shelters_csv(tmp_path, "iwakuni-empty.csv", empty)
    done = kasane(parts_url, parts_layers, "load", "shelters", str(path), "--part", IWAKUNI)
    assert done.returncode == 0, done.stdout + done.stderr
    assert served(parts_url) == {SHIMONOSEKI: ["352012-1"], IWAKUNI: ["352080-8", "352080-9"]}

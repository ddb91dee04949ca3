"""Open shelters as CAP 1.2 alerts (OASIS), wrapped in an Atom feed.

Local profile ``kasane-shelter:1.0`` (no published Japanese CAP profile exists):

- one alert per shelter revision; ``identifier`` = ``urn:kasane:shelter:<id>:r<revision>``,
  so it is stable for a revision and changes with every status change;
- ``sender`` = ``urn:kasane:lg:<6-digit code of the shelter's municipality>``;
- ``msgType`` ``Alert`` for a shelter's first revision, ``Update`` after, with
  ``references`` to the previous revision;
- ``status`` carries the distribution status (Actual / Exercise / Test), never dropped;
- two ``info`` blocks, ``ja-JP`` and ``en``; each ``area`` has the point as a zero-radius
  ``circle`` and the municipality as ``geocode`` ``JISX0402`` (6 digits with check digit);
- ``parameter``s: SHELTER_ID, OPEN_STATE (L-Alert word), CROWDING, CAPACITY, KIND.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

from gis.platform.languages import LANGUAGES, Msg, resolve
from gis.residents.shelter_list import ShelterRow
from gis.residents.shelter_status import CROWDING, STATUSES
from gis.residents.shelters import HAZARDS, KINDS

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
PROFILE = "profile:kasane-shelter:1.0"
JST = timezone(timedelta(hours=9), "JST")
_UNSAFE = re.compile(r"[^A-Za-z0-9._:\-]")

ET.register_namespace("cap", CAP_NS)
ET.register_namespace("atom", ATOM_NS)


def cap_time(value: datetime) -> str:
    """CAP's date form: ``2024-06-01T12:00:00+09:00`` (no fraction, no ``Z``)."""
    return value.astimezone(JST).replace(microsecond=0).isoformat()


def identifier(shelter_id: str, revision: int) -> str:
    """The alert identifier of one shelter revision (CAP forbids spaces, commas, < and &)."""
    return f"urn:kasane:shelter:{_UNSAFE.sub('_', shelter_id)}:r{revision}"


def sender(lg_code: str) -> str:
    """The sender of alerts about shelters of one municipality."""
    return f"urn:kasane:lg:{lg_code}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _param(info: ET.Element, name: str, value: str) -> None:
    parameter = _sub(info, "parameter")
    _sub(parameter, "valueName", name)
    _sub(parameter, "value", value)


def _texts(row: ShelterRow, lang: str) -> tuple[str, str, str, str]:
    status = STATUSES[row.status][lang]
    crowding = CROWDING[row.crowding][lang]
    kind = (KINDS.get(row.kind or "") or {}).get(lang, row.kind or "")
    hazards = ("、" if lang == "ja" else ", ").join(HAZARDS[h][lang] for h in row.hazards)
    capacity = str(row.capacity) if row.capacity is not None else "—"
    if lang == "ja":
        event = "避難所開設情報"
        headline = f"{row.municipality} {row.name}: {status}"
        description = (
            f"{kind}「{row.name}」({row.address or '住所不明'}) は{status}しています。"
            f"混雑状況: {crowding}。想定収容人数: {capacity}人。対象災害: {hazards or 'なし'}。"
        )
    else:
        event = "Shelter status"
        headline = f"{row.name} ({row.municipality}): {status}"
        description = (
            f"{kind} {row.name} ({row.address or 'address unknown'}) is {status.lower()}. "
            f"Crowding: {crowding.lower()}. Capacity: {capacity} persons. "
            f"Hazards served: {hazards or 'none'}."
        )
    if row.note:
        description += f" {row.note}"
    return event, headline, description, kind


EVENT = Msg("避難所開設情報", "Shelter status")
DESCRIPTION = Msg(
    "{kind}「{name}」（{address}）: {status}。混雑状況: {crowding}。想定収容人数: {capacity}人。"
    "対象災害: {hazards}。",
    "{kind} {name} ({address}): {status}. Crowding: {crowding}. Capacity: {capacity} persons. "
    "Hazards served: {hazards}.",
)
ADDRESS_UNKNOWN = Msg("住所不明", "address unknown")
NO_HAZARDS = Msg("なし", "none")
LIST_SEPARATOR = Msg("、", ", ")


def _translated_texts(row: ShelterRow, lang: str) -> tuple[str, str, str]:
    """Event, headline and description in a residents' language other than ja/en; names and
    addresses stay as written (proper names)."""
    status = STATUSES[row.status][lang]
    hazards = LIST_SEPARATOR[lang].join(HAZARDS[h][lang] for h in row.hazards)
    description = DESCRIPTION[lang].format(
        kind=(KINDS.get(row.kind or "") or {}).get(lang, row.kind or ""),
        name=row.name,
        address=row.address or ADDRESS_UNKNOWN[lang],
        status=status,
        crowding=CROWDING[row.crowding][lang],
        capacity=str(row.capacity) if row.capacity is not None else "—",
        hazards=hazards or NO_HAZARDS[lang],
    )
    if row.note:
        description += f" {row.note}"
    return EVENT[lang], f"{row.name} ({row.municipality}): {status}", description


def info_languages() -> list[tuple[str, str]]:
    """(tag, CAP language) of every language whose catalogue translates the alert's text:
    one ``<info>`` each (Japanese and English always)."""
    found = []
    for language in LANGUAGES:
        tag = language.tag
        if tag in ("ja", "en") or all(
            resolve(m.ja, m.en, tag)[1] == tag for m in (EVENT, DESCRIPTION, ADDRESS_UNKNOWN)
        ):
            found.append((tag, language.cap if tag != "ja" else "ja-JP"))
    return found


def texts_by_language(row: ShelterRow) -> dict[str, dict[str, str]]:
    """Headline and description of the shelter's alert in every language of its ``<info>``."""
    out = {}
    for lang, _tag in info_languages():
        if lang in ("ja", "en"):
            _event, headline, description, _kind = _texts(row, lang)
        else:
            _event, headline, description = _translated_texts(row, lang)
        out[lang] = {"headline": headline, "description": description}
    return out


def alert(row: ShelterRow, *, web: str | None = None) -> ET.Element:
    """The CAP alert for a shelter's current revision."""
    root = ET.Element(f"{{{CAP_NS}}}alert")
    sent = row.updated_at or datetime.now(UTC)
    _sub(root, "identifier", identifier(row.shelter_id, row.revision))
    _sub(root, "sender", sender(row.lg_code))
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", row.distribution)
    _sub(root, "msgType", "Alert" if row.revision <= 1 else "Update")
    _sub(root, "scope", "Public")
    _sub(root, "code", PROFILE)
    previous = [(rev, at) for rev, at in row.history if rev == row.revision - 1]
    if previous:
        rev, at = previous[0]
        ref = f"{sender(row.lg_code)},{identifier(row.shelter_id, rev)},{cap_time(at)}"
        _sub(root, "references", ref)
    for lang, tag in info_languages():
        if lang in ("ja", "en"):
            event, headline, description, _ = _texts(row, lang)
            tag = "en" if lang == "en" else tag
        else:
            event, headline, description = _translated_texts(row, lang)
        info = _sub(root, "info")
        _sub(info, "language", tag)
        _sub(info, "category", "Safety")
        _sub(info, "event", event)
        _sub(info, "responseType", "Shelter")
        _sub(info, "urgency", "Unknown")
        _sub(info, "severity", "Unknown")
        _sub(info, "certainty", "Observed")
        if row.opened_at:
            _sub(info, "effective", cap_time(row.opened_at))
        _sub(info, "senderName", row.org_name or row.municipality)
        _sub(info, "headline", headline)
        _sub(info, "description", description)
        if web:
            _sub(info, "web", web)
        _param(info, "SHELTER_ID", row.shelter_id)
        _param(info, "OPEN_STATE", STATUSES[row.status]["ja"])
        _param(info, "CROWDING", CROWDING[row.crowding]["ja"])
        if row.capacity is not None:
            _param(info, "CAPACITY", str(row.capacity))
        if row.kind:
            _param(info, "KIND", row.kind)
        area = _sub(info, "area")
        _sub(area, "areaDesc", f"{row.municipality} {row.name} {row.address or ''}".strip())
        _sub(area, "circle", f"{row.lat:.6f},{row.lon:.6f} 0")
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", "JISX0402")
        _sub(geocode, "value", row.lg_code)
    return root


def alert_document(row: ShelterRow, *, web: str | None = None) -> bytes:
    """A standalone CAP 1.2 document for one shelter."""
    data: bytes = ET.tostring(
        alert(row, web=web), encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS
    )
    return data


def atom_feed(rows: list[ShelterRow], *, base_url: str, now: datetime | None = None) -> bytes:
    """An Atom feed with one entry per open shelter, each carrying its CAP alert inline."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    newest = max((r.updated_at for r in rows if r.updated_at), default=None)
    add(feed, "id", f"{base_url}/feeds/shelters.xml")
    add(feed, "title", "開設中の避難所 / Open shelters (CAP 1.2)")
    add(feed, "updated", cap_time(newest or now or datetime.now(UTC)))
    add(add(feed, "author"), "name", "Kasane")
    add(feed, "link", rel="self", href=f"{base_url}/feeds/shelters.xml")
    json_url = f"{base_url}/feeds/shelters.json"
    add(feed, "link", rel="alternate", type="application/json", href=json_url)
    for row in rows:
        entry = add(feed, "entry")
        cap_url = f"{base_url}/feeds/shelters/{row.shelter_id}.xml"
        add(entry, "id", identifier(row.shelter_id, row.revision))
        add(entry, "title", f"{row.municipality} {row.name}: {STATUSES[row.status]['ja']}")
        add(entry, "updated", cap_time(row.updated_at or datetime.now(UTC)))
        add(entry, "link", rel="alternate", type="application/cap+xml", href=cap_url)
        content = add(entry, "content", type="application/cap+xml")
        content.append(alert(row, web=f"{base_url}/shelters?lg_code={row.lg_code}"))
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data

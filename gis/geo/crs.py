"""Japanese coordinate reference systems on pyproj: datums, plane-rectangular zones, .prj files.

Municipal data arrives in JGD2011, JGD2000 or the pre-2002 Tokyo datum, as lon/lat or in one of
the 19 plane-rectangular zones (平面直角座標系), described by an EPSG code, a name or an ESRI .prj.
:func:`resolve_crs` turns all of those into one pyproj CRS, identified to its EPSG code when
possible. :func:`to_wgs84_transformer` guards the Tokyo datum, where pyproj's own choice is
unsafe: without the ``tky2jgd.gsb`` grid, PROJ may pick the null "ballpark" operation (a silent
~450 m error) or, west of 131°E (Fukuoka, Nagasaki, Shimonoseki), EPSG's *South Korea*
parameters (about 6 m off). It therefore uses the grid when installed, else the Japanese
3-parameter shift TOWGS84[-146.414, 507.337, 680.507] (EPSG 15483), metre-level.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import Final

import numpy as np
from pyproj import CRS, Transformer
from pyproj.crs import BoundCRS
from pyproj.crs.coordinate_operation import ToWGS84Transformation
from pyproj.exceptions import CRSError
from pyproj.transformer import TransformerGroup

TOKYO_TOWGS84: Final = (-146.414, 507.337, 680.507)
ROMAN: Final = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
    "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX",
)  # fmt: skip

# Zone of each prefecture (JIS X 0401 code). Where a prefecture spans several zones this is the
# zone of its main area: Hokkaido 12 (also 11 west, 13 east), Tokyo 9 (also 14 Ogasawara,
# 18 Okinotorishima, 19 Minamitorishima), Okinawa 15 (also 16 Sakishima, 17 Daito),
# Kagoshima 2 (its islands west of 130°E, e.g. Amami and Koshiki, are zone 1).
PREFECTURE_ZONE: Final[dict[str, int]] = {
    "01": 12, "02": 10, "03": 10, "04": 10, "05": 10, "06": 10, "07": 9, "08": 9, "09": 9,
    "10": 9, "11": 9, "12": 9, "13": 9, "14": 9, "15": 8, "16": 7, "17": 7, "18": 6, "19": 8,
    "20": 8, "21": 7, "22": 8, "23": 7, "24": 6, "25": 6, "26": 6, "27": 6, "28": 5, "29": 6,
    "30": 6, "31": 5, "32": 3, "33": 5, "34": 3, "35": 3, "36": 4, "37": 4, "38": 4, "39": 4,
    "40": 2, "41": 2, "42": 1, "43": 2, "44": 2, "45": 2, "46": 2, "47": 15,
}  # fmt: skip

# Hand-traced prefecture lines between zone groups, as (lat, lon) knots: west of the line is the
# lower zone. np.interp holds the end values beyond the last knots. Accurate to a few km.
# fmt: off
_III_V = ((34.3, 133.45), (34.6, 133.42), (35.0, 133.25), (35.6, 133.33), (36.0, 133.45))
_V_VI = ((34.2, 135.05), (34.5, 135.15), (34.6, 135.25), (34.68, 135.42), (34.82, 135.423),
         (34.95, 135.44), (35.05, 135.42), (35.2, 135.2), (35.4, 134.95), (35.6, 134.88))
_VI_VII = ((34.55, 136.97), (34.65, 136.8), (35.0, 136.72), (35.1, 136.67), (35.25, 136.45),
           (35.7, 136.42), (35.9, 136.7), (36.1, 136.55), (36.2, 136.35), (36.3, 136.25))
_VII_VIII = ((34.6, 137.47), (34.95, 137.6), (35.15, 137.78), (35.25, 137.6), (37.0, 137.63))
_VIII_IX = ((34.5, 138.9), (34.62, 139.2), (35.05, 139.2), (35.15, 139.1), (35.3, 139.03),
            (35.45, 139.1), (35.6, 139.15), (35.7, 139.05), (35.85, 138.95), (35.95, 138.75),
            (36.1, 138.7), (36.35, 138.65), (36.5, 138.45), (36.65, 138.5), (36.78, 138.7),
            (36.87, 139.05), (36.95, 139.15), (37.35, 139.12), (37.5, 139.4), (37.65, 139.55),
            (37.8, 139.65), (38.3, 139.65), (38.55, 139.58), (38.6, 139.0))
# (lon, lat) knots: north of this line is zone X (Miyagi, Yamagata), south is Fukushima (IX).
_FUKUSHIMA_NORTH = ((139.6, 37.85), (140.0, 37.75), (140.25, 37.78), (140.45, 37.9),
                    (140.6, 37.93))
# (lon, lat) knots: south of this line (and west of 134.9°E) is Shikoku (IV).
_SHIKOKU_NORTH = ((132.0, 33.75), (132.5, 33.75), (132.6, 34.03), (132.8, 34.13), (133.0, 34.27),
                  (133.2, 34.29), (133.45, 34.3), (133.6, 34.33), (133.75, 34.38), (133.8, 34.41),
                  (133.95, 34.47), (134.05, 34.52), (134.1, 34.55), (134.4, 34.58),
                  (134.45, 34.22))
_NAGASAKI_EAST = ((32.55, 129.95), (32.6, 130.4), (32.92, 130.42), (32.95, 130.2),
                  (33.05, 130.0), (33.15, 129.93), (33.25, 129.83))
# fmt: on


def _line(x: float, knots: tuple[tuple[float, float], ...]) -> float:
    xs, ys = zip(*knots, strict=True)
    return float(np.interp(x, xs, ys))


def _hokkaido_zone(lon: float, lat: float) -> int:
    if lat < 43.4 and (
        (lat < 42.2 and lon < 141.3) or lon < 140.95 or (lat >= 42.55 and lon < 141.1)
    ):
        return 11  # Oshima, Hiyama, Shiribeshi, Otaru, western Iburi
    hidaka = lat < 42.6 and lon < 142.85 + (42.6 - lat) * 0.75
    if (lon >= 142.8 and lat < 43.45 and not hidaka) or (lon >= 143.4 and lat < 43.9):
        return 13  # Tokachi, Kushiro, Nemuro, southern Okhotsk
    return 13 if lon >= 143.75 else 12


def plane_rectangular_zone(lon: float, lat: float) -> int:
    """The plane-rectangular zone (1-19) that the law assigns to a point in Japan.

    Zones follow prefecture (and in Hokkaido, Tokyo, Okinawa and Kagoshima, sub-prefecture)
    lines; this traces those lines by hand to within a few km, so a point very near a boundary
    (or on a small island in the Seto Inland Sea) may get the neighbouring zone. Any nearby zone
    is fine for metric work; when the prefecture is known, prefer :func:`zone_for_prefecture`.
    """
    if not (20.0 <= lat <= 46.0 and 122.0 <= lon <= 154.5):
        raise ValueError(f"({lon}, {lat}) (lon, lat) is not in Japan")
    if lat < 28 and lon >= 132:  # Tokyo's far islands
        return 18 if lon < 140.5 else (14 if lon < 143 else 19)
    if lat < 27 or (lat < 27.2 and lon < 128.3):  # Okinawa
        return 16 if lon < 126 else (17 if lon >= 130 else 15)
    if 27 <= lat < 32 and (lon < 130 or (lat < 28.6 and lon < 130.22)):
        return 1  # Kagoshima's islands: Amami (with Kikai), Tokara, Koshiki
    if lat >= 41.35 and lon >= 139.3 and (lon < 140.5 or lat >= 41.65):
        return _hokkaido_zone(lon, lat)
    kyushu_north = 33.95 if lon < 131.05 else (33.8 if lon < 131.5 else 33.75)
    if lon < 130.87 or (lat < kyushu_north and lon < (132.1 if lat < 33.1 else 132.0)):
        return 1 if lon < _line(lat, _NAGASAKI_EAST) else 2
    if lon < 134.9 and lat < _line(lon, _SHIKOKU_NORTH):
        return 4
    for zone, knots in ((3, _III_V), (5, _V_VI), (6, _VI_VII), (7, _VII_VIII), (8, _VIII_IX)):
        if lon < _line(lat, knots):
            return zone
    return 10 if lat >= _line(lon, _FUKUSHIMA_NORTH) else 9


def zone_for_prefecture(pref_code: str) -> int:
    """The zone of a prefecture's main area: ``'33'`` (Okayama) -> 5, ``'35'`` (Yamaguchi) -> 3.

    Accepts a 1-2 digit prefecture code or a 5/6-digit local-government code. For prefectures
    spanning several zones see the notes on ``PREFECTURE_ZONE``.
    """
    text = unicodedata.normalize("NFKC", str(pref_code)).strip()
    if re.fullmatch(r"\d{5,6}", text):
        text = text[:2]
    zone = PREFECTURE_ZONE.get(text.zfill(2)) if re.fullmatch(r"\d{1,2}", text) else None
    if zone is None:
        raise ValueError(f"{pref_code!r} is not a prefecture code (01-47) or a 5/6-digit LG code")
    return zone


def _check_zone(zone: int) -> int:
    if not 1 <= zone <= 19:
        raise ValueError(f"plane-rectangular zone must be 1-19, got {zone!r}")
    return zone


def jgd2011_zone_epsg(zone: int) -> int:
    """EPSG code of JGD2011 / Japan Plane Rectangular CS <zone> (6669-6687)."""
    return 6668 + _check_zone(zone)


def jgd2000_zone_epsg(zone: int) -> int:
    """EPSG code of JGD2000 / Japan Plane Rectangular CS <zone> (2443-2461)."""
    return 2442 + _check_zone(zone)


def tokyo_zone_epsg(zone: int) -> int:
    """EPSG code of Tokyo / Japan Plane Rectangular CS <zone> (30161-30179)."""
    return 30160 + _check_zone(zone)


def metric_crs_for(lon: float, lat: float) -> int:
    """EPSG code of the JGD2011 plane-rectangular zone to use for metric work at a point."""
    return jgd2011_zone_epsg(plane_rectangular_zone(lon, lat))


_DATUMS: Final = {"jgd2011": 6668, "jgd2000": 4612, "tokyo": 4301, "wgs84": 4326}
_ZONE_EPSG: Final = {"jgd2011": jgd2011_zone_epsg, "jgd2000": jgd2000_zone_epsg,
                     "tokyo": tokyo_zone_epsg}  # fmt: skip
_DATUM_ALIASES: Final = {"日本測地系2011": "jgd2011", "測地成果2011": "jgd2011",
                         "日本測地系2000": "jgd2000", "測地成果2000": "jgd2000",
                         "旧日本測地系": "tokyo", "日本測地系": "tokyo",
                         "tokyodatum": "tokyo"}  # fmt: skip
_ZONE_RE = re.compile(
    r"(?P<datum>jgd2011|jgd2000|tokyo)?/?(?:japan)?(?:planerectangular(?:cs)?|平面直角座標系)?"
    r"(?:zone|cs|第)?(?P<zone>[ivx]+|\d{1,2})(?P<kei>系)?"
)
ACCEPTED_FORMS: Final = (
    "'EPSG:6671' or '6671'; 'JGD2011', 'JGD2000', 'Tokyo', 'WGS84', 'CRS84'; zones as 'zone3', "
    "'zone III', 'JGD2011 zone III', 'JGD2000 zone 3', 'Tokyo zone 3', '第3系', 'III系' (zones "
    "without a datum are JGD2011); anything pyproj reads: WKT or ESRI .prj text, PROJ strings, "
    "'ESRI:102612', OGC URNs and URLs"
)


def _alias(text: str) -> CRS | None:
    key = re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text).lower())
    for alias, datum in _DATUM_ALIASES.items():
        key = key.replace(alias, datum) if key.startswith(alias) else key
    if m := re.fullmatch(r"(?:epsg:?)?(\d{4,5})", key):
        return CRS.from_epsg(int(m[1]))
    if key in _DATUMS:
        return CRS.from_epsg(_DATUMS[key])
    if key in ("crs84", "ogc:crs84"):
        return CRS.from_user_input("OGC:CRS84")
    m = _ZONE_RE.fullmatch(key)
    if m and (m["datum"] or m["kei"] or re.search(r"zone|cs|第", key)):
        z = m["zone"].upper()
        if not z.isdigit() and z not in ROMAN:
            raise ValueError(f"{m['zone']!r} is not a zone number (1-19 or I-XIX)")
        zone = int(z) if z.isdigit() else ROMAN.index(z) + 1
        return CRS.from_epsg(_ZONE_EPSG[m["datum"] or "jgd2011"](zone))
    return None


def resolve_crs(text: str | None, prj_wkt: str | None = None) -> CRS:
    """A CRS from what a user or a file says; ``text`` wins when both are given.

    Accepted: see ``ACCEPTED_FORMS``. WKT (including ESRI .prj content) is identified to its
    EPSG code when PROJ is confident (``to_epsg(min_confidence=70)``: same parameters, names
    may differ), so ``JGD_2000_Japan_Zone_3`` becomes EPSG:2445; otherwise the parsed CRS is
    returned as is. Raises ValueError, listing the accepted forms, when nothing matches.
    """
    source = text if text is not None and text.strip() else prj_wkt
    if source is None or not source.strip():
        raise ValueError(f"no CRS given; accepted forms: {ACCEPTED_FORMS}")
    source = source.strip().lstrip("\ufeff")
    try:
        crs = _alias(source)
        if crs is None:
            crs = CRS.from_user_input(source)
            if (code := crs.to_epsg(min_confidence=70)) is not None:
                crs = CRS.from_epsg(code)
    except (CRSError, ValueError) as err:
        raise ValueError(
            f"cannot read CRS {source[:80]!r} ({err}); accepted forms: {ACCEPTED_FORMS}"
        ) from err
    return crs


def is_tokyo_datum(crs: CRS) -> bool:
    """True for a CRS on the pre-2002 Tokyo datum (Bessel 1841), e.g. EPSG 4301 or 30161-30179."""
    gcrs = crs.geodetic_crs
    if gcrs is None or gcrs.datum is None or gcrs.ellipsoid is None:
        return False
    return "tokyo" in gcrs.datum.name.lower() and "bessel" in gcrs.ellipsoid.name.lower()


def to_wgs84_transformer(src: CRS) -> Transformer:
    """Transformer from ``src`` to WGS 84 lon/lat (always_xy=True).

    Tokyo datum (unless ``src`` already carries its own TOWGS84): the NTv2 ``tky2jgd.gsb`` grid
    when installed (≈0.2 m; output on JGD2000, which EPSG treats as WGS 84), else the explicit
    3-parameter shift ``TOKYO_TOWGS84`` (EPSG rates it 9 m; 1.4 m at the docs' TKY2JGD example
    in Yamanashi). Never the ballpark no-op.
    """
    if not is_tokyo_datum(src) or src.is_bound:
        return Transformer.from_crs(src, CRS.from_epsg(4326), always_xy=True)
    with warnings.catch_warnings():  # "best transformation is not available": handled below
        warnings.simplefilter("ignore", UserWarning)
        group = TransformerGroup(src, CRS.from_epsg(4612), always_xy=True)
    for candidate in group.transformers:
        if 0 <= candidate.accuracy < 1:  # a grid-based operation, not the 9 m Helmert
            return candidate
    dx, dy, dz = TOKYO_TOWGS84
    bound = BoundCRS(
        source_crs=src,
        target_crs=CRS.from_epsg(4326),
        transformation=ToWGS84Transformation(src.geodetic_crs, dx, dy, dz),
    )
    return Transformer.from_crs(bound, CRS.from_epsg(4326), always_xy=True)


_DMS_MARKS: Final = str.maketrans({"度": "d", "°": "d", "º": "d", "˚": "d", "分": "m", "′": "m",
                                   "’": "m", "'": "m", "秒": "s", "″": "s", "”": "s", '"': "s",
                                   ":": " "})  # fmt: skip
_HEMI_WORDS: Final = {"北緯": "N", "南緯": "S", "東経": "E", "西経": "W"}


def parse_dms(text: str) -> float:
    """Degrees from DMS or decimal text; S and W give negative values.

    Accepts ``34°03'07.7"N``, ``N34.0521``, ``34度03分07.7秒``, ``北緯34度3分``, ``34 03 07.7``,
    ``34:03:07.7``, ``-133.9``. Only the last number may have a fraction; minutes and seconds
    must be below 60. Raises ValueError otherwise.
    """
    raw = text
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = s.replace("′′", "″").replace("''", '"')  # NFKC splits ″ into two primes
    for word, letter in _HEMI_WORDS.items():
        s = s.replace(word, letter)
    hemi = re.findall(r"[NSEW]", s)
    if len(hemi) > 1 or (hemi and not re.fullmatch(r"[NSEW].*|.*[NSEW]", s)):
        raise ValueError(f"cannot parse {raw!r} as degrees: bad hemisphere letter")
    m = re.fullmatch(r"([+-]?)\s*(.*)", s.strip("NSEW ").translate(_DMS_MARKS))
    sign, body = (m[1], m[2]) if m else ("", "")
    values: list[str] = []
    marks = ""
    for tok in re.findall(r"\d+(?:\.\d+)?|\S", body):
        if tok in ("d", "m", "s"):  # a unit mark names the number just before it
            if len(values) != "dms".index(tok) + 1 or tok in marks:
                raise ValueError(f"cannot parse {raw!r} as degrees: misplaced {tok!r} mark")
            marks += tok
        elif tok[0].isdigit() and len(values) < 3:
            values.append(tok)
        else:
            raise ValueError(f"cannot parse {raw!r} as degrees: unexpected {tok!r}")
    if not values or any("." in v for v in values[:-1]) or (sign == "-" and hemi):
        raise ValueError(f"cannot parse {raw!r} as degrees")
    nums = [float(v) for v in values]
    if any(n >= 60 for n in nums[1:]):
        raise ValueError(f"cannot parse {raw!r}: minutes and seconds must be below 60")
    value = sum(n / 60.0**i for i, n in enumerate(nums))
    limit = 90 if hemi and hemi[0] in "NS" else 180
    if value > limit:
        raise ValueError(f"{raw!r} is out of range (more than {limit} degrees)")
    negative = sign == "-" or bool(hemi and hemi[0] in "SW")
    return -value if negative else value

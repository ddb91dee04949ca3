"""The 47 prefectures: 2-digit code (JIS X 0401), names and the prefecture's own 6-digit code.

``kasane init --prefecture NN`` uses this table to set up an instance for any prefecture: the
owner of the layer files, the names in their credits and the plane-rectangular zone
(:func:`gis.geo.crs.prefecture_zone`).
"""

from __future__ import annotations

from dataclasses import dataclass

from gis.geo.lg_codes import check_digit


@dataclass(frozen=True)
class Prefecture:
    """One prefecture: ``code`` is ``'33'``; ``lg_code`` the 6-digit ``'330001'``."""

    code: str
    ja: str
    en: str

    @property
    def lg_code(self) -> str:
        """The prefecture's own local-government code, check digit included."""
        return self.code + "000" + check_digit(self.code + "000")


_NAMES = (
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"), ("宮城県", "Miyagi"),
    ("秋田県", "Akita"), ("山形県", "Yamagata"), ("福島県", "Fukushima"), ("茨城県", "Ibaraki"),
    ("栃木県", "Tochigi"), ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"),
    ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"), ("新潟県", "Niigata"), ("富山県", "Toyama"),
    ("石川県", "Ishikawa"), ("福井県", "Fukui"), ("山梨県", "Yamanashi"), ("長野県", "Nagano"),
    ("岐阜県", "Gifu"), ("静岡県", "Shizuoka"), ("愛知県", "Aichi"), ("三重県", "Mie"),
    ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"), ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"), ("和歌山県", "Wakayama"), ("鳥取県", "Tottori"), ("島根県", "Shimane"),
    ("岡山県", "Okayama"), ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"),
    ("徳島県", "Tokushima"), ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"),
    ("福岡県", "Fukuoka"), ("佐賀県", "Saga"), ("長崎県", "Nagasaki"), ("熊本県", "Kumamoto"),
    ("大分県", "Oita"), ("宮崎県", "Miyazaki"), ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
)  # fmt: skip

PREFECTURES: dict[str, Prefecture] = {
    f"{n:02d}": Prefecture(f"{n:02d}", ja, en) for n, (ja, en) in enumerate(_NAMES, start=1)
}


def prefecture(code: str | int) -> Prefecture:
    """The prefecture of a 2-digit code (``33``, ``'33'``, or a 5/6-digit code's first two).

    Raises ValueError, naming the accepted range, for anything else.
    """
    text = str(code).strip()
    key = text.zfill(2) if len(text) <= 2 else text[:2]
    if not text.isdigit() or key not in PREFECTURES:
        raise ValueError(f"{code!r} is not a prefecture code: give 01 (北海道) to 47 (沖縄県)")
    return PREFECTURES[key]

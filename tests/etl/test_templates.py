"""Every recommended-dataset template loads a file written with the standard's own columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.draft import TEMPLATES_DIR
from etl.load import LoadOptions, load
from gis.layerstore.registry import load_layer_file

COMMON = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,"
# headers of the 推奨データセット (2019–2021 項目定義), in the standard's order
STANDARD = {
    "aed": COMMON + "名称,名称_カナ,住所,方書,緯度,経度,設置位置,電話番号,内線番号,法人番号,"
    "団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,小児対応設備の有無,URL,備考",
    "care_services": COMMON
    + "介護サービス事業所名称,介護サービス事業所名称_カナ,実施サービス,住所,"
    "方書,緯度,経度,電話番号,内線番号,FAX番号,法人番号,法人の名称,事業所番号,利用可能曜日,"
    "利用可能曜日特記事項,定員,URL,備考",
    "medical_institutions": COMMON + "名称,名称_カナ,医療機関の種類,住所,方書,緯度,経度,電話番号,"
    "内線番号,FAX番号,法人番号,法人の名称,医療機関コード,診療曜日,診療開始時間,診療終了時間,"
    "診療日時特記事項,時間外における対応,診療科目,病床数,URL,備考",
    "cultural_properties": COMMON
    + "名称,名称_カナ,名称_通称,名称_英語,文化財分類,種類,場所名称,住所,"
    "方書,緯度,経度,電話番号,内線番号,員数（数）,員数（単位）,法人番号,所有者等,文化財指定日,"
    "利用可能曜日,開始時間,終了時間,利用可能日時特記事項,画像,画像_ライセンス,概要,概要_英語,説明,"
    "説明_英語,URL,備考",
    "tourist_sites": COMMON + "名称,名称_カナ,名称_英語,POIコード,住所,方書,緯度,経度,利用可能曜日,"
    "開始時間,終了時間,利用可能日時特記事項,料金(基本),料金(詳細),説明,説明_英語,アクセス方法,"
    "駐車場情報,バリアフリー情報,連絡先名称,連絡先電話番号,連絡先内線番号,画像,画像_ライセンス,URL,備考",
    "public_toilets": COMMON
    + "名称,名称_カナ,名称_英語,住所,方書,設置位置,緯度,経度,男性トイレ総数,"
    "男性トイレ数（小便器）,男性トイレ数（和式）,男性トイレ数（洋式）,女性トイレ総数,女性トイレ数（和式）,"
    "女性トイレ数（洋式）,男女共用トイレ総数,男女共用トイレ数（和式）,男女共用トイレ数（洋式）,"
    "多機能トイレ数,車椅子使用者用トイレ有無,乳幼児用設備設置トイレ有無,オストメイト設置トイレ有無,"
    "利用開始時間,利用終了時間,利用可能時間特記事項,画像,画像_ライセンス,備考",
    "emergency_sites": "NO,名称,名称_カナ,住所,方書,緯度,経度,標高,電話番号,内線番号,"
    "市区町村コード,都道府県名,市区町村名,災害種別_洪水,災害種別_崖崩れ、土石流及び地滑り,災害種別_高潮,災害種別_地震,"
    "災害種別_津波,災害種別_大規模な火事,災害種別_内水氾濫,災害種別_火山現象,指定避難所との重複,"
    "想定収容人数,対象となる町会・自治会,URL,備考",
    "public_facilities": COMMON + "名称,名称_カナ,名称_通称,POIコード,住所,方書,緯度,経度,電話番号,"
    "内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,説明,"
    "バリアフリー情報,URL,備考",
    "childcare_facilities": COMMON
    + "名称,名称_カナ,種別,住所,方書,緯度,経度,アクセス方法,駐車場情報,"
    "電話番号,内線番号,FAX番号,法人番号,団体名,認可等年月日,収容定員,受入年齢,利用可能曜日,開始時間,"
    "終了時間,利用可能日時特記事項,一時預かりの有無,URL,備考",
}
SAMPLE = {
    "緯度": "34.1861",
    "経度": "131.4705",
    "NO": "0001",
    "市区町村コード": "352039",
    "都道府県コード又は市区町村コード": "352039",
    "文化財指定日": "昭和48年5月1日",
    "認可等年月日": "H27.4.1",
    "想定収容人数": "800(2㎡あたり1人）",
    "病床数": "１２０",
    "定員": "29人",
    "収容定員": "60",
    "多機能トイレ数": "2",
    "料金(基本)": "500円",
    "標高": "12.5m",
    "指定避難所との重複": "○",
    "災害種別_洪水": "1",
    "災害種別_津波": "×",
}
MAPPED = {
    "aed": {"paediatric": True, "source_id": "0001", "location": "x"},
    "emergency_sites": {
        "kind": "both",
        "hz_flood": True,
        "hz_tsunami": False,
        "hz_fire": False,
        "capacity": 800,
        "elevation_m": 12.5,
    },
    "cultural_properties": {"designated_on": "1973-05-01"},
    "childcare_facilities": {"licensed_on": "2015-04-01", "capacity": 60},
    "medical_institutions": {"beds": 120},
    "care_services": {"capacity": 29},
    "tourist_sites": {"fee": 500},
    "public_toilets": {"multipurpose": 2, "wheelchair": True},
}


def test_every_template_has_its_standard_columns() -> None:
    assert sorted(p.stem for p in TEMPLATES_DIR.glob("*.toml")) == sorted(STANDARD)


@pytest.mark.parametrize("template", sorted(STANDARD))
def test_template_loads_a_file_in_the_standard_format(
    etl_url: str, tmp_path: Path, template: str
) -> None:
    spec = load_layer_file(TEMPLATES_DIR / f"{template}.toml", check_stem=False)
    header = STANDARD[template].split(",")
    flags = ("有無", "小児対応")
    row = [SAMPLE.get(h, "○" if h.endswith(flags) else "x") for h in header]
    sample = tmp_path / f"{template}.csv"
    sample.write_text(",".join(header) + "\r\n" + ",".join(row) + "\r\n", "cp932")
    report = load(etl_url, spec, [sample], LoadOptions(dry_run=True))
    assert report.rows_loaded == 1, report.summary()
    assert [i.reason for f in report.files for i in f.issues] == []
    ident = "shelter_id" if template == "emergency_sites" else "source_id"
    assert {"lg_code", ident, "name", "name_kana", "address"} <= _fed(spec, header)
    assert _values(etl_url, spec, sample).items() >= MAPPED.get(template, {}).items()


def _fed(spec: object, header: list[str]) -> set[str]:
    from etl.sources import key

    keys = {key(h) for h in header}
    return {f.name for f in spec.fields if f.source and keys & {key(c) for c in f.source.columns}}  # type: ignore[attr-defined]


def _values(url: str, spec: object, sample: Path) -> dict[str, object]:
    """The one mapped row, read through the loader's own reading and mapping."""
    from etl.inputs import expand
    from etl.read_inputs import Collector
    from etl.report import LoadReport

    collector = Collector(spec, LoadOptions(), LoadReport("t"))  # type: ignore[arg-type]
    chunk = next(collector.chunks(expand([sample])))
    return {
        k: (str(v[0]) if hasattr(v[0], "isoformat") else v[0]) for k, v in chunk.columns.items()
    }

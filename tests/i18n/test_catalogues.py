"""The gettext catalogues against the sources: complete today, and the check fails as soon as a
residents' page gains a message without its translations (or a staff page one missing from
Japanese's catalogue)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gis.platform import languages
from gis.platform.languages import Msg, po_path, translate
from kasane import catalogues
from kasane.catalogues import HTML_SOURCES, PY_SOURCES, ROOT, extract, problems

RESIDENT_TAGS = [t for t in languages.TAGS if t not in ("ja", "en")]


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The message sources (Python and templates) copied, to add a message to."""
    root = tmp_path_factory.mktemp("sources")
    for pattern in (*PY_SOURCES, *HTML_SOURCES):
        for path in ROOT.glob(pattern):
            target = root / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


def test_every_catalogue_is_complete_and_current() -> None:
    assert problems() == []


def test_every_catalogue_says_its_review_state() -> None:
    for tag in languages.TRANSLATED:
        header = po_path(tag).read_text(encoding="utf-8").split("\nmsgid", 1)[0]
        assert "Review state:" in header, tag


def test_a_new_residents_message_without_translations_fails(source_copy: Path) -> None:
    page = source_copy / "webmap/templates/residents/hazard_map.html"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + '\n{{ t("新しい避難情報", "New evacuation notice") }}\n', "utf-8")
    try:
        found = problems(source_copy)
    finally:
        page.write_text(original, encoding="utf-8")
    new = [line for line in found if "New evacuation notice" in line]
    assert sorted(line.split(":")[0] for line in new) == sorted(languages.TRANSLATED)
    assert found == new  # nothing else differs between the copy and the catalogues
    assert problems(source_copy) == []


def test_a_new_staff_message_needs_only_japanese(source_copy: Path) -> None:
    page = source_copy / "webmap/templates/staff/home.html"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + '\n{{ t("新しい設定", "A new setting") }}\n', "utf-8")
    try:
        found = problems(source_copy)
    finally:
        page.write_text(original, encoding="utf-8")
    assert [line.split(":")[0] for line in found] == ["ja"]


def test_python_and_template_messages_are_both_extracted() -> None:
    messages = extract()
    assert messages["Hazards here and nearby shelters"].resident  # hazard_map_text.py and .html
    assert messages["Designated shelter"].ja == "指定避難所"  # Msg(...) in gis/residents


def test_extraction_writes_what_check_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for tag in languages.TRANSLATED:
        target = tmp_path / tag / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copyfile(po_path(tag), target / "messages.po")
    monkeypatch.setattr(languages, "LOCALES_DIR", tmp_path)
    catalogues.write_all()
    assert problems() == []
    for tag in languages.TRANSLATED:  # translations kept through a new extraction
        assert (tmp_path / tag / "LC_MESSAGES" / "messages.po").read_text("utf-8").count(
            'msgstr ""\n\n'
        ) == 0


@pytest.mark.parametrize("tag", RESIDENT_TAGS)
def test_every_language_translates_the_disaster_words(tag: str) -> None:
    for word in (Msg("洪水", "Flood"), Msg("指定避難所", "Designated shelter")):
        assert word[tag] and word[tag] != (word.ja if tag == "ja-x-easy" else word.en)


def test_fallbacks_english_then_japanese_and_plain_japanese_to_japanese() -> None:
    assert translate("未翻訳", "Untranslated", "vi") == "Untranslated"
    assert translate("未翻訳", "Untranslated", "ja-x-easy") == "未翻訳"
    assert translate("未翻訳", "Untranslated", "ja") == "未翻訳"
    assert languages.normalise("zh-TW") == "zh-Hant"
    assert languages.normalise("pt") == "pt-BR"
    assert languages.normalise("fil") == "tl"
    assert languages.normalise("xx") is None

"""The interface is translatable: every French source string has its English
translation, and the compiled catalogue matches the source."""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_english_catalogue_is_complete():
    catalogue = polib.pofile(str(PO))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated strings, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy strings, e.g. {fuzzy[:5]}"


def test_compiled_catalogue_is_up_to_date():
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(MO))}
    source = {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(PO)).translated_entries()
        if not entry.msgid_plural
    }
    stale = [msgid for msgid, msgstr in source.items() if compiled.get(msgid) != msgstr]
    assert not stale, f"run `make messages`: {len(stale)} strings differ, e.g. {stale[:3]}"

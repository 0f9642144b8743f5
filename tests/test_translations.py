"""Every user-facing string is in the zh-hans catalogue, translated, and compiled."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"
SOURCES = [
    "accounts",
    "config",
    "kehu",
    "visits",
    "grading",
    "expenses",
    "reports",
    "templates",
    "static/js",
    "manage.py",
]


def test_every_catalogue_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in mo} == {
        e.msgid: e.msgstr for e in po.translated_entries() if not e.obsolete
    }


def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    for source in SOURCES:
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, tmp_path / source, ignore=shutil.ignore_patterns("vendor"))
        elif path.exists():
            shutil.copy(path, tmp_path / source)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
        },
    )
    extracted = {
        e.msgid for e in polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))
    }
    known = {e.msgid for e in polib.pofile(str(PO))}
    assert extracted - known == set(), "run `make messages` and translate the new strings"

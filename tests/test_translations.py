"""The translation catalogues: complete, compiled, and used by the pages.

The .po files are the source; the .mo files next to them are committed because deployments may
lack gettext. These tests fail when an entry is left empty or fuzzy, when a placeholder is lost
in translation, or when a .mo was not recompiled after its .po changed.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "epigrid" / "locale"
ZH = LOCALE / "zh_Hans" / "LC_MESSAGES"
EN = LOCALE / "en" / "LC_MESSAGES"

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which field a continuation line extends

    def finish() -> None:
        nonlocal current, target
        if current is not None and (current.msgid or current.msgstr):
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if current is not None and target is not None:
                finish()  # a comment after a msgstr starts the next entry
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            _extend(current, target, ast.literal_eval(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot parse {line!r}"
            keyword, index, text = match.groups()
            if current is None or (keyword in {"msgctxt", "msgid"} and current.msgstr):
                finish()
                current = Entry(line=number)
            name = "msgstr" if keyword.startswith("msgstr") else keyword
            target = (name, int(index or 0))
            _extend(current, target, ast.literal_eval(text), start=True)
    finish()
    return entries


def _extend(entry: Entry, target: tuple[str, int], text: str, start: bool = False) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = ("" if start else entry.msgstr.get(index, "")) + text
    else:
        setattr(entry, name, ("" if start else (getattr(entry, name) or "")) + text)


def messages(path: Path) -> list[Entry]:
    entries = parse_po(path)
    assert entries and entries[0].msgid == "", f"{path} has no header entry"
    return entries[1:]


def where(path: Path, entry: Entry) -> str:
    return f"{path.relative_to(LOCALE)}:{entry.line} {entry.msgid!r}"


def test_parser_reads_multiline_entries_flags_and_plurals(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Wait %(n)d "\n"minutes."\nmsgstr "等待"\n\n'
        'msgctxt "menu"\nmsgid "File"\nmsgstr ""\n\n'
        'msgid "one item"\nmsgid_plural "%(n)d items"\nmsgstr[0] "%(n)d 项"\n\n'
        '#~ msgid "gone"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    header, wait, file_, items = parse_po(sample)
    assert header.msgstr == {0: "Language: zh_Hans\n"}
    assert (wait.msgid, wait.msgstr, wait.flags) == (
        "Wait %(n)d minutes.",
        {0: "等待"},
        {"fuzzy", "python-format"},
    )
    assert (file_.key, file_.msgstr) == ("menu\x04File", {0: ""})
    assert (items.msgid_plural, items.msgstr) == ("%(n)d items", {0: "%(n)d 项"})


def test_chinese_catalogue_is_complete():
    po = ZH / "django.po"
    entries = messages(po)
    assert len(entries) > 200, "the catalogue looks truncated; run makemessages"
    problems = [
        where(po, e) + (" is fuzzy" if "fuzzy" in e.flags else " has an empty msgstr")
        for e in entries
        if "fuzzy" in e.flags or not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    assert not problems, "\n".join(problems)
    header = parse_po(po)[0]
    assert "fuzzy" not in header.flags
    assert "charset=UTF-8" in header.msgstr[0]


@pytest.mark.parametrize("po", [ZH / "django.po", EN / "django.po"], ids=["zh_Hans", "en"])
def test_placeholders_survive_translation(po):
    problems = []
    for e in messages(po):
        # Chinese has one plural form, used for every count: it may follow the plural msgid.
        allowed = [sorted(_PLACEHOLDER.findall(m)) for m in (e.msgid, e.msgid_plural) if m]
        for text in e.msgstr.values():
            if text and sorted(_PLACEHOLDER.findall(text)) not in allowed:
                problems.append(f"{where(po, e)} -> {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("folder", [ZH, EN], ids=["zh_Hans", "en"])
def test_compiled_catalogue_matches_po(folder):
    po, mo = folder / "django.po", folder / "django.mo"
    assert mo.exists(), f"{mo} is missing: run msgfmt --check -o django.mo django.po"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    entries = [e for e in messages(po) if "fuzzy" not in e.flags]
    stale = []
    for e in entries:
        for index, text in e.msgstr.items():
            if not text:
                continue  # untranslated: gettext falls back to the msgid
            if e.msgid_plural is None:
                got = (
                    compiled.pgettext(e.msgctxt, e.msgid)
                    if e.msgctxt is not None
                    else compiled.gettext(e.msgid)
                )
            else:
                n = next(n for n in range(1000) if compiled.plural(n) == index)
                got = (
                    compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt is not None
                    else compiled.ngettext(e.msgid, e.msgid_plural, n)
                )
            if got != text:
                stale.append(f"{where(po, e)}: .mo gives {got!r}, .po says {text!r}")
    # Entries present in the .mo but gone from (or emptied in) the .po are stale too.
    expected = {e.key for e in entries if any(e.msgstr.values())}
    compiled_keys = {k[0] if isinstance(k, tuple) else k for k in compiled._catalog if k != ""}
    stale += [f"{mo.name} has {k!r}, which the .po does not" for k in compiled_keys - expected]
    stale += [f"{mo.name} lacks {k!r}" for k in expected - compiled_keys]
    assert not stale, "recompile with msgfmt --check -o django.mo django.po:\n" + "\n".join(stale)


def test_django_uses_the_chinese_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") == "登录"
        assert translation.gettext("Password") == "密码"
        assert str(settings.LANGUAGES[0][1]) == "简体中文"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"


@pytest.mark.django_db
def test_login_page_in_chinese_by_default_and_on_request():
    zh = {e.msgid: e.msgstr[0] for e in messages(ZH / "django.po")}
    for headers in ({}, {"Accept-Language": "zh-CN,zh;q=0.9"}):
        with translation.override("zh-hans"):
            response = Client().get("/accounts/login/", headers=headers)
        assert response.status_code == 200
        page = response.content.decode()
        assert '<html lang="zh-Hans">' in page
        for msgid in ("Log in", "User name", "Password"):
            assert zh[msgid] in page, msgid
        assert "Log in" not in page
        assert "Password" not in page


@pytest.mark.django_db
def test_login_page_in_english_on_request():
    with translation.override("en"):
        response = Client().get("/accounts/login/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    for text in ("Log in", "User name", "Password"):
        assert text in page, text
    assert "登录" not in page
    assert "密码" not in page

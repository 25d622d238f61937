"""The council report as PDF, made by LibreOffice (when it is installed) with its contents fields updated.

A plain ``soffice --convert-to pdf`` keeps the contents pages as the .docx holds them (a placeholder):
LibreOffice does not update indexes on loading. So LibreOffice runs a small Basic macro instead: load the
.docx hidden, add to its Japanese forbidden characters so a number stays with its unit and a year with 年度,
limit the contents field just before a section bookmark to that section (LibreOffice ignores Word's ``\\b``
switch), update every index twice (the first update can move page numbers), store as PDF. The macro lives in a private user profile in a temporary folder: the user's own LibreOffice, even
open, is never touched, and no other Python (with the uno module) is needed.

Only the commands (``cli/``) call this: it starts processes. Nothing here is Linux-only: the process is
started with subprocess and a timeout, the paths go to LibreOffice as file URLs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

with warnings.catch_warnings():
    # where neither msvcrt nor fcntl exists, filelock falls back to a lock file and warns on import
    warnings.simplefilter("ignore")
    from filelock import FileLock, Timeout

from kpireport.errors import KpireportError
from kpireport.runtime.atomic import atomic_write
from kpireport.text_layout import NO_LINE_END, NO_LINE_START

# KPIREPORT_SOFFICE names the program to use; "none" (or なし) makes no PDF at all (also how the tests run
# without LibreOffice)
SOFFICE_VARIABLE = "KPIREPORT_SOFFICE"
NO_PDF_VALUES = ("none", "なし")
PROGRAM_NAMES = ("soffice", "libreoffice")
# the installer's default folders on Windows, under %ProgramFiles% and %ProgramFiles(x86)%
WINDOWS_FOLDERS = ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")
WINDOWS_PROGRAM = Path("LibreOffice") / "program" / "soffice.exe"
TIMEOUT_SECONDS = 300
WORK_PREFIX = "kpireport-office-"  # the private temporary folder of one conversion
OWNER_LOCK = "owner.lock"  # held in that folder while the conversion runs
SECTION_PREFIX = "_kpireport_"   # the bookmarks council/document.py puts around a section

NOT_INSTALLED = ("LibreOffice が見つからないため、PDFは作りませんでした（Wordの審議会資料はできています）。"
                 "PDFが要るときは、Wordで開いて「名前を付けて保存」からPDFにするか、LibreOffice を入れてもう一度実行してください。")


NO_PDF = ("PDFは作りませんでした（環境変数 KPIREPORT_SOFFICE が「none」の設定です。Wordの審議会資料はできています）。")


def wrong_setting_line(path: str) -> str:
    return (f"環境変数 {SOFFICE_VARIABLE} に設定された「{path}」にはLibreOfficeがありません（設定が誤っています）。"
            "soffice（Windowsでは soffice.exe）の場所を設定し直すか、設定を消してください。"
            "PDFは作りませんでした（Wordの審議会資料はできています）。")


def pdf_setting(environ: Mapping[str, str] | None = None) -> str:
    """What KPIREPORT_SOFFICE asks: "" (not set: look for LibreOffice), "none" (no PDF), or the path given."""
    chosen = (os.environ if environ is None else environ).get(SOFFICE_VARIABLE, "").strip()
    return "none" if chosen.lower() in NO_PDF_VALUES else chosen


class ConversionFailed(KpireportError):
    """LibreOffice ran but gave no PDF (or did not finish in time); the .docx is written all the same."""


def find_soffice(environ: Mapping[str, str] | None = None) -> Path | None:
    """The LibreOffice program: ``KPIREPORT_SOFFICE`` if set (None when it names no file), else soffice or
    libreoffice on PATH, else the usual Windows install folders; None when LibreOffice is not installed."""
    environ = os.environ if environ is None else environ
    chosen = pdf_setting(environ)
    if chosen == "none":
        return None
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    for name in PROGRAM_NAMES:
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return Path(found)
    for variable in WINDOWS_FOLDERS:
        folder = environ.get(variable)
        if folder and (Path(folder) / WINDOWS_PROGRAM).is_file():
            return Path(folder) / WINDOWS_PROGRAM
    return None


def docx_to_pdf(docx: Path, pdf: Path, soffice: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Write ``pdf`` from ``docx`` with LibreOffice ``soffice``, contents fields updated; atomic. Raises
    ConversionFailed with a Japanese message when LibreOffice gives no PDF.

    Everything LibreOffice writes (its profile, its lock file, its temporary folders) goes into a private
    temporary folder: LibreOffice converts a copy of the .docx there, never the .docx beside the user's
    files. What a killed conversion left there is removed by the next one."""
    docx, pdf = Path(docx).resolve(), Path(pdf)
    remove_stale_work_folders()
    # a Windows LibreOffice may hold its profile files a moment after it ends: never fail on the clean-up
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, ignore_cleanup_errors=True) as folder, \
            FileLock(str(Path(folder) / OWNER_LOCK), timeout=0):
        work = Path(folder)
        profile = work / "profile"
        source = work / "report.docx"
        made = work / "report.pdf"
        shutil.copyfile(docx, source)
        (work / "tmp").mkdir()
        profile_option = f"-env:UserInstallation={profile.as_uri()}"
        # the first start makes the profile (it would overwrite a macro written before), the second runs the macro
        _run(soffice, [profile_option, "--headless", "--terminate_after_init"], timeout, work / "tmp")
        _install_macro(profile / "user" / "basic")
        _replace_fonts(profile / "user" / "registrymodifications.xcu")
        macro = f'macro:///Standard.Kpireport.ToPdf("{source.as_uri()}","{made.as_uri()}")'
        _run(soffice, [profile_option, "--headless", "--invisible", "--norestore", "--nolockcheck", macro], timeout,
             work / "tmp")
        if not made.is_file() or made.read_bytes()[:5] != b"%PDF-":
            raise ConversionFailed(f"LibreOffice で {docx.name} をPDFにできませんでした。Wordで開いて"
                                   "「名前を付けて保存」からPDFにしてください（Wordの審議会資料はできています）。")
        with atomic_write(pdf, "審議会資料のPDF") as handle:
            handle.write(made.read_bytes())
    return pdf


def remove_stale_work_folders(unlocked_after_seconds: float = 60) -> list[Path]:
    """The private folders of conversions killed before they could remove them. A conversion at work holds the
    lock file in its folder (the operating system lets it go when the process dies); a folder without one is
    left for a minute (a conversion just starting)."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(WORK_PREFIX + "*"):
        try:
            if path.is_dir() and _abandoned(path, unlocked_after_seconds):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except OSError:
            continue
    return removed


def _abandoned(folder: Path, unlocked_after_seconds: float) -> bool:
    owner = folder / OWNER_LOCK
    if not owner.exists():
        return folder.stat().st_mtime < time.time() - unlocked_after_seconds
    try:
        with FileLock(str(owner), timeout=0):
            return True
    except Timeout:
        return False


def open_by(docx: Path) -> str:
    """A sentence naming the program that has ``docx`` open, by the lock file it keeps beside it (LibreOffice's
    .~lock.NAME#, Word's ~$NAME); "" when none. A lock left by one of kpireport's own conversions (earlier
    versions converted in place) is removed: its private profile is named in it."""
    docx = Path(docx)
    writer_lock = docx.with_name(f".~lock.{docx.name}#")
    # Word's owner file drops the name's first two characters when the name is long, not when it is short
    word_lock = next((lock for lock in (docx.with_name("~$" + docx.name[2:]), docx.with_name("~$" + docx.name))
                      if lock.exists()), docx.with_name("~$" + docx.name))
    if writer_lock.exists():
        try:
            holder = writer_lock.read_text(encoding="utf-8", errors="replace")
        except OSError:
            holder = ""
        if WORK_PREFIX in holder:
            writer_lock.unlink(missing_ok=True)
            return ""
        return (f"{docx.name} は LibreOffice Writer で開かれています（ロックファイル {writer_lock.name} があります）。"
                "開いている画面は古い内容なので、閉じてから開き直してください。Writer を開いていないのにこの表示が続く"
                f"ときは、{writer_lock} を削除してください。")
    if word_lock.exists():
        return (f"{docx.name} は Word で開かれています（ロックファイル {word_lock.name} があります）。"
                "開いている画面は古い内容なので、閉じてから開き直してください。Word を開いていないのにこの表示が続く"
                f"ときは、{word_lock} を削除してください。")
    return ""


def _run(soffice: Path, arguments: list[str], timeout: float, temporary: Path) -> None:
    # LibreOffice's own temporary folders (lu*.tmp) go into the private folder too
    environment = {**os.environ, "TMPDIR": str(temporary), "TMP": str(temporary), "TEMP": str(temporary)}
    try:
        subprocess.run([str(soffice), *arguments], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=timeout, check=False, env=environment)
    except subprocess.TimeoutExpired as exc:
        raise ConversionFailed(f"LibreOffice が{round(timeout)}秒で終わらなかったため、PDFは作りませんでした"
                               "（Wordの審議会資料はできています）。") from exc
    except OSError as exc:
        raise ConversionFailed(f"LibreOffice（{soffice}）を起動できませんでした（{exc.strerror or exc}）。"
                               "PDFは作りませんでした（Wordの審議会資料はできています）。") from exc


# the base document's faces and what stands in where they are not installed (Linux, an older Windows):
# a serif Japanese face for 明朝, as the printed report uses, not the sans the system would pick
FONT_STAND_INS = (("游明朝", "Noto Serif CJK JP", "yumin.ttf"), ("游ゴシック", "Noto Sans CJK JP", "YuGothR.ttc"))


def _face_installed(face: str, windows_file: str) -> bool:
    """Whether the face itself is installed (Windows: its file in the fonts folder; else fontconfig knows it).
    LibreOffice's own 'only where absent' never holds: fontconfig answers every name with some face."""
    if os.name == "nt":
        return (Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts" / windows_file).exists()
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    done = subprocess.run([fc_list, f":family={face}", "family"], capture_output=True, timeout=30, check=False)
    return bool(done.stdout.strip())


def _replace_fonts(settings: Path) -> None:
    """LibreOffice's replacement table (Tools > Options > Fonts) in the private profile: each base-document face
    replaced by its stand-in only where the face itself is absent."""
    pairs = "".join(
        f'<node oor:name="kpireport{number}" oor:op="replace">'
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{face}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{stand_in}</value></prop></node>'
        for number, (face, stand_in, windows_file) in enumerate(FONT_STAND_INS)
        if not _face_installed(face, windows_file))
    items = ('<item oor:path="/org.openoffice.Office.Common/Font/Substitution"><prop oor:name="Replacement" '
             'oor:op="fuse"><value>true</value></prop></item>'
             f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">{pairs}</item>')
    if not pairs or not settings.is_file():  # every face installed, or no settings file made: leave the defaults
        return
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("</oor:items>", items + "</oor:items>", 1), encoding="utf-8")


def _install_macro(basic: Path) -> None:
    """The macro library 'Standard' of the private profile, holding only our module."""
    standard = basic / "Standard"
    standard.mkdir(parents=True, exist_ok=True)
    for name, text in ((basic / "script.xlc", _LIBRARIES.format(kind="script")),
                       (basic / "dialog.xlc", _LIBRARIES.format(kind="dialog")),
                       (standard / "script.xlb", _LIBRARY.format(element='<library:element library:name="Kpireport"/>')),
                       (standard / "dialog.xlb", _LIBRARY.format(element="")),
                       (standard / "Kpireport.xba", _MODULE)):
        name.write_text(text, encoding="utf-8")


_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE {doctype} PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN"'
         ' "{dtd}">\n')
_LIBRARIES = _HEAD.format(doctype="library:libraries", dtd="libraries.dtd") + (
    '<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<library:library library:name="Standard" xlink:href="$(USER)/basic/Standard/{kind}.xlb/" xlink:type="simple"'
    ' library:link="false"/></library:libraries>\n')
_LIBRARY = _HEAD.format(doctype="library:library", dtd="library.dtd") + (
    '<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard"'
    ' library:readonly="false" library:passwordprotected="false">{element}</library:library>\n')

# LibreOffice breaks Japanese text between any two characters but those its list of forbidden characters (禁則)
# names, and does not read the list the .docx carries for Word (council/kinsoku.py): the macro adds to it, so
# 「3人」「令和」「年度」 stay whole (「延べ85 / 人」). Where the digits end a run of Latin text just at the margin it
# still breaks there (about 1 in 40 such places in a paragraph, none measured in table cells).

# LibreOffice Basic. The index to limit is the last one before a section bookmark (the bookmark starts after
# its field). CreateFromChapter limits an index to the chapter it stands in (from its Heading 1 to the next):
# every section of the report starts with a Heading 1. Heading k is listed at contents level k-1, so a
# "2-2" field lists the section's Heading 2 paragraphs and not the section's own title.
_BASIC = f"""
Sub ToPdf(inUrl As String, outUrl As String)
  On Error GoTo Done
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden"
  load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(inUrl, "_blank", 0, load())
  KeepNumbersWhole(doc)
  LimitScoped(doc)
  indexes = doc.getDocumentIndexes()
  For pass = 1 To 2
    For i = 0 To indexes.getCount() - 1
      indexes.getByIndex(i).update()
    Next
  Next
  Dim store(0) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName"
  store(0).Value = "writer_pdf_Export"
  doc.storeToURL(outUrl, store())
  doc.close(True)
Done:
  StarDesktop.terminate()
End Sub

Sub KeepNumbersWhole(doc)
  Dim place As New com.sun.star.lang.Locale
  place.Language = "ja"
  place.Country = "JP"
  settings = doc.createInstance("com.sun.star.text.DocumentSettings")
  forbidden = settings.ForbiddenCharacters
  Dim chars As New com.sun.star.i18n.ForbiddenCharacters
  If forbidden.hasForbiddenCharacters(place) Then
    chars = forbidden.getForbiddenCharacters(place)
  Else
    chars = createUnoService("com.sun.star.i18n.LocaleData").getForbiddenCharacters(place)
  End If
  chars.EndLine = chars.EndLine & "{NO_LINE_END}"
  chars.BeginLine = chars.BeginLine & "{NO_LINE_START}"
  forbidden.setForbiddenCharacters(place, chars)
End Sub

Sub LimitScoped(doc)
  indexes = doc.getDocumentIndexes()
  marks = doc.getBookmarks()
  body = doc.getText()
  For Each name In marks.getElementNames()
    If Left(name, {len(SECTION_PREFIX)}) = "{SECTION_PREFIX}" Then
      start = marks.getByName(name).getAnchor()
      found = -1
      For i = 0 To indexes.getCount() - 1
        place = indexes.getByIndex(i).getAnchor()
        If body.compareRegionStarts(place, start) = 1 Then
          If found = -1 Then
            found = i
          ElseIf body.compareRegionStarts(indexes.getByIndex(found).getAnchor(), place) = 1 Then
            found = i
          End If
        End If
      Next
      If found >= 0 Then LimitToChapter(indexes.getByIndex(found))
    End If
  Next
End Sub

Sub LimitToChapter(index)
  index.CreateFromChapter = True
  index.CreateFromOutline = False
  index.CreateFromLevelParagraphStyles = True
  styles = index.LevelParagraphStyles
  For level = 2 To index.Level
    Dim names(0) As String
    names(0) = "Heading " & level
    styles.replaceByIndex(level - 2, names)
  Next
End Sub
"""
_MODULE = _HEAD.format(doctype="script:module", dtd="module.dtd") + (
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Kpireport"'
    ' script:language="StarBasic">' + _BASIC.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    .replace('"', "&quot;") + "</script:module>\n")

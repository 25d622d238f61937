"""Word's line breaking for the report: the document's own Japanese 禁則 lists, with a number kept with its unit
and a year with 年度 (text_layout.NO_LINE_END / NO_LINE_START).

Word reads custom lists from the document's settings (w:noLineBreaksAfter / w:noLineBreaksBefore, what Word
itself writes when 禁則文字 is set to ユーザー設定); a custom list replaces Word's standard one, so it starts from
Word's standard lists, or from the base document's own when it has them. LibreOffice does not read these (the
PDF conversion adds the same characters itself: runtime/office.py)."""
from __future__ import annotations

from typing import cast

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from kpireport.text_layout import NO_LINE_END, NO_LINE_START

LANGUAGE = "ja-JP"
# Word's standard (標準) Japanese lists: what a line may not end with, and may not start with
WORD_NO_LINE_END = "$([\\{£¥‘“〈《「『【〔＄（［｛｢￡￥"
WORD_NO_LINE_START = "!%),.:;?]}¢°’”‰′″℃、。々〉》」』】〕゛゜ゝゞ・ヽヾ！％），．：；？］｝｡｣､･ﾞﾟ￠"

# the settings' children that come after the two lists (ECMA-376 CT_Settings sequence)
_AFTER_BOTH = (
    "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent",
    "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving",
    "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults",
    "footnotePr", "endnotePr", "compat", "docVars", "rsids", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
    "readModeInkLockDown", "smartTagType", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
    "listSeparator")


def keep_numbers_whole(document: Document) -> None:
    """Set the document's Japanese 禁則 lists to its own (or Word's standard ones) plus the report's characters."""
    settings = document.settings.element
    for tag, standard, added, following in (
            ("w:noLineBreaksAfter", WORD_NO_LINE_END, NO_LINE_END, ("noLineBreaksBefore",) + _AFTER_BOTH),
            ("w:noLineBreaksBefore", WORD_NO_LINE_START, NO_LINE_START, _AFTER_BOTH)):
        element = next((e for e in settings.findall(qn(tag)) if e.get(qn("w:lang")) == LANGUAGE), None)
        if element is None:
            element = cast(BaseOxmlElement, OxmlElement(tag))  # python-docx's own element class
            element.set(qn("w:lang"), LANGUAGE)
            element.set(qn("w:val"), standard)
            _insert_before(settings, element, following)
        current = element.get(qn("w:val")) or ""
        element.set(qn("w:val"), current + "".join(ch for ch in added if ch not in current))


def _insert_before(settings: BaseOxmlElement, element: BaseOxmlElement, following: tuple[str, ...]) -> None:
    """Put ``element`` before the first child the schema places after it (Word refuses a file out of order)."""
    tags = {qn(f"w:{name}") for name in following}
    later = next((child for child in settings if child.tag in tags), None)
    if later is None:
        settings.append(element)
    else:
        later.addprevious(element)

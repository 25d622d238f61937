"""Build the packaged base document for the council report (kpireport/templates/report_base.docx).

The report takes every font, size and spacing from the STYLES of this base document, so a city restyles
its report by editing the styles of a copy in Word (saved as templates/報告書ひな形.docx in the workspace).
The code that writes the report never sets a font or a size itself.

Run ``python3 -m kpireport.council.template_builder`` to rewrite the packaged file; pass a path to write
elsewhere. Building twice gives the same styles, settings, numbering and page setup (only docProps and zip
timestamps may differ).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

MINCHO = "游明朝"
GOTHIC = "游ゴシック"

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_LEFT_MM = 20
MARGIN_RIGHT_MM = 20
MARGIN_TOP_MM = 20
MARGIN_BOTTOM_MM = 18
HEADER_DISTANCE_MM = 10
FOOTER_DISTANCE_MM = 8
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM

# python-docx's default document: numId 1 -> abstractNum 8, the one List Bullet points at.
LIST_BULLET_ABSTRACT_NUM = "8"
BULLET_CHAR = "・"

# CT_PPr children that follow w:numPr (schema order)
_PPR_AFTER_NUMPR = ("w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                    "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                    "w:pPrChange")


def default_output() -> Path:
    """The packaged base document inside the source tree."""
    return Path(__file__).resolve().parents[1] / "templates" / "report_base.docx"


@dataclass(frozen=True)
class StyleSpec:
    """One paragraph style of the base document. Sizes in points, spacing in points."""
    name: str
    style_id: str | None   # only for our own styles: an ASCII id (Word shows the Japanese name)
    font: str
    size: float
    bold: bool = False
    align: WD_ALIGN_PARAGRAPH | None = None
    base: str | None = "Normal"
    next_style: str | None = None
    space_before: float = 0
    space_after: float = 0
    keep_with_next: bool = False
    keep_together: bool = False
    outline_level: int | None = None     # 0-based as in w:outlineLvl; 9 = body text
    left_indent_mm: float | None = None
    right_tab_mm: float | None = None    # a right tab with dot leader (table of contents lines)


# Order matters only for readability; each spec replaces the style's paragraph and run properties.
STYLES: tuple[StyleSpec, ...] = (
    StyleSpec("Normal", None, MINCHO, 10.5, align=WD_ALIGN_PARAGRAPH.JUSTIFY, base=None),
    StyleSpec("表紙 副題", "CoverSubtitle", GOTHIC, 14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8),
    StyleSpec("Title", None, GOTHIC, 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, next_style="表紙 副題",
              space_before=0, space_after=18, keep_with_next=True),
    StyleSpec("Heading 1", None, GOTHIC, 16, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_before=18,
              space_after=6, keep_with_next=True, keep_together=True, outline_level=0),
    StyleSpec("Heading 2", None, GOTHIC, 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_before=12,
              space_after=4, keep_with_next=True, keep_together=True, outline_level=1),
    StyleSpec("Heading 3", None, GOTHIC, 11.5, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_before=9,
              space_after=3, keep_with_next=True, keep_together=True, outline_level=2),
    StyleSpec("見出し 施策", "MeasureHeading", GOTHIC, 11, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT,
              space_before=6, space_after=2, keep_with_next=True, keep_together=True),
    StyleSpec("List Bullet", None, MINCHO, 10.5),
    StyleSpec("表 本文", "TableText", GOTHIC, 9, align=WD_ALIGN_PARAGRAPH.LEFT),
    StyleSpec("表 見出し", "TableHeading", GOTHIC, 9, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
              base="表 本文"),
    StyleSpec("注記", "Note", MINCHO, 9, space_before=2, space_after=2),
    StyleSpec("Caption", None, GOTHIC, 9.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=4,
              space_after=4, keep_with_next=True),
    StyleSpec("TOC Heading", None, GOTHIC, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=0,
              space_after=12, keep_with_next=True, outline_level=9),
    StyleSpec("toc 1", "TOC1", MINCHO, 10.5, space_before=4, right_tab_mm=TEXT_WIDTH_MM),
    StyleSpec("toc 2", "TOC2", MINCHO, 10.5, left_indent_mm=3.7, right_tab_mm=TEXT_WIDTH_MM),
    StyleSpec("toc 3", "TOC3", MINCHO, 10.5, left_indent_mm=7.4, right_tab_mm=TEXT_WIDTH_MM),
    StyleSpec("Footer", None, MINCHO, 9, align=WD_ALIGN_PARAGRAPH.CENTER),
)

GUIDE_TEXT = ("これは審議会資料のひな形です。本文は報告書の作成時に消去されます。"
              "体裁を変えるときは、スタイル（標準、表題、見出し 1～3、箇条書き、表 本文、表 見出し、注記など）"
              "を編集してください。")

# Styles whose run properties this module writes; tests read them back.
STYLE_NAMES = tuple(spec.name for spec in STYLES) + ("Table Grid",)


def set_rfonts(rpr: CT_RPr, name: str) -> None:
    """Write <w:rFonts> on a run-properties element with the East Asian font set explicitly.

    python-docx's ``font.name`` sets only ascii/hAnsi and leaves theme attributes, which win over explicit
    names; so the element is rewritten: ascii/hAnsi/eastAsia = name, hint = eastAsia.
    """
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), name)
    rfonts.set(qn("w:eastAsia"), name)
    rfonts.set(qn("w:hAnsi"), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _reset_properties(style: BaseStyle) -> None:
    """Drop a built-in style's paragraph and run properties (theme fonts, colours, borders)."""
    element = style.element
    for tag in ("w:pPr", "w:rPr"):
        for child in element.findall(qn(tag)):
            element.remove(child)


def _apply(doc: DocumentObject, spec: StyleSpec) -> None:
    styles = doc.styles
    try:
        style = styles[spec.name]
    except KeyError:
        style = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), spec.style_id or spec.name.replace(" ", ""))
        style.quick_style = True
        if spec.name.startswith("toc "):
            # a built-in Word style (Word names it 目次 1…); not a custom one
            del style.element.attrib[qn("w:customStyle")]
            style.priority = 39
            style.unhide_when_used = True
    _reset_properties(style)
    if spec.base is not None:
        style.base_style = styles[spec.base]
    if spec.next_style is not None:
        style.next_paragraph_style = styles[spec.next_style]

    fmt = style.paragraph_format
    fmt.space_before = Pt(spec.space_before)
    fmt.space_after = Pt(spec.space_after)
    if spec.align is not None:
        fmt.alignment = spec.align
    if spec.keep_with_next:
        fmt.keep_with_next = True
    if spec.keep_together:
        fmt.keep_together = True
    if spec.left_indent_mm is not None:
        fmt.left_indent = Mm(spec.left_indent_mm)
    if spec.right_tab_mm is not None:
        fmt.tab_stops.add_tab_stop(Mm(spec.right_tab_mm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    if spec.outline_level is not None:
        ppr = style.element.get_or_add_pPr()
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(spec.outline_level))
        ppr.insert_element_before(outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")

    font = style.font
    font.size = Pt(spec.size)
    font.bold = True if spec.bold else None
    set_rfonts(style.element.get_or_add_rPr(), spec.font)


def _list_bullet(doc: DocumentObject) -> None:
    """List Bullet keeps the built-in numbering (numId 1); its one level now draws 「・」 in the body font."""
    numbering = doc.part.numbering_part.element
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == LIST_BULLET_ABSTRACT_NUM)
    lvl = abstract.find(qn("w:lvl"))
    for child in list(lvl):
        lvl.remove(child)
    one_char = 210  # twips: one full-width character at 10.5 pt

    def sub(parent, tag, **attrs):
        el = OxmlElement(tag)
        for key, value in attrs.items():
            el.set(qn(f"w:{key}"), value)
        parent.append(el)
        return el

    sub(lvl, "w:start", val="1")
    sub(lvl, "w:numFmt", val="bullet")
    sub(lvl, "w:pStyle", val="ListBullet")
    # no tab after the full-width 「・」: the text follows it directly and wrapped lines align under the text
    sub(lvl, "w:suff", val="nothing")
    sub(lvl, "w:lvlText", val=BULLET_CHAR)
    sub(lvl, "w:lvlJc", val="left")
    ppr = sub(lvl, "w:pPr")
    sub(ppr, "w:ind", left=str(2 * one_char), hanging=str(one_char))
    rpr = sub(lvl, "w:rPr")
    sub(rpr, "w:rFonts", ascii=MINCHO, eastAsia=MINCHO, hAnsi=MINCHO, hint="eastAsia")

    style = doc.styles["List Bullet"].element
    ppr = style.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    numid = OxmlElement("w:numId")
    numid.set(qn("w:val"), "1")
    numpr.append(numid)
    ppr.insert_element_before(numpr, *_PPR_AFTER_NUMPR)
    ppr.insert_element_before(OxmlElement("w:contextualSpacing"), "w:mirrorIndents", "w:suppressOverlap",
                              "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _doc_defaults(doc: DocumentObject) -> None:
    """Document defaults: 明朝 10.5 pt, Japanese as the East Asian language, single spacing, no gaps."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rpr, MINCHO)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")
    for tag, value in (("w:sz", "21"), ("w:szCs", "21")):
        rpr.find(qn(tag)).set(qn("w:val"), value)
    spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")


def _linked_character_styles(doc: DocumentObject) -> None:
    """The character styles Word links to Title/Heading 1-3 follow the same fonts (Word applies them to part
    of a paragraph)."""
    for name, font in (("Title Char", GOTHIC), ("Heading 1 Char", GOTHIC), ("Heading 2 Char", GOTHIC),
                       ("Heading 3 Char", GOTHIC)):
        style = doc.styles[name]
        _reset_properties(style)
        rpr = style.element.get_or_add_rPr()
        set_rfonts(rpr, font)
        style.font.bold = True


def _table_grid(doc: DocumentObject) -> None:
    style = doc.styles["Table Grid"]
    rpr = style.element.get_or_add_rPr()
    set_rfonts(rpr, GOTHIC)


def _page_setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.gutter = Mm(0)
    # the sample's rsid attributes carry nothing of use
    sect_pr = doc.element.body.sectPr
    for attr in [a for a in sect_pr.attrib if a.startswith("{" + sect_pr.nsmap["w"])]:
        del sect_pr.attrib[attr]

    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = doc.styles["Footer"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    _page_field(paragraph)
    paragraph.add_run(" -")


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field as fldChar begin / instrText / separate / cached "1" / end."""
    def fld_char(kind: str) -> None:
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run.element.append(el)

    fld_char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run.element.append(instr)
    fld_char("separate")
    paragraph.add_run("1")
    fld_char("end")


def _settings(doc: DocumentObject) -> None:
    settings = doc.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # CT_Settings order: updateFields comes right before hdrShapeDefaults/footnotePr/endnotePr/compat
    anchor = None
    for tag in ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids"):
        anchor = settings.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(update)
    else:
        settings.append(update)
    # a Japanese document's default tab stop: 4 characters of 10.5 pt
    tab = settings.find(qn("w:defaultTabStop"))
    if tab is not None:
        tab.set(qn("w:val"), "840")


def _properties(doc: DocumentObject) -> None:
    props = doc.core_properties
    props.author = "kpireport"
    props.last_modified_by = "kpireport"
    props.revision = 1
    # Word 2010's copy of the styles (stylesWithEffects) would keep the default styles: drop it so
    # styles.xml is the only style sheet
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rid]
    # the default document's thumbnail shows a US Letter page: drop it
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del package.rels[rid]


def build_template(path: Path) -> Path:
    """Write the base document to ``path`` and return it."""
    path = Path(path)
    doc = Document()
    _doc_defaults(doc)
    for spec in STYLES:
        _apply(doc, spec)
    _list_bullet(doc)
    _linked_character_styles(doc)
    _table_grid(doc)
    _page_setup(doc)
    _settings(doc)
    _properties(doc)
    # the default body holds one empty paragraph; put a note for whoever opens the base document in Word
    # (ReportDocument empties the body, so the note never reaches a report)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    doc.add_paragraph(GUIDE_TEXT)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else default_output()
    print(build_template(target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

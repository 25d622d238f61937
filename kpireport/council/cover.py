"""1. Cover: plan title, 「令和6年度（令和5年度実績）」, meeting date and name; no page number.

What the report still lacks is a working note for the planning office, not for the council: `kpireport
report` prints it and the master lists it (evaluate/missing.py), never the cover."""
from __future__ import annotations

import re

from kpireport.council import texts
from kpireport.council.document import ReportDocument, page_break, paragraph
from kpireport.evaluate.results import PeriodResults
from kpireport.text_layout import display_width
from kpireport.values import format_year

TITLE_LINE = 48  # half-width units a line of the 20 pt title holds across the A4 text width (170 mm)
# where a title may break: after a space, before an era year, before 「の進捗状況」「の取組状況」
_PHRASE_BOUNDARY = re.compile(r"(?<=[ 　])|(?=[（(]?(?:令和|平成)[0-9０-９元])|(?=の(?:進捗|取組)状況)")


def title_lines(title: str) -> str:
    """The title with a line break at the phrase boundary nearest its middle, when it takes more than a line
    (Word and LibreOffice would break it inside a word: 「総合計 / 画」). Without the break it reads as written."""
    if display_width(title) <= TITLE_LINE:
        return title
    places = [m.start() for m in _PHRASE_BOUNDARY.finditer(title) if 0 < m.start() < len(title)]
    fitting = [p for p in places if max(display_width(title[:p].rstrip()), display_width(title[p:])) <= TITLE_LINE]
    if not (fitting or places):
        return title
    middle = display_width(title) / 2
    place = min(fitting or places, key=lambda p: abs(display_width(title[:p]) - middle))
    return title[:place] + "\n" + title[place:]


def add(doc: ReportDocument, data: PeriodResults) -> None:
    settings = data.plan.settings_for(data.period.key)  # a month's report has its own title and meeting
    for _ in range(6):
        paragraph(doc, "")
    paragraph(doc, title_lines(settings.report_title), "Title")
    if data.period.is_monthly:
        paragraph(doc, data.period.label, "表紙 副題")  # 「令和7年9月 進捗（見込み）」, not the annual line
    else:
        report_year = settings.report_year if data.period.fiscal_year == settings.actual_year else None
        report_year = report_year or data.period.fiscal_year + 1
        paragraph(doc, texts.period_line(format_year(report_year), format_year(data.period.fiscal_year)), "表紙 副題")
    for _ in range(3):
        paragraph(doc, "")
    if settings.meeting_date:
        paragraph(doc, settings.meeting_date, "表紙 副題")
    if settings.meeting_name:
        paragraph(doc, settings.meeting_name, "表紙 副題")
    # a title page: the footer with the page number is not shown on the first page (w:titlePg)
    doc.docx.sections[0].different_first_page_header_footer = True
    page_break(doc)

"""1. Cover: plan title, 「令和6年度（令和5年度実績）」, meeting date and name; what is missing."""
from __future__ import annotations

from kpireport.council import content, texts
from kpireport.council.document import page_break, paragraph
from kpireport.evaluate.results import PeriodResults
from kpireport.values import format_year


def add(doc, data: PeriodResults) -> None:
    settings = data.plan.settings_for(data.period.key)  # a month's report has its own title and meeting
    for _ in range(6):
        paragraph(doc, "")
    paragraph(doc, settings.report_title, "Title")
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
    missing = content.missing_summary(data)
    if missing:
        for _ in range(3):
            paragraph(doc, "")
        paragraph(doc, "この資料の作成時点で、次の内容が揃っていません。", "注記")
        for line in missing:
            paragraph(doc, f"・{line}", "注記")
    page_break(doc)

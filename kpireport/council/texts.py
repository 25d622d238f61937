"""Every fixed Japanese text of the council report, in one place."""
from __future__ import annotations

NO_TEXT = "（記載なし）"
NOT_SUBMITTED = "（未提出）"
NO_KPI = "（この項目に指標はありません）"
NO_INITIATIVE = "（この項目に取組はありません）"
PROVISIONAL = "（見込み）"
OVERRIDE_MARK = "※"
REPOST = "【再掲】"
NO_VALUE = "－"
MINUS = "△"  # the one minus sign of the report, as the values are written (values.format_number)
KPI_LABEL = "重要業績評価指標（KPI）"
STATUS_LEGEND = "実施状況：◎実施済 ○継続推進 △一部実施 ×未実施"

# the legend page (seed 002: 「次ページからの記載事項」), with the years filled in
LEGEND_GOAL = "基本目標名"
LEGEND_POLICY = "基本方針名"
LEGEND_MEASURES = "①施策名 ／ ②施策名 ／ ③施策名 ／ ……"
LEGEND_ACHIEVEMENT = "新たな取組実績、基本目標の達成のために施策で大きく寄与したもの（実績が大きく向上したもの）"
LEGEND_NEXT = "新たな取組、課題を解決や施策を推進していくための方向性"
LEGEND_KPI_TABLE = ("各基本方針の最後に、その基本方針の施策に掲げる指標（KPI）の表を載せています。"
                    "達成率＝（実績値−基準値）÷（目標値−基準値）。「見込み」は年度途中の見込み値による暫定の評価、"
                    "「※」は企画担当課が手動で変更した評価です。")


def achievements_heading(year_label: str) -> str:
    return f"{year_label} 主な取組内容／実績"


def next_steps_heading(next_year_label: str) -> str:
    return f"{next_year_label} 主な取組／今後の方向性"


def period_line(report_year_label: str, actual_year_label: str) -> str:
    """「令和6年度（令和5年度実績）」."""
    return f"{report_year_label}（{actual_year_label}実績）"


def status_count_caption(level: str) -> str:
    """The caption of an appendix's count table: 「戦略方針ごとの実施状況（件数）」."""
    return f"{level}ごとの実施状況（件数）"


def measures_done_title(year_label: str) -> str:
    return f"KPI達成に向け{year_label}に取り組んだ事業の概要"


def measures_next_title(next_year_label: str) -> str:
    return f"{next_year_label}以降の取組内容とその理由"

"""Every fixed Japanese text of the council report, in one place."""
from __future__ import annotations

from kpireport.evaluate.tally import BLANK_LABEL

NO_TEXT = "（記載なし）"
NOT_SUBMITTED = "（未提出）"
NOT_ENTERED = BLANK_LABEL  # a blank 実施状況 of a department that did send its form (a monthly report allows it)
PROVISIONAL = "（見込み）"
OVERRIDE_MARK = "※"  # one meaning in the whole report: a grade the planning office changed by hand
NOTE_MARK = "（注）"  # any other note under a table
NO_VALUE = "－"
CONTINUED = "（続き）"  # after the caption of a table on each page it goes on to (council/continued.py)
MINUS = "△"  # the one minus sign of the report, as the values are written (values.format_number)
def status_legend(labels: tuple[str, ...]) -> str:
    """「実施状況：◎実施済 ○継続推進 △一部実施 ×未実施」 in the city's own labels."""
    return "実施状況：" + " ".join(labels)

# the legend page (seed 002: 「次ページからの記載事項」), in the words of the plan's own levels
INDICATOR_LABELS = {"KPI": "重要業績評価指標（KPI）", "KGI": "重要目標達成指標（KGI）", "参考指標": "参考指標"}
REFERENCE_GRADE_TEXT = "参考指標（評価しない）"


def legend_lines(top: str, block: str | None, measure: str | None) -> tuple[str, str, str]:
    """The sample headings of a body block in the plan's words: 「基本目標名」, 「基本方針名」 (none when the top
    level is the block), 「①施策名 ／ ②施策名 ／ …」 (the level the block's measures line lists, if any)."""
    return (f"{top}名", f"{block}名" if block else "",
            f"①{measure}名 ／ ②{measure}名 ／ ③{measure}名 ／ ……" if measure else "")


def legend_achievement(top: str, measure: str) -> str:
    return f"新たな取組実績、{top}の達成のために{measure}で大きく寄与したもの（実績が大きく向上したもの）"


LEGEND_NEXT = "新たな取組、課題を解決や施策を推進していくための方向性"


def legend_kpi_places(top: str, block: str, whole_plan: str | None = None, top_figures: bool = False,
                      top_blocks: bool = False) -> str:
    """Where this plan's KPI tables are: 「後期基本計画全体の指標は本文の初めに、基本目標に掲げる指標は各基本目標名の後に、
    各基本施策の最後に、その基本施策に掲げる指標の表を載せています」. ``top_figures``: some top node's own KPIs are
    under its heading; ``top_blocks``: some, not all, top nodes are written as one block (no ``block`` below them)."""
    places = ([f"{whole_plan}は本文の初めに"] if whole_plan else []) + (
        [f"{top}に掲げる指標は各{top}名の後に"] if top_figures else [])
    if top_blocks:
        places.append(f"各{block}（{block}に分けずに書く{top}ではその{top}）の最後に、そこに掲げる指標の表")
    else:
        places.append(f"各{block}の最後に、その{block}に掲げる指標の表")
    return "、".join(places) + "を載せています（【再掲】はほかの項目にも掲げる指標）。"


def legend_kpi_table(places: str, method: str, provisional: bool = False, override: bool = False) -> str:
    """Where the KPI tables are (legend_kpi_places), how they are graded, and only the marks that occur in this
    report."""
    marks = (["「見込み」は年度途中の見込み値による暫定の評価"] if provisional else []) + (
        [f"「{OVERRIDE_MARK}」は企画担当課が手動で変更した評価"] if override else [])
    return places + method + ("、".join(marks) + "です。" if marks else "")


def status_title(short_names: list[str]) -> str:
    """「基本計画と総合戦略の指標（KPI）の達成状況」 from the plans' own short names."""
    return f"{'と'.join(short_names)}の指標（KPI）の達成状況"


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

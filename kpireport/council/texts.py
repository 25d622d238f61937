"""Every fixed Japanese text of the council report, in one place."""
from __future__ import annotations

NO_TEXT = "（記載なし）"
NOT_SUBMITTED = "（未提出）"
OTHER_STATUS = "その他"  # a 実施状況 the settings' labels no longer name
NOT_ENTERED = "未記入"  # a blank 実施状況 of a department that did send its form (a monthly report allows it)
PROVISIONAL = "（見込み）"
OVERRIDE_MARK = "※"  # one meaning in the whole report: a grade the planning office changed by hand
NOTE_MARK = "（注）"  # any other note under a table
REPOST = "【再掲】"
NO_VALUE = "－"
MINUS = "△"  # the one minus sign of the report, as the values are written (values.format_number)
def status_legend(labels: tuple[str, ...]) -> str:
    """「実施状況：◎実施済 ○継続推進 △一部実施 ×未実施」 in the city's own labels."""
    return "実施状況：" + " ".join(labels)

# the legend page (seed 002: 「次ページからの記載事項」), in the words of the plan's own levels
INDICATOR_LABELS = {"KPI": "重要業績評価指標（KPI）", "KGI": "重要目標達成指標（KGI）", "参考指標": "参考指標"}
REFERENCE_GRADE_TEXT = "参考指標（評価しない）"


def legend_lines(levels: tuple[str, ...]) -> tuple[str, str, str]:
    """The sample headings of a body block: 「基本目標名」, 「基本方針名」, 「①施策名 ／ ②施策名 ／ …」."""
    top = f"{levels[0]}名"
    block = f"{levels[1]}名" if len(levels) > 1 else ""
    measure = levels[2] if len(levels) > 2 else ""
    return top, block, (f"①{measure}名 ／ ②{measure}名 ／ ③{measure}名 ／ ……" if measure else "")


def legend_achievement(levels: tuple[str, ...]) -> str:
    measure = levels[2] if len(levels) > 2 else levels[-1]
    return f"新たな取組実績、{levels[0]}の達成のために{measure}で大きく寄与したもの（実績が大きく向上したもの）"


LEGEND_NEXT = "新たな取組、課題を解決や施策を推進していくための方向性"


def legend_kpi_table(block: str, method: str, provisional: bool = False, override: bool = False) -> str:
    """Where the KPI tables are (after each ``block``, the level the body's blocks are), how they are graded,
    and only the marks that occur in this report."""
    marks = (["「見込み」は年度途中の見込み値による暫定の評価"] if provisional else []) + (
        [f"「{OVERRIDE_MARK}」は企画担当課が手動で変更した評価"] if override else [])
    return (f"各{block}の最後に、その{block}に掲げる指標の表を載せています（【再掲】はほかの項目にも掲げる指標）。"
            f"{method}" + ("、".join(marks) + "です。" if marks else ""))


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

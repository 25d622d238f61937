"""What the report sections show, derived from the master data (no layout here)."""
from __future__ import annotations

import re

from kpireport import labels
from kpireport.council import texts
from kpireport.evaluate.arithmetic import percent_text
from kpireport.evaluate.data_year import data_year_note, kept_year, shown_year
from kpireport.evaluate.results import KpiRow, PeriodResults, each_once
from kpireport.evaluate.series import definition_notes
from kpireport.labels import markers_text, value_text
from kpireport.model import LEAD, Initiative, InitiativeEntry, Node, Plan
from kpireport.values import format_year, period_of


def descendants(data: PeriodResults, node_id: str) -> frozenset[str]:
    return data.plan.descendants(node_id)


def kpis_under(data: PeriodResults, node_id: str) -> list[KpiRow]:
    """KPI rows listed in ``node_id``'s subtree, each KPI once (at its own place if that is inside), tree order."""
    inside = descendants(data, node_id)
    return each_once(row for row in data.kpi_rows if row.node_id in inside)


def kpis_at(data: PeriodResults, place: str) -> list[KpiRow]:
    """KPI rows listed on exactly this node (or on a plan as a whole)."""
    return [row for row in data.kpi_rows if row.node_id == place]


def body_plans(data: PeriodResults) -> list:
    """Plans whose nodes carry narratives (主な取組内容／実績): those have a body."""
    return [info for info in data.plan.plans if any(n.plan == info.id and n.departments for n in data.plan.nodes)]


def indicator_caption(rows: list[KpiRow]) -> str:
    """「重要業績評価指標（KPI）」, or the kinds the table holds: 「重要目標達成指標（KGI）・参考指標」."""
    kinds = list(dict.fromkeys(row.kpi.kind for row in rows))
    return "・".join(texts.INDICATOR_LABELS.get(kind, kind) for kind in kinds)


def indicator_name(row: KpiRow, caption_kinds: int, plan: Plan) -> str:
    """The name as a row shows it: 【再掲】 where reposted within its plan, 【総合戦略】 where another plan's KPI is
    listed (the first place a reader meets it may be that other plan's part), and its kind when the table mixes
    kinds."""
    kind = f"〔{row.kpi.kind}〕" if caption_kinds > 1 and row.kpi.kind != "KPI" else ""
    mark = ""
    if row.reposted:
        home = plan.plan_of(row.kpi.node)
        mark = f"【{home.short_name}】" if home.id != plan.plan_of(row.node_id).id else labels.REPOST
    return mark + kind + row.kpi.name + markers_text(row.kpi.markers)


OWN_YEAR = re.compile(r"\s*([（(][^（()）]*年度?[）)])$")  # 「…（令和6年度）」 at the end of a value


def actual_text(data: PeriodResults, kpi_id: str, owners: tuple[str, ...]) -> str:
    stored = data.values.get(kpi_id)
    if stored is None:
        submitted = data.submitted
        return texts.NOT_SUBMITTED if not any(o in submitted for o in owners) else texts.NO_VALUE
    text = value_text(stored.value)
    written_year = period_of(stored.value)
    note = shown_year(stored, data.period.fiscal_year, data.plan.kpi(kpi_id).calendar) if stored.value.is_number else ""
    if note and written_year is None:  # its year only in the 時点 (lagging data, or a later one): the year under it
        text += "\n" + note
    elif written_year is not None:  # a value written with its year: the year on a line
        text = OWN_YEAR.sub(r"\n\1", text)  # of its own, as the baseline's and the target's, never broken
        if kept_year(stored, data.period.fiscal_year):  # 「11事業者(R5)」 that its 時点 reads as 令和4年度's: both
            text += "\n" + data_year_note(stored, data.period.fiscal_year, data.plan.kpi(kpi_id).calendar)
    if stored.value.status == "none" and stored.reason:  # a reason written as 「－（…）」 is not wrapped again
        reason = stored.reason
        text = reason if reason.startswith(texts.NO_VALUE) else f"{texts.NO_VALUE}（{reason}）"
    # 「（見込み）」 marks a provisional value, unless its own words say so already: 「3.72ポイント (速報値)」, 「4,500人見込」
    said = stored.value.provisional_word or "見込" in text
    return text + (texts.PROVISIONAL if stored.provisional and not said else "")


def reported_without_year(data: PeriodResults, kpi_id: str) -> bool:
    """Whether the KPI's actual in force is a value printed without a year of its own (not of another year than the
    period's, not written with its year): a table whose header gives the year in the other kind (年度 or 年) must add it."""
    stored = data.values.get(kpi_id)
    return (stored is not None and stored.value.status != "none" and period_of(stored.value) is None
            and not shown_year(stored, data.period.fiscal_year, data.plan.kpi(kpi_id).calendar))


def initiative_text(data: PeriodResults, initiative: Initiative, own: InitiativeEntry | None, field: str,
                    place: str = "") -> str:
    """An initiative's text (``field`` of its entry in force), and with 併記 every other department's beside
    it, each marked with its department (labels.initiative_text)."""
    return labels.initiative_text(initiative, own, data.initiative_others.get(initiative.id, ()), field, place)


def grade_text(data: PeriodResults, kpi_id: str) -> str:
    evaluation = data.evaluations[kpi_id]
    if not data.plan.kpi(kpi_id).graded:
        return texts.REFERENCE_GRADE_TEXT
    text = f"{evaluation.grade} {evaluation.label}"
    return text + texts.OVERRIDE_MARK if evaluation.override else text


def previous_grade_text(data: PeriodResults, kpi_id: str) -> str:
    """The grade of the year before, as it was graded then: 「C 遅れ」, or 「－」 without one."""
    before = data.previous(kpi_id)
    if before is None or not data.plan.kpi(kpi_id).graded:
        return texts.NO_VALUE
    return f"{before.evaluation.grade} {before.evaluation.label}"


def rate_text(data: PeriodResults, kpi_id: str) -> str:
    """「60.0%」「△4.9%」「89.97%」: as the working shows it (one decimal, more where one would put it across a
    threshold), the report's one minus sign (△, as the values)."""
    rate = data.evaluations[kpi_id].rate
    return texts.NO_VALUE if rate is None else percent_text(rate)


def aligned_actuals(plan_figures: list[str], actuals: list[str]) -> list[str]:
    """Actuals with as many decimals as the plan writes its figures (基準値 48.0%, 目標値 58.0%: an actual 49% is
    printed 「49.0%」), so that a row reads alike. The plan's own figures are printed as the plan wrote them and
    never padded here (a target written 200百万円 stays 200百万円 beside an actual 158.7百万円); an actual is
    never given more decimals than the plan's figures have, nor fewer than it was typed with (158.7 stays
    158.7, 92.35% stays 92.35%). A text that does not start with a number (「－（H29年から調査なし）」, the
    department's words) is printed as written."""
    decimals = max([_decimals(m) for m in map(_FIRST_NUMBER.match, plan_figures) if m] + [0])
    out = []
    for value in actuals:
        match = _FIRST_NUMBER.match(value)
        if match is None or _decimals(match) >= decimals:
            out.append(value)
            continue
        number = match.group(1) + (match.group(2) or ".") + "0" * (decimals - _decimals(match))
        out.append(value[:match.start(1)] + number + value[match.end():])
    return out


def _decimals(match: re.Match[str]) -> int:
    return len(match.group(2) or ".") - 1


# half-width figures only: a department's own words (「１２．５（速報）」) are printed as written, never padded
_FIRST_NUMBER = re.compile(r"[△▲−+\-]?([0-9][0-9,]*)(\.[0-9]+)?")


def rate_notes(data: PeriodResults, rows: list[KpiRow]) -> list[str]:
    """Why a graded KPI shows no rate: its grade compares the value with the target directly, or, for a
    direction-only target (延伸), with the baseline. 参考指標 and 評価不能 are not graded and not named."""
    unrated = [row.kpi for row in rows if row.kpi.graded and data.evaluations[row.kpi.id].rate is None
               and data.evaluations[row.kpi.id].rule != "not_evaluable"]
    to_target = [k.name for k in unrated if k.target_type != "方向"]
    to_baseline = [k.name for k in unrated if k.target_type == "方向"]
    notes = []
    if to_target:
        notes.append(f"{texts.NOTE_MARK}達成率が「{texts.NO_VALUE}」で評価のある指標（{'、'.join(to_target)}）は、基準値がない、"
                     "または目標が「維持」などのため達成率を計算せず、実績値を目標値と比べて評価しています。")
    if to_baseline:
        notes.append(f"{texts.NOTE_MARK}目標が方向のみ（延伸・増加・減少など）の指標（{'、'.join(to_baseline)}）は、"
                     "達成率を計算せず、実績値を基準値と比べて評価しています。")
    return notes


def override_notes(data: PeriodResults, rows: list[KpiRow]) -> list[str]:
    notes = []
    for row in rows:
        evaluation = data.evaluations[row.kpi.id]
        if evaluation.override:
            notes.append(f"{texts.OVERRIDE_MARK}{row.kpi.name}: 手動で「{evaluation.grade} {evaluation.label}」"
                         f"（計算上は「{evaluation.computed_grade}」、理由: {evaluation.override.reason}）")
    return notes


def changed_definition_notes(data: PeriodResults, rows: list[KpiRow]) -> list[str]:
    """For KPIs whose baseline or target the office changed after an earlier year was graded: what changed and
    which years were graded before the change, so a previous year's grade beside this year's is read rightly."""
    seen = {row.kpi.id: row.kpi for row in rows}
    return [f"{texts.NOTE_MARK}{kpi.name}: {note}" for kpi in seen.values()
            for note in definition_notes(kpi, data.series.get(kpi.id, ()))]


def shared_notes(data: PeriodResults, rows: list[KpiRow]) -> list[str]:
    """For KPIs whose value is combined from several departments' parts (合算) or given by several (併記):
    each department's value, so the council sees what the figure is made of."""
    notes = []
    for row in rows:
        standing = data.shared.get(row.kpi.id)
        if standing is not None and row.kpi.reporting != LEAD and standing.entries:
            notes.append(f"{texts.NOTE_MARK}{row.kpi.name}: {standing.working}")
    return notes


def measures_line(data: PeriodResults, node: Node) -> str:
    """「①観光の振興／②国際観光の推進／③おもてなしの向上」."""
    children = data.plan.children(node.id)
    return "／".join(f"{c.number}{c.title}" for c in children)


def year_labels(data: PeriodResults) -> tuple[str, str]:
    year = data.period.fiscal_year
    return format_year(year), format_year(year + 1)

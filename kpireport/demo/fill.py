"""Fill department forms the way staff do in Excel, for the demo and the tests.

The values are SAMPLE data: plausible actuals derived from each KPI's baseline and target (some
ahead, some behind, some worse, some not yet available), sample initiative statuses with sample 事業名,
results and next steps, and the narratives of seed 002 (example/demo_submissions.yaml). They are
clearly marked as samples.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.forms import layout as fl
from kpireport.forms.fit import fit_rows
from kpireport.model import BESIDE, PARTS, Initiative, Kpi, Plan
from kpireport.periods import ReportPeriod
from kpireport.plan.load import example_path
from kpireport.plan.source import load_yaml
from kpireport.values import SCALES

# progress along the way from baseline to target, cycled over the KPIs (None: not available yet)
PROGRESS_PATTERN = (Decimal("1.05"), Decimal("0.3"), Decimal("0.22"), Decimal("0.1"), Decimal("-0.05"),
                    Decimal("0.5"), Decimal("0.35"), Decimal("0.15"), Decimal("0.6"), Decimal("0.27"),
                    Decimal("1.0"), Decimal("0.05"), None)
STATUS_PATTERN = (
    ("○継続推進", "継続", "（サンプル）計画どおり事業を継続して実施した。"),
    ("○継続推進", "継続", ""),
    ("◎実施済", "完了", "（サンプル）予定していた取組をすべて実施した。"),
    ("○継続推進", "継続", "（サンプル）関係機関と連携して実施した。"),
    ("△一部実施", "継続", "（サンプル）一部の事業が翌年度に延期となった。"),
    ("○継続推進", "変更", "（サンプル）国の制度改正に合わせて内容を見直す。"),
    ("×未実施", "継続", "（サンプル）関係機関との調整が整わず、実施できなかった。"),
    ("◎実施済", "継続", ""),
)
SAMPLE_NOTE = "サンプル値"
SAMPLE = "（サンプル）"
NOT_DONE_SUMMARY = "（サンプル）関係機関との調整が整わず、この年度は実施を見送った。"


def _demo_data() -> dict:
    return load_yaml((example_path().parent / "demo_submissions.yaml").read_text(encoding="utf-8"))


def demo_narratives() -> dict[str, dict]:
    """Narratives of seed 002 by node ID: {"achievements": [...], "next_steps": [...]}."""
    return {n["node"]: n for n in _demo_data()["narratives"]}


def demo_initiative_texts() -> dict[str, dict]:
    """Sample 事業名, result and next step by initiative ID: {"name": …, "summary": …, "plan": …}."""
    return {i["id"]: i for i in _demo_data().get("initiatives", ())}


def _sample_initiative(initiative: Initiative) -> dict:
    """For a plan without the demo's texts (the other embedded plans, the benchmarks): short sample texts made
    from the plan's own words, marked as samples by _initiative_texts."""
    name = initiative.name or initiative.content[:30]
    return {"name": name, "summary": f"{name}に取り組み、計画どおり進めた。",
            "plan": f"成果と課題を検証し、{name}を継続する（効果が確認できたため）。"}


def _initiative_texts(texts: dict, status: str, not_done: str) -> tuple[str, str, str]:
    """(事業名, 取組の概要, 今後の取組内容) as the demo types them; a 事業 not done reports why instead of a result."""
    summary = NOT_DONE_SUMMARY if status == not_done else SAMPLE + texts["summary"] if texts.get("summary") else ""
    return texts.get("name", ""), summary, SAMPLE + texts["plan"] if texts.get("plan") else ""


def demo_actual(kpi: Kpi, index: int) -> Decimal | None:
    """A plausible actual in the KPI's display unit (百万円 KPI → millions), or None."""
    fraction = PROGRESS_PATTERN[index % len(PROGRESS_PATTERN)]
    if fraction is None:
        return None
    target = kpi.target.number if kpi.target.is_number else kpi.baseline.number
    if target is None:
        return None
    baseline = kpi.baseline.number if kpi.baseline.is_number else None
    if baseline is not None:
        value = baseline + (target - baseline) * fraction
        if target == baseline:  # 維持: hover around the baseline
            value = baseline * (Decimal(1) + (fraction - Decimal("0.3")) / 20)
    else:  # a target-only KPI: a share of the target (a count is never negative)
        value = target * (fraction if fraction > 0 else Decimal("0.15"))
    scale = Decimal(10) ** SCALES.get(kpi.target.scale or kpi.baseline.scale, 0)
    places = max(_places(kpi.baseline.raw), _places(kpi.target.raw))
    shown = (value / scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if kpi.unit == "%" and shown > 100:
        shown = Decimal(100)
    return shown


def demo_part(total: Decimal, index: int, count: int) -> Decimal:
    """A department's share of a 合算 KPI's sample total: the lead about 60 %, the rest split evenly."""
    if count < 2:
        return total
    lead = (total * Decimal("0.6")).quantize(Decimal(1) if total == total.to_integral() else Decimal("0.1"),
                                            rounding=ROUND_HALF_UP)
    if index == 0:
        return lead
    rest = total - lead
    share = (rest / (count - 1)).quantize(Decimal(1) if rest == rest.to_integral() else Decimal("0.1"),
                                         rounding=ROUND_HALF_UP)
    return share if index < count - 1 else rest - share * (count - 2)


def _places(raw: str) -> int:
    digits = "".join(ch for ch in raw.split("(")[0] if ch.isdigit() or ch == ".")
    return len(digits.split(".")[1]) if "." in digits else 0


def _sample_narrative(heading: str) -> dict:
    """For a plan without seed texts (the benchmarks' synthetic plans): a short sample, marked as one."""
    return {"achievements": [f"（サンプル）{heading}の主な取組を計画どおり実施しました。"],
            "next_steps": ["（サンプル）引き続き取組を進め、成果を検証します。"]}


def fill_form(path: Path, plan: Plan, department: str, period: ReportPeriod, target: Path | None = None,
              samples: dict[str, dict] | None = None) -> Path:
    """Open a generated form with openpyxl, type sample inputs into its shaded cells, save. ``samples``: the
    KPIs' entries as an example gives them for this period ({id: {actual, as_of, reason}}), else derived ones."""
    workbook = openpyxl.load_workbook(path)
    typist = _Typist(plan, department, period, samples or {})
    for sheet in fl.data_sheets(plan, department, period):
        ws = workbook[sheet.name]
        col = {c.key: i for i, c in enumerate(sheet.columns, start=1)}
        fill_row = {fl.KPI_SHEET: typist.kpi_row, fl.INITIATIVE_SHEET: typist.initiative_row}.get(
            sheet.name, typist.narrative_row)
        for offset, row in enumerate(sheet.rows):
            if row["id"] in sheet.reported_elsewhere or row["id"] in sheet.reposts:
                continue  # another department reports it (read-only in this form), or a 【再掲】 row left blank
            fill_row(_Row(ws, fl.FIRST_ROW + offset, col), row)
    fit_rows(workbook)  # as staff widen a row to see what they typed
    out = target or path
    workbook.save(out)
    return out


@dataclass(frozen=True)
class _Row:
    """One row of a form's sheet, its input cells found by column key."""

    ws: Worksheet
    r: int
    col: dict[str, int]

    def type(self, key: str, value: str | int | float) -> None:
        self.ws.cell(self.r, self.col[key]).value = value


class _Typist:
    """Types one department's sample inputs, a row at a time, as staff would."""

    def __init__(self, plan: Plan, department: str, period: ReportPeriod, samples: dict[str, dict]) -> None:
        self.plan = plan
        self.samples = samples
        self.department = department
        self.period = period
        self.kpi_index = {k.id: i for i, k in enumerate(plan.kpis)}
        self.init_index = {x.id: i for i, x in enumerate(plan.initiatives)}
        self.narratives = demo_narratives()
        self.initiative_texts = demo_initiative_texts()

    def kpi_row(self, row: _Row, form_row: dict) -> None:
        kpi = self.plan.kpi(form_row["id"])
        if kpi.id in self.samples:  # the example's own entry for the year, typed as given
            for key in ("actual", "as_of", "reason"):
                if key in self.samples[kpi.id]:
                    row.type(key, self.samples[kpi.id][key])
            row.type("remarks", SAMPLE_NOTE)
            return
        actual = demo_actual(kpi, self.kpi_index[kpi.id])
        if actual is not None and kpi.reporting == PARTS:
            actual = demo_part(actual, kpi.departments.index(self.department), len(kpi.departments))
        if actual is None:
            row.type("reason", "集計中")
            return
        period = self.period
        row.type("actual", float(actual) if actual != actual.to_integral() else int(actual))
        row.type("as_of", f"R{period.fiscal_year + 1 - 2018}.3末" if not period.is_monthly else f"R{period.calendar_year - 2018}.{period.month}末")
        row.type("remarks", SAMPLE_NOTE)

    def initiative_row(self, row: _Row, form_row: dict) -> None:
        plan, ident = self.plan, form_row["id"]
        status, next_step, verification = STATUS_PATTERN[self.init_index[ident] % len(STATUS_PATTERN)]
        status = plan.settings.status_labels[fl.STATUSES.index(status)]  # the city's own label
        if plan.initiative(ident).reporting == BESIDE and verification:
            verification = f"{verification}（{self.department}の取組）"
        row.type("status", status)
        row.type("next_step", next_step)
        if verification:
            row.type("verification", verification)
        texts = self.initiative_texts.get(ident) or _sample_initiative(plan.initiative(ident))
        name, summary, plan_text = _initiative_texts(texts, status, plan.settings.status_labels[fl.NOT_DONE])
        for key, text in (("name", name), ("summary", summary), ("plan", plan_text)):
            if text and not form_row.get(key):  # the plan's own 事業名 stays as the form prefilled it
                row.type(key, text)

    def narrative_row(self, row: _Row, form_row: dict) -> None:
        texts = self.narratives.get(form_row["id"])
        if texts is None or texts.get("department", self.department) != self.department:  # another plan's node
            texts = _sample_narrative(form_row.get("path", "").split(" ＞ ")[-1])  # the node's own heading
        row.type("achievements", "\n".join(texts["achievements"]))
        row.type("next_steps", "\n".join(texts["next_steps"]))

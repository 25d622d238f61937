"""The site's data: one table per kind (plans, nodes, KPIs, yearly values and grades, initiatives, departments)
as CSV (UTF-8 with a BOM, so that Excel opens it) and JSON, described by a Frictionless Data Package
(datapackage.json, a Table Schema per file). Only what the site shows: the content already left out 非公開
items and the internal texts."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kpireport.publish.content import Site, in_kpi_unit, unit_number
from kpireport.publish.policy import CONTACTS, NOTES, REASONS

DATA_FOLDER = "data"
YEAR = "西暦の年度（暦年の指標は暦年）"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string | integer | number
    description: str
    unit: str = ""  # one unit for the whole column (達成率: %); a KPI's own unit is in the column 単位


@dataclass(frozen=True)
class Table:
    name: str  # the file name without extension, lower-case ASCII (a Data Package resource name)
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: tuple[tuple[Any, ...], ...]
    key: tuple[str, ...]


def _f(name: str, description: str, kind: str = "string", unit: str = "") -> Field:
    return Field(name, kind, description, unit)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return str(value)


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.name for f in table.fields])
    writer.writerows([_text(v) for v in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(_text(value))
    return None if value == "" else value


def json_bytes(table: Table) -> bytes:
    records = [{f.name: _json_value(v) for f, v in zip(table.fields, row)} for row in table.rows]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def tables(site: Site) -> list[Table]:
    return [plans_table(site), nodes_table(site), kpis_table(site), values_table(site), initiatives_table(site),
            departments_table(site)]


def plans_table(site: Site) -> Table:
    fields = (_f("計画ID", "計画の識別子"), _f("計画名", "計画の正式な名称"), _f("略称", "計画の略称"),
              _f("種別", "基本計画、総合戦略など"), _f("開始年度", YEAR, "integer"), _f("終了年度", YEAR, "integer"),
              _f("階層名", "体系の階層の名称（上位から「／」区切り）"))
    rows = tuple((p.info.id, p.info.name, p.info.short_name, p.info.kind, p.info.start_year, p.info.end_year,
                  "／".join(p.info.levels)) for p in site.plans)
    return Table("plans", "計画", "公開している計画の一覧", fields, rows, ("計画ID",))


def nodes_table(site: Site) -> Table:
    fields = (_f("体系ID", "基本目標・施策などの識別子"), _f("計画ID", "属する計画（plans の計画ID）"),
              _f("上位の体系ID", "ひとつ上の階層の体系ID（最上位は空欄）"), _f("階層", "1が最上位", "integer"),
              _f("階層名", "基本目標、施策など"), _f("番号", "計画書での番号"), _f("名称", "計画書での名称"),
              _f("見出し", "階層名・番号・名称をつないだ表示"))
    rows = tuple((v.ident, v.plan.id, v.node.parent or "", v.node.depth, v.node.label(v.plan), v.node.number,
                  v.node.title, v.heading) for v in site.nodes if v.node is not None)
    return Table("nodes", "計画の体系", "計画の階層（基本目標、基本方針、施策など）", fields, rows, ("体系ID",))


def kpis_table(site: Site) -> Table:
    fields = [_f("指標ID", "指標の識別子"), _f("指標名", "計画書での指標名"), _f("区分", "KPI、KGI、参考指標（参考指標は評価しない）"),
              _f("計画ID", "属する計画"), _f("掲載先ID", "指標を掲げる体系ID（計画全体の指標は計画ID）"),
              _f("再掲先ID", "再掲する体系ID（「、」区切り）"), _f("単位", "数値の単位（なし は単位のない指標）"),
              _f("望ましい方向", "増加 または 減少"), _f("目標種別", "値、以上、以下、維持"),
              _f("集計方法", "単年度、累計、年平均"), _f("基準値", "基準値（単位は「単位」の列）", "number"),
              _f("基準値の表記", "計画書での基準値の表記"), _f("基準年度", YEAR, "integer"),
              _f("目標値", "目標値（単位は「単位」の列）", "number"), _f("目標値の表記", "計画書での目標値の表記"),
              _f("目標年度", YEAR, "integer"), _f("担当課", "指標を担当する課（「、」区切り）")]
    notes = site.policy.shows(NOTES)
    if notes:
        fields.append(_f("備考", "計画での指標の備考"))
    rows = []
    for view in site.kpis:
        k = view.kpi
        base, target = in_kpi_unit(k, k.baseline), in_kpi_unit(k, k.target)
        row = [k.id, k.name, k.kind, k.plan, k.node, "、".join(k.reposted_under), k.unit or "なし", k.direction,
               k.target_type, k.aggregation, unit_number(k, base.number) if base else None, view.baseline,
               k.baseline_year, unit_number(k, target.number) if target else None, view.target, k.target_year or None,
               view.departments]
        rows.append(tuple(row + ([k.note] if notes else [])))
    return Table("kpis", "指標", "指標（KPI・KGI・参考指標）の定義、基準値と目標値", tuple(fields), tuple(rows), ("指標ID",))


def values_table(site: Site) -> Table:
    fields = [_f("指標ID", "kpis の指標ID"), _f("年度", YEAR, "integer"), _f("年度の表記", "和暦の表記"),
              _f("データの年度", "実績がどの年度のデータか（" + YEAR + "）。統計の公表が遅れるなど、「年度」より前の"
                 "年度のデータを報告したときはその年度", "integer"),
              _f("実績", "実績値（単位は「単位」の列。未報告は空欄）", "number"),
              _f("実績の表記", "報告された実績の表記（「年度」と違う年度のデータは、その年度を付けて表記）"),
              _f("単位", "数値の単位"), _f("見込み", "見込みの値なら「見込み」、確定した実績なら空欄"),
              _f("想定値", "基準値から目標値への道筋でのその年度の値", "number"),
              _f("達成率", "目標に対する達成率（%）", "number", "%"), _f("評価", "評価の記号"),
              _f("評価の名称", "評価の名称"), _f("評価の説明", "評価の求め方（計算と判定の理由）")]
    extra = [(NOTES, _f("備考", "実績についての担当課の備考")), (REASONS, _f("未記入の理由", "実績を記入できなかった理由"))]
    shown = [item for item, _ in extra if site.policy.shows(item)]
    fields += [f for item, f in extra if item in shown]
    rows = []
    for view in site.kpis:
        for p in view.points:
            row = [view.kpi.id, p.year, p.year_text, p.data_year, p.number, p.value_text, view.kpi.unit or "なし",
                   "見込み" if p.provisional else "", p.expected, p.rate, p.grade.code,
                   p.grade.label, view.working if p is view.current else ""]
            row += [p.remarks if item == NOTES else p.reason for item in shown]
            rows.append(tuple(row))
    return Table("values", "実績と評価", "指標ごと・年度ごとの実績、達成率と評価", tuple(fields), tuple(rows),
                 ("指標ID", "年度"))


def initiatives_table(site: Site) -> Table:
    fields = [_f("取組ID", "取組の識別子"), _f("事業名", "事業の名称"), _f("推進内容", "計画書での推進内容"),
              _f("掲載先ID", "取組を掲げる体系ID"), _f("担当課", "取組を担当する課（「、」区切り）"),
              _f("実施状況", "その年度の実施状況（未報告はまだ報告がないもの。併記の取組は主担当課のもの）"),
              _f("今後の方向性", "継続、完了、廃止、変更（併記の取組は主担当課のもの）"),
              _f("取組の検証", "取組の検証（併記の取組は主担当課のもの）"),
              _f("取り組んだ事業の概要", "実績の概要（併記の取組は主担当課のもの）"),
              _f("以降の取組内容", "今後の取組とその理由（併記の取組は主担当課のもの）"),
              _f("他の担当課の報告", "併記の取組で主担当課のほかの担当課が報告した内容。課ごとに改行で区切り、"
                 "「【課名】「事業名」実施状況／今後の方向性　取組の検証　概要　以降の取組内容」の形"),
              _f("再掲先での検証", "再掲先について記入された取組の検証。再掲先ごとに改行で区切り、「再掲先の体系ID: 検証」の形"
                 "（主担当課のほかの担当課が記入したものは「再掲先の体系ID（課名）: 検証」）")]
    notes = site.policy.shows(NOTES)
    if notes:
        fields.append(_f("備考", "計画での取組の備考"))
    views = [i for node in site.nodes for i in node.initiatives]
    own = {i.initiative.id: i for i in reversed(views) if not i.reposted}  # the first at its own place
    seen: dict[str, tuple] = {}
    for view in views:
        i = own.get(view.initiative.id, view)
        if i.initiative.id not in seen:
            row = [i.initiative.id, i.name, i.initiative.content, i.initiative.node, i.departments, i.status,
                   i.next_step, i.verification, i.summary, i.plan_text, "\n".join(i.others),
                   "\n".join(i.repost_verifications)]
            seen[i.initiative.id] = tuple(row + ([i.note] if notes else []))
    return Table("initiatives", "取組", "計画の取組とその年度の実施状況", tuple(fields), tuple(seen.values()), ("取組ID",))


def departments_table(site: Site) -> Table:
    fields = [_f("課名", "担当課の名称"), _f("部名", "担当課の属する部")]
    contacts = site.policy.shows(CONTACTS)
    if contacts:
        fields += [_f("担当者・連絡先", "担当者・連絡先"), _f("メール", "メールアドレス")]
    rows = tuple((d.name, d.division, *((d.contact, d.email) if contacts else ()))
                 for d in site.data.plan.departments if not d.is_group)
    return Table("departments", "担当課", "指標と取組を担当する課", tuple(fields), rows, ("課名",))


def datapackage(site: Site, tables_: list[Table]) -> dict[str, Any]:
    """The Data Package: a CSV and a JSON resource per table, both with the table's schema."""
    resources = []
    for table in tables_:
        schema = {"fields": [{"name": f.name, "title": f.name, "type": f.type, "description": f.description,
                              **({"unit": f.unit} if f.unit else {})} for f in table.fields],
                  "primaryKey": list(table.key)}
        for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
            resources.append({
                "name": table.name if fmt == "csv" else f"{table.name}-json",
                "path": f"{DATA_FOLDER}/{table.name}.{fmt}", "profile": "tabular-data-resource",
                "title": f"{table.title}（{fmt.upper()}）", "description": table.description, "format": fmt,
                "mediatype": media, "encoding": "utf-8", "schema": schema})
    return {"name": f"kpi-progress-{site.period_key}", "title": f"{site.city} {site.title}（{site.period_label}）",
            "description": f"{site.city}の計画の指標（KPI）と取組の進捗状況。{site.period_label}、最終集計 {site.merged}。",
            "profile": "tabular-data-package", "resources": resources}


def package_bytes(site: Site, tables_: list[Table]) -> bytes:
    return (json.dumps(datapackage(site, tables_), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

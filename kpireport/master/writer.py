"""The master workbook (xlsxwriter): summary with native charts, KPI list, initiatives, narratives,
submission status, findings and changes since the previous merge.

Every value is written with its typed method; department text is always written as text, so a
cell starting with "=" stays literal. A writer return code that signals truncation is an error.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from kpireport import labels
from kpireport.errors import KpireportError
from kpireport.evaluate.display import CHART_COLOURS, RULE_COLOURS, method_note
from kpireport.evaluate.results import KpiRow, PeriodResults, each_once, initiative_rows
from kpireport.evaluate.tally import plan_tally
from kpireport.findings_text import SEVERITY_LABEL
from kpireport.master import checklist, page
from kpireport.model import Grade, Plan
from kpireport.runtime.atomic import atomic_write
from kpireport.text_layout import row_height
from kpireport.values import SCALES, format_value, format_year

FONT = {"font_name": "游ゴシック", "font_size": 10}
NAME_WIDTH = 48  # 概要's first column: the names of a plan's top level (重点戦略 names run to 40 characters)


def write_master(data: PeriodResults, path: Path) -> list[str]:
    """Write the master workbook; atomic. Returns what it had to shorten (Japanese lines naming the cell and
    where the full text is): accepted text never stops the master."""
    try:
        with atomic_write(path, "台帳") as handle:
            workbook = xlsxwriter.Workbook(handle, {"strings_to_numbers": False, "strings_to_formulas": False,
                                                    "strings_to_urls": False})
            workbook.set_properties({"title": f"{data.plan.settings.city} {data.period.label} 台帳",
                                     "author": "kpireport"})
            writer = _Writer(workbook, data)
            writer.summary()
            writer.kpi_list()
            writer.initiative_list()
            writer.narrative_list()
            writer.submission_status()
            checklist.add(writer)
            writer.attention()
            writer.findings()
            writer.changes()
            workbook.close()
    except OSError as exc:
        raise KpireportError(f"{path} に書き込めません（{exc.strerror or exc}）。フォルダの空き容量と書き込み権限を確認し、"
                             "もう一度実行してください（前回の台帳はそのまま残っています）。") from exc
    return writer.notes


ACTIVE_STARTS = ("=", "+", "-", "@", "\t", "\r")  # text Excel would read as a formula once edited
SHORTENED = "…（Excelの1セルの上限のため、以下省略）"


class _Writer:
    def __init__(self, workbook, data: PeriodResults):
        self.wb = workbook
        self.data = data
        self.plan: Plan = data.plan
        self.props: dict[int, dict] = {}  # format id -> its properties, to derive the quote-prefix variant
        self.quoted: dict[int, Any] = {}
        self.notes: list[str] = []  # texts that had to be shortened to fit a cell
        self.row_source = ""  # where the row being written came from, for those notes
        self.shown: dict[str, int] = {}  # sheet name -> its columns before the folded ones
        base = {**FONT, "valign": "top", "border": 1, "border_color": "#A6A6A6"}
        workbook = _Recorder(workbook, self.props)
        self.f = {
            "title": workbook.add_format({**FONT, "bold": True, "font_size": 14}),
            "sub": workbook.add_format({**FONT, "bold": True, "font_size": 11}),
            "note": workbook.add_format({**FONT}),
            "note_wrap": workbook.add_format({**FONT, "text_wrap": True, "valign": "top"}),
            "header": workbook.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "text_wrap": True,
                                           "align": "center", "valign": "vcenter"}),
            "text": workbook.add_format({**base}),
            "wrap": workbook.add_format({**base, "text_wrap": True}),
            "number": workbook.add_format({**base, "num_format": "#,##0.###"}),
            "percent": workbook.add_format({**base, "num_format": '0.0"%"'}),
            "share": workbook.add_format({**base, "num_format": "0.0%"}),
            "count": workbook.add_format({**base, "num_format": "0"}),
        }
        self.grade_format = {g.code: workbook.add_format({**base, "bold": True, "align": "center",
                                                          "bg_color": RULE_COLOURS.get(g.rule, "#FFFFFF")})
                             for g in self.plan.grades}

    # -- helpers ---------------------------------------------------------------------------------

    def sheet(self, name: str, headers: list[tuple[str, int]], keys: int = 1, folded: int = 0, first_row: int = 2):
        """A list sheet: title, time of the merge, header row. ``keys``: the ID and name columns at the left
        (frozen, repeated); ``folded``: the technical columns at the right (grouped and folded)."""
        ws = self.wb.add_worksheet(name)
        ws.write_string(0, 0, f"{self.plan.settings.city}　{self.data.period.label}　{name}", self.f["title"])
        note = f"集計日時: {self.data.merged_at.replace('T', ' ')}"
        if folded:
            note += "　" + page.folded_note([title for title, _ in headers[-folded:]])
        ws.write_string(1, 0, note, self.f["note"])
        for col, (title, _) in enumerate(headers):
            self.put(ws, first_row, col, title, self.f["header"])
        ws.set_row(first_row, 32)
        page.list_page(ws, first_row, [size for _, size in headers], keys, folded)
        self.shown[name] = len(headers) - folded
        return ws

    def put(self, ws, row: int, col: int, value: Any, fmt=None) -> None:
        """Write with the typed method; text always as text, shortened (and told) where Excel cannot hold it."""
        if value is None or value == "":
            code = ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            code = ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            code = ws.write_number(row, col, float(value), fmt)
        else:
            text = str(value)
            if len(text) > labels.EXCEL_TEXT_LIMIT:
                text = self.shortened(ws, row, col, text)
            if text.startswith(ACTIVE_STARTS):
                fmt = self.quote_prefixed(fmt)
            code = ws.write_string(row, col, text, fmt)
        if code:
            raise KpireportError(f"台帳のシート「{ws.name}」に書き込めませんでした（{row + 1}行目、コード {code}）。")

    def shortened(self, ws, row: int, col: int, text: str) -> str:
        """Validation keeps department text within a cell; what still does not fit (texts of several departments
        together) is cut with a mark, and told, rather than stopping the master."""
        source = f"（{self.row_source}）" if self.row_source else ""
        self.notes.append(f"台帳の「{ws.name}」{xl_rowcol_to_cell(row, col)}{source}の文字が Excel の上限"
                          f"（{labels.EXCEL_TEXT_LIMIT:,}字）を超えるため、末尾を省略して書きました。")
        return text[:labels.EXCEL_TEXT_LIMIT - len(SHORTENED)] + SHORTENED

    def quote_prefixed(self, fmt):
        """The same format with Excel's quote prefix: the text stays text even after editing."""
        if id(fmt) not in self.quoted:
            self.quoted[id(fmt)] = self.wb.add_format({**self.props.get(id(fmt), {}), "quote_prefix": True})
        return self.quoted[id(fmt)]

    @staticmethod
    def fit_row(ws, row: int, wrapped: list[tuple[str, int]]) -> None:
        """Spreadsheet programs do not refit rows on open: size the row for its wrapped (text, column
        width) pairs."""
        ws.set_row(row, row_height(wrapped))

    def table_rows(self, ws, headers: list[tuple[str, int]], rows: list[list], first_row: int = 3,
                   sources: list[str] | None = None) -> int:
        """Write rows of values (wrapped text, counts as numbers); return the last row index. ``sources``: what
        each row is (取組 T-…), named if a text has to be shortened."""
        row = first_row - 1
        for index, values in enumerate(rows):
            row += 1
            self.row_source = sources[index] if sources else ""
            for col, value in enumerate(values):
                self.put(ws, row, col, value, self.f["count"] if isinstance(value, int) else self.f["wrap"])
            shown = zip(values[:self.shown[ws.name]], headers)  # folded columns do not size the row
            self.fit_row(ws, row, [(str(v), size) for v, (_, size) in shown])
        return row

    def finish_table(self, ws, first_row: int, last_row: int, columns: int) -> None:
        ws.autofilter(first_row, 0, max(last_row, first_row), columns - 1)

    # -- 概要 ------------------------------------------------------------------------------------

    def summary(self) -> None:
        ws = self.wb.add_worksheet("概要")
        ws.activate()
        settings = self.plan.settings
        grades = list(self.plan.grades)
        last_col = 1 + 2 * len(grades)
        ws.write_string(0, 0, f"{settings.city}　{self.data.period.label}　KPIの達成状況", self.f["title"])
        ws.merge_range(1, 0, 1, last_col, f"集計日時: {self.data.merged_at.replace('T', ' ')}　評価の方法: "
                       f"{method_note(self.plan)}", self.f["note_wrap"])
        ws.set_row(1, 30)
        ws.set_column(0, 0, NAME_WIDTH)
        ws.set_column(1, 20, 9)
        page.print_one_page_wide(ws)
        ws.repeat_rows(0, 1)
        row, breaks = 3, []
        for info in self.plan.plans:
            if row > 3:
                breaks.append(row)  # each plan's table, chart and counts on a page of its own: no chart is split
            tops = [n for n in self.plan.nodes if n.plan == info.id and n.parent is None]
            ws.write_string(row, 0, f"{info.name}（{info.short_name}）", self.f["sub"])
            row += 1
            header = row
            self.put(ws, row, 0, info.levels[0], self.f["header"])
            for i, g in enumerate(grades):
                self.put(ws, row, 1 + i, f"{g.code} {g.label}", self.f["header"])
            self.put(ws, row, 1 + len(grades), "計", self.f["header"])
            for i, g in enumerate(grades):
                self.put(ws, row, 2 + len(grades) + i, f"{g.code} 割合", self.f["header"])
            self.put(ws, row, 2 + 2 * len(grades), "うち再掲", self.f["header"])
            first_data = row + 1
            tally = plan_tally(self.data, info.id)
            for line in tally.rows + [tally.total]:
                row += 1
                self.put(ws, row, 0, line.label, self.f["wrap"])
                self.fit_row(ws, row, [(line.label, NAME_WIDTH)])  # long names wrap rather than being cut
                for i, g in enumerate(grades):
                    self.put(ws, row, 1 + i, line.counts.get(g.code, 0), self.f["count"])
                    self.put(ws, row, 2 + len(grades) + i, line.counts.get(g.code, 0) / line.total if line.total else 0,
                             self.f["share"])
                self.put(ws, row, 1 + len(grades), line.total, self.f["count"])
                self.put(ws, row, 2 + 2 * len(grades), line.reposted, self.f["count"])
            for note in tally.notes:
                row += 1
                ws.write_string(row, 0, note, self.f["note"])
            if tally.rows and tally.total.total:
                self.grade_chart(ws, info.short_name, header, first_data, first_data + len(tally.rows) - 1, grades, row)
            row += 18 if tally.rows and tally.total.total else 2
            row = self.initiative_counts(ws, info.id, tops, row)
            row += 2
        ws.set_h_pagebreaks(breaks)

    def grade_chart(self, ws, name: str, header: int, first: int, last: int, grades: list[Grade], after: int) -> None:
        chart = self.wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
        for i, g in enumerate(grades):
            chart.add_series({
                "name": ["概要", header, 1 + i],
                "categories": ["概要", first, 0, last, 0],
                "values": ["概要", first, 1 + i, last, 1 + i],
                "fill": {"color": CHART_COLOURS.get(g.rule, "#999999")},
                "gap": 60,
            })
        chart.set_title({"name": f"{name}　評価の内訳", "name_font": {"name": "游ゴシック", "size": 11}})
        chart.set_x_axis({"num_font": {"name": "游ゴシック"}})
        chart.set_y_axis({"reverse": True, "num_font": {"name": "游ゴシック", "size": 9}})
        chart.set_legend({"position": "bottom", "font": {"name": "游ゴシック"}})
        chart.set_size({"width": 760, "height": 320})
        ws.insert_chart(after + 2, 0, chart)

    def initiative_counts(self, ws, plan_id: str, tops: list, row: int) -> int:
        """Initiatives by status per top-level node; a 【再掲】 initiative counts at each node it is posted under."""
        entries = {i.id: e for i, e in self.data.initiatives}
        placed = [r for r in initiative_rows(self.plan) if self.plan.plan_of(r.node_id).id == plan_id]
        if not placed:
            return row
        ws.write_string(row, 0, "取組の実施状況", self.f["sub"])
        row += 1
        statuses = self.plan.settings.status_labels  # the city's own, as the forms store them
        heads = ["", *statuses, "未報告", "計", "うち再掲"]
        for col, text in enumerate(heads):
            self.put(ws, row, col, text or "", self.f["header"])
        reposts = 0
        for top in tops:
            inside = self.plan.descendants(top.id)
            under = each_once(r for r in placed if r.node_id in inside)
            if not under:
                continue
            row += 1
            reposts += sum(r.reposted for r in under)
            self.put(ws, row, 0, labels.node_heading(self.plan, top), self.f["wrap"])
            self.fit_row(ws, row, [(labels.node_heading(self.plan, top), NAME_WIDTH)])
            status_of = [entries[r.initiative.id].status if entries[r.initiative.id] else None for r in under]
            for col, status in enumerate(statuses, start=1):
                self.put(ws, row, col, status_of.count(status), self.f["count"])
            self.put(ws, row, len(statuses) + 1, status_of.count(None), self.f["count"])
            self.put(ws, row, len(statuses) + 2, len(under), self.f["count"])
            self.put(ws, row, len(statuses) + 3, sum(r.reposted for r in under), self.f["count"])
        if reposts:
            row += 1
            ws.write_string(row, 0, f"再掲の取組（{reposts}件）は掲載先ごとに数えています。", self.f["note"])
        return row + 1

    # -- KPI一覧 ---------------------------------------------------------------------------------

    def kpi_list(self) -> None:
        years = self.data.years
        headers = [("指標ID", 10), ("指標名", 28), ("計画", 8), ("体系", 26), ("再掲", 6), ("担当課", 12), ("単位", 6),
                   ("基準値（年度）", 17), ("目標値（年度）", 17)]
        headers += [(f"{format_year(y)} 実績", 11) for y in years]
        headers += [(f"{self.data.period.label}", 12), ("見込み", 6), ("達成率", 8), ("進捗（ペース）", 10), ("評価", 9),
                    ("手動評価", 7), ("手動評価の理由", 14), ("備考・未記入の理由", 20), ("担当課ごとの値", 20)]
        folded = [("計算の根拠", 60), ("数値（単位どおり）", 14), ("提出ファイル", 30), ("セル", 12)]
        ws = self.sheet("KPI一覧", headers + folded, keys=2, folded=len(folded))
        formats, grade_formats, sizes = self.f, self.grade_format, [size for _, size in headers]
        row = 2
        year = self.data.period.fiscal_year
        ended = [KpiRow(k, k.node, False, labels.node_path(self.plan, k.node)) for k in self.plan.kpis
                 if not k.in_force(year) and self.data.history.get(k.id)]  # replaced mid-plan: its history stays
        for r in self.data.kpi_rows + ended:
            row += 1
            kpi, ev = r.kpi, self.data.evaluations[r.kpi.id]
            stored = self.data.values.get(kpi.id)
            self.row_source = f"指標 {kpi.id}" + (f"、提出ファイル {stored.file_name} の {stored.sheet}!{stored.cell}"
                                                if stored and stored.sheet else "")
            info = self.plan.plan_of(r.node_id)
            cells: list[tuple[Any, str]] = [
                (kpi.id, "text"), (kpi.name, "wrap"), (info.short_name, "wrap"), (r.path, "wrap"),
                ("【再掲】" if r.reposted else "", "wrap"), (labels.owners_text(self.plan, kpi), "wrap"),
                (labels.kpi_unit(kpi), "wrap"), (labels.kpi_baseline(kpi), "wrap"), (labels.kpi_target(kpi), "wrap")]
            history = self.data.history.get(kpi.id, {})
            cells += [(format_value(history[y].value) if y in history else "", "wrap") for y in years]
            shown = ""
            if stored is not None:
                shown = format_value(stored.value) if stored.value.is_number else "（未記入）"
            grade = (f"{ev.grade} {ev.label}", ev.grade) if kpi.graded else ("参考指標（評価しない）", "text")
            if not kpi.in_force(year):
                grade = (_ended_text(self.plan, kpi), "wrap")
            cells += [(shown, "wrap"), ("見込み" if ev.provisional else "", "text"), (ev.rate, "percent"),
                      (ev.pace, "percent"), grade,
                      (ev.override.grade if ev.override else "", "text"),
                      (ev.override.reason if ev.override else "", "wrap"), (_remarks(stored), "wrap"),
                      (self.shared_note(kpi.id), "wrap")]
            # folded: the working, the number in the KPI's unit, where it was read
            cells += [(ev.working, "wrap"),
                      (_in_unit(stored.value) if stored and stored.value.is_number else None, "number"),
                      (stored.file_name if stored else "", "wrap"),
                      (f"{stored.sheet}!{stored.cell}" if stored and stored.sheet else "", "text")]
            for col, (value, style) in enumerate(cells):
                self.put(ws, row, col, value, grade_formats.get(style) or formats[style])
            # sized by what prints: the folded columns are left out (zip stops at the shown sizes)
            self.fit_row(ws, row, [(v, size) for (v, style), size in zip(cells, sizes) if style == "wrap"])
        self.finish_table(ws, 2, row, len(headers) + len(folded))

    def shared_note(self, kpi_id: str) -> str:
        """A shared KPI: each department's entry (its remarks and reasons too) and what was made of them."""
        standing = self.data.shared.get(kpi_id)
        if standing is None:
            return ""
        shown = self.data.values.get(kpi_id)  # its remarks are in the remarks column already
        notes = [f"{e.department}: {_remarks(e)}" for e in standing.entries if _remarks(e) and e is not shown]
        return "\n".join([standing.working] + notes)

    # -- 取組一覧・主な取組と方向性 -------------------------------------------------------------------

    def initiative_list(self) -> None:
        """One row per place an initiative is listed: again, marked 【再掲】, under each node the plan reposts it to
        (its entry is the same one)."""
        headers = [("取組ID", 11), ("推進内容", 34), ("事業名", 20), ("計画", 8), ("施策", 26), ("再掲", 6), ("担当課", 12),
                   ("実施状況", 10), ("今後の取扱い", 10), ("検証内容", 30), ("取組の概要（実績）", 30),
                   ("今後の取組内容とその理由", 30), ("提出", 8), ("ほかの担当課の記載", 30)]
        ws = self.sheet("取組一覧", headers, keys=2)
        entries = dict(self.data.initiatives)
        files = {s.department: s.current.file_name for s in self.data.statuses if s.current}
        rows, sources = [], []
        for placed in initiative_rows(self.plan):
            initiative, entry = placed.initiative, entries[placed.initiative]
            info = self.plan.plan_of(placed.node_id)
            rows.append([initiative.id, labels.markers_text(initiative.markers) + initiative.content,
                         (entry.name if entry else None) or initiative.name, info.short_name,
                         labels.node_path(self.plan, placed.node_id), "【再掲】" if placed.reposted else "",
                         labels.owners_text(self.plan, initiative),
                         entry.status if entry else "", entry.next_step if entry else "",
                         entry.verification if entry else "", (entry.summary or "") if entry else "",
                         (entry.plan or "") if entry else "", "報告あり" if entry else "未報告",
                         _others_text(self.data.initiative_others.get(initiative.id, ()))])
            sources.append(f"取組 {initiative.id}" + (
                f"、{initiative.lead}の提出ファイル {files[initiative.lead]} の {entry.sheet} {entry.row}行目"
                if entry is not None and initiative.lead in files else f"（{'、'.join(initiative.departments)}）"))
        self.finish_table(ws, 2, self.table_rows(ws, headers, rows, sources=sources), len(headers))

    def narrative_list(self) -> None:
        year, next_year = format_year(self.data.period.fiscal_year), format_year(self.data.period.fiscal_year + 1)
        headers = [("体系", 36), ("担当課", 14), (f"{year} 主な取組内容／実績", 60), (f"{next_year} 主な取組／今後の方向性", 60)]
        ws = self.sheet("主な取組と方向性", headers)
        rows, sources = [], []
        for node in (n for n in self.plan.nodes if n.departments):
            entry = self.data.narratives.get(node.id)
            rows.append([labels.node_path(self.plan, node.id), "、".join(node.departments),
                         labels.bullets_text(entry.achievements) if entry else "（未提出）",
                         labels.bullets_text(entry.next_steps) if entry else "（未提出）"])
            sources.append(f"体系 {node.id}（{'、'.join(node.departments)}）")
        self.finish_table(ws, 2, self.table_rows(ws, headers, rows, sources=sources), len(headers))

    # -- 提出状況・検証結果・変更点 ------------------------------------------------------------------

    def submission_status(self) -> None:
        headers = [("担当課", 16), ("状況", 24), ("受理したファイル", 34), ("受付日時", 17), ("エラー", 7), ("警告", 7),
                   ("差し戻したファイル", 34), ("差し戻しの理由", 50), ("連絡先", 18)]
        folded = [("SHA-256（ファイルの指紋）", 66)]
        ws = self.sheet("提出状況", headers + folded, folded=len(folded))
        contacts = {d.name: d.contact for d in self.plan.departments}
        rows = []
        for status in self.data.statuses:
            current, rejected = status.current, status.rejected
            latest = current or rejected
            rows.append([status.department, status.state, current.file_name if current else "",
                         latest.received_at.replace("T", " ") if latest else "",
                         (rejected or current).errors if latest else "", (rejected or current).warnings if latest else "",
                         rejected.file_name if rejected else "", _reasons(rejected.findings if rejected else ()),
                         contacts.get(status.department, ""), latest.sha256 if latest else ""])
        for record in (s for s in self.data.submissions if not s.department):
            reason = record.findings[0].message if record.findings else ""
            rows.append(["（不明）", "様式として読めないファイル", "", record.received_at.replace("T", " "),
                         record.errors, record.warnings, record.file_name, reason, "", record.sha256])
        self.finish_table(ws, 2, self.table_rows(ws, headers, rows), len(headers) + len(folded))

    def attention(self) -> None:
        """What the planning office must look at: shared KPIs and initiatives whose departments' entries
        disagree, are incomplete, or lack the lead's (history.in_force)."""
        headers = [("内容", 90), ("各課の記載", 60)]
        folded = [("コード", 22)]
        ws = self.sheet("要確認", headers + folded, folded=len(folded))
        rows = [[f.message, f.value, f.code] for f in self.data.attention]
        row = self.table_rows(ws, headers, rows)
        if not rows:
            self.put(ws, 3, 0, "共同で担当する指標・取組に、確認が必要なものはありません。", self.f["note"])
        self.finish_table(ws, 2, row, len(headers) + len(folded))

    def findings(self) -> None:
        headers = [("ファイル", 30), ("重要度", 8), ("場所", 20), ("内容", 70), ("入力値", 24)]
        folded = [("コード", 22)]
        ws = self.sheet("検証結果", headers + folded, folded=len(folded))
        rows = [[f.file, SEVERITY_LABEL[f.severity], f"{f.sheet}!{f.cell}" if f.sheet and f.cell else f.sheet or "ファイル全体",
                 f.message, f.value, f.code] for f in self.data.findings]
        row = self.table_rows(ws, headers, rows)
        if not rows:
            self.put(ws, 3, 0, "今回の集計では問題はありませんでした。", self.f["note"])
        self.finish_table(ws, 2, row, len(headers) + len(folded))

    def changes(self) -> None:
        headers = [("区分", 7), ("項目", 6), ("ID", 11), ("名称", 34), ("前回", 22), ("今回", 22), ("担当課", 14),
                   ("提出元", 36)]
        ws = self.sheet("変更点", headers, keys=4)
        # the first merge of a period changes nothing yet: every value is in KPI一覧 and 取組一覧
        changes = [] if self.data.first_merge else self.data.changes
        rows = [[c.kind, c.item, c.ident, c.name, c.before, c.after, c.department, c.source] for c in changes]
        row = self.table_rows(ws, headers, rows)
        if self.data.first_merge:
            self.put(ws, row + 2, 0, "この報告期間の最初の集計です。値の一覧は「KPI一覧」「取組一覧」を見てください。"
                     "次の集計から、前回と変わった値をここに示します。", self.f["note"])
        elif not self.data.changes:
            self.put(ws, row + 2, 0, "前回の集計から変わった値はありません。", self.f["note"])
        self.finish_table(ws, 2, row, len(headers))


class _Recorder:
    """Creates formats on the workbook and remembers each one's properties."""

    def __init__(self, workbook, props: dict[int, dict]):
        self.workbook = workbook
        self.props = props

    def add_format(self, properties: dict):
        fmt = self.workbook.add_format(properties)
        self.props[id(fmt)] = dict(properties)
        return fmt


def _in_unit(value) -> Decimal | None:
    """The number in the KPI's display unit (150万人 → 150)."""
    if value.number is None:
        return None
    return value.number / (Decimal(10) ** SCALES.get(value.scale, 0)) if value.scale else value.number


def _others_text(others) -> str:
    """The other departments' entries of a 併記 initiative, each with its status and texts."""
    return "\n".join(labels.beside_text(department, entry) for department, entry in others)


REASONS_SHOWN = 5  # a rejected file's errors named in its row; the 検証結果 sheet has them all


def _reasons(findings) -> str:
    """Why a file was sent back: its first errors, each with its place, and how many more there are."""
    errors = [f for f in findings if f.severity == "error"]
    lines = [f"{f.sheet}!{f.cell} {f.message}".strip() if f.sheet and f.cell else f.message
             for f in errors[:REASONS_SHOWN]]
    if len(errors) > REASONS_SHOWN:
        lines.append(f"ほか {len(errors) - REASONS_SHOWN}件（すべては「検証結果」シート）")
    return "\n".join(lines)


def _ended_text(plan, kpi) -> str:
    """「令和5年度で終了（K1-3-2に差し替え）」 for a KPI no longer reported."""
    successor = next((k.id for k in plan.kpis if k.replaces == kpi.id), "")
    until = format_year(kpi.valid_until) if kpi.valid_until else format_year(kpi.valid_from - 1)
    return f"{until}で終了" + (f"（{successor}に差し替え）" if successor else "")


def _remarks(stored) -> str:
    return labels.remarks_text(stored.remarks, stored.reason) if stored is not None else ""

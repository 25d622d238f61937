"""The master's sheets for the planning office's review: 要確認 (shared entries that need a look), 検証結果
(every finding of the period's files) and 変更点 (what changed since the previous merge)."""
from __future__ import annotations

from kpireport.findings_text import SEVERITY_LABEL
from kpireport.master.sheet_writer import Headers, SheetWriter

CODE_COLUMN: Headers = [("コード", 22)]  # folded: the finding's code, for the office and the catalogue


def add_attention(writer: SheetWriter) -> None:
    """What the planning office must look at: shared KPIs and initiatives whose departments' entries
    disagree, are incomplete, or lack the lead's (history.in_force)."""
    headers: Headers = [("内容", 90), ("各課の記載", 60)]
    ws = writer.sheet("要確認", headers + CODE_COLUMN, folded=len(CODE_COLUMN))
    rows = [[f.message, f.value, f.code] for f in writer.data.attention]
    row = writer.table_rows(ws, headers, rows)
    if not rows:
        writer.put(ws, 3, 0, "共同で担当する指標・取組に、確認が必要なものはありません。", writer.f["note"])
    writer.finish_table(ws, 2, row, len(headers) + len(CODE_COLUMN))


def add_findings(writer: SheetWriter) -> None:
    headers: Headers = [("ファイル", 30), ("重要度", 8), ("場所", 20), ("内容", 70), ("入力値", 24)]
    ws = writer.sheet("検証結果", headers + CODE_COLUMN, folded=len(CODE_COLUMN))
    rows = [[f.file, SEVERITY_LABEL[f.severity], f"{f.sheet}!{f.cell}" if f.sheet and f.cell else f.sheet or "ファイル全体",
             f.message, f.value, f.code] for f in writer.data.findings]
    row = writer.table_rows(ws, headers, rows)
    if not rows:
        writer.put(ws, 3, 0, "今回の集計では問題はありませんでした。", writer.f["note"])
    writer.finish_table(ws, 2, row, len(headers) + len(CODE_COLUMN))


def add_changes(writer: SheetWriter) -> None:
    """Each value changed since the previous merge: KPIs, initiatives' 実施状況／今後の取扱い, and their 検証内容
    (項目 「取組（検証内容）」, or 「取組（検証内容・再掲）」 with the place under the name; history.merge.changes)."""
    headers: Headers = [("区分", 7), ("項目", 12), ("ID", 11), ("名称", 34), ("前回", 22), ("今回", 22), ("担当課", 14),
                        ("提出元", 36)]
    ws = writer.sheet("変更点", headers, keys=4)
    # the first merge of a period changes nothing yet: every value is in KPI一覧 and 取組一覧
    changes = [] if writer.data.first_merge else writer.data.changes
    rows = [[c.kind, c.item, c.ident, c.name, c.before, c.after, c.department, c.source] for c in changes]
    row = writer.table_rows(ws, headers, rows)
    if writer.data.first_merge:
        writer.put(ws, row + 2, 0, "この報告期間の最初の集計です。値の一覧は「KPI一覧」「取組一覧」を見てください。"
                   "次の集計から、前回と変わった値をここに示します。", writer.f["note"])
    elif not writer.data.changes:
        writer.put(ws, row + 2, 0, "前回の集計から変わった値はありません。", writer.f["note"])
    writer.finish_table(ws, 2, row, len(headers))

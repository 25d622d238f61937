"""The master's sheet 提出状況: each department's state, the file accepted and the one sent back (with why),
and the files that could not be read as a form at all."""
from __future__ import annotations

from collections.abc import Iterable

from kpireport.evaluate.results import DepartmentStatus
from kpireport.master.sheet_writer import Headers, SheetWriter
from kpireport.model import Finding

SHEET = "提出状況"
HEADERS: Headers = [("担当課", 16), ("状況", 24), ("受理したファイル", 28), ("受付日時", 17), ("エラー", 7),
                    ("警告", 7), ("差し戻したファイル", 28), ("差し戻しの理由", 40), ("連絡先", 18)]
PRINTED = 8  # 連絡先 on screen only: the paper stays readable (8 pt or more on A4)
FOLDED: Headers = [("SHA-256（ファイルの指紋）", 66)]
REASONS_SHOWN = 5  # a rejected file's errors named in its row; the 検証結果 sheet has them all


def add(writer: SheetWriter) -> None:
    ws = writer.sheet(SHEET, HEADERS + FOLDED, folded=len(FOLDED), printed=PRINTED)
    contacts = {d.name: d.contact for d in writer.plan.departments}
    rows = [_department_row(status, contacts.get(status.department, "")) for status in writer.data.statuses]
    for record in (s for s in writer.data.submissions if not s.department):
        reason = record.findings[0].message if record.findings else ""
        rows.append(["（不明）", "様式として読めないファイル", "", record.received_at.replace("T", " "),
                     record.errors, record.warnings, record.file_name, reason, "", record.sha256])
    writer.finish_table(ws, 2, writer.table_rows(ws, HEADERS, rows), len(HEADERS) + len(FOLDED))


def _department_row(status: DepartmentStatus, contact: str) -> list:
    """The file in force (else the one sent back) gives the time and fingerprint; the newest file, the one sent
    back if any, gives the counts of errors and warnings."""
    current, rejected = status.current, status.rejected
    kept = current or rejected
    newest = rejected or current
    return [status.department, status.state, current.file_name if current else "",
            kept.received_at.replace("T", " ") if kept else "",
            newest.errors if newest else "", newest.warnings if newest else "",
            rejected.file_name if rejected else "", _reasons(rejected.findings if rejected else ()),
            contact, kept.sha256 if kept else ""]


def _reasons(findings: Iterable[Finding]) -> str:
    """Why a file was sent back: its first errors, each with its place, and how many more there are."""
    errors = [f for f in findings if f.severity == "error"]
    lines = [f"{f.sheet}!{f.cell} {f.message}".strip() if f.sheet and f.cell else f.message
             for f in errors[:REASONS_SHOWN]]
    if len(errors) > REASONS_SHOWN:
        lines.append(f"ほか {len(errors) - REASONS_SHOWN}件（すべては「検証結果」シート）")
    return "\n".join(lines)

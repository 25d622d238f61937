"""`kpireport status`: who has submitted, who has not, who must resubmit; a list to send reminders from."""
from __future__ import annotations

from kpireport.cli.merge import error_lines
from kpireport.evaluate.results import department_statuses
from kpireport.history.in_force import in_force
from kpireport.history.store import History
from kpireport.model import Plan
from kpireport.periods import ReportPeriod

REST_IN = "台帳の「検証結果」シートと、`kpireport validate` で作る印付きの控え（output/feedback/）"


def status_lines(plan: Plan, period: ReportPeriod, history: History) -> list[str]:
    submissions = history.submissions(period.key)
    statuses = department_statuses(plan, submissions)
    contacts = {d.name: d for d in plan.departments}
    groups = {"未提出": [], "要再提出": [], "提出済": []}
    for s in statuses:
        key = "要再提出" if s.rejected else "提出済" if s.current else "未提出"
        groups[key].append(s)
    lines = [f"報告期間: {period.label}",
             f"提出済 {len(groups['提出済'])}課、未提出 {len(groups['未提出'])}課、要再提出 {len(groups['要再提出'])}課"
             f"（対象 {len(statuses)}課）"]
    attention = in_force(history, plan, period).attention
    if attention:
        lines.append(f"■ 要確認（共同で担当する指標・取組）: {len(attention)}件")
        lines += [f"  {f.message}" for f in attention]
    for title, members in (("未提出（督促先）", groups["未提出"]), ("要再提出（差し戻し）", groups["要再提出"]),
                           ("提出済", groups["提出済"])):
        lines.append(f"■ {title}: {len(members)}課")
        for s in members:
            dept = contacts.get(s.department)
            contact = "、".join(x for x in (dept.division, dept.contact, dept.email) if x) if dept else ""
            if s.rejected:
                kept = "（受理済みの値は有効）" if s.current else ""
                lines.append(f"  {s.department}（{contact}）: {s.rejected.file_name} を差し戻し{kept}。"
                             f"エラー {s.rejected.errors}件:")
                lines += ["  " + line for line in error_lines(s.rejected.findings, REST_IN)]
            elif s.current:
                lines.append(f"  {s.department}: {s.current.file_name}（{s.current.received_at.replace('T', ' ')} 受付）")
            else:
                lines.append(f"  {s.department}（{contact}）")
    return lines

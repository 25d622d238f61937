"""What the commands print: each job's result object as Japanese lines for the terminal."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kpireport import findings_text
from kpireport.evaluate.missing import MissingRow, summary_lines
from kpireport.evaluate.tally import grade_tally
from kpireport.history.merge import OLDER, SENT_BACK
from kpireport.messages import ANNUAL_LATE, INBOX_DUPLICATE, OVERRIDE_STALE
from kpireport.model import Finding, ValidationResult
from kpireport.periods import parse_period
from kpireport.workspace.outcomes import (
    DemoOutcome,
    MergeOutcome,
    PlanCheck,
    PublishOutcome,
    RunOutcome,
    StatusOutcome,
    ValidationOutcome,
)

ERRORS_SHOWN = 5  # a rejected file's errors printed; the rest are counted, with where to read them
# warnings about which form a file is, for the office rather than the department: printed under an accepted file
IDENTITY_WARNINGS = ("form-file-name-other-department", "form-unsigned")
STATUS_REST_IN = "台帳の「検証結果」シートと、「kpireport validate」で作る印付きの控え（output/feedback/）"


def plan_check_lines(checked: PlanCheck) -> list[str]:
    lines = [findings_text.verdict(checked.path.name, checked.findings)]
    lines += findings_text.table(checked.findings)
    lines.append(f"概要: {checked.summary}" if checked.summary else "概要: エラーを直すと、計画の概要を表示します。")
    return lines


def error_lines(findings: Iterable[Finding], rest_in: str) -> list[str]:
    """Why a file was sent back: its errors with their places, the first few, then how many more and where
    all of them are (``rest_in``)."""
    errors = [f for f in findings if f.severity == "error"]
    lines = [f"  {f.sheet}!{f.cell} {f.message}" if f.sheet and f.cell else f"  {f.message}"
             for f in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        lines.append(f"  ほか {len(errors) - ERRORS_SHOWN}件（すべての指摘は{rest_in}にあります）")
    return lines


def other_periods_line(results: list[ValidationResult]) -> list[str]:
    """The one line that says which other periods' files were left alone (none: no line)."""
    if not results:
        return []
    counts = Counter(r.period for r in results)
    named = "、".join(f"{_period_label(key)} {count}件" for key, count in sorted(counts.items()))
    lines = [f"ほかの報告期間のファイル {len(results)}件はそのままにしました（{named}）。"
             "この期間の検査・集計には入れず、控えも作り直していません。"]
    late = Counter(r.period for r in results if any(f.code == ANNUAL_LATE for f in r.findings))
    for key, count in sorted(late.items()):
        lines.append(f"  うち{_period_label(key)}の実績報告の様式 {count}件: その実績として取り込んでいなければ、"
                     f"「kpireport merge --period {key}」で取り込めます（取り込み済みなら「変更なし」になります）。")
    return lines


def _period_label(key: str) -> str:
    period = parse_period(key)
    return period.label if period else key


def skipped_lines(skipped: list[Path]) -> list[str]:
    return [f"{path.name}: 読み飛ばしました（Excelの一時ファイルまたは隠しファイル）" for path in skipped]


def validation_lines(outcome: ValidationOutcome) -> list[str]:
    lines = [f"報告期間: {outcome.period.label}"] + skipped_lines(outcome.skipped)
    for result in outcome.results:
        who = f"［{result.department}］" if result.department else ""
        lines.append(findings_text.verdict(result.file, list(result.findings)) + who)
        lines += findings_text.table(list(result.findings))
        if outcome.copies.get(result.file):
            lines.append(f"  → 問題の箇所に印を付けた控え: {outcome.copies[result.file]}")
    if not outcome.results:
        lines.append("検査するファイルがありません。")
    lines += other_periods_line(outcome.other_periods)
    results = outcome.results
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    ok = sum(r.valid for r in results)
    lines.append(f"合計: {len(results)}ファイル（OK {ok}、要修正 {len(results) - ok}）、エラー {errors}件、警告 {warnings}件")
    return lines


def attention_lines(attention: list[Finding], mark: str = "") -> list[str]:
    """What the planning office must look at (also on the master's 要確認 sheet): shared KPIs and initiatives,
    departments that sent several files for the period, and grades set by hand on a value that has changed."""
    lines = []
    own = (INBOX_DUPLICATE, OVERRIDE_STALE)
    for title, found in (("共同で担当する指標・取組", [f for f in attention if f.code not in own]),
                         ("同じ課の複数のファイル", [f for f in attention if f.code == INBOX_DUPLICATE]),
                         ("値が変わった指標の手動評価", [f for f in attention if f.code == OVERRIDE_STALE])):
        if found:
            lines += [f"{mark}要確認（{title}）: {len(found)}件"] + [f"  {f.message}" for f in found]
    return lines


def merge_lines(outcome: MergeOutcome) -> list[str]:
    data = outcome.data
    lines = [f"報告期間: {outcome.period.label}"] + skipped_lines(outcome.skipped)
    for result, state in outcome.recorded:
        who = f"［{result.department}］" if result.department else ""
        lines.append(f"{result.file}: {state}（エラー {result.errors}件、警告 {result.warnings}件）{who}")
        if state == SENT_BACK:
            copy = outcome.feedback.get(result.file)
            lines += error_lines(result.findings, f"印を付けた控え（{copy}）" if copy else "台帳の「検証結果」シート")
        else:
            lines += [f"  {f.message}" for f in result.findings if f.code in IDENTITY_WARNINGS]
    lines += other_periods_line(outcome.other_periods)
    older = outcome.count(OLDER)
    lines.append(f"受理 {outcome.accepted}件、差し戻し {outcome.sent_back}件、変更なし {outcome.unchanged}件"
                 + (f"、不採用 {older}件（先に保存された版）" if older else ""))
    missing = [s.department for s in data.statuses if s.state == "未提出"]
    resubmit = [s.department for s in data.statuses if s.rejected is not None]
    if missing:
        lines.append(f"未提出: {'、'.join(missing)}")
    if resubmit:
        lines.append(f"要再提出: {'、'.join(resubmit)}（「kpireport status」で理由と連絡先を表示）")
    owing = [s for s in data.statuses if s.owes]
    if owing:
        lines.append(f"{OWES_TITLE}: " + "、".join(f"{s.department}（{owed_text(s.owes)}）" for s in owing)
                     + f"。{OWES_ADVICE}")
    lines.append("評価: " + grade_tally(data))
    lines += attention_lines(data.attention)
    if not data.first_merge:
        lines.append(f"前回からの変更: {len(data.changes)}件")
    lines += outcome.notes
    if outcome.master_written:
        lines.append(f"台帳: {outcome.master}")
    else:
        lines.append("台帳: 書き込めませんでした（受理した提出は履歴に記録済みです）")
    if outcome.archived and outcome.master_written:  # a master left as it was has replaced nothing
        lines.append(f"前回の台帳: {outcome.archived}")
    return lines


def run_lines(outcome: RunOutcome) -> list[str]:
    lines = merge_lines(outcome.merge)
    made = list(outcome.merge.feedback.values())
    if made:
        lines.append(f"問題の箇所に印を付けた控え: {len(made)}件（{made[0].parent}）")
    lines.append(f"審議会資料: {outcome.report}" if outcome.report_written else "審議会資料: 書き込めませんでした")
    if outcome.pdf is not None and not outcome.pdf.failed:  # a failure is among the problems, printed as an error
        lines.append(outcome.pdf.line)
    if outcome.published is not None:
        lines += publish_lines(outcome.published)
    return lines + checklist_lines(outcome.missing)


def publish_lines(outcome: PublishOutcome) -> list[str]:
    """What `publish` made, and what it kept off the site."""
    lines = [f"公開サイトを作成しました: {outcome.folder / 'index.html'}",
             f"  ページ {outcome.pages}件（トップ、体系 {outcome.nodes}、指標 {outcome.kpis}、データのダウンロード）、"
             f"データ {outcome.data_files}件（CSV・JSON）と datapackage.json"]
    if outcome.withheld_kpis or outcome.withheld_initiatives:
        lines.append(f"  非公開（計画体系の「公開」列）: 指標 {len(outcome.withheld_kpis)}件、"
                     f"取組 {len(outcome.withheld_initiatives)}件")
    lines.append(f"  公開しない項目: {'、'.join(outcome.internal) or 'なし'}")
    lines.append("  見込みの値: " + ("「見込み」と明記して公開" if outcome.provisional else "公開しない"))
    if outcome.own_templates is not None:
        lines.append(f"  デザイン: {outcome.own_templates}")
    return lines


def checklist_lines(missing: list[MissingRow]) -> list[str]:
    """The check list printed after the report: the report itself carries no working notes."""
    if not missing:
        return ["未提出・未記入: ありません。"]
    return (["未提出・未記入（審議会資料には載せていません。全件は台帳の「未提出・未記入」シート）:"]
            + [f"  {line}" for line in summary_lines(missing)])


UNKNOWN_FILES = "どの課の様式か分からないファイル"


def status_lines(outcome: StatusOutcome) -> list[str]:
    missing, resubmit, submitted = (outcome.where(state) for state in ("未提出", "要再提出", "提出済"))
    owing = [s for s in outcome.statuses if s.owes]
    lines = [f"報告期間: {outcome.period.label}",
             f"提出済 {len(submitted)}課、未提出 {len(missing)}課、要再提出 {len(resubmit)}課"
             f"（対象 {len(outcome.statuses)}課）" + (f"。うち{OWES_TITLE} {len(owing)}課" if owing else "")]
    lines += attention_lines(outcome.attention, "■ ")
    sections = [("未提出（督促先）", missing), ("要再提出（差し戻し）", resubmit)]
    sections += [(f"{OWES_TITLE}（新しい様式で出し直し）", owing)] if owing else []
    for title, members in sections + [("提出済", submitted)]:
        lines.append(f"■ {title}: {len(members)}課")
        for s in members:
            dept = outcome.departments.get(s.department)
            contact = "、".join(x for x in (dept.division, dept.contact, dept.email) if x) if dept else ""
            if members is owing:
                lines.append(f"  {s.department}（{contact}）: {s.current.file_name if s.current else ''} に、計画の変更で"
                             f"この課の報告になった行がありません: {owed_text(s.owes)}")
            elif s.rejected:
                kept = "（受理済みの値は有効）" if s.current else ""
                lines.append(f"  {s.department}（{contact}）: {s.rejected.file_name} を差し戻し{kept}。"
                             f"エラー {s.rejected.errors}件:")
                lines += ["  " + line for line in error_lines(s.rejected.findings, STATUS_REST_IN)]
            elif s.current:
                lines.append(f"  {s.department}: {s.current.file_name}（{s.current.received_at.replace('T', ' ')} 受付）")
            else:
                lines.append(f"  {s.department}（{contact}）")
    return lines + unknown_lines(outcome)


OWES_TITLE = "計画の変更で報告の足りない課"
OWES_ADVICE = "受理した様式にこれらの行がないため、新しい様式（kpireport forms --dept 課名）で出し直してもらってください"


def owed_text(owes: Iterable[tuple[str, str]]) -> str:
    """The rows a department owes (DepartmentStatus.owes: ID and name), as 「K-S2-1-05 道の駅売上高、…」."""
    return "、".join(f"{ident} {name[:30]}" for ident, name in owes)


def unknown_lines(outcome: StatusOutcome) -> list[str]:
    """Files in the inbox sent back without naming any department: the office finds out whose they are."""
    if not outcome.unknown:
        return []
    lines = [f"■ {UNKNOWN_FILES}: {len(outcome.unknown)}件（受信フォルダから取り除くか、送った課に確かめてください）"]
    for record in outcome.unknown:
        lines.append(f"  {record.file_name}（{record.received_at.replace('T', ' ')} 受付）:")
        lines += ["  " + line for line in error_lines(record.findings, STATUS_REST_IN)]
    return lines


def demo_lines(outcome: DemoOutcome) -> list[str]:
    checked = outcome.plan_check
    lines = [f"デモ用の作業フォルダを作成しました: {outcome.root.resolve()}",
             f"1. 計画体系: {checked.path}（埋め込みの例: 美祢市 基本計画・総合戦略、サンプルデータ）",
             f"   検査結果: エラー {checked.errors}件、警告 {checked.warnings}件"]
    lines += ["   " + line for line in findings_text.table(checked.findings)]
    if checked.plan is None or outcome.merge is None or outcome.report is None:
        return lines + ["   計画体系にエラーがあるため、ここで止めます。"]
    lines.append(f"   概要: {checked.summary}")
    forms_folder = outcome.forms[0].parent if outcome.forms else outcome.root / "input_templates"
    lines.append(f"2. 各課の報告様式: {len(outcome.forms)}件 → {forms_folder}")
    lines.append(f"3. 各課の提出（サンプル値を記入した様式）: {len(outcome.submissions)}件 → {outcome.root / 'inbox'}")
    results = outcome.validation
    ok = sum(r.valid for r in results)
    lines.append(f"4. 提出の検査: {len(results)}ファイル（OK {ok}、要修正 {len(results) - ok}）、"
                 f"エラー {sum(r.errors for r in results)}件、警告 {sum(r.warnings for r in results)}件")
    lines += ["   " + findings_text.verdict(r.file, list(r.findings)) for r in results if r.findings]
    lines += [f"5. 集計: {outcome.merge.accepted}課の提出を受理し、履歴に記録 → {outcome.root / '履歴.sqlite3'}",
              "   評価: " + grade_tally(outcome.merge.data),
              f"   台帳: {outcome.merge.master}",
              f"6. 審議会資料: {outcome.report.path}"]
    if outcome.report.pdf is not None:
        lines.append(f"   {outcome.report.pdf.line}")
    if outcome.second_root is not None and outcome.second_report is not None:
        lines += [f"7. 2つ目の例（第1期総合戦略 {outcome.second_label}、公表資料の記録）: {outcome.second_root}",
                  f"   施策シート: {outcome.second_report.path}"]
    return lines + _years_lines(outcome)


def _years_lines(outcome: DemoOutcome) -> list[str]:
    """The demo's third example: the city's own grading over two years, or why it stopped."""
    years = outcome.years
    if years is None:
        return []
    lines = [f"8. 3つ目の例（ほしぞら市、市独自の評価方法で2年度分を集計）: {years.root}"]
    if years.report is None:
        return lines + [f"   計画体系にエラー {years.plan_check.errors}件があるため、集計していません。"]
    return lines + [f"   集計: {'、'.join(m.period.label for m in years.merges)}（前年度の評価と推移つき）",
                    f"   審議会資料: {years.report.path}"]

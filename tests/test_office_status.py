"""Status that tells the truth (issue 24, items 1–3), the command line run as a process on files made as
departments make them: a rejected file that names its department makes it 要再提出, never 未提出; a file
tied to no department is listed; subfolders are read and Windows' leftovers skipped; two files of one
department are said, and the one saved last wins."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from office_year import kpireport, ok, returned, saved_at, section, sent_form

from kpireport.forms import layout as fl
from kpireport.messages import title
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan

pytestmark = pytest.mark.slow  # the command line as real processes, on files made as users make them

R5, SEPT = ReportPeriod(2023), ReportPeriod(2023, 9)
SOUMU, NOURIN, KANKO, GAKKO, TOSHI = "総務課", "農林課", "観光政策課", "学校教育課", "都市計画課"


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    """A workspace whose forms were sent (annual and September's), and a second workspace of the same city."""
    root = tmp_path_factory.mktemp("office")
    ok("init", "ws", cwd=root)
    ok("forms", "-w", "ws", cwd=root)
    ok("forms", "--period", "2023-09", "-w", "ws", cwd=root)
    ok("init", "other", cwd=root)
    ok("forms", "-w", "other", cwd=root)
    return root


def fresh(office: Path, name: str) -> Path:
    """A copy of the workspace before any file came in."""
    target = office / name
    shutil.copytree(office / "ws", target)
    return target


def test_a_rejected_file_that_names_its_department_is_to_resubmit_never_missing(office):
    ws = fresh(office, "status")
    inbox = ws / "inbox"
    returned(ws, R5, SOUMU, inbox / fl.form_file_name(R5, SOUMU))
    returned(office / "other", R5, NOURIN, inbox / "農林課_実績報告.xlsx")  # a form of the other workspace
    (inbox / "観光政策課_提出.xlsx").write_bytes(b"%PDF-1.4 printed instead of saved")  # named only by the file
    returned(ws, SEPT, GAKKO, inbox / "学校教育課.xlsx")  # September's form sent for the annual collection
    (inbox / "メモ.xlsx").write_bytes(b"")  # nobody's
    merged = kpireport("merge", "-w", str(ws), cwd=office)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    status = ok("status", "-w", str(ws), cwd=office)
    resubmit = "\n".join(section(status, "要再提出"))
    for department, reason in ((NOURIN, "識別情報"), (KANKO, "Excel"), (GAKKO, "報告期間")):
        assert f"  {department}（" in resubmit and reason in resubmit, (department, status)
    missing = "\n".join(section(status, "未提出"))
    assert not any(f"  {d}（" in missing for d in (SOUMU, NOURIN, KANKO, GAKKO))
    assert f"  {TOSHI}（" in missing
    unknown = section(status, "どの課の様式か分からないファイル")
    assert unknown[0].startswith("■ どの課の様式か分からないファイル: 1件")
    assert unknown[1].startswith("  メモ.xlsx（") and "ファイルが空です" in unknown[2]
    (inbox / "メモ.xlsx").unlink()  # the office removed it: no longer listed
    assert "どの課の様式か分からない" not in ok("status", "-w", str(ws), cwd=office)


def test_subfolders_are_read_and_windows_leftovers_skipped_without_a_word(office):
    ws = fresh(office, "folders")
    inbox = ws / "inbox"
    returned(ws, R5, SOUMU, inbox / SOUMU / fl.form_file_name(R5, SOUMU))
    for day in ("0501", "0502"):  # one name, filed by date twice, both wrong: two copies, one per subfolder
        broken = returned(ws, R5, NOURIN, inbox / day / "実績.xlsx")
        workbook = openpyxl.load_workbook(broken)
        workbook[fl.KPI_SHEET].delete_rows(5)
        workbook.save(broken)
    for leftover in ("Thumbs.db", "desktop.ini", ".DS_Store", f"{SOUMU}/Thumbs.db"):
        (inbox / leftover).write_bytes(b"\0\1")
    shutil.copy(sent_form(ws, R5, KANKO), inbox / "~$令和5年度_実績_観光政策課.xlsx")  # Excel's lock file
    checked = kpireport("validate", "-w", str(ws), cwd=office)
    shown = checked.stdout + checked.stderr
    assert f"{SOUMU}/{fl.form_file_name(R5, SOUMU)}" in shown
    assert "0501/実績.xlsx" in shown and "0502/実績.xlsx" in shown
    assert not any(word in shown for word in ("Thumbs", "desktop.ini", "DS_Store"))
    assert (ws / "output" / "feedback" / "0501" / "実績.xlsx").exists()
    assert (ws / "output" / "feedback" / "0502" / "実績.xlsx").exists()
    # the copy the department receives names each finding by its title; the code stays, narrow and grey
    sheet = openpyxl.load_workbook(ws / "output" / "feedback" / "0501" / "実績.xlsx")[fl.FEEDBACK_SHEET]
    assert [c.value for c in sheet[6][:7]] == ["No", "重要度", "場所", "指摘", "内容", "入力値", "コード"]
    titles = [row[3] for row in sheet.iter_rows(min_row=7, values_only=True) if row[0]]
    codes = [row[6] for row in sheet.iter_rows(min_row=7, values_only=True) if row[0]]
    assert titles and all(title(code) == shown for code, shown in zip(codes, titles))
    assert sheet["G7"].font.color.rgb.endswith("808080")
    ok("merge", "-w", str(ws), cwd=office)
    status = ok("status", "-w", str(ws), cwd=office)
    assert f"  {SOUMU}: {SOUMU}/{fl.form_file_name(R5, SOUMU)}（" in status
    assert any(line.startswith(f"  {NOURIN}（") for line in section(status, "要再提出"))


def test_two_files_of_one_department_are_said_and_the_one_saved_last_stands(office):
    ws = fresh(office, "twice")
    inbox = ws / "inbox"
    now = time.time()
    # the corrected file was saved last in Excel, but the first one was copied into the inbox later
    first = saved_at(returned(ws, R5, NOURIN, inbox / fl.form_file_name(R5, NOURIN)), "2024-05-10T01:00:00Z", now)
    second = saved_at(returned(ws, R5, NOURIN, inbox / "農林課_修正版.xlsx"), "2024-05-12T01:00:00Z", now - 3600)
    merged = ok("merge", "-w", str(ws), cwd=office)
    said = [line for line in merged.splitlines() if "同じ報告期間のファイルが2件" in line]
    assert len(said) == 1 and first.name in said[0] and f"「{second.name}」を採用" in said[0]
    assert "要確認（同じ課の複数のファイル）: 1件" in merged
    status = ok("status", "-w", str(ws), cwd=office)
    assert f"  {NOURIN}: {second.name}（" in status
    assert [line for line in section(status, "要確認（同じ課の複数のファイル）") if "2件" in line] == said, status
    master = next((ws / "output").glob("*.xlsx"))
    review = [row[0] for row in openpyxl.load_workbook(master, read_only=True)["要確認"].iter_rows(values_only=True)]
    assert said[0].strip() in review


def test_two_files_of_one_department_where_the_one_saved_last_is_sent_back_the_one_accepted_is_named(office):
    ws = fresh(office, "twice_returned")
    inbox = ws / "inbox"
    now = time.time()
    first = saved_at(returned(ws, R5, NOURIN, inbox / fl.form_file_name(R5, NOURIN)), "2024-05-10T01:00:00Z", now)
    second = returned(ws, R5, NOURIN, inbox / "農林課_修正版.xlsx")
    workbook = openpyxl.load_workbook(second)
    workbook[fl.KPI_SHEET].delete_rows(5)  # a row deleted: sent back
    workbook.save(second)
    saved_at(second, "2024-05-12T01:00:00Z", now)
    merged = ok("merge", "-w", str(ws), cwd=office)
    said = [line for line in merged.splitlines() if "同じ報告期間のファイルが2件" in line]
    assert len(said) == 1, merged
    assert f"「{second.name}」は差し戻したため" in said[0] and f"「{first.name}」を採用しています" in said[0]
    status = ok("status", "-w", str(ws), cwd=office)  # asked again for the file sent back; the values accepted stand
    again = section(status, "要再提出")
    assert any(second.name in line and "受理済みの値は有効" in line for line in again), status
    master = next((ws / "output").glob("*.xlsx"))
    sheet = openpyxl.load_workbook(master, read_only=True)["提出状況"]
    assert any(first.name in [str(v) for v in row] for row in sheet.iter_rows(values_only=True))


def test_an_older_copy_arriving_after_its_correction_was_accepted_does_not_replace_it(office):
    """The README's promise holds against the submission already recorded: a file saved in Excel before the one
    in force, arriving in a later merge (a draft forwarded by a colleague), is recorded but not adopted, and the
    office is told on screen, in `status` and on 要確認, with both files named."""
    ws = fresh(office, "stale_draft")
    inbox = ws / "inbox"
    now = time.time()
    corrected = saved_at(returned(ws, R5, NOURIN, inbox / "農林課_修正版.xlsx"), "2024-05-12T01:00:00Z", now - 60)
    ok("merge", "-w", str(ws), cwd=office)
    draft = saved_at(returned(ws, R5, NOURIN, inbox / fl.form_file_name(R5, NOURIN)), "2024-05-10T01:00:00Z", now)
    merged = ok("merge", "-w", str(ws), cwd=office)
    assert f"{draft.name}: 不採用（すでに採用している提出より前に保存された版）" in merged, merged
    assert f"{draft.name}: 受理" not in merged and "不採用 1件" in merged
    said = [line for line in merged.splitlines() if "同じ報告期間のファイルが2件" in line]
    assert len(said) == 1 and f"「{corrected.name}」（受理済み）を引き続き採用" in said[0], merged
    assert f"「{draft.name}」はそれより前に保存された版のため採用していません" in said[0]
    status = ok("status", "-w", str(ws), cwd=office)
    assert f"  {NOURIN}: {corrected.name}（" in status, status
    assert [line for line in section(status, "要確認（同じ課の複数のファイル）") if "2件" in line] == said, status
    master = next((ws / "output").glob("*.xlsx"))
    review = [row[0] for row in openpyxl.load_workbook(master, read_only=True)["要確認"].iter_rows(values_only=True)]
    assert said[0].strip() in review
    again = ok("merge", "-w", str(ws), cwd=office)  # nothing new: the correction still stands, still said
    assert f"  {NOURIN}: {corrected.name}（" in ok("status", "-w", str(ws), cwd=office)
    assert [line for line in again.splitlines() if "同じ報告期間のファイルが2件" in line] == said
    draft.unlink()  # as the notice asks: the old copy taken out of the inbox, and the notice is gone
    after = ok("merge", "-w", str(ws), cwd=office)
    assert "同じ報告期間のファイルが2件" not in after and "同じ報告期間のファイルが2件" not in ok("status", "-w", str(ws), cwd=office)
    review = [row[0] for row in openpyxl.load_workbook(master, read_only=True)["要確認"].iter_rows(values_only=True)]
    assert not any("2件" in str(line) for line in review)


def test_a_replaced_file_forwarded_again_under_another_name_is_not_adopted_and_both_are_named(office):
    """農林課's first version is accepted, then replaced by its correction; a colleague forwards the first version
    again as 「農林課_最終版.xlsx」. Its bytes are known, but they are not those in force: it is said as any older
    draft arriving after its correction (不採用, both files named on screen, in `status` and on 要確認), never
    「変更なし」, and the correction's value stands. The correction itself sent again under another name is
    変更なし."""
    ws = fresh(office, "forwarded_again")
    inbox = ws / "inbox"
    plan = load_plan(ws / "計画体系.xlsx").plan
    kpi = next(k for k in plan.kpis if k.departments == (NOURIN,) and k.unit == "%")
    now = time.time()
    first = returned(ws, R5, NOURIN, inbox / fl.form_file_name(R5, NOURIN))
    workbook = openpyxl.load_workbook(first)
    sheet = workbook[fl.KPI_SHEET]
    row = next(r for r in range(fl.FIRST_ROW, sheet.max_row + 1) if sheet.cell(r, 1).value == kpi.id)
    column = 1 + [c.key for c in fl.kpi_columns(R5)].index("actual")
    sheet.cell(row, column).value = "12.5"  # the figure corrected afterwards
    workbook.save(first)
    saved_at(first, "2024-05-10T01:00:00Z", now - 120)
    kept = shutil.copy(first, ws / "first_version.xlsx")
    ok("merge", "-w", str(ws), cwd=office)
    assert actual_in_master(ws, kpi.id) == "12.5%"
    corrected = saved_at(returned(ws, R5, NOURIN, first), "2024-05-12T01:00:00Z", now - 60)
    assert f"{corrected.name}: 受理" in ok("merge", "-w", str(ws), cwd=office)
    value = actual_in_master(ws, kpi.id)
    assert value and value != "12.5%"
    forwarded = Path(shutil.copy(kept, inbox / "農林課_最終版.xlsx"))
    merged = ok("merge", "-w", str(ws), cwd=office)
    assert f"{forwarded.name}: 不採用（すでに採用している提出より前に保存された版）" in merged, merged
    assert f"{forwarded.name}: 変更なし" not in merged and "不採用 1件" in merged
    said = [line for line in merged.splitlines() if "同じ報告期間のファイルが2件" in line]
    assert len(said) == 1 and f"「{corrected.name}」（受理済み）を引き続き採用" in said[0], merged
    assert f"「{forwarded.name}」はそれより前に保存された版のため採用していません" in said[0]
    status = ok("status", "-w", str(ws), cwd=office)
    assert f"  {NOURIN}: {corrected.name}（" in status, status
    assert [line for line in section(status, "要確認（同じ課の複数のファイル）") if "2件" in line] == said, status
    master = next((ws / "output").glob("master_*.xlsx"))
    review = openpyxl.load_workbook(master, read_only=True)["要確認"]
    assert said[0].strip() in [row[0] for row in review.iter_rows(values_only=True)]
    assert actual_in_master(ws, kpi.id) == value
    again = ok("merge", "-w", str(ws), cwd=office)  # lying in the inbox since: recorded once, still said
    assert f"{forwarded.name}: 変更なし" in again
    assert [line for line in again.splitlines() if "同じ報告期間のファイルが2件" in line] == said
    forwarded.unlink()
    shutil.copy(corrected, inbox / "農林課_控え.xlsx")  # the correction itself under another name: nothing new
    copied = ok("merge", "-w", str(ws), cwd=office)
    assert "農林課_控え.xlsx: 変更なし" in copied and "不採用" not in copied, copied


def actual_in_master(ws: Path, kpi_id: str) -> str:
    """The year's 実績 the master's KPI一覧 shows for the KPI."""
    rows = openpyxl.load_workbook(next((ws / "output").glob("master_*.xlsx")), read_only=True)["KPI一覧"].iter_rows(
        min_row=3, values_only=True)
    header = next(rows)
    return next(dict(zip(header, row)) for row in rows if row[0] == kpi_id)[R5.label]


def test_a_file_saved_with_a_clock_in_the_future_does_not_keep_later_corrections_out(office):
    """A PC whose clock was years ahead wrote its saved time: that time is no time, and the department's later
    correction replaces the file as usual."""
    ws = fresh(office, "future_clock")
    inbox = ws / "inbox"
    now = time.time()
    saved_at(returned(ws, R5, NOURIN, inbox / "農林課_初版.xlsx"), "2099-01-01T00:00:00Z", now - 60)
    ok("merge", "-w", str(ws), cwd=office)
    corrected = saved_at(returned(ws, R5, NOURIN, inbox / fl.form_file_name(R5, NOURIN)), "2024-05-12T01:00:00Z", now)
    merged = ok("merge", "-w", str(ws), cwd=office)
    assert f"{corrected.name}: 受理" in merged and "不採用" not in merged, merged
    assert f"  {NOURIN}: {corrected.name}（" in ok("status", "-w", str(ws), cwd=office)


def test_a_late_annual_form_met_in_a_monthly_collection_is_left_for_the_annual_collection(tmp_path):
    """さくら市: 観光交流課's 令和6年度 form arrives during September's collection. It is last year's annual form sent
    late, not a mistake of September's: the monthly merge leaves it alone (no 差し戻し, no marked copy, the
    department is 未提出 for September, not 要再提出) and says how the annual collection takes it; `validate` of
    the file named by hand still says what it is."""
    sept, dept = ReportPeriod(2025, 9), "観光交流課"
    ok("init", "ws", "--example", "さくら市", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    ok("forms", "--period", "R7.9", "-w", "ws", cwd=tmp_path)
    late = returned(ws, ReportPeriod(2024), dept, ws / "inbox" / f"{dept}.xlsx")
    first = ok("merge", "--period", "R7.9", "-w", "ws", cwd=tmp_path)
    assert f"{late.name}: 差し戻し" not in first and "使い回し" not in first, first
    assert "ほかの報告期間のファイル 1件はそのままにしました（令和6年度 実績 1件）" in first, first
    assert "うち令和6年度 実績の実績報告の様式 1件" in first and "kpireport merge --period 2024" in first, first
    assert not any(line.startswith("要再提出") for line in first.splitlines()), first
    assert any(line.startswith("未提出") and dept in line for line in first.splitlines()), first
    assert not (ws / "output" / "feedback" / late.name).exists()
    named = kpireport("validate", "--period", "R7.9", "-w", "ws", str(late), cwd=tmp_path)
    assert "令和6年度 実績の実績報告の様式" in named.stdout, named.stdout
    assert f"{late.name}: 受理" in ok("merge", "-w", "ws", cwd=tmp_path)
    again = ok("merge", "--period", "R7.9", "-w", "ws", cwd=tmp_path)
    assert "ほかの報告期間のファイル 1件はそのままにしました" in again
    assert not any(line.startswith("要再提出") for line in again.splitlines()), again
    status = ok("status", "--period", "R7.9", "-w", "ws", cwd=tmp_path)
    assert any(f"  {dept}（" in line for line in section(status, "未提出")), status
    master = ws / "output" / f"master_{sept.file_label}.xlsx"
    rows = openpyxl.load_workbook(master, read_only=True)["提出状況"].iter_rows(values_only=True)
    assert [row[1] for row in rows if row and row[0] == dept] == ["未提出"]


def test_a_grade_set_by_hand_is_kept_and_told_when_its_kpis_value_changes(tmp_path):
    """さくら市: K1-1-1 graded A by hand on 5人; a resubmission makes it 14人 (worse than the baseline). The override
    stands, and the merge, `status` and the master's 要確認 say it was set on 5人; set again, nothing more is said."""
    from forms_helpers import column, edit, row_of

    r6, dept = ReportPeriod(2024), "子育て支援課"

    def typed(workbook):
        sheet = workbook[fl.KPI_SHEET]
        sheet.cell(row_of(sheet, "K1-1-1"), column(fl.KPI_SHEET, "actual", r6)).value = 14

    ok("init", "ws", "--example", "さくら市", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    sent = returned(ws, r6, dept, ws / "inbox" / f"{dept}.xlsx")
    ok("merge", "-w", "ws", cwd=tmp_path)
    ok("override", "K1-1-1", "A", "--reason", "年度末に解消見込み", "-w", "ws", cwd=tmp_path)
    assert "手動評価" not in ok("merge", "-w", "ws", cwd=tmp_path)  # the same value: nothing to review
    edit(sent, typed)
    merged = ok("merge", "-w", "ws", cwd=tmp_path)
    said = [line.strip() for line in merged.splitlines() if "K1-1-1「" in line and "手動で「A」" in line]
    assert "要確認（値が変わった指標の手動評価）: 1件" in merged and len(said) == 1, merged
    assert "値「" in said[0] and "のときに付けたもので、今の値は「14人」です" in said[0], said
    assert "値「14人」のとき" not in said[0]
    status = ok("status", "-w", "ws", cwd=tmp_path)
    assert [line.strip() for line in section(status, "要確認（値が変わった指標の手動評価）")[1:]] == said, status
    master = ws / "output" / f"master_{r6.file_label}.xlsx"
    review = [row[0] for row in openpyxl.load_workbook(master, read_only=True)["要確認"].iter_rows(values_only=True)]
    assert said[0] in review
    ok("override", "K1-1-1", "B", "--reason", "14人に増えたため見直し", "-w", "ws", cwd=tmp_path)
    assert "手動評価" not in ok("merge", "-w", "ws", cwd=tmp_path)

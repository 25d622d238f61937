"""Feedback copies: a department's form with every finding marked, to fix and send back.

Which copy a file gets (``write_feedback``), bounded by the form, never by what the file declares:

* a sound form of this workspace, with the plan given: written anew from the form's definition with the
  department's entries and the marks (feedback_form): its cost grows with the form and its marks;
* any other file (intake refused or cut it, it is no form of this workspace, or, without a plan, it is
  too large to open whole): a copy made only of the 検証結果 sheet; the file itself is not rewritten;
* without a plan (a library caller), a small workbook is marked in place with openpyxl, as below.

Marked in place, nothing of the workbook is changed except what marks a problem: values, sheet names and
order, hidden sheets, protection, data validations and number formats stay as they were. What is added:

* a first sheet 検証結果 (the validator ignores it) listing every finding with a link to its cell;
* on each cell with a finding, a red (error) or orange (warning) fill and a comment by "kpireport"
  saying what is wrong; both fills stay apart from the form's yellow input cells (FFF2CC), which a
  light yellow warning once resembled, and a legend on 検証結果 says what each colour means;
* rows of the data sheets grown to show all that was typed (forms.fit, within the rows intake read).

A department may send back a feedback copy that still carries the marks of an earlier pass. Before
marking, the earlier 検証結果 sheet is removed and its marks are undone: the sheet keeps, in a
hidden column, each marked cell's original fill and comment so they are restored exactly; marks
without such a record are recognised by the comment author and the exact fill colours.
"""
from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections import OrderedDict
from copy import copy
from pathlib import Path
from typing import Any, cast

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.fills import Fill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import fromstring, tostring

from kpireport.errors import KpireportError
from kpireport.forms import layout as fl
from kpireport.forms.fit import fit_rows
from kpireport.forms.layout import FEEDBACK_SHEET
from kpireport.intake.reader import IntakeLimits, read_submission
from kpireport.labels import EXCEL_TEXT_LIMIT
from kpireport.model import Finding, Plan, Submission
from kpireport.periods import parse_period
from kpireport.runtime.atomic import atomic_write
from kpireport.text_layout import display_width  # noqa: F401  (re-exported: tests measure with it)
from kpireport.validate import feedback_table as ft
from kpireport.validate.feedback_form import FormIdentity, write_findings_only, write_form_copy
from kpireport.validate.feedback_table import AUTHOR, ERROR_RGB, WARNING_RGB  # noqa: F401  (re-exported)
from kpireport.validate.files import intake_limits
from kpireport.validate.rules import UNREAD_SHEETS, read_meta

_EARLIER_RGBS = {"FFC7CE", "FFEB9C"}  # marks of copies written before (light red, light yellow)
_MARK_RGBS = {ERROR_RGB, WARNING_RGB} | _EARLIER_RGBS
# Separates our text from a comment the cell already had (that text is kept below it).
ORIGINAL_COMMENT_SEPARATOR = "\n\n――― 元のコメント ―――\n"
# Hidden column of the feedback sheet recording what each marked cell looked like before marking.
_RECORD_COLUMN = 10  # J
_RECORD_TAG = "kpireport-marks-v1"
_MAX_TEXT = EXCEL_TEXT_LIMIT

# A file is not a sound form when intake refused or cut it, or when it is not a form of this workspace.
_NOT_A_FORM = frozenset({"form-not-form", "form-version-unknown", "form-signature-invalid", "form-other-plan",
                         "form-unknown-department"})
# Marked in place (openpyxl, no plan given) only when its sheets and strings are this small once inflated:
# openpyxl reads and writes the whole workbook, so its size, not the form, would set the cost.
IN_PLACE_BUDGET = 8 * 1024 * 1024
MAX_ROWS, MAX_COLUMNS = IntakeLimits().max_rows, IntakeLimits().max_columns  # beyond them: no form's cell


def write_feedback(source: Path, findings: list[Finding], target: Path, plan: Plan | None = None,
                   submission: Submission | None = None) -> Path | None:
    """Write a feedback copy of ``source`` to ``target`` with ``findings`` marked; return ``target``.

    With ``plan`` (the workspace's), a sound form of it is written anew from the form's definition with the
    department's entries and the marks (its cost grows with the form, not with the file); ``submission`` is the
    file as intake read it (read again, within the intake limits, when not given). Without ``plan``, the
    workbook is marked in place with openpyxl when it is small. Any other file (intake refused or cut it, or it
    is not a form of this workspace, or it is too large to mark in place) gets a copy made only of the
    検証結果 sheet: the file itself is never rewritten. Returns None, writing nothing, when the file cannot be
    read at all (the caller has already reported it as unreadable).
    """
    source, target = Path(source), Path(target)
    if submission is None:
        submission = read_submission(source, IntakeLimits() if plan is None else intake_limits(plan), UNREAD_SHEETS)
    if not submission.readable:
        return None
    name = ft.clean(source.name)
    sound = not any(f.code.startswith("file-") for f in submission.findings) and \
        not any(f.code in _NOT_A_FORM for f in findings)
    if plan is not None:
        form = form_identity(plan, submission) if sound else None
        if form is None:
            return write_findings_only(name, findings, target)
        return write_form_copy(plan, form, submission, findings, target)
    if not sound or not _small(source):
        return write_findings_only(name, findings, target)
    return _mark_in_place(source, findings, target, submission)


def form_identity(plan: Plan, submission: Submission) -> FormIdentity | None:
    """What the submission is as a form of ``plan`` (its identity sheet as read), or None when it is none."""
    meta = submission.sheet(fl.META_SHEET)
    if meta is None:
        return None
    items, _ = read_meta(meta)
    period = parse_period(items.get("報告期間"))
    version = items.get("様式版", "")
    known = version in (fl.FORM_VERSION, *fl.EARLIER_VERSIONS, *fl.LEGACY_VERSIONS)
    department = items.get("担当課", "")
    if items.get("形式") != fl.FORM_KIND or period is None or not known or department not in {
            d.name for d in plan.departments}:
        return None
    return FormIdentity(department, period, version)


def _small(source: Path) -> bool:
    """Whether the workbook's XML, inflated, is within IN_PLACE_BUDGET (the zip's own sizes were checked by intake)."""
    try:
        with zipfile.ZipFile(source) as package:
            return sum(info.file_size for info in package.infolist()
                       if info.filename.lower().endswith(".xml")) <= IN_PLACE_BUDGET
    except (OSError, zipfile.BadZipFile):
        return False


def _mark_in_place(source: Path, findings: list[Finding], target: Path, submission: Submission) -> Path | None:
    """The workbook itself, with the earlier marks undone and ``findings`` marked (openpyxl)."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (extensions, images); not for the user
            warnings.simplefilter("ignore")
            with open(source, "rb") as fh:  # a file object: no check of the file name's suffix
                workbook = openpyxl.load_workbook(fh, keep_vba=False, keep_links=False)
    except Exception:  # openpyxl raises many types for broken files; all mean "cannot open"
        return None
    if any(ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS for ws in workbook.worksheets):
        workbook.close()  # a cell far outside any form (XFD1048576): the file is not rewritten
        return write_findings_only(ft.clean(source.name), findings, target)

    previous = _feedback_sheet(workbook)
    records = _read_records(previous) if previous is not None else []
    if previous is not None:
        workbook.remove(previous)
    _clear_marks(workbook, records, earlier_pass=previous is not None)

    located = [(f, _locate(workbook, f)) for f in findings]
    new_records = _mark_cells(workbook, located)
    fit_rows(workbook, _form_bounds(submission))

    sheet = workbook.create_sheet(FEEDBACK_SHEET, 0)
    _write_feedback_sheet(sheet, ft.clean(source.name), located, new_records)
    _make_active(workbook, sheet)
    workbook.template = False  # the copy is a workbook even when the form was saved as a template

    made = io.BytesIO()  # made in memory, then written in one go: a full disk leaves no half-closed zip
    workbook.save(made)
    try:
        with atomic_write(target, "控え") as handle:
            handle.write(made.getbuffer())
    except OSError as exc:
        raise KpireportError(f"控え {target} に書き込めません（{exc.strerror or exc}）。"
                             "フォルダの書き込み権限と空き容量を確認してください。") from exc
    workbook.close()
    return target


def _form_bounds(submission: Submission) -> dict[str, tuple[int, int]]:
    """Per data sheet, the last row and column intake read (within its limits): the rows the refit looks at."""
    bounds = {}
    for sheet in submission.sheets:
        if sheet.cells:
            bounds[sheet.name] = (sheet.max_row, max(column for _, column in sheet.cells))
    return bounds


# ----------------------------------------------------------------------------------------------
# text


_clean = ft.clean


def _put_text(cell: Any, text: str) -> None:
    """Store ``text`` as literal text: a leading '=' must never make it a formula."""
    cell.value = text
    cell.data_type = "s"


# ----------------------------------------------------------------------------------------------
# locating findings


class _Location:
    """Where a finding points: the sheet and cell as written, and the cell to mark if it exists."""

    def __init__(self, sheet_name: str, cell_ref: str, worksheet: Worksheet | None,
                 coordinate: str, mark: str):
        self.sheet_name = sheet_name  # as the workbook spells it when the sheet exists
        self.cell_ref = cell_ref
        self.worksheet = worksheet
        self.coordinate = coordinate  # normalised (H12), "" when the cell is not usable
        self.mark = mark  # the cell to fill/comment: the top-left of a merged range containing it

    @property
    def text(self) -> str:
        if not self.sheet_name:
            return ft.WHOLE_FILE
        if self.cell_ref:
            return f"{self.sheet_name}!{self.cell_ref}"
        return self.sheet_name

    @property
    def link(self) -> str:
        if self.worksheet is None or not self.coordinate:
            return ""
        return f"'{self.worksheet.title.replace(chr(39), chr(39) * 2)}'!{self.coordinate}"


def _feedback_sheet(workbook: Workbook) -> Worksheet | None:
    return workbook[FEEDBACK_SHEET] if FEEDBACK_SHEET in workbook.sheetnames else None


def _find_sheet(workbook: Workbook, name: str) -> Worksheet | None:
    if not name or name == FEEDBACK_SHEET:
        return None
    candidates = [ws for ws in workbook.worksheets if ws.title == name]
    if not candidates:  # Excel sheet names are case-insensitive
        candidates = [ws for ws in workbook.worksheets if ws.title.casefold() == name.casefold()]
    sheet = candidates[0] if candidates else None
    return sheet if isinstance(sheet, Worksheet) and sheet.title != FEEDBACK_SHEET else None


_parse_cell = ft.parse_cell


def _locate(workbook: Workbook, finding: Finding) -> _Location:
    sheet_name = _clean(finding.sheet).strip()
    cell_ref = _clean(finding.cell).strip()
    worksheet = _find_sheet(workbook, sheet_name)
    if worksheet is None:
        return _Location(sheet_name, cell_ref, None, "", "")
    position = _parse_cell(cell_ref) if cell_ref else None
    if position is None:
        return _Location(worksheet.title, cell_ref, worksheet, "", "")
    row, column = position
    coordinate = f"{get_column_letter(column)}{row}"
    mark = coordinate
    for merged in worksheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            mark = f"{get_column_letter(merged.min_col)}{merged.min_row}"
            break
    return _Location(worksheet.title, coordinate, worksheet, coordinate, mark)


# ----------------------------------------------------------------------------------------------
# marks


def _is_mark_fill(fill: Any) -> bool:
    # cell.fill is a StyleProxy around the fill: look at its attributes, not its type
    if getattr(fill, "patternType", None) != "solid":
        return False
    color = getattr(fill, "fgColor", None)
    return color is not None and color.type == "rgb" and isinstance(color.rgb, str) \
        and color.rgb[-6:].upper() in _MARK_RGBS


def _mark_fill(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color="FF" + rgb, end_color="FF" + rgb)


def _fill_to_text(fill: Any) -> str:
    try:
        return tostring(fill.to_tree()).decode("utf-8")
    except Exception:
        return ""


def _fill_from_text(text: str) -> Any:
    try:
        fill = Fill.from_tree(cast(Any, fromstring(text)))  # the stubs want lxml's element type; openpyxl takes either
    except Exception:
        fill = None
    return fill if fill is not None else PatternFill()


def _existing_cell(worksheet: Worksheet, coordinate: str) -> Any:
    """The cell if the sheet stores it, without creating it."""
    position = _parse_cell(coordinate)
    return _stored_cells(worksheet).get(position) if position else None


def _stored_cells(worksheet: Worksheet) -> dict:
    """(row, column) -> cell, for the cells the sheet stores. openpyxl has no public way to ask without
    creating a cell, and a created cell takes the default style, which would lock an unlocked input cell
    of a protected form: this reads openpyxl's own table of cells, and nothing else of its internals."""
    return worksheet._cells


def _new_cell(worksheet: Worksheet, row: int, column: int) -> Any:
    """Create a cell the sheet does not store yet, with the style Excel shows for it.

    An empty cell without its own record takes the row's format (when the row has one) or its
    column's, e.g. unlocked input columns of a protected sheet; it must keep that when marked.
    """
    cell = worksheet.cell(row=row, column=column)
    dimension: Any = worksheet.row_dimensions.get(row) if row in worksheet.row_dimensions else None
    if dimension is None or not dimension.has_style:
        dimension = next((d for d in worksheet.column_dimensions.values()
                          if d.min is not None and d.max is not None and d.min <= column <= d.max
                          and d.has_style), None)
    if dimension is not None and dimension.has_style:
        cell.font, cell.fill, cell.border = copy(dimension.font), copy(dimension.fill), copy(dimension.border)
        cell.alignment, cell.protection = copy(dimension.alignment), copy(dimension.protection)
        cell.number_format = dimension.number_format
    return cell


def _undo_comment(cell: Any, original: dict | None) -> None:
    if original and original.get("text"):
        cell.comment = Comment(original["text"], original.get("author") or "")
    else:
        cell.comment = None


def _clear_marks(workbook: Workbook, records: list[dict], earlier_pass: bool) -> None:
    """Undo the marks of an earlier feedback pass, so that stale marks do not linger."""
    restored: set[tuple[str, str]] = set()
    for record in records:
        worksheet = _find_sheet(workbook, str(record.get("sheet", "")))
        if worksheet is None:
            continue
        cell = _existing_cell(worksheet, str(record.get("cell", "")))
        if cell is None:
            continue
        restored.add((worksheet.title, cell.coordinate))
        if _is_mark_fill(cell.fill):  # the person may have changed the fill; then keep theirs
            cell.fill = _fill_from_text(str(record.get("fill", "")))
        if cell.comment is not None and cell.comment.author == AUTHOR:
            original = record.get("comment")
            _undo_comment(cell, original if isinstance(original, dict) else None)

    # Marks without a record (the earlier 検証結果 sheet was deleted, or a record was lost).
    filled = []
    for worksheet in workbook.worksheets:
        for cell in list(_stored_cells(worksheet).values()):
            if (worksheet.title, cell.coordinate) in restored:
                continue
            comment = cell.comment
            if comment is not None and comment.author == AUTHOR:
                earlier_pass = True
                text = comment.text or ""
                if ORIGINAL_COMMENT_SEPARATOR in text:
                    _undo_comment(cell, {"text": text.split(ORIGINAL_COMMENT_SEPARATOR, 1)[1]})
                else:
                    cell.comment = None
            if _is_mark_fill(cell.fill):
                filled.append(cell)
    # A fresh form may use these colours itself: only clear them when a pass has been here.
    if earlier_pass:
        for cell in filled:
            cell.fill = PatternFill()


def _mark_cells(workbook: Workbook, located: list[tuple[Finding, _Location]]) -> list[dict]:
    """Fill and comment every cell with findings; return what each looked like before."""
    by_cell: OrderedDict[tuple[str, str], tuple[Worksheet, list[Finding]]] = OrderedDict()
    for finding, location in located:
        if location.mark and location.worksheet is not None:
            key = (location.worksheet.title, location.mark)
            by_cell.setdefault(key, (location.worksheet, []))[1].append(finding)

    records = []
    for (title, coordinate), (worksheet, cell_findings) in by_cell.items():
        row, column = _parse_cell(coordinate) or (0, 0)  # a mark is always a parsed cell
        cell = _existing_cell(worksheet, coordinate) or _new_cell(worksheet, row, column)
        original_comment = None
        if cell.comment is not None and cell.comment.text:
            original_comment = {"author": cell.comment.author or "", "text": cell.comment.text}
        records.append({"sheet": title, "cell": coordinate, "fill": _fill_to_text(cell.fill),
                        "comment": original_comment})

        error = any(f.severity == "error" for f in cell_findings)
        cell.fill = _mark_fill(ERROR_RGB if error else WARNING_RGB)  # only the fill changes
        text = ft.comment_text(cell_findings)
        if original_comment:
            text += ORIGINAL_COMMENT_SEPARATOR + original_comment["text"]
        text = _clean(text)
        width, height = ft.comment_size(text)
        cell.comment = Comment(text, AUTHOR, height=height, width=width)
    return records


# ----------------------------------------------------------------------------------------------
# the 検証結果 sheet


def _read_records(sheet: Worksheet) -> list[dict]:
    records: list[dict] = []
    values = [sheet.cell(row=r, column=_RECORD_COLUMN).value for r in range(1, sheet.max_row + 1)]
    if not values or values[0] != _RECORD_TAG:
        return records
    for value in values[1:]:
        if not isinstance(value, str):
            continue
        try:
            record = json.loads(value)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("sheet") and record.get("cell"):
            records.append(record)
    return records


def _write_records(sheet: Worksheet, records: list[dict]) -> None:
    _put_text(sheet.cell(row=1, column=_RECORD_COLUMN), _RECORD_TAG)
    for index, record in enumerate(records, start=2):
        text = json.dumps(record, ensure_ascii=False)
        if len(text) > _MAX_TEXT:  # an enormous original comment: give up restoring it exactly
            text = json.dumps({**record, "comment": None}, ensure_ascii=False)
        _put_text(sheet.cell(row=index, column=_RECORD_COLUMN), _clean(text))
    sheet.column_dimensions[get_column_letter(_RECORD_COLUMN)].hidden = True


def _write_feedback_sheet(sheet: Worksheet, file_name: str,
                          located: list[tuple[Finding, _Location]], records: list[dict]) -> None:
    """The 検証結果 sheet (openpyxl): the same table as feedback_form writes, with the marks' records."""
    table = ft.findings_table([(f, ft.Place(location.text, location.link)) for f, location in located])
    base = Font(name=ft.FONT_NAME, size=10)
    _put_text(sheet.cell(row=ft.TITLE_ROW, column=1), f"検証結果: {file_name}")
    sheet.cell(row=ft.TITLE_ROW, column=1).font = Font(name=ft.FONT_NAME, size=14, bold=True)
    _put_text(sheet.cell(row=ft.COUNT_ROW, column=1), table.count_text)
    sheet.cell(row=ft.COUNT_ROW, column=1).font = Font(name=ft.FONT_NAME, size=11, bold=True,
                                                       color="FF9C0006" if table.errors else None)
    for row, text in ((ft.INSTRUCTION_ROW, ft.INSTRUCTION if located else ft.NO_FINDINGS),
                      (ft.NOTE_ROW, ft.NOTE if located else "")):
        if text:
            _put_text(sheet.cell(row=row, column=1), text)
            sheet.cell(row=row, column=1).font = base
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if located:
        _write_legend(sheet, base, table.widths[ft.MESSAGE_COLUMN])
    _write_table(sheet, table)
    _write_records(sheet, records)
    _page_setup(sheet, table.last_row)


_THIN = Side(style="thin", color="FF999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CODE_FONT = Font(name=ft.FONT_NAME, size=8, color="FF" + ft.CODE_RGB)


def _write_table(sheet: Worksheet, table: ft.Table) -> None:
    header_fill = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
    for column, text in enumerate(ft.HEADERS, start=1):
        cell = sheet.cell(row=ft.HEADER_ROW, column=column)
        _put_text(cell, text)
        cell.font, cell.fill, cell.border = Font(name=ft.FONT_NAME, size=10, bold=True), header_fill, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
    base = Font(name=ft.FONT_NAME, size=10)
    for offset, values in enumerate(table.rows):
        row = ft.FIRST_DATA_ROW + offset
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if column == 1:
                cell.value = value
            else:
                _put_text(cell, value)
            cell.font, cell.border = (_CODE_FONT if column == ft.CODE_COLUMN + 1 else base), _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=ft.COLUMN_LIMITS[column - 1][2],
                                       horizontal="center" if column <= 2 else None)
        severity = "error" if table.severities[offset] == "error" else "warning"
        sheet.cell(row=row, column=2).fill = _mark_fill(ERROR_RGB if severity == "error" else WARNING_RGB)
        if table.links[offset]:
            place = sheet.cell(row=row, column=3)
            place.hyperlink = Hyperlink(ref=place.coordinate, location=table.links[offset],
                                        tooltip=_clean(f"{values[2]} へ移動")[:255])
            place.font = Font(name=ft.FONT_NAME, size=10, color="FF0563C1", underline="single")
        sheet.row_dimensions[row].height = table.heights[offset]


def _page_setup(sheet: Worksheet, last_row: int) -> None:
    sheet.freeze_panes = f"A{ft.FIRST_DATA_ROW}"
    sheet.print_title_rows = f"{ft.HEADER_ROW}:{ft.HEADER_ROW}"
    sheet.print_area = f"A1:{get_column_letter(len(ft.HEADERS))}{last_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_options.horizontalCentered = True


def _write_legend(sheet: Worksheet, font: Font, width: int) -> None:
    """凡例: each mark colour in a cell of that colour, and what each asks of the department (in the wide 内容
    column, wrapped, so that it prints within the page)."""
    _put_text(sheet.cell(row=ft.LEGEND_ROW, column=1), "凡例")
    sheet.cell(row=ft.LEGEND_ROW, column=1).font = font
    sheet.cell(row=ft.LEGEND_ROW, column=1).alignment = Alignment(vertical="top")
    for column, (word, rgb) in enumerate((("エラー", ERROR_RGB), ("警告", WARNING_RGB)), start=2):
        cell = sheet.cell(row=ft.LEGEND_ROW, column=column)
        _put_text(cell, word)
        cell.font, cell.border, cell.fill = font, _BORDER, _mark_fill(rgb)
        cell.alignment = Alignment(horizontal="center", vertical="top")
    note = sheet.cell(row=ft.LEGEND_ROW, column=ft.MESSAGE_COLUMN + 1)
    _put_text(note, ft.LEGEND)
    note.font, note.alignment = font, Alignment(vertical="top", wrap_text=True)
    sheet.row_dimensions[ft.LEGEND_ROW].height = ft.legend_height(width)


def _make_active(workbook: Workbook, sheet: Worksheet) -> None:
    """Open on the feedback sheet, with only its tab selected (several selected tabs = a group)."""
    for other in workbook.worksheets + workbook.chartsheets:
        views = getattr(other, "views", None) or getattr(other, "sheetViews", None)
        for view in getattr(views, "sheetView", None) or []:
            view.tabSelected = False
    sheet.sheet_view.tabSelected = True
    workbook.active = sheet
    for view in workbook.views:
        view.firstSheet = 0
        view.activeTab = 0

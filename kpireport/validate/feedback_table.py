"""What a feedback copy says, whichever way it is written: the marks' colours, the comment texts and the
検証結果 sheet's table (rows, column widths, row heights), as plain data.

Both writers of a copy use it: feedback_form (a sound form, written anew from the form's definition with
xlsxwriter) and feedback (any other workbook, marked in place with openpyxl).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kpireport.labels import EXCEL_TEXT_LIMIT
from kpireport.model import Finding
from kpireport.text_layout import display_width, wrapped_lines

AUTHOR = "kpireport"

ERROR_RGB = "FF5C5C"  # red: must be fixed
WARNING_RGB = "F4B084"  # orange: to look at; far in hue and lightness from the input yellow FFF2CC
SEVERITY_LABEL = {"error": "エラー", "warning": "警告"}
WHOLE_FILE = "ファイル全体"
INSTRUCTION = "赤色・橙色のセルにコメントで直し方を書いています。直したらこのファイルを保存して、もう一度提出してください。"
LEGEND = ("赤色（エラー）: 直さないと受け付けられません。橙色（警告）: 確認してください（このままでも受け付けます）。"
          "黄色は様式の入力欄です。")
NOTE = "「場所」のリンクをクリックすると、そのセルに移動します。このシートは消さずに提出してかまいません。"
NO_FINDINGS = "問題は見つかりませんでした。"
# a file that is not a sound form of this workspace: its copy is this sheet alone, the file is not rewritten
NOT_A_FORM = ("このファイルは、この作業フォルダが作った様式として読めなかったため、印を付けた控えは作っていません。"
              "上の問題を確かめ、配られた様式に記入して提出してください。")
HEADERS = ("No", "重要度", "場所", "内容", "入力値", "コード")

FONT_NAME = "游ゴシック"
TITLE_ROW, COUNT_ROW, INSTRUCTION_ROW, NOTE_ROW, LEGEND_ROW, HEADER_ROW = 1, 2, 3, 4, 5, 6
FIRST_DATA_ROW = HEADER_ROW + 1
# (min width, max width, wrap) per table column, in Excel width units (about one half-width char).
COLUMN_LIMITS = ((4, 6, False), (8, 10, False), (12, 36, True), (24, 64, True), (10, 36, True), (10, 32, False))
LINE_HEIGHT = 16.5  # points per text line at 10pt 游ゴシック

COMMENT_WIDTH = 400  # px (about 300pt)
COMMENT_CHARS_PER_LINE = 44  # half-width units that fit on one line of a comment box that wide
COMMENT_LINE_PX = 17

_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
# Characters an XML part cannot hold (or Excel refuses): C0/C1 controls except tab and newline,
# lone surrogates (e.g. undecodable file names) and the non-characters U+FFFE/U+FFFF.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: object) -> str:
    """Text safe to store in a cell or comment: XML-illegal characters become '?'."""
    text = "" if text is None else str(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BAD_CHARS.search(text):
        text = _BAD_CHARS.sub("?", text)
    return text if len(text) <= EXCEL_TEXT_LIMIT else text[:EXCEL_TEXT_LIMIT]


def parse_cell(ref: str) -> tuple[int, int] | None:
    """(row, column) of a cell reference like H12 or $H$12; a range gives its top-left cell."""
    ref = ref.strip().split(":")[0]
    match = _CELL_RE.match(ref)
    if not match:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    row = int(match.group(2))
    if not (1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
        return None
    return row, column


@dataclass(frozen=True)
class Place:
    """Where a finding points, as the 検証結果 sheet shows it: its text, and the link target ('' when none)."""

    text: str
    link: str = ""


def comment_text(findings: list[Finding]) -> str:
    """The comment on a marked cell: one line per finding, the error or warning label first."""
    return clean("\n".join(("【エラー】" if f.severity == "error" else "【警告】") + clean(f.message).strip()
                           for f in findings))


def comment_size(text: str) -> tuple[int, int]:
    """(width, height) in px of a comment box that shows ``text``."""
    lines = wrapped_lines(text, COMMENT_CHARS_PER_LINE)
    return COMMENT_WIDTH, min(max(lines * COMMENT_LINE_PX + 16, 60), 800)


@dataclass(frozen=True)
class Table:
    """The findings table of the 検証結果 sheet: its rows (one per finding), column widths and row heights."""

    rows: list[tuple]
    severities: list[str]
    links: list[str]
    widths: list[int]
    heights: list[float]

    @property
    def errors(self) -> int:
        return self.severities.count("error")

    @property
    def warnings(self) -> int:
        return len(self.severities) - self.errors

    @property
    def count_text(self) -> str:
        return f"エラー {self.errors}件、警告 {self.warnings}件"

    @property
    def last_row(self) -> int:
        return max(HEADER_ROW, FIRST_DATA_ROW + len(self.rows) - 1)


def findings_table(located: list[tuple[Finding, Place]]) -> Table:
    rows = [(number, SEVERITY_LABEL.get(f.severity, "警告"), place.text, clean(f.message), clean(f.value),
             clean(f.code)) for number, (f, place) in enumerate(located, start=1)]
    widths = []
    for index, (low, high, _wrap) in enumerate(COLUMN_LIMITS):
        texts = [HEADERS[index]] + [str(r[index]) for r in rows]
        longest = max(display_width(line) for t in texts for line in t.split("\n"))
        widths.append(min(max(longest + 2, low), high))
    heights = [max([1] + [wrapped_lines(str(value), widths[i] - 1) for i, value in enumerate(row)
                          if COLUMN_LIMITS[i][2]]) * LINE_HEIGHT + 3 for row in rows]
    return Table(rows, [f.severity for f, _ in located], [place.link for _, place in located], widths, heights)


def legend_height(width: int) -> float:
    return wrapped_lines(LEGEND, width - 1) * LINE_HEIGHT + 3


def quoted_sheet(name: str) -> str:
    """A sheet name as a formula or link writes it: 'KPI実績' (quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"

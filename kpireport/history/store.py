"""The workspace's history: every submission (accepted or rejected) and every value, in SQLite.

One merge is one transaction, so a crash leaves either all of a merge or none of it. Nothing
is ever deleted: a newer accepted submission supersedes an older one for the same department
and period, and both stay. Values keep the file and cell they came from.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.history import issued
from kpireport.messages import ANNUAL_LATE
from kpireport.model import Finding, InitiativeEntry, NarrativeEntry, Override, ValidationResult, Value
from kpireport.periods import ReportPeriod
from kpireport.runtime.atomic import TEMP_SUFFIX
from kpireport.runtime.disk import DiskFull, is_disk_full
from kpireport.values import with_written_words

SCHEMA_VERSION = 1
# findings that a file is another period's form (their value: the form's own period key)
PERIOD_MISMATCH = ("form-wrong-period", ANNUAL_LATE)
BUSY_WAIT = 30.0  # seconds to wait for another writer of the history (a merge of the same workspace on another PC)
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merges (
    id INTEGER PRIMARY KEY, period TEXT NOT NULL, started_at TEXT NOT NULL, plan_hash TEXT NOT NULL,
    snapshot TEXT NOT NULL DEFAULT '{}', master_written INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY, merge_id INTEGER NOT NULL REFERENCES merges(id),
    department TEXT NOT NULL, period TEXT NOT NULL, file_name TEXT NOT NULL, sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL, accepted INTEGER NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
    findings TEXT NOT NULL, superseded_by INTEGER REFERENCES submissions(id)
);
CREATE INDEX IF NOT EXISTS submissions_by_period ON submissions(period, department);
CREATE TABLE IF NOT EXISTS kpi_values (
    submission_id INTEGER NOT NULL REFERENCES submissions(id), kpi_id TEXT NOT NULL,
    status TEXT NOT NULL, raw TEXT NOT NULL, number TEXT, unit TEXT NOT NULL, scale TEXT NOT NULL,
    provisional INTEGER NOT NULL, as_of TEXT NOT NULL, remarks TEXT NOT NULL, reason TEXT NOT NULL,
    sheet TEXT NOT NULL, cell TEXT NOT NULL, PRIMARY KEY (submission_id, kpi_id)
);
CREATE TABLE IF NOT EXISTS initiative_values (
    submission_id INTEGER NOT NULL REFERENCES submissions(id), initiative_id TEXT NOT NULL,
    status TEXT NOT NULL, next_step TEXT NOT NULL, verification TEXT NOT NULL, sheet TEXT NOT NULL,
    row INTEGER NOT NULL, summary TEXT, plan TEXT, name TEXT, repost_verifications TEXT,
    PRIMARY KEY (submission_id, initiative_id)
);
CREATE TABLE IF NOT EXISTS narratives (
    submission_id INTEGER NOT NULL REFERENCES submissions(id), node_id TEXT NOT NULL,
    achievements TEXT NOT NULL, next_steps TEXT NOT NULL, sheet TEXT NOT NULL, row INTEGER NOT NULL,
    PRIMARY KEY (submission_id, node_id)
);
CREATE TABLE IF NOT EXISTS imported_actuals (
    kpi_id TEXT NOT NULL, year INTEGER NOT NULL, raw TEXT NOT NULL, number TEXT NOT NULL, unit TEXT NOT NULL,
    scale TEXT NOT NULL, source_file TEXT NOT NULL, source_cell TEXT NOT NULL, imported_at TEXT NOT NULL,
    PRIMARY KEY (kpi_id, year)
);
CREATE TABLE IF NOT EXISTS overrides (
    kpi_id TEXT NOT NULL, period TEXT NOT NULL, grade TEXT NOT NULL, reason TEXT NOT NULL, set_at TEXT NOT NULL,
    PRIMARY KEY (kpi_id, period)
);
"""


@dataclass(frozen=True)
class SubmissionRecord:
    id: int
    department: str
    period: str
    file_name: str
    sha256: str
    received_at: str
    accepted: bool
    errors: int
    warnings: int
    findings: tuple[Finding, ...]
    superseded_by: int | None
    merge_id: int = 0  # the merge that recorded it


@dataclass(frozen=True)
class StoredKpiValue:
    """A value with its origin: the submission (file, received) or an import of old records."""

    kpi_id: str
    period: str
    value: Value
    provisional: bool
    as_of: str
    remarks: str
    reason: str
    file_name: str
    sheet: str
    cell: str
    received_at: str
    department: str = ""


def now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


# The grading rules in force at each merge (the grades and the settings that affect grading, see
# history.rules_record), so a past year is graded as it was then. Kept apart from SCHEMA: a history made
# before it gets the table on opening (its merges have no rules; their years say so where they are shown).
# kpi_definitions: what of each KPI the grading read (baseline, target, …), one row per distinct plan's KPIs,
# named in a merge's rules by its digest (the merges of a year with one plan share one row).
RULES_SCHEMA = """
CREATE TABLE IF NOT EXISTS merge_rules (
    merge_id INTEGER PRIMARY KEY REFERENCES merges(id), rules TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kpi_definitions (digest TEXT PRIMARY KEY, kpis TEXT NOT NULL);
"""


# columns later versions added (TEXT, NULL where an older version wrote the row)
ADDED_COLUMNS = (
    ("initiative_values", "name"),  # 事業名, with the measure sheets' content
    ("initiative_values", "repost_verifications"),  # the 【再掲】 rows' own 検証内容 (様式版 4): JSON [node ID, text]
    ("submissions", "saved_at"),  # when the department saved the file in Excel (UTC, ISO): an older copy arriving late
    ("overrides", "made_on"),  # the KPI's value as shown when the grade was set by hand ("" none), to tell a change
)


def _upgrade(db: sqlite3.Connection) -> None:
    """A history made by an earlier version: merges.master_written came later (its merges' masters were
    written, as far as anyone can tell now), and so did the ADDED_COLUMNS."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(merges)")}
    if "master_written" not in columns:
        db.execute("ALTER TABLE merges ADD COLUMN master_written INTEGER NOT NULL DEFAULT 1")
    for table, column in ADDED_COLUMNS:
        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")  # NULL in the older rows: unknown


class History:
    """The history database of one workspace."""

    def __init__(self, path: Path):
        self.path = Path(path)
        # (PRAGMA data_version, what was read) for annual_entries(): the imported records, and the whole result
        self._imported: tuple[int, dict] | None = None
        self._annual: tuple[int, dict] | None = None
        try:
            self.db = sqlite3.connect(str(self.path), timeout=BUSY_WAIT, isolation_level=None)
            # the rollback journal, not WAL: offices keep the workspace on a file share, and "WAL does not work
            # over a network filesystem" (sqlite.org/wal.html); a history once in WAL is turned back here
            self.db.execute("PRAGMA journal_mode=DELETE")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
            _upgrade(self.db)
            issued.prepare(self.db)
            self.db.executescript(RULES_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc):  # held by another program for the whole wait: not a damaged history
                raise KpireportError(
                    f"履歴データベース {self.path} をほかのプログラムが使っているため、{BUSY_WAIT:g}秒待っても開けませんでした。"
                    "データベースを開くソフトや同期ソフト（OneDrive など）、別のPCからの kpireport が使っていないか"
                    "確かめ、終わってからもう一度実行してください。") from exc
            raise KpireportError(f"履歴データベース {self.path} を開けません（{exc}）。"
                                 "「kpireport history check」で状態を確認してください。") from exc

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: BEGIN IMMEDIATE takes the write lock at once."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            self._imported = self._annual = None
            raise
        self.db.execute("COMMIT")

    # -- writing ---------------------------------------------------------------------------------

    def start_merge(self, period: str, plan_hash: str) -> int:
        cursor = self.db.execute("INSERT INTO merges (period, started_at, plan_hash, master_written) VALUES (?, ?, ?, 0)",
                                 (period, now(), plan_hash))
        return _row_id(cursor)

    def form_key(self) -> bytes:
        """The workspace's secret for signing its forms (made the first time it is asked for). It stays in
        the history, never in a form; a backup of the history keeps it with the submissions it verified."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'form_key'").fetchone()
        if row is None:
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('form_key', ?)", (secrets.token_hex(32),))
            row = self.db.execute("SELECT value FROM meta WHERE key = 'form_key'").fetchone()
        return bytes.fromhex(row[0])

    def master_written(self, merge_id: int) -> None:
        """The master of this merge was written: the next merge lists the changes since this one."""
        self.db.execute("UPDATE merges SET master_written = 1 WHERE id = ?", (merge_id,))

    def finish_merge(self, merge_id: int, snapshot: dict) -> None:
        self.db.execute("UPDATE merges SET snapshot = ? WHERE id = ?",
                        (json.dumps(snapshot, ensure_ascii=False, sort_keys=True), merge_id))

    def known(self, sha256: str, department: str, period: str) -> bool:
        """Whether this exact file was already recorded for the department and period."""
        row = self.db.execute("SELECT 1 FROM submissions WHERE sha256 = ? AND department = ? AND period = ?",
                              (sha256, department, period)).fetchone()
        return row is not None

    def record(self, merge_id: int, result: ValidationResult, received_at: str, saved_at: str | None = None,
               replaced_by: int | None = None) -> int:
        """Record one submission; an accepted one supersedes the department's earlier accepted one, unless that
        one was saved later in Excel (``saved_at``, UTC ISO): an older copy arriving after its correction is
        recorded, superseded at once by the correction (`adopted` says which). ``replaced_by``: the submission
        known to replace this one whatever the saved times say (a copy of a file it replaced before), which this
        one is superseded by at once."""
        if "-" not in str(result.period):  # a fiscal year's final 実績 (a month's key has a "-"): see annual_entries
            self._annual = None
        cursor = self.db.execute(
            "INSERT INTO submissions (merge_id, department, period, file_name, sha256, received_at, accepted,"
            " errors, warnings, findings, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (merge_id, result.department, result.period, result.file, result.sha256, received_at,
             int(result.valid), result.errors, result.warnings,
             json.dumps([f.as_dict() for f in result.findings], ensure_ascii=False), saved_at))
        sub_id = _row_id(cursor)
        if not result.valid:
            return sub_id
        newer = (replaced_by,) if replaced_by is not None else None if saved_at is None else self.db.execute(
            "SELECT id FROM submissions WHERE department = ? AND period = ? AND accepted = 1 AND superseded_by IS NULL"
            " AND id <> ? AND saved_at IS NOT NULL AND saved_at > ? ORDER BY id DESC LIMIT 1",
            (result.department, result.period, sub_id, saved_at)).fetchone()
        if newer is not None:
            self.db.execute("UPDATE submissions SET superseded_by = ? WHERE id = ?", (newer[0], sub_id))
        else:
            self.db.execute("UPDATE submissions SET superseded_by = ? WHERE department = ? AND period = ?"
                            " AND accepted = 1 AND superseded_by IS NULL AND id <> ?",
                            (sub_id, result.department, result.period, sub_id))
        self.db.executemany(
            "INSERT INTO kpi_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sub_id, e.kpi_id, e.value.status, e.value.raw, _dec(e.value.number), e.value.unit, e.value.scale,
              int(e.provisional), e.as_of, e.remarks, e.reason, e.sheet, e.cell) for e in result.kpis])
        self.db.executemany(
            "INSERT INTO initiative_values (submission_id, initiative_id, status, next_step, verification, sheet, row,"
            " summary, plan, name, repost_verifications) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sub_id, e.initiative_id, e.status, e.next_step, e.verification, e.sheet, e.row, e.summary, e.plan, e.name,
              json.dumps(e.repost_verifications, ensure_ascii=False) if e.repost_verifications else None)
             for e in result.initiatives])
        self.db.executemany(
            "INSERT INTO narratives VALUES (?, ?, ?, ?, ?, ?)",
            [(sub_id, e.node_id, "\n".join(e.achievements), "\n".join(e.next_steps), e.sheet, e.row)
             for e in result.narratives])
        return sub_id

    def adopted(self, sub_id: int) -> bool:
        """The submission is accepted and in force (not superseded, at once or since)."""
        row = self.db.execute("SELECT accepted, superseded_by FROM submissions WHERE id = ?", (sub_id,)).fetchone()
        return row is not None and bool(row[0]) and row[1] is None

    def import_actual(self, kpi_id: str, year: int, value: Value, source_file: str, source_cell: str) -> None:
        self._imported = self._annual = None
        self.db.execute("INSERT OR REPLACE INTO imported_actuals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (kpi_id, year, value.raw, _dec(value.number), value.unit, value.scale, source_file,
                         source_cell, now()))

    def set_override(self, kpi_id: str, period: str, override: Override | None, made_on: str | None = None) -> None:
        """Set (``override``) or clear (None) a grade set by hand; ``made_on``: the KPI's value as shown then."""
        if override is None:
            self.db.execute("DELETE FROM overrides WHERE kpi_id = ? AND period = ?", (kpi_id, period))
        else:
            self.db.execute("INSERT OR REPLACE INTO overrides (kpi_id, period, grade, reason, set_at, made_on)"
                            " VALUES (?, ?, ?, ?, ?, ?)", (kpi_id, period, override.grade, override.reason, now(), made_on))

    def override_bases(self, period: str) -> dict[str, str]:
        """The value each of the period's grades set by hand was set on, where it is known."""
        return dict(self.db.execute("SELECT kpi_id, made_on FROM overrides WHERE period = ? AND made_on IS NOT NULL",
                                    (period,)).fetchall())

    # -- reading ---------------------------------------------------------------------------------

    def submissions(self, period: str) -> list[SubmissionRecord]:
        return self._submissions("period = ?", (period,))

    def submissions_of(self, department: str, period: str) -> list[SubmissionRecord]:
        """The department's submissions for ``period``, in the order recorded."""
        return self._submissions("department = ? AND period = ?", (department, period))

    def _submissions(self, where: str, arguments: tuple) -> list[SubmissionRecord]:
        rows = self.db.execute("SELECT id, department, period, file_name, sha256, received_at, accepted, errors,"
                               f" warnings, findings, superseded_by, merge_id FROM submissions WHERE {where} ORDER BY id",
                               arguments).fetchall()
        return [SubmissionRecord(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8],
                                 tuple(Finding(**f) for f in json.loads(r[9])), r[10], r[11]) for r in rows]

    def filed_for_own_period(self, submissions: list[SubmissionRecord]) -> set[int]:
        """The ids of files among ``submissions`` sent back as another period's form (an annual form sent late
        during a monthly collection) that the history has since recorded for that period: they no longer count
        against the period they were sent back in (the department is asked for this period's form, not again)."""
        settled = set()
        for record in submissions:
            own = next((f.value for f in record.findings if f.code in PERIOD_MISMATCH), "")
            if record.accepted or not own or not record.sha256 or own == record.period:
                continue
            if self.db.execute("SELECT 1 FROM submissions WHERE sha256 = ? AND period = ?",
                               (record.sha256, own)).fetchone():
                settled.add(record.id)
        return settled

    def current(self, period: str) -> dict[str, SubmissionRecord]:
        """The accepted submission in force for each department in ``period``."""
        return {s.department: s for s in self.submissions(period) if s.accepted and s.superseded_by is None}

    def kpi_values(self, period: str) -> dict[str, list[StoredKpiValue]]:
        """Values in force for ``period`` by KPI (a jointly owned KPI may have one per department)."""
        rows = self.db.execute(
            "SELECT v.kpi_id, s.period, v.status, v.raw, v.number, v.unit, v.scale, v.provisional, v.as_of,"
            " v.remarks, v.reason, s.file_name, v.sheet, v.cell, s.received_at, s.department"
            " FROM kpi_values v JOIN submissions s ON s.id = v.submission_id"
            " WHERE s.period = ? AND s.accepted = 1 AND s.superseded_by IS NULL ORDER BY s.id", (period,)).fetchall()
        result: dict[str, list[StoredKpiValue]] = {}
        for r in rows:
            value = with_written_words(Value(r[2], r[3], Decimal(r[4]) if r[4] is not None else None, r[5], r[6]))
            result.setdefault(r[0], []).append(StoredKpiValue(r[0], r[1], value, bool(r[7]), r[8], r[9], r[10],
                                                              r[11], r[12], r[13], r[14], r[15]))
        return result

    def annual_entries(self) -> dict[str, dict[int, tuple[StoredKpiValue, ...]]]:
        """Every year's entries of every KPI: each department's accepted annual entry in force (in the order
        recorded) where one of them has a number, else the imported old record. Which of a shared KPI's entries
        stood (its parts combined, its lead's) is the plan's to say: in_force.annual_actuals.

        Kept once read (a merge needs them for validation and again for the master) until this connection
        writes or rolls back, or another connection commits (SQLite's data_version); the imported records,
        most of the rows, are kept apart, so recording a fiscal year's submissions re-reads only those.
        The caller must not change the dict it gets.
        """
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._imported is None or self._imported[0] != version:
            self._imported, self._annual = (version, self._read_imported_actuals()), None
        if self._annual is None or self._annual[0] != version:
            result: dict[str, dict[int, tuple[StoredKpiValue, ...]]] = {
                kpi_id: {year: (stored,) for year, stored in years.items()} for kpi_id, years in self._imported[1].items()}
            periods = [r[0] for r in self.db.execute(
                "SELECT DISTINCT period FROM submissions WHERE period NOT LIKE '%-%'")]
            for period in periods:
                for kpi_id, values in self.kpi_values(period).items():
                    if any(v.value.is_number for v in values):
                        result.setdefault(kpi_id, {})[int(period)] = tuple(values)
            self._annual = (version, result)
        return self._annual[1]

    def _read_imported_actuals(self) -> dict[str, dict[int, StoredKpiValue]]:
        result: dict[str, dict[int, StoredKpiValue]] = {}
        for kpi_id, year, raw, number, unit, scale, source_file, source_cell, imported_at in self.db.execute(
                "SELECT kpi_id, year, raw, number, unit, scale, source_file, source_cell, imported_at"
                " FROM imported_actuals"):
            value = with_written_words(Value("number", raw, Decimal(number), unit, scale))
            result.setdefault(kpi_id, {})[year] = StoredKpiValue(kpi_id, str(year), value, False, "", "", "",
                                                                 source_file, "", source_cell, imported_at)
        return result

    def initiative_values(self, period: str) -> dict[str, list[tuple[str, InitiativeEntry]]]:
        """Entries in force for ``period`` by initiative: (department, entry), one per department."""
        rows = self.db.execute(
            "SELECT s.department, v.initiative_id, v.status, v.next_step, v.verification, v.sheet, v.row, v.summary,"
            " v.plan, v.name, v.repost_verifications FROM initiative_values v JOIN submissions s ON s.id = v.submission_id"
            " WHERE s.period = ? AND s.accepted = 1 AND s.superseded_by IS NULL ORDER BY s.id", (period,)).fetchall()
        result: dict[str, list[tuple[str, InitiativeEntry]]] = {}
        for department, ident, status, next_step, verification, sheet, row, summary, plan, name, reposts in rows:
            given = tuple((node, text) for node, text in json.loads(reposts)) if reposts else ()
            result.setdefault(ident, []).append((department, InitiativeEntry(
                ident, status, next_step, verification, sheet, row, summary, plan, name, given)))
        return result

    def narratives(self, period: str) -> dict[str, list[tuple[str, NarrativeEntry]]]:
        """Narratives in force for ``period`` by node: (department, entry), one per department."""
        rows = self.db.execute(
            "SELECT s.department, v.node_id, v.achievements, v.next_steps, v.sheet, v.row FROM narratives v"
            " JOIN submissions s ON s.id = v.submission_id"
            " WHERE s.period = ? AND s.accepted = 1 AND s.superseded_by IS NULL ORDER BY s.id", (period,)).fetchall()
        result: dict[str, list[tuple[str, NarrativeEntry]]] = {}
        for department, node_id, achievements, next_steps, sheet, row in rows:
            result.setdefault(node_id, []).append((department, NarrativeEntry(
                node_id, tuple(x for x in achievements.split("\n") if x), tuple(x for x in next_steps.split("\n") if x),
                sheet, row)))
        return result

    def overrides(self, period: str) -> dict[str, Override]:
        return {k: Override(g, r) for k, g, r in
                self.db.execute("SELECT kpi_id, grade, reason FROM overrides WHERE period = ?", (period,))}

    def latest_merge(self, period: str) -> tuple[int, dict] | None:
        """The period's last merge: its id and the snapshot of what stood after it."""
        row = self.db.execute("SELECT id, snapshot FROM merges WHERE period = ? ORDER BY id DESC LIMIT 1",
                              (period,)).fetchone()
        return (int(row[0]), json.loads(row[1])) if row else None

    def previous_snapshot(self, period: str, before_merge: int) -> dict | None:
        """The snapshot of the period's last merge whose master was written (a merge stopped before its master,
        or whose master was held open, does not count: its changes are listed again)."""
        row = self.db.execute("SELECT snapshot FROM merges WHERE period = ? AND id < ? AND master_written = 1"
                              " ORDER BY id DESC LIMIT 1", (period, before_merge)).fetchone()
        return json.loads(row[0]) if row else None

    def latest_before(self, period_key: str) -> dict[str, Value]:
        """For each KPI, the latest accepted number from an earlier period (累計 and jump checks)."""
        return {k: v for k, (_, v) in self.latest_before_with_period(period_key).items()}

    def latest_before_with_period(self, period_key: str) -> dict[str, tuple[str, Value]]:
        """Like latest_before, with the period key each value belongs to. For a fiscal year's 実績 only earlier
        years' 実績 (and imported records) count: a month's 進捗 is a forecast of a year, not a previous actual
        (a month of the year being reported comes before its 実績 in time, yet must not stand for the last year's
        actual). A month's 進捗 compares with the last earlier period, the previous month's included. Which
        department's entry this is does not count: for a shared KPI see in_force.previous_actuals."""
        submitted = {kpi_id: latest(by_department.values())
                     for kpi_id, by_department in self.latest_before_by_department(period_key).items()}
        return later_record(submitted, self.latest_imported_before(period_key))

    def latest_before_by_department(self, period_key: str) -> dict[str, dict[str, tuple[str, Value]]]:
        """For each KPI, each department's latest accepted number from an earlier period (as latest_before_with_period
        counts periods), with its period key; of two in one period, the later recorded."""
        annual = "-" not in period_key
        rows = self.db.execute(
            "SELECT v.kpi_id, s.department, s.period, v.status, v.raw, v.number, v.unit, v.scale"
            " FROM kpi_values v JOIN submissions s ON s.id = v.submission_id"
            " WHERE s.accepted = 1 AND s.superseded_by IS NULL AND v.status = 'number' ORDER BY s.id").fetchall()
        best: dict[str, dict[str, tuple[str, Value]]] = {}
        for kpi_id, department, period, status, raw, number, unit, scale in rows:
            if _period_order(period) >= _period_order(period_key) or (annual and "-" in period):
                continue
            held = best.setdefault(kpi_id, {})
            if department not in held or _period_order(period) >= _period_order(held[department][0]):
                held[department] = (period, with_written_words(Value(status, raw, Decimal(number), unit, scale)))
        return best

    def latest_imported_before(self, period_key: str) -> dict[str, tuple[str, Value]]:
        """Each KPI's last imported old record of a year before the period's fiscal year, with the year as its key
        (all of them are read only for the series, by annual_entries)."""
        return {kpi_id: (str(year), with_written_words(Value("number", raw, Decimal(number), unit, scale)))
                for kpi_id, year, raw, number, unit, scale in self.db.execute(
                    "SELECT i.kpi_id, i.year, i.raw, i.number, i.unit, i.scale FROM imported_actuals i JOIN"
                    " (SELECT kpi_id, MAX(year) AS last FROM imported_actuals WHERE year < ? GROUP BY kpi_id) m"
                    " ON m.kpi_id = i.kpi_id AND m.last = i.year", (_period_order(period_key)[0],))}

    def integrity(self) -> list[str]:
        """PRAGMA integrity_check and foreign keys; [] when healthy."""
        problems = [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in self.db.execute("PRAGMA foreign_key_check")]
        return problems

    def backup(self, target: Path) -> None:
        """A consistent copy while others may read (SQLite's online backup), made beside ``target`` and put in
        place in one step: a full disk or a kill leaves no half-made backup that looks like one."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        making = target.with_name(f".{target.name}.{os.getpid()}{TEMP_SUFFIX}")
        try:
            copy = sqlite3.connect(str(making))
            try:
                self.db.backup(copy)
            finally:
                copy.close()
            os.replace(making, target)
        except (OSError, sqlite3.Error) as exc:
            if is_disk_full(exc):
                raise DiskFull(target.parent) from exc
            raise
        finally:
            making.unlink(missing_ok=True)


def latest(held: Iterable[tuple[str, Value]]) -> tuple[str, Value]:
    """Of (period key, value) pairs, the one of the latest period (the first of those of one period)."""
    return max(held, key=lambda pair: _period_order(pair[0]))


def later_record(submitted: dict[str, tuple[str, Value]],
                 imported: dict[str, tuple[str, Value]]) -> dict[str, tuple[str, Value]]:
    """``submitted`` with each KPI's imported old record where that is later than its submission (or it has none)."""
    result = dict(submitted)
    for kpi_id, (year, value) in imported.items():
        if kpi_id not in result or _period_order(year) > _period_order(result[kpi_id][0]):
            result[kpi_id] = (year, value)
    return result


def recorded_files_in(history_file: Path) -> frozenset[tuple[str, str]]:
    """Every (sha256, period) the workspace's history has recorded a file for; empty before the first merge."""
    if not Path(history_file).exists():
        return frozenset()
    history = History(history_file)
    try:
        return frozenset((sha, period) for sha, period in history.db.execute(
            "SELECT DISTINCT sha256, period FROM submissions"))
    finally:
        history.close()


def holds_records(history_file: Path) -> bool:
    """The history file holds a workspace's key or a submission (read only: nothing is made or changed). An
    empty one (made by a command run after the history was lost, a backup cut short) holds neither; a file that is
    not a database, or a damaged one, counts as holding them: History's own message names it when it is opened."""
    if not Path(history_file).exists():
        return False
    try:
        with _read_only(history_file) as db:
            tables = _tables(db)
            if "meta" in tables and db.execute("SELECT 1 FROM meta WHERE key = 'form_key'").fetchone():
                return True
            return "submissions" in tables and db.execute("SELECT 1 FROM submissions LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return True


def is_history(path: Path) -> bool:
    """The file is a kpireport history (a backup of one): an SQLite database with the history's tables."""
    try:
        with _read_only(path) as db:
            return {"meta", "submissions"} <= _tables(db)
    except sqlite3.Error:
        return False


@dataclass(frozen=True)
class BackupStanding:
    """What an existing backup holds beside the history about to replace it."""

    same_workspace: bool  # the same signing key: a backup of this workspace
    missing: int  # submissions the backup recorded that the history does not hold
    last_missing: str  # when the latest of those was received ("" when none)
    missing_forms: int = 0  # issued forms the backup registered that the history does not hold


def backup_standing(backup: Path, history: History) -> BackupStanding:
    """Compare an existing backup (read only) with the open history: a backup is replaced only when it is this
    workspace's and holds nothing the history lacks (a history restored from an older copy must not overwrite
    the newer backup)."""
    with _read_only(backup) as db:
        their_key, theirs, their_forms = _records(db)
    our_key, ours, our_forms = _records(history.db)
    missing = sorted(theirs - ours, key=lambda r: r[2])
    return BackupStanding(same_workspace=their_key is None or our_key is None or their_key == our_key,
                          missing=len(missing), last_missing=missing[-1][2] if missing else "",
                          missing_forms=len(their_forms - our_forms))


def _records(db: sqlite3.Connection) -> tuple[str | None, set[tuple], set[str]]:
    """A history's signing key, its submissions (sha256, period, received_at) and its issued forms' signatures."""
    key = db.execute("SELECT value FROM meta WHERE key = 'form_key'").fetchone()
    submissions = {tuple(r) for r in db.execute("SELECT sha256, period, received_at FROM submissions")}
    forms = ({r[0] for r in db.execute("SELECT signature FROM issued_forms WHERE signature <> ''")}
             if "issued_forms" in _tables(db) else set())
    return (key[0] if key else None), submissions, forms


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that can neither make the file nor change it."""
    db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_WAIT)
    try:
        yield db
    finally:
        db.close()


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def form_key_in(history_file: Path) -> bytes:
    """History.form_key of a workspace's history file (made with the file when there is none yet)."""
    history = History(history_file)
    try:
        return history.form_key()
    finally:
        history.close()


def _dec(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def _period_order(key: str) -> tuple[int, int]:
    """Order periods by their keys in time (ReportPeriod.position): a fiscal year's months, then its 実績."""
    if "-" in key:
        year, month = (int(x) for x in key.split("-"))
        return ReportPeriod(year if month >= 4 else year - 1, month).position
    return ReportPeriod(int(key)).position


def _row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made (sqlite3 gives one after every INSERT)."""
    if cursor.lastrowid is None:
        raise TypeError("the INSERT gave no row id")
    return cursor.lastrowid

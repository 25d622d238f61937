"""Whose form is this: the metadata sheet read, its signature checked, and the city, department and
period it names compared with the plan. A file that is not a usable form of this plan stops here."""
from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass

from kpireport.forms import layout as fl
from kpireport.messages import ANNUAL_LATE
from kpireport.model import Plan, RawSheet
from kpireport.periods import ReportPeriod, parse_period
from kpireport.validate.context import FormCheck


@dataclass(frozen=True)
class FormIdentity:
    """A recognised form: its department and period, and its rows' identities (sheet name, ID) in order."""

    department: str
    period: ReportPeriod
    rows: list[tuple[str, str]]


def read_meta(sheet: RawSheet) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The metadata sheet: key/value items, then the row identities (sheet name, ID) in form order."""
    items: dict[str, str] = {}
    rows: list[tuple[str, str]] = []
    in_rows = False
    for r in range(1, sheet.max_row + 1):
        key, value = sheet.value(r, 1), sheet.value(r, 2)
        if key is None:
            continue
        if key == "行":
            in_rows = True
        elif in_rows:
            rows.append((str(key), "" if value is None else str(value)))
        else:
            items[str(key)] = "" if value is None else str(value)
    return items, rows


def recognise(check: FormCheck) -> FormIdentity | None:
    """Read the metadata; None when the file is not a usable form of this plan (reported)."""
    meta = check.sub.sheet(fl.META_SHEET)
    if meta is None:
        check.add("form-not-form")
        return None
    items, rows = read_meta(meta)
    if not _known_version(check, items) or not _signed(check, items, rows) or not _this_plan(check, items):
        return None
    check.department = items.get("担当課", "")
    check.form_period = parse_period(items.get("報告期間"))
    if check.form_period is None:
        check.add("form-not-form")
        return None
    if check.period is not None and check.form_period != check.period:
        earlier = check.form_period.position < check.period.position
        late = earlier and check.period.is_monthly and not check.form_period.is_monthly
        if late and check.form_period.fiscal_year == check.period.fiscal_year - 1:  # last year's annual form, late
            check.add(ANNUAL_LATE, value=check.form_period.key, form_period=check.form_period.label,
                      expected_period=check.period.label)
        else:
            check.add("form-wrong-period", value=check.form_period.key, form_period=check.form_period.label,
                      expected_period=check.period.label, why="（前回の様式の使い回しの可能性）" if earlier else "")
    if not _issued_here(check, rows, items.get("作成日時", "")):
        return None
    if items.get("計画ハッシュ") != check.plan.content_hash:
        check.stale_plan = True
        check.add("form-stale-plan")
    _named_as_filed(check)
    return FormIdentity(check.department, check.form_period, rows)


def _known_version(check: FormCheck, items: dict[str, str]) -> bool:
    """A form of this tool (形式) in a 様式版 it can read; remembers the version and whether it is legacy."""
    if items.get("形式") != fl.FORM_KIND:
        check.add("form-not-form")
        return False
    version = items.get("様式版")
    if version not in (fl.FORM_VERSION, *fl.EARLIER_VERSIONS, *fl.LEGACY_VERSIONS):
        check.add("form-version-unknown", value=items.get("様式版", ""))
        return False
    check.legacy = version in fl.LEGACY_VERSIONS
    check.version = version
    return True


def _signed(check: FormCheck, items: dict[str, str], rows: list[tuple[str, str]]) -> bool:
    """The identity was made by this workspace (the signature), or the form is older than signatures."""
    given = items.pop(fl.SIGNATURE_KEY, "")
    if check.legacy:
        if check.issued is not None and not check.issued.issued_legacy:  # a downgrade: refused
            check.add("form-unsigned-refused", value=items.get("担当課", ""), version=check.version)
            return False
        return True  # told once its period is known (_issued_here)
    check.signature = given
    if check.key is None:  # not asked to check
        return True
    if not given or not hmac.compare_digest(given, fl.signature(check.key, list(items.items()), rows)):
        check.add("form-signature-invalid", value=items.get("担当課", ""))
        if items.get("市区町村") == check.plan.settings.city:  # a form of another workspace of this city
            check.department = department_named(check.plan, items.get("担当課", ""))
        return False
    return True


def _this_plan(check: FormCheck, items: dict[str, str]) -> bool:
    """The form names this plan's city and one of its departments."""
    if items.get("市区町村") != check.plan.settings.city:
        check.add("form-other-plan", value=items.get("市区町村", ""), city=check.plan.settings.city)
        return False
    if not check.plan.successors(items.get("担当課", "")):  # a current department, or a former name of one
        named = items.get("担当課", "")
        # a form this workspace signed names a department the plan had when it was made: the plan has changed since
        # (a rename without 旧課名), which is the office's to put right, not the department's
        signed = check.key is not None and not check.legacy
        hint = (f"この作業フォルダが配った様式のため、計画体系で課名が変わった可能性があります。企画担当課が計画体系の"
                f"「担当課」シートで、新しい課の「旧課名」に「{named}」を書くと、この様式のまま受け付けます。" if signed
                else "配布した自課の様式に記入してください。")
        check.add("form-unknown-department", value=named, hint=hint)
        return False
    return True


def department_named(plan: Plan, text: str) -> str:
    """The plan's department a text names (an identity sheet, a file name such as 「総務課_R6提出.xlsx」): the
    longest department name in it, widths folded (ＩＴ推進課 = IT推進課); "" when it names none. A sent-back
    file tied to its department puts that department under 要再提出, not 未提出."""
    folded = unicodedata.normalize("NFKC", text)
    named = [d.name for d in plan.departments if unicodedata.normalize("NFKC", d.name) in folded]
    return max(named, key=len, default="")


def _issued_here(check: FormCheck, rows: list[tuple[str, str]], made_at: str) -> bool:
    """The workspace issued this form: a signed one is in its register (or older than the register); an
    unsigned version-1 one carries its department's rows, not another department's. A signed form made after
    the register's newest form points at the office's history (put back from an older backup), not at the
    department: the message says so."""
    if check.legacy:
        return _legacy_issued_here(check, rows)
    if check.issued is None or check.form_period is None:
        return True
    if not check.issued.knows(check.department, check.form_period.key, check.signature):
        if check.issued.made_after_register(made_at):
            check.add("form-not-issued-history-older", value=check.department, period=check.form_period.label,
                      made=made_at.replace("T", " "), last=check.issued.last_issued_at.replace("T", " "))
        else:
            check.add("form-not-issued", value=check.department, period=check.form_period.label)
        return False
    return True


def _legacy_issued_here(check: FormCheck, rows: list[tuple[str, str]]) -> bool:
    """An unsigned version-1 form: only for a period this workspace issued such forms for (a later period's
    forms were all signed), and carrying its department's rows, not another department's."""
    if check.issued is not None and check.form_period is not None:
        if not check.issued.legacy_in(check.form_period.key):
            check.add("form-unsigned-period-refused", value=check.department, version=check.version,
                      period=check.form_period.label)
            return False
        foreign = sorted({ident for _, ident in rows} & _other_departments_rows(check))
        if foreign:
            check.add("form-rows-other-department", value=check.department, rows="、".join(foreign[:3]))
            return False
    check.add("form-unsigned", value=check.department)
    return True


def _other_departments_rows(check: FormCheck) -> set[str]:
    """The row IDs the plan puts on other departments' forms and not on this department's."""
    assert check.form_period is not None
    ids: dict[str, set[str]] = {}
    for department in fl.departments_with_forms(check.plan):
        sheets = fl.data_sheets(check.plan, department, check.form_period, check.version)
        ids[department] = {str(item["id"]) for sheet in sheets for item in sheet.rows}
    own = ids.pop(check.department, set())
    return set().union(*ids.values()) - own if ids else set()


def _named_as_filed(check: FormCheck) -> None:
    """A file name naming another department than the form's identity (a form saved under another's name)."""
    stem = check.sub.name.rsplit(".", 1)[0]
    if check.department in stem:
        return
    named = department_named(check.plan, stem)
    if named:
        check.add("form-file-name-other-department", value=check.department, named=named)

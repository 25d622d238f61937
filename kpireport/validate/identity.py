"""Whose form is this: the metadata sheet read, its signature checked, and the city, department and
period it names compared with the plan. A file that is not a usable form of this plan stops here."""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from kpireport.forms import layout as fl
from kpireport.model import RawSheet
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
        check.add("form-wrong-period", value=check.form_period.key, form_period=check.form_period.label,
                  expected_period=check.period.label)
    if items.get("計画ハッシュ") != check.plan.content_hash:
        check.add("form-stale-plan")
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
        check.add("form-unsigned", value=items.get("担当課", ""))
        return True
    if check.key is None:  # not asked to check
        return True
    if not given or not hmac.compare_digest(given, fl.signature(check.key, list(items.items()), rows)):
        check.add("form-signature-invalid", value=items.get("担当課", ""))
        return False
    return True


def _this_plan(check: FormCheck, items: dict[str, str]) -> bool:
    """The form names this plan's city and one of its departments."""
    if items.get("市区町村") != check.plan.settings.city:
        check.add("form-other-plan", value=items.get("市区町村", ""), city=check.plan.settings.city)
        return False
    if items.get("担当課", "") not in {d.name for d in check.plan.departments}:
        check.add("form-unknown-department", value=items.get("担当課", ""))
        return False
    return True

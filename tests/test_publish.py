"""The public site (`kpireport publish`, issue 27) on the demo's workspace: what is on it, what never is, its
open data as Frictionless and LibreOffice read it, and every page opened in a real headless Chromium.

The browser and LibreOffice tests are marked slow; Chromium is Debian's (.ci/run installs it), driven by
Playwright's own driver with executable_path, never a downloaded browser.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from forms_helpers import filled_form

from kpireport import labels
from kpireport.cli.commands import cli
from kpireport.history.store import form_key_in
from kpireport.periods import ReportPeriod
from kpireport.plan.workbook import write_plan_workbook
from kpireport.publish.assemble import build_site
from kpireport.publish.names import page_file
from kpireport.publish.policy import Policy
from kpireport.publish.site import PACKAGED_TEMPLATES, WORKSPACE_TEMPLATES, render_site
from kpireport.workspace import Workspace
from kpireport.workspace.api import run_demo
from kpireport.workspace.folder import example_document
from kpireport.workspace.publishing import SITE_FOLDER, publish_site
from kpireport.workspace.reporting import period_data

FIRST_DAY, SECOND_DAY = dt.date(2025, 1, 6), dt.date(2025, 2, 17)
KPI_NOTE, INITIATIVE_NOTE, OVERRIDE_REASON = "内部メモ甲：指標の備考", "内部メモ乙：取組の備考", "内部メモ丙：手動評価の理由"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's workspace with one KPI and one initiative marked 非公開, notes on a KPI and an initiative, a
    grade set by hand with its reason; and its site."""
    ws = Workspace(run_demo(tmp_path_factory.mktemp("publish") / "demo").root)
    doc = copy.deepcopy(example_document())
    names = [k["name"] for k in doc["kpis"]]
    withheld_kpi = next(k for k in doc["kpis"] if sum(k["name"] in other for other in names) == 1)
    withheld_kpi["public"] = "非公開"
    withheld_initiative = doc["initiatives"][1]
    withheld_initiative["public"] = "非公開"
    noted = next(k for k in doc["kpis"] if k is not withheld_kpi)
    noted["note"] = KPI_NOTE
    doc["initiatives"][0]["note"] = INITIATIVE_NOTE
    write_plan_workbook(doc, ws.plan_file)
    ws.override(noted["id"], "A", OVERRIDE_REASON)
    outcome = publish_site(ws, today=FIRST_DAY)
    return {"ws": ws, "outcome": outcome, "site": outcome.folder, "kpi": withheld_kpi, "document": doc,
            "initiative": withheld_initiative, "noted": noted}


def site_texts(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig") for p in sorted(folder.rglob("*"))
            if p.is_file()}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) and not values[name].startswith("data:"):
                self.hrefs.append(values[name])


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_publish_writes_a_page_per_node_and_kpi_with_the_data(demo):
    outcome, site = demo["outcome"], demo["site"]
    assert site == demo["ws"].output / SITE_FOLDER == demo["ws"].root / "output" / "公開"
    plan = demo["ws"].plan()
    public = {k.id for k in plan.kpis if k.public and k.in_force(outcome.period.fiscal_year)}
    assert outcome.kpis == len(public) == len(list(site.glob("kpi-*.html")))
    assert outcome.nodes == len(plan.nodes) == len(list(site.glob("node-*.html")))
    assert outcome.pages == outcome.nodes + outcome.kpis + 2  # the top page and the downloads
    assert outcome.withheld_kpis == [demo["kpi"]["id"]] and outcome.withheld_initiatives == [demo["initiative"]["id"]]
    assert sorted(p.name for p in (site / "data").iterdir()) == sorted(
        f"{name}.{ext}" for name in ("plans", "nodes", "kpis", "values", "initiatives", "departments")
        for ext in ("csv", "json"))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in index and plan.settings.city in index and "最終集計" in index
    assert all((site / "data" / f"{t}.csv").read_bytes().startswith(b"\xef\xbb\xbf") for t in ("kpis", "values"))


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_every_link_and_anchor_of_every_page_resolves(demo):
    site = demo["site"]
    checked = 0
    for page in site.glob("*.html"):
        for href in parsed(page).hrefs:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, f"{page.name} links outside the site: {href}"
            target = (page.parent / unquote(parts.path)) if parts.path else page
            assert target.is_file() and target.stat().st_size > 0, f"{page.name}: {href} does not resolve"
            if parts.fragment:
                assert parts.fragment in parsed(target).ids, f"{page.name}: no #{parts.fragment} in {target.name}"
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize("example", [pytest.param("さくら市", marks=pytest.mark.slow), "かわせみ町"])
def test_other_plans_publish_before_anything_is_merged(tmp_path, example):
    ws = Workspace.create(tmp_path / "ws", example=example)
    outcome = ws.publish()
    plan = ws.plan()
    index = (outcome.folder / "index.html").read_text(encoding="utf-8")
    assert "最終集計 未集計" in index and all(p.name in index for p in plan.plans)
    if any(plan.is_plan_id(k.node) for k in plan.kpis):  # さくら市: the plan's own KGIs on the top page
        assert "全体の指標</caption>" in index
    for page in outcome.folder.glob("*.html"):
        for href in parsed(page).hrefs:
            assert (page.parent / unquote(urlsplit(href).path or page.name)).is_file(), (page.name, href)


def test_a_kpi_marked_非公開_leaves_no_page_and_no_trace(tmp_path):
    doc = copy.deepcopy(example_document("かわせみ町"))
    hidden = doc["kpis"][0]
    hidden["public"] = "非公開"
    outcome = Workspace.create(tmp_path / "ws", document=doc).publish()
    assert outcome.withheld_kpis == [hidden["id"]] and not (outcome.folder / f"kpi-{hidden['id']}.html").exists()
    everything = "\n".join(site_texts(outcome.folder).values())
    assert not re.search(rf"(?<![\w-]){re.escape(hidden['id'])}(?![\w-])", everything)


def test_page_names_are_safe_for_any_id():
    assert page_file("kpi", "K-S1-01") == "kpi-K-S1-01.html"
    odd = page_file("kpi", "指標 1/2")
    assert re.fullmatch(r"kpi-x[0-9a-f]{12}\.html", odd) and odd == page_file("kpi", "指標 1/2")


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_the_kpi_page_shows_series_chart_with_text_grade_working_and_department(demo):
    data = period_data(demo["ws"])
    kpi = next(k for k in data.plan.kpis if k.public and data.values.get(k.id) and k.id != demo["noted"]["id"])
    page = (demo["site"] / f"kpi-{kpi.id}.html").read_text(encoding="utf-8")
    evaluation = data.evaluations[kpi.id]
    assert '<svg class="chart"' in page and 'role="img"' in page and "<desc id=" in page
    assert "<caption>年度ごとの実績と評価</caption>" in page and '<th scope="row">令和5年度</th>' in page
    assert evaluation.working in page and f"{evaluation.grade} {evaluation.label}" in page
    assert kpi.departments[0] in page


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_withheld_items_and_internal_texts_appear_nowhere_in_the_site_or_its_data(demo):
    texts = site_texts(demo["site"])
    everything = "\n".join(texts.values())
    ws, kpi, initiative = demo["ws"], demo["kpi"], demo["initiative"]
    data = period_data(ws)
    internal = {KPI_NOTE, INITIATIVE_NOTE, OVERRIDE_REASON}
    internal |= {v.remarks for v in data.values.values() if v.remarks} | {v.reason for v in data.values.values() if v.reason}
    internal |= {x for d in data.plan.departments for x in (d.contact, d.email, d.note) if x}
    assert len(internal) > 5
    for text in internal:
        assert text not in everything, f"internal text published: {text}"
    for word in ("備考", "未記入の理由", "手動で変更"):
        assert word not in everything, f"internal column published: {word}"
    headers = {name: text.splitlines()[0].split(",") for name, text in texts.items() if name.endswith(".csv")}
    keys = {key for name, text in texts.items() if name.startswith("data/") and name.endswith(".json")
            for record in json.loads(text) for key in record}
    for word in ("連絡先", "担当者・連絡先", "メール"):  # 「安全・安心メール」 may well be in an initiative's text
        assert all(word not in columns for columns in headers.values()) and word not in keys
        assert all(f">{word}<" not in text for name, text in texts.items() if name.endswith(".html"))
    for ident in (kpi["id"], initiative["id"]):
        assert not re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", everything), f"非公開 {ident} published"
    assert kpi["name"] not in everything and initiative["content"] not in everything
    noted = (demo["site"] / f"kpi-{demo['noted']['id']}.html").read_text(encoding="utf-8")
    assert "計画担当課の判断で「A " in noted  # the grade set by hand is published, its reason is not


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_the_office_may_publish_what_is_internal_by_default(demo):
    data = period_data(demo["ws"])
    files = render_site(build_site(data, Policy(frozenset(), False), FIRST_DAY))
    everything = "\n".join(content.decode("utf-8-sig") for content in files.values())
    for text in (KPI_NOTE, INITIATIVE_NOTE, OVERRIDE_REASON, "未記入の理由", "内線"):
        assert text in everything
    assert demo["kpi"]["id"] not in {name.removeprefix("kpi-").removesuffix(".html") for name in files}


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_provisional_values_are_published_only_when_asked_and_then_labelled(demo):
    found = period_data(demo["ws"])
    kpi_id = next(k for k, v in found.values.items() if v.value.is_number and found.plan.kpi(k).public)
    stored = dataclasses.replace(found.values[kpi_id], provisional=True)  # as a department's 見込み is recorded
    evaluation = dataclasses.replace(found.evaluations[kpi_id], provisional=True)
    here = dataclasses.replace(found.series[kpi_id][-1], stored=stored, evaluation=evaluation)
    data = dataclasses.replace(found, values={**found.values, kpi_id: stored},
                               evaluations={**found.evaluations, kpi_id: evaluation},
                               series={**found.series, kpi_id: found.series[kpi_id][:-1] + (here,)})
    hidden = render_site(build_site(data, Policy(frozenset(Policy.of(data.plan.settings).internal), False), FIRST_DAY))
    shown = render_site(build_site(data, Policy(frozenset(), True), FIRST_DAY))
    page = f"kpi-{kpi_id}.html"
    assert "見込み</span>" not in hidden[page].decode() and "まだ報告がありません" in hidden[page].decode()
    assert '<span class="provisional">見込み</span>' in shown[page].decode()
    assert f"\r\n{kpi_id},2023," not in hidden["data/values.csv"].decode("utf-8-sig")
    assert re.search(rf"\r\n{re.escape(kpi_id)},2023,[^\r]*,見込み,", shown["data/values.csv"].decode("utf-8-sig"))


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_rebuilt_from_the_history_alone_is_the_same_apart_from_the_date(demo, tmp_path):
    ws, site = demo["ws"], demo["site"]
    before = {name: path.read_bytes() for name, path in ((p.relative_to(site).as_posix(), p)
                                                         for p in site.rglob("*") if p.is_file())}
    shutil.rmtree(ws.output)  # the master, the report and the site: only the plan and the history are left
    publish_site(ws, today=SECOND_DAY)
    after = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert sorted(after) == sorted(before)
    dated = [name for name in before if before[name] != after[name]]
    assert dated and all(name.endswith(".html") for name in dated)
    first, second = "令和7年1月6日", "令和7年2月17日"
    for name in dated:
        assert before[name].decode().replace(first, second) == after[name].decode(), name


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_a_workspace_copy_of_the_templates_restyles_the_site(demo, tmp_path):
    ws = demo["ws"]
    result = CliRunner().invoke(cli, ["publish", "-w", str(ws.root), "--copy-templates"], catch_exceptions=False)
    own = ws.root / WORKSPACE_TEMPLATES
    assert result.exit_code == 0 and str(own) in result.output
    assert sorted(p.name for p in own.iterdir()) == sorted(p.name for p in PACKAGED_TEMPLATES.iterdir())
    try:
        (own / "style.css").write_text("body { color: #000; } /* 市の独自デザイン */\n", encoding="utf-8")
        base = (own / "base.html").read_text(encoding="utf-8")
        (own / "base.html").write_text(base.replace("<main", '<p class="banner">市のお知らせ</p>\n<main'),
                                       encoding="utf-8")
        outcome = publish_site(ws, today=FIRST_DAY)
        assert outcome.own_templates == own
        assert "市の独自デザイン" in (outcome.folder / "style.css").read_text(encoding="utf-8")
        assert all("市のお知らせ" in p.read_text(encoding="utf-8") for p in outcome.folder.glob("*.html"))
    finally:
        shutil.rmtree(own)
        publish_site(ws, today=FIRST_DAY)


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_publish_command_says_what_it_made_and_kept_off(demo):
    result = CliRunner().invoke(cli, ["publish", "-w", str(demo["ws"].root)], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"公開サイトを作成しました: {demo['site'] / 'index.html'}"
    assert "  非公開（計画体系の「公開」列）: 指標 1件、取組 1件" in lines
    assert "  公開しない項目: 備考、未記入の理由、連絡先、手動評価の理由" in lines
    assert "  見込みの値: 公開しない" in lines


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_run_writes_the_site_too_when_the_settings_say_so(demo):
    ws = demo["ws"]
    doc = copy.deepcopy(example_document())
    doc["settings"]["publish_with_run"] = "する"
    write_plan_workbook(doc, ws.plan_file)
    try:
        shutil.rmtree(ws.output / SITE_FOLDER)
        outcome = ws.run(feedback=False)
        assert outcome.published is not None and (outcome.published.folder / "index.html").is_file()
        assert outcome.published.kpis == len([k for k in ws.plan().kpis if k.in_force(outcome.published.period.fiscal_year)])
    finally:
        write_plan_workbook(demo["document"], ws.plan_file)
        publish_site(ws, today=FIRST_DAY)
    assert demo["ws"].run(feedback=False).published is None  # 設定 says nothing: run leaves the site alone


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_a_monthly_update_is_published_only_when_asked_and_then_labelled_as_見込み(demo, tmp_path):
    ws, period, department = demo["ws"], ReportPeriod(2024, 9), "観光政策課"
    plan = ws.plan()
    filled_form(plan, department, period, tmp_path, key=form_key_in(ws.history_file))
    assert ws.merge(tmp_path, period.key).accepted == 1
    kpi = next(k for k in plan.kpis if k.departments == (department,) and k.public and k.kind == "KPI")
    try:
        hidden = publish_site(ws, period.key, today=FIRST_DAY).folder
        assert "見込みの値は公開していません" in (hidden / "index.html").read_text(encoding="utf-8")
        page = (hidden / f"kpi-{kpi.id}.html").read_text(encoding="utf-8")
        assert "この期間の値は見込みのため公開していません" in page and "provisional" not in page
        assert f"\n{kpi.id},2024," not in (hidden / "data" / "values.csv").read_text(encoding="utf-8-sig")
        shown = publish_site(ws, period.key, provisional=True, today=FIRST_DAY).folder
        page = (shown / f"kpi-{kpi.id}.html").read_text(encoding="utf-8")
        assert "令和6年9月 進捗（見込み）" in page and '<span class="provisional">見込み</span>' in page
        monthly = [line for line in (shown / "data" / "values.csv").read_text(encoding="utf-8-sig").splitlines()
                   if line.startswith(f"{kpi.id},2024,")]
        assert monthly and all(",見込み," in line for line in monthly)
    finally:
        publish_site(ws, today=FIRST_DAY)


@pytest.mark.slow  # the whole demo: every department's form filled and merged, then its site
def test_datapackage_passes_frictionless_validate(demo):
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json",
                           str(demo["site"] / "datapackage.json")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert '"valid": true' in done.stdout


# --- in a real browser (slow) --------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"  # Debian's package (.ci/run installs it); Playwright never downloads one here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE, DESKTOP = 375, 1280
CHARTS = """[...document.querySelectorAll('svg.chart, svg.bar')].map(s => {
  const box = s.getBoundingClientRect();
  return {width: box.width, height: box.height, marks: s.querySelectorAll('circle, polyline, path, rect').length,
          named: !!(s.getAttribute('aria-labelledby') && s.querySelector('title') && s.querySelector('title').textContent)};
})"""
# the number cells whose text takes more than one line (「105 / %」 on a phone)
BROKEN_NUMBERS = """[...document.querySelectorAll('td.num')].filter(td => {
  const range = document.createRange(); range.selectNodeContents(td);
  return range.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(td).fontSize);
}).map(td => td.textContent)"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser, width: int):
    """A page of the given width that records console errors, script errors and failed requests."""
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    page.problems = []
    page.on("console", lambda message: page.problems.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(f"script: {error}"))
    page.on("requestfailed", lambda request: page.problems.append(f"request failed: {request.url}"))
    return page


@pytest.mark.slow  # headless Chromium, every page twice
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_page_opens_in_chromium_without_errors_fits_and_draws_its_charts(demo, browser, width):
    page = open_page(browser, width)
    pages = sorted(demo["site"].glob("*.html"))
    charts = 0
    for path in pages:
        page.goto(path.as_uri(), wait_until="load")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = Path(unquote(urlsplit(href).path))
            assert href.startswith("file://") and target.is_file(), f"{path.name}: {href} does not resolve"
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path.name} scrolls sideways by {overflow}px at {width}px"
        assert not page.evaluate(BROKEN_NUMBERS), f"{path.name}: a number broken across lines at {width}px"
        for chart in page.evaluate(CHARTS):
            assert chart["width"] > 50 and chart["height"] > 5 and chart["marks"] > 0 and chart["named"], path.name
            charts += 1
        assert not page.problems, f"{path.name}: {page.problems}"
    assert charts >= len(list(demo["site"].glob("kpi-*.html")))
    page.context.close()


@pytest.mark.slow  # axe-core in headless Chromium, every page (about two seconds each)
def test_every_page_has_no_serious_or_critical_axe_violation(demo, browser):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_module.Axe()
    page = open_page(browser, PHONE)
    found = []
    for path in sorted(demo["site"].glob("*.html")):
        page.goto(path.as_uri(), wait_until="load")
        results = axe.run(page, options={"resultTypes": ["violations"]})
        found += [f"{path.name}: {v['id']} ({v['impact']}) {v['help']} × {len(v['nodes'])}"
                  for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    page.context.close()
    assert not found, "\n".join(found[:20])


@pytest.mark.slow  # headless Chromium
def test_the_keyboard_reaches_the_skip_link_first_and_every_link_shows_focus(demo, browser):
    page = open_page(browser, DESKTOP)
    page.goto((demo["site"] / "index.html").as_uri(), wait_until="load")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
    assert page.evaluate("document.activeElement.getBoundingClientRect().left") >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert page.evaluate("document.activeElement.tagName") == "A" and outline != "none"
    page.emulate_media(media="print")  # printed: no navigation, tables whole instead of scrolling
    assert page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") == "none"
    page.context.close()


@pytest.mark.slow  # LibreOffice Calc
def test_the_downloads_resolve_and_the_csv_opens_in_libreoffice_calc_with_japanese_intact(demo, tmp_path):
    from office import require
    from openpyxl import load_workbook

    site = demo["site"]
    for href in parsed(site / "data.html").hrefs:
        if href.startswith("data/"):
            assert (site / href).stat().st_size > 0
    soffice = require("soffice")
    csv_path = site / "data" / "kpis.csv"
    # UTF-8 (76), as Calc's text import preselects for a file that starts with a UTF-8 BOM; headless, Calc would
    # otherwise assume the system's legacy code page
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(csv_path)],
                   check=True, timeout=180, capture_output=True)
    sheet = load_workbook(tmp_path / "kpis.xlsx", read_only=True).active
    rows = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)]
    header = csv_path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert rows[0] == header and rows[0][:2] == ["指標ID", "指標名"]
    names = {row[1] for row in rows[1:]}
    assert {v.kpi.name for v in build_site(period_data(demo["ws"]), Policy.of(demo["ws"].plan().settings),
                                           FIRST_DAY).kpis} == names


def test_a_kpi_page_names_the_plans_own_place_first_and_marks_only_the_others_再掲(tmp_path):
    """かわせみ町 KP4-2-1 is listed in P4-2 and 再掲 in P2-1, which comes first in tree order: the page still
    takes P4-2 as its own place (breadcrumb and 掲載先), as kpis.csv, the master and the report do."""
    ws = Workspace.create(tmp_path / "ws", example="かわせみ町")
    plan = ws.plan()
    kpi = next(k for k in plan.kpis if k.id == "KP4-2-1")
    assert kpi.node == "P4-2" and kpi.reposted_under == ("P2-1",)
    outcome = ws.publish()
    page = (outcome.folder / "kpi-KP4-2-1.html").read_text(encoding="utf-8")
    own, other = (labels.node_heading(plan, plan.node(n)) for n in ("P4-2", "P2-1"))
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.S).group()
    assert own in crumbs and other not in crumbs
    places = re.search(r"<dt>掲載先</dt><dd>(.*?)</dd>", page, re.S).group(1)
    assert re.findall(r"<li>.*?</li>", places) == [
        f'<li><a href="node-P4-2.html">{own}</a></li>', f'<li><a href="node-P2-1.html">{other}</a>（再掲）</li>']

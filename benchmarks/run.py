#!/usr/bin/env python3
"""Benchmark of the kpireport pipeline on synthetic plans (see benchmarks/README.md).

    python3 benchmarks/run.py [--sizes small,large,prefecture] [--runs N] [--out benchmarks/RESULTS.md]

Every stage runs in a fresh Python process (this script re-invoked with --worker), timed after its imports,
twice over: in one process (KPIREPORT_WORKERS=1, as on a one-core PC) and as the tool runs by default (one
process too since worker processes were measured not to pay: benchmarks/crossover.py; KPIREPORT_WORKERS unset). The floors (python-calamine reading the inbox,
xlsxwriter writing the master's cells) are measured in the same runs. The script only calls the library.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the code measured is this checkout's, whatever kpireport is installed (a stale non-editable install once made a
# run measure old code); the stage processes run this script, so they take it too
sys.path.insert(0, str(HERE.parent))
SIZES = {
    # name: departments, kpis, initiatives, (top, second, third) nodes of the main plan, history years
    "small": dict(departments=20, kpis=150, initiatives=300, tree=(6, 3, 2), strategy=(4, 3), history_years=0),
    "large": dict(departments=60, kpis=2_000, initiatives=4_000, tree=(8, 5, 5), strategy=(5, 4), history_years=5),
    "prefecture": dict(departments=400, kpis=20_000, initiatives=20_000, tree=(10, 8, 8), strategy=(6, 6),
                       history_years=0),
}
UNITS = ("人", "%", "件", "百万円", "千円", "回", "団体", "箇所", "人泊", "ha")
THEMES = ("観光", "農業", "商工業", "子育て", "学校教育", "健康づくり", "高齢福祉", "防災", "道路", "公共交通",
          "移住定住", "環境", "文化財", "スポーツ", "デジタル化", "雇用", "医療", "上下水道", "住宅", "協働")
DEPT_BASES = ("政策推進", "情報政策", "地域振興", "総務", "防災危機管理", "観光政策", "商工労働", "農林", "建設",
              "都市計画", "地域福祉", "高齢福祉", "健康増進", "こども家庭", "環境生活", "学校教育",
              "生涯学習スポーツ推進", "文化財保護", "税務", "財政")
DIVISIONS = ("総合政策部", "総務部", "観光商工部", "建設経済部", "市民福祉部", "教育委員会事務局")
KANJI_NUMBERS = "一二三四五六七八九十"


# ------------------------------------------------------------------------------------------------
# synthetic plan documents

def _fmt_number(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    return f"{int(round(value)):,}{unit}"


def _department_name(i: int) -> str:
    base = DEPT_BASES[i % len(DEPT_BASES)]
    round_ = i // len(DEPT_BASES)
    if round_ == 0:
        return f"{base}課"
    return f"{base}第{round_ + 1}課"


def make_document(size: str, seed: int = 7) -> dict:
    spec = SIZES[size]
    rng = random.Random(seed)
    n_dept = spec["departments"]
    departments = [{"name": _department_name(i), "division": DIVISIONS[i % len(DIVISIONS)],
                    "contact": f"内線 {1100 + i}", "email": f"dept{i:03d}@example.lg.jp"} for i in range(n_dept)]
    names = [d["name"] for d in departments]
    top_n, second_n, third_n = spec["tree"]
    s_top, s_second = spec["strategy"]
    nodes, leaves, seconds = [], [], []
    for a in range(1, top_n + 1):
        theme = THEMES[(a - 1) % len(THEMES)]
        nodes.append({"id": f"G{a}", "plan": "kihon", "number": str(a), "title": f"{theme}を軸にしたまちづくり{a}"})
        for b in range(1, second_n + 1):
            node = {"id": f"G{a}-{b}", "plan": "kihon", "parent": f"G{a}", "number": str(b),
                    "title": f"{THEMES[(a + b) % len(THEMES)]}の推進と基盤づくり{a}-{b}",
                    "description": f"{theme}分野の施策を総合的に進め、市民の暮らしの質を高める。"}
            nodes.append(node)
            seconds.append(node)
            for c in range(1, third_n + 1):
                leaf = {"id": f"G{a}-{b}-{c}", "plan": "kihon", "parent": f"G{a}-{b}", "number": "①②③④⑤⑥⑦⑧⑨⑩"[c - 1],
                        "title": f"{THEMES[(a + b + c) % len(THEMES)]}に関する施策{a}-{b}-{c}"}
                if rng.random() < 0.05:
                    leaf["markers"] = ["新"]
                nodes.append(leaf)
                leaves.append(leaf)
    s_leaves = []
    for a in range(1, s_top + 1):
        nodes.append({"id": f"S{a}", "plan": "senryaku", "number": str(a),
                      "title": f"重点戦略{KANJI_NUMBERS[(a - 1) % 10]}　{THEMES[(a * 3) % len(THEMES)]}で選ばれるまち"})
        for b in range(1, s_second + 1):
            node = {"id": f"S{a}-{b}", "plan": "senryaku", "parent": f"S{a}", "number": f"{a}-{b}",
                    "title": f"{THEMES[(a * 3 + b) % len(THEMES)]}の戦略方針{a}-{b}"}
            nodes.append(node)
            seconds.append(node)
            s_leaves.append(node)
    all_leaves = leaves + s_leaves

    def owners(index: int) -> list[str]:
        first = names[index % n_dept]
        if rng.random() < 0.1:  # some jointly owned
            return [first, names[(index * 7 + 3) % n_dept]] if n_dept > 1 and names[(index * 7 + 3) % n_dept] != first else [first]
        return [first]

    kpis, interim = [], []
    for i in range(spec["kpis"]):
        unit = UNITS[i % len(UNITS)]
        node = all_leaves[(i * 5) % len(all_leaves)]
        decreasing = i % 9 == 4
        base = 45.0 + (i % 40) if unit == "%" else float(rng.randint(10, 50_000))
        target = base * (0.9 if decreasing else 1.12) if unit != "%" else min(99.0, base + (-5 if decreasing else 8))
        kpi = {"id": f"K{i + 1:05d}", "name": f"{THEMES[i % len(THEMES)]}に関する指標{i + 1}", "unit": unit,
               "direction": "減少" if decreasing else "増加", "aggregation": "単年度",
               "baseline": _fmt_number(base, unit), "baseline_year": "令和4年度",
               "target": _fmt_number(target, unit), "target_year": "令和8年度",
               "node": node["id"], "departments": owners(i)}
        if i % 23 == 7:
            kpi["target"] = "維持"
            kpi["target_type"] = "維持"
        elif i % 23 == 11 and unit == "%":
            kpi["target"] = f"{target:.0f}%以上"
        if i % 10 == 3:
            other = all_leaves[(i * 13 + 1) % len(all_leaves)]
            if other["id"] != node["id"]:
                kpi["reposted_under"] = [other["id"]]
        if i % 50 == 0:
            kpi["markers"] = ["新"]
        kpis.append(kpi)
    initiatives = []
    for i in range(spec["initiatives"]):
        node = all_leaves[(i * 3) % len(all_leaves)]
        theme = THEMES[(i * 7) % len(THEMES)]
        initiatives.append({
            "id": f"T{i + 1:05d}", "node": node["id"], "departments": owners(i + 11),
            "content": f"{theme}の分野で関係機関と連携し、事業の周知と利用促進を図るとともに、"
                       f"効果を検証しながら必要な見直しを行います（取組{i + 1}）。"})
    # narrative nodes: every second-level node, owned by the owner of its first KPI (else round robin)
    first_owner = {}
    for kpi in kpis:
        first_owner.setdefault(kpi["node"].rsplit("-", 1)[0] if kpi["node"].startswith("G") else kpi["node"],
                               kpi["departments"][0])
    for j, node in enumerate(seconds):
        node["departments"] = [first_owner.get(node["id"], names[j % n_dept])]
    return {
        "settings": {
            "city": "架空市", "report_title": "第二次架空市総合計画 前期計画の進捗状況について（ベンチマーク）",
            "meeting_name": "第1回架空市総合計画審議会", "meeting_date": "令和6年12月19日",
            "report_year": "令和6年度", "actual_year": "令和5年度", "deadline": "令和6年5月31日（金）",
            "planning_office": "政策推進課 企画係（内線1201）", "evaluation_method": "線形",
            "maintain_tolerance": 0, "jump_warning_ratio": 3, "narrative_max_lines": 6, "narrative_max_chars": 80,
            "note": "ベンチマーク用の合成データ（benchmarks/run.py）。",
        },
        "plans": [
            {"id": "kihon", "name": "第二次架空市総合計画 前期基本計画", "short_name": "基本計画", "kind": "基本計画",
             "start_year": "令和4年度", "end_year": "令和8年度", "levels": ["基本目標", "基本方針", "施策"]},
            {"id": "senryaku", "name": "第3期架空市まち・ひと・しごと創生総合戦略", "short_name": "総合戦略",
             "kind": "総合戦略", "start_year": "令和5年度", "end_year": "令和8年度", "levels": ["重点戦略", "戦略方針"]},
        ],
        "grades": [
            {"code": "A", "label": "達成", "rule": "最終目標達成", "threshold": 100},
            {"code": "B", "label": "順調", "rule": "ペース", "threshold": 80},
            {"code": "C", "label": "遅れ", "rule": "基準値より改善"},
            {"code": "D", "label": "悪化", "rule": "基準値より悪化"},
            {"code": "−", "label": "評価不能", "rule": "評価不能"},
        ],
        "departments": departments,
        "nodes": nodes,
        "kpis": kpis,
        "interim_targets": interim,
        "initiatives": initiatives,
    }


def import_history(workspace, document: dict, years: int) -> int:
    """Earlier years' actuals (the years before the baseline year 令和4年度=2022 and including it)."""
    from kpireport.history.store import History
    from kpireport.values import parse_value

    history = History(workspace.history_file)
    rows = 0
    try:
        with history.transaction():
            for r, kpi in enumerate(document["kpis"], start=2):
                unit = kpi["unit"]
                shown = float(kpi["baseline"][:-len(unit)].replace(",", ""))
                for k, year in enumerate(range(2022 - years + 1, 2023)):
                    value = parse_value(_fmt_number(shown * (1 - 0.02 * (2022 - year)), unit))
                    if not value.is_number:
                        continue
                    history.import_actual(kpi["id"], year, value, "旧実績.xlsx", f"実績!C{(r - 2) * years + k + 2}")
                    rows += 1
    finally:
        history.close()
    return rows


TARGETS = [
    # (key, label, limit, unit): issue 25's
    ("whole_one", "large city: whole monthly run (`kpireport run`), one process", 6.0, "s"),
    ("default_over_one", "large city: whole run, default ÷ one process (the default is one process: noise only)",
     1.0, "×"),
    ("intake_one", "large city: intake+validation ÷ calamine read, in one process (median of the rounds' ratios)",
     3.0, "×"),
    ("master_ratio", "large city: master write ÷ xlsxwriter floor, in one process (median of the rounds' ratios)",
     1.3, "×"),
    ("whole_memory", "large city: whole monthly run peak memory (main + largest worker)", 400.0, "MB"),
    ("prefecture_whole", "prefecture: whole monthly run, default", 60.0, "s"),
]
COLUMNS = {"one": {"KPIREPORT_WORKERS": "1"}, "default": {}}


# ------------------------------------------------------------------------------------------------
# worker: one stage in this (fresh) process

class _Timer:
    """Wraps a function in a module namespace and adds up its time (benchmark process only)."""

    def __init__(self, module, name: str):
        self.total = 0.0
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - t

        setattr(module, name, wrapped)


def _vmhwm_mb() -> float:
    """This process's peak resident memory since exec (Linux; the benchmark is not the tool)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _largest_worker_mb() -> float:
    """The peak resident memory of the largest worker process this one started and waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _reset_outputs(ws) -> None:
    for folder in (ws.feedback, ws.archive):
        shutil.rmtree(folder, ignore_errors=True)
    for output in list(ws.output.glob("master_*.xlsx")) + list(ws.output.glob("report_*.docx")):
        output.unlink()


def _stage_forms(ws, info):

    shutil.rmtree(ws.input_templates, ignore_errors=True)
    info["files"] = len(ws.make_forms().written)


PLANTED_EVERY = 10  # every 10th department sends a form with one mistake (a feedback copy, a rejection)


def _fill_one(job) -> None:
    import openpyxl

    from kpireport.demo.fill import fill_form
    from kpireport.forms import layout as fl

    form, plan, period, target, plant = job
    department = form.stem.split("_", 2)[2]
    fill_form(form, plan, department, period, target)
    if plant:  # a value typed as words: kpi-value-unreadable, the file is sent back
        workbook = openpyxl.load_workbook(target)
        sheet = workbook[fl.KPI_SHEET]
        column = 1 + [c.key for c in fl.data_sheets(plan, department, period)[0].columns].index("actual")
        sheet.cell(fl.FIRST_ROW, column).value = "集計中のため未定"
        workbook.save(target)


def _stage_fill(ws, info):
    """The departments' side (not a tool stage): each form filled with openpyxl as a person would in Excel."""
    from kpireport.runtime.parallel import process_map

    plan = ws.plan()
    period = ws.period()
    shutil.rmtree(ws.inbox, ignore_errors=True)
    ws.inbox.mkdir()
    forms = sorted(ws.forms_folder(period).glob("*.xlsx"))
    jobs = [(form, plan, period, ws.inbox / form.name, index % PLANTED_EVERY == PLANTED_EVERY - 1)
            for index, form in enumerate(forms)]
    process_map(_fill_one, jobs)
    info.update(files=len(forms), planted=sum(job[4] for job in jobs))


def _stage_validate(ws, info):
    from kpireport.workspace import checking as validate

    checking = _Timer(validate, "process_map")
    _reset_outputs(ws)
    outcome = ws.validate()
    stats = outcome.as_dict()["stats"]
    info.update(files=stats["files"], valid_files=stats["valid_files"], errors=stats["errors"],
                checking_s=checking.total)


def _stage_merge(ws, info):
    from kpireport.evaluate import results, tally
    from kpireport.workspace import checking as validate
    from kpireport.workspace import merging as merge

    # the files' map in check_files: intake and validation, nothing else (merge writes no feedback copies)
    checking, master, build = _Timer(validate, "process_map"), _Timer(merge, "write_master"), _Timer(results, "build")
    _reset_outputs(ws)
    outcome = ws.merge()
    states = [state for _, state in outcome.recorded]
    info.update(accepted=states.count("受理"), rejected=states.count("差し戻し"), intake_validation_s=checking.total,
                master_write_s=master.total, results_s=build.total, grades=tally.grade_tally(outcome.data))


def _stage_report(ws, info):
    info["report_kb"] = round(ws.report(pdf=False).path.stat().st_size / 1024)


def _stage_whole(ws, info):
    """`kpireport run`: check (with feedback copies), record and evaluate, then the master and the report."""
    from kpireport.evaluate import results
    from kpireport.workspace import checking as validate
    from kpireport.workspace import merging as merge
    from kpireport.workspace import running as run

    checking, build = _Timer(validate, "process_map"), _Timer(results, "build")
    master, report = _Timer(merge, "write_master"), _Timer(run, "write_report_file")
    _reset_outputs(ws)
    outcome = ws.run()
    states = [state for _, state in outcome.merge.recorded]
    info.update(checking_s=checking.total, results_s=build.total, master_write_s=master.total, report_s=report.total,
                accepted=states.count("受理"), rejected=states.count("差し戻し"),
                feedback_copies=len(outcome.merge.feedback))


def _stage_floor_read(info, files: list[Path]):
    from python_calamine import CalamineWorkbook

    nonempty = 0
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            for row in workbook.get_sheet_by_name(name).to_python():
                nonempty += sum(1 for v in row if v != "" and v is not None)
    info.update(files=len(files), nonempty_cells=nonempty)


def _read_grid(path: Path) -> list[tuple[str, list]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    return [(name, workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names]


def _stage_floor_write(info, grid, target: Path):
    """xlsxwriter writing the same non-empty cells (constant_memory): the least a master can cost."""
    import xlsxwriter

    written = 0
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    for name, rows in grid:
        worksheet = workbook.add_worksheet(name[:31])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "" and value is not None:
                    worksheet.write(r, c, value if isinstance(value, (int, float, str)) else str(value))
                    written += 1
    workbook.close()
    info["cells"] = written


PAIRED_ROUNDS = 7


def _stage_paired(ws, info):
    """Each ratio's two sides in one process, alternating, after a warm-up merge: intake and validation as the
    merge does them (no feedback copies) against the calamine read of the same files, the master write of the
    merge's results against xlsxwriter writing its cells. Separate processes at separate moments let this VM's
    drift (the floors moved by half between runs) decide a ratio; here each round's sides are seconds apart."""
    from kpireport.master.writer import write_master
    from kpireport.runtime.heap import long_lived_run, settle
    from kpireport.workspace.checking import check_inbox

    plan, period, files = ws.plan(), ws.period(), sorted(ws.inbox.glob("*.xlsx"))
    target = Path(tempfile.mkdtemp(prefix="paired_", dir=ws.root))
    rounds = []
    with long_lived_run():  # as in `merge`: the results set aside from the collector's full passes
        data = ws.merge().data
        settle()
        grid = _read_grid(sorted(ws.output.glob("master_*.xlsx"))[0])
        for _ in range(PAIRED_ROUNDS):
            sides = {}
            for name, step in (("calamine", lambda: _stage_floor_read({}, files)),
                               ("intake", lambda: check_inbox(plan, period, [ws.inbox], ws.history_file)),
                               ("xlsxwriter", lambda: _stage_floor_write({}, grid, target / "floor.xlsx")),
                               ("master", lambda: write_master(data, target / "master.xlsx"))):
                start = time.perf_counter()
                step()
                sides[name] = time.perf_counter() - start
            rounds.append(sides)
    info.update(rounds=rounds, intake_ratio=statistics.median(r["intake"] / r["calamine"] for r in rounds),
                master_ratio=statistics.median(r["master"] / r["xlsxwriter"] for r in rounds))


def worker(stage: str, root: Path, profile: str | None, source: str | None) -> None:
    import python_calamine  # noqa: F401  (imports before timing: the figures are the work)
    import xlsxwriter  # noqa: F401

    import kpireport.council.report  # noqa: F401  (the commands import it when they write a report)
    import kpireport.demo.fill  # noqa: F401
    import kpireport.workspace.running  # noqa: F401
    from kpireport.workspace import Workspace

    ws = Workspace(root)
    info: dict = {"stage": stage}
    grid = _read_grid(Path(source)) if stage == "floor_write" else None
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    if stage == "forms":
        _stage_forms(ws, info)
    elif stage == "fill":
        _stage_fill(ws, info)
    elif stage == "validate":
        _stage_validate(ws, info)
    elif stage == "merge":
        _stage_merge(ws, info)
    elif stage == "report":
        _stage_report(ws, info)
    elif stage == "whole":
        _stage_whole(ws, info)
    elif stage == "paired":
        _stage_paired(ws, info)
    elif stage == "floor_read":
        _stage_floor_read(info, sorted(Path(source).glob("*.xlsx")))
    elif stage == "floor_write":
        _stage_floor_write(info, grid, Path(tempfile.mkdtemp(prefix="floor_", dir=root)) / "floor.xlsx")
    elif stage != "baseline":
        raise SystemExit(f"unknown stage {stage}")
    info["seconds"] = time.perf_counter() - start
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    info.update(main_mb=_vmhwm_mb(), worker_mb=_largest_worker_mb())
    print("@@RESULT " + json.dumps(info, ensure_ascii=False, default=str))


# ------------------------------------------------------------------------------------------------
# parent: orchestration

class StageFailed(Exception):
    pass


def run_stage(stage: str, root: Path, timeout: float, env: dict, profile: Path | None = None,
              source: Path | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", stage, "--root", str(root)]
    if profile:
        cmd += ["--profile", str(profile)]
    if source:
        cmd += ["--source", str(source)]
    full_env = {k: v for k, v in os.environ.items() if k != "KPIREPORT_WORKERS"}
    # the report's PDF is LibreOffice's work, outside the tool's own time: the stages run as without LibreOffice
    full_env.update(env, MPLBACKEND="Agg", PYTHONHASHSEED="0", KPIREPORT_SOFFICE=str(Path(root) / "no-libreoffice"))
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StageFailed(f"timed out after {timeout:.0f} s") from None
    for line in done.stdout.splitlines():
        if line.startswith("@@RESULT "):
            return json.loads(line[len("@@RESULT "):])
    tail = (done.stderr or done.stdout).strip().splitlines()[-8:]
    raise StageFailed(f"exit {done.returncode}: " + " | ".join(tail))


def restore_history(ws, base: Path) -> None:
    for leftover in ws.root.glob(ws.history_file.name + "*"):
        leftover.unlink()
    if base.exists():
        shutil.copyfile(base, ws.history_file)


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


SPEED_STEPS = 10_000_000


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop in a fresh process: how fast this machine is right now."""
    code = f"import time\nt = time.perf_counter()\ns = 0\nfor i in range({SPEED_STEPS}): s += i\nprint(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def bench_size(size: str, workdir: Path, runs: int, timeout: float, do_profile: bool) -> dict:
    from kpireport.history.store import form_key_in
    from kpireport.workspace import Workspace

    spec = SIZES[size]
    result: dict = {"size": size, "spec": spec, "stages": {}, "errors": {}, "setup": {}}
    root = workdir / size
    shutil.rmtree(root, ignore_errors=True)
    document = make_document(size)
    ws = Workspace.create(root, document=document)
    result["setup"].update(nodes=len(document["nodes"]), joint_kpis=sum(len(k["departments"]) > 1
                                                                        for k in document["kpis"]))
    if spec["history_years"]:
        result["setup"]["history_rows"] = import_history(ws, document, spec["history_years"])
    form_key_in(ws.history_file)  # the forms' secret is in the history: the restored copy must hold it
    base = root / "履歴.base.sqlite3"
    if ws.history_file.exists():
        shutil.copyfile(ws.history_file, base)
    log(f"{size}: workspace ready in {root} ({result['setup']})")
    samples: dict[str, list[dict]] = {}

    def stage(name: str, column: str = "default", **kwargs) -> bool:
        key = f"{name}/{column}"
        if key in result["errors"]:
            return False
        try:
            info = run_stage(name, root, timeout, COLUMNS[column], **kwargs)
        except StageFailed as exc:
            result["errors"][key] = str(exc)
            log(f"{size}: {key} FAILED: {exc}")
            return False
        samples.setdefault(key, []).append(info)
        log(f"{size}: {key} {info['seconds']:.2f} s, main {info['main_mb']:.0f} MB, worker {info['worker_mb']:.0f} MB")
        return True

    stage("baseline", "one")
    try:  # the plan cache is written once, as by the first command of the day; not a timed run
        run_stage("forms", root, timeout, COLUMNS["one"])
    except StageFailed as exc:
        result["errors"]["forms/first"] = str(exc)
    for run in range(runs):
        log(f"{size}: run {run + 1}/{runs}")
        restore_history(ws, base)
        for column in COLUMNS:
            if not stage("forms", column):
                break
        if not stage("fill"):
            break
        stage("floor_read", "one", source=ws.inbox)
        for column in COLUMNS:
            restore_history(ws, base)
            stage("validate", column)
            restore_history(ws, base)
            if stage("merge", column) and column == "one":
                stage("floor_write", "one", source=sorted(ws.output.glob("master_*.xlsx"))[0])
            stage("report", column)
            restore_history(ws, base)
            stage("whole", column)
    if size != "prefecture":  # the ratios' targets are the large city's; the prefecture's rounds take minutes
        restore_history(ws, base)
        stage("paired", "one")
    if do_profile and "whole/one" in samples:
        restore_history(ws, base)
        out = root / "profile_whole.pstats"
        try:
            run_stage("whole", root, timeout * 3, COLUMNS["one"], profile=out)
            result["profile"] = top_functions(out, 30)
        except StageFailed as exc:
            result["errors"]["profile"] = str(exc)
    for key, infos in samples.items():
        result["stages"][key] = aggregate(infos)
    return result


MEDIAN_KEYS = ("checking_s", "intake_validation_s", "master_write_s", "results_s", "report_s")


def aggregate(infos: list[dict]) -> dict:
    seconds = [i["seconds"] for i in infos]
    out = {"median_s": statistics.median(seconds), "min_s": min(seconds), "max_s": max(seconds), "runs": len(infos),
           "main_mb": max(i["main_mb"] for i in infos), "worker_mb": max(i["worker_mb"] for i in infos),
           "last": infos[-1]}
    for key in MEDIAN_KEYS:
        if key in infos[0]:
            out[key] = statistics.median(i[key] for i in infos)
    return out


def top_functions(path: Path, n: int) -> str:
    stream = io.StringIO()
    pstats.Stats(str(path), stream=stream).sort_stats("cumulative").print_stats(n)
    text = stream.getvalue()
    for prefix in sorted({str(Path(p).parent) + "/" for p in sys.path if p}, key=len, reverse=True):
        text = text.replace(prefix, "")
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    total = next((line.strip() for line in lines if "function calls" in line), "")
    return "\n".join([total] + lines[start:])


# ------------------------------------------------------------------------------------------------
# report

STAGES = [("forms", "forms (`kpireport forms`)"), ("validate", "validate (`kpireport validate`)"),
          ("merge", "merge (`kpireport merge`)"), ("report", "report (`kpireport report`)"),
          ("whole", "**whole monthly run** (`kpireport run`)")]


def figures(res: dict) -> dict:
    """The figures the targets are about, for one size."""
    st, out = res["stages"], {}
    floor = st.get("floor_read/one", {}).get("median_s")
    for column in COLUMNS:
        whole = st.get(f"whole/{column}")
        if whole:
            out[f"whole_{column}"] = whole["median_s"]
    merge, master_floor = st.get("merge/one"), st.get("floor_write/one")
    if merge and floor:  # each side in a process of its own, at its own moment: printed for comparison
        out["intake_apart"] = merge["intake_validation_s"] / floor
    if merge and master_floor:
        out["master_apart"] = merge["master_write_s"] / master_floor["median_s"]
    paired = st.get("paired/one")
    if paired:  # both sides in one process, round by round: what the targets go by
        out["intake_one"], out["master_ratio"] = paired["last"]["intake_ratio"], paired["last"]["master_ratio"]
    whole = st.get("whole/default")
    if whole:
        out["whole_memory"] = whole["main_mb"] + whole["worker_mb"]
        if "whole_one" in out:
            out["default_over_one"] = out["whole_default"] / out["whole_one"]
    return out


def _cell(stage: dict | None, key: str = "median_s") -> str:
    if not stage or stage.get(key) is None:
        return "—"
    if key == "median_s":
        return f"{stage['median_s']:.2f} ({stage['min_s']:.2f}–{stage['max_s']:.2f})"
    return f"{stage[key]:.2f}"


def render(results: list[dict], args, started: dt.datetime, wall: float) -> str:
    lines = ["# kpireport benchmark results", "",
             f"- machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}",
             f"- date: {started:%Y-%m-%d %H:%M} (benchmark wall time {wall / 60:.1f} min)",
             f"- command: `python3 benchmarks/run.py --sizes {args.sizes} --runs {args.runs}`"
             + (f" (prefecture: {args.prefecture_runs} runs)" if "prefecture" in args.sizes else ""),
             "- times: median (min–max) of the runs, in seconds; each stage in a fresh process, timed after its "
             "imports. **one process**: `KPIREPORT_WORKERS=1`; **default**: `KPIREPORT_WORKERS` unset, which is one "
             "process too (worker processes only when asked for: see \"Where processes pay\" below)."]
    lines += [f"- {args.note}"] if args.note else []
    lines += ["- memory: the stage process's peak resident memory (VmHWM) and the largest worker's (ru_maxrss of "
             "its children), in MB; both include the interpreter and imports (see `baseline`).",
             ""]
    for res in results:
        speed = res.get("speed_s")
        spec = res["spec"]
        lines += [f"## {res['size']}: {spec['departments']} departments, {spec['kpis']:,} KPIs, "
                  f"{spec['initiatives']:,} initiatives", ""]
        if speed:
            lines.append(f"Machine speed: a {SPEED_STEPS:,}-step Python loop took {speed[0]:.2f} s before and "
                         f"{speed[1]:.2f} s after (this VM drifts; compare figures at like speeds).")
            lines.append("")
        lines += ["| stage | one process s | default s | main MB (one / default) | largest worker MB |",
                  "|---|---:|---:|---:|---:|"]
        st = res["stages"]
        for name, label in STAGES:
            one, default = st.get(f"{name}/one"), st.get(f"{name}/default")
            if not one and not default:
                continue
            mem = " / ".join(f"{s['main_mb']:.0f}" if s else "—" for s in (one, default))
            lines.append(f"| {label} | {_cell(one)} | {_cell(default)} | {mem} | "
                         f"{default['worker_mb']:.0f} |" if default else f"| {label} | {_cell(one)} | — | {mem} | — |")
            for key, what in (("checking_s", "↳ files checked, feedback copies written (the files' map)"),
                              ("intake_validation_s", "↳ intake + validation (the files' map, no feedback copies)"),
                              ("results_s", "↳ results from the history (evaluate.results.build)"),
                              ("master_write_s", "↳ master write (write_master)"),
                              ("report_s", "↳ report write (write_report)")):
                if (one and key in one) or (default and key in default):
                    lines.append(f"| {what} | {_cell(one, key)} | {_cell(default, key)} | | |")
        for key, label in (("fill/default", "fill (departments, not a tool stage)"),
                           ("floor_read/one", "floor: python-calamine reads the inbox"),
                           ("floor_write/one", "floor: xlsxwriter writes the master's cells (constant_memory)"),
                           ("baseline/one", "baseline (imports only)")):
            if key in st:
                s = st[key]
                extra = ""
                if key == "floor_read/one":
                    extra = f" ({s['last']['files']} files, {s['last']['nonempty_cells']:,} non-empty cells)"
                if key == "floor_write/one":
                    extra = f" ({s['last']['cells']:,} cells)"
                lines.append(f"| {label}{extra} | {_cell(s)} | | {s['main_mb']:.0f} | |")
        for key, error in res["errors"].items():
            lines.append(f"| {key} | did not complete: {error[:200]} | | | |")
        lines += _paired_lines(st.get("paired/one"))
        whole = st.get("whole/default")
        if whole:
            last = whole["last"]
            lines += ["", f"Whole run: accepted {last['accepted']}, sent back {last['rejected']}, feedback copies "
                          f"{last['feedback_copies']}."]
        lines.append("")
    by_size = {res["size"]: figures(res) for res in results}
    lines += ["## Targets", "", "| target | measured | result |", "|---|---:|---|"]
    for key, label, limit, unit in TARGETS:
        size = "prefecture" if key.startswith("prefecture") else "large"
        value = by_size.get(size, {}).get("whole_default" if key == "prefecture_whole" else key)
        if value is None:
            lines.append(f"| {label} ≤ {limit:g} {unit} | not run | — |")
        else:
            lines.append(f"| {label} ≤ {limit:g} {unit} | {value:.2f} {unit} | {'pass' if value <= limit else '**miss**'} |")
    large = by_size.get("large", {})
    if large.get("intake_apart") is not None and large.get("master_apart") is not None:
        lines += ["", f"Measured as before, each side in a process of its own (the stages' medians over the floors' "
                      f"medians): intake {large['intake_apart']:.2f} ×, master {large['master_apart']:.2f} ×."]
    for res in results:
        if res.get("profile"):
            lines += ["", f"## Profile: {res['size']} whole run in one process (cProfile, top 30 by cumulative time)",
                      "", "```", res["profile"], "```"]
    return "\n".join(lines) + "\n"


def _paired_lines(paired: dict | None) -> list[str]:
    """The rounds of the paired stage: each floor and the tool's step, one after the other in one process."""
    if not paired:
        return []
    rounds = paired["last"]["rounds"]
    lines = ["", f"Paired in one process (`paired`: a merge first, then {len(rounds)} rounds, each side seconds "
                 "after the other; seconds):", "",
             "| round | calamine read | intake + validation | ÷ | xlsxwriter floor | master write | ÷ |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for number, r in enumerate(rounds, start=1):
        lines.append(f"| {number} | {r['calamine']:.2f} | {r['intake']:.2f} | {r['intake'] / r['calamine']:.2f} | "
                     f"{r['xlsxwriter']:.2f} | {r['master']:.2f} | {r['master'] / r['xlsxwriter']:.2f} |")
    lines.append(f"| median | {statistics.median(r['calamine'] for r in rounds):.2f} | "
                 f"{statistics.median(r['intake'] for r in rounds):.2f} | {paired['last']['intake_ratio']:.2f} | "
                 f"{statistics.median(r['xlsxwriter'] for r in rounds):.2f} | "
                 f"{statistics.median(r['master'] for r in rounds):.2f} | {paired['last']['master_ratio']:.2f} |")
    return lines


KEPT_FROM = "\n## Hostile files and feedback copies"  # written by hand from benchmarks/hostile.py: kept on a rerun


def kept_sections(out: Path) -> str:
    """The sections of the results file this script does not write (from KEPT_FROM on), to keep them."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    return old[old.index(KEPT_FROM):] if KEPT_FROM in old else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prefecture-runs", type=int, default=1)
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--workdir", default=None, help="where the workspaces go (default: a temporary folder)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed per stage process")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--note", default="", help="a line for the results' head (say, how busy the machine was)")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, Path(args.root), args.profile, args.source)
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kpireport-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started, t0 = dt.datetime.now(), time.perf_counter()
    results, text = [], ""
    for size in sizes:
        runs = args.prefecture_runs if size == "prefecture" else args.runs
        before = machine_speed()
        results.append(bench_size(size, workdir, runs, args.timeout, do_profile=(size == "large" and not args.no_profile)))
        results[-1]["speed_s"] = [before, machine_speed()]
        Path(args.out).with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str),
                                                        encoding="utf-8")
        text = render(results, args, started, time.perf_counter() - t0)
        Path(args.out).write_text(text + kept_sections(Path(args.out)), encoding="utf-8")
    print(text)
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

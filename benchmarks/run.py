#!/usr/bin/env python3
"""Benchmark of the kpireport pipeline on synthetic plans (issue 7; see benchmarks/README.md).

    python3 benchmarks/run.py [--sizes small,large,prefecture] [--runs N] [--out benchmarks/RESULTS.md]

Every stage runs in a fresh Python process (this script re-invoked with --worker), so each figure
includes what the command itself pays (interpreter start excluded: timing starts after imports).
Peak memory is the larger of that process's own VmHWM (read by the child at its end) and the PSS of
its whole process tree (it and the workers it forks), sampled every 50 ms by this script in a memory
run of each tool stage that is kept out of the timings (the sampling slows what it samples).

Nothing in kpireport is changed: the benchmark only calls the library, and for the break-down of
merge it wraps (in its own worker process) the functions merge calls.
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
TARGETS = {
    "whole_large_s": 5.0, "whole_large_mb": 400.0, "intake_floor_ratio": 3.0, "whole_prefecture_s": 60.0,
    "report_large_s": 3.0,
}


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


# ------------------------------------------------------------------------------------------------
# worker: one stage in this (fresh) process

def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _vmhwm_mb() -> float | None:
    """This process's peak RSS since exec (VmHWM). Unlike ru_maxrss it does not carry the parent's
    RSS over from the fork before exec, so a small stage is not charged for a big parent."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


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


def _reset_outputs(ws) -> None:
    for folder in (ws.feedback, ws.archive):
        shutil.rmtree(folder, ignore_errors=True)
    for master in ws.output.glob("master_*.xlsx"):
        master.unlink()


def _stage_forms(ws, info):
    from kpireport.cli.workspace import load_workspace_plan, resolve_period
    from kpireport.forms.writer import previous_actuals, write_forms

    t = time.perf_counter()
    plan = load_workspace_plan(ws)
    info["plan_load_s"] = time.perf_counter() - t
    period = resolve_period(plan, None)
    shutil.rmtree(ws.forms_folder(period), ignore_errors=True)
    paths = write_forms(plan, period, ws.forms_folder(period), previous=previous_actuals(ws.history_file, period))
    info["files"] = len(paths)


PLANTED_EVERY = 10  # every 10th department sends a form with one mistake (a feedback copy, a rejection)


def _fill_one(job) -> None:
    from kpireport.demo.fill import fill_form

    form, plan, period, target, plant = job
    fill_form(form, plan, form.stem.split("_", 2)[2], period, target)
    if plant:  # a value typed as words: kpi-value-unreadable, the file is sent back
        import openpyxl

        from kpireport.forms import layout as fl

        workbook = openpyxl.load_workbook(target)
        sheet = workbook[fl.KPI_SHEET]
        column = 1 + [c.key for c in fl.data_sheets(plan, form.stem.split("_", 2)[2], period)[0].columns].index("actual")
        sheet.cell(fl.FIRST_ROW, column).value = "集計中のため未定"
        workbook.save(target)


def _stage_fill(ws, info, timer_start):
    """The departments' side (not a tool stage): each form filled with openpyxl as a person would in
    Excel, on both cores (departments work in parallel too)."""
    from kpireport.parallel import map_forked

    from kpireport.cli.workspace import load_workspace_plan, resolve_period

    plan = load_workspace_plan(ws)  # not part of the departments' work
    period = resolve_period(plan, None)
    shutil.rmtree(ws.inbox, ignore_errors=True)
    ws.inbox.mkdir()
    forms = sorted(ws.forms_folder(period).glob("*.xlsx"))
    timer_start[0] = time.perf_counter()
    jobs = [(form, plan, period, ws.inbox / form.name, index % PLANTED_EVERY == PLANTED_EVERY - 1)
            for index, form in enumerate(forms)]
    list(map_forked(_fill_one, jobs, min_items=2))
    info["files"] = len(forms)
    info["planted"] = sum(job[4] for job in jobs)


def _stage_validate(ws, info):
    from kpireport.cli import validate as validation_run

    timer = _Timer(validation_run, "validate_files")
    _reset_outputs(ws)
    outcome = validation_run.run_validation(ws, [], None, feedback=True, show_progress=False)
    stats = outcome.report["stats"]
    info.update(files=stats["files"], valid_files=stats["valid_files"], errors=stats["errors"],
                warnings=stats["warnings"], intake_validation_s=timer.total,
                feedback_copies=len(list(ws.feedback.glob("*.xlsx"))) if ws.feedback.exists() else 0)
    info["first_problems"] = [f"{r.file}: {f.code} {f.sheet}!{f.cell} {f.message}"
                              for r in outcome.results for f in r.findings][:5]


def _stage_merge(ws, info):
    from kpireport.evaluate import results as master_data
    from kpireport.history import merge

    t_validate = _Timer(merge, "validate_files")
    t_master = _Timer(merge, "write_master")
    t_build = _Timer(master_data, "build")
    _reset_outputs(ws)
    outcome = merge.run_merge(ws)
    states = [s for _, s in outcome.recorded]
    info.update(accepted=states.count("受理"), rejected=states.count("差し戻し"), unchanged=states.count("変更なし"),
                intake_validation_s=t_validate.total, master_write_s=t_master.total, master_data_s=t_build.total,
                master_file=str(outcome.master), grades=master_data.grade_tally(outcome.data))


def _stage_report(ws, info):
    from kpireport.cli.report import run_report

    path = run_report(ws)
    info["report_file"] = str(path)
    info["report_kb"] = round(path.stat().st_size / 1024)


def _stage_whole(ws, info):
    """`kpireport run`: validate + merge (feedback copies meanwhile) + master + report, as the command runs."""
    from kpireport.cli import run as monthly_run
    from kpireport.evaluate import results as master_data
    from kpireport.history import merge

    t_validate = _Timer(merge, "validate_files")
    t_merge = _Timer(monthly_run, "merge_inbox")
    t_build = _Timer(master_data, "build")
    t_report = _Timer(monthly_run, "write_report")
    _reset_outputs(ws)
    outcome = monthly_run.run_monthly(ws)
    states = [s for _, s in outcome.merge.recorded]
    info.update(intake_validation_s=t_validate.total, record_s=t_merge.total - t_validate.total, master_data_s=t_build.total,
                report_s=t_report.total, accepted=states.count("受理"), rejected=states.count("差し戻し"),
                feedback_copies=sum(1 for c in outcome.feedback.values() if c))


def _stage_floor_read(ws, info, files: list[Path]):
    from python_calamine import CalamineWorkbook

    cells = nonempty = 0
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python()
            for row in rows:
                cells += len(row)
                nonempty += sum(1 for v in row if v != "" and v is not None)
    info.update(files=len(files), cells=cells, nonempty_cells=nonempty)


def _read_grids(files: list[Path]) -> list[list[tuple[str, list]]]:
    from python_calamine import CalamineWorkbook

    grids = []
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        grids.append([(name, workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names])
    return grids


def _stage_floor_write(ws, info, grids, out_dir: Path):
    import xlsxwriter

    written = 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for n, sheets in enumerate(grids):
        workbook = xlsxwriter.Workbook(str(out_dir / f"floor_{n:04d}.xlsx"), {"constant_memory": True})
        for name, rows in sheets:
            worksheet = workbook.add_worksheet(name[:31])
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value == "" or value is None:
                        continue
                    worksheet.write(r, c, value if isinstance(value, (int, float, str)) else str(value))
                    written += 1
        workbook.close()
    info.update(files=len(grids), cells=written)


def worker(stage: str, root: Path, profile: str | None, source: str | None) -> None:
    # import everything the stages use before timing: the figures are the work, not the imports
    import python_calamine  # noqa: F401
    import xlsxwriter  # noqa: F401

    import kpireport.cli.report  # noqa: F401
    import kpireport.cli.validate  # noqa: F401
    import kpireport.council.report  # noqa: F401
    import kpireport.demo.fill  # noqa: F401
    import kpireport.forms.writer  # noqa: F401
    import kpireport.history.merge  # noqa: F401
    from kpireport.cli.workspace import Workspace

    ws = Workspace(root)
    info: dict = {"stage": stage, "import_rss_mb": _maxrss_mb()}
    prepared = None
    if stage == "floor_write":
        files = sorted(Path(source).glob("*.xlsx")) if Path(source).is_dir() else [Path(source)]
        prepared = _read_grids(files)  # the floor is the writing only
    start = [time.perf_counter()]
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    if stage == "baseline":
        pass
    elif stage == "forms":
        _stage_forms(ws, info)
    elif stage == "fill":
        _stage_fill(ws, info, start)
    elif stage == "validate":
        _stage_validate(ws, info)
    elif stage == "merge":
        _stage_merge(ws, info)
    elif stage == "report":
        _stage_report(ws, info)
    elif stage == "whole":
        _stage_whole(ws, info)
    elif stage == "floor_read":
        _stage_floor_read(ws, info, sorted(Path(source).glob("*.xlsx")))
    elif stage == "floor_write":
        _stage_floor_write(ws, info, prepared, Path(tempfile.mkdtemp(prefix="floor_", dir=root)))
    else:
        raise SystemExit(f"unknown stage {stage}")
    info["seconds"] = time.perf_counter() - start[0]
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    info["ru_maxrss_mb"] = _maxrss_mb()
    info["vmhwm_mb"] = _vmhwm_mb()
    info["peak_rss_mb"] = info["vmhwm_mb"] if info["vmhwm_mb"] is not None else info["ru_maxrss_mb"]
    print("@@RESULT " + json.dumps(info, ensure_ascii=False, default=str))


# ------------------------------------------------------------------------------------------------
# parent: orchestration

class StageFailed(Exception):
    pass


def run_stage(stage: str, root: Path, timeout: float, profile: Path | None = None,
              source: Path | None = None, sample_memory: bool = False) -> dict:
    """Run one stage in a fresh process. ``sample_memory``: also sample the PSS of its process tree (reading
    smaps_rollup costs the kernel a page-table walk of each process, about 4 ms for 250 MB, so sampled runs
    are kept apart from the timed ones)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", stage, "--root", str(root)]
    if profile:
        cmd += ["--profile", str(profile)]
    if source:
        cmd += ["--source", str(source)]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    if profile:  # cProfile sees one process only
        env["KPIREPORT_WORKERS"] = "1"
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        tree_peak = _sample_tree_pss(proc, timeout) if sample_memory else _wait(proc, timeout)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if tree_peak is None:
        raise StageFailed(f"timed out after {timeout:.0f} s")
    for line in stdout.splitlines():
        if line.startswith("@@RESULT "):
            info = json.loads(line[len("@@RESULT "):])
            if sample_memory:
                info["tree_pss_mb"] = tree_peak
                # the figure for targets: the larger of the main process's VmHWM and the sampled PSS of the
                # whole process tree (the forked workers included, shared pages counted once)
                info["peak_rss_mb"] = max(info["peak_rss_mb"], tree_peak)
            return info
    tail = (stderr or stdout).strip().splitlines()[-8:]
    raise StageFailed(f"exit {proc.returncode}: " + " | ".join(tail))


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return found


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _wait(proc: subprocess.Popen, timeout: float) -> float | None:
    """Wait for the stage process without sampling; 0.0 when it ended, None when it ran over ``timeout``."""
    try:
        proc.wait(timeout)
        return 0.0
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def _sample_tree_pss(proc: subprocess.Popen, timeout: float, every: float = 0.05) -> float | None:
    """Wait for the stage process; meanwhile sample the PSS of it and all its descendants every 50 ms.
    Returns the largest sum seen (MB), or None when the stage ran over ``timeout`` (it is then killed)."""
    peak, deadline = 0.0, time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return None
        peak = max(peak, sum(_pss_mb(pid) for pid in _descendants(proc.pid)))
        time.sleep(every)
    return peak


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
    from kpireport.cli.workspace import init_workspace
    from kpireport.periods import ReportPeriod

    spec = SIZES[size]
    result: dict = {"size": size, "spec": spec, "stages": {}, "errors": {}, "setup": {}}
    root = workdir / size
    shutil.rmtree(root, ignore_errors=True)
    t = time.perf_counter()
    document = make_document(size)
    result["setup"]["generate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    ws = init_workspace(root, document=document)
    result["setup"]["plan_workbook_s"] = time.perf_counter() - t
    result["setup"]["nodes"] = len(document["nodes"])
    result["setup"]["joint_kpis"] = sum(len(k["departments"]) > 1 for k in document["kpis"])
    if spec["history_years"]:
        t = time.perf_counter()
        result["setup"]["history_rows"] = import_history(ws, document, spec["history_years"])
        result["setup"]["history_import_s"] = time.perf_counter() - t
    base = root / "履歴.base.sqlite3"
    if ws.history_file.exists():
        shutil.copyfile(ws.history_file, base)
    log(f"{size}: workspace ready in {root} ({result['setup']})")
    forms_folder = ws.forms_folder(ReportPeriod(2023))
    samples: dict[str, list[dict]] = {}

    memory: dict[str, list[dict]] = {}

    def stage(name: str, sampled: bool = False, **kwargs) -> bool:
        if name in result["errors"]:
            return False
        try:
            info = run_stage(name if not name.startswith("floor_write") else "floor_write", root, timeout,
                             sample_memory=sampled, **kwargs)
        except StageFailed as exc:
            result["errors"][name] = str(exc)
            log(f"{size}: {name} FAILED: {exc}")
            return False
        (memory if sampled else samples).setdefault(name, []).append(info)
        log(f"{size}: {name} {info['seconds']:.2f} s, peak {info['peak_rss_mb']:.0f} MB"
            + (" (memory run)" if sampled else ""))
        return True

    stage("baseline", sampled=True)
    for run in range(runs):
        log(f"{size}: run {run + 1}/{runs}")
        restore_history(ws, base)
        if not stage("forms"):
            break
        if not stage("fill"):
            break
        stage("floor_read", source=ws.inbox)
        stage("floor_write_forms", source=forms_folder)
        restore_history(ws, base)
        stage("validate")
        if stage("merge"):
            masters = sorted(ws.output.glob("master_*.xlsx"))
            stage("report")
            if masters:
                stage("floor_write_master", source=masters[0])
        restore_history(ws, base)
        stage("whole")
    if "fill" in samples:  # one more run of the tool's stages, sampling the memory of their process trees
        log(f"{size}: memory run")
        restore_history(ws, base)
        for name in ("forms", "validate", "merge", "report"):
            stage(name, sampled=True)
        restore_history(ws, base)
        stage("whole", sampled=True)
    if do_profile and "fill" in samples:
        restore_history(ws, base)
        for name in ("whole", "report"):  # the report after the whole run's merge: a report with data
            out = root / f"profile_{name}.pstats"
            try:
                run_stage(name, root, timeout * 3, profile=out)
                result.setdefault("profiles", {})[name] = top_functions(out, 25)
            except StageFailed as exc:
                result["errors"][f"profile_{name}"] = str(exc)
    for name, infos in samples.items():
        result["stages"][name] = aggregate(infos, memory.get(name, []))
    if "baseline" in memory:  # a process that only imports: its one run is sampled
        result["stages"]["baseline"] = aggregate(memory["baseline"])
    return result


MEDIAN_KEYS = ("intake_validation_s", "master_write_s", "master_data_s", "plan_load_s", "feedback_s", "record_s",
               "report_s")


def aggregate(infos: list[dict], memory_runs: list[dict] = ()) -> dict:
    """Times from the timed runs; memory from them (each process's own VmHWM) and from the memory run
    (its process tree's sampled PSS as well)."""
    secs = [i["seconds"] for i in infos]
    every = list(infos) + list(memory_runs)
    hwm = [i["vmhwm_mb"] for i in every if i.get("vmhwm_mb") is not None]
    out = {"median_s": statistics.median(secs), "min_s": min(secs), "max_s": max(secs), "runs": len(secs),
           "peak_mb": max(i["peak_rss_mb"] for i in every), "vmhwm_mb": max(hwm) if hwm else None,
           "tree_pss_mb": max((i.get("tree_pss_mb", 0) for i in every), default=0),
           "memory_run_s": memory_runs[-1]["seconds"] if memory_runs else None, "last": infos[-1]}
    for key in MEDIAN_KEYS:
        if key in infos[0]:
            out[key] = statistics.median(i[key] for i in infos)
    return out


def top_functions(path: Path, n: int) -> str:
    stream = io.StringIO()
    stats = pstats.Stats(str(path), stream=stream)
    stats.sort_stats("cumulative").print_stats(n)
    text = stream.getvalue()
    prefixes = sorted({str(Path(p).parent) + "/" for p in sys.path if p}, key=len, reverse=True)
    for prefix in prefixes:
        text = text.replace(prefix, "")
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    total = next((line.strip() for line in lines if "function calls" in line), "")
    return "\n".join([total] + lines[start:])


# ------------------------------------------------------------------------------------------------
# report

def peak(stage: dict | None) -> float | None:
    """The stage's peak memory over its runs: the larger of the main process's VmHWM and the sampled PSS
    of its whole process tree (forked workers included)."""
    return stage.get("peak_mb") if stage else None


def _peak_text(stage: dict) -> str:
    hwm = stage.get("vmhwm_mb")
    return f"{stage['peak_mb']:.0f} | {hwm:.0f} | {stage.get('tree_pss_mb', 0):.0f}" if hwm else \
        f"{stage['peak_mb']:.0f} | — | {stage.get('tree_pss_mb', 0):.0f}"


def _s(stage: dict | None, key: str = "median_s") -> str:
    return "—" if not stage or stage.get(key) is None else f"{stage[key]:.2f}"


def render(results: list[dict], args, started: dt.datetime, wall: float) -> str:
    lines = ["# kpireport benchmark results", "",
             f"- machine: {os.cpu_count()} CPUs (`nproc` = {_nproc()}), {platform.platform()}, "
             f"Python {platform.python_version()}",
             f"- date: {started:%Y-%m-%d %H:%M}" + (f" (benchmark wall time {wall / 60:.1f} min)" if wall else ""),
             (f"- command: `python3 benchmarks/run.py --sizes {args.sizes} --runs {args.runs}`"
              + (f" (prefecture: {args.prefecture_runs} run)" if "prefecture" in args.sizes else ""))
             if not getattr(args, "render_only", None) else
             "- command: figures of the runs named in the notes below, put together with `--render-only`",
             *[f"- note: {n}" for n in getattr(args, "note", [])],
             "- times: median of the runs, [min–max]; each stage in a fresh process, timed after imports, with nothing "
             "else sampling it.",
             "- memory: `peak MB` (the figure used for targets) is the larger of the stage process's own VmHWM (read "
             "from /proc/self/status at its end, in every run) and the PSS of its whole process tree — the stage "
             "process and the worker processes it forks — summed from /proc/<pid>/smaps_rollup every 50 ms by this "
             "script in one more run of each tool stage (the memory run; its time is not in the medians, because "
             "reading smaps_rollup walks each process's page tables, about 4 ms per 250 MB, and slowed the stage). "
             "PSS counts pages shared after the fork once; a peak shorter than 50 ms can be missed, which is why the "
             "VmHWM is taken too. Both include the interpreter and imports (see the `baseline` row).",
             "- cores: the tool forks workers for independent work (forms per department, intake per file, feedback "
             "copies, the master while the report is written, the report's charts) when it has more than one core; "
             "`KPIREPORT_WORKERS=1` runs it all in one process.",
             ""]
    lines += ["## Stages", "",
              "| size | departments / KPIs / initiatives | stage | median s | min–max s | runs | peak MB | main VmHWM MB | tree PSS MB | floor s | ratio to floor |",
              "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for res in results:
        spec = res["spec"]
        label = f"{spec['departments']} / {spec['kpis']:,} / {spec['initiatives']:,}"
        st = res["stages"]
        floors = {"forms": st.get("floor_write_forms"), "validate": st.get("floor_read"),
                  "merge": st.get("floor_read"), "whole": None}
        order = ["baseline", "forms", "fill", "validate", "merge", "report", "whole",
                 "floor_read", "floor_write_forms", "floor_write_master"]
        names = {"baseline": "baseline (imports only)", "forms": "forms (`kpireport forms`)",
                 "fill": "fill (departments, not a tool stage)", "validate": "validate (`kpireport validate`)",
                 "merge": "merge (`kpireport merge`)", "report": "report (`kpireport report`)",
                 "whole": "**whole monthly run** (`kpireport run`: validate, merge with feedback copies meanwhile, master, report)",
                 "floor_read": "floor: calamine read of the inbox",
                 "floor_write_forms": "floor: xlsxwriter write, forms' cells",
                 "floor_write_master": "floor: xlsxwriter write, master's cells"}
        for name in order:
            if name not in st and name not in res["errors"]:
                continue
            if name in res["errors"] and name not in st:
                lines.append(f"| {res['size']} | {label} | {names[name]} | did not complete: {res['errors'][name][:160]} | | | | | | | |")
                continue
            s = st[name]
            floor = floors.get(name)
            ratio = f"{s['median_s'] / floor['median_s']:.1f}×" if floor and floor["median_s"] else ""
            extra = ""
            if name == "floor_read":
                extra = f" ({s['last']['files']} files, {s['last']['nonempty_cells']:,} non-empty cells)"
            if name.startswith("floor_write"):
                extra = f" ({s['last']['files']} files, {s['last']['cells']:,} cells)"
            lines.append(f"| {res['size']} | {label} | {names[name]}{extra} | {_s(s)} | {s['min_s']:.2f}–{s['max_s']:.2f} "
                         f"| {s['runs']} | {_peak_text(s)} | {_s(floor) if floor else ''} | {ratio} |")
            # break-downs measured inside the stage
            if name in ("validate", "merge", "whole") and "intake_validation_s" in s and st.get("floor_read"):
                fr = st["floor_read"]["median_s"]
                lines.append(f"| {res['size']} | {label} | ↳ intake+validation (validate_files) in {name} | "
                             f"{s['intake_validation_s']:.2f} | | | | | | {fr:.2f} | {s['intake_validation_s'] / fr:.1f}× |")
            if name == "whole":
                for key, what in (("feedback_s", "feedback copies (write_feedback_copies)"),
                                  ("record_s", "history recorded, evaluated, committed (merge_inbox after validation;"
                                               " the feedback copies are written meanwhile in a worker)"),
                                  ("master_data_s", "history → master data (master_data.build)"),
                                  ("report_s", "report (write_report; the master is written meanwhile in a worker)")):
                    if key in s:
                        lines.append(f"| {res['size']} | {label} | ↳ {what} | {s[key]:.2f} | | | | | | | |")
            if name == "merge" and "master_write_s" in s:
                fw = st.get("floor_write_master")
                ratio = f"{s['master_write_s'] / fw['median_s']:.1f}×" if fw else ""
                lines.append(f"| {res['size']} | {label} | ↳ master workbook write (write_master) | {s['master_write_s']:.2f} "
                             f"| | | | | | {_s(fw) if fw else ''} | {ratio} |")
                lines.append(f"| {res['size']} | {label} | ↳ master data from history (master_data.build) | "
                             f"{s['master_data_s']:.2f} | | | | | | | |")
            if name in ("forms",) and "plan_load_s" in s:
                lines.append(f"| {res['size']} | {label} | ↳ plan load (load_workspace_plan; the plan cache is "
                             f"written in the first run) | {s['plan_load_s']:.2f} | | | | | | | |")
        for name, error in res["errors"].items():
            if name not in order:
                lines.append(f"| {res['size']} | {label} | {name} | did not complete: {error[:160]} | | | | | | | |")
    lines += ["", "Set-up (not timed as a stage): "]
    for res in results:
        lines.append(f"- {res['size']}: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                                 for k, v in res["setup"].items()))
    for res in results:
        if res.get("speed_s"):
            before, after = res["speed_s"]
            lines.append(f"- machine speed around {res['size']}: a {SPEED_STEPS:,}-step Python loop took {before:.2f} s "
                         f"before and {after:.2f} s after (this VM's speed drifts; compare figures at like speeds)")
    for res in results:
        w = res["stages"].get("whole")
        if w:
            last = w["last"]
            lines.append(f"- {res['size']} whole run, last: accepted {last['accepted']}, sent back {last['rejected']}, "
                         f"feedback copies {last['feedback_copies']}")
        v = res["stages"].get("validate")
        if v:
            last = v["last"]
            lines.append(f"- {res['size']} validate: {last['files']} files, {last['valid_files']} valid, "
                         f"{last['errors']} errors, {last['warnings']} warnings, {last['feedback_copies']} feedback copies")
    lines += ["", "## Targets", "", "| target | measured | result |", "|---|---|---|"]
    by = {r["size"]: r for r in results}

    def check(label: str, value, limit, unit: str, missing: str) -> None:
        if value is None:
            lines.append(f"| {label} | {missing} | not run |")
        else:
            lines.append(f"| {label} | {value:.2f} {unit} | {'pass' if value <= limit else '**miss**'} |")

    large = by.get("large", {}).get("stages", {})
    check("large city: whole monthly run ≤ 5 s", large.get("whole", {}).get("median_s"), TARGETS["whole_large_s"], "s",
          "large not run")
    check("large city: whole monthly run peak memory ≤ 400 MB", peak(large.get("whole")),
          TARGETS["whole_large_mb"], "MB", "large not run")
    for size in ("small", "large", "prefecture"):
        st = by.get(size, {}).get("stages", {})
        v, f = st.get("validate", {}).get("intake_validation_s"), st.get("floor_read", {}).get("median_s")
        if size in by:
            check(f"{size}: intake+validation ≤ 3× calamine read (ratio)", v / f if v and f else None,
                  TARGETS["intake_floor_ratio"], "×", "did not complete")
    check("large city: report ≤ 3 s", large.get("report", {}).get("median_s"), TARGETS["report_large_s"], "s",
          "large not run")
    pref = by.get("prefecture")
    check("prefecture: whole monthly run ≤ 60 s",
          pref["stages"].get("whole", {}).get("median_s") if pref else None, TARGETS["whole_prefecture_s"], "s",
          "did not complete" + (f" ({pref['errors'].get('whole') or pref['errors'].get('fill') or pref['errors'].get('forms') or ''})"[:200] if pref else " (not run)"))
    # memory growth
    lines += ["", "## Memory growth (whole monthly run)", "",
              "| size | KPIs | peak MB | baseline MB (imports) | above baseline MB | KB per KPI above baseline |",
              "|---|---:|---:|---:|---:|---:|"]
    per_kpi = {}
    for res in results:
        w, b = res["stages"].get("whole"), res["stages"].get("baseline")
        if not w or not b or peak(w) is None or peak(b) is None:
            lines.append(f"| {res['size']} | {res['spec']['kpis']:,} | did not complete (or no VmHWM figure) | | | |")
            continue
        above = peak(w) - peak(b)
        per_kpi[res["size"]] = above * 1024 / res["spec"]["kpis"]
        lines.append(f"| {res['size']} | {res['spec']['kpis']:,} | {peak(w):.0f} | {peak(b):.0f} | {above:.0f} "
                     f"| {per_kpi[res['size']]:.1f} |")
    if "prefecture" in per_kpi and "large" in per_kpi:
        ratio = per_kpi["prefecture"] / per_kpi["large"]
        lines.append("")
        lines.append(f"Linear growth check: KB/KPI prefecture ÷ large = {ratio:.2f} "
                     f"({'pass' if ratio <= 1.25 else '**miss**'}: ≤ 1.25 counts as no faster than linear).")
    else:
        lines += ["", "Linear growth check: not run (needs large and prefecture)."]
    if any(r.get("profiles") for r in results):
        lines += ["", "## Profile", ""]
        for res in results:
            for name, text in (res.get("profiles") or {}).items():
                lines += [f"### {res['size']}: {name} (cProfile in one process, KPIREPORT_WORKERS=1; top 25 by cumulative time)", "", "```", text, "```", ""]
    return "\n".join(lines) + "\n"


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,large,prefecture")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prefecture-runs", type=int, default=1)
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--workdir", default=None, help="where the workspaces go (default: a temporary folder)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed per stage process")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--render-only", help="re-render RESULTS.md from result JSON files (comma-separated)")
    parser.add_argument("--note", action="append", default=[], help="a line to add under the machine details")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, Path(args.root), args.profile, args.source)
        return
    if args.render_only:
        results = [r for f in args.render_only.split(",") for r in json.loads(Path(f).read_text(encoding="utf-8"))]
        base = aggregate([run_stage("baseline", Path(tempfile.mkdtemp()), 120)])
        for r in results:  # the import-only process, measured again with VmHWM
            if peak(r["stages"].get("baseline")) is None:
                r["stages"]["baseline"] = base
        text = render(results, args, dt.datetime.fromtimestamp(Path(args.render_only.split(",")[0]).stat().st_mtime),
                      0)
        Path(args.out).write_text(text, encoding="utf-8")
        Path(args.out).with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str),
                                                        encoding="utf-8")
        print(text)
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kpireport-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started, t0 = dt.datetime.now(), time.perf_counter()
    results = []
    json_path = Path(args.out).with_suffix(".json")
    for size in sizes:
        runs = args.prefecture_runs if size == "prefecture" else args.runs
        t_size = time.perf_counter()
        before = machine_speed()
        results.append(bench_size(size, workdir, runs, args.timeout, do_profile=(size == "large" and not args.no_profile)))
        results[-1]["speed_s"] = [before, machine_speed()]
        results[-1]["wall_s"] = time.perf_counter() - t_size
        json_path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        text = render(results, args, started, time.perf_counter() - t0)
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The `kpireport` command. Parses options, calls the library, prints in Japanese; no logic here."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from kpireport import findings_text
from kpireport.cli import printing
from kpireport.cli.japanese import Argument, JapaneseGroup, run_japanese
from kpireport.cli.progress_view import shown
from kpireport.errors import KpireportError
from kpireport.runtime.console import make_output_safe
from kpireport.workspace import Workspace, convert_plan, disk_full_line, is_disk_full, run_demo
from kpireport.workspace.folder import EXAMPLES

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
WORKSPACE_OPTION = click.option("-w", "--workspace", metavar="作業フォルダ",
                                type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                                help="作業フォルダ（省略すると、いまいるフォルダ）。")
PERIOD_OPTION = click.option("--period", "-p", metavar="報告期間", help="報告期間（例: 令和5年度、R5、2023、月次なら 2023-09、R5.9）。"
                                                 "省略すると計画体系の「実績年度」。")


@click.group(cls=JapaneseGroup, context_settings=CONTEXT)
@click.version_option(package_name="kpireport", message="kpireport %(version)s", help="版を表示して終わります。")
@click.option("--debug", is_flag=True, help="予期しないエラーのとき詳細（トレースバック）を表示します。")
def cli(debug: bool) -> None:
    """総合計画・総合戦略のKPI進捗を各課から集め、検証・集計して審議会資料を作ります。

    \b
    はじめての方は、埋め込みの例（美祢市）で一通り動かしてみてください:
      kpireport demo
    """


@cli.command()
@click.argument("directory", cls=Argument, metavar="作業フォルダ", type=click.Path(file_okay=False, path_type=Path),
                help="作る作業フォルダ（なければ作ります）。")
@click.option("--blank", is_flag=True, help="例ではなく、空の計画体系.xlsx を作ります。")
@click.option("--example", "example", type=click.Choice(list(EXAMPLES)), default="美祢市",
              help="元にする埋め込みの例: 美祢市（基本計画と総合戦略）、さくら市（中間の階層の指標と計画全体の"
                   "重要目標達成指標）、かわせみ町（目標値だけの指標と事業の再掲が多いプロジェクト型の総合戦略）。省略すると美祢市。")
@click.option("--force", is_flag=True, help="既にある計画体系.xlsx を作り直します（今のものは日付つきの控えとして残します）。")
@click.option("--keep-history", is_flag=True,
              help="履歴のある作業フォルダでも作り直します（--force と一緒に。履歴と署名の鍵はそのまま残ります）。")
def init(directory: Path, blank: bool, example: str, force: bool, keep_history: bool) -> None:
    """作業フォルダを作ります（計画体系.xlsx、inbox/、input_templates/、output/）。

    \b
    例:
      kpireport init 令和6年度進捗管理
      kpireport init 新しい計画 --example かわせみ町
      kpireport init 新しい計画 --blank
    """
    made = _run(lambda: Workspace.init(directory, example=example, blank=blank, force=force,
                                       keep_history=keep_history))
    workspace = made.workspace
    click.echo(f"作業フォルダを作成しました: {workspace.root}")
    for copy in made.kept:
        click.echo(f"  それまでの {workspace.plan_file.name} は {copy.name} として残しました。")
    click.echo(f"  計画体系: {workspace.plan_file}（{'空の様式' if blank else f'埋め込みの例（{example}）から作成'}）")
    for folder in workspace.folders():
        click.echo(f"  {folder.name}/")
    click.echo("計画体系.xlsx を編集したら「kpireport plan check」で確認してください。")


@cli.group(cls=JapaneseGroup, context_settings=CONTEXT)
def plan() -> None:
    """計画体系（計画・体系・指標・取組・担当課・設定）を確認・変換します。"""


@plan.command("check")
@click.argument("plan_file", cls=Argument, metavar="[計画ファイル]", required=False,
                type=click.Path(dir_okay=False, path_type=Path),
                help="検査する計画体系（.xlsx / .json / .yaml）。省略すると作業フォルダの 計画体系.xlsx。")
@WORKSPACE_OPTION
@click.option("--json", "as_json", is_flag=True, help="結果をJSONで出力します。")
def plan_check(plan_file: Path | None, workspace: Path, as_json: bool) -> None:
    """計画体系を検査し、問題をシート・セルの位置つきで一覧にします。

    エラーがあれば終了コード 1 で終わります。

    \b
    例:
      kpireport plan check
      kpireport plan check 計画体系.xlsx
      kpireport plan check plan.yaml --json
    """
    checked = _run(lambda: Workspace(workspace).check_plan(plan_file))
    if as_json:
        click.echo(json.dumps(checked.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in printing.plan_check_lines(checked):
            click.echo(line)
    sys.exit(0 if checked.valid else 1)


@plan.command("convert")
@click.argument("source", cls=Argument, metavar="変換元", type=click.Path(dir_okay=False, path_type=Path),
                help="いまの計画体系のファイル（.xlsx / .json / .yaml）。")
@click.argument("destination", cls=Argument, metavar="変換先", type=click.Path(dir_okay=False, path_type=Path),
                help="作るファイル。形式は拡張子（.xlsx / .json / .yaml）で決まります。")
@click.option("--force", is_flag=True, help="変換先のファイルが既にあるとき、上書きします。")
def plan_convert(source: Path, destination: Path, force: bool) -> None:
    """計画体系を .xlsx / .json / .yaml の間で変換します（内容はそのまま）。

    \b
    例:
      kpireport plan convert 計画体系.xlsx plan.yaml
      kpireport plan convert plan.json 計画体系.xlsx
      kpireport plan convert plan.yaml 計画体系.xlsx --force
    """
    _run(lambda: convert_plan(source, destination, force))
    click.echo(f"{source} を {destination} に変換しました。内容の確認は「kpireport plan check {destination}」で行えます。")


@cli.command()
@WORKSPACE_OPTION
@PERIOD_OPTION
@click.option("--dept", "-d", "departments", metavar="課名", multiple=True, help="この課の様式だけ作ります（複数指定可）。")
def forms(workspace: Path, period: str | None, departments: tuple[str, ...]) -> None:
    """各課の報告様式（Excel）を作ります。input_templates/<報告期間>/ に課ごとに1ファイル。

    \b
    例:
      kpireport forms
      kpireport forms --period 2023-09
      kpireport forms --dept 観光政策課 --dept 農林課
    """
    with shown() as progress:
        made = _run(lambda: Workspace(workspace).make_forms(period, departments or None, progress))
    for path in made.written:
        click.echo(f"  {path}")
    click.echo(f"様式を{len(made.written)}件作成しました: {made.folder}")


@cli.command()
@click.argument("paths", cls=Argument, metavar="[ファイルまたはフォルダ]...", nargs=-1, type=click.Path(path_type=Path),
                help="検査する様式のファイルまたはフォルダ（いくつでも）。省略すると作業フォルダの inbox/。")
@WORKSPACE_OPTION
@PERIOD_OPTION
@click.option("--json", "as_json", is_flag=True, help="結果をJSONで出力します（検査結果の全体）。")
@click.option("--no-feedback", is_flag=True, help="検査結果つきの控え（output/feedback/）を作りません。")
@click.option("--silent", is_flag=True, help="進み具合を表示しません。")
def validate(paths: tuple[Path, ...], workspace: Path, period: str | None, as_json: bool, no_feedback: bool,
             silent: bool) -> None:
    """提出された様式を検査し、直すべき点をシート・セルの位置つきで表示します。

    問題のあったファイルには、
    問題のセルに印とコメントを付けた控えを output/feedback/ に作ります（そのまま各課に返せます）。
    フォルダの中のほかの報告期間の様式は検査せず、控えもそのままにして、件数を1行で示します。
    エラーがなければ終了コード 0、あれば 1。

    \b
    例:
      kpireport validate
      kpireport validate inbox/令和5年度_実績_観光政策課.xlsx
      kpireport validate 受信フォルダ --period R5 --json
    """
    with shown(silent or as_json) as progress:
        outcome = _run(lambda: Workspace(workspace).validate(paths, period, feedback=not no_feedback, progress=progress))
    if as_json:
        click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in printing.validation_lines(outcome):
            click.echo(line)
    sys.exit(0 if outcome.valid else 1)


@cli.command()
@click.argument("inbox", cls=Argument, metavar="[受信フォルダ]", required=False,
                type=click.Path(file_okay=False, path_type=Path),
                help="提出された様式のフォルダ（省略すると作業フォルダの inbox/）。")
@WORKSPACE_OPTION
@PERIOD_OPTION
def merge(inbox: Path | None, workspace: Path, period: str | None) -> None:
    """受信フォルダの様式を検査し、受理したものを履歴に記録して、台帳（output/master_<報告期間>.xlsx）を作ります。

    同じ課の新しい提出は前の提出に置き換わります。エラーのある提出は差し戻し、受理済みの値はそのまま残ります。
    同じファイルをもう一度集計しても何も変わりません。前回の台帳は output/archive/ に残します。

    \b
    例:
      kpireport merge
      kpireport merge 受信フォルダ --period 2023-09
    """
    with shown() as progress:
        outcome = _run(lambda: Workspace(workspace).merge(inbox, period, progress=progress))
    for line in printing.merge_lines(outcome):
        click.echo(line)
    _unwritten(outcome.problems)


@cli.command("run")
@click.argument("inbox", cls=Argument, metavar="[受信フォルダ]", required=False,
                type=click.Path(file_okay=False, path_type=Path),
                help="提出された様式のフォルダ（省略すると作業フォルダの inbox/）。")
@WORKSPACE_OPTION
@PERIOD_OPTION
@click.option("--no-feedback", is_flag=True, help="検査結果つきの控え（output/feedback/）を作りません。")
@click.option("--sections", "-s", metavar="章", help="報告書に入れる章（report の --sections と同じ）。")
def run_all(inbox: Path | None, workspace: Path, period: str | None, no_feedback: bool,
            sections: str | None) -> None:
    """毎月の作業を一度に行います: 検査（控えの作成）→ 集計・評価 → 台帳 → 審議会資料。

    validate・merge・report を続けて実行するのと同じ結果になります（各ファイルを読むのは一度だけです）。

    \b
    例:
      kpireport run
      kpireport run 受信フォルダ --period 2023-09
    """
    names = _sections(sections)
    with shown() as progress:
        outcome = _run(lambda: Workspace(workspace).run(inbox, period, feedback=not no_feedback, sections=names,
                                                        progress=progress))
    for line in printing.run_lines(outcome):
        click.echo(line)
    _unwritten(outcome.merge.problems)


def _sections(text: str | None) -> list[str] | None:
    return text.replace("、", ",").split(",") if text else None


def _unwritten(problems: dict[Path, str]) -> None:
    """Outputs a program holds open were left as they were: say so, and end with code 1."""
    if problems:
        for message in problems.values():
            click.echo(f"エラー: {message}", err=True)
        sys.exit(1)


@cli.command()
@WORKSPACE_OPTION
@PERIOD_OPTION
@click.option("--provisional/--no-provisional", default=None,
              help="見込みの値も「見込み」と明記して公開する／しない。省略すると計画体系の設定「見込み値の公開」どおり（既定はしない）。")
@click.option("--copy-templates", is_flag=True,
              help="サイトを作らずに、デザインのひな形を作業フォルダの templates/公開サイト にコピーする（編集して使う）。")
def publish(workspace: Path, period: str | None, provisional: bool | None, copy_templates: bool) -> None:
    """市民向けの公開サイトとオープンデータを作ります: output/公開/。

    トップページ、体系（基本目標・施策など）ごとのページ、指標ごとのページ（推移の表とグラフ、評価の求め方）、
    データのダウンロードページ（CSV・JSON と datapackage.json）を作ります。サーバーは不要で、フォルダごと
    市のウェブサーバーに置けば公開でき、パソコン上でも index.html を開いて確認できます。
    計画体系の「公開」列で 非公開 とした指標・取組と、設定の「公開しない項目」（既定: 備考、未記入の理由、
    連絡先、手動評価の理由）は載せません。デザインは、--copy-templates で作業フォルダの templates/公開サイト に
    コピーしたひな形（style.css と各ページの HTML）を編集すると変えられます。

    \b
    例:
      kpireport publish
      kpireport publish --period 2024-09 --provisional
      kpireport publish --copy-templates
    """
    if copy_templates:
        copied = _run(lambda: Workspace(workspace).copy_site_templates())
        click.echo(f"公開サイトのひな形をコピーしました: {copied}（編集すると、次の publish から使います）")
        return
    outcome = _run(lambda: Workspace(workspace).publish(period, provisional))
    for line in printing.publish_lines(outcome):
        click.echo(line)


@cli.command()
@WORKSPACE_OPTION
@PERIOD_OPTION
@click.option("--sections", "-s", metavar="章", help="入れる章を「,」区切りで（表紙,達成状況,記載事項,本文,施策シート,取組状況,指標の推移 または "
                                      "cover,status,legend,body,measures,appendix,series）。省略すると計画体系の設定どおり"
                                      "（既定は指標の推移のほか全部）。")
def report(workspace: Path, period: str | None, sections: str | None) -> None:
    """審議会資料（Word）を作ります: output/report_<報告期間>.docx。

    LibreOffice が入っていれば、目次を更新したPDF（output/report_<報告期間>.pdf）も作ります。
    未提出の課や実績値のない指標など、まだ揃っていないものは資料には載せず、ここに一覧で表示します。
    書式（フォント・大きさ・余白）は作業フォルダの templates/報告書ひな形.docx のスタイルで決まります。
    Wordでそのファイルのスタイルを変えると、次に作る報告書に反映されます。

    \b
    例:
      kpireport report
      kpireport report --period R5 --sections 表紙,達成状況,本文
    """
    with shown() as progress:
        outcome = _run(lambda: Workspace(workspace).report(period, _sections(sections), progress=progress))
    click.echo(f"審議会資料を作成しました: {outcome.path}")
    pdf = outcome.pdf
    if pdf is not None and pdf.failed:
        click.echo(f"エラー: {pdf.line}", err=True)
    elif pdf is not None:
        click.echo(pdf.line)
    for line in printing.checklist_lines(outcome.missing):
        click.echo(line)
    sys.exit(1 if pdf is not None and pdf.failed else 0)


@cli.command()
@WORKSPACE_OPTION
@PERIOD_OPTION
def status(workspace: Path, period: str | None) -> None:
    """提出済み・未提出・要再提出の課を一覧にします（督促の連絡先つき）。

    \b
    例:
      kpireport status
      kpireport status --period 2023-09
    """
    for line in printing.status_lines(_run(lambda: Workspace(workspace).status(period))):
        click.echo(line)


@cli.command()
@click.argument("kpi_id", cls=Argument, metavar="指標ID", help="評価を変える指標のID（計画体系の指標シートのとおり）。")
@click.argument("grade", cls=Argument, metavar="[評価]", required=False, help="付ける評価の記号（評価区分のとおり。例: B）。")
@click.option("--reason", "-r", metavar="理由", help="手動で評価を変える理由（必須）。")
@click.option("--clear", is_flag=True, help="手動の評価を取り消します。")
@WORKSPACE_OPTION
@PERIOD_OPTION
def override(kpi_id: str, grade: str | None, reason: str | None, clear: bool, workspace: Path,
             period: str | None) -> None:
    """指標の評価を手動で変えます（理由つき）。台帳と報告書に「手動評価」として示されます。

    \b
    例:
      kpireport override K-S1-01 B --reason "統計の公表が遅れたため見込みで判断"
      kpireport override K-S1-01 --clear
    """
    ws = Workspace(workspace)
    if clear:
        chosen = _run(lambda: ws.override(kpi_id, None, None, period))
        click.echo(f"{kpi_id} の手動評価を取り消しました（{chosen.label}）。次の「kpireport merge」で台帳に反映します。")
        return
    chosen = _run(lambda: ws.override(kpi_id, grade or "", reason, period))
    click.echo(f"{kpi_id} の評価を手動で「{grade}」にしました（{chosen.label}、理由: {reason}）。"
               "次の「kpireport merge」で台帳に反映します。")


@cli.group(cls=JapaneseGroup, context_settings=CONTEXT)
def history() -> None:
    """履歴データベース（提出と値の記録）の取り込み・点検・バックアップ。"""


@history.command("import")
@click.argument("file", cls=Argument, metavar="Excelファイル", type=click.Path(dir_okay=False, path_type=Path),
                help="1行目に「指標ID」「年度」「実績値」の見出しがある過去の実績のExcel。")
@WORKSPACE_OPTION
def history_import(file: Path, workspace: Path) -> None:
    """過去の年度の実績値を、1行目に「指標ID」「年度」「実績値」の見出しがあるExcelから取り込みます。

    \b
    例:
      kpireport history import 過去の実績.xlsx
    """
    imported = _run(lambda: Workspace(workspace).import_actuals(file))
    for line in findings_text.table(imported.findings):
        click.echo(line)
    click.echo(f"{file.name}: {imported.imported}件の実績値を取り込みました（取り込まなかった行 {len(imported.findings)}件）。")
    sys.exit(1 if any(f.severity == "error" for f in imported.findings) else 0)


@history.command("check")
@WORKSPACE_OPTION
def history_check(workspace: Path) -> None:
    """履歴データベースが壊れていないか点検します（PRAGMA integrity_check）。

    \b
    例:
      kpireport history check
    """
    problems = _run(lambda: Workspace(workspace).check_history())
    if problems:
        for problem in problems:
            click.echo(f"  {problem}")
        raise click.ClickException("履歴データベースに問題があります。「kpireport history backup」の控えから戻すか、担当者に相談してください。")
    click.echo("履歴データベースに問題はありません。")


@history.command("backup")
@click.argument("target", cls=Argument, metavar="[控えのファイル]", required=False,
                type=click.Path(dir_okay=False, path_type=Path),
                help="控えを作る場所（省略すると output/archive/履歴_<日時>.sqlite3）。")
@WORKSPACE_OPTION
def history_backup(target: Path | None, workspace: Path) -> None:
    """履歴データベースの控えを作ります（既定: output/archive/履歴_<日時>.sqlite3）。

    \b
    例:
      kpireport history backup
      kpireport history backup D:/控え/履歴.sqlite3
    """
    replacing = target is not None and target.is_file()
    dest = _run(lambda: Workspace(workspace).backup_history(target))
    click.echo(f"履歴データベースの控えを{'新しい内容で置き換えました' if replacing else '作りました'}: {dest}")


@cli.command()
@click.argument("directory", cls=Argument, metavar="[作業フォルダ]", required=False,
                type=click.Path(file_okay=False, path_type=Path), default=Path("kpireport_demo"),
                help="デモ用に作り直すフォルダ（省略すると ./kpireport_demo）。")
def demo(directory: Path) -> None:
    """埋め込みの例（美祢市の総合計画・総合戦略）で、一連の処理を実行します。

    作業フォルダ（既定: ./kpireport_demo）を作り直し、できたファイルを表示します。

    \b
    例:
      kpireport demo
      kpireport demo /tmp/試し
    """
    with shown() as progress:
        outcome = _run(lambda: run_demo(directory, progress))
    for line in printing.demo_lines(outcome):
        click.echo(line)


T = TypeVar("T")


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except KpireportError as exc:
        raise click.ClickException(str(exc)) from exc


def main(argv: list[str] | None = None) -> None:
    make_output_safe()
    args = sys.argv[1:] if argv is None else argv
    try:
        run_japanese(cli, args)
    except Exception as exc:  # unexpected: one readable line; the traceback only with --debug
        if "--debug" in args:
            raise
        if is_disk_full(exc):
            click.echo(disk_full_line(exc, _workspace_in(args)), err=True)
            sys.exit(1)
        click.echo(f"エラー: 予期しない問題が発生しました（{type(exc).__name__}: {exc}）。"
                   "--debug を付けて実行すると詳細が表示されます。", err=True)
        sys.exit(1)


def _workspace_in(args: list[str]) -> Path:
    """The workspace a command line names (-w/--workspace), else the current folder."""
    for flag in ("-w", "--workspace"):
        if flag in args[:-1]:
            return Path(args[args.index(flag) + 1])
    named = next((a.split("=", 1)[1] for a in args if a.startswith("--workspace=")), None)
    return Path(named) if named else Path.cwd()

"""Click's own words in Japanese: help headings, usage placeholders, the help option, usage errors.

Click writes "Usage:", "Options:", "[OPTIONS]" and "Error:" itself; these classes and ``run_japanese``
replace them so that everything the planning office reads is Japanese.
"""
from __future__ import annotations

import difflib
import re
import sys
from typing import Any

import click

HELP_TEXT = "このヘルプを表示して終わります。"
# The commands in the order of the year's work; the others after them.
YEAR_ORDER = ("init", "plan", "forms", "validate", "merge", "status", "report", "run", "publish", "override",
              "history", "demo")


class Argument(click.Argument):
    """A positional argument with a Japanese name in the usage line and a line of help of its own."""

    def __init__(self, param_decls: list[str], help: str = "", **attrs: Any) -> None:  # noqa: A002 (click's word)
        super().__init__(param_decls, **attrs)
        self.help = help


def first_example(command: click.Command) -> str:
    """The first line under 「例:」 in a command's help (a group: its first command's)."""
    lines = [line.strip() for line in (command.help or "").splitlines()]
    if "例:" in lines:
        following = [line for line in lines[lines.index("例:") + 1:] if line]
        if following:
            return following[0]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            found = first_example(sub)
            if found:
                return found
    return ""


def joined_lines(text: str) -> str:
    """A help text whose Japanese paragraphs are written over several lines, joined without the space click
    puts between lines when it rewraps a paragraph (「…返せます。 フォルダ…」); ``\\b`` blocks stay as written."""
    out: list[str] = []
    keep = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "\b" or not stripped:
            keep = stripped == "\b"
            out.append(line)
            continue
        previous = out[-1].rstrip() if out else ""
        if not keep and previous and previous.strip() != "\b" and not previous.isascii() and not previous[-1].isascii():
            out[-1] = previous + stripped
        else:
            out.append(line)
    return "\n".join(out)


class JapaneseCommand(click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[オプション]")
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = joined_lines(self.help)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="使い方: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        arguments = [(p.make_metavar(ctx), p.help) for p in self.get_params(ctx)
                     if isinstance(p, Argument) and p.help]
        if arguments:
            with formatter.section("引数"):
                formatter.write_dl(arguments)
        rows = [row for p in self.get_params(ctx) if (row := p.get_help_record(ctx)) is not None]
        if rows:
            with formatter.section("オプション"):
                formatter.write_dl(rows)


class JapaneseGroup(JapaneseCommand, click.Group):
    command_class = JapaneseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "コマンド [引数]...")
        super().__init__(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: YEAR_ORDER.index(n) if n in YEAR_ORDER else len(YEAR_ORDER))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        JapaneseCommand.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.get_short_help_str(limit=formatter.width - 6 - len(name))))
            example = first_example(command)
            if example:
                rows.append(("", f"例: {example}"))
        if rows:
            with formatter.section("コマンド（1年の作業の順）" if ctx.parent is None else "コマンド"):
                formatter.write_dl(rows)


JapaneseGroup.group_class = JapaneseGroup


def usage_message(exc: click.UsageError) -> str:
    """Click's usage errors in Japanese; an unknown kind keeps click's own words."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        return f"{_name(exc.param, exc.ctx)} を指定してください。"
    if isinstance(exc, click.NoSuchOption):
        return f"オプション {exc.option_name} はありません。"
    if isinstance(exc, click.BadOptionUsage) and "requires an argument" in exc.message:
        return f"オプション {exc.option_name} に値を指定してください。"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        if isinstance(exc.param.type, click.Choice):
            given = exc.message.split("'")[1] if "'" in exc.message else ""
            return (f"{_name(exc.param, exc.ctx)} に「{given}」は指定できません。"
                    f"{'、'.join(map(str, exc.param.type.choices))} のいずれかを指定してください。")
        if isinstance(exc.param.type, click.Path):
            said = _path_problem(exc.message)
            if said:
                return f"{_name(exc.param, exc.ctx)} に指定した{said}"
        return f"{_name(exc.param, exc.ctx)} の値が正しくありません（{exc.message}）。"
    if exc.message.startswith("No such command"):
        name = exc.message.split("'")[1] if "'" in exc.message else ""
        text = f"コマンド「{name}」はありません。"
        group = exc.ctx.command if exc.ctx is not None else None
        if isinstance(group, click.Group):
            close = difflib.get_close_matches(name, list(group.commands), n=1, cutoff=0.5)
            if close:
                text += f"もしかして: {close[0]}"
        return text
    return exc.format_message()


_PATH_PROBLEMS = (("is a directory.", "はフォルダです。ファイルを指定してください。"),
                  ("is a file.", "はファイルです。フォルダを指定してください。"),
                  ("does not exist.", "が見つかりません。"),
                  ("is not writable.", "には書き込めません。"),
                  ("is not readable.", "を読めません。"))


def _path_problem(message: str) -> str:
    """click.Path's own sentence (「File '…' is a directory.」) in Japanese, naming the path; "" if unknown."""
    quoted = re.search(r"'(.*)'", message)
    for ending, said in _PATH_PROBLEMS:
        if quoted and message.endswith(ending):
            return f" {quoted.group(1)} {said}"
    return ""


def _name(param: click.Parameter, ctx: click.Context | None) -> str:
    """How the usage line names a parameter: the Japanese placeholder of an argument, the option's flag."""
    if isinstance(param, click.Argument) and ctx is not None:
        return param.make_metavar(ctx)
    flags = sorted(param.opts, key=len)
    return f"オプション {flags[-1]}" if flags else str(param.name)


def run_japanese(group: click.Group, args: list[str]) -> None:
    """Run ``group`` and print click's own errors in Japanese; exits like click (0, 1, 2). Bare ``kpireport``
    (or a bare group such as ``kpireport plan``) shows its help and ends with 0."""
    try:
        code = group.main(args=args, prog_name="kpireport", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_help())
        sys.exit(0)
    except click.UsageError as exc:
        click.echo(f"使い方の誤り: {usage_message(exc)}", err=True)
        click.echo("「kpireport -h」で使い方を表示します。", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"エラー: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("中断しました。", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)

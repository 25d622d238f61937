"""Click's own words in Japanese: help headings, the help option, usage errors.

Click writes "Usage:", "Options:" and "Error:" itself; these classes and ``run_japanese`` replace
them so that everything the planning office reads is Japanese.
"""
from __future__ import annotations

import sys

import click

HELP_TEXT = "このヘルプを表示して終わります。"


class JapaneseCommand(click.Command):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="使い方: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [row for p in self.get_params(ctx) if (row := p.get_help_record(ctx)) is not None]
        if rows:
            with formatter.section("オプション"):
                formatter.write_dl(rows)


class JapaneseGroup(JapaneseCommand, click.Group):
    command_class = JapaneseCommand

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        JapaneseCommand.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("コマンド"):
                formatter.write_dl(rows)


JapaneseGroup.group_class = JapaneseGroup


def usage_message(exc: click.UsageError) -> str:
    """Click's usage errors in Japanese; an unknown kind keeps click's own words."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        return f"{exc.param.human_readable_name} を指定してください。"
    if isinstance(exc, click.NoSuchOption):
        return f"オプション {exc.option_name} はありません。"
    if isinstance(exc, click.BadOptionUsage) and "requires an argument" in exc.message:
        return f"オプション {exc.option_name} に値を指定してください。"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        return f"{exc.param.human_readable_name} の値が正しくありません（{exc.message}）。"
    if exc.message.startswith("No such command"):
        name = exc.message.split("'")[1] if "'" in exc.message else ""
        return f"コマンド「{name}」はありません。"
    return exc.format_message()


def run_japanese(group: click.Group, args: list[str]) -> None:
    """Run ``group`` and print click's own errors in Japanese; exits like click (0, 1, 2)."""
    try:
        code = group.main(args=args, prog_name="kpireport", standalone_mode=False)
    except click.UsageError as exc:
        click.echo(f"使い方の誤り: {usage_message(exc)}", err=True)
        click.echo("`kpireport -h` で使い方を表示します。", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"エラー: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("中断しました。", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)

"""Typer's own words in the terminal's language: usage errors, the usage line and help headings.

Typer carries its own copy of click (``typer._click``) whose messages are English f-strings, not
gettext calls, so no gettext domain can translate them. Cocon therefore builds these sentences
itself, from the catalogue (``cli.usage.*`` keys), out of the fields of typer's exceptions (which
option, which value, which command) and gives every command of the ``cocon`` tree a usage line, a
help option and help headings that speak French by default and English with ``COCON_LANG=en``.

The help texts themselves (a command's description, its line in the « Commandes : » list, each
option's and argument's help) come from the catalogue too, under a key derived from the command
path: ``cli.help.project.new`` for ``cocon project new``, ``cli.help.project.new.start`` for its
``--start`` option (the parameter's python name), ``cli.help.cocon`` for ``cocon`` itself. The
English texts written in the code (``help=``, docstrings) are the English catalogue's values; the
tests hold both equal, so changing one without the other (and without the French) fails.
"""

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from typer import _click
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperCommand, TyperGroup

import locales
from cocon.cli.output import lang, t
from store.wording import typeset


def quoted(text: str) -> str:
    """« text » in French, 'text' in English."""
    return t("cli.usage.quoted", text=text)


def _hint(exc: BadParameter) -> str:
    """The option or argument at fault, as the person typed it: « --hours », « P »."""
    if exc.param_hint is not None:
        names = [exc.param_hint] if isinstance(exc.param_hint, str) else list(exc.param_hint)
    elif exc.param is not None:
        opts = getattr(exc.param, "opts", None) if exc.param.param_type_name == "option" else None
        names = list(opts) if opts else [exc.param.display_name_raw]
    else:
        return ""
    return " / ".join(quoted(name.strip("'\"")) for name in names)


#: English reasons typer's parser and types give, and the catalogue key that says them.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^'?(?P<value>.*?)'? is not a valid integer(?: range)?\.?$"), "cli.usage.not_integer"),
    (re.compile(r"^'?(?P<value>.*?)'? is not a valid float(?: range)?\.?$"), "cli.usage.not_number"),
    (re.compile(r"^'?(?P<value>.*?)'? is not a valid boolean.*$"), "cli.usage.not_boolean"),
    (re.compile(r"^Input should be a valid integer.*$"), "cli.usage.want_integer"),
    (re.compile(r"^Input should be a valid (number|float|decimal).*$"), "cli.usage.want_number"),
    (re.compile(r"^Input should be a valid boolean.*$"), "cli.usage.want_boolean"),
    (re.compile(r"^Input should be a valid (date|datetime).*$"), "cli.usage.want_date"),
    (re.compile(r"^'?(?P<value>.*?)'? is not one of (?P<choices>.*?)\.?$"), "cli.usage.not_a_choice"),
    (re.compile(r"^'?(?P<value>.*?)'? does not match the formats? (?P<choices>.*?)\.?$"), "cli.usage.not_a_date"),
    (re.compile(r"^\S+ '?(?P<value>.*?)'? does not exist\.?$"), "cli.usage.path_missing"),
    (re.compile(r"^\S+ '?(?P<value>.*?)'? is a directory\.?$"), "cli.usage.path_is_folder"),
    (re.compile(r"^\S+ '?(?P<value>.*?)'? is a file\.?$"), "cli.usage.path_is_file"),
    (re.compile(r"^\S+ '?(?P<value>.*?)'? is not readable\.?$"), "cli.usage.path_unreadable"),
    (re.compile(r"^\S+ '?(?P<value>.*?)'? is not writable\.?$"), "cli.usage.path_unwritable"),
)


def _reason(message: str) -> str:
    """Why a value was refused, in the terminal's language (an unknown reason is kept as given)."""
    for pattern, key in _REASONS:
        match = pattern.match(message.strip())
        if match:
            found = match.groupdict()
            values = {"value": quoted(found["value"])} if "value" in found else {}
            if "choices" in found:
                values["choices"] = found["choices"].replace("'", "")
            return t(key, **values)
    return message


def _usage_message(exc: UsageError) -> str:
    """The sentence for a usage error, from the exception's fields (never its English text)."""
    if isinstance(exc, MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        if kind == "option":
            return t("cli.usage.missing_option", name=_hint(exc))
        if kind == "argument":
            return t("cli.usage.missing_argument", name=_hint(exc))
        return t("cli.usage.missing_parameter", name=_hint(exc))
    if isinstance(exc, BadParameter):
        reason = _reason(exc.message)
        hint = _hint(exc)
        return t("cli.usage.invalid_value_for", name=hint, reason=reason) if hint else t("cli.usage.invalid_value", reason=reason)
    if isinstance(exc, NoSuchOption):
        sentence = t("cli.usage.no_such_option", name=quoted(exc.option_name))
        if exc.possibilities:
            sentence += " " + t("cli.usage.possible_options", options=", ".join(sorted(exc.possibilities)))
        return sentence
    if isinstance(exc, BadOptionUsage):
        if "does not take a value" in exc.message:
            return t("cli.usage.option_takes_no_value", name=quoted(exc.option_name))
        return t("cli.usage.option_needs_value", name=quoted(exc.option_name))
    return _known_usage(exc.message)


_EXTRA = re.compile(r"^Got unexpected extra arguments? ?\(?s?\)? \((?P<args>.*)\)$")
_NO_COMMAND = re.compile(r"^No such command '(?P<name>.*)'\.$")


def _known_usage(message: str) -> str:
    extra = _EXTRA.match(message)
    if extra:
        args = extra["args"]
        return t("cli.usage.extra_arguments", n=len(args.split()), args=args)
    no_command = _NO_COMMAND.match(message)
    if no_command:
        return t("cli.usage.no_such_command", name=quoted(no_command["name"]))
    if message == "Missing command.":
        return t("cli.usage.missing_command")
    return message


def usage_line(ctx: _click.Context) -> str:
    pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
    return f"{t('cli.usage.usage')} {ctx.command_path} {pieces}".rstrip()


def show_error(exc: ClickException) -> int:
    """Print a usage error (usage line, where to find help, the sentence) on stderr; its exit code."""
    if isinstance(exc, NoArgsIsHelpError):  # a group typed alone: its help, in the right language
        typer.echo(exc.ctx.get_help(), err=True)
        return exc.exit_code
    if isinstance(exc, UsageError):
        if exc.ctx is not None:
            typer.echo(usage_line(exc.ctx), err=True)
            if exc.ctx.command.get_help_option(exc.ctx) is not None:
                command = f"{exc.ctx.command_path} {exc.ctx.help_option_names[0]}"
                typer.echo(t("cli.usage.try_help", command=quoted(command)) + "\n", err=True)
        typer.echo(t("cli.usage.error", message=_usage_message(exc)), err=True)
    else:
        typer.echo(t("cli.usage.error", message=exc.format_message()), err=True)
    return exc.exit_code


_EXTRAS = re.compile(r"\[(?P<extras>[^\[\]]*)\]$")
_TYPE = re.compile(r"<(?P<list>list\[)?(?P<inner>str|int|float|path|Path|file)(?(list)\])>")
_LIST = re.compile(r"<list\[")


def _localized_types(names: str) -> str:
    """``--end <str>`` → ``--end <texte>``, ``<list[str]>`` → ``<liste[texte]>`` (typer names python's types)."""
    def word(match: re.Match[str]) -> str:
        inner = t(f"cli.usage.type_{match['inner'].lower()}")
        return f"<{t('cli.usage.type_list')}[{inner}]>" if match["list"] else f"<{inner}>"

    return _LIST.sub("<" + t("cli.usage.type_list") + "[", _TYPE.sub(word, names))


def _localized_extras(help_text: str) -> str:
    """``[default: 0.0; required]`` → ``[par défaut : 0.0 ; obligatoire]`` (typer writes them in English)."""
    match = _EXTRAS.search(help_text)
    if not match:
        return help_text
    parts = []
    for part in match["extras"].split("; "):
        if part.startswith("default: "):
            part = t("cli.usage.default", value=part.removeprefix("default: "))
        elif part.startswith("env var: "):
            part = t("cli.usage.env_var", value=part.removeprefix("env var: "))
        elif part == "required":
            part = t("cli.usage.required")
        parts.append(part)
    separator = " ; " if lang() == "fr" else "; "
    return help_text[: match.start()] + "[" + separator.join(parts) + "]"


HELP_ROOT = "cocon"


def help_key(path: Sequence[str], param: str | None = None) -> str:
    """The catalogue key of a command's help (``cli.help.project.new``) or of its option ``param``."""
    return ".".join(["cli.help", *(path or [HELP_ROOT]), *([param] if param else [])])


def command_path(ctx: _click.Context) -> list[str]:
    """The names from ``cocon`` down to ``ctx``'s command, ``cocon`` left out: ``["project", "new"]``."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.command.name or "")
        ctx = ctx.parent
    return names[::-1]


@contextmanager
def _catalogue_help(item: Any, key: str) -> Iterator[None]:
    """``item.help`` (a command's or a parameter's) from the catalogue while click formats it (typeset in
    French); the code's own text when the catalogue has no ``key``."""
    original = item.help
    if locales.has(key):
        item.help = typeset(t(key), lang())
    try:
        yield
    finally:
        item.help = original


class _Localized:
    """Help pages in the terminal's language: usage line, help option, headings, defaults, texts."""

    def format_help_text(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        with _catalogue_help(self, help_key(command_path(ctx))):
            super().format_help_text(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        pieces = ctx.command.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("cli.usage.usage") + " ")

    def get_help_option(self, ctx: _click.Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = t("cli.usage.help_option")
        return option

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        path = command_path(ctx)
        for param in ctx.command.get_params(ctx):
            with _catalogue_help(param, help_key(path, param.name)):
                record = param.get_help_record(ctx)
            if record is not None:
                record = (_localized_types(record[0]), _localized_extras(record[1]))
                (args if param.param_type_name == "argument" else opts).append(record)
        if args:
            _section(formatter, t("cli.usage.arguments"), args)
        if opts:
            _section(formatter, t("cli.usage.options"), opts)
        if isinstance(self, TyperGroup):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        group = ctx.command
        assert isinstance(group, TyperGroup)
        commands = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
        visible = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if visible:
            limit = formatter.width - 6 - max(len(name) for name, _cmd in visible)
            path, rows = command_path(ctx), []
            for name, cmd in visible:
                with _catalogue_help(cmd, help_key([*path, name])):  # shortened after its spaces are split:
                    rows.append((name, typeset(cmd.get_short_help_str(limit), lang())))  # typeset again
            _section(formatter, t("cli.usage.commands"), rows)


def _section(formatter: _click.HelpFormatter, heading: str, rows: list[tuple[str, str]]) -> None:
    """A help section whose heading carries its own colon (« Options : » in French)."""
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}{heading}\n")
    with formatter.indentation():
        formatter.write_dl(rows)


class LocalCommand(_Localized, TyperCommand):
    """A ``cocon`` command whose help speaks the terminal's language."""


class LocalGroup(_Localized, TyperGroup):
    """A ``cocon`` command group whose help and usage errors speak the terminal's language."""

    def collect_usage_pieces(self, ctx: _click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [t("cli.usage.command_metavar") if piece == self.subcommand_metavar else piece for piece in pieces]

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as exc:  # `cocon --nope`, or `cocon` alone
            raise typer.Exit(show_error(exc)) from None


def localize(app: typer.Typer) -> None:
    """Give every command and group under ``app`` the help and errors of the terminal's language."""
    if not _chosen(app.info.cls):
        app.info.cls = LocalGroup
    for command in app.registered_commands:
        if not _chosen(command.cls) or command.cls is TyperCommand:
            command.cls = LocalCommand
    for group in app.registered_groups:
        if not _chosen(group.cls):
            group.cls = LocalGroup
        if group.typer_instance is not None:
            localize(group.typer_instance)


def _chosen(cls: object) -> bool:
    """Whether a command class was chosen by Cocon (typer leaves a placeholder, or its own class)."""
    return isinstance(cls, type) and cls not in (TyperCommand, TyperGroup)

"""Entry point of the ``cocon`` command. Errors become one sentence and exit code 1.

User errors (the :class:`CoconError` tree, template problems, plan and clock errors) print their
own sentence; a file that cannot be read or written is named with the reason; anything else is a
bug, reported in one sentence without its text (which may quote data) unless ``COCON_DEBUG=1``.
"""

import errno
import os
from typing import Any

import typer
from typer._click.exceptions import ClickException
from typer.exceptions import TyperException

from cocon.cli import (
    charter,
    db,
    demo,
    evaluation,
    gatherings,
    notify,
    participation,
    projects,
    serve,
    templates,
    users,
)
from cocon.cli.language import LocalGroup, localize, show_error
from cocon.cli.output import lang, t
from store.exceptions import CoconError


class CoconGroup(LocalGroup):
    """Turns the errors a user can cause into one clear sentence, never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # a click Context, which typer re-exports only as its subclass
        try:
            return super().invoke(ctx)
        except ClickException as exc:  # a usage error: typer's English is said in the user's language
            raise typer.Exit(show_error(exc)) from None
        except typer.Abort:  # input ended at a question (Ctrl-D, or a script's input ran out)
            typer.echo("\n" + t("cli.usage.aborted"), err=True)  # after the question left unanswered
            raise typer.Exit(1) from None
        except (typer.Exit, TyperException):
            raise
        except CoconError as exc:  # a template's problems are its message, one per line
            typer.echo(exc.message(lang()), err=True)
            raise typer.Exit(1) from None
        except OSError as exc:
            typer.echo(file_problem(exc), err=True)
            raise typer.Exit(1) from None
        except Exception as exc:  # the last net: one sentence, never a traceback (COCON_DEBUG=1 shows it)
            if os.environ.get("COCON_DEBUG"):
                raise
            typer.echo(t("cli.main.unexpected_error", error=type(exc).__name__), err=True)
            raise typer.Exit(1) from None


def file_reasons() -> dict[int, str]:
    """What a file error means for the person who typed the path, in their language."""
    return {
        errno.ENOENT: t("cli.file.missing"),
        errno.EISDIR: t("cli.file.is_folder"),
        errno.ENOTDIR: t("cli.file.not_folder"),
        errno.EACCES: t("cli.file.forbidden"),
        errno.EPERM: t("cli.file.forbidden"),
        errno.EROFS: t("cli.file.read_only"),
        errno.ENOSPC: t("cli.file.disk_full"),
        errno.EEXIST: t("cli.file.exists"),
    }


def file_problem(exc: OSError) -> str:
    """One sentence for a file that cannot be read or written, naming it and saying why."""
    name = exc.filename if exc.filename is not None else "?"
    reason = file_reasons().get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return t("cli.file.cannot_use", name=name, reason=reason)


app = typer.Typer(
    cls=CoconGroup,
    help="Cocon: run co-construction projects with patients and users (avant, pendant, après).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(templates.app, name="templates")
app.add_typer(projects.project_app, name="project")
for _name, _command in participation.COMMANDS.items():
    projects.person_app.command(_name)(_command)
app.add_typer(projects.person_app, name="person")
app.add_typer(projects.plan_app, name="plan")
for _name, _command in gatherings.STEP_COMMANDS.items():
    projects.step_app.command(_name)(_command)
app.add_typer(projects.step_app, name="step")
app.add_typer(gatherings.calendar_app, name="calendar")
app.add_typer(projects.phase_app, name="phase")
app.add_typer(db.app, name="db")
app.add_typer(charter.app, name="charter")
app.command("demo")(demo.demo)
app.add_typer(evaluation.checkpoint_app, name="checkpoint")
app.add_typer(evaluation.contribution_app, name="contribution")
app.add_typer(evaluation.proposal_app, name="proposal")
app.add_typer(evaluation.indicator_app, name="indicator")
app.add_typer(evaluation.feedback_app, name="feedback")
app.add_typer(evaluation.restitution_app, name="restitution")
app.command("evaluate")(evaluation.evaluate)
app.command("thank")(evaluation.thank)
app.command("certificate")(evaluation.certificate)
app.add_typer(notify.outbox_app, name="outbox")
app.command("remind")(notify.remind)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="user")
app.command("web")(users.web)
localize(app)


def run() -> None:
    app()


if __name__ == "__main__":
    run()

"""Entry point of the ``cocon`` command. Errors become one sentence and exit code 1.

User errors (the :class:`CoconError` tree, template problems, plan and clock errors) print their
own sentence; a file that cannot be read or written is named with the reason; anything else is a
bug, reported in one sentence without its text (which may quote data) unless ``COCON_DEBUG=1``.
"""

import errno
import os
from typing import Any

import typer
from typer.core import TyperGroup
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
from cocon.cli.output import lang, say
from store.exceptions import CoconError


class CoconGroup(TyperGroup):
    """Turns the errors a user can cause into one clear sentence, never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # a click Context, which typer re-exports only as its subclass
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
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
            typer.echo(say(
                f"Cocon a rencontré une erreur inattendue ({type(exc).__name__}) : rien n'a été enregistré ; "
                "réessayez et, si elle revient, signalez-la avec la commande tapée (COCON_DEBUG=1 affiche le détail).",
                f"Cocon hit an unexpected error ({type(exc).__name__}): nothing was saved; try again and, if it "
                "happens again, report it with the command you typed (COCON_DEBUG=1 shows the details).",
            ), err=True)
            raise typer.Exit(1) from None


#: What a file error means for the person who typed the path.
_FILE_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("ce fichier ou son dossier n'existe pas", "this file or its folder does not exist"),
    errno.EISDIR: ("c'est un dossier : donnez un nom de fichier", "it is a folder: give a file name"),
    errno.ENOTDIR: ("une partie du chemin est un fichier, pas un dossier", "part of the path is a file, not a folder"),
    errno.EACCES: ("Cocon n'a pas le droit d'y accéder", "Cocon is not allowed to access it"),
    errno.EPERM: ("Cocon n'a pas le droit d'y accéder", "Cocon is not allowed to access it"),
    errno.EROFS: ("le disque est en lecture seule", "the disk is read-only"),
    errno.ENOSPC: ("le disque est plein", "the disk is full"),
    errno.EEXIST: ("un fichier porte déjà ce nom", "a file already has that name"),
}


def file_problem(exc: OSError) -> str:
    """One sentence for a file that cannot be read or written, naming it and saying why."""
    name = exc.filename if exc.filename is not None else "?"
    fr, en = _FILE_ERRORS.get(exc.errno or 0, (exc.strerror or type(exc).__name__, exc.strerror or type(exc).__name__))
    return say(
        f"Impossible d'utiliser « {name} » : {fr}. Vérifiez le chemin donné et réessayez.",
        f"Cannot use '{name}': {en}. Check the path given and try again.",
    )


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


def run() -> None:
    app()


if __name__ == "__main__":
    run()

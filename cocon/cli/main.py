"""Entry point of the ``cocon`` command. Errors become one sentence and exit code 1."""

from typing import Any

import typer
from typer._click.core import Context
from typer.core import TyperGroup

from cocon.cli import charter, db, demo, evaluation, notify, participation, projects, serve, templates, users
from planning.planner import PlanError
from project_templates import TemplateError, TemplateNotFound
from store.clock import ClockError
from store.exceptions import CoconError

USER_ERRORS: tuple[type[Exception], ...] = (CoconError, TemplateNotFound, PlanError, ClockError)


class CoconGroup(TyperGroup):
    """Turns the errors a user can cause into one clear sentence, never a traceback."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except TemplateError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            raise typer.Exit(1) from None
        except USER_ERRORS as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None


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
app.add_typer(projects.step_app, name="step")
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

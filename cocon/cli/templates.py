"""``cocon templates``: list, show, check and describe project templates."""

import json
from pathlib import Path

import typer

from cocon.cli.output import console, emit_json, lang, t
from project_templates import TemplateError, builtin_templates, find_template, load_template
from project_templates.loader import json_schema

app = typer.Typer(help="Project templates: the method, declared in YAML.", no_args_is_help=True)


@app.command("list")
def list_templates(as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts.")) -> None:
    """List the built-in templates.

    Example: cocon templates list
    """
    items = builtin_templates()
    if as_json:
        emit_json([{"id": t.template.id, "version": t.template.version, "title": t.template.title.get(lang()),
                    "steps": len(t.template.steps())} for t in items])
        return
    for item in items:
        tpl = item.template
        console.print(f"[bold]{tpl.id}[/bold] (v{tpl.version}) — {tpl.title.get(lang())}")


@app.command("show")
def show(
    template_id: str = typer.Argument(..., metavar="ID", help="Template id (see `cocon templates list`) or YAML file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Describe a template in plain words: roles, phases and steps, indicators.

    Example: cocon templates show partenariat-msp
    """
    loaded = find_template(template_id)
    tpl = loaded.template
    if as_json:
        emit_json({**tpl.model_dump(mode="json"), "content_hash": loaded.content_hash})
        return
    language = lang()
    console.print(f"[bold]{tpl.title.get(language)}[/bold] ({tpl.id} v{tpl.version})")
    console.print(tpl.description.get(language))
    console.print("\n[bold]" + t("cli.templates.roles") + "[/bold]")
    for role_id, role in tpl.roles.items():
        flags = []
        if role.min:
            flags.append(t("cli.templates.at_least", min=role.min))
        if role.volunteer:
            flags.append(t("cli.templates.volunteer"))
        if role.signer:
            flags.append(t("cli.templates.signs_charter"))
        console.print(t("cli.templates.role_line", role=role_id, label=role.label.get(language))
                      + (f" ({', '.join(flags)})" if flags else ""))
    for phase_name, phase in tpl.phases.by_name().items():
        title = phase.title.get(language) if phase.title else phase_name.value
        console.print(f"\n[bold]{title}[/bold]")
        for step in phase.steps:
            console.print(f"  {step.id} [{step.kind.value}] {step.title.get(language)} — {step.due}")
    if tpl.indicators:
        console.print("\n[bold]" + t("cli.templates.indicators") + "[/bold]"
                      + t("cli.templates.indicator_codes", codes=", ".join(i.code for i in tpl.indicators)))


@app.command("check")
def check(files: list[Path] = typer.Argument(..., metavar="FILE...", help="Template files to validate.")) -> None:
    """Validate template files; print every problem as FILE:LINE: field: message and exit 1.

    Example: cocon templates check mon-modele.yaml
    """
    failed = False
    for file in files:
        try:
            loaded = load_template(file)
        except TemplateError as exc:
            failed = True
            for problem in exc.problems:
                typer.echo(problem.text(lang()))
            continue
        typer.echo(t("cli.templates.valid", file=file, id=loaded.template.id, version=loaded.template.version, n=len(loaded.template.steps())))
    if failed:
        raise typer.Exit(1)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of template files, for editors that validate YAML as you type.

    Example: cocon templates schema > template.schema.json
    """
    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))

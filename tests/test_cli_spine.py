"""The spine end to end through the CLI, against a real SQLite file, with COCON_NOW."""

import json
import sqlite3
from pathlib import Path

from icalendar import Calendar

from store.db import MIGRATIONS_DIR, current_revision, head_revision, upgrade


def _json(result):  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _new_project(cli) -> str:  # type: ignore[no-untyped-def]
    created = _json(cli("project", "new", "--template", "partenariat-msp", "--name", "Accueil en salle d'attente",
                        "--structure", "MSP des Tilleuls", "--start", "2027-01-04", "--end", "2027-07-02", "--json"))
    assert created["slug"] == "accueil-en-salle-d-attente"
    return str(created["slug"])


def _add_team(cli, slug: str) -> None:  # type: ignore[no-untyped-def]
    team = [("Claire Martin", "coordination", "claire@example.org"), ("Karim Benali", "professionnel", "karim@example.org"),
            ("Sophie Leroy", "professionnel", "sophie@example.org"), ("Awa Diallo", "patient-partenaire", "awa@example.org")]
    for name, role, email in team:
        result = cli("person", "add", slug, "--name", name, "--role", role, "--email", email, "--availability", "soir",
                     "--quiet-hours", "21:00-08:00")
        assert result.exit_code == 0, result.output


def test_project_lifecycle_through_the_cli(cli) -> None:
    slug = _new_project(cli)
    listed = _json(cli("project", "list", "--json"))
    assert [p["slug"] for p in listed] == [slug] and listed[0]["phase"] == "avant"

    shown = _json(cli("project", "show", slug, "--json"))
    assert {m["role"] for m in shown["missing_roles"]} == {"coordination", "professionnel", "patient-partenaire"}

    _add_team(cli, slug)
    people = _json(cli("person", "list", slug, "--json"))
    assert len(people["people"]) == 4 and people["missing_roles"] == []

    refused = cli("phase", "advance", slug)
    assert refused.exit_code == 1
    assert "charte" in refused.output and "indicateurs" in refused.output and "Traceback" not in refused.output

    for step in ("cartographie", "rencontre", "indicateurs"):
        assert cli("step", "done", slug, step).exit_code == 0
    by_hand = cli("step", "done", slug, "charte")
    assert by_hand.exit_code == 1 and "chaque signataire" in by_hand.output
    assert "charte" in cli("phase", "advance", slug).output
    for email in ("claire@example.org", "karim@example.org", "sophie@example.org", "awa@example.org"):
        assert cli("charter", "sign", slug, "--person", email, "--method", "paper").exit_code == 0
    assert "Choisir la méthode" in cli("phase", "advance", slug).output  # the method too: done or skipped
    skipped = cli("step", "skip", slug, "methode")
    assert skipped.exit_code == 0
    assert _json(cli("phase", "advance", slug, "--json"))["phase"] == "pendant"

    reopened = cli("step", "start", slug, "cartographie")
    assert reopened.exit_code == 0  # done → in progress (reopen) is a declared transition
    not_allowed = cli("step", "start", slug, "methode")
    assert not_allowed.exit_code == 1
    assert "methode" in not_allowed.output and "abandonnée" in not_allowed.output


def test_cocon_now_drives_overdue_and_next_steps(cli) -> None:
    slug = _new_project(cli)
    early = _json(cli("project", "show", slug, "--json", env={"COCON_NOW": "2027-01-05T09:00"}))
    assert early["overdue"] == [] and early["next"][0]["key"] == "cartographie"
    later = _json(cli("project", "show", slug, "--json", env={"COCON_NOW": "2027-02-22T09:00"}))
    assert {o["key"] for o in later["overdue"]} >= {"cartographie", "rencontre", "charte"}
    text = cli("project", "show", slug, env={"COCON_NOW": "2027-02-22T09:00"})
    assert "En retard" in text.output and "lundi 18 janvier 2027" in text.output
    english = cli("project", "show", slug, env={"COCON_NOW": "2027-02-22T09:00", "COCON_LANG": "en"})
    assert "Overdue" in english.output and "Monday 18 January 2027" in english.output
    assert 'step "Sign the charter of engagement" (charter signed) not done yet' in english.output and "pas encore" not in english.output
    refused = cli("phase", "advance", slug, env={"COCON_LANG": "en"})
    assert refused.exit_code == 1 and 'cannot move to phase "pendant"' in refused.output


def test_move_shifts_dependents_keeps_baseline_and_history(cli) -> None:
    slug = _new_project(cli)
    before = {s["key"]: s for s in _json(cli("plan", "show", slug, "--format", "json"))}
    moved = _json(cli("plan", "move", slug, "rencontre", "--to", "2027-02-10", "--reason", "vacances scolaires", "--json"))
    changed = {m["step"] for m in moved}
    assert changed == {"rencontre", "charte", "indicateurs", "methode", "retroplanning", "convivialite"}
    after = {s["key"]: s for s in _json(cli("plan", "show", slug, "--format", "json", "--baseline"))}
    for key, step in after.items():
        assert step["baseline"] == before[key]["due"]
        if key not in changed:
            assert step["due"] == before[key]["due"], key
    assert after["rencontre"]["due"] == "2027-02-10" and after["rencontre"]["pinned"] is True
    history = _json(cli("plan", "history", slug, "--json"))
    assert {h["step"] for h in history} == changed
    assert all(h["reason"] == "vacances scolaires" and h["by"] == "test" for h in history)
    assert {h["moved"] for h in history} == {"rencontre"}
    assert "(suite au déplacement de l'étape « rencontre »)" in cli("plan", "history", slug).output
    table = cli("plan", "show", slug, "--baseline")
    assert "Référence" in table.output and "+" in table.output

    weekend = cli("plan", "move", slug, "charte", "--to", "2027-02-20", "--reason", "x")
    assert weekend.exit_code == 1 and "jour ouvré" in weekend.output
    no_reason = cli("plan", "move", slug, "charte", "--to", "2027-02-22", "--reason", " ")
    assert no_reason.exit_code == 1 and "pourquoi" in no_reason.output


def test_ics_export_parses_with_one_event_per_step(cli, tmp_path: Path) -> None:
    slug = _new_project(cli)
    steps = _json(cli("plan", "show", slug, "--format", "json"))
    out = tmp_path / "plan.ics"
    assert cli("plan", "show", slug, "--format", "ics", "--output", str(out)).exit_code == 0
    calendar = Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(steps)
    uids = {str(e["UID"]) for e in events}
    assert uids == {f"{slug}.{s['key']}@cocon" for s in steps}
    first = next(e for e in events if str(e["UID"]).startswith(f"{slug}.charte@"))
    assert "Signer la charte d'engagement" in str(first["SUMMARY"])
    assert first.decoded("DTSTART").isoformat() == next(s["due"] for s in steps if s["key"] == "charte")
    again = tmp_path / "again.ics"
    cli("plan", "show", slug, "--format", "ics", "--output", str(again))
    assert {str(e["UID"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT")} == uids


def test_user_errors_are_one_sentence(cli) -> None:
    for args, fragment in [
        (("project", "show", "inconnu"), "Aucun projet"),
        (("project", "new", "--template", "nope", "--name", "x", "--structure", "y", "--end", "2027-01-01"), "Modèle inconnu"),
        (("project", "new", "--template", "partenariat-msp", "--name", "x", "--structure", "y", "--end", "30/06/2027"), "AAAA-MM-JJ"),
        (("project", "new", "--template", "partenariat-msp", "--name", "x", "--structure", "y", "--start", "2027-05-03",
          "--end", "2027-06-30"), "Le plan ne tient pas"),
    ]:
        result = cli(*args)
        assert result.exit_code == 1, args
        assert fragment in result.output and "Traceback" not in result.output
    slug = _new_project(cli)
    bad_role = cli("person", "add", slug, "--name", "X", "--role", "medecin", "--email", "x@example.org")
    assert bad_role.exit_code == 1 and "Rôles possibles" in bad_role.output
    bad_time = cli("project", "show", slug, env={"COCON_NOW": "demain"})
    assert bad_time.exit_code == 1 and "COCON_NOW" in bad_time.output
    bad_url = cli("project", "list", env={"COCON_DATABASE_URL": "foo://bar"})
    assert bad_url.exit_code == 1 and "COCON_DATABASE_URL" in bad_url.output and "Traceback" not in bad_url.output
    down = cli("project", "list", env={"COCON_DATABASE_URL": "postgresql+psycopg://u:secret@127.0.0.1:1/x"})
    assert down.exit_code == 1 and "ne répond pas" in down.output and "secret" not in down.output


def test_db_upgrade_creates_schema_on_empty_database(tmp_path: Path, cli) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    result = cli("db", "upgrade", env={"COCON_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert current_revision(url) == head_revision()
    tables = {row[0] for row in sqlite3.connect(tmp_path / "empty.sqlite").execute("select name from sqlite_master where type='table'")}
    assert {"project", "person", "membership", "plan_step", "plan_change", "audit_event", "template_record"} <= tables
    assert "déjà à jour" in cli("db", "upgrade", env={"COCON_DATABASE_URL": url}).output


def test_migration_history_is_linear_and_matches_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlmodel import SQLModel

    import store.models  # noqa: F401
    from store.db import alembic_config, get_engine

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1
    revisions = list(script.walk_revisions())
    assert all(len(r._all_down_revisions) <= 1 for r in revisions)
    assert sum(1 for r in revisions if r.down_revision is None) == 1
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    upgrade(url)
    with get_engine(url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff} (add a revision in store/migrations/versions/)"
    assert MIGRATIONS_DIR.exists()


def test_demo_runs_in_a_fresh_database(cli, tmp_path: Path) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert "Mieux accueillir en salle d'attente" in result.output
    assert "À essayer ensuite" in result.output and "Awa" not in result.output.split("À essayer")[1]
    assert (tmp_path / "home" / "demo.sqlite").exists()


def test_absences_move_upcoming_meeting_and_privacy_commands(cli, tmp_path: Path) -> None:
    slug = _new_project(cli)
    plan = {s["key"]: s for s in _json(cli("plan", "show", slug, "--format", "json"))}
    meeting_day = plan["rencontre"]["due"]
    env = {"COCON_NOW": "2027-01-04T09:00"}
    for name, role, email in [("A", "coordination", "a@example.org"), ("B", "professionnel", "b@example.org"),
                              ("C", "patient-partenaire", "c@example.org")]:
        assert cli("person", "add", slug, "--name", name, "--role", role, "--email", email,
                   "--unavailable", meeting_day, env=env).exit_code == 0
    after = {s["key"]: s for s in _json(cli("plan", "show", slug, "--format", "json"))}
    assert after["rencontre"]["due"] > meeting_day and after["rencontre"]["pinned"] is False
    assert after["charte"]["due"] > after["rencontre"]["due"]
    reasons = {h["reason"] for h in _json(cli("plan", "history", slug, "--json"))}
    assert reasons == {"indisponibilité de la plupart des participants"}
    english = {h["reason"] for h in _json(cli("plan", "history", slug, "--json", env={**env, "COCON_LANG": "en"}))}
    assert english == {"most participants unavailable"}  # Cocon's own words follow the reader's language

    people = _json(cli("person", "list", slug, "--json"))["people"]
    person_id = str(people[2]["id"])
    exported = _json(cli("person", "export", person_id))
    assert exported["person"]["email"] == "c@example.org" and exported["memberships"][0]["project"] == slug
    assert cli("person", "erase", person_id).exit_code == 1
    assert cli("person", "erase", person_id, "--yes").exit_code == 0
    erased = _json(cli("person", "export", person_id))
    assert erased["person"]["email"] is None and erased["person"]["name"] != "C"


def test_tables_never_cut_the_ids_other_commands_take(cli) -> None:
    """On an 80-column terminal, `project list` and `plan show --baseline` keep whole ids and dates."""
    created = cli("project", "new", "--template", "boite-a-idees", "--name", "Boîte à idées",
                  "--structure", "Maison de santé pluriprofessionnelle des Tilleuls", "--end", "2027-06-30",
                  "--start", "2026-11-24")
    assert created.exit_code == 0, created.output
    listed = cli("project", "list")
    assert "boite-a-idees" in listed.output, listed.output
    plan = cli("plan", "show", "boite-a-idees", "--baseline")
    assert plan.exit_code == 0, plan.output
    for key in ("affichage-retours", "remerciements", "installation", "indicateurs"):
        assert f"│ {key} " in plan.output, plan.output
    assert "30/06/2027" in plan.output  # the end date, whole, in both date columns


def test_availability_is_typed_and_shown_with_its_accent(cli) -> None:
    slug = _new_project(cli)
    added = cli("person", "add", slug, "--name", "Jean-Pierre Roux", "--role", "patient-partenaire",
                "--email", "jp@example.org", "--availability", "après-midi")
    assert added.exit_code == 0, added.output
    listed = cli("person", "list", slug)
    assert "après-midi" in listed.output and "apres-midi" not in listed.output
    assert _json(cli("person", "list", slug, "--json"))["people"][0]["availability"] == ["apres-midi"]


def test_french_elision_in_plan_history(cli) -> None:
    created = _json(cli("project", "new", "--template", "boite-a-idees", "--name", "Boîte à idées", "--structure", "MSP",
                        "--start", "2027-01-04", "--end", "2027-05-28", "--json"))
    slug = created["slug"]
    assert cli("plan", "move", slug, "affichette", "--to", "2027-01-25", "--reason", "relecture").exit_code == 0
    assert "(suite au déplacement de l'étape « affichette »)" in cli("plan", "history", slug).output


def test_alsace_moselle_structure_keeps_good_friday_off(cli) -> None:  # type: ignore[no-untyped-def]
    """A structure in Alsace-Moselle: Good Friday (26 March 2027) is no working day there, elsewhere it is."""
    for flag, slug in ((["--alsace-moselle"], "strasbourg"), ([], "lyon")):
        _json(cli("project", "new", "--template", "partenariat-msp", "--name", slug, "--slug", slug,
                  "--structure", f"MSP de {slug}", "--start", "2027-01-04", "--end", "2027-07-02", *flag, "--json"))
    good_friday = ["plan", "move", "--to", "2027-03-26", "--reason", "réunion d'équipe"]
    refused = cli(*good_friday[:2], "strasbourg", "methode", *good_friday[2:])
    assert refused.exit_code == 1 and "n'est pas un jour ouvré" in refused.output and "mardi 30 mars 2027" in refused.output  # Easter Monday is off too
    assert cli(*good_friday[:2], "lyon", "methode", *good_friday[2:], "--json").exit_code == 0

"""The plan as a calendar file: one all-day event per step, the same for the web's download as for
``cocon plan show --format ics``."""

from sqlmodel import Session

from locales import gettext
from planning.ics import IcsEvent, calendar_bytes
from store.calendars import with_gathering_times
from store.clock import now
from store.models import Project
from store.phases import phase_label
from store.plans import plan_steps, step_title
from store.projects import template_of


def plan_events(session: Session, project: Project, lang: str = "fr") -> list[IcsEvent]:
    """One event per step of the plan, titled in ``lang``, with a UID stable across downloads."""
    template = template_of(session, project)
    events = []
    for step in plan_steps(session, project):
        title = step_title(template.step(step.template_step).title.get(lang), step, lang)
        phase = phase_label(step.phase, lang)
        description = gettext("calendar.plan.step_description", lang, name=project.name,
                              structure=project.structure, phase=phase, key=step.key)
        events.append(
            IcsEvent(uid=f"{project.slug}.{step.key}@cocon", day=step.due, title=f"{title} — {project.name}",
                     description=description)
        )
    return events


def plan_ics(session: Session, project: Project, lang: str = "fr") -> bytes:
    """The whole plan as an iCalendar file."""
    events = with_gathering_times(session, project, plan_events(session, project, lang), lang)  # gatherings: their hour
    return calendar_bytes(project.name, events, stamp=now())

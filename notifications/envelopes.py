"""From claimed outbox rows to envelopes: re-check, time, group and render at send time.

A row is sent only if it is still true *now*: the step is not done, its date has not moved, the
person has not paused, stopped or opted out (:func:`notifications.pauses.send_decision`, from the
person's data, not only when it was planned), and it is not past its ``drop_after`` day. A row
whose moment does not suit the person (quiet hours, availability, an absence of any length, a
pause) waits, without counting as an attempt. A person's digest items are rendered into one
message, at most one a day.

Every email to a person carries a one-click pause link (in its footer and as
``List-Unsubscribe`` with ``List-Unsubscribe-Post``, RFC 8058) and a ``Reply-To`` of the
project's coordination, so that replies reach a person.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from urllib.parse import quote

from markupsafe import escape
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import locales
from locales.stored import written
from notifications.attachments import Attachment, unpack_attachments
from notifications.channels import Target, channel_target, person_targets, smtp_settings
from notifications.delivery import Envelope
from notifications.gatherings import (
    InvitationsSent,
    answer_links,
    clock,
    gathering_notice_relevant,
    invitation_event,
    notice_event,
    organizer,
)
from notifications.messages import DigestContext, DigestEntry, render_message
from notifications.pauses import create_pause_link, send_decision, stopped_projects
from notifications.planner import ContactPrefs, next_contact_time
from notifications.queue import forget_content
from notifications.snapshot import signed_people
from planning.calendar import working_days_between
from planning.ics import Attendee, IcsEvent, Method, attendee_line, calendar_bytes
from project_templates.phases import PHASE_ORDER, ProjectPhase
from project_templates.schema import ProjectTemplate
from store import wording
from store.clock import PARIS
from store.gatherings import GatheringView, gathering_views
from store.members import unavailable_days
from store.models import (
    DIGEST_OCCASIONS,
    CharterVersion,
    Membership,
    Occasion,
    OutboxMessage,
    OutboxState,
    Person,
    PlanStep,
    Project,
    StepStatus,
)
from store.plans import step_title
from store.projects import template_of
from store.publication import public_url

#: Where the pause link of an email leads (the page), and where RFC 8058's one-click POST goes.
PAUSE_PATH = "/pause/"
ONE_CLICK_SUFFIX = "/un-clic"

#: The invitee an invitation is rendered with once, then replaced by each real one (Known.calendar).
_PLACEHOLDER = Attendee("invitee@cocon.invalid", "Cocon placeholder")
_ORDER = list(DIGEST_OCCASIONS)


@cache
def _placeholder_line() -> bytes:
    return attendee_line(_PLACEHOLDER)
_STEP_OCCASIONS = frozenset(DIGEST_OCCASIONS) - {Occasion.PHASE_CHANGE}
#: Digest items that carry a gathering's calendar event.
_GATHERING_OCCASIONS = frozenset({Occasion.INVITATION, Occasion.GATHERING_UPDATE, Occasion.GATHERING_CANCELLED})


@dataclass
class Batch:
    envelopes: list[Envelope] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    broken: list[tuple[OutboxMessage, str]] = field(default_factory=list)  # could not be prepared


def prefs_of(person: Person, *, digest: bool = False) -> ContactPrefs:
    """The person's moments; for their daily digest, also the time they chose for it."""
    return ContactPrefs(
        quiet_hours=person.quiet_hours,
        availability=tuple(person.availability),
        unavailable=unavailable_days(person),
        not_before=person.digest_time if digest else None,
    )


class CalendarFiles:
    """The calendar files of one batch's invitations, each gathering rendered once: from one invitee
    to the next only the ATTENDEE line differs (icalendar costs several ms per file)."""

    def __init__(self, stamp: datetime) -> None:
        self.stamp = stamp  # DTSTAMP: when the batch's calendar files were made
        self._rendered: dict[tuple[IcsEvent, Method], bytes] = {}

    def invitation(self, event: IcsEvent, method: Method) -> bytes:
        """What ``calendar_bytes("Cocon", [event], stamp=…, method=method)`` writes, byte for byte."""
        key = (replace(event, attendee=_PLACEHOLDER if event.attendee else None), method)
        if key not in self._rendered:
            self._rendered[key] = calendar_bytes("Cocon", [key[0]], stamp=self.stamp, method=method)
        if event.attendee is None:
            return self._rendered[key]
        return self._rendered[key].replace(_placeholder_line(), attendee_line(event.attendee), 1)


class Known:
    """What a batch needs from the store, read in a few queries (not a few per row)."""

    def __init__(self, session: Session, rows: Sequence[OutboxMessage], moment: datetime) -> None:
        self.session = session
        self.charter_versions: dict[int, CharterVersion] = {}  # refreshed once per batch and project
        project_ids = sorted({r.project_id for r in rows})
        person_ids = sorted({r.person_id for r in rows if r.person_id is not None})
        keys = sorted({r.about.removeprefix("step:") for r in rows if r.about.startswith("step:")})
        self.templates: dict[int, ProjectTemplate] = {}
        self.projects = {p.id: p for p in session.exec(select(Project).where(col(Project.id).in_(project_ids)))}
        self.people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids)))}
        self.members = {
            (project_id, person_id)
            for project_id, person_id in session.exec(
                select(Membership.project_id, Membership.person_id).where(
                    col(Membership.project_id).in_(project_ids),
                    col(Membership.person_id).in_(person_ids),
                    col(Membership.left_at).is_(None),
                )
            )
        }
        self.steps = {
            (s.project_id, s.key): s
            for s in session.exec(
                select(PlanStep).where(col(PlanStep.project_id).in_(project_ids), col(PlanStep.key).in_(keys))
            )
        }
        self.stopped = stopped_projects(session, person_ids)
        self.coordination: dict[int, str | None] = {}
        self._roles: dict[int, list[tuple[str, Person]]] | None = None  # project -> (role, person), read once
        self.public_url = public_url(session)
        self._views: dict[tuple[int, str, str], GatheringView | None] = {}
        self._sent: InvitationsSent | None = None
        self.calendars = CalendarFiles(datetime.now(UTC))
        self.signed = signed_people(session, project_ids) if any(r.occasion == Occasion.CHARTER_UNSIGNED for r in rows) else {}
        local = moment.astimezone(PARIS)
        midnight = datetime.combine(local.date(), time(0), tzinfo=PARIS)
        self.had_digest_today = set(
            session.exec(
                select(OutboxMessage.person_id).where(
                    col(OutboxMessage.person_id).in_(person_ids),
                    col(OutboxMessage.digest).is_(True),
                    OutboxMessage.state == OutboxState.SENT,
                    col(OutboxMessage.sent_at) >= midnight,
                )
            )
        )

    def gathering_view(self, project: Project, step: PlanStep, lang: str) -> GatheringView | None:
        """A gathering as it is now, read once per batch for all its invitees."""
        key = (project.id or 0, step.key, lang)
        if key not in self._views:
            views = gathering_views(self.session, project, [step], lang)
            self._views[key] = views[0] if views else None
        return self._views[key]

    def invitations_sent(self) -> InvitationsSent:
        if self._sent is None:
            self._sent = InvitationsSent(
                self.session, [i for i in self.projects if i is not None], [i for i in self.people if i is not None]
            )
        return self._sent

    def organizer(self, project: Project, lang: str) -> Attendee | None:
        return organizer(project, self.coordination_email(project.id or 0), lang)

    def template(self, project: Project) -> ProjectTemplate:
        """The project's template, parsed once per batch (``template_of`` reads its record each time)."""
        if project.template_record_id not in self.templates:
            self.templates[project.template_record_id] = template_of(self.session, project)
        return self.templates[project.template_record_id]

    def step(self, row: OutboxMessage) -> PlanStep | None:
        return self.steps.get((row.project_id, row.about.removeprefix("step:")))

    def members_of(self, project_id: int) -> list[tuple[str, Person]]:
        """Active members (role, person) of a project of the batch, in membership order — the
        members of every project of the batch read in one query, when first needed."""
        if self._roles is None:
            self._roles = defaultdict(list)
            for role, owner, person in self.session.exec(
                select(Membership.role, Membership.project_id, Person)
                .join(Person, col(Person.id) == col(Membership.person_id))
                .where(col(Membership.project_id).in_(list(self.projects)), col(Membership.left_at).is_(None))
                .order_by(col(Membership.id))
            ):
                self._roles[owner].append((role, person))
        return self._roles.get(project_id, [])

    def people_with_role(self, project: Project, role: str) -> list[Person]:
        return [person for held, person in self.members_of(project.id or 0) if held == role]

    def coordination_email(self, project_id: int) -> str | None:
        """The address replies to a project's messages should reach: its first coordinator's
        (as :func:`store.people.coordinator_people` orders them)."""
        if project_id not in self.coordination:
            project = self.projects.get(project_id)
            address = None
            if project is not None:
                roles = set(self.template(project).coordinator_roles())
                address = next((p.email for role, p in self.members_of(project_id) if role in roles and p.email), None)
            self.coordination[project_id] = address
        return self.coordination[project_id]


def digest_item_relevant(known: Known, row: OutboxMessage, today: date) -> bool:
    """Whether a planned reminder is still true today (the plan may have changed since)."""
    project = known.projects.get(row.project_id)
    if project is None or row.person_id is None or (row.project_id, row.person_id) not in known.members:
        return False
    if row.occasion == Occasion.PHASE_CHANGE:
        return project.phase.value == row.facts.get("phase")
    if project.phase == ProjectPhase.CLOS or row.occasion not in _STEP_OCCASIONS:
        return False
    step = known.step(row)
    if step is not None and row.occasion in (Occasion.GATHERING_UPDATE, Occasion.GATHERING_CANCELLED):
        return gathering_notice_relevant(step, row.occasion, today)  # told as the gathering is when sent
    if step is None or step.due.isoformat() != row.facts.get("due"):
        return False
    if row.occasion == Occasion.NOTES_FOLLOW_UP:
        return step.status != StepStatus.SKIPPED and not (step.note and step.note.strip())
    if step.status in (StepStatus.DONE, StepStatus.SKIPPED):
        return False
    if row.occasion in {Occasion.BEFORE, Occasion.INVITATION} and today > step.due:
        return False
    if row.occasion == Occasion.CHARTER_UNSIGNED:
        return row.person_id not in known.signed.get(row.project_id, frozenset())
    return True


def _cancel(row: OutboxMessage, reason: str) -> None:
    row.state = OutboxState.CANCELLED
    row.claimed_by = None
    row.last_error = reason
    forget_content(row)


def _defer(row: OutboxMessage, until: datetime) -> None:
    row.state = OutboxState.PENDING
    row.next_attempt_at = until
    row.claimed_by = None
    row.attempts = max(0, row.attempts - 1)  # waiting for a good moment is not a failed attempt


def prepare_batch(session: Session, rows: Sequence[OutboxMessage], *, moment: datetime) -> Batch:
    """Decide, for each claimed row, whether it is sent now (in which envelope), later, or never."""
    batch = Batch()
    today = moment.astimezone(PARIS).date()
    settings = smtp_settings()
    known = Known(session, rows, moment)
    digests: dict[int, list[OutboxMessage]] = defaultdict(list)

    def person(person_id: int) -> Person | None:
        return known.people.get(person_id)

    for row in rows:
        try:
            _sort_row(row, person, known, today, moment, settings, batch, digests)
        except Exception as error:
            batch.broken.append((row, written("stored.delivery.internal_error", kind=type(error).__name__)))
            continue
        session.add(row)
        if row.state == OutboxState.CANCELLED:
            batch.cancelled.append(row.id or 0)
        elif row.state == OutboxState.PENDING:
            batch.deferred.append(row.id or 0)

    for person_id, items in digests.items():
        who = person(person_id)
        assert who is not None
        if person_id in known.had_digest_today:
            tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=PARIS)
            when = next_contact_time(prefs_of(who, digest=True), tomorrow)
            for row in items:
                _defer(row, when)
                session.add(row)
                batch.deferred.append(row.id or 0)
            continue
        try:
            batch.envelopes.append(_digest(known, who, items, today, settings, moment))
        except Exception as error:
            batch.broken.extend((row, written("stored.delivery.internal_error", kind=type(error).__name__)) for row in items)
    return batch


def _past_drop_day(row: OutboxMessage, today: date) -> bool:
    """A message queued with a last day (``facts["drop_after"]``) is not sent after it."""
    last = row.facts.get("drop_after")
    return last is not None and today > date.fromisoformat(str(last))


def _sort_row(
    row: OutboxMessage,
    person: Callable[[int], Person | None],
    known: Known,
    today: date,
    moment: datetime,
    settings: object,
    batch: Batch,
    digests: dict[int, list[OutboxMessage]],
) -> None:
    """Cancel, defer, or put one row in an envelope (digest items are grouped by person)."""
    who = person(row.person_id) if row.person_id is not None else None
    decision, until = "send", None
    if who is not None:
        decision, until = send_decision(
            who,
            project_id=row.project_id,
            occasion=row.occasion,
            immediate=bool(row.facts.get("immediate")),
            stopped=(who.id, row.project_id) in known.stopped,
            day=today,
        )
    if row.person_id is not None and who is None:
        _cancel(row, written("stored.outbox.recipient_erased"))
    elif decision == "cancel" or (row.digest and who is None):
        _cancel(row, written("stored.outbox.paused_or_stopped"))
    elif _past_drop_day(row, today) or (row.digest and not digest_item_relevant(known, row, today)):
        _cancel(row, written("stored.outbox.outdated"))
    elif decision == "hold" and who is not None:
        # held by a pause: until its end (then at a good moment), or checked again tomorrow
        after = datetime.combine(until, time(0), tzinfo=PARIS) if until else moment + timedelta(days=1)
        _defer(row, next_contact_time(prefs_of(who, digest=row.digest), after))
    else:
        if who is not None and not row.facts.get("immediate"):
            when = next_contact_time(prefs_of(who, digest=row.digest), moment)
            if when > moment:
                _defer(row, when)
        if row.state == OutboxState.SENDING:
            if row.digest and row.person_id is not None:
                digests[row.person_id].append(row)
            else:
                batch.envelopes.append(_standalone(known, row, who, settings, moment))


@dataclass(frozen=True)
class _Personal:
    """What every email to a person carries: the pause link, the unsubscribe headers, Reply-To."""

    link: str | None
    headers: tuple[tuple[str, str], ...]
    reply_to: str | None


def _personal(known: Known, who: Person, project_ids: Sequence[int], moment: datetime) -> _Personal:
    projects = sorted(set(project_ids))
    reply_to = known.coordination_email(projects[0]) if projects else None
    if reply_to == who.email:
        reply_to = None
    base = known.public_url
    link = None
    unsubscribe: list[str] = []
    headers: list[tuple[str, str]] = []
    if base and who.id is not None:
        token = create_pause_link(known.session, person_id=who.id, project_id=projects[0] if len(projects) == 1 else None)
        link = f"{base}{PAUSE_PATH}{token}"
        unsubscribe.append(f"<{link}{ONE_CLICK_SUFFIX}>")
    address = reply_to or (smtp_settings().mail_from if smtp_settings() is not None else None)  # type: ignore[union-attr]
    if address:
        subject = locales.gettext("mail.footer.unsubscribe_subject", who.language)
        unsubscribe.append(f"<mailto:{address}?subject={quote(subject)}>")
    if unsubscribe:
        headers.append(("List-Unsubscribe", ", ".join(unsubscribe)))
    if link:
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return _Personal(link, tuple(headers), reply_to)


def _with_footer(text: str, html: str | None, lang: str, link: str | None) -> tuple[str, str | None]:
    without = wording.typeset(locales.gettext("mail.footer.pause_reply", lang), lang)
    line = wording.typeset(locales.gettext("mail.footer.pause_link", lang, link=link), lang) if link else without
    text = f"{text.rstrip()}\n\n--\n{line}\n"
    if html is not None:
        if link:
            label = locales.gettext("mail.footer.pause_label", lang)
            # the address also in clear: the plain-text alternative is made from this HTML
            anchor = f'<a href="{escape(link)}">{escape(label)}</a>'
            line = wording.typeset(locales.gettext("mail.footer.pause_html", lang, label=anchor, link=escape(link)), lang)
            footer = f'<p style="font-size:small">{line}</p>'
        else:
            footer = f'<p style="font-size:small">{escape(without)}</p>'
        html = html.replace("</body>", footer + "</body>") if "</body>" in html else html + footer
    return text, html


def _targets(
    who: Person | None, row_facts: Sequence[dict[str, object]], channel_url: str | None, settings: object
) -> tuple[Target, ...]:
    if channel_url:
        targets = [channel_target(channel_url)]
    elif who is not None:
        targets = person_targets(
            email=who.email, apprise_url=who.apprise_url, settings=settings, channel=who.channel  # type: ignore[arg-type]
        )
    else:
        targets = []
    done = None
    for facts in row_facts:
        names = set(facts.get("delivered", []) or [])  # type: ignore[call-overload]
        done = names if done is None else done & names
    return tuple(t for t in targets if t.name not in (done or set()))


def _standalone(known: Known, row: OutboxMessage, who: Person | None, settings: object, moment: datetime) -> Envelope:
    text, html = row.text or "", row.html
    headers: tuple[tuple[str, str], ...] = ()
    reply_to = None
    if who is not None:
        personal = _personal(known, who, [row.project_id], moment)
        text, html = _with_footer(text, html, who.language, personal.link)
        headers, reply_to = personal.headers, personal.reply_to
    return Envelope(
        row_ids=(row.id or 0,),
        targets=_targets(who, [row.facts], row.channel_url, settings),
        subject=row.subject or "",
        text=text,
        html=html,
        short=row.subject,
        attachments=tuple(unpack_attachments(row.attachments)),
        headers=headers,
        reply_to=reply_to,
    )


REMINDER_ACTOR = "cocon:reminders"


def _signing_link(known: Known, project: Project, who: Person) -> str | None:
    """The person's own link to sign the charter, when Cocon knows its public address."""
    base = known.public_url
    if base is None or project.id is None:
        return None
    # charters imports the charter renderer (~0.6 s): only when a reminder needs a signing link
    from charters.signing import create_signing_link, signing_path
    from charters.versions import refresh_version

    if project.id not in known.charter_versions:
        try:
            # a savepoint: another process sending to the project's other members (a shard) may
            # store the same new version at the same moment; the loser reads the winner's
            with known.session.begin_nested():
                refreshed = refresh_version(known.session, project, actor=REMINDER_ACTOR)
        except IntegrityError:
            refreshed = refresh_version(known.session, project, actor=REMINDER_ACTOR)
        known.charter_versions[project.id] = refreshed.version
    token = create_signing_link(
        known.session, project, who, actor=REMINDER_ACTOR, version=known.charter_versions[project.id]
    )
    return base + signing_path(token)


def _phase_entry(known: Known, project: Project, row: OutboxMessage, lang: str) -> DigestEntry:
    """The project changed phase: the new phase's title in the template."""
    phase = str(row.facts.get("phase", ""))
    phase_title = known.template(project).phases.by_name()[ProjectPhase(phase)].title if phase in PHASE_ORDER else None
    return DigestEntry(
        occasion=Occasion.PHASE_CHANGE,
        project_name=project.name,
        title=phase_title.get(lang) if phase_title else phase,
        day=row.due_on,
        phase=phase,
    )


def _step_entry(
    known: Known, project: Project, who: Person, row: OutboxMessage, today: date, lang: str
) -> tuple[DigestEntry, IcsEvent | None]:
    """A reminder about a step, with its calendar event when it invites to a gathering."""
    step = known.step(row)
    assert step is not None
    declared = known.template(project).step(step.template_step)
    title = step_title(declared.title.get(lang), step, lang)
    agenda = declared.agenda.get(lang) if declared.agenda else None
    owners = []
    if row.occasion == Occasion.ESCALATION:
        owners = [p.name for p in known.people_with_role(project, step.owner_role)]
    event = None
    where: dict[str, str | None] = {}
    view = known.gathering_view(project, step, lang) if row.occasion in _GATHERING_OCCASIONS else None
    if view is not None:
        # a calendar event for this recipient alone (and, unless cancelled, their two answer links)
        cancelled = row.occasion == Occasion.GATHERING_CANCELLED
        described = (declared.agenda.get(lang) if declared.agenda else None) or ""
        if row.occasion == Occasion.INVITATION:
            event = invitation_event(view, who, agenda=described, organizer=known.organizer(project, lang))
            known.invitations_sent().remember(view, who)
        else:
            event = notice_event(
                known.invitations_sent(), view, who, agenda=described, organizer=known.organizer(project, lang), cancelled=cancelled
            )
        links = None if cancelled else answer_links(known.session, project, step.key, who, base=known.public_url)
        where = {
            "start": clock(view.where.start, lang),
            "place": view.where.place,
            "video": view.where.video,
            "answer_yes": links.yes if links else None,
            "answer_no": links.no if links else None,
        }
    link = _signing_link(known, project, who) if row.occasion == Occasion.CHARTER_UNSIGNED else None
    days = int(row.facts.get("days", 0) or 0)  # type: ignore[call-overload]
    if row.occasion in {Occasion.OVERDUE, Occasion.ESCALATION}:
        days = working_days_between(step.due, today, project.holiday_zone)
    entry = DigestEntry(
        occasion=row.occasion,  # type: ignore[arg-type]
        project_name=project.name,
        title=title,
        day=step.due,
        days=days,
        agenda=agenda if row.occasion == Occasion.INVITATION else None,
        owner_names=owners,
        has_calendar=event is not None,
        link=link,
        **where,
    )
    return entry, event


def _digest(
    known: Known, who: Person, rows: list[OutboxMessage], today: date, settings: object, moment: datetime
) -> Envelope:
    lang = "en" if who.language == "en" else "fr"
    entries: list[tuple[int, date, DigestEntry]] = []
    events: list[IcsEvent] = []
    seen: set[tuple[int, str, str]] = set()
    for row in rows:
        # items held together (an absence, a pause) may repeat one reminder: say it once
        if (row.project_id, row.about, row.occasion) in seen:
            continue
        seen.add((row.project_id, row.about, row.occasion))
        project = known.projects[row.project_id]
        if row.occasion == Occasion.PHASE_CHANGE:
            entry = _phase_entry(known, project, row, lang)
        else:
            entry, event = _step_entry(known, project, who, row, today, lang)
            if event is not None:
                events.append(event)
        entries.append((_ORDER.index(row.occasion), entry.day, entry))
    entries.sort(key=lambda item: (item[0], item[1]))
    message = render_message(
        "digest", DigestContext(person_name=who.name, today=today, entries=[e for _, _, e in entries]), lang
    )
    # one event (one UID) per file, as calendar applications expect: a request, or a cancellation
    attachments = tuple(
        Attachment(
            (locales.gettext("mail.calendar.file_cancellation", lang) if event.cancelled
             else locales.gettext("mail.calendar.file_invitation", lang))
            + (".ics" if len(events) == 1 else f"-{index}.ics"),
            known.calendars.invitation(event, "CANCEL" if event.cancelled else "REQUEST"),
            "text/calendar",
        )
        for index, event in enumerate(events, start=1)
    )
    personal = _personal(known, who, [row.project_id for row in rows], moment)
    text, html = _with_footer(message.text, message.html, lang, personal.link)
    return Envelope(
        row_ids=tuple(row.id or 0 for row in rows),
        targets=_targets(who, [row.facts for row in rows], None, settings),
        subject=message.subject,
        text=text,
        html=html,
        short=message.short,
        attachments=attachments,
        headers=personal.headers,
        reply_to=personal.reply_to,
    )

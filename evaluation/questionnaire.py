"""The end-of-project participant questionnaire: invitations, answers, anonymous results.

* The questionnaire itself is ``questionnaire.yaml`` (French and English; items may be limited
  to partners or to professionals, which gives one version for each).
* An invitation carries a single-use token (``secrets.token_urlsafe(32)``, 256 bits) stored only
  as its SHA-256, expiring after :data:`VALID_DAYS` days. Reminders on day 7 and 14 are queued
  with the invitation and re-checked at send time, so they stop once the person answers.
* Answers are stored **without** any link to the person or the invitation, without a
  timestamp and under a random id; the invitation only records that it was answered. An
  answer keeps the respondent's role group (partner or professional) for breakdowns, and any
  breakdown with fewer than :data:`MIN_GROUP` respondents is hidden.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from evaluation.exceptions import InvalidAnswers, InvitationUnusable
from locales.stored import written
from notifications.queue import cancel_waiting
from project_templates.schema import Text
from store import audit
from store.clock import now
from store.models import FeedbackInvitation, FeedbackResponse, Occasion, Person, Project, RoleGroup
from store.tokens import claim_flag, new_token
from store.tokens import token_hash as hash_token

QUESTIONNAIRE_FILE = Path(__file__).parent / "questionnaire.yaml"
VALID_DAYS = 21
REMINDER_DAYS = (7, 14)
MIN_GROUP = 5
MAX_OPEN_ANSWER = 2000
DONT_KNOW = "nsp"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Item(_Frozen):
    code: str
    text: Text
    audience: list[RoleGroup] = Field(default_factory=lambda: list(RoleGroup), alias="for")


class Section(_Frozen):
    code: str
    title: Text
    open: bool = False
    items: list[Item]


class Questionnaire(_Frozen):
    id: str
    version: int
    scale: dict[str, list[str]]
    dont_know: Text
    sections: list[Section]

    @property
    def key(self) -> str:
        return f"{self.id}-v{self.version}"

    def for_group(self, group: RoleGroup) -> list[Section]:
        """The version of the questionnaire a partner or a professional answers."""
        return [s.model_copy(update={"items": [i for i in s.items if group in i.audience]}) for s in self.sections]

    def items(self) -> dict[str, tuple[Section, Item]]:
        return {item.code: (section, item) for section in self.sections for item in section.items}


@cache
def load_questionnaire() -> Questionnaire:
    return Questionnaire.model_validate(yaml.safe_load(QUESTIONNAIRE_FILE.read_text(encoding="utf-8")))


# --- invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just created, with its token in clear: used once to write the message."""

    invitation: FeedbackInvitation
    person: Person
    token: str


def invite(
    session: Session,
    project: Project,
    people: Sequence[tuple[Person, RoleGroup]],
    *,
    actor: str,
    valid_days: int = VALID_DAYS,
) -> list[NewInvitation]:
    """Create one invitation per person not yet invited (idempotent)."""
    assert project.id is not None
    already = set(session.exec(select(FeedbackInvitation.person_id).where(FeedbackInvitation.project_id == project.id)))
    created = []
    for person, group in people:
        if person.id in already:
            continue
        assert person.id is not None
        token = new_token()
        invitation = FeedbackInvitation(
            project_id=project.id,
            person_id=person.id,
            role_group=group,
            lang="en" if person.language == "en" else "fr",
            token_hash=hash_token(token),
            expires_at=now() + timedelta(days=valid_days),
        )
        session.add(invitation)
        created.append(NewInvitation(invitation, person, token))
    session.flush()
    if created:
        audit.record(session, actor=actor, action="feedback.invited", project_id=project.id, invitations=len(created))
    return created


def invitations(session: Session, project: Project) -> list[FeedbackInvitation]:
    return list(
        session.exec(
            select(FeedbackInvitation)
            .where(FeedbackInvitation.project_id == project.id)
            .order_by(col(FeedbackInvitation.id))
        )
    )


def still_waiting(invitation: FeedbackInvitation | None) -> bool:
    """Whether a reminder for this invitation still makes sense (not answered, not expired)."""
    return invitation is not None and not invitation.answered and invitation.expires_at > now()


def _usable(session: Session, token: str) -> FeedbackInvitation:
    invitation = session.exec(
        select(FeedbackInvitation).where(FeedbackInvitation.token_hash == hash_token(token.strip()))
    ).first()
    if invitation is None:
        raise InvitationUnusable("error.evaluation.questionnaire_link_unknown")
    if invitation.answered:
        raise InvitationUnusable("error.evaluation.questionnaire_answered")
    if invitation.expires_at <= now():
        raise InvitationUnusable("error.evaluation.questionnaire_expired")
    return invitation


class QuestionnaireView(BaseModel):
    """What a respondent sees: the project, their version of the questionnaire, the scale."""

    project_name: str
    lang: str
    role_group: RoleGroup
    questionnaire: str
    scale: list[str]
    dont_know: str
    sections: list[Section]
    expires_at: datetime


def questionnaire_for(session: Session, token: str) -> QuestionnaireView:
    """The questionnaire a token opens (raises :class:`InvitationUnusable`)."""
    invitation = _usable(session, token)
    project = session.get(Project, invitation.project_id)
    assert project is not None
    questionnaire = load_questionnaire()
    lang = invitation.lang
    return QuestionnaireView(
        project_name=project.name,
        lang=lang,
        role_group=invitation.role_group,
        questionnaire=questionnaire.key,
        scale=questionnaire.scale["en" if lang == "en" else "fr"],
        dont_know=questionnaire.dont_know.get(lang),
        sections=questionnaire.for_group(invitation.role_group),
        expires_at=invitation.expires_at,
    )


def clean_answers(questionnaire: Questionnaire, group: RoleGroup, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Check answers against the respondent's version: 1–5 or ``nsp`` on scales, text on open
    questions; unanswered items are simply left out."""
    allowed = {item.code: section.open for section in questionnaire.for_group(group) for item in section.items}
    cleaned: dict[str, Any] = {}
    for code, value in answers.items():
        if code not in allowed:
            raise InvalidAnswers("error.evaluation.question_not_in_questionnaire", code=code)
        if allowed[code]:
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if not isinstance(value, str):
                raise InvalidAnswers("error.evaluation.question_wants_text", code=code)
            if len(value) > MAX_OPEN_ANSWER:
                raise InvalidAnswers("error.evaluation.answer_too_long", code=code, limit=MAX_OPEN_ANSWER)
            cleaned[code] = value.strip()
            continue
        if value is None or value == DONT_KNOW:
            cleaned[code] = None
        elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            cleaned[code] = value
        elif isinstance(value, str) and value.strip() in {"1", "2", "3", "4", "5"}:
            cleaned[code] = int(value.strip())
        else:
            raise InvalidAnswers("error.evaluation.question_wants_score", code=code, dont_know=DONT_KNOW)
    if not cleaned:
        raise InvalidAnswers("error.evaluation.no_answer")
    return cleaned


def about(invitation: FeedbackInvitation) -> str:
    """What an invitation's messages are about, in the outbox."""
    return f"feedback:{invitation.id}"


def cancel_reminders(session: Session, invitation: FeedbackInvitation) -> int:
    """The questionnaire is answered: its reminders still waiting are cancelled."""
    return cancel_waiting(
        session, about=about(invitation), occasions=[Occasion.FEEDBACK_REMINDER], reason=written("stored.outbox.questionnaire_answered")
    )


def answer_questionnaire(session: Session, token: str, answers: Mapping[str, Any]) -> None:
    """Store one anonymous response and close the invitation, in the same transaction."""
    invitation = _usable(session, token)
    questionnaire = load_questionnaire()
    cleaned = clean_answers(questionnaire, invitation.role_group, answers)
    assert invitation.id is not None
    # One conditional UPDATE: of concurrent answers through the same link, exactly one is kept.
    if not claim_flag(session, FeedbackInvitation, invitation.id, column="answered"):
        raise InvitationUnusable("error.evaluation.questionnaire_answered")
    session.refresh(invitation)
    session.add(
        FeedbackResponse(
            id=uuid.uuid4().hex,
            project_id=invitation.project_id,
            questionnaire=questionnaire.key,
            role_group=invitation.role_group,
            answers=cleaned,
        )
    )
    cancel_reminders(session, invitation)
    # No person, no invitation id: the log must not re-link the answer to its author.
    audit.record(session, actor="répondant anonyme", action="feedback.answered", project_id=invitation.project_id)
    session.flush()


def responses(session: Session, project: Project) -> list[FeedbackResponse]:
    rows = session.exec(select(FeedbackResponse).where(FeedbackResponse.project_id == project.id))
    return sorted(rows, key=lambda r: r.id)


# --- results (pure) ---------------------------------------------------------------------------

GROUP_ALL = "tous"


@dataclass(frozen=True)
class SectionResult:
    code: str
    title: str
    respondents: int
    hidden: bool
    mean: float | None
    distribution: tuple[int, ...]  # counts of 1..5, then "je ne sais pas"


@dataclass(frozen=True)
class GroupResult:
    group: str
    respondents: int
    sections: list[SectionResult]


def _respondent_mean(answers: Mapping[str, Any], codes: Sequence[str]) -> float | None:
    scores = [answers[c] for c in codes if isinstance(answers.get(c), int)]
    return mean(scores) if scores else None


def section_results(
    questionnaire: Questionnaire,
    answers: Sequence[Mapping[str, Any]],
    group: str,
    lang: str = "fr",
    min_group: int = MIN_GROUP,
) -> GroupResult:
    """Per-section mean (each respondent weighs the same) and distribution for one group.

    A section with fewer than ``min_group`` respondents is hidden: no mean, no counts.
    """
    sections = []
    for section in questionnaire.sections:
        if section.open:
            continue
        codes = [i.code for i in section.items]
        means = [m for m in (_respondent_mean(a, codes) for a in answers) if m is not None]
        respondents = sum(1 for a in answers if any(c in a for c in codes))
        hidden = respondents < min_group
        counts = [0] * 6
        for a in answers:
            for c in codes:
                if c in a:
                    counts[5 if a[c] is None else int(a[c]) - 1] += 1
        sections.append(
            SectionResult(
                code=section.code,
                title=section.title.get(lang),
                respondents=respondents,
                hidden=hidden,
                mean=None if hidden or not means else round(mean(means), 2),
                distribution=(0,) * 6 if hidden else tuple(counts),
            )
        )
    return GroupResult(group=group, respondents=len(answers), sections=sections)


def results_by_group(
    questionnaire: Questionnaire, rows: Sequence[FeedbackResponse], lang: str = "fr", min_group: int = MIN_GROUP
) -> list[GroupResult]:
    """All respondents, then partners, then professionals."""
    everyone = [r.answers for r in rows]
    result = [section_results(questionnaire, everyone, GROUP_ALL, lang, min_group)]
    for group in RoleGroup:
        result.append(
            section_results(
                questionnaire, [r.answers for r in rows if r.role_group == group], group.value, lang, min_group
            )
        )
    return result


def open_answers(
    questionnaire: Questionnaire, rows: Sequence[FeedbackResponse], lang: str = "fr", min_group: int = MIN_GROUP
) -> list[tuple[str, list[str]]]:
    """Open answers per question, sorted (never in answer order), only with enough respondents."""
    if len(rows) < min_group:
        return []
    result = []
    for section in questionnaire.sections:
        if not section.open:
            continue
        for item in section.items:
            texts = sorted(str(r.answers[item.code]) for r in rows if r.answers.get(item.code))
            if texts:
                result.append((item.text.get(lang), texts))
    return result


def section_mean(
    rows: Sequence[FeedbackResponse], section_code: str, group: RoleGroup | None = None, min_group: int = MIN_GROUP
) -> float | None:
    """Mean score of a section (for questionnaire indicators); None when too few respondents."""
    questionnaire = load_questionnaire()
    chosen = [r.answers for r in rows if group is None or r.role_group == group]
    for result in section_results(questionnaire, chosen, "x", min_group=min_group).sections:
        if result.code == section_code:
            return result.mean
    raise KeyError(section_code)


def overall_mean(rows: Sequence[FeedbackResponse], min_group: int = MIN_GROUP) -> float | None:
    """Mean of each respondent's mean over every scale question."""
    if len(rows) < min_group:
        return None
    questionnaire = load_questionnaire()
    codes = [i.code for s in questionnaire.sections if not s.open for i in s.items]
    means = [m for m in (_respondent_mean(r.answers, codes) for r in rows) if m is not None]
    return round(mean(means), 2) if len(means) >= min_group else None


def agreement_share(rows: Sequence[FeedbackResponse], item_code: str, min_group: int = MIN_GROUP) -> float | None:
    """Percentage answering 4 or 5 to one item, among those who gave a score."""
    scores = [r.answers[item_code] for r in rows if isinstance(r.answers.get(item_code), int)]
    if len(scores) < min_group:
        return None
    return round(100 * sum(1 for s in scores if s >= 4) / len(scores), 1)

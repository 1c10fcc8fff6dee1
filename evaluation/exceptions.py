"""Errors of the evaluation services. Each message is one French sentence saying what to do.

store.exceptions.CoconError
└── EvaluationError
    ├── IndicatorLocked        the project left ``avant``: a change needs a reason
    ├── UnknownIndicator       a code that is neither in the catalogue nor chosen
    ├── ReasonRequired         a proposal not retained, or a re-planning, without a reason
    ├── InvalidAnswers         questionnaire answers that do not fit the questionnaire
    └── InvitationUnusable     a questionnaire link that is unknown, used or expired
"""

from store.exceptions import CoconError


class EvaluationError(CoconError):
    """Base of the evaluation errors."""


class IndicatorLocked(EvaluationError):
    pass


class UnknownIndicator(EvaluationError):
    pass


class ReasonRequired(EvaluationError):
    pass


class InvalidAnswers(EvaluationError):
    pass


class InvitationUnusable(EvaluationError):
    pass

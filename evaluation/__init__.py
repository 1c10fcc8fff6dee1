"""Checkpoints, contributions, proposals, indicators, the participant questionnaire, the
evaluation report, the restitution and the thanks: the "pendant" and "après" halves."""

"""The words of the pause page, of "Mon compte"'s reminders section and of the people page's pause
actions, French and English (merged into :data:`cocon.web.i18n.MESSAGES`)."""

PAUSE_MESSAGES: dict[str, tuple[str, str]] = {
    "pause_title": ("Faire une pause ou arrêter les rappels", "Pause or stop the reminders"),
    "pause_intro": (
        "Bonjour {name}, vous pouvez souffler : choisissez, c'est fait en un geste.",
        "Hello {name}, take a breath: choose, it is done in one tap.",
    ),
    "pause_1m": ("Pause d'un mois", "Pause for one month"),
    "pause_3m": ("Pause de trois mois", "Pause for three months"),
    "pause_open": ("Pause jusqu'à ce que je reprenne", "Pause until I resume"),
    "pause_stop_project": ("Arrêter les rappels de « {project} »", "Stop the reminders of “{project}”"),
    "pause_stop_all": ("Arrêter les rappels de tous mes projets", "Stop the reminders of all my projects"),
    "pause_resume": ("Reprendre les rappels", "Resume the reminders"),
    "pause_done_title": ("C'est noté", "Done"),
    "pause_done_until": (
        "Vos rappels sont en pause jusqu'au {day} inclus. Rien ne vous sera envoyé d'ici là.",
        "Your reminders are paused until {day} included. Nothing will be sent to you until then.",
    ),
    "pause_done_open": (
        "Vos rappels sont en pause jusqu'à ce que vous repreniez, depuis « Mon compte » ou en répondant à la coordination.",
        "Your reminders are paused until you resume, from “My account” or by replying to the coordination.",
    ),
    "pause_done_stop_project": (
        "Vous ne recevrez plus de rappels pour « {project} ».",
        "You will receive no more reminders for “{project}”.",
    ),
    "pause_done_stop_all": (
        "Vous ne recevrez plus de rappels, pour aucun de vos projets.",
        "You will receive no more reminders, for any of your projects.",
    ),
    "pause_done_resume": ("Vos rappels reprennent.", "Your reminders resume."),
    "pause_link_gone": (
        "Ce lien n'est plus valable : connectez-vous à Cocon ou répondez à un message de la coordination.",
        "This link is no longer valid: log in to Cocon or reply to a message from the coordination.",
    ),
    "reminders_title": ("Mes rappels", "My reminders"),
    "reminders_active": ("Vous recevez les rappels de vos projets.", "You receive the reminders of your projects."),
    "reminders_paused_until": ("En pause jusqu'au {day} inclus.", "Paused until {day} included."),
    "reminders_paused_open": ("En pause jusqu'à ce que vous repreniez.", "Paused until you resume."),
    "reminders_stopped": ("Rappels arrêtés.", "Reminders stopped."),
    "person_reminders": ("Rappels", "Reminders"),
    "person_reminders_apply": ("Appliquer", "Apply"),
    "person_state_active": ("actifs", "active"),
    "person_state_paused_until": ("en pause jusqu'au {day}", "paused until {day}"),
    "person_state_paused_open": ("en pause", "paused"),
    "person_state_stopped": ("arrêtés", "stopped"),
    "ok_reminders": ("Les rappels de la personne sont modifiés.", "The person's reminders are changed."),
}

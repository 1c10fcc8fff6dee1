"""The words of the project's pages — overview, plan, people, charter, checkpoints, messages —
French and English (merged into :data:`cocon.web.i18n.MESSAGES`)."""

PROJECT_MESSAGES: dict[str, tuple[str, str]] = {
    # overview
    "progress": ("Avancement", "Progress"),
    "steps_done_of": ("{done} étape(s) faites ou abandonnées sur {total}", "{done} of {total} step(s) done or skipped"),
    "what_next": ("Que faire maintenant ?", "What to do next?"),
    "project_closed_text": (
        "Le projet est clos. Le rapport d'évaluation reste disponible.",
        "The project is closed. The evaluation report remains available.",
    ),
    "late_steps": ("En retard", "Late"),
    "was_due_on": ("prévue le {day}", "due on {day}"),
    "due_on": ("prévue le {day}", "due on {day}"),
    "roles_to_fill": ("Personnes à trouver", "People still needed"),
    "role_missing_line": ("{role} : {count} sur {minimum} au minimum", "{role}: {count} of at least {minimum}"),
    "coming_steps": ("Prochaines étapes", "Next steps"),
    "nothing_to_do": ("Rien ne presse : aucune étape en attente.", "Nothing urgent: no step waiting."),
    "undelivered_n": ("{n} message(s) n'ont pas pu être remis.", "{n} message(s) could not be delivered."),
    "next_phase_named": ("Passer à la phase suivante : {phase}", "Move to the next phase: {phase}"),
    "go_people": ("Ajouter des personnes", "Add people"),
    "go_messages": ("Voir les messages", "See the messages"),
    "go_charter": ("Ouvrir la charte", "Open the charter"),
    "go_checkpoints": ("Enregistrer la rencontre", "Record the meeting"),
    "go_indicators": ("Choisir les indicateurs", "Choose the indicators"),
    "go_questionnaire": ("Ouvrir le questionnaire", "Open the questionnaire"),
    "go_evaluation": ("Ouvrir l'évaluation et la clôture", "Open evaluation and closing"),
    "go_plan": ("Marquer l'étape dans le planning", "Mark the step in the plan"),
    # plan
    "last_move_intro": ("Ce déplacement a changé ces dates :", "This move changed these dates:"),
    "followed": ("a suivi", "followed"),
    "download_ics": ("Télécharger le planning pour un agenda (.ics)", "Download the plan for a calendar (.ics)"),
    "expenses_csv_there": (
        "Les frais et leur export pour un tableur sont dans Contributions",
        "Expenses and their spreadsheet export are under Contributions",
    ),
    "change_step_state": ("Changer l'état d'une étape", "Change a step's state"),
    "what_to_do": ("Que faire de cette étape ?", "What to do with this step?"),
    "step_action_start": ("La commencer", "Start it"),
    "step_action_done": ("La marquer comme faite", "Mark it done"),
    "step_action_skip": ("L'abandonner (elle ne bloque plus la phase)", "Skip it (it no longer blocks the phase)"),
    "step_action_reopen": ("La rouvrir", "Reopen it"),
    "apply": ("Appliquer", "Apply"),
    "move_explain": (
        "Les étapes qui dépendent de celle-ci suivent ; les autres ne bougent pas.",
        "The steps that depend on this one follow; the others stay.",
    ),
    "because_moved": ("suite au déplacement de « {step} »", "because “{step}” moved"),
    "no_plan_changes": ("Aucune date n'a changé depuis le départ.", "No date has changed since the start."),
    "ok_not_moved": ("Rien à changer : l'étape est déjà à cette date.", "Nothing to change: the step is already on that date."),
    "ok_started": ("Étape commencée.", "Step started."),
    "ok_skipped": ("Étape abandonnée : elle ne bloque plus la phase.", "Step skipped: it no longer blocks the phase."),
    "ok_reopened": ("Étape rouverte.", "Step reopened."),
    # people
    "manage_person": ("Modifier, exporter, retirer", "Edit, export, remove"),
    "edit_person": ("Modifier ses informations", "Edit their details"),
    "absences": ("Absences", "Absences"),
    "absences_hint": (
        "(une par ligne : 2027-03-01 ou 2027-03-01..2027-03-15)",
        "(one per line: 2027-03-01 or 2027-03-01..2027-03-15)",
    ),
    "save_person": ("Enregistrer", "Save"),
    "person_data": ("Ses données", "Their data"),
    "export_person": ("Exporter ses données (JSON)", "Export their data (JSON)"),
    "erase_person": ("Effacer ses données…", "Erase their data…"),
    "remove_person": ("Retirer du projet", "Remove from the project"),
    "remove_person_explain": (
        "La personne ne reçoit plus rien pour ce projet ; ce qu'elle a fait reste dans l'historique.",
        "The person receives nothing more for this project; what they did stays in the history.",
    ),
    "remove_person_button": ("Retirer {name} du projet", "Remove {name} from the project"),
    "back_to_people": ("Revenir aux personnes", "Back to people"),
    "person_not_ours": (
        "{name} gère elle-même ou lui-même ses informations (compte personnel ou autre projet) : demandez-lui de les changer.",
        "{name} manages their own details (personal account or another project): ask them to change them.",
    ),
    "erase_title": ("Effacer les données de {name}", "Erase the data of {name}"),
    "erase_warning": (
        "Le nom et les coordonnées seront effacés partout, y compris dans les textes enregistrés ; "
        "l'historique du projet garde une trace anonyme. Cette action est définitive.",
        "The name and contact details will be erased everywhere, stored texts included; the project's "
        "history keeps an anonymous trace. This cannot be undone.",
    ),
    "erase_confirm_label": ("Je confirme l'effacement définitif des données de {name}", "I confirm the final erasure of the data of {name}"),
    "erase_button": ("Effacer définitivement", "Erase for good"),
    "erase_not_confirmed": (
        "Cochez la case de confirmation pour effacer ces données : l'effacement est définitif.",
        "Tick the confirmation box to erase this data: erasure cannot be undone.",
    ),
    "cancel_back": ("Annuler et revenir", "Cancel and go back"),
    "ok_updated": ("Informations de la personne enregistrées.", "The person's details are saved."),
    "ok_removed": ("Personne retirée du projet.", "Person removed from the project."),
    "ok_erased": ("Données de la personne effacées.", "The person's data is erased."),
    # checkpoints
    "checkpoints_held": ("Rencontres enregistrées", "Meetings recorded"),
    "read_minutes": ("Lire le compte rendu", "Read the minutes"),
    "actions_decided": ("Actions décidées (quoi, qui, pour quand)", "Actions decided (what, who, by when)"),
    "action_what": ("Action", "Action"),
    "action_who": ("Qui", "Who"),
    "action_due": ("Pour le", "By"),
    "open_steps_state": ("État des étapes en cours", "State of the open steps"),
    "unchanged_state": ("inchangé", "unchanged"),
    "replanning": ("Nouvelles dates décidées (avec la raison)", "New dates decided (with the reason)"),
    "send_minutes": ("Envoyer le compte rendu aux participants", "Send the minutes to the participants"),
    "no_checkpoint_to_record": ("Aucune rencontre à enregistrer pour l'instant.", "No meeting to record for now."),
    "minutes_of": ("Compte rendu — {step}", "Minutes — {step}"),
    "minutes_sent": ("compte rendu envoyé aux participants", "minutes sent to the participants"),
    "back_to_checkpoints": ("Revenir aux points d'étape", "Back to checkpoints"),
    "ok_checkpoint_sent": (
        "Point d'étape enregistré ; le compte rendu part aux participants.",
        "Checkpoint recorded; the minutes are on their way to the participants.",
    ),
    # charter
    "not_signed_yet": ("Pas encore signé", "Not signed yet"),
    "everyone_signed": ("Toutes les personnes qui signent ont signé cette version.", "Everyone who signs has signed this version."),
    "not_signer_state": ("ne signe pas (son rôle ne le demande pas)", "does not sign (their role does not ask it)"),
    "send_all_sign_links": ("Envoyer le lien de signature à ces {n} personne(s)", "Send the signing link to these {n} person(s)"),
    "send_all_sign_links_hint": (
        "Chaque lien est personnel, à usage unique, valable 30 jours. Une personne sans adresse e-mail signe sur papier.",
        "Each link is personal, single use, valid 30 days. Someone without an email address signs on paper.",
    ),
    "ok_sign_links": ("{n} lien(s) de signature envoyé(s).", "{n} signing link(s) sent."),
    "ok_sign_links_later": (
        "{n} lien(s) de signature envoyé(s), dont {later} partira plus tard : "
        "au bon moment de la journée pour la personne, ou à la fin de son absence ou de sa pause.",
        "{n} signing link(s) sent, of which {later} will leave later: at a good time of day for the person, "
        "or when their absence or pause ends.",
    ),
    "ok_sign_links_none": (
        "Aucun lien envoyé : personne n'attend de lien avec une adresse e-mail.",
        "No link sent: nobody waiting for one has an email address.",
    ),
    # messages
    "outbox_explain": (
        "Les messages du projet : quand, à qui, pourquoi et où ils en sont (jamais leur contenu).",
        "The project's messages: when, to whom, why and where they stand (never their content).",
    ),
    "retry_messages": ("Renvoyer les {n} message(s) en échec ou non remis", "Send the {n} failed or undelivered message(s) again"),
    "outbox_latest": ("Les {shown} derniers messages sur {total}.", "The latest {shown} messages of {total}."),
    "former_member": ("ancien membre", "former member"),
    "ok_retried": ("{n} message(s) remis en file d'envoi.", "{n} message(s) queued again."),
    "ok_retried_none": ("Aucun message à renvoyer.", "No message to send again."),
}

"""Every string of the web interface, in French (the default) and English.

``translate(key, lang, **values)`` formats the string with ``str.format``. A test checks that
each key has both languages and the same placeholders, and that every key the templates use
exists here.
"""

from typing import Any

from cocon.web.evaluation_texts import EVALUATION_MESSAGES
from cocon.web.partner_texts import PARTNER_MESSAGES
from cocon.web.pause_texts import PAUSE_MESSAGES
from cocon.web.project_texts import PROJECT_MESSAGES
from store.models import ProjectPhase
from store.phases import PHASE_LABELS

MESSAGES: dict[str, tuple[str, str]] = {
    # layout
    "skip_to_content": ("Aller au contenu", "Skip to content"),
    "nav_main": ("Navigation principale", "Main navigation"),
    "nav_dashboard": ("Tableau de bord", "Dashboard"),
    "nav_new_project": ("Nouveau projet", "New project"),
    "nav_contributions": ("Mes contributions", "My contributions"),
    "nav_account": ("Mon compte", "My account"),
    "nav_logout": ("Se déconnecter", "Log out"),
    "nav_login": ("Se connecter", "Log in"),
    "footer": (
        "Cocon — co-construire avec les patients et les usagers en soins primaires.",
        "Cocon — co-designing with patients and users in primary care.",
    ),
    "back_home": ("Revenir à l'accueil", "Back to the home page"),
    # errors
    "error_403_title": ("Action non autorisée", "Not allowed"),
    "error_403": (
        "Vous pouvez consulter cette page, mais cette action est réservée à la coordination du projet.",
        "You may read this page, but this action is for the project's coordination only.",
    ),
    "error_404_title": ("Page introuvable", "Page not found"),
    "error_404": (
        "Cette page n'existe pas ou ne vous est pas accessible.",
        "This page does not exist or is not available to you.",
    ),
    "error_405_title": ("Action impossible", "Action not possible"),
    "error_405": ("Cette adresse ne permet pas cette action.", "This address does not allow this action."),
    "error_429_title": ("Trop de tentatives", "Too many attempts"),
    "error_429": ("Trop de tentatives : réessayez un peu plus tard.", "Too many attempts: try again a little later."),
    "error_csrf_title": ("Formulaire expiré", "Form expired"),
    "error_csrf": (
        "Ce formulaire a expiré ou ne vient pas de Cocon : rechargez la page et recommencez.",
        "This form has expired or did not come from Cocon: reload the page and try again.",
    ),
    "error_other_title": ("Erreur", "Error"),
    "error_other": ("La demande n'a pas pu aboutir.", "The request could not be completed."),
    "error_invalid_title": ("Données invalides", "Invalid data"),
    "error_invalid": (
        "Un champ manque ou n'a pas la bonne forme (nombre, date AAAA-MM-JJ, taille) : revenez au formulaire et corrigez-le.",
        "A field is missing or has the wrong form (number, YYYY-MM-DD date, length): go back to the form and correct it.",
    ),
    "error_internal": (
        "La demande n'a pas pu aboutir à cause d'une erreur de Cocon : réessayez, et si cela se reproduit, prévenez la personne qui administre Cocon.",
        "The request failed because of an error in Cocon: try again, and if it happens again, tell whoever runs Cocon.",
    ),
    "error_db_title": ("Base de données indisponible", "Database unavailable"),
    "error_db_gone": (
        "La base de données a disparu pendant que Cocon tournait : rien n'a été enregistré. Prévenez la personne qui administre Cocon (restaurer la sauvegarde, puis redémarrer).",
        "The database disappeared while Cocon was running: nothing was saved. Tell whoever runs Cocon (restore the backup, then restart).",
    ),
    "error_db_replaced": (
        "Le fichier de la base de données a été remplacé : rien n'a été enregistré. Prévenez la personne qui administre Cocon (redémarrer Cocon).",
        "The database file was replaced: nothing was saved. Tell whoever runs Cocon (restart Cocon).",
    ),
    "error_db_missing": (
        "La base de données est introuvable : rien n'a été enregistré. Prévenez la personne qui administre Cocon (restaurer la sauvegarde).",
        "The database cannot be found: nothing was saved. Tell whoever runs Cocon (restore the backup).",
    ),
    "error_db_locked": (
        "La base de données est occupée depuis plus de 30 secondes : rien n'a été enregistré. Réessayez dans un moment.",
        "The database has been busy for more than 30 seconds: nothing was saved. Try again in a moment.",
    ),
    "error_db_readonly": (
        "La base de données est en lecture seule : rien n'a été enregistré. Prévenez la personne qui administre Cocon (droits d'écriture du fichier).",
        "The database is read-only: nothing was saved. Tell whoever runs Cocon (write permission on the file).",
    ),
    "error_db_corrupt": (
        "La base de données est abîmée ou n'est pas une base Cocon. Prévenez la personne qui administre Cocon (restaurer la sauvegarde).",
        "The database is damaged or is not a Cocon database. Tell whoever runs Cocon (restore the backup).",
    ),
    "error_db_disk": (
        "La base de données ne peut pas être lue ou écrite (disque plein ou en erreur) : rien n'a été enregistré. Prévenez la personne qui administre Cocon.",
        "The database cannot be read or written (disk full or failing): nothing was saved. Tell whoever runs Cocon.",
    ),
    "error_db_unopenable": (
        "La base de données ne peut pas être ouverte. Prévenez la personne qui administre Cocon (fichier, dossier et droits).",
        "The database cannot be opened. Tell whoever runs Cocon (file, folder and permissions).",
    ),
    # login and account
    "login_title": ("Connexion", "Log in"),
    "email": ("Adresse e-mail", "Email address"),
    "password": ("Mot de passe", "Password"),
    "login_submit": ("Se connecter", "Log in"),
    "login_failed": (
        "Adresse e-mail ou mot de passe incorrect.",
        "Wrong email address or password.",
    ),
    "login_throttled": (
        "Trop de tentatives de connexion : réessayez dans {minutes} minutes, ou demandez un lien par e-mail.",
        "Too many login attempts: try again in {minutes} minutes, or ask for a link by email.",
    ),
    "magic_title": ("Recevoir un lien de connexion", "Get a login link"),
    "magic_explain": (
        "Pas de mot de passe ? Indiquez votre adresse : si elle est connue, un lien personnel vous est envoyé par e-mail. Il sert une seule fois.",
        "No password? Give your address: if it is known, a personal link is emailed to you. It works once.",
    ),
    "magic_submit": ("M'envoyer un lien", "Send me a link"),
    "magic_sent": (
        "Si cette adresse est connue de Cocon, un lien de connexion vient d'y être envoyé. Pensez à regarder les courriers indésirables.",
        "If this address is known to Cocon, a login link has just been sent to it. Check your spam folder too.",
    ),
    "magic_confirm_title": ("Se connecter avec votre lien", "Log in with your link"),
    "magic_confirm_explain": (
        "Bonjour {name}, ce lien personnel vous connecte à Cocon. Il ne servira qu'une fois.",
        "Hello {name}, this personal link logs you in to Cocon. It works only once.",
    ),
    "magic_confirm_submit": ("Me connecter", "Log me in"),
    "link_refused_title": ("Lien inutilisable", "Link cannot be used"),
    "link_refused_unknown": (
        "Ce lien n'existe pas : vérifiez qu'il a été copié en entier.",
        "This link does not exist: check that it was copied in full.",
    ),
    "link_refused_used": (
        "Ce lien a déjà servi : chaque lien ne sert qu'une fois. Demandez-en un nouveau.",
        "This link has already been used: each link works once. Ask for a new one.",
    ),
    "link_refused_expired": ("Ce lien a expiré : demandez-en un nouveau.", "This link has expired: ask for a new one."),
    "link_ask_new": ("Demander un nouveau lien", "Ask for a new link"),
    "link_not_sent": (
        "Aucun lien envoyé à {name} : pas d'adresse e-mail, ou déjà trois liens envoyés dans l'heure.",
        "No link sent to {name}: no email address, or three links already sent this hour.",
    ),
    "mail_login_subject": ("Votre lien de connexion à Cocon", "Your Cocon login link"),
    "mail_login_text": (
        "Bonjour {name},\n\nVoici votre lien personnel pour vous connecter à Cocon :\n{url}\n\n"
        "Il ne sert qu'une fois et expire dans 7 jours. Si vous n'avez rien demandé, ignorez ce message.\n\n"
        "Merci de votre participation.",
        "Hello {name},\n\nHere is your personal link to log in to Cocon:\n{url}\n\n"
        "It works once and expires in 7 days. If you did not ask for it, ignore this message.\n\n"
        "Thank you for taking part.",
    ),
    "mail_sign_subject": (
        "La charte du projet « {project} » à lire et signer",
        "The charter of “{project}” to read and sign",
    ),
    "mail_sign_text": (
        "Bonjour {name},\n\nLa charte d'engagement du projet « {project} » est prête. Elle dit les valeurs que nous "
        "partageons, le rôle de chacun et ses limites, et votre droit de vous retirer à tout moment.\n\n"
        "Vous pouvez la lire, la télécharger et la signer ici :\n{url}\n\n"
        "Ce lien personnel ne sert qu'une fois. Prenez votre temps, et n'hésitez pas à poser vos questions.",
        "Hello {name},\n\nThe charter of engagement of “{project}” is ready. It states the values we share, "
        "each person's role and its limits, and your right to withdraw at any time.\n\n"
        "You can read, download and sign it here:\n{url}\n\n"
        "This personal link works once. Take your time, and feel free to ask questions.",
    ),
    "no_email": (
        "{name} n'a pas d'adresse e-mail : ajoutez-en une d'abord.",
        "{name} has no email address: add one first.",
    ),
    "account_title": ("Mon compte", "My account"),
    "name": ("Nom", "Name"),
    "account_kind": ("Type de compte", "Account type"),
    "kind_coordinator": ("Coordination", "Coordinator"),
    "kind_facilitator": ("Facilitation", "Facilitator"),
    "kind_professional": ("Professionnel·le", "Professional"),
    "kind_partner": ("Partenaire", "Partner"),
    "structures_followed": ("Structures suivies", "Structures followed"),
    "password_set_title": ("Choisir un mot de passe", "Choose a password"),
    "password_set_explain": (
        "Facultatif : avec un mot de passe, vous pouvez vous connecter sans attendre de lien par e-mail.",
        "Optional: with a password you can log in without waiting for a link by email.",
    ),
    "current_password": ("Mot de passe actuel", "Current password"),
    "new_password": ("Nouveau mot de passe", "New password"),
    "password_hint": ("(au moins 10 caractères)", "(at least 10 characters)"),
    "confirm_password": ("Le même mot de passe, à nouveau", "The same password again"),
    "password_set_submit": ("Enregistrer le mot de passe", "Save the password"),
    "password_saved": ("Mot de passe enregistré.", "Password saved."),
    # dashboard
    "dashboard_title": ("Tableau de bord", "Dashboard"),
    "dashboard_lead": (
        "Bonjour {name}. Voici les projets que vous suivez.",
        "Hello {name}. Here are the projects you follow.",
    ),
    "dashboard_summary": ("En résumé", "Summary"),
    "card_project_one": ("projet", "project"),
    "card_project_many": ("projets", "projects"),
    "card_attention_one": ("projet à surveiller", "project needs attention"),
    "card_attention_many": ("projets à surveiller", "projects need attention"),
    "card_late_one": ("projet avec des étapes en retard", "project with late steps"),
    "card_late_many": ("projets avec des étapes en retard", "projects with late steps"),
    "card_unsigned_one": ("charte pas encore signée", "charter not signed yet"),
    "card_unsigned_many": ("chartes pas encore signées", "charters not signed yet"),
    "card_undelivered_one": ("projet avec des messages non remis", "project with undelivered messages"),
    "card_undelivered_many": ("projets avec des messages non remis", "projects with undelivered messages"),
    "card_past_end_one": ("projet non clos après sa date de fin", "project not closed after its end date"),
    "card_past_end_many": ("projets non clos après leur date de fin", "projects not closed after their end date"),
    "search_label": ("Rechercher (nom ou structure)", "Search (name or structure)"),
    "attention_label": ("À surveiller", "Needs attention"),
    "attention_all": ("Tous les projets", "All projects"),
    "attention_any": ("Tout ce qui demande attention", "Anything that needs attention"),
    "attention_late": ("Étapes en retard", "Late steps"),
    "attention_unsigned": ("Charte pas encore signée", "Charter not signed yet"),
    "attention_undelivered": ("Messages non remis", "Undelivered messages"),
    "attention_past_end": ("Date de fin passée, projet non clos", "End date passed, project not closed"),
    "sort_label": ("Trier par", "Sort by"),
    "sort_name": ("Nom", "Name"),
    "sort_end": ("Date de fin", "End date"),
    "sort_phase": ("Phase", "Phase"),
    "sort_lateness": ("Retard (le plus ancien d'abord)", "Lateness (oldest first)"),
    "board_end": ("Fin", "End"),
    "needs_attention": ("À surveiller", "Needs attention"),
    "nothing_to_report": ("Rien à signaler", "Nothing to report"),
    "download_csv": ("Télécharger ces {n} projets (CSV)", "Download these {n} projects (CSV)"),
    "dashboard_projects": ("Liste des projets", "List of projects"),
    "no_match": ("Aucun projet ne correspond à ces critères.", "No project matches these criteria."),
    "clear_filters": ("Voir tous les projets", "Show all projects"),
    "filter": ("Filtrer", "Filter"),
    "structure": ("Structure", "Structure"),
    "all_structures": ("Toutes les structures", "All structures"),
    "phase": ("Phase", "Phase"),
    "all_phases": ("Toutes les phases", "All phases"),
    **{f"phase_{phase.value}": (PHASE_LABELS["fr"][phase], PHASE_LABELS["en"][phase]) for phase in ProjectPhase},
    "dashboard_caption": (
        "{total} projet(s) — page {page} sur {pages}",
        "{total} project(s) — page {page} of {pages}",
    ),
    "project": ("Projet", "Project"),
    "next_milestone": ("Prochaine étape", "Next milestone"),
    "charter": ("Charte", "Charter"),
    "charter_unsigned": ("à signer", "to sign"),
    "charter_ok": ("signée ou sans objet", "signed or not due"),
    "pagination": ("Pages", "Pages"),
    "previous_page": ("Page précédente", "Previous page"),
    "next_page": ("Page suivante", "Next page"),
    "page_of": ("Page {page} sur {pages}", "Page {page} of {pages}"),
    "no_projects": ("Aucun projet pour le moment.", "No project yet."),
    # new project
    "new_project_title": ("Nouveau projet", "New project"),
    "choose_template": ("1. Choisir un modèle", "1. Choose a template"),
    "see_template": ("Voir ce que contient « {name} »", "See what “{name}” contains"),
    "template_in_plain_words": ("2. Le modèle « {name} » en clair", "2. The template “{name}” in plain words"),
    "typical_duration": ("Durée habituelle : {duration}.", "Usual length: {duration}."),
    "roles": ("Rôles", "Roles"),
    "at_least": ("au moins {n}", "at least {n}"),
    "volunteer": ("bénévole", "volunteer"),
    "signs_charter": ("signe la charte", "signs the charter"),
    "role_limits": ("Ce que ce rôle ne fait pas :", "What this role does not do:"),
    "indicators": ("Indicateurs", "Indicators"),
    "template_indicators": (
        "{n} indicateurs proposés, à choisir ensemble pendant la phase « avant ».",
        "{n} suggested indicators, to be chosen together during the “before” phase.",
    ),
    "set_dates_create": ("3. Fixer les dates et créer le projet", "3. Set the dates and create the project"),
    "project_name": ("Nom du projet", "Project name"),
    "structure_hint": ("(par exemple « MSP des Tilleuls »)", "(for example “MSP des Tilleuls”)"),
    "alsace_moselle": (
        "En Alsace-Moselle : Vendredi saint et 26 décembre fériés",
        "In Alsace-Moselle: Good Friday and 26 December are holidays",
    ),
    "start_date": ("Date de début", "Start date"),
    "end_date": ("Date de fin visée", "Target end date"),
    "end_hint": (
        "(le planning est construit à rebours depuis cette date)",
        "(the plan is built backwards from this date)",
    ),
    "create_project": ("Créer le projet", "Create the project"),
    # project page
    "project_title": ("Projet", "Project"),
    "dates": ("Dates", "Dates"),
    "template": ("Modèle", "Template"),
    "project_sections": ("Parties de la page du projet", "Parts of the project page"),
    "plan": ("Planning", "Plan"),
    "people": ("Personnes", "People"),
    "checkpoints": ("Points d'étape", "Checkpoints"),
    "evaluation": ("Évaluation", "Evaluation"),
    "outbox": ("Messages", "Messages"),
    "next_phase": ("Phase suivante", "Next phase"),
    "gate_missing": ("Avant de passer à la phase suivante, il manque :", "Before moving to the next phase, missing:"),
    "gate_open": ("Tout est prêt pour passer à la phase suivante.", "Everything is ready for the next phase."),
    "advance_phase": ("Passer à la phase suivante", "Move to the next phase"),
    "timeline_explain": (
        "Chaque ligne est une étape : le rond marque sa date actuelle, le losange vide la date prévue au départ. "
        "Une coche signale une étape faite, un point d'exclamation une étape en retard.",
        "Each row is a step: the dot marks its current date, the hollow diamond its first planned date. "
        "A check mark shows a done step, an exclamation mark a late one.",
    ),
    "plan_as_table": ("Voir le planning sous forme de tableau", "See the plan as a table"),
    "step": ("Étape", "Step"),
    "due": ("Date actuelle", "Current date"),
    "baseline": ("Date prévue au départ", "First planned date"),
    "status": ("État", "Status"),
    "unchanged": ("inchangée", "unchanged"),
    "late": ("en retard", "late"),
    "mark_done": ("Marquer une étape comme faite", "Mark a step as done"),
    "note_optional": ("Remarque (facultatif)", "Note (optional)"),
    "move_step": ("Déplacer une étape", "Move a step"),
    "new_date": ("Nouvelle date", "New date"),
    "reason": ("Raison", "Reason"),
    "reason_hint": ("(elle reste dans l'historique du planning)", "(kept in the plan's history)"),
    "plan_history": ("Historique du planning", "Plan history"),
    "role_coverage": ("Couverture des rôles", "Role coverage"),
    "role": ("Rôle", "Role"),
    "people_count": ("Personnes", "People"),
    "minimum": ("Minimum", "Minimum"),
    "missing_n": ("il manque {n} personne(s)", "{n} person(s) missing"),
    "covered": ("couvert", "covered"),
    "members": ("Membres du projet", "Project members"),
    "contact": ("Contact", "Contact"),
    "access": ("Accès", "Access"),
    "send_login_link": ("Envoyer un lien de connexion", "Send a login link"),
    "add_person": ("Ajouter une personne", "Add a person"),
    "phone_optional": ("Téléphone (facultatif)", "Phone (optional)"),
    "language": ("Langue", "Language"),
    "availability": ("Moments qui lui conviennent (facultatif)", "Times that suit them (optional)"),
    "slot_matin": ("le matin", "mornings"),
    "slot_apres-midi": ("l'après-midi", "afternoons"),
    "slot_soir": ("le soir", "evenings"),
    "slot_semaine": ("en semaine", "weekdays"),
    "slot_week-end": ("le week-end", "weekends"),
    "quiet_hours_optional": ("Pas de message entre (facultatif, ex. 21:00-08:00)", "No messages between (optional, e.g. 21:00-08:00)"),
    "charter_open": ("Lire la charte et voir qui l'a signée", "Read the charter and see who signed it"),
    "no_checkpoints": ("Aucun point d'étape enregistré pour l'instant.", "No checkpoint recorded yet."),
    "record_checkpoint": ("Enregistrer un point d'étape", "Record a checkpoint"),
    "held_on": ("Date de la rencontre", "Date held"),
    "attendees": ("Personnes présentes", "People present"),
    "decisions": ("Décisions", "Decisions"),
    "one_per_line": ("(une par ligne)", "(one per line)"),
    "notes": ("Notes", "Notes"),
    "indicator": ("Indicateur", "Indicator"),
    "value": ("Valeur", "Value"),
    "target": ("Cible", "Target"),
    "verdict": ("Résultat", "Result"),
    "verdict_atteint": ("atteint", "met"),
    "verdict_partiellement": ("partiellement atteint", "partly met"),
    "verdict_non-atteint": ("non atteint", "not met"),
    "verdict_sans-cible": ("sans cible", "no target"),
    "verdict_non-mesure": ("pas encore mesuré", "not measured yet"),
    "record_indicator": ("Enregistrer une mesure", "Record a measurement"),
    "no_indicators": ("Aucun indicateur choisi pour l'instant.", "No indicator chosen yet."),
    "outbox_caption": ("Derniers messages du projet", "Latest messages of the project"),
    "day": ("Date", "Date"),
    "recipient": ("Destinataire", "Recipient"),
    "occasion": ("Motif", "Occasion"),
    "state": ("État", "State"),
    "attempts": ("Tentatives", "Attempts"),
    "team_channel": ("canal de l'équipe", "team channel"),
    "state_pending": ("en attente", "pending"),
    "state_sending": ("en cours d'envoi", "sending"),
    "state_sent": ("envoyé", "sent"),
    "state_failed": ("échec, nouvel essai prévu", "failed, will retry"),
    "state_dead": ("non délivré", "undelivered"),
    "state_cancelled": ("annulé", "cancelled"),
    "no_messages": ("Aucun message pour l'instant.", "No message yet."),
    "ok_created": (
        "Projet créé. Ajoutez maintenant les personnes qui y participent.",
        "Project created. Now add the people taking part.",
    ),
    "ok_person": ("Personne ajoutée.", "Person added."),
    "ok_link": ("Lien de connexion envoyé par e-mail.", "Login link sent by email."),
    "ok_moved": (
        "Étape déplacée ; les étapes qui en dépendent ont suivi.",
        "Step moved; the steps that depend on it followed.",
    ),
    "ok_done": ("Étape marquée comme faite.", "Step marked as done."),
    "ok_phase": ("Le projet est passé à la phase suivante.", "The project moved to the next phase."),
    "ok_checkpoint": ("Point d'étape enregistré.", "Checkpoint recorded."),
    "ok_indicator": ("Mesure enregistrée.", "Measurement recorded."),
    "ok_signed": ("Merci : votre signature est enregistrée.", "Thank you: your signature is recorded."),
    "ok_paper": ("Signature sur papier enregistrée.", "Paper signature recorded."),
    "paper_signed": ("A signé sur papier", "Signed on paper"),
    "ok_sign_link": ("Lien de signature envoyé par e-mail.", "Signing link sent by email."),
    # charter
    "charter_title": ("Charte d'engagement", "Charter of engagement"),
    "charter_of": ("Charte d'engagement — {name}", "Charter of engagement — {name}"),
    "charter_version": ("Version {number}", "Version {number}"),
    "fingerprint": ("empreinte", "fingerprint"),
    "download_pdf": ("Télécharger en PDF", "Download as PDF"),
    "charter_please_sign": (
        "Après l'avoir lue, vous pouvez signer cette version de la charte. Vous restez libre de vous retirer à tout moment.",
        "Once you have read it, you can sign this version of the charter. You remain free to withdraw at any time.",
    ),
    "sign_charter": ("Je signe la charte", "I sign the charter"),
    "signatures": ("Signatures", "Signatures"),
    "signatures_caption": ("Qui a signé la version {number}", "Who signed version {number}"),
    "not_signer": ("ne signe pas", "does not sign"),
    "action": ("Action", "Action"),
    "send_sign_link": ("Envoyer le lien de signature", "Send the signing link"),
    "charter_text": ("Texte de la charte", "Text of the charter"),
    "charter_link_intro": (
        "Bonjour {name}. Voici la charte du projet. Lisez-la à votre rythme ; vous pouvez aussi la télécharger.",
        "Hello {name}. Here is the project's charter. Read it at your own pace; you can also download it.",
    ),
    "charter_sign_statement": (
        "En cliquant sur « Je signe la charte », vous signez la version {number} de ce texte.",
        "By clicking “I sign the charter”, you sign version {number} of this text.",
    ),
    "charter_signed_title": ("Charte signée", "Charter signed"),
    "charter_signed_text": (
        "Merci : votre signature de la version {number} (empreinte {sha}) est enregistrée.",
        "Thank you: your signature of version {number} (fingerprint {sha}) is recorded.",
    ),
    "charter_follow_project": ("Se connecter pour suivre le projet", "Log in to follow the project"),
    # questionnaire
    "questionnaire_title": ("Questionnaire", "Questionnaire"),
    "questionnaire": ("Questionnaire", "Questionnaire"),
    "questionnaire_of": ("Questionnaire — {name}", "Questionnaire — {name}"),
    "questionnaire_intro": (
        "Merci de prendre quelques minutes pour dire comment vous avez vécu ce projet. Répondez aux questions que vous souhaitez.",
        "Thank you for taking a few minutes to say how you experienced this project. Answer the questions you wish.",
    ),
    "questionnaire_anonymous": (
        "Vos réponses sont enregistrées sans votre nom, et les résultats d'un groupe de moins de 5 personnes ne sont jamais montrés.",
        "Your answers are stored without your name, and results of a group of fewer than 5 people are never shown.",
    ),
    "questionnaire_submit": ("Envoyer mes réponses", "Send my answers"),
    "questionnaire_thanks_title": ("Merci !", "Thank you!"),
    "questionnaire_thanks": (
        "Vos réponses sont enregistrées. Les résultats vous seront présentés lors de la restitution.",
        "Your answers are recorded. The results will be presented to you at the closing session.",
    ),
    # contributions
    "contributions_title": ("Mes contributions", "My contributions"),
    "contributions_lead": (
        "Ce que vous avez donné à chaque projet, et ce que sont devenues vos propositions.",
        "What you gave to each project, and what became of your proposals.",
    ),
    "hours_given": ("Heures données", "Hours given"),
    "expenses": ("Frais", "Expenses"),
    "reimbursed": ("Remboursé", "Reimbursed"),
    "still_owed": ("Reste à rembourser", "Still owed"),
    "what_you_gave": ("Ce que vous avez donné", "What you gave"),
    "kind": ("Nature", "Kind"),
    "hours": ("Heures", "Hours"),
    "contribution_reunion": ("réunion", "meeting"),
    "contribution_preparation": ("préparation", "preparation"),
    "contribution_action": ("action", "action"),
    "contribution_formation": ("formation", "training"),
    "contribution_deplacement": ("déplacement", "travel"),
    "contribution_garde": ("frais de garde", "care costs"),
    "contribution_autre": ("autre", "other"),
    "not_yet": ("pas encore", "not yet"),
    "no_contributions": ("Rien d'enregistré pour l'instant.", "Nothing recorded yet."),
    "your_proposals": ("Vos propositions", "Your proposals"),
    "proposed_on": ("proposée le {day}", "proposed on {day}"),
    "no_proposals": ("Aucune proposition enregistrée.", "No proposal recorded."),
    # evaluation
    "evaluation_title": ("Évaluation", "Evaluation"),
    "evaluation_of": ("Évaluation — {name}", "Evaluation — {name}"),
    "report_standalone": (
        "Ouvrir le rapport seul (à imprimer ou joindre)",
        "Open the report alone (to print or attach)",
    ),
    "indicators_vs_target": ("Indicateurs par rapport à leur cible", "Indicators against their target"),
    "indicator_changes": (
        "Changements après le verrouillage, avec leur raison",
        "Changes after locking, with their reason",
    ),
    "chart_indicators_alt": (
        "Graphique : valeur atteinte de chaque indicateur par rapport à sa cible (détail dans le tableau ci-dessous).",
        "Chart: value reached by each indicator against its target (details in the table below).",
    ),
    "chart_questionnaire_alt": (
        "Graphique : note moyenne de chaque partie du questionnaire (détail dans les tableaux ci-dessous).",
        "Chart: mean score of each part of the questionnaire (details in the tables below).",
    ),
    "chart_plan_alt": (
        "Graphique : décalage de chaque étape par rapport à la date prévue au départ (détail dans la liste ci-dessous).",
        "Chart: slip of each step against its first planned date (details in the list below).",
    ),
    "chart_participation_alt": (
        "Graphique : participation aux rencontres au fil du projet (détail dans le tableau ci-dessous).",
        "Chart: attendance at meetings over the project (details in the table below).",
    ),
    "chart_hours_alt": (
        "Graphique : heures données par groupe de participants.",
        "Chart: hours given by group of participants.",
    ),
    "questionnaire_rate": (
        "{answered} réponse(s) sur {invited} invitation(s) ({rate}).",
        "{answered} answer(s) out of {invited} invitation(s) ({rate}).",
    ),
    "n_respondents": ("{n} répondant(s)", "{n} respondent(s)"),
    "section": ("Partie", "Part"),
    "respondents": ("Répondants", "Respondents"),
    "mean": ("Moyenne (sur 5)", "Mean (out of 5)"),
    "hidden_small_group": ("masqué (moins de {n} répondants)", "hidden (fewer than {n} respondents)"),
    "plan_vs_baseline": ("Le planning par rapport au départ", "The plan against its baseline"),
    "no_gatherings": ("Aucune rencontre enregistrée.", "No meeting recorded."),
    "no_slips": ("Aucun déplacement de date n'a été enregistré.", "No date change was recorded."),
    "indicator_baseline": ("Valeur de départ", "Baseline"),
    "participation": ("Participation", "Participation"),
    "meeting": ("Rencontre", "Meeting"),
    "expected": ("Attendues", "Expected"),
    "present": ("Présentes", "Present"),
    "partners_present": ("Dont partenaires", "Of whom partners"),
    "contributions_and_compensation": ("Contributions et défraiement", "Contributions and compensation"),
    "contributors": ("Contributions par personne", "Contributions per person"),
    "proposals": ("Propositions et ce qu'elles sont devenues", "Proposals and what became of them"),
    # the project's sub-navigation (templates/_project_nav.html)
    "section_overview": ("Vue d'ensemble", "Overview"),
    "section_plan": ("Planning", "Plan"),
    "section_people": ("Personnes", "People"),
    "section_charter": ("Charte", "Charter"),
    "section_checkpoints": ("Points d'étape", "Checkpoints"),
    "section_contributions": ("Contributions", "Contributions"),
    "section_proposals_nav": ("Propositions", "Proposals"),
    "section_indicators": ("Indicateurs", "Indicators"),
    "section_questionnaire_nav": ("Questionnaire", "Questionnaire"),
    "section_evaluation_nav": ("Évaluation et clôture", "Evaluation and closing"),
    "section_outbox": ("Messages", "Messages"),
}

MESSAGES.update(PAUSE_MESSAGES)
MESSAGES.update(PROJECT_MESSAGES)
MESSAGES.update(EVALUATION_MESSAGES)
MESSAGES.update(PARTNER_MESSAGES)


def has(key: str) -> bool:
    return key in MESSAGES


def translate(key: str, lang: str = "fr", **values: Any) -> str:
    """The string ``key`` in ``lang`` (French unless ``en``), formatted with ``values``."""
    french, english = MESSAGES[key]
    text = english if lang == "en" else french
    return text.format(**values) if values else text

"""Prefect orchestration of Cocon's services: thin flows over plain functions.

reminders.py   flow ``reminders``: plan → enqueue → dispatch (a few tasks per run)
lifecycle.py   flow ``lifecycle``: phase gates, then phase-change notices
evaluation.py  flows ``evaluation-cycle`` (daily) and ``evaluation`` (one project, on demand)
thanks.py      flow ``thanks``: one thank-you per participant, with the report
server.py      start and supervise a local ``prefect server start`` (unless PREFECT_API_URL)
serve.py       serve the scheduled flows on cron (what ``cocon serve`` runs)
"""

"""Prefect orchestration of Cocon's services: thin flows over plain functions.

reminders.py  flow ``reminders``: plan → enqueue → dispatch (a few tasks per run)
lifecycle.py  flow ``lifecycle``: phase gates, then phase-change notices
server.py     start and supervise a local ``prefect server start`` (unless PREFECT_API_URL)
serve.py      serve both flows on cron schedules (what ``cocon serve`` runs)
"""

"""Prefect orchestration of Cocon's services: thin flows over plain functions.

reminders.py         flows ``reminders`` (plan → enqueue → dispatch) and ``reminders-shard`` (one share)
lifecycle.py         flow ``lifecycle``: phase gates, then phase-change notices
evaluation_cycle.py  flows ``evaluation-cycle`` (daily) and ``evaluation`` (one project, on demand)
thanks.py            flow ``thanks``: one thank-you per participant, with the report
deployments.py       the deployments, declared once (``prefect.yaml`` repeats them; a test checks it)
server.py            start and supervise a local ``prefect server start`` (unless PREFECT_API_URL)
serve.py             serve the deployments on schedule (what ``cocon serve`` runs)

No module here may be named like a top-level package (``evaluation``, ``exceptions``…): a test
checks it, because a deployment loaded from a script path would import it instead.
"""

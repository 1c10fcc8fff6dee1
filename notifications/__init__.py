"""Notifications: the outbox, reminder planning, message rendering and delivery through Apprise.

planner.py   what is due, for whom, on which day (pure)
outbox.py    rows with idempotency keys, claim → send → confirm, retries, dead letters
messages.py  Jinja2 templates (French and English, text + HTML + short), typed contexts
channels.py  COCON_SMTP_URL / person / team channel → Apprise URLs
delivery.py  sending through Apprise with bounded concurrency
"""

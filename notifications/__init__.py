"""Notifications: the outbox, reminder planning, message rendering and delivery through Apprise.

planner.py       what is due, for whom, on which day (pure)
queue.py         outbox rows: enqueue with idempotency keys, claim, cancel, list, retry
attachments.py   files a message carries, packed on the row until it is sent
dispatch.py      the loop: claim → envelopes → delivery → confirm; retries, back-off
envelopes.py     claimed rows → envelopes: re-check, time, group digests, render
dead_letters.py  a message given up: the coordination is told
messages.py      Jinja2 templates (French and English, text + HTML + short), typed contexts
channels.py      COCON_SMTP_URL / person / team channel → Apprise URLs
delivery.py      sending through Apprise with bounded concurrency
"""

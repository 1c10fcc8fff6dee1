"""Accounts and access: passwords, sessions, login links and throttling (floor 4, a service).

Used by both faces: the CLI creates accounts, the web logs people in. Nothing here knows HTTP.

    passwords.py  argon2id hashing; an unknown login still costs one hash
    staff.py      personal accounts (``cocon user add``), changing a password
    sessions.py   logged-in browsers: open, check, close, close the others
    links.py      single-use, expiring login links, redeemed by one conditional UPDATE
    throttle.py   failed password attempts, counted per login *and* client address
    exceptions.py AccountError tree (under store.exceptions.CoconError)
"""

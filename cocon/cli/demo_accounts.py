"""The web demo: a fresh demo database with its project and two accounts (`cocon web --demo`, `cocon serve --demo`)."""

from accounts.staff import add_account

DEMO_PASSWORD = "demo-cocon-2026"
DEMO_LOGINS = ("claire.martin@msp-tilleuls.example", "facilitation@cpts-littoral.example")


def seed_web_demo() -> str:
    """Recreate the demo database with its project and two accounts; returns its URL."""
    from cocon.cli.demo import fresh_demo_database, seed_demo
    from store.db import session_scope
    from store.models import AccountKind

    url = fresh_demo_database()
    seed_demo(url)
    with session_scope(url) as session:
        add_account(
            session,
            email="claire.martin@msp-tilleuls.example",
            name="Claire Martin",
            kind=AccountKind.COORDINATOR,
            structures=["MSP des Tilleuls"],
            password=DEMO_PASSWORD,
            actor="demo",
        )
        add_account(
            session,
            email="facilitation@cpts-littoral.example",
            name="Nadia Ferrand",
            kind=AccountKind.FACILITATOR,
            structures=["MSP des Tilleuls"],
            password=DEMO_PASSWORD,
            actor="demo",
        )
    return url

"""What a dispatch claim renders once and reuses must be what rendering each message writes."""

from datetime import UTC, date, datetime, time

from notifications.envelopes import CalendarFiles
from planning.ics import Attendee, IcsEvent, calendar_bytes


def test_an_invitation_rendered_once_per_gathering_is_the_file_rendered_per_invitee() -> None:
    stamp = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
    files = CalendarFiles(stamp)
    base = IcsEvent(
        uid="p1.reunion@cocon",
        day=date(2027, 3, 22),
        title="Réunion de lancement — Maison de santé des Tilleuls",
        description="Ordre du jour : présentations, calendrier, questions diverses " * 3,
        start=time(18, 30),
        location="Salle du conseil, 12 rue des Écoles",
        sequence=2,
        organizer=Attendee("coordination@msp.example.org", "Coordination — Tilleuls"),
    )
    invitees = [
        Attendee("awa@example.org", "Awa"),
        Attendee("jean-pierre.de-la-fontaine-très-long@exemple-de-domaine.example.org", "Jean-Pierre de La Fontaine, IDE"),
        Attendee("zoe@example.org", 'Zoé "Zo" Œuvre'),
    ]
    for method in ("REQUEST", "CANCEL"):
        for who in invitees:
            event = IcsEvent(**{**base.__dict__, "attendee": who, "cancelled": method == "CANCEL"})
            expected = calendar_bytes("Cocon", [event], stamp=stamp, method=method)  # type: ignore[arg-type]
            assert files.invitation(event, method) == expected  # type: ignore[arg-type]
            assert who.email.encode()[:20] in expected.replace(b"\r\n ", b"")
    without = IcsEvent(**{**base.__dict__, "attendee": None})
    assert files.invitation(without, "REQUEST") == calendar_bytes("Cocon", [without], stamp=stamp, method="REQUEST")
    assert len(files._rendered) == 3  # one file per gathering and method, not per invitee

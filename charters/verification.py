"""Detect silent edits of stored charters.

Three checks, each naming the row concerned:

1. each version's text still hashes to its stored SHA-256, or to the hash recorded in the audit
   log when an erasure redacted it (the stored SHA-256, which signatures bind, stays the original);
2. each version's SHA-256 is the one written in the audit log when the version was created
   (catches an edit of the text *and* its hash together);
3. each signature's own hash still matches (version hash, person, time, method), so a
   signature cannot be moved to another text, person, date or method.

Without a secret key, someone able to rewrite the database *and* the audit log consistently is
out of reach of these checks; they reveal edits made by hand or by a careless script.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from charters.signing import signature_hash
from charters.versions import all_versions, sha256_text
from store import audit
from store.audit import events
from store.models import CharterSignature, Person, Project


@dataclass(frozen=True)
class Tampering:
    """One stored row that no longer matches its hash."""

    table: str
    row_id: int
    message: str


def verify_project(session: Session, project: Project) -> list[Tampering]:
    """Every mismatch found in the project's charter versions and signatures (empty when intact)."""
    problems: list[Tampering] = []
    created = {
        (event.details.get("language"), event.details.get("version")): event.details.get("sha256")
        for event in events(session, project_id=project.id, action="charter.version_created")
    }
    # An erasure rewrites a version's text; the audit log holds the redacted text's hash.
    redacted = {
        (event.details.get("language"), event.details.get("version")): event.details.get("sha256")
        for event in events(session, project_id=project.id, action="charter.redacted")
    }
    versions = all_versions(session, project)
    for version in versions:
        assert version.id is not None
        name = f"version {version.number} ({version.language})"
        digest = sha256_text(version.text)
        if digest != version.sha256 and digest != redacted.get((version.language, version.number)):
            problems.append(
                Tampering(
                    "charter_version",
                    version.id,
                    f"{name} : le texte enregistré ne correspond plus à son empreinte SHA-256.",
                )
            )
        logged = created.get((version.language, version.number))
        if logged is None:
            problems.append(
                Tampering(
                    "charter_version", version.id, f"{name} : aucune création de cette version dans le journal d'audit."
                )
            )
        elif logged != version.sha256:
            problems.append(
                Tampering(
                    "charter_version",
                    version.id,
                    f"{name} : l'empreinte enregistrée diffère de celle du journal d'audit.",
                )
            )
    by_id = {v.id: v for v in versions}
    signatures = session.exec(
        select(CharterSignature)
        .where(col(CharterSignature.version_id).in_(list(by_id)))
        .order_by(col(CharterSignature.id))
    )
    for signature in signatures:
        assert signature.id is not None
        version = by_id[signature.version_id]
        person = session.get(Person, signature.person_id)
        who = person.name if person else f"personne n°{signature.person_id}"
        expected = signature_hash(
            version_sha256=version.sha256,
            person_id=signature.person_id,
            signed_at=signature.signed_at,
            method=str(signature.method),
        )
        if expected != signature.signature_hash:
            problems.append(
                Tampering(
                    "charter_signature",
                    signature.id,
                    f"signature de {who} sur la version {version.number} ({version.language}) : "
                    "modifiée après coup (texte, personne, date ou méthode).",
                )
            )
    return problems


def verify_charter(session: Session, project: Project, *, actor: str) -> tuple[list[Tampering], int]:
    """Check every version and signature of the project's charter, recorded in the audit log.
    Returns the problems found (empty when intact) and how many versions were checked."""
    problems = verify_project(session, project)
    count = len(all_versions(session, project))
    audit.record(session, actor=actor, action="charter.verified", project_id=project.id, versions=count,
                 problems=len(problems))
    return problems, count

"""Files a message carries: what delivery sends and how the outbox keeps them until then."""

import json
from base64 import b64decode, b64encode
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime: str


def pack_attachments(attachments: Sequence[Attachment]) -> bytes | None:
    """The attachments as stored on an outbox row (JSON, contents in base64); ``None`` when there are none."""
    if not attachments:
        return None
    return json.dumps(
        [{"filename": a.filename, "mime": a.mime, "content": b64encode(a.content).decode()} for a in attachments]
    ).encode()


def unpack_attachments(data: bytes | None) -> list[Attachment]:
    if not data:
        return []
    return [Attachment(a["filename"], b64decode(a["content"]), a["mime"]) for a in json.loads(data)]

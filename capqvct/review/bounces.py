"""Delivery status notifications (RFC 3464): the reports a mail server sends back to the sending address
when a message it had accepted could not be delivered.

A report is a `multipart/report; report-type=delivery-status` message. Its `message/delivery-status`
part holds one block of fields about the report, then one block per recipient (Final-Recipient,
Action, Status, Diagnostic-Code); a `message/rfc822` or `text/rfc822-headers` part returns the original
message, or its headers only, and so its Message-ID. Only recipients whose Action is `failed` are
bounces: `delayed`, `delivered`, `relayed` and `expanded` say nothing went wrong for good.
"""

import email
import email.policy
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

FAILED = "failed"


@dataclass(frozen=True)
class Bounce:
    """One recipient of one of our messages that the mail system gave up on."""

    message_id: str  # of the original message, with its angle brackets: <…@domain>
    recipient: str
    status: str  # enhanced status code, class.subject.detail (RFC 3463): 5.1.1
    diagnostic: str  # what the remote server said, when the report gives it


def read_message(raw: bytes) -> Message:
    """A message as received (bytes), parsed with the modern policy."""
    return email.message_from_bytes(raw, policy=email.policy.default)


def is_delivery_report(message: Message) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and (message.get_param("report-type") or "").lower() == "delivery-status"
    )


def bounces_in(message: Message) -> list[Bounce]:
    """The failed recipients a delivery report gives, for the original message it returns; an empty list
    for anything else (an ordinary message, a report of delay or success, a report that does not say
    which message it is about)."""
    if not is_delivery_report(message):
        return []
    message_id = original_message_id(message)
    if not message_id:
        return []
    bounces = []
    for fields in _recipient_blocks(message):
        action = _first_word(fields.get("Action", "")).lower()
        recipient = _address(fields.get("Final-Recipient", "") or fields.get("Original-Recipient", ""))
        if action != FAILED or not recipient:
            continue
        bounces.append(
            Bounce(
                message_id=message_id,
                recipient=recipient,
                status=_first_word(fields.get("Status", "")),
                diagnostic=_diagnostic(fields.get("Diagnostic-Code", "")),
            )
        )
    return bounces


def original_message_id(message: Message) -> str:
    """The Message-ID of the returned message (whole, or headers only), normalised to <…>."""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
        elif content_type == "text/rfc822-headers":
            original = HeaderParser().parsestr(_text_of(part))
        else:
            continue
        if original is not None and (value := normalise_message_id(str(original.get("Message-ID", "")))):
            return value
    return ""


def normalise_message_id(value: str) -> str:
    value = "".join(value.split())
    if not value:
        return ""
    return value if value.startswith("<") else f"<{value.strip('<>')}>"


def _recipient_blocks(message: Message) -> list[Message]:
    """The per-recipient blocks of the delivery-status part (its first block is about the report)."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            # The parser splits the part into one header block per sub-message.
            blocks = [block for block in payload if isinstance(block, Message)]
        else:
            # Some servers encode the part (base64, quoted-printable): read it back as text first.
            text = _text_of(part).replace("\r\n", "\n")
            blocks = [HeaderParser().parsestr(chunk) for chunk in text.split("\n\n") if chunk.strip()]
        return [block for block in blocks if "Action" in block or "Final-Recipient" in block]
    return []


def _text_of(part: Message) -> str:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data.decode(part.get_content_charset() or "utf-8", errors="replace")
    payload = part.get_payload()
    return payload if isinstance(payload, str) else ""


def _first_word(value: str) -> str:
    words = str(value).split()
    return words[0] if words else ""


def _address(value: str) -> str:
    """`rfc822; direction@ehpad.fr` → `direction@ehpad.fr` (the address type comes first)."""
    address = str(value).partition(";")[2] if ";" in str(value) else str(value)
    return address.strip().strip("<>").strip()


def _diagnostic(value: str) -> str:
    """`smtp; 550 5.1.1 User unknown` → `550 5.1.1 User unknown`, on one line."""
    text = str(value)
    kind, separator, rest = text.partition(";")
    if separator and kind.strip().isalpha():
        text = rest
    return " ".join(text.split())

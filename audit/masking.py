"""Phones and national ID numbers as staff lists show them: enough to tell rows apart."""

MASK = "•"


def mask_tail(value: object, *, keep: int = 3) -> str:
    """All but the last `keep` digits hidden: `+85512345678` → `+855•••••678`."""
    text = str(value or "")
    if not text:
        return ""
    prefix = "+855" if text.startswith("+855") else ""
    rest = text[len(prefix) :]
    if len(rest) <= keep:
        return prefix + MASK * len(rest)
    return prefix + MASK * (len(rest) - keep) + rest[-keep:]

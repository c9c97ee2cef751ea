"""Names shown in public lists: masked so that neighbours recognise a winner but strangers learn little."""


def mask_name(full_name: str | None) -> str:
    """'Nguyễn Văn An' → 'N. V. An': the given name kept, family and middle names as initials."""
    if not full_name:
        return "(đã ẩn danh)"
    parts = full_name.split()
    return " ".join([*(p[0] + "." for p in parts[:-1]), parts[-1]])

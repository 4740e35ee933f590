"""Human-readable sizes, shared by messages in `core` and the pages."""


def format_bytes(size: float) -> str:
    """1536 -> '1.5 KB': sizes a person reads at a glance."""
    for unit in ("bytes", "KB", "MB"):
        if size < 1024:
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"

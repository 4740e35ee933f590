"""Human-readable sizes, shared by messages in `core` and the pages.

Sizes count in powers of 1024 and say so (KiB, MiB), as Streamlit's ``server.maxUploadSize``
does, so a file's size and the limit it is held to are always in the same unit.
"""


def format_bytes(size: float) -> str:
    """1536 -> '1.5 KiB': sizes a person reads at a glance."""
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024:
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GiB"

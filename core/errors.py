"""The one error type a user can cause and fix themselves."""


class DataError(ValueError):
    """Something about the user's input is wrong; the message says what and what to do.

    Pages show it with ``st.error``; the command line prints ``error: <message>`` and exits 2.
    Any other exception is a bug in the workbench.
    """

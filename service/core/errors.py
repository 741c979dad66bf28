"""User-facing errors. Each message is one sentence a user can act on."""


class BriefqaError(Exception):
    """Base class: anything raised on purpose for a user to read."""


class CorpusError(BriefqaError):
    """The corpus cannot be loaded (missing, empty, unreadable or undecodable file)."""


class IndexNotBuilt(BriefqaError):
    """No published index build exists yet."""


class IndexCorrupt(BriefqaError):
    """An index build is incomplete or its files do not match its manifest."""


class IndexMismatch(BriefqaError):
    """An index build was made with another model, dimension or format."""


class ConfigError(BriefqaError):
    """A setting has a value that cannot work."""


class NotFound(BriefqaError):
    """A requested document does not exist."""


class StoreUnavailable(BriefqaError):
    """The index store (the database) cannot be reached or did not answer in time."""

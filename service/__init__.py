"""briefqa: ask questions of policy documents, get answers that cite exact passages."""

__version__ = "0.1.0"

"""coder: code news sentences into CAMEO meet / consult / accuse / attack events with actor codes."""

__version__ = "0.1.0"

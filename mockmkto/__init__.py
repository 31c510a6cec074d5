"""mockmkto: a local, faithful mock of Marketo's legacy SOAP API (mktows)."""

__version__ = "0.1.0"

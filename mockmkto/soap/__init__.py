"""The SOAP face of the mock: Spyne types, the service, the WSDL.

Importing this package first makes spyne importable on Python 3.12+ (see spyne_private.py), so
every module below may import spyne at its top.
"""

from mockmkto.soap import spyne_private as _spyne_private  # noqa: F401

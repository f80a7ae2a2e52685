"""Every dialogue module; importing this package registers them all (registry.REGISTRY)."""
from . import na, streams, tls, sasl, bind, stanzas, xmlrules, s2s, scans  # noqa: F401

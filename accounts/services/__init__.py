"""Every write of the accounts app: the security log (``security_log``).

The public functions are also importable from this package (``from accounts import services``).
"""

from accounts.services.security_log import security_event_record, security_events_prune

__all__ = ["security_event_record", "security_events_prune"]

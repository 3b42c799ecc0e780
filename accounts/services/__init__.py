"""Every write of the accounts app: the security log (``security_log``) and two-factor sign-in (``two_factor``).

The public functions are also importable from this package (``from accounts import services``).
"""

from accounts.services.security_log import security_event_record, security_events_prune
from accounts.services.two_factor import (
    VerifyResult,
    recovery_codes_renew,
    two_factor_confirm,
    two_factor_new_key,
    two_factor_turn_off,
    two_factor_verify,
)

__all__ = [
    "VerifyResult", "recovery_codes_renew", "security_event_record", "security_events_prune", "two_factor_confirm",
    "two_factor_new_key", "two_factor_turn_off", "two_factor_verify",
]

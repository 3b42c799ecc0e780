"""The settings of the web processes tests/integration/test_shared_limits.py starts: the test settings with a low
anonymous API rate (TANSIQ_TEST_ANON_RATE), so that a handful of requests reaches it."""

import os

from config.settings.test import *  # noqa: F403

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {  # noqa: F405
    "anon": os.environ["TANSIQ_TEST_ANON_RATE"], "user": "100000/minute"}}

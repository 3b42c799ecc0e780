import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _exchange_messages_in_english(request):
    """The exchange tests read their reports' English wording; the site itself defaults to Arabic."""
    if request.module.__name__.rsplit(".", 1)[-1].startswith(("test_exchange_", "test_partner_aliases")):
        with translation.override("en"):
            yield
    else:
        yield

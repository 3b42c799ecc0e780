"""Where the offline reference copies live (../shared/data beside the checkout); tests may read them."""

import os
from pathlib import Path

SHARED_DATA = Path(os.environ.get("TANSIQ_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
MANTIKA_GEOJSON = SHARED_DATA / "lby_adm2_mantika.geojson"

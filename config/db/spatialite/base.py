"""SpatiaLite engine for interpreters whose ``sqlite3`` cannot load extensions.

pyenv-built Pythons lack ``enable_load_extension``. ``pysqlite3`` built from source
against the system SQLite can, so it stands in for the stdlib module *before*
Django's SQLite backend is imported (that backend registers its type converters on
the module it imports, so swapping later would lose them).
"""

import sys

try:
    import pysqlite3.dbapi2 as _dbapi2
except ImportError:  # stdlib sqlite3 may already support extensions (Debian's python3)
    _dbapi2 = None
else:
    if "django.db.backends.sqlite3.base" in sys.modules:
        raise RuntimeError("config.db.spatialite must be imported before Django's SQLite backend")
    import pysqlite3

    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = _dbapi2

from django.contrib.gis.db.backends.spatialite.base import (  # noqa: E402
    DatabaseWrapper as SpatiaLiteDatabaseWrapper,
)


class DatabaseWrapper(SpatiaLiteDatabaseWrapper):
    def prepare_database(self):
        # InitSpatialMetaData(1) is the light variant (one transaction, no extra
        # metadata tables); the "Full" one Django uses is slow and needless here.
        with self.cursor() as cursor:
            cursor.execute("PRAGMA table_info(geometry_columns);")
            if cursor.fetchall() == []:
                cursor.execute("SELECT InitSpatialMetaData(1)")

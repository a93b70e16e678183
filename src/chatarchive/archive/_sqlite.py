"""sqlite-utils, loaded before the rest of the archive, without numpy or pandas.

sqlite-utils imports numpy and pandas when they are installed (chatarchive needs neither), to
convert their values. The archive never hands it either, and where numpy is installed it costs
every process that opens an archive about 85 ms and 12 MB (an import's worker too). So they are
hidden while sqlite-utils loads, unless something loaded them already; a later ``import numpy``
works as usual.
"""

import sys

_HIDDEN = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _HIDDEN:
    sys.modules[_name] = None  # type: ignore[assignment]  # meanwhile "import numpy" fails
try:
    from sqlite_utils import Database
finally:
    for _name in _HIDDEN:
        if _name in sys.modules and sys.modules[_name] is None:
            del sys.modules[_name]

__all__ = ["Database"]

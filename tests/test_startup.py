"""Start-up: importing a local file loads none of the libraries only other commands need.

nltk (with numpy), jinja2, apscheduler, bs4 and httpx (with rich and pygments) cost about
0.5 s and 40 MB before any work (sqlite-utils would import numpy too: the archive hides it);
each check runs in a fresh interpreter, since this test process has long imported them all.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import FIXTURES

HEAVY = frozenset({"nltk", "jinja2", "apscheduler", "bs4", "httpx", "rich", "pygments",
                   "numpy"})
_LOADED = "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"


def _top_modules(code: str) -> set[str]:
    """The top-level packages loaded once ``code`` has run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", f"import json, sys\n{code}\n{_LOADED}"],
                          capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def modules_of_the_import_path() -> set[str]:
    return _top_modules("import chatarchive.jobs, chatarchive.formats")


@pytest.fixture(scope="module")
def modules_of_an_import(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    db = tmp_path_factory.mktemp("startup") / "archive.db"
    export = FIXTURES / "solopr" / "solopr-2026-03-04.jsonl"
    run = (f"from chatarchive.cli import cli\n"
           f"cli(['import', {str(db)!r}, {str(export)!r}], standalone_mode=False)")
    return _top_modules(run)


def test_jobs_and_formats_load_no_heavy_library(modules_of_the_import_path: set[str]) -> None:
    assert sorted(modules_of_the_import_path & HEAVY) == []
    # The check itself works: the import path did load what it needs.
    assert {"chatarchive", "sqlite_utils", "orjson"} <= modules_of_the_import_path


def test_importing_a_jsonl_file_loads_no_heavy_library(modules_of_an_import: set[str]) -> None:
    assert sorted(modules_of_an_import & HEAVY) == []
    assert {"chatarchive", "click", "sqlite_utils"} <= modules_of_an_import


def test_the_archive_leaves_numpy_importable_as_it_was() -> None:
    # sqlite-utils imports numpy when it is installed; the archive hides it only meanwhile.
    loaded = _top_modules(
        "import importlib.util\n"
        "installed = importlib.util.find_spec('numpy') is not None\n"
        "import chatarchive.archive\n"
        "assert 'numpy' not in sys.modules\n"
        "try:\n    import numpy\nexcept ImportError:\n    assert not installed\n"
        "else:\n    assert installed and numpy.__version__")
    assert "sqlite_utils" in loaded


def test_http_names_load_httpx_on_first_use() -> None:
    before = _top_modules("from chatarchive import sources\nsources.local_exports")
    after = _top_modules("from chatarchive.sources import fetch_url, FetchPolicy\n"
                         "from chatarchive import sources\n"
                         "assert sources.fetch_bluesky.__module__ == 'chatarchive.sources.live'\n"
                         "assert fetch_url is sources.fetch_url\n"
                         "assert FetchPolicy().retries >= 1")
    assert "httpx" not in before
    assert "httpx" in after


def test_unknown_names_of_sources_still_fail() -> None:
    from chatarchive import sources

    with pytest.raises(AttributeError, match="has no attribute 'fetch_ftp'"):
        _ = sources.fetch_ftp
    assert {"fetch_url", "FetchPolicy", "MAX_BYTES", "local_exports"} <= set(dir(sources))


def test_html_formats_read_pages_with_bs4_loaded_late() -> None:
    code = ("from chatarchive.formats import htmltools\n"
            "assert 'bs4' not in sys.modules\n"
            "page = htmltools.load_page('<p>Hi <a href=\"https://x.org\">x</a><br>there</p>')\n"
            "assert htmltools.inline_text(page, lambda a: '[link]') == 'Hi [link]\\nthere'\n"
            "assert htmltools.html_to_text('<p>A1: yes</p><p>#solopr</p>').text"
            " == 'A1: yes\\n\\n#solopr'")
    assert "bs4" in _top_modules(code)

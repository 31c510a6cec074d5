"""Marketo's 2_6 WSDL as the tests know it: the project's facts file (wsdl/mktows-2_6.json), and the
WSDL document written back from it for clients and schema validation. No test needs the reference
documents beside the clone; only test_contract's check of the facts file itself reads Marketo's file.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

from lxml import etree

from tools.wsdl_facts import document

_CLONE = Path(__file__).resolve().parent.parent
FACTS_FILE = _CLONE / "wsdl" / "mktows-2_6.json"
FACTS = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
# Marketo's own file, from which the facts file was derived (the reference documents beside the clone).
MARKETO_WSDL = Path(os.environ.get("MOCKMKTO_REFERENCE_WSDL", _CLONE.parent / "shared/reference/mktows-2_6.wsdl"))


def _written_reference() -> Path:
    """Marketo's WSDL written back from the facts, in a folder of this process removed at its exit:
    clients (zeep, suds, PHP, node-soap) read WSDLs from files."""
    folder = Path(tempfile.mkdtemp(prefix="mockmkto-reference-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "mktows-2_6.wsdl"
    path.write_bytes(etree.tostring(document(FACTS), xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return path


REFERENCE_WSDL = _written_reference()

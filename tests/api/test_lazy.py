"""Nothing of the generated operations loads until a client's ``api`` is first used."""

from __future__ import annotations

import json
import subprocess
import sys

PROGRAM = """
import json, sys
import cdnkit

def loaded():
    return sorted(m for m in sys.modules if m.startswith(("cdnkit._api", "cdnkit.types.")))

seen = {}
kit = cdnkit.Lightsail()
cf = cdnkit.CloudFront()
seen["clients"] = loaded()
kit.api
seen["lightsail api"] = loaded()
cf.api
seen["cloudfront api"] = loaded()
cf.kvs_api
seen["kvs api"] = loaded()
print(json.dumps(seen))
"""


def test_api_modules_load_on_first_use_only() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    seen = json.loads(shown)
    models = ["cdnkit.types.cloudfront", "cdnkit.types.cloudfront_keyvaluestore"]
    assert seen["clients"] == sorted(["cdnkit.types.lightsail", *models])
    runtime = ["cdnkit._api", "cdnkit._api._runtime"]
    assert seen["lightsail api"] == sorted([*seen["clients"], *runtime, "cdnkit._api.lightsail"])
    assert seen["cloudfront api"] == sorted([*seen["lightsail api"], "cdnkit._api.cloudfront"])
    assert seen["kvs api"] == sorted(
        [*seen["cloudfront api"], "cdnkit._api.cloudfront_keyvaluestore"]
    )


def test_a_lightsail_program_with_api_loads_no_cloudfront_code() -> None:
    program = (
        "import sys, cdnkit\n"
        "cdnkit.Lightsail().api\n"
        "print(sorted(m for m in sys.modules if 'cloudfront' in m))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert shown == "[]"

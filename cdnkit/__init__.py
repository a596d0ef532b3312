"""cdnkit: a typed async SDK for the CDN control planes of Amazon Lightsail and CloudFront.

Models live in ``cdnkit.types.<service>`` and load on first use; the local emulator lives in
``cdnkit.testing``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

"""The emulated CloudFront control plane."""

from ._service import CloudFrontBackend

__all__ = ["CloudFrontBackend"]

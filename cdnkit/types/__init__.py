"""Models of every request and response shape, one module per service.

``cdnkit.types.lightsail``, ``cdnkit.types.cloudfront`` and
``cdnkit.types.cloudfront_keyvaluestore`` are generated from botocore's service models (see
``_manifest.json``). Nothing is imported here, so each service's models load on first use.
"""

"""Models of every request and response shape, one package per service.

``cdnkit.types.lightsail``, ``cdnkit.types.cloudfront`` and
``cdnkit.types.cloudfront_keyvaluestore`` are generated from botocore's service models (see
``_manifest.json``). Nothing is imported here, and each service's package names every model
but loads a model's own small module only when the model is first used.
"""

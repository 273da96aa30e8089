"""The wire: what rekomock puts between botocore, moto and the service.

Routing and the fast path (which calls are rekomock's), the request handler (parsing,
validation against the botocore model, authorization, formatting, injected errors), the HTTP
control routes, and every patch of moto and botocore (:mod:`.patches`). Internal.
"""

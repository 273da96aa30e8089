"""The service: the backend, the one orchestrator of the mock and the only place with I/O.

S3 reads and writes (:mod:`.s3io`), training and inference around them, the steering state
tests set, and the controller over it all. Internal: the public face re-exports what users
need.
"""

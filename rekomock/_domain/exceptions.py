"""Errors the mock answers with, named exactly as the service's error shapes.

Each class's ``code`` is the ``__type`` botocore maps to ``client.exceptions.<Code>``.
The body carries ``Message``, ``Code`` and ``Logref`` as AWS's own SDK models describe
Rekognition errors (aws-sdk-js-v3, ``clients/client-rekognition``); HTTP status is 400 except
for the two server faults and a missing signature (403).
"""

from __future__ import annotations

import json
import uuid

from moto.core.exceptions import ServiceException
from moto.moto_api._internal import mock_random

DEFAULT_INVALID_PARAMETER_MESSAGE = "Request has Invalid Parameters"
#: The header AWS's answers carry, read by SDKs as ``ResponseMetadata.RequestId``.
REQUEST_ID_HEADER = "x-amzn-RequestId"


_UUID4_CLEAR = ~(0xF000 << 64 | 0xC000 << 48)
_UUID4_SET = 0x4000 << 64 | 0x8000 << 48


def new_request_id() -> str:
    """A unique request id, a UUID as the service's are; drawn from moto's random source, so
    ``POST /moto-api/seed`` makes the ids repeatable as it does moto's own. The text of
    ``str(mock_random.uuid4())``, built at half its cost (it is paid on every call)."""
    h = "%032x" % (mock_random.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class RekognitionError(ServiceException):
    """Base of every error rekomock answers; serialized by :meth:`to_response`."""

    code = "RekognitionError"
    message = "An error occurred"
    status = 400

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message if message is not None else self.message)

    def body(self) -> str:
        return json.dumps(
            {
                "__type": self.code,
                "Message": self.message,
                "Code": self.code,
                "Logref": str(uuid.uuid4()),
            }
        )

    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amzn-Errortype": f"{self.code}:",
            REQUEST_ID_HEADER: new_request_id(),
            "status": str(self.status),
        }

    def to_response(self) -> tuple[int, dict[str, str], str]:
        return self.status, self.headers(), self.body()


class AccessDeniedException(RekognitionError):
    code = "AccessDeniedException"
    message = "You are not authorized to perform the action."


class InternalServerError(RekognitionError):
    code = "InternalServerError"
    message = "Amazon Rekognition experienced a service issue. Try your call again."
    status = 500


class ThrottlingException(RekognitionError):
    code = "ThrottlingException"
    message = (
        "Amazon Rekognition is temporarily unable to process the request. Try your call again."
    )
    status = 500


class ProvisionedThroughputExceededException(RekognitionError):
    code = "ProvisionedThroughputExceededException"
    message = "The number of requests exceeded your throughput limit."


class InvalidParameterException(RekognitionError):
    code = "InvalidParameterException"
    message = DEFAULT_INVALID_PARAMETER_MESSAGE


class InvalidPaginationTokenException(RekognitionError):
    code = "InvalidPaginationTokenException"
    message = "Invalid pagination token is provided."


class InvalidS3ObjectException(RekognitionError):
    code = "InvalidS3ObjectException"
    message = (
        "Unable to get object metadata from S3. "
        "Check object key, region and/or access permissions."
    )


class InvalidImageFormatException(RekognitionError):
    code = "InvalidImageFormatException"
    message = "Request has invalid image format"


class ImageTooLargeException(RekognitionError):
    code = "ImageTooLargeException"
    message = "Image size or resolution exceeds the allowed limit."


class LimitExceededException(RekognitionError):
    code = "LimitExceededException"
    message = "An Amazon Rekognition service limit was exceeded."


class ServiceQuotaExceededException(RekognitionError):
    code = "ServiceQuotaExceededException"
    message = "The size of the resource exceeds the allowed limit."


class ResourceInUseException(RekognitionError):
    code = "ResourceInUseException"
    message = "The specified resource is already being used."


class ResourceNotFoundException(RekognitionError):
    code = "ResourceNotFoundException"
    message = "The resource specified in the request cannot be found."


class ResourceAlreadyExistsException(RekognitionError):
    code = "ResourceAlreadyExistsException"
    message = "A resource with the specified ID already exists."


class ResourceNotReadyException(RekognitionError):
    code = "ResourceNotReadyException"
    message = "The requested resource isn't ready."


class InvalidPolicyRevisionIdException(RekognitionError):
    code = "InvalidPolicyRevisionIdException"
    message = "The supplied revision id for the project policy is invalid."


class MalformedPolicyDocumentException(RekognitionError):
    code = "MalformedPolicyDocumentException"
    message = "The format of the project policy document that you supplied is incorrect."


# Common AWS errors that are not in the Rekognition model (JSON 1.1 protocol level).


class ValidationException(RekognitionError):
    """A model constraint was violated (max/pattern/enum/range/required):
    docs/decisions.md, *Error codes*."""

    code = "ValidationException"
    message = "1 validation error detected"


class SerializationException(RekognitionError):
    """The body is not JSON, or a member has the wrong JSON type."""

    code = "SerializationException"
    message = ""


class UnknownOperationException(RekognitionError):
    code = "UnknownOperationException"
    message = ""


# Authentication errors of AWS's JSON protocol front door (moto's IAM enforcement).


class UnrecognizedClientException(RekognitionError):
    """The access key is unknown."""

    code = "UnrecognizedClientException"
    message = "The security token included in the request is invalid."


class RegionNotServed(UnrecognizedClientException):
    """Rekognition has no endpoint in this region (moto's region list, from botocore).

    The real service answers with a connection failure; a JSON error is the closest thing an
    in-process mock can give. ``MOTO_ALLOW_NONEXISTENT_REGION=true`` lifts the check.
    """


class InvalidSignatureException(RekognitionError):
    """The signature does not match the secret key of the access key."""

    code = "InvalidSignatureException"
    message = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details."
    )


class MissingAuthenticationTokenException(RekognitionError):
    """No signature at all; HTTP 403 as the API reference's "Common Errors" page lists it."""

    code = "MissingAuthenticationTokenException"
    message = "Missing Authentication Token"
    status = 403


class IncompleteSignatureException(RekognitionError):
    code = "IncompleteSignatureException"
    message = "The request signature does not conform to AWS standards."

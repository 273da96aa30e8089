"""The codes and messages of manifest errors and warnings, as the Custom Labels guide lists
them [CL:tm-terminal-errors-reference; CL:debugging-datasets-terminal-errors;
CL:tm-debugging-aggregate-errors; CL:tm-debugging-json-line-errors].

One table, read by the manifest rules (``manifests``), the dataset changes and the training
that reports them. Codes the docs do not name are marked INFERRED and listed in
docs/decisions.md, *Manifests*.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

__all__ = ["FILE_ERRORS", "MESSAGES", "ErrorDict", "error"]

ErrorDict = dict[str, str]


# File errors [CL:tm-terminal-errors-reference; CL:debugging-datasets-terminal-errors].
INACCESSIBLE = "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"
EMPTY = "ERROR_EMPTY_MANIFEST"
SIZE_TOO_LARGE = "ERROR_MANIFEST_SIZE_TOO_LARGE"
ROWS_EXCEED = "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM"
MANIFEST_PERMISSIONS = "ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET"
IMAGES_FOR_AUTOSPLIT = "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT"
IMAGES_FOR_DISTRIBUTE = "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE"
# Content errors [CL:tm-debugging-aggregate-errors].
TOO_MANY_INVALID_ROWS = "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST"
MULTIPLE_BUCKETS = "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS"
IMAGES_PERMISSIONS = "ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET"
TOO_FEW_LABELS = "ERROR_MANIFEST_TOO_FEW_LABELS"
TOO_MANY_LABELS = "ERROR_MANIFEST_TOO_MANY_LABELS"
LABEL_OVERLAP = "ERROR_INSUFFICIENT_LABEL_OVERLAP"
TOO_FEW_USABLE_LABELS = "ERROR_MANIFEST_TOO_FEW_USABLE_LABELS"
USABLE_LABEL_OVERLAP = "ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP"
# Line errors and warnings [CL:tm-debugging-json-line-errors].
MISSING_SOURCE_REF = "ERROR_MISSING_SOURCE_REF"
INVALID_SOURCE_REF = "ERROR_INVALID_SOURCE_REF_FORMAT"
NO_LABEL_ATTRIBUTES = "ERROR_NO_LABEL_ATTRIBUTES"
ATTRIBUTE_FORMAT = "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT"
METADATA_FORMAT = "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
NO_VALID_LABEL_ATTRIBUTES = "ERROR_NO_VALID_LABEL_ATTRIBUTES"
MISSING_CONFIDENCE = "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE"
MISSING_CLASS_MAP_ID = "ERROR_MISSING_CLASS_MAP_ID"
INVALID_JSON_LINE = "ERROR_INVALID_JSON_LINE"
INVALID_IMAGE = "ERROR_INVALID_IMAGE"
INVALID_IMAGE_DIMENSION = "ERROR_INVALID_IMAGE_DIMENSION"
INVALID_BOX = "ERROR_INVALID_BOUNDING_BOX"
BOX_TOO_SMALL = "ERROR_BOUNDING_BOX_TOO_SMALL"
TOO_MANY_BOXES = "ERROR_TOO_MANY_BOUNDING_BOXES"
NO_VALID_ANNOTATIONS = "ERROR_NO_VALID_ANNOTATIONS"
UNSUPPORTED_TYPE = "ERROR_UNSUPPORTED_USE_CASE_TYPE"
LABEL_NAME_LENGTH = "ERROR_INVALID_LABEL_NAME_LENGTH"
UNANNOTATED = "WARNING_UNANNOTATED_RECORD"
NO_ANNOTATIONS = "WARNING_NO_ANNOTATIONS"
NO_ATTRIBUTE_ANNOTATIONS = "WARNING_NO_ATTRIBUTE_ANNOTATIONS"
# INFERRED: the docs name no code for these two rules (duplicate source-ref
# [CL:debugging-datasets-terminal-errors], labels per image <= 50 [CL:limits]); the codes
# follow the service's naming (docs/decisions.md, *Manifests*).
DUPLICATE_SOURCE_REF = "ERROR_DUPLICATE_SOURCE_REF"
TOO_MANY_LABELS_PER_IMAGE = "ERROR_TOO_MANY_LABELS_PER_IMAGE"

MESSAGES: dict[str, str] = {
    INACCESSIBLE: "The manifest file extension or contents are invalid.",
    EMPTY: "The manifest file is empty.",
    SIZE_TOO_LARGE: "The manifest file size exceeds the maximum supported size.",
    ROWS_EXCEED: "The manifest file has too many rows.",
    MANIFEST_PERMISSIONS: "The S3 bucket permissions are incorrect.",
    IMAGES_FOR_AUTOSPLIT: (
        "The manifest file contains insufficient labeled images per label to perform auto-split."
    ),
    IMAGES_FOR_DISTRIBUTE: (
        "The manifest file doesn't have enough labeled images to distribute the dataset."
    ),
    TOO_MANY_INVALID_ROWS: "The manifest file contains too many invalid rows.",
    MULTIPLE_BUCKETS: "The manifest file contains images from multiple S3 buckets.",
    IMAGES_PERMISSIONS: "The permissions for the images S3 bucket are invalid.",
    TOO_FEW_LABELS: "The manifest file has too few labels.",
    TOO_MANY_LABELS: "The manifest file has too many labels.",
    LABEL_OVERLAP: "Less than {}% label overlap between the training and testing manifest files.",
    TOO_FEW_USABLE_LABELS: "The manifest file has too few usable labels.",
    USABLE_LABEL_OVERLAP: (
        "Less than {}% usable label overlap between the training and testing manifest files."
    ),
    MISSING_SOURCE_REF: "The source-ref key is missing.",
    INVALID_SOURCE_REF: "The format of the source-ref value is invalid.",
    NO_LABEL_ATTRIBUTES: "No label attributes found.",
    ATTRIBUTE_FORMAT: "The format of the label attribute {} is invalid.",
    METADATA_FORMAT: "The format of the label attribute metadata is invalid.",
    NO_VALID_LABEL_ATTRIBUTES: "No valid label attributes found.",
    MISSING_CONFIDENCE: "One or more bounding boxes has a missing confidence value.",
    MISSING_CLASS_MAP_ID: "One of more class ids is missing from the class map.",
    INVALID_JSON_LINE: "The JSON Line has an invalid format.",
    INVALID_IMAGE: "The image is invalid. Check S3 path and/or image properties.",
    INVALID_IMAGE_DIMENSION: "The image dimension(s) do not conform to allowed dimensions.",
    INVALID_BOX: "The bounding box has off frame values.",
    BOX_TOO_SMALL: "The height and width of the bounding box is too small.",
    TOO_MANY_BOXES: "There are more bounding boxes than the allowed maximum.",
    NO_VALID_ANNOTATIONS: "No valid annotations found.",
    UNANNOTATED: "Record is unannotated.",
    # The two warnings as the example lines of [CL:tm-debugging-json-line-errors] write them
    # (its headings say "No annotations provided." / "No attribute annotations provided.";
    # docs/decisions.md, *Manifests*).
    NO_ANNOTATIONS: "No annotations were found.",
    NO_ATTRIBUTE_ANNOTATIONS: "No attribute annotations were found.",
    # The example entry of [CL:tm-debugging-json-line-errors]; {} is the metadata's key.
    UNSUPPORTED_TYPE: (
        "The use case type of the {} label attribute metadata is unsupported. Check the type "
        "field."
    ),
    # INFERRED message: the page gives none, only "The length of a label name is too long.
    # The maximum length is 256 characters."
    LABEL_NAME_LENGTH: (
        "The length of a label name is too long. The maximum length is 256 characters."
    ),
    # INFERRED codes and messages (see above).
    DUPLICATE_SOURCE_REF: "The source-ref value is used by an earlier JSON Line.",
    TOO_MANY_LABELS_PER_IMAGE: "There are more labels for the image than the allowed maximum.",
}


def error(code: str, *args: object) -> ErrorDict:
    """A ``{"code", "message"}`` dict with the documented message (placeholders filled)."""
    message = MESSAGES[code]
    return {"code": code, "message": message.format(*args) if args else message}


#: Codes of the terminal manifest *file* errors: a training failing with one writes nothing.
FILE_ERRORS = (INACCESSIBLE, EMPTY, SIZE_TOO_LARGE, ROWS_EXCEED, MANIFEST_PERMISSIONS)

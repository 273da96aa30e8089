"""The reference for O(page): moto's own S3 ListObjectsV2, a page of 100 keys from a bucket
of 100 or of many (its own module: no other mock's state may share the bucket)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from conftest import MANY_OBJECTS, PAGE


@pytest.mark.parametrize("size", ["100", "many"])
def test_moto_s3_listing_reference(bench: Any, size: str) -> None:
    """moto's own S3 ListObjectsV2, a page of 100 keys from a bucket of 100 or many."""
    count = PAGE if size == "100" else MANY_OBJECTS
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        for i in range(count):
            s3.put_object(Bucket="bench", Key=f"k{i:06d}", Body=b"")
        out = bench(f"moto.s3_list.{size}",
                    lambda: s3.list_objects_v2(Bucket="bench", MaxKeys=PAGE))
        assert out["KeyCount"] == PAGE

// Package s3 implements storage.Blobs and storage.BlobPresigner on any S3-compatible object
// store (AWS S3, MinIO, …) with github.com/aws/aws-sdk-go-v2.
//
// Every blob carries the hex SHA-256 of its content as the object metadata "sha256"
// (x-amz-meta-sha256). Put computes it while reading the body to its end — in memory up to
// 8 MiB, in a temporary file beyond — because the length and the metadata must be known before
// the upload starts; it is also sent as x-amz-checksum-sha256 so that a server that checks it
// rejects a corrupted upload.
// Get verifies the content against it as the caller reads. ListObjectsV2 does not return
// metadata, so List costs one ListObjectsV2 request per 1000 keys plus one HeadObject per key
// (at most 8 in flight); list small prefixes.
//
// Driver errors are translated in one place (formatError): NoSuchKey/NotFound is
// coach.ENOTFOUND, AccessDenied coach.EFORBIDDEN, throttling coach.ERATELIMITED, network
// failures and 5xx coach.EUNAVAILABLE, a cancelled or expired context coach.ECANCELED, anything
// else coach.EINTERNAL with a stack. Coded errors keep the SDK's error as their cause.
package s3

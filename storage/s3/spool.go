package s3

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

// spoolMemory is how much of a body spool keeps in memory before moving it to a temporary file.
const spoolMemory = 8 << 20

// spooled is a body read to its end: its bytes (in memory or in a temporary file), size and
// SHA-256. Close releases the temporary file.
type spooled struct {
	body   io.ReadSeeker
	size   int64
	sha256 [sha256.Size]byte
	file   *os.File
}

// spool reads body to its end, hashing it on the way: S3 wants the length (and we want the
// hash, stored as metadata) before the upload starts. Up to memLimit bytes stay in memory,
// more go to a temporary file. A body longer than maxSize is EINVALID.
func spool(body io.Reader, memLimit, maxSize int64) (*spooled, error) {
	h := sha256.New()
	var buf bytes.Buffer
	n, err := io.Copy(io.MultiWriter(&buf, h), io.LimitReader(body, min(memLimit, maxSize)+1))
	if err != nil {
		return nil, errors.Wrap(err, "s3: read blob body")
	}
	if n <= memLimit && n <= maxSize {
		s := &spooled{body: bytes.NewReader(buf.Bytes()), size: n}
		h.Sum(s.sha256[:0])
		return s, nil
	}
	if n > maxSize {
		return nil, tooLarge(maxSize)
	}
	f, err := os.CreateTemp("", "coach-s3-*")
	if err != nil {
		return nil, errors.Wrap(err, "s3: spool blob body")
	}
	s := &spooled{file: f}
	if _, err := f.Write(buf.Bytes()); err != nil {
		s.Close()
		return nil, errors.Wrap(err, "s3: spool blob body")
	}
	rest, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, maxSize-n+1))
	if err != nil {
		s.Close()
		return nil, errors.Wrap(err, "s3: read blob body")
	}
	if n+rest > maxSize {
		s.Close()
		return nil, tooLarge(maxSize)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.Close()
		return nil, errors.Wrap(err, "s3: spool blob body")
	}
	s.body, s.size = f, n+rest
	h.Sum(s.sha256[:0])
	return s, nil
}

func tooLarge(maxSize int64) error {
	return coach.Errorf(coach.EINVALID, "blob is larger than the limit of %d bytes", maxSize)
}

// Close removes the temporary file, if any.
func (s *spooled) Close() {
	if s.file != nil {
		_ = s.file.Close()
		_ = os.Remove(s.file.Name())
	}
}

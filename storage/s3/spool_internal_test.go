package s3

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"testing"
	"testing/iotest"

	"github.com/tradecoach/coach"
)

func TestSpool(t *testing.T) {
	t.Parallel()
	const mem = 64 // the memory limit under test
	body := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 31)
		}
		return b
	}
	for _, tc := range []struct {
		name     string
		size     int
		maxSize  int64
		wantCode coach.Code
		wantFile bool
	}{
		{"empty", 0, 100, "", false},
		{"small", 10, 100, "", false},
		{"exactly max, in memory", 50, 50, "", false},
		{"over max, in memory", 51, 50, coach.EINVALID, false},
		{"exactly the memory limit", mem, 1 << 30, "", false},
		{"big, to a file", 10 * mem, 1 << 30, "", true},
		{"one byte past memory", mem + 1, 1 << 30, "", true},
		{"file, exactly max", mem + 5, mem + 5, "", true},
		{"file, over max", mem + 6, mem + 5, coach.EINVALID, true},
		{"over max equal to memory limit", mem + 1, mem, coach.EINVALID, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := body(tc.size)
			sp, err := spool(bytes.NewReader(in), mem, tc.maxSize)
			if got := coach.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("spool: code %q (%v), want %q", got, err, tc.wantCode)
			}
			if err != nil {
				return
			}
			defer sp.Close()
			if (sp.file != nil) != tc.wantFile {
				t.Errorf("spooled to a file: %v, want %v", sp.file != nil, tc.wantFile)
			}
			got, err := io.ReadAll(sp.body)
			if err != nil {
				t.Fatal(err)
			}
			if sp.size != int64(len(in)) || sp.sha256 != sha256.Sum256(in) || !bytes.Equal(got, in) {
				t.Errorf("spooled %d bytes (size %d), want the %d put with their hash", len(got), sp.size, len(in))
			}
			if sp.file != nil {
				name := sp.file.Name()
				sp.Close()
				if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("temporary file %s left behind: %v", name, err)
				}
			}
		})
	}
}

func TestSpoolReadErrorIsInternal(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := spool(iotest.ErrReader(boom), 10, 100)
	if coach.ErrorCode(err) != coach.EINTERNAL || !errors.Is(err, boom) {
		t.Errorf("spool of a failing reader: %v, want an internal error wrapping it", err)
	}
}

func TestVerifyingReader(t *testing.T) {
	t.Parallel()
	h := sha256.Sum256([]byte("hello"))
	read := func(content, want string) error {
		r := &verifyingReader{ReadCloser: io.NopCloser(iotest.OneByteReader(bytes.NewReader([]byte(content)))), key: "k", want: want, hash: sha256.New()}
		_, err := io.ReadAll(r)
		return err
	}
	if err := read("hello", hex.EncodeToString(h[:])); err != nil {
		t.Errorf("matching content: %v", err)
	}
	if err := read("hellO", hex.EncodeToString(h[:])); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("corrupted content: %v, want an internal error", err)
	}
}

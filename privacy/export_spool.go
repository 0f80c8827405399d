package privacy

import (
	"archive/zip"
	"compress/flate"
	"hash"
	"hash/crc32"
	"io"
	"os"

	"github.com/pkg/errors"
)

// spoolEntry is an archive entry written while another entry is being written: its bytes are
// compressed into a temporary file as they come, and copied into the archive, still compressed,
// when its turn comes. Build reads the trades once and writes trades.json directly while
// trades.csv and the tags of each page go to spool entries, so no section is ever whole in
// memory and the trades are not read four times.
type spoolEntry struct {
	name string
	f    *os.File
	out  *counter // f, counting the compressed bytes
	fw   *flate.Writer
	crc  hash.Hash32
	size uint64
}

// counter is a writer that counts what it passes on.
type counter struct {
	w io.Writer
	n uint64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if n > 0 {
		c.n += uint64(n)
	}
	return n, err
}

// newSpoolEntry starts the entry name in a temporary file of dir (os.TempDir() when "").
func newSpoolEntry(dir, name string) (*spoolEntry, error) {
	f, err := os.CreateTemp(dir, "tradecoach-export-*")
	if err != nil {
		return nil, errors.Wrap(err, "privacy: spool "+name)
	}
	out := &counter{w: f}
	fw, err := flate.NewWriter(out, flate.DefaultCompression)
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, errors.Wrap(err, "privacy: spool "+name)
	}
	return &spoolEntry{name: name, f: f, out: out, fw: fw, crc: crc32.NewIEEE()}, nil
}

// Write compresses p into the spool.
func (s *spoolEntry) Write(p []byte) (int, error) {
	_, _ = s.crc.Write(p) // a hash never fails
	s.size += uint64(len(p))
	n, err := s.fw.Write(p)
	return n, errors.Wrap(err, "privacy: spool "+s.name)
}

// copyTo adds the spooled entry to z, as it is compressed.
func (s *spoolEntry) copyTo(z *zipWriter) error {
	if err := s.fw.Close(); err != nil {
		return errors.Wrap(err, "privacy: spool "+s.name)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return errors.Wrap(err, "privacy: spool "+s.name)
	}
	w, err := z.z.CreateRaw(&zip.FileHeader{Name: s.name, Method: zip.Deflate, Modified: z.modified, CRC32: s.crc.Sum32(),
		CompressedSize64: s.out.n, UncompressedSize64: s.size})
	if err != nil {
		return errors.Wrap(err, "privacy: start "+s.name)
	}
	z.order = append(z.order, s.name)
	_, err = io.Copy(w, s.f)
	return errors.Wrap(err, "privacy: copy "+s.name)
}

// close removes the temporary file. It is safe to call more than once.
func (s *spoolEntry) close() {
	if s == nil || s.f == nil {
		return
	}
	_ = s.f.Close()
	_ = os.Remove(s.f.Name()) // best effort: the file is in a temporary directory
	s.f = nil
}

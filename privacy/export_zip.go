package privacy

import (
	"archive/zip"
	"encoding/json"
	"io"
	"time"

	"github.com/pkg/errors"
)

// zipWriter writes an archive's entries one after the other, counting each entry's items for the
// manifest.
type zipWriter struct {
	z        *zip.Writer
	modified time.Time
	counts   map[string]int
	order    []string
}

func newZipWriter(w io.Writer, modified time.Time) *zipWriter {
	return &zipWriter{z: zip.NewWriter(w), modified: modified, counts: make(map[string]int)}
}

// entry starts the entry name; the previous one ends.
func (z *zipWriter) entry(name string) (io.Writer, error) {
	w, err := z.z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.modified})
	if err != nil {
		return nil, errors.Wrap(err, "privacy: start "+name)
	}
	z.order = append(z.order, name)
	return w, nil
}

// array starts the entry name as a JSON array whose items are added one by one.
func (z *zipWriter) array(name string) (*jsonArray, error) {
	w, err := z.entry(name)
	if err != nil {
		return nil, err
	}
	z.counts[name] = 0
	return &jsonArray{w: w, name: name, z: z}, nil
}

// spoolArray makes the spool entry sp a JSON array counted in the manifest.
func (z *zipWriter) spoolArray(sp *spoolEntry) *jsonArray {
	z.counts[sp.name] = 0
	return &jsonArray{w: sp, name: sp.name, z: z}
}

// object writes the entry name as one JSON document.
func (z *zipWriter) object(name string, v any) error {
	w, err := z.entry(name)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return errors.Wrap(err, "privacy: encode "+name)
	}
	_, err = w.Write(append(b, '\n'))
	return errors.Wrap(err, "privacy: write "+name)
}

// close ends the last entry and the archive.
func (z *zipWriter) close() error { return errors.Wrap(z.z.Close(), "privacy: end the archive") }

// jsonArray is an entry that holds one JSON array, one item per line.
type jsonArray struct {
	w    io.Writer
	name string
	z    *zipWriter
	n    int
}

// add appends v to the array.
func (a *jsonArray) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errors.Wrap(err, "privacy: encode an item of "+a.name)
	}
	sep := ",\n"
	if a.n == 0 {
		sep = "[\n"
	}
	if _, err := io.WriteString(a.w, sep); err != nil {
		return errors.Wrap(err, "privacy: write "+a.name)
	}
	if _, err := a.w.Write(b); err != nil {
		return errors.Wrap(err, "privacy: write "+a.name)
	}
	a.n++
	a.z.counts[a.name] = a.n
	return nil
}

// end closes the array.
func (a *jsonArray) end() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.w, end)
	return errors.Wrap(err, "privacy: write "+a.name)
}

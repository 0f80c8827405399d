package broker

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"testing"
)

// FuzzRecordReader checks the bounded record reader against encoding/csv (FieldsPerRecord -1,
// TrimLeadingSpace) on inputs within its limits: the same records, on the same lines, up to the
// first malformed record, which both report on the same line with the same reason.
func FuzzRecordReader(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n",
		"a,\"b,\"\"c\"\"\nd\",e\r\n\r\n\n x, \"y\"\n",
		"\"unterminated\n",
		"a\"b,c\n",
		"\"a\"b,c\n",
		"a,b\r\nc,d",
		"\"a\r\nb\",c\r\n",
		" \t,\n\"\"\n",
		"\xef\xbb\xbfa,b\n\r\n",
		"a,\"\"\"\",b\n",
		"a\rb,c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := csv.NewReader(bytes.NewReader(data))
		want.FieldsPerRecord = -1
		want.TrimLeadingSpace = true
		got := newRecordReader(bufio.NewReaderSize(bytes.NewReader(data), 16), 1<<20, 1<<20)
		for n := 0; n < 10_000; n++ {
			wrec, werr := want.Read()
			grec, gerr := got.Read()
			if werr == io.EOF || gerr == io.EOF {
				if werr != gerr {
					t.Fatalf("record %d: encoding/csv %q %v, reader %q %v", n, wrec, werr, grec, gerr)
				}
				return
			}
			var wpe, gpe *csv.ParseError
			werrParse, gerrParse := errors.As(werr, &wpe), errors.As(gerr, &gpe)
			if werrParse || gerrParse {
				if wpe == nil || gpe == nil || wpe.StartLine != gpe.StartLine || !errors.Is(gpe.Err, wpe.Err) {
					t.Fatalf("record %d: encoding/csv %q %v, reader %q %v", n, wrec, werr, grec, gerr)
				}
				return
			}
			if werr != nil || gerr != nil {
				t.Fatalf("record %d: errors %v, %v", n, werr, gerr)
			}
			line, _ := want.FieldPos(0)
			if !slices.Equal(wrec, grec) || line != got.start {
				t.Fatalf("record %d: encoding/csv %q on line %d, reader %q on line %d", n, wrec, line, grec, got.start)
			}
		}
	})
}

// The reader holds no more than its limits, however long a line or field is.
func TestRecordReaderBounds(t *testing.T) {
	t.Parallel()
	read := func(in string, maxLine, maxField int) (*recordReader, []string, error) {
		r := newRecordReader(bufio.NewReaderSize(bytes.NewReader([]byte(in)), 16), maxLine, maxField)
		rec, err := r.Read()
		return r, rec, err
	}
	if _, _, err := read("a,b\n"+string(bytes.Repeat([]byte{','}, 100)), 64, 8); err != nil {
		t.Fatalf("first record: %v", err)
	}
	r := newRecordReader(bufio.NewReaderSize(bytes.NewReader([]byte("a,b\n"+string(bytes.Repeat([]byte{','}, 100))+"\n")), 16), 64, 8)
	r.Read()
	if _, err := r.Read(); err == nil || err.(*errLine).line != 2 {
		t.Fatalf("a 101-byte line under a 64-byte limit: %v", err)
	}
	r, rec, err := read("x,"+string(bytes.Repeat([]byte{'y'}, 100))+",\"z\"\"\"\n", 1024, 8)
	if err != nil || r.long != 1 || !slices.Equal(rec, []string{"x", "", `z"`}) || cap(r.buf) > 64 {
		t.Fatalf("long field: %q %v long=%d cap=%d", rec, err, r.long, cap(r.buf))
	}
	r, rec, err = read(string(bytes.Repeat([]byte("a,"), CSVMaxFields+10))+"\n", 1<<20, 8)
	if err != nil || !r.tooMany || len(rec) != CSVMaxFields {
		t.Fatalf("too many fields: %d fields, %v, tooMany=%v", len(rec), err, r.tooMany)
	}
}

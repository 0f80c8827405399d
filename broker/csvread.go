package broker

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode"

	"github.com/tradecoach/coach"
)

// Bounds of one CSV record that no option raises past: real exports have a few dozen columns and
// lines of a few hundred bytes.
const (
	// DefaultCSVMaxLineBytes bounds a record (a line, or the lines of a record whose quoted fields
	// hold line breaks) when an option leaves it zero.
	DefaultCSVMaxLineBytes = 64 << 10
	// CSVMaxFields bounds the fields of a record.
	CSVMaxFields = 256
)

// recordReader reads RFC 4180 records (quoted fields may hold commas, doubled quotes and line
// breaks; CRLF or LF line ends; empty lines skipped; leading white space of a field trimmed) like
// encoding/csv with FieldsPerRecord -1, TrimLeadingSpace and ReuseRecord, but bounded: it never
// holds more than maxLine bytes of a record, more than maxField bytes of a field or more than
// CSVMaxFields fields, whatever the input. A record over maxLine bytes stops the file (errLine);
// a field over maxField bytes or a record over CSVMaxFields fields is reported with the record
// (long, tooMany) after the rest of the record was skipped without being kept.
type recordReader struct {
	br       *bufio.Reader
	maxLine  int
	maxField int

	line int // lines read so far

	// The current record: fields are views of one string made from buf.
	buf    []byte
	ends   []int
	fields []string
	// start is the record's first line; long is the index of its first field over maxField bytes
	// (-1 if none); tooMany tells the record had more than CSVMaxFields fields.
	start   int
	long    int
	tooMany bool
	// skip tells the current field is over maxField bytes: the rest of it is not kept.
	skip bool
	// size counts the record's bytes read so far, against maxLine.
	size int
	// acc gathers a line longer than the bufio buffer.
	acc []byte
}

// errLine is a record longer than maxLine: the file is refused, since where its records start
// can no longer be trusted to a bounded reader.
type errLine struct{ line, max int }

func (e *errLine) Error() string { return "record longer than the limit" }

func newRecordReader(br *bufio.Reader, maxLine, maxField int) *recordReader {
	return &recordReader{br: br, maxLine: maxLine, maxField: maxField, long: -1}
}

// Read returns the next record's fields (valid until the next Read). At the end of input it
// returns io.EOF; a record that is not CSV gives a *csv.ParseError (its StartLine set) and the
// reader goes on with the next record; a record over the line limit gives *errLine; a failure
// of the source is returned as is.
func (r *recordReader) Read() ([]string, error) {
	r.buf, r.ends, r.long, r.tooMany, r.skip, r.size = r.buf[:0], r.ends[:0], -1, false, false, 0
	var line []byte
	var err error
	for {
		r.start = r.line + 1
		line, err = r.readLine()
		if err != nil && (len(line) == 0 || !errors.Is(err, io.EOF)) {
			return nil, err
		}
		if !isEmptyLine(line) {
			break
		}
		if err != nil {
			return nil, err
		}
		r.size = 0
	}
	perr := r.parse(line)
	if perr != nil {
		return nil, perr
	}
	s := string(r.buf)
	r.fields = r.fields[:0]
	prev := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, s[prev:e])
		prev = e
	}
	return r.fields, nil
}

// readLine returns the next line with its line end, counting it against the record's size. A
// line longer than the bufio buffer is gathered in acc, never past maxLine.
func (r *recordReader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.acc = append(r.acc[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if r.size+len(r.acc) > r.maxLine {
				return nil, &errLine{line: r.start, max: r.maxLine}
			}
			line, err = r.br.ReadSlice('\n')
			r.acc = append(r.acc, line...)
		}
		line = r.acc
	}
	if len(line) > 0 {
		r.line++
	}
	if n := len(line); n > 0 && err != nil && line[n-1] == '\r' {
		// As encoding/csv does, a "\r" ending the input is a line end.
		line = line[:n-1]
	}
	r.size += len(line)
	if r.size > r.maxLine {
		return nil, &errLine{line: r.start, max: r.maxLine}
	}
	return line, err
}

// isEmptyLine reports a line holding only its line end (encoding/csv skips those).
func isEmptyLine(line []byte) bool {
	return len(line) == 0 || len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}

// trimEOL drops a trailing "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	return line
}

// parse splits a record starting with line into r.buf and r.ends, reading more lines while a
// quoted field is open.
func (r *recordReader) parse(line []byte) error {
	for {
		// At the start of a field.
		line = bytes.TrimLeftFunc(line, unicode.IsSpace)
		if len(line) == 0 || line[0] != '"' {
			// An unquoted field runs to the next comma or the line end.
			eol := trimEOL(line)
			i := bytes.IndexByte(eol, ',')
			f := eol
			if i >= 0 {
				f = eol[:i]
			}
			if bytes.IndexByte(f, '"') >= 0 {
				return r.parseError(csv.ErrBareQuote)
			}
			r.add(f)
			r.endField()
			if i < 0 {
				return nil
			}
			line = line[i+1:]
			continue
		}
		// A quoted field: up to a quote that is not doubled.
		line = line[1:]
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				r.add(line[:i])
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					r.add(line[:1])
					line = line[1:]
					continue
				case len(line) > 0 && line[0] == ',':
					r.endField()
					line = line[1:]
				case len(trimEOL(line)) == 0:
					r.endField()
					return nil
				default:
					return r.parseError(csv.ErrQuote)
				}
			case len(line) > 0:
				// The field goes on past this line; "\r\n" inside it reads as "\n".
				if eol := trimEOL(line); len(eol) < len(line) {
					r.add(eol)
					r.add([]byte{'\n'})
				} else {
					r.add(line)
				}
				next, err := r.readLine()
				if err != nil && !errors.Is(err, io.EOF) {
					return err
				}
				if len(next) == 0 {
					return r.parseError(csv.ErrQuote)
				}
				line = next
				continue
			default:
				return r.parseError(csv.ErrQuote)
			}
			break
		}
	}
}

// add appends b to the current field, keeping at most maxField bytes of it (and of at most
// CSVMaxFields fields).
func (r *recordReader) add(b []byte) {
	if r.tooMany || r.skip {
		return
	}
	fieldStart := 0
	if n := len(r.ends); n > 0 {
		fieldStart = r.ends[n-1]
	}
	if len(r.buf)-fieldStart+len(b) > r.maxField {
		if r.long < 0 {
			r.long = len(r.ends)
		}
		r.skip = true
		r.buf = r.buf[:fieldStart]
		return
	}
	r.buf = append(r.buf, b...)
}

// endField closes the current field.
func (r *recordReader) endField() {
	r.skip = false
	if r.tooMany {
		return
	}
	if len(r.ends) == CSVMaxFields {
		r.tooMany = true
		return
	}
	r.ends = append(r.ends, len(r.buf))
}

func (r *recordReader) parseError(err error) error {
	return &csv.ParseError{StartLine: r.start, Line: r.line, Err: err}
}

// lineLimitError is the EINVALID for a record over the line limit.
func lineLimitError(prefix string, e *errLine) error {
	return coach.Errorf(coach.EINVALID, "%s: line %d: a record longer than %d bytes", prefix, e.line, e.max)
}

package web

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// The pages' forms and core's validation speak of fields differently: core names a JSON path
// ("params.pct: must be in (0, 1000]", "scenario.label: …"), a form an input ("pct"). The helpers
// here turn core's invalid errors into field errors of the form, in plain words.

// corePath is the "path: message" shape of core's invalid messages.
var corePath = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_.\[\]]*): (.+)$`)

// formInvalid maps an invalid error of core to the form's fields: a message "a.b.c: text" whose
// last path element (or the whole path) is a key of fields becomes that field's error, in plain
// words; field errors are renamed the same way. Anything else stays under the form as a whole.
// Errors of other codes are returned as they are.
func formInvalid(err error, fields map[string]string) error {
	if coach.ErrorCode(err) != coach.EINVALID {
		return err
	}
	var fe httpjson.FieldErrors
	if errors.As(err, &fe) {
		out := make(httpjson.FieldErrors, 0, len(fe))
		for _, f := range fe {
			out = append(out, httpjson.FieldError{Field: fieldOf(f.Field, fields), Message: plainWords(f.Message)})
		}
		return out
	}
	msg := coach.ErrorMessage(err)
	msg = strings.TrimPrefix(msg, "webhook: ")
	if m := corePath.FindStringSubmatch(msg); m != nil {
		if name := fieldOf(m[1], fields); name != "" {
			return httpjson.FieldErrors{{Field: name, Message: plainWords(m[2])}}
		}
	}
	return httpjson.FieldErrors{{Field: "", Message: plainWords(msg)}}
}

// fieldOf finds the form field a JSON path names ("" when none).
func fieldOf(path string, fields map[string]string) string {
	if f, ok := fields[path]; ok {
		return f
	}
	if f, ok := fields[formField(path)]; ok {
		return f
	}
	return ""
}

var (
	openOpen     = regexp.MustCompile(`\(([-0-9.,]+), ([-0-9.,]+)\)`)
	openClosed   = regexp.MustCompile(`\(([-0-9.,]+), ([-0-9.,]+)\]`)
	closedOpen   = regexp.MustCompile(`\[([-0-9.,]+), ([-0-9.,]+)\)`)
	closedClosed = regexp.MustCompile(`\[([-0-9.,]+), ([-0-9.,]+)\]`)
)

// plainWords rewrites a validation message for people: interval notation in words ("must be in
// (0, 1000]" is "must be more than 0 and at most 1000"), a capital first letter and a full stop.
func plainWords(msg string) string {
	msg = openOpen.ReplaceAllString(msg, "more than $1 and less than $2")
	msg = openClosed.ReplaceAllString(msg, "more than $1 and at most $2")
	msg = closedOpen.ReplaceAllString(msg, "at least $1 and less than $2")
	msg = closedClosed.ReplaceAllString(msg, "from $1 to $2")
	msg = strings.ReplaceAll(msg, "must be in more", "must be more")
	msg = strings.ReplaceAll(msg, "must be in at least", "must be at least")
	msg = strings.ReplaceAll(msg, "must be in from", "must be from")
	return sentence(msg)
}

// sentence gives s a capital first letter and a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// formFields is the form's state for one of several forms on a page: what was typed and each
// field's error, only when the form posted was this one (its "form" field equals key).
type formFields struct {
	Values map[string]string
	Errors map[string]string
}

// formState returns the state of the form named key on rq's page.
func formState(rq *Request, key string) formFields {
	f := formFields{Values: map[string]string{}, Errors: map[string]string{}}
	if rq.Form.Get("form") != key {
		return f
	}
	for k, v := range rq.Form {
		if len(v) > 0 && k != "csrf_token" && k != "idempotency_key" {
			f.Values[k] = v[0]
		}
	}
	for k, v := range rq.Errors {
		f.Errors[k] = v
	}
	return f
}

// Has reports whether the form has an error.
func (f formFields) Has() bool { return len(f.Errors) > 0 }

// Or is what was typed in name, or def when nothing was.
func (f formFields) Or(name, def string) string {
	if v, ok := f.Values[name]; ok {
		return v
	}
	return def
}

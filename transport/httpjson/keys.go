package httpjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/tradecoach/coach"
)

// MaxDepth bounds how deeply a request body may nest objects and arrays.
const MaxDepth = 32

// checkKeys walks body against the type of v before it is decoded, for what encoding/json lets
// through: a key that names a field in another case ("timezone" for "timeZone", which
// encoding/json accepts), and a key given twice in one object (which encoding/json resolves by
// keeping the last), since two readers of one body must never see different values.
func checkKeys(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	t := reflect.TypeOf(v)
	return walk(dec, t, "", 0)
}

func walk(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return nil // the decoder reports malformed JSON itself
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= MaxDepth {
		return coach.Errorf(coach.EINVALID, "the body nests deeper than %d levels", MaxDepth)
	}
	switch d {
	case '{':
		return walkObject(dec, t, path, depth)
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walk(dec, elem, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		_, _ = dec.Token()
	}
	return nil
}

func walkObject(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = jsonFields(t)
		case reflect.Map:
			elem = t.Elem()
		}
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		name := join(path, key)
		fold := key
		if fields != nil {
			fold = strings.ToLower(key)
		}
		if seen[fold] {
			return Field(clip(name), "given twice")
		}
		seen[fold] = true
		next := elem
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				if _, other := foldedField(fields, key); other {
					return Field(clip(name), "unknown field (field names are case-sensitive)")
				}
				return Field(clip(name), "unknown field")
			}
			next = ft
		}
		if err := walk(dec, next, name, depth+1); err != nil {
			return err
		}
	}
	_, _ = dec.Token()
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func foldedField(fields map[string]reflect.Type, key string) (string, bool) {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return name, true
		}
	}
	return "", false
}

// jsonFields returns the JSON names of t's fields as encoding/json sees them (tags, untagged
// exported fields, embedded structs flattened) with their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, typ := range jsonFields(ft) {
					if _, ok := out[n]; !ok {
						out[n] = typ
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

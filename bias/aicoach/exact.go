package aicoach

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// The exact codec writes a struct of the bias package (Config, Account, DataReport) field by
// field — by its json tag, else its Go name — with every float64 as a Num and every other
// scalar as encoding/json writes it (a time.Duration in nanoseconds, a time.Time in RFC 3339),
// recursing into nested structs but time.Time and into slices of them (Account.Windows, always
// an array, [] for none), and skipping func fields (Config.Rules travels as verdicts). It ignores
// the structs' own MarshalJSON, which is for people (seconds, nulls) and does not read back.

var timeType = reflect.TypeFor[time.Time]()

// encodeExact writes v, a struct, exactly.
func encodeExact(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := writeExact(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeExact(b *bytes.Buffer, v reflect.Value) error {
	t := v.Type()
	b.WriteByte('{')
	first := true
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := fieldName(f)
		if !ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(name)
		b.Write(key)
		b.WriteByte(':')
		fv := v.Field(i)
		switch {
		case fv.Kind() == reflect.Float64:
			raw, _ := Num(fv.Float()).MarshalJSON()
			b.Write(raw)
		case fv.Kind() == reflect.Struct && fv.Type() != timeType:
			if err := writeExact(b, fv); err != nil {
				return err
			}
		case structSlice(fv.Type()):
			b.WriteByte('[')
			for j := range fv.Len() {
				if j > 0 {
					b.WriteByte(',')
				}
				if err := writeExact(b, fv.Index(j)); err != nil {
					return err
				}
			}
			b.WriteByte(']')
		default:
			raw, err := json.Marshal(fv.Interface())
			if err != nil {
				return coach.Errorf(coach.EINVALID, "aicoach: %s.%s: %s", t.Name(), f.Name, err)
			}
			b.Write(raw)
		}
	}
	b.WriteByte('}')
	return nil
}

// decodeExact reads into ptr, a pointer to a struct, what encodeExact wrote. An unknown field,
// or a value of the wrong type, is EINVALID; a missing field is left as it is.
func decodeExact(data []byte, ptr any) error {
	return readExact(data, reflect.ValueOf(ptr).Elem(), "")
}

func readExact(data []byte, v reflect.Value, path string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return coach.Errorf(coach.EINVALID, "%s: want an object", orRoot(path))
	}
	t := v.Type()
	known := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := fieldName(f)
		if !ok {
			continue
		}
		known[name] = true
		raw, ok := m[name]
		if !ok {
			continue
		}
		fv := v.Field(i)
		switch {
		case fv.Kind() == reflect.Float64:
			var n Num
			if err := n.UnmarshalJSON(raw); err != nil {
				return coach.Errorf(coach.EINVALID, "%s: %s", path+name, coach.ErrorMessage(err))
			}
			fv.SetFloat(float64(n))
		case fv.Kind() == reflect.Struct && fv.Type() != timeType:
			if err := readExact(raw, fv, path+name+"."); err != nil {
				return err
			}
		case structSlice(fv.Type()):
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil || elems == nil {
				return coach.Errorf(coach.EINVALID, "%s: want an array", path+name)
			}
			out := reflect.MakeSlice(fv.Type(), len(elems), len(elems))
			for j, e := range elems {
				if err := readExact(e, out.Index(j), path+name+"["+strconv.Itoa(j)+"]."); err != nil {
					return err
				}
			}
			fv.Set(out)
		default:
			if err := json.Unmarshal(raw, fv.Addr().Interface()); err != nil {
				return coach.Errorf(coach.EINVALID, "%s: want a %s", path+name, fv.Type())
			}
		}
	}
	for k := range m {
		if !known[k] {
			return coach.Errorf(coach.EINVALID, "%s: unknown field %q", orRoot(path), clip(k))
		}
	}
	return nil
}

// structSlice reports whether t is a slice of structs other than time.Time.
func structSlice(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && t.Elem() != timeType
}

// fieldName is the name f travels under, and false for a field that does not travel.
func fieldName(f reflect.StructField) (string, bool) {
	if !f.IsExported() || f.Type.Kind() == reflect.Func {
		return "", false
	}
	tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch tag {
	case "-":
		return "", false
	case "":
		return f.Name, true
	}
	return tag, true
}

func orRoot(path string) string {
	if path == "" {
		return "object"
	}
	return strings.TrimSuffix(path, ".")
}

// clip shortens outside text quoted in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Package servicetest checks the construction contract every service of this module follows: a
// service is built by New(Config) (*T, error), and a value not built that way — the zero value,
// new(T), a nil *T — never panics: each exported method returns a coded error (or does nothing).
//
// ZeroValues finds the methods by reflection, so a method added later is checked without anyone
// remembering to list it.
package servicetest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

// callTimeout bounds the context passed to every method, so that a Run loop of a value that was
// wrongly treated as constructed ends instead of hanging the test.
const callTimeout = 10 * time.Second

// ZeroValues calls every exported method of each type given (pass a nil pointer, e.g.
// (*bias.Service)(nil)) on three receivers — a nil *T, new(T) and a zero T (its value methods) — with
// zero-ish arguments: a live context, an httptest recorder and request for net/http's types, a
// zero value for everything else. It fails the test on any panic and on a method that returns a
// non-nil error whose code is not EINVALID. Methods named in skip ("Type.Method") are not called.
func ZeroValues(t *testing.T, types []any, skip ...string) {
	t.Helper()
	for _, typ := range types {
		pt := reflect.TypeOf(typ)
		if pt == nil || pt.Kind() != reflect.Pointer {
			t.Fatalf("servicetest: pass a nil *T, got %T", typ)
		}
		name := pt.Elem().Name()
		receivers := map[string]func() reflect.Value{
			"nil":  func() reflect.Value { return reflect.Zero(pt) },
			"new":  func() reflect.Value { return reflect.New(pt.Elem()) },
			"zero": func() reflect.Value { return reflect.Zero(pt.Elem()) },
		}
		if pt.NumMethod() == 0 {
			t.Errorf("servicetest: %s has no exported method", name)
		}
		for i := range pt.NumMethod() {
			m := pt.Method(i)
			if slices.Contains(skip, name+"."+m.Name) {
				continue
			}
			for _, recv := range []string{"nil", "new", "zero"} {
				r := receivers[recv]()
				var fn reflect.Value
				if recv == "zero" {
					if _, ok := pt.Elem().MethodByName(m.Name); !ok {
						continue // a pointer method: a T value cannot call it
					}
					fn = r.MethodByName(m.Name)
				} else {
					fn = r.Method(i)
				}
				t.Run(name+"."+m.Name+"/"+recv, func(t *testing.T) {
					call(t, fn)
				})
			}
		}
	}
}

func call(t *testing.T, fn reflect.Value) {
	t.Helper()
	ft := fn.Type()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	n := ft.NumIn()
	if ft.IsVariadic() {
		n--
	}
	args := make([]reflect.Value, n)
	for i := range n {
		args[i] = arg(ctx, ft.In(i))
	}
	var out []reflect.Value
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("panic: %v", p)
			}
		}()
		out = fn.Call(args)
	}()
	for _, o := range out {
		if !o.Type().Implements(reflect.TypeFor[error]()) || o.IsNil() {
			continue
		}
		err := o.Interface().(error)
		if code := coach.ErrorCode(err); code != coach.EINVALID {
			t.Errorf("error %q has code %s, want %s", err, code, coach.EINVALID)
		}
	}
}

// arg returns a usable zero-ish value of type typ.
func arg(ctx context.Context, typ reflect.Type) reflect.Value {
	switch typ {
	case reflect.TypeFor[context.Context]():
		return reflect.ValueOf(ctx)
	case reflect.TypeFor[http.ResponseWriter]():
		return reflect.ValueOf(httptest.NewRecorder())
	case reflect.TypeFor[*http.Request]():
		return reflect.ValueOf(httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil))
	case reflect.TypeFor[io.Reader]():
		return reflect.ValueOf(strings.NewReader(""))
	}
	return reflect.Zero(typ)
}

// RefusesField fails the test unless err is EINVALID and its message names field (e.g.
// "Config.Store"): what a constructor returns for a missing or invalid dependency.
func RefusesField(t *testing.T, err error, field string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("constructor accepted a config without a valid %s", field)
	case coach.ErrorCode(err) != coach.EINVALID:
		t.Errorf("error %v: code %s, want %s", err, coach.ErrorCode(err), coach.EINVALID)
	case !strings.Contains(coach.ErrorMessage(err), field):
		t.Errorf("error %q does not name %s", coach.ErrorMessage(err), field)
	}
}

package servicetest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// notServices are the constructors of the form New…(…) (*T, error) whose T is not a service,
// with the reason; every other such T must be given to ZeroValues by its package's tests.
var notServices = map[string]string{
	"bias/indicator":       "indicator streams are numeric state machines, documented as built by their New functions",
	"broker/brokertest":    "fake broker servers for tests",
	"storage/redis":        "storage adapter (and the Redis bus, moving to transport/redis); adapters are checked by the conformance suites",
	"storage/postgres":     "storage adapter, checked by the conformance suite",
	"storage/s3":           "storage adapter, checked by the conformance suite",
	"broker/seal.LocalKEK": "a key, not a service: New is its only way to hold key material",
}

// TestEveryServiceIsCheckedForZeroValues finds every constructor New…(…) (*T, error) in the
// module and fails unless T's package tests pass (*pkg.T)(nil) to ZeroValues: a new service
// cannot be left out of the zero-value check.
func TestEveryServiceIsCheckedForZeroValues(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	found := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") || name == "testdata" || rel == "examples" || strings.HasPrefix(rel, "examples/") || rel == "internal/servicetest") {
			return filepath.SkipDir
		}
		if _, skip := notServices[rel]; skip {
			return nil
		}
		types := constructed(t, path)
		if len(types) == 0 {
			return nil
		}
		tests := testSources(t, path)
		for _, typ := range types {
			if _, skip := notServices[rel+"."+typ]; skip {
				continue
			}
			found++
			if !strings.Contains(tests, "."+typ+")(nil)") && !strings.Contains(tests, "(*"+typ+")(nil)") {
				t.Errorf("%s: %s is built by a New function but no test of the package passes (*%s)(nil) to servicetest.ZeroValues", rel, typ, typ)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d service types checked", found)
	if found < 10 {
		t.Errorf("found %d services; the scan is broken", found)
	}
}

// constructed returns the types T of the package in dir that a func or method New…(…) (*T, error)
// returns.
func constructed(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() || !strings.HasPrefix(fn.Name.Name, "New") || fn.Type.Results == nil || len(fn.Type.Results.List) != 2 {
				continue
			}
			star, ok := fn.Type.Results.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			id, ok := star.X.(*ast.Ident)
			if errID, isErr := fn.Type.Results.List[1].Type.(*ast.Ident); !ok || !id.IsExported() || !isErr || errID.Name != "error" {
				continue
			}
			if !slices.Contains(out, id.Name) {
				out = append(out, id.Name)
			}
		}
	}
	return out
}

// testSources returns the text of the test files in dir.
func testSources(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), "_test.go") {
			src, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			b.Write(src)
		}
	}
	return b.String()
}

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// regions returns the code between "// readme:begin NAME" and "// readme:end" lines of a Go
// file, by name, without the begin line's indentation: the form the README shows it in.
func regions(t *testing.T, path string) map[string]string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin := regexp.MustCompile(`(?m)^(\t*)// readme:begin (\w+)\n`)
	out := map[string]string{}
	for _, m := range begin.FindAllSubmatchIndex(src, -1) {
		rest := string(src[m[1]:])
		end := regexp.MustCompile(`(?m)^\t*// readme:end\n`).FindStringIndex(rest)
		if end == nil {
			t.Fatalf("%s: readme:begin %s without readme:end", path, src[m[4]:m[5]])
		}
		indent := string(src[m[2]:m[3]])
		var lines []string
		for _, l := range strings.SplitAfter(strings.TrimRight(rest[:end[0]], "\n")+"\n", "\n") {
			lines = append(lines, strings.TrimPrefix(l, indent))
		}
		out[string(src[m[4]:m[5]])] = strings.Join(lines, "")
	}
	return out
}

// TestREADMESnippetsAreThePrograms checks that the README's quick start and its "Embedding in
// your service" snippets are, character for character, the marked parts of examples/quickstart
// and of this program, which tests run — so the README cannot show code that does not work — and
// that coach.go's package doc shows the same quick start.
func TestREADMESnippetsAreThePrograms(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	coachGo, err := os.ReadFile(filepath.Join("..", "..", "coach.go"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"quickstart": "../quickstart/main.go", "wire": "main.go", "order": "main.go"}
	for name, path := range want {
		code, ok := regions(t, path)[name]
		if !ok {
			t.Errorf("%s has no readme:begin %s", path, name)
			continue
		}
		if !strings.Contains(string(readme), "```go\n"+code+"```\n") {
			t.Errorf("README.md lacks the %q snippet of %s as a ```go block; it should read:\n%s", name, path, code)
		}
		if name == "quickstart" && !strings.Contains(string(coachGo), docComment(code)) {
			t.Errorf("coach.go's Quick start is not the %q snippet of %s; it should read:\n%s", name, path, docComment(code))
		}
	}
}

// docComment returns code as a code block of a doc comment: "//\t" before each line, "//" alone
// for an empty one.
func docComment(code string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(code, "\n") {
		switch l {
		case "":
		case "\n":
			b.WriteString("//\n")
		default:
			b.WriteString("//\t" + l)
		}
	}
	return b.String()
}

package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

// TestLoadAgainstEdgeAndCore runs `refhost load` briefly against `refhost all` in the process:
// both targets are read in both phases without a failed read or action, the edge's streams
// deliver events, and the comparison is printed.
func TestLoadAgainstEdgeAndCore(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"load", "-users", "3", "-duration", "1500ms", "-rate", "40", "-concurrency", "4", "-settle", "2s"},
		func(string) string { return "" }, &out, &errs, nil)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out.String(), errs.String())
	}
	text := out.String()
	for _, want := range []string{"target core: 3 users", "target edge: 3 users", "edge vs core: ", "core's throughput (4 reads in flight)",
		"at 40 reads/s"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	rows := regexp.MustCompile(`(?m)^\s+all\s+(\d+)\s+(\d+)\s`).FindAllStringSubmatch(text, -1)
	if len(rows) != 4 {
		t.Fatalf("%d rows of all, want 4 (two phases, two targets):\n%s", len(rows), text)
	}
	for _, r := range rows {
		reads, _ := strconv.Atoi(r[1])
		if reads == 0 || r[2] != "0" {
			t.Errorf("a phase read %s times with %s errors:\n%s", r[1], r[2], text)
		}
	}
	if n := strings.Count(text, "questions to the coach (one a user, each answer an event): 3, 0 failed"); n != 4 {
		t.Errorf("%d phases without a failed action, want 4:\n%s", n, text)
	}
	// Each edge phase: at least the three answers to the users' questions, each once.
	if n := len(regexp.MustCompile(`events: ([3-9]|\d\d+) delivered \(0 repeated arrivals\)`).FindAllString(text, -1)); n != 2 {
		t.Errorf("%d edge phases delivered the answers, want 2:\n%s", n, text)
	}
}

// -throughput=false reads at -rate only: one phase a target, no throughput comparison.
func TestLoadAtASteadyRateOnly(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"load", "-users", "2", "-duration", "1s", "-rate", "20", "-settle", "1s", "-throughput=false"},
		func(string) string { return "" }, &out, &errs, nil)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out.String(), errs.String())
	}
	text := out.String()
	if rows := regexp.MustCompile(`(?m)^\s+all\s+\d+\s+0\s`).FindAllString(text, -1); len(rows) != 2 {
		t.Fatalf("%d phases without errors, want 2 (the steady one, two targets):\n%s", len(rows), text)
	}
	if strings.Contains(text, "as fast as") || strings.Contains(text, "throughput") || !strings.Contains(text, "at 20 reads/s") {
		t.Fatalf("a throughput phase ran or the comparison is missing:\n%s", text)
	}
}

func TestLoadRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-target", "web"},
		{"-edge-url", "http://127.0.0.1:1"},
		{"-rate", "0"},
		{"-users", "0"},
		{"-edge-url", "http://192.0.2.1:80", "-core-url", "http://192.0.2.1:81", "-target", "edge"},
		{"-nonsense"},
	} {
		var out, errs bytes.Buffer
		env := map[string]string{"REFHOST_INTERNAL_KEY": strings.Repeat("ab", 32)}
		err := run(context.Background(), append([]string{"load"}, args...), func(k string) string { return env[k] }, &out, &errs, nil)
		if coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("load %v: %v, want invalid", args, err)
		}
	}
}

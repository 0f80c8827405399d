package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// unit is the part of a systemd unit file the check reads: each key's values, by section.
type unit map[string]map[string][]string

func readUnit(t *testing.T, path string) unit {
	t.Helper()
	b, err := os.ReadFile(path) // #nosec G304 -- a file of deploy/
	if err != nil {
		t.Fatal(err)
	}
	u := unit{}
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Errorf("%s: %q is not KEY=VALUE in a section", path, line)
				continue
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

func TestSystemdUnits(t *testing.T) {
	dir := filepath.Join(deployDir, "systemd")
	shared := readEnvFile(t, filepath.Join(dir, "refhost.env.example"))
	for k, v := range shared {
		shared[k] = strings.ReplaceAll(v, "CHANGE_ME", dummyKey)
	}
	const binary = "/usr/local/bin/refhost"
	found := map[string]checked{}
	for _, stack := range append(slices.Clone(deployStacks), "migrate") {
		where := "systemd refhost-" + stack + ".service"
		u := readUnit(t, filepath.Join(dir, "refhost-"+stack+".service"))
		svc := u["Service"]
		if svc == nil {
			t.Errorf("%s: no [Service]", where)
			continue
		}
		exec := svc["ExecStart"]
		if len(exec) != 1 {
			t.Errorf("%s: ExecStart %v, want one", where, exec)
			continue
		}
		argv := strings.Fields(exec[0])
		if len(argv) < 2 || argv[0] != binary || argv[1] != stack {
			t.Errorf("%s: ExecStart %q, want %s %s …", where, exec[0], binary, stack)
			continue
		}
		if files := svc["EnvironmentFile"]; len(files) != 1 || files[0] != "/etc/refhost/refhost.env" {
			t.Errorf("%s: EnvironmentFile %v, want /etc/refhost/refhost.env (refhost.env.example)", where, files)
		}
		if svc["DynamicUser"] == nil && svc["User"] == nil {
			t.Errorf("%s: runs as root (no DynamicUser or User)", where)
		}
		env := maps.Clone(shared)
		for _, e := range svc["Environment"] {
			k, v, _ := strings.Cut(e, "=")
			env[k] = v
		}
		got, ok := checkProcess(t, deployed{where: where, argv: argv[1:], env: env})
		if !ok {
			continue
		}
		if stack == "migrate" {
			continue
		}
		found[stack] = got
		if stack == "core" || stack == "worker" {
			if !strings.Contains(strings.Join(u["Unit"]["Requires"], " "), "refhost-migrate.service") {
				t.Errorf("%s: want Requires=refhost-migrate.service", where)
			}
		}
	}
	ports := map[string]int{}
	for stack, c := range found {
		if c.port != 0 {
			if other, dup := ports[stack]; dup && other != c.port {
				t.Errorf("%s listens on two ports", stack)
			}
			ports[stack] = c.port
		}
	}
	seen := map[int]string{}
	for stack, p := range ports {
		if other, dup := seen[p]; dup {
			t.Errorf("systemd: %s and %s both listen on port %d of one machine", stack, other, p)
		}
		seen[p] = stack
	}
	for stack, c := range found {
		checkCalls(t, "systemd refhost-"+stack+".service", c.cfg, func(string) string { return "127.0.0.1" }, ports)
	}
}

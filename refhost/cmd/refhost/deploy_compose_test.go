package main

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Command     []string          `yaml:"command"`
	Entrypoint  []string          `yaml:"entrypoint"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	DependsOn   any               `yaml:"depends_on"`
}

// composeVar is a ${NAME…} interpolation, replaced by dummyKey in the check.
var composeVar = regexp.MustCompile(`\$\{([A-Z0-9_]+)[^}]*\}`)

// dependsOn returns the services s waits for and the condition of each ("" for the short form).
func (s composeService) dependsOn() map[string]string {
	out := map[string]string{}
	switch d := s.DependsOn.(type) {
	case []any:
		for _, n := range d {
			out[n.(string)] = ""
		}
	case map[string]any:
		for n, v := range d {
			cond, _ := v.(map[string]any)["condition"].(string)
			out[n] = cond
		}
	}
	return out
}

func TestComposeFile(t *testing.T) {
	path := filepath.Join(deployDir, "compose.yaml")
	docs := decodeAll(t, path)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents, want 1", path, len(docs))
	}
	var file struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := docs[0].Decode(&file); err != nil {
		t.Fatal(err)
	}
	for _, dep := range []string{"postgres", "redis", "minio"} {
		if _, ok := file.Services[dep]; !ok {
			t.Errorf("compose: no %s service", dep)
		}
	}
	found := map[string]checked{}
	vars := map[string]bool{}
	for name, s := range file.Services {
		if s.Image != "tradecoach/refhost:latest" {
			continue
		}
		where := "compose service " + name
		env := map[string]string{}
		for k, v := range s.Environment {
			for _, m := range composeVar.FindAllStringSubmatch(v, -1) {
				vars[m[1]] = true
			}
			env[k] = composeVar.ReplaceAllString(v, dummyKey)
		}
		if len(s.Entrypoint) > 0 {
			t.Errorf("%s: overrides the image's entrypoint", where)
		}
		if len(s.Command) == 0 || s.Command[0] != name {
			t.Errorf("%s: command %v, want its own subcommand %s first", where, s.Command, name)
			continue
		}
		got, ok := checkProcess(t, deployed{where: where, argv: s.Command, env: env})
		if ok {
			found[name] = got
		}
		deps := s.dependsOn()
		if (name == "core" || name == "worker") && deps["migrate"] != "service_completed_successfully" {
			t.Errorf("%s: want it to start after migrate completed, got depends_on %v", where, deps)
		}
		for _, p := range s.Ports {
			host, container, _ := strings.Cut(p, ":")
			if n, err := strconv.Atoi(container); err != nil || n != got.port || host == "" {
				t.Errorf("%s: publishes %q, want HOST:%d", where, p, got.port)
			}
		}
		if name == "edge" && len(s.Ports) == 0 {
			t.Errorf("%s: the edge must be published", where)
		}
		if name != "edge" && len(s.Ports) > 0 {
			t.Errorf("%s: only the edge faces the outside, got ports %v", where, s.Ports)
		}
	}
	for _, stack := range append(slices.Clone(deployStacks), "migrate") {
		if _, ok := file.Services[stack]; !ok {
			t.Errorf("compose: no service %s", stack)
		}
	}
	if _, ok := file.Services["migrate"]; ok && file.Services["migrate"].Build == nil {
		t.Error("compose: the migrate service (the first to start) should build the image from deploy/Dockerfile")
	}
	ports := map[string]int{}
	for stack, c := range found {
		ports[stack] = c.port
	}
	for stack, c := range found {
		checkCalls(t, "compose service "+stack, c.cfg, func(s string) string { return s }, ports)
	}
	// The .env example names every variable the file interpolates, and no other.
	example := readEnvFile(t, filepath.Join(deployDir, "compose.env.example"))
	for v := range vars {
		if _, ok := example[v]; !ok {
			t.Errorf("compose.env.example lacks %s, which compose.yaml needs", v)
		}
	}
	for v := range example {
		if !vars[v] {
			t.Errorf("compose.env.example sets %s, which compose.yaml does not use", v)
		}
	}
}

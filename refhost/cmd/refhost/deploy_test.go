package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/tradecoach/coach/refhost/config"
)

// The deploy/ folder's manifests are checked against this binary: no container engine or
// cluster runs here, so each manifest is parsed and every refhost process it starts (a Kubernetes
// container, a compose service, a systemd unit) must name a subcommand of the binary, pass only
// flags and environment variables of refhost/config that parse, carry the keys its stack
// requires, listen on the port its manifest publishes and probes, and call the other stacks at
// the ports they listen on. A renamed setting, flag or stack breaks this test.

const deployDir = "../../../deploy"

// deployStacks are the stacks a deployment runs, each in processes of its own.
var deployStacks = []string{"web", "edge", "core", "worker", "aicoach"}

// dummyKey stands for every secret a manifest takes from outside (a Secret, a .env file): hex, 32
// bytes, which every key setting accepts.
var dummyKey = strings.Repeat("5a", 32)

// addrField is the Config field of each stack's listen address.
var addrField = map[string]string{"web": "WebAddr", "edge": "EdgeAddr", "core": "CoreAddr", "worker": "WorkerAddr", "aicoach": "AIcoachAddr"}

// urlField is the Config field of the URL other stacks call a stack at.
var urlField = map[string]string{"web": "WebURL", "core": "CoreURL", "aicoach": "AIcoachURL"}

// deployed is one refhost process a manifest starts.
type deployed struct {
	where string            // the manifest and the object, for messages
	argv  []string          // the subcommand and its flags
	env   map[string]string // its environment, secrets replaced by dummyKey
}

// checked is what checkProcess found: the stack, its configuration and its port.
type checked struct {
	stack string
	cfg   config.Config
	port  int // 0 for a stack without an address of its own (migrate)
}

// checkProcess checks p against the binary: its subcommand, its environment variables' names,
// its flags and values (config.Load) and the keys its stack requires (completeKeys).
func checkProcess(t *testing.T, p deployed) (checked, bool) {
	t.Helper()
	if len(p.argv) == 0 {
		t.Errorf("%s: no subcommand", p.where)
		return checked{}, false
	}
	stack := p.argv[0]
	if !slices.Contains(stacks, stack) {
		t.Errorf("%s: %q is not a subcommand of refhost (%v)", p.where, stack, stacks)
		return checked{}, false
	}
	known := map[string]bool{}
	for _, s := range config.Settings() {
		known[s.Env] = true
	}
	for name := range p.env {
		if !known[name] {
			t.Errorf("%s: environment variable %s is not a refhost setting", p.where, name)
		}
	}
	cfg, err := config.Load("refhost "+stack, p.argv[1:], func(k string) string { return p.env[k] })
	if err != nil {
		t.Errorf("%s: refhost %s: %v", p.where, strings.Join(p.argv, " "), err)
		return checked{}, false
	}
	if err := completeKeys(&cfg, stack); err != nil {
		t.Errorf("%s: %v", p.where, err)
	}
	c := checked{stack: stack, cfg: cfg}
	if f, ok := addrField[stack]; ok {
		addr, found := configString(cfg, f)
		if !found {
			t.Errorf("%s: config has no %s", p.where, f)
		} else {
			c.port = portOf(t, p.where, addr)
		}
	}
	return c, true
}

// configString reads a string field of cfg by name.
func configString(cfg config.Config, field string) (string, bool) {
	v := reflect.ValueOf(cfg).FieldByName(field)
	if !v.IsValid() || v.Kind() != reflect.String {
		return "", false
	}
	return v.String(), true
}

func portOf(t *testing.T, where, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	n, err2 := strconv.Atoi(p)
	if err != nil || err2 != nil || n <= 0 {
		t.Errorf("%s: listen address %q has no port", where, addr)
	}
	return n
}

// checkCalls checks that the URLs a process calls the other stacks at name, by host, the service
// of that stack (host names the deployment resolves) and its port.
func checkCalls(t *testing.T, where string, cfg config.Config, hostOf func(stack string) string, ports map[string]int) {
	t.Helper()
	for stack, field := range urlField {
		raw, ok := configString(cfg, field)
		if !ok || raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("%s: %s %q: %v", where, field, raw, err)
			continue
		}
		port, _ := strconv.Atoi(u.Port())
		if u.Hostname() != hostOf(stack) || ports[stack] != 0 && port != ports[stack] {
			t.Errorf("%s: %s is %s, want http://%s:%d (the %s stack)", where, field, raw, hostOf(stack), ports[stack], stack)
		}
	}
}

// decodeAll reads every YAML document of path.
func decodeAll(t *testing.T, path string) []*yaml.Node {
	t.Helper()
	f, err := os.Open(path) // #nosec G304 -- a file of deploy/
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []*yaml.Node
	dec := yaml.NewDecoder(f)
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, &n)
	}
}

// dockerEntrypoint is the ENTRYPOINT of deploy/Dockerfile, checked to be a static, non-root,
// distroless build of this command.
func dockerEntrypoint(t *testing.T) (entry string, exposed []int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(text, -1)
	switch {
	case len(froms) < 2:
		t.Error("Dockerfile: want a multi-stage build")
	case !strings.Contains(froms[len(froms)-1][1], "distroless/static"):
		t.Errorf("Dockerfile: final image %s, want distroless/static", froms[len(froms)-1][1])
	}
	if !strings.Contains(text, "CGO_ENABLED=0") || !strings.Contains(text, "go build") || !strings.Contains(text, "./refhost/cmd/refhost") {
		t.Error("Dockerfile: want a CGO_ENABLED=0 go build of ./refhost/cmd/refhost")
	}
	if u := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindStringSubmatch(text); u == nil || strings.HasPrefix(u[1], "0") || strings.HasPrefix(u[1], "root") {
		t.Errorf("Dockerfile: want a non-root USER, got %v", u)
	}
	m := regexp.MustCompile(`(?m)^ENTRYPOINT\s+\["([^"]+)"\]`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("Dockerfile: no ENTRYPOINT [\"…\"]")
	}
	for _, e := range regexp.MustCompile(`(?m)^EXPOSE\s+(.+)$`).FindAllStringSubmatch(text, -1) {
		for _, p := range strings.Fields(e[1]) {
			n, err := strconv.Atoi(p)
			if err != nil {
				t.Errorf("Dockerfile: EXPOSE %s", p)
			}
			exposed = append(exposed, n)
		}
	}
	return m[1], exposed
}

// defaultPorts are the ports of the stacks' default addresses.
func defaultPorts(t *testing.T) map[string]int {
	t.Helper()
	cfg, err := config.Load("refhost", nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ports := map[string]int{}
	for stack, f := range addrField {
		if addr, ok := configString(cfg, f); ok {
			ports[stack] = portOf(t, "defaults", addr)
		}
	}
	return ports
}

func TestDockerfileExposesEveryStack(t *testing.T) {
	_, exposed := dockerEntrypoint(t)
	for stack, port := range defaultPorts(t) {
		if !slices.Contains(exposed, port) {
			t.Errorf("Dockerfile: EXPOSE lacks %d (%s)", port, stack)
		}
	}
}

// readEnvFile reads KEY=VALUE lines (comments and blank lines skipped).
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path) // #nosec G304 -- a file of deploy/
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: %q is not KEY=VALUE", path, line)
			continue
		}
		env[k] = v
	}
	return env
}

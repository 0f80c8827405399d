package main

import (
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	storagememory "github.com/tradecoach/coach/storage/memory"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

type k8sMeta struct {
	Name        string            `yaml:"name"`
	Annotations map[string]string `yaml:"annotations"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type k8sContainer struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
			ConfigMapKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"configMapKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
}

type k8sPodTemplate struct {
	Metadata k8sMeta `yaml:"metadata"`
	Spec     struct {
		Containers      []k8sContainer `yaml:"containers"`
		SecurityContext struct {
			RunAsNonRoot bool `yaml:"runAsNonRoot"`
		} `yaml:"securityContext"`
	} `yaml:"spec"`
}

// k8sSelector is a label selector (an HPA metric's).
type k8sSelector struct {
	MatchLabels      map[string]string `yaml:"matchLabels"`
	MatchExpressions []struct {
		Key      string   `yaml:"key"`
		Operator string   `yaml:"operator"`
		Values   []string `yaml:"values"`
	} `yaml:"matchExpressions"`
}

type k8sObject struct {
	Kind     string            `yaml:"kind"`
	Metadata k8sMeta           `yaml:"metadata"`
	Data     map[string]string `yaml:"data"`
	Spec     struct {
		Template k8sPodTemplate `yaml:"template"` // Deployment, Job
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"` // Deployment
		ServiceSelector map[string]string `yaml:"-"`
		Ports           []struct {
			Port       int `yaml:"port"`
			TargetPort any `yaml:"targetPort"`
		} `yaml:"ports"` // Service
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"` // HorizontalPodAutoscaler
		MinReplicas int `yaml:"minReplicas"`
		MaxReplicas int `yaml:"maxReplicas"`
		Metrics     []struct {
			Type     string `yaml:"type"`
			External *struct {
				Metric struct {
					Name     string      `yaml:"name"`
					Selector k8sSelector `yaml:"selector"`
				} `yaml:"metric"`
			} `yaml:"external"`
		} `yaml:"metrics"` // HorizontalPodAutoscaler
	} `yaml:"spec"`
}

// k8sObjects reads every object of deploy/k8s, by kind and name.
func k8sObjects(t *testing.T) map[string]map[string]k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/k8s: %v", err)
	}
	objs := map[string]map[string]k8sObject{}
	for _, f := range files {
		for _, doc := range decodeAll(t, f) {
			var o k8sObject
			if err := doc.Decode(&o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "Service" {
				var s struct {
					Spec struct {
						Selector map[string]string `yaml:"selector"`
					} `yaml:"spec"`
				}
				if err := doc.Decode(&s); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				o.Spec.ServiceSelector = s.Spec.Selector
			}
			if objs[o.Kind] == nil {
				objs[o.Kind] = map[string]k8sObject{}
			}
			if _, dup := objs[o.Kind][o.Metadata.Name]; dup {
				t.Errorf("%s: %s %s defined twice", f, o.Kind, o.Metadata.Name)
			}
			objs[o.Kind][o.Metadata.Name] = o
		}
	}
	return objs
}

// k8sEnv is a container's environment: the ConfigMaps it loads, then its own entries (secrets as
// dummyKey). It reports references to objects the manifests do not define.
func k8sEnv(t *testing.T, where string, c k8sContainer, objs map[string]map[string]k8sObject) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			cm, ok := objs["ConfigMap"][ef.ConfigMapRef.Name]
			if !ok {
				t.Errorf("%s: ConfigMap %s is not in deploy/k8s", where, ef.ConfigMapRef.Name)
			}
			maps.Copy(env, cm.Data)
		case ef.SecretRef != nil:
			t.Errorf("%s: envFrom a Secret hides which variables it sets: name each one with secretKeyRef", where)
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			if e.ValueFrom.SecretKeyRef.Key != e.Name {
				t.Errorf("%s: %s comes from the secret's key %s: name the key as the variable", where, e.Name, e.ValueFrom.SecretKeyRef.Key)
			}
			env[e.Name] = dummyKey
			if e.Name == "REFHOST_POSTGRES_URL" {
				env[e.Name] = "postgres://coach:" + dummyKey + "@postgres:5432/coach"
			}
		case e.ValueFrom.ConfigMapKeyRef != nil:
			cm := objs["ConfigMap"][e.ValueFrom.ConfigMapKeyRef.Name]
			v, ok := cm.Data[e.ValueFrom.ConfigMapKeyRef.Key]
			if !ok {
				t.Errorf("%s: %s refers to a ConfigMap key that is not there", where, e.Name)
			}
			env[e.Name] = v
		}
	}
	return env
}

// probePort resolves a probe's or a Service's port (a number or a container port's name).
func probePort(c k8sContainer, port any) int {
	switch p := port.(type) {
	case int:
		return p
	case string:
		for _, cp := range c.Ports {
			if cp.Name == p {
				return cp.ContainerPort
			}
		}
		n, _ := strconv.Atoi(p)
		return n
	}
	return 0
}

func TestKubernetesManifests(t *testing.T) {
	objs := k8sObjects(t)
	entry, _ := dockerEntrypoint(t)
	found := map[string]checked{}
	containers := map[string]k8sContainer{}
	for _, stack := range deployStacks {
		d, ok := objs["Deployment"][stack]
		if !ok {
			t.Errorf("no Deployment %s", stack)
			continue
		}
		where := "k8s Deployment " + stack
		pod := d.Spec.Template
		if !pod.Spec.SecurityContext.RunAsNonRoot {
			t.Errorf("%s: the pod must run as non-root", where)
		}
		for k, v := range d.Spec.Selector.MatchLabels {
			if pod.Metadata.Labels[k] != v {
				t.Errorf("%s: the selector %s=%s does not select its own pods", where, k, v)
			}
		}
		if len(pod.Spec.Containers) != 1 {
			t.Errorf("%s: want one container, got %d", where, len(pod.Spec.Containers))
			continue
		}
		c := pod.Spec.Containers[0]
		if !slices.Equal(c.Command, []string{entry}) {
			t.Errorf("%s: command %v, want [%s] (the image's ENTRYPOINT)", where, c.Command, entry)
		}
		if len(c.Args) == 0 || c.Args[0] != stack {
			t.Errorf("%s: args %v, want the subcommand %s first", where, c.Args, stack)
			continue
		}
		got, ok := checkProcess(t, deployed{where: where, argv: c.Args, env: k8sEnv(t, where, c, objs)})
		if !ok {
			continue
		}
		found[stack], containers[stack] = got, c
		// Its ports: "http" where it listens and, for an edge with a private metrics address,
		// "metrics" there; the scrape annotation names the port that serves /metrics (the edge's
		// public one never does).
		want := map[string]int{"http": got.port}
		metricsPort := got.port
		if stack == "edge" {
			metricsPort = 0
			if got.cfg.EdgeMetricsAddr != "" {
				metricsPort = portOf(t, where, got.cfg.EdgeMetricsAddr)
				want["metrics"] = metricsPort
			}
		}
		have := map[string]int{}
		for _, p := range c.Ports {
			have[p.Name] = p.ContainerPort
		}
		if !maps.Equal(have, want) {
			t.Errorf("%s: container ports %v, want %v", where, have, want)
		}
		ann := pod.Metadata.Annotations
		if scrape := ann["prometheus.io/scrape"] == "true"; scrape != (metricsPort != 0) || scrape && ann["prometheus.io/port"] != strconv.Itoa(metricsPort) {
			t.Errorf("%s: scrape annotations %v, want scraping %v on port %d", where, ann, metricsPort != 0, metricsPort)
		}
		for name, p := range map[string]*k8sProbe{"/readyz": c.ReadinessProbe, "/healthz": c.LivenessProbe} {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != name || probePort(c, p.HTTPGet.Port) != got.port {
				t.Errorf("%s: want a probe GET %s on port %d, got %s", where, name, got.port, probeString(p))
			}
		}
		svc, ok := objs["Service"][stack]
		if !ok {
			t.Errorf("no Service %s", stack)
			continue
		}
		for k, v := range svc.Spec.ServiceSelector {
			if pod.Metadata.Labels[k] != v {
				t.Errorf("Service %s: selector %s=%s does not select the Deployment's pods", stack, k, v)
			}
		}
		if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != got.port || probePort(c, svc.Spec.Ports[0].TargetPort) != got.port {
			t.Errorf("Service %s: ports %+v, want %d to the container's %d", stack, svc.Spec.Ports, got.port, got.port)
		}
	}
	ports := map[string]int{}
	for stack, c := range found {
		ports[stack] = c.port
	}
	for stack, c := range found {
		checkCalls(t, "k8s Deployment "+stack, c.cfg, func(s string) string { return s }, ports)
	}

	job, ok := objs["Job"]["refhost-migrate"]
	if !ok {
		t.Fatal("no Job refhost-migrate")
	}
	if cs := job.Spec.Template.Spec.Containers; len(cs) != 1 || len(cs[0].Args) == 0 || cs[0].Args[0] != "migrate" || !slices.Equal(cs[0].Command, []string{entry}) {
		t.Errorf("Job refhost-migrate: want one container running %s migrate, got %+v", entry, cs)
	} else {
		env := k8sEnv(t, "Job refhost-migrate", cs[0], objs)
		if env["REFHOST_POSTGRES_URL"] == "" {
			t.Error("Job refhost-migrate: no REFHOST_POSTGRES_URL")
		}
		checkProcess(t, deployed{where: "Job refhost-migrate", argv: cs[0].Args, env: env})
	}

	hpa, ok := objs["HorizontalPodAutoscaler"]["worker"]
	switch {
	case !ok:
		t.Error("no HorizontalPodAutoscaler worker")
	case hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != "worker":
		t.Errorf("HPA scales %+v, want the Deployment worker", hpa.Spec.ScaleTargetRef)
	case len(hpa.Spec.Metrics) != 1 || hpa.Spec.Metrics[0].Type != "External" || hpa.Spec.Metrics[0].External == nil:
		t.Errorf("HPA metrics %+v, want one External metric (the queue depth)", hpa.Spec.Metrics)
	case hpa.Spec.MinReplicas < 1 || hpa.Spec.MaxReplicas <= hpa.Spec.MinReplicas:
		t.Errorf("HPA replicas %d..%d", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	default:
		m := hpa.Spec.Metrics[0].External.Metric
		checkExportedSeries(t, "HPA worker", m.Name, m.Selector)
		// deploy/README.md gives the adapter rule that serves it to the HPA.
		if doc, err := os.ReadFile(filepath.Join(deployDir, "README.md")); err != nil || !strings.Contains(string(doc), "seriesQuery: '"+m.Name+"{") {
			t.Errorf("deploy/README.md has no Prometheus Adapter rule whose seriesQuery is %s (%v)", m.Name, err)
		}
	}
}

// checkExportedSeries checks that a worker exports the metric name with series that sel selects:
// it registers the queue depth as a worker does (registerQueueDepth), over an in-memory queue,
// and looks for a series with sel's labels for each value of each In expression.
func checkExportedSeries(t *testing.T, where, name string, sel k8sSelector) {
	t.Helper()
	q, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: storagememory.New().DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	if err := registerQueueDepth(reg, q, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var series []map[string]string
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			series = append(series, labels)
		}
	}
	if len(series) == 0 {
		t.Errorf("%s: metric %s is not exported by a worker (it exports %v)", where, name, names)
		return
	}
	wants := []map[string]string{sel.MatchLabels}
	for _, e := range sel.MatchExpressions {
		if e.Operator != "In" {
			continue
		}
		var next []map[string]string
		for _, w := range wants {
			for _, v := range e.Values {
				c := maps.Clone(w)
				if c == nil {
					c = map[string]string{}
				}
				c[e.Key] = v
				next = append(next, c)
			}
		}
		wants = next
	}
	for _, w := range wants {
		if !slices.ContainsFunc(series, func(s map[string]string) bool {
			for k, v := range w {
				if s[k] != v {
					return false
				}
			}
			return true
		}) {
			t.Errorf("%s: no series of %s has the labels %v (series: %v)", where, name, w, series)
		}
	}
}

func probeString(p *k8sProbe) string {
	if p == nil || p.HTTPGet == nil {
		return "none"
	}
	return fmt.Sprintf("GET %s on port %v", p.HTTPGet.Path, p.HTTPGet.Port)
}

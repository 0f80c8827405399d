package aicoach_test

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/bias/aicoach"
)

const schemaBase = "https://tradecoach.dev/schema/aicoach/"

// compileSchemas loads every committed schema and compiles them by file name.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	names, err := fs.Glob(aicoach.Schemas, "schema/*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no schemas: %v", err)
	}
	for _, n := range names {
		b, _ := fs.ReadFile(aicoach.Schemas, n)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if err := c.AddResource(schemaBase+strings.TrimPrefix(n, "schema/"), doc); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, n := range names {
		s, err := c.Compile(schemaBase + strings.TrimPrefix(n, "schema/"))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(n, "schema/"), ".v1.json")] = s
	}
	return out
}

// TestSchemasDescribeRealPayloads sends a scoring run, reflections, indicators and refused
// requests through the Handler and validates every body each way against its committed schema;
// and checks that the schemas refuse what the Handler refuses.
func TestSchemasDescribeRealPayloads(t *testing.T) {
	t.Parallel()
	schemas := compileSchemas(t)
	trades, cs := history(600, 24*40)
	trades[1].OrderID, trades[1].ExchangeTradeID, trades[1].Liquidity = "o1", "x1", coach.Maker // what an exchange says of a fill
	res, err := bias.Score(trades, cs, bias.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var w wire
	srv := server(t, aicoach.HandlerConfig{}, nil)
	c := client(t, srv, 32<<10, &w, nil, nil)
	cfg := bias.DefaultConfig()
	cfg.Rules = bias.VerdictMap(map[string]bool{trades[3].ID: true, trades[5].ID: false})
	if _, err := c.Score(bg, bias.ScoreRequest{Trades: trades, Candles: cs, Config: cfg, Since: trades[100].TS}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reflect(bg, res.Tags); err != nil {
		t.Fatal(err)
	}
	closes := make([]float64, 0, len(cs[btc]))
	for _, cd := range cs[btc] {
		closes = append(closes, cd.Close)
	}
	if _, err := c.Indicators(bg, bias.IndicatorRequest{Name: bias.IndicatorMACD, Params: []float64{12, 26, 9}, Close: closes}); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Indicators(bg, bias.IndicatorRequest{Name: bias.IndicatorSMA, Params: []float64{0.5}, Close: closes}) // refused: 400

	route := map[string]string{aicoach.PathScore: "score", aicoach.PathIndicators: "indicators", aicoach.PathReflect: "reflect"}
	kinds := map[string]int{}
	for i, body := range w.requests {
		r := route[w.paths[i]]
		req, resp := r+"-request", r+"-response"
		if r == "score" {
			req = "score-page"
		}
		if w.statuses[i] >= 300 {
			resp = "error"
		}
		for name, b := range map[string][]byte{req: body, resp: w.responses[i]} {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s %d: %v", name, i, err)
			}
			if err := schemas[name].Validate(inst); err != nil {
				t.Errorf("%s %d does not match its schema: %v", name, i, err)
			}
			kinds[name]++
		}
	}
	if len(kinds) != 7 {
		t.Errorf("validated %v; want every schema used", kinds)
	}
	windows := false // the account metrics' monthly windows travel, and were validated above
	for i := range w.responses {
		windows = windows || bytes.Contains(w.responses[i], []byte(`"windows":[{"from":`))
	}
	if !windows {
		t.Error("no score response carried Account.Windows: the schema's array of exact objects is untested")
	}

	for name, body := range map[string]string{
		"score-page":         `{"v":1,"run":"abcdefghijklmnop","page":1,"last":true,"config":{},"trades":[],"candles":[]}`,
		"indicators-request": `{"v":2,"name":"sma","params":[3],"close":[1,2,3]}`,
		"reflect-request":    `{"v":1,"tags":[],"extra":true}`,
	} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if schemas[name].Validate(inst) == nil {
			t.Errorf("%s accepts %s, which the Handler refuses", name, body)
		}
	}
}

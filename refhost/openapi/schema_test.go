package openapi_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/transport/httpjson"
)

// jsonFields returns the JSON names of the fields encoding/json writes for a value of type t
// (embedded structs flattened), and those it always writes (no omitempty or omitzero).
func jsonFields(t reflect.Type) (all, always []string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			a, w := jsonFields(f.Type)
			all, always = append(all, a...), append(always, w...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			always = append(always, name)
		}
	}
	slices.Sort(all)
	slices.Sort(always)
	return all, always
}

// TestSchemasUseTheGoJSONTags checks that each entity's schema has exactly the fields the Go
// type writes, named as its JSON tags name them, and requires exactly those always written: the
// document invents no field and forgets none.
func TestSchemasUseTheGoJSONTags(t *testing.T) {
	doc := mustLoad(t)
	for name, v := range map[string]any{
		"User":             coach.User{},
		"Session":          coach.Session{},
		"Export":           coach.Export{},
		"Bucket":           digest.Bucket{},
		"BrokerConnection": coach.BrokerConnection{},
		"Trade":            coach.Trade{},
		"BiasTag":          coach.BiasTag{},
		"TagWithDispute":   coach.TagWithDispute{},
		"TagDispute":       coach.TagDispute{},
		"TradeNote":        coach.TradeNote{},
		"Candle":           coach.Candle{},
		"Rule":             coach.Rule{},
		"SimulationRun":    coach.SimulationRun{},
		"Digest":           coach.Digest{},
		"Event":            coach.Event{},
		"ErrorPayload":     coach.ErrorPayload{},
		"Error":            httpjson.Body{},
		"FieldError":       httpjson.FieldError{},
		"CSVImport":        broker.CSVImport{},
		"RowError":         broker.RowError{},
		"RulesReport":      rules.Report{},
		"AccountWindow":    bias.AccountWindow{},
		"Disposition":      bias.Disposition{},
		"LossChasing":      bias.LossChasing{},
		"Clustered":        bias.Clustered{},
		"Evaluation":       rules.Evaluation{},
		"Verdict":          rules.Verdict{},
		"Streak":           rules.Streak{},
		"Standing":         rules.Standing{},
		"StreakReport":     rules.StreakReport{},
	} {
		ref := doc.Components.Schemas[name]
		if ref == nil {
			t.Errorf("no schema %s", name)
			continue
		}
		var props []string
		for p := range ref.Value.Properties {
			props = append(props, p)
		}
		slices.Sort(props)
		required := slices.Sorted(slices.Values(ref.Value.Required))
		all, always := jsonFields(reflect.TypeOf(v))
		if diff := cmp.Diff(all, props); diff != "" {
			t.Errorf("%s: properties (-Go +document):\n%s", name, diff)
		}
		if diff := cmp.Diff(always, required); diff != "" {
			t.Errorf("%s: required (-always written by Go +document):\n%s", name, diff)
		}
		if ref.Value.AdditionalProperties.Has == nil || *ref.Value.AdditionalProperties.Has {
			t.Errorf("%s: additionalProperties is not false, so a field the document lacks would pass", name)
		}
	}
}

package aicoach_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

// FuzzHandlerDecoding sends correctly signed bodies of any bytes to each route. The Handler
// never panics and never fails internally: it answers 200/202 with a body of the route's
// response type, or a refusal whose JSON body carries a code other than internal.
func FuzzHandlerDecoding(f *testing.F) {
	for _, s := range []struct {
		route uint8
		body  string
	}{
		{0, `{"v":1,"run":"aaaaaaaaaaaaaaaa","page":0,"last":true,"config":{"Version":"2026.1","Interval":"1h"},"trades":[],"candles":[]}`},
		{0, `{"v":1,"run":"aaaaaaaaaaaaaaaa","page":0,"last":false,"config":{},"since":"2024-03-01T00:00:00Z","trades":[{"id":"t1","userId":"u","broker":"b","extId":"t1","symbol":"BTC-USD","side":"buy","qty":"1","price":"2","fee":null,"ts":"2024-03-01T00:00:00Z"}],"verdicts":{"t1":{"checked":1}},"candles":[{"symbol":"BTC-USD","bars":[{"s":"BTC-USD","i":"1h","t":"2024-03-01T00:00:00Z","o":1,"h":null,"l":"Infinity","c":"-Infinity","vol":-0}]}]}`},
		{1, `{"v":1,"name":"sma","params":[3],"close":[1,2,3,null,"Infinity"]}`},
		{1, `{"v":1,"name":"atr","params":[2],"close":[1,2,3],"high":[2,3,4],"low":[0,1,2]}`},
		{1, `{"v":1,"name":"macd","params":[1e300,2,3],"close":[]}`},
		{2, `{"v":1,"tags":[{"id":"g","userId":"u","tradeId":"t","label":"FOMO","confidence":0.5,"features":{"symbol":"BTC-USD","ret":0.1},"createdAt":"0001-01-01T00:00:00Z"}]}`},
		{2, `{"v":1,"tags":[]} {}`},
		{2, `{"v":2,"tags":[],"x":1}`},
	} {
		f.Add(s.route, []byte(s.body))
	}
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{key}, Nonces: memory.NewNonces(nil)})
	if err != nil {
		f.Fatal(err)
	}
	h, err := aicoach.NewHandler(aicoach.HandlerConfig{Verifier: v, MaxBodyBytes: 64 << 10})
	if err != nil {
		f.Fatal(err)
	}
	local := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), nil
	})
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: key, Next: local})
	if err != nil {
		f.Fatal(err)
	}
	paths := []string{aicoach.PathScore, aicoach.PathIndicators, aicoach.PathReflect}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		path := paths[int(route)%len(paths)]
		req, _ := http.NewRequest(http.MethodPost, "http://aicoach.test"+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := signer.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		dec := json.NewDecoder(&buf)
		dec.DisallowUnknownFields()
		switch resp.StatusCode {
		case http.StatusOK, http.StatusAccepted:
			var out any
			switch path {
			case aicoach.PathScore:
				out = &aicoach.ScoreResponse{}
			case aicoach.PathIndicators:
				out = &aicoach.IndicatorsResponse{}
			default:
				out = &aicoach.ReflectResponse{}
			}
			if err := dec.Decode(out); err != nil {
				t.Fatalf("%s answered %d with a body that is not its response: %v", path, resp.StatusCode, err)
			}
		default:
			var eb aicoach.ErrorBody
			if err := dec.Decode(&eb); err != nil {
				t.Fatalf("%s answered %d without an error body: %v", path, resp.StatusCode, err)
			}
			if eb.Code == "" || eb.Code == coach.EINTERNAL || resp.StatusCode >= 500 {
				t.Fatalf("%s answered %d %+v to %q", path, resp.StatusCode, eb, body)
			}
		}
	})
}

package httpjson_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tradecoach/coach/transport/httpjson"
)

// A handler decodes strictly and answers every error in the one shape.
func ExampleDecode() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			TimeZone string `json:"timeZone"`
		}
		if err := httpjson.Decode(r, 1024, &in); err != nil {
			httpjson.WriteError(w, r, nil, err)
			return
		}
		httpjson.WriteJSON(w, http.StatusOK, in)
	})
	r := httptest.NewRequest(http.MethodPatch, "/me/settings", strings.NewReader(`{"timezone":"Europe/Berlin"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Print(w.Code, " ", w.Body.String())
	// Output:
	// 400 {"code":"invalid","message":"some fields are invalid","fields":[{"field":"timezone","message":"unknown field (field names are case-sensitive)"}]}
}

package jobs_test

import (
	"testing"

	"github.com/tradecoach/coach/jobs"
)

func FuzzParseErase(f *testing.F) {
	fuzzPayload(f, []string{`{"userId":"u1"}`, `{"userId":""}`, `{"userId":"u1","extra":1}`},
		jobs.ParseErase, jobs.EraseJob, func(a, b jobs.ErasePayload) bool { return a == b })
}

package s3

import (
	"regexp"
	"strings"
	"testing"
)

// bucketRule is S3's bucket naming rule, as a regular expression, plus the no-".." rule.
var bucketRule = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// FuzzValidBucket checks validBucket against the rules written another way.
func FuzzValidBucket(f *testing.F) {
	for _, s := range []string{"coach", "a.b-c", "ab", "a..b", "a.-b", "a-.b", "Coach", "-ab", "ab-", strings.Repeat("a", 63), strings.Repeat("a", 64), "a_b", "ü12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		want := bucketRule.MatchString(name) && !strings.Contains(name, "..") && !strings.Contains(name, ".-") && !strings.Contains(name, "-.")
		if got := validBucket(name); got != want {
			t.Errorf("validBucket(%q) = %v, want %v", name, got, want)
		}
	})
}

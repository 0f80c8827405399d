package chat

import (
	"regexp"
	"strings"
)

var (
	// adviceRE is a modal or recommending phrase followed, within the sentence, by a verb of
	// trading: "you should sell", "I'd consider adding to", "now is a good time to buy".
	adviceRE = regexp.MustCompile(`(?i)\b(?:should|must|need to|needs to|ought to|have to|has to|consider|recommend\w*|suggest\w*|advis\w*|i'd|i would|better to|time to|go ahead and|why not|don't hesitate to|it's worth|worth)\b[^.!?]{0,60}?\b(?:buy\w*|sell\w*|short\w*|go long|going long|add(?:ing)? to|accumulat\w*|dump\w*|load\w* up|open\w* a position|take profits?|taking profits?|exit\w*|close\w* (?:your|the|out))\b`)
	// imperativeRE is a sentence that starts with an order: "Buy BTC now.", "Sell the ETH".
	imperativeRE = regexp.MustCompile(`(?i)^\W*(?:now\W+)?(?:buy|sell|short|go long|go short|load up|accumulate|dump|add to|take profits?)\b`)
	// orderRE is a trading order anywhere: "buy the dip", "sell now", "buy more".
	orderRE = regexp.MustCompile(`(?i)\b(?:buy the dip|buy more|sell now|buy now|sell it all|sell everything|time to buy|time to sell)\b`)
)

// advice returns the words of s that advise buying or selling, when s names an asset.
func advice(s string, namesAsset bool) (string, bool) {
	if !namesAsset || askedBack(s) {
		return "", false
	}
	for _, re := range []*regexp.Regexp{adviceRE, imperativeRE, orderRE} {
		if m := re.FindString(s); m != "" {
			return strings.TrimSpace(m), true
		}
	}
	return "", false
}

// askBackRE is a question back to the trader about what they did ("What made you sell BTC?"):
// the coach's own way of speaking, not advice. "Why not buy …?" is not one.
var (
	askBackRE = regexp.MustCompile(`(?i)^\W*(?:what|why|how|when|did|was|were|do|does|is|had|have|where|which)\b`)
	whyNotRE  = regexp.MustCompile(`(?i)^\W*why not\b`)
)

func askedBack(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasSuffix(t, "?") && askBackRE.MatchString(t) && !whyNotRE.MatchString(t)
}

// Command vulnfixture exists to be found vulnerable: it is pinned to golang.org/x/text v0.3.5 and
// calls language.Parse, which GO-2021-0113 (an out-of-bounds read on a crafted tag, fixed in
// v0.3.7) makes reachable. .ci/run scans it and fails unless the scan reports that finding, so a
// scanner that silently finds nothing cannot pass as a clean scan of the SDK.
package main

import (
	"fmt"
	"os"

	"golang.org/x/text/language"
)

func main() {
	tag, err := language.Parse(os.Args[len(os.Args)-1])
	fmt.Println(tag, err)
}

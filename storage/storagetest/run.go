package storagetest

import (
	"testing"

	"github.com/tradecoach/coach/storage"
)

// Run checks every storage.Store contract against the adapter newStore makes: each repository,
// tenant isolation, and InTx. Every subtest runs in parallel with a fresh store of its own, so
// an adapter may give each its own schema; newStore registers any cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	for _, group := range []struct {
		name string
		run  func(*testing.T, func(*testing.T) storage.Store)
	}{
		{"Users", runUsers},
		{"UserListing", runUserListing},
		{"Sessions", runSessions},
		{"Connections", runConnections},
		{"ConnectionRotation", runRotate},
		{"ConnectionSyncs", runSyncs},
		{"Trades", runTrades},
		{"TradeSources", runTradeSources},
		{"Tags", runTags},
		{"Disputes", runDisputes},
		{"Notes", runNotes},
		{"Questions", runQuestions},
		{"Rules", runRules},
		{"Digests", runDigests},
		{"Audit", runAudit},
		{"Events", runEvents},
		{"EventClaims", runClaim},
		{"Checkpoints", runCheckpoints},
		{"Candles", runCandles},
		{"DeadLetters", runDeadLetters},
		{"SimulationRuns", runSimulationRuns},
		{"Exports", runExports},
		{"Webhooks", runWebhooks},
		{"ExportReads", runPaged},
		{"Erasures", runErasures},
		{"DataKeys", runDataKeys},
		{"InTx", runInTx},
	} {
		t.Run(group.name, func(t *testing.T) { group.run(t, newStore) })
	}
}

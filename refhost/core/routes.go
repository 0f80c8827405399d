package core

// routes is every endpoint of the core API.
func (a *API) routes() []route {
	return []route{
		{"POST /internal/users", false, a.createUser},
		{"GET /internal/users/by-email", false, a.userByEmail},
		{"GET /internal/users/{id}", false, a.userByID},
		{"PUT /internal/users/{id}/password", false, a.setPassword},
		{"POST /internal/sessions", false, a.createSession},
		{"GET /internal/sessions/{tokenHash}", false, a.resolveSession},
		{"DELETE /internal/sessions/{tokenHash}", false, a.endSession},
		{"PUT /internal/sessions/{tokenHash}/expiry", false, a.touchSession},
		{"GET /internal/events/newest", true, a.newestEvent},

		{"GET /me", true, a.me},
		{"GET /me/sessions", true, a.listSessions},
		{"DELETE /me", true, a.eraseMe},
		{"POST /me/export", true, a.requestExport},
		{"GET /me/exports", true, a.listExports},
		{"GET /me/exports/{id}", true, a.getExport},
		{"GET /me/exports/{id}/download", true, a.exportLink},
		{"DELETE /me/sessions/{id}", true, a.revokeSession},
		{"PATCH /me/settings", true, a.updateSettings},

		{"GET /brokers/connections", true, a.listConnections},
		{"POST /brokers/demo", true, a.connectDemo},
		{"POST /brokers/csv", true, a.uploadCSV},
		{"POST /brokers/connections/{id}/sync", true, a.syncNow},
		{"POST /brokers/connections/{id}/pause", true, a.pauseConnection},
		{"POST /brokers/connections/{id}/resume", true, a.resumeConnection},
		{"DELETE /brokers/connections/{id}", true, a.disconnect},

		{"GET /brokers/coinbase/authorize", true, a.authorizeCoinbase},
		{"GET /brokers/coinbase/callback", true, a.coinbaseCallback},
		{"POST /brokers/binance", true, a.connectBinance},

		{"GET /trades", true, a.listTrades},
		{"GET /trades/{id}", true, a.tradeDetail},
		{"DELETE /trades/{id}", true, a.deleteTrade},
		{"POST /trades/{id}/notes", true, a.addNote},
		{"PUT /trades/{id}/tags/{label}/dispute", true, a.dispute},
		{"DELETE /trades/{id}/tags/{label}/dispute", true, a.withdrawDispute},

		{"GET /rules", true, a.listRules},
		{"POST /rules", true, a.createRule},
		{"GET /rules/evaluation", true, a.evaluateRules},
		{"GET /rules/{id}", true, a.getRule},
		{"PUT /rules/{id}", true, a.updateRule},
		{"DELETE /rules/{id}", true, a.deleteRule},

		{"POST /simulations/simple", true, a.submitSimulation},
		{"GET /simulations", true, a.listSimulations},
		{"GET /simulations/{id}", true, a.getSimulation},

		{"GET /dashboard", true, a.dashboardSeries},
		{"GET /account/metrics", true, a.accountMetrics},

		{"GET /digests/weekly/latest", true, a.latestDigest},
		{"GET /digests/weekly", true, a.listDigests},
		{"GET /digests/weekly/{id}", true, a.getDigest},

		{"POST /coach/questions", true, a.askQuestion},
		{"GET /coach/questions", true, a.listQuestions},

		{"GET /events", true, a.events},

		{"GET /webhooks", true, a.withWebhooks(a.listWebhooks)},
		{"POST /webhooks", true, a.withWebhooks(a.createWebhook)},
		{"GET /webhooks/{id}", true, a.withWebhooks(a.getWebhook)},
		{"PUT /webhooks/{id}", true, a.withWebhooks(a.updateWebhook)},
		{"DELETE /webhooks/{id}", true, a.withWebhooks(a.deleteWebhook)},
		{"POST /webhooks/{id}/rotate", true, a.withWebhooks(a.rotateWebhook)},
		{"GET /webhooks/{id}/deliveries", true, a.withWebhooks(a.webhookDeliveries)},
		{"POST /webhooks/{id}/test", true, a.withWebhooks(a.testWebhook)},
		{"POST /webhooks/deliveries/{id}/replay", true, a.withWebhooks(a.replayWebhookDelivery)},
	}
}

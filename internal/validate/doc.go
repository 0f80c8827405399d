// Package validate measures the bias labels against the independent validation persona and the
// null trader of broker/brokertest (issue 14): per label precision and recall on orders, the
// confusion of labels given with labels intended, the null trader's false-positive rate on
// eligible orders, the sensitivity of label counts to ±10% on each threshold of bias.Config,
// and the agreement of labelled orders scored on 1m, 5m and 1h candles.
//
// Count and its Counts are the arithmetic, tested on hand-made examples; Run scores seeds
// through bias.Score (with the persona's written plan checked by package rules for DISCIPLINE)
// and Report.Markdown writes the table that Splice puts into bias/DEFINITIONS.md between
// BeginMarker and EndMarker. The command internal/validate/cmd/validate is a thin main over them.
//
// Tuning seeds (1-5 by default) and held-out seeds (6-10) are always reported apart: the
// definitions may be tuned on the first only.
package validate

package bias

import (
	"bytes"
	"context"
	"slices"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Rescored is what Rescore found.
type Rescored struct {
	// Stored is the tag's newest revision when Rescore read it.
	Stored coach.BiasTag `json:"stored"`
	// Tag is the tag scoring gives the trade's label now, from the candle snapshot and start of
	// labelling that Stored records, with that same Input in its features. It has Stored's ID,
	// Revision and CreatedAt when Identical, those of the new revision when Revised, and none
	// otherwise; it is zero when the label does not hold (Withdrawn, or Skip set).
	Tag coach.BiasTag `json:"tag"`
	// Identical reports that Tag's confidence and features are Stored's, byte for byte: the
	// stored tag is reproduced. It is what Rescore gives under the Config.Version the tag was
	// scored with, while the user's trades up to the tagged one, time zone and rules are as they
	// were.
	Identical bool `json:"identical"`
	// Revised reports that Rescore stored Tag as the tag's next revision, and Withdrawn that it
	// withdrew the tag because the label no longer holds; either with a tag.revised event, in the
	// same transaction.
	Revised   bool `json:"revised"`
	Withdrawn bool `json:"withdrawn"`
	// Skip says why the label could not be decided now (the snapshot lacks the warm-up or the
	// interval the definitions read): then nothing is stored.
	Skip *Skip `json:"skip,omitempty"`
}

// Rescore scores the user's tag tagID again from what its newest revision records: the user's
// trades (read from the store), the coach.CandleSnapshot named by its features' Input (read from
// ServiceConfig.Blobs: the market data is not asked), the same start of labelling, and the
// Service's Config with the user's time zone.
//
// Under the definition version the tag was scored with, the features come out byte for byte as
// stored (Rescored.Identical) and nothing is written. When they differ — another Config.Version,
// or trades added, removed or changed before the tagged one since — the tag gets its next revision,
// or is withdrawn if the label no longer holds, with a tag.revised event in the same transaction,
// as ScoreUser would; the earlier revision stays listable. The trade's other tags are left as
// they are. A label that cannot be decided from the snapshot changes nothing. A withdrawn tag is
// rescored but never changed.
//
// Errors: EINVALID for a Service without Blobs, a malformed user or tag id, or a tag whose features
// record no Input (stored before inputs were recorded: ScoreUser scores it again); ENOTFOUND for
// an unknown user or tag, or a snapshot missing from the blob store; ECONFLICT when another writer
// revised the tag meanwhile; the store's errors otherwise (EINTERNAL for a snapshot that does not
// match its hash).
func (s *Service) Rescore(ctx context.Context, userID, tagID string) (Rescored, error) {
	switch {
	case !s.constructed():
		return Rescored{}, errNotConstructed
	case s.blobs == nil:
		return Rescored{}, coach.Errorf(coach.EINVALID, "bias: Rescore needs ServiceConfig.Blobs, where the candle snapshots are kept")
	case !coach.ValidID(userID):
		return Rescored{}, coach.Errorf(coach.EINVALID, "userId: required")
	case !coach.ValidID(tagID):
		return Rescored{}, coach.Errorf(coach.EINVALID, "tagId: required")
	}
	revs, err := s.store.Tags().Revisions(ctx, userID, tagID)
	if err != nil {
		return Rescored{}, err
	}
	stored := revs[len(revs)-1]
	out := Rescored{Stored: stored}
	in, ok := InputOf(stored.Features)
	if !ok {
		return out, coach.Errorf(coach.EINVALID, "tag %s records no input (it was scored before snapshots were kept): score the user again", tagID)
	}
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return out, err
	}
	cfg, err := s.userConfig(ctx, u)
	if err != nil {
		return out, err
	}
	tr, err := s.store.Trades().Get(ctx, userID, stored.TradeID)
	if err != nil {
		return out, err
	}
	snap, err := storage.LoadSnapshot(ctx, s.blobs, in.CandlesSHA256)
	if err != nil {
		return out, err
	}
	// All the user's trades, as ScoreUser reads them: no later trade changes the tagged one's
	// labels, and a definition that reads a whole order finds its later fills.
	trades, err := storage.ListAll(ctx, s.store.Trades(), userID, storage.TradeFilter{})
	if err != nil {
		return out, err
	}
	trades, invalid := scorable(trades, in.LabelFrom)
	for _, sk := range invalid {
		if sk.TradeID == tr.ID {
			sk.Label = stored.Label
			out.Skip = &sk
			return out, nil
		}
	}
	if !slices.ContainsFunc(trades, func(t coach.Trade) bool { return t.ID == tr.ID }) {
		// Never withdraw a tag for want of its own trade.
		return out, errors.Errorf("bias: rescore %s: trade %s is not among the trades read up to it", tagID, tr.ID)
	}
	res, err := s.scoreVia(ctx, snap, trades, in.LabelFrom, cfg)
	if err != nil {
		return out, err
	}
	for _, g := range res.Tags {
		if g.TradeID == stored.TradeID && g.Label == stored.Label {
			g.UserID = userID
			g.Features = appendInput(g.Features, in)
			out.Tag = g
		}
	}
	if out.Tag.Label == "" {
		for _, sk := range res.Skipped {
			if sk.TradeID == stored.TradeID && sk.Label == stored.Label {
				out.Skip = &sk
				return out, nil
			}
		}
	}
	if out.Tag.Label != "" && out.Tag.Confidence == stored.Confidence && bytes.Equal(out.Tag.Features, stored.Features) {
		out.Identical = true
		out.Tag.ID, out.Tag.Revision, out.Tag.CreatedAt = stored.ID, stored.Revision, stored.CreatedAt
		return out, nil
	}
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		cur, err := tx.Tags().ByTrades(ctx, userID, []string{stored.TradeID})
		if err != nil {
			return err
		}
		// The trade's tags as they are, but for this label's, which is scored again.
		var tags []coach.BiasTag
		var now *coach.BiasTag
		for i, g := range cur {
			if g.Label != stored.Label {
				tags = append(tags, g)
			} else if g.ID == stored.ID {
				now = &cur[i]
			}
		}
		switch {
		case now == nil:
			return nil // withdrawn: a withdrawn tag is never changed
		case now.Revision != stored.Revision:
			return coach.Errorf(coach.ECONFLICT, "tag %s was revised meanwhile (revision %d): rescore it again", tagID, now.Revision)
		}
		if out.Tag.Label != "" {
			tags = append(tags, out.Tag)
		}
		var rep Report
		if err := s.record(ctx, tx, userID, []string{stored.TradeID}, tags, s.snapshotPutter(snap), &rep); err != nil {
			return err
		}
		out.Revised, out.Withdrawn = rep.Revised > 0, rep.Removed > 0
		if out.Revised {
			after, err := tx.Tags().ByTrades(ctx, userID, []string{stored.TradeID})
			if err != nil {
				return err
			}
			for _, g := range after {
				if g.ID == stored.ID {
					out.Tag = g
				}
			}
		}
		return nil
	})
	if err != nil {
		return Rescored{Stored: stored}, err
	}
	return out, nil
}

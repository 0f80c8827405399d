package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// List returns the users matching f in id order (see storage.Users). It scans every user: the
// memory store keeps no index by id order or zone.
func (r users) List(ctx context.Context, f storage.UserFilter) ([]coach.User, error) {
	if f.After != "" && !coach.ValidID(f.After) {
		return nil, coach.Errorf(coach.EINVALID, "after: not a user id")
	}
	var zones map[string]bool
	if len(f.TimeZones) > 0 {
		zones = make(map[string]bool, len(f.TimeZones))
		for _, z := range f.TimeZones {
			zones[z] = true
		}
	}
	var out []coach.User
	err := r.r.read(ctx, func(d *data) error {
		for id, b := range d.users {
			u := b.user
			switch {
			case u == nil, id <= f.After,
				zones != nil && !zones[u.TimeZone],
				!f.CreatedBefore.IsZero() && !u.CreatedAt.Before(f.CreatedBefore):
				continue
			}
			out = append(out, *u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b coach.User) int { return cmp.Compare(a.ID, b.ID) })
	if n := storage.Clamp(f.Limit); len(out) > n {
		out = out[:n:n]
	}
	return out, nil
}

// TimeZones returns the distinct time zones of the stored users in byte order.
func (r users) TimeZones(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	err := r.r.read(ctx, func(d *data) error {
		for _, b := range d.users {
			if b.user != nil {
				seen[b.user.TimeZone] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(seen))
	for z := range seen {
		out = append(out, z)
	}
	slices.Sort(out)
	return out, nil
}

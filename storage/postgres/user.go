package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
)

// users is storage.Users. Emails are stored in coach.NormalizeEmail form, so the unique index on
// email makes them unique case-insensitively; a user without an email (a host-owned user) has
// NULL there, which the partial index leaves out.
type users struct{ s *scope }

const userCols = `id, email, password_hash, created_at, time_zone, reporting_currency, digest_by_email`

func scanUser(row pgx.Row) (coach.User, error) {
	var u coach.User
	var email *string
	err := row.Scan(&u.ID, &email, &u.PasswordHash, &u.CreatedAt, &u.TimeZone, &u.ReportingCurrency, &u.DigestByEmail)
	if email != nil {
		u.Email = *email
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// checkUser normalizes u's email and validates u for storage.
func checkUser(u coach.User) (coach.User, error) {
	u.Email = coach.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return u, err
	}
	if u.ID == "" {
		return u, coach.Errorf(coach.EINVALID, "id: required")
	}
	for _, f := range []struct{ name, v string }{{"email", u.Email}, {"passwordHash", u.PasswordHash}, {"timeZone", u.TimeZone}} {
		if err := checkText(f.name, f.v); err != nil {
			return u, err
		}
	}
	return u, nil
}

// Create stores u (see storage.Users). ECONFLICT if the id or the email is taken.
func (r users) Create(ctx context.Context, u coach.User) error {
	u, err := checkUser(u)
	if err != nil {
		return err
	}
	return r.s.write(ctx, func(q querier) error {
		// ON CONFLICT DO NOTHING keeps a transaction usable after a taken email.
		tag, err := q.Exec(ctx, `INSERT INTO {schema}.users (`+userCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			u.ID, nullText(u.Email), u.PasswordHash, u.CreatedAt, u.TimeZone, u.ReportingCurrency, u.DigestByEmail)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ECONFLICT, "a user with this email or id already exists")
		}
		return nil
	})
}

// ByID returns the user with id, or ENOTFOUND.
func (r users) ByID(ctx context.Context, id string) (coach.User, error) {
	return r.one(ctx, `id = $1`, id)
}

// ByEmail returns the user whose normalized email is NormalizeEmail(email), or ENOTFOUND (always
// for "": users without an email are found by id only).
func (r users) ByEmail(ctx context.Context, email string) (coach.User, error) {
	email = coach.NormalizeEmail(email)
	if email == "" {
		return coach.User{}, coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	return r.one(ctx, `email = $1`, email)
}

func (r users) one(ctx context.Context, where, arg string) (coach.User, error) {
	if !textOK(arg) {
		return coach.User{}, coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	var u coach.User
	err := r.s.read(ctx, func(q querier) (err error) {
		u, err = scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM {schema}.users WHERE `+where, arg))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.User{}, coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	return u, err
}

// Update replaces the user's email, password hash, time zone, reporting currency and
// digest-by-email opt-in.
func (r users) Update(ctx context.Context, u coach.User) error {
	u, err := checkUser(u)
	if err != nil {
		return err
	}
	return r.s.write(ctx, func(q querier) error {
		// The NOT EXISTS guard turns a taken email into zero rows rather than an error that
		// would abort an enclosing transaction (a concurrent taker still gets ECONFLICT from
		// the unique index).
		tag, err := q.Exec(ctx, `UPDATE {schema}.users SET email = $2, password_hash = $3, time_zone = $4, reporting_currency = $5, digest_by_email = $6
			WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM {schema}.users o WHERE o.email = $2 AND o.id <> $1)`,
			u.ID, nullText(u.Email), u.PasswordHash, u.TimeZone, u.ReportingCurrency, u.DigestByEmail)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)`, u.ID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return coach.Errorf(coach.ENOTFOUND, "user not found")
		}
		return coach.Errorf(coach.ECONFLICT, "a user with this email already exists")
	})
}

// Delete erases the user; every row of theirs goes with them (ON DELETE CASCADE).
func (r users) Delete(ctx context.Context, id string) error {
	if !textOK(id) {
		return coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.users WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "user not found")
		}
		return nil
	})
}

// utc returns t in UTC, or nil for nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

package privacy_test

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/storage/s3"
	"github.com/tradecoach/coach/storage/s3/s3test"
)

// outside is a deployment on real servers — PostgreSQL, Redis, and an S3-compatible server
// (gofakes3) spoken to through the AWS SDK — and the raw clients a scan reads them with.
type outside struct {
	*rig
	db       *postgres.DB
	redis    *goredis.Client
	endpoint string
}

func newOutside(t testing.TB) *outside {
	t.Helper()
	db := postgrestest.MustOpenTestDB(t)
	client := redistest.MustOpenClient(t)
	rs, err := redis.New(client, redis.Config{Prefix: redistest.RandomPrefix()})
	must(t, err, "redis store")
	t.Cleanup(func() { _ = redistest.DeleteKeys(context.Background(), client, rs.KeyPatterns()...) })
	endpoint := s3test.Server(t)
	blobs, err := s3.Open(context.Background(), s3test.Config(endpoint))
	must(t, err, "s3 blobs")
	kv := kvStores{cache: rs.Cache(), idem: rs.Idempotency(), limiter: rs.RateLimiter(), leases: rs.Leases(), erasers: []storage.KeyEraser{rs}}
	return &outside{rig: newRig(t, db, blobs, kv), db: db, redis: client, endpoint: endpoint}
}

// TestEraseSeenFromOutside is issue 15's proof on PostgreSQL, Redis and S3: it writes two users
// with everything, erases one, and then reads every column of every table the schema has (as
// information_schema lists them), every key of the Redis database by SCAN with its value, and
// every object of every bucket with its content, looking for the erased user's id, email, email
// hash, connection ids, exchange ids and data-key id. None is found; every one of the other
// user's is.
func TestEraseSeenFromOutside(t *testing.T) {
	t.Parallel()
	o := newOutside(t)
	gone, kept := o.populate(t, 3), o.populate(t, 3)

	// Before the erasure the scan finds the user everywhere: it can see what it looks for.
	before := o.scan(t, gone.needles())
	places := map[string]bool{}
	for _, f := range before {
		places[strings.Fields(f.where)[0]+" "+strings.Fields(f.where)[1]] = true
	}
	t.Logf("before the erasure the user is found in %d places, among them %v", len(before), keys(places))
	for _, where := range []string{"postgres", "redis", "s3"} {
		if !foundIn(before, where) {
			t.Fatalf("before the erasure the scan finds nothing of the user in %s: it cannot see there", where)
		}
	}

	res, err := o.eraser.Erase(o.ctx, gone.user.ID)
	must(t, err, "Erase")
	if res.Counts["revoked"] != 1 || res.Counts["notRevocable"] != 1 || res.Counts["trades"] != 2 || res.Counts["deadLetters"] != 1 || res.Counts["keys"] != 4 || res.Counts["blobs"] != 2 {
		t.Errorf("counts %v", res.Counts)
	}

	for _, f := range o.scan(t, gone.needles()) {
		t.Errorf("erased user's %s found in %s", f.needle, f.where)
	}
	after := o.scan(t, kept.needles())
	for name := range kept.needles() {
		if !hasNeedle(after, name) {
			t.Errorf("the other user's %s is found nowhere", name)
		}
	}
	for _, where := range []string{"postgres", "redis", "s3"} {
		if !foundIn(after, where) {
			t.Errorf("the other user's data is gone from %s", where)
		}
	}
	checkKeptByPorts(t, o.rig, kept)
	checkRecord(t, o.rig, res.Record, gone)

	again, err := o.eraser.Erase(o.ctx, gone.user.ID)
	must(t, err, "Erase again")
	if len(again.Counts) != 0 || again.Record.ID != res.Record.ID {
		t.Errorf("second Erase: counts %v, record %s (first %s)", again.Counts, again.Record.ID, res.Record.ID)
	}
}

// keys returns m's keys in order.
func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// finding is a needle found somewhere.
type finding struct{ needle, where string }

func foundIn(fs []finding, where string) bool {
	for _, f := range fs {
		if strings.HasPrefix(f.where, where) {
			return true
		}
	}
	return false
}

func hasNeedle(fs []finding, name string) bool {
	for _, f := range fs {
		if f.needle == name {
			return true
		}
	}
	return false
}

// scan searches PostgreSQL, Redis and S3 for the needles, knowing nothing of what the code
// stores where.
func (o *outside) scan(t testing.TB, needles map[string]string) []finding {
	t.Helper()
	var out []finding
	look := func(where, text string) {
		for name, v := range needles {
			if strings.Contains(text, v) {
				out = append(out, finding{name, where})
			}
		}
	}
	scanPostgres(t, o.db.Pool(), o.db.Schema(), look)
	scanRedis(t, o.redis, look)
	scanS3(t, o.endpoint, look)
	sort.Slice(out, func(i, j int) bool { return out[i].where+out[i].needle < out[j].where+out[j].needle })
	return out
}

// scanPostgres reads every column of every table of schema, as text (bytea as escaped text),
// and gives each value to look.
func scanPostgres(t testing.TB, pool *pgxpool.Pool, schema string, look func(where, text string)) {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = $1 ORDER BY table_name, ordinal_position`, schema)
	must(t, err, "information_schema.columns")
	cols := map[string][]string{}
	var tables []string
	for rows.Next() {
		var table, column, typ string
		must(t, rows.Scan(&table, &column, &typ), "scan column")
		expr := pgx.Identifier{column}.Sanitize() + "::text"
		if typ == "bytea" {
			expr = "encode(" + pgx.Identifier{column}.Sanitize() + ", 'escape')"
		}
		if _, ok := cols[table]; !ok {
			tables = append(tables, table)
		}
		cols[table] = append(cols[table], expr)
	}
	must(t, rows.Err(), "columns")
	if len(tables) < 15 {
		t.Fatalf("information_schema lists %d tables in %s: the scan would see too little", len(tables), schema)
	}
	for _, table := range tables {
		q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(cols[table], ", "), pgx.Identifier{schema, table}.Sanitize())
		rows, err := pool.Query(ctx, q)
		must(t, err, "read "+table)
		for rows.Next() {
			vals := make([]*string, len(cols[table]))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rows.Scan(ptrs...), "scan "+table)
			for _, v := range vals {
				if v != nil {
					look("postgres "+table, *v)
				}
			}
		}
		must(t, rows.Err(), "rows of "+table)
	}
}

// scanRedis walks every key of the database by SCAN and gives each key's name and value (of
// whatever type) to look.
func scanRedis(t testing.TB, client *goredis.Client, look func(where, text string)) {
	t.Helper()
	ctx := context.Background()
	iter := client.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		look("redis key "+k, k)
		var vals []string
		switch typ, _ := client.Type(ctx, k).Result(); typ {
		case "string":
			v, _ := client.Get(ctx, k).Result()
			vals = []string{v}
		case "hash":
			m, _ := client.HGetAll(ctx, k).Result()
			for f, v := range m {
				vals = append(vals, f, v)
			}
		case "set":
			vals, _ = client.SMembers(ctx, k).Result()
		case "zset":
			vals, _ = client.ZRange(ctx, k, 0, -1).Result()
		case "list":
			vals, _ = client.LRange(ctx, k, 0, -1).Result()
		case "stream":
			msgs, _ := client.XRange(ctx, k, "-", "+").Result()
			for _, m := range msgs {
				vals = append(vals, fmt.Sprint(m.Values))
			}
		}
		for _, v := range vals {
			look("redis value of "+k, v)
		}
	}
	must(t, iter.Err(), "scan redis")
}

// scanS3 lists every object of every bucket through the AWS SDK and gives each key and content
// to look.
func scanS3(t testing.TB, endpoint string, look func(where, text string)) {
	t.Helper()
	ctx := context.Background()
	client := awss3.New(awss3.Options{
		BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test-access-key", "test-secret-key", ""),
	})
	buckets, err := client.ListBuckets(ctx, &awss3.ListBucketsInput{})
	must(t, err, "list buckets")
	if len(buckets.Buckets) == 0 {
		t.Fatal("no bucket to scan")
	}
	for _, b := range buckets.Buckets {
		pages := awss3.NewListObjectsV2Paginator(client, &awss3.ListObjectsV2Input{Bucket: b.Name})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			must(t, err, "list objects")
			for _, obj := range page.Contents {
				key := aws.ToString(obj.Key)
				look("s3 key "+key, key)
				got, err := client.GetObject(ctx, &awss3.GetObjectInput{Bucket: b.Name, Key: obj.Key})
				must(t, err, "get object")
				body, err := io.ReadAll(got.Body)
				got.Body.Close()
				must(t, err, "read object")
				look("s3 object "+key, string(body))
			}
		}
	}
}

package s3

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// headConcurrency bounds the HeadObject requests List has in flight.
const headConcurrency = 8

// List returns the blobs whose key starts with prefix, in key order. prefix is "" (everything)
// or a valid blob key, optionally followed by "/" (EINVALID otherwise).
//
// Cost: one ListObjectsV2 request per Config.ListPageSize (1000) keys, then one HeadObject per key (at most 8 at a
// time) for the SHA-256 and content type, which ListObjectsV2 does not return. A blob deleted
// between the two is left out.
func (b *Blobs) List(ctx context.Context, prefix string) ([]storage.BlobInfo, error) {
	if prefix != "" && !storage.ValidBlobKey(strings.TrimSuffix(prefix, "/")) {
		return nil, coach.Errorf(coach.EINVALID, "blob prefix %q is invalid", truncate(prefix, 64))
	}
	var infos []storage.BlobInfo
	pages := awss3.NewListObjectsV2Paginator(b.client, &awss3.ListObjectsV2Input{
		Bucket:  aws.String(b.bucket),
		Prefix:  aws.String(prefix),
		MaxKeys: aws.Int32(b.cfg.ListPageSize),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, formatError("list", err)
		}
		for _, obj := range page.Contents {
			infos = append(infos, storage.BlobInfo{
				Key:      aws.ToString(obj.Key),
				Size:     aws.ToInt64(obj.Size),
				Modified: aws.ToTime(obj.LastModified).UTC(),
			})
		}
	}
	if len(infos) == 0 {
		return nil, nil
	}

	var (
		mu   sync.Mutex
		gone = map[string]bool{}
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(headConcurrency)
	for i := range infos {
		g.Go(func() error {
			info := &infos[i]
			out, err := b.client.HeadObject(gctx, &awss3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(info.Key)})
			if err != nil {
				err = formatError("list: head", err)
				if coach.ErrorCode(err) == coach.ENOTFOUND {
					mu.Lock()
					gone[info.Key] = true
					mu.Unlock()
					return nil
				}
				return err
			}
			info.SHA256 = out.Metadata[metaSHA256]
			info.ContentType = aws.ToString(out.ContentType)
			// The object may have been replaced since the listing: report what Head saw.
			info.Size = aws.ToInt64(out.ContentLength)
			if out.LastModified != nil {
				info.Modified = out.LastModified.UTC()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	infos = slices.DeleteFunc(infos, func(in storage.BlobInfo) bool { return gone[in.Key] })
	slices.SortFunc(infos, func(a, b storage.BlobInfo) int { return strings.Compare(a.Key, b.Key) })
	return infos, nil
}
